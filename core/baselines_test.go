package core

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gaussianScore is the score of N(mean, std²I): ∇log q(y) = −(y − mean)/std².
func gaussianScore(mean []float64, std float64) func(dst, y []float32, rows int) {
	d := len(mean)
	return func(dst, y []float32, rows int) {
		for i := range rows {
			for t := range d {
				dst[i*d+t] = float32(-(float64(y[i*d+t]) - mean[t]) / (std * std))
			}
		}
	}
}

// scoredFourWell is fourWellProblem with the score of N((2,2), 1.5²I) as
// the closed-form target (the baselines' tests only need some score).
func scoredFourWell(seed uint64) *Problem {
	p := fourWellProblem(seed)
	p.Score, p.ScoreName = gaussianScore([]float64{2, 2}, 1.5), "test Gaussian"
	return p
}

// baselineConfig is a small, fast configuration of a method kind.
func baselineConfig(kind string) Config {
	cfg := gpaConfig()
	cfg.Method.Kind = kind
	cfg.Flow.MetricsEvery = 3
	switch kind {
	case "mmd-flow":
		cfg.Flow.Dt = 0.5
		cfg.MMDFlow.Noise = 0.1
	case "kale":
		cfg.Flow.Dt = 0.001
	case "ula", "svgd":
		cfg.Flow.Dt = 0.05
	case "ncsn":
		cfg.NCSN = NCSNConfig{Levels: 3, SigmaMax: 2, SigmaMin: 0.2, Hidden: []int{16, 16}, Batch: 32,
			TrainUpdates: 40, UpdatesPerStep: 4, StepsPerLevel: 3}
	case "gan", "wgan-gp":
		cfg.GAN = GANConfig{Latent: 4, Hidden: []int{16, 16}, Batch: 40}
		cfg.Discriminator.Hidden = []int{16, 16}
		cfg.Train = TrainConfig{Optimizer: "adam", LR: 1e-3, InnerSteps: 2}
		if kind == "wgan-gp" {
			cfg.Discriminator.Activation = "elu"
		}
	}
	return cfg
}

var baselineKinds = []string{"mmd-flow", "kale", "ula", "svgd", "ncsn", "gan", "wgan-gp"}

// TestBaselinesRestoreBitExact: every method, saved at step k and
// restored, continues bit-identically to the run straight through,
// including its random streams (Langevin noise, minibatches, latent codes)
// and a mid-run change.
func TestBaselinesRestoreBitExact(t *testing.T) {
	for _, kind := range baselineKinds {
		t.Run(kind, func(t *testing.T) {
			cfg := baselineConfig(kind)
			straight := mustNew(t, cfg, scoredFourWell(1))
			first := mustNew(t, cfg, scoredFourWell(1))
			const k, more = 7, 8 // NCSN: training steps 1–10, Langevin after
			for _, s := range []*Sim{straight, first} {
				if _, err := s.Advance(k); err != nil {
					t.Fatal(err)
				}
			}
			if p := straight.Params()[0]; true {
				v := straight.Value(&p) * 0.5
				if err := straight.Set(p.Key, v); err != nil {
					t.Fatal(err)
				}
				if err := first.Set(p.Key, v); err != nil {
					t.Fatal(err)
				}
			}
			r, err := Restore(first.State(), scoredFourWell(1))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := straight.Advance(more); err != nil {
				t.Fatal(err)
			}
			if _, err := r.Advance(more); err != nil {
				t.Fatal(err)
			}
			if !bitsEqual(straight.Particles(), r.Particles()) || !historyEqual(straight.History(), r.History()) {
				t.Error("restored run differs from the uninterrupted one")
			}
			if bitsEqual(straight.Particles(), straight.Initial()) {
				t.Error("the particles never moved")
			}
			// Two runs with the same seed agree; another seed differs.
			cfg.Seed = 2
			other := mustNew(t, cfg, scoredFourWell(1))
			other.Advance(k + more)
			if kind != "svgd" && bitsEqual(other.Particles(), straight.Particles()) {
				t.Error("another seed gave the same particles")
			}
		})
	}
}

// TestBaselinesUndo: a step that fails leaves particles and method state
// as they were, so the next step is the one that would have come.
func TestBaselinesUndo(t *testing.T) {
	for _, kind := range baselineKinds {
		t.Run(kind, func(t *testing.T) {
			cfg := baselineConfig(kind)
			a, b := mustNew(t, cfg, scoredFourWell(1)), mustNew(t, cfg, scoredFourWell(1))
			a.Advance(5)
			b.Advance(5)
			y := slices.Clone(b.Particles())
			st := b.Method().State()
			b.method.Step(b.y, b.vals) // a step whose result is thrown away…
			copy(b.y, y)
			b.method.Undo() // …and undone, as Sim.Step does after an error
			after := b.Method().State()
			for _, x := range st.F32 {
				if !bitsEqual(x.Data, after.Get32(x.Name)) {
					t.Errorf("Undo left %s changed", x.Name)
				}
			}
			for _, x := range st.F64 {
				if !slices.Equal(x.Data, after.Get64(x.Name)) {
					t.Errorf("Undo left %s changed", x.Name)
				}
			}
			a.Advance(3)
			b.Advance(3)
			if !bitsEqual(a.Particles(), b.Particles()) {
				t.Error("after Undo the run took another path")
			}
		})
	}
}

// TestBaselinesStepAllocs: a step allocates nothing. (A GAN's or NCSN's
// step allocates nothing either; the image observers of image problems
// do, on metric steps only.)
func TestBaselinesStepAllocs(t *testing.T) {
	for _, kind := range baselineKinds {
		cfg := baselineConfig(kind)
		cfg.Flow.MetricsEvery = 1
		s := mustNew(t, cfg, scoredFourWell(1))
		s.Advance(12) // NCSN: into the Langevin phase
		if a := testing.AllocsPerRun(5, func() { s.Step() }); a != 0 {
			t.Errorf("%s: a step allocates %v times, want 0", kind, a)
		}
	}
}

// TestBaselinesBadParameters: invalid settings are errors naming the key,
// and a method that needs a score says so on a target without one.
func TestBaselinesBadParameters(t *testing.T) {
	for _, tc := range []struct {
		kind, key string
		mod       func(*Config)
	}{
		{"mmd-flow", "mmd-flow.sigma", func(c *Config) { c.MMDFlow.Sigma = -1 }},
		{"mmd-flow", "mmd-flow.noise", func(c *Config) { c.MMDFlow.Noise = math.NaN() }},
		{"kale", "kale.lambda", func(c *Config) { c.KALE.Lambda = -0.1 }},
		{"kale", "kale.newton_iters", func(c *Config) { c.KALE.NewtonIters = -3 }},
		{"ula", "flow.dt", func(c *Config) { c.Flow.Dt = 0 }},
		{"svgd", "svgd.bandwidth", func(c *Config) { c.SVGD.Bandwidth = math.Inf(1) }},
		{"ncsn", "ncsn.sigma_min", func(c *Config) { c.NCSN.SigmaMin = 5 }},
		{"ncsn", "ncsn.activation", func(c *Config) { c.NCSN.Activation = "tanh" }},
		{"ncsn", "ncsn.eps", func(c *Config) { c.NCSN.Eps = -1 }},
		{"gan", "gan.output", func(c *Config) { c.GAN.Output = "tanh" }},
		{"gan", "gan.betas", func(c *Config) { c.GAN.Betas = []float64{0.5} }},
		{"wgan-gp", "gan.betas", func(c *Config) { c.GAN.Betas = []float64{1, 0.9} }},
		{"gan", "gan.lr", func(c *Config) { c.GAN.LR = -1 }},
		{"gan", "train.inner_steps", func(c *Config) { c.Train.InnerSteps = 0 }},
		{"wgan-gp", "discriminator.lipschitz", func(c *Config) { c.Discriminator.Lipschitz = Lipschitz(math.Inf(1)) }},
		{"wgan-gp", "gan.penalty", func(c *Config) { c.GAN.Penalty = -10 }},
		{"wgan-gp", "discriminator.activation", func(c *Config) { c.Discriminator.Activation = "relu" }},
		{"gan", "discriminator.activation", func(c *Config) { c.GAN.Penalty = 1 }},
		{"wgan-gp", "discriminator.conv", func(c *Config) { c.Discriminator.Conv = []int{4} }},
	} {
		cfg := baselineConfig(tc.kind)
		tc.mod(&cfg)
		err := cfg.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != tc.key {
			t.Errorf("%s: want an error for %s, got %v", tc.kind, tc.key, err)
		}
	}
	for _, kind := range []string{"ula", "svgd"} {
		_, err := New(baselineConfig(kind), fourWellProblem(1))
		if err == nil || !strings.Contains(err.Error(), "score") {
			t.Errorf("%s on a target without a score: %v", kind, err)
		}
		if info, _ := LookupMethod(kind); !info.NeedsScore {
			t.Errorf("%s does not declare NeedsScore", kind)
		}
	}
	// Mid-run changes are checked too.
	s := mustNew(t, baselineConfig("kale"), scoredFourWell(1))
	if err := s.Set("lambda", 0); err == nil || !strings.Contains(err.Error(), "λ") {
		t.Errorf("Set(λ = 0): %v", err)
	}
}

// TestStreamState: a random stream's state survives the float64 round
// trip and Undo.
func TestStreamState(t *testing.T) {
	s := newStream(3, streamNoise)
	s.NormFloat64()
	st := s.state()
	s.save()
	want := []float64{s.NormFloat64(), s.Float64()}
	s.restore()
	if got := []float64{s.NormFloat64(), s.Float64()}; !slices.Equal(got, want) {
		t.Errorf("after restore %v, want %v", got, want)
	}
	r := newStream(99, 1)
	if err := r.setState(st); err != nil {
		t.Fatal(err)
	}
	if got := []float64{r.NormFloat64(), r.Float64()}; !slices.Equal(got, want) {
		t.Errorf("after setState %v, want %v", got, want)
	}
	for _, bad := range [][]float64{{1, 2, 3}, {1, 2, 3, -1}, {1, 2, 3, 1 << 33}, {1, 2, 3, 0.5}, {1, 2, 3, math.NaN()}} {
		if err := r.setState(bad); err == nil {
			t.Errorf("setState(%v) accepted", bad)
		}
	}
}

// sampleMoments returns the mean and covariance (d×d) of rows×d samples.
func sampleMoments(y []float32, rows, d int) (mean, cov []float64) {
	mean, cov = make([]float64, d), make([]float64, d*d)
	for i := range rows {
		for a := range d {
			mean[a] += float64(y[i*d+a]) / float64(rows)
		}
	}
	for i := range rows {
		for a := range d {
			for b := range d {
				cov[a*d+b] += (float64(y[i*d+a]) - mean[a]) * (float64(y[i*d+b]) - mean[b]) / float64(rows-1)
			}
		}
	}
	return mean, cov
}

// gaussianProblem has targets and particles in d dimensions: targets from
// N(mean, std²I) with its score, particles from N(start, 0.5²I).
func gaussianProblem(m, n, d int, mean []float64, std, start float64, seed uint64) *Problem {
	rng := rand.New(rand.NewPCG(seed, 11))
	x, y := make([]float32, n*d), make([]float32, m*d)
	for i := range x {
		x[i] = float32(mean[i%d] + std*rng.NormFloat64())
	}
	for i := range y {
		y[i] = float32(start + 0.5*rng.NormFloat64())
	}
	return &Problem{X: x, N: n, Y: y, M: m, D: d, Score: gaussianScore(mean, std)}
}
