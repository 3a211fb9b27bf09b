package tui

import (
	"math"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
)

// TestHeldOutBestStep: a run whose problem names a held-out criterion shows
// the criterion's latest value and the step where it was lowest among the
// steps within the near-copy budget (10%).
func TestHeldOutBestStep(t *testing.T) {
	fd := newFakeDeps(t, 2)
	fd.newEngine = func(cfg experiments.Config, _ experiments.Options) (engine, error) {
		f := newFake(cfg.Config, 40, 40, fd.dim)
		held := core.MetricInfo{Name: "heldout_frechet", Symbol: "held-out FD", Show: core.ShowText, Better: core.Lower}
		copies := core.MetricInfo{Name: "copies", Symbol: "copies", Show: core.ShowText, Share: true}
		f.setMetrics(append(append([]core.MetricInfo(nil), fakeMetrics...), held, copies))
		col := len(fakeMetrics)
		f.extra = func(step int, row []float64) {
			if step%2 == 0 {
				row[col] = math.Abs(float64(step)-8) + 10 // lowest (10) at step 8
				row[col+1] = 0.03 * float64(step)         // above 10% from step 4 on…
			}
			if step <= 6 {
				row[col+1] = 0 // …but no copies up to step 6
			}
		}
		f.prob.Criterion, f.prob.CopyShare = "heldout_frechet", "copies"
		fd.last = f
		return f, nil
	}
	m, cmd := started(t, fd, 100, 30)
	pausedAfter(t, m, cmd, 4)
	if m.step < 10 {
		t.Fatalf("only %d steps", m.step)
	}
	// Lowest at step 8, but with 24% near-copies; step 6 has none.
	if m.best == nil || m.best.Step != 6 || m.best.Val != 12 {
		t.Errorf("best %+v, want step 6 (12)", m.best)
	}
	if s := screen(m); !strings.Contains(s, "(best @6)") {
		t.Errorf("no best step on screen:\n%s", s)
	}
}
