package snapshots

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/gpa-tui/gpa-tui/core"
)

// stateMeta is the JSON metadata of a run snapshot; the arrays hold the
// numbers. Field names are part of the format (FormatVersion).
// The "metrics" array has one row per step and the columns MetricsColumns
// (NaN where a metric was not computed).
type stateMeta struct {
	Kind      string       `json:"kind"` // "gpa-run"
	Preset    string       `json:"preset"`
	Step      int          `json:"step"`
	M         int          `json:"m"`
	N         int          `json:"n"`
	D         int          `json:"d"`
	Nu        []float64    `json:"nu"`
	NuProj    int          `json:"nu_projections"`
	Optimizer string       `json:"optimizer"`
	Config    core.Config  `json:"config"`
	Events    []core.Event `json:"events"`
	// MetricsColumns names the columns of the "metrics" array.
	MetricsColumns []string `json:"metrics_columns"`
	// RNG: the engine draws random numbers only while sampling the data
	// and initialising φ (from config.seed); a step uses none, so the data
	// arrays and φ's parameters are the complete random state.
	RNG string `json:"rng"`
}

const runKind = "gpa-run"

var metricsColumns = []string{"step", "divergence", "kinetic_energy", "max_speed", "mean_speed", "mmd2",
	"accuracy", "frechet", "memorized", "copies"}

// Save writes the state of a run to path atomically as an .npz that
// numpy.load opens: float32 particles (M×d), target (N×d), initial (M×d),
// phi_params, phi_power, opt_state; float64 metrics (steps×6, mmd2 NaN where
// not computed); the configuration, events and ν in meta.json.
func Save(path string, st *core.State) error {
	meta := stateMeta{
		Kind: runKind, Preset: st.Config.Name, Step: st.Step, M: st.M, N: st.N, D: st.D,
		Nu: st.Nu, NuProj: st.NuProj, Optimizer: st.Config.Train.Optimizer, Config: st.Config,
		Events: st.Events, MetricsColumns: metricsColumns,
		RNG: "none after initialisation (see config.seed)",
	}
	if meta.Events == nil {
		meta.Events = []core.Event{}
	}
	mb, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	k := len(metricsColumns)
	hist := make([]float64, len(st.History)*k)
	for i, h := range st.History {
		nan := math.NaN()
		mmd, acc, fd, mem, cp := nan, nan, nan, nan, nan
		if h.HasMMD {
			mmd = h.MMD2
		}
		if h.HasImage {
			acc, fd, mem, cp = h.Accuracy, h.Frechet, h.Memorized, h.Copies
		}
		copy(hist[i*k:], []float64{float64(h.Step), h.Divergence, h.KineticEnergy, h.MaxSpeed, h.MeanSpeed, mmd, acc, fd, mem, cp})
	}
	arrays := []Array{
		{Name: "particles", Shape: []int{st.M, st.D}, Data: st.Particles},
		{Name: "target", Shape: []int{st.N, st.D}, Data: st.Targets},
		{Name: "initial", Shape: []int{st.M, st.D}, Data: st.Initial},
		{Name: "phi_params", Shape: []int{len(st.Params)}, Data: orEmpty(st.Params)},
		{Name: "phi_power", Shape: []int{len(st.Power)}, Data: orEmpty(st.Power)},
		{Name: "opt_state", Shape: []int{len(st.OptState)}, Data: orEmpty(st.OptState)},
		{Name: "metrics", Shape: []int{len(st.History), k}, Data: hist},
	}
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
	return WriteFile(path, mb, arrays)
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

func orEmpty(x []float32) []float32 {
	if x == nil {
		return []float32{}
	}
	return x
}

// Load reads a run snapshot written by Save. Every error names path.
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
	st := &core.State{
		Config: meta.Config, Step: meta.Step, M: meta.M, N: meta.N, D: meta.D,
		Nu: meta.Nu, NuProj: meta.NuProj, Events: meta.Events,
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
	get(&st.Params, "phi_params", -1)
	get(&st.Power, "phi_power", -1)
	get(&st.OptState, "opt_state", -1)
	if err != nil {
		return nil, fmt.Errorf("snapshots: %s: %w", path, err)
	}
	k := len(metricsColumns)
	hist, err := Get[float64](arrays, "metrics", -1, k)
	if err != nil {
		return nil, fmt.Errorf("snapshots: %s: %w", path, err)
	}
	st.History = make([]core.Metrics, len(hist)/k)
	for i := range st.History {
		r := hist[i*k : i*k+k]
		st.History[i] = core.Metrics{Step: int(r[0]), Divergence: r[1], KineticEnergy: r[2], MaxSpeed: r[3], MeanSpeed: r[4]}
		if !math.IsNaN(r[5]) {
			st.History[i].MMD2, st.History[i].HasMMD = r[5], true
		}
		if !math.IsNaN(r[8]) { // memorization is measured in every image run
			h := &st.History[i]
			h.Accuracy, h.Frechet, h.Memorized, h.Copies, h.HasImage = r[6], r[7], r[8], r[9], true
		}
	}
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
