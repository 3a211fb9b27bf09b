package core

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
)

// Problem is what a method works on, whatever the data's origin: targets X
// (N×D, samples of Q) and initial particles Y₀ (M×D, samples of P₀), both
// flat row-major. Package experiments builds problems from presets (synthetic
// sets, files, images, gene expression, latent coders); core never looks at
// where they came from.
//
// The optional parts describe structure the engine uses (heads) and what
// other packages may show or write (decoder, images, projection, observers,
// tables, outputs, notes); core treats them as opaque.
type Problem struct {
	X []float32 // targets, N×D
	N int
	Y []float32 // initial particles Y₀, N×D; copied by New
	M int
	D int

	// Heads is the number of outputs of φ (conditional runs: one head per
	// class, φ(x, c) = head c on a shared trunk); 0 means 1. HeadX and
	// HeadY give the head of every target and particle, −1 for none (a
	// particle without a head never moves; a target without one is not
	// compared). Both are nil when Heads ≤ 1.
	Heads        int
	HeadX, HeadY []int

	// Decoder maps particles to data space in a latent run (Algorithm 2);
	// nil when the flow runs in data space. DataX are the targets in data
	// space (N×DataD; for a latent run, before encoding), used by
	// Theorem 5.1 and image views; nil means X.
	Decoder Decoder
	DataX   []float32
	DataD   int

	// Images, if set, says the rows in data space are images.
	Images *Images
	// Projection, if set, is a 2-D view of the data for d > 2 (e.g. the
	// targets' first two principal axes).
	Projection *Projection
	// Observers measure problem-specific metrics on metric steps.
	Observers []Observer
	// Tables are slow summaries recomputed on demand (e.g. a comparison
	// with other batch-correction methods).
	Tables []Table
	// Outputs write problem-specific files at the end of a headless run.
	Outputs []Output
	// Names, if set, are what the particles, the targets and the initial
	// particles are called in views (a batch merge: "transported",
	// "target", "source"); ShowInitial says the initial particles are a
	// reference worth showing from the start.
	Names       [3]string
	ShowInitial bool
	// Notes are warnings to show once when the run opens (e.g. labels
	// confounded with batches).
	Notes []string
	// Spec is the run description the problem was built from (JSON),
	// stored in snapshots as State.Spec so that it can be rebuilt.
	Spec json.RawMessage

	// Score, if set, is the score ∇log q of the target density in closed
	// form: it writes ∇log q(yᵢ) for rows points of y (rows×D) into dst
	// (rows×D). Methods that sample a known density (ULA, SVGD) need it;
	// ScoreName says what it is ("Gaussian mixture, 4 components"). It
	// must allocate nothing and need not be safe for concurrent use.
	Score     func(dst, y []float32, rows int)
	ScoreName string

	// Criterion names an observer's metric (Better: Lower) measured on
	// held-out data — data the flow never sees — to choose when to stop:
	// the workbench marks its best step; `run` keeps that step's snapshot
	// and, with flow.stop = "best-heldout", stops on it. "" = none.
	Criterion string
	// CopyShare names an observer's metric, a share in [0, 1] of particles
	// that are near-copies of a target, measured with the criterion: steps
	// above flow.max_copies cannot be the best step. "" = none.
	CopyShare string
}

// Decoder is the decoder D of a latent run (Algorithm 2, paper Section 5),
// implemented by package latent's PCA and autoencoders.
type Decoder interface {
	// DecodeTo writes D(z) for rows codes z (rows×k) into dst (rows×d).
	DecodeTo(dst, z []float32, rows int)
	// Dims returns the data dimension d and the latent dimension k.
	Dims() (d, k int)
	// Lipschitz bounds the decoder's Lipschitz constant a_D (Theorem 5.1).
	Lipschitz() float64
}

// Images describes image rows in data space: H×W×C pixels in [0, 1],
// channels last, with class labels for display and metrics.
type Images struct {
	H, W, C      int
	Classes      []string // class names, by label
	Labels       []int    // class of every particle; nil when unconditional
	TargetLabels []int    // class of every target
}

// Projection is a named linear view of d-dimensional rows in the plane.
type Projection struct {
	Name string // e.g. "PCA 1 vs 2 of targets"
	// To2D writes the 2-D coordinates of rows points of src (rows×d) into
	// dst (rows×2).
	To2D func(dst, src []float32, rows int)
	// Lift is the way back: it writes the d-dimensional points of the
	// plane that To2D views (the plane through the targets' mean) at rows
	// 2-D coordinates pts (rows×2) into dst (rows×d), so that To2D∘Lift is
	// the identity. Views evaluate a potential on the plane with it (a
	// slice for d > 2). Nil when the view has no plane.
	Lift func(dst, pts []float32, rows int)
}

// CoordinateView is the view of coordinates ax and ay of d-dimensional
// rows (ay < 0: the second coordinate is 0, for d = 1). Its Lift puts the
// other coordinates at the mean of the n rows of x (the targets), so that
// a potential drawn in it is the slice through the targets' mean.
func CoordinateView(x []float32, n, d, ax, ay int) *Projection {
	if d < 1 || ax < 0 || ax >= d || ay >= d || len(x) < n*d {
		panic("core: CoordinateView: bad coordinates or short data")
	}
	mean := make([]float32, d)
	if n > 0 {
		sum := make([]float64, d) // float64 reduction (house style)
		for i := range n {
			for k, v := range x[i*d : (i+1)*d] {
				sum[k] += float64(v)
			}
		}
		for k := range mean {
			mean[k] = float32(sum[k] / float64(n))
		}
	}
	name := fmt.Sprintf("x%d vs x%d", ax, ay)
	if ay < 0 {
		name = fmt.Sprintf("x%d", ax)
	}
	return &Projection{
		Name: name,
		To2D: func(dst, src []float32, rows int) {
			for i := range rows {
				dst[2*i] = src[i*d+ax]
				dst[2*i+1] = 0
				if ay >= 0 {
					dst[2*i+1] = src[i*d+ay]
				}
			}
		},
		Lift: func(dst, pts []float32, rows int) {
			for i := range rows {
				row := dst[i*d : (i+1)*d]
				copy(row, mean)
				row[ax] = pts[2*i]
				if ay >= 0 {
					row[ay] = pts[2*i+1]
				}
			}
		},
	}
}

// Observer measures metrics of the particles that the method does not
// know, on metric steps (flow.metrics_every).
type Observer interface {
	// Metrics declares what Observe writes, in order.
	Metrics() []MetricInfo
	// Observe writes the metrics of the particles y (M×D, in the flow's
	// space) into dst (len(Metrics())); NaN where undefined.
	Observe(dst []float64, y []float32)
}

// Table is a slow summary of the particles, shown by the workbench and
// written by headless runs. Compute may take ~0.1 s.
type Table interface {
	Title() string
	Compute(y []float32) (TableData, error)
}

// TableData is a table of numbers: one row per method or group.
type TableData struct {
	Columns []Column
	Rows    []TableRow
	Note    string // a short remark shown with the title
}

// Column is a numeric column of a table.
type Column struct {
	Name, Short string // full and narrow headings
	Better      Better // which direction is better, for highlighting
	Optional    bool   // shown only when there is room
}

// Better says which direction of a metric is better.
type Better int

// Directions of Better.
const (
	Neither Better = iota
	Lower
	Higher
)

// TableRow is one row of a TableData.
type TableRow struct {
	Label, Short string // full and narrow row names
	Values       []float64
	Reference    bool // a baseline row (e.g. before correction): never the best
	Run          bool // the row of this run's particles
}

// Output writes problem-specific files for the particles y at the end of a
// headless run, each through create (which the caller makes atomic, in
// its output folder), and reports what it wrote on w.
type Output interface {
	WriteFiles(create func(name string, write func(io.Writer) error) error, y []float32, w io.Writer) error
}

// check validates the shapes and values of a problem.
func (p *Problem) check() error {
	if p.M < 1 || p.N < 1 || p.D < 1 || len(p.X) != p.N*p.D || len(p.Y) != p.M*p.D {
		return fmt.Errorf("core: problem shapes: X has %d values for %d×%d, Y %d for %d×%d", len(p.X), p.N, p.D, len(p.Y), p.M, p.D)
	}
	if !AllFinite(p.X) || !AllFinite(p.Y) {
		return fmt.Errorf("core: problem: NaN or Inf in the data")
	}
	k := p.heads()
	if k > 1 || p.HeadX != nil || p.HeadY != nil {
		if len(p.HeadX) != p.N || len(p.HeadY) != p.M {
			return fmt.Errorf("core: problem: %d heads need a head for each of %d targets and %d particles (got %d and %d)", k, p.N, p.M, len(p.HeadX), len(p.HeadY))
		}
		for _, hs := range [][]int{p.HeadX, p.HeadY} {
			for _, h := range hs {
				if h < -1 || h >= k {
					return fmt.Errorf("core: problem: head %d out of range [−1, %d)", h, k)
				}
			}
		}
	}
	if p.DataX != nil && (p.DataD < 1 || len(p.DataX) != p.N*p.DataD) {
		return fmt.Errorf("core: problem: DataX has %d values for %d×%d", len(p.DataX), p.N, p.DataD)
	}
	if p.Decoder != nil {
		if dd, k := p.Decoder.Dims(); k != p.D || (p.DataX != nil && dd != p.DataD) {
			return fmt.Errorf("core: problem: decoder maps %d → %d, data are %d → %d", k, dd, p.D, p.DataD)
		}
	}
	if im := p.Images; im != nil {
		if im.H*im.W*im.C != p.dataDim() {
			return fmt.Errorf("core: problem: images of %d×%d×%d do not have %d values", im.H, im.W, im.C, p.dataDim())
		}
		if im.Labels != nil && len(im.Labels) != p.M || im.TargetLabels != nil && len(im.TargetLabels) != p.N {
			return fmt.Errorf("core: problem: %d image labels for %d particles, %d for %d targets", len(im.Labels), p.M, len(im.TargetLabels), p.N)
		}
	}
	return nil
}

func (p *Problem) heads() int { return max(p.Heads, 1) }

// dataDim is the dimension of the rows in data space.
func (p *Problem) dataDim() int {
	if p.Decoder != nil {
		d, _ := p.Decoder.Dims()
		return d
	}
	return p.D
}

// dataX is the targets in data space.
func (p *Problem) dataX() []float32 {
	if p.DataX != nil {
		return p.DataX
	}
	return p.X
}

// AllFinite reports whether every entry of x is a finite number.
func AllFinite(x []float32) bool {
	for _, v := range x {
		if v != v || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// ClipUnit clamps every entry of y to [0, 1] in place: the journal
// version's `mobility = bounded` for image particles (see
// shared/notes/reference-code.md). NaN entries stay NaN so that a diverged
// run is still detected.
func ClipUnit(y []float32) {
	for i, v := range y {
		if v < 0 {
			y[i] = 0
		} else if v > 1 {
			y[i] = 1
		}
	}
}
