package genes

import (
	"math"
	"slices"

	"github.com/gpa-tui/gpa-tui/core"
)

// The metrics take points as flat row-major float64 with dimension dim
// (rows = len/dim) and panic if len is not a multiple of dim.

func checkPoints(x []float64, dim int, who string) int {
	if dim < 1 || len(x)%dim != 0 {
		panic("genes: " + who + ": shape mismatch")
	}
	return len(x) / dim
}

// Float64s converts float32 points (e.g. latent particles) for the metrics.
func Float64s(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func sqDist(a, b []float64) float64 {
	b = b[:len(a)]
	var s float64
	for k, v := range a {
		t := v - b[k]
		s += t * t
	}
	return s
}

// MMD2 returns the squared maximum mean discrepancy between the points x
// and the target points y, and its bandwidth h: the program's one MMD²
// (core.MMD: Gaussian kernel, biased V-statistic, h the median pairwise
// distance among the targets y). The points are converted to float32, the
// engine's precision. Identical samples give 0 (up to rounding); MMD² ≤ 2.
func MMD2(x, y []float64, dim int) (mmd2, h float64) {
	n := checkPoints(x, dim, "MMD2")
	m := checkPoints(y, dim, "MMD2")
	if n == 0 || m == 0 {
		panic("genes: MMD2: empty sample")
	}
	mmd := core.NewMMD(float32s(y), m, dim)
	return mmd.To(float32s(x), n), mmd.Bandwidth()
}

func float32s(x []float64) []float32 {
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = float32(v)
	}
	return out
}

// distances returns the n×n Euclidean distance matrix of x.
func distances(x []float64, n, dim int) []float64 {
	d := make([]float64, n*n)
	for a := range n {
		for b := a + 1; b < n; b++ {
			v := math.Sqrt(sqDist(x[a*dim:(a+1)*dim], x[b*dim:(b+1)*dim]))
			d[a*n+b], d[b*n+a] = v, v
		}
	}
	return d
}

// Silhouette returns the mean silhouette width (Rousseeuw 1987) of the
// points x grouped by labels, with Euclidean distances:
//
//	s(i) = (b(i) − a(i)) / max(a(i), b(i)),
//
// a(i) = mean distance from i to the other members of its group, b(i) =
// the smallest mean distance from i to another group; s(i) = 0 for a point
// alone in its group (as scikit-learn). It is in [−1, 1]: ≈ 1 for
// well-separated groups, ≈ 0 for mixed ones. Fewer than two groups give
// NaN. By batch, lower is better mixing; by biological label, higher means
// the classes stay apart.
func Silhouette(x []float64, dim int, labels []string) float64 {
	n := checkPoints(x, dim, "Silhouette")
	if len(labels) != n {
		panic("genes: Silhouette: shape mismatch")
	}
	groups := distinct(labels)
	if len(groups) < 2 {
		return math.NaN()
	}
	gi := make([]int, n)
	size := make([]int, len(groups))
	for i, l := range labels {
		gi[i] = slices.Index(groups, l)
		size[gi[i]]++
	}
	d := distances(x, n, dim)
	sum := make([]float64, len(groups))
	var total float64
	for i := range n {
		clear(sum)
		for j := range n {
			sum[gi[j]] += d[i*n+j]
		}
		own := gi[i]
		if size[own] == 1 {
			continue // s(i) = 0
		}
		a := sum[own] / float64(size[own]-1)
		b := math.Inf(1)
		for c := range groups {
			if c != own {
				b = math.Min(b, sum[c]/float64(size[c]))
			}
		}
		if den := math.Max(a, b); den > 0 {
			total += (b - a) / den
		}
	}
	return total / float64(n)
}

// DefaultMixingK is the neighbourhood size of ILISI in the comparison
// table: about a quarter of the 37 samples of the bladderbatch 2 → 5 merge
// (our choice; harmony's LISI uses perplexity 30 for data sets of
// thousands of cells).
const DefaultMixingK = 10

// ILISI returns a kNN batch-mixing score, the integration local inverse
// Simpson's index (after Korsunsky et al. 2019, harmony's LISI) with a
// plain k-nearest-neighbour neighbourhood instead of harmony's
// perplexity-calibrated Gaussian weights: for each point, p_b is the
// fraction of its k nearest other points (Euclidean) in batch b and
// iLISI(i) = 1 / Σ_b p_b²; the result is the mean over points. It is 1
// when every neighbourhood holds a single batch and at most the number of
// batches; with batch proportions π_b, a perfectly mixed neighbourhood
// scores about 1/Σ π_b² (≈ 2 for two equal batches). Higher is better
// mixing. We chose iLISI over a kBET acceptance rate because it needs no
// χ² test, which is unreliable with neighbourhoods of ~10 points.
func ILISI(x []float64, dim int, batch []string, k int) float64 {
	n := checkPoints(x, dim, "ILISI")
	if len(batch) != n || k < 1 || k > n-1 {
		panic("genes: ILISI: bad k or shape mismatch")
	}
	groups := distinct(batch)
	gi := make([]int, n)
	for i, b := range batch {
		gi[i] = slices.Index(groups, b)
	}
	d := distances(x, n, dim)
	order := make([]int, 0, n-1)
	count := make([]int, len(groups))
	var total float64
	for i := range n {
		order = order[:0]
		for j := range n {
			if j != i {
				order = append(order, j)
			}
		}
		// Ties broken by index, so the result is deterministic.
		slices.SortStableFunc(order, func(a, b int) int {
			switch da, db := d[i*n+a], d[i*n+b]; {
			case da < db:
				return -1
			case da > db:
				return 1
			}
			return 0
		})
		clear(count)
		for _, j := range order[:k] {
			count[gi[j]]++
		}
		var simpson float64
		for _, c := range count {
			p := float64(c) / float64(k)
			simpson += p * p
		}
		total += 1 / simpson
	}
	return total / float64(n)
}

// MeanDistance returns the mean Euclidean distance between paired rows
// of a and b: how far the samples moved (mean transport distance).
func MeanDistance(a, b []float64, dim int) float64 {
	n := checkPoints(a, dim, "MeanDistance")
	if len(b) != len(a) {
		panic("genes: MeanDistance: shape mismatch")
	}
	if n == 0 {
		return 0
	}
	var s float64
	for i := range n {
		s += math.Sqrt(sqDist(a[i*dim:(i+1)*dim], b[i*dim:(i+1)*dim]))
	}
	return s / float64(n)
}
