package lipnet

import (
	"math"
	"sync/atomic"
	"unsafe"
)

// Optimizer updates parameters from their gradients. It is a minimiser: the
// engine passes the gradients of −J to ascend J (Algorithm 1, line 8).
type Optimizer interface {
	// Step updates params in place from grads (same length).
	Step(params, grads []float32)
	// Reset forgets all state (Adam's moments and step count).
	Reset()
	// State returns the flat state for snapshots (a view, settable by copy
	// or SetState).
	State() []float32
	// Name returns "sgd" or "adam".
	Name() string
}

// SGD is plain gradient descent, θ ← θ − lr·∇θ: the paper's optimizer.
type SGD struct {
	lr  float64
	job optJob
}

// NewSGD returns gradient descent with learning rate lr.
func NewSGD(lr float64) *SGD { return &SGD{lr: lr} }

// Step does θ ← θ − lr·g.
func (o *SGD) Step(params, grads []float32) {
	if len(grads) != len(params) {
		panic("lipnet: SGD.Step: len(grads) != len(params)")
	}
	o.job = optJob{p: params, g: grads, lr: float32(o.lr)}
	o.job.start()
	o.job = optJob{}
}

// sgdTo does θ ← θ − lr·g on p: in AVX2 (sgdAVX2) by 32 floats, the
// same bits as sgdGo.
func sgdTo(p, g []float32, lr float32) {
	g = g[:len(p)]
	if n := len(p) &^ 31; useAVX2 && n > 0 {
		sgdAVX2(&p[0], &g[0], n, lr)
		p, g = p[n:], g[n:]
	}
	sgdGo(p, g, lr)
}

// sgdGo is the portable sgdTo.
func sgdGo(p, g []float32, lr float32) {
	g = g[:len(p)]
	for i, gi := range g {
		p[i] -= lr * gi
	}
}

// Reset does nothing: SGD has no state.
func (o *SGD) Reset() {}

// State returns an empty slice: SGD has no state.
func (o *SGD) State() []float32 { return nil }

// SetState accepts only an empty state.
func (o *SGD) SetState(s []float32) {
	if len(s) != 0 {
		panic("lipnet: SGD.SetState: SGD has no state")
	}
}

// Name returns "sgd".
func (o *SGD) Name() string { return "sgd" }

// SetLR sets the learning rate.
func (o *SGD) SetLR(lr float64) { o.lr = lr }

// LR returns the learning rate.
func (o *SGD) LR() float64 { return o.lr }

// Adam is Kingma & Ba's Adam with β₁ = 0.9, β₂ = 0.999, ε = 1e-8 (the
// authors' journal code), in TensorFlow's form, which adds ε to √v rather
// than to √v̂ (Kingma & Ba 2015, end of Sec. 2):
//
//	m ← β₁m + (1−β₁)g,   v ← β₂v + (1−β₂)g²,   t ← t+1
//	θ ← θ − lr·√(1−β₂ᵗ)/(1−β₁ᵗ) · m/(√v + ε)
type Adam struct {
	lr     float64
	b1, b2 float64   // β₁, β₂
	state  []float32 // m (n), v (n), t (1; exact up to 2²⁴ steps)
	job    optJob
}

// Adam's hyper-parameters (Kingma & Ba 2015; TensorFlow's defaults).
const (
	adamBeta1 = 0.9
	adamBeta2 = 0.999
	adamEps   = 1e-8
)

// NewAdam returns Adam with learning rate lr for n parameters.
func NewAdam(lr float64, n int) *Adam { return NewAdamBetas(lr, adamBeta1, adamBeta2, n) }

// NewAdamBetas returns Adam with moment decays β₁, β₂ in [0, 1): GANs use
// β₁ = 0.5 (Radford et al. 2016) or β₁ = 0, β₂ = 0.9 (Gulrajani et al.
// 2017) for steadier adversarial dynamics.
func NewAdamBetas(lr, beta1, beta2 float64, n int) *Adam {
	return &Adam{lr: lr, b1: beta1, b2: beta2, state: make([]float32, 2*n+1)}
}

// Step does one Adam update of params (length n) from grads.
func (o *Adam) Step(params, grads []float32) {
	n := (len(o.state) - 1) / 2
	if len(params) != n || len(grads) != n {
		panic("lipnet: Adam.Step: len(params) or len(grads) != n")
	}
	t := float64(o.state[2*n]) + 1
	o.state[2*n] = float32(t)
	lrt := float32(o.lr * math.Sqrt(1-math.Pow(o.b2, t)) / (1 - math.Pow(o.b1, t)))
	o.job = optJob{p: params[:n], g: grads[:n], m: o.state[:n:n], v: o.state[n : 2*n : 2*n], lr: lrt, adam: true,
		// float32(0.9), float32(0.1), … for the defaults, as the constants gave
		b1: float32(o.b1), b2: float32(o.b2), c1: float32(1 - o.b1), c2: float32(1 - o.b2)}
	o.job.start()
	o.job = optJob{}
}

// adamTo does the Adam update of p with the moments m, v, the step size
// lrt and the decays b1 = β₁, b2 = β₂, c1 = 1−β₁, c2 = 1−β₂ (see Adam).
func adamTo(p, g, m, v []float32, lrt, b1, b2, c1, c2 float32) {
	g, m, v = g[:len(p)], m[:len(p)], v[:len(p)]
	for i, gi := range g {
		mi := b1*m[i] + c1*gi
		vi := b2*v[i] + c2*gi*gi
		m[i], v[i] = mi, vi
		p[i] -= lrt * mi / (float32(math.Sqrt(float64(vi))) + adamEps)
	}
}

// Reset zeroes the moments and the step count (the journal code does this
// at every particle step).
func (o *Adam) Reset() {
	clear(o.state)
}

// State returns m, v (n each) and t, concatenated; a view.
func (o *Adam) State() []float32 { return o.state }

// SetState copies s (as returned by State) into the optimizer.
func (o *Adam) SetState(s []float32) {
	if len(s) != len(o.state) {
		panic("lipnet: Adam.SetState: wrong length")
	}
	copy(o.state, s)
}

// Name returns "adam".
func (o *Adam) Name() string { return "adam" }

// SetLR sets the learning rate.
func (o *Adam) SetLR(lr float64) { o.lr = lr }

// LR returns the learning rate.
func (o *Adam) LR() float64 { return o.lr }

// optParallelMin is the smallest parameter count whose update is split
// over the threads: the update is elementwise and memory-bound, and split
// it keeps each part's parameters in the cache of the thread that updates
// them every step.
const optParallelMin = 1 << 16

// lastBackward is the net of the last Backward (with parameter
// gradients): an optimizer step on its Params and Grads splits the update
// as that Backward split the gradients (optJob.runLayers).
var lastBackward atomic.Pointer[Net]

// optJob is one optimizer update, split into runs of whole cache lines.
type optJob struct {
	p, g, m, v     []float32
	lr             float32
	adam           bool
	b1, b2, c1, c2 float32 // Adam's decays (adamTo)
	step           int
	net            *Net // the net whose Params and Grads these are, if known
}

// runLayers runs part of the update of j.net's parameters: the rows of
// each ∂ℓ/∂W that the part accumulated in Backward (zeroJob), biases on
// part 0, convolution kernels split evenly.
func (j *optJob) runLayers(part, parts int) {
	base := uintptr(unsafe.Pointer(&j.net.grads[0]))
	do := func(g []float32) {
		if len(g) == 0 {
			return
		}
		lo := int(uintptr(unsafe.Pointer(&g[0]))-base) / 4
		j.span(lo, lo+len(g))
	}
	for _, ly := range j.net.layers {
		switch ly := ly.(type) {
		case *dense:
			if part == 0 {
				do(ly.gb)
			}
			lo, hi := denseGradRows(ly, j.net.rows, part, parts)
			do(ly.gw[lo:hi])
		case *conv:
			g := ly.gw
			lo, hi := part*len(g)/parts&^15, (part+1)*len(g)/parts&^15
			if part == parts-1 {
				hi = len(g)
			}
			do(g[lo:hi])
		}
	}
}

func (j *optJob) span(lo, hi int) {
	if j.adam {
		adamTo(j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], j.lr, j.b1, j.b2, j.c1, j.c2)
		return
	}
	sgdTo(j.p[lo:hi], j.g[lo:hi], j.lr)
}

// start runs the update, over the pool when it is large enough.
func (j *optJob) start() {
	n := len(j.p)
	if n < optParallelMin {
		j.step = n
		j.run(0, 1)
		return
	}
	parts := workPool.acquire(Threads())
	j.step = (n/16 + parts - 1) / parts * 16
	if parts == 1 {
		j.step = n
		j.run(0, 1)
		return
	}
	if net := lastBackward.Load(); net != nil && len(net.params) == n && &net.params[0] == &j.p[0] && &net.grads[0] == &j.g[0] {
		j.net = net
	}
	workPool.runLocked(j, parts)
	j.net = nil
}

func (j *optJob) run(part, parts int) {
	if j.net != nil {
		j.runLayers(part, parts)
		return
	}
	lo, hi := part*j.step, min(len(j.p), (part+1)*j.step)
	if part == parts-1 {
		hi = len(j.p)
	}
	if lo >= hi {
		return
	}
	if j.adam {
		adamTo(j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi], j.lr, j.b1, j.b2, j.c1, j.c2)
		return
	}
	sgdTo(j.p[lo:hi], j.g[lo:hi], j.lr)
}
