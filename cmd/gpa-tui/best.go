package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gpa-tui/gpa-tui/core"
)

// bestFile is the snapshot of the best step of the held-out criterion
// (image runs with target.holdout).
const bestFile = "best.npz"

// newBest follows sim's held-out criterion (core.Best), read back from the
// history on a resumed run.
func newBest(sim *core.Sim) *core.Best {
	f := sim.Config().Flow
	b := core.NewBest(sim.Problem(), sim.Metrics(), f.CopyBudget())
	b.ObserveAll(sim.History())
	return b
}

// reportBest prints the best step at the end of a run, and where its
// snapshot is.
func reportBest(w io.Writer, b *core.Best, dir string) {
	if b.Col() < 0 || b.Step == 0 {
		return
	}
	where := "that state is in " + filepath.Join(dir, bestFile)
	if _, err := os.Stat(filepath.Join(dir, bestFile)); err != nil {
		where = "reached before the resume: its snapshot is the best.npz of the run that reached it"
	}
	fmt.Fprintf(w, "held-out %s: best %.4g at step %d (near-copies ≤ %g); %s\n", b.Name, b.Val, b.Step, b.Budget, where)
}
