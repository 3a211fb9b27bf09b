package presets

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/experiments"
)

// presetFile is the TOML form of a preset: the run description, and
// metadata for the tools that the engine never reads — the paper figure it
// belongs to (the workbench's picker groups by it) and a comparison.
type presetFile struct {
	experiments.Config
	// Figure names the paper's figure or table the preset reproduces
	// ("Fig. 5"); presets without one are listed last.
	Figure string `toml:"figure"`
	// Compare lists the runs of `gpa-tui compare` on this preset's data.
	Compare *Compare `toml:"compare"`
}

// Compare is a preset's [compare] section. A comparison preset is an
// ordinary preset (its own run is what `gpa-tui run` and the workbench
// open) plus a list of runs, each the preset with some keys overridden in
// the --set syntax — usually method.kind and that method's section. Every
// run is made for every seed:
//
//	[compare]
//	seeds = [1, 2, 3]          # default: the preset's seed
//
//	[[compare.run]]
//	label = "GPA L=1"          # the preset itself
//
//	[[compare.run]]
//	label = "KALE"
//	set = ["method.kind=kale", "flow.dt=0.001"]
type Compare struct {
	Seeds []int64      `toml:"seeds"`
	Runs  []CompareRun `toml:"run"`
}

// CompareRun is one column of a comparison.
type CompareRun struct {
	Label string   `toml:"label"`
	Set   []string `toml:"set"`
}

func (f *presetFile) info(name, desc, file string) Info {
	in := Info{Name: name, Description: desc, File: file, Figure: f.Figure}
	if f.Compare != nil {
		in.Compare = len(f.Compare.Runs)
	}
	return in
}

// check validates the section's shape; the runs' overrides are checked
// when they are resolved (LoadComparison).
func (c *Compare) check() error {
	if c == nil {
		return nil
	}
	if len(c.Runs) == 0 {
		return fmt.Errorf("compare: want at least one [[compare.run]] with a label")
	}
	var seen []string
	for i, r := range c.Runs {
		if strings.TrimSpace(r.Label) == "" {
			return fmt.Errorf("compare.run %d: want a label", i+1)
		}
		if slices.Contains(seen, r.Label) {
			return fmt.Errorf("compare.run %d: label %q used twice", i+1, r.Label)
		}
		seen = append(seen, r.Label)
	}
	for _, s := range c.Seeds {
		if s < 0 {
			return fmt.Errorf("compare.seeds: %d: want seeds ≥ 0", s)
		}
	}
	return nil
}

// Comparison is a resolved comparison: every run's configuration for every
// seed.
type Comparison struct {
	Name, Description, Figure string
	Seeds                     []uint64
	Runs                      []ComparisonRun
}

// ComparisonRun is one labelled run, with one configuration per seed (in
// the order of Comparison.Seeds).
type ComparisonRun struct {
	Label   string
	Set     []string
	Configs []experiments.Config
}

// LoadComparison resolves the [compare] section of a preset: sets (the
// command line's --set) apply to every run, before the run's own
// overrides. seeds, if not empty, replace the preset's. An error names the
// run. A preset without [compare] is one run, labelled by its method.
func LoadComparison(nameOrFile string, sets []string, seeds []uint64) (*Comparison, error) {
	src, label, err := Source(nameOrFile)
	if err != nil {
		return nil, err
	}
	f, err := parseFile(src, label, false)
	if err != nil {
		return nil, err
	}
	c := f.Compare
	if c == nil {
		c = &Compare{Runs: []CompareRun{{Label: f.Method.Kind}}}
	}
	out := &Comparison{Name: f.Name, Description: f.Description, Figure: f.Figure, Seeds: seeds}
	if len(out.Seeds) == 0 {
		for _, s := range c.Seeds {
			out.Seeds = append(out.Seeds, uint64(s))
		}
	}
	if len(out.Seeds) == 0 {
		out.Seeds = []uint64{f.Seed}
	}
	for _, r := range c.Runs {
		run := ComparisonRun{Label: r.Label, Set: r.Set}
		for _, seed := range out.Seeds {
			all := append(slices.Clone(sets), r.Set...)
			all = append(all, fmt.Sprintf("seed=%d", seed))
			cfg, err := Load(nameOrFile, all)
			if err != nil {
				return nil, fmt.Errorf("compare run %q: %w", r.Label, err)
			}
			run.Configs = append(run.Configs, cfg)
		}
		out.Runs = append(out.Runs, run)
	}
	return out, nil
}

// FigureOrder sorts figure names for display: "Fig. 1" < "Fig. 2" < … <
// "Fig. 10" < other names < "" (no figure).
func FigureOrder(a, b string) int {
	key := func(s string) (int, int, string) {
		if s == "" {
			return 2, 0, ""
		}
		var n int
		if _, err := fmt.Sscanf(s, "Fig. %d", &n); err == nil {
			return 0, n, s
		}
		return 1, 0, s
	}
	ga, na, sa := key(a)
	gb, nb, sb := key(b)
	switch {
	case ga != gb:
		return ga - gb
	case na != nb:
		return na - nb
	}
	return strings.Compare(sa, sb)
}
