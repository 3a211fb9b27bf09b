package genes

import "slices"

// MeanCenter removes per-batch mean differences, the simplest batch
// correction: each gene of each batch is shifted so that its batch mean
// equals the mean of the reference batch ref (which is left unchanged), or
// the grand mean over all samples if ref is "". x is rows×cols samples ×
// genes; the result is a new slice.
//
// MeanCenter panics if the shapes disagree or ref is not a batch.
func MeanCenter(x []float64, rows, cols int, batch []string, ref string) []float64 {
	if len(x) != rows*cols || len(batch) != rows {
		panic("genes: MeanCenter: shape mismatch")
	}
	if ref != "" && !slices.Contains(batch, ref) {
		panic("genes: MeanCenter: reference batch not found")
	}
	goal := make([]float64, cols)
	n := 0
	for i, b := range batch {
		if ref == "" || b == ref {
			for j, v := range x[i*cols : (i+1)*cols] {
				goal[j] += v
			}
			n++
		}
	}
	for j := range goal {
		goal[j] /= float64(n)
	}
	out := slices.Clone(x)
	for _, b := range distinct(batch) {
		if b == ref {
			continue
		}
		mean := make([]float64, cols)
		cnt := 0
		for i, bi := range batch {
			if bi == b {
				for j, v := range x[i*cols : (i+1)*cols] {
					mean[j] += v
				}
				cnt++
			}
		}
		for i, bi := range batch {
			if bi != b {
				continue
			}
			row := out[i*cols : (i+1)*cols]
			for j := range row {
				row[j] += goal[j] - mean[j]/float64(cnt)
			}
		}
	}
	return out
}
