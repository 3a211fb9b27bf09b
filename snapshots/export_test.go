package snapshots

import (
	"gonum.org/v1/plot/plotter"

	"bytes"
	"encoding/csv"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

// keepPNG writes the test pictures to this directory for viewing.
var keepPNG = flag.String("png", "", "directory to keep the rendered test pictures in")

// gaussRows returns n rows of d coordinates drawn from N(mean, sd²I).
func gaussRows(rng *rand.Rand, n, d int, mean, sd float64) []float32 {
	out := make([]float32, n*d)
	for i := range out {
		out[i] = float32(mean + sd*rng.NormFloat64())
	}
	return out
}

// fourWells is the paper's 2-D Gaussian mixture 1: wells at (0,0), (0,4),
// (4,0), (4,4) with σ = 0.5 (Table 5; notes/reference-code.md).
func fourWells(rng *rand.Rand, n int) []float32 {
	out := make([]float32, 0, 2*n)
	for i := range n {
		cx, cy := float64(4*(i%2)), float64(4*(i/2%2))
		out = append(out, float32(cx+0.5*rng.NormFloat64()), float32(cy+0.5*rng.NormFloat64()))
	}
	return out
}

// countColor counts pixels within tol of c in every channel.
func countColor(img image.Image, c color.NRGBA, tol int) int {
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if absDiff(int(r>>8), int(c.R)) <= tol && absDiff(int(g>>8), int(c.G)) <= tol && absDiff(int(bl>>8), int(c.B)) <= tol {
				n++
			}
		}
	}
	return n
}

func absDiff(a, b int) int { return max(a-b, b-a) }

func TestExportPNG(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	// The default font (Liberation) has φ and ν but no ∇ or combining hat.
	metrics := []Metric{{"D_L", 0.01234}, {"KE", 3.2e-4}, {"mean|grad φ|", 0.51}, {"ν", -1.5}, {"W1", 0.2}}
	digits := make([]float32, 60*28*28)
	labels := make([]int, 60)
	for i := range labels {
		labels[i] = i % 10
		// A bright square whose position encodes the label, on black.
		for y := 4 + 2*labels[i]; y < 10+2*labels[i]; y++ {
			for x := 6; x < 22; x++ {
				digits[i*784+y*28+x] = 0.2 + 0.08*float32(labels[i])
			}
		}
	}
	rgb := make([]float32, 12*8*8*3)
	for i := range rgb {
		rgb[i] = rng.Float32()
	}
	nanParticles := fourWells(rng, 50)
	nanParticles[0], nanParticles[9] = float32(math.NaN()), float32(math.Inf(1))
	for _, tc := range []struct {
		name   string
		p      PlotData
		w, h   int  // wanted size
		colors bool // wants both scatter colours in the plot
	}{
		{"2d", PlotData{Title: "gauss4 (L=1, Δt=1)", Step: 1200, Metrics: metrics, Dim: 2,
			Target: fourWells(rng, 200), Particles: gaussRows(rng, 200, 2, 2, 1), Initial: gaussRows(rng, 200, 2, 4, 0.5),
			Width: 640, Height: 480}, 640, 480, true},
		{"default size", PlotData{Dim: 2, Target: fourWells(rng, 20), Particles: fourWells(rng, 20)}, 800, 800, true},
		{"pca 5d", PlotData{Title: "5-d", Step: 7, Dim: 5, Target: gaussRows(rng, 300, 5, 0, 1), Particles: gaussRows(rng, 300, 5, 2, 0.3),
			Width: 500, Height: 500}, 500, 500, true},
		{"first two of 5d", PlotData{Dim: 5, Projection: ProjectFirstTwo, Target: gaussRows(rng, 50, 5, 0, 1), Particles: gaussRows(rng, 50, 5, 2, 0.3),
			Width: 300, Height: 200}, 300, 200, true},
		{"1d", PlotData{Step: 3, Dim: 1, Target: gaussRows(rng, 500, 1, 0, 1), Particles: gaussRows(rng, 500, 1, 3, 0.5),
			Initial: gaussRows(rng, 500, 1, 6, 0.2), Width: 400, Height: 300}, 400, 300, false},
		{"non-finite", PlotData{Dim: 2, Target: fourWells(rng, 50), Particles: nanParticles, Width: 300, Height: 300}, 300, 300, true},
		{"collapsed", PlotData{Dim: 2, Target: []float32{1, 1}, Particles: []float32{1, 1, 1, 1}, Width: 200, Height: 200}, 200, 200, true},
		{"empty", PlotData{Dim: 3, Width: 200, Height: 150}, 200, 150, false},
		{"mnist grid", PlotData{Title: "mnist", Step: 20000, Metrics: metrics[:2], Dim: 784, Particles: digits, Labels: labels,
			Image: ImageShape{28, 28, 1}, Width: 700, Height: 500}, 700, 500, false},
		{"grid no labels", PlotData{Dim: 784, Particles: digits[:30*784], Image: ImageShape{28, 28, 1}, Width: 300, Height: 300}, 300, 300, false},
		{"rgb grid", PlotData{Dim: 192, Particles: rgb, Image: ImageShape{8, 8, 3}, Width: 260, Height: 200}, 260, 200, false},
		{"tiny grid", PlotData{Title: "too small for the grid", Dim: 784, Particles: digits, Image: ImageShape{28, 28, 1}, Width: 60, Height: 40}, 60, 40, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if *keepPNG != "" {
				dir = *keepPNG
			}
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".png")
			if err := ExportPNG(path, tc.p); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("decoding %s: %v", path, err)
			}
			if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Errorf("size %dx%d, want %dx%d", b.Dx(), b.Dy(), tc.w, tc.h)
			}
			if tc.colors {
				// Exact glyph colours (tolerance 8 of 255 for antialiasing).
				nt, np := countColor(img, targetColor, 8), countColor(img, particleColor, 8)
				if nt == 0 || np == 0 {
					t.Errorf("%d target-blue and %d particle-orange pixels, want both > 0", nt, np)
				}
			}
		})
	}
}

// TestRenderErrors: inconsistent data (as a damaged or crafted snapshot
// gives) is an error, never a panic (issue #14: export --png panicked).
func TestRenderErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    PlotData
		want string
	}{
		{"no dim", PlotData{}, "dimension d = 0: want d > 0"},
		{"ragged", PlotData{Dim: 2, Particles: []float32{1, 2, 3}}, "3 values of the particles are not rows of d = 2"},
		{"ragged target", PlotData{Dim: 2, Target: []float32{1}}, "1 values of the target are not rows of d = 2"},
		{"ragged initial", PlotData{Dim: 2, Initial: []float32{1}}, "1 values of the initial particles are not rows of d = 2"},
		{"2 channels", PlotData{Dim: 2, Image: ImageShape{1, 1, 2}, Particles: make([]float32, 400)}, "image shape 1×1×2: want positive height and width and 1 or 3 channels"},
		{"negative height", PlotData{Dim: 4, Image: ImageShape{-2, -2, 1}}, "want positive height and width"},
		{"image dim", PlotData{Dim: 4, Image: ImageShape{2, 3, 1}}, "image shape 2×3×1 has 6 values, the particles d = 4"},
		// H·W·C = 2⁶⁴ + 4 would wrap to Dim = 4 without the pixel cap.
		{"wrapping shape", PlotData{Dim: 4, Image: ImageShape{1 << 32, 1 << 32, 1}}, "want at most 65536 pixels"},
		{"labels", PlotData{Dim: 1, Particles: []float32{1, 2}, Labels: []int{0}}, "1 labels for 2 particles"},
		{"7 images, 200 labels", PlotData{Dim: 4, Image: ImageShape{2, 2, 1}, Particles: make([]float32, 7*4), Labels: make([]int, 200)}, "200 labels for 7 particles"},
		// Issue #14: --size 100000 asked for a 40 GB picture.
		{"size", PlotData{Dim: 2, Width: 100000, Height: 100000}, "picture of 100000×100000 pixels: want at most 8192×8192"},
		{"height", PlotData{Dim: 2, Width: 100, Height: MaxSize + 1}, "want at most 8192×8192"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.png")
			err := ExportPNG(path, tc.p)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "snapshots: "+path+": ") {
				t.Errorf("ExportPNG error = %v, want one naming %s containing %q", err, path, tc.want)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a picture was written: %v", err)
			}
		})
	}
}

// TestPCAProjector puts the target on a line in 5-D: PC1 must recover the
// position along the line and PC2 must be ~0.
func TestPCAProjector(t *testing.T) {
	dir := []float64{1, 2, -2, 0, 4} // |dir| = 5
	var data []float32
	for i := range 11 {
		s := float64(i - 5)
		for j, u := range dir {
			data = append(data, float32(10+float64(j)+s*u/5))
		}
	}
	pr, ok := pcaProjector(data, 5)
	if !ok {
		t.Fatal("PCA failed")
	}
	for i := range 11 {
		x, y := pr.project(data[5*i : 5*i+5])
		want := float64(i - 5)
		// float32 inputs: ~1e-6 relative error per coordinate, times |dir| ≤ 5.
		if math.Abs(math.Abs(x)-math.Abs(want)) > 1e-5 || math.Abs(y) > 1e-5 {
			t.Errorf("row %d projects to (%g, %g), want (±%g, 0)", i, x, y, want)
		}
	}
	if _, ok := pcaProjector(data[:5], 5); ok {
		t.Error("PCA of one row succeeded, want fallback")
	}
	if p := newProjector(ProjectAuto, 5, data[:5], data); p.mean == nil {
		t.Error("ProjectAuto did not fall back to PCA of the particles")
	}
}

func TestGrid(t *testing.T) {
	im := ImageShape{H: 2, W: 3, C: 1}
	labels := []int{7, 2, 7, 2, 2, 9}
	particles := make([]float32, 6*6)
	for i := range labels {
		for k := range 6 {
			particles[6*i+k] = float32(i) / 10
		}
	}
	p := PlotData{Dim: 6, Particles: particles, Labels: labels, Image: im}
	cells, heads, _ := gridLayout(p)
	want := [][]int{{1, 0, 5}, {3, 2, -1}, {4, -1, -1}}
	if strings.Join(heads, ",") != "2,7,9" || len(cells) != len(want) {
		t.Fatalf("layout heads %v cells %v, want 2,7,9 and %v", heads, cells, want)
	}
	for r := range want {
		for c := range want[r] {
			if cells[r][c] != want[r][c] {
				t.Errorf("cell (%d,%d) = %d, want %d", r, c, cells[r][c], want[r][c])
			}
		}
	}
	g := gridImage(p, cells)
	if b := g.Bounds(); b.Dx() != 3*3+4*gridGap || b.Dy() != 3*2+4*gridGap {
		t.Errorf("grid is %v", b)
	}
	for r := range want {
		for c, k := range want[r] {
			got := g.RGBAAt(gridGap+c*(3+gridGap)+1, gridGap+r*(2+gridGap)+1)
			wantC := gridEmpty
			if k >= 0 {
				v := unitByte(float32(k) / 10)
				wantC = color.RGBA{R: v, G: v, B: v, A: 255}
			}
			if got != wantC {
				t.Errorf("cell (%d,%d) pixel %v, want %v", r, c, got, wantC)
			}
		}
	}
	for _, tc := range []struct {
		v    float32
		want uint8
	}{{-1, 0}, {0, 0}, {0.5, 128}, {1, 255}, {2, 255}, {float32(math.NaN()), 0}, {float32(math.Inf(1)), 255}} {
		if got := unitByte(tc.v); got != tc.want {
			t.Errorf("unitByte(%g) = %d, want %d", tc.v, got, tc.want)
		}
	}
}

func TestExportCSV(t *testing.T) {
	data := []float32{0.1, -2.5e-8, float32(math.NaN()), float32(math.Inf(-1)), math.MaxFloat32, 1e-45}
	var buf bytes.Buffer
	if err := ExportCSV(&buf, data, 3, 2, []string{"x1", "x2"}); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || strings.Join(recs[0], ",") != "x1,x2" {
		t.Fatalf("records %q, want a header and 3 rows", recs)
	}
	for i, v := range data {
		s := recs[1+i/2][i%2]
		got, err := strconv.ParseFloat(s, 32)
		if err != nil || math.Float32bits(float32(got)) != math.Float32bits(v) && !(math.IsNaN(got) && v != v) {
			t.Errorf("value %d: %q parses to %g, %v; want %g", i, s, got, err, v)
		}
	}
	buf.Reset()
	ExportCSV(&buf, data[:2], 1, 2, nil)
	if buf.String() != "0.1,-2.5e-08\n" {
		t.Errorf("without header: %q", buf.String())
	}
	for _, tc := range []struct {
		name   string
		rows   int
		header []string
		want   string
	}{
		{"shape", 4, nil, "snapshots: ExportCSV: shape mismatch"},
		{"header", 3, []string{"x"}, "snapshots: ExportCSV: len(header) != cols"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != tc.want {
					t.Errorf("panic = %v, want %q", r, tc.want)
				}
			}()
			ExportCSV(&buf, data, tc.rows, 2, tc.header)
		})
	}
}

func BenchmarkRender(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := PlotData{Dim: 2, Target: fourWells(rng, 200), Particles: gaussRows(rng, 2000, 2, 2, 1)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRobustView: a heavy-tailed sample is drawn around its bulk, with the
// far points counted, instead of shrinking the bulk to one pixel.
func TestRobustView(t *testing.T) {
	xys := make(plotter.XYs, 0, 200)
	for i := range 200 {
		xys = append(xys, plotter.XY{X: float64(i%10) / 10, Y: float64(i%7) / 7})
	}
	xys[3], xys[50] = plotter.XY{X: 1e5, Y: 0}, plotter.XY{X: 0, Y: -1e6}
	v, clip := robustView(xys)
	if !clip || v.x1 > 10 || v.y0 < -10 {
		t.Fatalf("view %+v (clip %v), want the bulk [0,1]² widened", v, clip)
	}
	kept, out := inView(xys, v, 0)
	if out != 2 || len(kept) != 198 {
		t.Errorf("kept %d, outside %d; want 198, 2", len(kept), out)
	}
	if _, clip := robustView(xys[:2]); clip {
		t.Error("clipped a tiny sample")
	}
	for i := range xys {
		xys[i].X, xys[i].Y = float64(i), float64(i)
	}
	if _, clip := robustView(xys); clip {
		t.Error("clipped a sample with no tails")
	}
}

// exportLikeCLI draws st the way `gpa-tui export --png` does
// (cmd/gpa-tui/snap.go): the particles over the target, or for an image
// run the grid of st.Images with st.Labels.
func exportLikeCLI(st *core.State, path string, size int) error {
	p := PlotData{Title: st.Config.Name, Step: st.Step, Dim: st.D, Particles: st.Particles,
		Target: st.Targets, Initial: st.Initial, Width: size, Height: size}
	if sh := st.ImageShape; sh[0] > 0 {
		p.Dim, p.Particles, p.Target, p.Initial = sh[0]*sh[1]*sh[2], st.Images, st.TargetImages, nil
		p.Image = ImageShape{H: sh[0], W: sh[1], C: sh[2]}
		p.Labels = st.Labels
	}
	return ExportPNG(path, p)
}
