package presets

import (
	"github.com/gpa-tui/gpa-tui/experiments"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEmbeddedPresetsLoad(t *testing.T) {
	list := List()
	if len(list) < 12 {
		t.Fatalf("only %d embedded presets", len(list))
	}
	for _, p := range list {
		cfg, err := Load(p.Name, nil)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if cfg.Name != p.Name || cfg.Description == "" {
			t.Errorf("%s: name %q, description %q", p.Name, cfg.Name, cfg.Description)
		}
	}
	if _, err := Load(Default, nil); err != nil {
		t.Errorf("default preset: %v", err)
	}
}

// TestFormatRoundTrip: a resolved preset written by Format parses back to
// the same Config, including L = inf.
func TestFormatRoundTrip(t *testing.T) {
	for _, p := range List() {
		cfg, _ := Load(p.Name, nil)
		b, err := Format(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(b, "resolved")
		if err != nil {
			t.Fatalf("%s: resolved preset does not parse: %v\n%s", p.Name, err, b)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Errorf("%s: round trip changed the config:\n got %+v\nwant %+v", p.Name, got, cfg)
		}
	}
	cfg, _ := Load("four-well-Linf", nil)
	if !math.IsInf(float64(cfg.Discriminator.Lipschitz), 1) {
		t.Errorf("four-well-Linf: L = %v, want inf", cfg.Discriminator.Lipschitz)
	}
}

func TestStrictErrors(t *testing.T) {
	base, _, _ := Source(Default)
	for _, tc := range []struct {
		name, from, to string
		want           []string
	}{
		{"unknown key", "lr = 0.005", "lr = 0.005\nlearning_rate = 1", []string{`unknown key "train.learning_rate"`, "line 34"}},
		{"typo suggests", "inner_steps = 5", "inner_step = 5", []string{`"train.inner_step"`, `did you mean "train.inner_steps"`, "line 34"}},
		{"wrong type", "lr = 0.005", `lr = "fast"`, []string{"line 33", "lr"}},
		{"negative dt", "dt = 1.0", "dt = -1.0", []string{"line 37", "flow.dt", "want 0 < Δt"}},
		{"nan L", "lipschitz = 1", "lipschitz = nan", []string{"line 28", "discriminator.lipschitz", "> 0"}},
		{"bad f", `f = "kl"`, `f = "kld"`, []string{"line 22", "divergence.f", "kld"}},
		{"bad kind", `kind = "mixture"`, `kind = "mixtures"`, []string{"line 10", "target.kind", "gaussian"}},
		{"bad toml", "[flow]", "[flow", []string{"line 3", "table name"}}, // the parser reports the line after the open bracket
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(string(base), tc.from, tc.to, 1)
			if src == string(base) {
				t.Fatalf("%q not in the default preset", tc.from)
			}
			_, err := Parse([]byte(src), "x.toml")
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestSets(t *testing.T) {
	cfg, err := Load(Default, []string{"flow.dt=0.25", "divergence.f=alpha:2", "discriminator.hidden=[8, 8]", "discriminator.lipschitz=inf", "seed=9"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Flow.Dt != 0.25 || cfg.Divergence.F != "alpha:2" || !reflect.DeepEqual(cfg.Discriminator.Hidden, []int{8, 8}) ||
		!math.IsInf(float64(cfg.Discriminator.Lipschitz), 1) || cfg.Seed != 9 {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	for _, tc := range []struct{ set, want string }{
		{"flow.dtt=1", `--set flow.dtt: unknown key (did you mean "flow.dt"?)`},
		{"flow.dt=-1", "flow.dt: Δt = -1: want 0 < Δt"},
		{"nodot", "want section.key=value"},
		{"train.lr=abc", "train.lr"},
	} {
		_, err := Load(Default, []string{tc.set})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("--set %s: error %v, want %q", tc.set, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "line ") {
			t.Errorf("--set %s: error %q cites a line of the re-encoded preset", tc.set, err)
		}
	}
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	src, _, _ := Source(Default)
	path := filepath.Join(dir, "mine.toml")
	os.WriteFile(path, []byte(strings.Replace(string(src), `name = "four-well-L1"`, `name = "mine"`, 1)), 0o644)
	cfg, err := Load(path, nil)
	if err != nil || cfg.Name != "mine" {
		t.Errorf("Load(%s) = %v, %v", path, cfg.Name, err)
	}
	if got := ListDir(dir); len(got) != 1 || got[0].Name != "mine" {
		t.Errorf("ListDir = %+v", got)
	}
	if _, err := Load(filepath.Join(dir, "none.toml"), nil); err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load("nosuch", nil); err == nil || !strings.Contains(err.Error(), "four-well-L1") {
		t.Errorf("unknown preset should list the available ones: %v", err)
	}
}

// FuzzParse: Parse never panics, and whatever it accepts survives a
// Format/Parse round trip unchanged.
func FuzzParse(f *testing.F) {
	base, _, _ := Source(Default)
	f.Add(string(base))
	for _, v := range []string{"nan", "inf", "-0.0", "9223372036854775807", "1e308", "-inf", `"inf"`} {
		f.Add(strings.Replace(string(base), "dt = 1.0", "dt = "+v, 1))
		f.Add(strings.Replace(string(base), "lipschitz = 1", "lipschitz = "+v, 1))
		f.Add(strings.Replace(string(base), "n = 200", "n = "+v, 1))
	}
	f.Fuzz(func(t *testing.T, src string) {
		cfg, err := Parse([]byte(src), "fuzz")
		if err != nil {
			return
		}
		b, err := Format(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Parse(b, "resolved")
		if err != nil {
			t.Fatalf("resolved preset does not parse: %v\n%s", err, b)
		}
		if !reflect.DeepEqual(got, cfg) {
			t.Fatalf("round trip changed the config")
		}
	})
}

// TestEmptyPreset: a preset with no data sections names the missing kind
// (not "target.n: 0").
func TestEmptyPreset(t *testing.T) {
	_, err := Parse([]byte("name = \"empty\"\n"), "empty.toml")
	if err == nil || !strings.Contains(err.Error(), "target.kind: missing") {
		t.Errorf("empty preset: %v, want target.kind: missing", err)
	}
}

// TestPresetsFitMemory: every shipped preset's memory estimate fits 4 GiB,
// so none is refused on a laptop or a modest Slurm allocation.
func TestPresetsFitMemory(t *testing.T) {
	for _, p := range List() {
		cfg, err := Load(p.Name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if e := experiments.EstimateMemory(cfg); e.Total > 4<<30 {
			t.Errorf("%s: estimated %.3g GiB (largest: %s)", p.Name, e.Total/(1<<30), e.Biggest().Name)
		} else {
			t.Logf("%-20s %8.1f MiB (largest: %s)", p.Name, e.Total/(1<<20), e.Biggest().Name)
		}
	}
}
