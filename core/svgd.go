package core

import (
	"fmt"
	"math"
)

// SVGDConfig is the [svgd] section: Stein variational gradient descent
// (Liu & Wang 2016) on the target's closed-form score.
type SVGDConfig struct {
	// Bandwidth is h in k(a,b) = exp(−|a−b|²/h). 0 (default) is Liu &
	// Wang's median heuristic h = med²/log M, med the median distance
	// between particles, recomputed every step.
	Bandwidth float64 `toml:"bandwidth,omitempty" json:"bandwidth,omitempty"`
}

// svgdMedianRows caps the particles whose pairwise distances give the
// median (an even stride, deterministic), as core.MMD does.
const svgdMedianRows = 1000

var svgdInfo = MethodInfo{
	Kind:       "svgd",
	Doc:        "Stein variational gradient descent (Liu & Wang 2016) on the target's closed-form score",
	NeedsScore: true,
	Params:     ParamTable{dtParam},
	Validate: func(c *Config) error {
		if b := c.SVGD.Bandwidth; !(b >= 0) || math.IsInf(b, 1) {
			return fieldErr("svgd.bandwidth", "%v: want a finite h > 0, or 0 for the median heuristic", b)
		}
		return nil
	},
	New: newSVGD,
}

var svgdMetrics = []MetricInfo{
	kineticInfo, maxSpeedInfo, meanSpeedInfo,
	{Name: "bandwidth", Symbol: "h", Show: ShowText, Rank: 70, Doc: "kernel bandwidth h of exp(−|a−b|²/h)"},
}

// svgd moves every particle along the Stein variational direction (Liu &
// Wang 2016, eq. (8)), the steepest descent of KL(P‖Q) in the unit ball of
// the RKHS:
//
//	φ(Yᵢ) = (1/M) Σⱼ [ k(Yⱼ, Yᵢ) ∇log q(Yⱼ) + ∇_{Yⱼ} k(Yⱼ, Yᵢ) ]
//	Yᵢ ← Yᵢ + Δt φ(Yᵢ)
//
// The first term drives particles to high density, the second (with
// ∇_{Yⱼ}k(Yⱼ, Yᵢ) = (2/h)(Yᵢ − Yⱼ)k) keeps them apart. We use a fixed step
// Δt where Liu & Wang use AdaGrad.
type svgd struct {
	cfg   *Config
	score func(dst, y []float32, rows int)
	name  string
	m, d  int
	s     []float32 // ∇log q(Yⱼ)
	phi   []float64
	vel   []float32
	dist  []float64 // pairwise distances for the median
}

func newSVGD(cfg *Config, p *Problem) (Method, error) {
	if p.Score == nil {
		return nil, errNoScore("svgd")
	}
	m, d := p.M, p.D
	use := min(m, svgdMedianRows)
	return &svgd{cfg: cfg, score: p.Score, name: p.ScoreName, m: m, d: d,
		s: make([]float32, m*d), phi: make([]float64, m*d), vel: make([]float32, m*d),
		dist: make([]float64, use*(use-1)/2)}, nil
}

func (s *svgd) Metrics() []MetricInfo { return svgdMetrics }

// bandwidth is the configured h or the median heuristic.
func (s *svgd) bandwidth(y []float32) float64 {
	if h := s.cfg.SVGD.Bandwidth; h > 0 {
		return h
	}
	m, d := s.m, s.d
	use := min(m, svgdMedianRows)
	dist := s.dist[:0]
	for a := range use {
		ra := row(y, m, use, a, d)
		for b := a + 1; b < use; b++ {
			dist = append(dist, math.Sqrt(sqDist(ra, row(y, m, use, b, d))))
		}
	}
	if len(dist) == 0 {
		return 1
	}
	med := selectKth(dist, len(dist)/2)
	h := med * med / math.Log(float64(max(m, 2)))
	if !(h > 0) {
		return 1 // all particles coincide: any bandwidth will spread them
	}
	return h
}

func (s *svgd) Step(y []float32, dst []float64) error {
	m, d := s.m, s.d
	s.score(s.s, y, m)
	h := s.bandwidth(y)
	ker := gaussKernel{g: 1 / h}
	clear(s.phi)
	inv := 1 / float64(m)
	for i := range m {
		yi, pi := y[i*d:i*d+d], s.phi[i*d:i*d+d]
		for j := range m {
			yj, sj := y[j*d:j*d+d], s.s[j*d:j*d+d]
			kv := ker.at(yi, yj) * inv
			// term 1: k ∇log q(Yⱼ); term 2: (2/h)(Yᵢ − Yⱼ) k.
			for t := range pi {
				pi[t] += kv * (float64(sj[t]) + 2/h*(float64(yi[t])-float64(yj[t])))
			}
		}
	}
	ke, vmax, vmean := particleSpeeds(s.vel, s.phi, m, d)
	if !finite(ke) {
		return fmt.Errorf("SVGD direction: %w", ErrDiverged)
	}
	dt := float32(s.cfg.Flow.Dt)
	for i, v := range s.vel {
		y[i] += dt * v
	}
	dst[0], dst[1], dst[2], dst[3] = ke, vmax, vmean, h
	return nil
}

func (s *svgd) Undo()                         {}
func (s *svgd) Set(p *Param, v float64) error { return nil }

// State is empty: an SVGD step is a deterministic function of the
// particles.
func (s *svgd) State() MethodState         { return MethodState{} }
func (s *svgd) SetState(MethodState) error { return nil }
func (s *svgd) Summary() [][2]string {
	h := "median heuristic"
	if b := s.cfg.SVGD.Bandwidth; b > 0 {
		h = fmt.Sprintf("h %g", b)
	}
	return [][2]string{{"score", scoreLabel(s.name)}, {"kernel", h}}
}

// selectKth returns the k-th smallest element of a (0-based), reordering a
// in place (Hoare's selection with a median-of-three pivot; no
// allocation).
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		if a[mid] < a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] < a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] < a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] < p {
				i++
			}
			for a[j] > p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return a[k]
		}
	}
	return a[k]
}
