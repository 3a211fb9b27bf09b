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

// The CNN discriminator of the paper's Table 4a (with fewer channels) for
// conditional MNIST: three 5×5 stride-2 convolutions on 28×28×1 images,
// a dense layer, and one head per class. Spectral normalization bounds each
// convolution operator, so no head moves a particle faster than L.
func Example_cnn() {
	net, err := lipnet.New(lipnet.Config{
		InShape: [3]int{28, 28, 1}, Conv: []int{16, 32, 32}, Hidden: []int{64}, Out: 10,
		Act: lipnet.ReLU, Lipschitz: 1, Norm: lipnet.Spectral, Seed: 1,
	})
	if err != nil {
		panic(err)
	}
	cfg := net.Config()
	fmt.Println("In:", cfg.In, "depth:", net.Depth())

	// Two particles of class 3: ∇ₓφ₃ at each.
	y := make([]float32, 2*784)
	for i := range y {
		y[i] = float32(i%29) / 29
	}
	net.Forward(y, 2)
	dout := make([]float32, 2*10)
	dout[3], dout[10+3] = 1, 1
	v := make([]float32, len(y))
	net.InputGradTo(v, dout)
	fast := false
	for i := range 2 {
		var ss float64
		for _, g := range v[i*784 : (i+1)*784] {
			ss += float64(g) * float64(g)
		}
		fast = fast || math.Sqrt(ss) > 1
	}
	norms := make([]float64, net.Depth())
	net.LayerNorms(norms)
	prod := 1.0
	for _, s := range norms {
		prod *= s
	}
	fmt.Printf("Π layer bounds: %.2f, faster than L: %v\n", prod, fast)
	// Output:
	// In: 784 depth: 5
	// Π layer bounds: 1.00, faster than L: false
}
