package lipnet

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func TestConvGeom(t *testing.T) {
	// TensorFlow's SAME: out = ⌈in/s⌉, padding max((out−1)s + k − in, 0),
	// the smaller half first (tf.nn.convolution documentation).
	for _, tc := range []struct{ in, k, s, out, pad int }{
		{28, 5, 2, 14, 1}, // MNIST, Table 4a: 28 → 14 → 7 → 4
		{14, 5, 2, 7, 1},
		{7, 5, 2, 4, 2},
		{8, 5, 2, 4, 1},
		{32, 5, 2, 16, 1}, // CIFAR-10
		{1, 5, 2, 1, 2},
		{6, 3, 1, 6, 1},
		{5, 2, 2, 3, 0},
	} {
		g := newConvGeom(tc.in, tc.in, 1, 1, tc.k, tc.s)
		if g.ho != tc.out || g.wo != tc.out || g.padT != tc.pad || g.padL != tc.pad {
			t.Errorf("in %d, k %d, s %d: out %d×%d, pad %d/%d, want %d, %d", tc.in, tc.k, tc.s, g.ho, g.wo, g.padT, g.padL, tc.out, tc.pad)
		}
	}
	n, err := New(Config{InShape: [3]int{28, 28, 1}, Conv: []int{8, 16, 16}, Hidden: []int{32}, Out: 10, Lipschitz: 1})
	if err != nil {
		t.Fatal(err)
	}
	if n.Config().In != 784 || n.Depth() != 5 {
		t.Errorf("In = %d, Depth = %d, want 784, 5", n.Config().In, n.Depth())
	}
	// Kernels 25·(1·8 + 8·16 + 16·16), then 4·4·16 → 32 → 10 with biases.
	if want := 25*(8+128+256) + 257*32 + 33*10; len(n.Params()) != want {
		t.Errorf("len(Params) = %d, want %d", len(n.Params()), want)
	}
}

// convRef is a float64 re-implementation of a conv Net's forward pass: the
// oracle for the gradient checks. It shares nothing with conv.go but the
// Params layout and the SAME rule.
type convRef struct {
	shape [3]int
	conv  []int
	dims  []int // dense widths
	p     []float64
	act   Activation
	slope float64
}

func newConvRef(n *Net) *convRef {
	r := &convRef{shape: n.cfg.InShape, conv: n.cfg.Conv, dims: n.cfg.dims(), act: n.cfg.Act, slope: float64(n.cfg.Slope)}
	for _, v := range n.Params() {
		r.p = append(r.p, float64(v))
	}
	return r
}

func (r *convRef) forward(x []float64) []float64 {
	h, w, c := r.shape[0], r.shape[1], r.shape[2]
	off := 0
	for _, co := range r.conv {
		const k, s = 5, 2
		ho, wo := (h+s-1)/s, (w+s-1)/s
		pt, pl := max((ho-1)*s+k-h, 0)/2, max((wo-1)*s+k-w, 0)/2
		y := make([]float64, ho*wo*co)
		for i := range ho {
			for j := range wo {
				for o := range co {
					var z float64
					for p := range k {
						for q := range k {
							yy, xx := i*s+p-pt, j*s+q-pl
							if yy < 0 || yy >= h || xx < 0 || xx >= w {
								continue
							}
							for e := range c {
								z += x[(yy*w+xx)*c+e] * r.p[off+((p*k+q)*c+e)*co+o]
							}
						}
					}
					y[(i*wo+j)*co+o] = math.Max(z, r.slope*z)
				}
			}
		}
		off += k * k * c * co
		x, h, w, c = y, ho, wo, co
	}
	ref := &ref64{dims: r.dims, p: r.p[off:], act: r.act, slope: r.slope}
	return ref.forward(x)
}

func (r *convRef) loss(x []float64, rows int, dout []float32) float64 {
	in, out := len(x)/rows, r.dims[len(r.dims)-1]
	var s float64
	for i := range rows {
		for j, v := range r.forward(x[i*in : (i+1)*in]) {
			s += float64(dout[i*out+j]) * v
		}
	}
	return s
}

// convCases exercise the input- and output-side certificates, odd shapes,
// several channels and heads, and a net without dense hidden layers.
var convCases = []struct {
	shape  [3]int
	conv   []int
	hidden []int
	out    int
	act    Activation
}{
	{[3]int{6, 5, 2}, []int{3}, []int{4}, 2, ReLU},
	{[3]int{7, 7, 1}, []int{4, 9}, []int{5}, 3, Softplus},
	{[3]int{8, 8, 3}, []int{2, 5, 3}, nil, 10, LeakyReLU},
	{[3]int{9, 4, 1}, []int{16}, []int{12, 6}, 1, ELU},
}

func TestConvGradients(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		for ci, cc := range convCases {
			name := fmt.Sprintf("%v-%v-%v-%d/%v", cc.shape, cc.conv, cc.hidden, cc.out, cc.act)
			t.Run(name, func(t *testing.T) {
				const rows = 3
				n, err := New(Config{InShape: cc.shape, Conv: cc.conv, Hidden: cc.hidden, Out: cc.out, Act: cc.act,
					Lipschitz: 2, Norm: Spectral, Seed: uint64(ci)})
				if err != nil {
					t.Fatal(err)
				}
				in := n.Config().In
				rng := newRand(uint64(ci) + 50)
				p := n.Params()
				for i := range p {
					p[i] += 0.1 * float32(rng.NormFloat64()) // non-zero biases, kernels off the normalized point
				}
				x, dout := randSlice(rng, rows*in), randSlice(rng, rows*cc.out)
				y := n.Forward(x, rows)
				ref := newConvRef(n)
				x64 := make([]float64, len(x))
				for i, v := range x {
					x64[i] = float64(v)
				}
				for i := range rows {
					for j, w := range ref.forward(x64[i*in : (i+1)*in]) {
						// float32 forward pass: a few ulps per layer.
						if !close32(float64(y[i*cc.out+j]), w, 1e-5, 1e-4) {
							t.Fatalf("φ(x_%d)_%d = %g, want %g", i, j, y[i*cc.out+j], w)
						}
					}
				}
				n.ZeroGrad()
				dx := make([]float32, rows*in)
				n.Backward(dout, dx)
				const h = 1e-6 // central differences in float64: error O(h²) + O(1e-16/h)
				fd := func(v *float64) float64 {
					v0 := *v
					*v = v0 + h
					lp := ref.loss(x64, rows, dout)
					*v = v0 - h
					lm := ref.loss(x64, rows, dout)
					*v = v0
					return (lp - lm) / (2 * h)
				}
				// float32 back-propagation against float64 differences:
				// relative 1e-3, absolute 1e-4 (gradients here are O(1)).
				for i := range ref.p {
					if got, want := float64(n.Grads()[i]), fd(&ref.p[i]); !close32(got, want, 1e-4, 1e-3) {
						t.Errorf("∂ℓ/∂θ[%d] = %g, want %g", i, got, want)
					}
				}
				for i := range x64 {
					if got, want := float64(dx[i]), fd(&x64[i]); !close32(got, want, 1e-4, 1e-3) {
						t.Errorf("∂ℓ/∂x[%d] = %g, want %g", i, got, want)
					}
				}
				g0 := slices.Clone(n.Grads())
				dx2 := make([]float32, rows*in)
				n.InputGradTo(dx2, dout)
				if !slices.Equal(dx, dx2) || !slices.Equal(g0, n.Grads()) {
					t.Errorf("InputGradTo: dx differs from Backward's or the gradients changed")
				}
			})
		}
	})
}

// TestConvChunks checks that the im2col blocking does not change the
// result: a batch larger than a block gives the rows of smaller batches.
func TestConvChunks(t *testing.T) {
	n, _ := New(Config{InShape: [3]int{12, 12, 2}, Conv: []int{8}, Hidden: []int{4}, Out: 2, Lipschitz: 1, Seed: 3})
	c := n.layers[0].(*conv)
	c.chunk = 3 // blocks of 3 samples, the last one partial
	rows, in := 10, n.Config().In
	rng := newRand(4)
	x, dout := randSlice(rng, rows*in), randSlice(rng, rows*2)
	y := slices.Clone(n.Forward(x, rows))
	n.ZeroGrad()
	dx := make([]float32, rows*in)
	n.Backward(dout, dx)
	g := slices.Clone(n.Grads())
	c.chunk = rows
	if y2 := n.Forward(x, rows); !slices.Equal(y, y2) {
		t.Error("Forward depends on the im2col block size")
	}
	n.ZeroGrad()
	dx2 := make([]float32, rows*in)
	n.Backward(dout, dx2)
	if !slices.Equal(dx, dx2) {
		t.Error("∂ℓ/∂x depends on the im2col block size")
	}
	for i, v := range n.Grads() {
		// ∂ℓ/∂K sums the blocks in another order: float32 rounding only.
		if !close32(float64(v), float64(g[i]), 1e-5, 1e-5) {
			t.Fatalf("grad[%d] = %g with one block, %g with blocks of 3", i, v, g[i])
		}
	}
}

// convMatrix returns the dense matrix of a conv layer's operator, out×in
// row-major in float64, built by applying the float64 reference to the unit
// vectors (independent of conv.go).
func convMatrix(c *conv) *mat.Dense {
	g := c.g
	in, out := g.inSize(), g.outSize()
	a := mat.NewDense(out, in, nil)
	for col := range in {
		x := make([]float64, in)
		x[col] = 1
		for i := range g.ho {
			for j := range g.wo {
				for o := range g.cout {
					var z float64
					for p := range g.k {
						for q := range g.k {
							yy, xx := i*g.s+p-g.padT, j*g.s+q-g.padL
							if yy < 0 || yy >= g.h || xx < 0 || xx >= g.w {
								continue
							}
							for e := range g.cin {
								z += x[(yy*g.w+xx)*g.cin+e] * float64(c.w[((p*g.k+q)*g.cin+e)*g.cout+o])
							}
						}
					}
					a.Set((i*g.wo+j)*g.cout+o, col, z)
				}
			}
		}
	}
	return a
}

// sigmaMax returns the largest singular value of a by SVD.
func sigmaMax(t *testing.T, a mat.Matrix) float64 {
	var svd mat.SVD
	if !svd.Factorize(a, mat.SVDNone) {
		t.Fatal("SVD failed")
	}
	return svd.Values(nil)[0]
}

// TestConvOperatorNorm compares the certified bound σ̄ of the convolution
// operator with its exact σ_max from the SVD of its explicit matrix, for
// both certificates: the exact Gram must give σ̄ within certSlack above
// σ_max; the circulant bound must never be below σ_max, be within
// certSlack of its own value (opNorm), and its boundary gap stays within
// the stated factor.
func TestConvOperatorNorm(t *testing.T) {
	for _, tc := range []struct {
		name          string
		h, w, cin, co int
		kernel        string
		maxGap        float64 // circulant σ̄/σ_max − 1 allowed; measured values in the comments
	}{
		{"8×8×2→4×4×3 He", 8, 8, 2, 3, "he", 0.15},              // measured 0.088
		{"8×8×2→4×4×3 positive", 8, 8, 2, 3, "abs", 0.3},        // measured 0.246
		{"28×28×1→14×14×4 He", 28, 28, 1, 4, "he", 0.03},        // MNIST layer 1 shape; measured 0.015
		{"28×28×1→14×14×4 positive", 28, 28, 1, 4, "abs", 0.04}, // measured 0.023
		{"14×14×4→7×7×6 He", 14, 14, 4, 6, "he", 0.05},          // MNIST layer 2 shape; measured 0.030
		{"7×7×6→4×4×5 He", 7, 7, 6, 5, "he", 0.25},              // MNIST layer 3 shape; measured 0.161
		{"centre tap only", 8, 8, 2, 3, "centre", 0},            // A = subsampling ⊗ K_c: exact
	} {
		g := newConvGeom(tc.h, tc.w, tc.cin, tc.co, convKernel, convStride)
		rng := newRand(9)
		w := make([]float32, g.patch()*g.cout)
		for i := range w {
			v := rng.NormFloat64()
			switch tc.kernel {
			case "abs":
				v = math.Abs(v)
			case "centre":
				if tap := i / (g.cin * g.cout); tap != 12 {
					v = 0
				}
			}
			w[i] = float32(v)
		}
		var sigma float64
		for _, mode := range []int{1, 2} {
			name := tc.name + []string{"", "/exact", "/circulant"}[mode]
			t.Run(name, func(t *testing.T) {
				defer func(f int) { forceCert = f }(forceCert)
				forceCert = mode
				c := newConv(g, slices.Clone(w), make([]float32, len(w)), make([]float32, convPowerLen(g)))
				if sigma == 0 {
					sigma = sigmaMax(t, convMatrix(c))
				}
				s := newScratch(nil, []convGeom{g})
				c.warmup(s, newRand(10))
				want := c.opNorm()
				if c.cert.exact {
					// The eigensolver against the SVD: float64 rounding.
					if !close32(want, sigma, 0, 1e-10) {
						t.Errorf("exact opNorm = %.12g, σ_max(A) = %.12g", want, sigma)
					}
				} else if gap := want/sigma - 1; gap > tc.maxGap+1e-12 || gap < -1e-12 {
					// The circulant bound: never below σ_max, within the gap.
					t.Errorf("circulant bound/σ_max(A) − 1 = %.4f, want in [0, %g]", gap, tc.maxGap)
				}
				for it := range 3 { // the first call, then with converged vectors
					bound := c.spectralBound(s)
					// Within certSlack above opNorm (1e-9: the eigensolver's rounding).
					if bound < want*(1-1e-9) || bound > want*(1+certSlack)*(1+1e-9) {
						t.Errorf("call %d: σ̄ = %.12g, want in [%.12g, ×(1+%g)]", it, bound, want, certSlack)
					}
				}
				t.Logf("σ_max(A) = %.6g, bound %.6g (gap %.4f), n = %d, output side %v",
					sigma, want, want/sigma-1, c.cert.n, c.cert.out)
			})
		}
	}
}

// TestConvCertificatePaths drives both conv certificates through stale
// power vectors, an eigenvector of a smaller eigenvalue (Lanczos cannot
// leave it: bisection) and a wrong or corrupted stored frequency; every
// path must still end within certSlack of the bounded norm.
func TestConvCertificatePaths(t *testing.T) {
	defer func(f int) { forceCert = f }(forceCert)
	for _, mode := range []int{1, 2} {
		forceCert = mode
		n, _ := New(Config{InShape: [3]int{10, 10, 3}, Conv: []int{6}, Out: 1, Lipschitz: 1, Seed: 11})
		c := n.layers[0].(*conv)
		want := c.opNorm()
		for _, tc := range []struct {
			name  string
			edit  func(v []float32)
			paths []string
		}{
			{"converged", func([]float32) {}, []string{"certified"}},
			{"wrong frequency", func(v []float32) { v[0] = float32((int(v[0]) + 1) % 5) }, []string{"retried", "bisected"}},
			// With one Lanczos step, the Ritz vector is the start vector.
			{"second eigenvector", func(v []float32) { copy(v[1:], secondEigenvector(t, c, n.scratch)); lanczosK = 1 }, []string{"bisected"}},
			{"zero vector", func(v []float32) { clear(v) }, []string{"certified", "retried", "bisected"}},
			{"NaN frequency", func(v []float32) { v[0] = float32(math.NaN()) }, []string{"certified", "retried", "bisected"}},
		} {
			if c.cert.exact && tc.name == "wrong frequency" {
				continue // no frequency
			}
			name := []string{"", "exact/", "circulant/"}[mode] + tc.name
			t.Run(name, func(t *testing.T) {
				saved := slices.Clone(c.power)
				defer copy(c.power, saved)
				defer func() { lanczosK = lanczosSteps }()
				tc.edit(c.power)
				s := n.scratch
				s.resetStats()
				bound := c.spectralBound(s)
				got := map[string]int{"certified": s.certified, "retried": s.retried, "bisected": s.bisected}
				ok := false
				for _, p := range tc.paths {
					ok = ok || got[p] == 1
				}
				if !ok {
					t.Errorf("paths taken %v, want one of %v", got, tc.paths)
				}
				if bound < want*(1-1e-9) || bound > want*(1+certSlack)*(1+1e-9) {
					t.Errorf("σ̄ = %.12g, want in [%.12g, ×(1+%g)]", bound, want, certSlack)
				}
			})
		}
	}
}

// secondEigenvector returns a unit eigenvector of the largest eigenvalue
// below λ_max of the matrix the certificate of c starts from: the exact
// Gram, or G(ω) at the stored frequency.
func secondEigenvector(t *testing.T, c *conv, s *scratch) []float32 {
	N := c.cert.vecLen()
	if c.cert.exact {
		c.gram(s)
	} else {
		c.lags(s)
		c.cert.formG(s, c.startFreq())
	}
	var es mat.EigenSym
	if !es.Factorize(mat.NewSymDense(N, slices.Clone(s.g[:N*N])), true) {
		t.Fatal("EigenSym failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	for i := N - 1; i >= 0; i-- {
		if vals[i] < vals[N-1]*(1-1e-6) {
			v := make([]float32, N)
			for j := range v {
				v[j] = float32(vecs.At(j, i))
			}
			return v
		}
	}
	t.Fatal("no second eigenvalue")
	return nil
}

// maxGradNormHeads returns max over rows and heads of |∇ₓφ_j|.
func maxGradNormHeads(n *Net, x []float32, rows int) float64 {
	in, out := n.Config().In, n.Config().Out
	var m float64
	dout := make([]float32, rows*out)
	dx := make([]float32, rows*in)
	for j := range out {
		clear(dout)
		for i := range rows {
			dout[i*out+j] = 1
		}
		n.Forward(x, rows)
		n.InputGradTo(dx, dout)
		m = math.Max(m, maxRowNorm(dx, rows, in))
	}
	return m
}

func maxRowNorm(x []float32, rows, d int) float64 {
	var m float64
	for i := range rows {
		m = math.Max(m, norm32(x[i*d:(i+1)*d]))
	}
	return m
}

// TestConvSpeedLimit checks the speed limit |∇ₓφ| ≤ L (eq. (11)) for CNNs
// with Spectral, with the exact and with the circulant certificates: the
// layer bounds multiply to at most L, and ∇ₓφ of every head at random
// inputs is at most L(1+1e-4), at New and during training with random
// gradients.
func TestConvSpeedLimit(t *testing.T) {
	for _, tc := range []struct {
		shape  [3]int
		conv   []int
		hidden []int
		out    int
		L      float64
		opt    string
	}{
		{[3]int{12, 12, 1}, []int{8, 8}, []int{16}, 3, 1, "sgd"},
		{[3]int{9, 9, 3}, []int{6, 4, 4}, nil, 1, 5, "adam"},
		{[3]int{16, 16, 2}, []int{2}, []int{8, 8}, 2, 0.5, "adam"},
	} {
		for _, mode := range []int{1, 2} {
			name := fmt.Sprintf("%v-%v-%v-%d/L=%g/%s/%s", tc.shape, tc.conv, tc.hidden, tc.out, tc.L, tc.opt,
				[]string{"", "exact", "circulant"}[mode])
			t.Run(name, func(t *testing.T) {
				defer func(f int) { forceCert = f }(forceCert)
				forceCert = mode
				n, err := New(Config{InShape: tc.shape, Conv: tc.conv, Hidden: tc.hidden, Out: tc.out, Act: ReLU,
					Lipschitz: tc.L, Norm: Spectral, Seed: 21})
				if err != nil {
					t.Fatal(err)
				}
				rng := newRand(22)
				const rows = 300
				x := randSlice(rng, rows*n.Config().In)
				randomTraining(n, tc.opt, rng, 31, func(step int, prod float64) {
					// 1e-9 covers the SVD's and eigensolver's rounding.
					if prod > tc.L*(1+1e-9) || prod < tc.L*(1-2*float64(n.Depth())*certSlack) {
						t.Fatalf("step %d: Π ‖layer‖ = %.10g, want ≈ L = %g from below", step, prod, tc.L)
					}
					if g := maxGradNormHeads(n, x, rows); g > tc.L*(1+1e-4) {
						t.Fatalf("step %d: max |∇φ| = %.8g > L(1+1e-4), L = %g", step, g, tc.L)
					}
				})
			})
		}
	}
}

// TestConvFrobeniusNotLipschitz documents that Frobenius (the authors'
// tf.norm(W)) does not bound a CNN's Lipschitz constant: ‖K‖_F = L^{1/D}
// leaves the operator norm of a smooth kernel's convolution well above it,
// and φ(x) = w·a(K ⊛ x) with w along the top left singular vector moves
// particles faster than L. Spectral on the same net keeps |∇φ| ≤ L.
func TestConvFrobeniusNotLipschitz(t *testing.T) {
	for _, nm := range []Normalization{Frobenius, Spectral} {
		t.Run(nm.String(), func(t *testing.T) {
			// Slope near 1: φ is almost linear, ∇φ ≈ Aᵀw.
			n, err := New(Config{InShape: [3]int{12, 12, 2}, Conv: []int{3}, Out: 1, Slope: 0.999, Lipschitz: 1, Norm: nm, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			c := n.layers[0].(*conv)
			rng := newRand(6)
			for i := range c.w {
				c.w[i] = float32(math.Abs(rng.NormFloat64())) // positive: a blur, as trained kernels often are
			}
			n.Normalize()
			a := convMatrix(c)
			var svd mat.SVD
			if !svd.Factorize(a, mat.SVDThin) {
				t.Fatal("SVD failed")
			}
			var u mat.Dense
			svd.UTo(&u)
			d := n.layers[1].(*dense)
			for i := range d.w {
				d.w[i] = float32(u.At(i, 0))
			}
			n.Normalize()
			ratio := svd.Values(nil)[0] / norm32(c.w)
			rows, in := 200, n.Config().In
			x := randSlice(rng, rows*in)
			speed := maxGradNormHeads(n, x, rows)
			t.Logf("%v: σ_max(A)/‖K‖_F = %.3f, max |∇φ| = %.4f (L = 1)", nm, ratio, speed)
			if nm == Spectral {
				if speed > 1+1e-4 {
					t.Errorf("spectral: max |∇φ| = %.6g > L", speed)
				}
				return
			}
			// Measured: σ_max(A)/‖K‖_F = 1.93 and max |∇φ| = 1.93 with this
			// seed (a single-channel box blur reaches 13/5 = 2.6 on large
			// images); require a clear violation.
			if ratio < 1.5 || speed < 1.5 {
				t.Errorf("frobenius: σ_max(A)/‖K‖_F = %.3f, max |∇φ| = %.3f, want both > 1.5", ratio, speed)
			}
		})
	}
}

// TestConvAdjoint checks ⟨im2col(x), y⟩ = ⟨x, col2im(y)⟩.
func TestConvAdjoint(t *testing.T) {
	g := newConvGeom(7, 6, 3, 2, convKernel, convStride)
	np := g.patch() * g.cout
	c := newConv(g, make([]float32, np), make([]float32, np), make([]float32, convPowerLen(g)))
	rng := newRand(7)
	const rows = 2
	x := randSlice(rng, rows*g.inSize())
	c.im2col(x, rows)
	cx := slices.Clone(c.cols[:rows*g.ho*g.wo*g.patch()])
	y := randSlice(rng, len(cx))
	copy(c.cols, y)
	dx := make([]float32, len(x))
	c.col2im(dx, rows)
	var lhs, rhs float64
	for i := range cx {
		lhs += float64(cx[i]) * float64(y[i])
	}
	for i := range x {
		rhs += float64(x[i]) * float64(dx[i])
	}
	// float32 inputs, float64 sums; col2im adds ≤ 9 float32 terms per pixel.
	if !close32(lhs, rhs, 1e-4, 1e-5) {
		t.Errorf("⟨im2col x, y⟩ = %g, ⟨x, col2im y⟩ = %g", lhs, rhs)
	}
}

func TestConvConfigErrors(t *testing.T) {
	ok := Config{InShape: [3]int{8, 8, 1}, Conv: []int{4}, Out: 1, Lipschitz: 1}
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"no shape", func(c *Config) { c.InShape = [3]int{} }},
		{"zero channel in shape", func(c *Config) { c.InShape[2] = 0 }},
		{"In differs", func(c *Config) { c.In = 63 }},
		{"zero conv channels", func(c *Config) { c.Conv = []int{4, 0} }},
		{"huge shape", func(c *Config) { c.InShape = [3]int{1 << 13, 1 << 13, 1} }},
		{"huge conv output", func(c *Config) { c.InShape = [3]int{1024, 1024, 1}; c.Conv = []int{1 << 10} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			if _, err := New(c); !errors.Is(err, ErrConfig) {
				t.Errorf("New(%+v) error = %v, want ErrConfig", c, err)
			}
		})
	}
	c := ok
	c.In = 64
	if _, err := New(c); err != nil {
		t.Errorf("In = H·W·C: %v", err)
	}
}

func TestConvZeroAllocs(t *testing.T) {
	for _, nm := range []Normalization{Spectral, Frobenius} {
		n, _ := New(Config{InShape: [3]int{14, 14, 1}, Conv: []int{8, 16}, Hidden: []int{32}, Out: 10,
			Lipschitz: 1, Norm: nm, Seed: 8})
		rows, in := 40, n.Config().In
		n.Reserve(rows)
		rng := newRand(1)
		x, dout := randSlice(rng, rows*in), randSlice(rng, rows*10)
		dx := make([]float32, rows*in)
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
		if allocs := testing.AllocsPerRun(10, step); allocs != 0 {
			t.Errorf("%v: %v allocations per step, want 0", nm, allocs)
		}
	}
}

// TestConvImplicit checks the implicit-GEMM convolutions (conv_implicit.go)
// against the im2col path: the forward to the bit, the kernel and input
// gradients to float32 rounding (their sums run in another order), on one
// and two threads, with panels of 32, 16 and fewer columns and row tiles
// of every height.
func TestConvImplicit(t *testing.T) {
	if !useAVX512 {
		t.Skip("the implicit path needs AVX-512")
	}
	defer SetThreads(SetThreads(1))
	for _, tc := range []struct {
		shape [3]int
		conv  []int
		rows  int
	}{
		{[3]int{14, 14, 8}, []int{40, 16}, 21},
		{[3]int{9, 7, 16}, []int{20, 8}, 3},
		{[3]int{7, 7, 32}, []int{48}, 7},
		{[3]int{6, 5, 8}, []int{33}, 2},
	} {
		for _, threads := range []int{1, 2} {
			name := fmt.Sprintf("%v-%v/threads=%d", tc.shape, tc.conv, threads)
			t.Run(name, func(t *testing.T) {
				SetThreads(threads)
				n, err := New(Config{InShape: tc.shape, Conv: tc.conv, Out: 3, Lipschitz: 1, Seed: 9})
				if err != nil {
					t.Fatal(err)
				}
				in := n.Config().In
				rng := newRand(21)
				x, dout := randSlice(rng, tc.rows*in), randSlice(rng, tc.rows*3)
				run := func(im2col bool) (y, dx, g []float32) {
					forceIm2col = im2col
					defer func() { forceIm2col = false }()
					y = slices.Clone(n.Forward(x, tc.rows))
					n.ZeroGrad()
					dx = make([]float32, tc.rows*in)
					n.Backward(dout, dx)
					return y, dx, slices.Clone(n.Grads())
				}
				y0, dx0, g0 := run(true)
				y1, dx1, g1 := run(false)
				for i := range y0 {
					if y0[i] != y1[i] {
						t.Fatalf("φ[%d] = %g implicit, %g im2col", i, y1[i], y0[i])
					}
				}
				for _, c := range []struct {
					what      string
					got, want []float32
				}{{"∂ℓ/∂x", dx1, dx0}, {"∂ℓ/∂θ", g1, g0}} {
					var scale float64
					for _, v := range c.want {
						scale = max(scale, math.Abs(float64(v)))
					}
					for i := range c.want {
						// float32 sums of ≤ 25·128 terms in another order.
						if !close32(float64(c.got[i]), float64(c.want[i]), 1e-5*scale, 1e-4) {
							t.Fatalf("%s[%d] = %g implicit, %g im2col", c.what, i, c.got[i], c.want[i])
						}
					}
				}
			})
		}
	}
}
