package core

import (
	"math"
	"strings"
	"testing"
)

// trackSteps feeds the tracker one record per step up to last (criterion
// and near-copy share where vals has them, NaN elsewhere) and returns the
// step where flow.stop = "best-heldout" stops (0: never) and why.
func trackSteps(b *Best, f FlowConfig, last int, vals map[int][2]float64) (int, string) {
	for step := 1; step <= last; step++ {
		v, ok := vals[step]
		if !ok {
			v = [2]float64{math.NaN(), math.NaN()}
		}
		b.Observe(Record{Step: step, Values: []float64{1, v[0], v[1]}})
		if stop, why := b.Stop(step, f); stop {
			return step, why
		}
	}
	return 0, ""
}

// TestBest: the best step follows the lowest held-out value among
// the steps within the near-copy budget (NaN rows are not measurements),
// and flow.stop = "best-heldout" stops once flow.patience steps passed
// without a new best, or as soon as the budget is exceeded.
func TestBest(t *testing.T) {
	f := FlowConfig{MetricsEvery: 250, Stop: "best-heldout"} // patience 4·250, budget 0.1
	p := &Problem{Criterion: "heldout_frechet", CopyShare: "copies"}
	metrics := []MetricInfo{{Name: "mmd2"}, {Name: "heldout_frechet"}, {Name: "copies"}}
	newB := func() *Best { return NewBest(p, metrics, f.CopyBudget()) }
	// The criterion keeps improving until 1250, then rises; no copies.
	b := newB()
	stop, why := trackSteps(b, f, 3000, map[int][2]float64{250: {30, 0}, 500: {20, 0}, 750: {15, 0}, 1000: {16, 0},
		1250: {14.9, 0}, 1500: {15.5, 0}, 1750: {17, 0}, 2000: {18, 0}, 2250: {20, 0}})
	if b.Step != 1250 || b.Val != 14.9 || stop != 2250 || !strings.Contains(why, "not improved for 1000 steps") {
		t.Errorf("best %g at %d, stopped at %d (%s); want 14.9 at 1250, stop at 2250 for patience", b.Val, b.Step, stop, why)
	}
	// The criterion improves to the end (copies of targets are good images),
	// but the near-copy share passes 10% at step 3000: best 2750, stop 3000.
	b = newB()
	stop, why = trackSteps(b, f, 4000, map[int][2]float64{2250: {13.9, 0}, 2500: {13.3, 0.04}, 2750: {12.6, 0.098},
		3000: {12.0, 0.22}, 3250: {12.1, 0.42}})
	if b.Step != 2750 || stop != 3000 || !strings.Contains(why, "22% of the particles are near-copies") {
		t.Errorf("best at %d, stopped at %d (%s); want best 2750 within the copy budget, stop at 3000", b.Step, stop, why)
	}
	f.Stop = ""
	if s, _ := b.Stop(5000, f); s {
		t.Error("stopped without flow.stop")
	}
	// max_copies = 1 switches the budget off; flow.patience is in steps.
	f = FlowConfig{MetricsEvery: 250, Stop: "best-heldout", MaxCopies: 1, Patience: 2000}
	b = newB()
	b.Budget = f.CopyBudget()
	stop, _ = trackSteps(b, f, 6000, map[int][2]float64{2750: {12.6, 0.098}, 3000: {12.0, 0.22}, 3250: {12.1, 0.42}})
	if b.Step != 3000 || stop != 5000 {
		t.Errorf("without a budget: best at %d, stop at %d; want 3000 and 5000", b.Step, stop)
	}
}
