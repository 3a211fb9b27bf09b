package experiments

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/gpa-tui/gpa-tui/core"
)

// logDensity is log q(y) up to a constant, from gonum's densities: a
// weighted sum over the components of products of per-coordinate
// densities (Normal, Student-t with scale s, Logistic).
func logDensity(ds *Dataset, y []float64) float64 {
	centers := ds.Centers
	if len(centers) == 0 {
		c := make([]float64, len(y))
		copy(c, ds.Mean)
		centers = [][]float64{c}
	}
	var q float64
	for k, c := range centers {
		w := 1.0
		if len(ds.Weights) > 0 {
			w = ds.Weights[k]
		}
		lp := math.Log(w)
		for t, v := range y {
			switch ds.Kind {
			case "student-t-mixture":
				lp += distuv.StudentsT{Mu: c[t], Sigma: ds.Std, Nu: ds.Nu}.LogProb(v)
			case "logistic":
				u := (v - c[t]) / ds.Std
				lp += -u - 2*math.Log1p(math.Exp(-u)) - math.Log(ds.Std)
			default:
				lp += distuv.Normal{Mu: c[t], Sigma: ds.Std}.LogProb(v)
			}
		}
		q += math.Exp(lp)
	}
	return math.Log(q)
}

// TestScoreFiniteDifferences: each closed-form score is the gradient of the
// log density (central differences of gonum's densities), at points near
// and far from the modes.
func TestScoreFiniteDifferences(t *testing.T) {
	for _, ds := range []Dataset{
		{Kind: "gaussian", N: 1, Mean: []float64{1, -2}, Std: 0.7},
		{Kind: "logistic", N: 1, Mean: []float64{0.5, 0, 1}, Std: 2},
		{Kind: "mixture", N: 1, Centers: [][]float64{{0, 0}, {0, 4}, {4, 0}, {4, 4}}, Std: 0.5},
		{Kind: "mixture", N: 1, Centers: [][]float64{{0, 0}, {3, 1}}, Weights: []float64{1, 3}, Std: 1},
		{Kind: "student-t-mixture", N: 1, Centers: [][]float64{{-10, -10}, {-10, 10}, {10, -10}, {10, 10}}, Nu: 0.5, Std: 1},
		{Kind: "student-t-mixture", N: 1, Centers: [][]float64{{0, 0}, {2, 2}}, Weights: []float64{2, 1}, Nu: 3, Std: 0.5},
	} {
		score, name := ds.Score()
		if score == nil || name == "" {
			t.Fatalf("%s: no score", ds.Kind)
		}
		d := ds.dim()
		pts := [][]float64{{0.3, -0.2, 1}, {1.9, 2.2, -1}, {-7, 12, 3}, {4.1, 0.2, 0}, {60, -45, 9}}
		for _, p := range pts {
			y := p[:d]
			y32 := make([]float32, d)
			for i, v := range y {
				y32[i] = float32(v)
			}
			got := make([]float32, d)
			score(got, y32, 1)
			for i := range d {
				yy := slices.Clone(y)
				for k, v := range y32 {
					yy[k] = float64(v) // differentiate where the score was evaluated
				}
				const h = 1e-5
				yy[i] += h
				up := logDensity(&ds, yy)
				yy[i] -= 2 * h
				down := logDensity(&ds, yy)
				want := (up - down) / (2 * h)
				if math.Abs(float64(got[i])-want) > 1e-4*math.Max(1, math.Abs(want)) {
					t.Errorf("%s at %v: ∂log q/∂y%d = %.7g, want %.7g", name, y, i, got[i], want)
				}
			}
		}
	}
	for _, kind := range []string{"uniform", "file", "mnist"} {
		if s, _ := (&Dataset{Kind: kind}).Score(); s != nil {
			t.Errorf("%s has a score", kind)
		}
	}
}

// TestScoreNeededErrors: a method that needs the score is refused, naming
// the target's kind, on targets without one; and a run of it restored from
// its state gets the score back.
func TestScoreNeededErrors(t *testing.T) {
	cfg := fourWell()
	cfg.Method.Kind = "ula"
	cfg.Flow.Dt = 0.01
	cfg.Target = Dataset{Kind: "uniform", N: 100, Low: []float64{0, 0}, High: []float64{1, 1}}
	err := cfg.Validate()
	var fe *core.FieldError
	if !errors.As(err, &fe) || fe.Key != "method.kind" || !strings.Contains(err.Error(), `"uniform"`) {
		t.Errorf("ula on a uniform target: %v", err)
	}
	cfg = fourWell()
	cfg.Method.Kind = "svgd"
	cfg.Flow.Dt = 0.05
	s := mustBuild(t, cfg)
	if _, err := s.Advance(3); err != nil {
		t.Fatal(err)
	}
	r, err := Restore(s.State(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Problem().Score == nil {
		t.Fatal("restored SVGD run has no score")
	}
	s.Advance(2)
	r.Advance(2)
	if !slices.Equal(s.Particles(), r.Particles()) {
		t.Error("restored SVGD run differs")
	}
}
