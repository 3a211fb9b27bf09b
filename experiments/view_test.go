package experiments

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

// TestPCAViewLift: the PCA view's Lift maps plane coordinates to points of
// the plane through the targets' mean (To2D∘Lift is the identity), and the
// mean itself sits at the origin.
func TestPCAViewLift(t *testing.T) {
	const n, d = 50, 5
	rng := rand.New(rand.NewPCG(1, 2))
	x := make([]float32, n*d)
	for i := range x {
		x[i] = float32(rng.NormFloat64()*float64(1+i%d)) + 3
	}
	v := pcaView(&core.Problem{X: x, N: n, D: d, M: 1, Y: make([]float32, d)})
	pts := []float32{0, 0, 1.5, -2, -0.25, 4}
	lifted := make([]float32, 3*d)
	v.Lift(lifted, pts, 3)
	back := make([]float32, 6)
	v.To2D(back, lifted, 3)
	for i := range pts {
		// float32 coordinates through a float64 projection and back:
		// 1e-4 absolute is ~1e3 ulps of the values here.
		if math.Abs(float64(back[i]-pts[i])) > 1e-4 {
			t.Fatalf("To2D(Lift(%v)) = %v", pts, back)
		}
	}
	for k := range d {
		var mean float64
		for i := range n {
			mean += float64(x[i*d+k]) / n
		}
		if math.Abs(float64(lifted[k])-mean) > 1e-4 {
			t.Errorf("Lift(0, 0)[%d] = %g, want the targets' mean %g", k, lifted[k], mean)
		}
	}
}
