package core

import "fmt"

// Potential is implemented by a method whose particles descend a potential:
// for GPA the discriminator φ, whose gradient gives the velocity of eq. (11),
//
//	Yᵢ ← Yᵢ − Δt ∇φ(Yᵢ),
//
// so that φ is high where the particles are and low toward the targets
// (D̂ = E_P[φ] − inf_ν{ν + E_Q f*(φ−ν)} of eq. (3) with P the particles).
// Views use it to draw φ itself (the workbench's heat-map).
type Potential interface {
	// PotentialTo writes the potential at rows points pts (rows×D, in the
	// flow's space) into dst (rows×Heads: every head of a conditional φ).
	// It must not run while a step does (a Sim is not safe for concurrent
	// use) and allocates nothing.
	PotentialTo(dst, pts []float32, rows int)
}

// Potential returns the method's potential, or nil when the method has
// none (it is not a gradient flow of a potential it can evaluate).
func (s *Sim) Potential() Potential {
	p, _ := s.method.(Potential)
	return p
}

// Heads is the number of outputs of the method's potential: one per class
// in a conditional run, else 1.
func (s *Sim) Heads() int { return s.prob.heads() }

// PotentialTo evaluates φ on pts in batches of at most M+N rows, the batch
// the net's buffers were reserved for (newGPA), so that any number of
// points costs no allocation. It overwrites the net's forward cache, which
// every Step recomputes before using it (trainAndVelocity).
func (g *gpa) PotentialTo(dst, pts []float32, rows int) {
	d, k := g.d, g.cls.k
	if rows < 0 || len(pts) < rows*d || len(dst) < rows*k {
		panic(fmt.Sprintf("core: PotentialTo: %d points need %d coordinates and %d outputs, have %d and %d", rows, rows*d, rows*k, len(pts), len(dst)))
	}
	batch := g.m + g.n
	for i := 0; i < rows; i += batch {
		c := min(batch, rows-i)
		out := g.phi.Forward(pts[i*d:(i+c)*d], c)
		copy(dst[i*k:(i+c)*k], out[:c*k])
	}
}
