package lipnet

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

// transposeCols writes rows c0 … c1−1 of the transpose (columns c0 … c1−1
// of src); c0 is a multiple of 4.
func transposeCols(dst, src []float32, rows, cols, c0, c1 int) {
	r4, c4 := rows&^3, c0+(c1-c0)&^3
	for r0 := 0; r0 < r4; r0 += 4 * transposeBlock {
		r1 := min(r0+4*transposeBlock, r4)
		for c := c0; c < c4; c += 4 {
			for r := r0; r < r1; r += 4 {
				s0 := src[r*cols+c : r*cols+c+4]
				s1 := src[(r+1)*cols+c : (r+1)*cols+c+4]
				s2 := src[(r+2)*cols+c : (r+2)*cols+c+4]
				s3 := src[(r+3)*cols+c : (r+3)*cols+c+4]
				d0 := dst[c*rows+r : c*rows+r+4]
				d1 := dst[(c+1)*rows+r : (c+1)*rows+r+4]
				d2 := dst[(c+2)*rows+r : (c+2)*rows+r+4]
				d3 := dst[(c+3)*rows+r : (c+3)*rows+r+4]
				d0[0], d0[1], d0[2], d0[3] = s0[0], s1[0], s2[0], s3[0]
				d1[0], d1[1], d1[2], d1[3] = s0[1], s1[1], s2[1], s3[1]
				d2[0], d2[1], d2[2], d2[3] = s0[2], s1[2], s2[2], s3[2]
				d3[0], d3[1], d3[2], d3[3] = s0[3], s1[3], s2[3], s3[3]
			}
		}
	}
	for r := range rows { // the last columns mod 4, and rows mod 4
		ca := c4
		if r >= r4 {
			ca = c0
		}
		for c := ca; c < c1; c++ {
			dst[c*rows+r] = src[r*cols+c]
		}
	}
}

// transpose64 is transpose32 for float64.
func transpose64(dst, src []float64, rows, cols int) {
	if rows == 0 || cols == 0 {
		return
	}
	_, _ = dst[rows*cols-1], src[rows*cols-1]
	r4, c4 := rows&^3, cols&^3
	for r0 := 0; r0 < r4; r0 += 4 * transposeBlock {
		r1 := min(r0+4*transposeBlock, r4)
		for c := 0; c < c4; c += 4 {
			for r := r0; r < r1; r += 4 {
				s0 := src[r*cols+c : r*cols+c+4]
				s1 := src[(r+1)*cols+c : (r+1)*cols+c+4]
				s2 := src[(r+2)*cols+c : (r+2)*cols+c+4]
				s3 := src[(r+3)*cols+c : (r+3)*cols+c+4]
				d0 := dst[c*rows+r : c*rows+r+4]
				d1 := dst[(c+1)*rows+r : (c+1)*rows+r+4]
				d2 := dst[(c+2)*rows+r : (c+2)*rows+r+4]
				d3 := dst[(c+3)*rows+r : (c+3)*rows+r+4]
				d0[0], d0[1], d0[2], d0[3] = s0[0], s1[0], s2[0], s3[0]
				d1[0], d1[1], d1[2], d1[3] = s0[1], s1[1], s2[1], s3[1]
				d2[0], d2[1], d2[2], d2[3] = s0[2], s1[2], s2[2], s3[2]
				d3[0], d3[1], d3[2], d3[3] = s0[3], s1[3], s2[3], s3[3]
			}
		}
	}
	for r := range rows {
		c0 := c4
		if r >= r4 {
			c0 = 0
		}
		for c := c0; c < cols; c++ {
			dst[c*rows+r] = src[r*cols+c]
		}
	}
}
