package lipnet

import (
	"fmt"
	"math"
)

// Activation is the nonlinearity between the dense layers. All of them are
// 1-Lipschitz, so a net whose weight matrices have spectral norms σₗ is
// Π σₗ-Lipschitz.
type Activation uint8

// The activations.
const (
	ReLU      Activation = iota // max(z, 0)
	LeakyReLU                   // max(z, s·z), slope s = Config.Slope (default 0.2)
	Softplus                    // log(1 + eᶻ)
	ELU                         // z for z > 0, eᶻ − 1 otherwise (α = 1)
	GroupSort                   // MaxMin: pairs (z₂ₖ, z₂ₖ₊₁) sorted in decreasing order (groupsort.go)
)

var activationNames = [...]string{ReLU: "relu", LeakyReLU: "leaky-relu", Softplus: "softplus", ELU: "elu", GroupSort: "groupsort"}

// ParseActivation parses "relu", "leaky-relu", "softplus", "elu" or
// "groupsort".
func ParseActivation(s string) (Activation, error) {
	for a, name := range activationNames {
		if s == name {
			return Activation(a), nil
		}
	}
	return 0, fmt.Errorf("lipnet: unknown activation %q (want relu, leaky-relu, softplus, elu or groupsort)", s)
}

// String returns the name that ParseActivation accepts.
func (a Activation) String() string {
	if int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", uint8(a))
}

// Normalization is how Normalize bounds the norm of each weight matrix.
type Normalization uint8

// The normalizations.
const (
	// Spectral rescales W to spectral norm σ_max(W) = L^{1/D} (the paper's
	// Algorithm 1, lines 4 and 9), with a certified upper bound of σ_max;
	// for a convolution, of the norm of the whole convolution operator
	// (conv_norm.go).
	Spectral Normalization = iota
	// Frobenius rescales W to ‖W‖_F = L^{1/D}, as the authors' code does.
	// For a dense net, σ_max ≤ ‖W‖_F makes it L-Lipschitz, but usually well
	// below L. For a convolution it bounds nothing: dividing the kernel by
	// ‖K‖_F leaves the operator norm up to k = 5 times larger (≈ 1.9–2.6×
	// for smooth kernels, TestConvFrobeniusNotLipschitz), so a CNN may move
	// particles faster than L.
	Frobenius
	// None leaves the weights alone: the net is unconstrained.
	None
	// Bjorck orthonormalizes every dense weight matrix (all singular values
	// L^{1/D}, Björck iterations, bjorck.go) and then certifies it as
	// Spectral does; with GroupSort the net is gradient-norm preserving.
	Bjorck
)

var normalizationNames = [...]string{Spectral: "spectral", Frobenius: "frobenius", None: "none", Bjorck: "bjorck"}

// ParseNormalization parses "spectral", "frobenius", "none" or "bjorck".
func ParseNormalization(s string) (Normalization, error) {
	for n, name := range normalizationNames {
		if s == name {
			return Normalization(n), nil
		}
	}
	return 0, fmt.Errorf("lipnet: unknown normalization %q (want spectral, frobenius, none or bjorck)", s)
}

// String returns the name that ParseNormalization accepts.
func (n Normalization) String() string {
	if int(n) < len(normalizationNames) {
		return normalizationNames[n]
	}
	return fmt.Sprintf("Normalization(%d)", uint8(n))
}

// The activations that the matrix kernels cannot fuse (Softplus, ELU) run
// as separate passes over a layer's output, in float32 with the polynomial
// approximations below (kernel_amd64.s runs the same steps 8 lanes at a
// time). The polynomials are Cephes' expf (S. Moshier, relative error
// ≈ 1e-7 on [−ln2/2, ln2/2]), Taylor's series of eˣ − 1 on [−1/2, 0]
// (truncation < 1e-8 relative) and the atanh series of log(1+t),
// log(1+t) = 2·atanh(s), s = t/(2+t) ∈ [0, 1/3] for t ∈ [0, 1] (truncation
// (1/9)⁷/15 < 2e-8). TestActivationAccuracy bounds the total error.

// Constants of the polynomial activations.
const (
	expMin   = -87.0               // eˣ for x < expMin is flushed to e^expMin ≈ 1.6e-38
	log2e    = 1.44269504088896341 // log₂e
	ln2Hi    = 0.693359375         // ln2 = ln2Hi + ln2Lo (Cephes)
	ln2Lo    = -2.12194440e-4      //
	expP0    = 1.9875691500e-4     // Cephes expf: eʳ ≈ 1 + r + r²·P(r)
	expP1    = 1.3981999507e-3     //
	expP2    = 8.3334519073e-3     //
	expP3    = 4.1665795894e-2     //
	expP4    = 1.6666665459e-1     //
	expP5    = 5.0000001201e-1     //
	expm1Cut = -0.5                // expm1 uses its series on (expm1Cut, 0]
)

// expNeg returns eˣ for x ≤ 0.
func expNeg(x float32) float32 {
	x = max(x, expMin)
	k := float32(math.RoundToEven(float64(x * log2e)))
	r := x - k*ln2Hi
	r -= k * ln2Lo
	p := ((((expP0*r+expP1)*r+expP2)*r+expP3)*r+expP4)*r + expP5
	p = p*(r*r) + r + 1
	return p * math.Float32frombits(uint32(int32(k)+127)<<23)
}

// expm1Neg returns eˣ − 1 for x ≤ 0, accurately near 0.
func expm1Neg(x float32) float32 {
	if x > expm1Cut {
		q := (((((x*(1.0/40320)+1.0/5040)*x+1.0/720)*x+1.0/120)*x+1.0/24)*x+1.0/6)*x + 0.5
		return q*(x*x) + x
	}
	return expNeg(x) - 1
}

// log1p01 returns log(1+t) for t ∈ [0, 1].
func log1p01(t float32) float32 {
	s := t / (2 + t)
	s2 := s * s
	q := (((((s2*(1.0/13)+1.0/11)*s2+1.0/9)*s2+1.0/7)*s2+1.0/5)*s2+1.0/3)*s2 + 1
	return (s + s) * q
}

// softplusTo overwrites z with softplus(z) = max(z, 0) + log(1 + e^{−|z|}).
func softplusTo(z []float32) {
	i := actAVX2(actSoftplus, z, nil)
	for j, v := range z[i:] {
		z[i+j] = max(v, 0) + log1p01(expNeg(-abs32(v)))
	}
}

// softplusGrad multiplies g by softplus′(z) = σ(z) = 1 − e^{−h}, read from
// h = softplus(z) (exact identity: e^{−h} = 1/(1 + eᶻ)).
func softplusGrad(g, h []float32) {
	h = h[:len(g)]
	i := actAVX2(actSoftplusGrad, g, h)
	for j, v := range h[i:] {
		g[i+j] *= -expm1Neg(-v)
	}
}

// eluTo overwrites z with elu(z).
func eluTo(z []float32) {
	i := actAVX2(actELU, z, nil)
	for j, v := range z[i:] {
		if !(v > 0) {
			z[i+j] = expm1Neg(v)
		}
	}
}

// eluGrad multiplies g by elu′(z) = 1 (z > 0) or eᶻ = h + 1, read from h = elu(z).
func eluGrad(g, h []float32) {
	h = h[:len(g)]
	i := actAVX2(actELUGrad, g, h)
	for j, v := range h[i:] {
		if !(v > 0) {
			g[i+j] *= v + 1
		}
	}
}

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }
