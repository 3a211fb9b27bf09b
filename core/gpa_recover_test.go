package core

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// unconstrainedConfig is four-well-Linf: L = ∞ and no normalization, whose
// KL flow diverges (paper Fig. 5(a)).
func unconstrainedConfig() Config {
	c := gpaConfig()
	c.Discriminator.Lipschitz = Lipschitz(math.Inf(1))
	c.Discriminator.Normalization = "none"
	return c
}

// TestLowerLOnUnconstrainedNet: setting a finite L on a net built with
// normalization "none" switches φ to spectral normalization at that L,
// records it with the change's event, and the speed limit |∇φ| ≤ L
// (Remark 4.1(c)) then holds at every step, from a fresh run and from one
// that has diverged; a snapshot of the switched run resumes bit-exactly.
func TestLowerLOnUnconstrainedNet(t *testing.T) {
	speedOK := func(t *testing.T, s *Sim, steps int, L float64) {
		t.Helper()
		for range steps {
			r, err := s.Step()
			if err != nil {
				t.Fatalf("step %d after L = %g: %v", s.StepCount(), L, err)
			}
			// 1e-3: float32 velocities summed over four layers (speedSlack in tui).
			if v := value(t, r, "max_speed"); !(v <= L*(1+1e-3)) {
				t.Fatalf("step %d: max |∇φ| = %g > L = %g", s.StepCount(), v, L)
			}
		}
	}
	t.Run("fresh", func(t *testing.T) {
		s := mustNew(t, unconstrainedConfig(), fourWellProblem(1))
		if err := s.Set("lipschitz", 1); err != nil {
			t.Fatal(err)
		}
		if got := s.Config().Discriminator.Normalization; got != "spectral" {
			t.Errorf("normalization %q after L = 1, want spectral", got)
		}
		ev := s.Events()
		if len(ev) != 1 || ev[0].Param != "lipschitz" || !math.IsInf(ev[0].Old, 1) || ev[0].New != 1 || !strings.Contains(ev[0].Note, "spectral") {
			t.Fatalf("events %+v, want one L ∞ → 1 with a note on spectral normalization", ev)
		}
		speedOK(t, s, 300, 1)
		// A second change has nothing more to say.
		if err := s.Set("lipschitz", 2); err != nil {
			t.Fatal(err)
		}
		if ev := s.Events(); len(ev) != 2 || ev[1].Note != "" {
			t.Errorf("events %+v: the second change should carry no note", ev)
		}
		speedOK(t, s, 20, 2)
	})
	t.Run("after divergence", func(t *testing.T) {
		s := mustNew(t, unconstrainedConfig(), fourWellProblem(1))
		var err error
		for s.StepCount() < 3000 {
			if _, err = s.Step(); err != nil {
				break
			}
		}
		if !errors.Is(err, ErrDiverged) {
			t.Fatalf("the unconstrained flow did not diverge in %d steps (err %v)", s.StepCount(), err)
		}
		at := s.StepCount()
		if err := s.Set("lipschitz", 1); err != nil {
			t.Fatal(err)
		}
		speedOK(t, s, 300, 1)
		t.Logf("diverged after step %d; 300 steps at L = 1 since", at)
	})
	t.Run("resume", func(t *testing.T) {
		p := fourWellProblem(1)
		s := mustNew(t, unconstrainedConfig(), p)
		speedOK(t, s, 5, math.Inf(1))
		if err := s.Set("lipschitz", 1); err != nil {
			t.Fatal(err)
		}
		speedOK(t, s, 5, 1)
		r, err := Restore(s.State(), p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Config().Discriminator.Normalization != "spectral" || r.Events()[0].Note == "" {
			t.Fatalf("restored %q, events %+v", r.Config().Discriminator.Normalization, r.Events())
		}
		for range 10 {
			s.Step()
			r.Step()
		}
		if !bitsEqual(s.Particles(), r.Particles()) {
			t.Error("the restored run differs from the original")
		}
	})
}

// TestEventNoteJSON: the note survives the JSON of snapshots and run
// folders, and an event without one is written as before.
func TestEventNoteJSON(t *testing.T) {
	for _, e := range []Event{
		{Step: 3, Param: "lipschitz", Old: math.Inf(1), New: 1, Note: "now spectral"},
		{Step: 4, Param: "dt", Old: 1, New: 0.5},
	} {
		b, err := e.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		var got Event
		if err := got.UnmarshalJSON(b); err != nil {
			t.Fatal(err)
		}
		if got.Step != e.Step || got.Param != e.Param || got.Old != e.Old || got.New != e.New || got.Note != e.Note {
			t.Errorf("%s read back as %+v, want %+v", b, got, e)
		}
		if e.Note == "" && strings.Contains(string(b), "note") {
			t.Errorf("%s: an empty note is written", b)
		}
	}
}
