package core

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestPotential: PotentialTo is φ (every head, in batches when there are
// more points than M+N), allocates nothing and leaves the run untouched,
// and its sign follows eq. (11): particles descend φ, so after some steps
// φ is higher at the particles than at the targets.
func TestPotential(t *testing.T) {
	p := fourWellProblem(1)
	s := mustNew(t, gpaConfig(), p)
	ref := mustNew(t, gpaConfig(), fourWellProblem(1))
	pot := s.Potential()
	if pot == nil || s.Heads() != 1 {
		t.Fatalf("GPA has no potential (%v) or %d heads", pot, s.Heads())
	}
	const rows = 1000 // > M+N = 400: three batches
	rng := rand.New(rand.NewPCG(3, 4))
	pts := make([]float32, rows*2)
	for i := range pts {
		pts[i] = float32(8*rng.Float64() - 2)
	}
	dst := make([]float32, rows)
	for range 40 {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
		if _, err := ref.Step(); err != nil {
			t.Fatal(err)
		}
		pot.PotentialTo(dst, pts, rows)
	}
	if !bitsEqual(s.Particles(), ref.Particles()) {
		t.Fatal("evaluating φ between steps changed the run")
	}
	// φ by a direct forward pass of the same net, in one batch.
	g := s.method.(*gpa)
	want := g.phi.Forward(pts, rows)
	for i := range rows {
		if dst[i] != want[i] {
			t.Fatalf("φ(point %d) = %g, forward gives %g", i, dst[i], want[i])
		}
	}
	if a := testing.AllocsPerRun(5, func() { pot.PotentialTo(dst, pts, rows) }); a != 0 {
		t.Errorf("PotentialTo allocates %g times", a)
	}
	mean := func(x []float32, n int) float64 {
		v := make([]float32, n)
		pot.PotentialTo(v, x, n)
		var sum float64
		for _, f := range v {
			sum += float64(f)
		}
		return sum / float64(n)
	}
	// Three steps in, the particles are still near their start, in the
	// (4, 4) well, one of the targets' four.
	early := mustNew(t, gpaConfig(), fourWellProblem(1))
	if _, err := early.Advance(3); err != nil {
		t.Fatal(err)
	}
	pot = early.Potential()
	if py, qx := mean(early.Particles(), p.M), mean(p.X, p.N); !(py > qx) {
		t.Errorf("mean φ at the particles %g ≤ at the targets %g: the particles would climb φ", py, qx)
	}
}

// TestPotentialHeads: a conditional φ writes every head of every point.
func TestPotentialHeads(t *testing.T) {
	p := fourWellProblem(2)
	p.Heads, p.HeadX, p.HeadY = 3, make([]int, p.N), make([]int, p.M)
	for i := range p.HeadX {
		p.HeadX[i] = i % 3
	}
	for i := range p.HeadY {
		p.HeadY[i] = i % 3
	}
	s := mustNew(t, gpaConfig(), p)
	if _, err := s.Advance(3); err != nil {
		t.Fatal(err)
	}
	const rows = 450
	dst := make([]float32, rows*3)
	pts := make([]float32, rows*2)
	for i := range pts {
		pts[i] = float32(i%17) * 0.3
	}
	s.Potential().PotentialTo(dst, pts, rows)
	want := s.method.(*gpa).phi.Forward(pts, rows)
	for i := range dst {
		if dst[i] != want[i] || math.IsNaN(float64(dst[i])) {
			t.Fatalf("output %d (point %d head %d) = %g, want %g", i, i/3, i%3, dst[i], want[i])
		}
	}
}

// TestCoordinateViewLift: the coordinate view's Lift puts the chosen
// coordinates in place and the others at the targets' mean, and To2D
// undoes it.
func TestCoordinateViewLift(t *testing.T) {
	x := []float32{
		1, 10, 100, 0,
		3, 20, 300, 2,
	} // mean (2, 15, 200, 1)
	v := CoordinateView(x, 2, 4, 2, 0)
	pts := []float32{5, 6, -1, -2}
	got := make([]float32, 8)
	v.Lift(got, pts, 2)
	want := []float32{6, 15, 5, 1, -2, 15, -1, 1}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Lift = %v, want %v", got, want)
		}
	}
	back := make([]float32, 4)
	v.To2D(back, got, 2)
	for i := range pts {
		if back[i] != pts[i] {
			t.Fatalf("To2D(Lift(p)) = %v, want %v", back, pts)
		}
	}
	one := CoordinateView([]float32{1, 3}, 2, 1, 0, -1)
	row := make([]float32, 1)
	one.Lift(row, []float32{7, 9}, 1)
	if row[0] != 7 {
		t.Errorf("1-D Lift = %v, want [7]", row)
	}
}
