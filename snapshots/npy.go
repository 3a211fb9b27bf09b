package snapshots

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The .npy layout follows numpy/lib/format.py (NumPy 1.24): the magic
// "\x93NUMPY", a major and minor version byte, a little-endian header length
// (uint16 for 1.0, uint32 for 2.0 and 3.0), then an ASCII Python dict literal
// {'descr': ..., 'fortran_order': ..., 'shape': (...), } padded with spaces
// and a final '\n' so that the data start on a 64-byte boundary.
const (
	npyMagic = "\x93NUMPY"
	// npyAlign is ARRAY_ALIGN in numpy/lib/format.py.
	npyAlign = 64
	// npyMaxHeader bounds the header we accept; numpy's own limit,
	// _MAX_HEADER_SIZE in numpy/lib/format.py, is 10000.
	npyMaxHeader = 1 << 16
)

// WriteNPY writes a to w as a .npy file (format 1.0, little-endian, C order).
// a.Name is not used. It panics if a.Data is not a supported slice or its
// length is not the product of a.Shape.
func WriteNPY(w io.Writer, a Array) error {
	descr, _, n := dataInfo(a.Data)
	if descr == "" {
		panic("snapshots: WriteNPY: unsupported data type")
	}
	if a.Len() != n {
		panic("snapshots: WriteNPY: shape mismatch")
	}
	if _, err := w.Write(npyHeader(descr, a.Shape)); err != nil {
		return err
	}
	return writeData(w, a.Data)
}

// npyHeader returns magic, version 1.0, header length and the padded header.
func npyHeader(descr string, shape []int) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, pyShape(shape))
	pre := len(npyMagic) + 2 + 2
	pad := (npyAlign - (pre+len(h)+1)%npyAlign) % npyAlign
	hlen := len(h) + pad + 1
	if hlen > math.MaxUint16 {
		panic("snapshots: WriteNPY: too many dimensions")
	}
	b := make([]byte, 0, pre+hlen)
	b = append(b, npyMagic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(hlen))
	b = append(b, h...)
	for range pad {
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// pyShape formats shape as a Python tuple: "()", "(3,)", "(3, 2)".
func pyShape(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// writeData writes data little-endian in chunks of at most chunk bytes, so a
// large array is never copied whole.
func writeData(w io.Writer, data any) error {
	const chunk = 1 << 16
	if d, ok := data.([]uint8); ok {
		_, err := w.Write(d)
		return err
	}
	buf := make([]byte, 0, chunk)
	flush := func(force bool) error {
		if len(buf) == 0 || (!force && len(buf) < chunk-8) {
			return nil
		}
		_, err := w.Write(buf)
		buf = buf[:0]
		return err
	}
	switch d := data.(type) {
	case []float32:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if err := flush(false); err != nil {
				return err
			}
		}
	case []float64:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
			if err := flush(false); err != nil {
				return err
			}
		}
	case []int64:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint64(buf, uint64(v))
			if err := flush(false); err != nil {
				return err
			}
		}
	case []uint64:
		for _, v := range d {
			buf = binary.LittleEndian.AppendUint64(buf, v)
			if err := flush(false); err != nil {
				return err
			}
		}
	}
	return flush(true)
}

// errNPY marks a malformed .npy member; the npz reader wraps it in ErrCorrupt.
var errNPY = errors.New("bad .npy data")

// ReadNPY decodes the .npy file held in b. The result has an empty Name.
// Supported are format versions 1.0, 2.0 and 3.0, C order, and the dtypes
// '<f4', '<f8', '<i8', '|u1' and '<u8'; anything else is an error, never a
// panic.
func ReadNPY(b []byte) (Array, error) {
	bad := func(format string, args ...any) (Array, error) {
		return Array{}, fmt.Errorf("%w: "+format, append([]any{errNPY}, args...)...)
	}
	if len(b) < len(npyMagic)+2 || string(b[:len(npyMagic)]) != npyMagic {
		return bad("no \\x93NUMPY magic")
	}
	major, minor := b[len(npyMagic)], b[len(npyMagic)+1]
	b = b[len(npyMagic)+2:]
	var hlen int
	switch {
	case major == 1 && minor == 0:
		if len(b) < 2 {
			return bad("truncated header")
		}
		hlen, b = int(binary.LittleEndian.Uint16(b)), b[2:]
	case (major == 2 || major == 3) && minor == 0:
		if len(b) < 4 {
			return bad("truncated header")
		}
		n := binary.LittleEndian.Uint32(b)
		if n > npyMaxHeader {
			return bad("header of %d bytes is too long", n)
		}
		hlen, b = int(n), b[4:]
	default:
		return bad("unsupported format version %d.%d", major, minor)
	}
	if hlen > len(b) {
		return bad("truncated header")
	}
	h, data := string(b[:hlen]), b[hlen:]
	descr, fortran, shape, err := parseHeader(h)
	if err != nil {
		return bad("header: %v", err)
	}
	if fortran {
		return bad("Fortran order is not supported")
	}
	n := shapeLen(shape)
	if n < 0 {
		return bad("shape %s is too large", pyShape(shape))
	}
	var size int
	switch descr {
	case "<f4":
		size = 4
	case "<f8", "<i8", "<u8":
		size = 8
	case "|u1", "<u1", ">u1", "=u1", "u1":
		descr, size = "|u1", 1
	default:
		return bad("unsupported dtype %q (want '<f4', '<f8', '<i8', '|u1' or '<u8')", descr)
	}
	if n > math.MaxInt/size || n*size != len(data) {
		return bad("shape %s of %s needs %d data bytes, have %d", pyShape(shape), descr, uint64(n)*uint64(size), len(data))
	}
	return Array{Shape: shape, Data: decodeData(descr, n, data)}, nil
}

// decodeData converts len(data) = n·size little-endian bytes to a slice.
func decodeData(descr string, n int, data []byte) any {
	switch descr {
	case "<f4":
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
		}
		return out
	case "<f8":
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return out
	case "<i8":
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(binary.LittleEndian.Uint64(data[8*i:]))
		}
		return out
	case "<u8":
		out := make([]uint64, n)
		for i := range out {
			out[i] = binary.LittleEndian.Uint64(data[8*i:])
		}
		return out
	}
	return append([]uint8{}, data...)
}
