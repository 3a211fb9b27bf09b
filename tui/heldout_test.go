package tui

import (
	"math"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
)

// TestHeldOutBestStep: a run whose problem names a held-out criterion shows
// the criterion's latest value and the step where it was lowest.
func TestHeldOutBestStep(t *testing.T) {
	fd := newFakeDeps(t, 2)
	fd.newEngine = func(cfg experiments.Config, _ experiments.Options) (engine, error) {
		f := newFake(cfg.Config, 40, 40, fd.dim)
		held := core.MetricInfo{Name: "heldout_frechet", Symbol: "held-out FD", Show: core.ShowText, Better: core.Lower}
		f.setMetrics(append(append([]core.MetricInfo(nil), fakeMetrics...), held))
		col := len(fakeMetrics)
		f.extra = func(step int, row []float64) {
			if step%2 == 0 {
				row[col] = math.Abs(float64(step)-6) + 10 // lowest (10) at step 6
			}
		}
		f.prob.Criterion = "heldout_frechet"
		fd.last = f
		return f, nil
	}
	m, cmd := started(t, fd, 100, 30)
	pausedAfter(t, m, cmd, 4)
	if m.step < 10 {
		t.Fatalf("only %d steps", m.step)
	}
	if m.bestStep != 6 || m.bestVal != 10 {
		t.Errorf("best step %d (%g), want 6 (10)", m.bestStep, m.bestVal)
	}
	if s := screen(m); !strings.Contains(s, "(best @6)") {
		t.Errorf("no best step on screen:\n%s", s)
	}
}
