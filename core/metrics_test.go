package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randn(rng *rand.Rand, n int, shift float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) + shift
	}
	return x
}

func TestMMD2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const d = 3
	a := randn(rng, 200*d, 0)
	b := randn(rng, 150*d, 0)
	c := randn(rng, 150*d, 2)
	// 0 up to the rounding of sums of 40,000 terms ≤ 1 (ε·√n ≈ 1e-14).
	if got := MMD2(a, 200, a, 200, d); got > 1e-12 {
		t.Errorf("MMD²(A, A) = %g, want 0 up to rounding", got)
	}
	same, far := MMD2(a, 200, b, 150, d), MMD2(a, 200, c, 150, d)
	// Two samples of N(0,I) of these sizes: the V-statistic's bias is
	// O(1/n) ≈ 0.01; a shift by 2√3 gives MMD² of order 0.5.
	if same > 0.03 {
		t.Errorf("MMD²(N(0,I), N(0,I)) = %g, want ≈ 0 (< 0.03)", same)
	}
	if far < 0.3 {
		t.Errorf("MMD²(N(0,I), N(2,I)) = %g, want > 0.3", far)
	}
	// Against the formula on two points in 1-D: y = {0}, x = {1}; one
	// target has no pairs, so h falls back to 1, k(0,1) = e^{-1/2} and
	// MMD² = 2 − 2e^{-1/2}.
	if got, want := MMD2([]float32{0}, 1, []float32{1}, 1, 1), 2-2*math.Exp(-0.5); math.Abs(got-want) > 1e-12 {
		t.Errorf("MMD²({0},{1}) = %.15g, want %.15g", got, want)
	}
}

// TestMedianDistance checks the bandwidth rule by hand: {0, 1, 3} has
// distances 1, 2, 3 (median 2); {0, 1, 3, 7} has 1, 2, 3, 4, 6, 7 (median
// (3+4)/2).
func TestMedianDistance(t *testing.T) {
	if got := medianDistance([]float32{0, 1, 3}, 3, 1, 1000); got != 2 {
		t.Errorf("median = %g, want 2", got)
	}
	if got := medianDistance([]float32{0, 1, 3, 7}, 4, 1, 1000); got != 3.5 {
		t.Errorf("median = %g, want 3.5", got)
	}
	if h := NewMMD([]float32{0, 1, 3, 7}, 4, 1).Bandwidth(); h != 3.5 {
		t.Errorf("bandwidth %g, want the targets' median distance 3.5", h)
	}
}

// TestMMDSubsample: above the row cap the estimate uses an evenly strided
// subsample; it stays close to the full estimate and costs a bounded time.
func TestMMDSubsample(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const d = 2
	x := randn(rng, 3000*d, 0)
	y := randn(rng, 2500*d, 0.5)
	full := &MMD{}
	*full = *NewMMD(x, 3000, d)
	capped := full.To(y, 2500)
	full.maxRows, full.nx = 1<<30, 3000
	full.kxx = kernelMean(x, 3000, 3000, x, 3000, 3000, d, full.g)
	exact := full.To(y, 2500)
	if math.Abs(capped-exact) > 0.1*exact {
		t.Errorf("subsampled MMD² %g, full %g: want within 10%%", capped, exact)
	}
}

// TestExpNeg compares the kernel's exponential with math.Exp on [−708, 0].
func TestExpNeg(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range 200000 {
		x := -708 * rng.Float64()
		if i < 1000 {
			x = -float64(i) / 1000 // near 0, where MMD values live
		}
		got, want := expNeg(x), math.Exp(x)
		if math.Abs(got-want) > 2e-15*want {

			t.Fatalf("expNeg(%v) = %v, want %v (rel. error %.2g)", x, got, want, math.Abs(got-want)/want)
		}
	}
	if expNeg(-800) != 0 || expNeg(0) != 1 {
		t.Errorf("expNeg(−800) = %v, expNeg(0) = %v", expNeg(-800), expNeg(0))
	}
}

// BenchmarkMMD is one MMD² measurement of the four-well size (M = N = 200,
// d = 2), the flow metric's cost every flow.metrics_every steps.
func BenchmarkMMD(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	x, y := randn(rng, 400, 0), randn(rng, 400, 1)
	m := NewMMD(x, 200, 2)
	b.ReportAllocs()
	for b.Loop() {
		m.To(y, 200)
	}
}

// expNegSum is the sum of expNeg's values, bit for bit (the same
// arithmetic, written out in the loop), zeros below −708 included.
func TestExpNegSum(t *testing.T) {
	ts := []float64{0, 1e-9, 0.5, 3, 17.25, 700, 1415, 1e6}
	for _, g := range []float64{0.5, 1, 2.75} {
		var want float64
		for _, v := range ts {
			want += expNeg(-g * v)
		}
		if got := expNegSum(ts, g); got != want {
			t.Errorf("g = %g: expNegSum = %v, Σ expNeg = %v", g, got, want)
		}
	}
}
