package tui

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
)

// fakeEngine is a scripted engine: each step moves every particle 10% of
// the way to one target, and the metrics are simple functions of the step,
// so that views do not change when the real engine's numerics do. Its
// parameters are GPA's real table.
type fakeEngine struct {
	cfg       core.Config
	d, m, n   int
	x, y, y0  []float32
	step      int
	infos     []core.MetricInfo
	hist      core.History
	events    []core.Event
	prob      *core.Problem
	divergeAt int   // the step that fails with ErrDiverged (0: never)
	calls     []int // k of every Advance
	// extra, if set, fills the metrics after the first five of each step
	// (image metrics).
	extra func(step int, row []float64)
	// decode, if set, is DecodedTo (image runs).
	decode  func(dst []float32)
	decodes int // DecodedTo calls

	// gate, if set, holds Advance until it is closed; any other method
	// called meanwhile counts as a concurrent use in touched.
	gate    chan struct{}
	busy    atomic.Bool
	touched atomic.Int32
}

// fakeMetrics mirror GPA's metrics and MMD² (core's gpaMetrics, mmdInfo).
var fakeMetrics = []core.MetricInfo{
	{Name: "divergence", Symbol: "D̂", Rank: 10},
	{Name: "kinetic_energy", Symbol: "KE", Scale: core.Log, Rank: 20},
	{Name: "max_speed", Symbol: "|v|max", Scale: core.Log, Rank: 50, LimitParam: "lipschitz"},
	{Name: "mean_speed", Symbol: "|v|mean", Scale: core.Log, Show: core.ShowHidden, Rank: 60},
	{Name: "mmd2", Symbol: "MMD²", Scale: core.Log, Rank: 40},
}

// use records a call; it is a violation while Advance runs.
func (f *fakeEngine) use() {
	if f.busy.Load() {
		f.touched.Add(1)
	}
}

// newFake builds a fake with n targets on four wells and m particles in
// one corner, in d dimensions, from a fixed seed.
func newFake(cfg core.Config, m, n, d int) *fakeEngine {
	rng := rand.New(rand.NewPCG(1, 2))
	f := &fakeEngine{cfg: cfg, d: d, m: m, n: n, x: make([]float32, n*d), y: make([]float32, m*d)}
	for i := range n {
		w := i % 4
		for c := range d {
			f.x[i*d+c] = float32(4*((w>>min(c, 1))&1)) + float32(rng.NormFloat64()*0.5)
		}
	}
	for i := range m * d {
		f.y[i] = 4 + float32(rng.NormFloat64()*0.5)
	}
	f.y0 = append([]float32(nil), f.y...)
	f.prob = &core.Problem{X: f.x, N: n, Y: f.y0, M: m, D: d}
	f.setMetrics(fakeMetrics)
	return f
}

// setMetrics declares the history's columns.
func (f *fakeEngine) setMetrics(infos []core.MetricInfo) {
	f.infos = infos
	f.hist = core.History{}
	for _, mi := range infos {
		f.hist.Names = append(f.hist.Names, mi.Name)
	}
}

func (f *fakeEngine) Config() core.Config        { f.use(); return f.cfg }
func (f *fakeEngine) Kind() string               { f.use(); return "gpa" }
func (f *fakeEngine) StepCount() int             { f.use(); return f.step }
func (f *fakeEngine) Dim() int                   { f.use(); return f.d }
func (f *fakeEngine) M() int                     { f.use(); return f.m }
func (f *fakeEngine) N() int                     { f.use(); return f.n }
func (f *fakeEngine) Particles() []float32       { f.use(); return f.y }
func (f *fakeEngine) Targets() []float32         { f.use(); return f.x }
func (f *fakeEngine) Initial() []float32         { f.use(); return f.y0 }
func (f *fakeEngine) Metrics() []core.MetricInfo { f.use(); return f.infos }
func (f *fakeEngine) History() *core.History     { f.use(); return &f.hist }
func (f *fakeEngine) Events() []core.Event       { f.use(); return f.events }
func (f *fakeEngine) LengthScale() float64       { f.use(); return 2.9 }
func (f *fakeEngine) Problem() *core.Problem     { f.use(); return f.prob }
func (f *fakeEngine) State() *core.State         { f.use(); return &core.State{Config: f.cfg, Step: f.step} }
func (f *fakeEngine) Params() core.ParamTable    { return gpaParams() }
func (f *fakeEngine) SetTotalSteps(n int)        { f.use(); f.cfg.Flow.Steps = n }
func (f *fakeEngine) Summary() [][2]string {
	f.use()
	return [][2]string{{"f", f.cfg.Divergence.F + " · " + f.cfg.Divergence.Formulation}, {"opt", f.cfg.Train.Optimizer}, {"solver", f.cfg.Flow.Solver}}
}

func (f *fakeEngine) DecodedTo(dst []float32) {
	f.use()
	if f.decode == nil {
		copy(dst, f.y)
		return
	}
	f.busy.Store(true) // like Advance: the UI must not call in meanwhile
	defer f.busy.Store(false)
	f.decodes++
	f.decode(dst)
}

// Potential is a fixed bowl around (2, 2, …), φ(x) = Σ_k (x_k − 2)²/10,
// so that heat-map views do not depend on the engine's numerics.
func (f *fakeEngine) Potential() core.Potential { return fakePotential{d: f.d} }

type fakePotential struct{ d int }

func (p fakePotential) PotentialTo(dst, pts []float32, rows int) {
	for i := range rows {
		var s float32
		for _, x := range pts[i*p.d : (i+1)*p.d] {
			s += (x - 2) * (x - 2) / 10
		}
		dst[i] = s
	}
}

// gpaParams is GPA's parameter table.
func gpaParams() core.ParamTable {
	info, err := core.LookupMethod("gpa")
	if err != nil {
		panic(err)
	}
	return info.Params
}

func (f *fakeEngine) Set(name string, v float64) error {
	f.use()
	p, ok := gpaParams().Lookup(name)
	if !ok {
		return fmt.Errorf("fake: no parameter %q", name)
	}
	if err := p.Check(v); err != nil {
		return fmt.Errorf("fake: %w", err)
	}
	old := p.Get(&f.cfg)
	switch p.Key {
	case "lipschitz":
		f.cfg.Discriminator.Lipschitz = core.Lipschitz(v)
	case "dt":
		f.cfg.Flow.Dt = v
	case "lr":
		f.cfg.Train.LR = v
	case "inner_steps":
		f.cfg.Train.InnerSteps = int(v)
	}
	f.events = append(f.events, core.Event{Step: f.step, Param: p.Key, Old: old, New: v})
	return nil
}

func (f *fakeEngine) Advance(k int) (core.Record, error) {
	f.use()
	f.busy.Store(true)
	defer f.busy.Store(false)
	if f.gate != nil {
		<-f.gate
	}
	f.calls = append(f.calls, k)
	var r core.Record
	for range k {
		if f.step+1 == f.divergeAt {
			return r, fmt.Errorf("step %d: %w", f.step+1, &core.DivergedError{Cause: "e^{φ(X)−ν} overflowed"})
		}
		for i := range f.m {
			j := i % f.n
			for c := range f.d {
				f.y[i*f.d+c] += 0.1 * (f.x[j*f.d+c] - f.y[i*f.d+c])
			}
		}
		f.step++
		s := float64(f.step)
		row := make([]float64, len(f.infos))
		for i := range row {
			row[i] = math.NaN()
		}
		copy(row, []float64{2 / s, 1 / (s * s), min(1, 3/s), 1 / s})
		if f.step%2 == 0 {
			row[4] = 0.5 / s
		}
		if f.extra != nil {
			f.extra(f.step, row)
		}
		f.hist.Rows = append(f.hist.Rows, s)
		f.hist.Rows = append(f.hist.Rows, row...)
		r = f.hist.At(f.hist.Len() - 1)
	}
	return r, nil
}

// testConfig is a small resolved preset for the fake.
func testConfig() experiments.Config {
	var c experiments.Config
	c.Name, c.Description = "four-well-test", "fake four wells"
	c.Divergence.F, c.Divergence.Formulation = "kl", "dv"
	c.Discriminator.Lipschitz = 1
	c.Train.Optimizer, c.Train.LR, c.Train.InnerSteps = "sgd", 0.005, 5
	c.Flow.Dt, c.Flow.Steps, c.Flow.Solver = 1, 100, "euler"
	return c
}

// fakeDeps wires the model to fakes; the last engine built is kept.
type fakeDeps struct {
	deps
	last  *fakeEngine
	dim   int
	saved []string
}

func newFakeDeps(t testing.TB, dim int) *fakeDeps {
	fd := &fakeDeps{dim: dim}
	fd.loadPreset = func(name string, _ []string) (experiments.Config, error) {
		if name == "missing" {
			return experiments.Config{}, errors.New("presets: no preset \"missing\"")
		}
		c := testConfig()
		c.Name = name
		return c, nil
	}
	fd.newEngine = func(cfg experiments.Config, _ experiments.Options) (engine, error) {
		fd.last = newFake(cfg.Config, 40, 40, fd.dim)
		return fd.last, nil
	}
	fd.loadSnap = func(path string, _ experiments.Options) (engine, error) {
		return nil, fmt.Errorf("%s: not a snapshot (fake)", path)
	}
	fd.listPresets = func() []pickItem {
		return []pickItem{{Name: "four-well-test", Description: "fake"}, {Name: "other", Description: "another"}}
	}
	fd.snapshotDir = t.TempDir()
	// A fixed clock: the log's times in golden views do not change (tests
	// of refresh rates set their own).
	fd.now = func() time.Time { return time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC) }
	fd.save = func(e engine, path string) error {
		fd.saved = append(fd.saved, path)
		return os.WriteFile(path, []byte(fmt.Sprintf("step %d\n", e.StepCount())), 0o644)
	}
	return fd
}

// tick is the fixed duration given to every step command in tests, so that
// chunk sizes and the steps/s figure are deterministic.
const tick = 10 * time.Millisecond

// feed runs cmd and hands its message to Update, at most n times, and
// returns the command still pending. Step durations are fixed to tick.
func feed(m *model, cmd tea.Cmd, n int) tea.Cmd {
	for i := 0; i < n && cmd != nil; i++ {
		msg := cmd()
		if sd, ok := msg.(stepDoneMsg); ok {
			sd.elapsed = tick
			msg = sd
		}
		_, cmd = m.Update(msg)
	}
	return cmd
}

// press sends a key to Update and returns its command.
func press(m *model, k string) tea.Cmd {
	msg := tea.KeyPressMsg{Text: k, Code: []rune(k)[0]}
	switch k {
	case "space":
		msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		msg = tea.KeyPressMsg{Code: tea.KeyDown}
	}
	_, cmd := m.Update(msg)
	return cmd
}

// started returns a model of size w×h on the fakes, loaded and with the
// first step command pending.
func started(t testing.TB, fd *fakeDeps, w, h int) (*model, tea.Cmd) {
	t.Helper()
	c := testConfig()
	m := newModel(fd.deps, loadReq{cfg: &c})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	cmd := feed(m, m.Init(), 1)
	if m.eng == nil {
		t.Fatalf("no engine after load: status %q", m.status)
	}
	return m, cmd
}

// screen is the ANSI-stripped view.
func screen(m *model) string { return ansi.Strip(m.View().Content) }
