package sweep

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/experiments"
)

func TestParseGrid(t *testing.T) {
	for _, tc := range []struct {
		in   string
		key  string
		vals []string
		bad  bool
	}{
		{in: "discriminator.lipschitz=1,10,inf", key: "discriminator.lipschitz", vals: []string{"1", "10", "inf"}},
		{in: "discriminator.hidden=[32,32],[64, 64]", key: "discriminator.hidden", vals: []string{"[32,32]", "[64, 64]"}},
		{in: " divergence.f = kl, alpha:2 ", key: "divergence.f", vals: []string{"kl", "alpha:2"}},
		{in: "flow.dt", bad: true}, {in: "flow.dt=", bad: true}, {in: "flow.dt=1,,2", bad: true}, {in: "x=[1,2", bad: true},
	} {
		a, err := ParseGrid(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("%q: no error", tc.in)
			}
			continue
		}
		if err != nil || a.Key != tc.key || !slices.Equal(a.Values, tc.vals) {
			t.Errorf("%q: %+v %v, want %s %v", tc.in, a, err, tc.key, tc.vals)
		}
	}
	if s, err := ParseSeeds("1-3,7"); err != nil || !slices.Equal(s, []string{"1", "2", "3", "7"}) {
		t.Errorf("seeds 1-3,7: %v %v", s, err)
	}
	for _, bad := range []string{"-1", "3-1", "x", "0-99999"} {
		if _, err := ParseSeeds(bad); err == nil {
			t.Errorf("seeds %q: no error", bad)
		}
	}
}

// TestCreate: the tasks are all combinations (the last axis fastest), each
// with its resolved preset; a bad value fails before anything is written,
// naming the task; the [slurm] section and the flags reach the script.
func TestCreate(t *testing.T) {
	root := t.TempDir()
	preset := filepath.Join(root, "p.toml")
	os.WriteFile(preset, []byte(`name = "p"
[target]
kind = "gaussian"
n = 16
dim = 2
std = 1.0
[prior]
kind = "gaussian"
n = 16
dim = 2
mean = [3.0, 3.0]
std = 1.0
[slurm]
time = "1:00:00"
mem = "2G"
partition = "short"
`), 0o644)
	dir := filepath.Join(root, "sw")
	m, err := Create(dir, Spec{Preset: preset, Grid: []string{"flow.dt=0.5,1"}, Seeds: "1-3", Steps: 10, Binary: "/opt/gpa-tui",
		Slurm: experiments.SlurmConfig{Partition: "long", MaxParallel: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Tasks) != 6 || m.Label(m.Tasks[4]) != "dt=1 seed=2" || m.Tasks[4].Dir != filepath.Join("tasks", "004-dt=1-seed=2") {
		t.Fatalf("tasks: %+v", m.Tasks)
	}
	text, _ := os.ReadFile(filepath.Join(dir, m.Tasks[4].Dir, TaskPreset))
	if !strings.Contains(string(text), "dt = 1.0") || !strings.Contains(string(text), "seed = 2") {
		t.Errorf("task 4's preset:\n%s", text)
	}
	script := Script(dir, m)
	for _, want := range []string{"--array=0-5%2", "--time=1:00:00", "--mem=2G", "--partition=long", "'/opt/gpa-tui' task"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q:\n%s", want, script)
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, ScriptFile)); st.Mode().Perm()&0o100 == 0 {
		t.Error("the script is not executable")
	}
	loaded, err := Load(dir)
	if err != nil || len(loaded.Tasks) != 6 || loaded.Binary != "/opt/gpa-tui" {
		t.Errorf("Load: %v %+v", err, loaded)
	}

	bad := filepath.Join(root, "bad")
	_, err = Create(bad, Spec{Preset: preset, Grid: []string{"flow.dt=0.5,-1"}, Binary: "/x"})
	if err == nil || !strings.Contains(err.Error(), "task 1 (dt=-1)") || !strings.Contains(err.Error(), "flow.dt") {
		t.Errorf("a bad value: %v", err)
	}
	if _, err := os.Stat(bad); !os.IsNotExist(err) {
		t.Error("a failed sweep wrote its folder")
	}
	if _, err := Create(bad, Spec{Preset: preset, Grid: []string{"flow.dt=1"}, Binary: "/x", Slurm: experiments.SlurmConfig{Time: "1:00; rm -rf ~"}}); err == nil {
		t.Error("a shell word in slurm.time was accepted")
	}
	if _, err := Create(dir, Spec{Preset: preset, Grid: []string{"flow.dt=1"}, Binary: "/x"}); err == nil || !strings.Contains(err.Error(), "--continue") {
		t.Errorf("a sweep into a used folder: %v", err)
	}
}
