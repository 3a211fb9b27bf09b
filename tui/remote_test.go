package tui

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// runUntilQuit feeds commands to Update until one yields tea.QuitMsg
// (true) or none is left.
func runUntilQuit(m *model, cmd tea.Cmd, n int) bool {
	for i := 0; i < n && cmd != nil; i++ {
		msg := cmd()
		if _, ok := msg.(tea.QuitMsg); ok {
			return true
		}
		if b, ok := msg.(tea.BatchMsg); ok {
			for _, c := range b {
				if c != nil {
					if _, ok := c().(tea.QuitMsg); ok {
						return true
					}
				}
			}
			return false
		}
		if sd, ok := msg.(stepDoneMsg); ok {
			sd.elapsed = tick
			msg = sd
		}
		_, cmd = m.Update(msg)
	}
	return false
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// TestQuitAsksWithUnsavedProgress: q quits at once when nothing is
// unsaved, else asks: a key other than q or s stays, q quits without
// saving, s saves and then quits with a message naming the file.
func TestQuitAsksWithUnsavedProgress(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	feed(m, cmd, 3)
	if m.step == 0 {
		t.Fatal("no steps")
	}
	if cmd := press(m, "q"); isQuit(cmd) || m.confirm != confirmQuit || !strings.Contains(m.question, "unsaved") {
		t.Fatalf("q with unsaved steps: quit %v, question %q", isQuit(cmd), m.question)
	}
	m.setStatus(statusInfo, "reached flow.steps") // a later message waits behind the question
	if !strings.Contains(screen(m), "s: save and quit · q: quit anyway · other keys: stay") {
		t.Errorf("the question is not on screen at 80×24:\n%s", screen(m))
	}
	press(m, "x")
	if m.confirm != confirmNone {
		t.Error("another key did not cancel the question")
	}
	press(m, "q")
	if cmd := press(m, "q"); !isQuit(cmd) {
		t.Error("q, q did not quit")
	}

	m2, cmd := started(t, fd, 80, 24)
	cmd = feed(m2, cmd, 2) // a step command is in flight
	press(m2, "q")
	if c := press(m2, "s"); c != nil {
		t.Error("s started a command while one is in flight")
	}
	if !runUntilQuit(m2, cmd, 20) {
		t.Fatalf("q, s did not quit: status %q", m2.status)
	}
	if len(fd.saved) != 1 || !strings.Contains(m2.exitMsg, fd.saved[0]) || !strings.Contains(m2.exitMsg, "--resume") {
		t.Errorf("saved %v, exit message %q", fd.saved, m2.exitMsg)
	}
	if m2.unsaved() {
		t.Error("still unsaved after the save")
	}
	// Saved: q quits at once; a parameter change is unsaved progress.
	m2.inflight = false
	if cmd := press(m2, "q"); !isQuit(cmd) {
		t.Error("q after a save asked again")
	}
	press(m2, "L")
	m2.applyPending()
	if !m2.unsaved() {
		t.Error("a change of L does not count as unsaved")
	}
}

// TestSignalSavesAndQuits: SIGHUP, SIGTERM or SIGINT from outside saves
// the run after the engine command in flight and quits with a message.
func TestSignalSavesAndQuits(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT} {
		fd := newFakeDeps(t, 2)
		m, cmd := started(t, fd, 80, 24)
		cmd = feed(m, cmd, 2)
		_, scmd := m.Update(signalMsg{sig})
		if scmd != nil {
			t.Errorf("%v: a command while one is in flight", sig)
		}
		if !runUntilQuit(m, cmd, 10) {
			t.Fatalf("%v: no quit; status %q", sig, m.status)
		}
		want := fmt.Sprintf("%s received: saved step %d to %s", signalName(sig), m.step, fd.saved[0])
		if len(fd.saved) != 1 || !strings.Contains(m.exitMsg, want) {
			t.Errorf("%v: exit message %q, want %q", sig, m.exitMsg, want)
		}
	}
	// Nothing unsaved: quit at once.
	fd := newFakeDeps(t, 2)
	m, _ := started(t, fd, 80, 24)
	if _, cmd := m.Update(signalMsg{syscall.SIGTERM}); !isQuit(cmd) || len(fd.saved) != 0 {
		t.Errorf("signal at step 0: quit %v, saved %v", isQuit(cmd), fd.saved)
	}
}

// fakeRemote is an attached run: the fake engine plus control requests,
// answered at once.
type fakeRemote struct {
	*fakeEngine
	state    string
	requests []string
	ended    error
}

func (r *fakeRemote) Request(action, param string, v float64) (runfolder.Ack, error) {
	req := action
	if action == runfolder.ActSet {
		req = fmt.Sprintf("%s %s %s", action, param, fmtNum(v))
	}
	r.requests = append(r.requests, req)
	switch action {
	case runfolder.ActSet:
		if err := r.fakeEngine.Set(param, v); err != nil {
			return runfolder.Ack{OK: false, Message: err.Error()}, fmt.Errorf("the run refused: %w", err)
		}
		return runfolder.Ack{OK: true, Message: fmt.Sprintf("%s → %s at step %d", param, fmtNum(v), r.step)}, nil
	case runfolder.ActPause:
		r.state = runfolder.StatePaused
	case runfolder.ActResume:
		r.state = runfolder.StateRunning
	case runfolder.ActStop:
		r.state = runfolder.StateStopped
		r.ended = fmt.Errorf("stopped at step %d: %w", r.step, runfolder.ErrEnded)
	case runfolder.ActSnapshot:
		return runfolder.Ack{OK: true, Message: "saved /runs/a/snapshot-step000003.npz", Path: "/runs/a/snapshot-step000003.npz"}, nil
	}
	return runfolder.Ack{OK: true, Message: action + " at step " + fmt.Sprint(r.step)}, nil
}

func (r *fakeRemote) Advance(k int) (core.Record, error) {
	if r.ended != nil {
		return core.Record{}, r.ended
	}
	if r.state == runfolder.StatePaused {
		return core.Record{}, nil
	}
	return r.fakeEngine.Advance(1)
}

func (r *fakeRemote) Info() runfolder.RunInfo {
	return runfolder.RunInfo{State: r.state, Host: "node7", PID: 4242, Rate: 123, Viewers: []string{"a", "b"}}
}
func (r *fakeRemote) Dir() string  { return "/runs/a" }
func (r *fakeRemote) Close() error { return nil }

// TestAttachedKeys: with an attached run, the keys become requests to the
// run (space pauses and resumes it, L raises L, s asks for a snapshot in
// the run folder, X then y stops it), r and p are refused, the header
// follows the run's state, and q detaches at once.
func TestAttachedKeys(t *testing.T) {
	fd := newFakeDeps(t, 2)
	r := &fakeRemote{fakeEngine: newFake(testConfig().Config, 40, 40, 2), state: runfolder.StateRunning}
	m := newModel(fd.deps, loadReq{preset: "/runs/a", ready: r})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	cmd := feed(m, m.Init(), 3)
	if m.remote == nil || !strings.Contains(screen(m), "⇄ node7:4242 · 2 viewers") || !strings.Contains(screen(m), "X stop • ? all keys • q detach") {
		t.Fatalf("attached screen:\n%s", screen(m))
	}
	_ = cmd
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if !strings.Contains(screen(m), "q detach") {
		t.Errorf("at 80×24 the help line lacks q detach:\n%s", screen(m))
	}
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.inflight = false // the step command in flight is dropped here
	drive := func(keys ...string) {
		t.Helper()
		var cmd tea.Cmd
		for _, k := range keys {
			cmd = press(m, k)
		}
		for i := 0; i < 5 && cmd != nil; i++ {
			msg := cmd()
			_, cmd = m.Update(msg)
			if _, ok := msg.(remoteDoneMsg); ok {
				break
			}
		}
		m.inflight = false
	}
	drive("space")
	if got := r.requests; len(got) != 1 || got[0] != "pause" {
		t.Fatalf("space sent %v", got)
	}
	if !strings.Contains(m.status, "run: pause at step") || m.running {
		t.Errorf("after pause: status %q, running %v", m.status, m.running)
	}
	drive("L")
	if last := r.requests[len(r.requests)-1]; last != "set lipschitz 2" {
		t.Errorf("L sent %q", last)
	}
	if len(m.events) != 1 || m.events[0].New != 2 || !strings.Contains(screen(m), "L 1 → 2") {
		t.Errorf("events on screen after L: %+v\n%s", m.events, screen(m))
	}
	drive("s")
	if last := r.requests[len(r.requests)-1]; last != "snapshot" || !strings.Contains(m.status, "snapshot-step000003.npz") {
		t.Errorf("s sent %q; status %q", last, m.status)
	}
	n := len(r.requests)
	drive("r")
	drive("p")
	if len(r.requests) != n || !strings.Contains(m.status, "quit first") || m.pickerOpen {
		t.Errorf("r/p while attached: requests %v, status %q", r.requests[n:], m.status)
	}
	drive("X")
	if len(r.requests) != n || m.confirm != confirmStop {
		t.Fatal("X did not ask")
	}
	drive("y")
	if last := r.requests[len(r.requests)-1]; last != "stop" {
		t.Errorf("X, y sent %q", last)
	}
	if cmd := m.kick(); cmd != nil { // the next wait reports the end
		m.Update(cmd())
	}
	if !m.remoteEnded || !strings.Contains(screen(m), "STOPPED") {
		t.Errorf("after the stop:\n%s", screen(m))
	}
	if cmd := press(m, "q"); !isQuit(cmd) {
		t.Error("q did not detach at once")
	}
	if _, cmd := m.Update(signalMsg{syscall.SIGHUP}); !isQuit(cmd) || !strings.Contains(m.exitMsg, "the run goes on") {
		t.Errorf("SIGHUP while attached: %q", m.exitMsg)
	}
}

// TestSnapshotsHonourUmask: the workbench's snapshots are created with
// 0666 less the umask, never over an existing file.
func TestSnapshotsHonourUmask(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	d, first, err := setup(Options{Preset: "four-well-L1", Sets: []string{"target.n=32", "prior.n=32"}, SnapshotDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sim, err := experiments.Build(*first.cfg, experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := saveNew(d, sim)
	if err != nil {
		t.Fatal(err)
	}
	p2, err := saveNew(d, sim)
	if err != nil || p2 == p1 {
		t.Fatalf("second save: %s %v", p2, err)
	}
	for _, p := range []string{p1, p2} {
		if st, _ := os.Stat(p); st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v with umask 077", p, st.Mode().Perm())
		}
	}
}
