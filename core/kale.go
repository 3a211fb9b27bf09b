package core

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/lapack/lapack64"
)

// KALEConfig is the [kale] section: the KALE flow of Glaser, Arbel and
// Gretton (2021), a KL gradient flow relaxed by an RKHS witness (paper
// Fig. 5(c)). Zero values take the defaults.
type KALEConfig struct {
	// Sigma is the Gaussian kernel bandwidth σ; default 0.5 (paper Fig. 5).
	Sigma float64 `toml:"sigma,omitempty" json:"sigma,omitempty"`
	// Lambda is the RKHS-norm regularisation λ > 0; default 0.01 (our
	// choice: the paper does not give it). λ → 0 approaches KL, large λ
	// an MMD-like flow.
	Lambda float64 `toml:"lambda,omitempty" json:"lambda,omitempty"`
	// NewtonIters bounds the Newton iterations per particle step that solve
	// the witness problem (warm-started; default 50, usually 1–3 are used).
	NewtonIters int `toml:"newton_iters,omitempty" json:"newton_iters,omitempty"`
}

const (
	kaleSigma  = 0.5  // paper Fig. 5(c)
	kaleLambda = 0.01 // our choice (see KALEConfig.Lambda)
	kaleNewton = 50
	// kaleTol stops Newton when the Newton decrement is below kaleTol
	// relative to |G|: G is then optimal to about 1e-13 relative.
	kaleTol = 1e-13
	// kaleMinAlpha keeps αⱼ a normal float64 (e^{−690}).
	kaleMinAlpha = 1e-300
)

func (c *KALEConfig) sigma() float64  { return orDefault(c.Sigma, kaleSigma) }
func (c *KALEConfig) lambda() float64 { return orDefault(c.Lambda, kaleLambda) }
func (c *KALEConfig) iters() int      { return int(orDefault(float64(c.NewtonIters), kaleNewton)) }

var kaleInfo = MethodInfo{
	Kind: "kale",
	Doc:  "KALE flow (Glaser et al. 2021): particles descend the KL approximate lower-bound estimator's RKHS witness",
	Params: ParamTable{
		dtParam,
		{
			Key: "lambda", Preset: "kale.lambda", Symbol: "λ", Doc: "RKHS-norm regularisation of the witness", Min: 0, Max: 1e6, MinOpen: true,
			Up: "A", Down: "a",
			get: func(c *Config) float64 { return c.KALE.lambda() },
			set: func(c *Config, v float64) { c.KALE.Lambda = v },
		},
		{
			Key: "sigma", Preset: "kale.sigma", Symbol: "σ_k", Doc: "kernel bandwidth σ", Min: 0, Max: 1e6, MinOpen: true,
			Up: "W", Down: "w",
			get: func(c *Config) float64 { return c.KALE.sigma() },
			set: func(c *Config, v float64) { c.KALE.Sigma = v },
		},
	},
	Validate: func(c *Config) error {
		if n := c.KALE.NewtonIters; n < 0 || n > 1000 {
			return fieldErr("kale.newton_iters", "%d: want 1 … 1000 (0 = %d)", n, kaleNewton)
		}
		return nil
	},
	New: newKALE,
}

var kaleMetrics = []MetricInfo{
	{Name: "kale", Symbol: "KALE", Rank: 10, Better: Lower,
		Doc: "KALE(Pₙ‖Q) = (1+λ) max_h {1 + E_P h − E_Q e^h − (λ/2)‖h‖²} (Glaser et al. 2021), at the solved witness"},
	kineticInfo, maxSpeedInfo, meanSpeedInfo,
	{Name: "duality_gap", Symbol: "gap", Scale: Log, Show: ShowHidden, Rank: 80,
		Doc: "dual − primal value of the witness problem (≥ 0, 0 at the optimum): how well Newton solved it"},
	{Name: "newton_iters", Symbol: "Newton", Show: ShowHidden, Rank: 81, Doc: "Newton iterations used this step"},
}

// kale is the KALE flow. The witness h maximises (Glaser et al. 2021,
// eq. (4); P = Pₙ the particles, Q the targets)
//
//	KALE(P‖Q) = (1+λ) max_{h∈H} { 1 + E_P[h] − E_Q[e^h] − (λ/2)‖h‖²_H },
//
// and the particles follow the Wasserstein gradient of P ↦ KALE(P‖Q), which
// by the envelope theorem is (1+λ)∇h: Yᵢ ← Yᵢ − Δt(1+λ)∇h(Yᵢ).
//
// The witness is found by Newton's method on the dual in αⱼ > 0, one per
// target (our derivation: write −e^t = min_α {−αt + α log α − α} and
// maximise over h in closed form):
//
//	h = (1/λ) w_α,   w_α = (1/M) Σᵢ k(Yᵢ,·) − (1/N) Σⱼ αⱼ k(Xⱼ,·)
//	G(α) = Σⱼ (αⱼ log αⱼ − αⱼ) + (N/2λ) ‖w_α‖²          (min over α > 0)
//	∇G = log α − h(X),   ∇²G = diag(1/α) + K_XX/(λN)    (SPD)
//
// with the optimality condition αⱼ = e^{h(Xⱼ)} and strong duality
// KALE = (1+λ)(1 + G(α*)/N). Each step warm-starts from the previous α.
type kale struct {
	cfg     *Config
	x       []float32
	m, n, d int

	alpha, saveAlpha []float64
	kxx              []float64 // K_XX (N×N) for the bandwidth sigmaAt
	sigmaAt          float64
	kxy              []float64 // (1/M) Σᵢ k(Xⱼ, Yᵢ)
	hx, gradG, delta []float64
	trial            []float64
	hess             []float64 // N×N, overwritten by its Cholesky factor
	hy               []float64 // h(Yᵢ)
	grad             []float64 // ∇h(Yᵢ), M×d
	wx               []float64 // −αⱼ/(λN)
	vel              []float32
}

func newKALE(cfg *Config, p *Problem) (Method, error) {
	m, n, d := p.M, p.N, p.D
	k := &kale{
		cfg: cfg, x: p.X, m: m, n: n, d: d,
		alpha: make([]float64, n), saveAlpha: make([]float64, n),
		kxx: make([]float64, n*n), kxy: make([]float64, n),
		hx: make([]float64, n), gradG: make([]float64, n), delta: make([]float64, n), trial: make([]float64, n),
		hess: make([]float64, n*n), hy: make([]float64, m), grad: make([]float64, m*d), wx: make([]float64, n),
		vel: make([]float32, m*d),
	}
	for j := range k.alpha {
		k.alpha[j] = 1 // h = 0 on the targets: the witness of P = Q
	}
	return k, nil
}

func (k *kale) Metrics() []MetricInfo { return kaleMetrics }

// prepare computes K_XX (when σ changed), kxy and kyy = mean k(Y, Y) for
// the particles y.
func (k *kale) prepare(y []float32) (kyy float64) {
	m, n, d := k.m, k.n, k.d
	ker := kernelOfSigma(k.cfg.KALE.sigma())
	if s := k.cfg.KALE.sigma(); s != k.sigmaAt {
		for a := range n {
			for b := range n {
				k.kxx[a*n+b] = ker.at(k.x[a*d:a*d+d], k.x[b*d:b*d+d])
			}
		}
		k.sigmaAt = s
	}
	for j := range n {
		var s float64
		xj := k.x[j*d : j*d+d]
		for i := range m {
			s += ker.at(xj, y[i*d:i*d+d])
		}
		k.kxy[j] = s / float64(m)
	}
	return ker.meanGram(y, m, y, m, d)
}

// dual evaluates G(α) and writes h(X) for α into hx; ‖w_α‖² is returned too.
func (k *kale) dual(alpha, hx []float64, kyy float64) (g, w2 float64) {
	n, lam := k.n, k.cfg.KALE.lambda()
	var ent, lin, quad float64
	for a := range n {
		var s float64
		row := k.kxx[a*n : a*n+n]
		for b, v := range row {
			s += v * alpha[b]
		}
		s /= float64(n) // (1/N) (K_XX α)_a
		hx[a] = (k.kxy[a] - s) / lam
		quad += alpha[a] * s
		lin += alpha[a] * k.kxy[a]
		ent += alpha[a]*math.Log(alpha[a]) - alpha[a]
	}
	// ‖w_α‖² = kyy − (2/N) αᵀkxy + (1/N²) αᵀK_XXα
	w2 = kyy - 2*lin/float64(n) + quad/float64(n)
	return ent + float64(n)*w2/(2*lam), w2
}

// solve runs Newton's method on G from the current α and returns the
// iterations used, the final ‖w_α‖² and G.
func (k *kale) solve(kyy float64) (iters int, w2, g float64) {
	n, lam := k.n, k.cfg.KALE.lambda()
	g, w2 = k.dual(k.alpha, k.hx, kyy)
	for iters = 0; iters < k.cfg.KALE.iters(); iters++ {
		for j, a := range k.alpha {
			k.gradG[j] = math.Log(a) - k.hx[j]
		}
		// ∇²G Δ = −∇G, ∇²G = diag(1/α) + K_XX/(λN), by Cholesky.
		c := 1 / (lam * float64(n))
		for a := range n {
			for b := range n {
				k.hess[a*n+b] = c * k.kxx[a*n+b]
			}
			k.hess[a*n+a] += 1 / k.alpha[a]
			k.delta[a] = -k.gradG[a]
		}
		t, ok := lapack64.Potrf(blas64.Symmetric{N: n, Stride: n, Data: k.hess, Uplo: blas.Upper})
		if !ok {
			break
		}
		lapack64.Potrs(t, blas64.General{Rows: n, Cols: 1, Stride: 1, Data: k.delta})
		// The Newton decrement ∇GᵀΔ = −∇Gᵀ(∇²G)⁻¹∇G is twice the decrease
		// Newton expects: stop when it is at rounding level. (A test on
		// ∇G itself would never pass for targets whose αⱼ = e^{h(Xⱼ)} is
		// below kaleMinAlpha; their Δⱼ ≈ 0.)
		var slope float64
		for j, v := range k.delta {
			slope += k.gradG[j] * v
		}
		if !(-slope > kaleTol*max(1, math.Abs(g))) {
			break
		}
		// The Newton direction Δα, applied multiplicatively,
		// α ← α∘exp(t Δα/α): the same first-order step (Δ log α = Δα/α),
		// but α stays positive however far it must go (targets where h
		// is very negative need αⱼ = e^{h(Xⱼ)} ≈ 0). Δα/α = −(I +
		// K_XX diag(α)/(λN))⁻¹∇G is a descent direction of G in log α, so
		// backtracking to the Armijo condition ends.
		step := 1.0
		for range 60 {
			for j, v := range k.delta {
				k.trial[j] = max(k.alpha[j]*math.Exp(step*v/k.alpha[j]), kaleMinAlpha)
			}
			if gt, _ := k.dual(k.trial, k.hx, kyy); gt <= g+1e-4*step*slope {
				break
			}
			step /= 2
		}
		copy(k.alpha, k.trial)
		g, w2 = k.dual(k.alpha, k.hx, kyy)
	}
	return iters, w2, g
}

func (k *kale) Step(y []float32, dst []float64) error {
	copy(k.saveAlpha, k.alpha)
	m, n, d, lam := k.m, k.n, k.d, k.cfg.KALE.lambda()
	kyy := k.prepare(y)
	iters, w2, g := k.solve(kyy)
	// h(Yᵢ) and ∇h(Yᵢ) = (1/λ)[(1/M)Σᵢ′ ∇k(Yᵢ, Yᵢ′) − (1/N)Σⱼ αⱼ ∇k(Yᵢ, Xⱼ)].
	ker := kernelOfSigma(k.cfg.KALE.sigma())
	for j, a := range k.alpha {
		k.wx[j] = -a / (lam * float64(n))
	}
	clear(k.grad)
	var meanHY float64
	for i := range m {
		gi, yi := k.grad[i*d:i*d+d], y[i*d:i*d+d]
		hy := ker.gradSum(gi, yi, y, m, nil, 1/(lam*float64(m)))
		hy += ker.gradSum(gi, yi, k.x, n, k.wx, 0)
		meanHY += hy / float64(m)
	}
	var meanExp float64
	for _, h := range k.hx {
		meanExp += math.Exp(h) / float64(n)
	}
	// Primal value at h = w_α/λ, ‖h‖² = ‖w_α‖²/λ²; dual value 1 + G/N.
	primal := 1 + meanHY - meanExp - w2/(2*lam)
	dual := 1 + g/float64(n)
	kaleV := (1 + lam) * primal
	scale := 1 + lam
	for i := range k.grad {
		k.grad[i] *= scale // the velocity (1+λ)∇h
	}
	ke, vmax, vmean := particleSpeeds(k.vel, k.grad, m, d)
	if !finite(kaleV) || !finite(ke) {
		return fmt.Errorf("KALE witness = %v, kinetic energy %v: %w", kaleV, ke, ErrDiverged)
	}
	dt := float32(k.cfg.Flow.Dt)
	for i, v := range k.vel {
		y[i] -= dt * v
	}
	dst[0], dst[1], dst[2], dst[3] = kaleV, ke, vmax, vmean
	dst[4], dst[5] = (1+lam)*math.Max(dual-primal, 0), float64(iters)
	return nil
}

func (k *kale) Undo()                         { copy(k.alpha, k.saveAlpha) }
func (k *kale) Set(p *Param, v float64) error { return nil } // read each step

// State is the dual variable α, the warm start of the next Newton solve.
func (k *kale) State() MethodState {
	return MethodState{F64: []Named64{{"alpha", k.alpha}}}.clone()
}

func (k *kale) SetState(st MethodState) error {
	a := st.Get64("alpha")
	if len(a) != k.n {
		return fmt.Errorf("KALE: %d dual variables for %d targets", len(a), k.n)
	}
	for _, v := range a {
		if !(v > 0) || math.IsInf(v, 1) {
			return fmt.Errorf("KALE: dual variable %v: want > 0", v)
		}
	}
	copy(k.alpha, a)
	return nil
}

func (k *kale) Summary() [][2]string {
	return [][2]string{{"kernel", fmt.Sprintf("Gaussian σ %g", k.cfg.KALE.sigma())}}
}
