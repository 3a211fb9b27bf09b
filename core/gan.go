package core

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/lipnet"
)

// GANConfig is the [gan] section, read by the kinds "gan" and "wgan-gp":
// the generator and the minibatches. The discriminator is described by
// [discriminator], [train] (its optimiser; inner_steps = discriminator
// updates per generator update) and [divergence], as GPA's φ. Zero values
// take the defaults, which New writes into the configuration.
type GANConfig struct {
	// Latent is the dimension of the generator's latent noise z ~ N(0, I);
	// default 64.
	Latent int `toml:"latent,omitempty" json:"latent,omitempty"`
	// Hidden and Activation describe the generator G(z, c), a dense lipnet
	// net without normalisation (conditional runs append a one-hot class
	// to z); default [256, 512], "relu".
	Hidden     []int  `toml:"hidden,omitempty" json:"hidden,omitempty"`
	Activation string `toml:"activation,omitempty" json:"activation,omitempty"`
	// LR is the generator's Adam learning rate; default 1e-3.
	LR float64 `toml:"lr,omitempty" json:"lr,omitempty"`
	// Batch is the rows of generated and of real samples in every update
	// (class-stratified in conditional runs); default (and at most) the
	// number of targets N, which uses every target in every update.
	Batch int `toml:"batch,omitempty" json:"batch,omitempty"`
	// Penalty is the gradient-penalty weight λ of λE(|∇φ(X̂)| − L)² at
	// random interpolates X̂ of real and generated samples (Gulrajani et al.
	// 2017); default 10 for wgan-gp, 0 (none) for gan.
	Penalty float64 `toml:"penalty,omitempty" json:"penalty,omitempty"`
	// Output is "sigmoid" (pixels in (0, 1); the default for images in
	// pixel space) or "linear" (the default otherwise).
	Output string `toml:"output,omitempty" json:"output,omitempty"`
	// Betas are Adam's β₁, β₂ for the generator and (with train.optimizer
	// = "adam") the discriminator: default [0.5, 0.999] for gan (Radford
	// et al. 2016), [0, 0.9] for wgan-gp (Gulrajani et al. 2017).
	Betas []float64 `toml:"betas,omitempty" json:"betas,omitempty"`
}

// Defaults of GANConfig.
const (
	ganLatent  = 64
	ganLR      = 1e-3
	wganLambda = 10 // Gulrajani et al. 2017, all experiments
)

var ganHidden = []int{256, 512}

// ganParams are the mid-run parameters of both GAN kinds.
var ganParams = ParamTable{
	{
		Key: "lipschitz", Preset: "discriminator.lipschitz", Symbol: "L",
		Doc: "Lipschitz constant of the discriminator (gan: Γ_L by normalisation; wgan-gp: the target slope of the penalty)",
		Min: 0, Max: math.Inf(1), MinOpen: true, Inf: true, Up: "L", Down: "l",
		get: func(c *Config) float64 { return float64(c.Discriminator.Lipschitz) },
		set: func(c *Config, v float64) { c.Discriminator.Lipschitz = Lipschitz(v) },
	},
	{
		Key: "lr", Preset: "train.lr", Symbol: "δ", Doc: "discriminator learning rate", Min: 0, Max: 10, MinOpen: true,
		Up: "D", Down: "d",
		get: func(c *Config) float64 { return c.Train.LR },
		set: func(c *Config, v float64) { c.Train.LR = v },
	},
	{
		Key: "gen_lr", Preset: "gan.lr", Symbol: "δ_G", Doc: "generator learning rate (Adam)", Min: 0, Max: 10, MinOpen: true,
		Up: "H", Down: "h",
		get: func(c *Config) float64 { return orDefault(c.GAN.LR, ganLR) },
		set: func(c *Config, v float64) { c.GAN.LR = v },
	},
	{
		Key: "inner_steps", Preset: "train.inner_steps", Symbol: "T_D", Doc: "discriminator updates per generator update",
		Min: 1, Max: 10000, Int: true, Nudge: NudgeUnit, Up: "+", Down: "-",
		get: func(c *Config) float64 { return float64(c.Train.InnerSteps) },
		set: func(c *Config, v float64) { c.Train.InnerSteps = int(v) },
	},
}

var ganInfo = MethodInfo{
	Kind:     "gan",
	Doc:      "(f, Γ)-GAN (Birrell et al. 2022): a generator trained against GPA's discriminator φ ∈ Γ_L",
	Params:   ganParams,
	Validate: func(c *Config) error { return validateGAN(c, false) },
	New:      func(cfg *Config, p *Problem) (Method, error) { return newGAN(cfg, p, false) },
}

var wganInfo = MethodInfo{
	Kind:     "wgan-gp",
	Doc:      "Wasserstein GAN with gradient penalty (Gulrajani et al. 2017): an unconstrained critic, W1 objective",
	Params:   ganParams,
	Validate: func(c *Config) error { return validateGAN(c, true) },
	New:      func(cfg *Config, p *Problem) (Method, error) { return newGAN(cfg, p, true) },
}

func validateGAN(c *Config, wgan bool) error {
	g := &c.GAN
	switch {
	case g.Latent < 0 || g.Latent > 1<<14:
		return fieldErr("gan.latent", "%d: want 1 … 16384", g.Latent)
	case g.Batch < 0:
		return fieldErr("gan.batch", "%d: want ≥ 1 (0 = all targets)", g.Batch)
	case !(g.Penalty >= 0) || math.IsInf(g.Penalty, 1):
		return fieldErr("gan.penalty", "%v: want a finite λ ≥ 0", g.Penalty)
	case g.Betas != nil && (len(g.Betas) != 2 || !(g.Betas[0] >= 0 && g.Betas[0] < 1) || !(g.Betas[1] >= 0 && g.Betas[1] < 1)):
		return fieldErr("gan.betas", "%v: want [β₁, β₂] with 0 ≤ β < 1", g.Betas)
	}
	for _, h := range g.Hidden {
		if h < 1 || h > 1<<14 {
			return fieldErr("gan.hidden", "width %d: want 1 … 16384", h)
		}
	}
	if g.Activation != "" {
		if _, err := lipnet.ParseActivation(g.Activation); err != nil {
			return fieldErr("gan.activation", "%v", err)
		}
	}
	switch g.Output {
	case "", "sigmoid", "linear":
	default:
		return fieldErr("gan.output", "%q: want \"sigmoid\" or \"linear\"", g.Output)
	}
	if wgan {
		if math.IsInf(float64(c.Discriminator.Lipschitz), 1) {
			return fieldErr("discriminator.lipschitz", "inf: wgan-gp penalises |∇φ| − L and needs a finite L (1 in Gulrajani et al.)")
		}
	}
	if wgan || g.Penalty > 0 {
		// penaltyGrad differentiates ∇ₓφ by central differences of ∇_θφ,
		// which converge to the penalty's gradient only for a smooth
		// critic: across a ReLU kink ∇_θφ jumps, and the quotient picks up
		// an O(1/h) spike.
		d := &c.Discriminator
		if len(d.Conv) > 0 {
			return fieldErr("discriminator.conv", "the gradient penalty needs a dense critic (convolutions use LeakyReLU, whose kinks the penalty's gradient cannot cross); use [] with wgan-gp")
		}
		if d.Activation != "softplus" && d.Activation != "elu" {
			return fieldErr("discriminator.activation", "%q: the gradient penalty needs a smooth critic, \"softplus\" or \"elu\"", d.Activation)
		}
	}
	// The discriminator is GPA's φ: the same checks (f, widths, optimiser).
	cc := *c
	cc.Flow.Solver = "euler"
	if wgan {
		cc.Divergence.F = "w1"
	}
	return validateGPA(&cc)
}

// gan trains a generator G against GPA's discriminator: the generator step
// replaces GPA's particle step (paper Table 1, Fig. 4). With P_G the law
// of G(z, c), each step does T_D discriminator updates of
//
//	max_φ J(φ) = E_{P_G}[φ] − inf_ν{ν + E_Q f*(φ−ν)}   (eq. 3, φ ∈ Γ_L)
//	            − λ E[(|∇φ(X̂)| − L)²]                  (wgan-gp, Gulrajani et al. 2017)
//
// on fresh minibatches, then one generator update down
// ∇_θ E_z[φ(G_θ(z, c))] (by the envelope theorem the gradient of
// D_f^{Γ_L}(P_G‖Q) in θ; Birrell et al. 2022's (f, Γ)-GAN). "gan" is the
// (f, Γ)-GAN with φ ∈ Γ_L by normalisation, as GPA; "wgan-gp" uses f = W1
// (f* = y: the critic's gap E_{P_G}φ − E_Qφ), an unconstrained critic and
// the gradient penalty with target slope L (1 in Gulrajani et al.).
//
// The displayed particles are G(zᵢ, cᵢ) for M fixed codes zᵢ: the Sim's
// metrics (MMD², image metrics) measure the generator.
type gan struct {
	cfg     *Config
	wgan    bool
	disc    *gpa // φ, its optimiser and the objective (gpa_objective.go) on rows [fake; real]
	gen     *lipnet.Net
	gopt    *lipnet.Adam
	sigmoid bool

	b, m, n, d, zdim, k int
	lab                 []int   // class of every minibatch row (fake and real alike)
	byClass             [][]int // target rows of every class
	full                bool    // the real rows are all targets, in order
	x                   []float32
	codes               []float32 // M×zdim fixed codes of the displayed samples
	headY               []int     // class of every displayed sample (nil: unconditional)
	h                   float64   // finite-difference step of the penalty's gradient

	batch, noise *stream
	z            []float32 // fresh codes, B×zdim
	gin          []float32 // generator input, max(B, M) × (zdim+K)
	gout         []float32 // generated samples after the output map (B×d)
	dgen         []float32 // ∂/∂(generator output)
	xhat         []float32 // interpolates and their ± h shifts, 2B×d
	gradX        []float32 // ∇φ at the interpolates, B×d
	coef         []float64 // the penalty's derivative per interpolate
	pd           []float32 // dout of φ, 2B×K

	saveGen, saveGopt []float32
}

// ganPenaltyStep is the finite-difference step, relative to the targets'
// length scale, of the penalty's gradient (see penaltyGrad).
const ganPenaltyStep = 1e-3

func newGAN(cfg *Config, p *Problem, wgan bool) (Method, error) {
	g := &cfg.GAN
	if g.Latent == 0 {
		g.Latent = ganLatent
	}
	if len(g.Hidden) == 0 {
		g.Hidden = slices.Clone(ganHidden)
	}
	if g.Activation == "" {
		g.Activation = "relu"
	}
	g.LR = orDefault(g.LR, ganLR)
	if wgan && g.Penalty == 0 {
		g.Penalty = wganLambda
	}
	if g.Betas == nil {
		g.Betas = []float64{0.5, 0.999} // Radford et al. 2016
		if wgan {
			g.Betas = []float64{0, 0.9} // Gulrajani et al. 2017
		}
	}
	if g.Output == "" {
		g.Output = "linear"
		if p.Images != nil && p.Decoder == nil {
			g.Output = "sigmoid"
		}
	}
	if g.Batch == 0 || g.Batch > p.N {
		g.Batch = p.N
	}
	if err := validateGAN(cfg, wgan); err != nil {
		return nil, err
	}
	m, n, d, k, b := p.M, p.N, p.D, p.heads(), g.Batch
	s := &gan{
		cfg: cfg, wgan: wgan, sigmoid: g.Output == "sigmoid",
		b: b, m: m, n: n, d: d, zdim: g.Latent, k: k, x: p.X, full: b == n,
		h:     ganPenaltyStep * max(lengthScale(p.X, n, d), 1e-6),
		batch: newStream(cfg.Seed, streamBatch), noise: newStream(cfg.Seed, streamNoise),
	}
	// Rows and their classes: all targets in order (full batch), or a
	// class-stratified minibatch (row r of class r mod K).
	s.lab = make([]int, b)
	if k > 1 {
		s.byClass = make([][]int, k)
		for j, c := range p.HeadX {
			if c < 0 {
				return nil, fmt.Errorf("%s: target %d has no class; a conditional GAN needs every target labelled", cfg.Method.Kind, j)
			}
			s.byClass[c] = append(s.byClass[c], j)
		}
		for c, rows := range s.byClass {
			if len(rows) == 0 {
				return nil, fmt.Errorf("%s: class %d has no targets", cfg.Method.Kind, c)
			}
		}
		for r := range b {
			s.lab[r] = r % k
			if s.full {
				s.lab[r] = p.HeadX[r]
			}
		}
		s.headY = p.HeadY
	}
	// φ: GPA's discriminator on a problem of B generated and B real rows.
	dcfg := *cfg
	dcfg.Flow.Solver = "euler"
	if wgan {
		dcfg.Divergence.F = "w1"
		dcfg.Discriminator.Normalization = "none"
		dcfg.Discriminator.Lipschitz = Lipschitz(math.Inf(1))
	}
	sub := &Problem{X: make([]float32, b*d), N: b, Y: make([]float32, b*d), M: b, D: d, Heads: k}
	if p.Decoder == nil {
		sub.Images = p.Images
	}
	if k > 1 {
		sub.HeadX, sub.HeadY = s.lab, s.lab
	}
	if s.full {
		copy(sub.X, p.X)
	}
	dm, err := newGPA(&dcfg, sub)
	if err != nil {
		return nil, err
	}
	s.disc = dm.(*gpa)
	s.disc.cfg = cfg // mid-run changes of train.* are read from the Sim's configuration
	if cfg.Train.Optimizer == "adam" {
		s.disc.opt = lipnet.NewAdamBetas(cfg.Train.LR, g.Betas[0], g.Betas[1], len(s.disc.phi.Params()))
	}
	act, _ := lipnet.ParseActivation(g.Activation)
	in := g.Latent
	if k > 1 {
		in += k
	}
	s.gen, err = lipnet.New(lipnet.Config{In: in, Hidden: g.Hidden, Out: d, Act: act,
		Lipschitz: math.Inf(1), Norm: lipnet.None, Seed: cfg.Seed ^ streamGenerator<<56})
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	rows := max(b, m)
	s.gen.Reserve(rows)
	s.gopt = lipnet.NewAdamBetas(g.LR, g.Betas[0], g.Betas[1], len(s.gen.Params()))
	s.z = make([]float32, b*g.Latent)
	s.gin = make([]float32, rows*in)
	s.gout = make([]float32, b*d)
	s.dgen = make([]float32, rows*d)
	s.xhat = make([]float32, 2*b*d)
	s.gradX = make([]float32, b*d)
	s.coef = make([]float64, b)
	s.pd = make([]float32, 2*b*k)
	s.codes = make([]float32, m*g.Latent)
	newStream(cfg.Seed, streamCodes).normalsTo(s.codes)
	s.saveGen = make([]float32, len(s.gen.Params()))
	s.saveGopt = make([]float32, len(s.gopt.State()))
	return s, nil
}

func (s *gan) Metrics() []MetricInfo {
	if s.wgan || s.cfg.GAN.Penalty > 0 {
		return wganMetrics
	}
	return ganMetrics
}

var (
	ganDivergence = MetricInfo{Name: "divergence", Symbol: "D̂", Rank: 10,
		Doc: "D̂ = E_{P_G}[φ] − inf_ν{ν + E_Q f*(φ−ν)} (eq. 3) on the last discriminator minibatch (wgan-gp: the critic's gap, a W1 estimate)"}
	ganSlope = MetricInfo{Name: "max_grad", Symbol: "|∇φ|", Scale: Log, Rank: 50, LimitParam: "lipschitz",
		Doc: "max |∇φ| at the generated minibatch: ≤ L for φ ∈ Γ_L (gan); the penalty's soft target (wgan-gp)"}
	ganMetrics = []MetricInfo{ganDivergence, ganSlope}
	// wgan-gp's slope has no hard limit: the penalty only pulls it toward L.
	wganSlope = MetricInfo{Name: "max_grad", Symbol: "|∇φ|", Scale: Log, Rank: 50,
		Doc: "max |∇φ| at the generated minibatch (the penalty pulls |∇φ| toward L at interpolates; no hard limit)"}
	wganMetrics = []MetricInfo{ganDivergence, wganSlope,
		{Name: "grad_penalty", Symbol: "GP", Scale: Log, Show: ShowText, Rank: 55,
			Doc: "λ E(|∇φ(X̂)| − L)² at the interpolates of the last discriminator update"}}
)

// generate writes the rows samples G(z, c) for the codes z (rows×zdim) and
// classes lab (nil: unconditional) into dst.
func (s *gan) generate(dst, z []float32, lab []int, rows int) {
	in := s.zdim
	if s.k > 1 {
		in += s.k
	}
	gin := s.gin[:rows*in]
	clear(gin)
	for r := range rows {
		copy(gin[r*in:], z[r*s.zdim:(r+1)*s.zdim])
		if s.k > 1 && lab != nil && lab[r] >= 0 {
			gin[r*in+s.zdim+lab[r]] = 1
		}
	}
	out := s.gen.Forward(gin, rows)
	d := s.d
	for i, v := range out[:rows*d] {
		if s.sigmoid {
			v = float32(1 / (1 + math.Exp(-float64(v))))
		}
		dst[i] = v
	}
}

// sampleFake draws fresh codes and writes B generated samples into dst.
func (s *gan) sampleFake(dst []float32) {
	z := s.z
	s.batch.normalsTo(z)
	var lab []int
	if s.k > 1 {
		lab = s.lab
	}
	s.generate(dst, z, lab, s.b)
}

// sampleReal writes a minibatch of targets into dst (all targets in full
// batch mode, where they are fixed).
func (s *gan) sampleReal(dst []float32) {
	if s.full {
		return
	}
	d := s.d
	for r := range s.b {
		j := 0
		if s.k > 1 {
			rows := s.byClass[s.lab[r]]
			j = rows[s.batch.IntN(len(rows))]
		} else {
			j = s.batch.IntN(s.n)
		}
		copy(dst[r*d:r*d+d], s.x[j*d:j*d+d])
	}
}

// discGrad draws minibatches and writes ∇ of the discriminator's loss
// −J + λ·penalty into φ's gradients; it returns J and the penalty term.
func (s *gan) discGrad() (j, pen float64) {
	bd := s.b * s.d
	s.sampleFake(s.disc.batch[:bd])
	s.sampleReal(s.disc.batch[bd:])
	j, pen = s.discLossGrad(true)
	return j, pen
}

// discLossGrad evaluates the discriminator's loss terms on the current
// rows of disc.batch (and, with the penalty, the interpolation weights
// drawn now) and, if grad, writes the gradient of −J + λ·penalty into φ's
// gradients.
func (s *gan) discLossGrad(grad bool) (j, pen float64) {
	d := s.disc
	out := d.phi.Forward(d.batch, 2*s.b)
	j = d.objective(out, grad)
	if grad {
		d.phi.ZeroGrad()
		d.phi.Backward(d.dout, nil)
	}
	if lam := s.cfg.GAN.Penalty; lam > 0 {
		s.drawInterpolates()
		pen = lam * s.penaltyGrad(grad)
	}
	return j, pen
}

// drawInterpolates writes X̂ᵣ = εᵣ Xᵣ + (1−εᵣ) G(zᵣ), εᵣ ~ U(0, 1), into
// the first B rows of xhat (row r of the real and of the generated batch
// share a class).
func (s *gan) drawInterpolates() {
	b, d := s.b, s.d
	fake, real := s.disc.batch[:b*d], s.disc.batch[b*d:2*b*d]
	for r := range b {
		e := float32(s.noise.Float64())
		for t := r * d; t < r*d+d; t++ {
			s.xhat[t] = e*real[t] + (1-e)*fake[t]
		}
	}
}

// penaltyGrad returns the mean (|∇φ(X̂ᵣ)| − L)² over the interpolates in
// xhat and, if grad, adds the gradient of λ times it to φ's gradients.
//
// With gᵣ = ∇ₓφ(X̂ᵣ), eᵣ = gᵣ/|gᵣ| and the term Pᵣ = (|gᵣ| − L)²,
//
//	∂Pᵣ/∂θ = 2(|gᵣ| − L) ∂|gᵣ|/∂θ = 2(|gᵣ| − L) ∂/∂θ (eᵣ·∇ₓφ(X̂ᵣ))|_{eᵣ fixed}
//	       = 2(|gᵣ| − L) D_{eᵣ}(∇_θ φ)(X̂ᵣ)          (mixed partials commute)
//	       ≈ 2(|gᵣ| − L) [∇_θφ(X̂ᵣ + h eᵣ) − ∇_θφ(X̂ᵣ − h eᵣ)]/(2h),
//
// a central difference of parameter gradients (our choice: lipnet has no
// second-order backward), with error O(h²) for a smooth critic; the
// finite-difference test of the loss checks it. h = 1e-3 × the targets' length scale. The critic must
// be smooth (softplus, ELU): across a ReLU kink ∇_θφ jumps and the
// quotient would add an O(1/h) spike (validateGAN refuses ReLU critics).
func (s *gan) penaltyGrad(grad bool) float64 {
	b, d, k := s.b, s.d, s.k
	phi := s.disc.phi
	L := float64(s.cfg.Discriminator.Lipschitz)
	phi.Forward(s.xhat[:b*d], b)
	pd := s.pd[:b*k]
	clear(pd)
	for r := range b {
		pd[r*k+s.lab[r]] = 1
	}
	phi.InputGradTo(s.gradX, pd)
	var pen float64
	for r := range b {
		n := math.Sqrt(sq64(s.gradX[r*d : r*d+d]))
		pen += (n - L) * (n - L)
		s.coef[r] = n
	}
	pen /= float64(b)
	if !grad {
		return pen
	}
	// Rows r: X̂ᵣ + h eᵣ; rows B + r: X̂ᵣ − h eᵣ.
	h := s.h
	plus, minus := s.xhat[:b*d], s.xhat[b*d:2*b*d]
	for r := range b {
		var c float64
		if n := s.coef[r]; n > 0 {
			c = h / n
		}
		for t := r * d; t < r*d+d; t++ {
			e := float32(c * float64(s.gradX[t]))
			minus[t] = plus[t] - e
			plus[t] += e
		}
	}
	phi.Forward(s.xhat, 2*b)
	pd = s.pd[:2*b*k]
	clear(pd)
	lam := s.cfg.GAN.Penalty
	for r := range b {
		if n := s.coef[r]; n > 0 { // |g| = 0: no direction; the term's gradient is taken as 0
			w := float32(lam * 2 * (n - L) / (2 * h * float64(b)))
			pd[r*k+s.lab[r]] = w
			pd[(b+r)*k+s.lab[r]] = -w
		}
	}
	phi.Backward(pd, nil)
	return pen
}

func sq64(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return s
}

// genGrad draws a generated minibatch and writes the gradient of
// E_z φ(G(z, c)) into the generator's gradients; it returns that mean and
// max |∇φ| at the generated samples.
func (s *gan) genGrad() (mean, maxSlope float64) {
	b, d, k := s.b, s.d, s.k
	s.sampleFake(s.gout)
	phi := s.disc.phi
	out := phi.Forward(s.gout, b)
	pd := s.pd[:b*k]
	clear(pd)
	for r := range b {
		mean += float64(out[r*k+s.lab[r]]) / float64(b)
		pd[r*k+s.lab[r]] = 1
	}
	phi.InputGradTo(s.gradX, pd) // ∇φ at every generated sample
	dg := s.dgen[:b*d]
	for r := range b {
		maxSlope = math.Max(maxSlope, math.Sqrt(sq64(s.gradX[r*d:r*d+d])))
		for t := r * d; t < r*d+d; t++ {
			g := s.gradX[t] / float32(b)
			if s.sigmoid {
				y := s.gout[t]
				g *= y * (1 - y) // σ′ = σ(1 − σ)
			}
			dg[t] = g
		}
	}
	// The generator's last Forward was sampleFake's.
	s.gen.ZeroGrad()
	s.gen.Backward(dg, nil)
	return mean, maxSlope
}

func (s *gan) Step(y []float32, dst []float64) error {
	s.disc.save()
	copy(s.saveGen, s.gen.Params())
	copy(s.saveGopt, s.gopt.State())
	s.batch.save()
	s.noise.save()
	d := s.disc
	d.opt.SetLR(s.cfg.Train.LR)
	var j, pen float64
	for range s.cfg.Train.InnerSteps {
		j, pen = s.discGrad()
		d.opt.Step(d.phi.Params(), d.phi.Grads())
		d.phi.Normalize() // φ ∈ Γ_L (gan); a no-op for wgan-gp's unconstrained critic
	}
	_, slope := s.genGrad()
	if !finite(j) || !finite(pen) || !finite(slope) {
		return fmt.Errorf("D̂ = %v, penalty %v, |∇φ| %v: %w", j, pen, slope, ErrDiverged)
	}
	s.gopt.SetLR(s.cfg.GAN.LR)
	s.gopt.Step(s.gen.Params(), s.gen.Grads())
	s.generate(y, s.codes, s.headY, s.m)
	dst[0], dst[1] = j, slope
	if len(dst) > 2 {
		dst[2] = pen
	}
	return nil
}

func (s *gan) Undo() {
	s.disc.Undo()
	copy(s.gen.Params(), s.saveGen)
	s.gopt.SetState(s.saveGopt)
	s.batch.restore()
	s.noise.restore()
}

// Set renormalises φ for a new L ((f, Γ)-GAN); learning rates and T_D are
// read at every step, and wgan-gp's L is the penalty's target.
func (s *gan) Set(p *Param, v float64) error {
	if p.Key == "lipschitz" && !s.wgan {
		s.disc.phi.SetLipschitz(v)
		s.disc.phi.Normalize()
	}
	return nil
}

// State is the discriminator's (as GPA's), the generator's weights and
// Adam moments, and the two random streams.
func (s *gan) State() MethodState {
	st := s.disc.State()
	st.F32 = append(st.F32, Named32{"gen_params", slices.Clone(s.gen.Params())}, Named32{"gen_opt", slices.Clone(s.gopt.State())})
	st.F64 = append(st.F64, Named64{"rng_batch", s.batch.state()}, Named64{"rng_noise", s.noise.state()})
	return st
}

func (s *gan) SetState(st MethodState) error {
	gp, go_ := st.Get32("gen_params"), st.Get32("gen_opt")
	if len(gp) != len(s.gen.Params()) || len(go_) != len(s.gopt.State()) {
		return fmt.Errorf("generator state does not match the configured generator (params %d vs %d, optimiser %d vs %d)",
			len(gp), len(s.gen.Params()), len(go_), len(s.gopt.State()))
	}
	if !AllFinite(gp) {
		return fmt.Errorf("NaN or Inf in the saved generator")
	}
	if err := s.disc.SetState(st); err != nil {
		return err
	}
	if s.wgan {
		s.disc.phi.SetLipschitz(math.Inf(1))
	}
	if err := s.batch.setState(st.Get64("rng_batch")); err != nil {
		return err
	}
	if err := s.noise.setState(st.Get64("rng_noise")); err != nil {
		return err
	}
	copy(s.gen.Params(), gp)
	s.gopt.SetState(go_)
	return nil
}

func (s *gan) Summary() [][2]string {
	c := s.cfg
	f := c.Divergence.F + " · Γ_L " + c.Discriminator.Normalization
	if s.wgan {
		f = fmt.Sprintf("w1 · penalty λ %g", c.GAN.Penalty)
	} else if c.GAN.Penalty > 0 {
		f += fmt.Sprintf(" · penalty λ %g", c.GAN.Penalty)
	}
	gen := strings.Trim(strings.ReplaceAll(fmt.Sprint(c.GAN.Hidden), " ", "-"), "[]")
	return [][2]string{
		{"f", f},
		{"G", fmt.Sprintf("z %d → %s → %s", c.GAN.Latent, gen, c.GAN.Output)},
		{"batch", fmt.Sprintf("%d · Adam β %g, %g", c.GAN.Batch, c.GAN.Betas[0], c.GAN.Betas[1])},
	}
}
