//go:build !amd64 || purego

package lipnet

import "unsafe"

// Without the assembly kernels (another GOARCH, or -tags purego) the
// kernel names of kernel_amd64.go are bound to their portable Go bodies
// (kernel_args.go), as gonum's internal/asm does with stubs_noasm.go: the
// same names, no panic path. useAVX2 and useAVX512 are false, so gemm,
// gemmNT and colSumAdd call gemmGo, gemmNTGo and colSumAddGo directly; the
// bodies below are reached only by a caller that skips those switches.
const useAVX2, useAVX512 = false, false

func gemmPanel16AVX2(a *gemmArgs)   { panelArgsGo(a, 16) }
func gemmPanel8AVX2(a *gemmArgs)    { panelArgsGo(a, 8) }
func gemmPanelMaskAVX2(a *gemmArgs) { panelArgsGo(a, maskWidth(a.mask)) }
func gemmNTAVX2(a *ntArgs)          { ntArgsGo(a) }
func colSumAddAVX2(a *colArgs)      { colArgsGo(a) }
func transpose8AVX2(dst *float32, ldd int, src *float32, lds int, nblk int) {
	for b := range nblk {
		for r := range 8 {
			s := unsafe.Slice((*float32)(unsafe.Add(unsafe.Pointer(src), r*lds+32*b)), 8)
			for c, v := range s {
				*(*float32)(unsafe.Add(unsafe.Pointer(dst), (8*b+c)*ldd+4*r)) = v
			}
		}
	}
}
func rescaleAVX2(w *float32, n int, scale float64) { rescaleGo(unsafe.Slice(w, n), scale) }
func sgdAVX2(p, grad *float32, n int, lr float32) {
	sgdGo(unsafe.Slice(p, n), unsafe.Slice(grad, n), lr)
}
func gemmPanel32AVX512(a *gemmArgs)   { panelArgsGo(a, 32) }
func gemmPanel16AVX512(a *gemmArgs)   { panelArgsGo(a, 16) }
func gemmPanelMaskAVX512(a *gemmArgs) { panelArgsGo(a, kmaskWidth(a.kmask)) }
func dgemmPanel16AVX512(a *gemmArgs)  { dpanelArgsGo(a, 16) }
func dgemmPanel8AVX512(a *gemmArgs)   { dpanelArgsGo(a, 8) }
func dgemmPanelMaskAVX512(a *gemmArgs) {
	dpanelArgsGo(a, kmaskWidth(a.kmask))
}

func convTile32AVX512(a *convArgs)   { convTileArgsGo(a, 32) }
func convTile16AVX512(a *convArgs)   { convTileArgsGo(a, 16) }
func convTileMaskAVX512(a *convArgs) { convTileArgsGo(a, kmaskWidth(a.kmask)) }
func convGrad32AVX512(a *gradArgs)   { convGradArgsGo(a, 32) }
func convGrad16AVX512(a *gradArgs)   { convGradArgsGo(a, 16) }
func convGradMaskAVX512(a *gradArgs) { convGradArgsGo(a, kmaskWidth(a.kmask)) }

// setKernels selects the kernels in tests; only the Go kernels exist here.
func setKernels(int) int { return 0 }

// Activation passes (see activation_amd64.go).
const (
	actSoftplus = iota
	actSoftplusGrad
	actELU
	actELUGrad
)

// actAVX2 does none of the pass and leaves all of it to the Go loop.
func actAVX2(int, []float32, []float32) int { return 0 }
