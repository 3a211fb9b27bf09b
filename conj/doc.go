// Package conj provides the f-divergence generators f of the Lipschitz
// regularized divergences (paper eq. (1) and eq. (3)), their Legendre–Fenchel
// conjugates f*(y) = sup_x {xy − f(x)} and the scalar "ν-step"
//
//	inf_ν { ν + E_Q[f*(φ − ν)] }                               (eq. (1), eq. (3))
//
// that the engine (package core) subtracts from E_P[φ].
//
// A divergence is a value of type F. Every generator is normalised so that
// f(1) = 0, hence D_f(P‖P) = 0 and, for a constant discriminator φ ≡ c,
// inf_ν {ν + f*(c − ν)} = c (so E_P[φ] − c = 0).
//
// Symbols follow the paper: g (or φ) are discriminator values on the N
// targets X, ν ("nu") is the scalar shift of eq. (3), f* is the conjugate.
// Scalar maths is float64; the hot-loop helpers take []float32 discriminator
// values and accumulate in float64.
package conj
