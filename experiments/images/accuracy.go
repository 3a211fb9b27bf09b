package images

import "math"

// Accuracy returns the share of i with pred[i] == want[i]: for
// conditional particles, want is each particle's class (does head c
// produce digit c?) and pred is the classifier's label.
func Accuracy(pred, want []int) float64 {
	if len(pred) != len(want) || len(pred) == 0 {
		panic("images: Accuracy: length mismatch")
	}
	var hit int
	for i, p := range pred {
		if p == want[i] {
			hit++
		}
	}
	return float64(hit) / float64(len(pred))
}

// ClassAccuracy returns Accuracy restricted to each class c in
// [0, classes): out[c] is NaN when no i has want[i] == c.
func ClassAccuracy(pred, want []int, classes int) []float64 {
	if len(pred) != len(want) || classes <= 0 {
		panic("images: ClassAccuracy: length mismatch")
	}
	hit := make([]int, classes)
	tot := make([]int, classes)
	for i, w := range want {
		if w < 0 || w >= classes {
			panic("images: ClassAccuracy: label out of range")
		}
		tot[w]++
		if pred[i] == w {
			hit[w]++
		}
	}
	out := make([]float64, classes)
	for c := range out {
		out[c] = math.NaN()
		if tot[c] > 0 {
			out[c] = float64(hit[c]) / float64(tot[c])
		}
	}
	return out
}
