package core

import (
	"fmt"
	"math"
)

// Best follows a problem's held-out criterion (Problem.Criterion) along a
// run: its lowest value so far among the measurements within the
// near-copy budget (flow.max_copies of Problem.CopyShare), and that step.
// The headless run saves that step's state and stops by it
// (flow.stop = "best-heldout"); the workbench marks it. A problem without
// a criterion gives a Best that tracks nothing.
type Best struct {
	Name   string  // the criterion's metric name
	Budget float64 // the near-copy budget (FlowConfig.CopyBudget)
	Step   int     // the best step so far, 0 before one
	Val    float64 // its value, +Inf before one
	// Over is the first step whose near-copy share exceeded the budget (0
	// if none), OverShare that share.
	Over      int
	OverShare float64

	col, copies int // the columns of the criterion and the share, −1 without
}

// NewBest returns the tracker of p's criterion over records whose values
// are in the order of metrics.
func NewBest(p *Problem, metrics []MetricInfo, budget float64) *Best {
	b := &Best{Name: p.Criterion, Budget: budget, Val: math.Inf(1), col: -1, copies: -1}
	for i, mi := range metrics {
		switch {
		case p.Criterion != "" && mi.Name == p.Criterion:
			b.col = i
		case p.CopyShare != "" && mi.Name == p.CopyShare:
			b.copies = i
		}
	}
	return b
}

// Col is the criterion's column in the records, −1 without one.
func (b *Best) Col() int { return b.col }

// Observe takes one measurement and reports whether it is a new best
// within the copy budget. A record over the budget is never best (and the
// first one is remembered in Over); an unmeasured criterion (NaN) neither.
func (b *Best) Observe(r Record) bool {
	if b.col < 0 {
		return false
	}
	if b.copies >= 0 {
		if c := r.Values[b.copies]; c > b.Budget {
			if b.Over == 0 {
				b.Over, b.OverShare = r.Step, c
			}
			return false
		}
	}
	if v := r.Values[b.col]; v < b.Val {
		b.Val, b.Step = v, r.Step
		return true
	}
	return false
}

// ObserveAll takes every record of h, e.g. a resumed run's history.
func (b *Best) ObserveAll(h *History) {
	for i := range h.Len() {
		b.Observe(h.At(i))
	}
}

// Stop says whether flow.stop = "best-heldout" ends the run at step, and
// why: the copy budget was exceeded, or the criterion has not improved for
// flow.patience steps.
func (b *Best) Stop(step int, f FlowConfig) (bool, string) {
	if b.col < 0 || b.Step == 0 || f.Stop != "best-heldout" {
		return false, ""
	}
	if b.Over > 0 {
		return true, fmt.Sprintf("%.0f%% of the particles are near-copies of a target at step %d, above flow.max_copies = %g",
			100*b.OverShare, b.Over, b.Budget)
	}
	if step-b.Step >= f.StopPatience() {
		return true, fmt.Sprintf("%s has not improved for %d steps", b.Name, step-b.Step)
	}
	return false, ""
}
