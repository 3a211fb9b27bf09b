package lipnet

import (
	"errors"
	"fmt"
	"math"
)

// ErrConfig is wrapped by every error that New returns for an invalid Config.
var ErrConfig = errors.New("lipnet: invalid config")

// maxDim bounds every layer width, and maxParams the parameter count, so
// that all index arithmetic fits in an int on 32-bit platforms too.
const (
	maxDim    = 1 << 24
	maxParams = 1 << 30
)

// DefaultSlope is the LeakyReLU slope used when Config.Slope is 0 (the
// paper's MNIST discriminator, Table 4: LeakyReLU 0.2).
const DefaultSlope = 0.2

// Config describes a net φ: R^In → R^Out. Without Conv it is the dense net
//
//	φ(x) = W^D·a(⋯ a(W²·a(W¹x + b¹) + b²) ⋯) + b^D,
//
// with D = len(Hidden) + 1 weight matrices and a 1-Lipschitz activation a.
// With Conv it is the CNN of the paper's Table 4a: len(Conv) convolutions
// (5×5 kernels, stride 2, SAME zero padding, no bias, each followed by
// LeakyReLU(Slope)) on the image x of shape InShape, flattened, then the
// dense net above on the flattened features; D = len(Conv) + len(Hidden) + 1
// weight tensors.
type Config struct {
	In        int        // input dimension d (= H·W·C with Conv; 0 takes it from InShape)
	Hidden    []int      // hidden widths of the dense part, e.g. {32, 32, 32}
	Out       int        // number of heads K ≥ 1 (one per class for conditional nets)
	Act       Activation // activation between the dense layers
	Slope     float32    // LeakyReLU slope in (0, 1), also after every convolution; 0 means DefaultSlope
	Lipschitz float64    // L > 0; math.Inf(1) means unconstrained
	Norm      Normalization
	// Seed seeds the He-normal init W ~ N(0, 2/fan_in) (zero biases) and the
	// power-iteration vectors, via math/rand/v2's PCG.
	Seed uint64
	// InShape is the input image's shape (H, W, C), channels last: a row
	// of x is pixel (i, j), channel c at x[(i·W + j)·C + c]. Only used, and
	// then required, with Conv.
	InShape [3]int
	// Conv lists the output channels of the convolution layers, e.g.
	// {128, 128, 128} (Table 4a); empty means a dense net.
	Conv []int
}

// The convolutions of Table 4a: 5×5 kernels, 2×2 stride, SAME padding.
const (
	convKernel = 5
	convStride = 2
)

// check validates c and returns it with defaults filled in, In taken from
// InShape when 0 (with Conv), and Hidden and Conv copied.
func (c Config) check() (Config, error) {
	if len(c.Conv) > 0 {
		if err := c.checkConv(); err != nil {
			return c, err
		}
		if c.In == 0 {
			c.In = c.InShape[0] * c.InShape[1] * c.InShape[2]
		}
	}
	if c.In < 1 || c.In > maxDim {
		return c, fmt.Errorf("%w: In = %d, want 1 … %d", ErrConfig, c.In, maxDim)
	}
	if c.Out < 1 || c.Out > maxDim {
		return c, fmt.Errorf("%w: Out = %d, want 1 … %d", ErrConfig, c.Out, maxDim)
	}
	for i, h := range c.Hidden {
		if h < 1 || h > maxDim {
			return c, fmt.Errorf("%w: Hidden[%d] = %d, want 1 … %d", ErrConfig, i, h, maxDim)
		}
	}
	if err := c.checkGroupSort(); err != nil {
		return c, err
	}
	if c.Act > GroupSort {
		return c, fmt.Errorf("%w: unknown activation %v", ErrConfig, c.Act)
	}
	if err := c.checkBjorck(); err != nil {
		return c, err
	}
	if c.Norm > Bjorck {
		return c, fmt.Errorf("%w: unknown normalization %v", ErrConfig, c.Norm)
	}
	if c.Slope == 0 {
		c.Slope = DefaultSlope
	}
	if !(c.Slope > 0 && c.Slope < 1) {
		return c, fmt.Errorf("%w: Slope = %v, want 0 < slope < 1 (or 0 for %v)", ErrConfig, c.Slope, DefaultSlope)
	}
	if !(c.Lipschitz > 0) {
		return c, fmt.Errorf("%w: Lipschitz = %v, want > 0 (math.Inf(1) for unconstrained)", ErrConfig, c.Lipschitz)
	}
	if len(c.Conv) > 0 && c.In != c.InShape[0]*c.InShape[1]*c.InShape[2] {
		return c, fmt.Errorf("%w: In = %d, but InShape %v has %d values", ErrConfig, c.In, c.InShape,
			c.InShape[0]*c.InShape[1]*c.InShape[2])
	}
	c.Hidden = append([]int(nil), c.Hidden...)
	c.Conv = append([]int(nil), c.Conv...)
	np := 0
	for _, g := range c.convGeoms() {
		np += g.k * g.k * g.cin * g.cout
	}
	dims := c.dims()
	for l, in := range dims[:len(dims)-1] {
		np += (in + 1) * dims[l+1]
		if np > maxParams {
			return c, fmt.Errorf("%w: more than %d parameters", ErrConfig, maxParams)
		}
	}
	return c, nil
}

// checkConv validates InShape and Conv.
func (c Config) checkConv() error {
	n := 1
	for i, v := range c.InShape {
		if v < 1 || v > maxDim {
			return fmt.Errorf("%w: InShape[%d] = %d, want 1 … %d", ErrConfig, i, v, maxDim)
		}
		if n *= v; n > maxDim {
			return fmt.Errorf("%w: InShape %v has more than %d values", ErrConfig, c.InShape, maxDim)
		}
	}
	h, w := c.InShape[0], c.InShape[1]
	for i, ch := range c.Conv {
		if ch < 1 || ch > maxDim {
			return fmt.Errorf("%w: Conv[%d] = %d, want 1 … %d", ErrConfig, i, ch, maxDim)
		}
		h, w = convOut(h, convStride), convOut(w, convStride)
		if h*w > maxDim/ch {
			return fmt.Errorf("%w: conv layer %d has more than %d outputs", ErrConfig, i+1, maxDim)
		}
	}
	return nil
}

// convGeoms returns the geometry of the convolution layers (none for a
// dense net); c must have passed checkConv.
func (c Config) convGeoms() []convGeom {
	g := make([]convGeom, len(c.Conv))
	h, w, ch := c.InShape[0], c.InShape[1], c.InShape[2]
	for i, out := range c.Conv {
		g[i] = newConvGeom(h, w, ch, out, convKernel, convStride)
		h, w, ch = g[i].ho, g[i].wo, out
	}
	return g
}

// dims returns the widths of the dense layers: their input (In, or the
// flattened output of the last convolution), Hidden…, Out.
func (c Config) dims() []int {
	d := make([]int, 0, len(c.Hidden)+2)
	in := c.In
	if g := c.convGeoms(); len(g) > 0 {
		in = g[len(g)-1].outSize()
	}
	d = append(d, in)
	d = append(d, c.Hidden...)
	return append(d, c.Out)
}

// unconstrained reports whether Normalize leaves the weights alone.
func (c Config) unconstrained() bool { return c.Norm == None || math.IsInf(c.Lipschitz, 1) }
