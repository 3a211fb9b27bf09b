package experiments

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

// fourWell is the paper's four-well experiment (Table 5) in code, so that
// these tests do not depend on package presets.
func fourWell() Config {
	return Config{
		Config: core.Config{
			Name: "four-well-test", Seed: 1,
			Divergence: core.DivergenceConfig{F: "kl", Formulation: "dv"},
			Discriminator: core.DiscriminatorConfig{
				Hidden: []int{32, 32, 32}, Activation: "relu", Lipschitz: 1, Normalization: "spectral",
			},
			Train: core.TrainConfig{Optimizer: "sgd", LR: 0.005, InnerSteps: 5},
			Flow:  core.FlowConfig{Dt: 1, Steps: 1000, Solver: "euler", MetricsEvery: 10},
		},
		Target: Dataset{Kind: "mixture", N: 200, Centers: [][]float64{{0, 0}, {0, 4}, {4, 0}, {4, 4}}, Std: 0.5},
		Prior:  Dataset{Kind: "gaussian", N: 200, Mean: []float64{4, 4}, Std: 0.5},
	}
}

func mustBuild(t testing.TB, cfg Config) *core.Sim {
	t.Helper()
	s, err := Build(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func value(t testing.TB, r core.Record, name string) float64 {
	t.Helper()
	v, ok := r.Get(name)
	if !ok {
		t.Fatalf("step %d: no %s", r.Step, name)
	}
	return v
}

// TestFourWellFills runs a shortened four-well flow: all four wells fill
// (each holds 15–35% of the particles), and D̂, the kinetic energy and MMD²
// fall.
func TestFourWellFills(t *testing.T) {
	if testing.Short() {
		t.Skip("long run")
	}
	s := mustBuild(t, fourWell())
	if _, err := s.Advance(fourWellSteps); err != nil {
		t.Fatal(err)
	}
	var counts [4]int
	y := s.Particles()
	for i := range s.M() {
		k := 0
		if y[2*i] > 2 {
			k += 2
		}
		if y[2*i+1] > 2 {
			k++
		}
		counts[k]++
	}
	for k, c := range counts {
		if share := float64(c) / float64(s.M()); share < 0.15 || share > 0.35 {
			t.Errorf("well %d holds %.0f%% of the particles, want 15–35%% (counts %v)", k, 100*share, counts)
		}
	}
	h := s.History()
	mean := func(name string, from, to int) float64 {
		var sum float64
		for i := from; i < to; i++ {
			sum += value(t, h.At(i), name) / float64(to-from)
		}
		return sum
	}
	n := h.Len()
	for _, name := range []string{"divergence", "kinetic_energy"} {
		if early, late := mean(name, 0, 50), mean(name, n-50, n); !(late < 0.5*early) {
			t.Errorf("%s fell from %.4g to %.4g only, want at least a halving", name, early, late)
		}
	}
	first, last := value(t, h.At(0), "mmd2"), value(t, h.At(n-1), "mmd2")
	if first <= last {
		t.Errorf("MMD² rose from %.4g to %.4g", first, last)
	}
}

// fourWellSteps is enough steps of the L=1 four-well flow to fill the wells.
const fourWellSteps = 1500

// TestRestoreSamples: a run on sampled data restores from its state alone
// (the saved targets and initial particles), bit-exactly.
func TestRestoreSamples(t *testing.T) {
	a := mustBuild(t, fourWell())
	a.Advance(10)
	b, err := Restore(a.State(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	a.Advance(5)
	b.Advance(5)
	if !slices.Equal(a.Particles(), b.Particles()) {
		t.Error("restored run differs")
	}
}

func TestValidateErrors(t *testing.T) {
	for _, tc := range []struct {
		key string
		mod func(*Config)
	}{
		{"flow.dt", func(c *Config) { c.Flow.Dt = math.NaN() }},
		{"target.kind", func(c *Config) { c.Target.Kind = "gauss" }},
		{"prior.std", func(c *Config) { c.Prior.Std = math.NaN() }},
		{"target.centers", func(c *Config) { c.Target.Centers = [][]float64{{0, 0}, {1}} }},
		{"prior", func(c *Config) { c.Prior.Mean = []float64{1, 2, 3} }},
		{"discriminator.conditional", func(c *Config) { c.Discriminator.Conditional = true }},
		{"latent", func(c *Config) { c.Latent = &LatentConfig{Kind: "pca", Dim: 2} }},
		{"genes", func(c *Config) { c.Target.Kind = "genes" }},
	} {
		cfg := fourWell()
		tc.mod(&cfg)
		err := cfg.Validate()
		var fe *core.FieldError
		if !errors.As(err, &fe) || fe.Key != tc.key {
			t.Errorf("want an error for %s, got %v", tc.key, err)
		}
	}
}
