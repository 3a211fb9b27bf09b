// Package core is the engine of gpa-tui: the Lipschitz-regularized generative
// particle algorithm (GPA, Algorithm 1 of the paper), its metrics and its
// data sets.
//
// Symbols follow the paper (shared/paper/lipschitz-gpa.md) and are used
// throughout the engine:
//
//	X      targets, N×d, samples of Q                  (Sim.Targets)
//	Y      particles, M×d, samples of Pₙ               (Sim.Particles)
//	φ      the discriminator (phi), a net in Γ_L        (lipnet.Net)
//	ν      the scalar shift of eq. (3) (nu)
//	L      the Lipschitz constant (lip), Γ_L = {φ : |φ(x)−φ(y)| ≤ L|x−y|}
//	Δt     the particle time step (dt), γ in Algorithm 1
//	T_NN   discriminator updates per particle step (Train.InnerSteps)
//	f, f*  the divergence generator and its Legendre conjugate (conj.F)
//
// One particle step (Algorithm 1, lines 6–11) trains φ for T_NN steps on
//
//	J(φ, ν) = E_P[φ] − ν − E_Q[f*(φ − ν)]                          (eq. 3)
//
// and then moves every particle Yᵢ ← Yᵢ − Δt ∇φ(Yᵢ) (eq. 11). Because φ is
// L-Lipschitz, |∇φ| ≤ L: no particle moves more than L·Δt in a step (the
// speed limit of Remark 4.1(c)). The kinetic energy
//
//	I = (1/M) Σᵢ |∇φ(Yᵢ)|²                                          (eq. 13)
//
// tracks convergence: along the flow dD/dt = −I (eq. 27).
//
// The same Sim runs the paper's comparisons as Methods (method.kind): the
// MMD gradient flow (mmdflow.go), the KALE flow (kale.go), the unadjusted
// Langevin algorithm and SVGD on a closed-form score (ula.go, svgd.go;
// Problem.Score), a noise-conditional score network with annealed Langevin
// dynamics (ncsn.go), and an (f, Γ)-GAN and a WGAN-GP whose generator
// replaces the particle step (gan.go). Their randomness comes from seeded
// PCG streams kept in their state (rng.go), so resumes are bit-exact.
//
// Data are flat row-major []float32 with explicit dimensions; reductions are
// accumulated in float64. A Sim is not safe for concurrent use.
package core
