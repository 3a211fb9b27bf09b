package experiments

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments/images"
)

// tinySet is a labelled set of n 2×2 images in 3 classes, image i filled
// with i (so every image is distinct), plus one duplicate of image 0.
func tinySet(n int) *images.Set {
	s := &images.Set{Name: "tiny", N: n + 1, H: 2, W: 2, C: 1, Classes: []string{"a", "b", "c"}}
	for i := range n {
		s.Pix = append(s.Pix, uint8(i), uint8(i), uint8(i), uint8(i))
		s.Labels = append(s.Labels, i%3)
	}
	s.Pix = append(s.Pix, 0, 0, 0, 0) // a duplicate of image 0 (class 0)
	s.Labels = append(s.Labels, 0)
	return s
}

// TestHeldOut: the held-out images are per class, disjoint from the
// targets (a pixel-equal duplicate of a target counts as a target), the same
// for the same seed, and too few images is an error naming target.holdout.
func TestHeldOut(t *testing.T) {
	set := tinySet(30) // 10 images per class (11 in class 0 with the duplicate)
	targets, err := set.ClassSubset(3, rand.New(rand.NewPCG(1, streamTarget)))
	if err != nil {
		t.Fatal(err)
	}
	hold, err := heldOut(set, targets, 6, rand.New(rand.NewPCG(1, streamHoldout)))
	if err != nil {
		t.Fatal(err)
	}
	inTargets := map[string]bool{}
	for i := range targets.N {
		inTargets[string(targets.Row(i))] = true
	}
	count := make([]int, 3)
	seen := map[string]bool{}
	for i := range hold.N {
		r := string(hold.Row(i))
		if inTargets[r] {
			t.Errorf("held-out image %d (%v) is a target", i, hold.Row(i))
		}
		if seen[r] && r != string([]byte{0, 0, 0, 0}) {
			t.Errorf("held-out image %d drawn twice", i)
		}
		seen[r] = true
		count[hold.Labels[i]]++
	}
	for c, k := range count {
		if k != 6 {
			t.Errorf("class %d: %d held-out images, want 6", c, k)
		}
	}
	again, _ := heldOut(set, targets, 6, rand.New(rand.NewPCG(1, streamHoldout)))
	if string(again.Pix) != string(hold.Pix) {
		t.Error("same seed, different held-out images")
	}
	_, err = heldOut(set, targets, 8, rand.New(rand.NewPCG(1, streamHoldout)))
	var fe *core.FieldError
	if !errors.As(err, &fe) || fe.Key != "target.holdout" {
		t.Errorf("8 held out of 10 with 3 targets: err = %v, want a target.holdout error", err)
	}
}

// TestStopNeedsHoldout: flow.stop = "best-heldout" without a held-out split
// is an error naming the key; held-out images need an image target.
func TestStopNeedsHoldout(t *testing.T) {
	cfg := Config{Config: core.Config{
		Seed:          1,
		Divergence:    core.DivergenceConfig{F: "kl", Formulation: "dv"},
		Discriminator: core.DiscriminatorConfig{Hidden: []int{8}, Activation: "relu", Lipschitz: 1, Normalization: "spectral"},
		Train:         core.TrainConfig{Optimizer: "sgd", LR: 0.01, InnerSteps: 1},
		Flow:          core.FlowConfig{Dt: 1, Steps: 10, Solver: "euler", MetricsEvery: 10, Stop: "best-heldout"},
	}}
	cfg.Target = Dataset{Kind: "gaussian", N: 10, Mean: []float64{0, 0}, Std: 1}
	cfg.Prior = Dataset{Kind: "gaussian", N: 10, Mean: []float64{0, 0}, Std: 1}
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "flow.stop") {
		t.Errorf("best-heldout without a split: %v", err)
	}
	cfg.Flow.Stop = ""
	cfg.Target.Holdout = 5
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "target.holdout") {
		t.Errorf("holdout on a Gaussian target: %v", err)
	}
}
