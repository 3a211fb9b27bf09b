package core

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"

	"github.com/gpa-tui/gpa-tui/core/genes"
)

// GenesConfig describes a batch-merging run (paper Section 6.2, Appendix
// F.3): the source batches are transported onto the target batches in the
// PCA latent space of the standardized pooled samples. With [genes] set,
// [target] and [prior] have kind = "genes".
type GenesConfig struct {
	// Data is "bladderbatch" (shipped in the binary) or a samples×genes
	// matrix file (TSV/CSV, optionally .gz) with a sample sheet.
	Data        string `toml:"data,omitempty" json:"data,omitempty"`
	Sheet       string `toml:"sheet,omitempty" json:"sheet,omitempty"`
	BatchColumn string `toml:"batch_column,omitempty" json:"batch_column,omitempty"`
	LabelColumn string `toml:"label_column,omitempty" json:"label_column,omitempty"`
	// GEO lists GEO series-matrix files instead of Data; each file is one
	// batch named by its series, labels from the characteristic LabelKey.
	GEO      []string `toml:"geo,omitempty" json:"geo,omitempty"`
	LabelKey string   `toml:"label_key,omitempty" json:"label_key,omitempty"`
	// Source and Target name the batches moved and kept.
	Source []string `toml:"source" json:"source"`
	Target []string `toml:"target" json:"target"`
	// Dim is the latent dimension d′.
	Dim int `toml:"dim" json:"dim"`
	// Standardize is "pooled" (the paper) or "per-set".
	Standardize string `toml:"standardize" json:"standardize"`
	// Reconstruct decodes with the paper's plain D(z); by default each
	// source sample keeps its part outside the PCA subspace.
	Reconstruct bool `toml:"reconstruct,omitempty" json:"reconstruct,omitempty"`
	// ClassWise transports each biological label separately (the authors'
	// later version): one discriminator head per label present in both
	// sets; source samples of the other labels stay where they are.
	ClassWise bool `toml:"class_wise,omitempty" json:"class_wise,omitempty"`
}

func (g *GenesConfig) validate() error {
	if g.Data == "" && len(g.GEO) == 0 {
		return fieldErr("genes.data", "want \"bladderbatch\", a matrix file, or geo = [files]")
	}
	if g.Data != "" && g.Data != "bladderbatch" && g.Sheet == "" {
		return fieldErr("genes.sheet", "a matrix file needs a sample sheet (sample, batch, label columns)")
	}
	if len(g.Source) == 0 || len(g.Target) == 0 {
		return fieldErr("genes.source", "want source = [batches] and target = [batches]")
	}
	if g.Dim < 1 || g.Dim > 10000 {
		return fieldErr("genes.dim", "%d: want 1 … 10000", g.Dim)
	}
	switch g.Standardize {
	case "pooled", "per-set":
	default:
		return fieldErr("genes.standardize", "%q: want \"pooled\" or \"per-set\"", g.Standardize)
	}
	return nil
}

// problem is what a run works on: targets X (N×d), initial particles Y
// (M×d) and, for batch merging, the prepared latent problem.
type problem struct {
	x    []float32
	n    int
	y    []float32
	m    int
	d    int
	gene *genes.Prepared

	// k is the number of heads of φ (1, or the classes of a conditional
	// run), labelsY and labelsX the class of every particle and target
	// (image runs; labelsY nil when unconditional).
	k                int
	labelsY, labelsX []int
	img              *imageProblem
}

// prepare samples or loads the data a Config describes.
func prepare(cfg Config, opts *Options) (*problem, error) {
	if cfg.Genes != nil {
		return prepareGenes(cfg.Genes)
	}
	if isImageKind(cfg.Target.Kind) {
		return prepareImages(cfg, opts)
	}
	x, n, d, err := cfg.Target.Sample(rand.NewPCG(cfg.Seed, streamTarget))
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	prior := cfg.Prior
	if prior.dim() == 0 {
		prior.Dim = d
	}
	y, m, dp, err := prior.Sample(rand.NewPCG(cfg.Seed, streamPrior))
	if err != nil {
		return nil, fmt.Errorf("prior: %w", err)
	}
	if dp != d {
		return nil, &FieldError{Key: "prior", Msg: fmt.Sprintf("dimension %d differs from the target's %d", dp, d)}
	}
	return &problem{x: x, n: n, y: y, m: m, d: d, k: 1}, nil
}

func prepareGenes(g *GenesConfig) (*problem, error) {
	ds, err := loadGenes(g)
	if err != nil {
		return nil, err
	}
	src, tgt := ds.Where(g.Source...), ds.Where(g.Target...)
	if len(src) == 0 || len(tgt) == 0 {
		return nil, &FieldError{Key: "genes.source", Msg: fmt.Sprintf("source %v has %d samples, target %v has %d; batches are %v",
			g.Source, len(src), g.Target, len(tgt), ds.Batches())}
	}
	std := genes.Pooled
	if g.Standardize == "per-set" {
		std = genes.PerSet
	}
	p, err := genes.Prepare(ds, src, tgt, genes.Options{Dim: g.Dim, Standardize: std, Reconstruct: g.Reconstruct})
	if err != nil {
		return nil, err
	}
	prob := &problem{x: p.X, n: p.N(), y: p.Y, m: p.M(), d: p.Dim(), gene: p, k: 1}
	if g.ClassWise {
		cls := p.Classes()
		if len(cls) == 0 {
			return nil, &FieldError{Key: "genes.class_wise", Msg: "no biological label occurs in both the source and the target"}
		}
		prob.k = len(cls)
		prob.labelsY, prob.labelsX = filled(prob.m, -1), filled(prob.n, -1)
		for h, c := range cls {
			for _, r := range c.Y {
				prob.labelsY[r] = h
			}
			for _, r := range c.X {
				prob.labelsX[r] = h
			}
		}
	}
	return prob, nil
}

func loadGenes(g *GenesConfig) (*genes.Dataset, error) {
	batchCol, labelCol := or(g.BatchColumn, "batch"), g.LabelColumn
	switch {
	case g.Data == "bladderbatch":
		return genes.Bladder()
	case g.Data != "":
		return genes.LoadDataset(g.Data, g.Sheet, batchCol, labelCol, genes.MatrixOptions{})
	}
	var sets []*genes.Dataset
	for _, f := range g.GEO {
		sm, err := genes.ReadSeriesMatrixFile(f)
		if err != nil {
			return nil, err
		}
		name := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(f), ".gz"), "_series_matrix.txt")
		ds, err := sm.Dataset(name, g.LabelKey)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		sets = append(sets, ds)
	}
	return genes.Merge("geo", sets...)
}

func filled(n, v int) []int {
	x := make([]int, n)
	for i := range x {
		x[i] = v
	}
	return x
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
