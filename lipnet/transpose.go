package lipnet

//go:generate sh -c "(echo '// Code generated from transpose_cols.go by go generate; DO NOT EDIT.'; echo; gofmt -r 'float32 -> float64' transpose_cols.go | gofmt -r 'transposeCols -> transposeCols64') > transpose_cols64.go"

// transposeBlock is the number of 4-row strips that the transposes walk
// across all columns before moving down: 64 rows of a 512-wide float64
// matrix are 256 KiB, so the destination rows stay in L2.
const transposeBlock = 16

// transpose32 writes the transpose of src (rows×cols) into dst (cols×rows),
// by 4×4 tiles held in registers (2.3× faster than element by element on
// the 256×512 layers of the latent net); large ones over the threads.
func transpose32(dst, src []float32, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_, _ = dst[rows*cols-1], src[rows*cols-1]
	if rows*cols >= transposeParallelMin && Threads() > 1 {
		parallelTranspose(dst, src, rows, cols)
		return
	}
	transposeCols32(dst, src, rows, cols, 0, cols)
}

// transposeCols32 is transposeCols, by 8×8 blocks in AVX2 registers
// (transpose8AVX2) where c0 is a multiple of 8, the rest in Go.
func transposeCols32(dst, src []float32, rows, cols, c0, c1 int) {
	if useAVX2 && c0%8 == 0 && rows >= 8 && c1-c0 >= 8 {
		c8, r8 := c0+(c1-c0)&^7, rows&^7
		_, _ = dst[c8*rows-1], src[(r8-1)*cols+c8-1]
		for r := 0; r < r8; r += 8 {
			transpose8AVX2(&dst[c0*rows+r], 4*rows, &src[r*cols+c0], 4*cols, (c8-c0)/8)
		}
		for r := r8; r < rows; r++ {
			for c := c0; c < c8; c++ {
				dst[c*rows+r] = src[r*cols+c]
			}
		}
		c0 = c8
	}
	if c0 < c1 {
		transposeCols(dst, src, rows, cols, c0, c1)
	}
}

// transposeParallelMin is the least size of a transpose split over the
// threads (≈ 20 µs on one).
const transposeParallelMin = 1 << 16

// transpose64 is transpose32 for float64 (the certificate's kernels),
// on one thread: transposeCols64 is generated from transposeCols.
func transpose64(dst, src []float64, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_, _ = dst[rows*cols-1], src[rows*cols-1]
	transposeCols64(dst, src, rows, cols, 0, cols)
}
