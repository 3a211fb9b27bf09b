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

// Config describes a dense net φ: R^In → R^Out,
//
//	φ(x) = W^D·a(⋯ a(W²·a(W¹x + b¹) + b²) ⋯) + b^D,
//
// with D = len(Hidden) + 1 weight matrices and a 1-Lipschitz activation a.
type Config struct {
	In        int        // input dimension d
	Hidden    []int      // hidden widths, e.g. {32, 32, 32}
	Out       int        // number of heads K ≥ 1 (one per class for conditional nets)
	Act       Activation // activation between layers
	Slope     float32    // LeakyReLU slope in (0, 1); 0 means DefaultSlope
	Lipschitz float64    // L > 0; math.Inf(1) means unconstrained
	Norm      Normalization
	// Seed seeds the He-normal init W ~ N(0, 2/fan_in) (zero biases) and the
	// power-iteration vectors, via math/rand/v2's PCG.
	Seed uint64
}

// check validates c and returns it with defaults filled in and Hidden copied.
func (c Config) check() (Config, error) {
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
	if c.Act > ELU {
		return c, fmt.Errorf("%w: unknown activation %v", ErrConfig, c.Act)
	}
	if c.Norm > None {
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
	c.Hidden = append([]int(nil), c.Hidden...)
	np, dims := 0, c.dims()
	for l, in := range dims[:len(dims)-1] {
		np += (in + 1) * dims[l+1]
		if np > maxParams {
			return c, fmt.Errorf("%w: more than %d parameters", ErrConfig, maxParams)
		}
	}
	return c, nil
}

// dims returns the layer widths In, Hidden…, Out.
func (c Config) dims() []int {
	d := make([]int, 0, len(c.Hidden)+2)
	d = append(d, c.In)
	d = append(d, c.Hidden...)
	return append(d, c.Out)
}

// unconstrained reports whether Normalize leaves the weights alone.
func (c Config) unconstrained() bool { return c.Norm == None || math.IsInf(c.Lipschitz, 1) }
