package latent

import (
	"fmt"
	"math"
	"testing"
)

// BenchmarkTrainStep times one Adam step of the MNIST architecture
// (784 → 256 → 128 → d′ and back) on a batch of 128 and reports the
// implied time of an epoch over MNIST's 60,000 training images.
func BenchmarkTrainStep(b *testing.B) {
	for _, lip := range []float64{math.Inf(1), 10} {
		b.Run(fmt.Sprintf("decoder-lipschitz=%v", lip), func(b *testing.B) {
			const batch, d = 128, 784
			cfg := DefaultAEConfig(d, 128)
			cfg.DecoderLipschitz = lip
			cfg, _ = cfg.check()
			ae, err := newAutoencoder(cfg)
			if err != nil {
				b.Fatal(err)
			}
			tr := newAETrainer(ae, batch)
			x := unitSlice(newRand(1), batch*d)
			b.ReportAllocs()
			for b.Loop() {
				tr.step(x, batch)
			}
			perImage := b.Elapsed().Seconds() / float64(b.N*batch)
			b.ReportMetric(perImage*60000, "s/mnist-epoch")
		})
	}
}

// BenchmarkEncodeDecode times E then D on 1,000 images (latent GPA decodes
// its particles for display and metrics).
func BenchmarkEncodeDecode(b *testing.B) {
	const rows, d, k = 1000, 784, 128
	cfg, _ := DefaultAEConfig(d, k).check()
	ae, err := newAutoencoder(cfg)
	if err != nil {
		b.Fatal(err)
	}
	x := unitSlice(newRand(1), rows*d)
	z := make([]float32, rows*k)
	y := make([]float32, rows*d)
	b.ReportAllocs()
	for b.Loop() {
		ae.EncodeTo(z, x, rows)
		ae.DecodeTo(y, z, rows)
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "images/s")
}
