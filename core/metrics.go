package core

import (
	"math"
	"slices"
)

// mmdObserver measures MMD² between the particles and the targets on
// metric steps, for every method and problem.
type mmdObserver struct {
	x []float32
	w mmdWork
}

var mmdInfo = []MetricInfo{{Name: "mmd2", Symbol: "MMD²", Scale: Log, Rank: 40, Better: Lower,
	Doc: "squared maximum mean discrepancy between Yₙ₊₁ and X, Gaussian kernel, median bandwidth (see mmd2)"}}

func newMMDObserver(x []float32, n, m, d int) *mmdObserver {
	o := &mmdObserver{x: x}
	o.w.init(m, n, d)
	return o
}

func (o *mmdObserver) Metrics() []MetricInfo { return mmdInfo }

func (o *mmdObserver) Observe(dst []float64, y []float32) { dst[0] = o.w.mmd2(y, o.x) }

// mmdWork holds the buffers of the MMD² estimate so that computing it
// allocates nothing.
type mmdWork struct {
	m, n, d int
	dist    []float64 // pairwise distances of the bandwidth subsample
}

// mmdMaxPool caps the pooled points used to pick the bandwidth: the median of
// (mmdMaxPool choose 2) distances is a stable estimate and costs O(mmdMaxPool²).
const mmdMaxPool = 600

func (w *mmdWork) init(m, n, d int) {
	w.m, w.n, w.d = m, n, d
	p := min(m+n, mmdMaxPool)
	w.dist = make([]float64, 0, p*(p-1)/2)
}

// mmd2 is the squared maximum mean discrepancy between the samples y (M×d)
// and x (N×d) with the Gaussian kernel k(a,b) = exp(−|a−b|²/(2h²)), using the
// biased (V-statistic) estimator
//
//	MMD² = mean k(yᵢ,yᵢ′) + mean k(xⱼ,xⱼ′) − 2 mean k(yᵢ,xⱼ) ≥ 0,
//
// and the median heuristic: h = median pairwise distance of the pooled
// sample (on an evenly strided subsample of at most mmdMaxPool points).
// Identical samples give exactly 0.
func (w *mmdWork) mmd2(y, x []float32) float64 {
	return w.compute(y, w.m, x, w.n, w.d)
}

// MMD2 is the squared MMD between y (m×d) and x (n×d) described at mmd2.
func MMD2(y []float32, m int, x []float32, n, d int) float64 {
	var w mmdWork
	w.init(m, n, d)
	return w.compute(y, m, x, n, d)
}

func (w *mmdWork) compute(y []float32, m int, x []float32, n, d int) float64 {
	h := w.bandwidth(y, m, x, n, d)
	if !(h > 0) {
		h = 1 // all points coincide: any bandwidth gives MMD² = 0
	}
	g := 1 / (2 * h * h)
	kyy := kernelMean(y, m, y, m, d, g)
	kxx := kernelMean(x, n, x, n, d, g)
	kxy := kernelMean(y, m, x, n, d, g)
	return math.Max(kyy+kxx-2*kxy, 0)
}

// kernelMean is (1/(ma·mb)) Σᵢⱼ exp(−g|aᵢ−bⱼ|²).
func kernelMean(a []float32, ma int, b []float32, mb, d int, g float64) float64 {
	var s float64
	for i := range ma {
		ai := a[i*d : i*d+d]
		for j := range mb {
			s += math.Exp(-g * sqDist(ai, b[j*d:j*d+d]))
		}
	}
	return s / float64(ma*mb)
}

func sqDist(a, b []float32) float64 {
	b = b[:len(a)]
	var s float64
	for k, v := range a {
		t := float64(v) - float64(b[k])
		s += t * t
	}
	return s
}

// bandwidth is the median pairwise distance of the pooled sample [y; x],
// taken on an evenly strided subsample of at most mmdMaxPool points.
func (w *mmdWork) bandwidth(y []float32, m int, x []float32, n, d int) float64 {
	total := m + n
	p := min(total, mmdMaxPool)
	row := func(k int) []float32 {
		i := k * total / p
		if i < m {
			return y[i*d : i*d+d]
		}
		i -= m
		return x[i*d : i*d+d]
	}
	w.dist = w.dist[:0]
	for a := range p {
		ra := row(a)
		for b := a + 1; b < p; b++ {
			w.dist = append(w.dist, math.Sqrt(sqDist(ra, row(b))))
		}
	}
	if len(w.dist) == 0 {
		return 0
	}
	slices.Sort(w.dist)
	k := len(w.dist)
	if k%2 == 1 {
		return w.dist[k/2]
	}
	return 0.5 * (w.dist[k/2-1] + w.dist[k/2])
}
