package conj

import "math"

// maxNewton bounds the safeguarded Newton iterations of OptimalNu. Each
// iteration at least halves the bracket or takes a Newton step inside it;
// on the test inputs 1–7 iterations reach the tolerance.
const maxNewton = 100

// nuTol is the stopping tolerance on |mean_j (f*)'(g_j − ν) − 1| for
// N ≤ 256 targets: ~450 ulps of 1, well below the 1e-9 the engine needs.
// It grows like √N (see solveTau), as the rounding noise of a float64 sum
// of N terms does (measured: |m − 1| stalls near 3e-13 at N = 10⁵ for α = 2).
const nuTol = 1e-13

// stallULPs: OptimalNu also stops when a Newton or bisection step moves
// τ = ν − max g by at most this many ulps of max(1, |τ|): the float64
// resolution of τ, beyond which m cannot be brought closer to 1.
const stallULPs = 4

// OptimalNu returns ν* = argmin_ν { ν + mean_j f*(g_j − ν) } for the
// discriminator values g on the N targets, and the minimum value, i.e. the
// inner infimum of eq. (1) and eq. (3) for the empirical measure of the targets.
//
// The objective h(ν) = ν + mean_j f*(g_j − ν) is convex with
// h'(ν) = 1 − mean_j (f*)'(g_j − ν), so ν* solves mean_j (f*)'(g_j − ν) = 1.
//
//   - KL: closed form ν* = log mean_j e^{g_j} − 1 (own derivation from
//     e^{ν+1} = mean e^g), computed with a max-shift (log-sum-exp); the
//     minimum ν* + 1 = log E_Q e^φ is the Donsker–Varadhan term (paper §2).
//   - Wasserstein: h(ν) = mean g for every ν; it returns ν = 0.
//   - Others: safeguarded Newton on log mean (f*)'(g − ν) = 0, in the shifted
//     variable τ = ν − max g for float64 resolution at large |g|, inside the
//     bracket [max(min g − f'(1), max g − f'(N)), max g − f'(1)], which
//     contains ν*, keeps every g_j − ν inside dom f* (ν > max g − hi) and
//     bounds every (f*)'(g_j − ν) by N, so nothing overflows.
//
// If all g_j equal c then ν* = c − f'(1) and the value is c. If any g_j is
// NaN or ±Inf it returns NaN, NaN. It panics if g is empty and allocates nothing.
func (f F) OptimalNu(g []float32) (nu, value float64) {
	f.check()
	if len(g) == 0 {
		panic("conj: F.OptimalNu: empty g")
	}
	gmin, gmax, sum := float64(g[0]), float64(g[0]), 0.0
	for _, v := range g {
		x := float64(v)
		gmin = min(gmin, x)
		gmax = max(gmax, x)
		sum += x
	}
	if math.IsNaN(sum) || math.IsInf(sum, 0) {
		return math.NaN(), math.NaN()
	}
	n := float64(len(g))
	switch f.Kind {
	case Wasserstein:
		return 0, sum / n
	case KL:
		// log mean e^g = max g + log mean e^{g − max g}  (every term ≤ 1).
		var s float64
		for _, v := range g {
			s += math.Exp(float64(v) - gmax)
		}
		lme := gmax + math.Log(s/n)
		return lme - 1, lme
	}

	// Work with τ = ν − max g, so that g_j − ν = (g_j − max g) − τ where
	// g_j − max g is exact in float64 and τ = O(1 + spread of g): ν near
	// |g| ≈ 1e3 would otherwise only be resolved to ulp(1e3) ≈ 1e-13.
	//
	// Bracket (own derivation, using that (f*)' is nondecreasing with
	// inverse f' on the interior of dom f*):
	//	m(ν) := mean_j (f*)'(g_j − ν) ≤ (f*)'(max g − ν)  ⇒ ν* ≤ max g − f'(1),
	//	m(ν) ≥ (f*)'(min g − ν)                              ⇒ ν* ≥ min g − f'(1),
	//	m(ν) ≥ (f*)'(max g − ν)/N                            ⇒ ν* ≥ max g − f'(N).
	d1 := f.Deriv(1)
	lo := (gmin - gmax) - d1
	if dn := f.Deriv(n); !math.IsInf(dn, 0) {
		lo = max(lo, -dn)
	}
	hi := -d1
	tau := hi
	if lo < hi {
		// Start at mean g − f'(1), the solution if every g_j equalled mean g.
		tau = min(max(sum/n-gmax-d1, lo), hi)
		tau = f.solveTau(g, gmax, tau, lo, hi)
	}
	var s float64
	for _, v := range g {
		s += f.Conj((float64(v) - gmax) - tau)
	}
	return gmax + tau, gmax + (tau + s/n)
}

// solveTau returns τ in [lo, hi] with mean_j (f*)'((g_j − gmax) − τ) = 1 by
// Newton's method on ℓ(τ) = log m(τ), safeguarded by bisection.
func (f F) solveTau(g []float32, gmax, tau, lo, hi float64) float64 {
	n := float64(len(g))
	tol := nuTol * max(1, math.Sqrt(n/256))
	for range maxNewton {
		var s1, s2 float64 // Σ_j (f*)'(y_j), Σ_j (f*)''(y_j), y_j = g_j − ν
		for _, v := range g {
			a, b := f.conjDerivs((float64(v) - gmax) - tau)
			s1 += a
			s2 += b
		}
		m := s1 / n
		if math.Abs(m-1) <= tol {
			return tau
		}
		// m is nonincreasing in τ: m > 1 means τ < τ*.
		if m > 1 {
			lo = tau
		} else {
			hi = tau
		}
		// Newton: ℓ'(τ) = −Σ(f*)''/Σ(f*)', so the step is log(m)·s1/s2
		// (ℓ is linear for KL, and log m is better conditioned than m − 1
		// where (f*)' is steep).
		//
		// Stop once a Newton step is at the float64 resolution of τ: m is
		// then as close to 1 as the rounding of the y_j allows. (Tested
		// before the bracket, which such a step may not leave by rounding.)
		res := stallULPs * 0x1p-52 * max(1, math.Abs(tau))
		next := math.NaN()
		if s1 > 0 && s2 > 0 {
			step := math.Log(m) * s1 / s2
			if math.Abs(step) <= res {
				return tau + step
			}
			next = tau + step
		}
		if !(next > lo && next < hi) { // also catches NaN and ±Inf
			next = lo + (hi-lo)/2
		}
		if math.Abs(next-tau) <= res {
			return next
		}
		tau = next
	}
	return tau
}

// ConjMeanGradTo writes dst_j = (f*)'(g_j − ν)/N and returns
// mean_j f*(g_j − ν), accumulated in float64.
//
// dst_j is the derivative of mean_j f*(g_j − ν) with respect to g_j: the
// weight of target j in the gradient of the target term of eq. (3). At
// ν = ν* from OptimalNu the weights sum to 1 and are the optimal measure
// dγ* ∝ (f*)'(φ) dQ of Remark 2.2. When ν is learned instead (Algorithm 1,
// lines 7–8), 1 − Σ_j dst_j is the derivative of ν + mean_j f*(g_j − ν) in ν. Outside dom f* the entries and the
// result are +Inf. It panics if len(dst) != len(g) or g is empty, and
// allocates nothing.
func (f F) ConjMeanGradTo(dst []float32, g []float32, nu float64) float64 {
	f.check()
	if len(dst) != len(g) {
		panic("conj: F.ConjMeanGradTo: length mismatch")
	}
	if len(g) == 0 {
		panic("conj: F.ConjMeanGradTo: empty g")
	}
	dst = dst[:len(g)]
	inv := 1 / float64(len(g))
	var s float64
	for j, v := range g {
		c, d := f.conjAndDeriv(float64(v) - nu)
		s += c
		dst[j] = float32(d * inv)
	}
	return s * inv
}
