package images

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func moments(mean []float64, cov []float64) *Moments {
	return &Moments{Mean: mean, Cov: mat.NewSymDense(len(mean), cov)}
}

// frechet2 is the closed form for d = 2: M = Σ₁^½Σ₂Σ₁^½ has tr M =
// tr(Σ₁Σ₂) and det M = det Σ₁ det Σ₂, and for a 2×2 PSD M with
// eigenvalues a, b, tr M^½ = √a + √b = √(tr M + 2√det M).
func frechet2(m1, m2 [2]float64, s1, s2 [4]float64) float64 {
	dm := (m1[0]-m2[0])*(m1[0]-m2[0]) + (m1[1]-m2[1])*(m1[1]-m2[1])
	trProd := s1[0]*s2[0] + s1[1]*s2[2] + s1[2]*s2[1] + s1[3]*s2[3]
	det := (s1[0]*s1[3] - s1[1]*s1[2]) * (s2[0]*s2[3] - s2[1]*s2[2])
	return dm + s1[0] + s1[3] + s2[0] + s2[3] - 2*math.Sqrt(trProd+2*math.Sqrt(det))
}

func TestFrechetClosedForm(t *testing.T) {
	s1 := [4]float64{2, 0.5, 0.5, 1}
	s2 := [4]float64{1, -0.3, -0.3, 0.5}
	tests := []struct {
		name string
		a, b *Moments
		want float64
	}{
		{"2-D non-commuting", moments([]float64{0, 0}, s1[:]), moments([]float64{1, 2}, s2[:]),
			frechet2([2]float64{0, 0}, [2]float64{1, 2}, s1, s2)},
		{"2-D same covariance", moments([]float64{0, 0}, s1[:]), moments([]float64{3, 4}, s1[:]), 25},
		// Diagonal: Σ (√aᵢ − √bᵢ)² = (1−2)² + (3−1)² + 0 + (0.5−0)² = 5.25.
		{"diagonal with a zero variance",
			moments([]float64{0, 0, 0, 0}, []float64{1, 0, 0, 0, 0, 9, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0.25}),
			moments([]float64{0, 0, 0, 0}, []float64{4, 0, 0, 0, 0, 1, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0}), 5.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FrechetMoments(tt.a, tt.b)
			if err != nil {
				t.Fatal(err)
			}
			if !close64(got, tt.want, 1e-12, 1e-10) { // float64 eigen round-off
				t.Fatalf("Fréchet = %.15g, want %.15g", got, tt.want)
			}
			if again, _ := FrechetMoments(tt.a, tt.b); again != got { // cached Σ₁^½
				t.Fatalf("second call = %.15g, first %.15g", again, got)
			}
			if back, _ := FrechetMoments(tt.b, tt.a); !close64(back, got, 1e-12, 1e-10) {
				t.Fatalf("not symmetric: %.15g vs %.15g", back, got)
			}
		})
	}
}

// gaussianRows draws n rows of N(mean, L Lᵀ) for a lower-triangular L
// given row-major.
func gaussianRows(rng *rand.Rand, n int, mean []float64, l []float64) []float32 {
	d := len(mean)
	x := make([]float32, n*d)
	z := make([]float64, d)
	for i := range n {
		for j := range z {
			z[j] = rng.NormFloat64()
		}
		for j := range d {
			v := mean[j]
			for k := 0; k <= j; k++ {
				v += l[j*d+k] * z[k]
			}
			x[i*d+j] = float32(v)
		}
	}
	return x
}

// Two sampled 2-D Gaussians against the closed form. The estimate's
// sampling error is O(1/√n); 3 % covers n = 100,000 with margin.
func TestFrechetSampledGaussians(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	// Σ₁ = L₁L₁ᵀ = [[2.25, 0.75], [0.75, 1.25]], Σ₂ = L₂L₂ᵀ = [[0.25, -0.25], [-0.25, 1.25]]
	l1 := []float64{1.5, 0, 0.5, 1}
	l2 := []float64{0.5, 0, -0.5, 1}
	const n = 100_000
	x := gaussianRows(rng, n, []float64{0, 0}, l1)
	y := gaussianRows(rng, n, []float64{1, -1}, l2)
	got, err := FrechetDistance(x, n, y, n, 2)
	if err != nil {
		t.Fatal(err)
	}
	want := frechet2([2]float64{0, 0}, [2]float64{1, -1}, [4]float64{2.25, 0.75, 0.75, 1.25}, [4]float64{0.25, -0.25, -0.25, 1.25})
	if !close64(got, want, 0, 0.03) {
		t.Fatalf("Fréchet of samples = %g, want %g (closed form)", got, want)
	}
}

func TestFrechetSelf(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, tt := range []struct {
		name string
		n, d int
		tol  float64
	}{
		{"n > d", 500, 20, 1e-9},         // ~1e-13 seen; float64 eigen round-off
		{"n < d (rank 9)", 10, 20, 1e-6}, // √ of round-off eigenvalues of a singular Σ²
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := make([]float32, tt.n*tt.d)
			Gaussian.SampleTo(x, rng)
			got, err := FrechetDistance(x, tt.n, x, tt.n, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if !(got >= 0 && got <= tt.tol*float64(tt.d)) {
				t.Fatalf("Fréchet(x, x) = %g, want ≈ 0 (≤ %g)", got, tt.tol*float64(tt.d))
			}
			// A shift by c keeps Σ: the distance is exactly |c|², so the
			// trace terms must cancel without help from clamping at 0.
			y := make([]float32, len(x))
			var c2 float64
			for j := range tt.d {
				c := 0.1 * float32(j%3)
				c2 += float64(c) * float64(c)
				for i := range tt.n {
					y[i*tt.d+j] = x[i*tt.d+j] + c
				}
			}
			got, err = FrechetDistance(x, tt.n, y, tt.n, tt.d)
			if err != nil {
				t.Fatal(err)
			}
			if !close64(got, c2, tt.tol*float64(tt.d), 1e-5) { // 1e-5: float32 storage of the shifted rows
				t.Fatalf("Fréchet(x, x+c) = %g, want |c|² = %g", got, c2)
			}
		})
	}
}

// An orthogonal change of feature basis leaves the distance unchanged;
// the paper's elementwise "sqrt of the product" formula is not invariant.
func TestFrechetRotationInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	const n, d = 300, 4
	x, y := make([]float32, n*d), make([]float32, n*d)
	Gaussian.SampleTo(x, rng)
	Uniform.SampleTo(y, rng)
	for i := range y {
		y[i] *= 3
	}
	var qr mat.QR
	a := mat.NewDense(d, d, nil)
	for i := range d {
		for j := range d {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	qr.Factorize(a)
	var q mat.Dense
	qr.QTo(&q)
	rotate := func(x []float32) []float32 {
		out := make([]float32, len(x))
		for i := range n {
			for j := range d {
				var s float64
				for k := range d {
					s += q.At(j, k) * float64(x[i*d+k])
				}
				out[i*d+j] = float32(s)
			}
		}
		return out
	}
	before, _ := FrechetDistance(x, n, y, n, d)
	after, err := FrechetDistance(rotate(x), n, rotate(y), n, d)
	if err != nil {
		t.Fatal(err)
	}
	if !close64(after, before, 0, 1e-5) { // float32 storage of rotated features
		t.Fatalf("Fréchet after rotation = %g, before %g", after, before)
	}
}

func TestFrechetNonFinite(t *testing.T) {
	x := []float32{0, 1, 2, float32(math.NaN())}
	y := []float32{0, 1, 2, 3}
	if _, err := FrechetDistance(x, 2, y, 2, 2); !errors.Is(err, ErrNumeric) {
		t.Fatalf("error = %v, want ErrNumeric", err)
	}
}
