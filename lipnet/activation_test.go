package lipnet

import (
	"fmt"
	"math"
	"testing"
)

// actInputs spans the float32 range that matters: ±100, and a fine grid
// around 0 (where expm1 and log1p need care) and around the cut at −1/2.
func actInputs() []float32 {
	var xs []float32
	for x := -100.0; x <= 100; x += 0.0137 {
		xs = append(xs, float32(x))
	}
	for e := -30; e <= 0; e++ {
		v := math.Ldexp(1.3, e)
		xs = append(xs, float32(v), float32(-v))
	}
	for x := -0.51; x <= -0.49; x += 1e-4 {
		xs = append(xs, float32(x))
	}
	return append(xs, 0, float32(math.Copysign(0, -1)), expMin, -88, -1e6, 1e6)
}

// TestActivationAccuracy checks the polynomial Softplus and ELU passes and
// their derivatives against float64 math, with the assembly and Go paths.
func TestActivationAccuracy(t *testing.T) {
	softplus := func(z float64) float64 { return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z))) }
	sigmoid := func(z float64) float64 { return 1 / (1 + math.Exp(-z)) }
	elu := func(z float64) float64 {
		if z > 0 {
			return z
		}
		return math.Expm1(z)
	}
	eluPrime := func(z float64) float64 {
		if z > 0 {
			return 1
		}
		return math.Exp(z)
	}
	withKernels(t, func(t *testing.T) {
		xs := actInputs()
		for _, tc := range []struct {
			name  string
			f, fp func(float64) float64
			to    func([]float32)
			grad  func(g, h []float32)
		}{
			{"softplus", softplus, sigmoid, softplusTo, softplusGrad},
			{"elu", elu, eluPrime, eluTo, eluGrad},
		} {
			t.Run(tc.name, func(t *testing.T) {
				h := append([]float32(nil), xs...)
				tc.to(h)
				g := make([]float32, len(xs))
				for i := range g {
					g[i] = 1
				}
				tc.grad(g, h)
				var worst, worstD float64
				for i, x := range xs {
					want := tc.f(float64(x))
					// 1e-6 relative: the polynomials (≤ 1e-7) plus a few
					// float32 roundings; 1e-37 absolute covers the flush of
					// e^x below e^expMin.
					if got := float64(h[i]); !close32(got, want, 1e-37, 1e-6) {
						t.Errorf("%s(%g) = %g, want %g", tc.name, x, got, want)
					}
					// The derivative is read back from h, so it inherits h's
					// rounding: relative 2e-6·(1+|h|) (σ has relative
					// condition number ≤ 1+|h| in h), and for ELU, eᶻ = h+1
					// cancels as h → −1: 2.4e-7 absolute (2 ulps of 1).
					wantD := tc.fp(float64(x))
					tol := 2e-6 * (1 + math.Abs(float64(h[i])))
					if got := float64(g[i]); !close32(got, wantD, 2.4e-7, tol) {
						t.Errorf("%s′(%g) = %g, want %g", tc.name, x, got, wantD)
					}
					if math.Abs(want) > 1e-30 {
						worst = math.Max(worst, math.Abs(float64(h[i])-want)/math.Abs(want))
					}
					if math.Abs(wantD) > 1e-3 {
						worstD = math.Max(worstD, math.Abs(float64(g[i])-wantD)/math.Abs(wantD))
					}
				}
				t.Logf("worst relative error: %s %.2g, derivative %.2g", tc.name, worst, worstD)
			})
		}
	})
}

// TestActivationTail checks that the assembly and Go paths agree on
// lengths that are not multiples of 8 (Go finishes the tail).
func TestActivationTail(t *testing.T) {
	rng := newRand(9)
	for _, n := range []int{1, 7, 8, 9, 23} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			z := randSlice(rng, n)
			a := append([]float32(nil), z...)
			softplusTo(a)
			for i, v := range z {
				want := max(v, 0) + log1p01(expNeg(-abs32(v)))
				// Same algorithm, FMA or not: 2 ulps.
				if !close32(float64(a[i]), float64(want), 0, 3e-7) {
					t.Errorf("softplus(%g) = %g, want %g", v, a[i], want)
				}
			}
		})
	}
}
