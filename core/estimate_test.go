package core

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
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

// groupSortConfig is the estimator setting that reaches non-linear optima:
// GroupSort activations with Björck-orthonormal weights (lipnet), SGD with
// the cosine-decayed rate of Estimate.
func groupSortConfig(lip float64) Config {
	cfg := gpaConfig()
	cfg.Discriminator.Activation, cfg.Discriminator.Normalization = "groupsort", "bjorck"
	cfg.Discriminator.Lipschitz = Lipschitz(lip)
	cfg.Train = TrainConfig{Optimizer: "sgd", LR: 0.05, InnerSteps: 1}
	return cfg
}

// TestEstimateDiracEmpirical checks a closed form with a non-linear optimal
// potential: for P = δ_a and an empirical Q = (1/n)Σ δ_{xⱼ}, KL,
//
//	D_L(δ_a‖Q) = sup_{φ∈Γ_L} φ(a) − log mean_j e^{φ(xⱼ)} = −log mean_j e^{−L|a−xⱼ|},
//
// attained by the cone φ = −L|x − a| (own derivation: φ(xⱼ) ≥ φ(a) − L|a−xⱼ|
// for every φ ∈ Γ_L, with equality for the cone). A GroupSort net with
// orthonormal weights gets within 3% at L = 0.5, 1, 2; spectrally
// normalised ReLU nets, which cannot express the cone at full slope (Anil
// et al. 2019), are 35–40% low on these samples (9–19% in issue #10's).
func TestEstimateDiracEmpirical(t *testing.T) {
	if testing.Short() {
		t.Skip("trains discriminators")
	}
	const n, d = 400, 2
	rng := rand.New(rand.NewPCG(3, 4))
	q := randn(rng, n*d, 0)
	for _, ax := range []float32{1} { // a inside the cloud (3, at its edge, is easier)
		a := []float32{ax, 0}
		for _, lip := range []float64{0.5, 1, 2} {
			var s float64
			for j := range n {
				s += math.Exp(-lip * math.Hypot(float64(q[j*d]-a[0]), float64(q[j*d+1]-a[1])))
			}
			want := -math.Log(s / n)
			div, maxGrad, err := Estimate(groupSortConfig(lip), a, 1, q, n, d, 3000)
			if err != nil {
				t.Fatal(err)
			}
			// 3%: the tolerance (optimisation error; the closed
			// form is exact for these samples).
			if div > want*(1+1e-3) || div < 0.97*want {
				t.Errorf("a=(%g,0) L=%g: groupsort D̂ = %.4f, want %.4f within 3%% (ratio %.4f)", ax, lip, div, want, div/want)
			}
			if maxGrad > lip*(1+1e-4) {
				t.Errorf("a=(%g,0) L=%g: max |∇φ| = %g > L", ax, lip, maxGrad)
			}
		}
	}
}

// TestEstimateW1 checks the Wasserstein-1 limit (f = w1, eq. 2) on the
// Gaussian pair of issue #10, P = N((3,0), I), Q = N(0, I): W1 = 3. With P
// the same sample as Q moved by (3, 0), W1 of the two empirical measures is
// exactly 3 (the translation is an optimal coupling, φ = x₁ attains it).
// With independent samples it is at least the difference of the sample
// means of x₁. Both for the spectral ReLU net and for GroupSort, within 1%.
func TestEstimateW1(t *testing.T) {
	if testing.Short() {
		t.Skip("trains discriminators")
	}
	const n, d = 500, 2
	rng := rand.New(rand.NewPCG(5, 6))
	q := randn(rng, n*d, 0)
	shifted := slices.Clone(q)
	p := randn(rng, n*d, 0)
	var meanDiff float64
	for i := range n {
		shifted[i*d] += 3
		p[i*d] += 3
		meanDiff += float64(p[i*d]-q[i*d]) / n
	}
	for _, act := range []string{"groupsort/bjorck", "relu/spectral"} {
		cfg := groupSortConfig(1)
		cfg.Divergence.F = "w1"
		cfg.Discriminator.Hidden = []int{64, 64, 64}
		cfg.Discriminator.Activation, cfg.Discriminator.Normalization, _ = strings.Cut(act, "/")
		div, _, err := Estimate(cfg, shifted, n, q, n, d, 1500)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(div-3) > 0.03 {
			t.Errorf("%s: Ŵ1(Q+(3,0), Q) = %.4f, want 3 within 1%%", act, div)
		}
		if act != "groupsort/bjorck" {
			continue
		}
		div, _, err = Estimate(cfg, p, n, q, n, d, 1500)
		if err != nil {
			t.Fatal(err)
		}
		if div < meanDiff*0.99 {
			t.Errorf("%s: Ŵ1 = %.4f on independent samples, want ≥ %.4f (−1%%), the mean difference", act, div, meanDiff)
		}
	}
}
