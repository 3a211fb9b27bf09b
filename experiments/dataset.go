package experiments

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gpa-tui/gpa-tui/experiments/images"
)

// Dataset describes a sample set: the target Q ([target]) or the prior P₀
// ([prior]). Which fields apply depends on Kind:
//
//	gaussian           n, mean (or dim), std
//	mixture            n, centers, std, weights (Gaussian mixture)
//	student-t-mixture  n, centers, nu, std, weights; each coordinate is
//	                   centre + std·t_ν, independent draws (as the paper)
//	uniform            n, low, high (a box; or dim with scalar low/high)
//	logistic           n, mean (or dim), std (the scale s)
//	file               path (CSV, TSV or NPY, rows = samples), n (0 = all)
type Dataset struct {
	Kind    string      `toml:"kind" json:"kind"`
	N       int         `toml:"n" json:"n"`
	Dim     int         `toml:"dim,omitempty" json:"dim,omitempty"`
	Mean    []float64   `toml:"mean,omitempty" json:"mean,omitempty"`
	Std     float64     `toml:"std,omitempty" json:"std,omitempty"`
	Centers [][]float64 `toml:"centers,omitempty" json:"centers,omitempty"`
	Weights []float64   `toml:"weights,omitempty" json:"weights,omitempty"`
	Nu      float64     `toml:"nu,omitempty" json:"nu,omitempty"`
	Low     []float64   `toml:"low,omitempty" json:"low,omitempty"`
	High    []float64   `toml:"high,omitempty" json:"high,omitempty"`
	Path    string      `toml:"path,omitempty" json:"path,omitempty"`
	// Image data sets: PerClass images of every class (N = PerClass ×
	// classes), from the Split ("train", default, or "test").
	PerClass int    `toml:"per_class,omitempty" json:"per_class,omitempty"`
	Split    string `toml:"split,omitempty" json:"split,omitempty"`
	// Holdout is a validation split for image targets: this many images
	// of every class that no model has seen — from the test split, outside
	// the Fréchet reference, never a target (heldout.go); 0 = none.
	Holdout int `toml:"holdout,omitempty" json:"holdout,omitempty"`
}

// DatasetKinds lists the valid Dataset.Kind values.
var DatasetKinds = []string{"gaussian", "mixture", "student-t-mixture", "uniform", "logistic", "file", "genes", "mnist", "fashion-mnist", "cifar10"}

func isImageKind(k string) bool { return k == "mnist" || k == "fashion-mnist" || k == "cifar10" }

// dim is the dimension implied by the parameters, or 0 when unknown
// before loading (files).
func (ds *Dataset) dim() int {
	switch {
	case len(ds.Mean) > 0:
		return len(ds.Mean)
	case len(ds.Centers) > 0:
		return len(ds.Centers[0])
	case len(ds.Low) > 1:
		return len(ds.Low)
	}
	return ds.Dim
}

func finiteAll(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

func (ds *Dataset) validate(sec string) error {
	key := func(k string) string { return sec + "." + k }
	if ds.Kind == "" {
		return fieldErr(key("kind"), "missing; want one of %v", DatasetKinds)
	}
	if isImageKind(ds.Kind) {
		if ds.PerClass < 1 || ds.PerClass > 100000 {
			return fieldErr(key("per_class"), "%d: want 1 … 100000 images per class", ds.PerClass)
		}
		if ds.Split != "" && ds.Split != "train" && ds.Split != "test" {
			return fieldErr(key("split"), "%q: want \"train\" or \"test\"", ds.Split)
		}
		if sec == "prior" {
			return fieldErr(key("kind"), "%q is a target; priors are gaussian, uniform, logistic, …", ds.Kind)
		}
		if ds.Holdout < 0 || ds.Holdout > 100000 {
			return fieldErr(key("holdout"), "%d: want 0 … 100000 held-out images per class", ds.Holdout)
		}
		return nil
	}
	if ds.Holdout != 0 {
		return fieldErr(key("holdout"), "held-out images need an image target (mnist, fashion-mnist, cifar10)")
	}
	if ds.Kind != "file" && (ds.N < 1 || ds.N > 1<<24) {
		return fieldErr(key("n"), "%d: want 1 … 16777216 samples", ds.N)
	}
	if ds.Kind == "file" && (ds.N < 0 || ds.N > 1<<24) {
		return fieldErr(key("n"), "%d: want 0 (all rows) … 16777216", ds.N)
	}
	if !finiteAll(ds.Mean) || !finiteAll(ds.Low) || !finiteAll(ds.High) || !finiteAll(ds.Weights) {
		return fieldErr(sec, "NaN or Inf in a parameter list")
	}
	for _, c := range ds.Centers {
		if !finiteAll(c) {
			return fieldErr(key("centers"), "NaN or Inf in a centre")
		}
	}
	needStd := func() error {
		if !positive(ds.Std) {
			return fieldErr(key("std"), "%v: want a finite number > 0", ds.Std)
		}
		return nil
	}
	needDim := func() error {
		if d := ds.dim(); sec == "prior" && d == 0 {
			return nil // the target's dimension
		} else if d < 1 || d > 1<<20 {
			return fieldErr(key("dim"), "%d: give mean = [...] or dim = 1 … 1048576", d)
		}
		return nil
	}
	switch ds.Kind {
	case "gaussian", "logistic":
		if err := needDim(); err != nil {
			return err
		}
		return needStd()
	case "mixture", "student-t-mixture":
		if len(ds.Centers) == 0 {
			return fieldErr(key("centers"), "want at least one centre, e.g. [[0, 0], [4, 4]]")
		}
		for i, c := range ds.Centers {
			if len(c) != len(ds.Centers[0]) || len(c) == 0 {
				return fieldErr(key("centers"), "centre %d has %d coordinates, centre 0 has %d", i, len(c), len(ds.Centers[0]))
			}
		}
		if len(ds.Weights) > 0 {
			if len(ds.Weights) != len(ds.Centers) {
				return fieldErr(key("weights"), "%d weights for %d centres", len(ds.Weights), len(ds.Centers))
			}
			for _, w := range ds.Weights {
				if !(w >= 0) {
					return fieldErr(key("weights"), "%v: want weights ≥ 0", w)
				}
			}
		}
		if ds.Kind == "student-t-mixture" && !positive(ds.Nu) {
			return fieldErr(key("nu"), "%v: want degrees of freedom > 0", ds.Nu)
		}
		return needStd()
	case "uniform":
		if len(ds.Low) == 0 || len(ds.High) == 0 {
			return fieldErr(key("low"), "want low = [...] and high = [...] (or scalars in one-element lists with dim)")
		}
		if len(ds.Low) != len(ds.High) {
			return fieldErr(key("high"), "%d bounds for %d lows", len(ds.High), len(ds.Low))
		}
		for i := range ds.Low {
			if !(ds.High[i] > ds.Low[i]) {
				return fieldErr(key("high"), "high[%d] = %v must exceed low[%d] = %v", i, ds.High[i], i, ds.Low[i])
			}
		}
		if len(ds.Low) == 1 {
			return needDim()
		}
		return nil
	case "file":
		if ds.Path == "" {
			return fieldErr(key("path"), "want a CSV, TSV or NPY file path")
		}
		return nil
	case "":
		return fieldErr(key("kind"), "missing; want one of %v", DatasetKinds)
	default:
		return fieldErr(key("kind"), "%q: want one of %v", ds.Kind, DatasetKinds)
	}
}

// Sample draws (or loads) the data set: rows×d, row-major. src drives all
// randomness, so a fixed seed gives bit-identical samples.
func (ds *Dataset) Sample(src rand.Source) (x []float32, rows, d int, err error) {
	if err := ds.validate("dataset"); err != nil {
		return nil, 0, 0, err
	}
	rng := rand.New(src)
	n := ds.N
	switch ds.Kind {
	case "gaussian", "logistic":
		d = ds.dim()
		x = make([]float32, n*d)
		for i := range n {
			for j := range d {
				m := 0.0
				if len(ds.Mean) > 0 {
					m = ds.Mean[j]
				}
				var z float64
				if ds.Kind == "gaussian" {
					z = rng.NormFloat64()
				} else {
					// Logistic(0,1) by inversion: log(u/(1−u)).
					u := rng.Float64()
					for u == 0 {
						u = rng.Float64()
					}
					z = math.Log(u / (1 - u))
				}
				x[i*d+j] = float32(m + ds.Std*z)
			}
		}
		return x, n, d, nil
	case "mixture", "student-t-mixture":
		d = len(ds.Centers[0])
		x = make([]float32, n*d)
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: ds.Nu, Src: src}
		for i := range n {
			c := ds.Centers[pickComponent(rng, ds.Weights, len(ds.Centers))]
			for j := range d {
				var z float64
				if ds.Kind == "mixture" {
					z = rng.NormFloat64()
				} else {
					z = t.Rand()
				}
				x[i*d+j] = float32(c[j] + ds.Std*z)
			}
		}
		return x, n, d, nil
	case "uniform":
		d = len(ds.Low)
		lo, hi := ds.Low, ds.High
		if d == 1 && ds.Dim > 1 {
			d = ds.Dim
		}
		x = make([]float32, n*d)
		for i := range n {
			for j := range d {
				k := min(j, len(lo)-1)
				x[i*d+j] = float32(lo[k] + (hi[k]-lo[k])*rng.Float64())
			}
		}
		return x, n, d, nil
	case "file":
		x, rows, d, err = ReadMatrixFile(ds.Path)
		if err != nil {
			return nil, 0, 0, err
		}
		if ds.N > 0 {
			if ds.N > rows {
				return nil, 0, 0, fmt.Errorf("core: %s: n = %d but the file has %d rows", ds.Path, ds.N, rows)
			}
			rows = ds.N
			x = x[:rows*d]
		}
		return x, rows, d, nil
	}
	return nil, 0, 0, fmt.Errorf("core: unknown data set kind %q", ds.Kind)
}

// pickComponent draws a mixture component index with the given weights
// (equal weights when w is empty).
func pickComponent(rng *rand.Rand, w []float64, k int) int {
	if len(w) == 0 {
		return rng.IntN(k)
	}
	total := 0.0
	for _, v := range w {
		total += v
	}
	u := rng.Float64() * total
	for i, v := range w {
		u -= v
		if u < 0 {
			return i
		}
	}
	return k - 1
}

// CheckData reports whether the data a run description reads are where it
// would read them, without reading them (the workbench's preset picker
// marks presets whose data are missing): nil, or an error wrapping
// images.ErrNotFound that says what to install or download. Synthetic
// targets and gene presets (their data ship with the program or are files
// the loader names on its own) are always there.
func CheckData(cfg Config) error {
	if isImageKind(cfg.Target.Kind) {
		return images.Find(cfg.Target.Kind, cfg.Target.Path)
	}
	return nil
}
