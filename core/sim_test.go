package core

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// gpaConfig is the four-well setting of the paper (Table 5): KL, 32³ ReLU
// net, spectral normalisation, L = 1, SGD lr 0.005, T_NN 5, Δt 1.
func gpaConfig() Config {
	return Config{
		Name: "four-well-test", Seed: 1,
		Divergence: DivergenceConfig{F: "kl", Formulation: "dv"},
		Discriminator: DiscriminatorConfig{
			Hidden: []int{32, 32, 32}, Activation: "relu", Lipschitz: 1, Normalization: "spectral",
		},
		Train: TrainConfig{Optimizer: "sgd", LR: 0.005, InnerSteps: 5},
		Flow:  FlowConfig{Dt: 1, Steps: 1000, Solver: "euler", MetricsEvery: 10},
	}
}

// fourWellProblem samples the four-well problem in code, so that the
// engine's tests need no data package: 200 targets in four wells at the
// corners of {0,4}² (σ = 0.5) and 200 particles from N((4,4), 0.5²I).
func fourWellProblem(seed uint64) *Problem {
	const n, m, d = 200, 200, 2
	rng := rand.New(rand.NewPCG(seed, 7))
	x := make([]float32, n*d)
	for j := range n {
		c := rng.IntN(4)
		x[j*d] = float32(4*(c/2)) + 0.5*float32(rng.NormFloat64())
		x[j*d+1] = float32(4*(c%2)) + 0.5*float32(rng.NormFloat64())
	}
	y := make([]float32, m*d)
	for i := range y {
		y[i] = 4 + 0.5*float32(rng.NormFloat64())
	}
	return &Problem{X: x, N: n, Y: y, M: m, D: d}
}

func mustNew(t testing.TB, cfg Config, p *Problem) *Sim {
	t.Helper()
	s, err := New(cfg, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// historyEqual compares two histories bit for bit (NaN marks a metric not
// measured, so == would not do).
func historyEqual(a, b *History) bool {
	return slices.Equal(a.Names, b.Names) &&
		slices.EqualFunc(a.Rows, b.Rows, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func value(t testing.TB, r Record, name string) float64 {
	t.Helper()
	v, ok := r.Get(name)
	if !ok {
		t.Fatalf("step %d: no %s in %v", r.Step, name, r.Names)
	}
	return v
}

func TestReproducible(t *testing.T) {
	for _, solver := range []string{"euler", "heun"} {
		t.Run(solver, func(t *testing.T) {
			cfg := gpaConfig()
			cfg.Flow.Solver = solver
			a, b := mustNew(t, cfg, fourWellProblem(1)), mustNew(t, cfg, fourWellProblem(1))
			if _, err := a.Advance(25); err != nil {
				t.Fatal(err)
			}
			if _, err := b.Advance(25); err != nil {
				t.Fatal(err)
			}
			if !bitsEqual(a.Particles(), b.Particles()) {
				t.Error("same config and seed gave different particles")
			}
			if !historyEqual(a.History(), b.History()) {
				t.Error("same config and seed gave different metrics")
			}
			cfg.Seed = 2
			c := mustNew(t, cfg, fourWellProblem(1))
			c.Advance(25)
			if bitsEqual(a.Particles(), c.Particles()) {
				t.Error("a different seed (φ's initialisation) gave the same particles")
			}
		})
	}
}

// TestSpeedLimit checks Remark 4.1(c): |∇φ| ≤ L, so no particle moves more
// than L·Δt in a step, for both normalisations and both solvers.
func TestSpeedLimit(t *testing.T) {
	for _, tc := range []struct {
		norm, solver string
		lip          float64
	}{
		{"spectral", "euler", 1}, {"spectral", "euler", 0.5}, {"frobenius", "euler", 1},
		{"spectral", "heun", 2}, {"frobenius", "heun", 1},
	} {
		t.Run(tc.norm+"/"+tc.solver, func(t *testing.T) {
			cfg := gpaConfig()
			cfg.Discriminator.Normalization = tc.norm
			cfg.Discriminator.Lipschitz = Lipschitz(tc.lip)
			cfg.Flow.Solver = tc.solver
			cfg.Train.Optimizer, cfg.Train.LR = "adam", 0.01 // train hard: push φ to its limit
			s := mustNew(t, cfg, fourWellProblem(1))
			prev := slices.Clone(s.Particles())
			// Relative slack 1e-4 for float32 rounding in the net.
			bound := tc.lip * (1 + 1e-4)
			for range 40 {
				r, err := s.Step()
				if err != nil {
					t.Fatal(err)
				}
				if v := value(t, r, "max_speed"); v > bound {
					t.Fatalf("step %d: max |∇φ| = %.6f > L = %g", r.Step, v, tc.lip)
				}
				y := s.Particles()
				for i := range s.M() {
					dx, dy := float64(y[2*i]-prev[2*i]), float64(y[2*i+1]-prev[2*i+1])
					if step := math.Hypot(dx, dy); step > bound*cfg.Flow.Dt+1e-5 {
						t.Fatalf("step %d: particle %d moved %.6f > L·Δt = %g", r.Step, i, step, tc.lip*cfg.Flow.Dt)
					}
				}
				copy(prev, y)
			}
		})
	}
}

func TestDivergedKeepsState(t *testing.T) {
	s := mustNew(t, gpaConfig(), fourWellProblem(1))
	if _, err := s.Advance(3); err != nil {
		t.Fatal(err)
	}
	s.Particles()[5] = float32(math.NaN())
	before := slices.Clone(s.Particles())
	st := s.Method().State()
	_, err := s.Step()
	if !errors.Is(err, ErrDiverged) {
		t.Fatalf("step with a NaN particle: err = %v, want ErrDiverged", err)
	}
	if !bitsEqual(before, s.Particles()) {
		t.Error("a diverged step changed the particles")
	}
	after := s.Method().State()
	for _, a := range st.F32 {
		if !bitsEqual(a.Data, after.Get32(a.Name)) {
			t.Errorf("a diverged step changed %s", a.Name)
		}
	}
	if s.StepCount() != 3 || s.History().Len() != 3 {
		t.Errorf("after a diverged step: step %d, %d metrics; want 3, 3", s.StepCount(), s.History().Len())
	}
}

func TestStepAllocatesNothing(t *testing.T) {
	for _, solver := range []string{"euler", "heun"} {
		cfg := gpaConfig()
		cfg.Flow.Solver = solver
		cfg.Flow.MetricsEvery = 1 // include the MMD² computation
		s := mustNew(t, cfg, fourWellProblem(1))
		s.Step()
		if a := testing.AllocsPerRun(10, func() { s.Step() }); a != 0 {
			t.Errorf("%s: Step allocates %v times, want 0", solver, a)
		}
	}
}

func TestSetRecordsEvents(t *testing.T) {
	s := mustNew(t, gpaConfig(), fourWellProblem(1))
	s.Advance(2)
	if err := s.Set("lipschitz", 0.5); err != nil {
		t.Fatal(err)
	}
	if err := s.Set("Δt", 0.25); err != nil { // by symbol
		t.Fatal(err)
	}
	for _, bad := range []struct {
		p    string
		v    float64
		want string
	}{
		{"lipschitz", 0, "L = 0"}, {"dt", math.NaN(), "Δt = NaN"}, {"lr", -1, "δ = -1"},
		{"inner_steps", 2.5, "an integer"}, {"inner_steps", 0, "T_NN = 0"}, {"momentum", 1, "no parameter"},
	} {
		if err := s.Set(bad.p, bad.v); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Set(%v, %v) = %v, want an error with %q", bad.p, bad.v, err, bad.want)
		}
	}
	want := []Event{{Step: 2, Param: "lipschitz", Old: 1, New: 0.5}, {Step: 2, Param: "dt", Old: 1, New: 0.25}}
	if !slices.Equal(s.Events(), want) {
		t.Errorf("events %v, want %v", s.Events(), want)
	}
	r, _ := s.Step()
	if v := value(t, r, "max_speed"); v > 0.5*(1+1e-4) {
		t.Errorf("after lowering L to 0.5: max speed %g", v)
	}
	if c := s.Config(); c.Flow.Dt != 0.25 || c.Discriminator.Lipschitz != 0.5 {
		t.Errorf("Config does not reflect the changes: %+v", c)
	}
}

// TestRestoreBitExact: a run saved at step k and restored continues
// bit-identically to the uninterrupted run.
func TestRestoreBitExact(t *testing.T) {
	for _, opt := range []string{"sgd", "adam"} {
		t.Run(opt, func(t *testing.T) {
			cfg := gpaConfig()
			cfg.Train.Optimizer = opt
			cfg.Divergence.Formulation = "nu"
			b := mustNew(t, cfg, fourWellProblem(1))
			b.Advance(12)
			b.Set("dt", 0.5)
			a2 := mustNew(t, cfg, fourWellProblem(1))
			a2.Advance(12)
			a2.Set("dt", 0.5)
			a2.Advance(18)
			r, err := Restore(b.State(), fourWellProblem(1))
			if err != nil {
				t.Fatal(err)
			}
			r.Advance(18)
			if !bitsEqual(a2.Particles(), r.Particles()) || !historyEqual(a2.History(), r.History()) {
				t.Error("restored run differs from the uninterrupted one")
			}
			if !slices.Equal(a2.Events(), r.Events()) {
				t.Errorf("events %v, want %v", r.Events(), a2.Events())
			}
			if _, err := Restore(b.State(), fourWellProblem(2)); err == nil {
				t.Error("Restore over other data accepted")
			}
		})
	}
}

func TestOtherDivergencesRun(t *testing.T) {
	for _, f := range []string{"alpha:2", "alpha:0.5", "rkl", "js", "w1"} {
		for _, form := range []string{"dv", "nu"} {
			t.Run(f+"/"+form, func(t *testing.T) {
				cfg := gpaConfig()
				cfg.Divergence = DivergenceConfig{F: f, Formulation: form}
				s := mustNew(t, cfg, fourWellProblem(1))
				r, err := s.Advance(20)
				if err != nil {
					t.Fatal(err)
				}
				// D̂ is evaluated at the optimal ν for the current φ, so it
				// is ≥ 0 only up to training error: after 20 steps a φ
				// trained with a learned ν may still be slightly worse than
				// a constant; −0.1 catches a broken objective.
				if d, v := value(t, r, "divergence"), value(t, r, "max_speed"); !(d >= -0.1) || v > 1+1e-4 {
					t.Errorf("D̂ = %g, max speed %g", d, v)
				}
			})
		}
	}
}

func TestValidateErrors(t *testing.T) {
	for _, tc := range []struct {
		key string
		mod func(*Config)
	}{
		{"flow.dt", func(c *Config) { c.Flow.Dt = math.NaN() }},
		{"flow.dt", func(c *Config) { c.Flow.Dt = math.Inf(1) }},
		{"discriminator.lipschitz", func(c *Config) { c.Discriminator.Lipschitz = Lipschitz(math.NaN()) }},
		{"discriminator.lipschitz", func(c *Config) { c.Discriminator.Lipschitz = -1 }},
		{"train.lr", func(c *Config) { c.Train.LR = 0 }},
		{"train.inner_steps", func(c *Config) { c.Train.InnerSteps = 0 }},
		{"divergence.f", func(c *Config) { c.Divergence.F = "kld" }},
		{"flow.solver", func(c *Config) { c.Flow.Solver = "rk4" }},
		{"method.kind", func(c *Config) { c.Method.Kind = "vae" }},
		{"flow.metrics_every", func(c *Config) { c.Flow.MetricsEvery = -1 }},
		{"discriminator.hidden", func(c *Config) {
			c.Discriminator.Activation, c.Discriminator.Hidden = "groupsort", []int{32, 31}
		}},
		{"discriminator.normalization", func(c *Config) { c.Discriminator.Normalization, c.Discriminator.Conv = "bjorck", []int{8} }},
		{"flow.estimate_every", func(c *Config) { c.Flow.EstimateEvery = -1 }},
		{"flow.estimate_iters", func(c *Config) { c.Flow.EstimateIters = -5 }},
		{"flow.stop", func(c *Config) { c.Flow.Stop = "early" }},
		{"flow.patience", func(c *Config) { c.Flow.Patience = -1 }},
		{"flow.max_copies", func(c *Config) { c.Flow.MaxCopies = math.NaN() }},
		{"flow.max_copies", func(c *Config) { c.Flow.MaxCopies = 1.5 }},
	} {
		cfg := gpaConfig()
		tc.mod(&cfg)
		err := cfg.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Key != tc.key {
			t.Errorf("want an error for %s, got %v", tc.key, err)
		}
	}
}

// TestProblemChecked: bad problems are errors, not panics.
func TestProblemChecked(t *testing.T) {
	for name, mod := range map[string]func(p *Problem){
		"shape":     func(p *Problem) { p.X = p.X[:5] },
		"nan":       func(p *Problem) { p.Y[3] = float32(math.NaN()) },
		"inf":       func(p *Problem) { p.X[0] = float32(math.Inf(-1)) },
		"heads":     func(p *Problem) { p.Heads = 2 },
		"head-id":   func(p *Problem) { p.Heads, p.HeadX, p.HeadY = 2, make([]int, p.N), make([]int, p.M); p.HeadY[0] = 2 },
		"conv-data": func(p *Problem) {},
	} {
		p := fourWellProblem(1)
		mod(p)
		cfg := gpaConfig()
		if name == "conv-data" {
			cfg.Discriminator.Conv = []int{4}
		}
		if _, err := New(cfg, p); err == nil {
			t.Errorf("%s: New accepted a bad problem", name)
		}
	}
}

// TestHistoryJSON: a record is written with its named metrics, leaving
// out those not measured.
func TestHistoryJSON(t *testing.T) {
	cfg := gpaConfig()
	cfg.Flow.MetricsEvery = 2
	s := mustNew(t, cfg, fourWellProblem(1))
	r1, _ := s.Step()
	r2, _ := s.Step()
	r3, _ := s.Step()
	for _, tc := range []struct {
		r       Record
		mmd     bool
		measure string
	}{{r1, true, "step 1"}, {r2, true, "every 2"}, {r3, false, "not a metric step"}} {
		b, _ := tc.r.MarshalJSON()
		if got := strings.Contains(string(b), `"mmd2":`); got != tc.mmd {
			t.Errorf("%s: %s", tc.measure, b)
		}
		if !strings.Contains(string(b), `"kinetic_energy":`) || !strings.HasPrefix(string(b), `{"step":`) {
			t.Errorf("%s", b)
		}
	}
}

func TestClipUnit(t *testing.T) {
	nan := float32(math.NaN())
	y := []float32{-3, 0, 0.25, 1, 7, float32(math.Inf(1)), float32(math.Inf(-1)), nan}
	ClipUnit(y)
	want := []float32{0, 0, 0.25, 1, 1, 1, 0}
	if !slices.Equal(y[:7], want) || !math.IsNaN(float64(y[7])) {
		t.Fatalf("ClipUnit = %v, want %v NaN", y, want)
	}
}
