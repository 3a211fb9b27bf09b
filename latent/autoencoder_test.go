package latent

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// close32 reports whether got is within abs + rel·|want| of want.
func close32(got, want, abs, rel float64) bool {
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

// newRand returns a deterministic generator for a test.
func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x5eed)) }

// unitSlice returns n uniform float32s in [0, 1), like pixels.
func unitSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rng.Float32()
	}
	return s
}

// blobs returns rows synthetic "images" of d pixels in [0,1] that lie near
// a 2-D manifold: pixel j is the sigmoid of a·cos(θ_j) + b·sin(θ_j) for
// random (a, b); a small autoencoder learns them quickly.
func blobs(rng *rand.Rand, rows, d int) []float32 {
	x := make([]float32, rows*d)
	for i := range rows {
		a, b := 3*rng.NormFloat64(), 3*rng.NormFloat64()
		for j := range d {
			th := 2 * math.Pi * float64(j) / float64(d)
			x[i*d+j] = float32(1 / (1 + math.Exp(-(a*math.Cos(th) + b*math.Sin(th)))))
		}
	}
	return x
}

// naiveBCE is −x log p − (1−x) log(1−p), p = σ(l), in float64: the
// definition, which loses all digits of log(1−p) once p rounds to 1.
func naiveBCE(l, x float64) float64 {
	p := 1 / (1 + math.Exp(-l))
	return -x*math.Log(p) - (1-x)*math.Log(1-p)
}

// refBCE is the same in the stable form softplus(l) − x·l with the
// standard library's Log1p (bceHead sums the logarithms differently).
func refBCE(l, x float64) float64 {
	return max(l, 0) - x*l + math.Log1p(math.Exp(-math.Abs(l)))
}

// TestRefBCE: the stable reference agrees with the definition where the
// definition is accurate.
func TestRefBCE(t *testing.T) {
	for _, l := range []float64{-5, -1, -1e-3, 0, 0.5, 3, 5} {
		for _, x := range []float64{0, 0.3, 1} {
			// naiveBCE's 1−p cancels ~e⁵ ulps at |l| = 5: 1e-13 relative.
			if a, b := refBCE(l, x), naiveBCE(l, x); !close32(a, b, 1e-14, 1e-12) {
				t.Errorf("refBCE(%g, %g) = %.16g, naive %.16g", l, x, a, b)
			}
		}
	}
}

func TestBCEHead(t *testing.T) {
	rng := newRand(1)
	tests := []struct {
		name  string
		n     int
		scale float32
		big   float64 // logit spread
	}{
		{"small", 7, 1, 3},
		{"mean", 50, 1.0 / 50, 3},
		{"large-logits", 30, 1, 30},                 // saturated sigmoid: stable form needed
		{"several-log-blocks", 2000, 1.0 / 2000, 4}, // crosses the 512-pixel product blocks
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := make([]float32, tt.n)
			for i := range l {
				l[i] = float32(tt.big * rng.NormFloat64())
			}
			x := unitSlice(rng, tt.n)
			x[0], x[tt.n-1] = 0, 1 // the ends of [0,1]
			dl := make([]float32, tt.n)
			got := bceHead(dl, l, x, tt.scale)
			var want float64
			for i := range l {
				want += refBCE(float64(l[i]), float64(x[i]))
			}
			want *= float64(tt.scale)
			// float64 sums of O(1) terms; the product of the q = 1+e^{−|l|}
			// rounds once per pixel: 1e-12 relative is ~10⁴·n ulps.
			if !close32(got, want, 1e-14, 1e-12) {
				t.Errorf("ℓ = %.15g, want %.15g", got, want)
			}
			// ∂ℓ/∂lᵢ against float64 central differences of refBCE.
			const h = 1e-5 // error O(h²) + O(1e-16/h)
			for i := range l {
				li, xi := float64(l[i]), float64(x[i])
				fd := float64(tt.scale) * (refBCE(li+h, xi) - refBCE(li-h, xi)) / (2 * h)
				// dl is stored in float32: 1e-6 relative; the difference
				// quotient loses ~1e-10 absolute.
				if !close32(float64(dl[i]), fd, 1e-9, 1e-6) {
					t.Errorf("∂ℓ/∂l[%d] = %g, want %g (l = %g, x = %g)", i, dl[i], fd, li, xi)
				}
			}
		})
	}
}

// ref64 is a float64 copy of a lipnet dense ReLU net (layout of
// lipnet.Net.Params: W row-major in×out, then b, per layer).
type ref64 struct {
	dims []int
	p    []float64
}

func newRef64(p []float32, dims []int) *ref64 {
	r := &ref64{dims: dims, p: make([]float64, len(p))}
	for i, v := range p {
		r.p[i] = float64(v)
	}
	return r
}

func (r *ref64) forward(x []float64) []float64 {
	h := x
	off := 0
	for l := range len(r.dims) - 1 {
		in, out := r.dims[l], r.dims[l+1]
		w, b := r.p[off:off+in*out], r.p[off+in*out:off+in*out+out]
		z := make([]float64, out)
		for j := range out {
			s := b[j]
			for k := range in {
				s += h[k] * w[k*out+j]
			}
			if l < len(r.dims)-2 {
				s = max(s, 0)
			}
			z[j] = s
		}
		off += (in + 1) * out
		h = z
	}
	return h
}

// aeLoss64 is the mean BCE per pixel of the reference autoencoder.
func aeLoss64(enc, dec *ref64, x []float32, rows, d int) float64 {
	var s float64
	xi := make([]float64, d)
	for i := range rows {
		for j := range d {
			xi[j] = float64(x[i*d+j])
		}
		l := dec.forward(enc.forward(xi))
		for j, v := range l {
			s += refBCE(v, xi[j])
		}
	}
	return s / float64(rows*d)
}

// TestAutoencoderGradients checks the whole training gradient — encoder,
// decoder and the sigmoid/BCE head between them — against float64
// central differences on a tiny net.
func TestAutoencoderGradients(t *testing.T) {
	const rows, d = 5, 9
	cfg := AEConfig{In: d, Hidden: []int{7, 5}, Latent: 3, Epochs: 1, Batch: rows, LR: 1e-3, Seed: 3, DecoderLipschitz: math.Inf(1)}
	cfg, err := cfg.check()
	if err != nil {
		t.Fatal(err)
	}
	ae, err := newAutoencoder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rng := newRand(2)
	for _, p := range [][]float32{ae.enc.Params(), ae.dec.Params()} {
		for i := range p {
			p[i] += 0.1 * float32(rng.NormFloat64()) // non-zero biases
		}
	}
	x := unitSlice(rng, rows*d)
	tr := newAETrainer(ae, rows)
	loss := tr.lossGrad(x, rows)

	enc := newRef64(ae.enc.Params(), []int{d, 7, 5, 3})
	dec := newRef64(ae.dec.Params(), []int{3, 5, 7, d})
	want := aeLoss64(enc, dec, x, rows, d)
	// float32 forward pass through six layers: 1e-5 relative.
	if !close32(loss, want, 1e-7, 1e-5) {
		t.Fatalf("loss = %.9g, want %.9g", loss, want)
	}
	const h = 1e-6 // float64 central differences: error O(h²) + O(1e-16/h)
	for _, net := range []struct {
		name  string
		ref   *ref64
		grads []float32
	}{{"encoder", enc, ae.enc.Grads()}, {"decoder", dec, ae.dec.Grads()}} {
		for i := range net.ref.p {
			v := net.ref.p[i]
			net.ref.p[i] = v + h
			lp := aeLoss64(enc, dec, x, rows, d)
			net.ref.p[i] = v - h
			lm := aeLoss64(enc, dec, x, rows, d)
			net.ref.p[i] = v
			fd := (lp - lm) / (2 * h)
			// float32 back-propagation: 1e-3 relative, 1e-6 absolute
			// (the loss is a mean over 45 pixels, gradients are ~1e-2).
			if got := float64(net.grads[i]); !close32(got, fd, 1e-6, 1e-3) {
				t.Errorf("%s ∂ℓ/∂θ[%d] = %g, want %g", net.name, i, got, fd)
			}
		}
	}
}

func TestAEConfigErrors(t *testing.T) {
	good := AEConfig{In: 4, Hidden: []int{3}, Latent: 2, Epochs: 1, Batch: 2, LR: 1e-3, DecoderLipschitz: math.Inf(1)}
	tests := []struct {
		name string
		edit func(*AEConfig)
	}{
		{"in", func(c *AEConfig) { c.In = 0 }},
		{"latent", func(c *AEConfig) { c.Latent = 0 }},
		{"epochs", func(c *AEConfig) { c.Epochs = -1 }},
		{"batch", func(c *AEConfig) { c.Batch = 0 }},
		{"lr-nan", func(c *AEConfig) { c.LR = math.NaN() }},
		{"lr-inf", func(c *AEConfig) { c.LR = math.Inf(1) }},
		{"lr-zero", func(c *AEConfig) { c.LR = 0 }},
		{"lip-nan", func(c *AEConfig) { c.DecoderLipschitz = math.NaN() }},
		{"lip-zero", func(c *AEConfig) { c.DecoderLipschitz = 0 }},
		{"hidden", func(c *AEConfig) { c.Hidden = []int{3, 0} }},
	}
	x := make([]float32, 2*4)
	if _, err := TrainAutoencoder(good, x, 2, nil); err != nil {
		t.Fatalf("good config: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := good
			c.Hidden = slices.Clone(good.Hidden)
			tt.edit(&c)
			if _, err := TrainAutoencoder(c, x, 2, nil); !errors.Is(err, ErrAEConfig) {
				t.Errorf("err = %v, want ErrAEConfig", err)
			}
		})
	}
}

// trainBlobs trains a small autoencoder on synthetic data.
func trainBlobs(t testing.TB, lip float64, seed uint64) (*Autoencoder, []float32) {
	const rows, d = 512, 32
	x := blobs(newRand(seed), rows, d)
	cfg := AEConfig{In: d, Hidden: []int{32, 16}, Latent: 4, Epochs: 20, Batch: 32, LR: 3e-3, Seed: seed, DecoderLipschitz: lip}
	var epochs []int
	ae, err := TrainAutoencoder(cfg, x, rows, func(e, n int, loss float64) {
		if n != cfg.Epochs || !(loss > 0) {
			t.Errorf("progress(%d, %d, %g)", e, n, loss)
		}
		epochs = append(epochs, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(epochs) != cfg.Epochs || epochs[len(epochs)-1] != cfg.Epochs {
		t.Errorf("progress saw epochs %v, want 1…%d", epochs, cfg.Epochs)
	}
	return ae, x
}

// TestTrainingLearns: on data near a 2-D manifold the reconstruction error
// falls far below that of the best constant image (the pixel means).
func TestTrainingLearns(t *testing.T) {
	ae, x := trainBlobs(t, math.Inf(1), 4)
	d, _ := ae.Dims()
	rows := len(x) / d
	mean := make([]float64, d)
	for i := range rows {
		for j := range d {
			mean[j] += float64(x[i*d+j]) / float64(rows)
		}
	}
	var base float64
	for i, v := range x {
		e := float64(v) - mean[i%d]
		base += e * e / float64(len(x))
	}
	mse := ae.ReconstructionError(x, rows)
	// Measured: base 0.13, mse 0.0016 (seed 4); demand a factor 10.
	if !(mse < base/10) {
		t.Errorf("MSE %g, want < %g (a tenth of the constant predictor's)", mse, base/10)
	}
	if bce := ae.ReconstructionBCE(x, rows); !(bce > 0) || math.Abs(bce-ae.Loss()) > 0.05 {
		t.Errorf("BCE %g, want > 0 and near the last epoch's loss %g", bce, ae.Loss())
	}
}

// TestDecoderLipschitz checks a_D on random pairs of latent codes,
// |D(z₁) − D(z₂)| ≤ a_D·|z₁ − z₂|, for an unconstrained decoder and for
// spectrally normalized ones, whose bound must also stay below the
// requested DecoderLipschitz.
func TestDecoderLipschitz(t *testing.T) {
	for _, lip := range []float64{math.Inf(1), 2, 0.5} {
		t.Run(fmt.Sprint(lip), func(t *testing.T) {
			ae, x := trainBlobs(t, lip, 5)
			a := ae.Lipschitz()
			if !(a > 0) || math.IsInf(a, 0) {
				t.Fatalf("Lipschitz() = %g", a)
			}
			// The certified normalization leaves σ_max ≤ L^{1/D}; the SVD
			// of the float32 weights adds ~1e-15 relative.
			if !math.IsInf(lip, 1) && a > lip*(1+1e-9) {
				t.Errorf("Lipschitz() = %g, want ≤ DecoderLipschitz = %g", a, lip)
			}
			d, k := ae.Dims()
			rows := len(x) / d
			z := make([]float32, rows*k)
			ae.EncodeTo(z, x, rows)
			rng := newRand(6)
			const pairs = 500
			z1, z2 := make([]float32, pairs*k), make([]float32, pairs*k)
			for i := range pairs {
				// Nearby pairs around encoded data probe the local slope,
				// where the bound is tightest.
				a, b := z[rng.IntN(rows)*k:][:k], z[rng.IntN(rows)*k:][:k]
				s := math.Pow(10, -3*rng.Float64())
				for j := range k {
					z1[i*k+j] = a[j]
					z2[i*k+j] = a[j] + float32(s)*(b[j]-a[j]+float32(rng.NormFloat64()))
				}
			}
			y1, y2 := make([]float32, pairs*d), make([]float32, pairs*d)
			ae.DecodeTo(y1, z1, pairs)
			ae.DecodeTo(y2, z2, pairs)
			var worst float64
			for i := range pairs {
				dz := dist32(z1[i*k:(i+1)*k], z2[i*k:(i+1)*k])
				dy := dist32(y1[i*d:(i+1)*d], y2[i*d:(i+1)*d])
				if dz == 0 {
					continue
				}
				// float32 evaluation of D: outputs in [0,1] with ~1e-7
				// rounding each, √d·1e-7 in norm.
				if dy > a*dz+1e-6 {
					t.Errorf("pair %d: |D(z₁)−D(z₂)| = %g > a_D·|z₁−z₂| = %g", i, dy, a*dz)
				}
				worst = max(worst, dy/dz)
			}
			t.Logf("a_D bound %.4g, largest observed slope %.4g, training loss %.4f", a, worst, ae.Loss())
		})
	}
}

func dist32(a, b []float32) float64 {
	var s float64
	for i := range a {
		e := float64(a[i]) - float64(b[i])
		s += e * e
	}
	return math.Sqrt(s)
}

// TestDeterministic: the same seed trains the same weights bit for bit; a
// different seed does not.
func TestDeterministic(t *testing.T) {
	a, _ := trainBlobs(t, 2, 7)
	b, _ := trainBlobs(t, 2, 7)
	c, _ := trainBlobs(t, 2, 8)
	if !slices.Equal(a.enc.Params(), b.enc.Params()) || !slices.Equal(a.dec.Params(), b.dec.Params()) {
		t.Error("same seed gave different weights")
	}
	if slices.Equal(a.dec.Params(), c.dec.Params()) {
		t.Error("different seeds gave the same weights")
	}
}

func TestSaveLoadBitExact(t *testing.T) {
	for _, lip := range []float64{math.Inf(1), 2} {
		t.Run(fmt.Sprint(lip), func(t *testing.T) {
			ae, x := trainBlobs(t, lip, 9)
			var buf bytes.Buffer
			n, err := ae.WriteTo(&buf)
			if err != nil || n != int64(buf.Len()) {
				t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, buf.Len())
			}
			raw := slices.Clone(buf.Bytes())
			got, err := ReadAutoencoder(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got.Config()) != fmt.Sprint(ae.Config()) {
				t.Errorf("config %+v, want %+v", got.Config(), ae.Config())
			}
			if !slices.Equal(got.enc.Params(), ae.enc.Params()) || !slices.Equal(got.dec.Params(), ae.dec.Params()) {
				t.Error("parameters differ after the round trip")
			}
			if got.Lipschitz() != ae.Lipschitz() || got.Loss() != ae.Loss() {
				t.Errorf("Lipschitz, Loss = %v, %v; want %v, %v", got.Lipschitz(), got.Loss(), ae.Lipschitz(), ae.Loss())
			}
			d, k := ae.Dims()
			rows := len(x) / d
			z1, z2 := make([]float32, rows*k), make([]float32, rows*k)
			ae.EncodeTo(z1, x, rows)
			got.EncodeTo(z2, x, rows)
			y1, y2 := make([]float32, rows*d), make([]float32, rows*d)
			ae.DecodeTo(y1, z1, rows)
			got.DecodeTo(y2, z1, rows)
			if !slices.Equal(z1, z2) || !slices.Equal(y1, y2) {
				t.Error("EncodeTo/DecodeTo differ after the round trip")
			}

			// Damaged files are errors wrapping ErrFormat, never panics.
			for _, bad := range []struct {
				name string
				b    []byte
			}{
				{"empty", nil},
				{"magic", append([]byte("GPA-XX"), raw[6:]...)},
				{"truncated-header", raw[:20]},
				{"truncated-params", raw[:len(raw)/2]},
				{"no-checksum", raw[:len(raw)-4]},
				{"flipped-weight", flip(raw, len(raw)-100)},
				{"flipped-header", flip(raw, 9)},
				{"huge-dims", hugeDims(raw)},
			} {
				if _, err := ReadAutoencoder(bytes.NewReader(bad.b)); !errors.Is(err, ErrFormat) {
					t.Errorf("%s: err = %v, want ErrFormat", bad.name, err)
				}
			}
		})
	}
}

// flip returns a copy of b with byte i inverted.
func flip(b []byte, i int) []byte {
	c := slices.Clone(b)
	c[i] ^= 0xff
	return c
}

// hugeDims claims In = Latent = 10⁶ and hidden widths of 10⁶: the reader
// must refuse before allocating 10¹² parameters.
func hugeDims(b []byte) []byte {
	c := slices.Clone(b)
	for _, off := range []int{8, 12, 20} {
		c[off], c[off+1], c[off+2], c[off+3] = 0x40, 0x42, 0x0f, 0
	}
	return c
}

func TestMisusePanics(t *testing.T) {
	ae, _ := trainBlobs(t, math.Inf(1), 10)
	d, k := ae.Dims()
	for _, tt := range []struct {
		name string
		f    func()
	}{
		{"EncodeTo", func() { ae.EncodeTo(make([]float32, k), make([]float32, d+1), 1) }},
		{"DecodeTo", func() { ae.DecodeTo(make([]float32, d), make([]float32, k), 2) }},
		{"ReconstructionError", func() { ae.ReconstructionError(make([]float32, d), 2) }},
		{"Train", func() {
			TrainAutoencoder(ae.Config(), make([]float32, d), 2, nil)
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.f()
		})
	}
}
