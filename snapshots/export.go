package snapshots

import (
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// PlotData is what ExportPNG and Render draw: the particles over the target.
type PlotData struct {
	// Title is the first part of the title, e.g. the preset name; may be empty.
	Title string
	// Step is the particle step shown in the title.
	Step int
	// Metrics are shown in the title, in order.
	Metrics []Metric
	// Dim is d, the number of coordinates of each point (> 0).
	Dim int
	// Particles Y (M×Dim), Target X (N×Dim) and the optional Initial
	// particles (drawn faint), flat row-major.
	Particles, Target, Initial []float32
	// Image, when non-zero, draws the particles as an image grid instead of
	// a scatter plot; Image.H·Image.W·Image.C must equal Dim.
	Image ImageShape
	// Labels optionally gives each particle's class (length M); the image
	// grid then has one column per class.
	Labels []int
	// Projection maps Dim > 2 to the plane (default ProjectAuto).
	Projection Projection
	// Width and Height are the picture size in pixels (default 800×800).
	Width, Height int
}

// Metric is one named number for the title.
type Metric struct {
	Name  string
	Value float64
}

// ImageShape is the layout of image particles: H rows of W pixels of C
// channels (1: grey, 3: RGB), channels last, values in [0, 1].
type ImageShape struct {
	H, W, C int
}

// Default picture size and resolution.
const (
	defaultSize = 800
	exportDPI   = 96
)

// Limits of Render.
const (
	// MaxSize is the largest Width and Height: an 8192×8192 RGBA picture
	// takes 256 MiB while it is drawn.
	MaxSize = 8192
	// MaxImagePixels is the largest Image.H·Image.W, 65536 (256×256): the
	// grid of up to 200 images then stays below 60 MB at native size.
	MaxImagePixels = 1 << 16
)

// Colours of the scatter plot: matplotlib's "tab10" blue and orange, and a
// translucent grey for the initial particles.
var (
	targetColor   = color.NRGBA{R: 31, G: 119, B: 180, A: 255}
	particleColor = color.NRGBA{R: 255, G: 127, B: 14, A: 255}
	initialColor  = color.NRGBA{R: 128, G: 128, B: 128, A: 80}
)

// ExportPNG renders p (see Render) and writes it atomically to path as PNG.
func ExportPNG(path string, p PlotData) error {
	img, err := Render(p)
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	err = WriteAtomic(path, func(w io.Writer) error { return png.Encode(w, img) })
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	return nil
}

// Render draws p as a Width×Height picture: a scatter plot of the target
// (blue), the particles (orange) and the initial particles (faint grey) in
// the first two coordinates or a PCA projection, densities for Dim = 1, or
// an image grid when p.Image is set. The title shows Title, Step and
// Metrics; non-finite particles are left out and counted in the title.
//
// p usually comes from a snapshot file, so Render checks it and returns an
// error, never panics, when it is inconsistent: Dim ≤ 0, a data length that
// is not a multiple of Dim, an Image shape that does not match Dim (or has
// other than 1 or 3 channels, or more than MaxImagePixels pixels),
// len(Labels) ≠ M, or a Width or Height above MaxSize.
func Render(p PlotData) (image.Image, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	w, h := p.Width, p.Height
	if w <= 0 {
		w = defaultSize
	}
	if h <= 0 {
		h = defaultSize
	}
	c := vgimg.NewWith(vgimg.UseImage(image.NewRGBA(image.Rect(0, 0, w, h))), vgimg.UseDPI(exportDPI))
	dc := draw.New(c)
	var err error
	switch {
	case p.Image != ImageShape{}:
		err = drawGrid(c, dc, p)
	case p.Dim == 1:
		err = drawDensities(dc, p)
	default:
		err = drawScatter(dc, p)
	}
	if err != nil {
		return nil, err
	}
	return c.Image(), nil
}

// check reports what makes p impossible to draw, or nil.
func (p PlotData) check() error {
	d := p.Dim
	if d <= 0 {
		return fmt.Errorf("dimension d = %d: want d > 0", d)
	}
	if p.Width > MaxSize || p.Height > MaxSize {
		return fmt.Errorf("picture of %d×%d pixels: want at most %d×%d", p.Width, p.Height, MaxSize, MaxSize)
	}
	for _, l := range []struct {
		name string
		data []float32
	}{{"particles", p.Particles}, {"target", p.Target}, {"initial particles", p.Initial}} {
		if len(l.data)%d != 0 {
			return fmt.Errorf("%d values of the %s are not rows of d = %d", len(l.data), l.name, d)
		}
	}
	if im := p.Image; im != (ImageShape{}) {
		if im.H <= 0 || im.W <= 0 || (im.C != 1 && im.C != 3) {
			return fmt.Errorf("image shape %d×%d×%d: want positive height and width and 1 or 3 channels", im.H, im.W, im.C)
		}
		if im.H > MaxImagePixels/im.W {
			return fmt.Errorf("images of %d×%d pixels: want at most %d pixels", im.H, im.W, MaxImagePixels)
		}
		if im.H*im.W*im.C != d {
			return fmt.Errorf("image shape %d×%d×%d has %d values, the particles d = %d", im.H, im.W, im.C, im.H*im.W*im.C, d)
		}
	}
	if m := len(p.Particles) / d; p.Labels != nil && len(p.Labels) != m {
		return fmt.Errorf("%d labels for %d particles", len(p.Labels), m)
	}
	return nil
}

// title formats "Title — step N" and a line of metrics.
func (p PlotData) title(extra string) string {
	var b strings.Builder
	if p.Title != "" {
		b.WriteString(p.Title + " — ")
	}
	fmt.Fprintf(&b, "step %d", p.Step)
	line := 0
	for i, m := range p.Metrics {
		s := m.Name + " " + strconv.FormatFloat(m.Value, 'g', 4, 64)
		switch {
		case i == 0 || line+len(s) > 70:
			b.WriteString("\n")
			line = 0
		default:
			b.WriteString("    ")
			line += 4
		}
		b.WriteString(s)
		line += len(s)
	}
	if extra != "" {
		b.WriteString("\n" + extra)
	}
	return b.String()
}

// projectRows projects the finite rows of data (n×d) and returns the
// points and the number of rows left out.
func projectRows(pr projector, data []float32, d int) (plotter.XYs, int) {
	xys := make(plotter.XYs, 0, len(data)/d)
	dropped := 0
	for i := 0; i+d <= len(data); i += d {
		x, y := pr.project(data[i : i+d])
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			dropped++
			continue
		}
		xys = append(xys, plotter.XY{X: x, Y: y})
	}
	return xys, dropped
}

// omitted describes rows left out of the picture, or "".
func omitted(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("(%d non-finite points not drawn)", n)
}

// drawScatter draws the Dim ≥ 2 scatter plot.
func drawScatter(dc draw.Canvas, p PlotData) error {
	pr := newProjector(p.Projection, p.Dim, p.Target, p.Particles)
	pl := plot.New()
	pl.X.Label.Text, pl.Y.Label.Text = pr.xLabel, pr.yLabel
	pl.Legend.Top = true
	m := len(p.Particles) / p.Dim
	radius := vg.Points(2)
	if m+len(p.Target)/p.Dim > 1000 {
		radius = vg.Points(1.2)
	}
	layers := []struct {
		name string
		data []float32
		col  color.Color
		xys  plotter.XYs
	}{
		{"initial", p.Initial, initialColor, nil},
		{"target", p.Target, targetColor, nil},
		{"particles", p.Particles, particleColor, nil},
	}
	dropped := 0
	var all plotter.XYs
	for i := range layers {
		var n int
		layers[i].xys, n = projectRows(pr, layers[i].data, p.Dim)
		dropped += n
		all = append(all, layers[i].xys...)
	}
	view, clipped := robustView(all)
	outside := 0
	for _, layer := range layers {
		xys := layer.xys
		if clipped {
			xys, outside = inView(xys, view, outside)
		}
		if len(xys) == 0 {
			continue
		}
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		s.GlyphStyle = draw.GlyphStyle{Color: layer.col, Radius: radius, Shape: draw.CircleGlyph{}}
		pl.Add(s)
		pl.Legend.Add(fmt.Sprintf("%s (%d)", layer.name, len(layer.xys)), s)
	}
	if outside > 0 {
		dropped = 0 // the note below covers the view; non-finite rows are rare
		pl.Title.Text = p.title(fmt.Sprintf("(%d far points outside the view: heavy tails)", outside))
		equalAspect(pl, dc, legendRoom(pl, dc))
		pl.Draw(dc)
		return nil
	}
	pl.Title.Text = p.title(omitted(dropped))
	equalAspect(pl, dc, legendRoom(pl, dc))
	pl.Draw(dc)
	return nil
}

// viewBox is a rectangle of the plane.
type viewBox struct{ x0, x1, y0, y1 float64 }

// robustView returns the 1st–99th percentile box of the points, widened by
// 25 % on each side, and whether it is much smaller than the full extent
// (heavy tails: a Student-t(0.5) sample spans 10⁵ while its bulk spans 10),
// in which case the plot shows that box instead of everything.
func robustView(xys plotter.XYs) (viewBox, bool) {
	if len(xys) < 20 {
		return viewBox{}, false
	}
	xs, ys := make([]float64, len(xys)), make([]float64, len(xys))
	for i, p := range xys {
		xs[i], ys[i] = p.X, p.Y
	}
	sort.Float64s(xs)
	sort.Float64s(ys)
	q := func(v []float64, f float64) float64 { return v[int(f*float64(len(v)-1))] }
	v := viewBox{q(xs, 0.01), q(xs, 0.99), q(ys, 0.01), q(ys, 0.99)}
	wx, wy := v.x1-v.x0, v.y1-v.y0
	if !(wx > 0) || !(wy > 0) {
		return viewBox{}, false
	}
	full := math.Max((xs[len(xs)-1]-xs[0])/wx, (ys[len(ys)-1]-ys[0])/wy)
	v = viewBox{v.x0 - wx/4, v.x1 + wx/4, v.y0 - wy/4, v.y1 + wy/4}
	return v, full > 5
}

// inView keeps the points inside v and adds the others to outside.
func inView(xys plotter.XYs, v viewBox, outside int) (plotter.XYs, int) {
	out := make(plotter.XYs, 0, len(xys))
	for _, p := range xys {
		if p.X >= v.x0 && p.X <= v.x1 && p.Y >= v.y0 && p.Y <= v.y1 {
			out = append(out, p)
		} else {
			outside++
		}
	}
	return out, outside
}

// legendRoom is the height to keep free above the data for the legend.
func legendRoom(pl *plot.Plot, dc draw.Canvas) float64 {
	return float64(pl.Legend.Rectangle(dc).Size().Y + vg.Points(8))
}

// equalAspect sets the axis ranges so that one data unit has the same
// length on both axes, the data fill the data area (with 5% margin) below a
// free strip of room points for the legend, and the data are centred.
func equalAspect(pl *plot.Plot, dc draw.Canvas, room float64) {
	if pl.X.Min > pl.X.Max { // nothing was added
		return
	}
	xs, ys := pl.X.Max-pl.X.Min, pl.Y.Max-pl.Y.Min
	if xs == 0 && ys == 0 {
		xs, ys = 1, 1
	}
	da := pl.DataCanvas(dc)
	w, h := float64(da.Max.X-da.Min.X), float64(da.Max.Y-da.Min.Y)
	if w <= 0 || h-room <= 0 {
		return
	}
	unit := 1.05 * math.Max(xs/w, ys/(h-room)) // data units per point
	cx, cy := (pl.X.Min+pl.X.Max)/2, (pl.Y.Min+pl.Y.Max)/2
	pl.X.Min, pl.X.Max = cx-unit*w/2, cx+unit*w/2
	pl.Y.Min, pl.Y.Max = cy-unit*(h-room)/2, cy+unit*(h-room)/2+unit*room
}

// drawDensities draws Dim = 1 data as histograms (densities) on shared bins.
func drawDensities(dc draw.Canvas, p PlotData) error {
	const bins = 40
	var lo, hi = math.Inf(1), math.Inf(-1)
	dropped := 0
	finite := func(data []float32) []float64 {
		var out []float64
		for _, v := range data {
			if x := float64(v); !math.IsNaN(x) && !math.IsInf(x, 0) {
				out = append(out, x)
				lo, hi = math.Min(lo, x), math.Max(hi, x)
			} else {
				dropped++
			}
		}
		return out
	}
	layers := []struct {
		name string
		vals []float64
		col  color.Color
	}{
		{"initial", finite(p.Initial), initialColor},
		{"target", finite(p.Target), color.NRGBA{R: targetColor.R, G: targetColor.G, B: targetColor.B, A: 110}},
		{"particles", finite(p.Particles), color.NRGBA{R: particleColor.R, G: particleColor.G, B: particleColor.B, A: 110}},
	}
	pl := plot.New()
	pl.X.Label.Text, pl.Y.Label.Text = "x₁", "density"
	pl.Legend.Top = true
	if hi < lo {
		lo, hi = 0, 1
	}
	if hi == lo {
		lo, hi = lo-0.5, hi+0.5
	}
	width := (hi - lo) / bins
	for _, layer := range layers {
		if len(layer.vals) == 0 {
			continue
		}
		h := &plotter.Histogram{Bins: make([]plotter.HistogramBin, bins), Width: width, FillColor: layer.col}
		h.LineStyle = draw.LineStyle{Color: layer.col, Width: vg.Points(0.5)}
		for i := range h.Bins {
			h.Bins[i].Min, h.Bins[i].Max = lo+float64(i)*width, lo+float64(i+1)*width
		}
		for _, x := range layer.vals {
			i := min(int((x-lo)/width), bins-1)
			h.Bins[i].Weight += 1 / (float64(len(layer.vals)) * width)
		}
		pl.Add(h)
		pl.Legend.Add(fmt.Sprintf("%s (%d)", layer.name, len(layer.vals)), h)
	}
	pl.Title.Text = p.title(omitted(dropped))
	// Raise the top of the y range so the legend sits above the bars.
	if da := pl.DataCanvas(dc); pl.Y.Max > 0 {
		h := float64(da.Max.Y - da.Min.Y)
		if room := legendRoom(pl, dc); h > room {
			pl.Y.Max *= h / (h - room)
		}
	}
	pl.Draw(dc)
	return nil
}
