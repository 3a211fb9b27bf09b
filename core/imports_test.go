package core

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection enforces the one-way import graph
//
//	cmd → tui → presets → experiments → core → {lipnet, conj}
//	latent → lipnet,  snapshots → {core, latent, npy},  experiments → {latent, npy}
//	npy → inputfile (leaves that read files safely)
//	runfolder → {snapshots, core, latent},  sweep → {runfolder, presets}
//
// Engine packages never import the TUI or any charm.land module; core knows
// no data set or experiment; lipnet and conj import nothing of the project.
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
	// allowed lists, for each package tree, the project packages it may
	// depend on (itself included).
	allowed := map[string][]string{
		"core":        {"core", "lipnet", "conj"},
		"lipnet":      {"lipnet"},
		"conj":        {"conj"},
		"latent":      {"latent", "lipnet", "atomicfile"},
		"atomicfile":  {"atomicfile"},
		"inputfile":   {"inputfile"},
		"npy":         {"npy", "inputfile"},
		"snapshots":   {"snapshots", "core", "latent", "lipnet", "conj", "npy", "inputfile", "atomicfile"},
		"experiments": {"experiments", "core", "latent", "lipnet", "conj", "npy", "inputfile", "atomicfile"},
		"presets":     {"presets", "experiments", "core", "latent", "lipnet", "conj", "npy", "inputfile", "atomicfile"},
		"runfolder":   {"runfolder", "snapshots", "core", "latent", "lipnet", "conj", "npy", "inputfile", "atomicfile"},
		"sweep":       {"sweep", "runfolder", "presets", "experiments", "snapshots", "core", "latent", "lipnet", "conj", "npy", "inputfile", "atomicfile"},
	}
	for tree, ok := range allowed {
		for _, d := range deps("../" + tree + "/...") {
			if strings.HasPrefix(d, "charm.land/") || strings.HasPrefix(d, "github.com/charmbracelet/") {
				t.Errorf("%s depends on %s: engine packages never import the TUI's libraries", tree, d)
			}
			if !strings.HasPrefix(d, mod) {
				continue
			}
			top := strings.SplitN(strings.TrimPrefix(d, mod), "/", 2)[0]
			found := false
			for _, a := range ok {
				found = found || top == a
			}
			if !found {
				t.Errorf("%s depends on %s; it may import only %v", tree, d, ok)
			}
		}
	}
}
