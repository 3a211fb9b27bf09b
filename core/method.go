package core

import (
	"fmt"
	"slices"
	"strings"
)

// Method is one particle method: GPA (Algorithm 1; Algorithm 2 when the
// problem has a decoder) or a baseline. A Sim runs a Method over a
// Problem; the Sim owns the particles, the history, the events and the
// metric schedule, the Method owns its networks and optimisers.
//
// A Method is built by its MethodInfo.New from the Sim's configuration,
// which it reads through the pointer it was given (mid-run changes are
// written there by Sim.Set before Method.Set is called).
type Method interface {
	// Metrics declares what Step writes, in order.
	Metrics() []MetricInfo
	// Step moves the particles y (M×D) one step in place and writes its
	// metrics into dst (len(Metrics())). An error wrapping ErrDiverged
	// means NaN or Inf. After an error, or when the moved particles are
	// not finite, the Sim restores y and calls Undo.
	Step(y []float32, dst []float64) error
	// Undo returns the method's state to what it was before the last Step.
	Undo()
	// Set applies a parameter change already validated by the ParamTable
	// and written into the configuration (e.g. renormalise φ for a new L).
	Set(p *Param, v float64) error
	// State and SetState save and restore the method's own state (network
	// weights, optimiser moments, …) for bit-exact resumes.
	State() MethodState
	SetState(MethodState) error
	// Summary is a few label/value lines that describe the method's fixed
	// settings for the side panel and inspect ("f", "kl · dv").
	Summary() [][2]string
}

// Noter is implemented by a method whose Set may do more than change its
// parameter (GPA switches an unconstrained φ to spectral normalization when
// a finite L is set). Sim.Set records the note with the change's Event.
type Noter interface {
	// Note returns what the last Set did besides, once; "" if nothing.
	Note() string
}

// MethodState is a method's own state: named float32 and float64 arrays.
// Snapshots store each array as an .npz member under its name.
type MethodState struct {
	F32 []Named32
	F64 []Named64
}

// Named32 is a named float32 array.
type Named32 struct {
	Name string
	Data []float32
}

// Named64 is a named float64 array.
type Named64 struct {
	Name string
	Data []float64
}

// Get32 returns the float32 array name, or nil.
func (s *MethodState) Get32(name string) []float32 {
	for _, a := range s.F32 {
		if a.Name == name {
			return a.Data
		}
	}
	return nil
}

// Get64 returns the float64 array name, or nil.
func (s *MethodState) Get64(name string) []float64 {
	for _, a := range s.F64 {
		if a.Name == name {
			return a.Data
		}
	}
	return nil
}

func (s MethodState) clone() MethodState {
	out := MethodState{}
	for _, a := range s.F32 {
		out.F32 = append(out.F32, Named32{a.Name, slices.Clone(a.Data)})
	}
	for _, a := range s.F64 {
		out.F64 = append(out.F64, Named64{a.Name, slices.Clone(a.Data)})
	}
	return out
}

// MethodInfo registers a method kind.
type MethodInfo struct {
	Kind string // [method] kind in a preset
	Doc  string // one line
	// NeedsScore says the method samples a density known in closed form:
	// it needs Problem.Score (ULA, SVGD).
	NeedsScore bool
	// Params are its mid-run parameters.
	Params ParamTable
	// Validate checks the configuration sections the method reads.
	Validate func(c *Config) error
	// New builds the method for a checked problem; cfg is the Sim's
	// configuration (see Method).
	New func(cfg *Config, p *Problem) (Method, error)
}

// methods are the registered method kinds. Adding a method: a file with its MethodInfo and Method, a line
// here, its config section in Config.
var methods = []*MethodInfo{&gpaInfo, &mmdFlowInfo, &kaleInfo, &ulaInfo, &svgdInfo, &ncsnInfo, &ganInfo, &wganInfo}

// LookupMethod returns the registered method of a kind ("" is "gpa").
func LookupMethod(kind string) (*MethodInfo, error) {
	if kind == "" {
		kind = "gpa"
	}
	for _, m := range methods {
		if m.Kind == kind {
			return m, nil
		}
	}
	var kinds []string
	for _, m := range methods {
		kinds = append(kinds, fmt.Sprintf("%q", m.Kind))
	}
	return nil, &FieldError{Key: "method.kind", Msg: fmt.Sprintf("%q: want one of %s", kind, strings.Join(kinds, ", "))}
}
