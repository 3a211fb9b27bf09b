package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

// mixtureScore is the score of the equal-weight Gaussian mixture
// Σ_c N(c, s²I)/K at y (2-D), in float64.
func mixtureScore(y [2]float64, centers [][2]float64, s float64) [2]float64 {
	lw := make([]float64, len(centers))
	top := math.Inf(-1)
	for c, m := range centers {
		lw[c] = -((y[0]-m[0])*(y[0]-m[0]) + (y[1]-m[1])*(y[1]-m[1])) / (2 * s * s)
		top = math.Max(top, lw[c])
	}
	var z float64
	var g [2]float64
	for c, m := range centers {
		w := math.Exp(lw[c] - top)
		z += w
		g[0] += w * (m[0] - y[0]) / (s * s)
		g[1] += w * (m[1] - y[1]) / (s * s)
	}
	return [2]float64{g[0] / z, g[1] / z}
}

// TestNCSNScoreMatchesMixture: after denoising score matching on samples of
// four wells N(c, 0.5²I), the network's score at the largest noise level
// σ₁ matches the analytic score of the perturbed law Σ_c N(c, (0.5² +
// σ₁²)I)/4 at points drawn from it: relative mean squared error < 5%
// (a zero score would give 100%).
func TestNCSNScoreMatchesMixture(t *testing.T) {
	const n, d = 1000, 2
	centers := [][2]float64{{0, 0}, {0, 4}, {4, 0}, {4, 4}}
	rng := rand.New(rand.NewPCG(8, 8))
	x := make([]float32, n*d)
	for j := range n {
		c := centers[rng.IntN(4)]
		x[j*d] = float32(c[0] + 0.5*rng.NormFloat64())
		x[j*d+1] = float32(c[1] + 0.5*rng.NormFloat64())
	}
	cfg := baselineConfig("ncsn")
	const sig1 = 2.0
	cfg.NCSN = NCSNConfig{Levels: 3, SigmaMax: sig1, SigmaMin: 0.5, Hidden: []int{64, 64}, Batch: 128,
		TrainUpdates: 3000, UpdatesPerStep: 100, StepsPerLevel: 5}
	s := mustNew(t, cfg, &Problem{X: x, N: n, Y: x[:200*d], M: 200, D: d})
	if _, err := s.Advance(cfg.NCSN.TrainSteps()); err != nil {
		t.Fatal(err)
	}
	meth := s.Method().(*ncsn)
	const q = 500
	pts := make([]float32, q*d)
	sp := math.Sqrt(0.25 + sig1*sig1)
	for i := range q {
		c := centers[rng.IntN(4)]
		pts[i*d] = float32(c[0] + sp*rng.NormFloat64())
		pts[i*d+1] = float32(c[1] + sp*rng.NormFloat64())
	}
	got := make([]float32, q*d)
	meth.net.Reserve(q)
	meth.in = make([]float32, q*d)
	meth.scoreTo(got, pts, q, 0)
	var num, den float64
	for i := range q {
		want := mixtureScore([2]float64{float64(pts[i*d]), float64(pts[i*d+1])}, centers, sp)
		for c := range d {
			e := float64(got[i*d+c]) - want[c]
			num += e * e
			den += want[c] * want[c]
		}
	}
	if rel := num / den; rel > 0.05 {
		t.Errorf("learned score at σ₁ = %g: relative squared error %.3f, want < 0.05", sig1, rel)
	} else {
		t.Logf("relative squared error of the learned score at σ₁: %.4f", rel)
	}
}
