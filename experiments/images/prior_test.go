package images

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPriorMoments compares sample mean and variance with the closed
// forms; tolerances are 5 standard errors for n = 200,000 draws.
func TestPriorMoments(t *testing.T) {
	const n = 200_000
	tests := []struct {
		p              Prior
		mean, variance float64
		kurt           float64 // E[(x−μ)⁴]/σ⁴, for the variance's standard error
		lo, hi         float64 // support
	}{
		{Logistic, 0, math.Pi * math.Pi / 3, 4.2, math.Inf(-1), math.Inf(1)},
		{Uniform, 0.5, 1.0 / 12, 1.8, 0, 1},
		{Gaussian, 0, 1, 3, math.Inf(-1), math.Inf(1)},
	}
	for _, tt := range tests {
		t.Run(tt.p.String(), func(t *testing.T) {
			x := make([]float32, n)
			tt.p.SampleTo(x, rand.New(rand.NewPCG(7, 8)))
			var s, s2 float64
			for _, v := range x {
				if !(float64(v) >= tt.lo && float64(v) <= tt.hi) || math.IsInf(float64(v), 0) {
					t.Fatalf("sample %g outside [%g, %g]", v, tt.lo, tt.hi)
				}
				s += float64(v)
			}
			mean := s / n
			for _, v := range x {
				s2 += (float64(v) - mean) * (float64(v) - mean)
			}
			variance := s2 / (n - 1)
			seMean := math.Sqrt(tt.variance / n)
			seVar := tt.variance * math.Sqrt((tt.kurt-1)/n)
			if !close64(mean, tt.mean, 5*seMean, 0) || !close64(variance, tt.variance, 5*seVar, 0) {
				t.Fatalf("mean %g var %g, want %g %g", mean, variance, tt.mean, tt.variance)
			}
		})
	}
}

func TestParsePrior(t *testing.T) {
	for _, p := range []Prior{Logistic, Uniform, Gaussian} {
		if got, err := ParsePrior(p.String()); err != nil || got != p {
			t.Errorf("ParsePrior(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParsePrior("cauchy"); err == nil {
		t.Error("ParsePrior(cauchy): no error")
	}
}

func TestClassLabels(t *testing.T) {
	tests := []struct {
		m, classes int
		sizes      []int
	}{
		{600, 10, slices.Repeat([]int{60}, 10)},
		{200, 10, slices.Repeat([]int{20}, 10)},
		{7, 3, []int{3, 2, 2}},
		{2, 3, []int{1, 1, 0}},
	}
	for _, tt := range tests {
		l := ClassLabels(tt.m, tt.classes)
		sizes := make([]int, tt.classes)
		for i, c := range l {
			sizes[c]++
			if i > 0 && c < l[i-1] {
				t.Fatalf("ClassLabels(%d, %d) = %v, not in blocks", tt.m, tt.classes, l)
			}
		}
		if !slices.Equal(sizes, tt.sizes) {
			t.Errorf("ClassLabels(%d, %d) block sizes %v, want %v", tt.m, tt.classes, sizes, tt.sizes)
		}
	}
}
