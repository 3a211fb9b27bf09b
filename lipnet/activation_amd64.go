//go:build amd64 && !purego

package lipnet

import (
	"math"
	"unsafe"
)

// actArgs is the argument block of the activation kernels (offsets fixed in
// internal/asmgen).
type actArgs struct {
	x, h unsafe.Pointer
	n    int // a multiple of 8
	tab  *[actConsts][8]float32
}

// Indices into actTable, in the order internal/asmgen expects.
const (
	actAbs = iota
	actSign
	actExpMin
	actLog2e
	actLn2Hi
	actLn2Lo
	actP0
	actP1
	actP2
	actP3
	actP4
	actP5
	actOne
	actTwo
	actBias
	actL13
	actL11
	actL9
	actL7
	actL5
	actL3
	actE8
	actE7
	actE6
	actE5
	actE4
	actE3
	actHalf
	actCut
	actConsts
)

// actTable holds the constants of activation.go, 8 lanes each.
var actTable = func() (t [actConsts][8]float32) {
	vals := [actConsts]float32{
		actAbs: math.Float32frombits(0x7fffffff), actSign: math.Float32frombits(0x80000000),
		actExpMin: expMin, actLog2e: log2e, actLn2Hi: ln2Hi, actLn2Lo: ln2Lo,
		actP0: expP0, actP1: expP1, actP2: expP2, actP3: expP3, actP4: expP4, actP5: expP5,
		actOne: 1, actTwo: 2, actBias: math.Float32frombits(127),
		actL13: 1.0 / 13, actL11: 1.0 / 11, actL9: 1.0 / 9, actL7: 1.0 / 7, actL5: 1.0 / 5, actL3: 1.0 / 3,
		actE8: 1.0 / 40320, actE7: 1.0 / 5040, actE6: 1.0 / 720, actE5: 1.0 / 120, actE4: 1.0 / 24, actE3: 1.0 / 6,
		actHalf: 0.5, actCut: expm1Cut,
	}
	for i, v := range vals {
		for j := range 8 {
			t[i][j] = v
		}
	}
	return t
}()

// Activation passes of actAVX2.
const (
	actSoftplus = iota
	actSoftplusGrad
	actELU
	actELUGrad
)

// actAVX2 runs the pass op on the first multiple of 8 elements of x (and h)
// and returns how many it did; the caller finishes the rest in Go.
func actAVX2(op int, x, h []float32) int {
	n := len(x) &^ 7
	if !useAVX2 || n == 0 {
		return 0
	}
	args := actArgs{x: unsafe.Pointer(&x[0]), n: n, tab: &actTable}
	if h != nil {
		_ = h[n-1]
		args.h = unsafe.Pointer(&h[0])
	}
	switch op {
	case actSoftplus:
		softplusAVX2(&args)
	case actSoftplusGrad:
		softplusGradAVX2(&args)
	case actELU:
		eluAVX2(&args)
	case actELUGrad:
		eluGradAVX2(&args)
	}
	return n
}

//go:noescape
func softplusAVX2(args *actArgs)

//go:noescape
func softplusGradAVX2(args *actArgs)

//go:noescape
func eluAVX2(args *actArgs)

//go:noescape
func eluGradAVX2(args *actArgs)
