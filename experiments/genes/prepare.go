package genes

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/latent"
)

// Options configures Prepare.
type Options struct {
	// Dim is the latent dimension d′ (the paper uses 2 … 200).
	Dim int
	// Standardize selects pooled (the paper's, default) or per-set scaling.
	Standardize Standardization
	// Reconstruct makes Decode return the paper's reconstruction D(z) of the
	// transported latents. By default Decode keeps each source sample's
	// part outside the PCA subspace and moves it only inside it:
	// x ↦ x + D(z) − D(E(x)), which equals D(z) when d′ is the full rank.
	Reconstruct bool
}

// Prepared is the latent problem of one batch merge: the source samples
// encoded as GPA particles Y (M×d′) and the target samples as targets X
// (N×d′), in the PCA latent space of the standardized source ∪ target.
type Prepared struct {
	Data           *Dataset // the input, not copied
	Source, Target []int    // sample indices into Data
	Opt            Options
	PCA            *latent.PCA // the linear autoencoder (E, D)

	// Y and X are the latent source particles (M×d′) and targets (N×d′),
	// flat row-major float32, ready for the engine (core.Sim).
	Y, X []float32

	src, tgt Scaler    // per-set scalers; both the pooled one when Pooled
	eval     Scaler    // pooled scaler used by the gene-space metrics
	srcStd   []float64 // source rows, standardized by src (M×genes)
}

// M returns the number of source samples (particles).
func (p *Prepared) M() int { return len(p.Source) }

// N returns the number of target samples.
func (p *Prepared) N() int { return len(p.Target) }

// Dim returns the latent dimension d′.
func (p *Prepared) Dim() int { return p.Opt.Dim }

// Prepare standardizes the source and target samples of ds (pooled or per
// set), fits a PCA with Opt.Dim components on the pooled standardized
// samples (paper Appendix F.3; PCA as the linear autoencoder of Section 5,
// decoder Lipschitz constant a_D = 1 in Theorem 5.1, eq. (14)) and encodes
// both sets.
//
// Source and target must be non-empty and disjoint, the data finite, and
// 1 ≤ Dim ≤ min(M+N, genes).
func Prepare(ds *Dataset, source, target []int, opt Options) (*Prepared, error) {
	m, n, g := len(source), len(target), ds.X.Cols()
	switch {
	case m == 0 || n == 0:
		return nil, fmt.Errorf("genes: Prepare: %w: %d source and %d target samples", ErrEmpty, m, n)
	case opt.Dim < 1 || opt.Dim > min(m+n, g):
		return nil, fmt.Errorf("genes: Prepare: latent dimension %d not in [1, %d]", opt.Dim, min(m+n, g))
	case opt.Standardize != Pooled && opt.Standardize != PerSet:
		return nil, fmt.Errorf("genes: Prepare: unknown standardization %d", opt.Standardize)
	}
	for _, i := range source {
		if slices.Contains(target, i) {
			return nil, fmt.Errorf("genes: Prepare: %w: sample %s is in both source and target", ErrDuplicate, ds.X.Samples[i])
		}
	}
	for _, v := range ds.X.Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("genes: Prepare: %w: the matrix has missing or infinite values (use DropIncomplete)", ErrMissing)
		}
	}
	xs := ds.X.SubRows(source).Data
	xt := ds.X.SubRows(target).Data
	pooled := FitScaler(append(slices.Clone(xs), xt...), m+n, g)
	p := &Prepared{Data: ds, Source: slices.Clone(source), Target: slices.Clone(target), Opt: opt, eval: pooled}
	if opt.Standardize == PerSet {
		p.src, p.tgt = FitScaler(xs, m, g), FitScaler(xt, n, g)
	} else {
		p.src, p.tgt = pooled, pooled
	}
	p.srcStd = make([]float64, len(xs))
	p.src.ApplyTo(p.srcStd, xs)
	tgtStd := make([]float64, len(xt))
	p.tgt.ApplyTo(tgtStd, xt)

	all := append(slices.Clone(p.srcStd), tgtStd...)
	pca, err := latent.FitPCA(all, m+n, g, opt.Dim, true)
	if err != nil {
		return nil, fmt.Errorf("genes: Prepare: %w", err)
	}
	p.PCA = pca
	p.Y = encode32(pca, p.srcStd, m)
	p.X = encode32(pca, tgtStd, n)
	return p, nil
}

func encode32(pca *latent.PCA, x []float64, rows int) []float32 {
	_, k := pca.Dims()
	z := make([]float64, rows*k)
	pca.Encode64To(z, x, rows)
	out := make([]float32, len(z))
	for i, v := range z {
		out[i] = float32(v)
	}
	return out
}

// Decode maps transported latent source particles z (M×d′, e.g. the
// engine's final Y) back to gene space in the original units of the data:
// M×genes row-major. By default each sample keeps its own component
// outside the PCA subspace, x + D(z) − D(E(x)); with Opt.Reconstruct it is
// the paper's D(z). The result is in the target's units (the same as the
// source's under pooled standardization).
func (p *Prepared) Decode(z []float32) []float64 {
	d, k := p.PCA.Dims()
	m := p.M()
	if len(z) != m*k {
		panic("genes: Prepared.Decode: shape mismatch")
	}
	z64 := make([]float64, len(z))
	for i, v := range z {
		z64[i] = float64(v)
	}
	out := make([]float64, m*d)
	if p.Opt.Reconstruct {
		p.PCA.Decode64To(out, z64, m)
	} else {
		// x + Vᵀ(z − E(x)): the decoder is affine, D(z) − D(E(x)) = Vᵀ(z − E(x)).
		ex := make([]float64, m*k)
		p.PCA.Encode64To(ex, p.srcStd, m)
		for i := range z64 {
			z64[i] -= ex[i]
		}
		p.PCA.Decode64To(out, z64, m)
		mu := p.PCA.Mean()
		for i := range out {
			out[i] += p.srcStd[i] - mu[i%d]
		}
	}
	p.tgt.InvertTo(out, out)
	return out
}

// Encode maps source samples given in gene space (M×genes, original units,
// e.g. a baseline's corrected source) into the latent space, in the
// target's frame: standardized as the target, then E. The result is M×d′.
func (p *Prepared) Encode(x []float64) []float32 {
	d, _ := p.PCA.Dims()
	if len(x)%d != 0 {
		panic("genes: Prepared.Encode: shape mismatch")
	}
	std := make([]float64, len(x))
	p.tgt.ApplyTo(std, x)
	return encode32(p.PCA, std, len(x)/d)
}

// Merged returns the full data matrix (all samples of Data, in order) with
// the source samples replaced by Decode(z): the merged data set, in the
// same layout as the input.
func (p *Prepared) Merged(z []float32) *Matrix {
	return p.Replace(p.Decode(z))
}

// Replace returns the full data matrix with the source samples replaced by
// src (M×genes, original units), e.g. a baseline's corrected source.
func (p *Prepared) Replace(src []float64) *Matrix {
	x := p.Data.X
	if len(src) != p.M()*x.Cols() {
		panic("genes: Prepared.Replace: shape mismatch")
	}
	out := &Matrix{Samples: slices.Clone(x.Samples), Genes: slices.Clone(x.Genes), Data: slices.Clone(x.Data)}
	c := x.Cols()
	for k, i := range p.Source {
		copy(out.Data[i*c:(i+1)*c], src[k*c:(k+1)*c])
	}
	return out
}

// SourceGenes returns the original source samples (M×genes).
func (p *Prepared) SourceGenes() []float64 { return p.Data.X.SubRows(p.Source).Data }

// TargetGenes returns the target samples (N×genes).
func (p *Prepared) TargetGenes() []float64 { return p.Data.X.SubRows(p.Target).Data }

// Class is one label's share of a class-wise (per-label) transport: the
// rows of Y (source particles) and of X (targets) with that label.
type Class struct {
	Label string
	Y, X  []int // row indices into Prepared.Y and Prepared.X
}

// Classes splits the particles and targets by label for class-wise
// transport (the authors' later version transports each class
// separately). Only labels present in both sets are returned, sorted;
// source samples of the other labels have no target to move to and are
// best left in place. Without labels it returns nil.
func (p *Prepared) Classes() []Class {
	if p.Data.Label == nil {
		return nil
	}
	byLabel := make(map[string]*Class)
	for r, i := range p.Source {
		l := p.Data.Label[i]
		if byLabel[l] == nil {
			byLabel[l] = &Class{Label: l}
		}
		byLabel[l].Y = append(byLabel[l].Y, r)
	}
	for r, i := range p.Target {
		if c := byLabel[p.Data.Label[i]]; c != nil {
			c.X = append(c.X, r)
		}
	}
	var out []Class
	for _, c := range byLabel {
		if len(c.X) > 0 {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Class) int { return strings.Compare(a.Label, b.Label) })
	return out
}
