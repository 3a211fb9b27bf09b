package experiments

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments/images"
	"github.com/gpa-tui/gpa-tui/inputfile"
	"github.com/gpa-tui/gpa-tui/latent"
)

// Build checks cfg, prepares its problem and returns the run at step 0.
func Build(cfg Config, opts Options) (*core.Sim, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := CheckMemory(cfg); err != nil {
		return nil, err
	}
	p, err := Prepare(cfg, &opts)
	if err != nil {
		return nil, err
	}
	return core.New(cfg.Config, p)
}

// Prepare samples or loads the data cfg describes and builds the problem:
// targets, initial particles, heads, the latent decoder, the metrics and
// tables specific to the data, and a 2-D view for d > 2. cfg must be
// valid.
func Prepare(cfg Config, opts *Options) (*core.Problem, error) {
	var p *core.Problem
	var hold *images.Set
	var err error
	switch {
	case cfg.Genes != nil:
		p, err = prepareGenes(cfg.Genes)
	case isImageKind(cfg.Target.Kind):
		p, hold, err = prepareImages(cfg, opts)
	default:
		p, err = prepareSamples(cfg)
	}
	if err != nil {
		return nil, err
	}
	if p.Images != nil && cfg.Flow.MetricsEvery > 0 {
		im, err := newImageMetrics(p, cfg.Target.Kind, cfg.Target.Path, hold, opts)
		if err != nil {
			return nil, fmt.Errorf("image metrics: %w", err)
		}
		p.Observers = append(p.Observers, im)
		p.Criterion = im.criterion
		if im.criterion != "" {
			p.CopyShare = copiesInfo.Name
		}
	}
	if note := heavyTailNote(cfg); note != "" {
		p.Notes = append(p.Notes, note)
	}
	p.Projection = pcaView(p)
	for i, n := range p.Notes { // they quote labels and gene names from files
		p.Notes[i] = inputfile.Printable(n)
	}
	if p.Spec, err = json.Marshal(cfg); err != nil {
		return nil, err
	}
	return p, nil
}

// prepareSamples draws the target and prior sample sets (or reads a file).
func prepareSamples(cfg Config) (*core.Problem, error) {
	x, n, d, err := cfg.Target.Sample(rand.NewPCG(cfg.Seed, streamTarget))
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	prior := cfg.Prior
	if prior.dim() == 0 {
		prior.Dim = d
	}
	y, m, dp, err := prior.Sample(rand.NewPCG(cfg.Seed, streamPrior))
	if err != nil {
		return nil, fmt.Errorf("prior: %w", err)
	}
	if dp != d {
		return nil, fieldErr("prior", "dimension %d differs from the target's %d", dp, d)
	}
	p := &core.Problem{X: x, N: n, Y: y, M: m, D: d}
	p.Score, p.ScoreName = cfg.Target.Score()
	return p, nil
}

// pcaView is the plane of the targets' first two principal axes for d > 2,
// fitted on first use; nil for d ≤ 2 or fewer than two targets.
func pcaView(p *core.Problem) *core.Projection {
	if p.D <= 2 || p.N < 2 {
		return nil
	}
	to2D, lift := latent.PlaneView(p.X, p.N, p.D)
	return &core.Projection{Name: "PCA 1 vs 2 of targets", To2D: to2D, Lift: lift}
}

// Restore rebuilds a run from a snapshot's state: the problem is prepared
// again from the description in st.Spec (image and gene runs: the data set
// and its latent coder, checked against the saved targets) or made from the
// saved targets and initial particles (sample sets and files), and the
// method's state is restored.
func Restore(st *core.State, opts Options) (*core.Sim, error) {
	var cfg Config
	if len(st.Spec) > 0 {
		if err := json.Unmarshal(st.Spec, &cfg); err != nil {
			return nil, fmt.Errorf("experiments: Restore: the run description: %w", err)
		}
	}
	cfg.Config = st.Config // with the mid-run changes
	var p *core.Problem
	if cfg.Genes != nil || isImageKind(cfg.Target.Kind) {
		if err := cfg.usePaths(opts.Paths); err != nil {
			return nil, fmt.Errorf("experiments: Restore: %w", err)
		}
		if err := CheckMemory(cfg); err != nil {
			return nil, err
		}
		if err := cfg.Validate(); err != nil {
			return nil, fmt.Errorf("experiments: Restore: %w", err)
		}
		var err error
		if p, err = Prepare(cfg, &opts); err != nil {
			return nil, fmt.Errorf("experiments: Restore: %w", err)
		}
		if p.N != st.N || p.M != st.M || p.D != st.D || !slices.Equal(p.X, st.Targets) {
			return nil, fmt.Errorf("experiments: Restore: the data set (or its latent coder) no longer matches the snapshot")
		}
		p.Y = st.Initial
	} else {
		p = &core.Problem{X: st.Targets, N: st.N, Y: st.Initial, M: st.M, D: st.D, Spec: st.Spec}
		p.Score, p.ScoreName = cfg.Target.Score()
		if len(st.Targets) == st.N*st.D && st.N > 0 {
			p.Projection = pcaView(p)
		}
	}
	return core.Restore(st, p)
}

// Describe returns the complete run description of a run built by Build or
// Restore from its problem and its current engine configuration (mid-run
// changes included).
func Describe(p *core.Problem, engine core.Config) (Config, error) {
	var cfg Config
	if len(p.Spec) > 0 {
		if err := json.Unmarshal(p.Spec, &cfg); err != nil {
			return Config{}, fmt.Errorf("experiments: the run description: %w", err)
		}
	}
	cfg.Config = engine
	return cfg, nil
}

// PathKeys are the preset keys that name data files: on resume they are
// given again on the command line (Options.Paths) rather than read from
// the snapshot.
var PathKeys = []string{"target.path", "genes.data", "genes.sheet", "genes.geo"}

// SplitPathSets separates the "key=value" overrides of a resume into the
// data paths (PathKeys, for Options.Paths) and the rest.
func SplitPathSets(sets []string) (paths map[string]string, rest []string) {
	for _, s := range sets {
		k, v, ok := strings.Cut(s, "=")
		if k = strings.TrimSpace(k); ok && slices.Contains(PathKeys, k) {
			if paths == nil {
				paths = map[string]string{}
			}
			paths[k] = strings.Trim(strings.TrimSpace(v), `"`)
			continue
		}
		rest = append(rest, s)
	}
	return paths, rest
}

// usePaths replaces the file paths of a run description read from a
// snapshot by those the user gave again (paths, by preset key), and refuses
// any other: a path stored in a snapshot is never opened on resume unless
// the user names it (a snapshot from someone else could point at a FIFO, a
// device or a file the user did not mean to read). Sample files need no
// path: their rows are in the snapshot.
func (c *Config) usePaths(paths map[string]string) error {
	fields := []struct {
		key string
		ptr *string
	}{{"target.path", &c.Target.Path}}
	if g := c.Genes; g != nil {
		if g.Data != "bladderbatch" {
			fields = append(fields, struct {
				key string
				ptr *string
			}{"genes.data", &g.Data})
		}
		fields = append(fields, struct {
			key string
			ptr *string
		}{"genes.sheet", &g.Sheet})
		if len(g.GEO) > 0 {
			joined := strings.Join(g.GEO, ",")
			if v, ok := paths["genes.geo"]; ok {
				g.GEO = strings.Split(v, ",")
			} else {
				return fmt.Errorf("the run reads genes.geo = %s; a resume opens files only when you give them again: --set genes.geo=%s", joined, joined)
			}
		}
	}
	for _, f := range fields {
		if *f.ptr == "" {
			continue
		}
		v, ok := paths[f.key]
		if !ok {
			return fmt.Errorf("the run reads %s = %s; a resume opens files only when you give them again: --set %s=%s", f.key, *f.ptr, f.key, *f.ptr)
		}
		*f.ptr = v
	}
	return nil
}
