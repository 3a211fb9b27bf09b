package core

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/lipnet"
)

// NCSNConfig is the [ncsn] section: a noise-conditional score network
// trained by denoising score matching, then annealed Langevin dynamics
// (Song & Ermon 2019; paper App. A, eq. (21), Figs. 3(b) and 6(b)). Zero
// values take the defaults, which New writes into the configuration.
type NCSNConfig struct {
	// Levels is the number L of noise levels σ₁ > … > σ_L, a geometric
	// sequence from SigmaMax to SigmaMin; default 10 (Song & Ermon 2019).
	Levels   int     `toml:"levels,omitempty" json:"levels,omitempty"`
	SigmaMax float64 `toml:"sigma_max,omitempty" json:"sigma_max,omitempty"` // σ₁; default: the largest distance between two targets (Song & Ermon 2020, technique 1)
	SigmaMin float64 `toml:"sigma_min,omitempty" json:"sigma_min,omitempty"` // σ_L; default 0.01 (Song & Ermon 2019)
	// Hidden and Activation describe the score network s_θ (a dense
	// lipnet net without normalisation, one head of d outputs per noise
	// level); default [128, 128, 128], "softplus" (a smooth score).
	Hidden     []int  `toml:"hidden,omitempty" json:"hidden,omitempty"`
	Activation string `toml:"activation,omitempty" json:"activation,omitempty"`
	// LR is Adam's learning rate (default 1e-3), Batch the rows of a
	// denoising-score-matching minibatch (default 128).
	LR    float64 `toml:"lr,omitempty" json:"lr,omitempty"`
	Batch int     `toml:"batch,omitempty" json:"batch,omitempty"`
	// TrainUpdates is the number of optimiser updates before sampling
	// (default 5000), UpdatesPerStep how many make one step of the run
	// while training (default 10), so the first
	// ⌈TrainUpdates/UpdatesPerStep⌉ steps train and the particles stay.
	TrainUpdates   int `toml:"train_updates,omitempty" json:"train_updates,omitempty"`
	UpdatesPerStep int `toml:"updates_per_step,omitempty" json:"updates_per_step,omitempty"`
	// StepsPerLevel is T, the Langevin steps at each noise level (default
	// 100); after L·T steps the run continues at σ_L.
	StepsPerLevel int `toml:"steps_per_level,omitempty" json:"steps_per_level,omitempty"`
	// Eps is ε, the Langevin step at σ_L: level l uses αₗ = ε σₗ²/σ_L².
	// Default 0.2·σ_L², the ratio αₗ/σₗ² = 0.2 of Song & Ermon 2019
	// (ε = 2e-5 with σ_L = 0.01).
	Eps float64 `toml:"eps,omitempty" json:"eps,omitempty"`
}

// Defaults of NCSNConfig (sources in its comments).
const (
	ncsnLevels        = 10
	ncsnSigmaMin      = 0.01
	ncsnLR            = 1e-3
	ncsnBatch         = 128
	ncsnTrainUpdates  = 5000
	ncsnUpdatesPer    = 10
	ncsnStepsPerLevel = 100
	ncsnEpsRatio      = 0.2
)

var ncsnHidden = []int{128, 128, 128}

func (c *NCSNConfig) sigmaMin() float64 { return orDefault(c.SigmaMin, ncsnSigmaMin) }
func (c *NCSNConfig) eps() float64 {
	s := c.sigmaMin()
	return orDefault(c.Eps, ncsnEpsRatio*s*s)
}

// TrainSteps is the number of run steps that train the score network.
func (c *NCSNConfig) TrainSteps() int {
	u := max(c.UpdatesPerStep, 1)
	return (c.TrainUpdates + u - 1) / u
}

// fill writes the defaults into the zero fields; σ₁'s default needs the
// targets.
func (c *NCSNConfig) fill(p *Problem) {
	if c.Levels == 0 {
		c.Levels = ncsnLevels
	}
	if c.SigmaMax == 0 {
		c.SigmaMax = maxDistance(p.X, p.N, p.D, svgdMedianRows)
	}
	c.SigmaMin = c.sigmaMin()
	if len(c.Hidden) == 0 {
		c.Hidden = slices.Clone(ncsnHidden)
	}
	if c.Activation == "" {
		c.Activation = "softplus"
	}
	c.LR = orDefault(c.LR, ncsnLR)
	if c.Batch == 0 {
		c.Batch = ncsnBatch
	}
	if c.TrainUpdates == 0 {
		c.TrainUpdates = ncsnTrainUpdates
	}
	if c.UpdatesPerStep == 0 {
		c.UpdatesPerStep = ncsnUpdatesPer
	}
	if c.StepsPerLevel == 0 {
		c.StepsPerLevel = ncsnStepsPerLevel
	}
	c.Eps = c.eps()
}

var ncsnInfo = MethodInfo{
	Kind: "ncsn",
	Doc:  "noise-conditional score network (Song & Ermon 2019): denoising score matching, then annealed Langevin dynamics",
	Params: ParamTable{
		{
			Key: "eps", Preset: "ncsn.eps", Symbol: "ε", Doc: "Langevin step at the smallest noise level (αₗ = ε σₗ²/σ_L²)", Min: 0, Max: 1e6, MinOpen: true,
			Up: "E", Down: "e",
			get: func(c *Config) float64 { return c.NCSN.eps() },
			set: func(c *Config, v float64) { c.NCSN.Eps = v },
		},
		{
			Key: "lr", Preset: "ncsn.lr", Symbol: "δ", Doc: "Adam learning rate of the score network", Min: 0, Max: 10, MinOpen: true,
			Up: "D", Down: "d",
			get: func(c *Config) float64 { return orDefault(c.NCSN.LR, ncsnLR) },
			set: func(c *Config, v float64) { c.NCSN.LR = v },
		},
	},
	Validate: validateNCSN,
	New:      newNCSN,
}

func validateNCSN(c *Config) error {
	n := &c.NCSN
	switch {
	case n.Levels < 0 || n.Levels > 1000:
		return fieldErr("ncsn.levels", "%d: want 1 … 1000", n.Levels)
	case !(n.SigmaMax >= 0) || math.IsInf(n.SigmaMax, 1):
		return fieldErr("ncsn.sigma_max", "%v: want a finite σ₁ > 0 (or leave it out)", n.SigmaMax)
	case !(n.SigmaMin >= 0) || math.IsInf(n.SigmaMin, 1):
		return fieldErr("ncsn.sigma_min", "%v: want a finite σ_L > 0", n.SigmaMin)
	case n.SigmaMax > 0 && n.sigmaMin() >= n.SigmaMax:
		return fieldErr("ncsn.sigma_min", "%v: want σ_L < σ₁ = %v", n.sigmaMin(), n.SigmaMax)
	case n.Batch < 0 || n.Batch > 1<<20:
		return fieldErr("ncsn.batch", "%d: want 1 … 1048576", n.Batch)
	case n.TrainUpdates < 0 || n.TrainUpdates > 1e8:
		return fieldErr("ncsn.train_updates", "%d: want 1 … 1e8", n.TrainUpdates)
	case n.UpdatesPerStep < 0 || n.UpdatesPerStep > 1e6:
		return fieldErr("ncsn.updates_per_step", "%d: want 1 … 1e6", n.UpdatesPerStep)
	case n.StepsPerLevel < 0 || n.StepsPerLevel > 1e8:
		return fieldErr("ncsn.steps_per_level", "%d: want 1 … 1e8", n.StepsPerLevel)
	}
	for _, h := range n.Hidden {
		if h < 1 || h > 1<<14 {
			return fieldErr("ncsn.hidden", "width %d: want 1 … 16384", h)
		}
	}
	if n.Activation != "" {
		if _, err := lipnet.ParseActivation(n.Activation); err != nil {
			return fieldErr("ncsn.activation", "%v", err)
		}
	}
	return nil
}

var ncsnMetrics = []MetricInfo{
	{Name: "dsm_loss", Symbol: "DSM", Scale: Log, Rank: 10, Better: Lower,
		Doc: "denoising score matching loss E‖σₗ s_θ(X̃, σₗ) + z‖² over the step's minibatches (d for s = 0); training steps only"},
	{Name: "sigma", Symbol: "σₗ", Scale: Log, Show: ShowText, Rank: 15, Doc: "the noise level of the Langevin step"},
	{Name: "kinetic_energy", Symbol: "KE", Scale: Log, Rank: 20, Doc: "(1/M) Σ|s_θ(Yᵢ, σₗ)|², the energy of the learned score (noise left out)"},
	{Name: "max_speed", Symbol: "|v|max", Scale: Log, Rank: 50, Doc: "maxᵢ |s_θ(Yᵢ, σₗ)|"},
}

// ncsn trains the score network s_θ(x, σₗ) = net_l(x/s₀)/σₗ (head l of a
// dense net with L·d outputs; the 1/σ scaling is Song & Ermon 2020's
// technique 3; s₀ is a fixed data scale) by denoising score matching
// (Song & Ermon 2019, eq. (5) with λ(σ) = σ²):
//
//	ℓ(θ) = E_{l, X, z} ‖σₗ s_θ(X + σₗz, σₗ) + z‖²,   z ~ N(0, I),
//
// for ⌈TrainUpdates/UpdatesPerStep⌉ steps, and then moves the particles by
// annealed Langevin dynamics (their Algorithm 1; paper eq. (21)):
//
//	Yᵢ ← Yᵢ + (αₗ/2) s_θ(Yᵢ, σₗ) + √αₗ ξᵢ,   αₗ = ε σₗ²/σ_L²,
//
// T steps at each level, σ₁ first.
type ncsn struct {
	cfg     *Config
	x       []float32
	m, n, d int
	levels  []float64 // σ₁ > … > σ_L
	s0      float64   // input scale
	net     *lipnet.Net
	opt     *lipnet.Adam
	batch   *stream // minibatch rows, levels and noise
	noise   *stream // Langevin noise
	step    int     // steps done

	in   []float32 // network input
	z    []float32 // DSM noise (Batch×d)
	lev  []int     // level of each minibatch row
	dout []float32
	vel  []float32 // the score at the particles

	saveParams, saveOpt []float32
	saveStep            int
}

func newNCSN(cfg *Config, p *Problem) (Method, error) {
	c := &cfg.NCSN
	c.fill(p)
	if err := validateNCSN(cfg); err != nil {
		return nil, err
	}
	if !(c.SigmaMax > c.SigmaMin) {
		return nil, fieldErr("ncsn.sigma_max", "%v: want σ₁ > σ_L = %v (the default is the largest distance between targets)", c.SigmaMax, c.SigmaMin)
	}
	m, n, d, L := p.M, p.N, p.D, c.Levels
	act, _ := lipnet.ParseActivation(c.Activation)
	net, err := lipnet.New(lipnet.Config{In: d, Hidden: c.Hidden, Out: L * d, Act: act,
		Lipschitz: math.Inf(1), Norm: lipnet.None, Seed: cfg.Seed ^ streamScoreNet<<56})
	if err != nil {
		return nil, fmt.Errorf("score network: %w", err)
	}
	rows := max(c.Batch, m)
	net.Reserve(rows)
	s := &ncsn{
		cfg: cfg, x: p.X, m: m, n: n, d: d,
		levels: make([]float64, L), s0: max(lengthScale(p.X, n, d)/math.Sqrt(float64(d)), 1e-6),
		net: net, opt: lipnet.NewAdam(c.LR, len(net.Params())),
		batch: newStream(cfg.Seed, streamBatch), noise: newStream(cfg.Seed, streamNoise),
		in: make([]float32, rows*d), z: make([]float32, c.Batch*d), lev: make([]int, c.Batch),
		dout: make([]float32, rows*L*d), vel: make([]float32, m*d),
		saveParams: make([]float32, len(net.Params())), saveOpt: make([]float32, len(net.Params())*2+1),
	}
	// σₗ = σ₁ (σ_L/σ₁)^{(l−1)/(L−1)}, geometric (Song & Ermon 2019).
	for l := range L {
		t := 0.0
		if L > 1 {
			t = float64(l) / float64(L-1)
		}
		s.levels[l] = c.SigmaMax * math.Pow(c.SigmaMin/c.SigmaMax, t)
	}
	return s, nil
}

func (s *ncsn) Metrics() []MetricInfo { return ncsnMetrics }

// scoreTo writes s_θ(yᵢ, σₗ) for rows points y into dst.
func (s *ncsn) scoreTo(dst, y []float32, rows, l int) {
	d, L := s.d, len(s.levels)
	inv := float32(1 / s.s0)
	for i, v := range y[:rows*d] {
		s.in[i] = v * inv
	}
	out := s.net.Forward(s.in, rows)
	sig := float32(1 / s.levels[l])
	for i := range rows {
		o := out[i*L*d+l*d : i*L*d+l*d+d]
		for t, v := range o {
			dst[i*d+t] = v * sig
		}
	}
}

// train runs one denoising-score-matching update and returns the mean
// ‖σₗ s_θ + z‖² of its minibatch.
func (s *ncsn) train() float64 {
	c := &s.cfg.NCSN
	b, d, L := c.Batch, s.d, len(s.levels)
	inv := 1 / s.s0
	for r := range b {
		j, l := s.batch.IntN(s.n), s.batch.IntN(L)
		s.lev[r] = l
		for t := range d {
			z := s.batch.NormFloat64()
			s.z[r*d+t] = float32(z)
			s.in[r*d+t] = float32((float64(s.x[j*d+t]) + s.levels[l]*z) * inv)
		}
	}
	out := s.net.Forward(s.in, b)
	dout := s.dout[:b*L*d]
	clear(dout)
	var loss float64
	for r := range b {
		off := r*L*d + s.lev[r]*d
		for t := range d {
			// σ s_θ = net output; ∂/∂out of (1/B)Σ‖out + z‖²/2 is (out + z)/B.
			e := out[off+t] + s.z[r*d+t]
			loss += float64(e) * float64(e)
			dout[off+t] = e / float32(b)
		}
	}
	s.net.ZeroGrad()
	s.net.Backward(dout, nil)
	s.opt.Step(s.net.Params(), s.net.Grads())
	return loss / float64(b)
}

func (s *ncsn) Step(y []float32, dst []float64) error {
	copy(s.saveParams, s.net.Params())
	copy(s.saveOpt, s.opt.State())
	s.saveStep = s.step
	s.batch.save()
	s.noise.save()
	c := &s.cfg.NCSN
	for i := range dst {
		dst[i] = math.NaN()
	}
	if s.step < c.TrainSteps() {
		s.opt.SetLR(c.LR)
		var loss float64
		k := min(c.UpdatesPerStep, c.TrainUpdates-s.step*c.UpdatesPerStep)
		for range k {
			loss += s.train()
		}
		loss /= float64(k)
		if !finite(loss) {
			return fmt.Errorf("score matching loss %v: %w", loss, ErrDiverged)
		}
		dst[0] = loss
		s.step++
		return nil
	}
	L := len(s.levels)
	l := min((s.step-c.TrainSteps())/c.StepsPerLevel, L-1)
	sigL := s.levels[L-1]
	alpha := c.eps() * s.levels[l] * s.levels[l] / (sigL * sigL)
	s.scoreTo(s.vel, y, s.m, l)
	ke, vmax, _ := speeds(s.vel, s.m, s.d)
	if !finite(ke) {
		return fmt.Errorf("learned score: %w", ErrDiverged)
	}
	sq := math.Sqrt(alpha)
	for i, v := range s.vel {
		y[i] += float32(alpha/2*float64(v) + sq*s.noise.NormFloat64())
	}
	dst[1], dst[2], dst[3] = s.levels[l], ke, vmax
	s.step++
	return nil
}

func (s *ncsn) Undo() {
	copy(s.net.Params(), s.saveParams)
	s.opt.SetState(s.saveOpt)
	s.step = s.saveStep
	s.batch.restore()
	s.noise.restore()
}

func (s *ncsn) Set(p *Param, v float64) error { return nil } // ε and δ are read each step

// State is the score network, Adam's moments, the two random streams and
// the step count (which decides the phase and the noise level).
func (s *ncsn) State() MethodState {
	return MethodState{
		F32: []Named32{{"score_params", s.net.Params()}, {"score_opt", s.opt.State()}},
		F64: []Named64{{"rng_batch", s.batch.state()}, {"rng_noise", s.noise.state()}, {"ncsn_step", []float64{float64(s.step)}}},
	}.clone()
}

func (s *ncsn) SetState(st MethodState) error {
	p, o, k := st.Get32("score_params"), st.Get32("score_opt"), st.Get64("ncsn_step")
	if len(p) != len(s.net.Params()) || len(o) != len(s.opt.State()) || len(k) != 1 {
		return fmt.Errorf("NCSN state does not match the configured score network (params %d vs %d, optimiser %d vs %d)",
			len(p), len(s.net.Params()), len(o), len(s.opt.State()))
	}
	if !AllFinite(p) || !(k[0] >= 0) {
		return fmt.Errorf("NCSN: NaN or Inf in the saved score network")
	}
	if err := s.batch.setState(st.Get64("rng_batch")); err != nil {
		return err
	}
	if err := s.noise.setState(st.Get64("rng_noise")); err != nil {
		return err
	}
	copy(s.net.Params(), p)
	s.opt.SetState(o)
	s.step = int(k[0])
	return nil
}

func (s *ncsn) Summary() [][2]string {
	c := &s.cfg.NCSN
	return [][2]string{
		{"σ", fmt.Sprintf("%.3g → %.3g × %d", c.SigmaMax, c.SigmaMin, c.Levels)},
		{"phases", fmt.Sprintf("%d training steps, then %d Langevin steps per level", c.TrainSteps(), c.StepsPerLevel)},
		{"net", strings.Trim(strings.ReplaceAll(fmt.Sprint(c.Hidden), " ", "-"), "[]") + " " + c.Activation},
	}
}

// maxDistance is the largest Euclidean distance between two of at most
// use rows of x taken at an even stride.
func maxDistance(x []float32, n, d, use int) float64 {
	use = min(n, use)
	var best float64
	for a := range use {
		ra := row(x, n, use, a, d)
		for b := a + 1; b < use; b++ {
			best = math.Max(best, sqDist(ra, row(x, n, use, b, d)))
		}
	}
	return math.Sqrt(best)
}
