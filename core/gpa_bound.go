package core

import (
	"fmt"
	"math"
)

// Bound compares the two sides of Theorem 5.1 (eq. 14) for a latent run:
//
//	D_f^{Γ_L}(D#P^Z ‖ Q^Y) ≤ D_f^{Γ_{a_D·L}}(P^Z ‖ E#Q^Y),
//
// a_D the decoder's Lipschitz constant. The theorem assumes perfect
// encoding, D#E#Q = Q, which a trained autoencoder only approximates; with
// Q replaced by the reconstructed targets D#E#Q the inequality is exactly
// the data processing inequality of Theorem D.1 for the kernel D (φ∘D ∈
// Γ_{a_D L} for φ ∈ Γ_L), with no assumption. Both versions are reported.
//
// What this is and is not: every side is estimated by training a
// discriminator, which gives a lower bound of the supremum in eq. (3). An
// estimated left side below the estimated right side is consistent with
// the theorem but does not verify it (the right side may be
// under-estimated as well), and an estimate above it would not refute it
// unless the right side were converged. Each side is therefore estimated
// with Seeds independent initialisations and two training budgets (Iters/4
// and Iters updates, SGD with a cosine-decayed rate, Estimate), so that the
// spread over seeds and the change with the budget show how far the
// estimates are from converged.
type Bound struct {
	L          float64   `json:"lipschitz"`         // L
	DecoderLip float64   `json:"decoder_lipschitz"` // a_D (an upper bound)
	Real       BoundSide `json:"real_space"`        // D̂_L(D#P ‖ Q) in data space
	Recon      BoundSide `json:"real_space_reconstructed_targets"`
	Latent     BoundSide `json:"latent_space_bound"` // D̂_{a_D L}(P ‖ E#Q)
	Iters      int       `json:"iters"`
	Seeds      int       `json:"seeds"`
}

// BoundSide is one side of the bound: the estimate for every seed at the
// full budget (Values) and at a quarter of it (Quarter), their mean and
// standard deviation over seeds.
type BoundSide struct {
	Mean    float64   `json:"mean"`
	SD      float64   `json:"sd"`
	Values  []float64 `json:"values"`
	Quarter []float64 `json:"values_quarter_iters"`
}

// boundLR is the initial learning rate of the bound's estimators (SGD,
// cosine decay; as the independent estimates along the flow).
const boundLR = estimateLR

// Theorem51 estimates the sides of eq. (14) for a latent GPA run, each with
// seeds discriminators trained for iters updates (and iters/4 for the
// convergence check).
func (s *Sim) Theorem51(iters, seeds int) (Bound, error) {
	p := s.prob
	if p.Decoder == nil {
		return Bound{}, fmt.Errorf("core: Theorem 5.1 applies to latent runs only")
	}
	L := float64(s.cfg.Discriminator.Lipschitz)
	if math.IsInf(L, 1) {
		return Bound{}, fmt.Errorf("core: Theorem 5.1 needs a finite L")
	}
	if iters < 4 || seeds < 1 {
		return Bound{}, fmt.Errorf("core: Theorem 5.1: %d iterations and %d seeds: want ≥ 4 and ≥ 1", iters, seeds)
	}
	aD := p.Decoder.Lipschitz()
	dim := p.dataDim()
	decoded := make([]float32, s.m*dim)
	s.DecodedTo(decoded)
	recon := make([]float32, s.n*dim)
	p.Decoder.DecodeTo(recon, s.x, s.n) // D#E#Q: the targets through the autoencoder
	b := Bound{L: L, DecoderLip: aD, Iters: iters, Seeds: seeds}
	sides := []struct {
		side *BoundSide
		what string
		lip  float64
		p, q []float32
		d    int
	}{
		{&b.Real, "real-space estimate", L, decoded, p.dataX(), dim},
		{&b.Recon, "real-space estimate against D#E#Q", L, decoded, recon, dim},
		{&b.Latent, "latent estimate", aD * L, s.y, s.x, s.d},
	}
	for _, sd := range sides {
		for k := range seeds {
			cfg := s.cfg
			cfg.Seed = s.cfg.Seed + uint64(k)*0x9e3779b9 // independent initialisations
			cfg.Divergence.Formulation = "dv"
			cfg.Discriminator.Conditional = false
			cfg.Discriminator.Lipschitz = Lipschitz(sd.lip)
			cfg.Train = TrainConfig{Optimizer: "sgd", LR: boundLR, InnerSteps: 1}
			e, err := newEstimator(cfg, &Problem{X: sd.q, N: s.n, M: s.m, D: sd.d})
			if err != nil {
				return Bound{}, fmt.Errorf("core: %s: %w", sd.what, err)
			}
			quarter, _, err := e.estimate(sd.p, iters/4)
			if err != nil {
				return Bound{}, fmt.Errorf("core: %s: %w", sd.what, err)
			}
			full, _, err := e.estimate(sd.p, iters)
			if err != nil {
				return Bound{}, fmt.Errorf("core: %s: %w", sd.what, err)
			}
			sd.side.Values = append(sd.side.Values, full)
			sd.side.Quarter = append(sd.side.Quarter, quarter)
		}
		sd.side.Mean, sd.side.SD = meanSD(sd.side.Values)
	}
	return b, nil
}

// meanSD returns the mean and the sample standard deviation (0 for one
// value).
func meanSD(v []float64) (mean, sd float64) {
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	for _, x := range v {
		sd += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(sd / float64(len(v)-1))
}
