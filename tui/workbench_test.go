package tui

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
)

// key presses the keys that press cannot name.
func pressKey(m *model, code rune) tea.Cmd {
	_, cmd := m.Update(tea.KeyPressMsg{Code: code})
	return cmd
}

// typeLine opens the command line, types s and presses enter.
func typeLine(m *model, s string) tea.Cmd {
	press(m, ":")
	for _, r := range s {
		press(m, string(r))
	}
	return press(m, "enter")
}

// runUntilIdle feeds commands until nothing is in flight and the run is
// paused, or n commands.
func runUntilIdle(t *testing.T, m *model, cmd tea.Cmd, n int) {
	t.Helper()
	for i := 0; i < n && cmd != nil; i++ {
		cmd = feed(m, cmd, 1)
	}
	if m.inflight || m.running {
		t.Fatalf("still busy after %d commands: step %d, running %v", n, m.step, m.running)
	}
}

// TestRecoveryOnUnconstrainedNet drives the real engine on four-well-Linf
// (normalization "none", L = ∞): it opens paused, `:L 1` switches φ to
// spectral normalization and says so, and the flow then runs 300 steps
// with no divergence and every particle speed within L (Remark 4.1(c)).
// From a diverged run, lowering L rescues the retry.
func TestRecoveryOnUnconstrainedNet(t *testing.T) {
	cfg, err := presets.Load("four-well-Linf", nil)
	if err != nil {
		t.Fatal(err)
	}
	real := func(fd *fakeDeps) {
		fd.newEngine = func(c experiments.Config, o experiments.Options) (engine, error) { return experiments.Build(c, o) }
	}
	maxSpeed := func(m *model) float64 {
		h := m.eng.History()
		var v float64
		for i := range h.Len() {
			if s, ok := h.At(i).Get("max_speed"); ok {
				v = max(v, s)
			}
		}
		return v
	}
	t.Run("from the start", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		real(fd)
		m, cmd := startedWith(t, fd, cfg, 100, 30)
		if cmd != nil || m.running || !strings.Contains(m.status, "[workbench] paused") {
			t.Fatalf("four-well-Linf did not open paused: running %v, status %q", m.running, m.status)
		}
		typeLine(m, "L 1")
		if got := m.cfg.Discriminator.Normalization; got != "spectral" || float64(m.cfg.Discriminator.Lipschitz) != 1 {
			t.Fatalf("after :L 1: normalization %q, L %v", got, m.cfg.Discriminator.Lipschitz)
		}
		if !strings.Contains(m.status, "now spectral at L = 1") || len(m.events) != 1 || m.events[0].Note == "" {
			t.Errorf("the switch is not said or recorded: status %q, events %+v", m.status, m.events)
		}
		runUntilIdle(t, m, typeLine(m, "goto 300"), 400)
		if m.step != 300 || m.diverged {
			t.Fatalf("step %d, diverged %v; want 300 steps without divergence (%s)", m.step, m.diverged, m.status)
		}
		if v := maxSpeed(m); !(v <= 1*(1+speedSlack)) {
			t.Errorf("max |∇φ| = %g over the run, want ≤ L = 1", v)
		}
		if !strings.Contains(screen(m), "reached step 300") {
			t.Errorf("no word of reaching the goal:\n%s", screen(m))
		}
	})
	t.Run("after divergence", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		real(fd)
		m, _ := startedWith(t, fd, cfg, 100, 30)
		runUntilIdle(t, m, press(m, "space"), 2000)
		if !m.diverged || m.attempt != 1 {
			t.Fatalf("the unconstrained run did not diverge: step %d, status %q", m.step, m.status)
		}
		fail := m.failStep
		typeLine(m, "L 1")
		if !strings.Contains(m.status, fmt.Sprintf("space retries step %d", fail)) {
			t.Errorf("status %q does not say a retry comes", m.status)
		}
		cmd := press(m, "space")
		if !strings.Contains(m.status, fmt.Sprintf("attempt 2 at step %d", fail)) {
			t.Errorf("status %q does not announce attempt 2", m.status)
		}
		press(m, "space") // pause again: the retry is in flight
		runUntilIdle(t, m, cmd, 3)
		goal := m.step + 100
		runUntilIdle(t, m, typeLine(m, fmt.Sprintf("goto %d", goal)), 200)
		if m.diverged || m.step != goal || goal <= fail {
			t.Fatalf("after L = 1 the retry did not get past step %d: step %d, %s", fail, m.step, m.status)
		}
		if !strings.Contains(strings.Join(m.logLines(), "\n"), fmt.Sprintf("step %d passed on attempt 2", fail)) {
			t.Errorf("the log does not say the retry passed:\n%s", strings.Join(m.logLines(), "\n"))
		}
	})
}

// logLines is the log's messages, for tests.
func (m *model) logLines() []string {
	var out []string
	for _, e := range m.log.entries {
		out = append(out, e.text)
	}
	return out
}

// TestDivergenceAttempts: each retry at the failing step is a new attempt,
// counted in the header and the status line, and the rate is not taken
// from failed commands.
func TestDivergenceAttempts(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 100, 30)
	fd.last.divergeAt = 3
	feed(m, cmd, 5)
	if !m.diverged || m.attempt != 1 || !strings.Contains(m.status, "step 3 diverged (attempt 1") {
		t.Fatalf("first divergence: attempt %d, status %q", m.attempt, m.status)
	}
	rate := m.rate
	feed(m, press(m, "space"), 1)
	if m.attempt != 2 || !strings.Contains(m.status, "step 3 diverged again (attempt 2") || !strings.Contains(screen(m), "DIVERGED ×2") {
		t.Fatalf("retry: attempt %d, status %q\n%s", m.attempt, m.status, screen(m))
	}
	if m.rate != rate {
		t.Errorf("a failed command changed the rate from %g to %g", rate, m.rate)
	}
	if strings.Contains(screen(m), "steps/s") {
		t.Errorf("a diverged run shows a rate:\n%s", screen(m))
	}
	fd.last.divergeAt = 0
	feed(m, press(m, "n"), 1)
	if m.diverged || m.failStep != 0 || !strings.Contains(m.status, "step 3 passed on attempt 3") {
		t.Errorf("after the step passed: diverged %v, status %q", m.diverged, m.status)
	}
	if m.rate != rate {
		t.Errorf("one step by hand changed the rate from %g to %g", rate, m.rate)
	}
}

// TestPausedStart: --paused opens the first run paused (later loads run),
// a preset with [workbench] paused opens and restarts paused, and a
// snapshot at its end opens paused saying it reached flow.steps.
func TestPausedStart(t *testing.T) {
	t.Run("--paused", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		fd.paused = true
		m, cmd := started(t, fd, 80, 24)
		if cmd != nil || m.running || m.inflight || !strings.Contains(m.status, "--paused") {
			t.Fatalf("not paused: running %v, in flight %v, status %q", m.running, m.inflight, m.status)
		}
		if !strings.Contains(screen(m), "PAUSED") {
			t.Errorf("header:\n%s", screen(m))
		}
		m.requestLoad(loadReq{preset: "other"})
		if cmd = feed(m, m.kick(), 1); !m.running || cmd == nil {
			t.Errorf("the next load did not run: running %v", m.running)
		}
	})
	t.Run("preset hint", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		c := testConfig()
		c.Workbench = &experiments.WorkbenchConfig{Paused: true}
		m, cmd := startedWith(t, fd, c, 80, 24)
		if cmd != nil || m.running || !strings.Contains(m.status, "[workbench] paused") {
			t.Fatalf("not paused: running %v, status %q", m.running, m.status)
		}
		feed(m, press(m, "r"), 1)
		if m.running || m.eng == nil {
			t.Errorf("r restarted it running")
		}
	})
	t.Run("resume at the end", func(t *testing.T) {
		fd := newFakeDeps(t, 2)
		fd.loadSnap = func(string, experiments.Options) (engine, error) {
			f := newFake(testConfig().Config, 40, 40, 2)
			f.Advance(f.cfg.Flow.Steps)
			return f, nil
		}
		m := newModel(fd.deps, loadReq{snapshot: "end.npz"})
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		cmd := feed(m, m.Init(), 1)
		if cmd != nil || m.running || m.step != 100 || !strings.Contains(m.status, "reached flow.steps = 100") {
			t.Fatalf("resumed at its end: running %v, step %d, status %q", m.running, m.step, m.status)
		}
		feed(m, press(m, "space"), 1)
		if m.step <= 100 {
			t.Errorf("space did not run on: step %d", m.step)
		}
	})
}

// TestCommandLine parses typed commands: parameters by any of their names
// with their checks, goto, steps, save, axes, head, fps, and the errors.
func TestCommandLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		err  string // substring of the error, "" for none
		then func(t *testing.T, m *model)
	}{
		{"L 3", "", func(t *testing.T, m *model) { wantCfg(t, m, "lipschitz", 3) }},
		{"L inf", "", func(t *testing.T, m *model) { wantCfg(t, m, "lipschitz", math.Inf(1)) }},
		{"lipschitz 2", "", func(t *testing.T, m *model) { wantCfg(t, m, "lipschitz", 2) }},
		{"dt 0.05", "", func(t *testing.T, m *model) { wantCfg(t, m, "dt", 0.05) }},
		{"Δt 0.5", "", func(t *testing.T, m *model) { wantCfg(t, m, "dt", 0.5) }},
		{"lr 1e-3", "", func(t *testing.T, m *model) { wantCfg(t, m, "lr", 1e-3) }},
		{"train.lr 0.02", "", func(t *testing.T, m *model) { wantCfg(t, m, "lr", 0.02) }},
		{"tnn 10", "", func(t *testing.T, m *model) { wantCfg(t, m, "inner_steps", 10) }},
		{"T_NN 7", "", func(t *testing.T, m *model) { wantCfg(t, m, "inner_steps", 7) }},
		{"goto 40", "", func(t *testing.T, m *model) {
			if m.goal != 40 || !m.running {
				t.Errorf("goal %d, running %v", m.goal, m.running)
			}
		}},
		{"steps 20000", "", func(t *testing.T, m *model) {
			if m.cfg.Flow.Steps != 20000 {
				t.Errorf("flow.steps = %d", m.cfg.Flow.Steps)
			}
		}},
		{"save mine", "", func(t *testing.T, m *model) {
			if !m.inflight && len(m.d.snapshotDir) == 0 {
				t.Error("no save started")
			}
		}},
		{"fps 10", "", func(t *testing.T, m *model) {
			if m.pace.fps != 10 {
				t.Errorf("fps %d", m.pace.fps)
			}
		}},
		{"L -1", "want L > 0", nil},
		{"L abc", `want a number or "inf"`, nil},
		{"dt 0", "0 < Δt", nil},
		{"tnn 2.5", "an integer", nil},
		{"tnn inf", "T_NN", nil},
		{"L", "needs a value (now 1)", nil},
		{"L 1 2", "takes one VALUE", nil},
		{"frobnicate 3", `unknown command "frobnicate"; commands: L dt lr tnn goto`, nil},
		{"goto 1", "goto only runs forward", nil},
		{"goto -5", "not a whole number", nil},
		{"x 1", "2-dimensional", nil},
		{"head 2", "heads 0 … 0", nil},
		{"save a/b", "letters, digits", nil},
		{"fps 500", "want 1 … 30", nil},
	} {
		t.Run(tc.line, func(t *testing.T) {
			fd := newFakeDeps(t, 2)
			m, cmd := started(t, fd, 80, 24)
			feed(m, cmd, 1) // at step 1 … 3, idle
			press(m, "space")
			feed(m, cmd, 2)
			m.inflight = false
			typeLine(m, tc.line)
			if tc.err != "" {
				if !m.cmd.open || !strings.Contains(m.cmd.err, tc.err) {
					t.Fatalf(":%s: open %v, error %q, want %q", tc.line, m.cmd.open, m.cmd.err, tc.err)
				}
				if s := screen(m); !strings.Contains(s, ":"+tc.line) {
					t.Errorf("the line is not kept for correction:\n%s", s)
				}
				return
			}
			if m.cmd.open || m.cmd.err != "" {
				t.Fatalf(":%s: open %v, error %q", tc.line, m.cmd.open, m.cmd.err)
			}
			tc.then(t, m)
		})
	}
}

// wantCfg checks a parameter of the engine's configuration.
func wantCfg(t *testing.T, m *model, key string, want float64) {
	t.Helper()
	p, _ := m.paramTab.Lookup(key)
	if got := p.Get(&m.cfg); got != want {
		t.Errorf("%s = %g, want %g", key, got, want)
	}
	if len(m.events) == 0 || m.events[len(m.events)-1].Param != p.Key {
		t.Errorf("no event for %s: %+v", key, m.events)
	}
}

// TestCommandLineEditing: tab completes a command's name, the hint says
// what it does and its value, esc closes without running anything.
func TestCommandLineEditing(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, _ := started(t, fd, 100, 30)
	m.inflight = false
	press(m, ":")
	press(m, "g")
	pressKey(m, tea.KeyTab)
	if got := m.cmd.in.Value(); got != "goto " {
		t.Errorf("tab completed %q, want \"goto \"", got)
	}
	if s := screen(m); !strings.Contains(s, "goto STEP — run on to STEP, then pause · now ") {
		t.Errorf("no hint:\n%s", s)
	}
	press(m, "esc")
	if m.cmd.open || m.goal != 0 {
		t.Errorf("esc: open %v, goal %d", m.cmd.open, m.goal)
	}
	press(m, ":")
	for _, r := range "zz" {
		press(m, string(r))
	}
	if s := screen(m); !strings.Contains(s, `no command "zz"`) {
		t.Errorf("no warning for an unknown name:\n%s", s)
	}
}

// TestLogScroll: every message goes to the log with its step; the log
// shows the latest, scrolls with the keys, stays where it was scrolled to
// when messages come, and counts unread warnings on the status line.
func TestLogScroll(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, _ := started(t, fd, 80, 24)
	m.inflight = false
	for i := range 60 {
		m.setStatus(statusInfo, fmt.Sprintf("message %02d", i))
	}
	m.setStatus(statusWarn, "a warning")
	if !strings.Contains(screen(m), "⚠1 m") {
		t.Errorf("no unread warning on the status line:\n%s", screen(m))
	}
	press(m, "m")
	s := screen(m)
	if !strings.Contains(s, "a warning") || !strings.Contains(s, "message 59") || strings.Contains(s, "message 10") {
		t.Fatalf("the log does not end with the latest:\n%s", s)
	}
	if strings.Contains(s, "⚠1") {
		t.Error("opening the log did not mark the warning read")
	}
	for range 5 {
		pressKey(m, tea.KeyUp)
	}
	logView := func() string { return ansi.Strip(m.overlay) }
	if s := logView(); strings.Contains(s, "a warning") || !strings.Contains(s, "message 54") {
		t.Errorf("five ups:\n%s", s)
	}
	m.setStatus(statusInfo, "newer")
	if s := logView(); strings.Contains(s, "newer") {
		t.Errorf("a new message moved a scrolled log:\n%s", s)
	}
	pressKey(m, tea.KeyHome)
	if s := logView(); !strings.Contains(s, "loading four-well-test") {
		t.Errorf("home does not show the first message:\n%s", s)
	}
	pressKey(m, tea.KeyEnd)
	if s := logView(); !strings.Contains(s, "newer") {
		t.Errorf("end does not show the last message:\n%s", s)
	}
	press(m, "esc")
	if m.log.open {
		t.Error("esc did not close the log")
	}
}

// TestChangesList: more changes than rows say how many more, and the list
// scrolls once it has the focus.
func TestChangesList(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 100, 30)
	pausedAfter(t, m, cmd, 1)
	for range 6 {
		press(m, "T")
		press(m, "t")
	}
	if len(m.events) != 12 {
		t.Fatalf("%d events, want 12", len(m.events))
	}
	s := screen(m)
	if !strings.Contains(s, "changes 12") || !strings.Contains(s, "earlier") {
		t.Fatalf("no count of hidden changes:\n%s", s)
	}
	for m.focus != focusChanges {
		pressKey(m, tea.KeyTab)
	}
	pressKey(m, tea.KeyHome)
	if s := screen(m); !strings.Contains(s, "later") || strings.Contains(s, "earlier") {
		t.Errorf("home on the changes:\n%s", s)
	}
}

// TestPicker: natural order within groups, the cursor on the running
// preset, the / filter, home/end, and a broken file that cannot be picked.
func TestPicker(t *testing.T) {
	st := newStyles(0)
	p := newPicker(nil, defaultKeys())
	p.current = "gene-bladder-d5"
	p.setItems([]pickItem{
		{Name: "gene-bladder-d20", Group: groupGenes}, {Name: "gene-bladder-d10", Group: groupGenes},
		{Name: "gene-bladder-d2", Group: groupGenes}, {Name: "gene-bladder-d5", Group: groupGenes},
		{Name: "four-well-L1", Group: groupPoints}, {Name: "bad.toml", Group: groupBroken, Err: "line 3: expected '='"},
		{Name: "cifar-latent-200", Group: groupImages, Missing: "download cifar-10-binary.tar.gz"},
	})
	p.SetSize(70, 20)
	p.redraw(&st)
	s := screen1(p.View())
	order := []string{"Point clouds", "four-well-L1", "Images", "cifar-latent-200", "data missing: download", "Gene expression",
		"gene-bladder-d2 ", "gene-bladder-d5 ", "gene-bladder-d10", "gene-bladder-d20", "do not load", "bad.toml"}
	at := 0
	for _, w := range order {
		i := strings.Index(s[at:], w)
		if i < 0 {
			t.Fatalf("%q missing or out of order in:\n%s", w, s)
		}
		at += i
	}
	if !strings.Contains(s, "▸ gene-bladder-d5") {
		t.Errorf("the cursor does not start on the running preset:\n%s", s)
	}
	upd := func(k tea.KeyPressMsg) { p, _ = p.Update(k) }
	upd(tea.KeyPressMsg{Code: '/', Text: "/"})
	for _, r := range "d1" {
		upd(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	p.redraw(&st)
	s = screen1(p.View())
	if len(p.shown) != 1 || !strings.Contains(s, "gene-bladder-d10") || strings.Contains(s, "d20") || !strings.Contains(s, "1 of 7") {
		t.Fatalf("filter d1 shows %d:\n%s", len(p.shown), s)
	}
	upd(tea.KeyPressMsg{Code: tea.KeyEnter})
	_, cmd := p.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if msg, ok := cmd().(pickedMsg); !ok || msg.name != "gene-bladder-d10" {
		t.Errorf("enter picked %v", cmd())
	}
	upd(tea.KeyPressMsg{Code: tea.KeyEscape}) // clears the filter
	if len(p.shown) != 7 {
		t.Errorf("esc left %d shown", len(p.shown))
	}
	upd(tea.KeyPressMsg{Code: tea.KeyEnd})
	p, cmd = p.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd != nil || !strings.Contains(p.note, "bad.toml does not load: line 3") {
		t.Errorf("a broken file was picked (%v) or not explained (%q)", cmd, p.note)
	}
	upd(tea.KeyPressMsg{Code: tea.KeyHome})
	if p.items[p.shown[p.cursor]].Name != "four-well-L1" {
		t.Errorf("home went to %s", p.items[p.shown[p.cursor]].Name)
	}
}

// screen1 strips a panel's view.
func screen1(s string) string { return ansi.Strip(s) }

// TestPickerNeverBlocks: a listing of the preset files that hangs (a FIFO
// on a hung file system) gives up after pickTimeout; the picker shows the
// embedded presets and says why the files are missing.
func TestPickerNeverBlocks(t *testing.T) {
	defer func(d time.Duration) { pickTimeout = d }(pickTimeout)
	pickTimeout = 20 * time.Millisecond
	fd := newFakeDeps(t, 2)
	hang := make(chan struct{})
	defer close(hang)
	fd.listFiles = func() []pickItem { <-hang; return nil }
	m, _ := started(t, fd, 100, 30)
	m.inflight = false
	cmd := press(m, "p")
	if !strings.Contains(screen(m), "reading the presets") {
		t.Errorf("the picker does not say it is reading:\n%s", screen(m))
	}
	t0 := time.Now()
	feed(m, cmd, 1)
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("the listing took %v", d)
	}
	s := screen(m)
	if !strings.Contains(s, "four-well-test") || !strings.Contains(s, "did not list in") {
		t.Errorf("after the timeout:\n%s", s)
	}
}

// TestHeatMap: h asks the engine command for φ on the scatter's grid;
// the cells get shades from low to high, the legend names the range, and
// a run without a potential (attached) says why there is none.
func TestHeatMap(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 100, 30)
	pausedAfter(t, m, cmd, 2)
	cmd = press(m, "h")
	if cmd == nil {
		t.Fatal("h started no evaluation")
	}
	feed(m, cmd, 1)
	g := m.heat.grid
	if g == nil || g.step != m.step || len(g.vals) != g.cols*g.rows {
		t.Fatalf("grid %+v", g)
	}
	cw, ch := m.plot.canvasSize()
	if g.cols != cw || g.rows != ch {
		t.Errorf("grid %d×%d for a %d×%d canvas", g.cols, g.rows, cw, ch)
	}
	// The fake φ is a bowl around (2, 2): the cell nearest (2, 2) is the
	// darkest shade, and a corner of the view lighter.
	lv := m.plot.cv.bg
	cx, cy := cellOf(m, 2, 2)
	if low := lv[cy*cw+cx]; low != 1 || lv[0] <= low {
		t.Errorf("shade at (2, 2) %d, at the corner %d; want 1 (low) and more", low, lv[0])
	}
	if s := screen(m); !strings.Contains(s, "φ low") || !strings.Contains(s, "high  φ") {
		t.Errorf("no legend:\n%s", s)
	}
	press(m, "h")
	if m.plot.heat != nil || strings.Contains(screen(m), "φ low") {
		t.Error("h did not turn the heat-map off")
	}
	if r := heatReason(&fakeRemote{fakeEngine: newFake(testConfig().Config, 4, 4, 2)}, &fakeRemote{}); !strings.Contains(r, "attached") {
		t.Errorf("attached reason %q", r)
	}
}

// cellOf is the canvas cell of data point (x, y).
func cellOf(m *model, x, y float64) (int, int) {
	p := &m.plot
	c := int((x - p.xmin) / (p.xmax - p.xmin) * float64(p.cv.w))
	r := int((p.ymax - y) / (p.ymax - p.ymin) * float64(p.cv.h))
	return c, r
}

// TestHeatMapRate: while the run moves, φ is evaluated at most every
// heatEvery (a fake clock), and at once when paused.
func TestHeatMapRate(t *testing.T) {
	clk := &fakeClock{t: time.Unix(1e9, 0)}
	fd := newFakeDeps(t, 2)
	fd.now = clk.now
	m, cmd := started(t, fd, 100, 30)
	press(m, "h")
	evals := 0
	for range 10 {
		if job := m.heatRequest(true, clk.now()); job != nil {
			evals++
			job.run(m.eng)
			m.applyHeat(job)
		}
		cmd = feed(m, cmd, 1)
		clk.t = clk.t.Add(300 * time.Millisecond)
	}
	if evals < 2 || evals > 4 {
		t.Errorf("%d evaluations in 3 s of running, want one per second", evals)
	}
}

// TestFramePacing: with a bandwidth budget, a moving run draws a frame
// only when the pacer allows (bytes per frame / budget), and every frame
// when it stops.
func TestFramePacing(t *testing.T) {
	p := newPacer(30, 60e3)
	now := time.Unix(0, 0)
	var sent int64 = 1
	p.drawn(now, sent)
	for range 20 {
		now = now.Add(100 * time.Millisecond)
		sent += 12000 // 12 kB a frame
		p.drawn(now, sent)
	}
	// 12 kB/frame at 60 kB/s: 5 frames/s.
	if p.every < 190*time.Millisecond || p.every > 210*time.Millisecond {
		t.Errorf("interval %v, want 200 ms", p.every)
	}
	if p.due(now.Add(100*time.Millisecond)) || !p.due(now.Add(200*time.Millisecond)) {
		t.Error("due does not follow the interval")
	}
	// A cheap frame is capped by the frame rate.
	q := newPacer(30, 60e3)
	sent = 1
	q.drawn(now, sent)
	for range 20 {
		sent += 100
		q.drawn(now, sent)
	}
	if q.every != time.Second/30 {
		t.Errorf("cheap frames: interval %v, want 1/30 s", q.every)
	}

	clk := &fakeClock{t: time.Unix(1e9, 0)}
	fd := newFakeDeps(t, 2)
	fd.now = clk.now
	var bytes int64 = 1
	fd.sent = func() int64 { bytes += 20000; return bytes }
	m, cmd := started(t, fd, 100, 30)
	drawn := 0
	before := screen(m)
	for range 20 {
		cmd = feed(m, cmd, 1)
		clk.t = clk.t.Add(33 * time.Millisecond)
		if s := screen(m); s != before {
			drawn++
			before = s
		}
	}
	if drawn > 10 {
		t.Errorf("%d of 20 commands drew a frame at 20 kB each against 60 kB/s", drawn)
	}
	press(m, "space")
	feed(m, cmd, 2)
	if !strings.Contains(screen(m), fmt.Sprintf("step %d", m.step)) {
		t.Errorf("the pause did not draw the last step %d:\n%s", m.step, screen(m))
	}
}

// TestRenderTickerFound: the idle workbench stops Bubble Tea's render
// ticker by reflection on the pinned version's field; an upgrade that
// renames it must fail here, not silently keep the CPU awake.
func TestRenderTickerFound(t *testing.T) {
	f, ok := reflect.TypeOf(tea.Program{}).FieldByName("ticker")
	if !ok || f.Type != reflect.TypeOf((*time.Ticker)(nil)) {
		t.Fatalf("tea.Program has no ticker *time.Ticker field (%v): update frames.go", f.Type)
	}
	var c renderClock
	c.ticker = time.NewTicker(time.Hour)
	defer c.ticker.Stop()
	seq := c.seq
	c.wake(time.Millisecond)
	c.sleep(seq) // a message came since: stays awake
	if c.stopped {
		t.Error("slept although a message came")
	}
	c.sleep(c.seq)
	if !c.stopped {
		t.Error("did not sleep when idle")
	}
	c.wake(time.Millisecond)
	select {
	case <-c.ticker.C:
	case <-time.After(time.Second):
		t.Error("the ticker did not restart")
	}
}

// TestSmallerKeys: L past 1000 goes back to ∞; X and Y step the
// coordinates backwards; NO_COLOR tells targets from particles by more
// than bold.
func TestSmallerKeys(t *testing.T) {
	fd := newFakeDeps(t, 4)
	m, _ := started(t, fd, 100, 30)
	m.inflight = false
	l, _ := m.paramTab.Lookup("lipschitz")
	m.setPending(l, 1000)
	m.kick()
	m.inflight = false
	press(m, "L")
	m.kick()
	if !math.IsInf(l.Get(&m.cfg), 1) {
		t.Errorf("L up from 1000 = %g, want ∞", l.Get(&m.cfg))
	}
	press(m, "x") // choose mode
	press(m, "X")
	if m.proj.ax != 3 {
		t.Errorf("X from coordinate 0 went to %d, want 3", m.proj.ax)
	}
	press(m, "Y")
	if m.proj.ay != 0 {
		t.Errorf("Y from coordinate 1 went to %d, want 0", m.proj.ay)
	}
	typeLine(m, "y 2")
	if m.proj.ay != 2 {
		t.Errorf(":y 2 gave %d", m.proj.ay)
	}
}

// TestZoom: a number key shows that sparkline full width with its steps
// and extremes, esc returns; z zooms the scatter, f returns to autoscale.
func TestZoom(t *testing.T) {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, 100, 30)
	pausedAfter(t, m, cmd, 3)
	press(m, "1")
	s := screen(m)
	if m.zoomed != 1 || !strings.Contains(s, "D̂ ") || !strings.Contains(s, fmt.Sprintf("steps 1–%d", m.step)) || !strings.Contains(s, "esc returns") {
		t.Fatalf("zoomed sparkline:\n%s", s)
	}
	press(m, "esc")
	if m.zoomed != 0 || !strings.Contains(screen(m), "particles") {
		t.Fatalf("esc did not return:\n%s", screen(m))
	}
	w := m.plot.xmax - m.plot.xmin
	press(m, "z")
	if !m.plot.frozen || !(m.plot.xmax-m.plot.xmin < w) {
		t.Errorf("z: frozen %v, width %g from %g", m.plot.frozen, m.plot.xmax-m.plot.xmin, w)
	}
	x0 := m.plot.xmin
	pressKey(m, tea.KeyRight)
	if !(m.plot.xmin > x0) {
		t.Error("→ did not pan right")
	}
	// The mouse wheel zooms around the pointer.
	w = m.plot.xmax - m.plot.xmin
	m.Update(tea.MouseWheelMsg{X: 30, Y: 10, Button: tea.MouseWheelDown})
	if !(m.plot.xmax-m.plot.xmin > w) {
		t.Error("wheel down did not zoom out")
	}
	press(m, "f")
	if m.plot.frozen {
		t.Error("f did not return to autoscale")
	}
}

// TestRestartAfterResume: r after --resume restarts with the snapshot's
// settings, and says which of its changes they hold.
func TestRestartAfterResume(t *testing.T) {
	fd := newFakeDeps(t, 2)
	fd.loadSnap = func(string, experiments.Options) (engine, error) {
		f := newFake(testConfig().Config, 40, 40, 2)
		f.Advance(5)
		f.Set("lipschitz", 2)
		f.Advance(5)
		return f, nil
	}
	m := newModel(fd.deps, loadReq{snapshot: "s.npz"})
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	feed(m, m.Init(), 1)
	press(m, "space")
	m.inflight = false
	feed(m, press(m, "r"), 1)
	if m.step != 0 || float64(m.cfg.Discriminator.Lipschitz) != 2 {
		t.Fatalf("after r: step %d, L %v", m.step, m.cfg.Discriminator.Lipschitz)
	}
	if !strings.Contains(m.status, "with the snapshot's settings") || !strings.Contains(m.status, "L 1 → 2") {
		t.Errorf("status %q does not say the snapshot's change is kept", m.status)
	}
}
