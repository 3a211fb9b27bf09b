package core

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// ganTestProblem is a tiny conditional problem: two classes of 2-D
// targets, 12 each, and 10 particles.
func ganTestProblem() *Problem {
	const n, m, d = 24, 10, 2
	rng := rand.New(rand.NewPCG(4, 4))
	x := make([]float32, n*d)
	hx := make([]int, n)
	for j := range n {
		hx[j] = j % 2
		x[j*d] = float32(3*hx[j]) + 0.5*float32(rng.NormFloat64())
		x[j*d+1] = 0.5 * float32(rng.NormFloat64())
	}
	hy := make([]int, m)
	for i := range hy {
		hy[i] = i % 2
	}
	return &Problem{X: x, N: n, Y: make([]float32, m*d), M: m, D: d, Heads: 2, HeadX: hx, HeadY: hy}
}

// ganGradCheck compares analytic gradients g (of params) with central
// differences of loss, at a few parameters: |fd − g| ≤ 2% of the larger
// of |g| and the gradient's rms (float32 nets: the difference quotient of
// a float32 forward pass with step 1e-3 has ~1e-4 relative noise).
func ganGradCheck(t *testing.T, what string, params, g []float32, loss func() float64) {
	t.Helper()
	var rms float64
	for _, v := range g {
		rms += float64(v) * float64(v)
	}
	rms = math.Sqrt(rms / float64(len(g)))
	if !(rms > 0) {
		t.Fatalf("%s: zero gradient", what)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	bad := 0
	for range 25 {
		i := rng.IntN(len(params))
		const h = 1e-3
		old := params[i]
		params[i] = old + h
		up := loss()
		params[i] = old - h
		down := loss()
		params[i] = old
		fd := (up - down) / (2 * h)
		if tol := 0.02 * math.Max(math.Abs(float64(g[i])), rms); math.Abs(fd-float64(g[i])) > tol {
			bad++
			t.Errorf("%s: ∂/∂θ[%d] = %.6g, central difference %.6g", what, i, g[i], fd)
		}
	}
	if bad == 0 {
		t.Logf("%s: 25 parameters agree (gradient rms %.3g)", what, rms)
	}
}

// TestGANGradients checks the generator's and the discriminator's
// gradients (with the finite-difference-of-gradients penalty term of
// wgan-gp) against central differences of their losses on fixed
// minibatches. Softplus nets: smooth, so the checks are sharp.
func TestGANGradients(t *testing.T) {
	for _, tc := range []struct {
		kind, f, output string
	}{
		{"gan", "kl", "sigmoid"}, {"gan", "alpha:2", "linear"}, {"wgan-gp", "w1", "linear"},
	} {
		t.Run(tc.kind+"/"+tc.f, func(t *testing.T) {
			cfg := baselineConfig(tc.kind)
			cfg.Divergence.F = tc.f
			cfg.Discriminator.Activation = "softplus"
			cfg.Discriminator.Lipschitz = 2
			cfg.GAN = GANConfig{Latent: 3, Hidden: []int{8, 8}, Activation: "softplus", Batch: 12, Output: tc.output}
			s := mustNew(t, cfg, ganTestProblem())
			s.Advance(3) // away from the initialisation
			g := s.Method().(*gan)
			phi := g.disc.phi

			// Discriminator: −J + λ·penalty on one minibatch.
			g.batch.save()
			g.noise.save()
			g.discGrad()
			dgrad := slices.Clone(phi.Grads())
			dloss := func() float64 {
				g.batch.restore()
				g.noise.restore()
				bd := g.b * g.d
				g.sampleFake(g.disc.batch[:bd])
				g.sampleReal(g.disc.batch[bd:])
				j, pen := g.discLossGrad(false)
				return -j + pen
			}
			ganGradCheck(t, "discriminator", phi.Params(), dgrad, dloss)

			// Generator: E_z φ(G(z, c)) on one batch of codes.
			g.batch.save()
			g.genGrad()
			ggrad := slices.Clone(g.gen.Grads())
			gloss := func() float64 {
				g.batch.restore()
				g.sampleFake(g.gout)
				out := phi.Forward(g.gout, g.b)
				var mean float64
				for r := range g.b {
					mean += float64(out[r*g.k+g.lab[r]]) / float64(g.b)
				}
				return mean
			}
			ganGradCheck(t, "generator", g.gen.Params(), ggrad, gloss)
		})
	}
}

// TestGANSpeedLimit: the (f, Γ)-GAN's discriminator is in Γ_L like GPA's:
// |∇φ| ≤ L at the generated samples throughout training.
func TestGANSpeedLimit(t *testing.T) {
	cfg := baselineConfig("gan")
	cfg.Discriminator.Lipschitz = 0.5
	cfg.Train.LR = 0.01
	s := mustNew(t, cfg, ganTestProblem())
	for range 30 {
		r, err := s.Step()
		if err != nil {
			t.Fatal(err)
		}
		if v := value(t, r, "max_grad"); v > 0.5*(1+1e-4) {
			t.Fatalf("step %d: max |∇φ| = %g > L = 0.5", r.Step, v)
		}
	}
}
