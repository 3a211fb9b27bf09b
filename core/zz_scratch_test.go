package core

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

func estimateSched(cfg Config, p []float32, m int, q []float32, n, d, iters int, sched string) float64 {
	cfg.Train.InnerSteps = 1
	prob := &Problem{X: q, N: n, Y: p, M: m, D: d}
	meth, _ := newGPA(&cfg, prob)
	g := meth.(*gpa)
	lr0 := cfg.Train.LR
	copy(g.batch[:m*d], p)
	params, grads := g.phi.Params(), g.phi.Grads()
	for k := range iters {
		lr := lr0
		fr := float64(k) / float64(iters)
		switch sched {
		case "cos":
			lr = lr0 * 0.5 * (1 + math.Cos(math.Pi*fr))
		case "lin":
			lr = lr0 * (1 - fr)
		case "step":
			if fr > 0.5 { lr = lr0 / 10 }
			if fr > 0.8 { lr = lr0 / 100 }
		}
		g.opt.SetLR(lr)
		out := g.phi.Forward(g.batch, m+n)
		g.objective(out, true)
		g.phi.ZeroGrad()
		g.phi.Backward(g.dout, nil)
		g.opt.Step(params, grads)
		g.phi.Normalize()
	}
	out := g.phi.Forward(g.batch, m+n)
	return g.objective(out, false)
}

func TestZZDirac(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	iters, _ := strconv.Atoi(os.Getenv("IT"))
	lr, _ := strconv.ParseFloat(os.Getenv("LR"), 64)
	ax, _ := strconv.ParseFloat(os.Getenv("AX"), 64)
	opt := os.Getenv("OPT")
	const n, d = 400, 2
	rng := rand.New(rand.NewPCG(3, 4))
	q := make([]float32, n*d)
	for i := range q {
		q[i] = float32(rng.NormFloat64())
	}
	a := []float32{float32(ax), 0}
	for _, act := range []string{"groupsort/bjorck", "relu/spectral", "groupsort/spectral"} {
		for _, sched := range []string{"const", "cos"} {
			for _, L := range []float64{0.5, 1, 2} {
				var s float64
				for j := range n {
					s += math.Exp(-L * math.Hypot(float64(q[j*d]-a[0]), float64(q[j*d+1]-a[1])))
				}
				want := -math.Log(s / n)
				cfg := gpaConfig()
				an, nm, _ := cut(act)
				cfg.Discriminator.Activation, cfg.Discriminator.Normalization = an, nm
				cfg.Discriminator.Lipschitz = Lipschitz(L)
				cfg.Train.Optimizer, cfg.Train.LR = opt, lr
				div := estimateSched(cfg, a, 1, q, n, d, iters, sched)
				fmt.Printf("%s %s L=%g: ratio %.4f\n", act, sched, L, div/want)
			}
		}
	}
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == '/' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestZZW1(t *testing.T) {
	if os.Getenv("ZZ") == "" {
		t.Skip()
	}
	iters, _ := strconv.Atoi(os.Getenv("IT"))
	lr, _ := strconv.ParseFloat(os.Getenv("LR"), 64)
	opt := os.Getenv("OPT")
	const n, d = 1000, 2
	rng := rand.New(rand.NewPCG(5, 6))
	p := randn(rng, n*d, 0)
	q := randn(rng, n*d, 0)
	var mx float64
	for i := range n {
		p[i*d] += 3
		mx += float64(p[i*d] - q[i*d])
	}
	fmt.Printf("mean difference %.4f\n", mx/n)
	for _, act := range []string{os.Getenv("ACT")} {
		for _, sched := range []string{"const", "cos"} {
			cfg := gpaConfig()
			an, nm, _ := cut(act)
			cfg.Divergence.F = os.Getenv("F")
			cfg.Discriminator.Hidden = []int{64, 64, 64}
			cfg.Discriminator.Activation, cfg.Discriminator.Normalization = an, nm
			cfg.Train.Optimizer, cfg.Train.LR = opt, lr
			div := estimateSched(cfg, p, n, q, n, d, iters, sched)
			fmt.Printf("%s %s %s: %.4f\n", cfg.Divergence.F, act, sched, div)
		}
	}
}
