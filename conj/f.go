package conj

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kind selects the generator f of an f-divergence.
type Kind uint8

const (
	// KL is the Kullback–Leibler divergence, f(x) = x log x (paper §2).
	KL Kind = iota
	// Alpha is the α-divergence, f(x) = (x^α − 1)/(α(α−1)) (paper §2, Remark B.5).
	Alpha
	// ReverseKL is the reverse Kullback–Leibler divergence, f(x) = −log x.
	ReverseKL
	// JensenShannon is the Jensen–Shannon divergence,
	// f(x) = ½[x log x − (1+x) log((1+x)/2)], so that D_f ≤ log 2.
	JensenShannon
	// Wasserstein is the IPM limit of eq. (2): f is the indicator of {1} and
	// f*(y) = y, so the ν-step of eq. (3) reduces to E_Q[φ].
	Wasserstein
)

// F is an f-divergence generator f with its Legendre conjugate f*.
//
// The zero value is KL. Alpha is used only when Kind == Alpha and must be
// finite, positive and different from 1; methods panic on an invalid F
// (values from Parse are always valid).
type F struct {
	Kind  Kind
	Alpha float64
}

// ErrInvalid is wrapped by every error returned from Parse.
var ErrInvalid = errors.New("conj: invalid divergence")

// validForms lists the spellings Parse accepts; it is quoted in its errors.
const validForms = `valid forms: "kl", "alpha:<α>" with α > 0 and α ≠ 1 (e.g. "alpha:2", "alpha:0.5"), "rkl", "js", "w1"`

// Parse reads a divergence name: "kl", "alpha:<α>", "rkl", "js" or "w1",
// case-insensitively and ignoring surrounding spaces. It rejects α ≤ 0,
// α = 1, NaN and ±Inf. Errors wrap ErrInvalid and quote s.
func Parse(s string) (F, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	switch name {
	case "kl":
		return F{Kind: KL}, nil
	case "rkl":
		return F{Kind: ReverseKL}, nil
	case "js":
		return F{Kind: JensenShannon}, nil
	case "w1":
		return F{Kind: Wasserstein}, nil
	}
	num, ok := strings.CutPrefix(name, "alpha:")
	if !ok {
		return F{}, fmt.Errorf("%w %q: %s", ErrInvalid, s, validForms)
	}
	a, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil {
		return F{}, fmt.Errorf("%w %q: α is not a number; %s", ErrInvalid, s, validForms)
	}
	if !validAlpha(a) {
		return F{}, fmt.Errorf("%w %q: α must be finite, > 0 and ≠ 1; %s", ErrInvalid, s, validForms)
	}
	return F{Kind: Alpha, Alpha: a}, nil
}

// String returns the form accepted by Parse ("kl", "alpha:2", "rkl", "js",
// "w1"); α is printed with the shortest representation that round-trips.
func (f F) String() string {
	switch f.Kind {
	case KL:
		return "kl"
	case Alpha:
		return "alpha:" + strconv.FormatFloat(f.Alpha, 'g', -1, 64)
	case ReverseKL:
		return "rkl"
	case JensenShannon:
		return "js"
	case Wasserstein:
		return "w1"
	}
	return "conj.Kind(" + strconv.Itoa(int(f.Kind)) + ")"
}

// validAlpha reports whether a is a usable α: finite, > 0 and ≠ 1
// (written positively so that NaN fails).
func validAlpha(a float64) bool {
	return a > 0 && a != 1 && !math.IsInf(a, 1)
}

// check panics if f is not a valid divergence.
func (f F) check() {
	switch f.Kind {
	case KL, ReverseKL, JensenShannon, Wasserstein:
		return
	case Alpha:
		if validAlpha(f.Alpha) {
			return
		}
		panic("conj: F: invalid Alpha (want finite α > 0, α ≠ 1)")
	}
	panic("conj: F: unknown Kind")
}
