package core

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// embed is the decoder z ↦ (z, 0, 0) from R² to R⁴: an isometry, a_D = 1.
type embed struct{}

func (embed) DecodeTo(dst, z []float32, rows int) {
	for i := range rows {
		dst[4*i], dst[4*i+1], dst[4*i+2], dst[4*i+3] = z[2*i], z[2*i+1], 0, 0
	}
}
func (embed) Dims() (int, int)   { return 4, 2 }
func (embed) Lipschitz() float64 { return 1 }

// TestTheorem51Isometry: with an isometric decoder and Q in its range
// (D#E#Q = Q), every L-Lipschitz function of the latent space extends to
// data space (McShane), so the two sides of eq. (14) are equal: here the
// Gaussian closed form D_L = L·r − L²/2 = 2.5 for r = 3, L = 1
// (reference-code.md). All three estimates agree with it within 4%, per
// seed and at both budgets.
func TestTheorem51Isometry(t *testing.T) {
	if testing.Short() {
		t.Skip("trains discriminators")
	}
	const n = 400
	rng := rand.New(rand.NewPCG(21, 22))
	x := randn(rng, n*2, 0)
	y := randn(rng, n*2, 0)
	for i := range n {
		y[2*i] += 3
	}
	data := make([]float32, n*4)
	embed{}.DecodeTo(data, x, n)
	p := &Problem{X: x, N: n, Y: y, M: n, D: 2, Decoder: embed{}, DataX: data, DataD: 4}
	s := mustNew(t, gpaConfig(), p)
	b, err := s.Theorem51(1200, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, side := range map[string]BoundSide{"real": b.Real, "reconstructed": b.Recon, "latent": b.Latent} {
		if len(side.Values) != 2 || len(side.Quarter) != 2 || len(side.SGD) != 2 || len(side.Adam) != 2 {
			t.Fatalf("%s: %d values, %d at a quarter budget, want 2 seeds", name, len(side.Values), len(side.Quarter))
		}
		for k, v := range append(side.Values, side.Quarter...) {
			if math.Abs(v-2.5) > 0.1 {
				t.Errorf("%s side, estimate %d = %.4f, want 2.5 within 4%%", name, k, v)
			}
		}
		for k, v := range side.Values {
			if v != math.Max(side.SGD[k], side.Adam[k]) {
				t.Errorf("%s: estimate %d = %g, want the larger of SGD %g and Adam %g", name, k, v, side.SGD[k], side.Adam[k])
			}
		}
		if m, sd := meanSD(side.Values); m != side.Mean || sd != side.SD {
			t.Errorf("%s: mean ± sd %g ± %g, want %g ± %g", name, side.Mean, side.SD, m, sd)
		}
	}
	if b.DecoderLip != 1 || b.L != 1 || b.Iters != 1200 || b.Seeds != 2 {
		t.Errorf("bound metadata %+v", b)
	}
}

// Theorem51 asks its stop function before every estimate and returns
// ErrStopped as soon as it says so.
func TestTheorem51Stop(t *testing.T) {
	const n = 50
	rng := rand.New(rand.NewPCG(23, 24))
	x, y := randn(rng, n*2, 0), randn(rng, n*2, 1)
	data := make([]float32, n*4)
	embed{}.DecodeTo(data, x, n)
	s := mustNew(t, gpaConfig(), &Problem{X: x, N: n, Y: y, M: n, D: 2, Decoder: embed{}, DataX: data, DataD: 4})
	asked := 0
	_, err := s.Theorem51(8, 2, func() bool { asked++; return asked == 3 })
	if !errors.Is(err, ErrStopped) || asked != 3 {
		t.Errorf("Theorem51 returned %v after %d questions, want ErrStopped after 3", err, asked)
	}
}
