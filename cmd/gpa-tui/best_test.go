package main

import (
	"math"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

// TestBestTracker: the held-out criterion's best step follows the lowest
// measured value (NaN rows are not measurements), and flow.stop =
// "best-heldout" stops once flow.patience steps passed without a new best.
func TestBestTracker(t *testing.T) {
	b := &bestTracker{col: 1, name: "heldout_frechet", val: math.Inf(1)}
	nan := math.NaN()
	vals := map[int]float64{250: 30, 500: 20, 750: 15, 1000: 16, 1250: 14.9, 1500: 15.5, 1750: 17, 2000: 18, 2250: 20}
	f := core.FlowConfig{MetricsEvery: 250, Stop: "best-heldout"} // patience 4·250
	stopAt := 0
	for step := 1; step <= 2500 && stopAt == 0; step++ {
		v, ok := vals[step]
		if !ok {
			v = nan
		}
		b.improved(core.Record{Step: step, Values: []float64{1, v}})
		if b.stop(step, f) {
			stopAt = step
		}
	}
	if b.step != 1250 || b.val != 14.9 {
		t.Errorf("best %g at step %d, want 14.9 at 1250", b.val, b.step)
	}
	if stopAt != 2250 {
		t.Errorf("stopped at step %d, want 2250 (1000 steps after the best)", stopAt)
	}
	f.Stop = ""
	if b.stop(5000, f) {
		t.Error("stopped without flow.stop")
	}
	f.Stop, f.Patience = "best-heldout", 2000
	if b.stop(3000, f) || !b.stop(3250, f) {
		t.Error("flow.patience = 2000 not honoured")
	}
}
