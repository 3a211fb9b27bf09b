package core

import (
	"fmt"
	"math"
)

// Bound is the a-posteriori estimate of Theorem 5.1 (eq. 14) for a latent
// run: the divergence of the decoded particles from the targets in real
// space is bounded by a latent-space divergence with a larger Lipschitz
// constant,
//
//	D_f^{Γ_L}(D#P^Z ‖ Q^Y) ≤ D_f^{Γ_{a_D·L}}(P^Z ‖ E#Q^Y),
//
// where a_D is the decoder's Lipschitz constant. Both sides are estimated
// with a freshly trained discriminator (Estimate); the real-space side on
// the decoded particles and the targets in data space, the latent side on
// the particles and the encoded targets.
type Bound struct {
	L          float64 `json:"lipschitz"`          // L
	DecoderLip float64 `json:"decoder_lipschitz"`  // a_D (an upper bound)
	Real       float64 `json:"real_space"`         // D̂_L(D#P ‖ Q) in data space
	Latent     float64 `json:"latent_space_bound"` // D̂_{a_D L}(P ‖ E#Q)
	Iters      int     `json:"iters"`
}

// Theorem51 estimates both sides of eq. (14) for a latent GPA run with
// iters discriminator updates each.
func (s *Sim) Theorem51(iters int) (Bound, error) {
	p := s.prob
	if p.Decoder == nil {
		return Bound{}, fmt.Errorf("core: Theorem 5.1 applies to latent runs only")
	}
	L := float64(s.cfg.Discriminator.Lipschitz)
	if math.IsInf(L, 1) {
		return Bound{}, fmt.Errorf("core: Theorem 5.1 needs a finite L")
	}
	aD := p.Decoder.Lipschitz()
	cfg := s.cfg
	cfg.Train.Optimizer, cfg.Train.LR = "adam", 1e-3
	dim := p.dataDim()
	decoded := make([]float32, s.m*dim)
	s.DecodedTo(decoded)
	real, _, err := Estimate(cfg, decoded, s.m, p.dataX(), s.n, dim, iters)
	if err != nil {
		return Bound{}, fmt.Errorf("core: real-space estimate: %w", err)
	}
	cfg.Discriminator.Lipschitz = Lipschitz(aD * L)
	lat, _, err := Estimate(cfg, s.y, s.m, s.x, s.n, s.d, iters)
	if err != nil {
		return Bound{}, fmt.Errorf("core: latent estimate: %w", err)
	}
	return Bound{L: L, DecoderLip: aD, Real: real, Latent: lat, Iters: iters}, nil
}
