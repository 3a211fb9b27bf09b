package core

import (
	"fmt"
	"math"

	"github.com/gpa-tui/gpa-tui/conj"
	"github.com/gpa-tui/gpa-tui/lipnet"
)

// gpa is the generative particle algorithm (Algorithm 1 of the paper; on
// a latent problem it is Algorithm 2's flow): each step trains the
// discriminator φ ∈ Γ_L for T_NN updates and moves the particles along
// −∇φ.
type gpa struct {
	cfg *Config // the Sim's, with mid-run changes
	f   conj.F
	dv  bool // ν minimised exactly (formulation "dv")

	phi *lipnet.Net
	opt optimizer
	nu  []float64 // learned ν per head (formulation "nu")

	m, n, d int

	batch []float32 // (M+N)×d: [Y; X], the discriminator's input
	dout  []float32 // (M+N)×K: ∂(−J)/∂φ at each row and head, or a velocity selector
	cls   classes   // heads and the rows of each class
	dx    []float32 // (M+N)×d: input gradients
	vel   []float32 // M×d: ∇φ(Yᵢ)
	yPred []float32 // Heun predictor
	vel2  []float32 // Heun corrector velocity

	// The state before the current step, restored by Undo.
	saveParams, savePow, saveOpt []float32
	saveNu                       []float64
	saveProj                     int

	nuProjected int // learned ν moved back into dom f* (see objective)

	note string // what the last Set did besides setting its parameter (Note)
}

// Note returns what the last Set did besides changing its parameter (a
// normalization switched on), once; "" if nothing.
func (g *gpa) Note() string {
	n := g.note
	g.note = ""
	return n
}

// optimizer is what GPA needs of lipnet's SGD and Adam.
type optimizer interface {
	lipnet.Optimizer
	SetState([]float32)
	SetLR(float64)
}

// streamNet is the stream of the seeded PCG generator that initialises φ
// (package experiments uses others for the data), so that changing one
// random quantity leaves the others unchanged.
const streamNet = 3

// Metrics of a GPA step, in the order of gpaMetrics.
const (
	gpaDivergence = iota
	gpaKinetic
	gpaMaxSpeed
	gpaMeanSpeed
)

var gpaMetrics = []MetricInfo{
	{Name: "divergence", Symbol: "D̂", Rank: 10, Doc: "D̂ = E_P[φ] − inf_ν{ν + E_Q f*(φ−ν)} (eq. 3) of the trained φ at Yₙ"},
	{Name: "kinetic_energy", Symbol: "KE", Scale: Log, Rank: 20, Better: Lower, Doc: "(1/M) Σ|∇φ(Yᵢ)|² (eq. 13) at Yₙ"},
	{Name: "max_speed", Symbol: "|v|max", Scale: Log, Rank: 50, LimitParam: "lipschitz", Doc: "maxᵢ |∇φ(Yᵢ)| ≤ L, the speed limit (Remark 4.1c)"},
	{Name: "mean_speed", Symbol: "|v|mean", Scale: Log, Show: ShowHidden, Rank: 60, Doc: "(1/M) Σ|∇φ(Yᵢ)|"},
}

// gpaParams are GPA's mid-run parameters.
var gpaParams = ParamTable{
	{
		Key: "lipschitz", Preset: "discriminator.lipschitz", Symbol: "L",
		Doc: "Lipschitz constant of Γ_L: the speed limit |∇φ| ≤ L", Min: 0, Max: math.Inf(1), MinOpen: true, Inf: true,
		Up: "L", Down: "l",
		get: func(c *Config) float64 { return float64(c.Discriminator.Lipschitz) },
		set: func(c *Config, v float64) { c.Discriminator.Lipschitz = Lipschitz(v) },
	},
	{
		Key: "dt", Preset: "flow.dt", Symbol: "Δt", Doc: "particle time step γ of eq. (11)", Min: 0, Max: 1e6, MinOpen: true,
		Up: "T", Down: "t",
		get: func(c *Config) float64 { return c.Flow.Dt },
		set: func(c *Config, v float64) { c.Flow.Dt = v },
	},
	{
		Key: "lr", Preset: "train.lr", Symbol: "δ", Doc: "discriminator learning rate (Algorithm 1, line 8)", Min: 0, Max: 10, MinOpen: true,
		Up: "D", Down: "d",
		get: func(c *Config) float64 { return c.Train.LR },
		set: func(c *Config, v float64) { c.Train.LR = v },
	},
	{
		Key: "inner_steps", Preset: "train.inner_steps", Symbol: "T_NN", Doc: "discriminator updates per particle step",
		Min: 1, Max: 10000, Int: true, Nudge: NudgeUnit, Up: "+", Down: "-",
		get: func(c *Config) float64 { return float64(c.Train.InnerSteps) },
		set: func(c *Config, v float64) { c.Train.InnerSteps = int(v) },
	},
}

var gpaInfo = MethodInfo{
	Kind:     "gpa",
	Doc:      "Lipschitz-regularized generative particles (Algorithm 1; Algorithm 2 in a latent space)",
	Params:   gpaParams,
	Validate: validateGPA,
	New:      newGPA,
}

func validateGPA(c *Config) error {
	if _, err := conj.Parse(c.Divergence.F); err != nil {
		return fieldErr("divergence.f", "%v", err)
	}
	switch c.Divergence.Formulation {
	case "dv", "nu":
	default:
		return fieldErr("divergence.formulation", "%q: want \"dv\" or \"nu\"", c.Divergence.Formulation)
	}
	d := &c.Discriminator
	if len(d.Hidden) == 0 {
		return fieldErr("discriminator.hidden", "want at least one hidden layer width, e.g. [32, 32, 32]")
	}
	for _, h := range d.Hidden {
		if h < 1 || h > 1<<14 {
			return fieldErr("discriminator.hidden", "width %d: want 1 … 16384", h)
		}
	}
	for _, c := range d.Conv {
		if c < 1 || c > 512 {
			return fieldErr("discriminator.conv", "%d channels: want 1 … 512", c)
		}
	}
	act, err := lipnet.ParseActivation(d.Activation)
	if err != nil {
		return fieldErr("discriminator.activation", "%v", err)
	}
	for _, h := range d.Hidden {
		if act == lipnet.GroupSort && h%2 != 0 {
			return fieldErr("discriminator.hidden", "width %d: groupsort sorts pairs of units, want even widths", h)
		}
	}
	norm, err := lipnet.ParseNormalization(d.Normalization)
	if err != nil {
		return fieldErr("discriminator.normalization", "%v", err)
	}
	if norm == lipnet.Bjorck && len(d.Conv) > 0 {
		return fieldErr("discriminator.normalization", "bjorck orthonormalizes dense layers only; use spectral with conv layers")
	}
	switch c.Train.Optimizer {
	case "sgd", "adam":
	default:
		return fieldErr("train.optimizer", "%q: want \"sgd\" or \"adam\"", c.Train.Optimizer)
	}
	switch c.Flow.Solver {
	case "euler", "heun":
	default:
		return fieldErr("flow.solver", "%q: want \"euler\" or \"heun\"", c.Flow.Solver)
	}
	return nil
}

func newGPA(cfg *Config, p *Problem) (Method, error) {
	m, n, d, k := p.M, p.N, p.D, p.heads()
	f, err := conj.Parse(cfg.Divergence.F)
	if err != nil {
		return nil, &FieldError{Key: "divergence.f", Msg: err.Error()}
	}
	act, _ := lipnet.ParseActivation(cfg.Discriminator.Activation)
	norm, _ := lipnet.ParseNormalization(cfg.Discriminator.Normalization)
	inShape, err := convInShape(p, cfg.Discriminator.Conv)
	if err != nil {
		return nil, err
	}
	phi, err := lipnet.New(lipnet.Config{
		In:        d,
		InShape:   inShape,
		Conv:      cfg.Discriminator.Conv,
		Hidden:    cfg.Discriminator.Hidden,
		Out:       k,
		Act:       act,
		Lipschitz: float64(cfg.Discriminator.Lipschitz),
		Norm:      norm,
		Seed:      cfg.Seed ^ streamNet<<56,
	})
	if err != nil {
		return nil, fmt.Errorf("discriminator: %w", err)
	}
	rows := m + n
	phi.Reserve(rows)
	g := &gpa{
		cfg: cfg, f: f, dv: cfg.Divergence.Formulation == "dv",
		phi: phi,
		m:   m, n: n, d: d,
		batch: make([]float32, rows*d),
		dout:  make([]float32, rows*k),
		cls:   newClasses(k, p.HeadY, p.HeadX, m, n),
		nu:    make([]float64, k),
		dx:    make([]float32, rows*d),
		vel:   make([]float32, m*d),
	}
	np := len(phi.Params())
	switch cfg.Train.Optimizer {
	case "adam":
		g.opt = lipnet.NewAdam(cfg.Train.LR, np)
	default:
		g.opt = lipnet.NewSGD(cfg.Train.LR)
	}
	if cfg.Flow.Solver == "heun" {
		g.yPred = make([]float32, m*d)
		g.vel2 = make([]float32, m*d)
	}
	copy(g.batch[m*d:], p.X)
	g.saveNu = make([]float64, k)
	g.saveParams = make([]float32, np)
	g.savePow = make([]float32, len(phi.PowerVectors()))
	g.saveOpt = make([]float32, len(g.opt.State()))
	return g, nil
}

func (g *gpa) Metrics() []MetricInfo { return gpaMetrics }

// Step performs one particle step (Algorithm 1, lines 6–11; Heun when
// flow.solver = "heun").
func (g *gpa) Step(y []float32, dst []float64) error {
	g.save()
	dt := float32(g.cfg.Flow.Dt)
	md := g.m * g.d
	// Train φ at Yₙ and read the velocity field ∇φ(Yₙ).
	div := g.trainAndVelocity(y, g.vel)
	ke, vmax, vmean := speeds(g.vel, g.m, g.d)
	if !finite(div) || !finite(ke) {
		return &DivergedError{Cause: fmt.Sprintf("D̂ = %v, kinetic energy = %v: %s", div, ke, g.diagnose(y))}
	}
	if g.cfg.Flow.Solver == "heun" {
		// Heun (explicit trapezoid): predict Ỹ = Yₙ − Δt∇φₙ(Yₙ), retrain φ
		// at Ỹ, and move with the average of the two velocities.
		yp := g.yPred[:md]
		for i, v := range g.vel[:md] {
			yp[i] = y[i] - dt*v
		}
		div2 := g.trainAndVelocity(yp, g.vel2)
		ke2, _, _ := speeds(g.vel2, g.m, g.d)
		if !finite(div2) || !finite(ke2) {
			return fmt.Errorf("Heun corrector: %w", ErrDiverged)
		}
		v2 := g.vel2[:md]
		for i, v := range g.vel[:md] {
			y[i] -= 0.5 * dt * (v + v2[i])
		}
	} else {
		// Forward Euler, eq. (11): Yᵢ ← Yᵢ − Δt ∇φ(Yᵢ).
		y := y[:md]
		for i, v := range g.vel[:md] {
			y[i] -= dt * v
		}
	}
	dst[gpaDivergence], dst[gpaKinetic], dst[gpaMaxSpeed], dst[gpaMeanSpeed] = div, ke, vmax, vmean
	return nil
}

// trainAndVelocity runs T_NN discriminator updates with the particles at y
// and writes vel = ∇φ(y). It returns the divergence estimate D̂ of eq. (3)
// for the trained φ (with the optimal ν).
func (g *gpa) trainAndVelocity(y, vel []float32) float64 {
	m, n, d := g.m, g.n, g.d
	copy(g.batch[:m*d], y)
	if g.cfg.Train.ResetAdam {
		if a, ok := g.opt.(*lipnet.Adam); ok {
			a.Reset()
		}
	}
	for range g.cfg.Train.InnerSteps {
		g.update(m + n)
	}
	out := g.phi.Forward(g.batch, m+n)
	div := g.objective(out, false)
	// ∇φ(Yᵢ): back-propagate 1 from every particle row (from its class's
	// head), 0 from target rows.
	k := g.cls.k
	clear(g.dout)
	for i := range m {
		if h := g.cls.head(i); h >= 0 {
			g.dout[i*k+h] = 1
		}
	}
	g.phi.InputGradTo(g.dx, g.dout)
	copy(vel[:m*d], g.dx[:m*d])
	return div
}

// Set applies a new L (renormalising φ) or learning rate; Δt and T_NN are
// read from the configuration at every step.
//
// A finite L on a net built with normalization "none" (L = ∞ presets, whose
// flow is unstable: paper Fig. 5(a)) would constrain nothing, since such a
// net is never normalised: the speed limit |∇φ| ≤ L of Remark 4.1(c) would
// be shown but not enforced. So Set switches φ to spectral normalization
// at that L (Algorithm 1, line 9, from the next update on, and once now),
// writes discriminator.normalization = "spectral" into the configuration
// (snapshots resume with it) and reports it through Note.
func (g *gpa) Set(p *Param, v float64) error {
	switch p.Key {
	case "lipschitz":
		if g.phi.Normalization() == lipnet.None && !math.IsInf(v, 1) {
			g.phi.SetNormalization(lipnet.Spectral)
			g.cfg.Discriminator.Normalization = lipnet.Spectral.String()
			g.note = fmt.Sprintf("φ had normalization \"none\" (L unenforced): now spectral at L = %s", FormatValue(v))
		}
		g.phi.SetLipschitz(v)
		g.phi.Normalize()
	case "lr":
		g.opt.SetLR(v)
	}
	return nil
}

func (g *gpa) save() {
	copy(g.saveParams, g.phi.Params())
	copy(g.savePow, g.phi.PowerVectors())
	copy(g.saveOpt, g.opt.State())
	copy(g.saveNu, g.nu)
	g.saveProj = g.nuProjected
}

// Undo restores φ, its optimiser and ν to their state before the last
// Step.
func (g *gpa) Undo() {
	copy(g.phi.Params(), g.saveParams)
	copy(g.phi.PowerVectors(), g.savePow)
	g.opt.SetState(g.saveOpt)
	copy(g.nu, g.saveNu)
	g.nuProjected = g.saveProj
}

// State is φ's weights and power vectors, the optimiser state, ν and the
// count of ν projections.
func (g *gpa) State() MethodState {
	return MethodState{
		F32: []Named32{
			{"phi_params", g.phi.Params()},
			{"phi_power", g.phi.PowerVectors()},
			{"opt_state", g.opt.State()},
		},
		F64: []Named64{
			{"nu", g.nu},
			{"nu_projections", []float64{float64(g.nuProjected)}},
		},
	}.clone()
}

// SetState restores what State saved into a GPA built from the same
// configuration.
func (g *gpa) SetState(st MethodState) error {
	params, pow, opt, nu := st.Get32("phi_params"), st.Get32("phi_power"), st.Get32("opt_state"), st.Get64("nu")
	if len(nu) != len(g.nu) {
		return fmt.Errorf("%d values of ν for %d heads", len(nu), len(g.nu))
	}
	if len(params) != len(g.phi.Params()) || len(pow) != len(g.phi.PowerVectors()) || len(opt) != len(g.opt.State()) {
		return fmt.Errorf("discriminator state does not match the configured network (params %d vs %d, power %d vs %d, optimiser %d vs %d)",
			len(params), len(g.phi.Params()), len(pow), len(g.phi.PowerVectors()), len(opt), len(g.opt.State()))
	}
	if !AllFinite(params) {
		return fmt.Errorf("NaN or Inf in the saved discriminator")
	}
	copy(g.phi.Params(), params)
	copy(g.phi.PowerVectors(), pow)
	g.opt.SetState(opt)
	g.phi.SetLipschitz(float64(g.cfg.Discriminator.Lipschitz))
	copy(g.nu, nu)
	if p := st.Get64("nu_projections"); len(p) == 1 {
		g.nuProjected = int(p[0])
	}
	return nil
}

func (g *gpa) Summary() [][2]string {
	c := g.cfg
	return [][2]string{
		{"f", c.Divergence.F + " · " + c.Divergence.Formulation},
		{"opt", c.Train.Optimizer},
		{"solver", c.Flow.Solver},
	}
}

// speeds returns the kinetic energy (1/M)Σ|vᵢ|² (eq. 13), max |vᵢ| and the
// mean |vᵢ|, accumulated in float64.
func speeds(vel []float32, m, d int) (ke, vmax, vmean float64) {
	for i := range m {
		var s2 float64
		for _, v := range vel[i*d : i*d+d] {
			s2 += float64(v) * float64(v)
		}
		ke += s2
		sp := math.Sqrt(s2)
		vmean += sp
		vmax = math.Max(vmax, sp)
	}
	return ke / float64(m), vmax, vmean / float64(m)
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// update is one discriminator update on the m+n rows of g.batch
// (Algorithm 1, lines 6–9): the objective's gradient (eq. (11)), the
// optimizer's step, and the normalization back into Γ_L (line 9).
func (g *gpa) update(rows int) {
	out := g.phi.Forward(g.batch, rows)
	g.objective(out, true)
	g.phi.ZeroGrad()
	g.phi.Backward(g.dout, nil)
	g.opt.Step(g.phi.Params(), g.phi.Grads())
	g.phi.Normalize() // Algorithm 1 line 9
}
