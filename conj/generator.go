package conj

import "math"

// Value returns f(x). It is +Inf outside dom f: for x < 0 for every kind,
// at x = 0 for ReverseKL, and for x ≠ 1 for Wasserstein (f = indicator of {1}).
func (f F) Value(x float64) float64 {
	f.check()
	if x < 0 {
		return math.Inf(1)
	}
	switch f.Kind {
	case KL:
		// f(x) = x log x, with 0 log 0 = 0 (paper §2).
		if x == 0 {
			return 0
		}
		return x * math.Log(x)
	case Alpha:
		// f_α(x) = (x^α − 1)/(α(α−1)) (paper §2, Remark B.5).
		a := f.Alpha
		return (math.Pow(x, a) - 1) / (a * (a - 1))
	case ReverseKL:
		// f(x) = −log x; −log 0 = +Inf.
		return -math.Log(x)
	case JensenShannon:
		// f(x) = ½[x log x − (1+x) log((1+x)/2)] (own normalisation: D_f is
		// ½KL(P‖M) + ½KL(Q‖M) with M = (P+Q)/2, so D_f ≤ log 2).
		if x == 0 {
			return 0.5 * math.Ln2
		}
		return 0.5 * (x*math.Log(x) - (1+x)*math.Log((1+x)/2))
	}
	// Wasserstein: indicator of {1}.
	if x == 1 {
		return 0
	}
	return math.Inf(1)
}

// Deriv returns f'(x) on the interior of dom f. At the boundary x = 0 it
// returns the one-sided limit (−Inf for KL, ReverseKL, JensenShannon and
// α < 1; 0 for α > 1). It returns NaN outside dom f and always for
// Wasserstein, whose domain {1} has an empty interior.
func (f F) Deriv(x float64) float64 {
	f.check()
	if !(x >= 0) || f.Kind == Wasserstein {
		return math.NaN()
	}
	switch f.Kind {
	case KL:
		// f'(x) = log x + 1.
		return math.Log(x) + 1
	case Alpha:
		// f_α'(x) = x^{α−1}/(α−1); Pow(0, α−1) is 0 for α > 1, +Inf for α < 1.
		a := f.Alpha
		return math.Pow(x, a-1) / (a - 1)
	case ReverseKL:
		// f'(x) = −1/x.
		if x == 0 {
			return math.Inf(-1)
		}
		return -1 / x
	}
	// JensenShannon: f'(x) = ½ log(2x/(1+x)) (own derivation), increasing
	// from −Inf at 0 to ½ log 2 as x → ∞.
	return 0.5 * math.Log(2*x/(1+x))
}
