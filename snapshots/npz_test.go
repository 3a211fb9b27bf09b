package snapshots

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// testMeta is caller metadata with the kinds of values phase 2 stores.
var testMeta = []byte(`{"preset": {"name": "gauss4", "lipschitz": 1, "dt": 0.5}, "step": 1200,
	"history": [{"step": 0, "divergence": 2.5}], "note": "a<b & ν"}`)

// encodeNPZ is WriteNPZ into memory.
func encodeNPZ(t testing.TB, meta []byte, arrays []Array) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteNPZ(&buf, meta, arrays); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sameJSON reports whether a and b decode to equal values.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("json %q: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("json %q: %v", b, err)
	}
	ja, _ := json.Marshal(va)
	jb, _ := json.Marshal(vb)
	return bytes.Equal(ja, jb)
}

func TestNPZRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name   string
		meta   []byte
		arrays []Array
	}{
		{"all dtypes", testMeta, testArrays()},
		{"no arrays", []byte(`{}`), nil},
		{"nil meta", nil, testArrays()[:1]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := encodeNPZ(t, tc.meta, tc.arrays)
			meta, arrays, err := ReadNPZ(bytes.NewReader(b), int64(len(b)), Limits{})
			if err != nil {
				t.Fatalf("ReadNPZ: %v", err)
			}
			wantMeta := tc.meta
			if wantMeta == nil {
				wantMeta = []byte("null")
			}
			if !sameJSON(t, meta, wantMeta) {
				t.Errorf("meta = %s, want %s", meta, wantMeta)
			}
			if len(arrays) != len(tc.arrays) {
				t.Errorf("got %d arrays, want %d", len(arrays), len(tc.arrays))
			}
			for _, a := range tc.arrays {
				if got, ok := arrays[a.Name]; !ok || got.Name != a.Name || !sameArray(t, got, a) {
					t.Errorf("array %q = %+v, want %+v", a.Name, got, a)
				}
			}
			if again := encodeNPZ(t, tc.meta, tc.arrays); !bytes.Equal(again, b) {
				t.Error("WriteNPZ is not deterministic")
			}
		})
	}
}

// TestReadNumPyFiles reads archives written by numpy.savez (zip64 local
// headers, testdata/gen_numpy.py).
func TestReadNumPyFiles(t *testing.T) {
	meta, arrays, err := ReadFile("testdata/numpy_savez.npz", Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, meta, []byte(`{"by": "numpy", "step": 7}`)) {
		t.Errorf("meta = %s", meta)
	}
	want := []Array{
		{Name: "particles", Shape: []int{3, 2}, Data: []float32{-0.5, -0.25, 0, 0.25, 0.5, 0.75}},
		{Name: "nu", Shape: []int{3}, Data: []float64{1.5, -2.25, math.Pi}},
		{Name: "ints", Shape: []int{2, 2}, Data: []int64{-1, 1 << 40, 3, -1 << 62}},
		{Name: "bytes", Shape: []int{5}, Data: []uint8{0, 50, 100, 150, 200}},
		{Name: "state", Shape: []int{2}, Data: []uint64{math.MaxUint64, 7}},
		{Name: "empty", Shape: []int{0, 3}, Data: []float32{}},
		{Name: "scalar", Shape: []int{}, Data: []float64{2.5}},
	}
	if len(arrays) != len(want) {
		t.Errorf("got %d arrays, want %d", len(arrays), len(want))
	}
	for _, a := range want {
		if got := arrays[a.Name]; !sameArray(t, got, a) {
			t.Errorf("array %q = %v %v, want %v %v", a.Name, got.Shape, got.Data, a.Shape, a.Data)
		}
	}
	// savez_compressed (deflate) without meta.json is a foreign .npz.
	_, _, err = ReadFile("testdata/numpy_savez_compressed.npz", Limits{})
	if !errors.Is(err, ErrNotSnapshot) || !strings.Contains(err.Error(), "no meta.json") {
		t.Errorf("foreign npz: err = %v, want ErrNotSnapshot about meta.json", err)
	}
}

// TestNPZMembers checks the archive layout numpy relies on: meta.json plus
// NAME.npy members whose bytes are plain .npy files.
func TestNPZMembers(t *testing.T) {
	b := encodeNPZ(t, testMeta, testArrays()[:2])
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if want := []string{"meta.json", "particles.npy", "special.npy"}; !slices.Equal(names, want) {
		t.Errorf("members = %q, want %q", names, want)
	}
	rc, _ := zr.File[0].Open()
	var env map[string]any
	if err := json.NewDecoder(rc).Decode(&env); err != nil {
		t.Fatal(err)
	}
	if env["format"] != "gpa-tui snapshot" || env["version"] != float64(FormatVersion) || env["meta"] == nil {
		t.Errorf("meta.json = %v, want the envelope", env)
	}
}

func TestGet(t *testing.T) {
	arrays := map[string]Array{}
	for _, a := range testArrays() {
		arrays[a.Name] = a
	}
	if p, err := Get[float32](arrays, "particles", 3, 2); err != nil || len(p) != 6 || p[5] != 0.75 {
		t.Errorf("Get particles = %v, %v", p, err)
	}
	if p, err := Get[float32](arrays, "particles", -1, 2); err != nil || len(p) != 6 {
		t.Errorf("Get with wildcard = %v, %v", p, err)
	}
	if _, err := Get[uint64](arrays, "rng"); err != nil {
		t.Errorf("Get any shape: %v", err)
	}
	for _, tc := range []struct {
		name string
		get  func() error
		err  string
	}{
		{"missing", func() error { _, err := Get[float32](arrays, "target"); return err }, `array "target" is missing`},
		{"dtype", func() error { _, err := Get[float64](arrays, "particles"); return err }, `array "particles" has dtype <f4, want <f8`},
		{"shape", func() error { _, err := Get[float32](arrays, "particles", 2, 3); return err }, `array "particles" has shape (3, 2), want (2, 3)`},
		{"rank", func() error { _, err := Get[float32](arrays, "particles", 6); return err }, `has shape (3, 2), want (6,)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.get(); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want ErrCorrupt containing %q", err, tc.err)
			}
		})
	}
}

func TestWriteNPZPanics(t *testing.T) {
	f := []float32{1}
	for _, tc := range []struct {
		name   string
		meta   []byte
		arrays []Array
		want   string
	}{
		{"bad meta", []byte("{"), nil, "snapshots: WriteNPZ: meta is not valid JSON"},
		{"empty name", nil, []Array{{Shape: []int{1}, Data: f}}, "snapshots: WriteNPZ: invalid array name"},
		{"slash", nil, []Array{{Name: "a/b", Shape: []int{1}, Data: f}}, "snapshots: WriteNPZ: invalid array name"},
		{"dotdot", nil, []Array{{Name: "..", Shape: []int{1}, Data: f}}, "snapshots: WriteNPZ: invalid array name"},
		{"duplicate", nil, []Array{{Name: "a", Shape: []int{1}, Data: f}, {Name: "a", Shape: []int{1}, Data: f}}, "snapshots: WriteNPZ: duplicate array name"},
		{"type", nil, []Array{{Name: "a", Shape: []int{1}, Data: []int{1}}}, "snapshots: WriteNPZ: unsupported data type"},
		{"shape", nil, []Array{{Name: "a", Shape: []int{2}, Data: f}}, "snapshots: WriteNPZ: shape mismatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
				if buf.Len() != 0 {
					t.Errorf("wrote %d bytes before panicking", buf.Len())
				}
			}()
			WriteNPZ(&buf, tc.meta, tc.arrays)
		})
	}
}
