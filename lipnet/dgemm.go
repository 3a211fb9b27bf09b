package lipnet

import "unsafe"

// dgemm is gemm in float64 without bias and epilogue: for i < m, j < n,
// s = Σ_{p<k} a[i·sai + p·sap]·b[p·ldb + j] and c[i·ldc + j] = s (modeSet)
// or += s (modeAdd). Normalize uses it for the Gram matrices and the
// blocked Cholesky factorisation.
func dgemm(m, n, k int, a []float64, sai, sap int, b []float64, ldb int, c []float64, ldc int, mode int) {
	if m <= 0 || n <= 0 {
		return
	}
	if k < 0 || sai < 0 || sap < 0 || ldb < n || ldc < n || (mode != modeSet && mode != modeAdd) ||
		(k > 0 && ((m-1)*sai+(k-1)*sap >= len(a) || (k-1)*ldb+n > len(b))) || (m-1)*ldc+n > len(c) {
		panic("lipnet: dgemm: bad dimensions")
	}
	if !useAVX512 {
		dgemmGo(m, n, k, a, sai, sap, b, ldb, c, ldc, mode)
		return
	}
	args := gemmArgs{sai: 8 * sai, sap: 8 * sap, ldb: 8 * ldb, ldc: 8 * ldc, m: m, k: k, mode: mode}
	if k > 0 {
		args.a = unsafe.Pointer(&a[0])
	}
	for j := 0; j < n; {
		w := min(n-j, 16)
		if w < 16 {
			w = min(w, 8)
		}
		if k > 0 {
			args.b = unsafe.Pointer(&b[j])
		}
		args.c = unsafe.Pointer(&c[j])
		switch w {
		case 16:
			dgemmPanel16AVX512(&args)
		case 8:
			dgemmPanel8AVX512(&args)
		default:
			args.kmask = 1<<w - 1
			dgemmPanelMaskAVX512(&args)
		}
		j += w
	}
}

// dgemmGo is the portable dgemm.
func dgemmGo(m, n, k int, a []float64, sai, sap int, b []float64, ldb int, c []float64, ldc int, mode int) {
	for i := range m {
		ci := c[i*ldc : i*ldc+n]
		if mode == modeSet {
			clear(ci)
		}
		for p := range k {
			aip := a[i*sai+p*sap]
			bp := b[p*ldb : p*ldb+n]
			for j, bv := range bp {
				ci[j] += aip * bv
			}
		}
	}
}
