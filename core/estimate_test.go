package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

func estimateConfig(lip float64) Config {
	cfg := gpaConfig()
	cfg.Discriminator.Lipschitz = Lipschitz(lip)
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.005, InnerSteps: 1}
	return cfg
}

// TestEstimateGaussians checks the closed form of reference-code.md for
// P = N(m₁, σ²I), Q = N(m₂, σ²I), r = |m₁−m₂| = 3, σ = 1, KL:
// D_L = L·r − L²σ²/2 when r > Lσ² (2.5 at L = 1, 1.375 at L = 0.5).
func TestEstimateGaussians(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a discriminator")
	}
	const n, d = 1500, 2
	rng := rand.New(rand.NewPCG(3, 4))
	p := randn(rng, n*d, 0)
	q := randn(rng, n*d, 0)
	for i := range n {
		q[i*d] += 3
	}
	for _, lip := range []float64{1, 0.5} {
		want := lip*3 - lip*lip/2
		div, maxGrad, err := Estimate(estimateConfig(lip), p, n, q, n, d, 1500)
		if err != nil {
			t.Fatal(err)
		}
		// 3%: the tolerance for sample and training error.
		if math.Abs(div-want) > 0.03*want {
			t.Errorf("L=%g: D̂ = %.4f, want %.4f within 3%%", lip, div, want)
		}
		if maxGrad > lip*(1+1e-4) {
			t.Errorf("L=%g: max |∇φ| = %g > L", lip, maxGrad)
		}
	}
}

// TestEstimateDiracs: D_L(δ_a‖δ_b) = L|a−b| for any f.
func TestEstimateDiracs(t *testing.T) {
	const n, d = 8, 2
	p := make([]float32, n*d)
	q := make([]float32, n*d)
	for i := range n {
		p[i*d], p[i*d+1] = 0, 0
		q[i*d], q[i*d+1] = 0.6, 0.8 // |a−b| = 1
	}
	for _, f := range []string{"kl", "alpha:2", "w1"} {
		cfg := estimateConfig(1)
		cfg.Divergence.F = f
		div, _, err := Estimate(cfg, p, n, q, n, d, 1500)
		if err != nil {
			t.Fatal(err)
		}
		// Within 5%: a spectrally normalised ReLU net reaches its full
		// Lipschitz slope only approximately.
		if math.Abs(div-1) > 0.05 {
			t.Errorf("%s: D̂(δ_a‖δ_b) = %.4f, want L|a−b| = 1", f, div)
		}
	}
}
