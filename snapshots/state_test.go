package snapshots

import (
	"errors"
	"math"
	"math/rand/v2"
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
		Divergence:    core.DivergenceConfig{F: "kl", Formulation: "nu"},
		Discriminator: core.DiscriminatorConfig{Hidden: []int{16, 16}, Activation: "relu", Lipschitz: core.Lipschitz(math.Inf(1)), Normalization: "none"},
		Train:         core.TrainConfig{Optimizer: "adam", LR: 0.002, InnerSteps: 3},
		Flow:          core.FlowConfig{Dt: 0.1, Steps: 100, Solver: "heun", MetricsEvery: 4},
	}
}

// testProblem is 60 targets around (0,0) and (4,4) and 40 particles around
// (4,0).
func testProblem() *core.Problem {
	rng := rand.New(rand.NewPCG(3, 1))
	x, y := make([]float32, 120), make([]float32, 80)
	for i := range 60 {
		c := float32(4 * (i % 2))
		x[2*i], x[2*i+1] = c+0.5*float32(rng.NormFloat64()), c+0.5*float32(rng.NormFloat64())
	}
	for i := range 40 {
		y[2*i], y[2*i+1] = 4+0.5*float32(rng.NormFloat64()), 0.5*float32(rng.NormFloat64())
	}
	return &core.Problem{X: x, N: 60, Y: y, M: 40, D: 2, Spec: []byte(`{"target":{"kind":"test"}}`)}
}

func newSim(t testing.TB) *core.Sim {
	t.Helper()
	s, err := core.New(testConfig(), testProblem())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// historyEqual compares histories bit for bit (NaN marks metrics not
// measured).
func historyEqual(a, b *core.History) bool {
	return slices.Equal(a.Names, b.Names) &&
		slices.EqualFunc(a.Rows, b.Rows, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}

func bitsEqual(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestResumeBitExact: save at step 7, load, continue to 20; the particles and
// metrics equal those of an uninterrupted run to 20.
func TestResumeBitExact(t *testing.T) {
	full, half := newSim(t), newSim(t)
	half.Advance(7)
	full.Advance(7)
	for _, s := range []*core.Sim{full, half} {
		if err := s.Set("lipschitz", 2); err != nil {
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
	if !strings.Contains(string(st.Spec), `"target":{"kind":"test"}`) || !strings.Contains(string(st.Spec), `"lipschitz":2`) {
		t.Errorf("saved run description %s lost the problem's or the engine's part", st.Spec)
	}
	r, err := core.Restore(st, testProblem())
	if err != nil {
		t.Fatal(err)
	}
	r.Advance(13)
	if !bitsEqual(full.Particles(), r.Particles()) {
		t.Error("resumed particles differ from the uninterrupted run")
	}
	if !historyEqual(full.History(), r.History()) {
		t.Error("resumed metrics differ from the uninterrupted run")
	}
	if !slices.Equal(full.Events(), r.Events()) {
		t.Errorf("events %v, want %v", r.Events(), full.Events())
	}
}

func TestLoadBadFiles(t *testing.T) {
	dir := t.TempDir()
	s := newSim(t)
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

// TestLoadFormat1 reads a snapshot written by format 1 (before methods had
// named state: ν in the metadata, fixed metric columns), written by the
// earlier build at step 12 of a small four-well run and again at step 17;
// resuming the first for 5 steps gives the second bit for bit.
func TestLoadFormat1(t *testing.T) {
	st, err := Load(filepath.Join("testdata", "format1.npz"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := Load(filepath.Join("testdata", "format1-step17.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Step != 12 || st.Config.Flow.Dt != 0.5 || len(st.Events) != 1 || st.History.Len() != 12 {
		t.Fatalf("step %d, dt %v, events %v, %d history rows", st.Step, st.Config.Flow.Dt, st.Events, st.History.Len())
	}
	if !strings.Contains(string(st.Spec), `"target"`) {
		t.Errorf("the run description lost its data sections: %s", st.Spec)
	}
	p := &core.Problem{X: st.Targets, N: st.N, Y: st.Initial, M: st.M, D: st.D}
	r, err := core.Restore(st, p)
	if err != nil {
		t.Fatal(err)
	}
	r.Advance(5)
	if !bitsEqual(r.Particles(), want.Particles) {
		t.Error("format-1 snapshot resumed to different particles")
	}
	last, _ := r.History().Last()
	wantLast := want.History.At(want.History.Len() - 1)
	for _, name := range []string{"divergence", "kinetic_energy", "max_speed"} {
		a, _ := last.Get(name)
		b, _ := wantLast.Get(name)
		if math.Float64bits(a) != math.Float64bits(b) {
			t.Errorf("%s at step 17: %v, want %v", name, a, b)
		}
	}
}
