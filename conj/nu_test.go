package conj

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// normals returns n float32 draws of mean+sd·N(0,1) from a fixed PCG seed.
func normals(n int, mean, sd float64, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	g := make([]float32, n)
	for i := range g {
		g[i] = float32(mean + sd*r.NormFloat64())
	}
	return g
}

// objective returns h(ν) = ν + mean_j f*(g_j − ν), computed independently
// of OptimalNu and ConjMeanGradTo.
func objective(f F, g []float32, nu float64) float64 {
	var s float64
	for _, v := range g {
		s += f.Conj(float64(v) - nu)
	}
	return nu + s/float64(len(g))
}

// meanConjDeriv returns mean_j (f*)'(g_j − ν).
func meanConjDeriv(f F, g []float32, nu float64) float64 {
	var s float64
	for _, v := range g {
		s += f.ConjDeriv(float64(v) - nu)
	}
	return s / float64(len(g))
}

// nuInputs are the discriminator values the ν-step tests run on.
var nuInputs = []struct {
	name string
	g    []float32
}{
	{"one", []float32{0.7}},
	{"three", []float32{-1, 0, 2}},
	{"normal257", normals(257, 0, 1, 1)},
	{"wide", []float32{-50, -3, 0, 0.5, 50}},
	{"normal1000at1e3", normals(1000, 1e3, 2, 2)},
	{"tight", normals(64, 5, 1e-4, 3)},
	{"normal20000", normals(20000, 0, 1, 8)},
}

func TestOptimalNu(t *testing.T) {
	for _, tc := range divergences {
		for _, in := range nuInputs {
			t.Run(tc.name+"/"+in.name, func(t *testing.T) {
				f, g := tc.f, in.g
				nu, val := f.OptimalNu(g)
				if math.IsNaN(nu) || math.IsInf(nu, 0) || math.IsNaN(val) || math.IsInf(val, 0) {
					t.Fatalf("OptimalNu = %g, %g, want finite", nu, val)
				}
				// The value is h(ν). 1e-12 relative: same sum, same order.
				if want := objective(f, g, nu); !close64(val, want, 1e-12, 1e-12) {
					t.Errorf("value = %.17g, want h(ν) = %.17g", val, want)
				}
				// Stationarity h'(ν*) = 0 (not for w1: h is constant).
				if f.Kind != Wasserstein {
					if m := meanConjDeriv(f, g, nu); !(math.Abs(m-1) <= 1e-9) {
						t.Errorf("mean (f*)'(g − ν*) = %.17g, want 1 ± 1e-9", m)
					}
				}
				// Minimality against ν ± δ. 1e-12·scale absorbs rounding
				// of h near its minimum, where h(ν*±δ) − h(ν*) = O(δ²).
				slack := 1e-12 * (1 + math.Abs(val))
				for _, d := range []float64{1e-3, 0.1, 1} {
					for _, s := range []float64{-d, d} {
						if h := objective(f, g, nu+s); !(val <= h+slack) {
							t.Errorf("h(ν*) = %.17g > h(ν*%+g) = %.17g", val, s, h)
						}
					}
				}
				// ConjMeanGradTo at ν*: mean f* matches, weights sum to 1
				// (γ* of Remark 2.2 is a probability measure).
				dst := make([]float32, len(g))
				mc := f.ConjMeanGradTo(dst, g, nu)
				if !close64(nu+mc, val, 1e-12, 1e-12) {
					t.Errorf("ν + ConjMeanGradTo = %.17g, want %.17g", nu+mc, val)
				}
				var sum float64
				for j, w := range dst {
					sum += float64(w)
					want := f.ConjDeriv(float64(g[j])-nu) / float64(len(g))
					// float32 rounding of each weight: 2⁻²⁴ relative.
					if !close32(w, float32(want), 0, 0x1p-24) {
						t.Fatalf("dst[%d] = %g, want %g", j, w, want)
					}
				}
				// 1e-6: N float32 roundings of relative 6e-8 each, plus 1e-9.
				if !close64(sum, 1, 1e-6, 0) {
					t.Errorf("Σ dst = %.9g, want 1", sum)
				}
			})
		}
	}
}

func TestOptimalNuKLClosedForm(t *testing.T) {
	f := F{Kind: KL}
	for _, in := range nuInputs {
		if in.name == "normal1000at1e3" || in.name == "wide" {
			continue // e^{g} overflows or loses all precision in the naive sum
		}
		var s float64
		for _, v := range in.g {
			s += math.Exp(float64(v))
		}
		lme := math.Log(s / float64(len(in.g)))
		nu, val := f.OptimalNu(in.g)
		// 1e-14: log-sum-exp vs naive sum, both float64.
		if !close64(val, lme, 1e-14, 1e-14) || !close64(nu, lme-1, 1e-14, 1e-14) {
			t.Errorf("%s: OptimalNu = %.17g, %.17g, want log mean e^g − 1 = %.17g, %.17g (Donsker–Varadhan)",
				in.name, nu, val, lme-1, lme)
		}
	}
}

func TestOptimalNuShift(t *testing.T) {
	// h is translation-equivariant: g → g + c gives ν* + c and value + c.
	// g + c is formed exactly: float32 values near 1e3 minus 1e3 are
	// exactly representable in float32.
	const c = 1e3
	big := normals(500, c, 1, 4)
	small := make([]float32, len(big))
	for i, v := range big {
		small[i] = float32(float64(v) - c)
	}
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			nu0, v0 := tc.f.OptimalNu(small)
			nu1, v1 := tc.f.OptimalNu(big)
			if tc.f.Kind == Wasserstein {
				nu1 -= c // ν is arbitrary (0) for w1; only the value shifts
			}
			// 1e-9: solver tolerance 1e-13 divided by h'' ≥ ~1e-3 here, at |ν| ≈ 1e3.
			if !close64(nu1-c, nu0, 1e-9, 0) && tc.f.Kind != Wasserstein {
				t.Errorf("ν*(g+%g) − %g = %.15g, want ν*(g) = %.15g", c, c, nu1-c, nu0)
			}
			if !close64(v1-c, v0, 1e-9, 0) {
				t.Errorf("h*(g+%g) − %g = %.15g, want h*(g) = %.15g", c, c, v1-c, v0)
			}
		})
	}
}

func TestOptimalNuConstant(t *testing.T) {
	// φ ≡ c: ν* = c − f'(1) and the value is c, so E_P φ − value = 0.
	g := []float32{2.5, 2.5, 2.5, 2.5}
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			nu, val := tc.f.OptimalNu(g)
			if !close64(val, 2.5, 1e-13, 0) {
				t.Errorf("value = %.17g, want 2.5", val)
			}
			if tc.f.Kind != Wasserstein {
				if want := 2.5 - tc.f.Deriv(1); !close64(nu, want, 1e-13, 0) {
					t.Errorf("ν* = %.17g, want c − f'(1) = %.17g", nu, want)
				}
			}
		})
	}
}

func TestOptimalNuNonFinite(t *testing.T) {
	for _, tc := range divergences {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			nu, val := tc.f.OptimalNu([]float32{0, bad, 1})
			if !math.IsNaN(nu) || !math.IsNaN(val) {
				t.Errorf("%s: OptimalNu with %g = %g, %g, want NaN, NaN", tc.name, bad, nu, val)
			}
		}
	}
}

func TestConjMeanGradToOutsideDomain(t *testing.T) {
	// ν below max g − hi puts a target outside dom f*: +Inf, never clipped.
	g := []float32{-1, 0, 1}
	dst := make([]float32, 3)
	for _, name := range []string{"rkl", "alpha:0.5", "js"} {
		f, _ := Parse(name)
		m := f.ConjMeanGradTo(dst, g, 0)
		if !math.IsInf(m, 1) || !math.IsInf(float64(dst[2]), 1) {
			t.Errorf("%s: ConjMeanGradTo at ν = 0 = %g, dst = %v; want +Inf", name, m, dst)
		}
	}
}

func TestNuAllocs(t *testing.T) {
	g := normals(1000, 0, 1, 5)
	dst := make([]float32, len(g))
	for _, tc := range divergences {
		f := tc.f
		if a := testing.AllocsPerRun(10, func() { f.OptimalNu(g) }); a != 0 {
			t.Errorf("%s: OptimalNu allocates %g times, want 0", tc.name, a)
		}
		if a := testing.AllocsPerRun(10, func() { f.ConjMeanGradTo(dst, g, 0.5) }); a != 0 {
			t.Errorf("%s: ConjMeanGradTo allocates %g times, want 0", tc.name, a)
		}
	}
}

func TestNuPanics(t *testing.T) {
	f := F{Kind: KL}
	wantPanic(t, "conj: F.OptimalNu: empty g", func() { f.OptimalNu(nil) })
	wantPanic(t, "conj: F.ConjMeanGradTo: length mismatch", func() { f.ConjMeanGradTo(make([]float32, 2), make([]float32, 3), 0) })
	wantPanic(t, "conj: F.ConjMeanGradTo: empty g", func() { f.ConjMeanGradTo(nil, nil, 0) })
}

func BenchmarkOptimalNu(b *testing.B) {
	for _, tc := range divergences {
		for _, n := range []int{256, 4096} {
			g := normals(n, 0, 1, 6)
			b.Run(fmt.Sprintf("%s/N=%d", tc.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					tc.f.OptimalNu(g)
				}
			})
		}
	}
}

func BenchmarkConjMeanGradTo(b *testing.B) {
	for _, tc := range divergences {
		g := normals(4096, 0, 1, 7)
		dst := make([]float32, len(g))
		nu, _ := tc.f.OptimalNu(g)
		b.Run(tc.name+"/N=4096", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tc.f.ConjMeanGradTo(dst, g, nu)
			}
		})
	}
}
