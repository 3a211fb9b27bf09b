package main

import (
	"math"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

// trackSteps feeds the tracker one record per step up to last (criterion
// and near-copy share where vals has them, NaN elsewhere) and returns the
// step where flow.stop = "best-heldout" stops (0: never) and why.
func trackSteps(b *bestTracker, f core.FlowConfig, last int, vals map[int][2]float64) (int, string) {
	for step := 1; step <= last; step++ {
		v, ok := vals[step]
		if !ok {
			v = [2]float64{math.NaN(), math.NaN()}
		}
		b.improved(core.Record{Step: step, Values: []float64{1, v[0], v[1]}})
		if stop, why := b.stop(step, f); stop {
			return step, why
		}
	}
	return 0, ""
}

// TestBestTracker: the best step follows the lowest held-out value among
// the steps within the near-copy budget (NaN rows are not measurements),
// and flow.stop = "best-heldout" stops once flow.patience steps passed
// without a new best, or as soon as the budget is exceeded.
func TestBestTracker(t *testing.T) {
	f := core.FlowConfig{MetricsEvery: 250, Stop: "best-heldout"} // patience 4·250, budget 0.1
	newB := func() *bestTracker {
		return &bestTracker{col: 1, copies: 2, name: "heldout_frechet", val: math.Inf(1), budget: f.CopyBudget()}
	}
	// The criterion keeps improving until 1250, then rises; no copies.
	b := newB()
	stop, why := trackSteps(b, f, 3000, map[int][2]float64{250: {30, 0}, 500: {20, 0}, 750: {15, 0}, 1000: {16, 0},
		1250: {14.9, 0}, 1500: {15.5, 0}, 1750: {17, 0}, 2000: {18, 0}, 2250: {20, 0}})
	if b.step != 1250 || b.val != 14.9 || stop != 2250 || !strings.Contains(why, "not improved for 1000 steps") {
		t.Errorf("best %g at %d, stopped at %d (%s); want 14.9 at 1250, stop at 2250 for patience", b.val, b.step, stop, why)
	}
	// The criterion improves to the end (copies of targets are good images),
	// but the near-copy share passes 10% at step 3000: best 2750, stop 3000.
	b = newB()
	stop, why = trackSteps(b, f, 4000, map[int][2]float64{2250: {13.9, 0}, 2500: {13.3, 0.04}, 2750: {12.6, 0.098},
		3000: {12.0, 0.22}, 3250: {12.1, 0.42}})
	if b.step != 2750 || stop != 3000 || !strings.Contains(why, "22% of the particles are near-copies") {
		t.Errorf("best at %d, stopped at %d (%s); want best 2750 within the copy budget, stop at 3000", b.step, stop, why)
	}
	f.Stop = ""
	if s, _ := b.stop(5000, f); s {
		t.Error("stopped without flow.stop")
	}
	// max_copies = 1 switches the budget off; flow.patience is in steps.
	f = core.FlowConfig{MetricsEvery: 250, Stop: "best-heldout", MaxCopies: 1, Patience: 2000}
	b = newB()
	b.budget = f.CopyBudget()
	stop, _ = trackSteps(b, f, 6000, map[int][2]float64{2750: {12.6, 0.098}, 3000: {12.0, 0.22}, 3250: {12.1, 0.42}})
	if b.step != 3000 || stop != 5000 {
		t.Errorf("without a budget: best at %d, stop at %d; want 3000 and 5000", b.step, stop)
	}
}
