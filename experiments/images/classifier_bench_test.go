package images

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkClassifierTrainStep times one Adam step of the default MNIST
// classifier on a batch of 128 and reports the implied time of an epoch
// over MNIST's 60,000 training images.
func BenchmarkClassifierTrainStep(b *testing.B) {
	const batch, d = 128, 784
	cfg, _ := DefaultClassifierConfig(d, 10).check()
	cl, err := newClassifier(cfg)
	if err != nil {
		b.Fatal(err)
	}
	tr := newClassifierTrainer(cl, batch)
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float32, batch*d), make([]int, batch)
	for i := range x {
		x[i] = rng.Float32()
	}
	for i := range y {
		y[i] = rng.IntN(10)
	}
	b.ReportAllocs()
	for b.Loop() {
		tr.step(x, y, batch)
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N*batch)*60000, "s/mnist-epoch")
}

// BenchmarkClassifierMetrics times Predict and FeaturesTo on 1,000 images,
// the per-evaluation cost of the image metrics.
func BenchmarkClassifierMetrics(b *testing.B) {
	const rows, d = 1000, 784
	cfg, _ := DefaultClassifierConfig(d, 10).check()
	cl, err := newClassifier(cfg)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, rows*d)
	for i := range x {
		x[i] = rng.Float32()
	}
	pred := make([]int, rows)
	f := make([]float32, rows*cl.FeatureDim())
	b.ReportAllocs()
	for b.Loop() {
		cl.Predict(pred, x, rows)
		cl.FeaturesTo(f, x, rows)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "images/s")
}
