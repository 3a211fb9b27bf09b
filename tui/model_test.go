package tui

import (
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
)

func TestStartRunsAndRearms(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	if !m.running || cmd == nil {
		t.Fatalf("running = %v, cmd = %v after load: want running with a step in flight", m.running, cmd != nil)
	}
	cmd = feed(m, cmd, 4)
	// With every command taking tick = 10 ms < one frame, the chunk
	// doubles: 1, 2, 4, 8 steps.
	if got, want := fd.last.calls, []int{1, 2, 4, 8}; !equalInts(got, want) {
		t.Errorf("Advance calls %v, want %v", got, want)
	}
	if m.step != 15 || m.histLen != 15 || len(m.series[2]) != 7 {
		t.Errorf("step %d, %d metrics, %d MMD values; want 15, 15, 7", m.step, m.histLen, len(m.series[2]))
	}
	if !m.inflight || cmd == nil {
		t.Errorf("no step re-armed while running")
	}
}

func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		name  string
		keys  []string
		check func(t *testing.T, m *model, f *fakeEngine)
	}{
		{"space pauses", []string{"space"}, func(t *testing.T, m *model, f *fakeEngine) {
			if m.running {
				t.Error("still running")
			}
		}},
		{"space twice resumes", []string{"space", "space"}, func(t *testing.T, m *model, f *fakeEngine) {
			if !m.running {
				t.Error("not running")
			}
		}},
		{"L raises L", []string{"L"}, func(t *testing.T, m *model, f *fakeEngine) {
			if got := float64(f.cfg.Discriminator.Lipschitz); got != 2 {
				t.Errorf("engine L = %g, want 2", got)
			}
			if len(f.events) != 1 || f.events[0].Param != "lipschitz" || f.events[0].Old != 1 || f.events[0].New != 2 {
				t.Errorf("events %+v, want one lipschitz 1 → 2", f.events)
			}
		}},
		{"L L l", []string{"L", "L", "l"}, func(t *testing.T, m *model, f *fakeEngine) {
			// 1 → 2 → 5 → 2 in 1-2-5 steps.
			if got := float64(f.cfg.Discriminator.Lipschitz); got != 2 {
				t.Errorf("engine L = %g, want 2", got)
			}
		}},
		{"T raises Δt, t t lowers", []string{"T", "t", "t"}, func(t *testing.T, m *model, f *fakeEngine) {
			if got := f.cfg.Flow.Dt; got != 0.5 {
				t.Errorf("Δt = %g, want 0.5 (1 → 2 → 1 → 0.5)", got)
			}
		}},
		{"D d d lr", []string{"D", "d", "d"}, func(t *testing.T, m *model, f *fakeEngine) {
			if got := f.cfg.Train.LR; got != 0.002 {
				t.Errorf("lr = %g, want 0.002 (0.005 → 0.01 → 0.005 → 0.002)", got)
			}
		}},
		{"+ + - T_NN", []string{"+", "+", "-"}, func(t *testing.T, m *model, f *fakeEngine) {
			if got := f.cfg.Train.InnerSteps; got != 6 {
				t.Errorf("T_NN = %d, want 6", got)
			}
		}},
		{"i shows initial", []string{"i"}, func(t *testing.T, m *model, f *fakeEngine) {
			if !m.plot.showInitial || !strings.Contains(screen(m), "initial") {
				t.Error("initial particles not shown")
			}
		}},
		{"f freezes", []string{"f"}, func(t *testing.T, m *model, f *fakeEngine) {
			if !m.plot.frozen || !strings.Contains(screen(m), "frozen") {
				t.Error("view not frozen")
			}
		}},
		{"? toggles help", []string{"?"}, func(t *testing.T, m *model, f *fakeEngine) {
			if !strings.Contains(screen(m), "raise T_NN") {
				t.Error("full help not shown")
			}
		}},
		{"v on 2-D data", []string{"v"}, func(t *testing.T, m *model, f *fakeEngine) {
			if m.proj.mode != projFirst || !strings.Contains(m.status, "nothing to project") {
				t.Errorf("mode %v, status %q", m.proj.mode, m.status)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fd := newFakeDeps(t, 2)
			m, cmd := started(t, fd, 80, 24)
			feed(m, cmd, 1) // idle: the model re-armed, but we do not run it
			m.inflight = false
			for _, k := range tc.keys {
				press(m, k)
				m.inflight = false // drop the command the key may have started
			}
			tc.check(t, m, fd.last)
		})
	}
}

func TestStepWhilePaused(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	press(m, "space")     // pause; the first step is still in flight
	cmd = feed(m, cmd, 1) // it lands and nothing is re-armed
	if cmd != nil || m.inflight || m.step != 1 {
		t.Fatalf("after pause: cmd %v, inflight %v, step %d; want idle at step 1", cmd != nil, m.inflight, m.step)
	}
	cmd = press(m, "n")
	if cmd == nil {
		t.Fatal("n started no step")
	}
	if cmd = feed(m, cmd, 1); cmd != nil || m.step != 2 {
		t.Errorf("after n: step %d, re-armed %v; want step 2 and idle", m.step, cmd != nil)
	}
	if got := fd.last.calls[len(fd.last.calls)-1]; got != 1 {
		t.Errorf("n advanced %d steps, want 1", got)
	}
	if !strings.Contains(screen(m), "PAUSED") {
		t.Errorf("header does not say PAUSED:\n%s", screen(m))
	}
}

func TestKeyDuringStepIsQueued(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	press(m, "L") // step in flight: queued, shown as pending
	if got := float64(fd.last.cfg.Discriminator.Lipschitz); got != 1 {
		t.Fatalf("engine L = %g while a step was in flight, want 1 (untouched)", got)
	}
	if !strings.Contains(screen(m), "L      2*") {
		t.Errorf("pending L not shown:\n%s", screen(m))
	}
	feed(m, cmd, 1)
	if got := float64(fd.last.cfg.Discriminator.Lipschitz); got != 2 {
		t.Errorf("engine L = %g after the step, want 2", got)
	}
	if ev := fd.last.events; len(ev) != 1 || ev[0].Step != 1 {
		t.Errorf("events %+v, want one at step 1", ev)
	}
}

// TestSlowStepKeepsUIAndEngineApart runs a step that blocks in its own
// goroutine, as Bubble Tea runs commands, and meanwhile sends keys, resizes
// and renders: the UI answers at once and never touches the engine.
func TestSlowStepKeepsUIAndEngineApart(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	f := fd.last
	f.gate = make(chan struct{})
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	for !f.busy.Load() {
		runtime.Gosched()
	}
	for _, k := range []string{"L", "T", "+", "i", "f", "v", "?", "?", "s"} {
		press(m, k)
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s := screen(m)
	if !strings.Contains(s, "L      2*") || !strings.Contains(s, "initial") {
		t.Errorf("keys not answered while the step runs:\n%s", s)
	}
	close(f.gate)
	msg := <-done
	if n := f.touched.Load(); n != 0 {
		t.Fatalf("the UI touched the engine %d times during a step", n)
	}
	cmd = feed(m, func() tea.Msg { return msg }, 2) // step done, then the queued save
	if got := float64(f.cfg.Discriminator.Lipschitz); got != 2 || f.cfg.Flow.Dt != 2 || f.cfg.Train.InnerSteps != 6 {
		t.Errorf("after the step: L %g, Δt %g, T_NN %d; want 2, 2, 6", got, f.cfg.Flow.Dt, f.cfg.Train.InnerSteps)
	}
	if len(fd.saved) != 1 {
		t.Errorf("queued save not written: %v", fd.saved)
	}
	_ = cmd
}

func TestDivergedPauses(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	fd.last.divergeAt = 3
	cmd = feed(m, cmd, 5)
	if cmd != nil || m.running || !m.diverged {
		t.Fatalf("after divergence: re-armed %v, running %v, diverged %v", cmd != nil, m.running, m.diverged)
	}
	if m.step != 2 {
		t.Errorf("kept step %d, want 2 (the last good one)", m.step)
	}
	s := screen(m)
	if !strings.Contains(s, "DIVERGED") || !strings.Contains(s, "step 3 diverged") || !strings.Contains(s, "attempt 1") || !strings.Contains(s, "overflowed") {
		t.Errorf("no divergence message:\n%s", s)
	}
	// Lower Δt and resume: the flow runs again.
	fd.last.divergeAt = 0
	press(m, "t")
	if got := fd.last.cfg.Flow.Dt; got != 0.5 {
		t.Errorf("Δt = %g, want 0.5", got)
	}
	if cmd = press(m, "space"); cmd == nil || m.diverged {
		t.Fatalf("space after divergence: cmd %v, diverged %v", cmd != nil, m.diverged)
	}
	feed(m, cmd, 1)
	if m.step <= 2 {
		t.Errorf("step %d after resuming, want > 2", m.step)
	}
}

func TestReachesPlannedSteps(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	if cmd = feed(m, cmd, 50); cmd != nil {
		t.Fatal("still running after 50 commands")
	}
	if m.step != 100 || m.running {
		t.Errorf("step %d, running %v; want paused at flow.steps = 100", m.step, m.running)
	}
	if !strings.Contains(m.status, "reached flow.steps = 100") {
		t.Errorf("status %q", m.status)
	}
}

func TestSave(t *testing.T) {
	t.Run("writes into the snapshot dir", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		m, cmd := started(t, fd, 100, 30)
		press(m, "s") // queued behind the step in flight
		cmd = feed(m, cmd, 2)
		if len(fd.saved) != 1 {
			t.Fatalf("saved %v, want one file", fd.saved)
		}
		want := filepath.Join(fd.snapshotDir, "four-well-test-step000001.npz")
		if fd.saved[0] != want {
			t.Errorf("saved %s, want %s", fd.saved[0], want)
		}
		if _, err := os.Stat(want); err != nil {
			t.Error(err)
		}
		if !strings.Contains(screen(m), "saved "+want) {
			t.Errorf("status does not show the path:\n%s", screen(m))
		}
		// Two saves at one step get two names.
		press(m, "space")
		if cmd = feed(m, cmd, 1); cmd != nil {
			t.Fatal("still running after pause")
		}
		feed(m, press(m, "s"), 1)
		feed(m, press(m, "s"), 1)
		if n := len(fd.saved); n != 3 || fd.saved[1] == fd.saved[2] || !strings.HasSuffix(fd.saved[2], "-2.npz") {
			t.Errorf("saved %v: want two more, the second ending in -2.npz", fd.saved)
		}
	})
	t.Run("unavailable without a hook", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		fd.save = nil
		m, _ := started(t, fd, 80, 24)
		press(m, "s")
		if !strings.Contains(m.status, "unavailable") {
			t.Errorf("status %q, want saving unavailable", m.status)
		}
	})
}

func TestRestartAndPicker(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 80, 24)
	feed(m, cmd, 3)
	first := fd.last
	press(m, "L")
	// r: after the step in flight, a new engine from the preset as loaded
	// (L = 1, not the mid-run 2), at step 0.
	cmd = press(m, "r")
	m.inflight = false // pretend the running step landed without re-arming
	cmd = feed(m, m.kick(), 1)
	if fd.last == first || m.eng != fd.last {
		t.Fatal("r did not build a new engine")
	}
	if m.step != 0 || float64(m.cfg.Discriminator.Lipschitz) != 1 {
		t.Errorf("after restart: step %d, L %v; want 0 and 1", m.step, m.cfg.Discriminator.Lipschitz)
	}
	_ = cmd

	// p, ↓, enter: load "other".
	m.inflight = false
	feed(m, press(m, "p"), 1) // the listing, off the UI goroutine
	if !strings.Contains(screen(m), "Presets") {
		t.Fatalf("picker not shown:\n%s", screen(m))
	}
	press(m, "down")
	c := press(m, "enter")
	if c == nil {
		t.Fatal("enter chose nothing")
	}
	c = feed(m, c, 2) // pickedMsg, then the load
	if m.cfg.Name != "other" {
		t.Errorf("loaded %q, want other", m.cfg.Name)
	}
	if strings.Contains(screen(m), "Presets") {
		t.Error("picker still open")
	}

	// A preset that fails to load leaves the current run and says why.
	m.inflight = false
	m.requestLoad(loadReq{preset: "missing"})
	feed(m, m.kick(), 1)
	if m.cfg.Name != "other" || !strings.Contains(m.status, "cannot load missing") {
		t.Errorf("after a failed load: run %q, status %q", m.cfg.Name, m.status)
	}
}

func TestProjectionCycle(t *testing.T) {
	fd := newFakeDeps(t, 3)
	fd.newEngine = func(cfg experiments.Config, _ experiments.Options) (engine, error) {
		fd.last = newFake(cfg.Config, 40, 40, fd.dim)
		// A stand-in for the targets' PCA: the sum and difference of x0 and x1.
		fd.last.prob.Projection = &core.Projection{Name: "PCA 1 vs 2 of targets", To2D: func(dst, src []float32, rows int) {
			for i := range rows {
				dst[2*i] = src[i*3] + src[i*3+1]
				dst[2*i+1] = src[i*3] - src[i*3+1]
			}
		}}
		return fd.last, nil
	}
	m, cmd := started(t, fd, 80, 24)
	press(m, "space") // pause, so that the keys below find the engine idle
	if feed(m, cmd, 1) != nil {
		t.Fatal("running after pause")
	}
	if m.proj.mode != projPCA || !strings.Contains(screen(m), "PCA 1 vs 2") {
		t.Fatalf("mode %v after load, want PCA", m.proj.mode)
	}
	f := fd.last
	if want := f.y[0] + f.y[1]; m.par2[0] != want {
		t.Errorf("PCA view x = %g, want %g", m.par2[0], want)
	}
	press(m, "v")
	press(m, "x")
	press(m, "y")
	press(m, "y")
	if m.proj.mode != projChoose || m.proj.ax != 1 || m.proj.ay != 0 {
		t.Errorf("mode %v axes (%d, %d), want choose (1, 0)", m.proj.mode, m.proj.ax, m.proj.ay)
	}
	if m.par2[0] != f.y[1] || m.par2[1] != f.y[0] {
		t.Errorf("chosen view (%g, %g), want (%g, %g)", m.par2[0], m.par2[1], f.y[1], f.y[0])
	}
	press(m, "v")
	if m.proj.mode != projFirst || !strings.Contains(screen(m), "x0 vs x1") {
		t.Errorf("mode %v, want first two coordinates", m.proj.mode)
	}
}

func TestQuit(t *testing.T) {
	for _, k := range []tea.KeyPressMsg{{Code: 'q', Text: "q"}, {Code: 'c', Mod: tea.ModCtrl}} {
		fd := newFakeDeps(t, 2)
		m, _ := started(t, fd, 80, 24)
		_, cmd := m.Update(k)
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s did not quit", k)
		}
	}
}

func TestNextNice(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		up   bool
		want float64
	}{
		{1, true, 2}, {2, true, 5}, {5, true, 10}, {1, false, 0.5}, {0.005, true, 0.01},
		{0.005, false, 0.002}, {3, true, 5}, {3, false, 2}, {100, false, 50},
	} {
		if got := nextNice(tc.v, tc.up); got != tc.want {
			t.Errorf("nextNice(%g, %v) = %g, want %g", tc.v, tc.up, got, tc.want)
		}
	}
	// L = ∞ lowers to the paper's largest finite L and does not rise.
	fd := newFakeDeps(t, 2)
	m, _ := started(t, fd, 80, 24)
	m.inflight = false
	fd.last.cfg.Discriminator.Lipschitz = core.Lipschitz(math.Inf(1))
	m.cfg = fd.last.cfg
	press(m, "L")
	if !math.IsInf(float64(fd.last.cfg.Discriminator.Lipschitz), 1) {
		t.Errorf("L raised from ∞ to %v", fd.last.cfg.Discriminator.Lipschitz)
	}
	m.inflight = false
	press(m, "l")
	if got := float64(fd.last.cfg.Discriminator.Lipschitz); got != lowerFromInf {
		t.Errorf("L lowered from ∞ to %g, want %d", got, lowerFromInf)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNextChunk(t *testing.T) {
	for _, tc := range []struct {
		k       int
		elapsed time.Duration
		want    int
	}{
		{1, time.Millisecond, 2},           // fast: at most doubles
		{8, 100 * time.Millisecond, 2},     // 8 steps took 3 frames: ~8/3
		{1, time.Second, 1},                // a slow step: never below 1
		{6000, time.Millisecond, maxChunk}, // capped
		{4, 0, 8},
	} {
		if got := nextChunk(tc.k, tc.elapsed); got != tc.want {
			t.Errorf("nextChunk(%d, %v) = %d, want %d", tc.k, tc.elapsed, got, tc.want)
		}
	}
}

func TestFileSafe(t *testing.T) {
	for in, want := range map[string]string{
		"four-well-L1": "four-well-L1", "my preset.toml": "my_preset", "../x/y.toml": "y", "": "run", "α=2": "__2",
	} {
		if got := fileSafe(in); got != want {
			t.Errorf("fileSafe(%q) = %q, want %q", in, got, want)
		}
	}
}
