package conj

import "math"

// jsHi is the right end of dom f* for JensenShannon: ½ log 2 = lim_{x→∞} f'(x).
const jsHi = 0.5 * math.Ln2

// ConjDomain returns dom f* = (−∞, hi) if open, else (−∞, hi]. hi is +Inf
// when f* is finite on all of ℝ (KL, α > 1, Wasserstein). Every
// divergence here has an open domain: f* is +Inf at hi itself.
func (f F) ConjDomain() (hi float64, open bool) {
	f.check()
	switch f.Kind {
	case Alpha:
		if f.Alpha < 1 {
			return 0, true
		}
	case ReverseKL:
		return 0, true
	case JensenShannon:
		return jsHi, true
	}
	return math.Inf(1), true
}

// Conj returns the Legendre–Fenchel conjugate f*(y) = sup_x {xy − f(x)}
// (paper eq. (1)); it is +Inf outside dom f* (see ConjDomain).
func (f F) Conj(y float64) float64 {
	f.check()
	switch f.Kind {
	case KL:
		// f*(y) = e^{y−1} (paper §2).
		return math.Exp(y - 1)
	case Alpha:
		// Paper eq. (42), Remark B.5, rewritten with u = (α−1)y:
		//	f*(y) = (1/α)[1/(α−1) + u^{α/(α−1)}]   for u > 0,
		// which is α > 1, y > 0 or 0 < α < 1, y < 0 (maximiser x = u^{1/(α−1)}).
		// For α > 1 and y ≤ 0 the sup is at x = 0: f*(y) = −f(0) = 1/(α(α−1)).
		// For α < 1 and y ≥ 0, xy − f(x) → +∞ as x → ∞ (f(x)/x → 0).
		// (Eq. (42) writes 1_{y>0} inside the α < 1 branch; it must be y < 0.)
		a := f.Alpha
		u := (a - 1) * y
		if u <= 0 {
			if a > 1 {
				return 1 / (a * (a - 1))
			}
			return math.Inf(1)
		}
		// u^{α/(α−1)} is computed as u·u^{1/(α−1)}, as in conjAndDeriv, so
		// that both give bit-identical values.
		return (1/(a-1) + u*math.Pow(u, 1/(a-1))) / a
	case ReverseKL:
		// f*(y) = −1 − log(−y) for y < 0 (maximiser x = −1/y); +Inf for y ≥ 0.
		if y >= 0 {
			return math.Inf(1)
		}
		return -1 - math.Log(-y)
	case JensenShannon:
		// Own derivation: y = f'(x) gives x = e^{2y}/(2 − e^{2y}) and
		//	f*(y) = x f'(x) − f(x) = ½ log((1+x)/2) = −½ log(2 − e^{2y}),  y < ½ log 2.
		// With t = 2y − log 2 < 0: f*(y) = −½[log 2 + log(1 − e^t)].
		if y >= jsHi {
			return math.Inf(1)
		}
		return -0.5 * (math.Ln2 + log1mexp(2*y-math.Ln2))
	}
	// Wasserstein: f*(y) = sup_{x∈{1}} xy = y (IPM limit, eq. (2)).
	return y
}

// ConjDeriv returns (f*)'(y) ≥ 0, the maximiser x*(y) of xy − f(x); it is
// +Inf outside dom f*.
func (f F) ConjDeriv(y float64) float64 {
	f.check()
	d1, _ := f.conjDerivs(y)
	return d1
}

// conjDerivs returns the first and second derivatives of f* at y; outside
// dom f* both are +Inf.
func (f F) conjDerivs(y float64) (d1, d2 float64) {
	switch f.Kind {
	case KL:
		// (f*)' = (f*)'' = e^{y−1}.
		d1 = math.Exp(y - 1)
		return d1, d1
	case Alpha:
		// With u = (α−1)y > 0: (f*)' = u^{1/(α−1)}, (f*)'' = u^{1/(α−1)−1} = (f*)'/u.
		a := f.Alpha
		u := (a - 1) * y
		if u <= 0 {
			if a > 1 {
				return 0, 0
			}
			return math.Inf(1), math.Inf(1)
		}
		d1 = math.Pow(u, 1/(a-1))
		return d1, d1 / u
	case ReverseKL:
		// (f*)' = −1/y, (f*)'' = 1/y² for y < 0.
		if y >= 0 {
			return math.Inf(1), math.Inf(1)
		}
		d1 = -1 / y
		return d1, d1 * d1
	case JensenShannon:
		// (f*)' = x = e^{2y}/(2 − e^{2y}) = 1/expm1(log 2 − 2y),
		// (f*)'' = dx/dy = 2x(1+x) (own derivation).
		if y >= jsHi {
			return math.Inf(1), math.Inf(1)
		}
		d1 = 1 / math.Expm1(math.Ln2-2*y)
		return d1, 2 * d1 * (1 + d1)
	}
	// Wasserstein.
	return 1, 0
}

// conjAndDeriv returns f*(y) and (f*)'(y), sharing work where possible.
func (f F) conjAndDeriv(y float64) (c, d1 float64) {
	switch f.Kind {
	case KL:
		d1 = math.Exp(y - 1)
		return d1, d1
	case Alpha:
		// u^{α/(α−1)} = u · u^{1/(α−1)}: one Pow for both.
		a := f.Alpha
		u := (a - 1) * y
		if u <= 0 {
			if a > 1 {
				return 1 / (a * (a - 1)), 0
			}
			return math.Inf(1), math.Inf(1)
		}
		d1 = math.Pow(u, 1/(a-1))
		return (1/(a-1) + u*d1) / a, d1
	case Wasserstein:
		return y, 1
	}
	c = f.Conj(y)
	d1, _ = f.conjDerivs(y)
	return c, d1
}

// log1mexp returns log(1 − e^t) for t < 0 accurately (Mächler 2012,
// "Accurately computing log(1 − exp(−|a|))": switch at t = −log 2).
func log1mexp(t float64) float64 {
	if t > -math.Ln2 {
		return math.Log(-math.Expm1(t))
	}
	return math.Log1p(-math.Exp(t))
}
