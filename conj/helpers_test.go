package conj

import (
	"math"
	"strings"
	"testing"
)

// divergences is the table every test runs over.
var divergences = []struct {
	name string
	f    F
}{
	{"kl", F{Kind: KL}},
	{"alpha:2", F{Kind: Alpha, Alpha: 2}},
	{"alpha:3", F{Kind: Alpha, Alpha: 3}},
	{"alpha:1.5", F{Kind: Alpha, Alpha: 1.5}},
	{"alpha:0.5", F{Kind: Alpha, Alpha: 0.5}},
	{"alpha:0.2", F{Kind: Alpha, Alpha: 0.2}},
	{"rkl", F{Kind: ReverseKL}},
	{"js", F{Kind: JensenShannon}},
	{"w1", F{Kind: Wasserstein}},
}

// close64 reports |a − b| ≤ abs + rel·max(|a|, |b|); equal infinities are close.
func close64(a, b, abs, rel float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= abs+rel*max(math.Abs(a), math.Abs(b))
}

// close32 is close64 for float32 values (weights written by ConjMeanGradTo).
func close32(a, b float32, abs, rel float64) bool {
	return close64(float64(a), float64(b), abs, rel)
}

// interiorX are points in the interior of dom f (except for w1, whose
// domain is {1}): maximisers x* = (f*)'(y) for the y = f'(x) used below.
var interiorX = []float64{0.2, 0.5, 1, 1.5, 2, 5, 10}

// xs returns interiorX, or {1} for Wasserstein.
func xs(f F) []float64 {
	if f.Kind == Wasserstein {
		return []float64{1}
	}
	return interiorX
}

// ys returns a grid of points in dom f*: f'(x) for x in xs(f), plus a few
// more negative points (and y ≤ 0, where x* = 0, for α > 1).
func ys(f F) []float64 {
	var out []float64
	for _, x := range xs(f) {
		if f.Kind != Wasserstein {
			out = append(out, f.Deriv(x))
		}
	}
	out = append(out, -3, -1, -0.25)
	if f.Kind == Wasserstein {
		out = append(out, 0, 0.5, 3, 1e3)
	}
	if f.Kind == Alpha && f.Alpha > 1 {
		out = append(out, 0)
	}
	return out
}

// wantPanic fails t unless fn panics with a string containing msg.
func wantPanic(t *testing.T, msg string, fn func()) {
	t.Helper()
	defer func() {
		t.Helper()
		r := recover()
		s, ok := r.(string)
		if !ok || !strings.Contains(s, msg) {
			t.Errorf("panic = %v, want one containing %q", r, msg)
		}
	}()
	fn()
}
