package latent

import (
	"errors"
	"fmt"
	"math"

	"github.com/gpa-tui/gpa-tui/lipnet"
)

// ErrDiverged reports that autoencoder training produced a non-finite loss.
var ErrDiverged = errors.New("latent: autoencoder training diverged")

// ErrAEConfig is wrapped by the errors TrainAutoencoder returns for an
// invalid AEConfig.
var ErrAEConfig = errors.New("latent: invalid autoencoder config")

// sigmoidLipschitz is the Lipschitz constant of the logistic sigmoid:
// σ′(t) = σ(t)(1−σ(t)) ≤ 1/4, with equality at t = 0.
const sigmoidLipschitz = 0.25

// pcgStreamAE is the second PCG seed word of the batch shuffles, so that
// AEConfig.Seed alone determines training.
const pcgStreamAE = 0x6165 // "ae"

// AEConfig describes an MLP autoencoder as in the authors' code
// (shared/notes/reference-code.md: "784→256→128→d′ ReLU encoder, sigmoid
// decoder, BCE"):
//
//	encoder E: ℝ^d → ℝ^{d′},  d → Hidden[0] → Hidden[1] → … → d′, ReLU, linear latent
//	decoder D: ℝ^{d′} → [0,1]^d,  d′ → … → Hidden[1] → Hidden[0] → d, ReLU, then a sigmoid
//
// trained with Adam on the binary cross-entropy of pixels in [0,1].
type AEConfig struct {
	In     int   // data dimension d (784 for MNIST)
	Hidden []int // encoder widths, e.g. {256, 128}; the decoder mirrors them
	Latent int   // latent dimension d′
	Epochs int   // passes over the training set
	Batch  int   // minibatch size
	LR     float64
	Seed   uint64 // seeds the weights (lipnet He init) and the batch order
	// DecoderLipschitz bounds a_D, the Lipschitz constant of the whole
	// decoder including its sigmoid (Theorem 5.1, assumption 2). +Inf
	// leaves the decoder unconstrained; otherwise its dense net is
	// spectrally normalized after every Adam step (as the discriminator,
	// Algorithm 1 line 9) to 4·DecoderLipschitz, the sigmoid being
	// 1/4-Lipschitz, so that a_D ≤ DecoderLipschitz.
	DecoderLipschitz float64
}

// DefaultAEConfig returns the architecture of the authors' code for d
// pixels and d′ latent dimensions (784 → 256 → 128 → d′), with training
// settings chosen so that MNIST (60,000 images) trains in about two minutes
// on two cores: 20 epochs, batch 128, Adam lr 1e-3 (the paper's AE learning
// rate, Table 5), an unconstrained decoder and seed 1.
func DefaultAEConfig(in, latent int) AEConfig {
	return AEConfig{
		In: in, Hidden: []int{256, 128}, Latent: latent,
		Epochs: 20, Batch: 128, LR: 1e-3, Seed: 1,
		DecoderLipschitz: math.Inf(1),
	}
}

// check validates c and returns it with Hidden copied.
func (c AEConfig) check() (AEConfig, error) {
	switch {
	case c.In < 1:
		return c, fmt.Errorf("%w: In = %d, want ≥ 1", ErrAEConfig, c.In)
	case c.Latent < 1:
		return c, fmt.Errorf("%w: Latent = %d, want ≥ 1", ErrAEConfig, c.Latent)
	case c.Epochs < 0:
		return c, fmt.Errorf("%w: Epochs = %d, want ≥ 0", ErrAEConfig, c.Epochs)
	case c.Batch < 1:
		return c, fmt.Errorf("%w: Batch = %d, want ≥ 1", ErrAEConfig, c.Batch)
	case !(c.LR > 0) || math.IsInf(c.LR, 1):
		return c, fmt.Errorf("%w: LR = %v, want finite > 0", ErrAEConfig, c.LR)
	case !(c.DecoderLipschitz > 0):
		return c, fmt.Errorf("%w: DecoderLipschitz = %v, want > 0 (+Inf for unconstrained)", ErrAEConfig, c.DecoderLipschitz)
	}
	for i, h := range c.Hidden {
		if h < 1 {
			return c, fmt.Errorf("%w: Hidden[%d] = %d, want ≥ 1", ErrAEConfig, i, h)
		}
	}
	c.Hidden = append([]int(nil), c.Hidden...)
	return c, nil
}

// nets returns the lipnet configurations of the encoder and the decoder.
func (c AEConfig) nets() (enc, dec lipnet.Config) {
	rev := make([]int, len(c.Hidden))
	for i, h := range c.Hidden {
		rev[len(rev)-1-i] = h
	}
	enc = lipnet.Config{In: c.In, Hidden: c.Hidden, Out: c.Latent, Act: lipnet.ReLU,
		Lipschitz: math.Inf(1), Norm: lipnet.None, Seed: c.Seed}
	dec = lipnet.Config{In: c.Latent, Hidden: rev, Out: c.In, Act: lipnet.ReLU,
		Lipschitz: math.Inf(1), Norm: lipnet.None, Seed: c.Seed + 1}
	if !math.IsInf(c.DecoderLipschitz, 1) {
		dec.Lipschitz = c.DecoderLipschitz / sigmoidLipschitz
		dec.Norm = lipnet.Spectral
	}
	return enc, dec
}

// Codec is an encoder E and decoder D for Algorithm 2, implemented by PCA
// and Autoencoder: EncodeTo writes E(x) (rows×d′) for x (rows×d), DecodeTo
// writes D(z) (rows×d) for z (rows×d′), Dims returns (d, d′), and
// Lipschitz returns an upper bound of the decoder's Lipschitz constant a_D
// (Theorem 5.1). Implementations panic on shape mismatches.
type Codec interface {
	EncodeTo(dst, x []float32, rows int)
	DecodeTo(dst, z []float32, rows int)
	Dims() (d, k int)
	Lipschitz() float64
}

var (
	_ Codec = (*PCA)(nil)
	_ Codec = (*Autoencoder)(nil)
)

// Autoencoder is a trained MLP autoencoder (see AEConfig). EncodeTo and
// DecodeTo have PCA's signatures, so that both serve as the encoder E and
// decoder D of Algorithm 2.
//
// An Autoencoder is not safe for concurrent use: its nets keep their
// activations in internal buffers.
type Autoencoder struct {
	cfg      AEConfig
	enc, dec *lipnet.Net
	lip      float64 // Π σ_max(W^l) / 4, see Lipschitz
	loss     float64 // mean BCE per pixel of the last training epoch
}

// chunkRows bounds the rows pushed through the nets at once by EncodeTo,
// DecodeTo and the error measures, so that their buffers stay small
// (256 rows × 784 pixels ≈ 0.8 MB per layer).
const chunkRows = 256

// newAutoencoder builds the untrained nets of cfg (already checked).
func newAutoencoder(cfg AEConfig) (*Autoencoder, error) {
	ec, dc := cfg.nets()
	enc, err := lipnet.New(ec)
	if err != nil {
		return nil, fmt.Errorf("latent: encoder: %w", err)
	}
	dec, err := lipnet.New(dc)
	if err != nil {
		return nil, fmt.Errorf("latent: decoder: %w", err)
	}
	return &Autoencoder{cfg: cfg, enc: enc, dec: dec, loss: math.NaN()}, nil
}

// TrainAutoencoder trains an autoencoder on x (rows×cfg.In, pixels in
// [0,1]) with Adam on minibatches of the binary cross-entropy (see bceHead),
// reshuffling every epoch. progress, if not nil, is called after every
// epoch with the mean BCE per pixel over that epoch. Training is
// deterministic given cfg.Seed and x. The error wraps ErrAEConfig for an
// invalid config and ErrDiverged for a non-finite loss.
func TrainAutoencoder(cfg AEConfig, x []float32, rows int, progress func(epoch, epochs int, loss float64)) (*Autoencoder, error) {
	cfg, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if rows < 1 || len(x) != rows*cfg.In {
		panic("latent: TrainAutoencoder: shape mismatch")
	}
	ae, err := newAutoencoder(cfg)
	if err != nil {
		return nil, err
	}
	t := newAETrainer(ae, min(cfg.Batch, rows))
	d := cfg.In
	loss, bad := Epochs(rows, cfg.Batch, cfg.Epochs, cfg.Seed, pcgStreamAE, func(idx []int) float64 {
		b := len(idx)
		xb := t.xb[:b*d]
		for k, i := range idx {
			copy(xb[k*d:(k+1)*d], x[i*d:(i+1)*d])
		}
		return t.step(xb, b)
	}, progress)
	if bad > 0 {
		return nil, fmt.Errorf("%w: loss %v at epoch %d", ErrDiverged, loss, bad)
	}
	ae.loss = loss
	ae.updateLipschitz()
	return ae, nil
}

// aeTrainer holds the optimizers and batch buffers of TrainAutoencoder.
type aeTrainer struct {
	ae               *Autoencoder
	encOpt, decOpt   *lipnet.Adam
	xb, dlogit, dz   []float32
	constrainDecoder bool
}

func newAETrainer(ae *Autoencoder, batch int) *aeTrainer {
	ae.enc.Reserve(batch)
	ae.dec.Reserve(batch)
	return &aeTrainer{
		ae:               ae,
		encOpt:           lipnet.NewAdam(ae.cfg.LR, len(ae.enc.Params())),
		decOpt:           lipnet.NewAdam(ae.cfg.LR, len(ae.dec.Params())),
		xb:               make([]float32, batch*ae.cfg.In),
		dlogit:           make([]float32, batch*ae.cfg.In),
		dz:               make([]float32, batch*ae.cfg.Latent),
		constrainDecoder: !math.IsInf(ae.cfg.DecoderLipschitz, 1),
	}
}

// lossGrad sets the gradients of both nets to ∂ℓ/∂θ for the mean BCE per
// pixel ℓ of the batch x (b rows) and returns ℓ.
func (t *aeTrainer) lossGrad(x []float32, b int) float64 {
	ae := t.ae
	ae.enc.ZeroGrad()
	ae.dec.ZeroGrad()
	z := ae.enc.Forward(x, b)
	logit := ae.dec.Forward(z, b)
	n := b * ae.cfg.In
	loss := bceHead(t.dlogit[:n], logit[:n], x[:n], float32(1/float64(n)))
	dz := t.dz[:b*ae.cfg.Latent]
	ae.dec.Backward(t.dlogit[:n], dz) // ∂ℓ/∂z, the decoder's input
	ae.enc.Backward(dz, nil)
	return loss
}

// step does one Adam step on the batch x (b rows) and returns its loss.
func (t *aeTrainer) step(x []float32, b int) float64 {
	loss := t.lossGrad(x, b)
	ae := t.ae
	t.encOpt.Step(ae.enc.Params(), ae.enc.Grads())
	t.decOpt.Step(ae.dec.Params(), ae.dec.Grads())
	if t.constrainDecoder {
		ae.dec.Normalize() // Algorithm 1, line 9, applied to the decoder
	}
	return loss
}

// bceHead applies the sigmoid output and the binary cross-entropy to the
// decoder's logits l (pre-sigmoid outputs) against pixels x ∈ [0,1]:
//
//	ℓ = scale · Σᵢ bce(xᵢ, σ(lᵢ)),  bce(x, p) = −x log p − (1−x) log(1−p)
//	  = scale · Σᵢ softplus(lᵢ) − xᵢ lᵢ                      (stable form)
//
// It writes dl = ∂ℓ/∂l = scale·(σ(l) − x) and returns ℓ, summed in float64.
// With scale = 1/(rows·d) ℓ is the mean BCE per pixel (Keras'
// binary_crossentropy, as the authors' code).
//
// softplus(l) = max(l, 0) + log(1 + e^{−|l|}), and the logarithms are summed
// as the logarithm of a product, Σ log qᵢ = log Π qᵢ with qᵢ ∈ (1, 2]: one
// multiplication per pixel, and one math.Log per logBlock pixels (the
// product stays below 2^logBlock, far from overflow). A per-pixel
// math.Log1p took more time than the two nets together (measured by pprof
// on MNIST); the product's relative rounding error is below n·2⁻⁵³ for n
// pixels, an absolute error of the same size in the sum.
func bceHead(dl, l, x []float32, scale float32) float64 {
	const logBlock = 512
	l = l[:len(dl)]
	x = x[:len(dl)]
	var lin, logs float64 // Σ max(l,0) − x·l  and  Σ log(1 + e^{−|l|})
	prod := 1.0
	for i, li := range l {
		a := float64(li)
		e := math.Exp(-math.Abs(a)) // e^{−|l|} ∈ (0, 1]
		q := 1 + e
		p := 1 / q // σ(|l|)
		if a < 0 {
			p *= e // σ(l) = 1 − σ(|l|) = e^{−|l|}/(1+e^{−|l|})
		}
		xi := float64(x[i])
		lin += max(a, 0) - xi*a
		prod *= q
		if i%logBlock == logBlock-1 {
			logs += math.Log(prod)
			prod = 1
		}
		dl[i] = scale * float32(p-xi)
	}
	logs += math.Log(prod)
	return (lin + logs) * float64(scale)
}

// sigmoidTo overwrites l with σ(l) = 1/(1 + e^{−l}).
func sigmoidTo(l []float32) {
	for i, v := range l {
		e := math.Exp(-math.Abs(float64(v)))
		p := 1 / (1 + e)
		if v < 0 {
			p = e * p
		}
		l[i] = float32(p)
	}
}

// updateLipschitz recomputes the a_D bound from the decoder's weights.
func (ae *Autoencoder) updateLipschitz() {
	norms := make([]float64, ae.dec.Depth())
	ae.dec.LayerNorms(norms)
	lip := sigmoidLipschitz
	for _, s := range norms {
		lip *= s
	}
	ae.lip = lip
}

// Config returns the configuration the autoencoder was trained with.
func (ae *Autoencoder) Config() AEConfig {
	c := ae.cfg
	c.Hidden = append([]int(nil), c.Hidden...)
	return c
}

// Dims returns the data dimension d and the latent dimension d′.
func (ae *Autoencoder) Dims() (d, k int) { return ae.cfg.In, ae.cfg.Latent }

// Loss returns the mean BCE per pixel over the last training epoch (NaN
// if it trained for no epoch).
func (ae *Autoencoder) Loss() float64 { return ae.loss }

// Lipschitz returns an upper bound of a_D, the Euclidean Lipschitz
// constant of the decoder D(z) = σ(W^D·relu(⋯relu(W¹z + b¹)⋯) + b^D) that
// Theorem 5.1 (eq. (14)) needs:
//
//	a_D ≤ ¼ · Π_l σ_max(W^l)
//
// since ReLU is 1-Lipschitz and the sigmoid ¼-Lipschitz; σ_max(W^l) is the
// exact spectral norm of the stored float32 weights (float64 SVD, computed
// once after training or loading). The bound is usually loose for an
// unconstrained decoder; with a finite DecoderLipschitz it is at most that
// value (up to the SVD's rounding).
func (ae *Autoencoder) Lipschitz() float64 { return ae.lip }

// EncodeTo writes the latent codes E(x) of the rows×d matrix x into dst
// (rows×d′).
func (ae *Autoencoder) EncodeTo(dst, x []float32, rows int) {
	d, k := ae.cfg.In, ae.cfg.Latent
	if rows < 0 || len(x) != rows*d || len(dst) != rows*k {
		panic("latent: Autoencoder.EncodeTo: shape mismatch")
	}
	for s := 0; s < rows; s += chunkRows {
		b := min(chunkRows, rows-s)
		z := ae.enc.Forward(x[s*d:(s+b)*d], b)
		copy(dst[s*k:(s+b)*k], z)
	}
}

// DecodeTo writes the reconstructions D(z) ∈ [0,1]^d of the rows×d′ latent
// matrix z into dst (rows×d).
func (ae *Autoencoder) DecodeTo(dst, z []float32, rows int) {
	d, k := ae.cfg.In, ae.cfg.Latent
	if rows < 0 || len(z) != rows*k || len(dst) != rows*d {
		panic("latent: Autoencoder.DecodeTo: shape mismatch")
	}
	for s := 0; s < rows; s += chunkRows {
		b := min(chunkRows, rows-s)
		out := dst[s*d : (s+b)*d]
		copy(out, ae.dec.Forward(z[s*k:(s+b)*k], b))
		sigmoidTo(out)
	}
}

// ReconstructionError returns the mean squared error per pixel,
// (1/(rows·d)) Σ |D(E(x)) − x|², of the rows×d matrix x.
func (ae *Autoencoder) ReconstructionError(x []float32, rows int) float64 {
	mse, _ := ae.reconstruction(x, rows, "latent: Autoencoder.ReconstructionError: shape mismatch")
	return mse
}

// ReconstructionBCE returns the mean binary cross-entropy per pixel of
// D(E(x)) against x (the training loss; x in [0,1]).
func (ae *Autoencoder) ReconstructionBCE(x []float32, rows int) float64 {
	_, bce := ae.reconstruction(x, rows, "latent: Autoencoder.ReconstructionBCE: shape mismatch")
	return bce
}

// reconstruction returns the MSE and BCE per pixel of D(E(x)) against x.
func (ae *Autoencoder) reconstruction(x []float32, rows int, msg string) (mse, bce float64) {
	d := ae.cfg.In
	if rows < 1 || len(x) != rows*d {
		panic(msg)
	}
	dl := make([]float32, chunkRows*d)
	var se float64
	for s := 0; s < rows; s += chunkRows {
		b := min(chunkRows, rows-s)
		xb := x[s*d : (s+b)*d]
		logit := ae.dec.Forward(ae.enc.Forward(xb, b), b)
		bce += bceHead(dl[:b*d], logit, xb, 1)
		sigmoidTo(logit)
		for i, p := range logit[:len(xb)] {
			e := float64(p) - float64(xb[i])
			se += e * e
		}
	}
	n := float64(rows * d)
	return se / n, bce / n
}
