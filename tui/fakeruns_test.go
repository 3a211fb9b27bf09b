package tui

import (
	"math"
	"slices"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
)

// Fake image runs: fakeImageSide×fakeImageSide grey images of three
// classes, particles decoded as their class's pattern, brighter as they
// approach their target.
const fakeImageSide = 14

var fakeClasses = []string{"bar", "box", "x"}

// fakePattern is the image of class k: a vertical bar, a square outline or
// a cross, in [0, 1].
func fakePattern(k int) []float32 {
	n := fakeImageSide
	img := make([]float32, n*n)
	for y := range n {
		for x := range n {
			on := false
			switch k % 3 {
			case 0:
				on = x >= 6 && x <= 7 && y >= 2 && y <= 11
			case 1:
				on = (x == 3 || x == 10) && y >= 3 && y <= 10 || (y == 3 || y == 10) && x >= 3 && x <= 10
			case 2:
				on = (x == y || x == n-1-y) && x >= 2 && x <= 11
			}
			if on {
				img[y*n+x] = 1
			}
		}
	}
	return img
}

// fakeImages is a fake engine of a conditional image run in a latent
// space of the fake's dimension.
type fakeImages struct {
	*fakeEngine
	labelsP, labelsT []int
	pixT             []float32
}

// fakeImageMetrics are the image observer's metrics (experiments'
// imageMetrics of a conditional run with a classifier).
var fakeImageMetrics = []core.MetricInfo{
	{Name: "accuracy", Symbol: "accuracy", Rank: 31, Limit: 1},
	{Name: "frechet", Symbol: "Fréchet", Scale: core.Log, Rank: 30},
	{Name: "memorized", Symbol: "memorized", Show: core.ShowText, Rank: 70, Share: true},
	{Name: "copies", Symbol: "copies", Show: core.ShowText, Rank: 71, Share: true},
}

func newFakeImages(cfg core.Config, m, n, d int) *fakeImages {
	f := &fakeImages{fakeEngine: newFake(cfg, m, n, d)}
	for i := range m {
		f.labelsP = append(f.labelsP, i%len(fakeClasses))
	}
	for j := range n {
		k := j % len(fakeClasses)
		f.labelsT = append(f.labelsT, k)
		f.pixT = append(f.pixT, fakePattern(k)...)
	}
	f.prob.Images = &core.Images{H: fakeImageSide, W: fakeImageSide, C: 1, Classes: fakeClasses, Labels: f.labelsP, TargetLabels: f.labelsT}
	f.prob.DataX, f.prob.DataD = f.pixT, fakeImageSide*fakeImageSide
	f.prob.Decoder = fakeDecoder{d}
	// A stand-in for the targets' PCA: the sum and difference of x0 and x1.
	f.prob.Projection = &core.Projection{Name: "PCA 1 vs 2 of targets", To2D: func(dst, src []float32, rows int) {
		for i := range rows {
			dst[2*i] = src[i*d] + src[i*d+1]
			dst[2*i+1] = src[i*d] - src[i*d+1]
		}
	}}
	f.setMetrics(append(slices.Clone(fakeMetrics), fakeImageMetrics...))
	// Image metrics every 5 steps.
	f.extra = func(step int, row []float64) {
		if step%5 == 0 {
			s := float64(step)
			copy(row[5:], []float64{min(0.1*s, 1), 100 / s, 0.25, 0.05})
		}
	}
	f.decode = f.draw
	return f
}

// fakeDecoder says the fake's particles are codes of 14×14 images.
type fakeDecoder struct{ k int }

func (fakeDecoder) DecodeTo(dst, z []float32, rows int) { panic("fake: use fakeEngine.DecodedTo") }
func (d fakeDecoder) Dims() (int, int)                  { return fakeImageSide * fakeImageSide, d.k }
func (fakeDecoder) Lipschitz() float64                  { return 1 }

// draw draws particle i as its class pattern at brightness
// 1 − |yᵢ − x_{i mod n}|/8 (clipped to [0.1, 1]).
func (f *fakeImages) draw(dst []float32) {
	dim := fakeImageSide * fakeImageSide
	for i := range f.m {
		var d2 float64
		j := i % f.n
		for c := range f.d {
			v := float64(f.y[i*f.d+c] - f.x[j*f.d+c])
			d2 += v * v
		}
		b := float32(min(max(1-math.Sqrt(d2)/8, 0.1), 1))
		pat := fakePattern(f.labelsP[i])
		for k := range dim {
			dst[i*dim+k] = b * pat[k]
		}
	}
}

// imageConfig is a small conditional MNIST-like preset for the fake.
func imageConfig() experiments.Config {
	c := testConfig()
	c.Name, c.Description = "fake-images", "fake conditional images"
	c.Target.Kind = "mnist"
	c.Discriminator.Conditional = true
	c.Flow.MetricsEvery = 5
	c.Flow.Steps = 1000
	return c
}

// fakeTable is a fake batch-merging comparison with fixed scores and
// labels confounded with the sets.
type fakeTable struct {
	calls int
	last  []float32
}

func (g *fakeTable) Title() string { return "gene space" }

func (g *fakeTable) Compute(z []float32) (core.TableData, error) {
	g.calls++
	g.last = append(g.last[:0], z...)
	row := func(method, short string, mmd, sb, sl, il, moved float64) core.TableRow {
		return core.TableRow{Label: method, Short: short, Values: []float64{mmd, sb, sl, il, moved},
			Reference: method == "before", Run: method == "gpa"}
	}
	return core.TableData{
		Columns: []core.Column{
			{Name: "MMD²↓", Short: "MMD²↓", Better: core.Lower},
			{Name: "sil.batch↓", Short: "sil.b↓", Better: core.Lower},
			{Name: "sil.label↑", Short: "sil.l↑", Better: core.Higher},
			{Name: "iLISI↑", Short: "iLISI↑", Better: core.Higher},
			{Name: "moved", Short: "moved", Better: core.Lower, Optional: true},
		},
		Rows: []core.TableRow{
			row("before", "before", 0.126, 0.064, 0.232, 1.74, 0),
			row("gpa", "GPA", 0.067, 0.02, 0.204, 1.75, 14.2),
			row("combat", "ComBat", 0.0138, -0.0242, 0.203, 1.91, 25.7),
			row("mean-centering", "mean-center", 0.0203, -0.0164, 0.207, 1.82, 26.4),
		},
		Note: "labels confounded",
	}, nil
}

// fakeClock is the deps.now of tests: time moves only when told.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

// newImageDeps wires the model to a fake image engine (M = 30 particles,
// N = 30 targets in d = 4) and a fake clock.
func newImageDeps(t testing.TB) (*fakeDeps, *fakeClock, func() *fakeImages) {
	fd := newFakeDeps(t, 4)
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fd.now = clk.now
	var last *fakeImages
	fd.newEngine = func(cfg experiments.Config, _ experiments.Options) (engine, error) {
		last = newFakeImages(cfg.Config, 30, 30, fd.dim)
		fd.last = last.fakeEngine
		return last, nil
	}
	fd.loadPreset = func(name string, _ []string) (experiments.Config, error) {
		c := imageConfig()
		c.Name = name
		return c, nil
	}
	return fd, clk, func() *fakeImages { return last }
}

// newGeneDeps wires the model to the fake engine in d = 5 with a fake
// batch-merging problem.
func newGeneDeps(t testing.TB) (*fakeDeps, *fakeClock, *fakeTable) {
	fd := newFakeDeps(t, 5)
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fd.now = clk.now
	g := &fakeTable{}
	fd.newEngine = func(cfg experiments.Config, _ experiments.Options) (engine, error) {
		fd.last = newFake(cfg.Config, 40, 40, fd.dim)
		p := fd.last.prob
		p.Tables = []core.Table{g}
		p.Names, p.ShowInitial = [3]string{"transported", "target", "source"}, true
		p.Notes = []string{`confounded labels: "Normal" only in source, "Biopsy" only in target; transport may map them onto other classes (Cramér's V 0.71)`}
		return fd.last, nil
	}
	fd.loadPreset = func(name string, _ []string) (experiments.Config, error) {
		c := testConfig()
		c.Name, c.Description = name, "fake gene merge"
		c.Flow.MetricsEvery = 5
		return c, nil
	}
	return fd, clk, g
}

// startedWith loads cfg on fd at w×h and returns the model with the
// first step command pending.
func startedWith(t testing.TB, fd *fakeDeps, cfg experiments.Config, w, h int) (*model, tea.Cmd) {
	t.Helper()
	m := newModel(fd.deps, loadReq{cfg: &cfg})
	m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	cmd := feed(m, m.Init(), 1)
	if m.eng == nil {
		t.Fatalf("no engine after load: status %q", m.status)
	}
	return m, cmd
}

// pausedAfter runs the model for n commands, pauses, and lets the step in
// flight and any catch-up command land.
func pausedAfter(t testing.TB, m *model, cmd tea.Cmd, n int) {
	t.Helper()
	cmd = feed(m, cmd, n)
	press(m, "space")
	if cmd = feed(m, cmd, 3); cmd != nil {
		t.Fatal("still busy after pause")
	}
}
