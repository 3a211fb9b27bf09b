package images

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkFrechetDistance(b *testing.B) {
	for _, d := range []int{64, 128, 256} {
		b.Run(fmt.Sprintf("n=600/d=%d", d), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 600
			x, y := make([]float32, n*d), make([]float32, n*d)
			Gaussian.SampleTo(x, rng)
			Uniform.SampleTo(y, rng)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FrechetDistance(x, n, y, n, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// MNIST sizes: 600 particles against 200 or 2000 targets of 784 pixels,
// on real digits so that the distance pruning sees realistic data.
func BenchmarkMemorization(b *testing.B) {
	s, err := LoadMNIST("", Test)
	if err != nil {
		b.Skip(err)
	}
	const m = 600
	y := make([]float32, m*s.Dim())
	Uniform.SampleTo(y, rand.New(rand.NewPCG(1, 2)))
	for _, per := range []int{20, 200} {
		sub, _ := s.ClassSubset(per, rand.New(rand.NewPCG(3, 4)))
		x := sub.Float32()
		b.Run(fmt.Sprintf("New/N=%d", sub.N), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				NewMemorization(x, sub.N, sub.Dim())
			}
		})
		mz := NewMemorization(x, sub.N, sub.Dim())
		b.Run(fmt.Sprintf("Measure/M=%d/N=%d", m, sub.N), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mz.Measure(y, m)
			}
		})
		// Particles equal to targets: the early-exit bound bites hardest.
		b.Run(fmt.Sprintf("Measure/copies/N=%d", sub.N), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mz.Measure(x, sub.N)
			}
		})
	}
}

func BenchmarkLoadMNIST(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := LoadMNIST("", Test); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogisticSampleTo(b *testing.B) {
	y := make([]float32, 600*784)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		Logistic.SampleTo(y, rng)
	}
}

// The per-measurement cost once the targets' moments are fitted and
// their square root cached: fit the particles, one Mul, one EigenSym.
func BenchmarkFrechetMomentsCached(b *testing.B) {
	for _, d := range []int{64, 128, 256} {
		b.Run(fmt.Sprintf("n=600/d=%d", d), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			const n = 600
			x, y := make([]float32, n*d), make([]float32, n*d)
			Gaussian.SampleTo(x, rng)
			Uniform.SampleTo(y, rng)
			target := NewMoments(x, n, d)
			FrechetMoments(target, NewMoments(y, n, d))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := FrechetMoments(target, NewMoments(y, n, d)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
