package lipnet

import (
	"fmt"
	"testing"
)

// workload is one GPA step (Algorithm 1, lines 6–11) in lipnet calls: T_NN
// discriminator updates on the M particles and N targets, then ∇φ at the
// particles. The objective's gradient is a fixed stand-in (the engine's
// conj package computes the real one; its cost is not lipnet's).
type workload struct {
	name         string
	d, m, n, tnn int
	hidden       []int
}

var workloads = []workload{
	// Four wells (paper Table 5, 2-D Gaussian mixture; peer_torch "gauss2d").
	{"four-well", 2, 500, 200, 5, []int{32, 32, 32}},
	// MNIST latent codes (peer_torch "mnist-latent").
	{"mnist-latent", 128, 200, 200, 5, []int{256, 512, 256}},
}

func BenchmarkGPAStepWorkload(b *testing.B) {
	for _, w := range workloads {
		b.Run(w.name, func(b *testing.B) { benchWorkload(b, w) })
	}
	// The peers' normalization (one power iteration, W/σ̂, no certificate;
	// see benchUncertified): our kernels on the peers' algorithm.
	for _, w := range workloads {
		b.Run(w.name+"-uncertified", func(b *testing.B) {
			benchUncertified = true
			defer func() { benchUncertified = false }()
			benchWorkload(b, w)
		})
	}
	// The four-well step with the slower kernels, for comparison.
	best := setKernels(2)
	defer setKernels(best)
	for level := best - 1; level >= 0; level-- {
		setKernels(level)
		b.Run(workloads[0].name+"/"+[]string{"go", "avx2"}[level], func(b *testing.B) { benchWorkload(b, workloads[0]) })
	}
}

// benchWorkload runs workload w with the kernels in effect.
func benchWorkload(b *testing.B, w workload) {
	n, err := New(Config{In: w.d, Hidden: w.hidden, Out: 1, Act: ReLU, Lipschitz: 1, Norm: Spectral, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	rows := w.m + w.n
	n.Reserve(rows)
	rng := newRand(2)
	z := randSlice(rng, rows*w.d) // [Y; X]
	dout := make([]float32, rows)
	for i := range dout {
		dout[i] = -1 / float32(w.m)
		if i >= w.m {
			dout[i] = float32(rng.Float64()) / float32(w.n)
		}
	}
	ones := make([]float32, w.m)
	for i := range ones {
		ones[i] = 1
	}
	dx := make([]float32, w.m*w.d)
	opt := NewSGD(0.005)
	n.Normalize() // sizes the work space of every thread outside the timing
	n.resetCertStats()
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		for range w.tnn {
			n.Forward(z, rows)
			n.ZeroGrad()
			n.Backward(dout, nil)
			opt.Step(n.Params(), n.Grads())
			n.Normalize()
		}
		n.Forward(z[:w.m*w.d], w.m)
		n.InputGradTo(dx, ones)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(1e3*sec/float64(b.N), "ms/step")
	b.ReportMetric((processCPU()-cpu)*1e3/float64(b.N), "cpu-ms/step")
	b.ReportMetric(float64(w.m*b.N)/sec, "particle-steps/s")
	f := stepFlops(n, w.m, w.n, w.tnn)
	b.ReportMetric(f/1e9, "GFLOP/step")
	b.ReportMetric(f*float64(b.N)/sec/1e9, "GFLOP/s")
	if certified, retried, bisected := n.certStats(); certified+retried+bisected > 0 {
		b.ReportMetric(float64(retried+bisected)/float64(certified+retried+bisected), "uncertified/layer")
	}
}

// BenchmarkOps measures each call of the four-well step on its own.
func BenchmarkOps(b *testing.B) {
	const rows, m, d = 700, 500, 2
	for _, a := range []Activation{ReLU, Softplus} {
		n, _ := New(Config{In: d, Hidden: []int{32, 32, 32}, Out: 1, Act: a, Lipschitz: 1, Seed: 1})
		n.Reserve(rows)
		rng := newRand(3)
		x := randSlice(rng, rows*d)
		dout := randSlice(rng, rows)
		dx := make([]float32, rows*d)
		b.Run(fmt.Sprintf("Forward/%v/rows=%d", a, rows), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				n.Forward(x, rows)
			}
		})
		b.Run(fmt.Sprintf("Backward/%v/rows=%d", a, rows), func(b *testing.B) {
			n.Forward(x, rows)
			b.ReportAllocs()
			for b.Loop() {
				n.Backward(dout, nil)
			}
		})
		b.Run(fmt.Sprintf("InputGradTo/%v/rows=%d", a, m), func(b *testing.B) {
			n.Forward(x, m)
			b.ReportAllocs()
			for b.Loop() {
				n.InputGradTo(dx, dout)
			}
		})
	}
	n, _ := New(Config{In: d, Hidden: []int{32, 32, 32}, Out: 1, Lipschitz: 1, Seed: 1})
	g := randSlice(newRand(4), len(n.Params()))
	for _, o := range []Optimizer{NewSGD(1e-9), NewAdam(1e-9, len(n.Params()))} {
		b.Run("Step/"+o.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				o.Step(n.Params(), g)
			}
		})
	}
}

// BenchmarkGPAStepThreads runs the workloads of BenchmarkGPAStepWorkload on
// one and two threads (SetThreads); compare under taskset -c 0 and -c 0,1.
func BenchmarkGPAStepThreads(b *testing.B) {
	for _, threads := range []int{1, 2} {
		for _, w := range workloads {
			b.Run(fmt.Sprintf("%s/threads=%d", w.name, threads), func(b *testing.B) {
				defer SetThreads(SetThreads(threads))
				benchWorkload(b, w)
			})
		}
	}
}

// stepFlops counts the flops of one GPA step as the peers do
// (peer_torch/gpa_common.py, flops_per_step): 2 per multiply-add of the
// products; T_NN updates on the m+n rows (forward, weight gradients, input
// gradients of all layers but the first, one power iteration) and the
// particle pass on the m rows (forward and input gradients). A convolution
// counts its im2col product, ho·wo·cout·(5·5·cin) per sample.
func stepFlops(net *Net, m, n, tnn int) float64 {
	var s, first, w float64
	for l, ly := range net.layers {
		var macs float64
		switch ly := ly.(type) {
		case *dense:
			macs = float64(ly.in * ly.out)
			w += macs
		case *conv:
			macs = float64(ly.g.ho * ly.g.wo * ly.g.cout * ly.g.patch())
			w += float64(ly.g.patch() * ly.g.cout)
		}
		s += macs
		if l == 0 {
			first = macs
		}
	}
	b := float64(m + n)
	disc := 2*b*s + 2*b*s + 2*b*(s-first) + 4*w
	return float64(tnn)*disc + 4*float64(m)*s
}
