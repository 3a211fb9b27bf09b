package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

// BenchmarkStep times one GPA particle step (Algorithm 1, lines 6–11) of
// the four-well workload the peers in shared/bench/peer_torch run: M = 500
// particles, N = 200 targets, d = 2, φ = 32-32-32 ReLU, T_NN = 5, spectral
// normalisation, SGD.
func BenchmarkStep(b *testing.B) {
	for _, solver := range []string{"euler", "heun"} {
		b.Run(solver, func(b *testing.B) {
			cfg := gpaConfig()
			cfg.Flow.Solver = solver
			cfg.Flow.MetricsEvery = 0
			cfg.Flow.Steps = 1 << 20
			p := fourWellProblem(1)
			// 500 particles uniform on [−10, 10]², as the peers.
			rng := rand.New(rand.NewPCG(2, 2))
			p.M, p.Y = 500, make([]float32, 500*2)
			for i := range p.Y {
				p.Y[i] = float32(-10 + 20*rng.Float64())
			}
			benchSteps(b, mustNew(b, cfg, p))
		})
	}
}

// BenchmarkStepLatentMNIST times one step of the peers' "mnist-latent"
// workload: d = 128, φ = 256-512-256, N = M = 200, T_NN = 5, spectral
// normalisation, SGD (the data values do not affect the time).
func BenchmarkStepLatentMNIST(b *testing.B) {
	cfg := gpaConfig()
	cfg.Discriminator.Hidden = []int{256, 512, 256}
	cfg.Train.LR = 0.001
	cfg.Flow.Dt = 0.5
	cfg.Flow.MetricsEvery = 0
	cfg.Flow.Steps = 1 << 20
	const n, m, d = 200, 200, 128
	rng := rand.New(rand.NewPCG(3, 3))
	x, y := make([]float32, n*d), make([]float32, m*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	for i := range y {
		u := rng.Float64()
		y[i] = float32(math.Log(u / (1 - u))) // Logistic(0, 1)
	}
	benchSteps(b, mustNew(b, cfg, &Problem{X: x, N: n, Y: y, M: m, D: d}))
}

// benchImages builds a conditional image-shaped problem (10 classes, M = 600
// particles, N = 200 targets) of dimension d without loading data: step
// times do not depend on the values.
func benchImages(b *testing.B, d int, img *Images, cfg Config) *Sim {
	const k, m, n = 10, 600, 200
	x, y := make([]float32, n*d), make([]float32, m*d)
	for i := range x {
		x[i] = float32(i%7) / 7
	}
	for i := range y {
		y[i] = float32(i%5) / 5
	}
	ly, lx := make([]int, m), make([]int, n)
	for i := range ly {
		ly[i] = i * k / m
	}
	for j := range lx {
		lx[j] = j * k / n
	}
	cfg.Flow.MetricsEvery = 0
	cfg.Flow.Steps = 1 << 20
	return mustNew(b, cfg, &Problem{X: x, N: n, Y: y, M: m, D: d, Heads: k, HeadX: lx, HeadY: ly, Images: img})
}

func benchSteps(b *testing.B, s *Sim) {
	// One step first: the kernels size some work space on first use (per
	// thread count, per batch size); steps after it allocate nothing.
	if _, err := s.Step(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Step(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(s.M()*b.N)/b.Elapsed().Seconds(), "particle-steps/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
}

// BenchmarkStepMNISTLatent200 is one step of the mnist-latent-200 preset:
// d′ = 128, conditional 256-512-256 φ with 10 heads, Adam, T_NN = 5.
func BenchmarkStepMNISTLatent200(b *testing.B) {
	cfg := gpaConfig()
	cfg.Discriminator.Hidden = []int{256, 512, 256}
	cfg.Discriminator.Lipschitz = 10
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.005, InnerSteps: 5}
	cfg.Flow.Dt = 0.5
	benchSteps(b, benchImages(b, 128, nil, cfg))
}

// BenchmarkStepMNISTPixelCNN is one step of the mnist-200 preset: 28×28
// pixels, conv 16-32-32 → dense 256 → 10 heads, Adam, T_NN = 5.
func BenchmarkStepMNISTPixelCNN(b *testing.B) {
	cfg := gpaConfig()
	cfg.Discriminator.Conv = []int{16, 32, 32}
	cfg.Discriminator.Hidden = []int{256}
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.001, InnerSteps: 5}
	cfg.Flow.Dt = 0.5
	cfg.Flow.Mobility = "bounded"
	benchSteps(b, benchImages(b, 784, &Images{H: 28, W: 28, C: 1}, cfg))
}

// BenchmarkStepMNISTTable4a is one step of the mnist-200-table4a preset:
// the paper's conditional CNN (Table 4a: conv 128-128-128 → dense 784 → 10
// heads), Adam, T_NN = 5; several seconds a step.
func BenchmarkStepMNISTTable4a(b *testing.B) {
	cfg := gpaConfig()
	cfg.Discriminator.Conv = []int{128, 128, 128}
	cfg.Discriminator.Hidden = []int{784}
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.001, InnerSteps: 5}
	cfg.Flow.Dt = 0.5
	cfg.Flow.Mobility = "bounded"
	benchSteps(b, benchImages(b, 784, &Images{H: 28, W: 28, C: 1}, cfg))
}
