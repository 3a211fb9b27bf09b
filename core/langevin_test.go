package core

import (
	"math"
	"testing"
)

// TestULAGaussian: ULA on N(μ, σ²I) reaches its stationary law, which for
// a Gaussian target is known exactly: each coordinate is the AR(1) chain
// y ← y − a(y − μ) + √(2Δt)ξ with a = Δt/σ², so the mean is μ and the
// variance 2Δt/(1 − (1−a)²) = σ²/(1 − a/2) (the O(Δt) bias of ULA). The
// sample moments of M particles agree within 4 standard errors.
func TestULAGaussian(t *testing.T) {
	const m, d = 4000, 2
	mean, std := []float64{1, -1}, 0.8
	cfg := baselineConfig("ula")
	cfg.Flow.Dt = 0.02
	cfg.Flow.MetricsEvery = 0
	s := mustNew(t, cfg, gaussianProblem(m, 200, d, mean, std, 3, 1))
	if _, err := s.Advance(600); err != nil { // 12 time units; relaxation time σ² = 0.64
		t.Fatal(err)
	}
	mu, cov := sampleMoments(s.Particles(), m, d)
	a := cfg.Flow.Dt / (std * std)
	v := std * std / (1 - a/2)
	for c := range d {
		if se := math.Sqrt(v / m); math.Abs(mu[c]-mean[c]) > 4*se {
			t.Errorf("mean[%d] = %.4f, want %.4f ± %.4f", c, mu[c], mean[c], 4*se)
		}
		if se := v * math.Sqrt(2.0/m); math.Abs(cov[c*d+c]-v) > 4*se {
			t.Errorf("var[%d] = %.4f, want %.4f ± %.4f (σ² = %.4f)", c, cov[c*d+c], v, 4*se, std*std)
		}
	}
	if se := v / math.Sqrt(m); math.Abs(cov[1]) > 4*se {
		t.Errorf("cov[0][1] = %.4f, want 0 ± %.4f", cov[1], 4*se)
	}
}

// TestSVGDGaussian: SVGD on N(μ, σ²I) from particles far away converges
// to a deterministic set whose mean and covariance match the target's
// within the sampling error of as many independent samples (4 standard
// errors).
func TestSVGDGaussian(t *testing.T) {
	const m, d = 120, 2
	mean, std := []float64{1, -1}, 0.8
	cfg := baselineConfig("svgd")
	cfg.Flow.Dt = 0.3
	cfg.Flow.MetricsEvery = 0
	s := mustNew(t, cfg, gaussianProblem(m, 200, d, mean, std, 3, 1))
	r0, err := s.Step()
	if err != nil {
		t.Fatal(err)
	}
	ke0 := value(t, r0, "kinetic_energy")
	r, err := s.Advance(400)
	if err != nil {
		t.Fatal(err)
	}
	mu, cov := sampleMoments(s.Particles(), m, d)
	v := std * std
	for c := range d {
		if se := math.Sqrt(v / m); math.Abs(mu[c]-mean[c]) > 4*se {
			t.Errorf("mean[%d] = %.4f, want %.4f ± %.4f", c, mu[c], mean[c], 4*se)
		}
		if se := v * math.Sqrt(2.0/m); math.Abs(cov[c*d+c]-v) > 4*se {
			t.Errorf("var[%d] = %.4f, want %.4f ± %.4f", c, cov[c*d+c], v, 4*se)
		}
	}
	if se := v / math.Sqrt(m); math.Abs(cov[1]) > 4*se {
		t.Errorf("cov[0][1] = %.4f, want 0 ± %.4f", cov[1], 4*se)
	}
	if ke := value(t, r, "kinetic_energy"); ke > 1e-4*ke0 {
		t.Errorf("kinetic energy %.3g → %.3g after 400 steps: not converged", ke0, ke)
	}
	t.Logf("SVGD: mean %.4f %.4f, var %.4f %.4f (σ² %.4f), cov %.4f", mu[0], mu[1], cov[0], cov[3], v, cov[1])
}

// TestSelectKth: the selection agrees with sorting.
func TestSelectKth(t *testing.T) {
	a := []float64{5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3, 2, 3, 8, 4}
	sorted := append([]float64(nil), a...)
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if sorted[j] < sorted[i] {
				sorted[i], sorted[j] = sorted[j], sorted[i]
			}
		}
	}
	for k := range a {
		b := append([]float64(nil), a...)
		if got := selectKth(b, k); got != sorted[k] {
			t.Errorf("selectKth(%d) = %v, want %v", k, got, sorted[k])
		}
	}
}
