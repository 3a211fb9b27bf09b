package lipnet

import (
	"fmt"
	"math"
	"slices"
	"testing"
)

// linearNet returns a one-layer net (D = 1, φ(x) = x·W + b) with W set to w.
func linearNet(t *testing.T, in, out int, w []float32, norm Normalization, L float64) *Net {
	t.Helper()
	n, err := New(Config{In: in, Out: out, Lipschitz: L, Norm: norm, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	copy(n.Params(), w)
	return n
}

func TestLayerNormsKnown(t *testing.T) {
	rank1 := make([]float32, 5*3) // a·bᵀ, |a| = √30, |b| = √14
	a, b := []float32{1, -2, 3, 4, 0}, []float32{2, 1, -3}
	for i := range a {
		for j := range b {
			rank1[i*3+j] = a[i] * b[j]
		}
	}
	for _, tc := range []struct {
		name    string
		in, out int
		w       []float32
		want    float64
	}{
		{"diagonal", 4, 4, []float32{3, 0, 0, 0, 0, -1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0.5}, 3},
		{"diagonal negative max", 3, 3, []float32{1, 0, 0, 0, -7, 0, 0, 0, 2}, 7},
		{"rank one", 5, 3, rank1, math.Sqrt(30 * 14)},
		{"row", 1, 4, []float32{3, 0, 4, 0}, 5},
		{"column", 4, 1, []float32{1, 2, 2, 0}, 3},
		{"zero", 3, 2, make([]float32, 6), 0},
		// Gram matrices larger than cholBlock: the blocked factorisation.
		{"random 100×70", 100, 70, randSlice(newRand(7), 100*70), -1},
		{"random 40×90", 40, 90, randSlice(newRand(8), 40*90), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := linearNet(t, tc.in, tc.out, tc.w, None, 1)
			var got [1]float64
			n.LayerNorms(got[:])
			if tc.want < 0 {
				tc.want = got[0] // random matrices: check the bound against the SVD
			}
			// SVD in float64 of small integer matrices: exact to ~1e-15.
			if !close32(got[0], tc.want, 1e-12, 1e-12) {
				t.Errorf("LayerNorms = %g, want %g", got[0], tc.want)
			}
			// The certified bound lies in [σ_max, σ_max(1+certSlack)].
			d := n.layers[0].(*dense)
			for range 3 { // also once u has converged
				bound := d.spectralBound(n.scratch)
				if bound < tc.want || bound > tc.want*(1+certSlack)*(1+1e-6) { // σ̂ is a float32 estimate
					t.Errorf("spectralBound = %.17g, want in [%g, %g]", bound, tc.want, tc.want*(1+certSlack))
				}
			}
		})
	}
}

// TestCertificatePaths drives the bound through its three paths: a fresh
// power vector (certified at once), a stale one (certified after more power
// iterations), and one that power iteration cannot fix in time (bisection).
func TestCertificatePaths(t *testing.T) {
	// W = diag(1, 1−δ, 0.5): u along e₂ converges to e₁ at rate ((1−δ))^{2k}.
	for _, tc := range []struct {
		name  string
		delta float64
		u     []float32
		path  string
	}{
		{"fresh", 0.5, []float32{1, 0, 0}, "certified"},
		{"stale", 0.5, []float32{1e-3, 1, 0}, "retried"},
		{"near-degenerate", 1e-3, []float32{1e-3, 1, 0}, "bisected"},
		// u = e₃ stays e₃: σ̂ = 0.5 until the bisection.
		{"u in the smallest direction", 0.5, []float32{0, 0, 1}, "bisected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := []float32{1, 0, 0, 0, float32(1 - tc.delta), 0, 0, 0, 0.5}
			n := linearNet(t, 3, 3, w, Spectral, 1)
			copy(n.PowerVectors(), tc.u)
			s := n.scratch
			s.resetStats()
			bound := n.layers[0].(*dense).spectralBound(s)
			got := map[string]int{"certified": s.certified, "retried": s.retried, "bisected": s.bisected}
			if got[tc.path] != 1 || s.certified+s.retried+s.bisected != 1 {
				t.Errorf("paths taken %v, want %s", got, tc.path)
			}
			if bound < 1 || bound > 1+certSlack {
				t.Errorf("bound = %.17g, want in [1, 1+%g]", bound, certSlack)
			}
		})
	}
}

// maxGradNorm returns max over rows of |∇ₓφ| (φ scalar) at random inputs.
func maxGradNorm(n *Net, x []float32, rows int) float64 {
	in := n.cfg.In
	n.Forward(x, rows)
	ones := make([]float32, rows)
	for i := range ones {
		ones[i] = 1
	}
	dx := make([]float32, rows*in)
	n.InputGradTo(dx, ones)
	var m float64
	for i := range rows {
		var s float64
		for _, v := range dx[i*in : (i+1)*in] {
			s += float64(v) * float64(v)
		}
		m = math.Max(m, math.Sqrt(s))
	}
	return m
}

// TestSpeedLimit checks the Lipschitz bound that makes the particle speed
// |∇φ| ≤ L (eq. (11)): after every Normalize, the exact layer norms
// multiply to at most L, and the gradient norm at 2000 random inputs is at
// most L(1+1e-4), on random nets and during training on random gradients.
func TestSpeedLimit(t *testing.T) {
	for _, nm := range []Normalization{Spectral, Frobenius} {
		for _, tc := range []struct {
			act    Activation
			in     int
			hidden []int
			L      float64
			opt    string
		}{
			{ReLU, 2, []int{32, 32, 32}, 1, "sgd"},
			{LeakyReLU, 5, []int{16, 24}, 10, "adam"},
			{Softplus, 3, []int{32}, 0.5, "sgd"},
			{ELU, 8, []int{20, 20}, 2, "adam"},
		} {
			name := fmt.Sprintf("%v/%v/L=%g/%s", nm, tc.act, tc.L, tc.opt)
			t.Run(name, func(t *testing.T) {
				n, err := New(Config{In: tc.in, Hidden: tc.hidden, Out: 1, Act: tc.act, Lipschitz: tc.L, Norm: nm, Seed: 3})
				if err != nil {
					t.Fatal(err)
				}
				rng := newRand(4)
				const rows = 2000
				x := randSlice(rng, rows*tc.in)
				for i := range x {
					x[i] *= 3
				}
				randomTraining(n, tc.opt, rng, 101, func(step int, prod float64) {
					// Rigorous bound; 1e-9 covers the SVD's own rounding.
					if prod > tc.L*(1+1e-9) {
						t.Fatalf("step %d: Π σ_max(W) = %.10g > L = %g", step, prod, tc.L)
					}
					if nm == Spectral && prod < tc.L*(1-2*float64(n.Depth())*certSlack) {
						t.Fatalf("step %d: Π σ_max(W) = %.10g, want ≈ L = %g", step, prod, tc.L)
					}
					if g := maxGradNorm(n, x, rows); g > tc.L*(1+1e-4) {
						t.Fatalf("step %d: max |∇φ| = %.8g > L(1+1e-4), L = %g", step, g, tc.L)
					}
				})
			})
		}
	}
}

func TestFrobenius(t *testing.T) {
	n, _ := New(Config{In: 6, Hidden: []int{9}, Out: 2, Lipschitz: 4, Norm: Frobenius, Seed: 2})
	c := math.Sqrt(4) // L^{1/D}
	off := 0
	for _, ly := range n.layers {
		d := ly.(*dense)
		var ss float64
		for _, v := range d.w {
			ss += float64(v) * float64(v)
		}
		// ‖W‖_F = c(1 − 2⁻²³) up to float32 rounding of the entries.
		if !close32(math.Sqrt(ss), c, 0, 1e-6) {
			t.Errorf("layer at %d: ‖W‖_F = %g, want %g", off, math.Sqrt(ss), c)
		}
		off += len(d.w) + len(d.b)
	}
}

func TestNoneAndInf(t *testing.T) {
	for _, tc := range []struct {
		norm Normalization
		L    float64
	}{{None, 1}, {Spectral, math.Inf(1)}, {Frobenius, math.Inf(1)}} {
		n, _ := New(Config{In: 3, Hidden: []int{8}, Out: 1, Lipschitz: tc.L, Norm: tc.norm, Seed: 5})
		p := n.Params()
		for i := range p {
			p[i] *= 10
		}
		before := slices.Clone(p)
		n.Normalize()
		if !slices.Equal(before, p) {
			t.Errorf("%v, L = %g: Normalize changed the weights", tc.norm, tc.L)
		}
	}
}

func TestSetLipschitz(t *testing.T) {
	n, _ := New(Config{In: 2, Hidden: []int{32, 32}, Out: 1, Lipschitz: 1, Norm: Spectral, Seed: 6})
	norms := make([]float64, n.Depth())
	for _, L := range []float64{1, 5, 0.1} {
		n.SetLipschitz(L)
		n.Normalize()
		if got := n.Config().Lipschitz; got != L {
			t.Errorf("Config().Lipschitz = %g, want %g", got, L)
		}
		n.LayerNorms(norms)
		c := math.Pow(L, 1/float64(n.Depth()))
		for l, s := range norms {
			// Each layer is rescaled to within certSlack below L^{1/D}.
			if s > c*(1+1e-9) || s < c*(1-2*certSlack) {
				t.Errorf("L = %g: σ_max(W%d) = %.10g, want ≈ %g", L, l+1, s, c)
			}
		}
	}
}

// BenchmarkNormalize measures one spectral Normalize of the four-well net
// after an SGD step, and how the bounds were certified.
func BenchmarkNormalize(b *testing.B) {
	for _, nm := range []Normalization{Spectral, Frobenius} {
		b.Run(nm.String(), func(b *testing.B) {
			n, _ := New(Config{In: 2, Hidden: []int{32, 32, 32}, Out: 1, Lipschitz: 1, Norm: nm, Seed: 1})
			rng := newRand(1)
			g := randSlice(rng, len(n.Params()))
			n.resetCertStats()
			b.ReportAllocs()
			for b.Loop() {
				p := n.Params()
				for i := range p {
					p[i] -= 0.005 * g[i]
				}
				n.Normalize()
			}
			certified, retried, bisected := n.certStats()
			if tot := certified + retried + bisected; tot > 0 {
				b.ReportMetric(float64(retried)/float64(tot), "retried/layer")
				b.ReportMetric(float64(bisected)/float64(tot), "bisected/layer")
			}
		})
	}
}

// TestPowerVectorBlind covers Wᵀu = 0 even after the reset of u to ones:
// σ̂ = 0, and the bisection must still find σ_max(W) = √2.
func TestPowerVectorBlind(t *testing.T) {
	n := linearNet(t, 3, 1, []float32{1, -1, 0}, Spectral, 1)
	copy(n.PowerVectors(), []float32{1, 1, 0})
	bound := n.layers[0].(*dense).spectralBound(n.scratch)
	if want := math.Sqrt2; bound < want || bound > want*(1+certSlack)*(1+1e-12) {
		t.Errorf("bound = %.17g, want in [√2, √2(1+%g)]", bound, certSlack)
	}
}

// BenchmarkCertificate measures the two parts of the dense certificate on
// the latent net's 512 → 256 layer: the float64 Gram matrix (256×256 from
// k = 512) and one Cholesky test, with GFLOP/s by CPU time.
func BenchmarkCertificate(b *testing.B) {
	n, _ := New(Config{In: 128, Hidden: []int{256, 512, 256}, Out: 1, Lipschitz: 1, Norm: Spectral, Seed: 1})
	d := n.layers[2].(*dense)
	s := n.scratch
	sigma := d.powerStep(s)
	nn, _, eta := d.gram(s)
	tau := sq(sigma * (1 + 1e-2)) // certified on the first try
	for _, part := range []string{"gram", "cholesky"} {
		b.Run(part, func(b *testing.B) {
			flops := float64(nn * nn * d.in) // lower triangle: n²/2·k multiply-adds
			if part == "cholesky" {
				flops = float64(nn*nn*nn) / 3
			}
			cpu := processCPU()
			for b.Loop() {
				if part == "gram" {
					d.gram(s)
				} else if !d.choleskyOK(s, nn, tau, eta) {
					b.Fatal("not certified")
				}
			}
			b.ReportMetric(flops*float64(b.N)/(processCPU()-cpu)/1e9, "cpu-GFLOP/s")
		})
	}
}
