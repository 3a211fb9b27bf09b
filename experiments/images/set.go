package images

import (
	"fmt"
	"math/rand/v2"
)

// Split selects a data set's training or test part.
type Split int

const (
	Train Split = iota // the training part (MNIST: 60,000 images)
	Test               // the test part (MNIST: 10,000 images)
)

// String returns "train" or "test".
func (s Split) String() string {
	switch s {
	case Train:
		return "train"
	case Test:
		return "test"
	}
	return fmt.Sprintf("Split(%d)", int(s))
}

// Set is a labelled image set stored as raw bytes: N images of H×W×C
// pixels, flat row-major in HWC order (see the package doc), with values
// 0..255 as in the files.
type Set struct {
	Name    string   // e.g. "mnist/train"
	N       int      // number of images
	H, W, C int      // height, width, channels
	Pix     []uint8  // N × H·W·C
	Labels  []int    // N labels in [0, len(Classes))
	Classes []string // class names, in label order
}

// Dim returns the number of pixels per image, H·W·C.
func (s *Set) Dim() int { return s.H * s.W * s.C }

// Row returns image i as a view into Pix.
func (s *Set) Row(i int) []uint8 {
	d := s.Dim()
	return s.Pix[i*d : (i+1)*d]
}

// GatherTo writes images rows[0], rows[1], … into dst as float32 in
// [0,1] (byte/255, the paper's target scaling, Appendix F.2), one after
// the other. len(dst) must be len(rows)·Dim().
func (s *Set) GatherTo(dst []float32, rows []int) {
	d := s.Dim()
	if len(dst) != len(rows)*d {
		panic("images: Set.GatherTo: shape mismatch")
	}
	for k, i := range rows {
		if i < 0 || i >= s.N {
			panic("images: Set.GatherTo: row out of range")
		}
		src := s.Pix[i*d : (i+1)*d]
		out := dst[k*d : (k+1)*d]
		out = out[:len(src)]
		for j, v := range src {
			out[j] = float32(v) / 255
		}
	}
}

// Float32 returns all images as float32 in [0,1], N × Dim() row-major.
func (s *Set) Float32() []float32 {
	dst := make([]float32, s.N*s.Dim())
	d := s.Dim()
	for j, v := range s.Pix[:s.N*d] {
		dst[j] = float32(v) / 255
	}
	return dst
}

// Subset returns a new Set holding copies of the given rows, in order.
func (s *Set) Subset(rows []int) *Set {
	d := s.Dim()
	out := &Set{
		Name: s.Name, N: len(rows), H: s.H, W: s.W, C: s.C,
		Pix:     make([]uint8, len(rows)*d),
		Labels:  make([]int, len(rows)),
		Classes: s.Classes,
	}
	for k, i := range rows {
		if i < 0 || i >= s.N {
			panic("images: Set.Subset: row out of range")
		}
		copy(out.Pix[k*d:(k+1)*d], s.Pix[i*d:(i+1)*d])
		out.Labels[k] = s.Labels[i]
	}
	return out
}

// ClassSubset draws perClass images of every class without replacement,
// uniformly at random from rng, and returns them grouped by class (all of
// class 0, then class 1, …) — the class-conditional targets of the paper's
// MNIST experiments (N = 200 means 20 per class). The same rng state gives
// the same subset. A class with fewer than perClass images is an error.
func (s *Set) ClassSubset(perClass int, rng *rand.Rand) (*Set, error) {
	if perClass <= 0 {
		panic("images: Set.ClassSubset: perClass must be positive")
	}
	byClass := make([][]int, len(s.Classes))
	for i, c := range s.Labels[:s.N] {
		byClass[c] = append(byClass[c], i)
	}
	rows := make([]int, 0, perClass*len(s.Classes))
	for c, idx := range byClass {
		if len(idx) < perClass {
			return nil, fmt.Errorf("images: %s: class %d (%s) has %d images, fewer than %d per class",
				s.Name, c, s.Classes[c], len(idx), perClass)
		}
		// Partial Fisher–Yates: the first perClass entries become a
		// uniform sample without replacement.
		for k := range perClass {
			j := k + rng.IntN(len(idx)-k)
			idx[k], idx[j] = idx[j], idx[k]
		}
		rows = append(rows, idx[:perClass]...)
	}
	out := s.Subset(rows)
	out.Name = fmt.Sprintf("%s[%d/class]", s.Name, perClass)
	return out, nil
}

// checkLabels returns an ErrFormat error if a label is outside [0, classes).
func checkLabels(labels []int, classes int) error {
	for i, c := range labels {
		if c < 0 || c >= classes {
			return fmt.Errorf("%w: label %d of record %d outside [0, %d)", ErrFormat, c, i, classes)
		}
	}
	return nil
}
