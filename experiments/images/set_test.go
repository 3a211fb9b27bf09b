package images

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// synthSet has n images of 2×2×1 pixels; image i has label i%classes and
// pixel bytes i, i+1, i+2, i+3 (mod 256), so a row identifies its index.
func synthSet(n, classes int) *Set {
	s := &Set{Name: "synth", N: n, H: 2, W: 2, C: 1, Pix: make([]uint8, 4*n), Labels: make([]int, n), Classes: MNISTClasses[:classes]}
	for i := range n {
		s.Labels[i] = i % classes
		for j := range 4 {
			s.Pix[4*i+j] = uint8(i + j)
		}
	}
	return s
}

func TestGatherTo(t *testing.T) {
	s := &Set{N: 2, H: 1, W: 2, C: 1, Pix: []uint8{0, 255, 51, 102}, Labels: []int{0, 1}, Classes: MNISTClasses}
	dst := make([]float32, 4)
	s.GatherTo(dst, []int{1, 0})
	want := []float32{0.2, 0.4, 0, 1}
	for i := range want {
		if !close32(dst[i], want[i], 1e-7, 0) { // exact up to float32 rounding of k/255
			t.Fatalf("GatherTo = %v, want %v", dst, want)
		}
	}
	all := s.Float32()
	if !slices.Equal(all[:2], []float32{0, 1}) || !slices.Equal(all[2:], dst[:2]) {
		t.Fatalf("Float32 = %v, want rows in order", all)
	}
}

func TestClassSubset(t *testing.T) {
	s := synthSet(200, 10) // 20 per class
	for _, per := range []int{1, 7, 20} {
		a, err := s.ClassSubset(per, rand.New(rand.NewPCG(1, 2)))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := s.ClassSubset(per, rand.New(rand.NewPCG(1, 2)))
		if a.N != 10*per || !slices.Equal(a.Labels, ClassLabels(10*per, 10)) {
			t.Fatalf("per=%d: N=%d labels %v, want grouped blocks of %d", per, a.N, a.Labels, per)
		}
		if !slices.Equal(a.Pix, b.Pix) {
			t.Fatalf("per=%d: same seed gave different subsets", per)
		}
		seen := map[int]bool{}
		for k := range a.N {
			i := int(a.Row(k)[0]) // pixel 0 = source index (n < 256)
			if seen[i] || s.Labels[i] != a.Labels[k] || !slices.Equal(a.Row(k), s.Row(i)) {
				t.Fatalf("per=%d: row %d is image %d (dup %v, label %d vs %d)", per, k, i, seen[i], s.Labels[i], a.Labels[k])
			}
			seen[i] = true
		}
	}
	a, _ := s.ClassSubset(5, rand.New(rand.NewPCG(1, 2)))
	c, _ := s.ClassSubset(5, rand.New(rand.NewPCG(3, 4)))
	if slices.Equal(a.Pix, c.Pix) {
		t.Fatal("different seeds gave the same subset")
	}
	if _, err := s.ClassSubset(21, rand.New(rand.NewPCG(1, 2))); err == nil {
		t.Fatal("ClassSubset(21) of 20 per class: no error")
	}
}
