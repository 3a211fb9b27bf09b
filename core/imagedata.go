package core

import (
	"fmt"
	"math/rand/v2"

	"github.com/gpa-tui/gpa-tui/core/images"
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
	DecoderLipschitz Lipschitz `toml:"decoder_lipschitz,omitempty" json:"decoder_lipschitz,omitempty"`
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

// Coder is a latent encoder/decoder pair: latent.PCA or latent.Autoencoder.
type Coder interface {
	EncodeTo(dst, x []float32, rows int)
	DecodeTo(dst, z []float32, rows int)
	Dims() (d, k int)
	// Lipschitz bounds the decoder's Lipschitz constant a_D (Theorem 5.1).
	Lipschitz() float64
}

// imageProblem is the pixel-space side of an image run.
type imageProblem struct {
	name    string    // "mnist", "fashion-mnist", "cifar10"
	h, w, c int       // image shape (channels last)
	classes []string  // class names, by label
	labelsX []int     // the class of every target
	pixelX  []float32 // N×(h·w·c) targets in [0, 1]
	coder   Coder     // nil: the flow runs in pixel space
	train   *images.Set
}

func prepareImages(cfg Config, opts *Options) (*problem, error) {
	t := cfg.Target
	split := images.Train
	if t.Split == "test" {
		split = images.Test
	}
	set, err := images.Load(t.Kind, t.Path, split)
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	sub, err := set.ClassSubset(t.PerClass, rand.New(rand.NewPCG(cfg.Seed, streamTarget)))
	if err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	x, n, dim := sub.Float32(), sub.N, sub.Dim()
	prior := cfg.Prior
	if prior.dim() == 0 {
		prior.Dim = dim
	}
	y, m, dp, err := prior.Sample(rand.NewPCG(cfg.Seed, streamPrior))
	if err != nil {
		return nil, fmt.Errorf("prior: %w", err)
	}
	if dp != dim {
		return nil, &FieldError{Key: "prior.dim", Msg: fmt.Sprintf("%d differs from the images' %d pixels", dp, dim)}
	}
	p := &problem{x: x, n: n, y: y, m: m, d: dim, k: 1,
		img: &imageProblem{name: t.Kind, h: sub.H, w: sub.W, c: sub.C, classes: sub.Classes, labelsX: sub.Labels, pixelX: x}}
	if cfg.Discriminator.Conditional {
		p.k = len(sub.Classes)
		p.labelsX = sub.Labels
		p.labelsY = images.ClassLabels(m, p.k)
	}
	if cfg.Latent == nil {
		return p, nil
	}
	if split != images.Train {
		if set, err = images.Load(t.Kind, t.Path, images.Train); err != nil {
			return nil, fmt.Errorf("latent: %w", err)
		}
	}
	coder, err := fitCoder(cfg, set, opts)
	if err != nil {
		return nil, fmt.Errorf("latent: %w", err)
	}
	_, k := coder.Dims()
	p.img.coder = coder
	p.x = make([]float32, n*k)
	coder.EncodeTo(p.x, x, n)
	p.y = make([]float32, m*k)
	coder.EncodeTo(p.y, y, m)
	p.d = k
	return p, nil
}

// fitCoder fits the latent encoder/decoder on the training split.
func fitCoder(cfg Config, train *images.Set, opts *Options) (Coder, error) {
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

// ImageShape is the shape of image particles (height, width, channels),
// or ok = false when the run is not on images.
func (s *Sim) ImageShape() (h, w, c int, ok bool) {
	if s.prob.img == nil {
		return 0, 0, 0, false
	}
	return s.prob.img.h, s.prob.img.w, s.prob.img.c, true
}

// Labels are the classes of the particles (conditional runs; nil otherwise)
// and of the targets (image runs).
func (s *Sim) Labels() (particles, targets []int) {
	if s.prob.img == nil {
		return nil, nil
	}
	return s.prob.labelsY, s.prob.img.labelsX
}

// ClassNames names the classes of an image run.
func (s *Sim) ClassNames() []string {
	if s.prob.img == nil {
		return nil
	}
	return s.prob.img.classes
}

// Coder is the latent encoder/decoder of a latent run, or nil.
func (s *Sim) Coder() Coder {
	if s.prob.img == nil {
		return nil
	}
	return s.prob.img.coder
}

// PixelTargets are the target images in pixel space (N×h·w·c), or nil.
func (s *Sim) PixelTargets() []float32 {
	if s.prob.img == nil {
		return nil
	}
	return s.prob.img.pixelX
}

// DecodedTo writes the particles as images (M×h·w·c, in [0, 1] for the
// display) into dst: decoded from the latent space D(Y) in a latent run,
// the particles themselves otherwise. It panics if the run is not on images.
func (s *Sim) DecodedTo(dst []float32) {
	ip := s.prob.img
	if ip == nil {
		panic("core: Sim.DecodedTo: not an image run")
	}
	if ip.coder != nil {
		ip.coder.DecodeTo(dst, s.y, s.m)
	} else {
		copy(dst, s.y)
	}
}
