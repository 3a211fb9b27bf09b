package snapshots

import (
	"fmt"
	"math"
	"slices"
)

// Elem is the set of element types an Array can hold.
type Elem interface {
	float32 | float64 | int64 | uint8 | uint64
}

// Array is one named n-dimensional array, stored row-major (C order).
type Array struct {
	// Name is the member name inside the .npz, without ".npy".
	Name string
	// Shape holds the dimensions; an empty Shape is a 0-d array of one element.
	Shape []int
	// Data is a []float32, []float64, []int64, []uint8 or []uint64 whose
	// length is the product of Shape.
	Data any
}

// Len returns the number of elements Shape describes, or -1 when a
// dimension is negative or the product overflows int.
func (a Array) Len() int { return shapeLen(a.Shape) }

// DType returns the NumPy type string of a.Data ("<f4", "<f8", "<i8", "|u1"
// or "<u8"), or "" when a.Data is not a supported slice type.
func (a Array) DType() string {
	descr, _, _ := dataInfo(a.Data)
	return descr
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
	case []int64:
		return "<i8", 8, len(d)
	case []uint8:
		return "|u1", 1, len(d)
	case []uint64:
		return "<u8", 8, len(d)
	}
	return "", 0, 0
}

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
		var zero []T
		want, _, _ := dataInfo(zero)
		return nil, fmt.Errorf("%w: array %q has dtype %s, want %s", ErrCorrupt, name, a.DType(), want)
	}
	if len(shape) > 0 && !shapeMatches(a.Shape, shape) {
		return nil, fmt.Errorf("%w: array %q has shape %s, want %s", ErrCorrupt, name, pyShape(a.Shape), pyShape(shape))
	}
	return data, nil
}

// shapeMatches reports whether got equals want, where a negative entry of
// want matches any dimension.
func shapeMatches(got, want []int) bool {
	return slices.EqualFunc(got, want, func(g, w int) bool { return w < 0 || g == w })
}
