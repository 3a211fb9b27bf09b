package experiments

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments/genes"
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

// prepareGenes loads the expression data and prepares the batch-merging
// problem: source samples are the particles, target samples the targets,
// both in the PCA space of genes.Prepare. Class-wise transport gives φ one
// head per biological label present in both sets; source samples of other
// labels have no head and stay.
func prepareGenes(g *GenesConfig) (*core.Problem, error) {
	ds, err := loadGenes(g)
	if err != nil {
		return nil, err
	}
	src, tgt := ds.Where(g.Source...), ds.Where(g.Target...)
	if len(src) == 0 || len(tgt) == 0 {
		return nil, fieldErr("genes.source", "source %v has %d samples, target %v has %d; batches are %v",
			g.Source, len(src), g.Target, len(tgt), ds.Batches())
	}
	std := genes.Pooled
	if g.Standardize == "per-set" {
		std = genes.PerSet
	}
	gp, err := genes.Prepare(ds, src, tgt, genes.Options{Dim: g.Dim, Standardize: std, Reconstruct: g.Reconstruct})
	if err != nil {
		return nil, err
	}
	p := &core.Problem{X: gp.X, N: gp.N(), Y: gp.Y, M: gp.M(), D: gp.Dim()}
	if g.ClassWise {
		cls := gp.Classes()
		if len(cls) == 0 {
			return nil, fieldErr("genes.class_wise", "no biological label occurs in both the source and the target")
		}
		p.Heads = len(cls)
		p.HeadY, p.HeadX = filled(p.M, -1), filled(p.N, -1)
		for h, c := range cls {
			for _, r := range c.Y {
				p.HeadY[r] = h
			}
			for _, r := range c.X {
				p.HeadX[r] = h
			}
		}
	}
	// The untransported source is the reference of a merge: show it.
	p.Names, p.ShowInitial = [3]string{"transported", "target", "source"}, true
	gr := geneRun{gp}
	p.Tables = []core.Table{gr}
	p.Outputs = []core.Output{gr}
	if note := confoundingNote(gp.Confounding()); note != "" {
		p.Notes = append(p.Notes, note)
	}
	if n := len(ds.Dropped); n > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("%d genes with a missing value were left out (e.g. %s), as GEO2R does", n, strings.Join(ds.Dropped[:min(n, 3)], ", ")))
	}
	return p, nil
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
