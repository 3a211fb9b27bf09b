package lipnet

import "unsafe"

// convGeom is the geometry of a k×k convolution with stride s and SAME zero
// padding on channels-last images: h×w×cin in, ho×wo×cout out.
type convGeom struct {
	h, w, cin    int
	ho, wo, cout int
	k, s         int
	padT, padL   int // zero rows above and columns left of the image
}

// convOut is the SAME output length ⌈n/s⌉.
func convOut(n, s int) int { return (n + s - 1) / s }

// newConvGeom returns the geometry of TensorFlow's padding="SAME": the
// output has ⌈h/s⌉ rows, and the max((ho−1)·s + k − h, 0) padding rows are
// split with the smaller half on top (likewise for columns). For MNIST
// (28×28) and 5×5 stride 2: 28 → 14 (pad 1, 2), 14 → 7 (1, 2), 7 → 4 (2, 2).
func newConvGeom(h, w, cin, cout, k, s int) convGeom {
	g := convGeom{h: h, w: w, cin: cin, cout: cout, k: k, s: s, ho: convOut(h, s), wo: convOut(w, s)}
	g.padT = max((g.ho-1)*s+k-h, 0) / 2
	g.padL = max((g.wo-1)*s+k-w, 0) / 2
	return g
}

func (g convGeom) inSize() int  { return g.h * g.w * g.cin }
func (g convGeom) outSize() int { return g.ho * g.wo * g.cout }

// patch is the length k·k·cin of one im2col row, the receptive field of
// one output pixel in the kernel's (row, column, channel) order.
func (g convGeom) patch() int { return g.k * g.k * g.cin }

// conv is the layer z = K ⊛ x (no bias): for output pixel (i, j), channel c,
//
//	z[i][j][c] = Σ_{p<k, q<k, e<cin} K[p][q][e][c] · x[i·s + p − padT][j·s + q − padL][e],
//
// with x = 0 outside the image. K is stored k×k×cin×cout row-major (HWIO),
// which read as a patch×cout matrix makes a batch one product:
// Z = cols(X)·K, with cols the im2col matrix (one row per output pixel).
type conv struct {
	g     convGeom
	w, gw []float32 // K and ∂ℓ/∂K, views into Net.params and Net.grads
	power []float32 // persistent vectors of the spectral bound (see conv_norm.go)
	cert  convCert  // geometry of the spectral bound
	kt    []float32 // scratch cout×patch: Kᵀ
	cols  []float32 // scratch: im2col of chunk samples, (chunk·ho·wo)×patch
	chunk int       // samples per im2col block

	// The implicit path (conv_implicit.go).
	im     *implicitGeom
	zero   []float32        // max(cin, cout) zeros: the padding
	ktap   []float32        // Kᵀ tap by tap, ktap[t][c][e] = K[t][e][c] (inputGradImplicit)
	kpack  []float32        // K, or Kᵀ tap by tap, in panels of 32 columns (packPanels)
	dzpack []float32        // a kernel-gradient pass of dZ in panels of 32 columns
	bufs   []*convBuf       // pointer tables per thread
	gind   []unsafe.Pointer // pointer table of a kernel-gradient pass
	job    convJob
	copy   copyJob

	// The fused path (conv_fused.go).
	fcols [][]float32 // im2col block per thread
	kpart []float32   // partial kernel gradients, one per group
	fjob  fusedJob
}

// colsBudget bounds the im2col block (floats, 2 MiB): forward and backward
// of a layer take the same time from 1 to 8 MiB, and 1.7× longer at
// 512 KiB on 128 → 128 channels (one sample per block), on AVX-512.
const colsBudget = 1 << 19

func newConv(g convGeom, params, grads, power []float32) *conv {
	nw := g.patch() * g.cout
	rowCols := g.ho * g.wo * g.patch()
	chunk := max(1, colsBudget/rowCols)
	np := convPowerLen(g)
	im := newImplicitGeom(g)
	var gind []unsafe.Pointer
	if im != nil {
		gind = make([]unsafe.Pointer, gradChunk*g.k*g.k)
	}
	return &conv{
		im: im, gind: gind, zero: make([]float32, max(g.cin, g.cout)), ktap: make([]float32, nw),
		kpack:  make([]float32, g.k*g.k*max(g.cin*((g.cout+31)/32*32), g.cout*((g.cin+31)/32*32))),
		dzpack: make([]float32, gradChunk*(g.cout+31)/32*32),
		g:      g,
		w:      params[:nw:nw], gw: grads[:nw:nw],
		power: power[:np:np],
		cert:  newConvCert(g),
		kt:    make([]float32, nw),
		cols:  make([]float32, chunk*rowCols),
		chunk: chunk,
	}
}

func (c *conv) size() (int, int) { return c.g.inSize(), c.g.outSize() }

// im2col writes the im2col rows of the first rows samples of x (rows·ho·wo
// rows of length patch, zeros for the padding) into c.cols, over the
// threads when it is large.
func (c *conv) im2col(x []float32, rows int) {
	if rows < 2 || rows*c.g.ho*c.g.wo*c.g.patch() < transposeParallelMin || Threads() == 1 {
		c.im2colRange(x, 0, rows)
		return
	}
	c.copy = copyJob{kind: copyIm2col, src: x, rows: rows, c: c}
	c.copy.start(rows, 1)
	c.copy = copyJob{}
}

// im2colRange is im2col for the samples n0 … n1−1.
func (c *conv) im2colRange(x []float32, n0, n1 int) {
	g := c.g
	in, pl := g.inSize(), g.patch()
	cols := c.cols[:n1*g.ho*g.wo*pl]
	r := n0 * g.ho * g.wo
	for n := n0; n < n1; n++ {
		xn := x[n*in : n*in+in]
		for i := range g.ho {
			for j := range g.wo {
				g.patchRow(cols[r*pl:r*pl+pl], xn, i, j)
				r++
			}
		}
	}
}

// patchRow writes the im2col row of output pixel (i, j) of the sample xn:
// its k×k×cin input patch, zeros where the patch leaves the image (SAME
// padding).
func (g convGeom) patchRow(row, xn []float32, i, j int) {
	rl := g.k * g.cin
	q0, q1, c0 := g.window(j)
	for p := range g.k {
		seg := row[p*rl : p*rl+rl]
		y := i*g.s + p - g.padT
		if y < 0 || y >= g.h {
			clear(seg)
			continue
		}
		clear(seg[:q0*g.cin])
		copy(seg[q0*g.cin:q1*g.cin], xn[(y*g.w+c0)*g.cin:])
		clear(seg[q1*g.cin:])
	}
}

// col2im adds the im2col rows in c.cols back onto their pixels: dx (rows
// samples, zeroed first) = colsᵀ scattered, the adjoint of im2col; over
// the threads when it is large.
func (c *conv) col2im(dx []float32, rows int) {
	if rows < 2 || rows*c.g.ho*c.g.wo*c.g.patch() < transposeParallelMin || Threads() == 1 {
		c.col2imRange(dx, 0, rows)
		return
	}
	c.copy = copyJob{kind: copyCol2im, dst: dx, rows: rows, c: c}
	c.copy.start(rows, 1)
	c.copy = copyJob{}
}

// col2imRange is col2im for the samples n0 … n1−1.
func (c *conv) col2imRange(dx []float32, n0, n1 int) {
	g := c.g
	in, pl, rl := g.inSize(), g.patch(), g.k*g.cin
	clear(dx[n0*in : n1*in])
	r := n0 * g.ho * g.wo
	for n := n0; n < n1; n++ {
		dn := dx[n*in : n*in+in]
		for i := range g.ho {
			for j := range g.wo {
				row := c.cols[r*pl : r*pl+pl]
				r++
				q0, q1, c0 := g.window(j)
				for p := range g.k {
					y := i*g.s + p - g.padT
					if y < 0 || y >= g.h {
						continue
					}
					src := row[p*rl+q0*g.cin : p*rl+q1*g.cin]
					dst := dn[(y*g.w+c0)*g.cin:]
					dst = dst[:len(src)]
					for e, v := range src {
						dst[e] += v
					}
				}
			}
		}
	}
}

// window returns the kernel columns q0 ≤ q < q1 that land inside the image
// for output column j, and the image column c0 of q0.
func (g convGeom) window(j int) (q0, q1, c0 int) {
	x0 := j*g.s - g.padL
	q0, q1 = max(0, -x0), min(g.k, g.w-x0)
	return q0, q1, x0 + q0
}

// forwardTo computes y = a(K ⊛ x) by blocks of samples, Y = cols(X)·K.
func (c *conv) forwardTo(y, x []float32, rows int, a act) {
	in, out, pl, np := c.g.inSize(), c.g.outSize(), c.g.patch(), c.g.ho*c.g.wo
	epi := epiNone
	if a.fused() {
		epi = epiLeaky
	}
	if c.implicit() {
		c.forwardImplicit(y, x, rows, epi, a.slope)
		a.applyUnfused(y[:rows*out])
		return
	}
	if c.fused() {
		c.forwardFused(y, x, rows, epi, a.slope)
		a.applyUnfused(y[:rows*out])
		return
	}
	for r0 := 0; r0 < rows; r0 += c.chunk {
		nr := min(c.chunk, rows-r0)
		c.im2col(x[r0*in:], nr)
		gemm(nr*np, c.g.cout, pl, c.cols, pl, 1, c.w, c.g.cout, y[r0*out:], c.g.cout, modeSet, nil, epi, a.slope, nil)
	}
	a.applyUnfused(y[:rows*out])
}

// backwardTo back-propagates dz through Z = cols(X)·K:
//
//	∂ℓ/∂K = cols(X)ᵀ·dZ            (term 1, accumulated; im2col recomputed)
//	∂ℓ/∂X = col2im(dZ·Kᵀ)          (term 2, times the activation derivative of x)
func (c *conv) backwardTo(dx, dz, x []float32, rows int, xa act, grads bool) {
	in, out, pl, np := c.g.inSize(), c.g.outSize(), c.g.patch(), c.g.ho*c.g.wo
	if c.implicit() {
		if grads {
			c.gradImplicit(dz, x, rows) // term 1
		}
		if dx != nil {
			c.inputGradImplicit(dx[:rows*in], dz, x, rows, xa) // term 2, derivative of x fused
			if xa.on && !xa.fused() {
				xa.applyGrad(dx[:rows*in], x[:rows*in])
			}
		}
		return
	}
	if grads && c.fused() {
		c.gradFused(dz, x, rows) // term 1
		grads = false
	}
	if dx != nil {
		transpose32(c.kt, c.w, pl, c.g.cout)
	}
	for r0 := 0; r0 < rows; r0 += c.chunk {
		nr := min(c.chunk, rows-r0)
		dzc := dz[r0*out : (r0+nr)*out]
		if grads {
			c.im2col(x[r0*in:], nr)
			gemm(pl, c.g.cout, nr*np, c.cols, 1, pl, dzc, c.g.cout, c.gw, c.g.cout, modeAdd, nil, epiNone, 0, nil) // term 1
		}
		if dx != nil {
			gemm(nr*np, pl, c.g.cout, dzc, c.g.cout, 1, c.kt, pl, c.cols, pl, modeSet, nil, epiNone, 0, nil) // term 2
			c.col2im(dx[r0*in:], nr)
		}
	}
	if dx != nil {
		xa.applyGrad(dx[:rows*in], x[:rows*in])
	}
}
