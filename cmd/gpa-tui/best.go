package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/gpa-tui/gpa-tui/core"
)

// bestFile is the snapshot of the best step of the held-out criterion
// (image runs with target.holdout).
const bestFile = "best.npz"

// bestTracker follows the problem's held-out criterion (core.Problem.Criterion)
// along a run: its lowest value so far among the steps within the near-copy
// budget (flow.max_copies of Problem.CopyShare), and that step. A resumed
// run reads it back from the history.
type bestTracker struct {
	col    int // column of the criterion in the records, −1 without one
	copies int // column of the near-copy share, −1 without one
	budget float64
	name   string
	step   int
	val    float64
	over   int     // the first step whose near-copy share exceeded the budget, 0 if none
	overC  float64 // its near-copy share
}

func newBestTracker(sim *core.Sim) *bestTracker {
	p := sim.Problem()
	f := sim.Config().Flow
	b := &bestTracker{col: -1, copies: -1, val: math.Inf(1), name: p.Criterion, budget: f.CopyBudget()}
	for i, mi := range sim.Metrics() {
		switch {
		case p.Criterion != "" && mi.Name == p.Criterion:
			b.col = i
		case p.CopyShare != "" && mi.Name == p.CopyShare:
			b.copies = i
		}
	}
	if b.col < 0 {
		return b
	}
	h := sim.History()
	for i := range h.Len() {
		b.improved(h.At(i))
	}
	return b
}

// improved reports whether r sets a new best of the criterion within the
// copy budget.
func (b *bestTracker) improved(r core.Record) bool {
	if b.col < 0 {
		return false
	}
	v := r.Values[b.col]
	if b.copies >= 0 {
		if c := r.Values[b.copies]; c > b.budget {
			if b.over == 0 {
				b.over, b.overC = r.Step, c
			}
			return false
		}
	}
	if v < b.val { // NaN: not measured
		b.val, b.step = v, r.Step
		return true
	}
	return false
}

// stop says whether flow.stop = "best-heldout" ends the run at step, and
// why: the copy budget was exceeded, or the criterion has not improved for
// flow.patience steps.
func (b *bestTracker) stop(step int, f core.FlowConfig) (bool, string) {
	if b.col < 0 || b.step == 0 || f.Stop != "best-heldout" {
		return false, ""
	}
	if b.over > 0 {
		return true, fmt.Sprintf("%.0f%% of the particles are near-copies of a target at step %d, above flow.max_copies = %g",
			100*b.overC, b.over, b.budget)
	}
	if step-b.step >= f.StopPatience() {
		return true, fmt.Sprintf("%s has not improved for %d steps", b.name, step-b.step)
	}
	return false, ""
}

// report prints the best step at the end of a run, and where its snapshot
// is.
func (b *bestTracker) report(w io.Writer, dir string) {
	if b.col < 0 || b.step == 0 {
		return
	}
	where := "that state is in " + filepath.Join(dir, bestFile)
	if _, err := os.Stat(filepath.Join(dir, bestFile)); err != nil {
		where = "reached before the resume: its snapshot is the best.npz of the run that reached it"
	}
	fmt.Fprintf(w, "held-out %s: best %.4g at step %d (near-copies ≤ %g); %s\n", b.name, b.val, b.step, b.budget, where)
}
