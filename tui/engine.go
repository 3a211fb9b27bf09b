package tui

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
)

// engine is the part of *core.Sim the workbench uses; tests substitute a
// scripted fake. Like *core.Sim it is not safe for concurrent use: only the
// one engine command in flight, or Update while none is, may call it.
type engine interface {
	Config() core.Config
	Kind() string
	Summary() [][2]string
	Params() core.ParamTable
	Set(name string, v float64) error
	Advance(k int) (core.Record, error)
	StepCount() int
	Dim() int
	M() int
	N() int
	Particles() []float32
	Targets() []float32
	Initial() []float32
	Metrics() []core.MetricInfo
	History() *core.History
	Events() []core.Event
	LengthScale() float64
	// Problem is what the run works on: its images, tables, notes and
	// 2-D view. DecodedTo is as slow as a decoder pass over every
	// particle: it runs only in the engine command.
	Problem() *core.Problem
	DecodedTo(dst []float32)
	State() *core.State
}

var _ engine = (*core.Sim)(nil)

// deps are the workbench's ways to reach the engine, the presets and the
// snapshots; Run fills them from the real packages, tests with fakes.
type deps struct {
	loadPreset  func(nameOrFile string, sets []string) (experiments.Config, error)
	newEngine   func(cfg experiments.Config, opts experiments.Options) (engine, error)
	loadSnap    func(path string, opts experiments.Options) (engine, error)
	save        func(e engine, path string) error
	listPresets func() []pickItem
	snapshotDir string
	logf        func(format string, a ...any) // nil: no debug log

	// send delivers a message to the running program from another
	// goroutine (tea.Program.Send): preparation progress from the engine
	// command. Nil drops the messages.
	send func(tea.Msg)
	// now is the clock of the refresh rates (time.Now; tests fake it).
	now func() time.Time
	// engMu, if set, is held by every engine command while it runs, so
	// that the engine can be used safely once the program has ended.
	engMu *sync.Mutex
}

// guard makes cmd hold d.engMu while it runs.
func (d deps) guard(cmd tea.Cmd) tea.Cmd {
	if d.engMu == nil || cmd == nil {
		return cmd
	}
	return func() tea.Msg {
		d.engMu.Lock()
		defer d.engMu.Unlock()
		return cmd()
	}
}

// loadReq says where the next engine comes from: a preset (with --set
// overrides), a resolved Config (restart), or a snapshot file. ready is an
// engine already built from one of them before the screen opened.
type loadReq struct {
	preset   string
	sets     []string
	cfg      *experiments.Config
	snapshot string
	ready    engine
}

func (r loadReq) String() string {
	switch {
	case r.snapshot != "":
		return r.snapshot
	case r.cfg != nil:
		return r.cfg.Name
	}
	return r.preset
}

// loadDoneMsg delivers a new engine (or why there is none).
type loadDoneMsg struct {
	seq  int // the load's number (prepMsg)
	req  loadReq
	eng  engine
	base experiments.Config // the run description "r" restarts from
	err  error

	img    *imageData // image runs: shape, targets, labels, first decoded particles
	extras extrasOut  // the first decoded images and table
}

// stepDoneMsg reports a finished Advance.
type stepDoneMsg struct {
	gen     int
	k       int
	metrics core.Record
	err     error
	elapsed time.Duration
	extras  extrasOut
}

// extrasDoneMsg reports extras computed without a step (after a pause).
type extrasDoneMsg struct {
	gen    int
	extras extrasOut
}

// saveDoneMsg reports a written snapshot of the engine at step, with
// events events.
type saveDoneMsg struct {
	path         string
	step, events int
	err          error
}

// loadCmd builds an engine off the UI goroutine, sending the progress of
// slow preparation (autoencoder and classifier training) to the program as
// prepMsg; it also fits the PCA view of the targets and copies what the
// image and gene panels show, reading the new engine before anyone else
// can.
func loadCmd(d deps, req loadReq, seq int) tea.Cmd {
	return func() tea.Msg {
		msg := loadDoneMsg{seq: seq, req: req}
		opts := experiments.Options{
			Progress: func(what string, epoch, epochs int) {
				d.post(prepMsg{seq: seq, what: what, epoch: epoch, epochs: epochs})
			},
			Warn: func(err error) { d.post(prepWarnMsg{seq: seq, err: err}) },
		}
		switch {
		case req.ready != nil:
			msg.eng = req.ready
		case req.snapshot != "":
			msg.eng, msg.err = d.loadSnap(req.snapshot, opts)
		default:
			cfg := req.cfg
			if cfg == nil {
				c, err := d.loadPreset(req.preset, req.sets)
				if err != nil {
					msg.err = err
					return msg
				}
				cfg = &c
			}
			msg.eng, msg.err = d.newEngine(*cfg, opts)
		}
		if msg.err != nil {
			msg.eng = nil
			return msg
		}
		e := msg.eng
		if req.cfg != nil {
			msg.base = *req.cfg
		} else if msg.base, msg.err = experiments.Describe(e.Problem(), e.Config()); msg.err != nil {
			msg.eng = nil
			return msg
		}
		p := e.Problem()
		if pr := p.Projection; pr != nil && e.N() > 0 {
			// Fit the view here, off the UI goroutine (it may run an SVD).
			pr.To2D(make([]float32, 2), e.Targets()[:e.Dim()], 1)
		}
		var job extrasJob
		if msg.img = newImageData(e); msg.img != nil {
			job.images = make([]float32, msg.img.m*msg.img.dim())
		}
		if len(p.Tables) > 0 {
			job.table = p.Tables[0]
		}
		msg.extras = job.run(e)
		return msg
	}
}

// newImageData copies the constant image data of an image run out of a
// new engine, or returns nil.
func newImageData(e engine) *imageData {
	p := e.Problem()
	im := p.Images
	if im == nil {
		return nil
	}
	targets := p.DataX
	if targets == nil {
		targets = e.Targets()
	}
	d := &imageData{
		h: im.H, w: im.W, c: im.C, m: e.M(),
		targets:     slices.Clone(targets),
		labelsT:     slices.Clone(im.TargetLabels),
		labelsP:     slices.Clone(im.Labels),
		classes:     slices.Clone(im.Classes),
		conditional: im.Labels != nil,
	}
	if p.Decoder != nil {
		d.latent = e.Dim()
	}
	return d
}

// stepCmd advances the engine by k steps, then computes the extras of job:
// the only command that runs the flow, and the only code touching the
// engine while it runs.
func stepCmd(e engine, gen, k int, job extrasJob) tea.Cmd {
	return func() tea.Msg {
		t0 := time.Now()
		mt, err := e.Advance(k)
		elapsed := time.Since(t0)
		return stepDoneMsg{gen: gen, k: k, metrics: mt, err: err, elapsed: elapsed, extras: job.run(e)}
	}
}

// extrasCmd computes the extras of job without stepping (the engine
// command after a pause, or when a panel appears).
func extrasCmd(e engine, gen int, job extrasJob) tea.Cmd {
	return func() tea.Msg { return extrasDoneMsg{gen: gen, extras: job.run(e)} }
}

// saveCmd writes a snapshot into dir under a name made of the preset and
// the step, never overwriting an existing file.
func saveCmd(d deps, e engine) tea.Cmd {
	return func() tea.Msg {
		msg := saveDoneMsg{step: e.StepCount(), events: len(e.Events())}
		msg.path, msg.err = saveNew(d, e)
		return msg
	}
}

// saveNew writes a snapshot of e into the snapshot folder under a name
// made of the preset and the step, never over an existing file (d.save
// fails with fs.ErrExist then, and the next name is tried).
func saveNew(d deps, e engine) (string, error) {
	if err := os.MkdirAll(d.snapshotDir, 0o777); err != nil {
		return "", err
	}
	stem := fmt.Sprintf("%s-step%06d", fileSafe(e.Config().Name), e.StepCount())
	path := filepath.Join(d.snapshotDir, stem+".npz")
	for i := 2; ; i++ {
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			if err := d.save(e, path); !errors.Is(err, fs.ErrExist) {
				return path, err
			}
		}
		path = filepath.Join(d.snapshotDir, fmt.Sprintf("%s-%d.npz", stem, i))
	}
}

// fileSafe keeps letters, digits, '-', '_' and '.' of a preset name.
func fileSafe(name string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, filepath.Base(strings.TrimSuffix(name, ".toml")))
	if s == "" || s == "." || s == ".." {
		return "run"
	}
	return s
}

// Chunking: each step command runs as many steps as fit in about one frame
// at the render cap, so that the scatter is redrawn at most ~fps times a
// second whatever the step cost, and a key that changes the Sim waits at
// most one frame (or one step, when a step is slower than a frame).
const (
	fps          = 30
	frameTime    = time.Second / fps
	maxChunk     = 10000
	chunkGrowMax = 2 // at most doubled per command, so one fast outlier cannot blow it up
)

// nextChunk sizes the next command from the last one: k steps took elapsed.
func nextChunk(k int, elapsed time.Duration) int {
	if elapsed <= 0 {
		return min(k*chunkGrowMax, maxChunk)
	}
	want := int(float64(k) * float64(frameTime) / float64(elapsed))
	return min(max(want, 1), k*chunkGrowMax, maxChunk)
}
