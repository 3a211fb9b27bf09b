package snapshots

import (
	"bytes"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/gpa-tui/gpa-tui/npy"
)

// npyBytes encodes a with npy.Write; tests compare arrays through it, so NaN
// payloads and -0 compare bitwise.
func npyBytes(t testing.TB, a Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := npy.Write(&buf, a.npy()); err != nil {
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
		{Name: "i4", Shape: []int{2}, Data: []int32{math.MinInt32, 7}},
		{Name: "mask", Shape: []int{3}, Data: []bool{true, false, true}},
	}
}

// TestNPYMatchesNumPy checks the members' encoding (npy.Write) byte for
// byte against numpy.save (testdata/numpy_f4.npy, made by
// testdata/gen_numpy.py), and that it reads back.
func TestNPYMatchesNumPy(t *testing.T) {
	want, err := os.ReadFile("testdata/numpy_f4.npy")
	if err != nil {
		t.Fatal(err)
	}
	a := Array{Shape: []int{3, 2}, Data: []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75}}
	if got := npyBytes(t, a); !bytes.Equal(got, want) {
		t.Errorf("npy.Write =\n%q\nnumpy.save =\n%q", got, want)
	}
	got, err := npy.Read(bytes.NewReader(want), int64(len(want)), math.MaxInt64)
	if err != nil || !sameArray(t, Array{Shape: got.Shape, Data: got.Data}, a) {
		t.Errorf("npy.Read(numpy file) = %v, %v; want %v", got, err, a)
	}
}
