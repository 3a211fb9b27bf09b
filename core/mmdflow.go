package core

import (
	"fmt"
	"math"
)

// MMDFlowConfig is the [mmd-flow] section: the MMD gradient flow of Arbel,
// Korba, Salim and Gretton (2019), the Wasserstein gradient flow of
// ½MMD²(P, Q) for a Gaussian kernel (paper Fig. 5(d), Remark B.6). Zero
// values take the defaults.
type MMDFlowConfig struct {
	// Sigma is the kernel bandwidth σ of k(a,b) = exp(−|a−b|²/(2σ²));
	// default 0.5 (paper Fig. 5).
	Sigma float64 `toml:"sigma,omitempty" json:"sigma,omitempty"`
	// Noise is the level β of Arbel et al.'s noise injection: the witness
	// gradient is evaluated at Yᵢ + βUᵢ, U ~ N(0, I). 0 (default) is the
	// plain flow, as the paper's figure.
	Noise float64 `toml:"noise,omitempty" json:"noise,omitempty"`
}

const mmdFlowSigma = 0.5 // paper Fig. 5(d)

func (c *MMDFlowConfig) sigma() float64 { return orDefault(c.Sigma, mmdFlowSigma) }

// orDefault is v, or def when v is 0 (a section field left out).
func orDefault(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// dtParam is the particle time step, shared by the particle methods.
var dtParam = Param{
	Key: "dt", Preset: "flow.dt", Symbol: "Δt", Doc: "particle time step", Min: 0, Max: 1e6, MinOpen: true,
	Up: "T", Down: "t",
	get: func(c *Config) float64 { return c.Flow.Dt },
	set: func(c *Config, v float64) { c.Flow.Dt = v },
}

var mmdFlowInfo = MethodInfo{
	Kind: "mmd-flow",
	Doc:  "MMD gradient flow (Arbel et al. 2019): particles descend the witness of ½MMD², Gaussian kernel",
	Params: ParamTable{
		dtParam,
		{
			Key: "sigma", Preset: "mmd-flow.sigma", Symbol: "σ_k", Doc: "kernel bandwidth σ", Min: 0, Max: 1e6, MinOpen: true,
			Up: "W", Down: "w",
			get: func(c *Config) float64 { return c.MMDFlow.sigma() },
			set: func(c *Config, v float64) { c.MMDFlow.Sigma = v },
		},
		{
			Key: "noise", Preset: "mmd-flow.noise", Symbol: "β", Doc: "noise injection level β (Arbel et al. 2019); 0 = off", Min: 0, Max: 1e6,
			Up: "B", Down: "b",
			get: func(c *Config) float64 { return c.MMDFlow.Noise },
			set: func(c *Config, v float64) { c.MMDFlow.Noise = v },
		},
	},
	Validate: func(c *Config) error { return nil }, // the parameters are all in Params
	New:      newMMDFlow,
}

var mmdFlowMetrics = []MetricInfo{
	{Name: "mmd2_kernel", Symbol: "MMD²_σ", Scale: Log, Rank: 10, Better: Lower,
		Doc: "MMD²(Yₙ, X) with the flow's own kernel (bandwidth σ): the energy the flow descends (×2)"},
	kineticInfo, maxSpeedInfo, meanSpeedInfo,
}

// mmdFlow moves the particles down the MMD witness (Arbel et al. 2019,
// eq. (8); paper eq. (43)):
//
//	f(z) = (1/M) Σᵢ k(Yᵢ, z) − (1/N) Σⱼ k(Xⱼ, z)
//	Yᵢ ← Yᵢ − Δt ∇f(Yᵢ + βUᵢ),   Uᵢ ~ N(0, I)
//
// f is the first variation of ½MMD²(P, Q) at P = Pₙ, so without noise
// (β = 0) this is the forward Euler step of the gradient flow of ½MMD²;
// with β > 0 it is their noise-injection remedy.
type mmdFlow struct {
	cfg     *Config
	x       []float32
	m, n, d int
	kxx     float64 // mean k(Xⱼ, Xⱼ′), recomputed when σ changes
	kxxAt   float64 // the σ kxx was computed for

	noise *stream
	u     []float32 // Yᵢ + βUᵢ (M×d)
	grad  []float64 // ∇f at every particle (M×d)
	vel   []float32
}

func newMMDFlow(cfg *Config, p *Problem) (Method, error) {
	m, d := p.M, p.D
	return &mmdFlow{
		cfg: cfg, x: p.X, m: m, n: p.N, d: d,
		noise: newStream(cfg.Seed, streamNoise),
		u:     make([]float32, m*d),
		grad:  make([]float64, m*d),
		vel:   make([]float32, m*d),
	}, nil
}

func (f *mmdFlow) Metrics() []MetricInfo { return mmdFlowMetrics }

func (f *mmdFlow) Step(y []float32, dst []float64) error {
	f.noise.save()
	m, n, d := f.m, f.n, f.d
	sigma := f.cfg.MMDFlow.sigma()
	k := kernelOfSigma(sigma)
	if f.kxxAt != sigma {
		f.kxx, f.kxxAt = k.meanGram(f.x, n, f.x, n, d), sigma
	}
	beta := f.cfg.MMDFlow.Noise
	copy(f.u, y[:m*d])
	if beta > 0 {
		for i := range f.u {
			f.u[i] += float32(beta * f.noise.NormFloat64())
		}
	}
	clear(f.grad)
	var kyy, kyx float64
	for i := range m {
		g := f.grad[i*d : i*d+d]
		ui := f.u[i*d : i*d+d]
		// term 1: (1/M) Σᵢ′ ∇k(·, Yᵢ′); term 2: −(1/N) Σⱼ ∇k(·, Xⱼ).
		sy := k.gradSum(g, ui, y, m, nil, 1/float64(m))
		sx := k.gradSum(g, ui, f.x, n, nil, -1/float64(n))
		if beta == 0 {
			kyy += sy
			kyx -= sx
		}
	}
	mmd2 := math.NaN()
	if beta == 0 {
		// MMD² = mean k(Y,Y) + mean k(X,X) − 2 mean k(Y,X), from the same sums.
		mmd2 = math.Max(kyy/float64(m)+f.kxx-2*kyx/float64(m), 0)
	} else {
		mmd2 = math.Max(k.meanGram(y, m, y, m, d)+f.kxx-2*k.meanGram(y, m, f.x, n, d), 0)
	}
	ke, vmax, vmean := particleSpeeds(f.vel, f.grad, m, d)
	if !finite(ke) {
		return fmt.Errorf("MMD witness gradient: %w", ErrDiverged)
	}
	dt := float32(f.cfg.Flow.Dt)
	for i, v := range f.vel {
		y[i] -= dt * v
	}
	dst[0], dst[1], dst[2], dst[3] = mmd2, ke, vmax, vmean
	return nil
}

func (f *mmdFlow) Undo()                         { f.noise.restore() }
func (f *mmdFlow) Set(p *Param, v float64) error { return nil } // read from the configuration each step

func (f *mmdFlow) State() MethodState {
	return MethodState{F64: []Named64{{"rng_noise", f.noise.state()}}}
}

func (f *mmdFlow) SetState(st MethodState) error { return f.noise.setState(st.Get64("rng_noise")) }

func (f *mmdFlow) Summary() [][2]string {
	return [][2]string{{"kernel", fmt.Sprintf("Gaussian σ %g", f.cfg.MMDFlow.sigma())}}
}
