package images

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestMemorizationThreshold(t *testing.T) {
	tests := []struct {
		x    []float32
		want float64
	}{
		{[]float32{0, 1, 3, 7}, 1.5},   // NN distances 1 1 2 4: median (1+2)/2
		{[]float32{7, 0, 15, 3, 1}, 2}, // 1 1 2 4 8 in some order
		{[]float32{0, 0, 5}, 0},        // a duplicated target: 0 0 5
	}
	for _, tt := range tests {
		if got := NewMemorization(tt.x, len(tt.x), 1).Threshold; got != tt.want {
			t.Errorf("τ(%v) = %g, want %g", tt.x, got, tt.want)
		}
	}
}

func TestMemorizationConstructed(t *testing.T) {
	mz := NewMemorization([]float32{0, 1, 3, 7}, 4, 1) // τ = 1.5
	tests := []struct {
		name string
		y    []float32
		want MemorizationResult
	}{
		{"copies", []float32{0, 1, 3, 7, 7, 3}, MemorizationResult{1, 1, 0}},
		{"far away", []float32{100, 200}, MemorizationResult{0, 0, 143}},
		// Midpoints are within τ of a target but equidistant from two:
		// Share counts them, RatioShare does not.
		{"midpoints", []float32{0.5, 2, 5}, MemorizationResult{2.0 / 3, 0, 3.5 / 3}},
		// 3.1: d₁ = 0.1, d₂ = 1.9, ratio < 1/3. 5.5: d₁ = 1.5, not < τ.
		{"near copy and boundary", []float32{3.1, 5.5}, MemorizationResult{0.5, 0.5, 0.8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mz.Measure(tt.y, len(tt.y))
			if !close64(got.Share, tt.want.Share, 1e-12, 0) || !close64(got.RatioShare, tt.want.RatioShare, 1e-12, 0) ||
				!close64(got.MeanNearest, tt.want.MeanNearest, 1e-6, 0) { // float32 coordinates
				t.Fatalf("Measure = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// naiveMemorization is the oracle: full distances, no pruning.
func naiveMemorization(y []float32, m int, x []float32, n, d int) (tau float64, res MemorizationResult) {
	dist := func(a, b []float32) float64 {
		var s float64
		for j := range a {
			s += float64(a[j]-b[j]) * float64(a[j]-b[j])
		}
		return math.Sqrt(s)
	}
	nn := make([]float64, n)
	for j := range n {
		nn[j] = math.Inf(1)
		for k := range n {
			if k != j {
				nn[j] = min(nn[j], dist(x[j*d:(j+1)*d], x[k*d:(k+1)*d]))
			}
		}
	}
	// median by selection (sort a copy)
	s := append([]float64(nil), nn...)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	tau = s[n/2]
	if n%2 == 0 {
		tau = (s[n/2-1] + s[n/2]) / 2
	}
	for i := range m {
		d1, d2 := math.Inf(1), math.Inf(1)
		for j := range n {
			v := dist(y[i*d:(i+1)*d], x[j*d:(j+1)*d])
			if v < d1 {
				d1, d2 = v, d1
			} else if v < d2 {
				d2 = v
			}
		}
		if d1 < tau {
			res.Share++
		}
		if d1 < d2/3 {
			res.RatioShare++
		}
		res.MeanNearest += d1
	}
	res.Share /= float64(m)
	res.RatioShare /= float64(m)
	res.MeanNearest /= float64(m)
	return tau, res
}

// The pruned search must agree with the oracle. Particles are a mix of
// near-copies and fresh draws so that every counter is exercised.
func TestMemorizationMatchesOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, m, d = 60, 80, 150
	x := make([]float32, n*d)
	y := make([]float32, m*d)
	Uniform.SampleTo(x, rng)
	Uniform.SampleTo(y, rng)
	for i := range m / 2 { // half the particles: a target plus small noise
		j := rng.IntN(n)
		for k := range d {
			y[i*d+k] = x[j*d+k] + 0.02*float32(rng.NormFloat64())
		}
	}
	mz := NewMemorization(x, n, d)
	got := mz.Measure(y, m)
	tau, want := naiveMemorization(y, m, x, n, d)
	// Distances: 1e-6 relative covers sqDist's float32 block sums
	// (≈1e-8 seen). Counts must match exactly.
	if !close64(mz.Threshold, tau, 0, 1e-6) || got.Share != want.Share ||
		got.RatioShare != want.RatioShare || !close64(got.MeanNearest, want.MeanNearest, 0, 1e-6) {
		t.Fatalf("τ = %g, %+v; oracle τ = %g, %+v", mz.Threshold, got, tau, want)
	}
	if want.RatioShare < 0.4 || want.Share > 0.9 {
		t.Fatalf("oracle %+v: the test data do not exercise both counters", want)
	}
}

// Fresh samples from the target distribution give Share ≈ 1/2 (the
// baseline documented on MemorizationResult.Share) and RatioShare ≈ 0.
// With 400 targets the median's quantile has standard error
// ≈ 1/√(4·400) = 0.025; ±0.1 is 4 standard errors.
func TestMemorizationFreshSamplesBaseline(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	const n, m, d = 400, 2000, 8
	x, y := make([]float32, n*d), make([]float32, m*d)
	Gaussian.SampleTo(x, rng)
	Gaussian.SampleTo(y, rng)
	got := NewMemorization(x, n, d).Measure(y, m)
	if !close64(got.Share, 0.5, 0.1, 0) || got.RatioShare > 0.05 {
		t.Fatalf("fresh samples: %+v, want Share ≈ 0.5 and RatioShare ≈ 0", got)
	}
}
