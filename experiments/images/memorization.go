package images

import (
	"math"
	"slices"
)

// RatioThreshold is the nearest/second-nearest distance ratio below which
// a particle counts as a copy in [MemorizationResult.RatioShare]: 1/3, the
// criterion of Yoon et al. (2023), "Diffusion probabilistic models
// generalize when they fail to memorize", also used by Gu et al. (2023),
// "On memorization in diffusion models".
const RatioThreshold = 1.0 / 3

// Memorization measures how close particles sit to the targets they were
// fitted to. Build it once per target set; it precomputes
//
//	τ = median_j min_{k≠j} |X_j − X_k|   (Euclidean, over the N targets)
//
// the typical distance from a target to its nearest other target.
type Memorization struct {
	X         []float32 // targets, N × D row-major
	N, D      int
	Threshold float64 // τ
}

// MemorizationResult is one measurement of M particles against the
// targets. With dᵢ = min_j |Yᵢ − X_j| and dᵢ' the second-smallest target
// distance:
type MemorizationResult struct {
	// Share is #{i : dᵢ < τ} / M, the share of particles closer to their
	// nearest target than targets typically are to each other. Copies of
	// targets give 1, but fresh samples from the target distribution
	// already give about 1/2 (dᵢ and the targets' own nearest-neighbour
	// distances then have almost the same law), and blurry class averages
	// can score high too: read it against that baseline.
	Share float64
	// RatioShare is #{i : dᵢ < RatioThreshold · dᵢ'} / M: particles much
	// closer to one target than to any other, i.e. near-copies. It stays
	// near 0 for fresh samples and for averages of several targets.
	RatioShare float64
	// MeanNearest is the mean of dᵢ.
	MeanNearest float64
}

// NewMemorization precomputes τ for the n targets of dimension d in x
// (kept by reference, not copied).
func NewMemorization(x []float32, n, d int) *Memorization {
	if n < 2 || d < 1 || len(x) != n*d {
		panic("images: NewMemorization: need n ≥ 2 targets of dimension d")
	}
	nn := make([]float64, n)
	for j := range nn {
		nn[j] = math.Inf(1)
	}
	for j := range n {
		xj := x[j*d : (j+1)*d]
		for k := j + 1; k < n; k++ {
			// Bound by the larger of the two running minima: a pair
			// farther than both can update neither.
			s := sqDist(xj, x[k*d:(k+1)*d], max(nn[j], nn[k]))
			nn[j] = min(nn[j], s)
			nn[k] = min(nn[k], s)
		}
	}
	slices.Sort(nn)
	var med float64 // median of squared distances, then √ (monotone)
	if n%2 == 1 {
		med = math.Sqrt(nn[n/2])
	} else {
		med = (math.Sqrt(nn[n/2-1]) + math.Sqrt(nn[n/2])) / 2
	}
	return &Memorization{X: x, N: n, D: d, Threshold: med}
}

// Measure compares m particles y (m × D row-major) with the targets.
func (mz *Memorization) Measure(y []float32, m int) MemorizationResult {
	d := mz.D
	if m < 1 || len(y) != m*d {
		panic("images: Memorization.Measure: shape mismatch")
	}
	var res MemorizationResult
	tau2 := mz.Threshold * mz.Threshold
	r2 := RatioThreshold * RatioThreshold
	var near, copies int
	var sum float64
	for i := range m {
		yi := y[i*d : (i+1)*d]
		d1, d2 := math.Inf(1), math.Inf(1) // squared nearest, second nearest
		for j := range mz.N {
			s := sqDist(yi, mz.X[j*d:(j+1)*d], d2)
			if s < d1 {
				d1, d2 = s, d1
			} else if s < d2 {
				d2 = s
			}
		}
		if d1 < tau2 {
			near++
		}
		if d1 < r2*d2 {
			copies++
		}
		sum += math.Sqrt(d1)
	}
	res.Share = float64(near) / float64(m)
	res.RatioShare = float64(copies) / float64(m)
	res.MeanNearest = sum / float64(m)
	return res
}

// sqDist returns |a − b|² or, once a partial sum exceeds bound, that
// partial sum (> bound). Blocks of 64 coordinates are summed in four
// float32 accumulators (relative error ≲ 16·2⁻²⁴ per block, far below
// the distance gaps these metrics compare) and the block sums in float64.
func sqDist(a, b []float32, bound float64) float64 {
	b = b[:len(a)]
	var s float64
	for lo := 0; lo < len(a); lo += 64 {
		aa, bb := a[lo:min(lo+64, len(a))], b[lo:min(lo+64, len(a))]
		bb = bb[:len(aa)]
		var s0, s1, s2, s3 float32
		for len(aa) >= 4 && len(bb) >= 4 {
			d0, d1, d2, d3 := aa[0]-bb[0], aa[1]-bb[1], aa[2]-bb[2], aa[3]-bb[3]
			s0 += d0 * d0
			s1 += d1 * d1
			s2 += d2 * d2
			s3 += d3 * d3
			aa, bb = aa[4:], bb[4:]
		}
		bb = bb[:len(aa)]
		for j, v := range aa {
			d := v - bb[j]
			s0 += d * d
		}
		s += float64(s0) + float64(s1) + float64(s2) + float64(s3)
		if s > bound {
			return s
		}
	}
	return s
}
