package core

import "math"

// classes holds the heads of φ and the rows of each class. K = 1 is the
// unconditional case; a conditional run (K > 1) has φ(x, c) = head c on a
// shared trunk, and class-c particles are compared with class-c targets.
type classes struct {
	k       int
	labelsY []int   // head of each particle, −1 = none (nil: all head 0)
	labelsX []int   // head of each target, −1 = none
	p, q    [][]int // particle and target rows of each class
	gp, gq  []float32
	wq      []float32
}

func newClasses(k int, labelsY, labelsX []int, m, n int) classes {
	c := classes{k: k, labelsY: labelsY, labelsX: labelsX}
	if labelsY == nil {
		return c
	}
	c.p, c.q = make([][]int, k), make([][]int, k)
	for i, l := range labelsY {
		if l >= 0 {
			c.p[l] = append(c.p[l], i)
		}
	}
	for j, l := range labelsX {
		if l >= 0 {
			c.q[l] = append(c.q[l], j)
		}
	}
	c.gp, c.gq, c.wq = make([]float32, m), make([]float32, n), make([]float32, n)
	return c
}

// head is the head of particle i, or −1 for a particle of a class with no
// targets (class-wise gene transport): it does not move.
func (c *classes) head(i int) int {
	if c.labelsY == nil {
		return 0
	}
	return c.labelsY[i]
}

// objective evaluates J(φ, ν) = E_P[φ] − ν − E_Q[f*(φ−ν)] (eq. 3) from the
// outputs φ([Y; X]) ((M+N)×K) and, when train is set, writes g.dout =
// ∂(−J)/∂φ (the optimiser minimises −J, i.e. ascends J) and updates a
// learned ν.
//
//	∂(−J)/∂φ(Yᵢ) = −1/M
//	∂(−J)/∂φ(Xⱼ) = (f*)′(φ(Xⱼ) − ν)/N
//
// With formulation "dv", ν = argmin_ν{ν + E_Q f*(φ−ν)} exactly (for KL the
// Donsker–Varadhan closed form ν = log E_Q e^φ − 1, via log-sum-exp), and by
// the envelope theorem no gradient flows through ν. With "nu", ν is learned
// by gradient ascent, ν ← ν + δ ∂J/∂ν with ∂J/∂ν = −1 + E_Q (f*)′(φ−ν)
// (Algorithm 1 line 8). If a learned ν leaves φ(X)−ν outside dom f* (α<1,
// reverse KL, JS), J would be −∞: ν is then set to the exact minimiser, and
// the projection is counted (Sim.NuProjections).
//
// A conditional run sums the class terms weighted by the class shares,
// J = Σ_c (M_c/M) J_c, so each particle row still gets −1/M.
//
// The returned estimate D̂ always uses the exact minimiser, so that it is
// the value of eq. (3) for the current φ.
func (g *gpa) objective(out []float32, train bool) float64 {
	m, n, c := g.m, g.n, &g.cls
	if c.p == nil {
		return g.classTerm(0, out[:m], out[m:m+n], g.dout[m:m+n], g.dout[:m], 1, train)
	}
	k := c.k
	if train {
		clear(g.dout)
	}
	var total float64
	for h := range k {
		gp, gq, wq := c.gp[:len(c.p[h])], c.gq[:len(c.q[h])], c.wq[:len(c.q[h])]
		if len(gp) == 0 || len(gq) == 0 {
			continue
		}
		for a, i := range c.p[h] {
			gp[a] = out[i*k+h]
		}
		for a, j := range c.q[h] {
			gq[a] = out[(m+j)*k+h]
		}
		share := float64(len(gp)) / float64(m)
		total += share * g.classTerm(h, gp, gq, wq, nil, share, train)
		if train {
			for a, j := range c.q[h] {
				g.dout[(m+j)*k+h] = float32(share) * wq[a]
			}
			for _, i := range c.p[h] {
				g.dout[i*k+h] = float32(-1 / float64(m))
			}
		}
	}
	return total
}

// classTerm is the objective of one head h on its particle outputs gP and
// target outputs gQ. When train is set it writes the target weights
// (f*)′(gQ−ν)/|Q| into wQ, −1/|P| into wP (if not nil), and updates ν_h.
func (g *gpa) classTerm(h int, gP, gQ, wQ, wP []float32, share float64, train bool) float64 {
	var sumP float64
	for _, v := range gP {
		sumP += float64(v)
	}
	meanP := sumP / float64(len(gP))
	nuOpt, inf := g.f.OptimalNu(gQ)
	if !train {
		return meanP - inf
	}
	nu := nuOpt
	if !g.dv {
		nu = g.nu[h]
		if !g.inDomain(gQ, nu) {
			nu = nuOpt
			g.nuProjected++
		}
	}
	g.f.ConjMeanGradTo(wQ, gQ, nu)
	if wP != nil {
		for i := range wP {
			wP[i] = float32(-1 / float64(len(gP)))
		}
	}
	if !g.dv {
		var sumW float64
		for _, w := range wQ {
			sumW += float64(w)
		}
		g.nu[h] = nu + g.cfg.Train.LR*share*(sumW-1)
	}
	return meanP - inf
}

// inDomain reports whether every φ(Xⱼ) − ν lies in dom f*.
func (g *gpa) inDomain(gQ []float32, nu float64) bool {
	hi, open := g.f.ConjDomain()
	if math.IsInf(hi, 1) {
		return true
	}
	for _, g := range gQ {
		if t := float64(g) - nu; t > hi || (open && t == hi) {
			return false
		}
	}
	return true
}
