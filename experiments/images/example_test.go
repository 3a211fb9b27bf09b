package images_test

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/experiments/images"
)

func ExampleClassLabels() {
	// 6 conditional particles for 3 classes, in blocks.
	fmt.Println(images.ClassLabels(6, 3))
	// Output: [0 0 1 1 2 2]
}

func ExampleFrechetDistance() {
	// Two 1-D feature sets: {0, 2} (mean 1, variance 2) and {4, 8}
	// (mean 6, variance 8): 5² + (√2 − √8)² = 25 + 2 = 27.
	d, err := images.FrechetDistance([]float32{0, 2}, 2, []float32{4, 8}, 2, 1)
	fmt.Printf("%.6f %v\n", d, err)
	// Output: 27.000000 <nil>
}

func ExampleMemorization() {
	targets := []float32{0, 1, 3, 7} // 1-D; nearest-neighbour distances 1 1 2 4
	mz := images.NewMemorization(targets, 4, 1)
	r := mz.Measure([]float32{3.05, 2, 20}, 3)
	fmt.Printf("τ=%.1f share=%.2f copies=%.2f\n", mz.Threshold, r.Share, r.RatioShare)
	// Output: τ=1.5 share=0.67 copies=0.33
}
