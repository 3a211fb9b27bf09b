package core

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// ErrDiverged reports a step that produced NaN or Inf. The Sim is left in
// the state it had before that step.
var ErrDiverged = errors.New("core: flow diverged (NaN or Inf)")

// Event is a parameter changed during a run (Param.Key, old and new
// values), with what the method did besides, if anything (Noter: e.g. φ
// switched to spectral normalization).
type Event struct {
	Step  int     `json:"step"`
	Param string  `json:"param"`
	Old   float64 `json:"old"`
	New   float64 `json:"new"`
	Note  string  `json:"note,omitempty"`
}

// Sim is one run: a Method moving particles Y toward the targets X of a
// Problem. It owns the particles, the metric history, the events and the
// metric schedule. A Sim is not safe for concurrent use.
type Sim struct {
	cfg    Config
	info   *MethodInfo
	method Method
	prob   *Problem

	d, m, n  int
	x, y, y0 []float32
	saveY    []float32

	step   int
	hist   History
	events []Event

	infos    []MetricInfo // method's, then observers'
	nMethod  int          // len(method.Metrics())
	vals     []float64    // the method's values of the current step
	obs      []Observer   // MMD², then the problem's
	obsStart []int        // index of each observer's first metric in infos
	est      *trueDiv     // independent D_L estimates (flow.estimate_every), or nil

	lengthScale float64
}

// New checks cfg and the problem and builds the run: the method of
// cfg.Method.Kind over p, at step 0. p's slices are kept (Y is copied).
func New(cfg Config, p *Problem) (*Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	info, err := LookupMethod(cfg.Method.Kind)
	if err != nil {
		return nil, err
	}
	s := &Sim{
		cfg: cfg, info: info, prob: p,
		d: p.D, m: p.M, n: p.N,
		x: p.X, y: slices.Clone(p.Y), y0: slices.Clone(p.Y),
		saveY: make([]float32, p.M*p.D),
	}
	if s.method, err = info.New(&s.cfg, p); err != nil {
		return nil, err
	}
	s.infos = slices.Clone(s.method.Metrics())
	s.nMethod = len(s.infos)
	s.vals = make([]float64, s.nMethod)
	s.obs = append([]Observer{newMMDObserver(p.X, p.N, p.M, p.D)}, p.Observers...)
	for _, o := range s.obs {
		s.obsStart = append(s.obsStart, len(s.infos))
		s.infos = append(s.infos, o.Metrics()...)
	}
	if cfg.Flow.EstimateEvery > 0 {
		names := make([]string, len(s.infos))
		for i, mi := range s.infos {
			names[i] = mi.Name
		}
		if s.est, err = newTrueDiv(cfg, p, names, len(s.infos)); err != nil {
			return nil, err
		}
		s.infos = append(s.infos, trueDivMetrics...)
	}
	names := make([]string, len(s.infos))
	for i, mi := range s.infos {
		names[i] = mi.Name
	}
	s.hist = History{Names: names}
	s.hist.Rows = make([]float64, 0, min(max(cfg.Flow.Steps, 16), 1<<20)*s.hist.stride())
	s.lengthScale = lengthScale(p.X, p.N, p.D)
	return s, nil
}

// Config returns the current configuration, including mid-run changes.
func (s *Sim) Config() Config { return s.cfg }

// Method is the particle method.
func (s *Sim) Method() Method { return s.method }

// Kind is the method's kind ("gpa").
func (s *Sim) Kind() string { return s.info.Kind }

// Summary describes the method's fixed settings (Method.Summary).
func (s *Sim) Summary() [][2]string { return s.method.Summary() }

// Params is the method's table of mid-run parameters.
func (s *Sim) Params() ParamTable { return s.info.Params }

// Value is the current value of a parameter.
func (s *Sim) Value(p *Param) float64 { return p.get(&s.cfg) }

// Problem is the problem the run works on.
func (s *Sim) Problem() *Problem { return s.prob }

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

// Metrics declares the columns of the history.
func (s *Sim) Metrics() []MetricInfo { return s.infos }

// History holds the metrics of every completed step (read-only).
func (s *Sim) History() *History { return &s.hist }

// Events lists the mid-run parameter changes.
func (s *Sim) Events() []Event { return s.events }

// LengthScale is the target's robust spread ℓ (see lengthScale), the scale
// against which the per-step displacement bound L·Δt is judged (CFL
// remark, App. B.2).
func (s *Sim) LengthScale() float64 { return s.lengthScale }

// SetTotalSteps sets the step count the run aims for (flow.steps). It is
// not a recorded change.
func (s *Sim) SetTotalSteps(n int) {
	if n >= 0 {
		s.cfg.Flow.Steps = n
	}
}

// Set changes a parameter of the method mid-run (by key, preset key or
// symbol) and records it as an Event.
func (s *Sim) Set(name string, v float64) error {
	p, ok := s.info.Params.Lookup(name)
	if !ok {
		var keys []string
		for _, p := range s.info.Params {
			keys = append(keys, p.Key)
		}
		return fmt.Errorf("core: %s has no parameter %q; it has %v", s.info.Kind, name, keys)
	}
	if err := p.Check(v); err != nil {
		return fmt.Errorf("core: %w", err)
	}
	old := p.get(&s.cfg)
	p.set(&s.cfg, v)
	if err := s.method.Set(p, v); err != nil {
		p.set(&s.cfg, old)
		return fmt.Errorf("core: %s: %w", p.Symbol, err)
	}
	var note string
	if n, ok := s.method.(Noter); ok {
		note = n.Note()
	}
	if old != v || note != "" {
		s.events = append(s.events, Event{Step: s.step, Param: p.Key, Old: old, New: v, Note: note})
	}
	return nil
}

// Advance runs up to k steps and returns the metrics of the last one. It
// stops at the first error.
func (s *Sim) Advance(k int) (Record, error) {
	var r Record
	for range k {
		var err error
		if r, err = s.Step(); err != nil {
			return r, err
		}
	}
	return r, nil
}

// Step performs one step of the method. On NaN/Inf it restores the
// previous state and returns an error wrapping ErrDiverged.
func (s *Sim) Step() (Record, error) {
	copy(s.saveY, s.y)
	err := s.method.Step(s.y, s.vals)
	if err == nil {
		if s.cfg.Flow.Mobility == "bounded" {
			ClipUnit(s.y) // bounded mobility: pixels stay in [0, 1]
		}
		if !AllFinite(s.y) {
			err = fmt.Errorf("particles left the float32 range: %w", ErrDiverged)
		}
	}
	if err != nil {
		copy(s.y, s.saveY)
		s.method.Undo()
		return Record{}, fmt.Errorf("step %d: %w", s.step+1, err)
	}
	s.step++
	row := s.hist.append(s.step)
	copy(row, s.vals)
	if s.metricStep() {
		for i, o := range s.obs {
			start := s.obsStart[i]
			o.Observe(row[start:start+len(o.Metrics())], s.y)
		}
	}
	if s.est != nil {
		s.est.observe(&s.hist, s.step, s.cfg.Flow.Dt, s.y)
	}
	return s.hist.At(s.hist.Len() - 1), nil
}

// metricStep reports whether the observers measure at the current step:
// at step 1 and every flow.metrics_every steps. It depends on the step
// alone, so that a run stopped and resumed anywhere records the same
// metrics as one run straight through.
func (s *Sim) metricStep() bool {
	k := s.cfg.Flow.MetricsEvery
	return k > 0 && (s.step%k == 0 || s.step == 1)
}

// DecodedTo writes the particles in data space into dst (M×DataD):
// decoded, D(Y), in a latent run, the particles themselves otherwise.
func (s *Sim) DecodedTo(dst []float32) {
	if s.prob.Decoder != nil {
		s.prob.Decoder.DecodeTo(dst, s.y, s.m)
	} else {
		copy(dst, s.y)
	}
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
