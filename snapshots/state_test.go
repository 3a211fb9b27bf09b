package snapshots

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

func testConfig() core.Config {
	return core.Config{
		Name: "snap-test", Seed: 3,
		Target:        core.Dataset{Kind: "mixture", N: 60, Centers: [][]float64{{0, 0}, {4, 4}}, Std: 0.5},
		Prior:         core.Dataset{Kind: "gaussian", N: 40, Mean: []float64{4, 0}, Std: 0.5},
		Divergence:    core.DivergenceConfig{F: "kl", Formulation: "nu"},
		Discriminator: core.DiscriminatorConfig{Hidden: []int{16, 16}, Activation: "relu", Lipschitz: core.Lipschitz(math.Inf(1)), Normalization: "none"},
		Train:         core.TrainConfig{Optimizer: "adam", LR: 0.002, InnerSteps: 3},
		Flow:          core.FlowConfig{Dt: 0.1, Steps: 100, Solver: "heun", MetricsEvery: 4},
	}
}

func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestResumeBitExact: save at step 7, load, continue to 20; the particles and
// metrics equal those of an uninterrupted run to 20.
func TestResumeBitExact(t *testing.T) {
	cfg := testConfig()
	full, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	half, _ := core.New(cfg)
	half.Advance(7)
	full.Advance(7)
	for _, s := range []*core.Sim{full, half} {
		if err := s.Set(core.ParamLipschitz, 2); err != nil {
			t.Fatal(err)
		}
	}
	full.Advance(13)
	path := filepath.Join(t.TempDir(), "snap.npz")
	if err := Save(path, half.State()); err != nil {
		t.Fatal(err)
	}
	st, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Config.Discriminator.Lipschitz != 2 {
		t.Errorf("saved L = %v, want the mid-run value 2", st.Config.Discriminator.Lipschitz)
	}
	r, err := core.Restore(st)
	if err != nil {
		t.Fatal(err)
	}
	r.Advance(13)
	if !bitsEqual(full.Particles(), r.Particles()) {
		t.Error("resumed particles differ from the uninterrupted run")
	}
	if !slices.Equal(full.History(), r.History()) {
		t.Error("resumed metrics differ from the uninterrupted run")
	}
	if !slices.Equal(full.Events(), r.Events()) {
		t.Errorf("events %v, want %v", r.Events(), full.Events())
	}
}

func TestLoadBadFiles(t *testing.T) {
	dir := t.TempDir()
	s, _ := core.New(testConfig())
	s.Advance(2)
	good := filepath.Join(dir, "good.npz")
	if err := Save(good, s.State()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(good)
	foreign := filepath.Join(dir, "foreign.npz")
	if err := WriteFile(foreign, []byte(`{"kind":"something-else"}`), []Array{{Name: "x", Shape: []int{1}, Data: []float32{1}}}); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing-array.npz")
	if err := WriteFile(missing, []byte(`{"kind":"gpa-run","m":1,"n":1,"d":1}`), []Array{{Name: "particles", Shape: []int{1, 1}, Data: []float32{1}}}); err != nil {
		t.Fatal(err)
	}
	trunc := filepath.Join(dir, "trunc.npz")
	os.WriteFile(trunc, b[:len(b)/2], 0o644)
	for _, tc := range []struct {
		path string
		want error
	}{
		{foreign, ErrNotSnapshot},
		{missing, ErrCorrupt},
		{trunc, ErrCorrupt},
		{filepath.Join(dir, "nope.npz"), os.ErrNotExist},
	} {
		_, err := Load(tc.path)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), filepath.Base(tc.path)) {
			t.Errorf("Load(%s): %v, want %v naming the file", filepath.Base(tc.path), err, tc.want)
		}
	}
}
