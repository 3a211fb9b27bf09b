package snapshots

import (
	"encoding/json"
	"fmt"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/inputfile"
)

// stateMeta is the JSON metadata of a run snapshot; the arrays hold the
// numbers. Field names are part of the format (FormatVersion).
// The "metrics" array has one row per step and the columns MetricsColumns
// (NaN where a metric was not computed).
type stateMeta struct {
	Kind   string `json:"kind"` // "gpa-run"
	Preset string `json:"preset"`
	Method string `json:"method"` // core.MethodConfig.Kind
	Step   int    `json:"step"`
	M      int    `json:"m"`
	N      int    `json:"n"`
	D      int    `json:"d"`
	// Config is the full run description with the mid-run changes: the
	// problem's description (core.State.Spec) with the engine's
	// configuration written over it.
	Config json.RawMessage `json:"config"`
	Events []core.Event    `json:"events"`
	// MetricsColumns names the columns of the "metrics" array.
	MetricsColumns []string `json:"metrics_columns"`
	// MethodArrays names the members that hold the method's own state
	// (core.MethodState), e.g. GPA's phi_params, phi_power, opt_state, nu.
	MethodArrays []string `json:"method_arrays"`
	// RNG: the data come from config.seed; a method that draws random
	// numbers while it steps (Langevin noise, minibatches, GAN noise)
	// keeps its generator's state among its arrays (core.MethodState), so
	// the data arrays and the method's arrays are the complete random
	// state and a resume continues bit for bit.
	RNG string `json:"rng"`

	// Format 1 (GPA only) kept ν and its projection count here.
	Nu     []float64 `json:"nu,omitempty"`
	NuProj int       `json:"nu_projections,omitempty"`
}

const runKind = "gpa-run"

// Save writes the state of a run to path atomically as an .npz that
// numpy.load opens: float32 particles (M×d), target (N×d), initial (M×d);
// the method's arrays under their names (GPA: phi_params, phi_power,
// opt_state, nu, nu_projections); float64 metrics (steps × columns, NaN
// where not measured); image runs add images, target_images and labels;
// the configuration and events in meta.json.
func Save(path string, st *core.State) error {
	cfg, err := mergeConfig(st.Spec, st.Config)
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	meta := stateMeta{
		Kind: runKind, Preset: st.Config.Name, Method: methodKind(st.Config), Step: st.Step, M: st.M, N: st.N, D: st.D,
		Config: cfg, Events: st.Events, MetricsColumns: append([]string{"step"}, st.History.Names...),
		MethodArrays: []string{}, // [] (not null, which marks format 1) for a method without state (SVGD)
		RNG:          "the data from config.seed; the method's generators among its arrays",
	}
	if meta.Events == nil {
		meta.Events = []core.Event{}
	}
	arrays := []Array{
		{Name: "particles", Shape: []int{st.M, st.D}, Data: st.Particles},
		{Name: "target", Shape: []int{st.N, st.D}, Data: st.Targets},
		{Name: "initial", Shape: []int{st.M, st.D}, Data: st.Initial},
	}
	for _, a := range st.Method.F32 {
		meta.MethodArrays = append(meta.MethodArrays, a.Name)
		arrays = append(arrays, Array{Name: a.Name, Shape: []int{len(a.Data)}, Data: orEmpty(a.Data)})
	}
	for _, a := range st.Method.F64 {
		meta.MethodArrays = append(meta.MethodArrays, a.Name)
		arrays = append(arrays, Array{Name: a.Name, Shape: []int{len(a.Data)}, Data: orEmpty(a.Data)})
	}
	k := len(meta.MetricsColumns)
	arrays = append(arrays, Array{Name: "metrics", Shape: []int{st.History.Len(), k}, Data: orEmpty(st.History.Rows)})
	if sh := st.ImageShape; sh[0] > 0 {
		img := []int{sh[0], sh[1], sh[2]}
		arrays = append(arrays,
			Array{Name: "images", Shape: append([]int{st.M}, img...), Data: st.Images},
			Array{Name: "target_images", Shape: append([]int{st.N}, img...), Data: st.TargetImages})
		if st.TargetLabels != nil {
			arrays = append(arrays, Array{Name: "target_labels", Shape: []int{st.N}, Data: toInt64(st.TargetLabels)})
		}
		if st.Labels != nil {
			arrays = append(arrays, Array{Name: "labels", Shape: []int{st.M}, Data: toInt64(st.Labels)})
		}
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	return WriteFile(path, mb, arrays)
}

// mergeConfig writes the engine's configuration over the problem's run
// description (both JSON objects).
func mergeConfig(spec json.RawMessage, cfg core.Config) (json.RawMessage, error) {
	obj := map[string]json.RawMessage{}
	if len(spec) > 0 {
		if err := json.Unmarshal(spec, &obj); err != nil {
			return nil, fmt.Errorf("run description: %w", err)
		}
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	var eng map[string]json.RawMessage
	if err := json.Unmarshal(b, &eng); err != nil {
		return nil, err
	}
	for k, v := range eng {
		obj[k] = v
	}
	return json.Marshal(obj)
}

func methodKind(c core.Config) string {
	if c.Method.Kind == "" {
		return "gpa"
	}
	return c.Method.Kind
}

func toInt64(x []int) []int64 {
	out := make([]int64, len(x))
	for i, v := range x {
		out[i] = int64(v)
	}
	return out
}

func fromInt64(x []int64) []int {
	out := make([]int, len(x))
	for i, v := range x {
		out[i] = int(v)
	}
	return out
}

func orEmpty[T float32 | float64](x []T) []T {
	if x == nil {
		return []T{}
	}
	return x
}

// Load reads a run snapshot written by Save (format 1 or 2). Every error
// names path.
func Load(path string) (*core.State, error) {
	mb, arrays, err := ReadFile(path, Limits{Arrays: runArrays})
	if err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("snapshots: %s: %w: %s", path, ErrCorrupt, fmt.Sprintf(format, a...))
	}
	var meta stateMeta
	if err := json.Unmarshal(mb, &meta); err != nil {
		return nil, bad("metadata: %v", err)
	}
	if meta.Kind != runKind {
		return nil, fmt.Errorf("snapshots: %s: %w: metadata kind %q, want %q", path, ErrNotSnapshot, meta.Kind, runKind)
	}
	if meta.M < 1 || meta.N < 1 || meta.D < 1 || meta.Step < 0 {
		return nil, bad("metadata gives M=%d, N=%d, d=%d, step=%d", meta.M, meta.N, meta.D, meta.Step)
	}
	st := &core.State{Spec: meta.Config, Step: meta.Step, M: meta.M, N: meta.N, D: meta.D, Events: meta.Events}
	if err := json.Unmarshal(meta.Config, &st.Config); err != nil {
		return nil, bad("configuration: %v", err)
	}
	// Printed by inspect and the workbench: no escape sequences from a file.
	st.Config.Name, st.Config.Description = inputfile.Printable(st.Config.Name), inputfile.Printable(st.Config.Description)
	for i := range st.Events {
		st.Events[i].Param = inputfile.Printable(st.Events[i].Param)
		st.Events[i].Note = inputfile.Printable(st.Events[i].Note)
	}
	get := func(dst *[]float32, name string, shape ...int) {
		if err != nil {
			return
		}
		var v []float32
		if v, err = Get[float32](arrays, name, shape...); err == nil {
			*dst = v
		}
	}
	get(&st.Particles, "particles", meta.M, meta.D)
	get(&st.Targets, "target", meta.N, meta.D)
	get(&st.Initial, "initial", meta.M, meta.D)
	if err != nil {
		return nil, fmt.Errorf("snapshots: %s: %w", path, err)
	}
	names := meta.MethodArrays
	if names == nil { // format 1: GPA's arrays, ν in the metadata
		names = []string{"phi_params", "phi_power", "opt_state"}
		st.Method.F64 = []core.Named64{{Name: "nu", Data: meta.Nu}, {Name: "nu_projections", Data: []float64{float64(meta.NuProj)}}}
	}
	for _, name := range names {
		a, ok := arrays[name]
		if !ok || len(a.Shape) != 1 {
			return nil, bad("method array %q missing or not 1-D", name)
		}
		switch v := a.Data.(type) {
		case []float32:
			st.Method.F32 = append(st.Method.F32, core.Named32{Name: name, Data: v})
		case []float64:
			st.Method.F64 = append(st.Method.F64, core.Named64{Name: name, Data: v})
		default:
			return nil, bad("method array %q is %T, want float32 or float64", name, a.Data)
		}
	}
	cols := meta.MetricsColumns
	if len(cols) < 1 || cols[0] != "step" {
		return nil, bad("metrics columns %v: want \"step\" first", cols)
	}
	hist, err := Get[float64](arrays, "metrics", -1, len(cols))
	if err != nil {
		return nil, fmt.Errorf("snapshots: %s: %w", path, err)
	}
	st.History = core.History{Names: cols[1:], Rows: hist}
	if a, ok := arrays["images"]; ok && len(a.Shape) == 4 {
		st.ImageShape = [3]int{a.Shape[1], a.Shape[2], a.Shape[3]}
		st.Images, _ = a.Data.([]float32)
		if t, ok := arrays["target_images"]; ok {
			st.TargetImages, _ = t.Data.([]float32)
		}
		if l, err := Get[int64](arrays, "labels", meta.M); err == nil {
			st.Labels = fromInt64(l)
		}
		if l, err := Get[int64](arrays, "target_labels", meta.N); err == nil {
			st.TargetLabels = fromInt64(l)
		}
	}
	if err := st.Config.Validate(); err != nil {
		return nil, bad("configuration: %v", err)
	}
	return st, nil
}
