package core

import (
	"encoding/json"
	"math"

	"github.com/gpa-tui/gpa-tui/core/images"
)

// refRows test images form the reference of the classifier Fréchet distance.
const refRows = 2000

// imageMetrics measures image particles (decoded in a latent run) every
// flow.metrics_every steps:
//
//   - accuracy: the share of conditional particles that a classifier trained
//     on the training split assigns to their own class (does head c make a
//     c?); unconditional runs report NaN;
//   - frechet: the Fréchet distance |μ₁−μ₂|² + tr(Σ₁+Σ₂−2(Σ₁^½Σ₂Σ₁^½)^½)
//     between the classifier's 128-d penultimate features of the particles
//     and of refRows test images. This is a "classifier Fréchet distance":
//     the FID formula in a small MNIST classifier's feature space, not
//     Inception FID, and not comparable with the paper's Table 6;
//   - memorized: the share of particles closer to their nearest target than
//     the median nearest-neighbour distance among the targets (fresh samples
//     of the data score about 0.5, copies 1);
//   - copies: the share of particles whose nearest/second-nearest target
//     distance ratio is below 1/3 (near-copies of one target).
type imageMetrics struct {
	cl      *images.Classifier // nil: no classifier for this data set
	ref     *images.Moments
	memo    *images.Memorization
	decoded []float32
	feats   []float32
	preds   []int
}

func newImageMetrics(s *Sim, opts *Options) (*imageMetrics, error) {
	ip := s.prob.img
	dim := ip.h * ip.w * ip.c
	im := &imageMetrics{
		memo:    images.NewMemorization(ip.pixelX, s.n, dim),
		decoded: make([]float32, s.m*dim),
	}
	cl, err := classifierFor(ip.name, s.cfg.Target.Path, opts)
	if err != nil || cl == nil {
		return im, err
	}
	test, err := images.Load(ip.name, s.cfg.Target.Path, images.Test)
	if err != nil {
		return nil, err
	}
	rows := min(refRows, test.N)
	idx := make([]int, rows)
	for i := range idx {
		idx[i] = i
	}
	ref := test.Subset(idx).Float32()
	f := make([]float32, rows*cl.FeatureDim())
	cl.FeaturesTo(f, ref, rows)
	im.cl, im.ref = cl, images.NewMoments(f, rows, cl.FeatureDim())
	im.feats = make([]float32, s.m*cl.FeatureDim())
	im.preds = make([]int, s.m)
	return im, nil
}

func (im *imageMetrics) measure(s *Sim, mt *Metrics) {
	s.DecodedTo(im.decoded)
	images.ClipUnit(im.decoded) // the classifier and the metrics see valid pixels
	r := im.memo.Measure(im.decoded, s.m)
	mt.Memorized, mt.Copies = r.Share, r.RatioShare
	mt.Accuracy, mt.Frechet = math.NaN(), math.NaN()
	mt.HasImage = true
	if im.cl == nil {
		return
	}
	if labels := s.prob.labelsY; labels != nil {
		im.cl.Predict(im.preds, im.decoded, s.m)
		mt.Accuracy = images.Accuracy(im.preds, labels)
	}
	im.cl.FeaturesTo(im.feats, im.decoded, s.m)
	if fd, err := images.FrechetMoments(im.ref, images.NewMoments(im.feats, s.m, im.cl.FeatureDim())); err == nil {
		mt.Frechet = fd
	}
}

// MarshalJSON writes the metrics of one step: mmd2 when computed, and the
// image metrics when computed (NaN ones left out).
func (m Metrics) MarshalJSON() ([]byte, error) {
	out := map[string]any{
		"step": m.Step, "divergence": m.Divergence, "kinetic_energy": m.KineticEnergy,
		"max_speed": m.MaxSpeed, "mean_speed": m.MeanSpeed,
	}
	if m.HasMMD {
		out["mmd2"] = m.MMD2
	}
	if m.HasImage {
		for k, v := range map[string]float64{"accuracy": m.Accuracy, "frechet": m.Frechet, "memorized": m.Memorized, "copies": m.Copies} {
			if !math.IsNaN(v) {
				out[k] = v
			}
		}
	}
	return json.Marshal(out)
}
