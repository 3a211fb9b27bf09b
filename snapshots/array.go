package snapshots

import (
	"fmt"
	"slices"

	"github.com/gpa-tui/gpa-tui/npy"
)

// Elem is the set of element types an Array can hold.
type Elem interface {
	float32 | float64 | int32 | int64 | uint8 | uint64 | bool
}

// Array is one named n-dimensional array, stored row-major (C order). It is
// an npy.Array with the member name it has inside the .npz.
type Array struct {
	// Name is the member name inside the .npz, without ".npy".
	Name string
	// Shape holds the dimensions; an empty Shape is a 0-d array of one element.
	Shape []int
	// Data is a []float32, []float64, []int32, []int64, []uint8, []uint64
	// or []bool whose length is the product of Shape.
	Data any
}

// npy returns a without its name.
func (a Array) npy() npy.Array { return npy.Array{Shape: a.Shape, Data: a.Data} }

// Len returns the number of elements Shape describes, or -1 when a
// dimension is negative or the product overflows int.
func (a Array) Len() int { return a.npy().Len() }

// DType returns the NumPy type string of a.Data ("<f4", "<f8", "<i4", "<i8",
// "|u1", "<u8" or "|b1"), or "" when a.Data is not a supported slice type.
func (a Array) DType() string { return a.npy().DType() }

// Get returns the data of arrays[name] as a []T, checking that the array
// exists, holds T, and has the given shape; a negative entry in shape
// matches any length. With no shape arguments any shape is accepted.
//
// Errors wrap ErrCorrupt and do not name a file: wrap them with the path,
// fmt.Errorf("snapshots: %s: %w", path, err).
func Get[T Elem](arrays map[string]Array, name string, shape ...int) ([]T, error) {
	a, ok := arrays[name]
	if !ok {
		return nil, fmt.Errorf("%w: array %q is missing", ErrCorrupt, name)
	}
	data, ok := a.Data.([]T)
	if !ok {
		want := Array{Data: []T{}}.DType()
		return nil, fmt.Errorf("%w: array %q has dtype %s, want %s", ErrCorrupt, name, a.DType(), want)
	}
	if len(shape) > 0 && !shapeMatches(a.Shape, shape) {
		return nil, fmt.Errorf("%w: array %q has shape %s, want %s", ErrCorrupt, name, npy.FormatShape(a.Shape), npy.FormatShape(shape))
	}
	return data, nil
}

// shapeMatches reports whether got equals want, where a negative entry of
// want matches any dimension.
func shapeMatches(got, want []int) bool {
	return slices.EqualFunc(got, want, func(g, w int) bool { return w < 0 || g == w })
}

// dataInfo returns the element size in bytes and the length of data, a
// slice of an Elem type; both are 0 for anything else.
func dataInfo(data any) (size, n int) {
	switch d := data.(type) {
	case []float32:
		return 4, len(d)
	case []float64:
		return 8, len(d)
	case []int32:
		return 4, len(d)
	case []int64:
		return 8, len(d)
	case []uint8:
		return 1, len(d)
	case []uint64:
		return 8, len(d)
	case []bool:
		return 1, len(d)
	}
	return 0, 0
}
