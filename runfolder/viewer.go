package runfolder

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/latent"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Timing of the viewer side.
const (
	// beatEvery is how often a viewer rewrites its heartbeat.
	beatEvery = time.Second
	// viewPoll is how often a viewer looks for a new state; viewWait is
	// the longest Advance waits for one, so that a key waits at most that
	// long for the engine command to end.
	viewPoll = 100 * time.Millisecond
	viewWait = 250 * time.Millisecond
	// ackWait bounds how long a request waits for its acknowledgement.
	ackWait = 15 * time.Second
	// aliveEvery is how often a viewer checks that the run still holds
	// its lock.
	aliveEvery = 2 * time.Second
)

// ErrEnded reports that the run a viewer watched is no longer running:
// it finished, stopped, diverged, failed or vanished.
var ErrEnded = errors.New("the run ended")

// ErrRestarted reports that a new process took over the run folder the
// viewer watched (a requeued Slurm job, a resumed run): the viewer follows
// it, and everything it showed may have changed.
var ErrRestarted = errors.New("the run continues in a new process")

// ErrNoAck reports a request not acknowledged within the wait; it stays
// queued and is applied when the run reaches a step boundary.
var ErrNoAck = errors.New("no answer from the run yet; the request stays queued")

// Viewer mirrors a run that another process executes in a run folder. It
// has the methods the workbench's engine has: Advance waits for the next
// published state, Set sends a control request and waits for the run to
// acknowledge it. Like *core.Sim it is not safe for concurrent use (its
// heartbeat runs on its own goroutine and touches only its own file).
type Viewer struct {
	dir, id, by string
	beatPath    string
	stopBeat    chan struct{}
	beatWG      sync.WaitGroup
	closeOnce   sync.Once
	reqSeq      int

	static   staticMeta
	infos    []core.MetricInfo
	params   core.ParamTable
	x, y0    []float32
	dataX    []float32
	prob     *core.Problem
	state    stateMeta
	y        []float32
	images   []float32
	metrics  *MetricsTail
	stamp    fileStamp
	imgStamp fileStamp
	aliveAt  time.Time
	ended    error
	lastRec  core.Record
}

// fileStamp tells whether a file was replaced or rewritten.
type fileStamp struct {
	mtime time.Time
	size  int64
	ino   uint64
}

func stampOf(st os.FileInfo) fileStamp {
	return fileStamp{mtime: st.ModTime(), size: st.Size(), ino: inode(st)}
}

// Attach starts watching the run in dir: it writes a heartbeat (the run
// starts publishing within about a second, at its next step boundary) and
// waits up to wait for the first state, calling note once if that takes
// longer than a moment. A run that is not running is an error that says
// what the folder holds instead.
func Attach(dir string, wait time.Duration, note func(string)) (*Viewer, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, err
	} else if !st.IsDir() {
		return nil, fmt.Errorf("%s is not a folder", dir)
	}
	if _, ok := ReadHolder(dir); !ok {
		return nil, notRunning(dir)
	}
	if err := liveDirs(dir); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	v := &Viewer{dir: dir, stopBeat: make(chan struct{})}
	v.id = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), strconv.FormatUint(rand.Uint64()%(36*36*36*36), 36))
	v.by = fmt.Sprintf("%s@%s:%d", userName(), host, os.Getpid())
	v.beatPath = filepath.Join(dir, ViewersDir, v.id)
	// The state now in the folder may be old (an earlier viewer's): wait
	// for one written after the heartbeat.
	var before fileStamp
	if st, err := os.Stat(filepath.Join(dir, StateFile)); err == nil {
		before = stampOf(st)
	}
	if err := v.beat(time.Now(), 0); err != nil {
		return nil, fmt.Errorf("attach: %w", err)
	}
	v.beatWG.Add(1)
	go v.beatLoop()
	deadline := time.Now().Add(wait)
	noted := false
	for {
		st, err := os.Stat(filepath.Join(dir, StateFile))
		if err == nil && stampOf(st) != before {
			if err := v.load(); err == nil {
				return v, nil
			} else if time.Now().After(deadline) {
				v.Close()
				return nil, err
			}
		}
		if _, ok := ReadHolder(dir); !ok {
			v.Close()
			return nil, notRunning(dir)
		}
		if time.Now().After(deadline) {
			v.Close()
			h, _ := ReadHolder(dir)
			return nil, fmt.Errorf("the run in %s (%s) published nothing for %s; it answers at its next step boundary", dir, h, wait)
		}
		if !noted && note != nil && time.Until(deadline) < wait-2*time.Second {
			h, _ := ReadHolder(dir)
			note(fmt.Sprintf("waiting for the run in %s (%s) to publish its state…", dir, h))
			noted = true
		}
		time.Sleep(viewPoll)
	}
}

// endedError says why a run is not running; it is ErrEnded.
type endedError struct{ msg string }

func (e endedError) Error() string        { return e.msg }
func (e endedError) Is(target error) bool { return target == ErrEnded }

// notRunning explains a folder without a running process.
func notRunning(dir string) error {
	s, ok, _ := ReadStatus(dir)
	switch {
	case !ok:
		if _, err := os.Stat(filepath.Join(dir, PresetFile)); err == nil {
			return endedError{fmt.Sprintf("no process is running in %s", dir)}
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() == "task.toml" {
				return endedError{fmt.Sprintf("nothing has run in %s yet (a sweep task waiting for its turn)", dir)}
			}
		}
		return endedError{fmt.Sprintf("%s is not a run folder (no %s, %s or %s)", dir, LockFile, StatusFile, PresetFile)}
	case s.State == StateFinished:
		return endedError{fmt.Sprintf("the run in %s finished at step %d; open it with: gpa-tui --resume %s",
			dir, s.Step, filepath.Join(dir, FinalFile))}
	case s.Checkpoint != "":
		return endedError{fmt.Sprintf("the run in %s is %s at step %d (%s); continue it with: gpa-tui run --resume %s --out %s",
			dir, s.State, s.Step, s.Message, s.Checkpoint, dir)}
	case !s.Ended():
		return endedError{fmt.Sprintf("the run in %s stopped at step %d without a word (killed?); its last checkpoint, if any, is %s",
			dir, s.Step, filepath.Join(dir, CheckpointFile))}
	}
	return endedError{fmt.Sprintf("the run in %s is %s at step %d (%s)", dir, s.State, s.Step, s.Message)}
}

// beat writes the heartbeat file (in place: its modification time is the
// signal; the run reads the content once).
func (v *Viewer) beat(since time.Time, n int64) error {
	b, _ := json.Marshal(viewerInfo{ID: v.id, By: v.by, Since: since.UTC(), Beat: n})
	return os.WriteFile(v.beatPath, b, 0o666)
}

func (v *Viewer) beatLoop() {
	defer v.beatWG.Done()
	since := time.Now()
	t := time.NewTicker(beatEvery)
	defer t.Stop()
	for n := int64(1); ; n++ {
		select {
		case <-v.stopBeat:
			return
		case <-t.C:
			v.beat(since, n)
		}
	}
}

// Close stops the heartbeat and removes its file; the run goes on.
func (v *Viewer) Close() error {
	v.closeOnce.Do(func() {
		close(v.stopBeat)
		v.beatWG.Wait()
		os.Remove(v.beatPath)
	})
	return nil
}

// Dir is the run folder.
func (v *Viewer) Dir() string { return v.dir }

// By names this viewer (user@host:pid).
func (v *Viewer) By() string { return v.by }

// load reads state.npz, and static.npz when the run is new to the viewer.
func (v *Viewer) load() error {
	var sm stateMeta
	path := filepath.Join(v.dir, StateFile)
	arrays, st, err := readNPZ(path, &sm)
	if err != nil {
		return err
	}
	if sm.RunID != v.static.RunID {
		if err := v.loadStatic(sm.RunID); err != nil {
			return err
		}
	}
	y, err := getF32(arrays, path, "particles", v.static.M, v.static.D)
	if err != nil {
		return err
	}
	if v.static.Image != nil {
		v.loadImages(sm.RunID)
	}
	if sm.Seq < v.state.Seq && sm.RunID == v.state.RunID {
		return nil // an older state than the one shown (cannot happen with one writer)
	}
	v.state, v.y, v.stamp = sm, y, stampOf(st)
	if _, err := v.metrics.Read(sm.Step); err != nil {
		return err
	}
	if r, ok := v.metrics.Hist.Last(); ok {
		v.lastRec = r
	}
	return nil
}

// loadImages reads images.npz when it changed and belongs to run id; a
// missing or torn file keeps the images shown.
func (v *Viewer) loadImages(id string) {
	path := filepath.Join(v.dir, ImagesFile)
	st, err := os.Stat(path)
	if err != nil || stampOf(st) == v.imgStamp {
		return
	}
	var im imagesMeta
	arrays, st, err := readNPZ(path, &im)
	if err != nil || im.RunID != id {
		return
	}
	n := v.static.Image.H * v.static.Image.W * v.static.Image.C
	px, err := snapshots.Get[uint8](arrays, "images", v.static.M, n)
	if err != nil {
		return
	}
	if len(v.images) != len(px) {
		v.images = make([]float32, len(px))
	}
	for i, b := range px {
		v.images[i] = float32(b) / 255
	}
	v.imgStamp = stampOf(st)
}

// loadStatic reads static.npz of run id and rebuilds the problem's view.
func (v *Viewer) loadStatic(id string) error {
	var sm staticMeta
	path := filepath.Join(v.dir, StaticFile)
	arrays, _, err := readNPZ(path, &sm)
	if err != nil {
		return err
	}
	if sm.RunID != id {
		return fmt.Errorf("%s belongs to another run than the state (not written yet)", path)
	}
	if sm.M < 1 || sm.N < 1 || sm.D < 1 {
		return fmt.Errorf("%s: M=%d, N=%d, d=%d", path, sm.M, sm.N, sm.D)
	}
	x, err := getF32(arrays, path, "targets", sm.N, sm.D)
	if err != nil {
		return err
	}
	y0, err := getF32(arrays, path, "initial", sm.M, sm.D)
	if err != nil {
		return err
	}
	info, err := core.LookupMethod(sm.Kind)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	p := &core.Problem{X: x, N: sm.N, Y: y0, M: sm.M, D: sm.D, Names: sm.Names, ShowInitial: sm.ShowInitial, Notes: sm.Notes}
	if sm.D > 2 {
		p.Projection = pcaView(x, sm.N, sm.D, sm.Projection)
	}
	if im := sm.Image; im != nil {
		dd := im.H * im.W * im.C
		if p.DataX, err = getF32(arrays, path, "target_images", sm.N, dd); err != nil {
			return err
		}
		p.DataD = dd
		p.Images = &core.Images{H: im.H, W: im.W, C: im.C, Classes: im.Classes, Labels: im.Labels, TargetLabels: im.TargetLabels}
		if im.Latent {
			p.Decoder = mirrorDecoder{v: v, d: dd, k: sm.D}
		}
	}
	for _, title := range sm.Tables {
		p.Tables = append(p.Tables, mirrorTable{v: v, title: title})
	}
	names := make([]string, len(sm.Metrics))
	for i, mi := range sm.Metrics {
		names[i] = mi.Name
	}
	v.static, v.infos, v.params, v.x, v.y0, v.prob = sm, sm.Metrics, info.Params, x, y0, p
	v.images, v.imgStamp = nil, fileStamp{}
	if sm.Image != nil {
		// Until the first decoded images arrive: blank ones of the right size.
		v.images = make([]float32, sm.M*sm.Image.H*sm.Image.W*sm.Image.C)
	}
	v.metrics = NewMetricsTail(filepath.Join(v.dir, MetricsFile), names)
	v.state = stateMeta{}
	return nil
}

// pcaView is the plane of the targets' first two principal axes, as the
// run shows it (experiments' view of d > 2 data), fitted on first use.
func pcaView(x []float32, n, d int, name string) *core.Projection {
	if name == "" {
		name = "PCA 1 vs 2 of targets"
	}
	to2D, lift := latent.PlaneView(x, n, d)
	return &core.Projection{Name: name, To2D: to2D, Lift: lift}
}

// mirrorDecoder stands for a latent run's decoder: the run publishes its
// particles decoded.
type mirrorDecoder struct {
	v    *Viewer
	d, k int
}

func (m mirrorDecoder) DecodeTo(dst, _ []float32, _ int) { copy(dst, m.v.images) }
func (m mirrorDecoder) Dims() (int, int)                 { return m.d, m.k }
func (m mirrorDecoder) Lipschitz() float64               { return math.NaN() }

// mirrorTable is a problem's table as the run last computed it.
type mirrorTable struct {
	v     *Viewer
	title string
}

func (t mirrorTable) Title() string { return t.title }
func (t mirrorTable) Compute([]float32) (core.TableData, error) {
	if t.v.state.Table == nil {
		return core.TableData{}, errors.New("not published yet")
	}
	return t.v.state.Table.data()
}

// Advance waits up to a quarter of a second for a newer published state
// and returns the latest metrics (k is ignored: the run decides how far
// it goes). When the run is gone it returns an error wrapping ErrEnded.
func (v *Viewer) Advance(int) (core.Record, error) {
	if v.ended != nil {
		return v.lastRec, v.awaitRestart()
	}
	deadline := time.Now().Add(viewWait)
	for {
		if st, err := os.Stat(filepath.Join(v.dir, StateFile)); err == nil && stampOf(st) != v.stamp {
			if err := v.load(); err == nil {
				break
			}
		}
		if time.Since(v.aliveAt) >= aliveEvery {
			v.aliveAt = time.Now()
			if _, ok := ReadHolder(v.dir); !ok {
				v.load() // its last words, if any
				v.ended = notRunning(v.dir)
				return v.lastRec, v.ended
			}
		}
		if time.Now().After(deadline) {
			break
		}
		time.Sleep(viewPoll)
	}
	if v.state.State != StateRunning && v.state.State != StatePaused && v.state.State != "" {
		v.ended = endedError{fmt.Sprintf("%s at step %d: %s", v.state.State, v.state.Step, v.state.Message)}
		return v.lastRec, v.ended
	}
	return v.lastRec, nil
}

// awaitRestart waits a second for a new process in the folder (the
// heartbeat goes on, so a new run publishes at once) and returns
// ErrRestarted once its first state is read, else the ended error.
func (v *Viewer) awaitRestart() error {
	time.Sleep(aliveEvery / 2)
	if _, ok := ReadHolder(v.dir); !ok {
		return v.ended
	}
	var sm stateMeta
	if _, _, err := readNPZ(filepath.Join(v.dir, StateFile), &sm); err != nil || sm.RunID == v.static.RunID {
		return v.ended
	}
	if err := v.load(); err != nil {
		return v.ended
	}
	v.ended = nil
	v.aliveAt = time.Now()
	return fmt.Errorf("%w (PID %d on %s, from step %d)", ErrRestarted, v.static.PID, v.static.Host, v.state.Step)
}

// Request sends a control request and waits for its acknowledgement (at
// most ackWait; then ErrNoAck, and the request stays queued).
func (v *Viewer) Request(action, param string, value float64) (Ack, error) {
	if v.ended != nil {
		return Ack{}, v.ended
	}
	v.reqSeq++
	now := time.Now()
	r := Request{ID: fmt.Sprintf("%019d-%s-%d", now.UnixNano(), v.id, v.reqSeq), By: v.by, Action: action, Time: now.UTC()}
	if action == ActSet {
		r.Param, r.Value = param, NumPtr(value)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return Ack{}, err
	}
	if err := writeFile(filepath.Join(v.dir, ControlDir, r.ID+".json"), b, false); err != nil {
		return Ack{}, fmt.Errorf("control request: %w", err)
	}
	deadline := now.Add(ackWait)
	for {
		if st, err := os.Stat(filepath.Join(v.dir, StateFile)); err == nil && stampOf(st) != v.stamp {
			v.load()
		}
		for _, a := range v.state.Acks {
			if a.ID == r.ID {
				if !a.OK {
					return a, fmt.Errorf("the run refused: %s", a.Message)
				}
				return a, nil
			}
		}
		if time.Now().After(deadline) {
			return Ack{}, ErrNoAck
		}
		if _, ok := ReadHolder(v.dir); !ok {
			v.ended = notRunning(v.dir)
			return Ack{}, v.ended
		}
		time.Sleep(viewPoll)
	}
}

// Set asks the run to change a mid-run parameter and waits for the
// answer.
func (v *Viewer) Set(name string, val float64) error {
	_, err := v.Request(ActSet, name, val)
	return err
}

// RunInfo is what a viewer knows of the run beyond the engine's data.
type RunInfo struct {
	State   string // running, paused, finished, …
	Host    string
	PID     int
	Rate    float64 // steps per second
	Total   int
	Viewers []string
	Message string
	Acks    []Ack
	Time    time.Time // when the state was published
}

// Info returns the run's latest published status.
func (v *Viewer) Info() RunInfo {
	s := v.state
	return RunInfo{State: s.State, Host: v.static.Host, PID: v.static.PID, Rate: s.Rate, Total: s.Total,
		Viewers: s.Viewers, Message: s.Message, Acks: s.Acks, Time: s.Time}
}

// The engine's read-only methods, from the latest state.

func (v *Viewer) Config() core.Config        { return v.state.Config }
func (v *Viewer) Kind() string               { return v.static.Kind }
func (v *Viewer) Summary() [][2]string       { return v.static.Summary }
func (v *Viewer) Params() core.ParamTable    { return v.params }
func (v *Viewer) StepCount() int             { return v.state.Step }
func (v *Viewer) Dim() int                   { return v.static.D }
func (v *Viewer) M() int                     { return v.static.M }
func (v *Viewer) N() int                     { return v.static.N }
func (v *Viewer) Particles() []float32       { return v.y }
func (v *Viewer) Targets() []float32         { return v.x }
func (v *Viewer) Initial() []float32         { return v.y0 }
func (v *Viewer) Metrics() []core.MetricInfo { return v.infos }
func (v *Viewer) History() *core.History     { return &v.metrics.Hist }
func (v *Viewer) Events() []core.Event       { return v.state.Events }
func (v *Viewer) LengthScale() float64       { return v.static.LengthScale }
func (v *Viewer) Problem() *core.Problem     { return v.prob }

// DecodedTo copies the particles in data space: the decoded images the run
// published, or the particles themselves.
func (v *Viewer) DecodedTo(dst []float32) {
	if v.images != nil {
		copy(dst, v.images)
		return
	}
	copy(dst, v.y)
}

// State is what the viewer sees as a core.State: without the method's
// state, so it cannot be resumed (a viewer asks the run for a snapshot).
func (v *Viewer) State() *core.State {
	return &core.State{Config: v.state.Config, Step: v.state.Step, M: v.static.M, N: v.static.N, D: v.static.D,
		Particles: slices.Clone(v.y), Initial: v.y0, Targets: v.x, History: v.metrics.Hist.Clone(), Events: slices.Clone(v.state.Events)}
}

// userName is the login name, for the event log.
func userName() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "?"
}
