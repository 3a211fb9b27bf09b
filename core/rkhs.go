package core

import "math"

// gaussKernel is the Gaussian kernel k(a, b) = exp(−g|a−b|²) of the RKHS
// methods (MMD flow, KALE, SVGD); g = 1/(2σ²) for a bandwidth σ.
type gaussKernel struct{ g float64 }

func kernelOfSigma(sigma float64) gaussKernel { return gaussKernel{g: 1 / (2 * sigma * sigma)} }

// at is k(a, b).
func (k gaussKernel) at(a, b []float32) float64 { return math.Exp(-k.g * sqDist(a, b)) }

// gradSum adds Σⱼ wⱼ ∇ₐk(a, bⱼ) = Σⱼ wⱼ k(a, bⱼ)·(−2g)(a − bⱼ) over the rows
// points bⱼ of b (rows×d) into grad (d) and returns Σⱼ wⱼ k(a, bⱼ). The
// weights are w[j], or the constant w0 when w is nil.
func (k gaussKernel) gradSum(grad []float64, a, b []float32, rows int, w []float64, w0 float64) float64 {
	d := len(a)
	grad = grad[:d]
	var ksum float64
	for j := range rows {
		bj := b[j*d : j*d+d]
		kv := math.Exp(-k.g * sqDist(a, bj))
		wj := w0
		if w != nil {
			wj = w[j]
		}
		kv *= wj
		ksum += kv
		c := -2 * k.g * kv
		for t, v := range a {
			grad[t] += c * (float64(v) - float64(bj[t]))
		}
	}
	return ksum
}

// meanGram is (1/(ra·rb)) Σᵢⱼ k(aᵢ, bⱼ) over all rows of a and b.
func (k gaussKernel) meanGram(a []float32, ra int, b []float32, rb, d int) float64 {
	var s float64
	for i := range ra {
		ai := a[i*d : i*d+d]
		for j := range rb {
			s += k.at(ai, b[j*d:j*d+d])
		}
	}
	return s / float64(ra*rb)
}

// particleSpeeds writes the velocity v (float64, M×d) into vel32 (float32)
// and returns the kinetic energy (1/M)Σ|vᵢ|², max |vᵢ| and mean |vᵢ| (the
// metrics every particle method reports, named as GPA's).
func particleSpeeds(vel32 []float32, v []float64, m, d int) (ke, vmax, vmean float64) {
	for i, x := range v[:m*d] {
		vel32[i] = float32(x)
	}
	return speeds(vel32, m, d)
}

// Metric declarations shared by the particle methods: the kinetic energy of
// the velocity field and the particle speeds.
var (
	kineticInfo = MetricInfo{Name: "kinetic_energy", Symbol: "KE", Scale: Log, Rank: 20, Better: Lower,
		Doc: "(1/M) Σ|vᵢ|², the kinetic energy of the particle velocities (eq. 13 for GPA)"}
	maxSpeedInfo = MetricInfo{Name: "max_speed", Symbol: "|v|max", Scale: Log, Rank: 50,
		Doc: "maxᵢ |vᵢ|: the fastest particle (no speed limit: these velocities are not Lipschitz-bounded)"}
	meanSpeedInfo = MetricInfo{Name: "mean_speed", Symbol: "|v|mean", Scale: Log, Show: ShowHidden, Rank: 60,
		Doc: "(1/M) Σ|vᵢ|"}
)
