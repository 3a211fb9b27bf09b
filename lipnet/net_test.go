package lipnet

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"
)

// ref64 is a float64 re-implementation of a Net's forward pass, the oracle
// for the gradient checks.
type ref64 struct {
	dims  []int
	p     []float64 // Params layout
	act   Activation
	slope float64
}

func newRef64(n *Net) *ref64 {
	r := &ref64{dims: n.cfg.dims(), act: n.cfg.Act, slope: float64(n.cfg.Slope)}
	for _, v := range n.Params() {
		r.p = append(r.p, float64(v))
	}
	return r
}

func (r *ref64) activate(z float64) float64 {
	switch r.act {
	case ReLU:
		return math.Max(z, 0)
	case LeakyReLU:
		return math.Max(z, r.slope*z)
	case Softplus:
		return math.Max(z, 0) + math.Log1p(math.Exp(-math.Abs(z)))
	default: // ELU
		if z > 0 {
			return z
		}
		return math.Expm1(z)
	}
}

// forward evaluates φ at one sample x.
func (r *ref64) forward(x []float64) []float64 {
	off := 0
	h := x
	D := len(r.dims) - 1
	for l := range D {
		in, out := r.dims[l], r.dims[l+1]
		z := make([]float64, out)
		for j := range out {
			s := r.p[off+in*out+j]
			for k := range in {
				s += h[k] * r.p[off+k*out+j]
			}
			if l < D-1 && r.act != GroupSort {
				s = r.activate(s)
			}
			z[j] = s
		}
		if l < D-1 && r.act == GroupSort {
			maxMin64(z)
		}
		off += (in + 1) * out
		h = z
	}
	return h
}

// loss returns ℓ = Σ_i Σ_j dout[i][j]·φ(x_i)_j.
func (r *ref64) loss(x []float64, rows int, dout []float32) float64 {
	in, out := r.dims[0], r.dims[len(r.dims)-1]
	var s float64
	for i := range rows {
		y := r.forward(x[i*in : (i+1)*in])
		for j, v := range y {
			s += float64(dout[i*out+j]) * v
		}
	}
	return s
}

// gradCases are architectures that exercise every kernel path: wide and
// narrow (< 8) inputs and outputs, masked panels, several heads.
var gradCases = []struct {
	in     int
	hidden []int
	out    int
}{
	{3, []int{10, 12}, 2}, // narrow input (dx by dot products), 2 heads
	{9, []int{17}, 1},     // scalar potential (forward and ∂W by dot products)
	{2, []int{4}, 3},      // everything narrower than a vector
	{12, []int{16, 16}, 10},
	{20, []int{5}, 9}, // narrow hidden layer: fused activation done in Go
}

func TestGradients(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		for ci, gc := range gradCases {
			for a := ReLU; a <= ELU; a++ {
				name := fmt.Sprintf("%d-%v-%d/%v", gc.in, gc.hidden, gc.out, a)
				t.Run(name, func(t *testing.T) {
					checkGradients(t, gc.in, gc.hidden, gc.out, a, uint64(10*ci)+uint64(a))
				})
			}
		}
	})
}

func checkGradients(t *testing.T, in int, hidden []int, out int, a Activation, seed uint64) {
	const rows = 7
	n, err := New(Config{In: in, Hidden: hidden, Out: out, Act: a, Lipschitz: 3, Norm: Spectral, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(seed + 100)
	// Non-zero biases, so that the test sees them.
	p := n.Params()
	for i := range p {
		p[i] += 0.1 * float32(rng.NormFloat64())
	}
	x := randSlice(rng, rows*in)
	dout := randSlice(rng, rows*out)
	y := n.Forward(x, rows)
	ref := newRef64(n)
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	for i := range rows {
		want := ref.forward(x64[i*in : (i+1)*in])
		for j, w := range want {
			// float32 forward pass: a few ulps per layer.
			if !close32(float64(y[i*out+j]), w, 1e-5, 1e-4) {
				t.Fatalf("φ(x_%d)_%d = %g, want %g", i, j, y[i*out+j], w)
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
	// float32 back-propagation against float64 differences: relative 1e-3,
	// absolute 1e-4 (gradients here are O(1)).
	for i := range ref.p {
		want := fd(&ref.p[i])
		if got := float64(n.Grads()[i]); !close32(got, want, 1e-4, 1e-3) {
			t.Errorf("∂ℓ/∂θ[%d] = %g, want %g", i, got, want)
		}
	}
	for i := range x64 {
		want := fd(&x64[i])
		if got := float64(dx[i]); !close32(got, want, 1e-4, 1e-3) {
			t.Errorf("∂ℓ/∂x[%d] = %g, want %g", i, got, want)
		}
	}
	// InputGradTo gives the same dx and leaves the gradients alone.
	g0 := slices.Clone(n.Grads())
	dx2 := make([]float32, rows*in)
	n.InputGradTo(dx2, dout)
	if !slices.Equal(dx, dx2) {
		t.Errorf("InputGradTo dx differs from Backward dx")
	}
	if !slices.Equal(g0, n.Grads()) {
		t.Errorf("InputGradTo changed the gradients")
	}
	// Backward accumulates.
	n.Backward(dout, nil)
	for i, g := range n.Grads() {
		if !close32(float64(g), 2*float64(g0[i]), 1e-6, 1e-5) {
			t.Fatalf("after two Backward, grad[%d] = %g, want 2·%g", i, g, g0[i])
		}
	}
}

func TestConfigErrors(t *testing.T) {
	ok := Config{In: 2, Hidden: []int{8}, Out: 1, Lipschitz: 1}
	for _, tc := range []struct {
		name string
		edit func(*Config)
	}{
		{"in 0", func(c *Config) { c.In = 0 }},
		{"out 0", func(c *Config) { c.Out = 0 }},
		{"hidden 0", func(c *Config) { c.Hidden = []int{8, 0} }},
		{"hidden huge", func(c *Config) { c.Hidden = []int{1 << 30} }},
		{"too many params", func(c *Config) { c.Hidden = []int{1 << 16, 1 << 16} }},
		{"activation", func(c *Config) { c.Act = 9 }},
		{"normalization", func(c *Config) { c.Norm = 7 }},
		{"slope 1", func(c *Config) { c.Slope = 1 }},
		{"slope negative", func(c *Config) { c.Slope = -0.1 }},
		{"slope NaN", func(c *Config) { c.Slope = float32(math.NaN()) }},
		{"L 0", func(c *Config) { c.Lipschitz = 0 }},
		{"L negative", func(c *Config) { c.Lipschitz = -1 }},
		{"L NaN", func(c *Config) { c.Lipschitz = math.NaN() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ok
			tc.edit(&c)
			if _, err := New(c); !errors.Is(err, ErrConfig) {
				t.Errorf("New(%+v) error = %v, want ErrConfig", c, err)
			}
		})
	}
	n, err := New(Config{In: 2, Hidden: []int{8}, Out: 1, Act: LeakyReLU, Lipschitz: math.Inf(1)})
	if err != nil {
		t.Fatalf("valid config: %v", err)
	}
	if got := n.Config().Slope; got != DefaultSlope {
		t.Errorf("default slope = %v, want %v", got, DefaultSlope)
	}
	if n.Depth() != 2 {
		t.Errorf("Depth() = %d, want 2", n.Depth())
	}
	if want := (2+1)*8 + (8+1)*1; len(n.Params()) != want || len(n.Grads()) != want {
		t.Errorf("len(Params) = %d, len(Grads) = %d, want %d", len(n.Params()), len(n.Grads()), want)
	}
	if len(n.PowerVectors()) != 2+8 {
		t.Errorf("len(PowerVectors) = %d, want 10", len(n.PowerVectors()))
	}
}

func TestParse(t *testing.T) {
	for a := ReLU; a <= ELU; a++ {
		if got, err := ParseActivation(a.String()); err != nil || got != a {
			t.Errorf("ParseActivation(%q) = %v, %v", a.String(), got, err)
		}
	}
	for nm := Spectral; nm <= None; nm++ {
		if got, err := ParseNormalization(nm.String()); err != nil || got != nm {
			t.Errorf("ParseNormalization(%q) = %v, %v", nm.String(), got, err)
		}
	}
	if _, err := ParseActivation("tanh"); err == nil {
		t.Error("ParseActivation(tanh) succeeded")
	}
	if _, err := ParseNormalization("Spectral"); err == nil {
		t.Error("ParseNormalization(Spectral) succeeded")
	}
}

func TestSeeds(t *testing.T) {
	cfg := Config{In: 2, Hidden: []int{32, 32}, Out: 1, Lipschitz: 1, Seed: 7}
	a, _ := New(cfg)
	b, _ := New(cfg)
	if !slices.Equal(a.Params(), b.Params()) || !slices.Equal(a.PowerVectors(), b.PowerVectors()) {
		t.Error("same seed: different parameters")
	}
	cfg.Seed = 8
	c, _ := New(cfg)
	if slices.Equal(a.Params(), c.Params()) {
		t.Error("different seeds: same parameters")
	}
	// He init: zero biases, weight variance ≈ 2/fan_in before normalization.
	n, _ := New(Config{In: 64, Hidden: []int{64}, Out: 1, Lipschitz: 1, Norm: None, Seed: 1})
	w, bias := n.Params()[:64*64], n.Params()[64*64:64*65]
	var ss float64
	for _, v := range w {
		ss += float64(v) * float64(v)
	}
	// 4096 draws: the sample variance is within ±10% of 2/64 (≈ 4.5σ).
	if v := ss / float64(len(w)); !close32(v, 2.0/64, 0, 0.1) {
		t.Errorf("weight variance %g, want ≈ %g", v, 2.0/64)
	}
	for _, v := range bias {
		if v != 0 {
			t.Fatal("initial bias not zero")
		}
	}
}

func TestMisusePanics(t *testing.T) {
	n, _ := New(Config{In: 2, Hidden: []int{8}, Out: 1, Lipschitz: 1})
	for _, tc := range []struct {
		name, want string
		f          func()
	}{
		{"backward before forward", "lipnet: Net.Backward: no Forward before", func() { n.Backward(make([]float32, 4), nil) }},
		{"short x", "lipnet: Net.Forward: len(x) < rows·In", func() { n.Forward(make([]float32, 3), 2) }},
		{"short dout", "lipnet: Net.Backward: len(dout) < rows·Out", func() {
			n.Forward(make([]float32, 4), 2)
			n.Backward(make([]float32, 1), nil)
		}},
		{"nil dx", "lipnet: Net.InputGradTo: nil dx", func() { n.InputGradTo(nil, make([]float32, 2)) }},
		{"bad L", "lipnet: Net.SetLipschitz: L must be > 0", func() { n.SetLipschitz(math.NaN()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

func TestZeroAllocs(t *testing.T) {
	for _, a := range []Activation{ReLU, Softplus} {
		for _, nm := range []Normalization{Spectral, Frobenius} {
			n, _ := New(Config{In: 2, Hidden: []int{32, 32, 32}, Out: 1, Act: a, Lipschitz: 1, Norm: nm})
			rows := 70
			n.Reserve(rows)
			rng := newRand(1)
			x := randSlice(rng, rows*2)
			dout := randSlice(rng, rows)
			dx := make([]float32, rows*2)
			sgd, adam := NewSGD(0.01), NewAdam(0.01, len(n.Params()))
			step := func() {
				n.Forward(x, rows)
				n.ZeroGrad()
				n.Backward(dout, nil)
				sgd.Step(n.Params(), n.Grads())
				adam.Step(n.Params(), n.Grads())
				n.Normalize()
				n.Forward(x, rows)
				n.InputGradTo(dx, dout)
			}
			if allocs := testing.AllocsPerRun(20, step); allocs != 0 {
				t.Errorf("%v/%v: %v allocations per step, want 0", a, nm, allocs)
			}
		}
	}
}

func TestReserveAndRows(t *testing.T) {
	n, _ := New(Config{In: 3, Hidden: []int{16}, Out: 2, Lipschitz: 1, Seed: 4})
	rng := newRand(5)
	x := randSlice(rng, 50*3)
	want := slices.Clone(n.Forward(x, 50)) // grows the buffers itself
	if got := n.Forward(x, 0); len(got) != 0 {
		t.Errorf("Forward with 0 rows returned %d values", len(got))
	}
	n.Backward(nil, nil) // 0 rows: nothing to do
	n.Reserve(10)        // smaller than held: keeps the buffers
	n.Forward(x, 50)
	n.Reserve(200) // growing between Forward and Backward keeps the activations
	dx := make([]float32, 50*3)
	n.InputGradTo(dx, make([]float32, 100))
	for _, v := range dx {
		if v != 0 {
			t.Fatal("dout = 0 gave a non-zero input gradient")
		}
	}
	if got := n.Forward(x[:10*3], 10); !slices.Equal(got, want[:10*2]) {
		t.Errorf("first 10 rows differ when run alone: %v vs %v", got, want[:20])
	}
}
