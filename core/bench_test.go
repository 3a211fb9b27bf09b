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
			s, err := New(cfg)
			if err != nil {
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
	s, err := New(cfg)
	if err != nil {
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
