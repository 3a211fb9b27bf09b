package lipnet

import "math"

// act is an activation as the kernels see it. The zero act is the identity
// (the output layer, and the net's input seen from the first layer).
type act struct {
	on    bool
	kind  Activation
	slope float32   // LeakyReLU slope; 0 for ReLU
	mask  *sortMask // GroupSort: the pairs the last forward pass swapped
}

// fused reports whether the kernels apply act (and act′) in their epilogue.
func (a act) fused() bool { return a.on && (a.kind == ReLU || a.kind == LeakyReLU) }

// applyUnfused applies the activations that the kernels do not fuse
// (Softplus, ELU) to z in place: y = a(z).
func (a act) applyUnfused(z []float32) {
	if !a.on {
		return
	}
	switch a.kind {
	case Softplus:
		softplusTo(z)
	case ELU:
		eluTo(z)
	case GroupSort:
		a.mask.sortTo(z)
	}
}

// applyGrad multiplies g by the derivative a′(z), read from h = a(z).
func (a act) applyGrad(g, h []float32) {
	if !a.on {
		return
	}
	switch a.kind {
	case ReLU, LeakyReLU:
		leakyGrad(g, h, a.slope)
	case Softplus:
		softplusGrad(g, h)
	case ELU:
		eluGrad(g, h)
	case GroupSort:
		a.mask.gradTo(g)
	}
}

// layer is one stage of a Net: a parametrised map whose output goes through
// an activation. Dense and conv implement it. Buffers are row-major with
// explicit rows; in and out are the per-sample sizes.
type layer interface {
	// size returns the per-sample input and output lengths.
	size() (in, out int)
	// forwardTo writes y = a(z), z = layer(x), for rows samples.
	forwardTo(y, x []float32, rows int, a act)
	// backwardTo takes dz = ∂ℓ/∂z (rows×out) at the input x of the last
	// forward pass. If grads, it adds ∂ℓ/∂θ to the parameter gradients. If
	// dx != nil, it writes dx = ∂ℓ/∂(pre-activation of x) = (∂ℓ/∂x)⊙xa′,
	// where xa is the activation that produced x (zero for the net input).
	backwardTo(dx, dz, x []float32, rows int, xa act, grads bool)
	// normalize rescales the weights so that the layer's operator norm is
	// at most target, exactly target in the norm of kind (see Normalize).
	normalize(target float64, kind Normalization, s *scratch)
	// opNorm returns the norm that Spectral normalizes, in float64 (for
	// tests and reports): σ_max(W) of a dense layer, the block-circulant
	// bound of a convolution (conv_norm.go).
	opNorm() float64
}

// dense is the fully connected layer z = x·W + b, W in×out row-major (so a
// batch is X·W, rows×out), b of length out.
type dense struct {
	in, out int
	w, b    []float32 // views into Net.params, W then b
	gw, gb  []float32 // views into Net.grads
	u       []float32 // persistent power-iteration vector (length in), view into Net.power
	wt      []float32 // scratch out×in: Wᵀ for the kernels
	gwt     []float32 // scratch out×in: (∂ℓ/∂W)ᵀ when out is small
}

func newDense(in, out int, params, grads, power []float32) *dense {
	nw := in * out
	return &dense{
		in: in, out: out,
		w: params[:nw:nw], b: params[nw : nw+out : nw+out],
		gw: grads[:nw:nw], gb: grads[nw : nw+out : nw+out],
		u:  power[:in:in],
		wt: make([]float32, nw), gwt: make([]float32, nw),
	}
}

func (d *dense) size() (int, int) { return d.in, d.out }

// narrow reports whether a width is better served by dot products than by
// 8-wide vectors along it (gemmNT instead of gemm).
func narrow(n, other int) bool { return n < 8 && other >= 8 }

// transposeW writes Wᵀ (out×in) into d.wt.
func (d *dense) transposeW() { transpose32(d.wt, d.w, d.in, d.out) }

// forwardTo computes y = a(x·W + b).
func (d *dense) forwardTo(y, x []float32, rows int, a act) {
	in, out := d.in, d.out
	if narrow(out, in) {
		// Few outputs (e.g. the potential φ): one dot product per output.
		d.transposeW()
		gemmNT(rows, out, in, x, in, d.wt, in, y, out, modeBias, d.b)
		if a.fused() {
			leakyTo(y[:rows*out], a.slope)
		}
	} else {
		epi := epiNone
		if a.fused() {
			epi = epiLeaky
		}
		gemm(rows, out, in, x, in, 1, d.w, out, y, out, modeBias, d.b, epi, a.slope, nil)
	}
	a.applyUnfused(y[:rows*out])
}

// backwardTo back-propagates dz through z = x·W + b:
//
//	∂ℓ/∂W = xᵀ·dz        (term 1, accumulated)
//	∂ℓ/∂b = 1ᵀ·dz        (term 2, accumulated)
//	∂ℓ/∂x = dz·Wᵀ        (term 3, times the activation derivative of x)
func (d *dense) backwardTo(dx, dz, x []float32, rows int, xa act, grads bool) {
	in, out := d.in, d.out
	if grads {
		if narrow(out, in) {
			// term 1 transposed, (∂ℓ/∂W)ᵀ = dzᵀ·x (out×in), vectorises along in.
			gemm(out, in, rows, dz, 1, out, x, in, d.gwt, in, modeSet, nil, epiNone, 0, nil)
			for j := range out {
				row := d.gwt[j*in : j*in+in]
				for k, v := range row {
					d.gw[k*out+j] += v
				}
			}
		} else {
			gemm(in, out, rows, x, 1, in, dz, out, d.gw, out, modeAdd, nil, epiNone, 0, nil) // term 1
		}
		colSumAdd(d.gb, dz, rows, out, out) // term 2
	}
	if dx == nil {
		return
	}
	if narrow(in, out) {
		// Few inputs (e.g. d = 2): dx[i][k] = Σ_j dz[i][j]·W[k][j], rows of W as is.
		gemmNT(rows, in, out, dz, out, d.w, out, dx, in, modeSet, nil)
		if xa.fused() {
			leakyGrad(dx[:rows*in], x[:rows*in], xa.slope)
		}
	} else {
		d.transposeW()
		epi := epiNone
		if xa.fused() {
			epi = epiMask
		}
		gemm(rows, in, out, dz, out, 1, d.wt, in, dx, in, modeSet, nil, epi, xa.slope, x) // term 3
	}
	if xa.on && !xa.fused() {
		xa.applyGrad(dx[:rows*in], x)
	}
}

// leakyTo overwrites z with max(z, slope·z) (ReLU for slope 0).
func leakyTo(z []float32, slope float32) {
	for i, v := range z {
		z[i] = max(v, slope*v)
	}
}

// leakyGrad multiplies g by the leaky-ReLU derivative, 1 where h > 0 and
// slope elsewhere, read from h = leaky(z) (h > 0 ⇔ z > 0 for slope ≥ 0).
func leakyGrad(g, h []float32, slope float32) {
	h = h[:len(g)]
	s := math.Float32bits(slope)
	for i, hv := range h {
		// m = 1 if hv > 0 else slope, in integers so that it compiles to a
		// conditional move (the signs are random: a branch mispredicts,
		// 10× slower on the conv layers). hv > 0 ⇔ its bits b, unsigned,
		// lie in [1, 0x7f800000] (+Inf included; NaN, −0 and negatives
		// excluded) ⇔ b−1 < 0x7f800000 with wrap-around.
		b := math.Float32bits(hv)
		m := s
		if b-1 < 0x7f800000 {
			m = 0x3f800000 // 1.0
		}
		g[i] *= math.Float32frombits(m)
	}
}
