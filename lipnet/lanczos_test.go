package lipnet

import (
	"fmt"
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestLanczos checks the Ritz value against the eigenvalues of random
// positive semidefinite matrices: never above λ_max, equal to it when the
// Krylov space is the whole space, and the Ritz vector is its eigenvector.
func TestLanczos(t *testing.T) {
	for _, n := range []int{1, 5, lanczosSteps, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := newRand(uint64(n))
			b := mat.NewDense(n, n+3, nil)
			for i := range n {
				for j := range n + 3 {
					b.Set(i, j, rng.NormFloat64())
				}
			}
			var g mat.SymDense
			g.SymOuterK(1, b)
			var es mat.EigenSym
			es.Factorize(&g, false)
			vals := es.Values(nil)
			lmax := vals[n-1]
			s := &scratch{g: make([]float64, n*n)}
			s.conv.grow(convCert{exact: true, n: n}, convGeom{})
			for i := range n {
				for j := range n {
					s.g[i*n+j] = g.At(i, j)
				}
			}
			v := randSlice(rng, n)
			theta := lanczos(s, n, v)
			// Rounding of a Ritz value: a few ulps of ‖G‖.
			if theta > lmax*(1+1e-12) {
				t.Errorf("Ritz value %.15g > λ_max %.15g", theta, lmax)
			}
			if n <= lanczosSteps && !close32(theta, lmax, 0, 1e-10) {
				t.Errorf("full Krylov space: Ritz value %.15g, λ_max %.15g", theta, lmax)
			}
			if n <= lanczosSteps {
				// ‖Gv − θv‖ small: v is the top eigenvector (float32 storage).
				var r float64
				for i := range n {
					var gv float64
					for j := range n {
						gv += s.g[i*n+j] * float64(v[j])
					}
					r += sq(gv - theta*float64(v[i]))
				}
				if math.Sqrt(r) > 1e-5*lmax {
					t.Errorf("‖Gv − θv‖ = %g", math.Sqrt(r))
				}
			}
		})
	}
}

// TestLanczosNullStart starts in the null space of G = diag(0, 2, 3): the
// iteration restarts from the ones and still finds λ_max = 3.
func TestLanczosNullStart(t *testing.T) {
	const n = 3
	s := &scratch{g: []float64{0, 0, 0, 0, 2, 0, 0, 0, 3}}
	s.conv.grow(convCert{exact: true, n: n}, convGeom{})
	v := []float32{1, 0, 0}
	// Three steps span the space: exact up to rounding.
	if theta := lanczos(s, n, v); !close32(theta, 3, 0, 1e-12) {
		t.Errorf("Ritz value %g, want 3", theta)
	}
}
