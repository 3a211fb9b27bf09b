package latent

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// pcaClose reports whether a and b agree within abs or within rel·max(|a|,|b|).
func pcaClose(a, b, abs, rel float64) bool {
	d := math.Abs(a - b)
	return d <= abs || d <= rel*math.Max(math.Abs(a), math.Abs(b))
}

func randMatrix(rng *rand.Rand, rows, cols int) []float64 {
	x := make([]float64, rows*cols)
	for i := range x {
		x[i] = rng.NormFloat64()*2 + 3
	}
	return x
}

func TestPCAReconstructionFullRank(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		name       string
		rows, cols int
		k          int
		center     bool
	}{
		// Uncentred: rank = min(rows, cols).
		{"tall-uncentred", 9, 4, 4, false},
		{"wide-uncentred", 4, 9, 4, false},
		// Centred: rank of the centred data is min(rows−1, cols).
		{"tall-centred", 9, 4, 4, true},
		{"wide-centred", 5, 12, 4, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := randMatrix(rng, tc.rows, tc.cols)
			p, err := FitPCA(x, tc.rows, tc.cols, tc.k, tc.center)
			if err != nil {
				t.Fatal(err)
			}
			z := make([]float64, tc.rows*tc.k)
			y := make([]float64, len(x))
			p.Encode64To(z, x, tc.rows)
			p.Decode64To(y, z, tc.rows)
			for i := range x {
				// float64 SVD of a ~10-conditioned matrix: 1e-12 is ~1e4 ulps.
				if !pcaClose(y[i], x[i], 1e-12, 1e-12) {
					t.Fatalf("D(E(x))[%d] = %g, want %g", i, y[i], x[i])
				}
			}
			// float32 path: inputs rounded to float32 (rel 6e-8), outputs too,
			// and ~cols products summed: 1e-5 relative to values of ~5.
			x32 := make([]float32, len(x))
			for i, v := range x {
				x32[i] = float32(v)
			}
			z32 := make([]float32, len(z))
			y32 := make([]float32, len(x))
			p.EncodeTo(z32, x32, tc.rows)
			p.DecodeTo(y32, z32, tc.rows)
			for i := range x32 {
				if !pcaClose(float64(y32[i]), float64(x32[i]), 1e-5, 1e-5) {
					t.Fatalf("float32 D(E(x))[%d] = %g, want %g", i, y32[i], x32[i])
				}
			}
		})
	}
}

func TestPCAOrthonormalComponents(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, tc := range []struct {
		name             string
		rows, cols, k    int
		center, float32s bool
	}{
		{"genes-like", 12, 200, 5, true, false},
		{"images-like", 200, 16, 10, true, true},
		{"uncentred", 30, 30, 30, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := randMatrix(rng, tc.rows, tc.cols)
			var p *PCA
			var err error
			if tc.float32s {
				x32 := make([]float32, len(x))
				for i, v := range x {
					x32[i] = float32(v)
				}
				p, err = FitPCA32(x32, tc.rows, tc.cols, tc.k, tc.center)
			} else {
				p, err = FitPCA(x, tc.rows, tc.cols, tc.k, tc.center)
			}
			if err != nil {
				t.Fatal(err)
			}
			v := p.Components()
			d, k := p.Dims()
			for a := range k {
				for b := range k {
					var s float64
					for j := range d {
						s += v[a*d+j] * v[b*d+j]
					}
					want := 0.0
					if a == b {
						want = 1
					}
					// LAPACK-quality orthogonality: 1e-12 absolute.
					if !pcaClose(s, want, 1e-12, 0) {
						t.Errorf("<v%d, v%d> = %g, want %g", a, b, s, want)
					}
				}
			}
			ev := p.ExplainedVariance()
			for i := 1; i < len(ev); i++ {
				if ev[i] > ev[i-1] {
					t.Errorf("explained variance not descending: %v", ev)
				}
			}
			if p.Lipschitz() != 1 {
				t.Errorf("Lipschitz() = %g, want 1", p.Lipschitz())
			}
			// The decoder is an isometry: ‖D(z) − D(z′)‖ = ‖z − z′‖.
			z1 := make([]float64, k)
			z2 := make([]float64, k)
			for i := range z1 {
				z1[i], z2[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			y1 := make([]float64, d)
			y2 := make([]float64, d)
			p.Decode64To(y1, z1, 1)
			p.Decode64To(y2, z2, 1)
			if dy, dz := dist(y1, y2), dist(z1, z2); !pcaClose(dy, dz, 1e-12, 1e-12) {
				t.Errorf("‖D(z)−D(z′)‖ = %g, want ‖z−z′‖ = %g", dy, dz)
			}
		})
	}
}

func dist(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += (a[i] - b[i]) * (a[i] - b[i])
	}
	return math.Sqrt(s)
}

// TestPCAKnownLine checks a hand-computed case: points t·(1,1)/√2 + (5, −1)
// with t ∈ {−2, −1, 0, 1, 2} have mean (5, −1), one axis (1,1)/√2 (positive
// by the sign convention), variance Σt²/(n−1) = 10/4 = 2.5 and nothing else.
func TestPCAKnownLine(t *testing.T) {
	s := 1 / math.Sqrt2
	var x []float64
	for _, tt := range []float64{-2, -1, 0, 1, 2} {
		x = append(x, 5+tt*s, -1+tt*s)
	}
	p, err := FitPCA(x, 5, 2, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	v, ev, mu := p.Components(), p.ExplainedVariance(), p.Mean()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"mean[0]", mu[0], 5},
		{"mean[1]", mu[1], -1},
		{"v0[0]", v[0], s},
		{"v0[1]", v[1], s},
		{"var0", ev[0], 2.5},
		{"var1", ev[1], 0},
		{"total", p.TotalVariance(), 2.5},
	} {
		// Exact arithmetic up to a few ulps of values ≤ 5.
		if !pcaClose(c.got, c.want, 1e-13, 1e-13) {
			t.Errorf("%s = %g, want %g", c.name, c.got, c.want)
		}
	}
	z := make([]float32, 5*2)
	x32 := make([]float32, len(x))
	for i, v := range x {
		x32[i] = float32(v)
	}
	p.EncodeTo(z, x32, 5)
	for i, tt := range []float64{-2, -1, 0, 1, 2} {
		// float32 inputs of magnitude 5 carry 5·6e-8 of rounding error.
		if !pcaClose(float64(z[2*i]), tt, 1e-6, 0) || !pcaClose(float64(z[2*i+1]), 0, 1e-6, 0) {
			t.Errorf("E(x%d) = (%g, %g), want (%g, 0)", i, z[2*i], z[2*i+1], tt)
		}
	}
}

func TestPCAPanics(t *testing.T) {
	x := make([]float64, 12)
	for i := range x {
		x[i] = float64(i * i)
	}
	p, err := FitPCA(x, 4, 3, 2, true)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		f    func()
		want string
	}{
		{"fit-shape", func() { FitPCA(x, 5, 3, 2, true) }, "latent: FitPCA: shape mismatch"},
		{"fit-k0", func() { FitPCA(x, 4, 3, 0, true) }, "latent: FitPCA: k out of range"},
		{"fit-kbig", func() { FitPCA(x, 4, 3, 4, true) }, "latent: FitPCA: k out of range"},
		{"fit32-shape", func() { FitPCA32(make([]float32, 5), 2, 3, 1, true) }, "latent: FitPCA32: shape mismatch"},
		{"encode", func() { p.EncodeTo(make([]float32, 3), make([]float32, 6), 2) }, "latent: PCA.EncodeTo: shape mismatch"},
		{"decode", func() { p.DecodeTo(make([]float32, 6), make([]float32, 3), 2) }, "latent: PCA.DecodeTo: shape mismatch"},
		{"encode64", func() { p.Encode64To(make([]float64, 4), make([]float64, 5), 2) }, "latent: PCA.Encode64To: shape mismatch"},
		{"decode64", func() { p.Decode64To(make([]float64, 5), make([]float64, 4), 2) }, "latent: PCA.Decode64To: shape mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

func ExampleFitPCA() {
	// Three points on the line y = x, centred at (1, 1): coordinates
	// −√2, 0, √2 along (1,1)/√2, variance (2+0+2)/(3−1) = 2.
	x := []float64{0, 0, 1, 1, 2, 2}
	p, err := FitPCA(x, 3, 2, 1, true)
	if err != nil {
		panic(err)
	}
	z := make([]float64, 3)
	p.Encode64To(z, x, 3)
	fmt.Printf("axis %.4f, variance %.1f, z %.4f\n", p.Components(), p.ExplainedVariance()[0], z)
	// Output: axis [0.7071 0.7071], variance 2.0, z [-1.4142 0.0000 1.4142]
}

func BenchmarkPCAEncode(b *testing.B) {
	for _, sz := range []struct{ rows, d, k int }{{64, 784, 16}, {64, 2000, 20}} {
		b.Run(fmt.Sprintf("%dx%d_k%d", sz.rows, sz.d, sz.k), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(5, 6))
			x := randMatrix(rng, sz.rows, sz.d)
			p, err := FitPCA(x, sz.rows, sz.d, sz.k, true)
			if err != nil {
				b.Fatal(err)
			}
			x32 := make([]float32, len(x))
			for i, v := range x {
				x32[i] = float32(v)
			}
			z := make([]float32, sz.rows*sz.k)
			b.ReportAllocs()
			for b.Loop() {
				p.EncodeTo(z, x32, sz.rows)
			}
		})
	}
}

func TestPCAEncodeDecodeAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	x := randMatrix(rng, 8, 50)
	p, err := FitPCA(x, 8, 50, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	x32 := make([]float32, len(x))
	z := make([]float32, 8*3)
	if n := testing.AllocsPerRun(10, func() { p.EncodeTo(z, x32, 8); p.DecodeTo(x32, z, 8) }); n != 0 {
		t.Errorf("EncodeTo+DecodeTo allocate %g times, want 0", n)
	}
}

// PlaneView projects onto the first two principal axes and lifts back to
// the plane through the mean; with too few rows it draws zeros.
func TestPlaneView(t *testing.T) {
	// Points on the plane z = 1 in R³, spread along x and y.
	x := []float32{0, 0, 1, 4, 0, 1, 0, 2, 1, 4, 2, 1, 2, 1, 1}
	to2D, lift := PlaneView(x, 5, 3)
	pts := make([]float32, 2*5)
	to2D(pts, x, 5)
	back := make([]float32, 3*5)
	lift(back, pts, 5)
	for i := range x {
		if math.Abs(float64(back[i]-x[i])) > 1e-5 {
			t.Fatalf("lift(to2D(x)) = %v, want x = %v (the points lie on the plane)", back, x)
		}
	}
	to2D, lift = PlaneView(x[:3], 1, 3)
	pts = []float32{7, 7}
	to2D(pts, x[:3], 1)
	back = []float32{7, 7, 7}
	lift(back, pts, 1)
	if pts[0] != 0 || pts[1] != 0 || back[0] != 0 || back[2] != 0 {
		t.Errorf("one row: to2D %v, lift %v; want zeros", pts, back)
	}
}
