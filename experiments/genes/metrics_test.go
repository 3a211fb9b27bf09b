package genes

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

func gaussian(rng *rand.Rand, n, dim int, centre, sd float64) []float64 {
	x := make([]float64, n*dim)
	for i := range x {
		x[i] = centre + sd*rng.NormFloat64()
	}
	return x
}

func TestMMD2(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := gaussian(rng, 30, 5, 0, 1)
	t.Run("identical", func(t *testing.T) {
		// The V-statistic of identical samples is 0 up to rounding of sums of ~900 terms ≤ 1.
		if got, _ := MMD2(x, slices.Clone(x), 5); !close64(got, 0, 1e-12, 0) {
			t.Errorf("MMD²(x, x) = %g, want 0", got)
		}
	})
	t.Run("separated", func(t *testing.T) {
		// Clusters 100 apart with sd 1 in 5-D: the bandwidth is the median
		// distance within the target cluster (≈ √10 ≈ 3.2), cross pairs
		// have k ≈ 0, so MMD² = mean k(x,x′) + mean k(y,y′) ≈ 2·e^{−1/2}
		// ≈ 1.2 (|a−b|² ≈ 2·5 = h² for pairs within a cluster), and
		// clearly above the identical case.
		y := gaussian(rng, 30, 5, 100/math.Sqrt(5), 1)
		got, h := MMD2(x, y, 5)
		if !(h > 2.5 && h < 4) || !(got > 1 && got <= 2) {
			t.Errorf("MMD² = %g with h = %g, want in (1, 2] with h ≈ 3.2", got, h)
		}
	})
	t.Run("hand", func(t *testing.T) {
		// x = {0}, y = {1} in 1-D: one target, h falls back to 1,
		// MMD² = 1 + 1 − 2e^{−1/2}.
		if got, h := MMD2([]float64{0}, []float64{1}, 1); h != 1 || !close64(got, 2-2*math.Exp(-0.5), 1e-15, 0) {
			t.Errorf("MMD²({0},{1}) = %g, h = %g", got, h)
		}
	})
	t.Run("engine", func(t *testing.T) {
		// The gene tables and the flow metric are one MMD²: on float32
		// data they agree exactly.
		y := gaussian(rng, 25, 5, 1, 2)
		got, _ := MMD2(x, y, 5)
		want := core.MMD2(float32s(x), 30, float32s(y), 25, 5)
		if got != want {
			t.Errorf("genes.MMD2 = %v, core.MMD2 = %v", got, want)
		}
	})
}

func TestSilhouette(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	t.Run("hand", func(t *testing.T) {
		// 1-D {0, 1} vs {10, 11}: for 0, a = 1, b = 10.5; for 1, a = 1, b = 9.5
		// (symmetric for the other group).
		got := Silhouette([]float64{0, 1, 10, 11}, 1, []string{"a", "a", "b", "b"})
		want := ((10.5-1)/10.5 + (9.5-1)/9.5) / 2
		if !close64(got, want, 1e-15, 0) {
			t.Errorf("silhouette = %g, want %g", got, want)
		}
	})
	t.Run("separated", func(t *testing.T) {
		x := append(gaussian(rng, 20, 3, 0, 0.1), gaussian(rng, 20, 3, 50, 0.1)...)
		labels := make([]string, 40)
		for i := range labels {
			labels[i] = []string{"a", "b"}[i/20]
		}
		// a ≈ 0.2, b ≈ 87: s ≈ 1 − 0.2/87.
		if got := Silhouette(x, 3, labels); !(got > 0.99) {
			t.Errorf("silhouette of separated clusters = %g, want ≈ 1", got)
		}
		// Random labels on the same points: ≈ 0 (or below).
		mixed := make([]string, 40)
		for i := range mixed {
			mixed[i] = []string{"a", "b"}[i%2]
		}
		if got := Silhouette(x, 3, mixed); !(got < 0.05) {
			t.Errorf("silhouette of mixed labels = %g, want ≤ 0", got)
		}
	})
	t.Run("singleton-and-one-group", func(t *testing.T) {
		// A singleton scores 0 (sklearn); {0,1} vs {5}: s(0) = (5−1)/5, s(1) = (4−1)/4.
		got := Silhouette([]float64{0, 1, 5}, 1, []string{"a", "a", "b"})
		if want := (0.8 + 0.75) / 3; !close64(got, want, 1e-15, 0) {
			t.Errorf("silhouette = %g, want %g", got, want)
		}
		if got := Silhouette([]float64{0, 1}, 1, []string{"a", "a"}); !math.IsNaN(got) {
			t.Errorf("one group: %g, want NaN", got)
		}
	})
}

func TestILISI(t *testing.T) {
	t.Run("separated", func(t *testing.T) {
		x := []float64{0, 1, 2, 100, 101, 102}
		if got := ILISI(x, 1, []string{"a", "a", "a", "b", "b", "b"}, 2); got != 1 {
			t.Errorf("iLISI = %g, want 1", got)
		}
	})
	t.Run("mixed", func(t *testing.T) {
		// Clumps of 4 points (2 of each batch) 100 apart: the 3 neighbours
		// of any point are 2 of the other batch and 1 of its own, so
		// iLISI = 1/((1/3)² + (2/3)²) = 9/5.
		var x []float64
		var b []string
		for c := range 3 {
			x = append(x, float64(100*c), float64(100*c)+1, float64(100*c)+2, float64(100*c)+3)
			b = append(b, "a", "b", "a", "b")
		}
		if got := ILISI(x, 1, b, 3); !close64(got, 9.0/5, 1e-15, 0) {
			t.Errorf("iLISI = %g, want 1.8", got)
		}
	})
}

func TestMeanDistance(t *testing.T) {
	if got := MeanDistance([]float64{0, 0, 1, 1}, []float64{3, 4, 1, 1}, 2); got != 2.5 {
		t.Errorf("MeanDistance = %g, want (5+0)/2", got)
	}
}

func TestConfounding(t *testing.T) {
	t.Run("bladder-2-5", func(t *testing.T) {
		ds, err := Bladder()
		if err != nil {
			t.Fatal(err)
		}
		sub := ds.Subset(ds.Where("2", "5"))
		c := CheckConfounding(sub.Batch, sub.Label)
		w := c.Warnings()
		// Normal only in batch 2, Biopsy only in batch 5; Cancer in both.
		if len(w) != 2 {
			t.Fatalf("warnings %q, want 2 (Biopsy, Normal)", w)
		}
		// Table [[0,4],[14,15],[4,0]], n = 37, expected counts 1.9459,
		// 2.0541 (Biopsy, Normal) and 14.108, 14.892 (Cancer): by hand
		// χ² = 1.9459 + 1.8434 + 0.0008 + 0.0008 + 2.1683 + 2.0541 = 8.0133,
		// V = √(χ²/37) = 0.4654 (hand rounding: 1e-4).
		if !close64(c.CramersV, 0.4654, 1e-4, 0) {
			t.Errorf("Cramér's V = %g, want ≈ 0.4654", c.CramersV)
		}
	})
	t.Run("perfect-and-none", func(t *testing.T) {
		if c := CheckConfounding([]string{"1", "1", "2", "2"}, []string{"x", "x", "y", "y"}); c.CramersV != 1 || len(c.Warnings()) != 2 {
			t.Errorf("perfect: V = %g, %d warnings, want 1 and 2", c.CramersV, len(c.Warnings()))
		}
		if c := CheckConfounding([]string{"1", "1", "2", "2"}, []string{"x", "y", "x", "y"}); c.CramersV != 0 || len(c.Warnings()) != 0 {
			t.Errorf("balanced: V = %g, %d warnings, want 0 and 0", c.CramersV, len(c.Warnings()))
		}
	})
}

func TestMeanCenter(t *testing.T) {
	x := []float64{1, 10, 3, 20, 100, 0, 104, 2, 200, 7}
	batch := []string{"s", "s", "t", "t", "u"}
	out := MeanCenter(x, 5, 2, batch, "t")
	// Target t (rows 2, 3) unchanged; s shifted by (102−2, 1−15); u by (102−200, 1−7).
	want := []float64{101, -4, 103, 6, 100, 0, 104, 2, 102, 1}
	for i := range want {
		if !close64(out[i], want[i], 1e-13, 0) {
			t.Errorf("out[%d] = %g, want %g", i, out[i], want[i])
		}
	}
	// Without a reference all batch means become the grand mean (81.6, 7.8).
	out = MeanCenter(x, 5, 2, batch, "")
	for _, b := range []string{"s", "t", "u"} {
		var m0, m1 float64
		n := 0
		for i, bi := range batch {
			if bi == b {
				m0, m1, n = m0+out[2*i], m1+out[2*i+1], n+1
			}
		}
		if !close64(m0/float64(n), 81.6, 1e-12, 0) || !close64(m1/float64(n), 7.8, 1e-12, 0) {
			t.Errorf("batch %s mean (%g, %g), want (81.6, 7.8)", b, m0/float64(n), m1/float64(n))
		}
	}
}
