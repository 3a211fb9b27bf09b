package lipnet

import (
	"math"
	"slices"
	"testing"
)

func TestSGD(t *testing.T) {
	o := NewSGD(0.5)
	p := []float32{1, -2, 3}
	o.Step(p, []float32{2, 2, -4})
	if want := []float32{0, -3, 5}; !slices.Equal(p, want) {
		t.Errorf("SGD step = %v, want %v", p, want)
	}
	o.SetLR(0.25)
	if o.LR() != 0.25 || o.Name() != "sgd" || len(o.State()) != 0 {
		t.Errorf("LR %g, Name %q, len(State) %d", o.LR(), o.Name(), len(o.State()))
	}
}

// adamRef is Adam written out by hand for one parameter (TensorFlow form).
func adamRef(lr float64, gs []float64, p float64) float64 {
	var m, v float64
	for t, g := range gs {
		m = 0.9*m + 0.1*g
		v = 0.999*v + 0.001*g*g
		k := float64(t + 1)
		p -= lr * math.Sqrt(1-math.Pow(0.999, k)) / (1 - math.Pow(0.9, k)) * m / (math.Sqrt(v) + 1e-8)
	}
	return p
}

func TestAdam(t *testing.T) {
	o := NewAdam(0.1, 2)
	p := []float32{1, -1}
	// First step by hand: m = 0.1g, v = 0.001g², lr_t = 0.1·√0.001/0.1,
	// so θ moves by −lr_t·0.1g/(√0.001|g| + 1e-8) ≈ −0.1·sign(g).
	o.Step(p, []float32{3, -0.5})
	want0 := 1 - 0.1*math.Sqrt(0.001)/0.1*0.3/(math.Sqrt(0.001)*3+1e-8)
	if !close32(float64(p[0]), want0, 0, 1e-6) || !close32(float64(p[1]), -1+0.1, 0, 1e-6) {
		t.Fatalf("first Adam step = %v, want [%g, -0.9]", p, want0)
	}
	gs := [][]float32{{1, -2}, {0.5, 0}, {-4, 1e-3}}
	for _, g := range gs {
		o.Step(p, g)
	}
	for i := range p {
		seq := []float64{[]float64{3, -0.5}[i]}
		for _, g := range gs {
			seq = append(seq, float64(g[i]))
		}
		// float32 moments: a few ulps per step.
		if want := adamRef(0.1, seq, []float64{1, -1}[i]); !close32(float64(p[i]), want, 1e-6, 1e-5) {
			t.Errorf("after 4 steps θ[%d] = %g, want %g", i, p[i], want)
		}
	}
	// State round trip and Reset.
	st := slices.Clone(o.State())
	if len(st) != 5 || st[4] != 4 {
		t.Fatalf("State = %v, want m, v and t = 4", st)
	}
	o2 := NewAdam(0.1, 2)
	o2.SetState(st)
	p2 := slices.Clone(p)
	o.Step(p, []float32{1, 1})
	o2.Step(p2, []float32{1, 1})
	if !slices.Equal(p, p2) {
		t.Errorf("restored Adam steps to %v, want %v", p2, p)
	}
	o.Reset()
	for _, v := range o.State() {
		if v != 0 {
			t.Fatalf("Reset left state %v", o.State())
		}
	}
	o.SetLR(0.3)
	if o.LR() != 0.3 || o.Name() != "adam" {
		t.Errorf("LR %g, Name %q", o.LR(), o.Name())
	}
}

// TestAdamBetas: NewAdam is NewAdamBetas with β = (0.9, 0.999) bit for
// bit, and β₁ = 0 makes the first moment the last gradient.
func TestAdamBetas(t *testing.T) {
	params := func() []float32 { return []float32{1, -2, 0.5} }
	a, b := params(), params()
	oa, ob := NewAdam(0.01, 3), NewAdamBetas(0.01, 0.9, 0.999, 3)
	for k := range 5 {
		g := []float32{0.3 * float32(k+1), -1, 2e-3}
		oa.Step(a, g)
		ob.Step(b, g)
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			t.Errorf("param %d: NewAdam %v, NewAdamBetas(0.9, 0.999) %v", i, a[i], b[i])
		}
	}
	o := NewAdamBetas(0.1, 0, 0.9, 3)
	p := params()
	o.Step(p, []float32{1, 2, 3})
	o.Step(p, []float32{-4, 5, 0})
	if m := o.State()[:3]; m[0] != -4 || m[1] != 5 || m[2] != 0 {
		t.Errorf("β₁ = 0: first moment %v, want the last gradient [-4 5 0]", m)
	}
}

// TestSGDKernel: sgdTo (AVX2 by 32 floats) computes the bits of sgdGo.
func TestSGDKernel(t *testing.T) {
	rng := newRand(7)
	for _, n := range []int{0, 1, 31, 32, 33, 64, 100, 1000} {
		p := randSlice(rng, n)
		g := randSlice(rng, n)
		q := append([]float32(nil), p...)
		for _, lr := range []float32{0.005, 1e-9, 3} {
			sgdTo(p, g, lr)
			sgdGo(q, g, lr)
			for i := range p {
				if math.Float32bits(p[i]) != math.Float32bits(q[i]) {
					t.Fatalf("n=%d lr=%v: p[%d] = %v, want %v", n, lr, i, p[i], q[i])
				}
			}
		}
	}
}

// TestRescaleKernel: rescale (AVX2 by 8 floats) computes the bits of
// rescaleGo.
func TestRescaleKernel(t *testing.T) {
	rng := newRand(8)
	for _, n := range []int{0, 1, 7, 8, 9, 64, 100, 1000} {
		for _, scale := range []float64{0.999, 1 / 3.0, 1e-30, 7.1e30} {
			p := randSlice(rng, n)
			q := append([]float32(nil), p...)
			rescale(p, scale, 1, 0)
			rescaleGo(q, scale)
			for i := range p {
				if math.Float32bits(p[i]) != math.Float32bits(q[i]) {
					t.Fatalf("n=%d scale=%v: w[%d] = %v, want %v", n, scale, i, p[i], q[i])
				}
			}
		}
	}
}
