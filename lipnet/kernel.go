package lipnet

//go:generate go run ./internal/asmgen -out kernel_amd64.s

import "unsafe"

// Accumulation modes of the matrix kernels.
const (
	modeSet  = 0 // c = s
	modeAdd  = 1 // c += s
	modeBias = 2 // c = bias[j] + s
)

// Epilogues of gemm, applied after the mode.
const (
	epiNone  = 0
	epiLeaky = 1 // c = max(c, slope·c): leaky ReLU for 0 ≤ slope < 1 (ReLU at 0)
	epiMask  = 2 // c *= slope + (1−slope)·[h > 0]: its derivative, read from h = act(z)
)

// gemmArgs is the argument block of the amd64 panel kernels; the field
// offsets are fixed in internal/asmgen (checked by TestArgOffsets).
type gemmArgs struct {
	a     unsafe.Pointer
	sai   int // bytes between A[i][p] and A[i+1][p]
	sap   int // bytes between A[i][p] and A[i][p+1]
	b     unsafe.Pointer
	ldb   int // bytes
	c     unsafe.Pointer
	ldc   int // bytes, also the row stride of h
	h     unsafe.Pointer
	bias  unsafe.Pointer
	m, k  int
	mode  int
	epi   int
	slope [8]float32
	oms   [8]float32 // 1 − slope
	mask  [8]int32   // lane mask of the masked panel (AVX2)
	kmask uint64     // opmask of the masked panel (AVX-512)
}

// ntArgs is the argument block of gemmNTAVX2.
type ntArgs struct {
	a     unsafe.Pointer
	lda   int // bytes
	b     unsafe.Pointer
	ldb   int // bytes
	c     unsafe.Pointer
	ldc   int // bytes
	bias  unsafe.Pointer
	m, n  int
	k8    int // number of full 8-float chunks of p
	ktail int // k mod 8
	mode  int
	mask  [8]int32 // lanes of the last, partial chunk
}

// convArgs is the argument block of the indirect tiles convTile*AVX512
// (conv_implicit.go): A row r, segment s is the float32 run at the pointer
// stored at ind + r·rstride + 8s (bytes), segb bytes long; segment s of B
// starts boff[s] bytes from b, rows ldb bytes apart; C row r is at
// crow[r] + coff.
type convArgs struct {
	ind     unsafe.Pointer
	rstride int
	crow    unsafe.Pointer
	b       unsafe.Pointer
	boff    unsafe.Pointer // *int, one per segment
	ldb     int
	nseg    int
	segb    int
	mr      int // rows, 1, 2, 4 or 8
	epi     int
	hdelta  int // bytes from a C element to the h element of epiMask
	slope   float32
	_       float32
	kmask   uint64
	coff    int // bytes added to every C row pointer (the column panel)
}

// gradArgs is the argument block of convGrad*AVX512: C (8 rows, ldc
// bytes apart) += A·B with A[r][o] the float32 at eoff + 4r bytes from the
// pointer stored at ind + o·istride, B rows ldb bytes apart, o < k.
type gradArgs struct {
	ind     unsafe.Pointer
	istride int
	eoff    int
	b       unsafe.Pointer
	ldb     int
	k       int
	c       unsafe.Pointer
	ldc     int
	kmask   uint64
}

// colArgs is the argument block of colSumAddAVX2.
type colArgs struct {
	dst, src unsafe.Pointer
	ld       int // bytes
	rows, n  int
	mask     [8]int32 // lanes of the last, partial chunk of columns
}

// laneMask returns the VMASKMOVPS mask selecting the first r of 8 lanes.
func laneMask(r int) (m [8]int32) {
	for i := range r {
		m[i] = -1
	}
	return m
}

// ptr is the address of s[i], or nil when s is empty (never dereferenced then).
func ptr(s []float32, i int) unsafe.Pointer {
	if i >= len(s) {
		return nil
	}
	return unsafe.Pointer(&s[i])
}

// gemm computes, for i < m and j < n, with
//
//	s = Σ_{p<k} A[i][p]·b[p·ldb + j],   A[i][p] = a[i·sai + p·sap],
//
// c[i·ldc + j] = s (modeSet), += s (modeAdd) or = bias[j] + s (modeBias),
// then applies the epilogue epi (epiMask reads h[i·ldc + j]). Strides are in
// elements; sai = lda, sap = 1 is A·B and sai = 1, sap = lda is Aᵀ·B. All
// accesses are bounds-checked here, once, before the kernel runs.
func gemm(m, n, k int, a []float32, sai, sap int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32, epi int, slope float32, h []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	if sai < 0 || sap < 0 || ldb < n || ldc < n || k < 0 ||
		(k > 0 && ((m-1)*sai+(k-1)*sap >= len(a) || (k-1)*ldb+n > len(b))) ||
		(m-1)*ldc+n > len(c) ||
		(mode == modeBias && n > len(bias)) ||
		(epi == epiMask && (m-1)*ldc+n > len(h)) {
		panic("lipnet: gemm: bad dimensions")
	}
	if gemmSplit(m, n, k, a, sai, sap, b, ldb, c, ldc, mode, bias, epi, slope, h) {
		return
	}
	gemmSerial(m, n, k, a, sai, sap, b, ldb, c, ldc, mode, bias, epi, slope, h)
}

// gemmSerial is gemm on the calling thread, without the checks.
func gemmSerial(m, n, k int, a []float32, sai, sap int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32, epi int, slope float32, h []float32) {
	if useAVX2 {
		gemmAsm(m, n, k, a, sai, sap, b, ldb, c, ldc, mode, bias, epi, slope, h)
		return
	}
	gemmGo(m, n, k, a, sai, sap, b, ldb, c, ldc, mode, bias, epi, slope, h)
}

// gemmNT computes, for i < m and j < n, s = Σ_{p<k} a[i·lda + p]·b[j·ldb + p]
// and c[i·ldc + j] = s, += s or = bias[j] + s (mode). It is the kernel for a
// small n (one output per dot product); gemm vectorises along n instead.
func gemmNT(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32) {
	if m <= 0 || n <= 0 {
		return
	}
	if k < 0 || lda < k || ldb < k || ldc < n ||
		(k > 0 && ((m-1)*lda+k > len(a) || (n-1)*ldb+k > len(b))) ||
		(m-1)*ldc+n > len(c) || (mode == modeBias && n > len(bias)) {
		panic("lipnet: gemmNT: bad dimensions")
	}
	if useAVX2 {
		args := ntArgs{
			a: ptr(a, 0), lda: 4 * lda, b: ptr(b, 0), ldb: 4 * ldb, c: ptr(c, 0), ldc: 4 * ldc,
			m: m, n: n, k8: k / 8, ktail: k % 8, mode: mode, mask: laneMask(k % 8),
		}
		if mode == modeBias {
			args.bias = ptr(bias, 0)
		}
		gemmNTAVX2(&args)
		return
	}
	gemmNTGo(m, n, k, a, lda, b, ldb, c, ldc, mode, bias)
}

// colSumAdd adds the column sums of src (rows×n, row stride ld) to dst[:n]:
// the bias gradient db += 1ᵀ·G.
func colSumAdd(dst, src []float32, rows, n, ld int) {
	if rows <= 0 || n <= 0 {
		return
	}
	if ld < n || n > len(dst) || (rows-1)*ld+n > len(src) {
		panic("lipnet: colSumAdd: bad dimensions")
	}
	if useAVX2 {
		args := colArgs{dst: ptr(dst, 0), src: ptr(src, 0), ld: 4 * ld, rows: rows, n: n, mask: laneMask(n % 8)}
		colSumAddAVX2(&args)
		return
	}
	colSumAddGo(dst, src, rows, n, ld)
}

// gemmAsm splits C into column panels: with AVX-512 of 32, 16 and ≤ 16
// (masked) columns, with AVX2 of 16, 8 and ≤ 8 (masked) columns.
func gemmAsm(m, n, k int, a []float32, sai, sap int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32, epi int, slope float32, h []float32) {
	args := gemmArgs{
		a: ptr(a, 0), sai: 4 * sai, sap: 4 * sap, ldb: 4 * ldb, ldc: 4 * ldc,
		m: m, k: k, mode: mode, epi: epi,
	}
	if k == 0 {
		args.a = nil
	}
	for i := range 8 {
		args.slope[i] = slope
		args.oms[i] = 1 - slope
	}
	wide := 16
	if useAVX512 {
		wide = 32
	}
	for j := 0; j < n; {
		w := min(n-j, wide)
		if w < wide {
			w = min(w, wide/2)
		}
		if k > 0 {
			args.b = unsafe.Pointer(&b[j])
		}
		args.c = unsafe.Pointer(&c[j])
		if mode == modeBias {
			args.bias = unsafe.Pointer(&bias[j])
		}
		if epi == epiMask {
			args.h = unsafe.Pointer(&h[j])
		}
		switch {
		case w == 32:
			gemmPanel32AVX512(&args)
		case w == 16 && useAVX512:
			gemmPanel16AVX512(&args)
		case useAVX512:
			args.kmask = 1<<w - 1
			gemmPanelMaskAVX512(&args)
		case w == 16:
			gemmPanel16AVX2(&args)
		case w == 8:
			gemmPanel8AVX2(&args)
		default:
			args.mask = laneMask(w)
			gemmPanelMaskAVX2(&args)
		}
		j += w
	}
}

// gemmGo is the portable gemm.
func gemmGo(m, n, k int, a []float32, sai, sap int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32, epi int, slope float32, h []float32) {
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		switch mode {
		case modeSet:
			clear(ci)
		case modeBias:
			copy(ci, bias[:n])
		}
		for p := range k {
			aip := a[i*sai+p*sap]
			bp := b[p*ldb : p*ldb+n]
			for j, bv := range bp {
				ci[j] += aip * bv
			}
		}
		switch epi {
		case epiLeaky:
			for j, v := range ci {
				ci[j] = max(v, slope*v)
			}
		case epiMask:
			hi := h[i*ldc : i*ldc+n]
			for j, hv := range hi {
				if !(hv > 0) {
					ci[j] *= slope
				}
			}
		}
	}
}

// gemmNTGo is the portable gemmNT.
func gemmNTGo(m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32) {
	for i := range m {
		ai := a[i*lda : i*lda+k]
		for j := range n {
			bj := b[j*ldb : j*ldb+k]
			var s float32
			for p, av := range ai {
				s += av * bj[p]
			}
			switch mode {
			case modeAdd:
				s += c[i*ldc+j]
			case modeBias:
				s += bias[j]
			}
			c[i*ldc+j] = s
		}
	}
}

// colSumAddGo is the portable colSumAdd.
func colSumAddGo(dst, src []float32, rows, n, ld int) {
	d := dst[:n]
	for r := range rows {
		s := src[r*ld : r*ld+n]
		for j, v := range s {
			d[j] += v
		}
	}
}
