package core

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// mmd2Sigma is MMD²(Y, X) with the kernel exp(−|a−b|²/(2σ²)) in float64.
func mmd2Sigma(y []float64, m int, x []float32, n, d int, sigma float64) float64 {
	g := 1 / (2 * sigma * sigma)
	k := func(a, b []float64) float64 {
		var s float64
		for t := range a {
			s += (a[t] - b[t]) * (a[t] - b[t])
		}
		return math.Exp(-g * s)
	}
	x64 := make([]float64, n*d)
	for i, v := range x[:n*d] {
		x64[i] = float64(v)
	}
	var yy, xy, xx float64
	for i := range m {
		for j := range m {
			yy += k(y[i*d:i*d+d], y[j*d:j*d+d])
		}
		for j := range n {
			xy += k(y[i*d:i*d+d], x64[j*d:j*d+d])
		}
	}
	for i := range n {
		for j := range n {
			xx += k(x64[i*d:i*d+d], x64[j*d:j*d+d])
		}
	}
	return yy/float64(m*m) + xx/float64(n*n) - 2*xy/float64(m*n)
}

// TestMMDFlowVelocity: the velocity is the gradient of the energy,
// vᵢ = (M/2) ∂MMD²/∂Yᵢ (the witness gradient ∇f(Yᵢ), Arbel et al. eq. (8)),
// checked by central differences in float64.
func TestMMDFlowVelocity(t *testing.T) {
	p := fourWellProblem(1)
	p.Y = slices.Clone(p.Y)
	for i := range p.Y {
		p.Y[i] -= 1.5 // between the wells: a non-trivial witness
	}
	cfg := baselineConfig("mmd-flow")
	cfg.MMDFlow = MMDFlowConfig{Sigma: 1}
	s := mustNew(t, cfg, p)
	y0 := slices.Clone(s.Particles())
	if _, err := s.Step(); err != nil {
		t.Fatal(err)
	}
	f := s.Method().(*mmdFlow)
	m, d := p.M, p.D
	y := make([]float64, m*d)
	for i, v := range y0 {
		y[i] = float64(v)
	}
	const h = 1e-4
	for _, i := range []int{0, 17, 133} {
		for c := range d {
			k := i*d + c
			y[k] += h
			up := mmd2Sigma(y, m, p.X, p.N, d, 1)
			y[k] -= 2 * h
			down := mmd2Sigma(y, m, p.X, p.N, d, 1)
			y[k] += h
			want := float64(m) / 2 * (up - down) / (2 * h)
			if got := float64(f.vel[k]); math.Abs(got-want) > 1e-4*math.Abs(want)+1e-7 {
				t.Errorf("v[%d][%d] = %.8g, want (M/2)∂MMD²/∂Y = %.8g", i, c, got, want)
			}
		}
	}
}

// TestMMDFlowDescends: for small steps the flow (without noise) never
// increases its energy MMD² (it is a gradient flow), and it lowers it.
func TestMMDFlowDescends(t *testing.T) {
	cfg := baselineConfig("mmd-flow")
	cfg.MMDFlow = MMDFlowConfig{Sigma: 1}
	cfg.Flow.Dt = 0.5 // small: the witness gradient is O(1/M) per particle pair
	s := mustNew(t, cfg, fourWellProblem(1))
	prev := math.Inf(1)
	var first float64
	for range 300 {
		r, err := s.Step()
		if err != nil {
			t.Fatal(err)
		}
		e := value(t, r, "mmd2_kernel")
		if r.Step == 1 {
			first = e
		}
		// The energy is measured before each move; allow float32 rounding.
		if e > prev*(1+1e-6) {
			t.Fatalf("step %d: MMD²_σ rose from %.9g to %.9g", r.Step, prev, e)
		}
		prev = e
	}
	if !(prev < 0.8*first) {
		t.Errorf("MMD²_σ went from %.4g only to %.4g in 300 steps", first, prev)
	}
}

// kalePrimal is (1+λ)·max_c P(c), KALE solved independently in the
// primal: the witness h = Σₐ cₐ k(zₐ, ·) over all samples z = [Y; X] (the
// representer theorem), P(c) = 1 + mean_Y h − mean_X e^h − (λ/2) cᵀKc,
// maximised by Newton's method in c in float64. With u = a − b∘e^h − λc
// (a = 1/M on Y rows, b = 1/N on X rows), ∇P = Ku and ∇²P = −K(DK + λI),
// D = diag(b∘e^h); K is positive definite for distinct points, so the
// Newton step solves (DK + λI)Δ = u.
func kalePrimal(t *testing.T, y []float32, m int, x []float32, n, d int, sigma, lam float64) float64 {
	z := append(slices.Clone(y[:m*d]), x[:n*d]...)
	r := m + n
	ker := kernelOfSigma(sigma)
	K := mat.NewDense(r, r, nil)
	for a := range r {
		for b := range r {
			K.Set(a, b, ker.at(z[a*d:a*d+d], z[b*d:b*d+d]))
		}
	}
	value := func(c *mat.VecDense) (float64, *mat.VecDense) {
		var h mat.VecDense
		h.MulVec(K, c)
		v := 1 - lam/2*mat.Dot(c, &h)
		for a := range r {
			if a < m {
				v += h.AtVec(a) / float64(m)
			} else {
				v -= math.Exp(h.AtVec(a)) / float64(n)
			}
		}
		return v, &h
	}
	c := mat.NewVecDense(r, nil)
	best, h := value(c)
	for range 200 {
		u := mat.NewVecDense(r, nil)
		A := mat.NewDense(r, r, nil)
		for a := range r {
			da := 0.0
			if a >= m {
				da = math.Exp(h.AtVec(a)) / float64(n)
				u.SetVec(a, -da)
			} else {
				u.SetVec(a, 1/float64(m))
			}
			u.SetVec(a, u.AtVec(a)-lam*c.AtVec(a))
			for b := range r {
				A.Set(a, b, da*K.At(a, b))
			}
			A.Set(a, a, A.At(a, a)+lam)
		}
		var delta mat.VecDense
		if err := delta.SolveVec(A, u); err != nil {
			t.Fatal(err)
		}
		step := 1.0
		for range 60 {
			var trial mat.VecDense
			trial.AddScaledVec(c, step, &delta)
			if v, ht := value(&trial); v >= best {
				c.CopyVec(&trial)
				best, h = v, ht
				break
			}
			step /= 2
		}
	}
	return (1 + lam) * best
}

// TestKALEWitness: the KALE estimate from the Newton-solved dual equals the
// brute-force maximum of the primal on tiny problems, and is 0 for P = Q.
func TestKALEWitness(t *testing.T) {
	x := []float32{0, 0, 1, 0.5, -0.5, 1, 0.3, -0.8} // 4 targets in 2-D
	y := []float32{1.5, 1, 2, 0.2, 0.4, 1.7}         // 3 particles
	for _, tc := range []struct{ sigma, lam float64 }{{0.5, 0.01}, {1, 0.1}, {1, 1}, {0.7, 0.001}} {
		cfg := baselineConfig("kale")
		cfg.KALE = KALEConfig{Sigma: tc.sigma, Lambda: tc.lam}
		s := mustNew(t, cfg, &Problem{X: x, N: 4, Y: y, M: 3, D: 2})
		r, err := s.Step()
		if err != nil {
			t.Fatal(err)
		}
		got, gap := value(t, r, "kale"), value(t, r, "duality_gap")
		want := kalePrimal(t, y, 3, x, 4, 2, tc.sigma, tc.lam)
		if math.Abs(got-want) > 1e-7*math.Max(1, math.Abs(want)) || gap > 1e-9 {
			t.Errorf("σ %g λ %g: KALE = %.10g (gap %.2g), brute force %.10g", tc.sigma, tc.lam, got, gap, want)
		}
		if !(got > 0) {
			t.Errorf("σ %g λ %g: KALE = %g for P ≠ Q, want > 0", tc.sigma, tc.lam, got)
		}
	}
	s := mustNew(t, baselineConfig("kale"), &Problem{X: x, N: 4, Y: x, M: 4, D: 2})
	r, err := s.Step()
	if err != nil {
		t.Fatal(err)
	}
	if v, ke := value(t, r, "kale"), value(t, r, "kinetic_energy"); math.Abs(v) > 1e-12 || ke > 1e-20 {
		t.Errorf("P = Q: KALE = %g, kinetic energy %g; want 0, 0", v, ke)
	}
}
