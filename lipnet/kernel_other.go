//go:build !amd64 || purego

package lipnet

// useAVX2 and useAVX512 are false: only the portable Go kernels exist on
// this build.
const useAVX2, useAVX512 = false, false

func gemmPanel16AVX2(*gemmArgs)   { panic("lipnet: no assembly kernels") }
func gemmPanel8AVX2(*gemmArgs)    { panic("lipnet: no assembly kernels") }
func gemmPanelMaskAVX2(*gemmArgs) { panic("lipnet: no assembly kernels") }
func gemmNTAVX2(*ntArgs)          { panic("lipnet: no assembly kernels") }
func colSumAddAVX2(*colArgs)      { panic("lipnet: no assembly kernels") }

func setKernels(int) int { return 0 }

func gemmPanel32AVX512(*gemmArgs)   { panic("lipnet: no assembly kernels") }
func gemmPanel16AVX512(*gemmArgs)   { panic("lipnet: no assembly kernels") }
func gemmPanelMaskAVX512(*gemmArgs) { panic("lipnet: no assembly kernels") }

// Activation passes (none without assembly).
const (
	actSoftplus = iota
	actSoftplusGrad
	actELU
	actELUGrad
)

func actAVX2(int, []float32, []float32) int { return 0 }

func dgemmPanel16AVX512(*gemmArgs)   { panic("lipnet: no assembly kernels") }
func dgemmPanel8AVX512(*gemmArgs)    { panic("lipnet: no assembly kernels") }
func dgemmPanelMaskAVX512(*gemmArgs) { panic("lipnet: no assembly kernels") }
