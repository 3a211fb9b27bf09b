package lipnet

import (
	"math"
	"sync/atomic"

	"gonum.org/v1/gonum/mat"
)

// Spectral normalization with a certified bound.
//
// Algorithm 1 (lines 4 and 9) rescales every weight matrix to
// W ← L^{1/D}·W/σ_max(W), so that φ is L-Lipschitz (the activations are
// 1-Lipschitz) and no particle moves faster than L (eq. (11), Remark 3.2).
// Spectral normalization (Miyato et al. 2018) estimates σ_max by one power
// iteration per step with a persistent vector u:
//
//	v = Wᵀu/‖Wᵀu‖,   σ̂ = ‖Wv‖,   u ← Wv/σ̂.
//
// σ̂ is a Rayleigh quotient, so σ̂ ≤ σ_max: dividing by it can leave
// σ_max(W) above L^{1/D} whenever u lags behind W, and then the speed limit
// fails. We therefore divide by a certified upper bound σ̄ ≥ σ_max (our own
// construction):
//
//  1. τ = (σ̂(1+certSlack))². With G the smaller Gram matrix (WᵀW or WWᵀ,
//     formed in float64), λ_max(G) = σ_max². If the float64
//     Cholesky factorisation of (τ−η)I − G succeeds, τI − G is positive
//     definite (Rump 2006, "Verification of positive definiteness", BIT 46;
//     η bounds the rounding errors of forming G and of the factorisation),
//     so σ_max ≤ √τ = σ̄.
//  2. Otherwise u has lagged: certRetryIters more power iterations, and try
//     again with the new σ̂.
//  3. Otherwise search upwards from the failed τ with growing steps
//     (capped by tr G ≥ λ_max) until the Cholesky test certifies a τ, and
//     bisect between the last failure and it until the bracket is within
//     (1+certSlack)²; only certified values ever become the upper end.
//
// The scale L^{1/D}/σ̄ is finally shrunk by the float32 rounding of the
// stored weights, 2⁻²³·√rank (‖fl(sW) − sW‖₂ ≤ 2⁻²⁴‖sW‖_F ≤ 2⁻²⁴√r·‖sW‖₂),
// so that the stored float32 matrix has σ_max ≤ L^{1/D} in exact
// arithmetic, and φ is L-Lipschitz: max|∇ₓφ| ≤ L up to the float32
// evaluation error of ∇φ itself. The price is that σ_max(W) lies in
// [L^{1/D}/(1+certSlack), L^{1/D}] instead of being exactly L^{1/D}.
//
// Cost: forming G (in·out·min(in,out)/2 float64 multiply-adds per layer)
// and factorising it (n³/6). On the four-well net (2–32–32–32–1) one
// spectral Normalize takes ≈ 14 µs against ≈ 4 µs for Frobenius
// (BenchmarkNormalize, AVX-512), ≈ 20% of a GPA step; in a four-well run of
// the engine (lr 0.005, T_NN = 5) step 2 was needed for 0–7% of the layer
// updates and step 3 for ≤ 2% (more with Adam than with SGD). On the MNIST
// latent net (128–256–512–256–1) Normalize was ≈ 1/3 of the step, ≈ 1/4
// with the sub-blocked factorisation below; with more than one thread the
// layers are certified in parallel (normJob).
//
// A cheaper certificate by perturbation, σ(W + ΔW) ≤ σ̄(W) + ‖ΔW‖_F from
// the bound of the weights after the last Normalize, would keep the same
// weights only where it certifies the same τ, i.e. ‖ΔW‖_F ≤ √τ − σ̄(W):
// a margin of order certSlack·σ. One SGD step moves the layers of the
// benchmark workloads by ‖ΔW‖_F ≈ 1e-4–2e-3 (lr 0.005) and Adam by far
// more, and the test passed for 0 of 160 layer updates at lr 0.005, 0.001
// and 0.0001 on the four-well and latent nets (our measurement): it would
// cost a copy of W and save nothing, so we do not use it. Any looser
// scaling (dividing by the perturbation bound) would change the weights.
const (
	certSlack      = 1e-4 // relative gap allowed between σ̂ and the certified σ̄
	certRetryIters = 8    // power iterations before the second certificate
	bisectMax      = 64   // bisection steps (the bracket shrinks far faster)
	warmupIters    = 50   // power iterations on the initial weights (New)
)

// benchUncertified is for benchmarks only and is set only from _test.go
// files (there is no user-facing option): when true, a Spectral Normalize
// of a dense layer runs the peers' algorithm (peer_torch: PyTorch, NumPy,
// C + OpenBLAS) instead of the certified bound: one power iteration with
// the persistent vector and W ← L^{1/D}·W/σ̂, no Gram matrix, no Cholesky
// test, no rounding margin. σ̂ ≤ σ_max, so the net may exceed L; it exists
// to measure our kernels against the peers' on the same algorithm,
// separately from the certificate's cost.
var benchUncertified bool

// scratch holds float64 work space for Normalize.
type scratch struct {
	g, a []float64 // Gram matrix and its Cholesky factor, n×n
	w64  []float64 // W and Wᵀ in float64 (a conv kernel and its per-tap transposes)
	wt64 []float64
	bt   []float64 // cholBlock × n panel of the blocked factorisation
	u32  []float32 // power iteration vectors for the kernels
	v32  []float32
	conv convScratch
	orth orthWork // Björck iterations (bjorck.go)
	// certified, retried and bisected count how the spectral bounds were
	// obtained (for tests and benchmarks).
	certified, retried, bisected int
}

// resetStats zeroes the path counters.
func (s *scratch) resetStats() { s.certified, s.retried, s.bisected = 0, 0, 0 }

// newScratch sizes the work space for the dense layers of widths dims and
// the convolutions geoms.
func newScratch(dims []int, geoms []convGeom) *scratch {
	var maxDim, maxGram, maxN, maxW int
	for l := range len(dims) - 1 {
		maxW = max(maxW, dims[l]*dims[l+1])
		maxDim = max(maxDim, dims[l], dims[l+1])
		n := min(dims[l], dims[l+1])
		maxGram = max(maxGram, n*n)
		maxN = max(maxN, n)
	}
	var cs convScratch
	for _, g := range geoms {
		cc := newConvCert(g)
		N := cc.vecLen() // the exact Gram, or the real form of the Hermitian G(ω)
		maxW = max(maxW, g.patch()*g.cout)
		maxGram = max(maxGram, N*N)
		maxN = max(maxN, N)
		cs.grow(cc, g)
	}
	return &scratch{
		g: make([]float64, maxGram), a: make([]float64, maxGram),
		bt:  make([]float64, cholBlock*maxN),
		w64: make([]float64, maxW), wt64: make([]float64, maxW),
		u32: make([]float32, maxDim), v32: make([]float32, maxDim),
		conv: cs,
	}
}

// Normalize rescales every weight tensor to norm L^{1/D} (Algorithm 1,
// lines 4 and 9); biases are free. Spectral: W ← L^{1/D}·W/σ̄ with σ̄ the
// certified bound of σ_max(W) described above, from one power iteration
// with the persistent vector (more only when the certificate needs them);
// for a convolution σ̄ bounds the norm of the whole convolution operator
// (conv_norm.go). Frobenius: W ← L^{1/D}·W/‖W‖_F (the authors' code; for a
// convolution this does not bound the operator norm, see Frobenius). None,
// or L = +Inf: nothing. It allocates nothing.
func (n *Net) Normalize() {
	if n.cfg.unconstrained() {
		return
	}
	c := math.Pow(n.cfg.Lipschitz, 1/float64(len(n.layers)))
	parts := 1
	if n.cfg.Norm == Spectral && n.parallelCert && !benchUncertified {
		parts = workPool.acquire(len(n.layers))
	}
	if parts == 1 {
		for _, l := range n.layers {
			l.normalize(c, n.cfg.Norm, n.scratch)
		}
		return
	}
	for len(n.scratches) < parts { // once per thread count
		n.scratches = append(n.scratches, newScratch(n.cfg.dims(), n.cfg.convGeoms()))
	}
	n.norm.n, n.norm.c = n, c
	n.norm.next.Store(0)
	workPool.runLocked(&n.norm, parts)
	n.norm.n = nil
}

// normJob is a parallel Normalize: the parts take the layers, most costly
// first (Net.order), each with its own work space. A layer's bound depends
// only on its weights and power vector, so the result does not depend on
// which part takes which layer.
type normJob struct {
	n    *Net
	c    float64
	next atomic.Int32
}

func (j *normJob) run(part, _ int) {
	n, s := j.n, j.n.scratches[part]
	for {
		i := int(j.next.Add(1)) - 1
		if i >= len(n.order) {
			return
		}
		n.layers[n.order[i]].normalize(j.c, n.cfg.Norm, s)
	}
}

// normParallelMin is the least certificate work (multiply-adds), besides
// the largest layer's, for which Normalize splits the layers over the
// threads: ≈ 30 µs in the float64 kernels, against ≈ 5–50 µs to wake a
// parked worker. The four-well net (2–32–32–32–1, ≈ 4·10⁴) stays on one.
const normParallelMin = 1 << 20

// certCost estimates the multiply-adds of a layer's spectral certificate,
// to order the layers of a parallel Normalize: the Gram matrix (in·out·n/2)
// and its Cholesky factorisation (n³/6) of a dense layer, n = min(in, out);
// for a convolution the lags and one factorisation per frequency (see
// conv_norm.go), or the exact Gram (conv_exact.go).
func certCost(l layer) float64 {
	switch l := l.(type) {
	case *dense:
		in, out := float64(l.in), float64(l.out)
		n := min(in, out)
		return in*out*n/2 + n*n*n/6
	case *conv:
		cc, g := &l.cert, l.g
		if cc.exact {
			n := float64(cc.n)
			return n * n * n / 6 * 2
		}
		n := float64(2 * cc.n)
		return float64(cc.m1*cc.m2)/2*n*n*n/6 + 169*float64(g.cin*g.cout*g.cout)
	}
	return 0
}

// certStats returns how the spectral bounds were obtained, summed over the
// work spaces (for tests and benchmarks).
func (n *Net) certStats() (certified, retried, bisected int) {
	for _, s := range n.scratches {
		certified, retried, bisected = certified+s.certified, retried+s.retried, bisected+s.bisected
	}
	return
}

// resetCertStats zeroes the counts of certStats.
func (n *Net) resetCertStats() {
	for _, s := range n.scratches {
		s.resetStats()
	}
}

// SetLipschitz sets L (the TUI changes it mid-run); the next Normalize
// uses it. It panics unless L > 0 (+Inf means unconstrained).
func (n *Net) SetLipschitz(L float64) {
	if !(L > 0) {
		panic("lipnet: Net.SetLipschitz: L must be > 0")
	}
	n.cfg.Lipschitz = L
}

// SetNormalization sets how the next Normalize bounds the weights (the
// workbench turns Spectral on when a finite L is set on a net built with
// None). The power vectors of a None net are stale (Normalize did not run),
// which costs the first spectral Normalize a few retries but not its
// certificate: the bound is certified by the Cholesky test, not by the
// vector (spectralBound).
func (n *Net) SetNormalization(kind Normalization) {
	if int(kind) >= len(normalizationNames) {
		panic("lipnet: Net.SetNormalization: unknown normalization")
	}
	n.cfg.Norm = kind
}

// Normalization is how Normalize bounds the weights.
func (n *Net) Normalization() Normalization { return n.cfg.Norm }

// LayerNorms writes the exact spectral norm σ_max(W^l) of every dense layer
// into dst[:Depth()] (singular value decomposition in float64; allocates),
// and for a convolution the norm that Spectral normalizes: the
// block-circulant bound of conv_norm.go, ≥ the operator's σ_max, computed
// by eigendecompositions in float64. The product Π dst[l] bounds the
// Lipschitz constant of φ.
func (n *Net) LayerNorms(dst []float64) {
	if len(dst) < len(n.layers) {
		panic("lipnet: Net.LayerNorms: len(dst) < Depth()")
	}
	for l, ly := range n.layers {
		dst[l] = ly.opNorm()
	}
}

// opNorm returns σ_max(W) by SVD.
func (d *dense) opNorm() float64 {
	w := make([]float64, len(d.w))
	for i, v := range d.w {
		w[i] = float64(v)
	}
	var svd mat.SVD
	if !svd.Factorize(mat.NewDense(d.in, d.out, w), mat.SVDNone) {
		return math.NaN()
	}
	return svd.Values(nil)[0]
}

// normalize rescales W to norm c (see Normalize).
func (d *dense) normalize(c float64, kind Normalization, s *scratch) {
	switch kind {
	case Frobenius:
		// float32 rounding of the scaled weights (and of ‖W‖_F²)
		rescale(d.w, c, norm32(d.w), 0x1p-23)
	case Bjorck:
		d.orthonormalize(c, &s.orth)
		rescale(d.w, c, d.spectralBound(s), 0x1p-23*math.Sqrt(float64(min(d.in, d.out))))
	case Spectral:
		if benchUncertified { // benchmarks only (see benchUncertified)
			rescale(d.w, c, d.powerStep(s), 0)
			return
		}
		rescale(d.w, c, d.spectralBound(s), 0x1p-23*math.Sqrt(float64(min(d.in, d.out))))
	}
}

// rescale multiplies w by c/(norm·(1+margin)), where margin covers the
// float32 rounding of the result; w = 0 already satisfies any bound.
func rescale(w []float32, c, norm, margin float64) {
	if norm == 0 {
		return
	}
	scale := c / (norm * (1 + margin))
	if n := len(w) &^ 7; useAVX2 && n > 0 {
		rescaleAVX2(&w[0], n, scale) // the same bits (TestRescaleKernel)
		w = w[n:]
	}
	rescaleGo(w, scale)
}

// rescaleGo multiplies w by scale in float64, rounded to float32.
func rescaleGo(w []float32, scale float64) {
	for i, v := range w {
		w[i] = float32(float64(v) * scale)
	}
}

// powerStep does one power iteration with the persistent vector d.u (in
// the float32 kernels) and returns σ̂ = ‖Wv‖ ≈ σ_max(W) from below, up to
// float32 rounding (the certificate does not rely on it); 0 if Wᵀu = 0
// even after resetting u.
func (d *dense) powerStep(s *scratch) float64 {
	in, out := d.in, d.out
	u, v := s.u32[:in], s.v32[:out]
	for reset := 0; ; reset++ {
		if reset > 0 || !finitePositive(norm32(d.u)) {
			for k := range d.u {
				d.u[k] = 1
			}
		}
		gemm(1, out, in, d.u, in, 1, d.w, out, v, out, modeSet, nil, epiNone, 0, nil) // v = Wᵀu
		vn := norm32(v)
		if !finitePositive(vn) {
			if reset == 0 {
				continue
			}
			return 0
		}
		inv := float32(1 / vn)
		for j := range v {
			v[j] *= inv
		}
		gemmNT(in, 1, out, d.w, out, v, out, u, 1, modeSet, nil) // u = W·v
		sigma := norm32(u)
		if finitePositive(sigma) {
			inv := float32(1 / sigma)
			for k, x := range u {
				d.u[k] = x * inv
			}
		}
		return sigma
	}
}

func finitePositive(x float64) bool { return x > 0 && !math.IsInf(x, 1) }

// norm32 returns ‖x‖₂, summed in float64.
func norm32(x []float32) float64 {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	return math.Sqrt(ss)
}

// spectralBound returns a certified upper bound σ̄ of σ_max(W) within a
// factor 1+certSlack of it (see the comment at the top of this file).
func (d *dense) spectralBound(s *scratch) float64 {
	sigma := d.powerStep(s)
	n, trace, etaG := d.gram(s)
	if !(trace > 0) || math.IsInf(trace, 0) {
		return math.Sqrt(trace) // 0 for W = 0; NaN/Inf weights stay so
	}
	tau := sq(sigma * (1 + certSlack))
	if d.choleskyOK(s, n, tau, etaG) {
		s.certified++
		return math.Sqrt(tau)
	}
	for range certRetryIters {
		sigma = d.powerStep(s)
	}
	tau = sq(sigma * (1 + certSlack))
	if d.choleskyOK(s, n, tau, etaG) {
		s.retried++
		return math.Sqrt(tau)
	}
	s.bisected++
	return math.Sqrt(bracket(tau, trace, n, func(tau float64) bool { return d.choleskyOK(s, n, tau, etaG) }))
}

// bracket returns a τ that ok certifies (ok(τ) ⇒ λ_max(G) < τ), within a
// factor (1+certSlack)² of the largest τ it saw fail, for a positive
// semidefinite G of order n and trace tr G = trace, after ok(tau) failed.
// It searches upwards from the failed τ (at least the mean eigenvalue, so
// that lo > 0) with growing steps until a τ is certified (tr G always is:
// λ_max ≤ Σλ for G ⪰ 0), then bisects. Only certified values ever become
// the upper end.
func bracket(tau, trace float64, n int, ok func(float64) bool) float64 {
	lo, grow := max(tau, trace/float64(n)), sq(1+certSlack)
	hi := lo * grow * grow
	for !ok(hi) {
		lo, grow = hi, grow*grow
		if hi = lo * grow; hi >= trace {
			hi = trace
			for i := 0; i < 64 && !ok(hi); i++ {
				hi *= 2 // only if rounding made tr G a hair too small
			}
			break
		}
	}
	for range bisectMax {
		if hi <= lo*sq(1+certSlack) {
			break
		}
		mid := math.Sqrt(lo * hi)
		if ok(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// gram forms the lower triangle of the smaller Gram matrix G (WᵀW if
// out ≤ in, else WWᵀ) in float64 in s.g, by row blocks in dgemm. It
// returns the order n of G, an upper bound fro2 of ‖W‖_F² = tr G, and a
// bound etaG of the rounding error ‖fl(G) − G‖₂: the products of float32
// weights are exact in float64 and each entry is a sum of K of them, so
// |ΔG| ≤ γ_K|W|ᵀ|W| (Higham, Accuracy and Stability, eq. (3.5); FMA only
// helps) and ‖ |W|ᵀ|W| ‖₂ = ‖|W|‖₂² ≤ ‖W‖_F².
func (d *dense) gram(s *scratch) (n int, fro2, etaG float64) {
	in, out := d.in, d.out
	// G = MᵀM with M = W (k = in rows, n = out columns) if out ≤ in, else
	// M = Wᵀ (transposed in float32, where it is exact and fast), so that
	// G[i][j] = Σ_p M[p][i]·M[p][j] reads one row p of M for A and B.
	src, k := d.w, in
	n = out
	if out > in {
		transpose32(d.wt, d.w, in, out)
		src, k, n = d.wt, out, in
	}
	m := s.w64[:in*out]
	for i, v := range src {
		m[i] = float64(v)
	}
	g := s.g[:n*n]
	for r0 := 0; r0 < n; r0 += cholBlock {
		r1 := min(r0+cholBlock, n)
		dgemm(r1-r0, r1, k, m[r0:], 1, n, m, n, g[r0*n:], n, modeSet)
	}
	var trace float64
	for i := range n {
		trace += g[i*n+i]
	}
	ku := float64(k) * 0x1p-53
	gamma := ku / (1 - ku) * (1 + 0x1p-40) // γ_K in float64, rounded up
	fro2 = trace / (1 - gamma) * (1 + 0x1p-40)
	return n, fro2, gamma * fro2
}

// cholBlock is the block size of the Cholesky factorisation: the trailing
// updates of larger Gram matrices run in the float64 kernel (dgemm).
const cholBlock = 32

// cholSub is the sub-block of the columns of a block of the Cholesky
// factorisation that are formed by dot products; the rest of the block
// is updated in dgemm (5× less scalar work than dot products over the
// whole block, at n = 256).
const cholSub = 8

// choleskyOK reports whether the Cholesky factorisation of (τ−η)I − G
// succeeds in float64, which certifies λ_max(G) < τ for the exact G of the
// stored weights. η = etaG (the float32 rounding of G, see gram) plus the
// allowance for the float64 factorisation (Rump 2006: a diagonal shift of
// γ_{n+1}·tr A suffices, tr A ≤ n·τ), with a factor ≥ 4 to spare
// (2⁻⁵⁰ vs u = 2⁻⁵³). The factorisation is blocked (right-looking, blocks
// of cholBlock), which reorders the sums but keeps the same error bound.
func (d *dense) choleskyOK(s *scratch, n int, tau, etaG float64) bool {
	return choleskyOK(s, s.g, n, n, tau, etaG)
}

// choleskyOK is the test of dense.choleskyOK for the symmetric n×n matrix
// G whose lower triangle is g[i·ld + j], j ≤ i.
func choleskyOK(s *scratch, g []float64, n, ld int, tau, etaG float64) bool {
	nf := float64(n)
	shift := tau - etaG - 0x1p-50*(nf+2)*(nf+2)*tau
	a := s.a[:n*n]
	for i := range n {
		ai, gi := a[i*n:i*n+i+1], g[i*ld:i*ld+i+1]
		for j, v := range gi {
			ai[j] = -v
		}
		ai[i] += shift
	}
	for kb := 0; kb < n; kb += cholBlock {
		e := min(kb+cholBlock, n)
		// Columns kb … e−1 of L (diagonal block and panel L₂₁ = A₂₁·L₁₁⁻ᵀ),
		// by sub-blocks of cholSub columns: left-looking within a sub-block,
		// row by row (each row read once, its own entries and the
		// sub-block's diagonal rows in L1), then the block's later columns
		// take the sub-block's update A[i][q] −= Σ_p L[i][p]·L[q][p] in
		// dgemm.
		for sb := kb; sb < e; sb += cholSub {
			se := min(sb+cholSub, e)
			for i := sb; i < se; i++ { // the diagonal sub-block
				ai := a[i*n+sb : i*n+i+1]
				for j := sb; j <= i; j++ {
					lj := a[j*n+sb : j*n+j+1]
					x := ai[j-sb] - dot64(ai[:j-sb], lj[:j-sb])
					if j < i {
						ai[j-sb] = x / lj[j-sb]
						continue
					}
					if !(x > 0) {
						return false
					}
					ai[j-sb] = math.Sqrt(x)
				}
			}
			// The rows below, eight at a time: eight independent chains of
			// dependent divisions (the latency of one chain bounds it).
			w := se - sb
			i := se
			for ; i+8 <= n; i += 8 {
				r0, r1 := a[i*n+sb:i*n+se], a[(i+1)*n+sb:(i+1)*n+se]
				r2, r3 := a[(i+2)*n+sb:(i+2)*n+se], a[(i+3)*n+sb:(i+3)*n+se]
				r4, r5 := a[(i+4)*n+sb:(i+4)*n+se], a[(i+5)*n+sb:(i+5)*n+se]
				r6, r7 := a[(i+6)*n+sb:(i+6)*n+se], a[(i+7)*n+sb:(i+7)*n+se]
				r0, r1, r2, r3 = r0[:w], r1[:w], r2[:w], r3[:w]
				r4, r5, r6, r7 = r4[:w], r5[:w], r6[:w], r7[:w]
				for j := range w {
					lj := a[(sb+j)*n+sb : (sb+j)*n+sb+j+1]
					x0, x1, x2, x3 := r0[j], r1[j], r2[j], r3[j]
					x4, x5, x6, x7 := r4[j], r5[j], r6[j], r7[j]
					for p, l := range lj[:j] {
						x0 -= r0[p] * l
						x1 -= r1[p] * l
						x2 -= r2[p] * l
						x3 -= r3[p] * l
						x4 -= r4[p] * l
						x5 -= r5[p] * l
						x6 -= r6[p] * l
						x7 -= r7[p] * l
					}
					d := lj[j]
					r0[j], r1[j], r2[j], r3[j] = x0/d, x1/d, x2/d, x3/d
					r4[j], r5[j], r6[j], r7[j] = x4/d, x5/d, x6/d, x7/d
				}
			}
			for ; i < n; i++ {
				ai := a[i*n+sb : i*n+se]
				for j := range w {
					lj := a[(sb+j)*n+sb : (sb+j)*n+sb+j+1]
					ai[j] = (ai[j] - dot64(ai[:j], lj[:j])) / lj[j]
				}
			}
			if se == e {
				break
			}
			// Rows se … n−1, columns se … e−1 (entries above the diagonal
			// are updated too, and never read).
			w2 := e - se
			bt := s.bt[:cholSub*w2] // −L[se:e, sb:se]ᵀ
			for q := range w2 {
				for p, v := range a[(se+q)*n+sb : (se+q)*n+se] {
					bt[p*w2+q] = -v
				}
			}
			dgemm(n-se, w2, se-sb, a[se*n+sb:], n, 1, bt, w2, a[se*n+se:], n, modeAdd)
		}
		if e == n {
			break
		}
		// Trailing update A₂₂ −= L₂₁·L₂₁ᵀ (lower part, by row blocks).
		w, m := e-kb, n-e
		bt := s.bt[:w*m] // −L₂₁ᵀ
		for j := range m {
			for p, v := range a[(e+j)*n+kb : (e+j)*n+e] {
				bt[p*m+j] = -v
			}
		}
		for r0 := e; r0 < n; r0 += cholBlock {
			r1 := min(r0+cholBlock, n)
			dgemm(r1-r0, r1-e, w, a[r0*n+kb:], n, 1, bt, m, a[r0*n+e:], n, modeAdd)
		}
	}
	return true
}

// dot64 returns Σ x[i]·y[i] with four partial sums (latency, not accuracy).
func dot64(x, y []float64) float64 {
	y = y[:len(x)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(x); i += 4 {
		s0 += x[i] * y[i]
		s1 += x[i+1] * y[i+1]
		s2 += x[i+2] * y[i+2]
		s3 += x[i+3] * y[i+3]
	}
	for ; i < len(x); i++ {
		s0 += x[i] * y[i]
	}
	return (s0 + s1) + (s2 + s3)
}

func sq(x float64) float64 { return x * x }
