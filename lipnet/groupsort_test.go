package lipnet

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// maxMin64 is the float64 MaxMin of the gradient-check oracle (ref64).
func maxMin64(z []float64) {
	for k := 0; k+1 < len(z); k += 2 {
		if z[k+1] > z[k] {
			z[k], z[k+1] = z[k+1], z[k]
		}
	}
}

// TestGroupSortGradients checks parameter and input gradients of GroupSort
// nets against float64 central differences, on every kernel path (the
// gradient cases with even hidden widths).
func TestGroupSortGradients(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		for ci, gc := range gradCases {
			if gc.hidden[0]%2 != 0 || gc.hidden[len(gc.hidden)-1]%2 != 0 {
				continue
			}
			t.Run(fmt.Sprintf("%d-%v-%d", gc.in, gc.hidden, gc.out), func(t *testing.T) {
				checkGradients(t, gc.in, gc.hidden, gc.out, GroupSort, uint64(10*ci)+7)
			})
		}
	})
}

// TestGroupSortSpeedLimit: GroupSort is 1-Lipschitz, so with spectral or
// Björck normalization the exact layer norms (SVD) multiply to at most L
// and max |∇φ| ≤ L(1+1e-4) at 2000 random inputs, on random nets and after
// every 10th of 100 random training steps.
func TestGroupSortSpeedLimit(t *testing.T) {
	for _, nm := range []Normalization{Spectral, Bjorck} {
		for _, tc := range []struct {
			in     int
			hidden []int
			L      float64
			opt    string
		}{
			{2, []int{32, 32, 32}, 1, "sgd"},
			{5, []int{16, 24}, 10, "adam"},
			{8, []int{20, 20}, 0.5, "adam"},
		} {
			t.Run(fmt.Sprintf("%v/%d-%v/L=%g/%s", nm, tc.in, tc.hidden, tc.L, tc.opt), func(t *testing.T) {
				n, err := New(Config{In: tc.in, Hidden: tc.hidden, Out: 1, Act: GroupSort, Lipschitz: tc.L, Norm: nm, Seed: 5})
				if err != nil {
					t.Fatal(err)
				}
				rng := newRand(6)
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
					if prod < tc.L*(1-2*float64(n.Depth())*certSlack) {
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

// singularValues returns the singular values of layer l (dense), largest
// first.
func singularValues(n *Net, l int) []float64 {
	d := n.layers[l].(*dense)
	w := make([]float64, len(d.w))
	for i, v := range d.w {
		w[i] = float64(v)
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(d.in, d.out, w), mat.SVDNone) {
		return nil
	}
	return svd.Values(nil)
}

// TestBjorckOrthonormal: after Normalize every singular value of every
// layer is L^{1/D} (within the certificate's slack and float32 rounding),
// from the random init and after random training steps; and a GroupSort
// net of square orthonormal layers is gradient-norm preserving,
// |∇φ(x)| = L at every x, where the same net with ReLU is not.
func TestBjorckOrthonormal(t *testing.T) {
	for _, tc := range []struct {
		in     int
		hidden []int
		L      float64
	}{
		{2, []int{32, 32, 32}, 1}, // wide first layer, tall last
		{16, []int{16, 16}, 2},    // square: gradient-norm preserving
		{40, []int{8}, 0.5},       // tall first layer
	} {
		t.Run(fmt.Sprintf("%d-%v", tc.in, tc.hidden), func(t *testing.T) {
			n, err := New(Config{In: tc.in, Hidden: tc.hidden, Out: 1, Act: GroupSort, Lipschitz: tc.L, Norm: Bjorck, Seed: 8})
			if err != nil {
				t.Fatal(err)
			}
			c := math.Pow(tc.L, 1/float64(n.Depth()))
			rng := newRand(9)
			check := func(when string) {
				for l := range n.Depth() {
					for _, s := range singularValues(n, l) {
						// certificate slack 1e-4 plus float32 rounding
						if s > c*(1+1e-9) || s < c*(1-3e-4) {
							t.Fatalf("%s: layer %d has σ = %.7g, want all σ = L^{1/D} = %.7g", when, l, s, c)
						}
					}
				}
			}
			check("init")
			randomTraining(n, "adam", rng, 31, func(step int, _ float64) { check(fmt.Sprintf("step %d", step)) })
			if tc.in != tc.hidden[0] {
				return
			}
			const rows = 500
			x := randSlice(rng, rows*tc.in)
			if g := minGradNorm(n, x, rows); g < tc.L*(1-1e-3) {
				t.Errorf("GroupSort + Björck, square layers: min |∇φ| = %.6g, want L = %g", g, tc.L)
			}
			relu, _ := New(Config{In: tc.in, Hidden: tc.hidden, Out: 1, Act: ReLU, Lipschitz: tc.L, Norm: Bjorck, Seed: 8})
			if g := minGradNorm(relu, x, rows); g > 0.9*tc.L {
				t.Errorf("ReLU + Björck: min |∇φ| = %.6g; expected ReLU to lose slope (< 0.9 L)", g)
			}
		})
	}
}

// minGradNorm returns min over rows of |∇ₓφ| (φ scalar).
func minGradNorm(n *Net, x []float32, rows int) float64 {
	in := n.cfg.In
	n.Forward(x, rows)
	ones := make([]float32, rows)
	for i := range ones {
		ones[i] = 1
	}
	dx := make([]float32, rows*in)
	n.InputGradTo(dx, ones)
	m := math.Inf(1)
	for i := range rows {
		var s float64
		for _, v := range dx[i*in : (i+1)*in] {
			s += float64(v) * float64(v)
		}
		m = math.Min(m, math.Sqrt(s))
	}
	return m
}

// TestBjorckIterations: the projection after an optimiser step needs few
// iterations (the weights stay near-orthonormal), and a matrix far outside
// the basin (σ_max² > 3) is scaled into it instead of diverging.
func TestBjorckIterations(t *testing.T) {
	n, _ := New(Config{In: 2, Hidden: []int{32, 32}, Out: 1, Act: GroupSort, Lipschitz: 1, Norm: Bjorck, Seed: 1})
	rng := newRand(2)
	sgd := NewSGD(0.005)
	g := n.Grads()
	for i := range g {
		g[i] = float32(rng.NormFloat64())
	}
	sgd.Step(n.Params(), g)
	n.Normalize()
	if it := n.scratch.orth.iters; it > 4 {
		t.Errorf("%d Björck iterations after a small step, want ≤ 4", it)
	}
	d := n.layers[1].(*dense)
	for i := range d.w {
		d.w[i] *= 40 // σ_max ≈ 40·c: σ(3 − σ²)/2 would diverge
	}
	n.Normalize()
	s := singularValues(n, 1)
	c := math.Pow(1, 1/3.0)
	if s[0] > c || s[len(s)-1] < c*(1-3e-4) {
		t.Errorf("after scaling by 40: σ ∈ [%.6g, %.6g], want all ≈ %g", s[len(s)-1], s[0], c)
	}
}

func TestGroupSortConfig(t *testing.T) {
	if _, err := New(Config{In: 2, Hidden: []int{32, 7}, Out: 1, Act: GroupSort, Lipschitz: 1}); !errors.Is(err, ErrConfig) {
		t.Errorf("odd width with groupsort: err = %v, want ErrConfig", err)
	}
	if _, err := New(Config{InShape: [3]int{8, 8, 1}, Conv: []int{4}, Hidden: []int{8}, Out: 1, Lipschitz: 1, Norm: Bjorck}); !errors.Is(err, ErrConfig) {
		t.Errorf("bjorck with conv: err = %v, want ErrConfig", err)
	}
	if a, err := ParseActivation("groupsort"); err != nil || a != GroupSort || a.String() != "groupsort" {
		t.Errorf("ParseActivation(groupsort) = %v, %v", a, err)
	}
	if nm, err := ParseNormalization("bjorck"); err != nil || nm != Bjorck || nm.String() != "bjorck" {
		t.Errorf("ParseNormalization(bjorck) = %v, %v", nm, err)
	}
}

func TestGroupSortZeroAllocs(t *testing.T) {
	for _, nm := range []Normalization{Spectral, Bjorck} {
		n, _ := New(Config{In: 2, Hidden: []int{32, 32, 32}, Out: 1, Act: GroupSort, Lipschitz: 1, Norm: nm})
		rows := 70
		n.Reserve(rows)
		rng := newRand(1)
		x := randSlice(rng, rows*2)
		dout := randSlice(rng, rows)
		dx := make([]float32, rows*2)
		adam := NewAdam(0.01, len(n.Params()))
		step := func() {
			n.Forward(x, rows)
			n.ZeroGrad()
			n.Backward(dout, nil)
			adam.Step(n.Params(), n.Grads())
			n.Normalize()
			n.Forward(x, rows)
			n.InputGradTo(dx, dout)
		}
		if allocs := testing.AllocsPerRun(20, step); allocs != 0 {
			t.Errorf("groupsort/%v: %v allocations per step, want 0", nm, allocs)
		}
	}
}
