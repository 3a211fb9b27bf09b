package snapshots_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gpa-tui/gpa-tui/snapshots"
)

func Example() {
	dir, _ := os.MkdirTemp("", "snapshots-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.npz")

	// M = 3 particles in d = 2, and one float64 scalar.
	err := snapshots.WriteFile(path, []byte(`{"step": 42}`), []snapshots.Array{
		{Name: "particles", Shape: []int{3, 2}, Data: []float32{0, 0, 1, 1, 2, 2}},
		{Name: "nu", Shape: []int{}, Data: []float64{-0.5}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	meta, arrays, err := snapshots.ReadFile(path, snapshots.Limits{})
	if err != nil {
		fmt.Println(err)
		return
	}
	y, err := snapshots.Get[float32](arrays, "particles", -1, 2)
	fmt.Println(string(meta), y, err)
	_, err = snapshots.Get[float32](arrays, "nu")
	fmt.Println(errors.Is(err, snapshots.ErrCorrupt), err)
	// Output:
	// {"step":42} [0 0 1 1 2 2] <nil>
	// true corrupt snapshot: array "nu" has dtype <f8, want <f4
}

func ExampleReadFile_foreign() {
	_, _, err := snapshots.ReadFile("testdata/numpy_f4.npy", snapshots.Limits{})
	fmt.Println(errors.Is(err, snapshots.ErrNotSnapshot))
	fmt.Println(err)
	// Output:
	// true
	// snapshots: testdata/numpy_f4.npy: not a gpa-tui snapshot: not a zip archive (starts with "\x93NUM")
}

func ExampleExportCSV() {
	data := []float32{0.5, -1, 3.25, 1e-7}
	snapshots.ExportCSV(os.Stdout, data, 2, 2, []string{"x1", "x2"})
	// Output:
	// x1,x2
	// 0.5,-1
	// 3.25,1e-07
}

func ExampleLimits() {
	dir, _ := os.MkdirTemp("", "snapshots-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "run.npz")
	snapshots.WriteFile(path, []byte(`{"m": 3, "d": 2}`), []snapshots.Array{
		{Name: "particles", Shape: []int{3, 2}, Data: []float32{0, 0, 1, 1, 2, 2}},
		{Name: "extra", Shape: []int{1000}, Data: make([]float64, 1000)},
	})
	// Decode only the particles, with the shape and size the metadata
	// allow; "extra" is skipped without being decompressed.
	lim := snapshots.Limits{Arrays: func(meta []byte) (map[string]snapshots.Want, error) {
		var m struct{ M, D int }
		if err := json.Unmarshal(meta, &m); err != nil {
			return nil, err
		}
		return map[string]snapshots.Want{"particles": {Shape: []int{m.M, m.D}, Max: int64(4 * m.M * m.D)}}, nil
	}}
	_, arrays, err := snapshots.ReadFile(path, lim)
	fmt.Println(len(arrays), arrays["particles"].Shape, err)
	// Output:
	// 1 [3 2] <nil>
}
