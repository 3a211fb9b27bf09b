package experiments

import (
	"fmt"
	"testing"
)

// BenchmarkFourWellRun is the four-well-L1 run as `gpa-tui run` steps it
// (M = N = 200, 32³ net, T_NN = 5), with MMD² every metrics_every steps
// and without: the difference is the cost of the metrics (the issue's
// budget: at most 20 % over the engine at the default of 10).
func BenchmarkFourWellRun(b *testing.B) {
	for _, every := range []int{0, 10, 1} {
		b.Run(fmt.Sprintf("metrics_every=%d", every), func(b *testing.B) {
			cfg := fourWell()
			cfg.Flow.MetricsEvery = every
			cfg.Flow.Steps = 1 << 20
			s := mustBuild(b, cfg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N), "ms/step")
		})
	}
}
