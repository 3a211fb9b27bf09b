package core

import (
	"math"
	"slices"
)

// MMD measures the squared maximum mean discrepancy between samples Y and
// a fixed target sample X with the Gaussian kernel
// k(a,b) = exp(−|a−b|²/(2h²)) and the biased (V-statistic) estimator
//
//	MMD²(Y, X) = mean k(yᵢ,yᵢ′) + mean k(xⱼ,xⱼ′) − 2 mean k(yᵢ,xⱼ) ≥ 0.
//
// It is the one MMD² of the program: the flow's metric (every
// flow.metrics_every steps) and the batch-merging tables use it.
//
// Bandwidth: h is the median pairwise distance among the targets (the
// median heuristic, Gretton et al. 2012), fixed when the MMD is made, so
// that values along a run use one kernel and can be compared step to
// step, and so that every method compared on one target is scored with the
// same kernel. The mean of k over the target pairs is computed then too.
//
// Sizes: above mmdMaxRows rows a sample is replaced by mmdMaxRows rows
// taken at an even stride (deterministic: no seed), so that the cost per
// measurement is bounded, O(mmdMaxRows²·d); the median uses at most
// mmdMedianRows target rows, likewise. Identical samples give 0 up to
// rounding (~1e-14: the kernel sums of a sample with itself run over the
// pairs i < j only, which halves their cost).
type MMD struct {
	x       []float32
	n, d    int
	h, g    float64 // bandwidth and 1/(2h²)
	kxx     float64 // mean k(xⱼ, xⱼ′) over the (subsampled) targets
	nx      int     // target rows used
	maxRows int
}

// Sample size caps of MMD (our choice: the median of C(1000, 2) distances
// is a stable estimate; 2,000 rows keep a measurement under ~0.1 s for
// d ≤ 100 on one core).
const (
	mmdMedianRows = 1000
	mmdMaxRows    = 2000
)

// NewMMD prepares MMD²(·, X) for the targets x (n×d): the bandwidth and the
// target term. It keeps x.
func NewMMD(x []float32, n, d int) *MMD {
	if n < 1 || d < 1 || len(x) < n*d {
		panic("core: NewMMD: shape mismatch")
	}
	m := &MMD{x: x, n: n, d: d, maxRows: mmdMaxRows}
	m.h = medianDistance(x, n, d, mmdMedianRows)
	if !(m.h > 0) {
		m.h = 1 // all targets coincide: any bandwidth is as good
	}
	m.g = 1 / (2 * m.h * m.h)
	m.nx = min(n, m.maxRows)
	m.kxx = kernelMeanSym(x, n, m.nx, d, m.g)
	return m
}

// Bandwidth is the kernel bandwidth h.
func (m *MMD) Bandwidth() float64 { return m.h }

// To returns MMD²(Y, X) for the rows×d samples y. It allocates nothing.
func (m *MMD) To(y []float32, rows int) float64 {
	ny := min(rows, m.maxRows)
	kyy := kernelMeanSym(y, rows, ny, m.d, m.g)
	kxy := kernelMean(y, rows, ny, m.x, m.n, m.nx, m.d, m.g)
	return math.Max(kyy+m.kxx-2*kxy, 0)
}

// MMD2 is MMD²(Y, X) of the samples y (m×d) and the targets x (n×d) with
// the bandwidth rule of MMD.
func MMD2(y []float32, m int, x []float32, n, d int) float64 {
	return NewMMD(x, n, d).To(y, m)
}

// row is row k of the k-th of use rows taken at an even stride from the
// rows of a (rows×d).
func row(a []float32, rows, use, k, d int) []float32 {
	i := k * rows / use
	return a[i*d : i*d+d]
}

// kernelMean is (1/(ua·ub)) Σᵢⱼ exp(−g|aᵢ−bⱼ|²) over ua rows of a and ub
// rows of b taken at an even stride.
func kernelMean(a []float32, ra, ua int, b []float32, rb, ub, d int, g float64) float64 {
	var s float64
	var t [kernelChunk]float64 // squared distances, then e^{−g·t} summed (expNegSum)
	for i := range ua {
		ai := row(a, ra, ua, i, d)
		for j0 := 0; j0 < ub; j0 += kernelChunk {
			c := t[:min(kernelChunk, ub-j0)]
			for k := range c {
				c[k] = sqDist(ai, row(b, rb, ub, j0+k, d))
			}
			s += expNegSum(c, g)
		}
	}
	return s / float64(ua*ub)
}

// kernelMeanSym is kernelMean of a sample with itself, over the pairs
// i < j only (k is symmetric and k(a, a) = 1):
// (1/u²)(u + 2 Σ_{i<j} k(aᵢ, aⱼ)).
func kernelMeanSym(a []float32, ra, ua, d int, g float64) float64 {
	var s float64
	var t [kernelChunk]float64
	for i := range ua {
		ai := row(a, ra, ua, i, d)
		for j0 := i + 1; j0 < ua; j0 += kernelChunk {
			c := t[:min(kernelChunk, ua-j0)]
			for k := range c {
				c[k] = sqDist(ai, row(a, ra, ua, j0+k, d))
			}
			s += expNegSum(c, g)
		}
	}
	return (float64(ua) + 2*s) / float64(ua*ua)
}

// kernelChunk is how many kernel values kernelMean computes per call of
// expNegSum (a stack buffer: no allocation).
const kernelChunk = 256

// expNegSum is Σₖ e^{−g·tₖ} by the arithmetic of expNeg, written out in
// the loop: no call per value, so that consecutive values overlap in the
// pipeline (MMD² spends most of its time here).
func expNegSum(t []float64, g float64) float64 {
	var s float64
	for _, tk := range t {
		x := -g * tk
		if !(x > -708) {
			continue
		}
		n := math.Floor(x*expInv + 0.5)
		r := (x - n*expLn2hi) - n*expLn2lo
		r2 := r * r
		p := (1 + r) + r2*(1.0/2+r*(1.0/6)) + r2*r2*((1.0/24+r*(1.0/120))+r2*(1.0/720))
		ni := int64(n)
		s += p * exp2Frac[ni&31] * math.Float64frombits(uint64((ni>>5)+1023)<<52)
	}
	return s
}

// expNeg is eˣ for x ≤ 0 (kernel values), about 4× faster than math.Exp
// and within 2e-15 relative of it (TestExpNeg): x = (32k + j) ln2/32 + r
// with |r| ≤ ln2/64, eˣ = 2ᵏ · 2^{j/32} · eʳ, 2^{j/32} from a table and eʳ
// by its Taylor series to r⁶ (the remainder is below 0.0109⁷/7! ≈ 4e-18),
// evaluated in Estrin's scheme so that the products do not wait on each
// other. Below −708 (where eˣ is subnormal) it returns 0.
func expNeg(x float64) float64 {
	if !(x > -708) { // also NaN → 0: not reached, the exponents are finite
		return 0
	}
	n := math.Floor(x*expInv + 0.5)
	r := (x - n*expLn2hi) - n*expLn2lo
	r2 := r * r
	// eʳ = (1 + r) + r²(1/2 + r/6) + r⁴(1/24 + r/120 + r²/720)
	p := (1 + r) + r2*(1.0/2+r*(1.0/6)) + r2*r2*((1.0/24+r*(1.0/120))+r2*(1.0/720))
	ni := int64(n)
	return p * exp2Frac[ni&31] * math.Float64frombits(uint64((ni>>5)+1023)<<52)
}

// The argument reduction of expNeg and expNegSum.
const (
	expLn2hi = 6.93147180369123816490e-01 / 32 // ln2/32 = expLn2hi + expLn2lo (fdlibm's split of ln 2, /32 exactly)
	expLn2lo = 1.90821492927058770002e-10 / 32
	expInv   = 32 * 1.44269504088896338700e+00 // 32/ln 2
)

// exp2Frac[j] = 2^{j/32}, for expNeg.
var exp2Frac = func() (t [32]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 32)
	}
	return t
}()

func sqDist(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for k, v := range a {
		t := float64(v) - float64(b[k])
		s += t * t
	}
	return s
}

// medianDistance is the median Euclidean distance over the pairs of at most
// use rows of x (n×d) taken at an even stride (the mean of the two middle
// values for an even count); 0 for fewer than two rows.
func medianDistance(x []float32, n, d, use int) float64 {
	use = min(n, use)
	dist := make([]float64, 0, use*(use-1)/2)
	for a := range use {
		ra := row(x, n, use, a, d)
		for b := a + 1; b < use; b++ {
			dist = append(dist, math.Sqrt(sqDist(ra, row(x, n, use, b, d))))
		}
	}
	k := len(dist)
	if k == 0 {
		return 0
	}
	slices.Sort(dist)
	if k%2 == 1 {
		return dist[k/2]
	}
	return 0.5 * (dist[k/2-1] + dist[k/2])
}

// mmdObserver measures MMD² between the particles and the targets on
// metric steps, for every method and problem.
type mmdObserver struct {
	mmd     *MMD // made on the first measurement
	x       []float32
	n, m, d int
}

var mmdInfo = []MetricInfo{{Name: "mmd2", Symbol: "MMD²", Scale: Log, Rank: 40, Better: Lower,
	Doc: "squared maximum mean discrepancy between Yₙ₊₁ and X, Gaussian kernel with the targets' median distance as bandwidth (core.MMD)"}}

func newMMDObserver(x []float32, n, m, d int) *mmdObserver {
	return &mmdObserver{x: x, n: n, m: m, d: d}
}

func (o *mmdObserver) Metrics() []MetricInfo { return mmdInfo }

func (o *mmdObserver) Observe(dst []float64, y []float32) {
	if o.mmd == nil {
		o.mmd = NewMMD(o.x, o.n, o.d)
	}
	dst[0] = o.mmd.To(y, o.m)
}
