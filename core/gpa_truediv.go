package core

import (
	"fmt"
	"math"
	"slices"
)

// The logged "divergence" D̂ is the objective of the flow's warm-started φ
// after T_NN updates: early in a run it is far below D_L(Pₙ‖Q) (four-well-L1
// logs 0.18 where a separately trained φ gives D_L(P₀‖Q) ≈ 1; issue #10).
// With flow.estimate_every = K > 0 the Sim also measures, at step 1 and every
// K steps, an independent estimate of D_L(Pₙ‖Q) (eq. 3): a fresh φ of the
// flow's architecture (same Γ_L), always from the same seeded initial
// weights, trained for flow.estimate_iters updates on the current particles
// and the targets (Estimate: SGD from estimateLR with cosine decay, the
// exact ν). It is logged as "dl".
//
// Energy identity. Along the flow (9), dD_L(Pₜ‖Q)/dt = −I(Pₜ) with
// I = E_P|∇φ*|² (eq. 27, Theorem B.1); for the particles, I is the kinetic
// energy of eq. (13). The Sim logs the dissipated energy
//
//	W(n) = Σ_{k ≤ n} Δt_k · KE_k        ("dissipation", cumulative)
//
// with KE_k the logged kinetic energy of step k (velocities at Y_{k−1}), and
// at every estimate after the first the ratio
//
//	ρ = (D̂_L(prev) − D̂_L(now)) / (W(now) − W(prev))     ("energy_ratio"),
//
// which is 1 when the identity holds (logged when W(now) − W(prev) is at
// least energyMinShare of D̂_L, see there). When the flow's φ is not the
// optimal one, D_L decreases by Δt·E[∇φ*·∇φ] per step, not Δt·E|∇φ|²: the
// ratio is above 1 for a φ weaker than φ* but aligned with it (an
// under-trained warm start), below 1 for a φ whose gradient is partly
// misdirected (jitter); otherwise it measures the discretisation and
// estimation errors.
// Everything is read back from the history, so a resumed run continues the
// same series.
//
// A conditional run is estimated as one distribution (all particles against
// all targets). The estimate costs flow.estimate_iters forward and backward
// passes over M+N rows.

// energyMinShare: the ratio is logged only when the energy dissipated
// between two estimates is at least this share of the divergence; below
// it the estimates' own noise (1–3% of D_L on the closed forms) would
// dominate the ratio (our choice).
const energyMinShare = 0.02

// Defaults of the independent estimator (our choice: SGD with a decayed
// rate converged for every f on the closed forms of estimate_test.go;
// 2000 updates give the Gaussian closed form within 3%).
const (
	estimateLR     = 0.05
	estimateIters  = 2000
	streamEstimate = 4 // PCG stream of the estimator's init (φ uses 3)
)

// Metrics of the estimator.
var trueDivMetrics = []MetricInfo{
	{Name: "dl", Symbol: "D_L", Rank: 11,
		Doc: "independent estimate of D_L(Pₙ‖Q) (eq. 3): a fresh φ trained for flow.estimate_iters updates, every flow.estimate_every steps"},
	{Name: "dissipation", Symbol: "∫I dt", Show: ShowHidden, Rank: 12,
		Doc: "Σₙ Δt·KEₙ, the energy dissipated so far (eq. 27)"},
	{Name: "energy_ratio", Symbol: "ΔD/∫I", Show: ShowText, Rank: 13,
		Doc: "decrease of the D_L estimate since the previous one over the energy dissipated meanwhile: 1 when dD/dt = −I (eq. 27) holds"},
}

// trueDiv is the Sim's independent D_L estimator.
type trueDiv struct {
	every, iters int
	est          *estimator
	col          int // first of its columns in the history
	ke           int // column of kinetic_energy, −1 if the method has none
}

// validateEstimate checks the estimator's configuration keys.
func validateEstimate(f *FlowConfig) error {
	if f.EstimateEvery < 0 {
		return fieldErr("flow.estimate_every", "%d: want ≥ 0 (0 = off)", f.EstimateEvery)
	}
	if f.EstimateIters < 0 || f.EstimateIters > 1e7 {
		return fieldErr("flow.estimate_iters", "%d: want 0 … 1e7 (0 = %d)", f.EstimateIters, estimateIters)
	}
	return nil
}

// newTrueDiv builds the estimator of a run, or returns nil when
// flow.estimate_every is 0. col is where its metrics start.
func newTrueDiv(cfg Config, p *Problem, names []string, col int) (*trueDiv, error) {
	if cfg.Flow.EstimateEvery <= 0 {
		return nil, nil
	}
	ec := cfg
	ec.Seed = cfg.Seed ^ streamEstimate<<56
	ec.Divergence.Formulation = "dv"
	ec.Discriminator.Conditional = false
	ec.Train = TrainConfig{Optimizer: "sgd", LR: estimateLR, InnerSteps: 1}
	est, err := newEstimator(ec, p)
	if err != nil {
		return nil, fmt.Errorf("flow.estimate_every: %w", err)
	}
	iters := cfg.Flow.EstimateIters
	if iters == 0 {
		iters = estimateIters
	}
	return &trueDiv{every: cfg.Flow.EstimateEvery, iters: iters, est: est, col: col,
		ke: slices.Index(names, "kinetic_energy")}, nil
}

// observe fills the estimator's columns of the row of the step just
// completed (the last row of h): the dissipation always, the estimate and
// the ratio on estimate steps (step 1 and multiples of K). An estimate that
// fails (NaN or Inf) is left NaN: it does not stop the flow.
func (t *trueDiv) observe(h *History, step int, dt float64, y []float32) {
	n := h.Len()
	row := h.At(n - 1).Values
	w := 0.0
	if n > 1 {
		if prev := h.At(n - 2).Values[t.col+1]; !math.IsNaN(prev) {
			w = prev
		}
	}
	if t.ke >= 0 {
		w += dt * row[t.ke]
	}
	row[t.col+1] = w
	if step%t.every != 0 && step != 1 {
		return
	}
	dl, _, err := t.est.estimate(y, t.iters)
	if err != nil {
		return
	}
	row[t.col] = dl
	for i := n - 2; i >= 0; i-- {
		prev := h.At(i).Values
		if dl0 := prev[t.col]; !math.IsNaN(dl0) {
			if dw := w - prev[t.col+1]; dw >= energyMinShare*math.Max(math.Abs(dl0), math.Abs(dl)) {
				row[t.col+2] = (dl0 - dl) / dw
			}
			break
		}
	}
}
