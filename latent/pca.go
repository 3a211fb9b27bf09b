package latent

import (
	"errors"
	"math"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// ErrPCA reports that the singular value decomposition behind FitPCA did
// not converge.
var ErrPCA = errors.New("latent: PCA: SVD did not converge")

// PCA is principal component analysis used as a linear autoencoder
// (paper, Appendix F.3: "The normalized PCA can be interpreted as a linear
// auto-encoder"):
//
//	encoder  E(x) = V (x − μ),    z ∈ ℝ^k
//	decoder  D(z) = Vᵀ z + μ,     x ∈ ℝ^d
//
// where the k rows of V (k×d) are the leading right singular vectors of the
// centred data matrix, i.e. orthonormal principal axes. D∘E is the
// orthogonal projection onto the principal subspace (shifted by μ), so
// D∘E = identity on the data when k is the rank of the centred data.
//
// Data are flat row-major float32 (images, particles) or float64 (gene
// expression); V and μ are stored in float64.
type PCA struct {
	d, k     int
	mean     []float64 // μ, len d; all zero when fitted without centring
	comp     []float64 // V, k×d row-major, orthonormal rows
	variance []float64 // σᵢ²/(n−1), len k, descending
	total    float64   // total variance Σ_j var(x_j) of the fitted data
}

// FitPCA fits a PCA with k components to x, a rows×cols row-major matrix
// with one sample per row. If center is true the column means are
// subtracted first (the usual PCA); otherwise the axes are those of the
// uncentred data and the mean is zero.
//
// The axes are the leading right singular vectors of the (centred) data,
// computed by gonum's SVD (thin V only; cost O(rows·cols·min(rows,cols))).
// Each axis's sign is fixed so that its entry of largest magnitude is
// positive, which makes the fit deterministic.
//
// FitPCA panics if len(x) != rows*cols or k is not in [1, min(rows, cols)].
func FitPCA(x []float64, rows, cols, k int, center bool) (*PCA, error) {
	if rows <= 0 || cols <= 0 || len(x) != rows*cols {
		panic("latent: FitPCA: shape mismatch")
	}
	if k < 1 || k > min(rows, cols) {
		panic("latent: FitPCA: k out of range")
	}
	a := make([]float64, len(x))
	copy(a, x)
	return fitPCA(a, rows, cols, k, center)
}

// FitPCA32 is FitPCA for float32 data such as images; the fit itself is
// computed in float64.
func FitPCA32(x []float32, rows, cols, k int, center bool) (*PCA, error) {
	if rows <= 0 || cols <= 0 || len(x) != rows*cols {
		panic("latent: FitPCA32: shape mismatch")
	}
	if k < 1 || k > min(rows, cols) {
		panic("latent: FitPCA32: k out of range")
	}
	a := make([]float64, len(x))
	for i, v := range x {
		a[i] = float64(v)
	}
	return fitPCA(a, rows, cols, k, center)
}

// fitPCA fits in place: a is overwritten by the centred data.
func fitPCA(a []float64, rows, cols, k int, center bool) (*PCA, error) {
	p := &PCA{
		d:        cols,
		k:        k,
		mean:     make([]float64, cols),
		comp:     make([]float64, k*cols),
		variance: make([]float64, k),
	}
	if center {
		for i := range rows {
			row := a[i*cols : (i+1)*cols]
			for j, v := range row {
				p.mean[j] += v
			}
		}
		for j := range p.mean {
			p.mean[j] /= float64(rows)
		}
		for i := range rows {
			row := a[i*cols : (i+1)*cols]
			for j := range row {
				row[j] -= p.mean[j]
			}
		}
	}
	// Total variance: ‖X − 1μᵀ‖_F² / (n−1) = Σ of all σᵢ²/(n−1).
	var ss float64
	for _, v := range a {
		ss += v * v
	}
	den := float64(max(rows-1, 1))
	p.total = ss / den

	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(rows, cols, a), mat.SVDThinV) {
		return nil, ErrPCA
	}
	sv := svd.Values(nil) // descending
	var v mat.Dense
	svd.VTo(&v) // cols × min(rows, cols); column i is the i-th axis
	for i := range k {
		p.variance[i] = sv[i] * sv[i] / den
		// Sign convention: the largest-magnitude entry is positive.
		var big float64
		for j := range cols {
			if e := v.At(j, i); math.Abs(e) > math.Abs(big) {
				big = e
			}
		}
		s := 1.0
		if big < 0 {
			s = -1
		}
		row := p.comp[i*cols : (i+1)*cols]
		for j := range row {
			row[j] = s * v.At(j, i)
		}
	}
	return p, nil
}

// Dims returns the data dimension d and the latent dimension k.
func (p *PCA) Dims() (d, k int) { return p.d, p.k }

// Mean returns a copy of μ (zero if the PCA was fitted without centring).
func (p *PCA) Mean() []float64 { return append([]float64(nil), p.mean...) }

// Components returns a copy of V, the k×d row-major matrix whose rows are
// the orthonormal principal axes, in order of decreasing variance.
func (p *PCA) Components() []float64 { return append([]float64(nil), p.comp...) }

// ExplainedVariance returns a copy of the variance of the fitted data along
// each axis, σᵢ²/(n−1) for singular values σᵢ, in decreasing order.
func (p *PCA) ExplainedVariance() []float64 { return append([]float64(nil), p.variance...) }

// TotalVariance returns the total variance of the fitted data, the sum of
// the per-column sample variances (denominator n−1); the ratio
// ExplainedVariance()[i]/TotalVariance() is the explained-variance ratio.
func (p *PCA) TotalVariance() float64 { return p.total }

// Lipschitz returns the Lipschitz constant a_D of the decoder in the
// Euclidean norm, which Theorem 5.1 (eq. (14)) needs. For D(z) = Vᵀz + μ it
// is σ_max(V) = 1, since the rows of V are orthonormal:
// ‖Vᵀ(z − z′)‖ = ‖z − z′‖. (Appendix F.3 bounds it by √d′ with
// Cauchy–Schwarz, which is valid but not tight.) The encoder is
// 1-Lipschitz too, being an orthogonal projection.
func (p *PCA) Lipschitz() float64 { return 1 }

// PlaneView is the plane of the first two principal axes of the rows×d
// data x, for drawing d > 2 particles in 2-D: To2D projects onto it, Lift
// maps plane points back to d dimensions (mean + z₁v₁ + z₂v₂, the PCA
// decoder). The PCA is fitted on first use (from any goroutine); if it
// cannot be (fewer than two rows, a failed SVD) both give zeros: a
// degenerate view, not a crash.
func PlaneView(x []float32, rows, d int) (to2D, lift func(dst, src []float32, n int)) {
	var once sync.Once
	var pca *PCA
	fit := func() {
		if rows >= 2 {
			pca, _ = FitPCA32(x, rows, d, 2, true)
		}
	}
	to2D = func(dst, src []float32, n int) {
		once.Do(fit)
		if pca == nil {
			clear(dst[:2*n])
			return
		}
		pca.EncodeTo(dst, src, n)
	}
	lift = func(dst, pts []float32, n int) {
		once.Do(fit)
		if pca == nil {
			clear(dst[:d*n])
			return
		}
		pca.DecodeTo(dst[:d*n], pts[:2*n], n)
	}
	return to2D, lift
}
