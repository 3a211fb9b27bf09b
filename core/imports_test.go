package core

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection enforces the one-way import graph: engine packages
// never import the TUI or any charm.land module, and lipnet and conj import
// neither each other nor anything above them.
func TestImportDirection(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not on PATH")
	}
	deps := func(pkgs ...string) []string {
		out, err := exec.Command("go", append([]string{"list", "-deps"}, pkgs...)...).Output()
		if err != nil {
			t.Fatalf("go list -deps %v: %v", pkgs, err)
		}
		return strings.Fields(string(out))
	}
	const mod = "github.com/gpa-tui/gpa-tui/"
	engine := []string{"../core/...", "../lipnet/...", "../conj/...", "../latent/...", "../snapshots/..."}
	for _, d := range deps(engine...) {
		if strings.HasPrefix(d, "charm.land/") || strings.HasPrefix(d, "github.com/charmbracelet/") || d == mod+"tui" || strings.HasPrefix(d, mod+"tui/") {
			t.Errorf("an engine package depends on %s", d)
		}
		if d == mod+"presets" || d == mod+"cmd/gpa-tui" {
			t.Errorf("an engine package depends on %s (imports flow cmd → tui → presets → core)", d)
		}
	}
	for _, leaf := range []string{"../lipnet/...", "../conj/..."} {
		for _, d := range deps(leaf) {
			if strings.HasPrefix(d, mod) && !strings.HasPrefix(d, mod+strings.TrimPrefix(strings.TrimSuffix(leaf, "/..."), "../")) {
				t.Errorf("%s depends on %s; lipnet and conj must import nothing of the project", leaf, d)
			}
		}
	}
	for _, d := range deps("../latent/...") {
		if strings.HasPrefix(d, mod) && !strings.HasPrefix(d, mod+"latent") && !strings.HasPrefix(d, mod+"lipnet") {
			t.Errorf("latent depends on %s; latent may import only lipnet", d)
		}
	}
}
