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
	transposeCols(dst, src, rows, cols, 0, cols)
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
