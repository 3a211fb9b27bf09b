package lipnet

import (
	"fmt"
	"testing"
)

// cnnWorkload is one GPA step of the pixel-space conditional MNIST run
// (paper Table 4a/5; the journal code's 600 particles for 200 targets):
// T_NN discriminator updates on the M particles and N targets (rows of
// 28×28×1), then ∇φ of each particle's class head at the particles.
type cnnWorkload struct {
	conv   []int
	hidden []int
}

const cnnM, cnnN, cnnK, cnnTNN = 600, 200, 10, 5

var cnnWorkloads = []cnnWorkload{
	{[]int{8, 16, 16}, []int{128}},
	{[]int{16, 32, 32}, []int{256}},
	{[]int{32, 64, 64}, []int{512}},
	{[]int{64, 64, 64}, []int{784}},
	{[]int{128, 128, 128}, []int{784}}, // Table 4a: 2048 → 784 → 10
}

func (w cnnWorkload) String() string { return fmt.Sprintf("conv=%v/dense=%v", w.conv, w.hidden) }

func (w cnnWorkload) net(b *testing.B, norm Normalization) *Net {
	n, err := New(Config{InShape: [3]int{28, 28, 1}, Conv: w.conv, Hidden: w.hidden, Out: cnnK,
		Act: ReLU, Lipschitz: 1, Norm: norm, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkConvWorkload reports ms per GPA step for several channel
// counts (run with -benchtime 1x for the largest).
func BenchmarkConvWorkload(b *testing.B) {
	for _, w := range cnnWorkloads {
		b.Run(w.String(), func(b *testing.B) {
			n := w.net(b, Spectral)
			const rows, d = cnnM + cnnN, 28 * 28
			n.Reserve(rows)
			rng := newRand(2)
			z := randSlice(rng, rows*d) // [Y; X]
			dout := make([]float32, rows*cnnK)
			for i := range rows {
				v := -1 / float32(cnnM)
				if i >= cnnM {
					v = float32(rng.Float64()) / float32(cnnN)
				}
				dout[i*cnnK+i%cnnK] = v // the row's class head
			}
			ones := make([]float32, cnnM*cnnK)
			for i := range cnnM {
				ones[i*cnnK+i%cnnK] = 1
			}
			dx := make([]float32, cnnM*d)
			opt := NewAdam(0.001, len(n.Params()))
			step := func() {
				for range cnnTNN {
					n.Forward(z, rows)
					n.ZeroGrad()
					n.Backward(dout, nil)
					opt.Step(n.Params(), n.Grads())
					n.Normalize()
				}
				n.Forward(z[:cnnM*d], cnnM)
				n.InputGradTo(dx, ones)
			}
			step() // first touch of the buffers (page faults) outside the timing
			n.resetCertStats()
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				step()
			}
			sec := b.Elapsed().Seconds()
			b.ReportMetric((processCPU()-cpu)*1e3/float64(b.N), "cpu-ms/step")
			b.ReportMetric(1e3*sec/float64(b.N), "ms/step")
			b.ReportMetric(float64(cnnM*b.N)/sec, "particle-steps/s")
			f := stepFlops(n, cnnM, cnnN, cnnTNN)
			b.ReportMetric(f/1e9, "GFLOP/step")
			b.ReportMetric(f*float64(b.N)/sec/1e9, "GFLOP/s")
			certified, retried, bisected := n.certStats()
			if tot := certified + retried + bisected; tot > 0 {
				b.ReportMetric(float64(retried+bisected)/float64(tot), "uncertified/layer")
			}
		})
	}
}

// BenchmarkConvOps measures the parts of a step: Forward and Backward on
// the 800 rows, and one Normalize (spectral and Frobenius) after an
// optimizer step.
func BenchmarkConvOps(b *testing.B) {
	const rows, d = cnnM + cnnN, 28 * 28
	for _, w := range cnnWorkloads {
		n := w.net(b, Spectral)
		n.Reserve(rows)
		rng := newRand(3)
		z := randSlice(rng, rows*d)
		dout := randSlice(rng, rows*cnnK)
		n.Forward(z, rows) // first touch of the buffers outside the timing
		n.Backward(dout, nil)
		b.Run(w.String()+"/Forward", func(b *testing.B) {
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				n.Forward(z, rows)
			}
			b.ReportMetric((processCPU()-cpu)*1e3/float64(b.N), "cpu-ms/op")
		})
		b.Run(w.String()+"/Backward", func(b *testing.B) {
			n.Forward(z, rows)
			b.ReportAllocs()
			cpu := processCPU()
			for b.Loop() {
				n.Backward(dout, nil)
			}
			b.ReportMetric((processCPU()-cpu)*1e3/float64(b.N), "cpu-ms/op")
		})
		g := randSlice(rng, len(n.Params()))
		for _, nm := range []Normalization{Spectral, Frobenius} {
			b.Run(w.String()+"/Normalize/"+nm.String(), func(b *testing.B) {
				n.cfg.Norm = nm
				defer func() { n.cfg.Norm = Spectral }()
				b.ReportAllocs()
				for b.Loop() {
					p := n.Params()
					for i := range p {
						p[i] -= 1e-4 * g[i]
					}
					n.Normalize()
				}
			})
		}
	}
}

// BenchmarkConvLayer measures the three products of one convolution of
// Table 4a (14×14×128 → 7×7×128, 800 rows) on the im2col path and the
// implicit one, alternately in one process (so that other load on the
// machine hits both alike): the forward, the kernel gradient and the input
// gradient (with the activation derivative).
func BenchmarkConvLayer(b *testing.B) {
	if !useAVX512 {
		b.Skip("the implicit path needs AVX-512")
	}
	const rows = cnnM + cnnN
	g := newConvGeom(14, 14, 128, 128, convKernel, convStride)
	np := len(make([]float32, g.patch()*g.cout))
	c := newConv(g, make([]float32, np), make([]float32, np), make([]float32, convPowerLen(g)))
	rng := newRand(4)
	copy(c.w, randSlice(rng, np))
	x, dz := randSlice(rng, rows*g.inSize()), randSlice(rng, rows*g.outSize())
	y, dx := make([]float32, rows*g.outSize()), make([]float32, rows*g.inSize())
	flops := 2 * float64(rows*g.ho*g.wo*g.patch()*g.cout)
	leaky := act{on: true, kind: LeakyReLU, slope: 0.2}
	for _, op := range []string{"forward", "grad", "dx"} {
		for _, path := range []string{"im2col", "implicit"} {
			b.Run(op+"/"+path, func(b *testing.B) {
				forceIm2col = path == "im2col"
				defer func() { forceIm2col = false }()
				b.ReportAllocs()
				cpu := processCPU()
				for b.Loop() {
					switch op {
					case "forward":
						c.forwardTo(y, x, rows, leaky)
					case "grad":
						c.backwardTo(nil, dz, x, rows, act{}, true)
					case "dx":
						c.backwardTo(dx, dz, x, rows, leaky, false)
					}
				}
				cs := (processCPU() - cpu) / float64(b.N)
				b.ReportMetric(cs*1e3, "cpu-ms/op")
				b.ReportMetric(flops/cs/1e9, "GFLOP/s")
			})
		}
	}
}
