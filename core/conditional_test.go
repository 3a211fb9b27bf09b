package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestConditionalHeads: with one head per class, class-c particles follow
// class-c targets only. Targets of class 0 sit at (0,0), of class 1 at
// (4,4); all particles start at (2,2), half of each class.
func TestConditionalHeads(t *testing.T) {
	const n, m, d = 100, 100, 2
	rng := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, n*d)
	labelsX := make([]int, n)
	for j := range n {
		c := j % 2
		labelsX[j] = c
		x[j*d] = float32(4*c) + 0.3*float32(rng.NormFloat64())
		x[j*d+1] = float32(4*c) + 0.3*float32(rng.NormFloat64())
	}
	y := make([]float32, m*d)
	labelsY := make([]int, m)
	for i := range m {
		labelsY[i] = i % 2
		y[i*d] = 2 + 0.3*float32(rng.NormFloat64())
		y[i*d+1] = 2 + 0.3*float32(rng.NormFloat64())
	}
	cfg := gpaConfig()
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.002, InnerSteps: 5}
	cfg.Flow.Dt = 0.2
	s := mustNew(t, cfg, &Problem{X: x, N: n, Y: y, M: m, D: d, Heads: 2, HeadX: labelsX, HeadY: labelsY})
	if _, err := s.Advance(300); err != nil {
		t.Fatal(err)
	}
	var far [2]float64
	p := s.Particles()
	for i := range m {
		c := float32(4 * labelsY[i])
		far[labelsY[i]] += math.Hypot(float64(p[i*d]-c), float64(p[i*d+1]-c)) / (m / 2)
	}
	// Started at distance 2√2 ≈ 2.83 from both centres.
	for c, f := range far {
		if f > 1 {
			t.Errorf("class %d particles are %.2f from their centre on average, want < 1", c, f)
		}
	}
}
