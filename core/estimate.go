package core

import (
	"fmt"
	"math"
)

// Estimate trains a discriminator φ ∈ Γ_L for iters updates on fixed samples
// P (p, m×d) and Q (q, n×d) and returns the estimate of D_f^{Γ_L}(P‖Q)
// (eq. 3) together with maxGrad = max |∇φ| over all samples, which is ≤ L
// for a normalised net. cfg supplies f, the net and the optimiser; its data
// sets and flow are ignored.
func Estimate(cfg Config, p []float32, m int, q []float32, n, d, iters int) (div, maxGrad float64, err error) {
	if iters < 1 {
		return 0, 0, fmt.Errorf("core: Estimate: iters = %d: want ≥ 1", iters)
	}
	cfg.Train.InnerSteps = 1
	cfg.Flow.Solver = "euler"
	s, err := NewWithData(cfg, q, n, p, m, d)
	if err != nil {
		return 0, 0, err
	}
	s.cfg.Train.InnerSteps = iters
	div = s.trainAndVelocity(s.y, s.vel)
	if !finite(div) {
		return div, 0, fmt.Errorf("core: Estimate: %w", ErrDiverged)
	}
	// Rows are independent, so back-propagating 1 from every row gives
	// ∇φ at every sample.
	s.phi.Forward(s.batch, m+n)
	for i := range s.dout {
		s.dout[i] = 1
	}
	s.phi.InputGradTo(s.dx, s.dout)
	for i := range m + n {
		var g2 float64
		for _, v := range s.dx[i*d : i*d+d] {
			g2 += float64(v) * float64(v)
		}
		maxGrad = math.Max(maxGrad, math.Sqrt(g2))
	}
	return div, maxGrad, nil
}
