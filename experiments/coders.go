package experiments

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/experiments/images"
	"github.com/gpa-tui/gpa-tui/latent"
)

// Options are the ways a caller observes slow preparation work (training an
// autoencoder or a classifier the first time; both are cached on disk).
type Options struct {
	// Progress reports training progress: what is being trained, the
	// epoch and the number of epochs. Nil stays silent.
	Progress func(what string, epoch, epochs int)
	// Warn receives problems that do not stop a run, such as a corrupted
	// cache file that is rebuilt. Nil drops them.
	Warn func(error)
	// NoCache trains without reading or writing the cache.
	NoCache bool
	// Paths are file paths the user gave (again) on resume, by preset key
	// ("genes.data", "genes.sheet", "genes.geo" comma-separated,
	// "target.path"): Restore opens the files of a snapshot's run only
	// through these.
	Paths map[string]string
}

func (o *Options) cache() *latent.Cache {
	if o.NoCache {
		return nil
	}
	c, err := latent.OpenCache()
	if err != nil {
		o.warn(err)
		return nil
	}
	c.Warn = o.warn
	return c
}

func (o *Options) warn(err error) {
	if o.Warn != nil {
		o.Warn(err)
	}
}

func (o *Options) progress(what string) func(epoch, epochs int, loss float64) {
	return func(epoch, epochs int, _ float64) {
		if o.Progress != nil {
			o.Progress(what, epoch, epochs)
		}
	}
}

// fitAutoencoder trains (or loads from the cache) the MLP autoencoder of a
// latent run on the training images.
func fitAutoencoder(cfg Config, train *images.Set, opts *Options) (latent.Codec, error) {
	l := cfg.Latent
	ac := latent.DefaultAEConfig(train.Dim(), l.Dim)
	if len(l.Hidden) > 0 {
		ac.Hidden = l.Hidden
	}
	if l.Epochs > 0 {
		ac.Epochs = l.Epochs
	}
	ac.DecoderLipschitz = float64(l.DecoderLipschitz)
	if ac.DecoderLipschitz == 0 {
		ac.DecoderLipschitz = latent.DefaultAEConfig(1, 1).DecoderLipschitz
	}
	ac.Seed = cfg.Seed
	x := train.Float32()
	key := ac.CacheKey(latent.DataID(train.Name, x, train.N, train.Dim()))
	ae, _, err := opts.cache().LoadOrTrain(key, func() (*latent.Autoencoder, error) {
		return latent.TrainAutoencoder(ac, x, train.N, opts.progress(fmt.Sprintf("autoencoder %d→%d", train.Dim(), l.Dim)))
	})
	return ae, err
}

// classifierFor trains (or loads from the cache) the classifier of the
// image metrics on the training split of data set name; nil, nil when the
// data set has none (CIFAR-10: an MLP on pixels is no meaningful judge).
func classifierFor(name, dir string, opts *Options) (*images.Classifier, error) {
	if name != "mnist" && name != "fashion-mnist" {
		return nil, nil
	}
	train, err := images.Load(name, dir, images.Train)
	if err != nil {
		return nil, err
	}
	x := train.Float32()
	cc := images.DefaultClassifierConfig(train.Dim(), len(train.Classes))
	key := cc.CacheKey(latent.DataID(train.Name, x, train.N, train.Dim()))
	cl, _, err := images.LoadOrTrainClassifier(opts.cache(), key, func() (*images.Classifier, error) {
		return images.TrainClassifier(cc, x, train.Labels, train.N, opts.progress("classifier for "+name))
	})
	return cl, err
}
