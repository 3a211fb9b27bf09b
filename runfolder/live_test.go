package runfolder_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// newSim builds a small four-well run.
func newSim(t testing.TB, sets ...string) *core.Sim {
	t.Helper()
	cfg, err := presets.Load("four-well-L1", append([]string{"target.n=64", "prior.n=64", "discriminator.hidden=[8, 8]"}, sets...))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := experiments.Build(cfg, experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sim
}

// fakeRun steps sim in dir with the live protocol on its own goroutine,
// as cmd's headless loop does, until ctx ends or a stop request comes.
// It holds the folder's lock.
type fakeRun struct {
	dir   string
	sim   *core.Sim
	live  *runfolder.Live
	steps atomic.Int64
	done  chan struct{}
	stop  *runfolder.Request
	log   *runfolder.Log
}

func startRun(t *testing.T, ctx context.Context, sim *core.Sim, stepDelay time.Duration) *fakeRun {
	t.Helper()
	dir := t.TempDir()
	lock, _, err := runfolder.Acquire(dir, runfolder.Self("test"))
	if err != nil {
		t.Fatal(err)
	}
	log, err := runfolder.OpenLog(dir)
	if err != nil {
		t.Fatal(err)
	}
	live, err := runfolder.NewLive(dir, sim, log, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	mf, err := os.Create(filepath.Join(dir, runfolder.MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	mw := bufio.NewWriter(mf)
	enc := json.NewEncoder(mw)
	live.Flush = mw.Flush
	r := &fakeRun{dir: dir, sim: sim, live: live, done: make(chan struct{}), log: log}
	go func() {
		defer close(r.done)
		defer mf.Close()
		defer mw.Flush()
		defer lock.Release()
		defer log.Close()
		for ctx.Err() == nil {
			if s := live.Poll(); s != nil {
				r.stop = s
				live.Ack(runfolder.Ack{ID: s.ID, Action: s.Action, OK: true, Step: sim.StepCount(), Message: "stopped"})
				live.SetState(runfolder.StateStopped, "stopped by "+s.By)
				return
			}
			if live.Paused() {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			rec, err := sim.Step()
			if err != nil {
				t.Error(err)
				return
			}
			enc.Encode(rec)
			live.Stepped()
			r.steps.Add(1)
			time.Sleep(stepDelay)
		}
	}()
	t.Cleanup(func() { <-r.done })
	return r
}

// TestAttachSetPauseStop: a viewer sees the run advance, changes L (the
// run records the change as an event at a step boundary and acknowledges
// it), pauses and resumes it, asks for a snapshot and stops it.
func TestAttachSetPauseStop(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := startRun(t, ctx, newSim(t), time.Millisecond)
	v, err := runfolder.Attach(r.dir, 20*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	if v.M() != 64 || v.Dim() != 2 || len(v.Targets()) != 128 || v.Kind() != "gpa" {
		t.Fatalf("static view: M %d, d %d, %d targets, kind %q", v.M(), v.Dim(), len(v.Targets()), v.Kind())
	}
	s0 := v.StepCount()
	deadline := time.Now().Add(10 * time.Second)
	for v.StepCount() == s0 {
		if _, err := v.Advance(1); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the viewer saw no progress in 10 s")
		}
	}
	if h := v.History(); h.Len() != v.StepCount() {
		t.Errorf("history has %d rows at step %d", h.Len(), v.StepCount())
	}

	if err := v.Set("L", 2); err != nil {
		t.Fatal(err)
	}
	if got := v.Config().Discriminator.Lipschitz; got != 2 {
		t.Errorf("after the ack the viewer's L = %v", got)
	}
	ev := v.Events()
	if len(ev) != 1 || ev[0].Param != "lipschitz" || ev[0].Old != 1 || ev[0].New != 2 {
		t.Fatalf("events %+v, want lipschitz 1 → 2", ev)
	}
	if err := v.Set("L", -3); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("L = -3: %v, want a refusal", err)
	}

	ack, err := v.Request(runfolder.ActPause, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	before := r.steps.Load()
	time.Sleep(300 * time.Millisecond)
	if n := r.steps.Load(); n != before {
		t.Errorf("paused at step %d, yet %d steps were taken", ack.Step, n-before)
	}
	if v.Info().State != runfolder.StatePaused {
		t.Errorf("state %q, want paused", v.Info().State)
	}
	if _, err := v.Request(runfolder.ActStep, "", 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if n := r.steps.Load(); n != before+1 {
		t.Errorf("one step asked, %d taken", n-before)
	}
	ack, err = v.Request(runfolder.ActSnapshot, "", 0)
	if err != nil || ack.Path == "" {
		t.Fatalf("snapshot: %v %+v", err, ack)
	}
	if _, err := os.Stat(ack.Path); err != nil {
		t.Error(err)
	}
	if _, err := v.Request(runfolder.ActResume, "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Request(runfolder.ActStop, "", 0); err != nil {
		t.Fatal(err)
	}
	<-r.done
	if r.stop == nil {
		t.Fatal("no stop request reached the run")
	}
	if _, err := v.Advance(1); !errors.Is(err, runfolder.ErrEnded) {
		t.Errorf("Advance after the stop: %v, want ErrEnded", err)
	}

	log, err := runfolder.ReadLog(r.dir)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range log {
		kinds = append(kinds, e.Event)
	}
	want := []string{"viewer", "set", "refused", "pause", "step", "snapshot", "continue"}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Errorf("event log %v, want %v", kinds, want)
	}
	for _, e := range log {
		if e.Event == "set" && (e.Step != ev[0].Step || e.By != v.By()) {
			t.Errorf("set logged at step %d by %q; the Sim's event is at step %d", e.Step, e.By, ev[0].Step)
		}
	}
}

// TestUnwatchedRunPublishesNothing: without a heartbeat the run writes no
// live state; a heartbeat that stops makes it stop publishing.
func TestUnwatchedRunPublishesNothing(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := startRun(t, ctx, newSim(t), time.Millisecond)
	time.Sleep(1500 * time.Millisecond)
	if _, err := os.Stat(filepath.Join(r.dir, runfolder.StateFile)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("unwatched run wrote %s (%v)", runfolder.StateFile, err)
	}
	cancel()
}

// TestAttachImageRun: a latent image run's viewer gets the image view and
// the particles decoded by the run (as bytes: within 1/255 of the run's
// own decoding), and the problem's decoder stands for the run's.
func TestAttachImageRun(t *testing.T) {
	cfg, err := presets.Load("mnist-latent-200", []string{"latent.kind=pca", "latent.dim=8", "latent.train_rows=300",
		"target.per_class=2", "prior.n=20", "discriminator.hidden=[8, 8]", "flow.metrics_every=0"})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := experiments.Build(cfg, experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := startRun(t, ctx, sim, 5*time.Millisecond)
	v, err := runfolder.Attach(r.dir, 20*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	p := v.Problem()
	if p.Images == nil || p.Images.H != 28 || p.Decoder == nil || len(p.Images.Labels) != 20 || len(p.DataX) != 20*784 {
		t.Fatalf("image view: %+v, decoder %v", p.Images, p.Decoder)
	}
	// Stop the run and compare with its own decoding at the same step.
	if _, err := v.Request(runfolder.ActPause, "", 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cancel() // the run's goroutine ends; its Sim is ours now
	<-r.done
	want := make([]float32, 20*784)
	sim.DecodedTo(want)
	// The images of the paused step come at most a second after the last
	// ones: the viewer catches up once the run publishes them.
	got := make([]float32, 20*784)
	r.live.Poll()
	time.Sleep(1100 * time.Millisecond)
	r.live.MaybePublish()
	v.Advance(1)
	v.DecodedTo(got)
	if v.StepCount() != sim.StepCount() {
		t.Fatalf("the viewer is at step %d, the run at %d", v.StepCount(), sim.StepCount())
	}
	for i := range want {
		w := min(max(want[i], 0), 1)
		if d := got[i] - w; d > 0.5/255+1e-6 || d < -0.5/255-1e-6 {
			t.Fatalf("pixel %d: viewer %g, run %g", i, got[i], w)
		}
	}
}
