package lipnet

import (
	"math"
	"slices"
	"testing"
	"time"
)

// trainSteps runs steps discriminator updates (Forward, Backward, an
// optimizer step, Normalize) on the rows of x, then the input gradient at
// the first rows/2 rows, and returns every output the engine reads.
func trainSteps(t *testing.T, cfg Config, opt string, x, dout []float32, rows, steps int) (out, dx, params, grads, power []float32) {
	t.Helper()
	n, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var o Optimizer = NewSGD(0.05)
	if opt == "adam" {
		o = NewAdam(0.01, len(n.Params()))
	}
	for range steps {
		n.Forward(x, rows)
		n.ZeroGrad()
		n.Backward(dout, nil)
		o.Step(n.Params(), n.Grads())
		n.Normalize()
	}
	m := rows / 2
	out = slices.Clone(n.Forward(x[:m*n.cfg.In], m))
	dx = make([]float32, m*n.cfg.In)
	n.InputGradTo(dx, dout)
	return out, dx, slices.Clone(n.Params()), slices.Clone(n.Grads()), slices.Clone(n.PowerVectors())
}

// TestThreadsBitIdentical checks that one and two threads give the same
// bits: net outputs, input gradients, gradients, parameters and power
// vectors after training steps, for a dense and a convolutional net whose
// products are large enough to be split (pool.go).
func TestThreadsBitIdentical(t *testing.T) {
	defer SetThreads(SetThreads(1))
	for _, tc := range []struct {
		name string
		cfg  Config
		rows int
	}{
		{"dense", Config{In: 64, Hidden: []int{128, 256, 128}, Out: 1, Lipschitz: 1, Seed: 3}, 200},
		{"conv", Config{InShape: [3]int{28, 28, 1}, Conv: []int{8, 16, 16}, Hidden: []int{64}, Out: 10,
			Act: LeakyReLU, Lipschitz: 1, Seed: 4}, 40},
		// several column panels of ∂ℓ/∂K, owned by different parts
		{"conv-wide", Config{InShape: [3]int{14, 14, 1}, Conv: []int{8, 96, 64}, Hidden: []int{32}, Out: 10,
			Act: LeakyReLU, Lipschitz: 1, Seed: 5}, 24},
		// the fused first layer (conv_fused.go): several column panels,
		// four groups of the kernel gradient
		{"conv-fused", Config{InShape: [3]int{28, 28, 1}, Conv: []int{96, 16}, Hidden: []int{32}, Out: 10,
			Act: LeakyReLU, Lipschitz: 1, Seed: 6}, 128},
	} {
		for _, opt := range []string{"sgd", "adam"} {
			t.Run(tc.name+"/"+opt, func(t *testing.T) {
				cfg := tc.cfg
				cfg.Norm = Spectral
				probe, _ := New(cfg)
				rng := newRand(11)
				x := randSlice(rng, tc.rows*probe.cfg.In)
				dout := randSlice(rng, tc.rows*cfg.Out)
				var got [2][5][]float32
				for i, threads := range []int{1, 2} {
					SetThreads(threads)
					o, dx, p, g, pw := trainSteps(t, cfg, opt, x, dout, tc.rows, 3)
					got[i] = [5][]float32{o, dx, p, g, pw}
				}
				for k, what := range []string{"outputs", "input gradients", "parameters", "gradients", "power vectors"} {
					a, b := got[0][k], got[1][k]
					for i := range a {
						if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
							t.Fatalf("%s[%d]: 1 thread %g, 2 threads %g", what, i, a[i], b[i])
						}
					}
				}
			})
		}
	}
}

// TestGemmThreads checks the split products against the unsplit ones, bit
// for bit, on shapes split by rows and by columns, with every mode and
// epilogue, and parts that do not divide the tiles evenly.
func TestGemmThreads(t *testing.T) {
	defer SetThreads(SetThreads(1))
	rng := newRand(12)
	for _, sh := range [][3]int{{203, 129, 77}, {9, 517, 500}, {64, 64, 600}} {
		for mode := modeSet; mode <= modeBias; mode++ {
			for epi := epiNone; epi <= epiMask; epi++ {
				m, n, k := sh[0], sh[1], sh[2]
				a, b := randSlice(rng, m*k), randSlice(rng, k*n)
				c0, bias, h := randSlice(rng, m*n), randSlice(rng, n), randSlice(rng, m*n)
				var got [3][]float32
				for i, threads := range []int{1, 2, 3} {
					SetThreads(threads)
					got[i] = slices.Clone(c0)
					gemm(m, n, k, a, k, 1, b, n, got[i], n, mode, bias, epi, 0.2, h)
				}
				for i := range got[0] {
					if got[1][i] != got[0][i] || got[2][i] != got[0][i] {
						t.Fatalf("%v mode %d epi %d: c[%d] = %g (1), %g (2), %g (3 threads)",
							sh, mode, epi, i, got[0][i], got[1][i], got[2][i])
					}
				}
			}
		}
	}
}

// TestWorkersPark checks that idle workers stop spinning and park (block)
// after parkAfter.
func TestWorkersPark(t *testing.T) {
	defer SetThreads(SetThreads(2))
	rng := newRand(13)
	a, b, c := randSlice(rng, 256*256), randSlice(rng, 256*256), make([]float32, 256*256)
	gemm(256, 256, 256, a, 256, 1, b, 256, c, 256, modeSet, nil, epiNone, 0, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		workPool.grow.Lock()
		parked := 0
		for _, w := range workPool.workers {
			if w.parked.Load() {
				parked++
			}
		}
		nw := len(workPool.workers)
		workPool.grow.Unlock()
		if nw > 0 && parked == nw {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d workers parked %v after the last product", parked, nw, 5*time.Second)
		}
		time.Sleep(spinFor)
	}
}

// TestThreadsNoAlloc checks that a training step on two threads allocates
// nothing once the work spaces exist.
func TestThreadsNoAlloc(t *testing.T) {
	defer SetThreads(SetThreads(2))
	n, _ := New(Config{In: 64, Hidden: []int{128, 256, 128}, Out: 1, Lipschitz: 1, Norm: Spectral, Seed: 5})
	const rows = 200
	rng := newRand(14)
	x, dout, dx := randSlice(rng, rows*64), randSlice(rng, rows), make([]float32, rows*64)
	o := NewSGD(0.01)
	step := func() {
		n.Forward(x, rows)
		n.ZeroGrad()
		n.Backward(dout, nil)
		o.Step(n.Params(), n.Grads())
		n.Normalize()
		n.Forward(x, rows)
		n.InputGradTo(dx, dout)
	}
	step()
	if a := testing.AllocsPerRun(10, step); a != 0 {
		t.Errorf("training step on 2 threads: %v allocations, want 0", a)
	}
}

// TestZeroGradThreads: a parallel ZeroGrad (zeroJob) clears every gradient,
// before and after a Forward, on dense and conv nets.
func TestZeroGradThreads(t *testing.T) {
	defer SetThreads(SetThreads(1))
	for _, cfg := range []Config{
		{In: 128, Hidden: []int{256, 512, 256}, Out: 1, Lipschitz: 1, Seed: 3},
		{In: 2, Hidden: []int{32, 32, 32}, Out: 1, Lipschitz: 1, Seed: 3},
		{InShape: [3]int{28, 28, 1}, Conv: []int{8, 16, 16}, Hidden: []int{64}, Out: 10, Act: LeakyReLU, Lipschitz: 1, Seed: 4},
	} {
		for _, threads := range []int{2, 3} {
			SetThreads(threads)
			n, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for _, fwd := range []bool{false, true} {
				if fwd {
					n.Forward(make([]float32, 400*n.cfg.In), 400)
				}
				g := n.Grads()
				for i := range g {
					g[i] = 1
				}
				n.ZeroGrad()
				for i, v := range g {
					if v != 0 {
						t.Fatalf("%v threads=%d forward=%v: grads[%d] = %v after ZeroGrad", cfg.Hidden, threads, fwd, i, v)
					}
				}
			}
		}
	}
}
