package core

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Config is the engine's part of a run description: the method and its
// settings. Package experiments embeds it with the data sections ([target],
// [prior], [genes], [latent]); together they are the preset file format
// (package presets).
type Config struct {
	Name          string              `toml:"name" json:"name"`
	Description   string              `toml:"description" json:"description"`
	Seed          uint64              `toml:"seed" json:"seed"`
	Divergence    DivergenceConfig    `toml:"divergence" json:"divergence"`
	Discriminator DiscriminatorConfig `toml:"discriminator" json:"discriminator"`
	Train         TrainConfig         `toml:"train" json:"train"`
	Flow          FlowConfig          `toml:"flow" json:"flow"`
	Method        MethodConfig        `toml:"method" json:"method"`

	// The baselines' sections (method.kind), left out when empty; zero
	// fields take each method's defaults, which New writes in.
	MMDFlow MMDFlowConfig `toml:"mmd-flow,omitempty" json:"mmd-flow,omitzero"`
	KALE    KALEConfig    `toml:"kale,omitempty" json:"kale,omitzero"`
	SVGD    SVGDConfig    `toml:"svgd,omitempty" json:"svgd,omitzero"`
	NCSN    NCSNConfig    `toml:"ncsn,omitempty" json:"ncsn,omitzero"`
	GAN     GANConfig     `toml:"gan,omitempty" json:"gan,omitzero"`
}

// MethodConfig selects the particle method (MethodInfo.Kind).
type MethodConfig struct {
	// Kind is "gpa" (default), "mmd-flow", "kale", "ula", "svgd", "ncsn",
	// "gan" or "wgan-gp" (Methods).
	Kind string `toml:"kind" json:"kind"`
}

// DivergenceConfig selects f and how the ν of eq. (3) is handled.
type DivergenceConfig struct {
	// F names the divergence: kl, alpha:A, rkl, js, w1 (conj.Parse).
	F string `toml:"f" json:"f"`
	// Formulation is "dv" (ν minimised exactly at every update: the
	// Donsker–Varadhan closed form for KL, a 1-D root solve otherwise) or
	// "nu" (ν learned by gradient ascent with φ, Algorithm 1 line 8).
	Formulation string `toml:"formulation" json:"formulation"`
}

// DiscriminatorConfig describes the net φ ∈ Γ_L (Table 4b of the paper).
type DiscriminatorConfig struct {
	Hidden        []int     `toml:"hidden" json:"hidden"`
	Activation    string    `toml:"activation" json:"activation"`
	Lipschitz     Lipschitz `toml:"lipschitz" json:"lipschitz"`
	Normalization string    `toml:"normalization" json:"normalization"`
	// Conv lists the output channels of 5×5, stride-2, SAME convolution
	// layers (LeakyReLU 0.2, no bias; paper Table 4a) before the dense
	// layers; pixel-space image runs only.
	Conv []int `toml:"conv,omitempty" json:"conv,omitempty"`
	// Conditional gives φ one head per class (φ(x, c) is head c, on a
	// shared trunk): class-c particles are moved by head c only. Package
	// experiments reads it to give the problem its heads.
	Conditional bool `toml:"conditional,omitempty" json:"conditional,omitempty"`
}

// TrainConfig sets the discriminator optimiser (Algorithm 1, lines 6–10).
type TrainConfig struct {
	Optimizer  string  `toml:"optimizer" json:"optimizer"` // sgd | adam
	LR         float64 `toml:"lr" json:"lr"`               // δ
	InnerSteps int     `toml:"inner_steps" json:"inner_steps"`
	// ResetAdam zeroes Adam's moments at every particle step, as the
	// authors' journal code does.
	ResetAdam bool `toml:"reset_adam" json:"reset_adam"`
}

// FlowConfig sets the particle ODE discretisation.
type FlowConfig struct {
	Dt           float64 `toml:"dt" json:"dt"`
	Steps        int     `toml:"steps" json:"steps"`
	Solver       string  `toml:"solver" json:"solver"` // euler | heun
	MetricsEvery int     `toml:"metrics_every" json:"metrics_every"`
	// Mobility "bounded" clips particles to [0, 1] after every step (pixel
	// space images, as the journal code); "free" (default) does not.
	Mobility string `toml:"mobility,omitempty" json:"mobility,omitempty"`
	// EstimateEvery K > 0 measures D_L(Pₙ‖Q) with an independent, freshly
	// trained φ at step 1 and every K steps, and checks the energy
	// identity of eq. (27) between estimates (gpa_truediv.go); 0 = off.
	EstimateEvery int `toml:"estimate_every,omitempty" json:"estimate_every,omitempty"`
	// EstimateIters is the independent φ's number of updates (0 = 2000).
	EstimateIters int `toml:"estimate_iters,omitempty" json:"estimate_iters,omitempty"`
	// Stop "best-heldout" ends a headless run once the problem's held-out
	// criterion (Problem.Criterion) has not improved for Patience steps;
	// "" or "never" runs flow.steps steps. Either way `run` keeps the
	// best-step snapshot.
	Stop string `toml:"stop,omitempty" json:"stop,omitempty"`
	// Patience is in steps; 0 means 4·metrics_every.
	Patience int `toml:"patience,omitempty" json:"patience,omitempty"`
	// MaxCopies is the near-copy budget of the best step (image runs:
	// the share of particles that are near-copies of one target,
	// Problem.CopyShare): only steps within it can be the best step, and
	// flow.stop = "best-heldout" also stops as soon as it is exceeded.
	// 0 means 0.1 (issue #10's goal); 1 switches the budget off.
	MaxCopies float64 `toml:"max_copies,omitempty" json:"max_copies,omitempty"`
}

// CopyBudget is flow.max_copies with its default.
func (f *FlowConfig) CopyBudget() float64 {
	if f.MaxCopies > 0 {
		return f.MaxCopies
	}
	return 0.1
}

// StopPatience is the number of steps without a new best of the held-out
// criterion after which flow.stop = "best-heldout" ends a run.
func (f *FlowConfig) StopPatience() int {
	if f.Patience > 0 {
		return f.Patience
	}
	return 4 * f.MetricsEvery
}

// Lipschitz is the constant L of Γ_L; +Inf means unconstrained. In TOML it
// is a number or the string "inf".
type Lipschitz float64

// UnmarshalTOML accepts a number or "inf".
func (l *Lipschitz) UnmarshalTOML(v any) error {
	switch x := v.(type) {
	case int64:
		*l = Lipschitz(x)
	case float64:
		*l = Lipschitz(x)
	case string:
		f, err := ParseLipschitz(x)
		if err != nil {
			return err
		}
		*l = f
	default:
		return fmt.Errorf("want a number or \"inf\", got %T", v)
	}
	return nil
}

// MarshalTOML writes a number, or "inf".
func (l Lipschitz) MarshalTOML() ([]byte, error) {
	if math.IsInf(float64(l), 1) {
		return []byte(`"inf"`), nil
	}
	return []byte(strconv.FormatFloat(float64(l), 'g', -1, 64)), nil
}

// MarshalJSON writes a number, or "inf".
func (l Lipschitz) MarshalJSON() ([]byte, error) { return l.MarshalTOML() }

// UnmarshalJSON reads a number or "inf".
func (l *Lipschitz) UnmarshalJSON(b []byte) error {
	f, err := ParseLipschitz(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*l = f
	return nil
}

// ParseLipschitz reads a positive number or "inf".
func ParseLipschitz(s string) (Lipschitz, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if s == "inf" || s == "+inf" || s == "infinity" {
		return Lipschitz(math.Inf(1)), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("want a number or \"inf\", got %q", s)
	}
	return Lipschitz(f), nil
}

func (l Lipschitz) String() string {
	if math.IsInf(float64(l), 1) {
		return "inf"
	}
	return strconv.FormatFloat(float64(l), 'g', 4, 64)
}

// FieldError is a configuration error tied to one key ("flow.dt").
type FieldError struct {
	Key string // dotted key, e.g. "discriminator.lipschitz"
	Msg string // what is allowed
}

func (e *FieldError) Error() string { return e.Key + ": " + e.Msg }

func fieldErr(key, format string, a ...any) error {
	return &FieldError{Key: key, Msg: fmt.Sprintf(format, a...)}
}

// Validate checks every field and returns the first error, naming its key
// and the allowed range.
func (c *Config) Validate() error {
	m, err := LookupMethod(c.Method.Kind)
	if err != nil {
		return err
	}
	f := &c.Flow
	if f.Steps < 0 || f.Steps > 1e9 {
		return fieldErr("flow.steps", "%d: want 0 … 1e9", f.Steps)
	}
	if f.MetricsEvery < 0 {
		return fieldErr("flow.metrics_every", "%d: want ≥ 0 (0 = never)", f.MetricsEvery)
	}
	switch f.Mobility {
	case "", "free", "bounded":
	default:
		return fieldErr("flow.mobility", "%q: want \"free\" or \"bounded\"", f.Mobility)
	}
	if err := validateEstimate(f); err != nil {
		return err
	}
	switch f.Stop {
	case "", "never", "best-heldout":
	default:
		return fieldErr("flow.stop", "%q: want \"never\" or \"best-heldout\"", f.Stop)
	}
	if f.Patience < 0 {
		return fieldErr("flow.patience", "%d: want ≥ 0 steps (0 = 4·metrics_every)", f.Patience)
	}
	if !(f.MaxCopies >= 0 && f.MaxCopies <= 1) {
		return fieldErr("flow.max_copies", "%v: want a share in [0, 1] (0 = 0.1, 1 = no budget)", f.MaxCopies)
	}
	if err := m.Params.validate(c); err != nil {
		return err
	}
	return m.Validate(c)
}
