package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
)

// tinyMNIST is a conditional MNIST run in an 8-d PCA latent space, small
// enough for a test (shared with cmd/gpa-tui's tests).
const tinyMNIST = "../presets/testdata/tiny-mnist-pca.toml"

// realModel starts the model on the real engine with cfg at w×h, runs a
// few commands and pauses.
func realModel(t *testing.T, cfg experiments.Config, w, h int) (*model, *core.Sim) {
	t.Helper()
	d, _, err := setup(Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(d, loadReq{cfg: &cfg})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	cmd := feed(m, m.Init(), 1)
	sim, ok := m.eng.(*core.Sim)
	if !ok {
		t.Fatalf("engine is %T, want *core.Sim (status %q)", m.eng, m.status)
	}
	cmd = feed(m, cmd, 3)
	press(m, "space")
	if feed(m, cmd, 3) != nil {
		t.Fatal("busy after pause")
	}
	return m, sim
}

func TestRealImageRun(t *testing.T) {
	if testing.Short() {
		t.Skip("loads MNIST")
	}
	cfg, err := presets.Load(tinyMNIST, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, sim := realModel(t, cfg, 120, 40)
	if m.kind != kindImages || m.img == nil || m.img.latent != 8 || !m.img.conditional {
		t.Fatalf("kind %v, images %+v: want a conditional latent image run", m.kind, m.img)
	}
	if m.img.step != sim.StepCount() || len(m.img.particles) != 20*28*28 {
		t.Errorf("images of step %d (%d values) at step %d", m.img.step, len(m.img.particles), sim.StepCount())
	}
	// The copy is the engine's decoding of the current particles.
	want := make([]float32, 20*28*28)
	sim.DecodedTo(want)
	for i := range want {
		if want[i] != m.img.particles[i] {
			t.Fatalf("image value %d = %g, want %g", i, m.img.particles[i], want[i])
		}
	}
	s := screen(m)
	for _, w := range []string{"particles decoded from latent d=8", "targets", "0       1       2", "latent · PCA"} {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in\n%s", w, s)
		}
	}
	if !strings.ContainsAny(s, "▀▄█") {
		t.Errorf("no half blocks:\n%s", s)
	}
}

func TestRealGeneRun(t *testing.T) {
	cfg, err := presets.Load("gene-bladder-d10", nil)
	if err != nil {
		t.Fatal(err)
	}
	m, sim := realModel(t, cfg, 100, 30)
	if m.kind != kindTable || m.tableSrc == nil {
		t.Fatalf("kind %v: want a gene run", m.kind)
	}
	if !m.table.have || m.table.err != nil || m.table.step != sim.StepCount() {
		t.Fatalf("table at step %d (have %v, err %v), engine at %d", m.table.step, m.table.have, m.table.err, sim.StepCount())
	}
	methods := map[string]bool{}
	for _, r := range m.table.data.Rows {
		methods[r.Label] = true
	}
	for _, w := range []string{"before", "gpa", "combat", "mean-centering"} {
		if !methods[w] {
			t.Errorf("no %q row in %v", w, methods)
		}
	}
	s := screen(m)
	for _, w := range []string{"⣿ transported", "⣿ source", "gene space", "ComBat", "labels confounded"} {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in\n%s", w, s)
		}
	}
}
