package tui

import (
	"math"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/core/genes"
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
	decodes          int // DecodedTo calls
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
	return f
}

func (f *fakeImages) ImageShape() (h, w, c int, ok bool) {
	f.use()
	return fakeImageSide, fakeImageSide, 1, true
}

func (f *fakeImages) PixelTargets() []float32 { f.use(); return f.pixT }

func (f *fakeImages) Labels() (particles, targets []int) { f.use(); return f.labelsP, f.labelsT }

func (f *fakeImages) ClassNames() []string { f.use(); return fakeClasses }

// DecodedTo draws particle i as its class pattern at brightness
// 1 − |yᵢ − x_{i mod n}|/8 (clipped to [0.1, 1]).
func (f *fakeImages) DecodedTo(dst []float32) {
	f.use()
	f.busy.Store(true) // like Advance: the UI must not call in meanwhile
	defer f.busy.Store(false)
	f.decodes++
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

// Advance adds image metrics every 5 steps to the fake's.
func (f *fakeImages) Advance(k int) (core.Metrics, error) {
	start := len(f.hist)
	mt, err := f.fakeEngine.Advance(k)
	for i := start; i < len(f.hist); i++ {
		h := &f.hist[i]
		if h.Step%5 == 0 {
			s := float64(h.Step)
			h.HasImage = true
			h.Accuracy, h.Frechet, h.Memorized, h.Copies = min(0.1*s, 1), 100/s, 0.25, 0.05
			if h.Step == mt.Step {
				mt = *h
			}
		}
	}
	return mt, err
}

// imageConfig is a small conditional MNIST-like preset for the fake.
func imageConfig() core.Config {
	c := testConfig()
	c.Name, c.Description = "fake-images", "fake conditional images"
	c.Target.Kind = "mnist"
	c.Discriminator.Conditional = true
	c.Flow.MetricsEvery = 5
	c.Flow.Steps = 1000
	return c
}

// fakeGenes is a fake batch-merging problem with fixed scores and labels
// confounded with the sets.
type fakeGenes struct {
	calls int
	last  []float32
}

func (g *fakeGenes) Compare(z []float32) ([]genes.Comparison, error) {
	g.calls++
	g.last = append(g.last[:0], z...)
	row := func(method string, mmd, sb, sl, il, moved float64) genes.Comparison {
		s := genes.Scores{MMD2: mmd, SilBatch: sb, SilLabel: sl, ILISI: il, Moved: moved}
		return genes.Comparison{Method: method, Latent: s, Gene: s}
	}
	return []genes.Comparison{
		row(genes.MethodBefore, 0.126, 0.064, 0.232, 1.74, 0),
		row(genes.MethodGPA, 0.067, 0.02, 0.204, 1.75, 14.2),
		row(genes.MethodComBat, 0.0138, -0.0242, 0.203, 1.91, 25.7),
		row(genes.MethodMeanCenter, 0.0203, -0.0164, 0.207, 1.82, 26.4),
	}, nil
}

func (g *fakeGenes) Confounding() genes.Confounding {
	return genes.CheckConfounding(
		[]string{"source", "source", "source", "target", "target", "target"},
		[]string{"Normal", "Cancer", "Cancer", "Biopsy", "Cancer", "Cancer"})
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
	fd.newEngine = func(cfg core.Config, _ core.Options) (engine, error) {
		last = newFakeImages(cfg, 30, 30, fd.dim)
		fd.last = last.fakeEngine
		return last, nil
	}
	fd.loadPreset = func(name string, _ []string) (core.Config, error) {
		c := imageConfig()
		c.Name = name
		return c, nil
	}
	// A stand-in for the PCA hook: the sum and difference of x0 and x1.
	fd.pca = func(x []float32, rows, dim int) (Projector, error) {
		return func(dst, src []float32, rows int) {
			for i := range rows {
				dst[2*i] = src[i*dim] + src[i*dim+1]
				dst[2*i+1] = src[i*dim] - src[i*dim+1]
			}
		}, nil
	}
	return fd, clk, func() *fakeImages { return last }
}

// newGeneDeps wires the model to the fake engine in d = 5 with a fake
// batch-merging problem.
func newGeneDeps(t testing.TB) (*fakeDeps, *fakeClock, *fakeGenes) {
	fd := newFakeDeps(t, 5)
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	fd.now = clk.now
	g := &fakeGenes{}
	fd.genes = func(engine) geneSource { return g }
	fd.loadPreset = func(name string, _ []string) (core.Config, error) {
		c := testConfig()
		c.Name, c.Description = name, "fake gene merge"
		c.Flow.MetricsEvery = 5
		return c, nil
	}
	return fd, clk, g
}

// startedWith loads cfg on fd at w×h and returns the model with the
// first step command pending.
func startedWith(t testing.TB, fd *fakeDeps, cfg core.Config, w, h int) (*model, tea.Cmd) {
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
