package tui

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/experiments"
)

// slowDeps is fakeDeps whose engines report three epochs of training and
// a cache warning while they are built, and records what is sent.
func slowDeps(t *testing.T) (*fakeDeps, *[]tea.Msg, *int) {
	fd := newFakeDeps(t, 2)
	var sent []tea.Msg
	builds := 0
	fd.send = func(msg tea.Msg) { sent = append(sent, msg) }
	fd.newEngine = func(cfg experiments.Config, opts experiments.Options) (engine, error) {
		builds++
		for e := 1; e <= 3; e++ {
			opts.Progress("autoencoder 784→32", e, 3)
		}
		opts.Warn(errors.New("cache file corrupted; rebuilt"))
		fd.last = newFake(cfg.Config, 40, 40, fd.dim)
		return fd.last, nil
	}
	return fd, &sent, &builds
}

func TestLoadProgressInStatus(t *testing.T) {
	fd, sent, _ := slowDeps(t)
	c := testConfig()
	m := newModel(fd.deps, loadReq{cfg: &c})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	done := m.Init()() // the load, on "its" goroutine: progress goes to send
	if len(*sent) != 4 {
		t.Fatalf("sent %d messages, want 3 progress and 1 warning", len(*sent))
	}
	// Delivered in order before the load's result, as tea.Program does.
	m.Update((*sent)[1])
	if !strings.Contains(screen(m), "training autoencoder 784→32 (once; cached for next time): epoch 2/3") || !strings.Contains(screen(m), "LOADING") {
		t.Errorf("no progress while loading:\n%s", screen(m))
	}
	m.Update((*sent)[3])
	m.Update(done)
	if m.eng == nil || m.statusKind != statusWarn || !strings.Contains(m.status, "warning: cache file corrupted") {
		t.Errorf("after the load: engine %v, status %q (kind %v)", m.eng != nil, m.status, m.statusKind)
	}
	// Progress of an earlier load, arriving late, is dropped.
	before := m.status
	m.Update(prepMsg{seq: m.seq - 1, what: "old", epoch: 1, epochs: 2})
	m.Update(prepMsg{seq: m.seq, what: "done", epoch: 1, epochs: 2}) // not loading any more
	if m.status != before {
		t.Errorf("a stale progress message changed the status to %q", m.status)
	}
}

func TestKeysWaitWhileLoading(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	feed(m, cmd, 1)
	m.inflight = false
	press(m, "r") // a load is in flight now
	if !m.loading {
		t.Fatal("r started no load")
	}
	press(m, "L")
	press(m, "space")
	if len(m.pending) > 0 || !m.running {
		t.Errorf("keys acted on the old run while loading: pending %v, running %v", m.pending, m.running)
	}
}

func TestPrebuild(t *testing.T) {
	fd, _, builds := slowDeps(t)
	c := testConfig()
	var out bytes.Buffer
	req, err := prebuild(fd.deps, loadReq{cfg: &c}, &out)
	if err != nil || req.ready == nil {
		t.Fatalf("prebuild: %v, ready %v", err, req.ready != nil)
	}
	got := out.String()
	for _, want := range []string{
		"\rgpa-tui: training autoencoder 784→32 (once; cached for next time): epoch 1/3\x1b[K",
		"epoch 3/3\x1b[K\n", // the last epoch ends the line
		"gpa-tui: warning: cache file corrupted; rebuilt\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output %q lacks %q", got, want)
		}
	}
	if strings.Count(got, "\n") != 2 {
		t.Errorf("output %q: want two lines", got)
	}
	// The app installs the engine built before the screen: no second build.
	m := newModel(fd.deps, req)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	feed(m, m.Init(), 1)
	if *builds != 1 || m.eng != req.ready {
		t.Errorf("%d builds, engine %p, want 1 and the prebuilt %p", *builds, m.eng, req.ready)
	}
	if m.cfg.Name != c.Name {
		t.Errorf("loaded %q, want %q", m.cfg.Name, c.Name)
	}

	// A failure is an error before the screen opens.
	fd.newEngine = func(experiments.Config, experiments.Options) (engine, error) { return nil, errors.New("no MNIST") }
	out.Reset()
	if _, err := prebuild(fd.deps, loadReq{cfg: &c}, &out); err == nil || !strings.Contains(err.Error(), "no MNIST") {
		t.Errorf("prebuild error %v, want no MNIST", err)
	}
}

func TestLineProgressNote(t *testing.T) {
	// The "preparing" note is erased when preparation ends without
	// training; training lines are kept.
	var out bytes.Buffer
	p := &lineProgress{w: &out}
	p.say("gpa-tui: preparing x…", true)
	p.done()
	if got, want := out.String(), "\rgpa-tui: preparing x…\x1b[K\r\x1b[K"; got != want {
		t.Errorf("note = %q, want %q", got, want)
	}
	p.say("late", true) // after done: the screen may be open
	p.progress("ae", 1, 2)
	if strings.Contains(out.String(), "late") || strings.Contains(out.String(), "ae") {
		t.Errorf("wrote after done: %q", out.String())
	}
}
