package presets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltinComparisons: every [compare] section resolves, each run is a
// valid configuration with the seed applied, and the figure is set.
func TestBuiltinComparisons(t *testing.T) {
	n := 0
	for _, p := range List() {
		if p.Compare == 0 {
			continue
		}
		n++
		c, err := LoadComparison(p.Name, nil, nil)
		if err != nil {
			t.Errorf("%s: %v", p.Name, err)
			continue
		}
		if c.Figure == "" || len(c.Runs) != p.Compare || len(c.Seeds) == 0 {
			t.Errorf("%s: figure %q, %d runs (list says %d), seeds %v", p.Name, c.Figure, len(c.Runs), p.Compare, c.Seeds)
		}
		for _, r := range c.Runs {
			for i, cfg := range r.Configs {
				if cfg.Seed != c.Seeds[i] {
					t.Errorf("%s/%s: seed %d, want %d", p.Name, r.Label, cfg.Seed, c.Seeds[i])
				}
			}
		}
	}
	if n < 5 {
		t.Errorf("%d comparison presets, want the paper's five (figs. 1 (200, 2000), 3, 5, 6)", n)
	}
	c, err := LoadComparison("fig5-four-wells", []string{"flow.steps=7"}, []uint64{4, 5})
	if err != nil {
		t.Fatal(err)
	}
	kale := c.Runs[3]
	if kale.Label != "KALE" || kale.Configs[1].Method.Kind != "kale" || kale.Configs[1].Seed != 5 || kale.Configs[1].Flow.Steps != 7 || kale.Configs[1].Flow.Dt != 0.001 {
		t.Errorf("KALE run: %+v", kale.Configs[1].Config)
	}
	// A preset without [compare] is one run of its own method.
	c, err = LoadComparison("four-well-L1", nil, nil)
	if err != nil || len(c.Runs) != 1 || c.Runs[0].Label != "gpa" {
		t.Errorf("four-well-L1 as a comparison: %+v, %v", c, err)
	}
}

// TestCompareErrors: a bad [compare] section is an error naming what is
// wrong, and a bad override names its run.
func TestCompareErrors(t *testing.T) {
	base, _, _ := Source(Default)
	for _, tc := range []struct {
		name, add string
		want      []string
	}{
		{"no label", "\n[[compare.run]]\nset = [\"flow.dt=0.5\"]\n", []string{"compare.run 1: want a label"}},
		{"twice", "\n[[compare.run]]\nlabel = \"a\"\n[[compare.run]]\nlabel = \"a\"\n", []string{`label "a" used twice`}},
		{"unknown key", "\n[compare]\nseed = [1]\n[[compare.run]]\nlabel = \"a\"\n", []string{`unknown key "compare.seed"`, `did you mean "compare.seeds"`}},
		{"no runs", "\n[compare]\nseeds = [1]\n", []string{"at least one [[compare.run]]"}},
		{"bad set", "\n[[compare.run]]\nlabel = \"KALE\"\nset = [\"method.kind=kale\", \"kale.lambda=-1\"]\n", []string{`compare run "KALE"`, "kale.lambda"}},
		{"bad kind", "\n[[compare.run]]\nlabel = \"x\"\nset = [\"method.kind=vae\"]\n", []string{`compare run "x"`, "method.kind", "wgan-gp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.toml")
			if err := os.WriteFile(path, append(append([]byte{}, base...), tc.add...), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := LoadComparison(path, nil, nil)
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

// TestFigureOrder: figures sort by number, other names after, none last.
func TestFigureOrder(t *testing.T) {
	in := []string{"", "Table 6", "Fig. 10", "Fig. 2", "Fig. 1"}
	want := []string{"Fig. 1", "Fig. 2", "Fig. 10", "Table 6", ""}
	for i := range in {
		for j := range in {
			a, b := want[i], want[j]
			if got := FigureOrder(a, b); (got < 0) != (i < j) || (got == 0) != (i == j) {
				t.Errorf("FigureOrder(%q, %q) = %d", a, b, got)
			}
		}
	}
}
