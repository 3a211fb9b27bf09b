package experiments

import (
	"fmt"
	"math/rand/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments/images"
	"github.com/gpa-tui/gpa-tui/latent"
)

// LatentConfig selects the latent space of Algorithm 2 (paper Section 5):
// targets and prior samples are encoded, the flow runs on the codes, and the
// particles are decoded for display and metrics.
type LatentConfig struct {
	// Kind is "pca" (a linear autoencoder, decoder Lipschitz constant 1) or
	// "autoencoder" (an MLP trained on the training split, cached on disk).
	Kind string `toml:"kind" json:"kind"`
	// Dim is the latent dimension d′.
	Dim int `toml:"dim" json:"dim"`
	// Hidden are the encoder's widths (the decoder mirrors them).
	Hidden []int `toml:"hidden,omitempty" json:"hidden,omitempty"`
	// Epochs of autoencoder training.
	Epochs int `toml:"epochs,omitempty" json:"epochs,omitempty"`
	// TrainRows images of the training split fit the coder (0 = all).
	TrainRows int `toml:"train_rows,omitempty" json:"train_rows,omitempty"`
	// DecoderLipschitz bounds each decoder layer like φ's ("inf": free).
	DecoderLipschitz core.Lipschitz `toml:"decoder_lipschitz,omitempty" json:"decoder_lipschitz,omitempty"`
}

func (l *LatentConfig) validate() error {
	switch l.Kind {
	case "pca", "autoencoder":
	default:
		return fieldErr("latent.kind", "%q: want \"pca\" or \"autoencoder\"", l.Kind)
	}
	if l.Dim < 1 || l.Dim > 4096 {
		return fieldErr("latent.dim", "%d: want 1 … 4096", l.Dim)
	}
	if l.Epochs < 0 || l.Epochs > 1000 {
		return fieldErr("latent.epochs", "%d: want 0 … 1000", l.Epochs)
	}
	if l.TrainRows < 0 {
		return fieldErr("latent.train_rows", "%d: want ≥ 0 (0 = the whole training split)", l.TrainRows)
	}
	for _, h := range l.Hidden {
		if h < 1 || h > 1<<14 {
			return fieldErr("latent.hidden", "width %d: want 1 … 16384", h)
		}
	}
	if L := float64(l.DecoderLipschitz); L < 0 || L != L {
		return fieldErr("latent.decoder_lipschitz", "%v: want > 0, \"inf\", or leave it out", L)
	}
	return nil
}

// prepareImages loads PerClass images of every class (the targets in
// pixel space), samples the prior, and, with [latent], fits the coder on
// the training split and encodes both (Algorithm 2, lines 1–3). With
// target.holdout it also returns the held-out images (heldout.go).
func prepareImages(cfg Config, opts *Options) (*core.Problem, *images.Set, error) {
	p, _, sub, err := prepareImageTargets(cfg, opts)
	if err != nil || cfg.Target.Holdout == 0 {
		return p, nil, err
	}
	pool, err := heldOutPool(cfg.Target)
	if err != nil {
		return nil, nil, err
	}
	hold, err := heldOut(pool, sub, cfg.Target.Holdout, rand.New(rand.NewPCG(cfg.Seed, streamHoldout)))
	return p, hold, err
}

// prepareImageTargets is prepareImages without the held-out split; it also
// returns the split the targets came from and the targets themselves.
func prepareImageTargets(cfg Config, opts *Options) (*core.Problem, *images.Set, *images.Set, error) {
	t := cfg.Target
	split := images.Train
	if t.Split == "test" {
		split = images.Test
	}
	set, err := images.Load(t.Kind, t.Path, split)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("target: %w", err)
	}
	sub, err := set.ClassSubset(t.PerClass, rand.New(rand.NewPCG(cfg.Seed, streamTarget)))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("target: %w", err)
	}
	x, n, dim := sub.Float32(), sub.N, sub.Dim()
	prior := cfg.Prior
	if prior.dim() == 0 {
		prior.Dim = dim
	}
	y, m, dp, err := prior.Sample(rand.NewPCG(cfg.Seed, streamPrior))
	if err != nil {
		return nil, nil, nil, fmt.Errorf("prior: %w", err)
	}
	if dp != dim {
		return nil, nil, nil, fieldErr("prior.dim", "%d differs from the images' %d pixels", dp, dim)
	}
	p := &core.Problem{X: x, N: n, Y: y, M: m, D: dim,
		Images: &core.Images{H: sub.H, W: sub.W, C: sub.C, Classes: sub.Classes, TargetLabels: sub.Labels}}
	if cfg.Discriminator.Conditional {
		p.Heads = len(sub.Classes)
		p.HeadX = sub.Labels
		p.HeadY = images.ClassLabels(m, p.Heads)
		p.Images.Labels = p.HeadY
	}
	if cfg.Latent == nil {
		return p, set, sub, nil
	}
	train := set
	if split != images.Train {
		if train, err = images.Load(t.Kind, t.Path, images.Train); err != nil {
			return nil, nil, nil, fmt.Errorf("latent: %w", err)
		}
	}
	coder, err := fitCoder(cfg, train, opts)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("latent: %w", err)
	}
	_, k := coder.Dims()
	p.Decoder = coder
	p.DataX, p.DataD = x, dim
	p.X = make([]float32, n*k)
	coder.EncodeTo(p.X, x, n)
	p.Y = make([]float32, m*k)
	coder.EncodeTo(p.Y, y, m)
	p.D = k
	return p, set, sub, nil
}

// fitCoder fits the latent encoder/decoder on the training split.
func fitCoder(cfg Config, train *images.Set, opts *Options) (latent.Codec, error) {
	l := cfg.Latent
	rows := train.N
	if l.TrainRows > 0 {
		rows = min(rows, l.TrainRows)
	}
	fit := train
	if rows < train.N {
		idx := make([]int, rows)
		for i := range idx {
			idx[i] = i
		}
		fit = train.Subset(idx)
	}
	switch l.Kind {
	case "pca":
		return latent.FitPCA32(fit.Float32(), fit.N, fit.Dim(), l.Dim, true)
	case "autoencoder":
		return fitAutoencoder(cfg, fit, opts)
	}
	return nil, fmt.Errorf("unknown latent kind %q", l.Kind)
}
