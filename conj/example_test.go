package conj_test

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/conj"
)

func ExampleParse() {
	f, err := conj.Parse("alpha:2")
	if err != nil {
		panic(err)
	}
	hi, _ := f.ConjDomain()
	fmt.Printf("%v: f(3) = %g, f*(1) = %g, (f*)'(1) = %g, dom f* = (-inf, %g)\n",
		f, f.Value(3), f.Conj(1), f.ConjDeriv(1), hi)

	_, err = conj.Parse("alpha:1")
	fmt.Println(err != nil)
	// Output:
	// alpha:2: f(3) = 4, f*(1) = 1, (f*)'(1) = 1, dom f* = (-inf, +Inf)
	// true
}

func ExampleF_OptimalNu() {
	g := []float32{-1, 0, 2} // discriminator values φ(X_j) on N = 3 targets
	for _, name := range []string{"kl", "alpha:2", "w1"} {
		f, _ := conj.Parse(name)
		nu, value := f.OptimalNu(g)
		w := make([]float32, len(g))
		f.ConjMeanGradTo(w, g, nu)
		fmt.Printf("%-7s nu* = %.4f  inf_nu = %.4f  weights = %.3f\n", f, nu, value, w)
	}
	// Output:
	// kl      nu* = 0.0712  inf_nu = 1.0712  weights = [0.042 0.114 0.844]
	// alpha:2 nu* = -0.5000  inf_nu = 1.0833  weights = [0.000 0.167 0.833]
	// w1      nu* = 0.0000  inf_nu = 0.3333  weights = [0.333 0.333 0.333]
}
