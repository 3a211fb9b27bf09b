package experiments

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/core"
)

// Config is a complete run description: the engine's configuration and
// the data it runs on. Its TOML form is the preset format (package
// presets); core.Config's sections sit at the top level.
type Config struct {
	core.Config
	Target Dataset       `toml:"target" json:"target"`
	Prior  Dataset       `toml:"prior" json:"prior"`
	Genes  *GenesConfig  `toml:"genes,omitempty" json:"genes,omitempty"`
	Latent *LatentConfig `toml:"latent,omitempty" json:"latent,omitempty"`
	Slurm  *SlurmConfig  `toml:"slurm,omitempty" json:"slurm,omitempty"` // batch resources (gpa-tui sweep)
	// Workbench holds hints for the workbench (the TUI); runs ignore it.
	Workbench *WorkbenchConfig `toml:"workbench,omitempty" json:"workbench,omitempty"`
}

// WorkbenchConfig is a preset's optional [workbench] section: how the
// workbench opens it. Headless runs ignore it.
type WorkbenchConfig struct {
	// Paused opens the run paused (and restarts it paused): for presets
	// expected to diverge at once (four-well-Linf, L = ∞), so that L can
	// be lowered before the first step.
	Paused bool `toml:"paused,omitempty" json:"paused,omitempty"`
}

// Streams of the seeded PCG generator, one per random quantity, so that
// changing one data set leaves the others unchanged (core uses stream 3 for
// the discriminator).
const (
	streamTarget = 1
	streamPrior  = 2
)

// Validate checks the engine's sections and the data sections, and that
// they fit together; the first error names its key.
func (c *Config) Validate() error {
	if c.Genes != nil || c.Target.Kind == "genes" || c.Prior.Kind == "genes" {
		if c.Genes == nil {
			return fieldErr("genes", "kind = \"genes\" needs a [genes] section")
		}
		if c.Target.Kind != "genes" || c.Prior.Kind != "genes" {
			return fieldErr("target.kind", "with [genes], [target] and [prior] have kind = \"genes\"")
		}
		if err := c.Genes.validate(); err != nil {
			return err
		}
	} else {
		if err := c.Target.validate("target"); err != nil {
			return err
		}
		if err := c.Prior.validate("prior"); err != nil {
			return err
		}
	}
	if err := c.Config.Validate(); err != nil {
		return err
	}
	if m, _ := core.LookupMethod(c.Method.Kind); m != nil && m.NeedsScore && !slices.Contains(scoreKinds, c.Target.Kind) {
		return fieldErr("method.kind", "%q samples a density known in closed form and needs its score ∇log q; target kind %q has none (closed forms: %s)",
			m.Kind, c.Target.Kind, strings.Join(scoreKinds, ", "))
	}
	if c.Latent != nil {
		if err := c.Latent.validate(); err != nil {
			return err
		}
		if !isImageKind(c.Target.Kind) {
			return fieldErr("latent", "a latent space needs an image target (mnist, fashion-mnist, cifar10); [genes] runs have their own PCA")
		}
		if c.Flow.Mobility == "bounded" {
			return fieldErr("flow.mobility", "\"bounded\" clips pixels to [0, 1]; it does not apply in a latent space")
		}
	}
	if c.Flow.Stop == "best-heldout" && (c.Target.Holdout == 0 || c.Flow.MetricsEvery == 0) {
		return fieldErr("flow.stop", "\"best-heldout\" needs a held-out split (target.holdout > 0, image targets) measured every flow.metrics_every > 0 steps")
	}
	if c.Slurm != nil {
		if err := c.Slurm.Validate(); err != nil {
			return err
		}
	}
	if c.Discriminator.Conditional && !isImageKind(c.Target.Kind) {
		return fieldErr("discriminator.conditional", "needs a labelled target (mnist, fashion-mnist, cifar10)")
	}
	if c.Target.Kind != "" && c.Prior.Kind != "" {
		if dt, dp := c.Target.dim(), c.Prior.dim(); dt > 0 && dp > 0 && dt != dp {
			return fieldErr("prior", "dimension %d differs from the target's %d", dp, dt)
		}
	}
	return nil
}

func fieldErr(key, format string, a ...any) error {
	return &core.FieldError{Key: key, Msg: fmt.Sprintf(format, a...)}
}

// positive reports whether x is a finite number > 0 (NaN fails).
func positive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }
