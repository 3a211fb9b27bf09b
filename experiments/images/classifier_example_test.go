package images_test

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/experiments/images"
)

func ExampleTrainClassifier() {
	// Two classes of 4-pixel images: bright on the left or on the right.
	x := []float32{
		1, 1, 0, 0,
		0.9, 0.8, 0.1, 0,
		0, 0, 1, 1,
		0.1, 0, 0.9, 0.8,
	}
	labels := []int{0, 0, 1, 1}
	cfg := images.ClassifierConfig{In: 4, Hidden: []int{8, 4}, Classes: 2, Epochs: 200, Batch: 4, LR: 1e-2, Seed: 1}
	cl, err := images.TrainClassifier(cfg, x, labels, 4, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	pred := make([]int, 2)
	cl.Predict(pred, []float32{0.8, 1, 0, 0.2, 0, 0.2, 1, 0.9}, 2)
	f := make([]float32, 2*cl.FeatureDim())
	cl.FeaturesTo(f, x[:8], 2)
	fmt.Println(pred, cl.FeatureDim(), len(f))
	// Output: [0 1] 4 8
}
