package lipnet_test

import (
	"fmt"
	"math"

	"github.com/gpa-tui/gpa-tui/lipnet"
)

// A discriminator for 2-D particles, trained one step and normalized, and
// the particle velocities ∇φ it produces, which never exceed L.
func Example() {
	net, err := lipnet.New(lipnet.Config{
		In: 2, Hidden: []int{32, 32, 32}, Out: 1,
		Act: lipnet.ReLU, Lipschitz: 1, Norm: lipnet.Spectral, Seed: 1,
	})
	if err != nil {
		panic(err)
	}
	y := []float32{0, 0, 1, 2, -3, 0.5} // three particles
	phi := net.Forward(y, 3)
	fmt.Println("outputs:", len(phi))

	// One step of gradient descent on ℓ = Σφ, then Algorithm 1 line 9.
	net.ZeroGrad()
	net.Backward([]float32{1, 1, 1}, nil)
	lipnet.NewSGD(0.01).Step(net.Params(), net.Grads())
	net.Normalize()

	// Velocities ∇φ(Yᵢ).
	net.Forward(y, 3)
	v := make([]float32, len(y))
	net.InputGradTo(v, []float32{1, 1, 1})
	fast := false
	for i := range 3 {
		speed := math.Hypot(float64(v[2*i]), float64(v[2*i+1]))
		fast = fast || speed > 1
	}
	fmt.Println("depth:", net.Depth(), "faster than L:", fast)
	// Output:
	// outputs: 3
	// depth: 4 faster than L: false
}

func ExampleNet_LayerNorms() {
	net, _ := lipnet.New(lipnet.Config{In: 3, Hidden: []int{16}, Out: 2, Lipschitz: 4, Norm: lipnet.Spectral, Seed: 2})
	norms := make([]float64, net.Depth())
	net.LayerNorms(norms)
	// Each σ_max(W) is certified ≤ L^{1/D} = 2 and within 1e-4 of it.
	for _, s := range norms {
		fmt.Printf("%.3f\n", s)
	}
	// Output:
	// 2.000
	// 2.000
}
