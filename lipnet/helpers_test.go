package lipnet

import (
	"math"
	"math/rand/v2"
)

// close32 reports whether got is within abs + rel·|want| of want.
func close32(got, want float64, abs, rel float64) bool {
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

// newRand returns a deterministic generator for a test.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// randSlice returns n standard-normal float32s.
func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// randomTraining takes steps−1 optimiser steps (SGD lr 0.05, or Adam lr
// 0.02 when opt is "adam") with N(0,1) gradients, each followed by
// Normalize, and calls check with the product of the exact layer norms
// Π‖layer‖ before the first step and after every 10th. Large random
// gradients move the singular vectors far between two Normalize calls:
// the stale-power-vector case.
func randomTraining(n *Net, opt string, rng *rand.Rand, steps int, check func(step int, prod float64)) {
	var o Optimizer = NewSGD(0.05)
	if opt == "adam" {
		o = NewAdam(0.02, len(n.Params()))
	}
	norms := make([]float64, n.Depth())
	for step := range steps {
		if step > 0 {
			g := n.Grads()
			for i := range g {
				g[i] = float32(rng.NormFloat64())
			}
			o.Step(n.Params(), g)
			n.Normalize()
		}
		if step%10 != 0 {
			continue
		}
		n.LayerNorms(norms)
		prod := 1.0
		for _, s := range norms {
			prod *= s
		}
		check(step, prod)
	}
}
