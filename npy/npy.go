// Package npy reads and writes NumPy .npy files: one n-dimensional array of
// a fixed-size numeric dtype. It is the one .npy codec of gpa-tui, shared by
// the sample-matrix reader (package core) and the snapshot files (package
// snapshots), and imports only the standard library.
//
// The reader is built for untrusted input: it parses the header dict, checks
// the shape (overflow, rank) and the data size against the caller's limit
// and, when the stream length is known, against that length before it
// allocates anything; it rejects trailing bytes; and it never panics on bad
// input.
package npy

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

// The .npy layout follows numpy/lib/format.py (NumPy 1.24): the magic
// "\x93NUMPY", a major and minor version byte, a little-endian header length
// (uint16 for 1.0, uint32 for 2.0 and 3.0), then an ASCII (3.0: UTF-8)
// Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...), }
// padded with spaces and a final '\n' so that the data start on a 64-byte
// boundary.
const (
	magic = "\x93NUMPY"
	// align is ARRAY_ALIGN in numpy/lib/format.py.
	align = 64
	// maxHeader bounds the header length we accept. numpy reads at most
	// 10000 bytes by default (_MAX_HEADER_SIZE); a version 1.0 header can
	// be 65535 bytes, and we allow that much in every version.
	maxHeader = math.MaxUint16
	// MaxDims is the largest rank accepted and written: NPY_MAXDIMS of
	// NumPy 2 (it was 32 in NumPy 1).
	MaxDims = 64
	// chunk is the number of bytes read or written at a time, so that no
	// stream is ever copied whole.
	chunk = 1 << 16
)

// Errors returned (wrapped) by Read and ReadFile; test with errors.Is.
var (
	// ErrFormat: the data are not a well-formed .npy file of a supported
	// dtype (bad magic or header, truncated or trailing data, ...).
	ErrFormat = errors.New("bad .npy data")
	// ErrTooLarge: the header declares more data than the caller's limit.
	ErrTooLarge = errors.New("array too large")
)

// Array is an n-dimensional array in C (row-major) order.
type Array struct {
	// Shape holds the dimensions; an empty Shape is a 0-d array of one
	// element.
	Shape []int
	// Data is a []float32, []float64, []int32, []int64, []uint8, []uint64
	// or []bool whose length is the product of Shape.
	Data any
}

// Len returns the number of elements Shape describes, or -1 when a
// dimension is negative or the product overflows int.
func (a Array) Len() int { return shapeLen(a.Shape) }

// DType returns the NumPy type string of a.Data ("<f4", "<f8", "<i4",
// "<i8", "|u1", "<u8" or "|b1"), or "" when a.Data is not a supported slice.
func (a Array) DType() string {
	descr, _, _ := dataInfo(a.Data)
	return descr
}

// Float32s returns the data of a float32 or float64 array as a []float32:
// a.Data itself for "<f4", a rounded copy for "<f8". Other dtypes are an
// error wrapping ErrFormat.
func Float32s(a Array) ([]float32, error) {
	switch d := a.Data.(type) {
	case []float32:
		return d, nil
	case []float64:
		out := make([]float32, len(d))
		for i, v := range d {
			out[i] = float32(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: dtype %s, want float32 ('<f4') or float64 ('<f8')", ErrFormat, a.DType())
}

// FormatShape formats shape as a Python tuple, as numpy prints it: "()",
// "(3,)", "(3, 2)".
func FormatShape(shape []int) string {
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

// shapeLen is the product of shape, or -1 for a negative dimension or an
// overflow of int.
func shapeLen(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return -1
		}
		if d != 0 && n > math.MaxInt/d {
			return -1
		}
		n *= d
	}
	return n
}

// dataInfo reports the NumPy descr, the element size in bytes and the
// length of data; descr is "" when data is not a supported slice.
func dataInfo(data any) (descr string, size, n int) {
	switch d := data.(type) {
	case []float32:
		return "<f4", 4, len(d)
	case []float64:
		return "<f8", 8, len(d)
	case []int32:
		return "<i4", 4, len(d)
	case []int64:
		return "<i8", 8, len(d)
	case []uint8:
		return "|u1", 1, len(d)
	case []uint64:
		return "<u8", 8, len(d)
	case []bool:
		return "|b1", 1, len(d)
	}
	return "", 0, 0
}

// Write writes a to w as a .npy file: format 1.0, little-endian, C order,
// byte for byte what numpy.save writes for the same array. It panics if
// a.Data is not a supported slice, its length is not the product of
// a.Shape, or a.Shape has more than MaxDims dimensions.
func Write(w io.Writer, a Array) error {
	descr, _, n := dataInfo(a.Data)
	if descr == "" {
		panic("npy: Write: unsupported data type")
	}
	if a.Len() != n {
		panic("npy: Write: shape mismatch")
	}
	if len(a.Shape) > MaxDims {
		panic("npy: Write: too many dimensions")
	}
	if _, err := w.Write(header(descr, a.Shape)); err != nil {
		return err
	}
	return writeData(w, a.Data)
}

// header returns magic, version 1.0, header length and the padded header.
// With at most MaxDims dimensions the header is far below 65535 bytes.
func header(descr string, shape []int) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, FormatShape(shape))
	pre := len(magic) + 2 + 2
	pad := (align - (pre+len(h)+1)%align) % align
	hlen := len(h) + pad + 1
	b := make([]byte, 0, pre+hlen)
	b = append(b, magic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(hlen))
	b = append(b, h...)
	for range pad {
		b = append(b, ' ')
	}
	return append(b, '\n')
}

// writeData writes data little-endian in chunks of at most chunk bytes.
func writeData(w io.Writer, data any) error {
	switch d := data.(type) {
	case []uint8:
		_, err := w.Write(d)
		return err
	case []float32:
		return writeChunks(w, d, 4, func(b []byte, v float32) []byte {
			return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		})
	case []float64:
		return writeChunks(w, d, 8, func(b []byte, v float64) []byte {
			return binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		})
	case []int32:
		return writeChunks(w, d, 4, func(b []byte, v int32) []byte { return binary.LittleEndian.AppendUint32(b, uint32(v)) })
	case []int64:
		return writeChunks(w, d, 8, func(b []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(b, uint64(v)) })
	case []uint64:
		return writeChunks(w, d, 8, binary.LittleEndian.AppendUint64)
	case []bool:
		return writeChunks(w, d, 1, func(b []byte, v bool) []byte {
			if v {
				return append(b, 1)
			}
			return append(b, 0)
		})
	}
	panic("npy: Write: unsupported data type") // unreachable: checked by Write
}

// writeChunks encodes data with put, size bytes per element, and writes it
// chunk bytes at a time.
func writeChunks[T any](w io.Writer, data []T, size int, put func([]byte, T) []byte) error {
	per := chunk / size
	buf := make([]byte, 0, min(len(data), per)*size)
	for len(data) > 0 {
		k := min(len(data), per)
		buf = buf[:0]
		for _, v := range data[:k] {
			buf = put(buf, v)
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		data = data[k:]
	}
	return nil
}

// dtype is one supported element type.
type dtype struct {
	descr string // canonical NumPy type string
	size  int    // bytes per element
}

// lookupDType maps a header descr to a supported dtype. One-byte types
// accept any byte-order character ('|', '<', '>', '=' or none), as numpy
// does; wider types must be little-endian.
func lookupDType(descr string) (dtype, error) {
	switch descr {
	case "<f4":
		return dtype{"<f4", 4}, nil
	case "<f8":
		return dtype{"<f8", 8}, nil
	case "<i4":
		return dtype{"<i4", 4}, nil
	case "<i8":
		return dtype{"<i8", 8}, nil
	case "<u8":
		return dtype{"<u8", 8}, nil
	case "|u1", "<u1", ">u1", "=u1", "u1":
		return dtype{"|u1", 1}, nil
	case "|b1", "<b1", ">b1", "=b1", "b1":
		return dtype{"|b1", 1}, nil
	case ">f4", ">f8", ">i4", ">i8", ">u8":
		return dtype{}, fmt.Errorf("big-endian dtype %q is not supported (save with a.astype('<%s'))", descr, descr[1:])
	}
	return dtype{}, fmt.Errorf("unsupported dtype %q (want '<f4', '<f8', '<i4', '<i8', '<u8', '|u1' or '|b1')", descr)
}

// Read decodes one .npy file from r.
//
// size is the number of bytes r holds (a file's or a zip member's size), or
// -1 when it is unknown (a gzip stream). With a known size, the data length
// the header implies is checked against it before anything is allocated;
// with an unknown size, memory grows only with the bytes actually read.
// limit caps the data size in bytes (the product of the shape and the
// element size); a header declaring more is refused before any allocation
// with an error wrapping ErrTooLarge. Use math.MaxInt64 for no limit.
//
// Read consumes r to its end: bytes after the data are an error, and a zip
// member's checksum is verified. Supported are format versions 1.0, 2.0
// and 3.0, the dtypes '<f4', '<f8', '<i4', '<i8', '<u8', '|u1' and '|b1',
// and both C and Fortran order (a Fortran-order array is returned
// transposed into C order). Malformed or unsupported input is an error
// wrapping ErrFormat; an error of r is returned wrapped. Read never panics
// on bad input; it panics if limit is negative.
func Read(r io.Reader, size, limit int64) (Array, error) {
	if limit < 0 {
		panic("npy: Read: negative limit")
	}
	bad := func(format string, args ...any) (Array, error) {
		return Array{}, fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
	}
	ioErr := func(what string, err error) (Array, error) {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return bad("truncated %s", what)
		}
		return Array{}, fmt.Errorf("reading the %s: %w", what, err)
	}
	var pre [len(magic) + 2]byte
	if n, err := io.ReadFull(r, pre[:]); n < len(magic) || string(pre[:len(magic)]) != magic {
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return ioErr("magic", err)
		}
		return bad("no \\x93NUMPY magic")
	} else if err != nil {
		return ioErr("header", err)
	}
	major, minor := pre[len(magic)], pre[len(magic)+1]
	var lenBytes int
	switch {
	case major == 1 && minor == 0:
		lenBytes = 2
	case (major == 2 || major == 3) && minor == 0:
		lenBytes = 4
	default:
		return bad("unsupported format version %d.%d", major, minor)
	}
	var lb [4]byte
	if _, err := io.ReadFull(r, lb[:lenBytes]); err != nil {
		return ioErr("header", err)
	}
	hlen := int64(binary.LittleEndian.Uint32(lb[:])) // lb[2:] is zero for 1.0
	if hlen > maxHeader {
		return bad("header of %d bytes is too long", hlen)
	}
	start := int64(len(pre)+lenBytes) + hlen // offset of the data
	if size >= 0 && start > size {
		return bad("truncated header")
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return ioErr("header", err)
	}
	descr, fortran, shape, err := parseHeader(string(h))
	if err != nil {
		return bad("header: %v", err)
	}
	dt, err := lookupDType(descr)
	if err != nil {
		return bad("%v", err)
	}
	n := shapeLen(shape)
	if n < 0 || int64(n) > math.MaxInt64/int64(dt.size) {
		return Array{}, fmt.Errorf("%w: shape %s of %s overflows", ErrTooLarge, FormatShape(shape), dt.descr)
	}
	need := int64(n) * int64(dt.size)
	if need > limit {
		return Array{}, fmt.Errorf("%w: shape %s of %s needs %d data bytes, above the limit of %d",
			ErrTooLarge, FormatShape(shape), dt.descr, need, limit)
	}
	if size >= 0 && size-start != need {
		return bad("shape %s of %s needs %d data bytes, have %d", FormatShape(shape), dt.descr, need, size-start)
	}
	data, got, err := readData(r, dt, n, size >= 0)
	if err != nil {
		return Array{}, fmt.Errorf("reading the data: %w", err)
	}
	if got < n {
		return bad("shape %s of %s needs %d data bytes, have %d", FormatShape(shape), dt.descr, need, int64(got)*int64(dt.size))
	}
	// Read to the end: trailing bytes are an error, and io.EOF is where a
	// zip member's reader checks the CRC-32.
	var one [1]byte
	k, err := io.ReadFull(r, one[:])
	if k > 0 {
		return bad("trailing bytes after the %d data bytes of shape %s", need, FormatShape(shape))
	}
	if !errors.Is(err, io.EOF) {
		return Array{}, fmt.Errorf("reading the data: %w", err)
	}
	if fortran {
		data = fromFortran(data, shape)
	}
	return Array{Shape: shape, Data: data}, nil
}

// readData reads n elements of dt from r. With exact set, the caller has
// checked that r holds them and the slice is allocated at once; otherwise
// it grows with the data read. It returns the slice and the number of
// whole elements read; got < n means r ended early.
func readData(r io.Reader, dt dtype, n int, exact bool) (data any, got int, err error) {
	switch dt.descr {
	case "<f4":
		return readElems(r, n, 4, exact, func(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) })
	case "<f8":
		return readElems(r, n, 8, exact, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) })
	case "<i4":
		return readElems(r, n, 4, exact, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
	case "<i8":
		return readElems(r, n, 8, exact, func(b []byte) int64 { return int64(binary.LittleEndian.Uint64(b)) })
	case "<u8":
		return readElems(r, n, 8, exact, binary.LittleEndian.Uint64)
	case "|u1":
		return readElems(r, n, 1, exact, func(b []byte) uint8 { return b[0] })
	case "|b1":
		// numpy stores True as 1; like numpy, any non-zero byte reads as true.
		return readElems(r, n, 1, exact, func(b []byte) bool { return b[0] != 0 })
	}
	panic("npy: readData: unknown dtype " + dt.descr) // unreachable: lookupDType
}

// readElems reads up to n elements of size bytes, decoding each with get,
// chunk bytes at a time. With exact unset the result starts small and grows
// with the data, so a short stream that declares a huge shape costs only
// what it holds.
func readElems[T any](r io.Reader, n, size int, exact bool, get func([]byte) T) ([]T, int, error) {
	per := chunk / size
	var out []T
	if exact {
		out = make([]T, 0, n)
	} else {
		out = make([]T, 0, min(n, per))
	}
	buf := make([]byte, min(n, per)*size)
	for len(out) < n {
		b := buf[:min(n-len(out), per)*size]
		k, err := io.ReadFull(r, b)
		for i := 0; i+size <= k; i += size {
			out = append(out, get(b[i:i+size]))
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return out, len(out), nil
		}
		if err != nil {
			return nil, 0, err
		}
	}
	return out, n, nil
}

// fromFortran returns the C-order copy of data, which holds an array of the
// given shape in Fortran (column-major) order. Element (i₀, …, i_{k−1}) is
// at Σ_j i_j·∏_{l<j} s_l in Fortran order and at Σ_j i_j·∏_{l>j} s_l in C
// order; the loop walks the Fortran offsets in sequence and keeps the
// multi-index and its C offset up to date.
func fromFortran(data any, shape []int) any {
	switch d := data.(type) {
	case []float32:
		return transpose(d, shape)
	case []float64:
		return transpose(d, shape)
	case []int32:
		return transpose(d, shape)
	case []int64:
		return transpose(d, shape)
	case []uint8:
		return transpose(d, shape)
	case []uint64:
		return transpose(d, shape)
	case []bool:
		return transpose(d, shape)
	}
	panic("npy: fromFortran: unsupported data type") // unreachable
}

// transpose is fromFortran for one element type.
func transpose[T any](src []T, shape []int) []T {
	if len(shape) < 2 || len(src) == 0 {
		return src // 0-d and 1-d arrays are the same in both orders
	}
	k := len(shape)
	stride := make([]int, k) // C-order strides
	stride[k-1] = 1
	for j := k - 2; j >= 0; j-- {
		stride[j] = stride[j+1] * shape[j+1]
	}
	idx := make([]int, k)
	dst := make([]T, len(src))
	c := 0
	for _, v := range src {
		dst[c] = v
		// Increment the multi-index, first dimension fastest.
		for j := 0; j < k; j++ {
			idx[j]++
			c += stride[j]
			if idx[j] < shape[j] {
				break
			}
			c -= idx[j] * stride[j]
			idx[j] = 0
		}
	}
	return dst
}

// ReadFile reads the .npy file at path (see Read), refusing anything but a
// regular file before reading: a FIFO, a device or a directory is an error
// wrapping ErrFormat, and opening never blocks. Errors name path.
func ReadFile(path string, limit int64) (Array, error) {
	f, size, err := inputfile.Open(path)
	if errors.Is(err, inputfile.ErrNotRegular) {
		return Array{}, fmt.Errorf("npy: %w: %w", err, ErrFormat)
	}
	if err != nil {
		return Array{}, fmt.Errorf("npy: %w", err)
	}
	defer f.Close()
	a, err := Read(f, size, limit)
	if err != nil {
		return Array{}, fmt.Errorf("npy: %s: %w", path, err)
	}
	return a, nil
}
