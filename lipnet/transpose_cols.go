package lipnet

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
