package images

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// classifierMagic starts every saved classifier; its last byte is the
// format version.
const classifierMagic = "GPA-CLF\x01"

// maxSavedClassifierParams bounds the parameters of one saved net, so
// that a corrupted header cannot make ReadClassifier allocate gigabytes
// (the MNIST classifier has 2.3·10⁵).
const maxSavedClassifierParams = 1 << 26

// classifierHeader is the fixed-size header of a saved classifier.
type classifierHeader struct {
	Magic                   [8]byte
	In, Classes, NumHidden  uint32
	Hidden                  [maxClassifierHidden]uint32
	Epochs, Batch           uint32
	Seed                    uint64
	LR, Loss                float64
	TrunkParams, HeadParams uint32
}

// WriteTo writes the classifier in a little-endian binary format: the
// header (magic "GPA-CLF" + version byte 1, In, Classes, the hidden widths,
// Epochs, Batch, Seed, LR, training loss, parameter counts), the float32
// parameters of the trunk and of the head (lipnet.Net.Params layout), and
// a CRC-32 (IEEE) of all that. ReadClassifier restores it bit for bit. It
// implements io.WriterTo.
func (cl *Classifier) WriteTo(w io.Writer) (int64, error) {
	c := cl.cfg
	h := classifierHeader{
		In: uint32(c.In), Classes: uint32(c.Classes), NumHidden: uint32(len(c.Hidden)),
		Epochs: uint32(c.Epochs), Batch: uint32(c.Batch), Seed: c.Seed, LR: c.LR, Loss: cl.loss,
		TrunkParams: uint32(len(cl.trunk.Params())), HeadParams: uint32(len(cl.head.Params())),
	}
	copy(h.Magic[:], classifierMagic)
	for i, v := range c.Hidden {
		h.Hidden[i] = uint32(v)
	}
	cw := &countWriter{w: w}
	bw := bufio.NewWriter(cw)
	crc := crc32.NewIEEE()
	mw := io.MultiWriter(bw, crc)
	for _, v := range []any{&h, cl.trunk.Params(), cl.head.Params()} {
		if err := binary.Write(mw, binary.LittleEndian, v); err != nil {
			return cw.n, err
		}
	}
	if err := binary.Write(bw, binary.LittleEndian, crc.Sum32()); err != nil {
		return cw.n, err
	}
	err := bw.Flush()
	return cw.n, err
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// ErrClassifierFormat reports a saved classifier that cannot be read:
// wrong magic, impossible sizes, truncation or a checksum mismatch.
var ErrClassifierFormat = errors.New("images: bad classifier file")

// ReadClassifier reads a classifier written by WriteTo. Every failure to
// parse wraps ErrClassifierFormat; other read errors are returned as they
// are. It reads no byte past the model.
func ReadClassifier(r io.Reader) (*Classifier, error) {
	crc := crc32.NewIEEE()
	tr := io.TeeReader(r, crc)
	var h classifierHeader
	if err := binary.Read(tr, binary.LittleEndian, &h); err != nil {
		return nil, readFormatErr(err)
	}
	if string(h.Magic[:]) != classifierMagic {
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrClassifierFormat, h.Magic[:], classifierMagic)
	}
	if h.NumHidden < 1 || h.NumHidden > maxClassifierHidden {
		return nil, fmt.Errorf("%w: %d hidden layers", ErrClassifierFormat, h.NumHidden)
	}
	c := ClassifierConfig{In: int(h.In), Classes: int(h.Classes), Epochs: int(h.Epochs),
		Batch: int(h.Batch), LR: h.LR, Seed: h.Seed, Hidden: make([]int, h.NumHidden)}
	for i := range c.Hidden {
		c.Hidden[i] = int(h.Hidden[i])
	}
	c, err := c.check()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrClassifierFormat, err)
	}
	// The counts must match the architecture, and be small, before
	// anything is allocated.
	dims := append(append([]int{c.In}, c.Hidden...), c.Classes)
	var trunk int
	for l := range len(dims) - 2 {
		trunk += (dims[l] + 1) * dims[l+1]
		if trunk > maxSavedClassifierParams {
			return nil, fmt.Errorf("%w: more than %d parameters", ErrClassifierFormat, maxSavedClassifierParams)
		}
	}
	head := (c.Hidden[len(c.Hidden)-1] + 1) * c.Classes
	if head > maxSavedClassifierParams || int(h.TrunkParams) != trunk || int(h.HeadParams) != head {
		return nil, fmt.Errorf("%w: %d+%d parameters, want %d+%d", ErrClassifierFormat, h.TrunkParams, h.HeadParams, trunk, head)
	}
	cl, err := newClassifier(c)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrClassifierFormat, err)
	}
	for _, p := range [][]float32{cl.trunk.Params(), cl.head.Params()} {
		if err := binary.Read(tr, binary.LittleEndian, p); err != nil {
			return nil, readFormatErr(err)
		}
	}
	sum := crc.Sum32()
	var got uint32
	if err := binary.Read(r, binary.LittleEndian, &got); err != nil {
		return nil, readFormatErr(err)
	}
	if got != sum {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrClassifierFormat, got, sum)
	}
	cl.loss = h.Loss
	return cl, nil
}

// readFormatErr turns a short read into ErrClassifierFormat.
func readFormatErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: truncated", ErrClassifierFormat)
	}
	return err
}
