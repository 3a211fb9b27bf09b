// Package presets holds the run presets shipped inside the binary (TOML
// files embedded with go:embed) and the strict loader shared by the CLI and
// the TUI. A preset is the TOML form of experiments.Config: the engine's
// sections (core.Config) and the data sections.
//
// Loading is strict: an unknown key is an error naming the key and its line,
// a value of the wrong type names the key and line, and an invalid value names
// the key and the allowed range.
package presets

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/inputfile"
)

//go:embed builtin/*.toml
var builtin embed.FS

// Default is the preset used when none is given.
const Default = "four-well-L1"

// Load resolves a preset by embedded name or file path, applies the
// "section.key=value" overrides in sets, and validates the result.
func Load(nameOrFile string, sets []string) (experiments.Config, error) {
	src, label, err := Source(nameOrFile)
	if err != nil {
		return experiments.Config{}, err
	}
	if len(sets) == 0 {
		return Parse(src, label)
	}
	// Errors in the file itself are reported with its line numbers first;
	// then the overrides, whose errors name the --set key.
	if _, err := parse(src, label, false); err != nil {
		return experiments.Config{}, err
	}
	if src, err = applySets(src, label, sets); err != nil {
		return experiments.Config{}, err
	}
	cfg, err := parse(src, label+" with --set", true)
	if err != nil {
		return experiments.Config{}, err
	}
	return cfg, nil
}

// Defaults are the values a preset may leave out.
func Defaults() experiments.Config {
	return experiments.Config{Config: core.Config{
		Seed:       1,
		Method:     core.MethodConfig{Kind: "gpa"},
		Divergence: core.DivergenceConfig{F: "kl", Formulation: "dv"},
		Discriminator: core.DiscriminatorConfig{
			Hidden: []int{32, 32, 32}, Activation: "relu", Lipschitz: 1, Normalization: "spectral",
		},
		Train: core.TrainConfig{Optimizer: "sgd", LR: 0.005, InnerSteps: 5},
		Flow:  core.FlowConfig{Dt: 1, Steps: 1000, Solver: "euler", MetricsEvery: 10},
	}}
}

// Parse decodes and validates a preset; label names it in errors.
func Parse(src []byte, label string) (experiments.Config, error) { return parse(src, label, false) }

// parse is Parse; with generated set, src was re-encoded after --set
// overrides and its line numbers mean nothing to the user.
func parse(src []byte, label string, generated bool) (experiments.Config, error) {
	f, err := parseFile(src, label, generated)
	return f.Config, err
}

// parseFile is parse, with the preset's metadata (figure, [compare]).
func parseFile(src []byte, label string, generated bool) (presetFile, error) {
	keyLine := keyLine
	if generated {
		keyLine = func([]byte, string) int { return 0 }
	}
	f := presetFile{Config: Defaults()}
	f.Discriminator.Hidden = nil // a preset's list replaces, never appends
	md, err := toml.NewDecoder(bytes.NewReader(src)).Decode(&f)
	cfg := &f.Config
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return presetFile{}, fmt.Errorf("presets: %s: line %d: %s", label, pe.Position.Line, pe.Message)
		}
		if generated {
			// "toml: line 35 (last key "train.lr"): …" cites the re-encoded text.
			return presetFile{}, fmt.Errorf("presets: %s: %s", label, tomlLine.ReplaceAllString(err.Error(), "--set $1: "))
		}
		return presetFile{}, fmt.Errorf("presets: %s: %w", label, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0].String()
		if line := keyLine(src, k); line > 0 {
			return presetFile{}, fmt.Errorf("presets: %s: line %d: unknown key %q%s", label, line, k, suggest(k))
		}
		return presetFile{}, fmt.Errorf("presets: %s: unknown key %q%s", label, k, suggest(k))
	}
	if !md.IsDefined("discriminator", "hidden") {
		cfg.Discriminator.Hidden = Defaults().Discriminator.Hidden
	}
	if cfg.Name == "" {
		cfg.Name = strings.TrimSuffix(filepath.Base(label), ".toml")
	}
	// The name and description are printed on terminals: no escape
	// sequences from a file reach them.
	cfg.Name, cfg.Description = inputfile.Printable(cfg.Name), inputfile.Printable(cfg.Description)
	if cfg.Genes != nil && cfg.Genes.Standardize == "" {
		cfg.Genes.Standardize = "pooled"
	}
	if err := cfg.Validate(); err != nil {
		var fe *core.FieldError
		if errors.As(err, &fe) {
			if line := keyLine(src, fe.Key); line > 0 {
				return presetFile{}, fmt.Errorf("presets: %s: line %d: %s: %s", label, line, fe.Key, fe.Msg)
			}
		}
		return presetFile{}, fmt.Errorf("presets: %s: %w", label, err)
	}
	if err := f.Compare.check(); err != nil {
		if line := keyLine(src, "compare.run"); line > 0 {
			return presetFile{}, fmt.Errorf("presets: %s: line %d: %w", label, line, err)
		}
		return presetFile{}, fmt.Errorf("presets: %s: %w", label, err)
	}
	return f, nil
}

// Format writes cfg as a resolved preset.
func Format(cfg experiments.Config) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# gpa-tui resolved preset\n")
	if err := toml.NewEncoder(&b).Encode(cfg); err != nil {
		return nil, fmt.Errorf("presets: %w", err)
	}
	return b.Bytes(), nil
}

var tomlLine = regexp.MustCompile(`toml: line \d+ \(last key "([^"]+)"\): `)

// keyLine finds the 1-based line where a dotted key ("train.lr") is set, or
// the line of its [section] for a section-level key; 0 if not found.
func keyLine(src []byte, key string) int {
	section, name := "", key
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		section, name = key[:i], key[i+1:]
	}
	cur, sectionLine := "", 0
	for i, line := range strings.Split(string(src), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") {
			cur = strings.Trim(t, "[] ")
			if cur == key {
				sectionLine = i + 1
			}
			continue
		}
		k, _, ok := strings.Cut(t, "=")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		if (cur == section && k == name) || (cur == "" && k == key) {
			return i + 1
		}
	}
	return sectionLine
}

// knownKeys are the keys of the preset format, for "did you mean" hints.
var knownKeys = []string{
	"name", "description", "seed",
	"divergence.f", "divergence.formulation",
	"discriminator.hidden", "discriminator.activation", "discriminator.lipschitz", "discriminator.normalization", "discriminator.conv", "discriminator.conditional",
	"train.optimizer", "train.lr", "train.inner_steps", "train.reset_adam",
	"flow.dt", "flow.steps", "flow.solver", "flow.metrics_every", "flow.mobility",
	"flow.estimate_every", "flow.estimate_iters", "flow.stop", "flow.patience", "flow.max_copies",
	"method.kind",
	"mmd-flow.sigma", "mmd-flow.noise", "kale.sigma", "kale.lambda", "kale.newton_iters", "svgd.bandwidth",
	"ncsn.levels", "ncsn.sigma_max", "ncsn.sigma_min", "ncsn.hidden", "ncsn.activation", "ncsn.lr", "ncsn.batch",
	"ncsn.train_updates", "ncsn.updates_per_step", "ncsn.steps_per_level", "ncsn.eps",
	"gan.latent", "gan.hidden", "gan.activation", "gan.lr", "gan.batch", "gan.penalty", "gan.output", "gan.betas",
	"figure", "compare.seeds", "compare.run", "label", "set",
	"latent.kind", "latent.dim", "latent.hidden", "latent.epochs", "latent.train_rows", "latent.decoder_lipschitz",
	"genes.data", "genes.sheet", "genes.batch_column", "genes.label_column", "genes.geo", "genes.label_key",
	"genes.source", "genes.target", "genes.dim", "genes.standardize", "genes.reconstruct", "genes.class_wise",
	"slurm.partition", "slurm.time", "slurm.mem", "slurm.cpus_per_task", "slurm.gres", "slurm.account", "slurm.qos",
	"slurm.constraint", "slurm.max_parallel", "slurm.signal_lead", "slurm.extra",
	"workbench.paused",
	"kind", "n", "dim", "mean", "std", "centers", "weights", "nu", "low", "high", "path", "per_class", "split", "holdout",
}

func suggest(key string) string {
	best, bestD := "", 3
	for _, k := range knownKeys {
		cand := k
		if !strings.Contains(k, ".") {
			if i := strings.LastIndexByte(key, '.'); i >= 0 {
				cand = key[:i+1] + k
			}
		}
		if d := editDistance(key, cand); d < bestD && cand != key {
			best, bestD = cand, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev = cur
	}
	return prev[len(b)]
}
