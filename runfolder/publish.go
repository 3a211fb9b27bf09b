package runfolder

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Timing of the run side of the live protocol.
const (
	// pollIdle is how often an unwatched run looks for heartbeats and
	// requests: two directory reads a second are the whole cost of not
	// being watched.
	pollIdle = time.Second
	// pollWatched is how often a watched run looks for requests.
	pollWatched = 200 * time.Millisecond
	// viewerTimeout: a heartbeat file not rewritten for this long (by the
	// run's clock, which sidesteps clock skew between nodes) means its
	// viewer is gone; viewerForget: its file is removed.
	viewerTimeout = 5 * time.Second
	viewerForget  = time.Minute
	// The state is published at most every publishMax and at least every
	// publishMin while watched; in between, publishing takes at most
	// 1/publishShare of the run's time (measured per publish). Paused,
	// an unchanged state is republished every publishIdle.
	publishMin   = 250 * time.Millisecond
	publishMax   = 2 * time.Second
	publishShare = 50
	publishIdle  = 5 * time.Second
	// An image run's decoded particles are published separately, at most
	// every imagesMin and taking at most 1/imagesShare of the run's time
	// (decoding 600 particles to 784 pixels and writing them takes
	// ~30 ms here).
	imagesMin   = time.Second
	imagesShare = 100
	// tableMin is the shortest interval between two computations of a
	// problem's table (gene runs: ~0.1 s each) while watched.
	tableMin = 3 * time.Second
	// maxAcks acknowledgements are kept in the published state.
	maxAcks = 64
)

// Live is the run side of the live protocol: at every step boundary Poll
// looks (about once a second, or five times a second while watched) for
// viewers' heartbeats and control requests, and Publish writes the state
// while someone watches. It is used by the run's own goroutine only.
type Live struct {
	dir   string
	sim   *core.Sim
	log   *Log
	runID string
	host  string
	pid   int
	total int

	// Flush is called before a state is published, so that metrics.jsonl
	// holds every step the state shows.
	Flush func() error
	// Rate is the run's current steps per second.
	Rate func() float64
	// Warn reports a problem that does not stop the run.
	Warn func(error)

	now        func() time.Time
	nextPoll   time.Time
	viewers    map[string]*seenViewer
	watched    bool
	static     bool // static.npz written for this process
	seq        int64
	lastPub    time.Time
	pubEvery   time.Duration
	pubStep    int
	pubState   string
	dirty      bool // something changed that the next publish must show
	acks       []Ack
	state      string
	message    string
	paused     bool
	stepOnce   bool
	images     []float32
	pixels     []uint8
	imagesAt   time.Time
	imagesGap  time.Duration
	imagesStep int
	table      *tableJSON
	tableStep  int
	tableAt    time.Time
	tableEvery time.Duration
}

// seenViewer is what the run knows of a heartbeat file.
type seenViewer struct {
	mtime   time.Time
	size    int64
	changed time.Time // when the run last saw it change (run's clock)
	by      string
	present bool
}

// NewLive prepares the live side of a run in dir; total is the step count
// aimed for. It creates live/viewers and live/control.
func NewLive(dir string, sim *core.Sim, log *Log, total int) (*Live, error) {
	if err := liveDirs(dir); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	return &Live{
		dir: dir, sim: sim, log: log, total: total,
		runID: strconv.FormatUint(rand.Uint64(), 36), host: host, pid: os.Getpid(),
		now: time.Now, viewers: map[string]*seenViewer{}, state: StateRunning,
		pubEvery: publishMin, tableEvery: tableMin,
	}, nil
}

// Paused reports whether a viewer paused the run (and no step was asked).
func (lv *Live) Paused() bool { return lv.paused && !lv.stepOnce }

// Viewers is the number of viewers present.
func (lv *Live) Viewers() int {
	n := 0
	for _, v := range lv.viewers {
		if v.present {
			n++
		}
	}
	return n
}

// Stepped tells Live that a step was taken (it clears a one-step request).
func (lv *Live) Stepped() {
	if lv.stepOnce {
		lv.stepOnce = false
		lv.dirty = true
	}
}

// Poll runs at a step boundary. When due it reads the heartbeats and the
// control requests, applies the requests (a parameter change through
// core.Sim.Set, recorded as an event with its step) and returns a stop
// request if one came; then it publishes the state if someone watches and
// it is due.
func (lv *Live) Poll() (stop *Request) {
	now := lv.now()
	if now.Before(lv.nextPoll) {
		return nil
	}
	every := pollIdle
	if lv.watched {
		every = pollWatched
	}
	lv.nextPoll = now.Add(every)
	lv.scanViewers(now)
	stop = lv.scanControl()
	if stop == nil {
		lv.MaybePublish()
	}
	return stop
}

// scanViewers reads live/viewers: a file that changed within
// viewerTimeout is a viewer present.
func (lv *Live) scanViewers(now time.Time) {
	entries, err := os.ReadDir(filepath.Join(lv.dir, ViewersDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		lv.warn(fmt.Errorf("viewers: %w", err))
	}
	seen := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if isTemp(name) || strings.HasPrefix(name, ".") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		seen[name] = true
		v := lv.viewers[name]
		if v == nil {
			v = &seenViewer{changed: now}
			lv.viewers[name] = v
			var vi viewerInfo
			if b, err := os.ReadFile(filepath.Join(lv.dir, ViewersDir, name)); err == nil && json.Unmarshal(b, &vi) == nil {
				v.by = vi.By
			}
			if v.by == "" {
				v.by = name
			}
		} else if !info.ModTime().Equal(v.mtime) || info.Size() != v.size {
			v.changed = now
		}
		v.mtime, v.size = info.ModTime(), info.Size()
		present := now.Sub(v.changed) < viewerTimeout
		if present != v.present {
			v.present = present
			lv.dirty = true
			msg := "attached"
			if !present {
				msg = "gone (no heartbeat for 5 s)"
			}
			lv.log.Add(Entry{Step: lv.sim.StepCount(), Event: EvViewer, By: v.by, Message: msg})
		}
		if now.Sub(v.changed) > viewerForget {
			os.Remove(filepath.Join(lv.dir, ViewersDir, name))
		}
	}
	for name, v := range lv.viewers {
		if !seen[name] {
			if v.present {
				lv.log.Add(Entry{Step: lv.sim.StepCount(), Event: EvViewer, By: v.by, Message: "detached"})
				lv.dirty = true
			}
			delete(lv.viewers, name)
		}
	}
	watched := lv.Viewers() > 0
	if watched && !lv.watched {
		lv.lastPub = time.Time{} // publish at once
	}
	lv.watched = watched
}

// scanControl applies the requests in live/control in the order of their
// names (time-prefixed by the viewers) and removes them.
func (lv *Live) scanControl() (stop *Request) {
	dir := filepath.Join(lv.dir, ControlDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			lv.warn(fmt.Errorf("control: %w", err))
		}
		return nil
	}
	var names []string
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".json") && !strings.HasPrefix(n, ".") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		path := filepath.Join(dir, n)
		b, err := os.ReadFile(path)
		os.Remove(path)
		if err != nil {
			continue
		}
		var r Request
		if err := json.Unmarshal(b, &r); err != nil || r.ID == "" {
			lv.log.Add(Entry{Step: lv.sim.StepCount(), Event: EvRefused, Path: n, Message: "unreadable request"})
			continue
		}
		if r.Action == ActStop {
			return &r // the caller checkpoints, then acknowledges with Ack
		}
		lv.apply(r)
	}
	return nil
}

// apply carries out one request and acknowledges it.
func (lv *Live) apply(r Request) {
	step := lv.sim.StepCount()
	ack := Ack{ID: r.ID, Action: r.Action, By: r.By, OK: true, Step: step}
	e := Entry{Step: step, Event: r.Action, By: r.By}
	switch r.Action {
	case ActSet:
		p, ok := lv.sim.Params().Lookup(r.Param)
		switch {
		case !ok:
			ack.OK, ack.Message = false, fmt.Sprintf("no parameter %q", r.Param)
		case r.Value == nil:
			ack.OK, ack.Message = false, "no value"
		default:
			old, v, nev := lv.sim.Value(p), float64(*r.Value), len(lv.sim.Events())
			if err := lv.sim.Set(p.Key, v); err != nil {
				ack.OK, ack.Message = false, err.Error()
				break
			}
			ack.Message = fmt.Sprintf("%s %s → %s at step %d", p.Symbol, core.FormatValue(old), core.FormatValue(v), step)
			if old == v {
				ack.Message = fmt.Sprintf("%s is %s already", p.Symbol, core.FormatValue(v))
			}
			if ev := lv.sim.Events(); len(ev) > nev && ev[len(ev)-1].Note != "" {
				ack.Message += "; " + ev[len(ev)-1].Note
				e.Message = ev[len(ev)-1].Note
			}
			e.Event, e.Param, e.Old, e.New = EvSet, p.Key, NumPtr(old), NumPtr(v)
		}
	case ActPause:
		lv.paused, lv.stepOnce = true, false
		lv.state = StatePaused
		ack.Message = fmt.Sprintf("paused at step %d", step)
		e.Event = EvPause
	case ActResume:
		lv.paused = false
		lv.state = StateRunning
		ack.Message = fmt.Sprintf("running from step %d", step)
		e.Event = EvContinue
	case ActStep:
		if !lv.paused {
			ack.Message = "running already"
			break
		}
		lv.stepOnce = true
		ack.Message = fmt.Sprintf("one step from %d", step)
		e.Event = EvStep
	case ActSnapshot:
		path, err := lv.snapshot()
		if err != nil {
			ack.OK, ack.Message = false, "snapshot failed: "+err.Error()
			break
		}
		ack.Path = path
		ack.Message = "saved " + path
		e.Path = path
	default:
		ack.OK, ack.Message = false, fmt.Sprintf("unknown action %q", r.Action)
	}
	if !ack.OK {
		e.Event, e.Message = EvRefused, fmt.Sprintf("%s: %s", r.Action, ack.Message)
	}
	lv.log.Add(e)
	lv.Ack(ack)
}

// snapshot writes snapshot-stepNNNNNN.npz (never over an existing file).
func (lv *Live) snapshot() (string, error) {
	stem := filepath.Join(lv.dir, fmt.Sprintf("snapshot-step%06d", lv.sim.StepCount()))
	path := stem + ".npz"
	for i := 2; ; i++ {
		err := SaveSnapshotNew(path, lv.sim.State())
		if !errors.Is(err, fs.ErrExist) {
			return path, err
		}
		path = fmt.Sprintf("%s-%d.npz", stem, i)
	}
}

// Ack records an acknowledgement for the next published state.
func (lv *Live) Ack(a Ack) {
	lv.acks = append(lv.acks, a)
	if len(lv.acks) > maxAcks {
		lv.acks = slices.Delete(lv.acks, 0, len(lv.acks)-maxAcks)
	}
	lv.dirty = true
}

// SetState sets the run state shown to viewers (StateFinished, …) with a
// message, and publishes it if someone watches.
func (lv *Live) SetState(state, message string) {
	lv.state, lv.message = state, message
	lv.dirty = true
	if lv.watched {
		lv.publish()
	}
}

// MaybePublish publishes the state if someone watches and it is due.
func (lv *Live) MaybePublish() {
	if !lv.watched {
		return
	}
	now := lv.now()
	changed := lv.dirty || lv.sim.StepCount() != lv.pubStep
	due := now.Sub(lv.lastPub) >= lv.pubEvery
	if (changed && due) || now.Sub(lv.lastPub) >= publishIdle || (lv.dirty && now.Sub(lv.lastPub) >= publishMin/5) {
		lv.publish()
	} else if lv.sim.Problem().Images != nil && lv.imagesStep != lv.sim.StepCount() && now.Sub(lv.imagesAt) >= lv.imagesGap {
		lv.publishImages() // catch up, e.g. after a pause
	}
}

// publish writes static.npz (once per process) and state.npz. Its cost
// sets the interval to the next one (publishShare).
func (lv *Live) publish() {
	t0 := time.Now()
	if !lv.static {
		if err := lv.writeStatic(); err != nil {
			lv.warn(fmt.Errorf("live state: %w", err))
			return
		}
		lv.static = true
	}
	if lv.Flush != nil {
		if err := lv.Flush(); err != nil {
			lv.warn(fmt.Errorf("metrics: %w", err))
		}
	}
	p := lv.sim.Problem()
	if len(p.Tables) > 0 && (lv.table == nil || (lv.tableStep != lv.sim.StepCount() && time.Since(lv.tableAt) >= lv.tableEvery)) {
		t1 := time.Now()
		td, err := p.Tables[0].Compute(lv.sim.Particles())
		lv.table, lv.tableStep, lv.tableAt = toTableJSON(td, err), lv.sim.StepCount(), time.Now()
		lv.tableEvery = max(tableMin, publishShare*time.Since(t1))
	}
	lv.seq++
	var viewers []string
	for _, v := range lv.viewers {
		if v.present {
			viewers = append(viewers, v.by)
		}
	}
	sort.Strings(viewers)
	rate := 0.0
	if lv.Rate != nil {
		rate = lv.Rate()
	}
	meta := stateMeta{
		RunID: lv.runID, Seq: lv.seq, Time: time.Now().UTC(), State: lv.state, Step: lv.sim.StepCount(), Total: lv.total,
		Rate: rate, Config: lv.sim.Config(), Events: lv.sim.Events(), Acks: lv.acks, Viewers: viewers,
		Message: lv.message, Table: lv.table, TableStep: lv.tableStep,
	}
	if meta.Events == nil {
		meta.Events = []core.Event{}
	}
	if !finite(meta.Rate) {
		meta.Rate = 0
	}
	arrays := []snapshots.Array{f32("particles", lv.sim.Particles(), lv.sim.M(), lv.sim.Dim())}
	if err := writeNPZ(filepath.Join(lv.dir, StateFile), meta, arrays); err != nil {
		lv.warn(fmt.Errorf("live state: %w", err))
	}
	lv.lastPub, lv.pubStep, lv.pubState, lv.dirty = time.Now(), lv.sim.StepCount(), lv.state, false
	lv.pubEvery = min(max(publishShare*time.Since(t0), publishMin), publishMax)
	if p.Images != nil && lv.imagesStep != lv.sim.StepCount() && time.Since(lv.imagesAt) >= lv.imagesGap {
		lv.publishImages()
	}
}

// publishImages decodes the particles to pixels and writes images.npz, as
// bytes (the workbench draws 256 levels at most).
func (lv *Live) publishImages() {
	t0 := time.Now()
	im := lv.sim.Problem().Images
	n := im.H * im.W * im.C
	if len(lv.images) != lv.sim.M()*n {
		lv.images = make([]float32, lv.sim.M()*n)
		lv.pixels = make([]uint8, lv.sim.M()*n)
	}
	lv.sim.DecodedTo(lv.images)
	for i, v := range lv.images {
		lv.pixels[i] = uint8(min(max(v, 0), 1)*255 + 0.5)
	}
	meta := imagesMeta{RunID: lv.runID, Step: lv.sim.StepCount()}
	arrays := []snapshots.Array{{Name: "images", Shape: []int{lv.sim.M(), n}, Data: lv.pixels}}
	if err := writeNPZ(filepath.Join(lv.dir, ImagesFile), meta, arrays); err != nil {
		lv.warn(fmt.Errorf("live images: %w", err))
	}
	lv.imagesAt, lv.imagesStep = time.Now(), lv.sim.StepCount()
	lv.imagesGap = max(imagesShare*time.Since(t0), imagesMin)
}

// writeStatic writes live/static.npz.
func (lv *Live) writeStatic() error {
	s, p := lv.sim, lv.sim.Problem()
	meta := staticMeta{
		RunID: lv.runID, Preset: s.Config().Name, Kind: s.Kind(), M: s.M(), N: s.N(), D: s.Dim(),
		Metrics: s.Metrics(), Summary: s.Summary(), LengthScale: s.LengthScale(),
		Names: p.Names, ShowInitial: p.ShowInitial, Notes: p.Notes, Host: lv.host, PID: lv.pid,
	}
	if math.IsNaN(meta.LengthScale) || math.IsInf(meta.LengthScale, 0) {
		meta.LengthScale = 0
	}
	if p.Projection != nil {
		meta.Projection = p.Projection.Name
	}
	for _, t := range p.Tables {
		meta.Tables = append(meta.Tables, t.Title())
	}
	arrays := []snapshots.Array{
		f32("targets", s.Targets(), s.N(), s.Dim()),
		f32("initial", s.Initial(), s.M(), s.Dim()),
	}
	if im := p.Images; im != nil {
		meta.Image = &imageMeta{H: im.H, W: im.W, C: im.C, Classes: im.Classes, Labels: im.Labels,
			TargetLabels: im.TargetLabels, Latent: p.Decoder != nil}
		dx := p.DataX
		if dx == nil {
			dx = s.Targets()
		}
		arrays = append(arrays, f32("target_images", dx, s.N(), im.H*im.W*im.C))
	}
	return writeNPZ(filepath.Join(lv.dir, StaticFile), meta, arrays)
}

func (lv *Live) warn(err error) {
	if lv.Warn != nil {
		lv.Warn(err)
	}
}
