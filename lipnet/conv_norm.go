package lipnet

import (
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Spectral normalization of a convolution, with a certified bound.
//
// The speed limit |∇ₓφ| ≤ L (eq. (11), Remark 3.2) needs the norm of each
// layer's linear map, here the convolution operator A: R^{h·w·cin} →
// R^{ho·wo·cout} with its stride and zero padding, not of the kernel
// (‖K‖_F or the σ_max of the reshaped kernel, as in the authors' code and
// Miyato et al., bound nothing: the operator's norm can be up to k times
// larger, since ‖A‖ ≤ Σ_p ‖K_p‖₂ ≤ k‖K‖_F is all that holds). A is
// far too large for the dense layers' Gram test (14·14·128 = 25088 columns
// for MNIST), so we bound it by a block-circulant matrix whose spectrum
// splits into small blocks (our own construction; the circulant idea is
// Sedghi, Gupta & Long 2019, "The singular values of convolutional layers",
// ICLR, for stride 1 and periodic inputs):
//
//  1. Gram. Write A_∞ for the same convolution on the infinite lattice.
//     Then A = P·A_∞·E with E the embedding of the image (zeros outside:
//     the padding) and P the restriction to the ho×wo outputs, so
//     AAᵀ = P A_∞ E Eᵀ A_∞ᵀ Pᵀ ⪯ T := P A_∞ A_∞ᵀ Pᵀ since E Eᵀ ⪯ I. T is
//     block Toeplitz: its block (o, o′) is R_{o−o′}, with the cout×cout lags
//
//     R_δ = Σ_p K_pᵀ K_{p+sδ}   (K_p the cin×cout tap p of the kernel),
//
//     non-zero for |δ| ≤ ℓ = ⌊(k−1)/s⌋ per axis (ℓ = 2 for 5×5, stride 2).
//     Likewise AᵀA ⪯ a block Toeplitz matrix on the input side after the
//     polyphase split of the input into s² phases (pixel s·a + b of the
//     padded image is phase b of lattice point a): a stride-1 convolution
//     with s²·cin input channels and lags S_Δ, n = s²·cin. We use the side
//     with the smaller n = min(cout, s²·cin) (for MNIST's first layer,
//     cin = 1: n = 4).
//  2. Circulant. On a torus of m₁×m₂ ≥ (grid + ℓ) lattice points, no lag
//     wraps onto another inside the grid, so T is a principal submatrix of
//     the block circulant C with the same lags, and λ_max(T) ≤ λ_max(C).
//     The discrete Fourier transform block-diagonalises C: its eigenvalues
//     are those of the n×n Hermitian matrices
//
//     G(ω) = Σ_δ R_δ e^{iω·δ},   ω = 2π(j₁/m₁, j₂/m₂),
//
//     so σ_max(A)² ≤ max_j λ_max(G(ω_j)). G(−ω) is the conjugate of G(ω),
//     so half of the m₁m₂ frequencies suffice; G = X + iY is checked as the
//     real symmetric [[X, −Y], [Y, X]] (same eigenvalues, each twice), or X
//     alone where Y = 0 (ω ∈ {0, π}²).
//  3. Certificate. For a candidate τ, the float64 Cholesky test of the
//     dense layers (choleskyOK, Rump 2006) certifies λ_max(G(ω_j)) < τ at
//     each frequency, with η bounding the rounding of the lags, of the
//     twiddle factors and of their sums (convCert.eta). τ comes from a
//     Lanczos run (lanczos.go) from a persistent vector v at the dominant
//     frequency j*, once per Normalize: its Ritz value ρ ≤ λ_max(G(ω_{j*}))
//     ≤ max_j λ_max gives τ = ρ(1+certSlack)². τ only grows during the sweep
//     over the frequencies, so a frequency certified early stays
//     certified: where a frequency fails, lanczosRestarts Lanczos runs
//     there raise τ (and take over j* when larger), and if that still
//     fails, bracket bisects between the failure and tr G(ω_j).
//
// What is guaranteed: σ̄ = √τ ≥ σ_max(A) for the stored float32 kernel in
// exact arithmetic, so after the scaling below the layer is L^{1/D}-Lipschitz
// and the speed limit holds as for dense nets. σ̄ is within (1+certSlack) of
// √max_j λ_max(G(ω_j)), the norm of the circulant C; that exceeds
// σ_max(A) by the boundary effect of the padding and the circulant
// embedding: 1–2% on 28×28 → 14×14, 3% on 14×14 → 7×7, 10–16% on
// 7×7 → 4×4 (TestConvOperatorNorm). On small output grids, where it is
// largest, conv_exact.go certifies the exact Gram of A instead (no gap).
// The scale is finally shrunk by the float32 rounding ΔK of the scaled
// kernel: the convolution is linear in K and each tap p acts as a
// selection of pixels (norm ≤ 1) times K_p, so ‖A_ΔK‖ ≤ Σ_p ‖ΔK_p‖₂ ≤
// 2⁻²⁴·Σ_p ‖K_p‖_F, a relative margin 2⁻²³·Σ_p ‖K_p‖_F/σ̄ (conv.normalize;
// a factor 2 to spare). Then max|∇ₓφ| ≤ L up to the float32 evaluation
// error of ∇φ itself, as for dense nets (TestConvSpeedLimit).
//
// Cost per Normalize: the lags (Σ_δ overlaps·cin·cout² ≈ 169·cin·cout²
// float64 multiply-adds for 5×5, stride 2) and, per frequency, forming G
// (≈ 25·n²) and one Cholesky factorisation ((2n)³/6): ≈ 0.5·10⁹
// multiply-adds for 128 → 128 channels on 14×14 (BenchmarkConvOps).

// convCert is the geometry of a convolution's certificate.
type convCert struct {
	exact  bool     // the exact Gram of A (conv_exact.go), else the circulant bound
	out    bool     // the output-side Gram AAᵀ, else the input side AᵀA
	n      int      // order of G(ω) (cout or s²·cin), or of the exact Gram (ho·wo·cout or h·w·cin)
	m1, m2 int      // the torus: frequencies ω = 2π(j₁/m₁, j₂/m₂), index f = j₁·m₂ + j₂
	lags   [][2]int // the half set {δ: δ₁ > 0, or δ₁ = 0 and δ₂ ≥ 0}, lags[0] = (0, 0)
	nt     int      // bound on the products summed in a lag entry
}

func newConvCert(g convGeom) convCert {
	c := convCert{nt: g.k * g.k * max(g.cin, g.cout)}
	if no, ni := g.outSize(), g.inSize(); useExact(g) {
		c.exact, c.out, c.n = true, no <= ni, min(no, ni)
		return c
	}
	nOut, nIn := g.cout, g.s*g.s*g.cin
	lg := (g.k - 1) / g.s // = ⌈k/s⌉ − 1, the lags of the polyphase kernel too
	c.out = nOut <= nIn
	if c.out {
		c.n, c.m1, c.m2 = nOut, g.ho+lg, g.wo+lg
	} else {
		// Lattice points of the padded image that hold at least one pixel.
		hp := (g.padT+g.h-1)/g.s - g.padT/g.s + 1
		wp := (g.padL+g.w-1)/g.s - g.padL/g.s + 1
		c.n, c.m1, c.m2 = nIn, hp+lg, wp+lg
	}
	for d1 := 0; d1 <= lg; d1++ {
		for d2 := -lg; d2 <= lg; d2++ {
			if d1 > 0 || d2 >= 0 {
				c.lags = append(c.lags, [2]int{d1, d2})
			}
		}
	}
	return c
}

// convPowerLen is the length of a convolution's slice of Net.PowerVectors:
// the dominant frequency index f (a small integer, exact in float32), then
// the power-iteration vector v of the real form of G(ω_f) (2n); with the
// exact Gram, f = 0 and v of the Gram's side (n: the input's or the
// output's shape).
func convPowerLen(g convGeom) int { return 1 + newConvCert(g).vecLen() }

// vecLen is the length of the power-iteration vector.
func (c convCert) vecLen() int {
	if c.exact {
		return c.n
	}
	return 2 * c.n
}

// convScratch is the float64 work space of the convolution certificates.
type convScratch struct {
	lagP, lagQ []float64 // per lag n×n: R_δ + R_δᵀ (for δ = 0: R₀ symmetrised) and R_δ − R_δᵀ
	v64, w64   []float64 // vecLen: power iteration
	vtry       []float32 // vecLen: power iteration at a frequency that failed
	blk        []float64 // a tap pair's block of the exact Gram
	lz         lanczosScratch
}

// grow sizes s for the certificate c of the convolution g.
func (s *convScratch) grow(c convCert, g convGeom) {
	nl := len(c.lags) * c.n * c.n
	if len(s.lagP) < nl {
		s.lagP, s.lagQ = make([]float64, nl), make([]float64, nl)
	}
	if N := c.vecLen(); len(s.v64) < N {
		s.v64, s.w64, s.vtry = make([]float64, N), make([]float64, N), make([]float32, N)
	}
	s.lz.grow(c.vecLen())
	if b := max(g.cin, g.cout); c.exact && len(s.blk) < b*b {
		s.blk = make([]float64, b*b)
	}
}

// canonical reports whether frequency f is the representative of {f, −f}.
func (c *convCert) canonical(f int) bool {
	j1, j2 := f/c.m2, f%c.m2
	return f <= ((c.m1-j1)%c.m1)*c.m2+(c.m2-j2)%c.m2
}

// realFreq reports whether G(ω_f) is real (ω ∈ {0, π}²).
func (c *convCert) realFreq(f int) bool {
	return (2*(f/c.m2))%c.m1 == 0 && (2*(f%c.m2))%c.m2 == 0
}

// lags computes the lags R_δ (or S_Δ) of the float32 kernel in float64 into
// s.conv.lagP and lagQ (see convScratch), and returns F = (Σ_p ‖K_p‖_F)²,
// which bounds ‖Σ_δ |R_δ|‖₂ (each pair of taps (p, p′) enters one lag
// entry once, and ‖|K_p|ᵀ|K_p′|‖₂ ≤ ‖K_p‖_F‖K_p′‖_F).
func (c *conv) lags(s *scratch) float64 {
	cc := &c.cert
	k, st, cin, cout, n := c.g.k, c.g.s, c.g.cin, c.g.cout, cc.n
	blk := cin * cout
	k64 := s.w64[:len(c.w)]
	var sumF float64
	for p := range k * k {
		var ss float64
		for i, v := range c.w[p*blk : p*blk+blk] {
			k64[p*blk+i] = float64(v)
			ss += float64(v) * float64(v)
		}
		sumF += math.Sqrt(ss)
	}
	n2 := n * n
	raw := s.conv.lagQ[:len(cc.lags)*n2]
	clear(raw)
	if cc.out {
		// R_δ = Σ_p K_pᵀ K_{p+sδ}; for a kernel row p₁ the valid p₂ are a
		// run of consecutive taps, consecutive rows of the (k·k·cin)×cout
		// matrix K.
		for l, d := range cc.lags {
			r := raw[l*n2 : l*n2+n2]
			sd1, sd2 := st*d[0], st*d[1]
			q0, q1 := max(0, -sd2), min(k, k-sd2)
			if q0 >= q1 {
				continue
			}
			for p1 := max(0, -sd1); p1 < min(k, k-sd1); p1++ {
				ra, rb := (p1*k+q0)*cin, ((p1+sd1)*k+q0+sd2)*cin
				dgemm(cout, cout, (q1-q0)*cin, k64[ra*cout:], 1, cout, k64[rb*cout:], cout, r, cout, modeAdd)
			}
		}
	} else {
		// S_Δ[(b, e), (b′, e′)] = Σ_q Σ_c K[s·q+b][e][c]·K[s·(q+Δ)+b′][e′][c],
		// phases b, b′ ∈ [0, s)², taps outside the kernel being zero.
		kt := s.wt64[:len(c.w)]
		for p := range k * k {
			transpose64(kt[p*blk:p*blk+blk], k64[p*blk:p*blk+blk], cin, cout)
		}
		Q := (k + st - 1) / st
		for l, d := range cc.lags {
			r := raw[l*n2 : l*n2+n2]
			for b := range st * st {
				for bb := range st * st {
					at := b*cin*n + bb*cin
					for q := range Q * Q {
						p1, p2 := st*(q/Q)+b/st, st*(q%Q)+b%st
						r1, r2 := st*(q/Q+d[0])+bb/st, st*(q%Q+d[1])+bb%st
						if p1 >= k || p2 >= k || r1 < 0 || r1 >= k || r2 < 0 || r2 >= k {
							continue
						}
						pa, pb := p1*k+p2, r1*k+r2
						dgemm(cin, cin, cout, k64[pa*blk:], cout, 1, kt[pb*blk:], cin, r[at:], n, modeAdd)
					}
				}
			}
		}
	}
	// Symmetric and antisymmetric parts, exactly (anti)symmetric in float64.
	p, q := s.conv.lagP[:len(raw)], raw
	for l := range cc.lags {
		pl, ql := p[l*n2:l*n2+n2], q[l*n2:l*n2+n2]
		for i := range n {
			for j := 0; j <= i; j++ {
				a, b := ql[i*n+j], ql[j*n+i]
				if l == 0 {
					pl[i*n+j], pl[j*n+i] = (a+b)/2, (a+b)/2
					continue
				}
				pl[i*n+j], pl[j*n+i] = a+b, a+b
				ql[i*n+j], ql[j*n+i] = a-b, b-a
			}
		}
	}
	return sumF * sumF * (1 + 0x1p-40) // rounding of the norms and sums
}

// trigErr bounds the error of a twiddle factor cos θ or sin θ from
// sincos2pi: math.Sincos is accurate to about one ulp (Cephes' sin/cos),
// and θ = 2π·num/den is rounded with relative error ≤ 2u, |Δθ| ≤ 4π·2⁻⁵³;
// 2⁻⁴⁶ leaves a factor ≥ 10 to spare.
const trigErr = 0x1p-46

// eta bounds ‖fl(G(ω)) − G(ω)‖₂ for the real form formed by formG, given
// F from lags (our own bound): each entry of X or Y is a sum of ≤ 2·|lags|
// products c·P with |c| ≤ 1 and P a sum of nt products of float32 values,
// so |ΔX|, |ΔY| ≤ ε·Σ_δ|R_δ| entrywise with ε = γ_nt + γ_{2|lags|+1} +
// trigErr (Higham, eq. (3.5); first order, doubled for the rest), and the
// real form [[ΔX, −ΔY], [ΔY, ΔX]] has norm ≤ ‖|ΔX| + |ΔY|‖₂ ≤ 2ε·F.
func (c *convCert) eta(F float64) float64 {
	gamma := func(k int) float64 { ku := float64(k) * 0x1p-53; return ku / (1 - ku) }
	eps := gamma(c.nt) + gamma(2*len(c.lags)+1) + trigErr
	return 2 * (2 * eps) * F
}

// sincos2pi returns sin and cos of 2π·num/den, exactly at multiples of π/2.
func sincos2pi(num, den int) (sin, cos float64) {
	num %= den
	if num < 0 {
		num += den
	}
	if (4*num)%den == 0 {
		switch 4 * num / den {
		case 0:
			return 0, 1
		case 1:
			return 1, 0
		case 2:
			return 0, -1
		default:
			return -1, 0
		}
	}
	return math.Sincos(2 * math.Pi * float64(num) / float64(den))
}

// formG writes the real form [[X, −Y], [Y, X]] of G(ω_f) = X + iY, full
// (2n)×(2n), into s.g and returns tr X = tr G(ω_f).
func (c *convCert) formG(s *scratch, f int) float64 {
	n, N, n2 := c.n, 2*c.n, c.n*c.n
	e := s.g[:N*N]
	p, q := s.conv.lagP, s.conv.lagQ
	j1, j2 := f/c.m2, f%c.m2
	for i := range n {
		copy(e[i*N:i*N+n], p[i*n:i*n+n]) // X = R₀ + …
		clear(e[(n+i)*N : (n+i)*N+n])    // Y = 0 + …
	}
	for l := 1; l < len(c.lags); l++ {
		d := c.lags[l]
		sn, cs := sincos2pi(j1*d[0]*c.m2+j2*d[1]*c.m1, c.m1*c.m2)
		pl, ql := p[l*n2:l*n2+n2], q[l*n2:l*n2+n2]
		for i := range n {
			x, y := e[i*N:i*N+n], e[(n+i)*N:(n+i)*N+n]
			if cs != 0 {
				for j, v := range pl[i*n : i*n+n] {
					x[j] += cs * v
				}
			}
			if sn != 0 {
				for j, v := range ql[i*n : i*n+n] {
					y[j] += sn * v
				}
			}
		}
	}
	var tr float64
	for i := range n {
		x, y := e[i*N:i*N+n], e[(n+i)*N:(n+i)*N+n]
		xr, yr := e[(n+i)*N+n:(n+i)*N+N], e[i*N+n:i*N+N]
		for j := range n {
			xr[j], yr[j] = x[j], -y[j]
		}
		tr += x[i]
	}
	return tr
}

// certOK runs the Cholesky test at τ on G(ω_f) as formed in s.g.
func (c *convCert) certOK(s *scratch, f int, tau, eta float64) bool {
	N := 2 * c.n
	if c.realFreq(f) {
		return choleskyOK(s, s.g, c.n, N, tau, eta)
	}
	return choleskyOK(s, s.g, N, N, tau, eta)
}

// startFreq returns the stored dominant frequency, or 0 if the stored value
// is not a valid index (a foreign or corrupted PowerVectors).
func (c *conv) startFreq() int {
	v := float64(c.power[0])
	nf := c.cert.m1 * c.cert.m2
	if !(v >= 0 && v < float64(nf)) || v != math.Trunc(v) || !c.cert.canonical(int(v)) {
		return 0
	}
	return int(v)
}

// spectralBound returns a certified upper bound σ̄ ≥ σ_max(A) of the
// convolution operator (see the top of this file).
func (c *conv) spectralBound(s *scratch) float64 {
	cc := &c.cert
	if cc.exact {
		return c.exactBound(s)
	}
	F := c.lags(s)
	if !(F > 0) || math.IsInf(F, 0) {
		return math.Sqrt(F) // 0 for K = 0; NaN/Inf kernels stay so
	}
	eta := cc.eta(F)
	n, N := cc.n, 2*cc.n
	v, vtry := c.power[1:1+N], s.conv.vtry[:N]
	first := c.startFreq()
	best := first
	tr := cc.formG(s, first)
	rho := lanczos(s, N, v)
	tau := rho * sq(1+certSlack)
	path := 0 // 0 certified, 1 retried, 2 bisected
	for i := -1; i < cc.m1*cc.m2; i++ {
		f := i
		if i < 0 {
			f = first // already formed
		} else if f == first || !cc.canonical(f) {
			continue
		} else {
			tr = cc.formG(s, f)
		}
		if cc.certOK(s, f, tau, eta) {
			continue
		}
		path = max(path, 1)
		copy(vtry, v)
		var r float64
		for range lanczosRestarts {
			r = lanczos(s, N, vtry)
		}
		if r > rho {
			rho, best = r, f
			copy(v, vtry)
		}
		tau = max(tau, r*sq(1+certSlack))
		if cc.certOK(s, f, tau, eta) {
			continue
		}
		path = 2
		tau = bracket(tau, tr, n, func(t float64) bool { return cc.certOK(s, f, t, eta) })
		rho, best = tau/sq(1+certSlack), f
		copy(v, vtry)
	}
	c.power[0] = float32(best)
	switch path {
	case 0:
		s.certified++
	case 1:
		s.retried++
	default:
		s.bisected++
	}
	return math.Sqrt(tau)
}

// warmup draws the power vector from rng, finds the dominant frequency by
// a Lanczos run at each, and refines its vector by lanczosRestarts more.
func (c *conv) warmup(s *scratch, rng *rand.Rand) {
	cc := &c.cert
	N := cc.vecLen()
	v := c.power[1 : 1+N]
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	if cc.exact {
		c.gram(s)
		for range lanczosRestarts {
			lanczos(s, N, v)
		}
		return
	}
	if F := c.lags(s); !(F > 0) || math.IsInf(F, 0) {
		return
	}
	start := append([]float32(nil), v...)
	best, rhoBest := 0, -1.0
	vtry := s.conv.vtry[:N]
	for f := range cc.m1 * cc.m2 {
		if !cc.canonical(f) {
			continue
		}
		cc.formG(s, f)
		copy(vtry, start)
		r := lanczos(s, N, vtry)
		if r > rhoBest {
			best, rhoBest = f, r
			copy(v, vtry)
		}
	}
	cc.formG(s, best)
	for range lanczosRestarts {
		lanczos(s, N, v)
	}
	c.power[0] = float32(best)
}

// normalize rescales K so that the operator norm is at most target (see
// Normalize and the top of this file).
func (c *conv) normalize(target float64, kind Normalization, s *scratch) {
	switch kind {
	case Frobenius:
		// ‖K‖_F as the authors' code: does not bound the operator norm.
		rescale(c.w, target, norm32(c.w), 0x1p-23)
	case Spectral:
		// The float32 rounding ΔK of the scaled kernel adds at most
		// ‖A_ΔK‖ ≤ Σ_p ‖ΔK_p‖_F ≤ 2⁻²⁴·Σ_p ‖K_p‖_F to the operator norm.
		bound := c.spectralBound(s)
		rescale(c.w, target, bound, 0x1p-23*c.tapNorms()/bound)
	}
}

// tapNorms returns Σ_p ‖K_p‖_F, rounded up.
func (c *conv) tapNorms() float64 {
	blk := c.g.cin * c.g.cout
	var sum float64
	for p := range c.g.k * c.g.k {
		sum += norm32(c.w[p*blk : p*blk+blk])
	}
	return sum * (1 + 0x1p-40)
}

// opNorm returns √max_j λ_max(G(ω_j)), the circulant bound that Spectral
// normalizes, by symmetric eigendecompositions in float64 (allocates).
func (c *conv) opNorm() float64 {
	s := newScratch(nil, []convGeom{c.g})
	cc := &c.cert
	if cc.exact {
		c.gram(s)
		var es mat.EigenSym
		if !es.Factorize(mat.NewSymDense(cc.n, append([]float64(nil), s.g[:cc.n*cc.n]...)), false) {
			return math.NaN()
		}
		vals := es.Values(nil)
		return math.Sqrt(max(vals[len(vals)-1], 0))
	}
	F := c.lags(s)
	if !(F > 0) || math.IsInf(F, 0) {
		return math.Sqrt(F)
	}
	N := 2 * cc.n
	var es mat.EigenSym
	var lmax float64
	for f := range cc.m1 * cc.m2 {
		if !cc.canonical(f) {
			continue
		}
		cc.formG(s, f)
		if !es.Factorize(mat.NewSymDense(N, append([]float64(nil), s.g[:N*N]...)), false) {
			return math.NaN()
		}
		vals := es.Values(nil)
		lmax = max(lmax, vals[len(vals)-1])
	}
	return math.Sqrt(lmax)
}
