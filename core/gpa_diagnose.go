package core

import (
	"fmt"
	"math"

	"github.com/gpa-tui/gpa-tui/conj"
)

// expOverflow is where the float32 weights e^{φ(X)−ν}/N of the KL gradient
// overflow for N ≤ e⁶ ≈ 400… targets: float32 max ≈ e^{88.7}.
const expOverflow = 88

// diagnose explains a step whose D̂ or kinetic energy is not finite. It
// restores φ, its optimiser and ν to the start of the step and replays the
// T_NN discriminator updates on the particles y (deterministic, so the
// failure repeats), watching after each update the weights and the largest
// argument of f* on the targets, max φ(Xⱼ) − ν. It returns a sentence naming
// the update where the first non-finite value appeared and what led to it;
// the Sim undoes the replay with the rest of the step.
//
// The typical case (issue #10): KL with a learned ν (Algorithm 1, line 8)
// on a heavy-tailed target. A Lipschitz φ is bounded in slope, not in
// value: far targets (|X| ~ 10⁵ for t with ν = 0.5) have φ(X) − ν far from
// 0, the weights e^{φ(X)−ν}/N of the KL gradient are huge, one update
// rotates the weights and the next evaluation overflows. The exact ν of the
// "dv" formulation (log-sum-exp) keeps every weight ≤ 1.
func (g *gpa) diagnose(y []float32) string {
	g.Undo()
	m, n, d := g.m, g.n, g.d
	copy(g.batch[:m*d], y)
	params, grads := g.phi.Params(), g.phi.Grads()
	k := g.cls.k
	col := make([]float32, n)   // off the hot path: allocating is fine
	var absMax, prevAbs float64 // max |φ(X)| of the last maxArg and before the failing update
	maxArg := func(out []float32) float64 {
		worst := math.Inf(-1)
		absMax = 0
		for h := range k {
			for j := range n {
				col[j] = out[(m+j)*k+h]
			}
			nu := g.nu[h]
			if g.dv {
				nu, _ = g.f.OptimalNu(col)
			}
			for _, v := range col {
				absMax = math.Max(absMax, math.Abs(float64(v)))
				a := float64(v) - nu
				if a != a {
					return a
				}
				worst = math.Max(worst, a)
			}
		}
		return worst
	}
	prev := maxArg(g.phi.Forward(g.batch, m+n))
	prevNu, prevAbs := g.nu[0], absMax
	for it := range g.cfg.Train.InnerSteps {
		out := g.phi.Forward(g.batch, m+n)
		g.objective(out, true)
		g.phi.ZeroGrad()
		g.phi.Backward(g.dout, nil)
		gradOK := AllFinite(grads)
		g.opt.Step(params, grads)
		g.phi.Normalize()
		what := ""
		switch {
		case !gradOK:
			what = "the gradient of the objective"
		case !AllFinite(params):
			what = "φ's weights"
		case !finite(g.nu[0]):
			what = "the learned ν"
		default:
			cur := maxArg(g.phi.Forward(g.batch, m+n))
			if !finite(cur) {
				what = "φ(X)"
			} else {
				prev, prevNu, prevAbs = cur, g.nu[0], absMax
				continue
			}
		}
		s := fmt.Sprintf("%s became NaN/Inf in discriminator update %d of %d", what, it+1, g.cfg.Train.InnerSteps)
		if g.f.Kind == conj.KL && prev > expOverflow {
			s = fmt.Sprintf("e^{φ(X)−ν} overflowed in discriminator update %d of %d", it+1, g.cfg.Train.InnerSteps)
		}
		s += fmt.Sprintf(" (max φ(X)−ν was %.3g, max |φ(X)| %.3g", prev, prevAbs)
		if !g.dv {
			s += fmt.Sprintf(", learned ν %.3g", prevNu)
		}
		return s + ")"
	}
	return "the velocity field ∇φ(Y) is not finite"
}
