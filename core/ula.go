package core

import (
	"fmt"
	"math"
)

// errNoScore is the error of a method that needs the target's score when
// the problem declares none; package experiments reports it earlier with
// the target's kind (MethodInfo.NeedsScore).
func errNoScore(kind string) error {
	return fmt.Errorf("%s samples a density known in closed form and needs its score ∇log q; this target has none "+
		"(closed forms: gaussian, mixture, student-t-mixture and logistic targets)", kind)
}

var ulaInfo = MethodInfo{
	Kind:       "ula",
	Doc:        "unadjusted Langevin algorithm (KL gradient flow with noise) on the target's closed-form score",
	NeedsScore: true,
	Params:     ParamTable{dtParam},
	Validate:   func(c *Config) error { return nil },
	New:        newULA,
}

var ulaMetrics = []MetricInfo{
	{Name: "kinetic_energy", Symbol: "KE", Scale: Log, Rank: 20,
		Doc: "(1/M) Σ|∇log q(Yᵢ)|², the energy of the drift (noise left out)"},
	{Name: "max_speed", Symbol: "|v|max", Scale: Log, Rank: 50, Doc: "maxᵢ |∇log q(Yᵢ)|, the largest drift"},
	meanSpeedInfo,
}

// ula is the unadjusted Langevin algorithm (Roberts & Tweedie 1996; Durmus
// & Moulines 2017), the Euler–Maruyama discretisation of the overdamped
// Langevin diffusion whose law follows the KL gradient flow (paper eq. (5),
// eq. (20) with the exact score; Fig. 5(d) top):
//
//	Yᵢ ← Yᵢ + Δt ∇log q(Yᵢ) + √(2Δt) ξᵢ,   ξᵢ ~ N(0, I).
//
// Its stationary law is q up to an O(Δt) bias.
type ula struct {
	cfg   *Config
	score func(dst, y []float32, rows int)
	name  string // what the score is (Problem.ScoreName)
	m, d  int
	noise *stream
	drift []float32
}

func newULA(cfg *Config, p *Problem) (Method, error) {
	if p.Score == nil {
		return nil, errNoScore("ula")
	}
	return &ula{cfg: cfg, score: p.Score, name: p.ScoreName, m: p.M, d: p.D, noise: newStream(cfg.Seed, streamNoise),
		drift: make([]float32, p.M*p.D)}, nil
}

func (u *ula) Metrics() []MetricInfo { return ulaMetrics }

func (u *ula) Step(y []float32, dst []float64) error {
	u.noise.save()
	md := u.m * u.d
	u.score(u.drift, y, u.m)
	ke, vmax, vmean := speeds(u.drift, u.m, u.d)
	if !finite(ke) {
		return fmt.Errorf("score ∇log q: %w", ErrDiverged)
	}
	dt := u.cfg.Flow.Dt
	s := math.Sqrt(2 * dt)
	for i, v := range u.drift[:md] {
		y[i] += float32(dt*float64(v) + s*u.noise.NormFloat64())
	}
	dst[0], dst[1], dst[2] = ke, vmax, vmean
	return nil
}

func (u *ula) Undo()                         { u.noise.restore() }
func (u *ula) Set(p *Param, v float64) error { return nil }

func (u *ula) State() MethodState { return MethodState{F64: []Named64{{"rng_noise", u.noise.state()}}} }

func (u *ula) SetState(st MethodState) error { return u.noise.setState(st.Get64("rng_noise")) }

func (u *ula) Summary() [][2]string { return [][2]string{{"score", scoreLabel(u.name)}} }

// scoreLabel names a closed-form score for a summary.
func scoreLabel(name string) string {
	if name == "" {
		return "closed form"
	}
	return name
}
