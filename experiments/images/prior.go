package images

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Prior is the distribution the initial particles Y₀ are drawn from, iid
// per pixel.
type Prior int

const (
	// Logistic is Logistic(0, 1) per pixel, the paper's choice
	// (Appendix F.2: "initial particles from the logistic distribution").
	Logistic Prior = iota
	// Uniform is Uniform[0, 1) per pixel, the target pixel range.
	Uniform
	// Gaussian is N(0, 1) per pixel.
	Gaussian
)

// String returns the name ParsePrior accepts.
func (p Prior) String() string {
	switch p {
	case Logistic:
		return "logistic"
	case Uniform:
		return "uniform"
	case Gaussian:
		return "gaussian"
	}
	return fmt.Sprintf("Prior(%d)", int(p))
}

// ParsePrior parses "logistic", "uniform" or "gaussian".
func ParsePrior(s string) (Prior, error) {
	for _, p := range []Prior{Logistic, Uniform, Gaussian} {
		if s == p.String() {
			return p, nil
		}
	}
	return 0, fmt.Errorf("images: unknown prior %q (want logistic, uniform or gaussian)", s)
}

// SampleTo fills dst with iid draws from p.
//
//	Logistic(0,1) by inversion: x = log(u / (1−u)), u ~ U(0,1)
func (p Prior) SampleTo(dst []float32, rng *rand.Rand) {
	switch p {
	case Logistic:
		for i := range dst {
			u := rng.Float64()
			for u == 0 { // Float64 is in [0,1); log(0) would give −Inf
				u = rng.Float64()
			}
			dst[i] = float32(math.Log(u) - math.Log1p(-u))
		}
	case Uniform:
		for i := range dst {
			dst[i] = rng.Float32()
		}
	case Gaussian:
		for i := range dst {
			dst[i] = float32(rng.NormFloat64())
		}
	default:
		panic("images: Prior.SampleTo: unknown prior")
	}
}

// ClassLabels returns the class of each of m conditional particles:
// contiguous blocks, particle i in class ⌊i·classes/m⌋, so block sizes
// differ by at most one and M ≠ N is allowed (600 particles for 200
// targets gives 60 per class).
func ClassLabels(m, classes int) []int {
	if m < 0 || classes <= 0 {
		panic("images: ClassLabels: bad size")
	}
	out := make([]int, m)
	for i := range out {
		out[i] = i * classes / m
	}
	return out
}
