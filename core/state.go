package core

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// State is everything needed to continue a run bit-exactly: the
// configuration (with mid-run changes), the data, the method's own state,
// the history and the events. Package snapshots stores it.
type State struct {
	Config Config
	// Spec is the full run description the problem was built from (the
	// resolved preset with its data sections, as JSON): package
	// experiments rebuilds the problem from it. Core does not read it.
	Spec      json.RawMessage
	Step      int
	M, N, D   int
	Particles []float32 // Y, M×D
	Initial   []float32 // Y₀, M×D
	Targets   []float32 // X, N×D
	Method    MethodState
	History   History
	Events    []Event

	// Image runs (read-only views for analysis; a resume rebuilds them):
	// the particles as images, decoded in a latent run (M×H·W·C), the
	// target images, the image shape and the class labels.
	Images, TargetImages []float32
	ImageShape           [3]int // H, W, C; zero when not an image run
	Labels, TargetLabels []int
}

// State returns a deep copy of the run's state.
func (s *Sim) State() *State {
	st := &State{
		Config: s.cfg, Spec: slices.Clone(s.prob.Spec), Step: s.step, M: s.m, N: s.n, D: s.d,
		Particles: slices.Clone(s.y), Initial: slices.Clone(s.y0), Targets: slices.Clone(s.x),
		Method: s.method.State(), History: s.hist.Clone(), Events: slices.Clone(s.events),
	}
	if im := s.prob.Images; im != nil {
		st.ImageShape = [3]int{im.H, im.W, im.C}
		st.Images = make([]float32, s.m*s.prob.dataDim())
		s.DecodedTo(st.Images)
		st.TargetImages = slices.Clone(s.prob.dataX())
		st.Labels, st.TargetLabels = slices.Clone(im.Labels), slices.Clone(im.TargetLabels)
	}
	return st
}

// Restore rebuilds a run from a State over the problem p, which must be the
// problem the state was saved from (the caller rebuilds it, or makes it
// from the saved targets and initial particles). Continuing it gives
// bit-identical particles and metrics to the run that was saved.
func Restore(st *State, p *Problem) (*Sim, error) {
	m, n, d := st.M, st.N, st.D
	if m < 1 || n < 1 || d < 1 || len(st.Particles) != m*d || len(st.Initial) != m*d || len(st.Targets) != n*d {
		return nil, fmt.Errorf("core: Restore: array shapes do not match M=%d, N=%d, d=%d", m, n, d)
	}
	if p.M != m || p.N != n || p.D != d || !slices.Equal(p.X, st.Targets) || !slices.Equal(p.Y, st.Initial) {
		return nil, fmt.Errorf("core: Restore: the problem (data set or latent coder) no longer matches the snapshot")
	}
	if !AllFinite(st.Particles) {
		return nil, fmt.Errorf("core: Restore: NaN or Inf in the saved particles")
	}
	if st.Step < 0 || st.Step != st.History.Len() && st.History.Len() != 0 {
		return nil, fmt.Errorf("core: Restore: step %d with %d history rows", st.Step, st.History.Len())
	}
	s, err := New(st.Config, p)
	if err != nil {
		return nil, fmt.Errorf("core: Restore: %w", err)
	}
	if err := s.method.SetState(st.Method); err != nil {
		return nil, fmt.Errorf("core: Restore: %w", err)
	}
	copy(s.y, st.Particles)
	s.step = st.Step
	s.hist = st.History.remap(s.hist.Names)
	s.hist.Rows = slices.Grow(s.hist.Rows, min(max(st.Config.Flow.Steps-st.Step, 16), 1<<20)*s.hist.stride())
	s.events = slices.Clone(st.Events)
	return s, nil
}

// eventJSON is Event with non-finite values written as strings ("inf").
type eventJSON struct {
	Step  int    `json:"step"`
	Param string `json:"param"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
	Note  string `json:"note,omitempty"`
}

func jsonNumber(x float64) any {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	return x
}

func fromJSONNumber(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case string:
		return strconv.ParseFloat(x, 64)
	}
	return 0, fmt.Errorf("want a number, got %T", v)
}

// MarshalJSON writes an Event; L = +Inf is written as "+Inf".
func (e Event) MarshalJSON() ([]byte, error) {
	return json.Marshal(eventJSON{e.Step, e.Param, jsonNumber(e.Old), jsonNumber(e.New), e.Note})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Event) UnmarshalJSON(b []byte) error {
	var j eventJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	old, err := fromJSONNumber(j.Old)
	if err != nil {
		return fmt.Errorf("event old: %w", err)
	}
	nw, err := fromJSONNumber(j.New)
	if err != nil {
		return fmt.Errorf("event new: %w", err)
	}
	*e = Event{Step: j.Step, Param: j.Param, Old: old, New: nw, Note: j.Note}
	return nil
}
