package images

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// ErrNumeric reports a metric that could not be computed from its inputs
// (non-finite values, a failed eigendecomposition).
var ErrNumeric = errors.New("numeric failure")

// Moments is the Gaussian fit of a feature set: its mean and its unbiased
// (n−1) covariance, as numpy.cov and the reference FID code use.
//
// A Moments caches Σ^{1/2} the first time it is the first argument of
// [FrechetMoments]; do not use one from two goroutines at once.
type Moments struct {
	Mean []float64     // d
	Cov  *mat.SymDense // d × d; do not modify after the first FrechetMoments call

	sqrtCov *mat.SymDense // Σ^{1/2}, computed on first use
}

// NewMoments fits the mean and covariance of n feature rows of length d
// stored row-major in x, reducing in float64.
func NewMoments(x []float32, n, d int) *Moments {
	if n < 2 || d < 1 || len(x) != n*d {
		panic("images: NewMoments: need n ≥ 2 rows of d features")
	}
	mean := make([]float64, d)
	for i := range n {
		row := x[i*d : (i+1)*d]
		row = row[:len(mean)]
		for j, v := range row {
			mean[j] += float64(v)
		}
	}
	for j := range mean {
		mean[j] /= float64(n)
	}
	xc := make([]float64, n*d)
	for i := range n {
		row, out := x[i*d:(i+1)*d], xc[i*d:(i+1)*d]
		row, out = row[:len(mean)], out[:len(mean)]
		for j, v := range row {
			out[j] = float64(v) - mean[j]
		}
	}
	// Σ = Xcᵀ Xc / (n−1), upper triangle via BLAS syrk.
	cov := mat.NewSymDense(d, nil)
	blas64.Syrk(blas.Trans, 1/float64(n-1), blas64.General{Rows: n, Cols: d, Stride: d, Data: xc}, 0, cov.RawSymmetric())
	return &Moments{Mean: mean, Cov: cov}
}

// FrechetDistance is the Fréchet (2-Wasserstein²) distance between the
// Gaussian fits of two feature sets, x (nx × d) and y (ny × d):
//
//	d² = |μ₁ − μ₂|² + tr(Σ₁ + Σ₂ − 2 (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2})
//
// (Dowson & Landau 1982; the formula of Heusel et al. 2017's FID). On a
// small classifier's features this is not the Inception FID and must not
// be called FID; the paper's Table 6 uses an elementwise product in place
// of the matrix square root and is not comparable.
func FrechetDistance(x []float32, nx int, y []float32, ny int, d int) (float64, error) {
	return FrechetMoments(NewMoments(x, nx, d), NewMoments(y, ny, d))
}

// FrechetMoments is [FrechetDistance] between two fitted Gaussians, so a
// target set's moments can be fitted once per run. Pass the fixed set as
// a: its Σ₁^{1/2} (the eigendecomposition with vectors, the costly part)
// is cached in a and reused.
//
// The square roots are real and symmetric: Σ₁^{1/2} = V diag(√λ) Vᵀ from
// the eigendecomposition Σ₁ = V diag(λ) Vᵀ (mat.EigenSym), and
// tr(M^{1/2}) = Σᵢ √λᵢ(M) for the symmetric PSD M = Σ₁^{1/2} Σ₂ Σ₁^{1/2}.
// Eigenvalues below 0 are round-off on rank-deficient covariances (n ≤ d)
// and are taken as 0; a result below 0 (round-off) is returned as 0.
func FrechetMoments(a, b *Moments) (float64, error) {
	d := len(a.Mean)
	if len(b.Mean) != d || a.Cov.SymmetricDim() != d || b.Cov.SymmetricDim() != d {
		panic("images: FrechetMoments: dimension mismatch")
	}
	if !finite(a.Mean) || !finite(b.Mean) || !finite(a.Cov.RawSymmetric().Data) || !finite(b.Cov.RawSymmetric().Data) {
		return 0, fmt.Errorf("images: Fréchet distance: %w: non-finite features", ErrNumeric)
	}
	var mean2 float64 // term 1: |μ₁ − μ₂|²
	for j, m := range a.Mean {
		diff := m - b.Mean[j]
		mean2 += diff * diff
	}
	var tr float64 // term 2: tr Σ₁ + tr Σ₂
	for j := range d {
		tr += a.Cov.At(j, j) + b.Cov.At(j, j)
	}
	if a.sqrtCov == nil {
		s, err := sqrtSym(a.Cov)
		if err != nil {
			return 0, err
		}
		a.sqrtCov = s
	}
	s1 := a.sqrtCov
	var tmp, m mat.Dense
	tmp.Mul(s1, b.Cov)
	m.Mul(&tmp, s1)
	msym := mat.NewSymDense(d, nil) // symmetrize away round-off: (M + Mᵀ)/2
	for i := range d {
		for j := i; j < d; j++ {
			msym.SetSym(i, j, (m.At(i, j)+m.At(j, i))/2)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(msym, false) {
		return 0, fmt.Errorf("images: Fréchet distance: %w: eigendecomposition of Σ₁^½Σ₂Σ₁^½ failed", ErrNumeric)
	}
	var trSqrt float64 // term 3: tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}
	for _, l := range eig.Values(nil) {
		trSqrt += math.Sqrt(max(l, 0))
	}
	return max(mean2+tr-2*trSqrt, 0), nil
}

// sqrtSym returns the symmetric PSD square root of the symmetric PSD s.
func sqrtSym(s *mat.SymDense) (*mat.SymDense, error) {
	var eig mat.EigenSym
	if !eig.Factorize(s, true) {
		return nil, fmt.Errorf("images: Fréchet distance: %w: eigendecomposition of Σ₁ failed", ErrNumeric)
	}
	vals := eig.Values(nil)
	var v mat.Dense
	eig.VectorsTo(&v)
	d := len(vals)
	// V diag(√λ) Vᵀ = Σ_k √λ_k v_k v_kᵀ, built as (V diag(λ^{1/4}))(…)ᵀ.
	w := mat.NewDense(d, d, nil)
	for k, l := range vals {
		r := math.Sqrt(math.Sqrt(max(l, 0)))
		for i := range d {
			w.Set(i, k, v.At(i, k)*r)
		}
	}
	out := mat.NewSymDense(d, nil)
	out.SymOuterK(1, w)
	return out, nil
}

// finite reports whether every entry of x is finite.
func finite(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
