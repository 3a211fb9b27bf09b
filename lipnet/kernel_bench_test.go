package lipnet

import (
	"fmt"
	"testing"
)

// BenchmarkGemm measures the kernels on the shapes of the four-well
// workload (700 rows, 32 wide): forward A·B, weight gradient Aᵀ·B.
func BenchmarkGemm(b *testing.B) {
	rng := newRand(1)
	for _, tc := range []struct {
		name    string
		m, n, k int
		trans   bool
	}{
		{"NN/700x32x32", 700, 32, 32, false},
		{"NN/700x32x2", 700, 32, 2, false},
		{"TN/32x32x700", 32, 32, 700, true},
		{"TN/2x32x700", 2, 32, 700, true},
		// The latent net's largest layer (256 → 512, 400 rows): forward,
		// input gradient (through Wᵀ) and weight gradient.
		{"NN/400x512x256", 400, 512, 256, false},
		{"NN/400x256x512", 400, 256, 512, false},
		{"TN/256x512x400", 256, 512, 400, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			sai, sap, alen := tc.k, 1, tc.m*tc.k
			if tc.trans {
				sai, sap = 1, tc.m
			}
			a := randSlice(rng, alen)
			bb := randSlice(rng, tc.k*tc.n)
			c := randSlice(rng, tc.m*tc.n)
			bias := randSlice(rng, tc.n)
			// Forward: bias and ReLU; weight gradient: accumulate.
			mode, epi := modeBias, epiLeaky
			if tc.trans {
				mode, epi = modeAdd, epiNone
			}
			b.ReportAllocs()
			defer SetThreads(SetThreads(1))
			cpu := processCPU()
			for b.Loop() {
				gemm(tc.m, tc.n, tc.k, a, sai, sap, bb, tc.n, c, tc.n, mode, bias, epi, 0, nil)
			}
			f := float64(2*tc.m*tc.n*tc.k) * float64(b.N)
			b.ReportMetric(f/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			b.ReportMetric(f/(processCPU()-cpu)/1e9, "cpu-GFLOP/s")
		})
	}
	for _, n := range []int{1, 2} {
		b.Run(fmt.Sprintf("NT/700x%dx32", n), func(b *testing.B) {
			a := randSlice(rng, 700*32)
			bb := randSlice(rng, n*32)
			c := make([]float32, 700*n)
			b.ReportAllocs()
			for b.Loop() {
				gemmNT(700, n, 32, a, 32, bb, 32, c, n, modeSet, nil)
			}
			b.ReportMetric(float64(2*700*n*32)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
	b.Run("ColSum/700x32", func(b *testing.B) {
		src := randSlice(rng, 700*32)
		dst := make([]float32, 32)
		b.ReportAllocs()
		for b.Loop() {
			colSumAdd(dst, src, 700, 32, 32)
		}
	})
}
