package lipnet

import (
	"math/bits"
	"unsafe"
)

// Portable bodies of the assembly kernels, on the same argument blocks
// (strides in bytes). stubs_noasm.go binds the kernel names to them where
// there is no assembly; TestArgsGo checks them against gemmGo everywhere.
// Each element is the same sum in the same order as in the kernels,
// s = Σ_{p<k} A[i][p]·B[p][j] with p ascending, but with a separate
// multiply and add where the kernels fuse them (FMA), so the two agree
// to rounding, not to the bit.

// f32at is the float32 at byte offset off from p.
func f32at(p unsafe.Pointer, off int) *float32 { return (*float32)(unsafe.Add(p, off)) }

// f64at is the float64 at byte offset off from p.
func f64at(p unsafe.Pointer, off int) *float64 { return (*float64)(unsafe.Add(p, off)) }

// maskWidth is the number of leading lanes set in an AVX2 lane mask.
func maskWidth(m [8]int32) int {
	w := 0
	for w < 8 && m[w] != 0 {
		w++
	}
	return w
}

// kmaskWidth is the number of leading bits set in an AVX-512 opmask.
func kmaskWidth(k uint64) int { return bits.TrailingZeros64(^k) }

// panelArgsGo is one column panel of gemm, w columns wide, for all a.m rows
// (see gemm for the modes and epilogues).
func panelArgsGo(a *gemmArgs, w int) {
	for i := range a.m {
		for j := range w {
			var s float32
			for p := range a.k {
				s += *f32at(a.a, i*a.sai+p*a.sap) * *f32at(a.b, p*a.ldb+4*j)
			}
			c := f32at(a.c, i*a.ldc+4*j)
			switch a.mode {
			case modeAdd:
				s = *c + s
			case modeBias:
				s = *f32at(a.bias, 4*j) + s
			}
			switch a.epi {
			case epiLeaky:
				s = max(s, a.slope[0]*s)
			case epiMask:
				if !(*f32at(a.h, i*a.ldc+4*j) > 0) {
					s *= a.slope[0]
				}
			}
			*c = s
		}
	}
}

// dpanelArgsGo is panelArgsGo in float64 (modes set and add, no epilogue).
func dpanelArgsGo(a *gemmArgs, w int) {
	for i := range a.m {
		for j := range w {
			var s float64
			for p := range a.k {
				s += *f64at(a.a, i*a.sai+p*a.sap) * *f64at(a.b, p*a.ldb+8*j)
			}
			c := f64at(a.c, i*a.ldc+8*j)
			if a.mode == modeAdd {
				s = *c + s
			}
			*c = s
		}
	}
}

// ntArgsGo is gemmNT on its argument block.
func ntArgsGo(a *ntArgs) {
	k := 8*a.k8 + a.ktail
	for i := range a.m {
		for j := range a.n {
			var s float32
			for p := range k {
				s += *f32at(a.a, i*a.lda+4*p) * *f32at(a.b, j*a.ldb+4*p)
			}
			c := f32at(a.c, i*a.ldc+4*j)
			switch a.mode {
			case modeAdd:
				s += *c
			case modeBias:
				s += *f32at(a.bias, 4*j)
			}
			*c = s
		}
	}
}

// colArgsGo is colSumAdd on its argument block.
func colArgsGo(a *colArgs) {
	for j := range a.n {
		var s float32
		for r := range a.rows {
			s += *f32at(a.src, r*a.ld+4*j)
		}
		*f32at(a.dst, 4*j) += s
	}
}

// ptrAt is the pointer stored at byte offset off from p.
func ptrAt(p unsafe.Pointer, off int) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Add(p, off)) }

// convTileArgsGo is the indirect tile convTile*AVX512, w columns wide.
func convTileArgsGo(a *convArgs, w int) {
	for r := range a.mr {
		c := unsafe.Add(ptrAt(a.crow, 8*r), a.coff)
		for j := range w {
			var s float32
			for sg := range a.nseg {
				x := ptrAt(a.ind, r*a.rstride+8*sg)
				b := unsafe.Add(a.b, *(*int)(unsafe.Add(a.boff, 8*sg)))
				for e := 0; e < a.segb; e += 4 {
					s += *f32at(x, e) * *f32at(b, e/4*a.ldb+4*j)
				}
			}
			switch a.epi {
			case epiLeaky:
				s = max(s, a.slope*s)
			case epiMask:
				if !(*f32at(c, 4*j+a.hdelta) > 0) {
					s *= a.slope
				}
			}
			*f32at(c, 4*j) = s
		}
	}
}

// convGradArgsGo is convGrad*AVX512, w columns wide.
func convGradArgsGo(a *gradArgs, w int) {
	for r := range 8 {
		for j := range w {
			var s float32
			for o := range a.k {
				s += *f32at(ptrAt(a.ind, o*a.istride), a.eoff+4*r) * *f32at(a.b, o*a.ldb+4*j)
			}
			*f32at(a.c, r*a.ldc+4*j) += s
		}
	}
}
