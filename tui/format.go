package tui

import (
	"math"
	"strconv"
	"strings"
)

// fmtNum formats v compactly for a narrow panel: three significant digits,
// exponent form outside [1e-3, 1e5), "∞" and "NaN" spelled out.
func fmtNum(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "∞"
	case math.IsInf(v, -1):
		return "-∞"
	case v == 0:
		return "0"
	}
	a := math.Abs(v)
	if a >= 1e-3 && a < 1e5 {
		s := strconv.FormatFloat(v, 'f', decimals(a), 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
		return s
	}
	s := strconv.FormatFloat(v, 'e', 2, 64)
	// 1.50e-05 → 1.5e-5
	mant, exp, _ := strings.Cut(s, "e")
	if strings.Contains(mant, ".") {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	sign := exp[:1]
	exp = strings.TrimLeft(exp[1:], "0")
	if sign == "+" {
		sign = ""
	}
	return mant + "e" + sign + exp
}

// decimals is the number of decimals that shows three significant digits
// of a, for 1e-3 ≤ a < 1e5.
func decimals(a float64) int {
	d := 2 - int(math.Floor(math.Log10(a)))
	return max(d, 0)
}

// niceStep is the smallest of 1, 2, 5 × 10ᵏ that is ≥ raw > 0 (the usual
// "nice numbers" of axis labelling, Heckbert, Graphics Gems, 1990), as
// mantissa and exponent so that multiples can be formed exactly.
func niceStep(raw float64) (mant int, exp int) {
	exp = int(math.Floor(math.Log10(raw)))
	p := math.Pow10(exp)
	for _, m := range []int{1, 2, 5} {
		if float64(m)*p >= raw*(1-1e-9) {
			return m, exp
		}
	}
	return 1, exp + 1
}

// tickValue is k·mant·10^exp, rounded as the decimal literal would be
// (3 × 0.1 is 0.3, not 0.30000000000000004).
func tickValue(k int64, mant, exp int) float64 {
	if exp < 0 {
		return float64(k*int64(mant)) / math.Pow10(-exp)
	}
	return float64(k*int64(mant)) * math.Pow10(exp)
}

// niceTicks returns at most maxTicks multiples of a nice step inside
// [lo, hi], or nil when the range is empty or not finite.
func niceTicks(lo, hi float64, maxTicks int) []float64 {
	if !(hi > lo) || math.IsInf(hi-lo, 0) || maxTicks < 1 {
		return nil
	}
	mant, exp := niceStep((hi - lo) / float64(maxTicks))
	for {
		step := float64(mant) * math.Pow10(exp)
		k0 := int64(math.Ceil(lo/step - 1e-9))
		k1 := int64(math.Floor(hi/step + 1e-9))
		if k1-k0+1 <= int64(maxTicks) {
			ticks := make([]float64, 0, k1-k0+1)
			for k := k0; k <= k1; k++ {
				ticks = append(ticks, tickValue(k, mant, exp))
			}
			return ticks
		}
		// Next nice step: 1 → 2 → 5 → 10.
		switch mant {
		case 1:
			mant = 2
		case 2:
			mant = 5
		default:
			mant, exp = 1, exp+1
		}
	}
}
