package core

import "testing"

// BenchmarkStep times one GPA particle step (Algorithm 1, lines 6–11) of
// the four-well workload the peers in shared/bench/peer_torch run: M = 500
// particles, N = 200 targets, d = 2, φ = 32-32-32 ReLU, T_NN = 5, spectral
// normalisation, SGD.
func BenchmarkStep(b *testing.B) {
	for _, solver := range []string{"euler", "heun"} {
		b.Run(solver, func(b *testing.B) {
			cfg := fourWell()
			cfg.Prior = Dataset{Kind: "uniform", N: 500, Low: []float64{-10, -10}, High: []float64{10, 10}}
			cfg.Flow.Solver = solver
			cfg.Flow.MetricsEvery = 0
			cfg.Flow.Steps = 1 << 20
			benchSteps(b, mustNew(b, cfg))
		})
	}
}

// BenchmarkStepLatentMNIST times one step of the peers' "mnist-latent"
// workload: d = 128, φ = 256-512-256, N = M = 200, T_NN = 5, spectral
// normalisation, SGD (the data values do not affect the time).
func BenchmarkStepLatentMNIST(b *testing.B) {
	cfg := fourWell()
	cfg.Target = Dataset{Kind: "gaussian", N: 200, Dim: 128, Std: 1}
	cfg.Prior = Dataset{Kind: "logistic", N: 200, Dim: 128, Std: 1}
	cfg.Discriminator.Hidden = []int{256, 512, 256}
	cfg.Train.LR = 0.001
	cfg.Flow.Dt = 0.5
	cfg.Flow.MetricsEvery = 0
	cfg.Flow.Steps = 1 << 20
	benchSteps(b, mustNew(b, cfg))
}

// benchImages builds a conditional image-shaped problem (10 classes, M = 600
// particles, N = 200 targets) of dimension d without loading data: step
// times do not depend on the values.
func benchImages(b *testing.B, d int, img *imageProblem, cfg Config) *Sim {
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
	cfg.Discriminator.Conditional = true
	cfg.Flow.MetricsEvery = 0
	cfg.Flow.Steps = 1 << 20
	s, err := newSim(cfg, &problem{x: x, n: n, y: y, m: m, d: d, k: k, labelsX: lx, labelsY: ly, img: img}, &Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func benchSteps(b *testing.B, s *Sim) {
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
	cfg := fourWell()
	cfg.Discriminator.Hidden = []int{256, 512, 256}
	cfg.Discriminator.Lipschitz = 10
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.005, InnerSteps: 5}
	cfg.Flow.Dt = 0.5
	benchSteps(b, benchImages(b, 128, nil, cfg))
}

// BenchmarkStepMNISTPixelCNN is one step of the mnist-200 preset: 28×28
// pixels, conv 16-32-32 → dense 256 → 10 heads, Adam, T_NN = 5.
func BenchmarkStepMNISTPixelCNN(b *testing.B) {
	cfg := fourWell()
	cfg.Discriminator.Conv = []int{16, 32, 32}
	cfg.Discriminator.Hidden = []int{256}
	cfg.Train = TrainConfig{Optimizer: "adam", LR: 0.001, InnerSteps: 5}
	cfg.Flow.Dt = 0.5
	cfg.Flow.Mobility = "bounded"
	benchSteps(b, benchImages(b, 784, &imageProblem{name: "mnist", h: 28, w: 28, c: 1}, cfg))
}
