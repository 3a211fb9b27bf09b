package snapshots

import (
	"bytes"
	"errors"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
)

// npyBytes encodes a with WriteNPY; tests compare arrays through it, so NaN
// payloads and -0 compare bitwise.
func npyBytes(t testing.TB, a Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteNPY(&buf, a); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameArray reports whether a and b have equal shapes and bitwise-equal data.
func sameArray(t testing.TB, a, b Array) bool {
	t.Helper()
	return slices.Equal(a.Shape, b.Shape) && a.DType() == b.DType() &&
		bytes.Equal(npyBytes(t, Array{Shape: a.Shape, Data: a.Data}), npyBytes(t, Array{Shape: b.Shape, Data: b.Data}))
}

// testArrays covers every dtype, 0-d, 0-length and n-d shapes, and special
// values (NaN, ±Inf, -0, extreme integers).
func testArrays() []Array {
	nan := float32(math.NaN())
	return []Array{
		{Name: "particles", Shape: []int{3, 2}, Data: []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75}},
		{Name: "special", Shape: []int{5}, Data: []float32{nan, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), math.MaxFloat32}},
		{Name: "nu", Shape: []int{}, Data: []float64{-1.25}},
		{Name: "f8", Shape: []int{2, 1, 2}, Data: []float64{math.Pi, math.SmallestNonzeroFloat64, math.NaN(), -math.MaxFloat64}},
		{Name: "labels", Shape: []int{4}, Data: []int64{0, -1, math.MaxInt64, math.MinInt64}},
		{Name: "pixels", Shape: []int{2, 3}, Data: []uint8{0, 1, 127, 128, 254, 255}},
		{Name: "rng", Shape: []int{2}, Data: []uint64{math.MaxUint64, 0x0123456789abcdef}},
		{Name: "empty", Shape: []int{0, 3}, Data: []float32{}},
		{Name: "empty1", Shape: []int{0}, Data: []int64{}},
		{Name: "empty_u1", Shape: []int{2, 0}, Data: []uint8{}},
		{Name: "empty_u8", Shape: []int{0}, Data: []uint64{}},
		{Name: "empty_f8", Shape: []int{1, 0, 7}, Data: []float64{}},
	}
}

func TestNPYRoundTrip(t *testing.T) {
	for _, a := range testArrays() {
		t.Run(a.Name, func(t *testing.T) {
			b := npyBytes(t, a)
			// Header is padded so the data start on a 64-byte boundary
			// (numpy/lib/format.py ARRAY_ALIGN) and ends with '\n'.
			hlen := 10 + int(b[8]) + int(b[9])<<8
			if hlen%npyAlign != 0 || b[hlen-1] != '\n' {
				t.Errorf("data offset %d (header ends %q), want a multiple of %d after '\\n'", hlen, b[hlen-1], npyAlign)
			}
			got, err := ReadNPY(b)
			if err != nil {
				t.Fatalf("ReadNPY: %v", err)
			}
			if !sameArray(t, got, a) {
				t.Errorf("ReadNPY(WriteNPY(%v)) = %v %v", a.Data, got.Shape, got.Data)
			}
		})
	}
}

// TestNPYMatchesNumPy checks WriteNPY byte for byte against numpy.save
// (testdata/numpy_f4.npy, made by testdata/gen_numpy.py).
func TestNPYMatchesNumPy(t *testing.T) {
	want, err := os.ReadFile("testdata/numpy_f4.npy")
	if err != nil {
		t.Fatal(err)
	}
	a := Array{Shape: []int{3, 2}, Data: []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75}}
	if got := npyBytes(t, a); !bytes.Equal(got, want) {
		t.Errorf("WriteNPY =\n%q\nnumpy.save =\n%q", got, want)
	}
	got, err := ReadNPY(want)
	if err != nil || !sameArray(t, got, a) {
		t.Errorf("ReadNPY(numpy file) = %v, %v; want %v", got, err, a)
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
		{h: "{'descr': '|u1', 'fortran_order': False, 'shape': (), }", descr: "|u1", shape: []int{}},
		{h: "{'descr':'<f8','fortran_order':False,'shape':(2L, 3L, 0L)}", descr: "<f8", shape: []int{2, 3, 0}},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (3, ), }", descr: "<f4", shape: []int{3}},
		{h: "", err: "not a dict"},
		{h: "{'descr': '<f4', 'fortran_order': False}", err: `missing key "shape"`},
		{h: "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", err: "duplicate key"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'x': 1}", err: `unexpected key "x"`},
		{h: "{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", err: "True or False"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (3)}", err: "trailing comma"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (-3,)}", err: "non-negative"},
		{h: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,)}", err: "out of range"},
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

func TestReadNPYErrors(t *testing.T) {
	good := npyBytes(t, Array{Shape: []int{3, 2}, Data: make([]float32, 6)})
	header := func(h string) []byte {
		b := []byte(npyMagic + "\x01\x00")
		b = append(b, byte(len(h)), byte(len(h)>>8))
		return append(b, h...)
	}
	for _, tc := range []struct {
		name string
		b    []byte
		err  string
	}{
		{"empty", nil, "magic"},
		{"magic only", []byte(npyMagic), "magic"},
		{"no header length", []byte(npyMagic + "\x01\x00\x05"), "truncated header"},
		{"short header", good[:40], "truncated header"},
		{"short data", good[:len(good)-1], "needs 24 data bytes, have 23"},
		{"long data", append(slices.Clip(good), 0), "needs 24 data bytes, have 25"},
		{"version 4", append([]byte(npyMagic+"\x04\x00"), good[8:]...), "format version 4.0"},
		{"fortran", header("{'descr': '<f4', 'fortran_order': True, 'shape': (0,), }"), "Fortran"},
		{"big-endian", header("{'descr': '>f4', 'fortran_order': False, 'shape': (0,), }"), `dtype ">f4"`},
		{"int32", header("{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }"), `dtype "<i4"`},
		{"huge shape", header("{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }"), "too large"},
		{"overflowing bytes", header("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }"), "needs"},
		{"bad header", header("{'descr'"), "header:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadNPY(tc.b)
			if !errors.Is(err, errNPY) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ReadNPY error = %v, want errNPY containing %q", err, tc.err)
			}
		})
	}
}

func TestWriteNPYPanics(t *testing.T) {
	for _, tc := range []struct {
		name string
		a    Array
		want string
	}{
		{"unsupported", Array{Shape: []int{1}, Data: []int32{1}}, "snapshots: WriteNPY: unsupported data type"},
		{"nil data", Array{Shape: []int{0}}, "snapshots: WriteNPY: unsupported data type"},
		{"short", Array{Shape: []int{2, 2}, Data: []float32{1, 2, 3}}, "snapshots: WriteNPY: shape mismatch"},
		{"0-d empty", Array{Data: []float64{}}, "snapshots: WriteNPY: shape mismatch"},
		{"negative", Array{Shape: []int{-1}, Data: []float64{}}, "snapshots: WriteNPY: shape mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
			}()
			WriteNPY(&bytes.Buffer{}, tc.a)
		})
	}
}

func BenchmarkWriteNPY(b *testing.B) {
	// MNIST-sized particle state: 2000 particles × 784 pixels.
	a := Array{Shape: []int{2000, 784}, Data: make([]float32, 2000*784)}
	b.SetBytes(int64(4 * 2000 * 784))
	b.ReportAllocs()
	for b.Loop() {
		WriteNPY(discard{}, a)
	}
}

func BenchmarkReadNPY(b *testing.B) {
	a := Array{Shape: []int{2000, 784}, Data: make([]float32, 2000*784)}
	enc := npyBytes(b, a)
	b.SetBytes(int64(len(enc)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadNPY(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// discard is io.Discard without the ReaderFrom shortcut.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
