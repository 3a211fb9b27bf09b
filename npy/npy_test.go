package npy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// encode is Write into memory.
func encode(t testing.TB, a Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// same reports whether a and b have equal shapes and dtypes and bitwise
// equal data (NaN payloads and -0 included), comparing their encodings.
func same(t testing.TB, a, b Array) bool {
	t.Helper()
	return slices.Equal(a.Shape, b.Shape) && a.DType() == b.DType() && bytes.Equal(encode(t, a), encode(t, b))
}

// readAll is Read of b with its size known.
func readAll(b []byte, limit int64) (Array, error) {
	return Read(bytes.NewReader(b), int64(len(b)), limit)
}

// withHeader returns a version major.0 file with the header dict h
// (unpadded) followed by data.
func withHeader(major byte, h string, data []byte) []byte {
	b := []byte(magic)
	b = append(b, major, 0)
	if major == 1 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(h)))
	}
	b = append(b, h...)
	return append(b, data...)
}

// testArrays covers every dtype, 0-d, 0-length and n-d shapes, and special
// values (NaN, ±Inf, -0, extreme integers).
func testArrays() map[string]Array {
	nan := float32(math.NaN())
	return map[string]Array{
		"f4":       {Shape: []int{3, 2}, Data: []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75}},
		"special":  {Shape: []int{5}, Data: []float32{nan, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), math.MaxFloat32}},
		"scalar":   {Shape: []int{}, Data: []float64{-1.25}},
		"f8":       {Shape: []int{2, 1, 2}, Data: []float64{math.Pi, math.SmallestNonzeroFloat64, math.NaN(), -math.MaxFloat64}},
		"i4":       {Shape: []int{4}, Data: []int32{0, -1, math.MaxInt32, math.MinInt32}},
		"i8":       {Shape: []int{4}, Data: []int64{0, -1, math.MaxInt64, math.MinInt64}},
		"u1":       {Shape: []int{2, 3}, Data: []uint8{0, 1, 127, 128, 254, 255}},
		"u8":       {Shape: []int{2}, Data: []uint64{math.MaxUint64, 0x0123456789abcdef}},
		"b1":       {Shape: []int{3}, Data: []bool{true, false, true}},
		"empty":    {Shape: []int{0, 3}, Data: []float32{}},
		"empty i8": {Shape: []int{0}, Data: []int64{}},
		"empty b1": {Shape: []int{2, 0}, Data: []bool{}},
		"empty f8": {Shape: []int{1, 0, 7}, Data: []float64{}},
		"big":      {Shape: []int{3, 20000}, Data: make([]float32, 60000)}, // several chunks
	}
}

func TestRoundTrip(t *testing.T) {
	for name, a := range testArrays() {
		t.Run(name, func(t *testing.T) {
			b := encode(t, a)
			// The data start on a 64-byte boundary after a '\n'
			// (numpy/lib/format.py ARRAY_ALIGN).
			hlen := 10 + int(b[8]) + int(b[9])<<8
			if hlen%align != 0 || b[hlen-1] != '\n' {
				t.Errorf("data offset %d (header ends %q), want a multiple of %d after '\\n'", hlen, b[hlen-1], align)
			}
			got, err := readAll(b, math.MaxInt64)
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if !same(t, got, a) {
				t.Errorf("Read(Write(%v)) = %v %v", a.Shape, got.Shape, got.Data)
			}
			// A stream of unknown length reads the same.
			got, err = Read(bytes.NewReader(b), -1, math.MaxInt64)
			if err != nil || !same(t, got, a) {
				t.Errorf("Read of unknown size = %v, %v", got.Shape, err)
			}
		})
	}
}

// TestNumPyBytes checks Write byte for byte against numpy.save of
// np.arange(6, dtype='<f4').reshape(3, 2) / 4 - 0.5 (NumPy 1.24; the same
// bytes as snapshots/testdata/numpy_f4.npy).
func TestNumPyBytes(t *testing.T) {
	h := "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }"
	want := withHeader(1, padded(h), nil)
	for _, v := range []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75} {
		want = binary.LittleEndian.AppendUint32(want, math.Float32bits(v))
	}
	if got := encode(t, testArrays()["f4"]); !bytes.Equal(got, want) {
		t.Errorf("Write =\n%q\nnumpy.save =\n%q", got, want)
	}
}

func TestVersions(t *testing.T) {
	data := binary.LittleEndian.AppendUint64(nil, math.Float64bits(2.5))
	h := "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }\n"
	for _, major := range []byte{1, 2, 3} {
		a, err := readAll(withHeader(major, h, data), 8)
		if got, _ := a.Data.([]float64); err != nil || len(got) != 1 || got[0] != 2.5 {
			t.Errorf("version %d.0: %v %v, %v; want [2.5]", major, a.Shape, a.Data, err)
		}
	}
}

// TestFortranOrder reads a (2, 3, 4) array stored in Fortran order, where
// element (i, j, k) = 100i + 10j + k sits at offset i + 2j + 6k, and
// checks it comes back in C order at offset 12i + 4j + k.
func TestFortranOrder(t *testing.T) {
	var data []byte
	f := make([]int64, 24)
	for i := range 2 {
		for j := range 3 {
			for k := range 4 {
				f[i+2*j+6*k] = int64(100*i + 10*j + k)
			}
		}
	}
	for _, v := range f {
		data = binary.LittleEndian.AppendUint64(data, uint64(v))
	}
	for _, h := range []string{
		"{'descr': '<i8', 'fortran_order': True, 'shape': (2, 3, 4), }",
		"{'descr':'<i8','fortran_order':True,'shape':(2,3,4)}", // no spaces
		"{\"shape\": (2, 3, 4),\n \"fortran_order\":\tTrue, \"descr\": \"<i8\"}",
	} {
		a, err := readAll(withHeader(1, h, data), math.MaxInt64)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		got := a.Data.([]int64)
		for i := range 2 {
			for j := range 3 {
				for k := range 4 {
					if v := got[12*i+4*j+k]; v != int64(100*i+10*j+k) {
						t.Fatalf("%s: element (%d, %d, %d) = %d, want %d", h, i, j, k, v, 100*i+10*j+k)
					}
				}
			}
		}
	}
	// 1-d and 0-d arrays are the same in both orders.
	a, err := readAll(withHeader(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }", data[:8]), 8)
	if err != nil || !same(t, a, Array{Shape: []int{2}, Data: []float32{math.Float32frombits(0), math.Float32frombits(0)}}) {
		t.Errorf("1-d Fortran array: %v %v, %v", a.Shape, a.Data, err)
	}
}

func TestParseHeader(t *testing.T) {
	for _, tc := range []struct {
		h       string
		descr   string
		fortran bool
		shape   []int
		err     string // substring of the error; "" means success
	}{
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }      \n", descr: "<f4", shape: []int{3, 2}},
		{h: `{"shape": (7,), "descr": "<i8", "fortran_order": True}`, descr: "<i8", fortran: true, shape: []int{7}},
		{h: "{'descr':'<f4','fortran_order':True,'shape':(1,)}", descr: "<f4", fortran: true, shape: []int{1}},
		{h: "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", descr: "|u1", shape: []int{}},
		{h: "{'descr':'<f8','fortran_order':False,'shape':(2L, 3L, 0L)}", descr: "<f8", shape: []int{2, 3, 0}},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, ), }", descr: "<f4", shape: []int{3}},
		{h: "", err: "not a dict"},
		{h: "{'descr': '<f4', 'fortran_order': False}", err: `missing key "shape"`},
		{h: "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", err: "duplicate key"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", err: `unexpected key "x"`},
		{h: "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", err: "True or False"},
		{h: "{'descr': '<f4', 'fortran_order': Truely, 'shape': ()}", err: "expected ','"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", err: "trailing comma"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}", err: "non-negative"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (3,,)}", err: "non-negative"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", err: "out of range"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (" + strings.Repeat("1,", MaxDims+1) + ")}", err: "more than 64 dimensions"},
		{h: "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", err: "expected a string"},
		{h: "{'descr': '<f4, 'fortran_order': False, 'shape': ()}", err: "expected ','"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': ()} x", err: "trailing bytes"},
		{h: "{'descr': '<f4'", err: "expected ','"},
		{h: "{'descr': '<f4", err: "unterminated"},
	} {
		t.Run(tc.h, func(t *testing.T) {
			descr, fortran, shape, err := parseHeader(tc.h)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseHeader error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || descr != tc.descr || fortran != tc.fortran || !slices.Equal(shape, tc.shape) {
				t.Errorf("parseHeader = %q, %v, %v, %v; want %q, %v, %v", descr, fortran, shape, err, tc.descr, tc.fortran, tc.shape)
			}
		})
	}
}

// padded pads a header dict the way numpy does, so that a version 1.0 file's
// data start at a multiple of 64 bytes.
func padded(h string) string {
	pad := (align - (10+len(h)+1)%align) % align
	return h + strings.Repeat(" ", pad) + "\n"
}

// header1 is a version 1.0 file with header dict h and no data.
func header1(h string) []byte { return withHeader(1, h, nil) }

func TestReadErrors(t *testing.T) {
	good := encode(t, Array{Shape: []int{3, 2}, Data: make([]float32, 6)})
	for _, tc := range []struct {
		name  string
		b     []byte
		limit int64
		is    error
		err   string
	}{
		{"empty", nil, 1 << 20, ErrFormat, "magic"},
		{"magic only", []byte(magic), 1 << 20, ErrFormat, "truncated header"},
		{"not npy", []byte("PK\x03\x04 a zip file"), 1 << 20, ErrFormat, "magic"},
		{"no header length", []byte(magic + "\x01\x00\x05"), 1 << 20, ErrFormat, "truncated header"},
		{"short header", good[:40], 1 << 20, ErrFormat, "truncated header"},
		{"short data", good[:len(good)-1], 1 << 20, ErrFormat, "needs 24 data bytes, have 23"},
		{"trailing byte", append(slices.Clip(good), 0), 1 << 20, ErrFormat, "needs 24 data bytes, have 25"},
		{"version 4", append([]byte(magic+"\x04\x00"), good[8:]...), 1 << 20, ErrFormat, "format version 4.0"},
		{"version 1.1", append([]byte(magic+"\x01\x01"), good[8:]...), 1 << 20, ErrFormat, "format version 1.1"},
		{"long header", []byte(magic + "\x02\x00\x00\x00\x01\x00"), 1 << 20, ErrFormat, "header of 65536 bytes is too long"},
		{"big-endian", header1("{'descr': '>f4', 'fortran_order': False, 'shape': (0,), }"), 1 << 20, ErrFormat, `big-endian dtype ">f4"`},
		{"int16", header1("{'descr': '<i2', 'fortran_order': False, 'shape': (0,), }"), 1 << 20, ErrFormat, `unsupported dtype "<i2"`},
		{"object", header1("{'descr': '|O', 'fortran_order': False, 'shape': (0,), }"), 1 << 20, ErrFormat, `unsupported dtype "|O"`},
		{"bad header", header1("{'descr'"), 1 << 20, ErrFormat, "header:"},
		// Issue #14: a shape whose product overflowed int made makeslice
		// panic; one that wrapped to 0 was accepted.
		{"product > MaxInt", header1("{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 3037000500), }"), math.MaxInt64, ErrTooLarge, "overflows"},
		{"product wraps to 0", header1("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), math.MaxInt64, ErrTooLarge, "overflows"},
		{"bytes overflow", header1("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"), math.MaxInt64, ErrTooLarge, "overflows"},
		{"above the limit", good, 23, ErrTooLarge, "needs 24 data bytes, above the limit of 23"},
		// Issue #14: 128 bytes declaring 4 GiB of float32 allocated it
		// twice before noticing the data were missing.
		{"4 GiB declared", header1(padded("{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }")), math.MaxInt64, ErrFormat,
			"needs 4294967296 data bytes, have 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readAll(tc.b, tc.limit)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("Read error = %v, want %v containing %q", err, tc.is, tc.err)
			}
		})
	}
}

// TestReadUnknownSize: without a known size, a short stream declaring a huge
// array costs only what it holds, and trailing bytes are still found.
func TestReadUnknownSize(t *testing.T) {
	huge := header1(padded("{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }"))
	huge = append(huge, make([]byte, 1000)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Read(bytes.NewReader(huge), -1, math.MaxInt64)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "needs 4294967296 data bytes, have 1000") || len(huge) != 1128 {
		t.Errorf("error = %v, want ErrFormat about 1000 of 4294967296 bytes", err)
	}
	// 1 MiB: the chunk buffer, the first slice and slack for the runtime;
	// the old reader allocated 8 GiB here.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("reading a 1128-byte stream allocated %d bytes", alloc)
	}
	good := encode(t, Array{Shape: []int{2}, Data: []float64{1, 2}})
	if _, err := Read(bytes.NewReader(append(good, 'x')), -1, 1<<20); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "trailing bytes") {
		t.Errorf("trailing byte: error = %v, want ErrFormat about trailing bytes", err)
	}
	if _, err := Read(bytes.NewReader(good[:len(good)-3]), -1, 1<<20); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "needs 16 data bytes, have 8") {
		t.Errorf("short stream: error = %v, want ErrFormat about 8 of 16 bytes", err)
	}
}

// failingReader returns its data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// TestReadIOError: an error of the reader, at any point (a zip member's
// checksum error comes at the end), is returned wrapped.
func TestReadIOError(t *testing.T) {
	good := encode(t, Array{Shape: []int{2}, Data: []float64{1, 2}})
	errDisk := errors.New("simulated I/O error")
	for _, n := range []int{0, 3, 9, 40, len(good) - 1, len(good)} {
		_, err := Read(&failingReader{good[:n], errDisk}, int64(len(good)), 1<<20)
		if !errors.Is(err, errDisk) {
			t.Errorf("error after %d bytes: Read = %v, want it wrapped", n, err)
		}
	}
}

func TestWritePanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Array
		want string
	}{
		{"unsupported", Array{Shape: []int{1}, Data: []int16{1}}, "npy: Write: unsupported data type"},
		{"nil data", Array{Shape: []int{0}}, "npy: Write: unsupported data type"},
		{"short", Array{Shape: []int{2, 2}, Data: []float32{1, 2, 3}}, "npy: Write: shape mismatch"},
		{"0-d empty", Array{Data: []float64{}}, "npy: Write: shape mismatch"},
		{"negative", Array{Shape: []int{-1}, Data: []float64{}}, "npy: Write: shape mismatch"},
		{"rank", Array{Shape: make([]int, MaxDims+1), Data: []bool{}}, "npy: Write: too many dimensions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
			}()
			Write(io.Discard, tc.a)
		})
	}
}

func TestFloat32s(t *testing.T) {
	f4 := []float32{1, 2}
	if got, err := Float32s(Array{Shape: []int{2}, Data: f4}); err != nil || &got[0] != &f4[0] {
		t.Errorf("Float32s(<f4) = %v, %v; want the same slice", got, err)
	}
	if got, err := Float32s(Array{Shape: []int{2}, Data: []float64{0.1, 1e300}}); err != nil || got[0] != float32(0.1) || !math.IsInf(float64(got[1]), 1) {
		t.Errorf("Float32s(<f8) = %v, %v; want [0.1 +Inf]", got, err)
	}
	if _, err := Float32s(Array{Shape: []int{1}, Data: []int64{1}}); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "dtype <i8") {
		t.Errorf("Float32s(<i8) error = %v", err)
	}
}

func TestFormatShape(t *testing.T) {
	for _, tc := range []struct {
		shape []int
		want  string
	}{{nil, "()"}, {[]int{3}, "(3,)"}, {[]int{3, 2}, "(3, 2)"}, {[]int{0, 1, 2}, "(0, 1, 2)"}} {
		if got := FormatShape(tc.shape); got != tc.want {
			t.Errorf("FormatShape(%v) = %q, want %q", tc.shape, got, tc.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.npy")
	a := testArrays()["f8"]
	if err := os.WriteFile(path, encode(t, a), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := ReadFile(path, 1<<20)
	if err != nil || !same(t, got, a) {
		t.Errorf("ReadFile = %v %v, %v", got.Shape, got.Data, err)
	}
	if _, err := ReadFile(path, 8); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadFile with a small limit: %v, want ErrTooLarge naming %s", err, path)
	}
	if _, err := ReadFile(dir, 1<<20); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not a regular file (a directory)") {
		t.Errorf("ReadFile(directory) = %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "nope.npy"), 1<<20); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ReadFile(missing) = %v, want ErrNotExist", err)
	}
}
