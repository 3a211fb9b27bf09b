package core

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/gpa-tui/gpa-tui/conj"
	"github.com/gpa-tui/gpa-tui/core/genes"
	"github.com/gpa-tui/gpa-tui/core/images"
	"github.com/gpa-tui/gpa-tui/lipnet"
)

// ErrDiverged reports a step that produced NaN or Inf. The Sim is left in
// the state it had before that step.
var ErrDiverged = errors.New("core: flow diverged (NaN or Inf)")

// Metrics are measured at every particle step.
type Metrics struct {
	Step          int     `json:"step"`           // completed steps, 1-based
	Divergence    float64 `json:"divergence"`     // D̂ = E_P[φ] − inf_ν{ν + E_Q f*(φ−ν)} (eq. 3) at Yₙ
	KineticEnergy float64 `json:"kinetic_energy"` // (1/M) Σ|∇φ(Yᵢ)|² (eq. 13) at Yₙ
	MaxSpeed      float64 `json:"max_speed"`      // maxᵢ |∇φ(Yᵢ)| ≤ L (Remark 4.1c)
	MeanSpeed     float64 `json:"mean_speed"`     // (1/M) Σ|∇φ(Yᵢ)|
	MMD2          float64 `json:"mmd2,omitempty"` // MMD²(Yₙ₊₁, X), when HasMMD
	HasMMD        bool    `json:"-"`
	// Image runs, every flow.metrics_every steps (see imageMetrics); NaN
	// where not defined (accuracy of an unconditional run).
	Accuracy  float64 `json:"accuracy,omitempty"`
	Frechet   float64 `json:"frechet,omitempty"`
	Memorized float64 `json:"memorized,omitempty"`
	Copies    float64 `json:"copies,omitempty"`
	HasImage  bool    `json:"-"`
}

// Event is a parameter changed during a run.
type Event struct {
	Step  int     `json:"step"`
	Param string  `json:"param"`
	Old   float64 `json:"old"`
	New   float64 `json:"new"`
}

// Param names a parameter that can be changed mid-run with Sim.Set.
type Param int

// Parameters that Sim.Set changes.
const (
	ParamLipschitz  Param = iota // L of Γ_L
	ParamDt                      // Δt
	ParamLR                      // discriminator learning rate δ
	ParamInnerSteps              // T_NN
)

func (p Param) String() string {
	switch p {
	case ParamLipschitz:
		return "lipschitz"
	case ParamDt:
		return "dt"
	case ParamLR:
		return "lr"
	case ParamInnerSteps:
		return "inner_steps"
	}
	return fmt.Sprintf("Param(%d)", int(p))
}

// Sim is one GPA run: targets X, particles Y and the discriminator φ.
type Sim struct {
	cfg Config
	f   conj.F
	dv  bool // ν minimised exactly (formulation "dv")

	phi *lipnet.Net
	opt optimizer
	nu  []float64 // learned ν per head (formulation "nu")

	d, m, n  int
	x, y, y0 []float32

	batch []float32 // (M+N)×d: [Y; X], the discriminator's input
	dout  []float32 // (M+N)×K: ∂(−J)/∂φ at each row and head, or a velocity selector
	cls   classes   // heads and the rows of each class
	dx    []float32 // (M+N)×d: input gradients
	vel   []float32 // M×d: ∇φ(Yᵢ)
	yPred []float32 // Heun predictor
	vel2  []float32 // Heun corrector velocity

	// The state before the current step, restored on divergence.
	saveY, saveParams, savePow, saveOpt []float32
	saveNu                              []float64

	step        int
	history     []Metrics
	events      []Event
	mmd         mmdWork
	lengthScale float64
	nuProjected int // learned ν moved back into dom f* (see objective)

	prob *problem      // the data: labels, latent coder, batch-merging problem
	imgm *imageMetrics // image runs: classifier, Fréchet reference, memorization
}

// optimizer is what the Sim needs of lipnet's SGD and Adam.
type optimizer interface {
	lipnet.Optimizer
	SetState([]float32)
	SetLR(float64)
}

// Streams of the seeded PCG generator, one per random quantity, so that
// changing one data set leaves the others unchanged.
const (
	streamTarget = 1
	streamPrior  = 2
	streamNet    = 3
)

// New samples the data and builds the discriminator.
func New(cfg Config) (*Sim, error) { return NewOpts(cfg, Options{}) }

// NewOpts is New with Options to observe slow preparation (autoencoder and
// classifier training for image runs).
func NewOpts(cfg Config, opts Options) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, err := prepare(cfg, &opts)
	if err != nil {
		return nil, err
	}
	return newSim(cfg, p, &opts)
}

// NewWithData builds a Sim on given targets X (n×d) and initial particles
// Y (m×d) instead of sampling cfg.Target and cfg.Prior (latent GPA, files
// prepared by other tools). The slices are copied.
func NewWithData(cfg Config, x []float32, n int, y []float32, m, d int) (*Sim, error) {
	if len(x) != n*d || len(y) != m*d || n < 1 || m < 1 || d < 1 {
		return nil, fmt.Errorf("core: NewWithData: shapes X %d for %d×%d, Y %d for %d×%d", len(x), n, d, len(y), m, d)
	}
	for _, v := range [][]float32{x, y} {
		if !finite32(v) {
			return nil, fmt.Errorf("core: NewWithData: NaN or Inf in the data")
		}
	}
	if cfg.Discriminator.Conditional {
		return nil, fmt.Errorf("core: NewWithData: a conditional discriminator needs labelled data; use New")
	}
	return newSim(cfg, &problem{x: append([]float32(nil), x...), n: n, y: append([]float32(nil), y...), m: m, d: d, k: 1}, &Options{})
}

func newSim(cfg Config, p *problem, opts *Options) (*Sim, error) {
	x, n, y, m, d := p.x, p.n, p.y, p.m, p.d
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
		Out:       p.k,
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
	s := &Sim{
		cfg: cfg, f: f, dv: cfg.Divergence.Formulation == "dv",
		phi: phi,
		d:   d, m: m, n: n,
		x: x, y: y, y0: append([]float32(nil), y...),
		batch: make([]float32, rows*d),
		dout:  make([]float32, rows*p.k),
		cls:   newClasses(p.k, p.labelsY, p.labelsX, m, n),
		nu:    make([]float64, p.k),
		prob:  p,
		dx:    make([]float32, rows*d),
		vel:   make([]float32, m*d),
	}
	np := len(phi.Params())
	switch cfg.Train.Optimizer {
	case "adam":
		s.opt = lipnet.NewAdam(cfg.Train.LR, np)
	default:
		s.opt = lipnet.NewSGD(cfg.Train.LR)
	}
	if cfg.Flow.Solver == "heun" {
		s.yPred = make([]float32, m*d)
		s.vel2 = make([]float32, m*d)
	}
	copy(s.batch[m*d:], x)
	s.saveY = make([]float32, m*d)
	s.saveNu = make([]float64, p.k)
	s.saveParams = make([]float32, np)
	s.savePow = make([]float32, len(phi.PowerVectors()))
	s.saveOpt = make([]float32, len(s.opt.State()))
	s.history = make([]Metrics, 0, min(max(cfg.Flow.Steps, 16), 1<<20))
	s.mmd.init(m, n, d)
	s.lengthScale = lengthScale(x, n, d)
	if p.img != nil && cfg.Flow.MetricsEvery > 0 {
		if s.imgm, err = newImageMetrics(s, opts); err != nil {
			return nil, fmt.Errorf("image metrics: %w", err)
		}
	}
	return s, nil
}

// Genes is the prepared batch-merging problem ([genes] runs), or nil: its
// Decode maps the particles back to gene space and Compare scores the merge.
func (s *Sim) Genes() *genes.Prepared { return s.prob.gene }

// Config returns the current configuration, including mid-run changes.
func (s *Sim) Config() Config { return s.cfg }

// StepCount is the number of completed particle steps.
func (s *Sim) StepCount() int { return s.step }

// Dim is the dimension d of the samples.
func (s *Sim) Dim() int { return s.d }

// M is the number of particles.
func (s *Sim) M() int { return s.m }

// N is the number of targets.
func (s *Sim) N() int { return s.n }

// Particles is the live M×d particle buffer Y.
func (s *Sim) Particles() []float32 { return s.y }

// Targets is the N×d target buffer X.
func (s *Sim) Targets() []float32 { return s.x }

// Initial is Y₀, the particles at step 0.
func (s *Sim) Initial() []float32 { return s.y0 }

// History holds the metrics of every completed step.
func (s *Sim) History() []Metrics { return s.history }

// Events lists the mid-run parameter changes.
func (s *Sim) Events() []Event { return s.events }

// Discriminator is the net φ (for inspection and snapshots).
func (s *Sim) Discriminator() *lipnet.Net { return s.phi }

// Optimizer is φ's optimiser (for snapshots).
func (s *Sim) Optimizer() lipnet.Optimizer { return s.opt }

// Nu is the learned ν of each head (formulation "nu"; zeros for "dv").
func (s *Sim) Nu() []float64 { return s.nu }

// LengthScale is the target's robust spread ℓ (see lengthScale), the scale
// against which the per-step displacement bound L·Δt is judged (CFL
// remark, App. B.2).
func (s *Sim) LengthScale() float64 { return s.lengthScale }

// Divergence is the f of this run.
func (s *Sim) Divergence() conj.F { return s.f }

// SetTotalSteps sets the step count the run aims for (flow.steps): image
// metrics are also measured at that step. It is not a recorded change.
func (s *Sim) SetTotalSteps(n int) {
	if n >= 0 {
		s.cfg.Flow.Steps = n
	}
}

// Set changes a parameter mid-run and records it as an Event.
func (s *Sim) Set(p Param, v float64) error {
	var old float64
	switch p {
	case ParamLipschitz:
		if !(v > 0) {
			return fmt.Errorf("core: L = %v: want > 0", v)
		}
		old = float64(s.cfg.Discriminator.Lipschitz)
		s.cfg.Discriminator.Lipschitz = Lipschitz(v)
		s.phi.SetLipschitz(v)
		s.phi.Normalize()
	case ParamDt:
		if !positive(v) {
			return fmt.Errorf("core: Δt = %v: want a finite number > 0", v)
		}
		old, s.cfg.Flow.Dt = s.cfg.Flow.Dt, v
	case ParamLR:
		if !positive(v) || v > 10 {
			return fmt.Errorf("core: lr = %v: want 0 < lr ≤ 10", v)
		}
		old, s.cfg.Train.LR = s.cfg.Train.LR, v
		s.opt.SetLR(v)
	case ParamInnerSteps:
		if !(v >= 1 && v <= 10000) || v != math.Trunc(v) {
			return fmt.Errorf("core: T_NN = %v: want an integer 1 … 10000", v)
		}
		old = float64(s.cfg.Train.InnerSteps)
		s.cfg.Train.InnerSteps = int(v)
	default:
		return fmt.Errorf("core: unknown parameter %v", p)
	}
	if old != v {
		s.events = append(s.events, Event{Step: s.step, Param: p.String(), Old: old, New: v})
	}
	return nil
}

// Advance runs up to k steps and returns the metrics of the last one. It
// stops at the first error.
func (s *Sim) Advance(k int) (Metrics, error) {
	var mt Metrics
	for range k {
		var err error
		if mt, err = s.Step(); err != nil {
			return mt, err
		}
	}
	return mt, nil
}

// Step performs one particle step (Algorithm 1, lines 6–11; Heun when
// flow.solver = "heun"). On NaN/Inf it restores the previous state and
// returns an error wrapping ErrDiverged.
func (s *Sim) Step() (Metrics, error) {
	s.save()
	dt := float32(s.cfg.Flow.Dt)
	md := s.m * s.d
	// Train φ at Yₙ and read the velocity field ∇φ(Yₙ).
	div := s.trainAndVelocity(s.y, s.vel)
	ke, vmax, vmean := speeds(s.vel, s.m, s.d)
	if !finite(div) || !finite(ke) {
		s.restore()
		return Metrics{}, fmt.Errorf("step %d: D̂ = %v, kinetic energy = %v: %w", s.step+1, div, ke, ErrDiverged)
	}
	if s.cfg.Flow.Solver == "heun" {
		// Heun (explicit trapezoid): predict Ỹ = Yₙ − Δt∇φₙ(Yₙ), retrain φ
		// at Ỹ, and move with the average of the two velocities.
		yp := s.yPred[:md]
		for i, v := range s.vel[:md] {
			yp[i] = s.y[i] - dt*v
		}
		div2 := s.trainAndVelocity(yp, s.vel2)
		ke2, _, _ := speeds(s.vel2, s.m, s.d)
		if !finite(div2) || !finite(ke2) {
			s.restore()
			return Metrics{}, fmt.Errorf("step %d (Heun corrector): %w", s.step+1, ErrDiverged)
		}
		v2 := s.vel2[:md]
		for i, v := range s.vel[:md] {
			s.y[i] -= 0.5 * dt * (v + v2[i])
		}
	} else {
		// Forward Euler, eq. (11): Yᵢ ← Yᵢ − Δt ∇φ(Yᵢ).
		y := s.y[:md]
		for i, v := range s.vel[:md] {
			y[i] -= dt * v
		}
	}
	if s.cfg.Flow.Mobility == "bounded" {
		images.ClipUnit(s.y[:md]) // bounded mobility: pixels stay in [0, 1]
	}
	if !finite32(s.y[:md]) {
		s.restore()
		return Metrics{}, fmt.Errorf("step %d: particles left the float32 range: %w", s.step+1, ErrDiverged)
	}
	s.step++
	mt := Metrics{Step: s.step, Divergence: div, KineticEnergy: ke, MaxSpeed: vmax, MeanSpeed: vmean}
	if k := s.cfg.Flow.MetricsEvery; k > 0 && (s.step%k == 0 || s.step == 1) {
		mt.MMD2, mt.HasMMD = s.mmd.mmd2(s.y, s.x), true
	}
	if k := s.cfg.Flow.MetricsEvery; s.imgm != nil && ((k > 0 && s.step%k == 0) || s.step == s.cfg.Flow.Steps) {
		s.imgm.measure(s, &mt) // allocates (Fréchet); only on metric steps of image runs
	}
	s.history = append(s.history, mt)
	return mt, nil
}

// trainAndVelocity runs T_NN discriminator updates with the particles at y
// and writes vel = ∇φ(y). It returns the divergence estimate D̂ of eq. (3)
// for the trained φ (with the optimal ν).
func (s *Sim) trainAndVelocity(y, vel []float32) float64 {
	m, n, d := s.m, s.n, s.d
	copy(s.batch[:m*d], y)
	if s.cfg.Train.ResetAdam {
		if a, ok := s.opt.(*lipnet.Adam); ok {
			a.Reset()
		}
	}
	params, grads := s.phi.Params(), s.phi.Grads()
	for range s.cfg.Train.InnerSteps {
		out := s.phi.Forward(s.batch, m+n)
		s.objective(out, true)
		s.phi.ZeroGrad()
		s.phi.Backward(s.dout, nil)
		s.opt.Step(params, grads)
		s.phi.Normalize() // Algorithm 1 line 9
	}
	out := s.phi.Forward(s.batch, m+n)
	div := s.objective(out, false)
	// ∇φ(Yᵢ): back-propagate 1 from every particle row (from its class's
	// head), 0 from target rows.
	k := s.cls.k
	clear(s.dout)
	for i := range m {
		if h := s.cls.head(i); h >= 0 {
			s.dout[i*k+h] = 1
		}
	}
	s.phi.InputGradTo(s.dx, s.dout)
	copy(vel[:m*d], s.dx[:m*d])
	return div
}

// NuProjections counts the updates at which a learned ν was moved back so
// that φ(X) − ν lies in dom f*.
func (s *Sim) NuProjections() int { return s.nuProjected }

func (s *Sim) save() {
	copy(s.saveY, s.y)
	copy(s.saveParams, s.phi.Params())
	copy(s.savePow, s.phi.PowerVectors())
	copy(s.saveOpt, s.opt.State())
	copy(s.saveNu, s.nu)
}

func (s *Sim) restore() {
	copy(s.y, s.saveY)
	copy(s.phi.Params(), s.saveParams)
	copy(s.phi.PowerVectors(), s.savePow)
	s.opt.SetState(s.saveOpt)
	copy(s.nu, s.saveNu)
	copy(s.batch[:s.m*s.d], s.y)
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

func finite32(x []float32) bool {
	for _, v := range x {
		if v != v || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}

// lengthScale is a robust spread of the targets: √(Σ_k σ̂_k²) with
// σ̂_k = IQR_k/1.349 the interquartile estimate of coordinate k's standard
// deviation (exact for Gaussians). Unlike √tr Cov(X), a few heavy-tailed
// samples (Student-t with ν < 2 has no variance) do not blow it up.
func lengthScale(x []float32, n, d int) float64 {
	col := make([]float64, n)
	var s2 float64
	for k := range d {
		for i := range n {
			col[i] = float64(x[i*d+k])
		}
		slices.Sort(col)
		q := func(f float64) float64 { return col[int(f*float64(n-1))] }
		sd := (q(0.75) - q(0.25)) / 1.349 // 1.349 = IQR of N(0,1)
		s2 += sd * sd
	}
	return math.Sqrt(s2)
}
