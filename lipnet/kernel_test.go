package lipnet

import (
	"fmt"
	"math"
	"testing"
	"unsafe"
)

// TestArgOffsets checks the argument-block layout that kernel_amd64.s
// (internal/asmgen) hard-codes.
func TestArgOffsets(t *testing.T) {
	var g gemmArgs
	var n ntArgs
	var c colArgs
	var v convArgs
	var w gradArgs
	for _, tc := range []struct {
		name      string
		got, want uintptr
	}{
		{"gemm.a", unsafe.Offsetof(g.a), 0}, {"gemm.sai", unsafe.Offsetof(g.sai), 8},
		{"gemm.sap", unsafe.Offsetof(g.sap), 16}, {"gemm.b", unsafe.Offsetof(g.b), 24},
		{"gemm.ldb", unsafe.Offsetof(g.ldb), 32}, {"gemm.c", unsafe.Offsetof(g.c), 40},
		{"gemm.ldc", unsafe.Offsetof(g.ldc), 48}, {"gemm.h", unsafe.Offsetof(g.h), 56},
		{"gemm.bias", unsafe.Offsetof(g.bias), 64}, {"gemm.m", unsafe.Offsetof(g.m), 72},
		{"gemm.k", unsafe.Offsetof(g.k), 80}, {"gemm.mode", unsafe.Offsetof(g.mode), 88},
		{"gemm.epi", unsafe.Offsetof(g.epi), 96}, {"gemm.slope", unsafe.Offsetof(g.slope), 104},
		{"gemm.oms", unsafe.Offsetof(g.oms), 136}, {"gemm.mask", unsafe.Offsetof(g.mask), 168},
		{"gemm.kmask", unsafe.Offsetof(g.kmask), 200},
		{"conv.ind", unsafe.Offsetof(v.ind), 0}, {"conv.rstride", unsafe.Offsetof(v.rstride), 8},
		{"conv.crow", unsafe.Offsetof(v.crow), 16}, {"conv.b", unsafe.Offsetof(v.b), 24},
		{"conv.boff", unsafe.Offsetof(v.boff), 32}, {"conv.ldb", unsafe.Offsetof(v.ldb), 40},
		{"conv.nseg", unsafe.Offsetof(v.nseg), 48}, {"conv.segb", unsafe.Offsetof(v.segb), 56},
		{"conv.mr", unsafe.Offsetof(v.mr), 64}, {"conv.epi", unsafe.Offsetof(v.epi), 72},
		{"conv.hdelta", unsafe.Offsetof(v.hdelta), 80}, {"conv.slope", unsafe.Offsetof(v.slope), 88},
		{"conv.kmask", unsafe.Offsetof(v.kmask), 96}, {"conv.coff", unsafe.Offsetof(v.coff), 104},
		{"grad.ind", unsafe.Offsetof(w.ind), 0}, {"grad.istride", unsafe.Offsetof(w.istride), 8},
		{"grad.eoff", unsafe.Offsetof(w.eoff), 16}, {"grad.b", unsafe.Offsetof(w.b), 24},
		{"grad.ldb", unsafe.Offsetof(w.ldb), 32}, {"grad.k", unsafe.Offsetof(w.k), 40},
		{"grad.c", unsafe.Offsetof(w.c), 48}, {"grad.ldc", unsafe.Offsetof(w.ldc), 56},
		{"grad.kmask", unsafe.Offsetof(w.kmask), 64},
		{"nt.a", unsafe.Offsetof(n.a), 0}, {"nt.lda", unsafe.Offsetof(n.lda), 8},
		{"nt.b", unsafe.Offsetof(n.b), 16}, {"nt.ldb", unsafe.Offsetof(n.ldb), 24},
		{"nt.c", unsafe.Offsetof(n.c), 32}, {"nt.ldc", unsafe.Offsetof(n.ldc), 40},
		{"nt.bias", unsafe.Offsetof(n.bias), 48}, {"nt.m", unsafe.Offsetof(n.m), 56},
		{"nt.n", unsafe.Offsetof(n.n), 64}, {"nt.k8", unsafe.Offsetof(n.k8), 72},
		{"nt.ktail", unsafe.Offsetof(n.ktail), 80}, {"nt.mode", unsafe.Offsetof(n.mode), 88},
		{"nt.mask", unsafe.Offsetof(n.mask), 96},
		{"col.dst", unsafe.Offsetof(c.dst), 0}, {"col.src", unsafe.Offsetof(c.src), 8},
		{"col.ld", unsafe.Offsetof(c.ld), 16}, {"col.rows", unsafe.Offsetof(c.rows), 24},
		{"col.n", unsafe.Offsetof(c.n), 32}, {"col.mask", unsafe.Offsetof(c.mask), 40},
	} {
		if tc.got != tc.want {
			t.Errorf("offset of %s = %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

// gemmRef is the float64 oracle of gemm.
func gemmRef(m, n, k int, a []float32, sai, sap int, b []float32, ldb int, c []float32, ldc int,
	mode int, bias []float32, epi int, slope float32, h []float32) {
	for i := range m {
		for j := range n {
			var s float64
			for p := range k {
				s += float64(a[i*sai+p*sap]) * float64(b[p*ldb+j])
			}
			switch mode {
			case modeAdd:
				s += float64(c[i*ldc+j])
			case modeBias:
				s += float64(bias[j])
			}
			switch epi {
			case epiLeaky:
				s = math.Max(s, float64(slope)*s)
			case epiMask:
				if !(h[i*ldc+j] > 0) {
					s *= float64(slope)
				}
			}
			c[i*ldc+j] = float32(s)
		}
	}
}

// absDot returns Σ_p |a||b| for the tolerance of entry (i, j).
func absDot(i, j, k int, a []float32, sai, sap int, b []float32, ldb int) float64 {
	var s float64
	for p := range k {
		s += math.Abs(float64(a[i*sai+p*sap]) * float64(b[p*ldb+j]))
	}
	return s
}

// withKernels runs f with each kernel level the CPU has: AVX-512, AVX2 and
// the portable Go kernels.
func withKernels(t *testing.T, f func(t *testing.T)) {
	best := setKernels(2)
	defer setKernels(best)
	for level := best; level >= 0; level-- {
		setKernels(level)
		t.Run([]string{"go", "avx2", "avx512"}[level], f)
	}
}

func TestGemm(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand(1)
		shapes := [][3]int{{1, 1, 1}, {7, 3, 5}, {6, 16, 32}, {13, 32, 32}, {700, 32, 2},
			{5, 33, 9}, {11, 23, 17}, {2, 8, 0}, {3, 40, 1}, {9, 7, 64}, {32, 32, 701}, {4, 1, 33}}
		for _, sh := range shapes {
			for _, trans := range []bool{false, true} {
				for mode := modeSet; mode <= modeBias; mode++ {
					for epi := epiNone; epi <= epiMask; epi++ {
						m, n, k := sh[0], sh[1], sh[2]
						name := fmt.Sprintf("%dx%dx%d/T=%v/mode%d/epi%d", m, n, k, trans, mode, epi)
						lda := k + 3
						sai, sap := lda, 1
						alen := m * lda
						if trans {
							lda = m + 2
							sai, sap, alen = 1, lda, k*lda
						}
						a := randSlice(rng, alen)
						ldb, ldc := n+1, n+2
						b := randSlice(rng, k*ldb)
						c0 := randSlice(rng, m*ldc)
						bias := randSlice(rng, n)
						h := randSlice(rng, m*ldc)
						slope := float32(0.2)
						got := append([]float32(nil), c0...)
						want := append([]float32(nil), c0...)
						gemm(m, n, k, a, sai, sap, b, ldb, got, ldc, mode, bias, epi, slope, h)
						gemmRef(m, n, k, a, sai, sap, b, ldb, want, ldc, mode, bias, epi, slope, h)
						for i := range m {
							for j := 0; j < ldc; j++ {
								g, w := float64(got[i*ldc+j]), float64(want[i*ldc+j])
								if j >= n {
									// Padding between rows must be untouched.
									if g != float64(c0[i*ldc+j]) {
										t.Fatalf("%s: c[%d][%d] (padding) changed", name, i, j)
									}
									continue
								}
								// float32 accumulation: error ≤ k·2⁻²⁴·Σ|a||b| (plus c, bias).
								tol := 1e-6*float64(k+2)*(absDot(i, j, k, a, sai, sap, b, ldb)+3) + 1e-6
								if !close32(g, w, tol, 0) {
									t.Fatalf("%s: c[%d][%d] = %g, want %g", name, i, j, g, w)
								}
							}
						}
					}
				}
			}
		}
	})
}

func TestGemmNT(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand(2)
		for _, sh := range [][3]int{{1, 1, 1}, {700, 1, 32}, {700, 2, 32}, {5, 3, 7}, {9, 10, 33},
			{4, 1, 8}, {6, 2, 0}, {3, 5, 17}, {8, 4, 64}} {
			for mode := modeSet; mode <= modeBias; mode++ {
				m, n, k := sh[0], sh[1], sh[2]
				lda, ldb, ldc := k+1, k+2, n+3
				a := randSlice(rng, m*lda)
				b := randSlice(rng, n*ldb)
				bias := randSlice(rng, n)
				c0 := randSlice(rng, m*ldc)
				got := append([]float32(nil), c0...)
				gemmNT(m, n, k, a, lda, b, ldb, got, ldc, mode, bias)
				for i := range m {
					for j := range ldc {
						if j >= n {
							if got[i*ldc+j] != c0[i*ldc+j] {
								t.Fatalf("%v mode %d: padding c[%d][%d] changed", sh, mode, i, j)
							}
							continue
						}
						var s, sa float64
						for p := range k {
							s += float64(a[i*lda+p]) * float64(b[j*ldb+p])
							sa += math.Abs(float64(a[i*lda+p]) * float64(b[j*ldb+p]))
						}
						switch mode {
						case modeAdd:
							s += float64(c0[i*ldc+j])
						case modeBias:
							s += float64(bias[j])
						}
						// float32 accumulation, as in TestGemm.
						if tol := 1e-6*float64(k+2)*(sa+3) + 1e-6; !close32(float64(got[i*ldc+j]), s, tol, 0) {
							t.Fatalf("%v mode %d: c[%d][%d] = %g, want %g", sh, mode, i, j, got[i*ldc+j], s)
						}
					}
				}
			}
		}
	})
}

func TestColSumAdd(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand(3)
		for _, sh := range [][2]int{{1, 1}, {700, 32}, {7, 3}, {5, 9}, {13, 17}, {3, 40}, {4, 8}} {
			rows, n := sh[0], sh[1]
			ld := n + 2
			src := randSlice(rng, rows*ld)
			dst0 := randSlice(rng, n+1)
			dst := append([]float32(nil), dst0...)
			colSumAdd(dst, src, rows, n, ld)
			if dst[n] != dst0[n] {
				t.Fatalf("%v: dst[%d] beyond n changed", sh, n)
			}
			for j := range n {
				s, sa := float64(dst0[j]), math.Abs(float64(dst0[j]))
				for r := range rows {
					s += float64(src[r*ld+j])
					sa += math.Abs(float64(src[r*ld+j]))
				}
				// float32 sum of rows+1 terms: error ≤ (rows+1)·2⁻²⁴·Σ|x|.
				if !close32(float64(dst[j]), s, 1e-7*float64(rows+1)*sa, 0) {
					t.Fatalf("%v: column %d sum = %g, want %g", sh, j, dst[j], s)
				}
			}
		}
	})
}

func TestGemmPanics(t *testing.T) {
	a := make([]float32, 6)
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"short a", func() { gemm(2, 2, 4, a, 3, 1, a, 2, a, 2, modeSet, nil, epiNone, 0, nil) }},
		{"short c", func() { gemm(4, 2, 1, a, 1, 1, a, 2, a, 2, modeSet, nil, epiNone, 0, nil) }},
		{"no bias", func() { gemm(1, 2, 1, a, 1, 1, a, 2, a, 2, modeBias, nil, epiNone, 0, nil) }},
		{"nt short b", func() { gemmNT(1, 2, 4, a, 4, a, 4, a, 2, modeSet, nil) }},
		{"colsum short", func() { colSumAdd(a, a, 4, 2, 2) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tc.name)
				}
			}()
			tc.f()
		})
	}
}

func TestDgemm(t *testing.T) {
	withKernels(t, func(t *testing.T) {
		rng := newRand(5)
		for _, sh := range [][3]int{{1, 1, 1}, {13, 33, 7}, {8, 16, 32}, {5, 9, 0}, {40, 23, 17}, {3, 8, 64}} {
			for mode := modeSet; mode <= modeAdd; mode++ {
				m, n, k := sh[0], sh[1], sh[2]
				lda, ldb, ldc := k+1, n+2, n+3
				a, b, c := make([]float64, m*lda), make([]float64, max(k, 1)*ldb), make([]float64, m*ldc)
				for _, s := range [][]float64{a, b, c} {
					for i := range s {
						s[i] = rng.NormFloat64()
					}
				}
				got := append([]float64(nil), c...)
				dgemm(m, n, k, a, lda, 1, b, ldb, got, ldc, mode)
				for i := range m {
					for j := range ldc {
						want := c[i*ldc+j]
						if j < n {
							s := 0.0
							for p := range k {
								s += a[i*lda+p] * b[p*ldb+j]
							}
							if mode == modeAdd {
								s += want
							}
							want = s
						}
						// float64 sums of ≤ 65 O(1) terms: 1e-12 absolute.
						if !close32(got[i*ldc+j], want, 1e-12, 0) {
							t.Fatalf("%v mode %d: c[%d][%d] = %g, want %g", sh, mode, i, j, got[i*ldc+j], want)
						}
					}
				}
			}
		}
	})
}

func TestTranspose(t *testing.T) {
	for _, sh := range [][2]int{{1, 1}, {3, 5}, {16, 16}, {17, 40}, {33, 2}, {4, 9}, {70, 4}, {130, 67}} {
		r, c := sh[0], sh[1]
		src := randSlice(newRand(6), r*c)
		dst := make([]float32, r*c)
		transpose32(dst, src, r, c)
		src64 := make([]float64, r*c)
		for i, v := range src {
			src64[i] = float64(v)
		}
		dst64 := make([]float64, r*c)
		transpose64(dst64, src64, r, c)
		for i := range r {
			for j := range c {
				if dst[j*r+i] != src[i*c+j] || dst64[j*r+i] != src64[i*c+j] {
					t.Fatalf("%v: transpose[%d][%d] != src[%d][%d]", sh, j, i, i, j)
				}
			}
		}
	}
}

// TestArgsGo checks the portable bodies of the assembly kernels
// (kernel_args.go, bound to the kernel names without assembly) against the
// float64 oracles, through the argument blocks as gemmAsm, gemmNT,
// colSumAdd and dgemm fill them.
func TestArgsGo(t *testing.T) {
	rng := newRand(7)
	for _, sh := range [][3]int{{1, 1, 1}, {13, 45, 7}, {9, 32, 0}, {17, 5, 33}} {
		for _, trans := range []bool{false, true} {
			for mode := modeSet; mode <= modeBias; mode++ {
				for epi := epiNone; epi <= epiMask; epi++ {
					m, n, k := sh[0], sh[1], sh[2]
					sai, sap, alen := k, 1, m*k
					if trans {
						sai, sap, alen = 1, m, k*m
					}
					a, b := randSlice(rng, alen), randSlice(rng, max(k, 1)*n)
					c0, bias, h := randSlice(rng, m*n), randSlice(rng, n), randSlice(rng, m*n)
					got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
					args := gemmArgs{a: ptr(a, 0), sai: 4 * sai, sap: 4 * sap, ldb: 4 * n, ldc: 4 * n,
						h: ptr(h, 0), bias: ptr(bias, 0), m: m, k: k, mode: mode, epi: epi}
					args.slope[0] = 0.2
					for j := 0; j < n; {
						w := min(n-j, 32)
						args.b, args.c, args.bias, args.h = ptr(b, j), ptr(got, j), ptr(bias, j), ptr(h, j)
						if w < 32 {
							w = min(w, 16)
							args.kmask, args.mask = 1<<w-1, laneMask(min(w, 8))
							if w < 16 {
								w = min(w, 8)
								panelArgsGo(&args, maskWidth(args.mask))
							} else {
								panelArgsGo(&args, kmaskWidth(args.kmask))
							}
						} else {
							panelArgsGo(&args, w)
						}
						j += w
					}
					gemmRef(m, n, k, a, sai, sap, b, n, want, n, mode, bias, epi, 0.2, h)
					for i := range m * n {
						// float32 accumulation, as in TestGemm.
						tol := 1e-6*float64(k+2)*(absDot(i/n, i%n, k, a, sai, sap, b, n)+3) + 1e-6
						if !close32(float64(got[i]), float64(want[i]), tol, 0) {
							t.Fatalf("%v T=%v mode %d epi %d: c[%d] = %g, want %g", sh, trans, mode, epi, i, got[i], want[i])
						}
					}
				}
			}
			// gemmNT and colSumAdd on the same shape (A row-major, B as n×k).
			m, n, k := sh[0], sh[1], sh[2]
			a, b, bias := randSlice(rng, m*k+1), randSlice(rng, n*k+1), randSlice(rng, n)
			got := make([]float32, m*n)
			ntArgsGo(&ntArgs{a: ptr(a, 0), lda: 4 * k, b: ptr(b, 0), ldb: 4 * k, c: ptr(got, 0), ldc: 4 * n,
				bias: ptr(bias, 0), m: m, n: n, k8: k / 8, ktail: k % 8, mode: modeBias})
			for i := range m {
				for j := range n {
					s, sa := float64(bias[j]), math.Abs(float64(bias[j]))
					for p := range k {
						s += float64(a[i*k+p]) * float64(b[j*k+p])
						sa += math.Abs(float64(a[i*k+p]) * float64(b[j*k+p]))
					}
					if !close32(float64(got[i*n+j]), s, 1e-6*float64(k+2)*sa+1e-6, 0) {
						t.Fatalf("nt %v: c[%d][%d] = %g, want %g", sh, i, j, got[i*n+j], s)
					}
				}
			}
			dst := make([]float32, n)
			colArgsGo(&colArgs{dst: ptr(dst, 0), src: ptr(got, 0), ld: 4 * n, rows: m, n: n})
			for j := range n {
				var s, sa float64
				for i := range m {
					s += float64(got[i*n+j])
					sa += math.Abs(float64(got[i*n+j]))
				}
				if !close32(float64(dst[j]), s, 1e-7*float64(m+1)*sa, 0) {
					t.Fatalf("colsum %v: column %d = %g, want %g", sh, j, dst[j], s)
				}
			}
			// dgemm's panels: C = A·B in float64, then C += A·B.
			a64, b64 := make([]float64, m*k+1), make([]float64, k*n+1)
			for i := range a64 {
				a64[i] = rng.NormFloat64()
			}
			for i := range b64 {
				b64[i] = rng.NormFloat64()
			}
			c64 := make([]float64, m*n)
			for mode := modeSet; mode <= modeAdd; mode++ {
				dargs := gemmArgs{a: unsafe.Pointer(&a64[0]), sai: 8 * k, sap: 8, b: unsafe.Pointer(&b64[0]),
					ldb: 8 * n, c: unsafe.Pointer(&c64[0]), ldc: 8 * n, m: m, k: k, mode: mode}
				dpanelArgsGo(&dargs, n)
			}
			for i := range m {
				for j := range n {
					s := 0.0
					for p := range k {
						s += a64[i*k+p] * b64[p*n+j]
					}
					// float64 sums of ≤ 34 O(1) terms, twice: 1e-12 absolute.
					if !close32(c64[i*n+j], 2*s, 1e-12, 0) {
						t.Fatalf("dgemm %v: c[%d][%d] = %g, want %g", sh, i, j, c64[i*n+j], 2*s)
					}
				}
			}
		}
	}
}

// TestTransposeCols32: the AVX2 8×8 blocks and the Go rest transpose any
// shape and column range exactly.
func TestTransposeCols32(t *testing.T) {
	rng := newRand(9)
	for _, sh := range [][2]int{{1, 1}, {3, 5}, {8, 8}, {9, 17}, {16, 40}, {128, 256}, {256, 512}, {45, 67}, {7, 64}} {
		rows, cols := sh[0], sh[1]
		src := randSlice(rng, rows*cols)
		for _, cr := range [][2]int{{0, cols}, {8 * (cols / 16), cols}, {0, 8 * (cols / 16)}, {4 * (cols / 8), cols}} {
			c0, c1 := cr[0], cr[1]
			dst := make([]float32, rows*cols)
			transposeCols32(dst, src, rows, cols, c0, c1)
			for c := range cols {
				for r := range rows {
					want := float32(0)
					if c >= c0 && c < c1 {
						want = src[r*cols+c]
					}
					if dst[c*rows+r] != want {
						t.Fatalf("%d×%d columns %d…%d: dst[%d][%d] = %v, want %v", rows, cols, c0, c1, c, r, dst[c*rows+r], want)
					}
				}
			}
		}
	}
}
