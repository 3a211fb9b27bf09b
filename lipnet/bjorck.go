package lipnet

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Björck orthonormalization (normalization "bjorck").
//
// Spectral normalization bounds only the largest singular value of each
// weight matrix: the other directions may shrink the gradient, so a
// norm-constrained net usually has |∇φ| well below L where the optimal
// potential has full slope. Anil, Lucas & Grosse (2019) pair GroupSort
// activations with orthonormal weights, all singular values equal, which
// makes the net gradient-norm preserving. Björck & Bowie (1971) give the
// iteration, first order,
//
//	W ← W·(3/2·I − ½·WᵀW)      (W tall: in ≥ out; WWᵀ on the left when wide)
//
// which maps every singular value σ to σ(3 − σ²)/2 and converges to the
// orthogonal polar factor UVᵀ of W = UΣVᵀ (quadratically near σ = 1) for
// 0 < σ < √3. Like Algorithm 1's line 9 we project after every optimiser
// step: W/c is orthonormalised (c = L^{1/D}), multiplied by c again, and then
// divided by the certified bound of its σ_max exactly as Spectral does
// (normalize.go). The certificate, not the iteration, is what guarantees
// ‖W‖₂ ≤ L^{1/D} and max |∇φ| ≤ L; the iteration makes all singular values
// ≈ L^{1/D} so that the bound is attained in every direction.
//
// Cost: two float64 products of in·out·min(in,out) multiply-adds per
// iteration (gonum BLAS). The weights stay near-orthonormal between steps,
// so after the first projection 1–4 iterations reach the tolerance; a
// random square matrix, whose smallest singular values are near 0, needs
// 10–25 (measured at widths 32–512). Dense layers only: a CNN with "bjorck" is a
// configuration error (use spectral; GroupSort works on its dense part).
const (
	bjorckTol      = 1e-6 // stop when max |G − I| ≤ bjorckTol (G = WᵀW or WWᵀ of W/c), float64
	bjorckMaxIters = 60   // a cap for rank-deficient W, whose zero singular values never move
	// bjorckSafe bounds λ_max(G) = σ_max² before iterating; above it W is
	// first scaled by the Gershgorin bound (σ_max² < 3 is needed; 2.5
	// leaves room for rounding).
	bjorckSafe = 2.5
)

// orthWork holds the float64 work space of orthonormalize, grown once to
// the largest layer.
type orthWork struct {
	w, t, g []float64
	iters   int // iterations of the last call (for tests)
}

func (o *orthWork) grow(nw, ng int) {
	if len(o.w) < nw {
		o.w, o.t = make([]float64, nw), make([]float64, nw)
	}
	if len(o.g) < ng {
		o.g = make([]float64, ng)
	}
}

// checkBjorck rejects Björck orthonormalization of convolution layers.
func (c Config) checkBjorck() error {
	if c.Norm == Bjorck && len(c.Conv) > 0 {
		return fmt.Errorf("%w: bjorck orthonormalizes dense layers only; use spectral with conv layers", ErrConfig)
	}
	return nil
}

// orthonormalize replaces W by c times the Björck iterate of W/c (see
// above) in float64, rounded back to float32. The caller certifies the
// result.
func (d *dense) orthonormalize(c float64, o *orthWork) {
	in, out := d.in, d.out
	r := min(in, out)
	o.grow(in*out, r*r)
	w := blas64.General{Rows: in, Cols: out, Stride: out, Data: o.w[:in*out]}
	t := blas64.General{Rows: in, Cols: out, Stride: out, Data: o.t[:in*out]}
	g := blas64.General{Rows: r, Cols: r, Stride: r, Data: o.g[:r*r]}
	for i, v := range d.w {
		w.Data[i] = float64(v) / c
	}
	tall := in >= out
	o.iters = 0
	for it := range bjorckMaxIters {
		if tall {
			blas64.Gemm(blas.Trans, blas.NoTrans, 1, w, w, 0, g) // G = WᵀW
		} else {
			blas64.Gemm(blas.NoTrans, blas.Trans, 1, w, w, 0, g) // G = WWᵀ
		}
		dev, gersh := 0.0, 0.0
		for i := range r {
			var row float64
			for j, v := range g.Data[i*r : i*r+r] {
				row += math.Abs(v)
				if i == j {
					v--
				}
				dev = math.Max(dev, math.Abs(v))
			}
			gersh = math.Max(gersh, row)
		}
		if !(gersh < math.Inf(1)) || gersh == 0 {
			return // NaN/Inf weights stay so (the engine reports them); W = 0 stays 0
		}
		if dev <= bjorckTol {
			break
		}
		if it == 0 && gersh > bjorckSafe {
			// σ_max² ≤ gersh: scale into the basin and start again.
			s := 1 / math.Sqrt(gersh)
			for i := range w.Data {
				w.Data[i] *= s
			}
			continue
		}
		// M = 3/2·I − ½·G, in place.
		for i := range g.Data {
			g.Data[i] *= -0.5
		}
		for i := range r {
			g.Data[i*r+i] += 1.5
		}
		if tall {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, w, g, 0, t) // W·M
		} else {
			blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, g, w, 0, t) // M·W
		}
		w, t = t, w
		o.iters++
	}
	for i, v := range w.Data {
		d.w[i] = float32(v * c)
	}
}
