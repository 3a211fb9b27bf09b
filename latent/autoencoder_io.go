package latent

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
)

// ErrFormat reports a saved model that cannot be read: wrong magic,
// unsupported version, impossible sizes, truncation or a checksum mismatch.
var ErrFormat = errors.New("latent: bad model file")

// aeMagic starts every saved autoencoder; its last byte is the format
// version.
const aeMagic = "GPA-AE\x00\x01"

// maxSavedDim bounds every dimension a saved file may claim, and
// maxSavedParams the parameters of one net, so that a corrupted header
// cannot make the reader allocate gigabytes (the MNIST autoencoder has
// 2.3·10⁵ parameters per net).
const (
	maxSavedDim    = 1 << 20
	maxSavedParams = 1 << 26
)

// paramCount returns the parameters of a dense net with the given widths,
// saturating at maxSavedParams+1.
func paramCount(dims ...int) int {
	n := 0
	for l := range len(dims) - 1 {
		n += (dims[l] + 1) * dims[l+1]
		if n > maxSavedParams {
			return maxSavedParams + 1
		}
	}
	return n
}

// WriteTo writes the autoencoder in a little-endian binary format:
//
//	magic "GPA-AE\0" + version byte 1
//	uint32 In, Latent, len(Hidden), Hidden…, Epochs, Batch
//	uint64 Seed; float64 LR, DecoderLipschitz, training loss
//	uint32 n, n float32 encoder parameters (lipnet.Net.Params layout)
//	uint32 n, n float32 decoder parameters
//	uint32 CRC-32 (IEEE) of everything before it
//
// ReadAutoencoder restores it bit for bit. It implements io.WriterTo; the
// writer is buffered and flushed before WriteTo returns.
func (ae *Autoencoder) WriteTo(w io.Writer) (int64, error) {
	bw := newBinWriter(w)
	c := ae.cfg
	bw.raw([]byte(aeMagic))
	bw.u32(c.In, c.Latent, len(c.Hidden))
	bw.u32(c.Hidden...)
	bw.u32(c.Epochs, c.Batch)
	bw.u64(c.Seed)
	bw.f64(c.LR, c.DecoderLipschitz, ae.loss)
	bw.f32s(ae.enc.Params())
	bw.f32s(ae.dec.Params())
	return bw.finish()
}

// ReadAutoencoder reads an autoencoder written by WriteTo. Every failure
// to parse (including a checksum mismatch) wraps ErrFormat; read errors
// are returned as they are.
func ReadAutoencoder(r io.Reader) (*Autoencoder, error) {
	br := newBinReader(r)
	if err := br.magic(aeMagic); err != nil {
		return nil, err
	}
	var c AEConfig
	c.In, c.Latent = br.dim(), br.dim()
	nh := br.dim()
	if br.err == nil && nh > 16 {
		br.fail("%d hidden layers", nh)
	}
	if br.err == nil {
		c.Hidden = make([]int, nh)
		for i := range c.Hidden {
			c.Hidden[i] = br.dim()
		}
	}
	c.Epochs, c.Batch = br.dim(), br.dim()
	c.Seed = br.u64()
	c.LR, c.DecoderLipschitz = br.f64(), br.f64()
	loss := br.f64()
	if br.err != nil {
		return nil, br.err
	}
	c, err := c.check()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	if paramCount(append(append([]int{c.In}, c.Hidden...), c.Latent)...) > maxSavedParams {
		return nil, fmt.Errorf("%w: more than %d parameters", ErrFormat, maxSavedParams)
	}
	ae, err := newAutoencoder(c)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFormat, err)
	}
	br.f32s(ae.enc.Params())
	br.f32s(ae.dec.Params())
	if err := br.finish(); err != nil {
		return nil, err
	}
	ae.loss = loss
	ae.updateLipschitz()
	return ae, nil
}

// binWriter writes little-endian values and keeps a CRC-32 of them; the
// first error sticks.
type binWriter struct {
	w   *bufio.Writer
	crc hash.Hash32
	n   int64
	err error
	buf [8]byte
}

func newBinWriter(w io.Writer) *binWriter {
	return &binWriter{w: bufio.NewWriter(w), crc: crc32.NewIEEE()}
}

func (b *binWriter) raw(p []byte) {
	if b.err != nil {
		return
	}
	b.crc.Write(p)
	n, err := b.w.Write(p)
	b.n += int64(n)
	b.err = err
}

func (b *binWriter) u32(v ...int) {
	for _, x := range v {
		binary.LittleEndian.PutUint32(b.buf[:4], uint32(x))
		b.raw(b.buf[:4])
	}
}

func (b *binWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(b.buf[:], v)
	b.raw(b.buf[:])
}

func (b *binWriter) f64(v ...float64) {
	for _, x := range v {
		b.u64(math.Float64bits(x))
	}
}

// f32s writes len(v) as a uint32, then v.
func (b *binWriter) f32s(v []float32) {
	b.u32(len(v))
	p := make([]byte, 4*1024)
	for len(v) > 0 {
		k := min(len(v), 1024)
		for i, x := range v[:k] {
			binary.LittleEndian.PutUint32(p[4*i:], math.Float32bits(x))
		}
		b.raw(p[:4*k])
		v = v[k:]
	}
}

// finish writes the checksum and flushes.
func (b *binWriter) finish() (int64, error) {
	if b.err == nil {
		binary.LittleEndian.PutUint32(b.buf[:4], b.crc.Sum32())
		n, err := b.w.Write(b.buf[:4])
		b.n += int64(n)
		b.err = err
	}
	if b.err == nil {
		b.err = b.w.Flush()
	}
	return b.n, b.err
}

// binReader reads what binWriter writes; the first error sticks. It does
// not buffer, so it never reads past the end of the model.
type binReader struct {
	r   io.Reader
	crc hash.Hash32
	err error
	buf [8]byte
}

func newBinReader(r io.Reader) *binReader {
	return &binReader{r: r, crc: crc32.NewIEEE()}
}

func (b *binReader) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
	}
}

func (b *binReader) raw(p []byte) {
	if b.err != nil {
		return
	}
	if _, err := io.ReadFull(b.r, p); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			b.fail("truncated")
		} else {
			b.err = err
		}
		return
	}
	b.crc.Write(p)
}

func (b *binReader) magic(want string) error {
	p := make([]byte, len(want))
	b.raw(p)
	if b.err == nil && string(p) != want {
		b.fail("magic %q, want %q", p, want)
	}
	return b.err
}

func (b *binReader) u32() uint32 {
	b.raw(b.buf[:4])
	if b.err != nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b.buf[:4])
}

// dim reads a uint32 that must be at most maxSavedDim.
func (b *binReader) dim() int {
	v := b.u32()
	if v > maxSavedDim {
		b.fail("dimension %d out of range", v)
		return 0
	}
	return int(v)
}

func (b *binReader) u64() uint64 {
	b.raw(b.buf[:])
	if b.err != nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b.buf[:])
}

func (b *binReader) f64() float64 { return math.Float64frombits(b.u64()) }

// f32s reads a length, which must equal len(dst), then dst.
func (b *binReader) f32s(dst []float32) {
	if n := b.u32(); b.err == nil && int(n) != len(dst) {
		b.fail("%d parameters, want %d", n, len(dst))
	}
	p := make([]byte, 4*1024)
	for len(dst) > 0 && b.err == nil {
		k := min(len(dst), 1024)
		b.raw(p[:4*k])
		for i := range dst[:k] {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
		}
		dst = dst[k:]
	}
}

// finish checks the trailing checksum.
func (b *binReader) finish() error {
	if b.err != nil {
		return b.err
	}
	sum := b.crc.Sum32()
	if got := b.u32(); b.err == nil && got != sum {
		b.fail("checksum %08x, want %08x", got, sum)
	}
	return b.err
}
