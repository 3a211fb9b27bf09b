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
func Estimate(cfg Config, p []float32, m int, q []float32, n, d, iters int) (div, maxGrad float64, err error) {
	if iters < 1 {
		return 0, 0, fmt.Errorf("core: Estimate: iters = %d: want ≥ 1", iters)
	}
	if len(p) != m*d || len(q) != n*d || m < 1 || n < 1 || d < 1 {
		return 0, 0, fmt.Errorf("core: Estimate: shapes P %d for %d×%d, Q %d for %d×%d", len(p), m, d, len(q), n, d)
	}
	if !AllFinite(p) || !AllFinite(q) {
		return 0, 0, fmt.Errorf("core: Estimate: NaN or Inf in the samples")
	}
	cfg.Method.Kind = "gpa"
	cfg.Train.InnerSteps = 1
	cfg.Flow.Solver = "euler"
	if err := cfg.Validate(); err != nil {
		return 0, 0, err
	}
	prob := &Problem{X: q, N: n, Y: p, M: m, D: d}
	meth, err := newGPA(&cfg, prob)
	if err != nil {
		return 0, 0, err
	}
	g := meth.(*gpa)
	g.cfg.Train.InnerSteps = iters
	div = g.trainAndVelocity(p, g.vel)
	if !finite(div) {
		return div, 0, fmt.Errorf("core: Estimate: %w", ErrDiverged)
	}
	// Rows are independent, so back-propagating 1 from every row gives
	// ∇φ at every sample.
	g.phi.Forward(g.batch, m+n)
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
