package core

import (
	"fmt"
	"math"
)

// Estimate trains a discriminator φ ∈ Γ_L for iters updates on fixed samples
// P (p, m×d) and Q (q, n×d) and returns the estimate of D_f^{Γ_L}(P‖Q)
// (eq. 3) together with maxGrad = max |∇φ| over all samples, which is ≤ L
// for a normalised net. cfg supplies f, the net and the optimiser; its
// flow settings are ignored.
//
// The learning rate follows a cosine decay from cfg.Train.LR to 0 over the
// iters updates, δₖ = δ·½(1 + cos(πk/iters)): with a constant rate the
// projected iterates (Algorithm 1, line 9) keep jittering around the
// constrained optimum — for W1, whose objective is linear in φ, Adam's
// per-coordinate steps never vanish there, and the estimate got worse with
// more iterations (2.85 at 2000 and 2.21 at 5000 for a true 3; issue #10).
// The decay makes more iterations never hurt.
func Estimate(cfg Config, p []float32, m int, q []float32, n, d, iters int) (div, maxGrad float64, err error) {
	if len(p) != m*d || len(q) != n*d || m < 1 || n < 1 || d < 1 {
		return 0, 0, fmt.Errorf("core: Estimate: shapes P %d for %d×%d, Q %d for %d×%d", len(p), m, d, len(q), n, d)
	}
	e, err := newEstimator(cfg, &Problem{X: q, N: n, M: m, D: d})
	if err != nil {
		return 0, 0, err
	}
	return e.estimate(p, iters)
}

// estimator trains one discriminator on fixed samples; it is reused, from
// its seeded initial state, by the flow's independent D_L estimates
// (gpa_truediv.go).
type estimator struct {
	g    *gpa
	init []float32 // φ's initial parameters and power vectors
	pow  []float32
	lr   float64
}

// newEstimator builds the estimator of P against the targets p.X (N×D) for
// p.M rows of P; of the rest of p only the image shape is used (for a
// convolutional φ).
func newEstimator(cfg Config, p *Problem) (*estimator, error) {
	if !AllFinite(p.X) {
		return nil, fmt.Errorf("core: Estimate: NaN or Inf in the samples")
	}
	cfg.Method.Kind = "gpa"
	cfg.Train.InnerSteps = 1
	cfg.Flow.Solver = "euler"
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	prob := &Problem{X: p.X, N: p.N, M: p.M, D: p.D, Images: p.Images, Decoder: p.Decoder}
	meth, err := newGPA(&cfg, prob)
	if err != nil {
		return nil, err
	}
	g := meth.(*gpa)
	return &estimator{g: g, lr: cfg.Train.LR,
		init: append([]float32(nil), g.phi.Params()...),
		pow:  append([]float32(nil), g.phi.PowerVectors()...)}, nil
}

// estimate restarts φ from its initial state, trains it for iters updates
// with the cosine-decayed rate on P = p against the estimator's Q, and
// returns D̂ (eq. 3, optimal ν) and max |∇φ| over P and Q.
func (e *estimator) estimate(p []float32, iters int) (div, maxGrad float64, err error) {
	if iters < 1 {
		return 0, 0, fmt.Errorf("core: Estimate: iters = %d: want ≥ 1", iters)
	}
	if !AllFinite(p) {
		return 0, 0, fmt.Errorf("core: Estimate: NaN or Inf in the samples")
	}
	g := e.g
	m, n, d := g.m, g.n, g.d
	copy(g.phi.Params(), e.init)
	copy(g.phi.PowerVectors(), e.pow)
	g.opt.Reset()
	clear(g.nu)
	copy(g.batch[:m*d], p)
	for k := range iters {
		g.opt.SetLR(e.lr * 0.5 * (1 + math.Cos(math.Pi*float64(k)/float64(iters))))
		g.update(m + n)
	}
	div = g.objective(g.phi.Forward(g.batch, m+n), false)
	if !finite(div) {
		return div, 0, fmt.Errorf("core: Estimate: %w", ErrDiverged)
	}
	// Rows are independent, so back-propagating 1 from every row gives
	// ∇φ at every sample.
	for i := range g.dout {
		g.dout[i] = 1
	}
	g.phi.InputGradTo(g.dx, g.dout)
	for i := range m + n {
		var g2 float64
		for _, v := range g.dx[i*d : i*d+d] {
			g2 += float64(v) * float64(v)
		}
		maxGrad = math.Max(maxGrad, math.Sqrt(g2))
	}
	return div, maxGrad, nil
}
