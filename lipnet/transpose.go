package lipnet

// transposeBlock is the tile edge of the transposes: a 16×16 tile of
// float64 is 2 KiB, so a tile's rows and columns stay in L1.
const transposeBlock = 16

// transpose32 writes the transpose of src (rows×cols) into dst (cols×rows).
func transpose32(dst, src []float32, rows, cols int) {
	_, _ = dst[rows*cols-1], src[rows*cols-1]
	for r0 := 0; r0 < rows; r0 += transposeBlock {
		r1 := min(r0+transposeBlock, rows)
		for c0 := 0; c0 < cols; c0 += transposeBlock {
			c1 := min(c0+transposeBlock, cols)
			for r := r0; r < r1; r++ {
				for c, v := range src[r*cols+c0 : r*cols+c1] {
					dst[(c0+c)*rows+r] = v
				}
			}
		}
	}
}

// transpose64 is transpose32 for float64.
func transpose64(dst, src []float64, rows, cols int) {
	_, _ = dst[rows*cols-1], src[rows*cols-1]
	for r0 := 0; r0 < rows; r0 += transposeBlock {
		r1 := min(r0+transposeBlock, rows)
		for c0 := 0; c0 < cols; c0 += transposeBlock {
			c1 := min(c0+transposeBlock, cols)
			for r := r0; r < r1; r++ {
				for c, v := range src[r*cols+c0 : r*cols+c1] {
					dst[(c0+c)*rows+r] = v
				}
			}
		}
	}
}
