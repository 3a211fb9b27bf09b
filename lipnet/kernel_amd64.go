//go:build amd64 && !purego

package lipnet

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernels (kernel_amd64.s); without AVX2 and
// FMA, or with -tags purego, the portable Go kernels run instead.
// useAVX512 selects the AVX-512 panels of gemm (twice the lanes; on Zen 5
// also twice the FMA throughput).
var (
	useAVX2   = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX512 = useAVX2 && cpu.X86.HasAVX512F
)

//go:noescape
func gemmPanel16AVX2(args *gemmArgs)

//go:noescape
func gemmPanel8AVX2(args *gemmArgs)

//go:noescape
func gemmPanelMaskAVX2(args *gemmArgs)

//go:noescape
func gemmNTAVX2(args *ntArgs)

//go:noescape
func colSumAddAVX2(args *colArgs)

//go:noescape
func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, nblk int)

//go:noescape
func rescaleAVX2(w *float32, n int, scale float64)

//go:noescape
func sgdAVX2(p, grad *float32, n int, lr float32)

// setKernels selects the kernels in tests: 0 Go, 1 AVX2, 2 AVX-512 (as far
// as the CPU has them), and returns the level in effect.
func setKernels(level int) int {
	useAVX2 = level >= 1 && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	useAVX512 = level >= 2 && useAVX2 && cpu.X86.HasAVX512F
	switch {
	case useAVX512:
		return 2
	case useAVX2:
		return 1
	}
	return 0
}

//go:noescape
func gemmPanel32AVX512(args *gemmArgs)

//go:noescape
func gemmPanel16AVX512(args *gemmArgs)

//go:noescape
func gemmPanelMaskAVX512(args *gemmArgs)

//go:noescape
func dgemmPanel16AVX512(args *gemmArgs)

//go:noescape
func dgemmPanel8AVX512(args *gemmArgs)

//go:noescape
func dgemmPanelMaskAVX512(args *gemmArgs)

//go:noescape
func convTile32AVX512(args *convArgs)

//go:noescape
func convTile16AVX512(args *convArgs)

//go:noescape
func convTileMaskAVX512(args *convArgs)

//go:noescape
func convGrad32AVX512(args *gradArgs)

//go:noescape
func convGrad16AVX512(args *gradArgs)

//go:noescape
func convGradMaskAVX512(args *gradArgs)
