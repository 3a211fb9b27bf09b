package tui

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// goldenGeneModel is the fake batch-merging run after 15 steps (four
// commands), paused, with the comparison brought up to date, at w×h.
func goldenGeneModel(t testing.TB, w, h int) *model {
	fd, _, _ := newGeneDeps(t)
	c := testConfig()
	c.Flow.MetricsEvery = 5
	m, cmd := startedWith(t, fd, c, w, h)
	pausedAfter(t, m, cmd, 3)
	return m
}

func TestGoldenGeneViews(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		name := fmt.Sprintf("genes-%dx%d", sz[0], sz[1])
		t.Run(name, func(t *testing.T) {
			checkGolden(t, name, screen(goldenGeneModel(t, sz[0], sz[1])))
		})
	}
}

func TestGeneRun(t *testing.T) {
	fd, clk, g := newGeneDeps(t)
	c := testConfig()
	c.Flow.MetricsEvery = 5
	c.Flow.Steps = 1000
	m, cmd := startedWith(t, fd, c, 80, 24)
	// Loaded: the first comparison (before = GPA at step 0) came with the
	// engine, and the confounding warning is on the status line, once.
	if g.calls != 1 || !m.table.have || m.table.step != 0 {
		t.Fatalf("after load: %d comparisons, have %v at step %d", g.calls, m.table.have, m.table.step)
	}
	if !strings.Contains(m.status, `"Biopsy" only in target`) || !strings.Contains(m.status, `"Normal" only in source`) {
		t.Errorf("status %q, want the confounded labels", m.status)
	}
	s := screen(m)
	for _, want := range []string{"⣿ transported", "⣿ target", "⣿ source", "gene space", "labels confounded", "ComBat", "mean-center", "GPA", "sil.b↓", "iLISI↑"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	// The particles given to Compare are the engine's.
	if got, want := len(g.last), len(fd.last.y); got != want || g.last[0] != fd.last.y0[0] {
		t.Errorf("compared %d values starting %v, want the %d initial particles", got, g.last[:1], want)
	}
	// Running: no comparison before tableEvery has passed…
	cmd = feed(m, cmd, 4)
	if g.calls != 1 {
		t.Errorf("%d comparisons within %v, want 1", g.calls, tableEvery)
	}
	// …then one, with ≥ metrics_every new steps.
	clk.advance(tableEvery)
	cmd = feed(m, cmd, 2)
	if g.calls != 2 || m.table.step == 0 {
		t.Errorf("%d comparisons after %v (table at step %d), want 2", g.calls, tableEvery, m.table.step)
	}
	// A pause brings the table to the current step; the warning was
	// replaced and is not shown again.
	press(m, "space")
	if cmd = feed(m, cmd, 3); cmd != nil {
		t.Fatal("busy after pause")
	}
	if g.calls != 3 || m.table.step != m.step {
		t.Errorf("after pause: %d comparisons, table at step %d of %d", g.calls, m.table.step, m.step)
	}
	if strings.Contains(m.status, "confounded") {
		t.Errorf("the warning is still on the status line: %q", m.status)
	}
	// Without the table (g), no comparisons.
	press(m, "g")
	if strings.Contains(screen(m), "gene space") {
		t.Error("table still shown after g")
	}
	cmd = press(m, "space")
	clk.advance(time.Hour)
	feed(m, cmd, 3)
	if g.calls != 3 {
		t.Errorf("%d comparisons with the table hidden, want 3", g.calls)
	}
}
