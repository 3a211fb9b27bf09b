package npy_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"

	"github.com/gpa-tui/gpa-tui/npy"
)

func Example() {
	var buf bytes.Buffer
	// M = 3 particles in d = 2.
	y := npy.Array{Shape: []int{3, 2}, Data: []float32{0, 0, 1, 1, 2, 2}}
	if err := npy.Write(&buf, y); err != nil {
		fmt.Println(err)
		return
	}
	n := int64(buf.Len())
	a, err := npy.Read(&buf, n, math.MaxInt64)
	fmt.Println(n, a.Shape, a.DType(), a.Data, err)
	// Output:
	// 152 [3 2] <f4 [0 0 1 1 2 2] <nil>
}

func ExampleRead_limit() {
	var buf bytes.Buffer
	npy.Write(&buf, npy.Array{Shape: []int{1000, 1000}, Data: make([]float64, 1e6)})
	// Refused from the header, before the 8 MB of data are allocated.
	_, err := npy.Read(&buf, int64(buf.Len()), 1<<20)
	fmt.Println(errors.Is(err, npy.ErrTooLarge))
	fmt.Println(err)
	// Output:
	// true
	// array too large: shape (1000, 1000) of <f8 needs 8000000 data bytes, above the limit of 1048576
}
