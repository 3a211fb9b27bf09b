package lipnet

import "math"

// The exact certificate of a small convolution.
//
// When one side of the operator A is small (h·w·cin or ho·wo·cout ≤
// exactMax) and the output grid is small too (≤ exactGrid rows or
// columns), the Gram matrix of the small side, G = AᵀA or AAᵀ, is formed
// exactly in float64 and certified as a dense layer's is: a Lanczos run
// from the persistent vector v (of the input's or the output's shape) gives
// its Ritz value ρ ≤ λ_max(G) = σ_max(A)², and the Cholesky test certifies
// λ_max(G) < τ = ρ(1+certSlack)², with retries and bracket as in
// dense.spectralBound. Then σ̄ = √τ is within (1+certSlack) of σ_max(A)
// itself, with no boundary gap. The circulant bound is loosest on small
// grids: ≈ 10–16% on MNIST's last layer, 7×7 → 4×4, against 3% on
// 14×14 → 7×7 and 1–2% on 28×28 → 14×14 (TestConvOperatorNorm), where
// the exact test would cost far more (784³/6 multiply-adds for the first
// layer, ≈ 10 ms per Normalize, against ≈ 0.1 ms) for little.

// exactMax bounds the order of an exactly certified Gram matrix: its
// Cholesky factorisation costs ≤ exactMax³/6 ≈ 1.8·10⁸ multiply-adds
// (≈ 20 ms), for a last layer of 64 channels (4·4·64 = 1024).
const exactMax = 1024

// exactGrid is the largest output grid side certified exactly: 2ℓ for the
// lags ℓ = 2 of 5×5 kernels with stride 2.
const exactGrid = 4

// forceCert overrides the choice of certificate in tests: 0 chooses as
// above, 1 takes the exact Gram whenever it is ≤ exactMax, 2 the
// circulant bound.
var forceCert = 0

// useExact reports whether the convolution g is certified exactly.
func useExact(g convGeom) bool {
	small := min(g.inSize(), g.outSize()) <= exactMax
	switch forceCert {
	case 1:
		return small
	case 2:
		return false
	}
	return small && min(g.ho, g.wo) <= exactGrid
}

// gram forms G = AᵀA (input side) or AAᵀ (output side), full, in s.g and
// returns a bound η of its rounding error and tr G = ‖A‖_F².
//
// Each tap pair (p, p′) contributes one block to all the pixel pairs it
// links: on the input side (AᵀA)[x, x′] += K_p·K_p′ᵀ (cin×cin) for every
// output o that reads x with tap p and x′ with tap p′; on the output side
// (AAᵀ)[o, o′] += K_pᵀ·K_p′ (cout×cout) for o′ = o + (p − p′)/s, when the
// pixel s·o + p − pad they share lies in the image.
//
// Rounding: an entry is a sum of at most nt = k²·max(cin, cout) products of
// float32 values, exact in float64, so |ΔG| ≤ γ_nt·|A|ᵀ|A| entrywise
// (Higham, eq. (3.5), any order of summation) and ‖|A|ᵀ|A|‖₂ ≤ ‖A‖_F² ≤
// ho·wo·‖K‖_F².
func (c *conv) gram(s *scratch) (eta, trace float64) {
	cc, g := &c.cert, c.g
	k, st, cin, cout, N := g.k, g.s, g.cin, g.cout, cc.n
	blk := cin * cout
	k64, kt := s.w64[:len(c.w)], s.wt64[:len(c.w)]
	var ss float64
	for i, v := range c.w {
		k64[i] = float64(v)
		ss += k64[i] * k64[i]
	}
	gm := s.g[:N*N]
	clear(gm)
	if cc.out {
		b := s.conv.blk[:cout*cout]
		for p := range k * k {
			for q := range k * k {
				d1, d2 := p/k-q/k, p%k-q%k
				if d1%st != 0 || d2%st != 0 {
					continue
				}
				d1, d2 = d1/st, d2/st
				computed := false
				for i := max(0, -d1); i < min(g.ho, g.ho-d1); i++ {
					y := i*st + p/k - g.padT
					if y < 0 || y >= g.h {
						continue
					}
					for j := max(0, -d2); j < min(g.wo, g.wo-d2); j++ {
						x := j*st + p%k - g.padL
						if x < 0 || x >= g.w {
							continue
						}
						if !computed {
							// b = K_pᵀ·K_q
							dgemm(cout, cout, cin, k64[p*blk:], 1, cout, k64[q*blk:], cout, b, cout, modeSet)
							computed = true
						}
						addBlock(gm, N, (i*g.wo+j)*cout, ((i+d1)*g.wo+j+d2)*cout, b, cout)
					}
				}
			}
		}
	} else {
		for p := range k * k {
			transpose64(kt[p*blk:p*blk+blk], k64[p*blk:p*blk+blk], cin, cout)
		}
		b := s.conv.blk[:cin*cin]
		for p := range k * k {
			for q := range k * k {
				computed := false
				for i := range g.ho {
					y, y2 := i*st+p/k-g.padT, i*st+q/k-g.padT
					if y < 0 || y >= g.h || y2 < 0 || y2 >= g.h {
						continue
					}
					for j := range g.wo {
						x, x2 := j*st+p%k-g.padL, j*st+q%k-g.padL
						if x < 0 || x >= g.w || x2 < 0 || x2 >= g.w {
							continue
						}
						if !computed {
							// b = K_p·K_qᵀ
							dgemm(cin, cin, cout, k64[p*blk:], cout, 1, kt[q*blk:], cin, b, cin, modeSet)
							computed = true
						}
						addBlock(gm, N, (y*g.w+x)*cin, (y2*g.w+x2)*cin, b, cin)
					}
				}
			}
		}
	}
	for i := range N {
		trace += gm[i*N+i]
	}
	ku := float64(cc.nt) * 0x1p-53
	gamma := ku / (1 - ku) * (1 + 0x1p-40) // γ_nt, rounded up
	return gamma * float64(g.ho*g.wo) * ss * (1 + 0x1p-40), trace
}

// addBlock adds the b×b block blk to g (N×N) at rows r, columns col.
func addBlock(g []float64, N, r, col int, blk []float64, b int) {
	for i := range b {
		dst := g[(r+i)*N+col : (r+i)*N+col+b]
		for j, v := range blk[i*b : i*b+b] {
			dst[j] += v
		}
	}
}

// exactBound returns a certified σ̄ ≥ σ_max(A) within (1+certSlack) of it
// from the exact Gram (see the top of this file).
func (c *conv) exactBound(s *scratch) float64 {
	N := c.cert.n
	eta, trace := c.gram(s)
	if !(trace > 0) || math.IsInf(trace, 0) {
		return math.Sqrt(trace) // 0 for K = 0; NaN/Inf kernels stay so
	}
	v := c.power[1 : 1+N]
	tau := lanczos(s, N, v) * sq(1+certSlack)
	if choleskyOK(s, s.g, N, N, tau, eta) {
		s.certified++
		return math.Sqrt(tau)
	}
	var rho float64
	for range lanczosRestarts {
		rho = lanczos(s, N, v)
	}
	if tau = rho * sq(1+certSlack); choleskyOK(s, s.g, N, N, tau, eta) {
		s.retried++
		return math.Sqrt(tau)
	}
	s.bisected++
	return math.Sqrt(bracket(tau, trace, N, func(t float64) bool { return choleskyOK(s, s.g, N, N, t, eta) }))
}
