package lipnet

import "fmt"

// GroupSort with groups of two (MaxMin; Anil, Lucas & Grosse 2019,
// "Sorting out Lipschitz function approximation", ICML) sorts each
// consecutive pair of a layer's outputs in decreasing order:
//
//	(z₂ₖ, z₂ₖ₊₁) ↦ (max(z₂ₖ, z₂ₖ₊₁), min(z₂ₖ, z₂ₖ₊₁)).
//
// On each region where the order does not change it is a permutation, so
// its Jacobian is orthogonal: it is 1-Lipschitz in the 2-norm (Π σ_max(W^l)
// still bounds the Lipschitz constant of φ, and the speed limit stays
// certified) and, unlike ReLU, it preserves the gradient norm. With
// orthonormal weights (normalization "bjorck", bjorck.go) the whole net is
// gradient-norm preserving, |∇φ| = L almost everywhere; ReLU nets with norm
// constraints cannot express functions like the cone −L|x − a| at full
// slope (Anil et al. 2019, Theorem 1), the optimal potential of a Dirac
// against an empirical measure (core's TestEstimateDiracEmpirical).

// sortMask remembers, for every pair of a layer's last forward pass,
// whether MaxMin swapped it, for the backward pass. It grows to the batch
// on first use and is reused afterwards.
type sortMask struct {
	swap []bool
}

// initGroupSort gives every GroupSort activation of n its mask.
func (n *Net) initGroupSort() {
	for l := range n.acts {
		if n.acts[l].on && n.acts[l].kind == GroupSort {
			n.acts[l].mask = &sortMask{}
		}
	}
}

// checkGroupSort rejects GroupSort on odd widths: the pairs must tile
// every hidden layer.
func (c Config) checkGroupSort() error {
	if c.Act != GroupSort {
		return nil
	}
	for i, h := range c.Hidden {
		if h%2 != 0 {
			return fmt.Errorf("%w: Hidden[%d] = %d: groupsort pairs the units of a layer, want an even width", ErrConfig, i, h)
		}
	}
	return nil
}

// sortTo overwrites z (an even number of values, pairs consecutive) with
// MaxMin(z) and records which pairs it swapped.
func (m *sortMask) sortTo(z []float32) {
	np := len(z) / 2
	if cap(m.swap) < np {
		m.swap = make([]bool, np)
	}
	m.swap = m.swap[:np]
	for k := range m.swap {
		a, b := z[2*k], z[2*k+1]
		// b > a, not !(a ≥ b): a NaN stays where it is and propagates.
		s := b > a
		if s {
			z[2*k], z[2*k+1] = b, a
		}
		m.swap[k] = s
	}
}

// gradTo turns g = ∂ℓ/∂(MaxMin(z)) into ∂ℓ/∂z in place: the transposed
// permutation, a swap of the pairs the forward pass swapped.
func (m *sortMask) gradTo(g []float32) {
	if len(g) != 2*len(m.swap) {
		panic("lipnet: groupsort: gradient of a batch the forward pass did not see")
	}
	for k, s := range m.swap {
		if s {
			g[2*k], g[2*k+1] = g[2*k+1], g[2*k]
		}
	}
}
