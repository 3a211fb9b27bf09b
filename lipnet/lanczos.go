package lipnet

import "math"

// The lower estimate of λ_max for the convolution certificates.
//
// One power step per Normalize, as for the dense layers, lags behind the
// Gram matrices of convolutions: their top eigenvalues lie close together
// (neighbouring frequencies), power iteration converges like (λ₂/λ₁)^{2k},
// and the certificate at ρ(1+certSlack)² then fails and falls back to the
// costly bisection. The Lanczos iteration from the persistent vector
// converges like a Chebyshev polynomial, exp(−4k√(1 − λ₂/λ₁)) (Golub & Van
// Loan, Matrix Computations, §10.1.5), at the same k matrix-vector
// products: k = lanczosSteps costs k·n² against the n³/6 of one Cholesky
// test. The estimate only chooses the τ to certify: nothing rigorous rests
// on it.

// Lanczos parameters: steps per Normalize, and restarts of as many steps
// when the certificate failed (or in New).
const (
	lanczosSteps    = 12
	lanczosRestarts = 4
)

// lanczosK is the number of steps lanczos takes, lanczosSteps; tests lower
// it to 1 (a Rayleigh quotient that never improves) to reach bracket.
var lanczosK = lanczosSteps

// lanczosScratch holds the Lanczos basis and tridiagonal matrix.
type lanczosScratch struct {
	q           []float64 // lanczosSteps×n basis, row-major
	alpha, beta []float64 // diagonal and off-diagonal of T
	y, d        []float64 // eigenvector of T, LDLᵀ pivots
}

func (l *lanczosScratch) grow(n int) {
	if len(l.q) < lanczosSteps*n {
		l.q = make([]float64, lanczosSteps*n)
	}
	if l.alpha == nil {
		k := lanczosSteps
		l.alpha, l.beta, l.y, l.d = make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
	}
}

// lanczos runs up to lanczosSteps steps of the Lanczos iteration, with full
// reorthogonalisation, on the symmetric n×n matrix in s.g (full) from v
// (ones if v is zero or not finite), writes the Ritz vector of the largest
// Ritz value into v and returns that value θ, a lower estimate of λ_max.
func lanczos(s *scratch, n int, v []float32) float64 {
	ls := &s.conv.lz
	q, alpha, beta := ls.q[:lanczosSteps*n], ls.alpha, ls.beta
	w := s.conv.w64[:n]
	q0 := q[:n]
	var ss float64
	for i, x := range v[:n] {
		q0[i] = float64(x)
		ss += q0[i] * q0[i]
	}
	if !finitePositive(ss) {
		for i := range q0 {
			q0[i] = 1
		}
		ss = float64(n)
	}
	scale(q0, 1/math.Sqrt(ss))
	k, kmax, reset := 0, min(lanczosK, lanczosSteps), false
	for k < kmax {
		qk := q[k*n : k*n+n]
		dgemm(1, n, n, qk, n, 1, s.g, n, w, n, modeSet) // w = Gᵀq = Gq
		if k == 0 && !reset && !(dot64(w, w) > 0) {
			// v in the null space of G (or G·v not finite): restart once
			// from the ones, as the dense power iteration does.
			for i := range q0 {
				q0[i] = 1 / math.Sqrt(float64(n))
			}
			reset = true
			continue
		}
		alpha[k] = dot64(qk, w)
		k++
		// Full reorthogonalisation (classical Gram–Schmidt, twice) also
		// removes the α and β terms of the three-term recurrence.
		for range 2 {
			for j := range k {
				qj := q[j*n : j*n+n]
				axpy(w, -dot64(qj, w), qj)
			}
		}
		b := math.Sqrt(dot64(w, w))
		if k == kmax || !(b > 1e-12*math.Abs(alpha[0])) {
			break // full basis, or an invariant subspace
		}
		beta[k-1] = b
		next := q[k*n : k*n+n]
		for i, x := range w {
			next[i] = x / b
		}
	}
	theta := tridiagMax(alpha[:k], beta[:k-1])
	y := tridiagVec(ls, alpha[:k], beta[:k-1], theta)
	clear(w)
	for j, yj := range y {
		axpy(w, yj, q[j*n:j*n+n])
	}
	nw := math.Sqrt(dot64(w, w))
	for i, x := range w {
		v[i] = float32(x / nw)
	}
	return theta
}

// tridiagMax returns the largest eigenvalue of the symmetric tridiagonal
// matrix with diagonal a and off-diagonal b, by bisection on the Sturm
// count (Golub & Van Loan, §8.4.1) inside the Gershgorin interval.
func tridiagMax(a, b []float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for i, ai := range a {
		r := 0.0
		if i > 0 {
			r += math.Abs(b[i-1])
		}
		if i < len(b) {
			r += math.Abs(b[i])
		}
		lo, hi = min(lo, ai-r), max(hi, ai+r)
	}
	for range 200 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if sturmAbove(a, b, mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo
}

// sturmAbove returns the number of eigenvalues greater than x: the number
// of positive pivots of the LDLᵀ factorisation of T − xI (a zero pivot is
// nudged to −10⁻³⁰⁰, Kahan's trick).
func sturmAbove(a, b []float64, x float64) int {
	n := 0
	var d float64
	for i, ai := range a {
		if i == 0 {
			d = ai - x
		} else {
			d = ai - x - b[i-1]*b[i-1]/d
		}
		if d == 0 {
			d = -1e-300
		}
		if d > 0 {
			n++
		}
	}
	return n
}

// tridiagVec returns a unit eigenvector of T (diagonal a, off-diagonal b)
// for its largest eigenvalue θ, by two steps of inverse iteration with the
// shift θ′ = θ + 10⁻¹⁰·‖T‖: T − θ′I is negative definite, so its LDLᵀ
// factorisation needs no pivoting.
func tridiagVec(ls *lanczosScratch, a, b []float64, theta float64) []float64 {
	k := len(a)
	y, d := ls.y[:k], ls.d[:k]
	var norm float64
	for i, ai := range a {
		norm = max(norm, math.Abs(ai))
		if i < len(b) {
			norm = max(norm, math.Abs(b[i]))
		}
	}
	shift := theta + 1e-10*norm + 1e-300
	for i, ai := range a {
		d[i] = ai - shift
		if i > 0 {
			d[i] -= b[i-1] * b[i-1] / d[i-1]
		}
		if d[i] == 0 {
			d[i] = -1e-300
		}
	}
	for i := range y {
		y[i] = 1
	}
	for range 2 {
		for i := 1; i < k; i++ { // L z = y
			y[i] -= b[i-1] / d[i-1] * y[i-1]
		}
		for i := range y { // D w = z
			y[i] /= d[i]
		}
		for i := k - 2; i >= 0; i-- { // Lᵀ y = w
			y[i] -= b[i] / d[i] * y[i+1]
		}
		scale(y, 1/math.Sqrt(dot64(y, y)))
	}
	return y
}

// scale multiplies x by a.
func scale(x []float64, a float64) {
	for i := range x {
		x[i] *= a
	}
}

// axpy adds a·x to y.
func axpy(y []float64, a float64, x []float64) {
	x = x[:len(y)]
	for i, v := range x {
		y[i] += a * v
	}
}
