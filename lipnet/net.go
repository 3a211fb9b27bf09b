package lipnet

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// pcgStream is the second PCG seed word, fixed so that Config.Seed alone
// determines the initial parameters.
const pcgStream = 0x6c69706e6574 // "lipnet"

// Net is a Lipschitz net φ: R^In → R^Out in float32, dense or convolutional
// (Config). Its parameters live in one flat slice (Params), laid out layer
// by layer: first the convolution kernels K¹, K², … (each 5×5×C_in×C_out,
// row-major, no bias), then the dense layers W (in×H₁, row-major), b (H₁),
// W, b, …; Grads has the same layout.
//
// A Net is not safe for concurrent use. Forward, Backward, InputGradTo,
// ZeroGrad and Normalize allocate nothing once Reserve has sized the
// buffers for the batch.
type Net struct {
	cfg     Config
	acts    []act // acts[l]: activation after layer l (zero for the last)
	layers  []layer
	params  []float32
	grads   []float32
	power   []float32
	scratch *scratch // scratches[0]: Normalize's work space on the calling thread

	scratches []*scratch // one per part of a parallel Normalize (pool.go)
	order     []int      // layers by decreasing certificate cost (certCost)
	norm      normJob
	zero      zeroJob
	// parallelCert: the layers' certificates are worth splitting
	// (normParallelMin).
	parallelCert bool

	cap  int         // rows the buffers hold
	h    [][]float32 // h[l]: output of layer l (rows×out_l), after its activation
	g    [][]float32 // g[l]: ∂ℓ/∂z_l for l < D−1 (the last one is dout)
	x    []float32   // input of the last Forward
	rows int         // rows of the last Forward, −1 before the first
}

// New returns a net with He-normal weights W ~ N(0, 2/fan_in) (fan_in =
// 5·5·C_in for a kernel) and zero biases drawn from Config.Seed,
// power-iteration vectors warmed up by 50 iterations, and then normalized
// (Algorithm 1, line 4). The error wraps ErrConfig when cfg is invalid.
func New(cfg Config) (*Net, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	geoms, dims := cfg.convGeoms(), cfg.dims()
	nc, D := len(geoms), len(geoms)+len(dims)-1
	var np, npow int
	for _, g := range geoms {
		np += g.patch() * g.cout
		npow += convPowerLen(g)
	}
	for l := range len(dims) - 1 {
		np += (dims[l] + 1) * dims[l+1]
		npow += dims[l]
	}
	n := &Net{
		cfg:     cfg,
		acts:    make([]act, D),
		layers:  make([]layer, D),
		params:  make([]float32, np),
		grads:   make([]float32, np),
		power:   make([]float32, npow),
		scratch: newScratch(dims, geoms),
		h:       make([][]float32, D),
		g:       make([][]float32, D),
		rows:    -1,
	}
	for l := range D - 1 {
		switch {
		case l < nc: // Table 4a: LeakyReLU after every convolution
			n.acts[l] = act{on: true, kind: LeakyReLU, slope: cfg.Slope}
		case cfg.Act == LeakyReLU:
			n.acts[l] = act{on: true, kind: LeakyReLU, slope: cfg.Slope}
		default:
			n.acts[l] = act{on: true, kind: cfg.Act}
		}
	}
	n.initGroupSort()
	rng := rand.New(rand.NewPCG(cfg.Seed, pcgStream))
	var off, poff int
	for l, g := range geoms {
		c := newConv(g, n.params[off:], n.grads[off:], n.power[poff:])
		std := math.Sqrt(2 / float64(g.patch())) // He et al. (2015), fan_in = k·k·C_in
		for i := range c.w {
			c.w[i] = float32(std * rng.NormFloat64())
		}
		n.layers[l] = c
		off += len(c.w)
		poff += len(c.power)
	}
	dl := make([]*dense, 0, len(dims)-1)
	for l := range len(dims) - 1 {
		in, out := dims[l], dims[l+1]
		d := newDense(in, out, n.params[off:], n.grads[off:], n.power[poff:])
		std := math.Sqrt(2 / float64(in)) // He et al. (2015), as the authors' code
		for i := range d.w {
			d.w[i] = float32(std * rng.NormFloat64())
		}
		n.layers[nc+l] = d
		dl = append(dl, d)
		off += (in + 1) * out
		poff += in
	}
	for _, l := range n.layers[:nc] {
		l.(*conv).warmup(n.scratch, rng)
	}
	for _, d := range dl {
		for i := range d.u {
			d.u[i] = float32(rng.NormFloat64())
		}
		for range warmupIters {
			d.powerStep(n.scratch)
		}
	}
	n.scratches = []*scratch{n.scratch}
	n.order = make([]int, D)
	for l := range n.order {
		n.order[l] = l
	}
	slices.SortStableFunc(n.order, func(a, b int) int {
		return cmp.Compare(certCost(n.layers[b]), certCost(n.layers[a]))
	})
	var rest float64
	for _, l := range n.order[1:] {
		rest += certCost(n.layers[l])
	}
	n.parallelCert = rest >= normParallelMin
	// The work spaces of the threads set now, so that the first steps
	// allocate nothing either (a later SetThreads(more) grows them once).
	for p := 1; n.parallelCert && p < Threads(); p++ {
		n.scratches = append(n.scratches, newScratch(dims, geoms))
	}
	for _, l := range n.layers[:nc] {
		if c := l.(*conv); c.im != nil {
			c.buf(Threads() - 1)
		}
	}
	n.Normalize()
	return n, nil
}

// Config returns the configuration, with defaults filled in and the current
// Lipschitz constant.
func (n *Net) Config() Config {
	c := n.cfg
	c.Hidden = append([]int(nil), c.Hidden...)
	c.Conv = append([]int(nil), c.Conv...)
	return c
}

// Depth returns D, the number of weight tensors (kernels and matrices).
func (n *Net) Depth() int { return len(n.layers) }

// Params returns the flat parameter slice (see Net); the layers are views
// into it, so writing it (an optimizer step, a snapshot) changes the net.
func (n *Net) Params() []float32 { return n.params }

// Grads returns the flat gradient slice, laid out as Params.
func (n *Net) Grads() []float32 { return n.grads }

// PowerVectors returns the persistent power-iteration vectors of the layers,
// concatenated: for a dense layer u^l (length of its input), for a
// convolution the dominant frequency and its vector (conv_norm.go).
// Snapshots save it and restore it by copy.
func (n *Net) PowerVectors() []float32 { return n.power }

// ZeroGrad sets the gradients to zero.
func (n *Net) ZeroGrad() {
	if len(n.grads) >= zeroParallelMin && Threads() > 1 {
		if parts := workPool.acquire(Threads()); parts > 1 {
			n.zero.n = n
			workPool.runLocked(&n.zero, parts)
			n.zero.n = nil
			return
		}
	}
	clear(n.grads)
}

// zeroParallelMin is the least number of gradients that ZeroGrad clears
// over the threads.
const zeroParallelMin = 1 << 16

// denseGradRows returns the part of d.gw whose rows part accumulates in a
// Backward of rows rows split into parts (pool.go: owned, rowChunks).
func denseGradRows(d *dense, rows, part, parts int) (lo, hi int) {
	in, out := d.in, d.out
	if narrow(out, in) || !splitsRows(in, out, max(rows, 1)) {
		if part == 0 {
			return 0, len(d.gw)
		}
		return 0, 0
	}
	step, chunks := rowChunks(in, parts)
	a, b := ownedRun(part, parts, chunks)
	if part == parts-1 {
		b = chunks
	}
	return min(in, a*step) * out, min(in, b*step) * out
}

// zeroJob is a parallel ZeroGrad. Each part clears the rows of ∂ℓ/∂W that
// it will accumulate in the next Backward (the rows of the product that
// it owns, pool.go), so that they are in its cache, written, when the
// product adds to them; the biases and the products that are not split by
// rows are cleared by part 0, which computes them, and the kernel
// gradients of convolutions are split evenly. The layers' views cover
// Net.grads.
type zeroJob struct{ n *Net }

func (j *zeroJob) run(part, parts int) {
	n := j.n
	for _, ly := range n.layers {
		switch ly := ly.(type) {
		case *dense:
			if part == 0 {
				clear(ly.gb)
			}
			lo, hi := denseGradRows(ly, n.rows, part, parts)
			clear(ly.gw[lo:hi])
		case *conv:
			g := ly.gw
			lo, hi := part*len(g)/parts&^15, (part+1)*len(g)/parts&^15
			if part == parts-1 {
				hi = len(g)
			}
			clear(g[lo:hi])
		}
	}
}

// Reserve sizes the internal buffers for batches of up to rows rows, so that
// later calls allocate nothing. Forward grows them itself when needed.
func (n *Net) Reserve(rows int) {
	if rows <= n.cap {
		return
	}
	for l, ly := range n.layers {
		_, out := ly.size()
		h := make([]float32, rows*out)
		copy(h, n.h[l])
		n.h[l] = h
		if l < len(n.layers)-1 {
			n.g[l] = make([]float32, rows*out)
		}
	}
	n.cap = rows
}

// Forward evaluates φ on x (rows×In, row-major) and returns φ(x) (rows×Out),
// an internal buffer valid until the next Forward. It keeps what Backward
// needs, including x itself: x must not change before Backward.
func (n *Net) Forward(x []float32, rows int) []float32 {
	if rows < 0 || len(x) < rows*n.cfg.In {
		panic("lipnet: Net.Forward: len(x) < rows·In")
	}
	n.Reserve(rows)
	n.x = x[:rows*n.cfg.In]
	n.rows = rows
	in := n.x
	for l, ly := range n.layers {
		_, out := ly.size()
		y := n.h[l][:rows*out]
		ly.forwardTo(y, in, rows, n.acts[l])
		in = y
	}
	return in
}

// Backward back-propagates dout = ∂ℓ/∂φ (rows×Out) through the last Forward.
// It adds ∂ℓ/∂θ to Grads (ZeroGrad resets them) and, if dx != nil, writes
// ∂ℓ/∂x (rows×In) into dx.
func (n *Net) Backward(dout, dx []float32) { n.backward(dout, dx, true, "lipnet: Net.Backward: ") }

// InputGradTo writes ∂ℓ/∂x (rows×In) into dx for dout = ∂ℓ/∂φ (rows×Out),
// back-propagated through the last Forward, leaving Grads untouched. With
// dout = 1 on a row, dx is ∇ₓφ there: the particle velocity of eq. (11).
func (n *Net) InputGradTo(dx, dout []float32) {
	if dx == nil {
		panic("lipnet: Net.InputGradTo: nil dx")
	}
	n.backward(dout, dx, false, "lipnet: Net.InputGradTo: ")
}

func (n *Net) backward(dout, dx []float32, grads bool, who string) {
	rows := n.rows
	if rows < 0 {
		panic(who + "no Forward before")
	}
	if len(dout) < rows*n.cfg.Out {
		panic(who + "len(dout) < rows·Out")
	}
	if dx != nil && len(dx) < rows*n.cfg.In {
		panic(who + "len(dx) < rows·In")
	}
	dz := dout[:rows*n.cfg.Out]
	if grads && lastBackward.Load() != n {
		lastBackward.Store(n)
	}
	for l := len(n.layers) - 1; l >= 0; l-- {
		ly := n.layers[l]
		in, _ := ly.size()
		x, xa := n.x, act{}
		var dxl []float32
		if l > 0 {
			x, xa = n.h[l-1][:rows*in], n.acts[l-1]
			dxl = n.g[l-1][:rows*in]
		} else if dx != nil {
			dxl = dx[:rows*in]
		}
		ly.backwardTo(dxl, dz, x, rows, xa, grads)
		dz = dxl
	}
}
