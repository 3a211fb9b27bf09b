package images

import (
	"math"
	"testing"
)

func TestAccuracy(t *testing.T) {
	tests := []struct {
		pred, want []int
		acc        float64
		class      []float64 // per class 0..2; NaN = no samples
	}{
		{[]int{0, 1, 2}, []int{0, 1, 2}, 1, []float64{1, 1, 1}},
		{[]int{1, 1, 0, 0}, []int{0, 0, 1, 1}, 0, []float64{0, 0, math.NaN()}},
		{[]int{0, 2, 1, 1}, []int{0, 0, 1, 1}, 0.75, []float64{0.5, 1, math.NaN()}},
	}
	for _, tt := range tests {
		if got := Accuracy(tt.pred, tt.want); got != tt.acc {
			t.Errorf("Accuracy(%v, %v) = %g, want %g", tt.pred, tt.want, got, tt.acc)
		}
		got := ClassAccuracy(tt.pred, tt.want, 3)
		for c, w := range tt.class {
			if got[c] != w && !(math.IsNaN(got[c]) && math.IsNaN(w)) {
				t.Errorf("ClassAccuracy(%v, %v)[%d] = %g, want %g", tt.pred, tt.want, c, got[c], w)
			}
		}
	}
}
