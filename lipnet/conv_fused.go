package lipnet

// Fused im2col products for convolutions with a short patch (MNIST's first
// layer: 5×5 taps of one channel, patch 25).
//
// The im2col matrix of such a layer is small per output pixel, but its
// output is wide (128 channels): the forward writes, and the kernel
// gradient reads, about 80 MB of activations per pass on Table 4a's 800
// rows. Through c.cols (im2col of ≈ 100 samples, then one product over
// the threads) the kernel gradient read dZ from memory once per 8-row tile
// of ∂ℓ/∂K, and each thread read the im2col rows the other had written.
// Here each thread builds the im2col rows of a block of fusedBlock output
// pixels in its own scratch (in L1) and multiplies them at once:
//
//	forward:  Y[block] = a(cols(X)[block]·K)   (units: blocks; each row the
//	          same FMA chain over the patch as the product over c.cols)
//	gradient: P_g = Σ_{blocks b of group g} cols(X)[b]ᵀ·dZ[b]   (units: groups
//	          of kgradGroup blocks, each from zero, blocks in order), then
//	          ∂ℓ/∂K += P_0 + P_1 + … in the order of g.
//
// The groups are a fixed partition of the output pixels and the partial
// sums are added in a fixed order, so ∂ℓ/∂K has the same bits for any
// number of threads (TestThreadsBitIdentical); dZ is read from memory once.

// fusedMaxPatch is the longest patch that takes the fused path.
const fusedMaxPatch = 64

// fusedBlock is the number of output pixels per block (cols block
// 256·25·4 = 25 KiB, dZ block 128 KiB on 128 channels).
const fusedBlock = 256

// kgradGroup is the number of blocks per group of the kernel gradient.
const kgradGroup = 16

// fused reports whether c takes the fused path.
func (c *conv) fused() bool { return !c.implicit() && c.g.patch() <= fusedMaxPatch }

// Kinds of fusedJob.
const (
	fusedFwd = iota
	fusedGrad
)

// fusedJob is a fused product over the pool.
type fusedJob struct {
	c        *conv
	kind     int
	x, y, dz []float32
	total    int // output pixels
	units    int
	epi      int
	slope    float32
	own      owned
}

// fscratch returns part's im2col block, made on first use.
func (c *conv) fscratch(part int) []float32 {
	for len(c.fcols) <= part {
		c.fcols = append(c.fcols, make([]float32, fusedBlock*c.g.patch()))
	}
	return c.fcols[part]
}

func (j *fusedJob) run(part, parts int) {
	c := j.c
	cols := c.fscratch(part)
	pl, n := c.g.patch(), c.g.cout
	for u := range j.own.claims(part, parts, j.units) {
		switch j.kind {
		case fusedFwd:
			lo := u * fusedBlock
			hi := min(lo+fusedBlock, j.total)
			c.im2colPixels(cols, j.x, lo, hi)
			gemmSerial(hi-lo, n, pl, cols, pl, 1, c.w, n, j.y[lo*n:], n, modeSet, nil, j.epi, j.slope, nil)
		case fusedGrad:
			p := c.kpart[u*pl*n : (u+1)*pl*n]
			clear(p)
			end := min((u+1)*kgradGroup*fusedBlock, j.total)
			for lo := u * kgradGroup * fusedBlock; lo < end; lo += fusedBlock {
				hi := min(lo+fusedBlock, end)
				c.im2colPixels(cols, j.x, lo, hi)
				gemmSerial(pl, n, hi-lo, cols, 1, pl, j.dz[lo*n:], n, p, n, modeAdd, nil, epiNone, 0, nil)
			}
		}
	}
}

// start runs j over the pool (the scratch of every part exists first).
func (j *fusedJob) start(flops float64) {
	want := splitFor(flops)
	for p := range want {
		j.c.fscratch(p)
	}
	workPool.run(j, want)
}

// forwardFused computes y = a(K ⊛ x) for rows samples (epi: the fused
// activation).
func (c *conv) forwardFused(y, x []float32, rows, epi int, slope float32) {
	total := rows * c.g.ho * c.g.wo
	if len(x) < rows*c.g.inSize() || len(y) < total*c.g.cout {
		panic("lipnet: conv: bad dimensions")
	}
	c.fjob = fusedJob{c: c, kind: fusedFwd, x: x, y: y, total: total, units: (total + fusedBlock - 1) / fusedBlock,
		epi: epi, slope: slope}
	c.fjob.start(2 * float64(total*c.g.patch()*c.g.cout))
	c.fjob = fusedJob{}
}

// gradFused adds ∂ℓ/∂K = cols(X)ᵀ·dZ to c.gw for rows samples.
func (c *conv) gradFused(dz, x []float32, rows int) {
	total := rows * c.g.ho * c.g.wo
	if len(x) < rows*c.g.inSize() || len(dz) < total*c.g.cout {
		panic("lipnet: conv: bad dimensions")
	}
	nw := c.g.patch() * c.g.cout
	groups := (total + kgradGroup*fusedBlock - 1) / (kgradGroup * fusedBlock)
	if len(c.kpart) < groups*nw {
		c.kpart = make([]float32, groups*nw)
	}
	c.fjob = fusedJob{c: c, kind: fusedGrad, x: x, dz: dz, total: total, units: groups}
	c.fjob.start(2 * float64(total*nw))
	c.fjob = fusedJob{}
	gw := c.gw[:nw]
	for g := range groups {
		for i, v := range c.kpart[g*nw : g*nw+nw] {
			gw[i] += v
		}
	}
}

// im2colPixels writes the im2col rows of output pixels lo … hi−1 of the
// batch (pixel R is output o = R mod ho·wo of sample R / ho·wo) into
// cols, one row of patch floats each.
func (c *conv) im2colPixels(cols, x []float32, lo, hi int) {
	g := c.g
	in, pl, np := g.inSize(), g.patch(), g.ho*g.wo
	cols = cols[:(hi-lo)*pl]
	for R := lo; R < hi; R++ {
		smp, o := R/np, R%np
		g.patchRow(cols[(R-lo)*pl:(R-lo)*pl+pl], x[smp*in:smp*in+in], o/g.wo, o%g.wo)
	}
}
