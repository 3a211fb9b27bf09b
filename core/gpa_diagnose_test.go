package core

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestDivergenceCause: KL with a learned ν (Algorithm 1) on a target with
// one far outlier (|X| = 10⁴, as heavy tails produce) overflows e^{φ(X)−ν}
// in the first discriminator update; the step fails with a DivergedError
// that says so (wrapping ErrDiverged), the state before the step is kept,
// and the exact ν ("dv", log-sum-exp) runs the same problem without
// trouble.
func TestDivergenceCause(t *testing.T) {
	p := fourWellProblem(1)
	p.X = slices.Clone(p.X)
	p.X[0], p.X[1] = 1e4, -1e4 // one far target
	cfg := gpaConfig()
	cfg.Divergence.Formulation = "nu"
	s := mustNew(t, cfg, p)
	y0 := slices.Clone(s.Particles())
	_, err := s.Step()
	var de *DivergedError
	if !errors.Is(err, ErrDiverged) || !errors.As(err, &de) {
		t.Fatalf("step 1 with a learned ν: err = %v, want a DivergedError", err)
	}
	for _, w := range []string{"step 1", "overflowed", "discriminator update 1 of 5", "learned ν"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if !bitsEqual(s.Particles(), y0) || s.StepCount() != 0 {
		t.Errorf("the failed step changed the state (step %d)", s.StepCount())
	}
	cfg.Divergence.Formulation = "dv"
	if _, err := mustNew(t, cfg, p).Advance(5); err != nil {
		t.Errorf("exact ν: %v", err)
	}
}
