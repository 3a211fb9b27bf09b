package conj

import (
	"math"
	"testing"
)

func TestFenchelYoung(t *testing.T) {
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			// Inequality f(x) + f*(y) ≥ xy on a grid, with x also at the
			// boundary 0 and beyond the interior grid.
			gx := append([]float64{0, 0.01, 30}, xs(f)...)
			for _, x := range gx {
				for _, y := range ys(f) {
					lhs, rhs := f.Value(x)+f.Conj(y), x*y
					// 1e-12: rounding of three O(10) terms.
					if !(lhs >= rhs-1e-12*(1+math.Abs(rhs))) {
						t.Errorf("f(%g) + f*(%g) = %g < xy = %g", x, y, lhs, rhs)
					}
				}
			}
			// Equality at y = f'(x) (for w1 every y ∈ ∂f(1) = ℝ).
			for _, x := range xs(f) {
				for _, y := range ys(f) {
					if f.Kind != Wasserstein {
						y = f.Deriv(x)
					}
					lhs, rhs := f.Value(x)+f.Conj(y), x*y
					// 1e-12: no cancellation beyond the terms' own rounding.
					if !close64(lhs, rhs, 1e-12, 1e-12) {
						t.Errorf("f(%g) + f*(f'(x)=%g) = %.17g, want xy = %.17g", x, y, lhs, rhs)
					}
				}
			}
		})
	}
}

func TestConjOfDeriv(t *testing.T) {
	for _, tc := range divergences {
		if tc.f.Kind == Wasserstein {
			continue // f' undefined: the interior of dom f = {1} is empty
		}
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			for _, x := range append([]float64{0.01, 30}, interiorX...) {
				y := f.Deriv(x)
				got, want := f.Conj(y), x*y-f.Value(x)
				// 1e-12: both sides are O(1..100) with a few roundings.
				if !close64(got, want, 1e-12, 1e-12) {
					t.Errorf("f*(f'(%g)) = %.17g, want x f'(x) − f(x) = %.17g", x, got, want)
				}
				// (f*)' inverts f': the maximiser of xy − f(x) is x.
				// 1e-12 relative: pow/exp/log round trips.
				if got := f.ConjDeriv(y); !close64(got, x, 0, 1e-12) {
					t.Errorf("(f*)'(f'(%g)) = %.17g, want %g", x, got, x)
				}
			}
		})
	}
}

func TestConjIsSupremum(t *testing.T) {
	// f*(y) = sup_x {xy − f(x)} over x ∈ [0, 20] with step h = 1e-4 (x = 1 is
	// on the grid, as w1 needs). Every maximiser x* = (f*)'(y) used here lies
	// in [0, 10], so the grid sup is below f*(y) by at most
	// max f''·(h/2)²/2 ≤ 25·1.25e-9 ≈ 3e-8 (f'' ≤ 25 for x ≥ 0.2, from rkl).
	const h, xmax, tol = 1e-4, 20.0, 1e-7
	n := int(xmax/h) + 1
	fx := make([]float64, n)
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			for i := range fx {
				fx[i] = f.Value(float64(i) / 1e4)
			}
			for _, y := range ys(f) {
				if x := f.ConjDeriv(y); f.Kind != Wasserstein && x != 0 && (x < 0.2 || x > 10) {
					continue // maximiser off the grid's accurate range (e.g. α = 0.5, y = −0.25: x* = 64)
				}
				sup := math.Inf(-1)
				for i, v := range fx {
					sup = max(sup, float64(i)/1e4*y-v)
				}
				c := f.Conj(y)
				if !(sup <= c+1e-12) || !(c-sup <= tol) {
					t.Errorf("f*(%g) = %.12g, want grid sup %.12g (tol %g)", y, c, sup, tol)
				}
			}
		})
	}
}

func TestConjDerivFiniteDifference(t *testing.T) {
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			for _, y := range ys(f) {
				if f.Kind == Alpha && f.Alpha > 1 && y == 0 {
					continue // f* has a kink in (f*)' of order ≥ 2 at 0 for α > 2
				}
				// Central difference with step 1e-6·max(1, |y|): truncation
				// O(f'''·step²) ≈ 1e-12, rounding O(ε|f*|/step) ≈ 1e-10.
				step := 1e-6 * max(1, math.Abs(y))
				fd := (f.Conj(y+step) - f.Conj(y-step)) / (2 * step)
				got := f.ConjDeriv(y)
				// 1e-7 relative and 1e-9 absolute cover the above.
				if !close64(got, fd, 1e-9, 1e-7) {
					t.Errorf("(f*)'(%g) = %.12g, want central difference %.12g", y, got, fd)
				}
				if !(got >= 0) {
					t.Errorf("(f*)'(%g) = %g, want ≥ 0", y, got)
				}
				// The second derivative used by OptimalNu's Newton steps,
				// against a central difference of (f*)' (same tolerances).
				_, d2 := f.conjDerivs(y)
				fd2 := (f.ConjDeriv(y+step) - f.ConjDeriv(y-step)) / (2 * step)
				if !close64(d2, fd2, 1e-9, 1e-7) {
					t.Errorf("(f*)''(%g) = %.12g, want central difference %.12g", y, d2, fd2)
				}
			}
		})
	}
}

func TestConjDomain(t *testing.T) {
	hiJS := 0.5 * math.Ln2
	tests := []struct {
		f       string
		y       float64
		wantInf bool
	}{
		{"alpha:0.5", 0, true},
		{"alpha:0.5", 0.1, true},
		{"alpha:0.5", -1e-9, false},
		{"alpha:0.2", 0, true},
		{"rkl", 0, true},
		{"rkl", 0.1, true},
		{"rkl", -1e-300, false},
		{"js", hiJS, true},
		{"js", hiJS + 0.1, true},
		{"js", math.Nextafter(hiJS, 0), false},
		{"js", -700, false},
		{"kl", 700, false},
		{"alpha:2", -1e300, false},
		{"alpha:2", 1e10, false},
		{"w1", 1e300, false},
		{"w1", -1e300, false},
	}
	for _, tt := range tests {
		f, err := Parse(tt.f)
		if err != nil {
			t.Fatal(err)
		}
		c, d := f.Conj(tt.y), f.ConjDeriv(tt.y)
		if got := math.IsInf(c, 1); got != tt.wantInf || math.IsNaN(c) || math.IsInf(c, -1) {
			t.Errorf("%s: f*(%g) = %g, want +Inf: %v", tt.f, tt.y, c, tt.wantInf)
		}
		if got := math.IsInf(d, 1); got != tt.wantInf || math.IsNaN(d) {
			t.Errorf("%s: (f*)'(%g) = %g, want +Inf: %v", tt.f, tt.y, d, tt.wantInf)
		}
	}

	// On a grid, Conj is finite exactly on dom f* as ConjDomain reports it.
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			hi, open := f.ConjDomain()
			for i := -60; i <= 60; i++ {
				y := float64(i) / 20
				in := y < hi || (!open && y == hi)
				if c := f.Conj(y); math.IsInf(c, 1) == in || math.IsNaN(c) {
					t.Errorf("f*(%g) = %g, but dom f* = (−∞, %g) (open %v)", y, c, hi, open)
				}
			}
			if !math.IsInf(hi, 1) && !math.IsInf(f.Conj(hi), 1) {
				t.Errorf("f*(hi=%g) = %g, want +Inf", hi, f.Conj(hi))
			}
		})
	}
}

func TestValueDomain(t *testing.T) {
	for _, tc := range divergences {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			if v := f.Value(-0.5); !math.IsInf(v, 1) {
				t.Errorf("f(-0.5) = %g, want +Inf", v)
			}
			if v := f.Value(1); v != 0 {
				t.Errorf("f(1) = %g, want 0", v)
			}
			if !math.IsNaN(f.Deriv(-0.5)) {
				t.Errorf("f'(-0.5) = %g, want NaN", f.Deriv(-0.5))
			}
		})
	}
	if v := (F{Kind: ReverseKL}).Value(0); !math.IsInf(v, 1) {
		t.Errorf("rkl: f(0) = %g, want +Inf", v)
	}
	if v := (F{Kind: Wasserstein}).Value(0.999); !math.IsInf(v, 1) {
		t.Errorf("w1: f(0.999) = %g, want +Inf", v)
	}
	// JS is bounded by log 2: D_f(P‖Q) for P ⟂ Q is f(0) + lim f(x)/x = log 2.
	js := F{Kind: JensenShannon}
	if got := js.Value(0) + jsHi; !close64(got, math.Ln2, 0, 1e-15) {
		t.Errorf("js: f(0) + f'(∞) = %g, want log 2", got)
	}
}

func TestInvalidFPanics(t *testing.T) {
	bad := []F{{Kind: Alpha, Alpha: 1}, {Kind: Alpha, Alpha: 0}, {Kind: Alpha, Alpha: math.NaN()}, {Kind: Kind(9)}}
	for _, f := range bad {
		wantPanic(t, "conj: F:", func() { f.Conj(0) })
		wantPanic(t, "conj: F:", func() { f.OptimalNu([]float32{1}) })
	}
}
