package genes

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// Scores are the batch-merging metrics of one method in one space, always
// source (after correction) against the unchanged target.
type Scores struct {
	MMD2     float64 // MMD² source vs target, median bandwidth (MMD2); lower is better
	SilBatch float64 // silhouette by set, source vs target (Silhouette); lower is better
	SilLabel float64 // silhouette by biological label; NaN without labels; higher keeps classes apart
	ILISI    float64 // kNN iLISI by set, k = DefaultMixingK (ILISI); higher is better, ≤ 2
	Moved    float64 // mean distance each source sample moved (MeanDistance)
}

// Comparison is one row of the comparison table.
type Comparison struct {
	Method       string
	Latent, Gene Scores
}

// Method names used by Compare.
const (
	MethodBefore      = "before"
	MethodGPA         = "gpa"
	MethodComBat      = "combat"
	MethodComBatLabel = "combat+label"
	MethodMeanCenter  = "mean-centering"
)

// setNames labels source and target samples for the batch metrics.
func (p *Prepared) setNames() []string {
	s := make([]string, 0, p.M()+p.N())
	for range p.M() {
		s = append(s, "source")
	}
	for range p.N() {
		s = append(s, "target")
	}
	return s
}

// labels returns the labels of source then target samples, or nil.
func (p *Prepared) labels() []string {
	if p.Data.Label == nil {
		return nil
	}
	var l []string
	for _, i := range p.Source {
		l = append(l, p.Data.Label[i])
	}
	for _, i := range p.Target {
		l = append(l, p.Data.Label[i])
	}
	return l
}

// Confounding cross-tabulates labels against source/target membership
// (batches "source" and "target"); see Confounding.Warnings. Without
// labels it is an empty table.
func (p *Prepared) Confounding() Confounding {
	l := p.labels()
	if l == nil {
		return CheckConfounding(nil, nil)
	}
	return CheckConfounding(p.setNames(), l)
}

// Score computes the metrics of a corrected source src (M×genes, original
// units) against the target. Gene space: all samples standardized with the
// pooled per-gene mean and standard deviation of the original source ∪
// target, whatever Opt.Standardize says, so that every method is measured
// in the same units. Latent space: Encode(src) against the targets X.
func (p *Prepared) Score(method string, src []float64) Comparison {
	g := p.Data.X.Cols()
	if len(src) != p.M()*g {
		panic("genes: Prepared.Score: shape mismatch")
	}
	sets, labels := p.setNames(), p.labels()
	k := min(DefaultMixingK, p.M()+p.N()-1)
	score := func(after, before, target []float64, dim int) Scores {
		s := Scores{SilLabel: math.NaN()}
		s.MMD2, _ = MMD2(after, target, dim)
		pool := append(slices.Clone(after), target...)
		s.SilBatch = Silhouette(pool, dim, sets)
		if labels != nil {
			s.SilLabel = Silhouette(pool, dim, labels)
		}
		s.ILISI = ILISI(pool, dim, sets, k)
		s.Moved = MeanDistance(after, before, dim)
		return s
	}
	before := p.SourceGenes()
	std := func(x []float64) []float64 {
		out := make([]float64, len(x))
		p.eval.ApplyTo(out, x)
		return out
	}
	_, d := p.PCA.Dims()
	return Comparison{
		Method: method,
		Gene:   score(std(src), std(before), std(p.TargetGenes()), g),
		Latent: score(Float64s(p.Encode(src)), Float64s(p.Encode(before)), Float64s(p.X), d),
	}
}

// ComBat returns the source corrected by ComBat with the target as the
// reference batch (the target is left unchanged, as in the GPA merge); with
// label true the labels are a protected covariate (ErrConfounded if they
// are confounded with the sets).
func (p *Prepared) ComBat(label bool) ([]float64, error) {
	idx := append(slices.Clone(p.Source), p.Target...)
	x := p.Data.X.SubRows(idx)
	opt := ComBatOptions{Ref: "target"}
	if label {
		l := p.labels()
		if l == nil {
			return nil, errors.New("genes: Prepared.ComBat: no labels")
		}
		opt.Covariates = [][]string{l}
	}
	out, err := ComBat(x.Data, x.Rows(), x.Cols(), p.setNames(), opt)
	if err != nil {
		return nil, err
	}
	return out[:p.M()*x.Cols()], nil
}

// MeanCenter returns the source shifted, gene by gene, to the target's
// mean (MeanCenter with the target as reference).
func (p *Prepared) MeanCenter() []float64 {
	idx := append(slices.Clone(p.Source), p.Target...)
	x := p.Data.X.SubRows(idx)
	out := MeanCenter(x.Data, x.Rows(), x.Cols(), p.setNames(), "target")
	return out[:p.M()*x.Cols()]
}

// Compare scores the uncorrected source, the GPA result (the transported
// latent source particles z, M×d′, decoded by Decode), ComBat without and
// (if there are labels, and they are not fully confounded with the sets)
// with the label covariate, and per-batch mean-centering. All methods leave
// the target unchanged.
func (p *Prepared) Compare(z []float32) ([]Comparison, error) {
	rows := []Comparison{
		p.Score(MethodBefore, p.SourceGenes()),
		p.Score(MethodGPA, p.Decode(z)),
	}
	cb, err := p.ComBat(false)
	if err != nil {
		return nil, err
	}
	rows = append(rows, p.Score(MethodComBat, cb))
	if p.Data.Label != nil {
		cb, err := p.ComBat(true)
		switch {
		case err == nil:
			rows = append(rows, p.Score(MethodComBatLabel, cb))
		case !errors.Is(err, ErrConfounded):
			return nil, err
		}
	}
	return append(rows, p.Score(MethodMeanCenter, p.MeanCenter())), nil
}

// comparisonHeader names the columns of WriteComparison.
var comparisonHeader = []string{"method",
	"latent_mmd2", "latent_sil_batch", "latent_sil_label", "latent_ilisi", "latent_moved",
	"gene_mmd2", "gene_sil_batch", "gene_sil_label", "gene_ilisi", "gene_moved"}

// WriteComparison writes the comparison table as TSV: a header line
// (method, then latent_* and gene_* columns for MMD², silhouette by batch,
// silhouette by label, iLISI and distance moved), then one line per method;
// numbers with 6 significant digits, NaN as NA.
func WriteComparison(w io.Writer, rows []Comparison) error {
	bw := bufio.NewWriter(w)
	var buf []byte
	for k, h := range comparisonHeader {
		if k > 0 {
			buf = append(buf, '\t')
		}
		buf = append(buf, h...)
	}
	buf = append(buf, '\n')
	for _, r := range rows {
		buf = append(buf, r.Method...)
		for _, s := range []Scores{r.Latent, r.Gene} {
			for _, v := range []float64{s.MMD2, s.SilBatch, s.SilLabel, s.ILISI, s.Moved} {
				buf = append(buf, '\t')
				if math.IsNaN(v) {
					buf = append(buf, "NA"...)
				} else {
					buf = strconv.AppendFloat(buf, v, 'g', 6, 64)
				}
			}
		}
		buf = append(buf, '\n')
	}
	if _, err := bw.Write(buf); err != nil {
		return fmt.Errorf("genes: WriteComparison: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("genes: WriteComparison: %w", err)
	}
	return nil
}
