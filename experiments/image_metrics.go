package experiments

import (
	"math"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments/images"
)

// refRows test images form the reference of the classifier Fréchet distance.
const refRows = 2000

// imageMetrics measures image particles (decoded in a latent run) on metric
// steps (flow.metrics_every):
//
//   - accuracy (conditional runs): the share of particles that a classifier
//     trained on the training split assigns to their own class (does head
//     c make a c?);
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
//
// Data sets without a classifier (CIFAR-10) get memorized and copies only.
type imageMetrics struct {
	dec     core.Decoder // nil: the particles are pixels
	m       int
	labels  []int // class of every particle; nil when unconditional
	cl      *images.Classifier
	ref     *images.Moments
	memo    *images.Memorization
	decoded []float32
	feats   []float32
	preds   []int
	infos   []core.MetricInfo

	// The held-out split (heldout.go): the classifier's feature moments of
	// the held-out images, or, without a classifier, MMD² to them.
	holdRef   *images.Moments
	holdMMD   *core.MMD
	criterion string // the held-out metric's name, "" without a split
}

var (
	accuracyInfo = core.MetricInfo{Name: "accuracy", Symbol: "accuracy", Rank: 31, Limit: 1, Better: core.Higher,
		Doc: "share of conditional particles the classifier assigns to their own class"}
	frechetInfo = core.MetricInfo{Name: "frechet", Symbol: "Fréchet", Scale: core.Log, Rank: 30, Better: core.Lower,
		Doc: "classifier Fréchet distance to 2,000 test images (not Inception FID)"}
	memorizedInfo = core.MetricInfo{Name: "memorized", Symbol: "memorized", Show: core.ShowText, Rank: 70, Share: true,
		Doc: "share of particles closer to a target than the targets' median nearest-neighbour distance"}
	copiesInfo = core.MetricInfo{Name: "copies", Symbol: "copies", Show: core.ShowText, Rank: 71, Share: true, Better: core.Lower,
		Doc: "share of particles with nearest/second-nearest target distance ratio < 1/3"}
	heldFrechetInfo = core.MetricInfo{Name: "heldout_frechet", Symbol: "held-out FD", Show: core.ShowText, Rank: 32, Better: core.Lower,
		Doc: "classifier Fréchet distance to the held-out images (target.holdout; never seen by the flow): the stopping criterion"}
	heldMMDInfo = core.MetricInfo{Name: "heldout_mmd2", Symbol: "held-out MMD²", Show: core.ShowText, Rank: 32, Better: core.Lower,
		Doc: "MMD² in pixel space to the held-out images (target.holdout; never seen by the flow): the stopping criterion"}
)

// newImageMetrics builds the observer of an image problem p (name is the
// data set, dir its folder; hold the held-out images, or nil).
func newImageMetrics(p *core.Problem, name, dir string, hold *images.Set, opts *Options) (*imageMetrics, error) {
	pixels := p.X
	if p.DataX != nil {
		pixels = p.DataX
	}
	dim := p.Images.H * p.Images.W * p.Images.C
	im := &imageMetrics{
		dec: p.Decoder, m: p.M, labels: p.Images.Labels,
		memo:    images.NewMemorization(pixels, p.N, dim),
		decoded: make([]float32, p.M*dim),
	}
	cl, err := classifierFor(name, dir, opts)
	if err != nil {
		return nil, err
	}
	if cl != nil {
		test, err := images.Load(name, dir, images.Test)
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
		im.feats = make([]float32, p.M*cl.FeatureDim())
		im.preds = make([]int, p.M)
		if im.labels != nil {
			im.infos = append(im.infos, accuracyInfo)
		}
		im.infos = append(im.infos, frechetInfo)
	}
	im.infos = append(im.infos, memorizedInfo, copiesInfo)
	if hold != nil {
		pix := hold.Float32()
		if cl != nil {
			f := make([]float32, hold.N*cl.FeatureDim())
			cl.FeaturesTo(f, pix, hold.N)
			im.holdRef = images.NewMoments(f, hold.N, cl.FeatureDim())
			im.infos = append(im.infos, heldFrechetInfo)
			im.criterion = heldFrechetInfo.Name
		} else {
			im.holdMMD = core.NewMMD(pix, hold.N, hold.Dim())
			im.infos = append(im.infos, heldMMDInfo)
			im.criterion = heldMMDInfo.Name
		}
	}
	return im, nil
}

func (im *imageMetrics) Metrics() []core.MetricInfo { return im.infos }

// Observe decodes the particles and measures them; it allocates (the
// Fréchet distance), which is why it runs on metric steps only.
func (im *imageMetrics) Observe(dst []float64, y []float32) {
	if im.dec != nil {
		im.dec.DecodeTo(im.decoded, y, im.m)
	} else {
		copy(im.decoded, y)
	}
	core.ClipUnit(im.decoded) // the classifier and the metrics see valid pixels
	i := 0
	var moments *images.Moments
	if im.cl != nil {
		if im.labels != nil {
			im.cl.Predict(im.preds, im.decoded, im.m)
			dst[i] = images.Accuracy(im.preds, im.labels)
			i++
		}
		im.cl.FeaturesTo(im.feats, im.decoded, im.m)
		moments = images.NewMoments(im.feats, im.m, im.cl.FeatureDim())
		dst[i] = math.NaN()
		if fd, err := images.FrechetMoments(im.ref, moments); err == nil {
			dst[i] = fd
		}
		i++
	}
	r := im.memo.Measure(im.decoded, im.m)
	dst[i], dst[i+1] = r.Share, r.RatioShare
	i += 2
	switch {
	case im.holdRef != nil:
		dst[i] = math.NaN()
		if fd, err := images.FrechetMoments(im.holdRef, moments); err == nil {
			dst[i] = fd
		}
	case im.holdMMD != nil:
		dst[i] = im.holdMMD.To(im.decoded, im.m)
	}
}
