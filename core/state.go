package core

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// State is everything needed to continue a run bit-exactly: the resolved
// configuration (with mid-run changes), the data, the discriminator, its
// optimiser, ν and the history. Package snapshots stores it.
type State struct {
	Config    Config
	Step      int
	M, N, D   int
	Particles []float32 // Y, M×D
	Initial   []float32 // Y₀, M×D
	Targets   []float32 // X, N×D
	Params    []float32 // φ's weights and biases (lipnet.Net.Params layout)
	Power     []float32 // φ's persistent power-iteration vectors
	OptState  []float32 // optimiser state (Adam: m, v, t)
	Nu        []float64 // learned ν of each head
	History   []Metrics
	Events    []Event
	NuProj    int

	// Image runs (read-only views for analysis; Restore rebuilds them):
	// the particles as images, decoded in a latent run (M×H·W·C), the
	// target images, the image shape and the class labels.
	Images, TargetImages []float32
	ImageShape           [3]int // H, W, C; zero when not an image run
	Labels, TargetLabels []int
}

// State returns a deep copy of the run's state.
func (s *Sim) State() *State {
	st := &State{
		Config: s.cfg, Step: s.step, M: s.m, N: s.n, D: s.d,
		Particles: slices.Clone(s.y), Initial: slices.Clone(s.y0), Targets: slices.Clone(s.x),
		Params: slices.Clone(s.phi.Params()), Power: slices.Clone(s.phi.PowerVectors()),
		OptState: slices.Clone(s.opt.State()), Nu: slices.Clone(s.nu),
		History: slices.Clone(s.history), Events: slices.Clone(s.events), NuProj: s.nuProjected,
	}
	if h, w, c, ok := s.ImageShape(); ok {
		st.ImageShape = [3]int{h, w, c}
		st.Images = make([]float32, s.m*h*w*c)
		s.DecodedTo(st.Images)
		st.TargetImages = slices.Clone(s.prob.img.pixelX)
		st.Labels, st.TargetLabels = slices.Clone(s.prob.labelsY), slices.Clone(s.prob.img.labelsX)
	}
	return st
}

// Restore rebuilds a Sim from a State; continuing it gives bit-identical
// particles and metrics to the run that was saved.
func Restore(st *State) (*Sim, error) { return RestoreOpts(st, Options{}) }

// RestoreOpts is Restore with Options for the data preparation.
func RestoreOpts(st *State, opts Options) (*Sim, error) {
	m, n, d := st.M, st.N, st.D
	if m < 1 || n < 1 || d < 1 || len(st.Particles) != m*d || len(st.Initial) != m*d || len(st.Targets) != n*d {
		return nil, fmt.Errorf("core: Restore: array shapes do not match M=%d, N=%d, d=%d", m, n, d)
	}
	var p *problem
	if st.Config.Genes != nil || isImageKind(st.Config.Target.Kind) {
		// Labels, the latent coder and the batch-merging problem are
		// deterministic functions of the configuration (coders come from
		// the cache): rebuild them and check they match the saved data.
		var err error
		if p, err = prepare(st.Config, &opts); err != nil {
			return nil, fmt.Errorf("core: Restore: %w", err)
		}
		if p.n != n || p.m != m || p.d != d || !slices.Equal(p.x, st.Targets) {
			return nil, fmt.Errorf("core: Restore: the data set (or its latent coder) no longer matches the snapshot")
		}
		p.y = slices.Clone(st.Initial)
	} else {
		if !finite32(st.Targets) || !finite32(st.Initial) {
			return nil, fmt.Errorf("core: Restore: NaN or Inf in the saved data")
		}
		p = &problem{x: slices.Clone(st.Targets), n: n, y: slices.Clone(st.Initial), m: m, d: d, k: 1}
	}
	if err := st.Config.Validate(); err != nil {
		return nil, fmt.Errorf("core: Restore: %w", err)
	}
	s, err := newSim(st.Config, p, &opts)
	if err != nil {
		return nil, err
	}
	if len(st.Nu) != len(s.nu) {
		return nil, fmt.Errorf("core: Restore: %d values of ν for %d heads", len(st.Nu), len(s.nu))
	}
	if len(st.Params) != len(s.phi.Params()) || len(st.Power) != len(s.phi.PowerVectors()) || len(st.OptState) != len(s.opt.State()) {
		return nil, fmt.Errorf("core: Restore: discriminator state does not match the configured network (params %d vs %d, power %d vs %d, optimiser %d vs %d)",
			len(st.Params), len(s.phi.Params()), len(st.Power), len(s.phi.PowerVectors()), len(st.OptState), len(s.opt.State()))
	}
	if !finite32(st.Particles) || !finite32(st.Params) {
		return nil, fmt.Errorf("core: Restore: NaN or Inf in the saved state")
	}
	copy(s.y, st.Particles)
	copy(s.phi.Params(), st.Params)
	copy(s.phi.PowerVectors(), st.Power)
	s.opt.SetState(st.OptState)
	s.phi.SetLipschitz(float64(st.Config.Discriminator.Lipschitz))
	copy(s.nu, st.Nu)
	s.step = st.Step
	s.history = append(s.history[:0], st.History...)
	s.events = slices.Clone(st.Events)
	s.nuProjected = st.NuProj
	return s, nil
}

// eventJSON is Event with non-finite values written as strings ("inf").
type eventJSON struct {
	Step  int    `json:"step"`
	Param string `json:"param"`
	Old   any    `json:"old"`
	New   any    `json:"new"`
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
	return json.Marshal(eventJSON{e.Step, e.Param, jsonNumber(e.Old), jsonNumber(e.New)})
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
	*e = Event{Step: j.Step, Param: j.Param, Old: old, New: nw}
	return nil
}
