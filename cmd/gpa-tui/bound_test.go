package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// tinyLatent is a conditional MNIST run in an 8-d PCA space, small enough
// for a test (shared with the tui's tests).
const tinyLatent = "../../presets/testdata/tiny-mnist-pca.toml"

// A latent run ends with the two sides of Theorem 5.1 in bound.json, and
// says beforehand that it is estimating them (it takes minutes on real
// image runs); a signal during the estimate leaves the run's files and no
// bound.json.
func TestRunBound(t *testing.T) {
	if testing.Short() {
		t.Skip("trains discriminators")
	}
	t.Setenv("GPA_TUI_CACHE", t.TempDir())
	dir := t.TempDir()
	stdout, stderr, code := runCLI(t, "run", "--preset", tinyLatent, "--steps", "3", "--out", dir, "--bound-iters", "8", "--bound-seeds", "2", "--threads", "1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "estimating both sides of Theorem 5.1 (3 sides × 2 seeds × 2 optimizers × 10 discriminator updates") {
		t.Errorf("no announcement of the estimate on stderr:\n%s", stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "bound.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bound struct {
		Seeds int `json:"seeds"`
		Real  struct {
			Values []float64 `json:"values"`
		} `json:"real_space"`
	}
	if err := json.Unmarshal(b, &bound); err != nil || bound.Seeds != 2 || len(bound.Real.Values) != 2 {
		t.Errorf("bound.json: %v, %+v; want 2 seeds", err, bound)
	}
	if !strings.Contains(stdout, "Theorem 5.1 (2 seeds × 8 updates") {
		t.Errorf("stdout lacks the bound:\n%s", stdout)
	}

	// The same run's end, stopped at once.
	st, err := snapshots.Load(filepath.Join(dir, finalFile))
	if err != nil {
		t.Fatal(err)
	}
	sim, err := experiments.Restore(st, experiments.Options{})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var o, e bytes.Buffer
	if err := writeBound(out, sim, 8, 2, func() bool { return true }, &o, &e); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "bound.json")); err == nil || !strings.Contains(e.String(), "Theorem 5.1 estimate stopped, no bound.json") {
		t.Errorf("stopped estimate: bound.json exists (%v) or no message: %q", err == nil, e.String())
	}
}
