package tui

import (
	"math"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Autoscale: the view is the data's bounding box padded by autoPad of its
// span on each side. It grows at once when a point leaves it and shrinks
// only when the data fill less than autoShrink of it, so that the axes do
// not flicker while the particles move (both fractions are our choice).
const (
	autoPad    = 0.05
	autoShrink = 0.6
)

// defaultSeriesNames are the legend names of the scatter series.
var defaultSeriesNames = [numSeries]string{"particles", "targets", "initial"}

// plotPanel is the scatter panel: a legend line, a braille canvas with a
// y axis on its left, an x axis and its tick labels below.
type plotPanel struct {
	w, h int
	cv   canvas

	// 2-D display coordinates, n×2 row-major, owned by the model.
	targets, particles, initial []float32
	showInitial                 bool
	frozen                      bool
	names                       [numSeries]string // legend names by series
	caption                     string            // projection, e.g. "x0 vs x1"
	heat                        *heatView         // the heat-map of φ under the dots, or nil
	focused                     bool              // the panel has the focus (tab)

	haveView bool
	// Where the canvas is inside the panel (rows from the top, gutter
	// width), for the mouse.
	top, gw                int
	xmin, xmax, ymin, ymax float64
	xs, ys                 []float64 // reused by the robust view

	cache string
}

// SetSize sets the panel size in cells.
func (p *plotPanel) SetSize(w, h int) { p.w, p.h = max(w, 1), max(h, 1) }

// View is the cached rendering, h lines of width w.
func (p *plotPanel) View() string { return p.cache }

// resetView forgets the current view so that the next redraw autoscales
// from scratch (a new Sim or projection).
func (p *plotPanel) resetView() { p.haveView = false }

// redraw autoscales (unless frozen), rasterises the data and renders the
// axes into the cached string.
func (p *plotPanel) redraw(st *Styles) {
	if !p.frozen || !p.haveView {
		p.autoscale()
	}
	p.top = 1 // the legend
	if p.heat != nil {
		p.top = 2 // and the heat-map's
	}
	ch := max(p.h-2-p.top, 1) // legends, x axis and x labels

	// y ticks decide the gutter width.
	yt := niceTicks(p.ymin, p.ymax, max(ch/3, 2))
	ylab := make(map[int]string, len(yt))
	gw := 2
	for _, t := range yt {
		r := int((p.ymax - t) / (p.ymax - p.ymin) * float64(ch))
		r = min(max(r, 0), ch-1)
		if _, dup := ylab[r]; dup {
			continue
		}
		ylab[r] = fmtNum(t)
		gw = max(gw, ansi.StringWidth(ylab[r])+1)
	}
	gw = min(gw, max(p.w/3, 1))
	cw := max(p.w-gw, 1)
	p.gw = gw

	p.cv.resize(cw, ch)
	p.cv.setRange(p.xmin, p.xmax, p.ymin, p.ymax)
	if p.showInitial {
		p.cv.plot(seriesInitial, p.initial, 2, 0, 1)
	}
	p.cv.plot(seriesTargets, p.targets, 2, 0, 1)
	p.cv.plot(seriesParticles, p.particles, 2, 0, 1)
	var bgs []lipgloss.Style
	if p.heat != nil {
		p.shade()
		bgs = st.Heat[:]
	}
	rows := strings.Split(p.cv.render(st.Series[:], bgs), "\n")

	var b strings.Builder
	b.WriteString(p.legend(st))
	if p.heat != nil {
		b.WriteByte('\n')
		b.WriteString(p.heatLegend(st))
	}
	for r, row := range rows {
		b.WriteByte('\n')
		tick := "│"
		lab, ok := ylab[r]
		if ok {
			tick = "┤"
		}
		g := strings.Repeat(" ", max(gw-1-ansi.StringWidth(lab), 0)) + lab + tick
		b.WriteString(st.Axis.Render(ansi.Truncate(g, gw, "")))
		b.WriteString(row)
	}
	axis, labels := p.xAxis(gw, cw)
	b.WriteByte('\n')
	b.WriteString(st.Axis.Render(axis))
	b.WriteByte('\n')
	b.WriteString(st.Axis.Render(labels))
	p.cache = b.String()
}

// shade sets the background of every canvas cell from the heat-map: the
// value at the cell's centre.
func (p *plotPanel) shade() {
	cv, h := &p.cv, p.heat
	dx, dy := (p.xmax-p.xmin)/float64(cv.w), (p.ymax-p.ymin)/float64(cv.h)
	for r := range cv.h {
		y := p.ymax - (float64(r)+0.5)*dy
		for c := range cv.w {
			if v := h.at(p.xmin+(float64(c)+0.5)*dx, y); !math.IsNaN(v) {
				cv.bg[r*cv.w+c] = uint8(h.level(v) + 1)
			}
		}
	}
}

// heatLegend is the heat-map's line: the shades from low to high and what
// they span.
func (p *plotPanel) heatLegend(st *Styles) string {
	var b strings.Builder
	b.WriteString(" " + st.Label.Render("φ low "))
	for _, s := range st.Heat {
		b.WriteString(s.Render("  "))
	}
	b.WriteString(st.Label.Render(" high  ") + st.Muted.Render(p.heat.label))
	return padRight(ansi.Truncate(b.String(), p.w, "…"), p.w)
}

// canvasSize is the braille canvas's size in cells at the last redraw.
func (p *plotPanel) canvasSize() (w, h int) { return p.cv.w, p.cv.h }

// zoom scales the view by f around the data point (x, y) (f < 1 zooms
// in) and freezes it, so that autoscale does not undo it.
func (p *plotPanel) zoom(f, x, y float64) {
	if !p.haveView {
		return
	}
	p.xmin, p.xmax = x+(p.xmin-x)*f, x+(p.xmax-x)*f
	p.ymin, p.ymax = y+(p.ymin-y)*f, y+(p.ymax-y)*f
	p.frozen = true
}

// pan moves the view by fractions of its width and height and freezes it.
func (p *plotPanel) pan(fx, fy float64) {
	if !p.haveView {
		return
	}
	dx, dy := fx*(p.xmax-p.xmin), fy*(p.ymax-p.ymin)
	p.xmin, p.xmax, p.ymin, p.ymax = p.xmin+dx, p.xmax+dx, p.ymin+dy, p.ymax+dy
	p.frozen = true
}

// dataAt maps a cell of the panel (column, row from the panel's top left)
// to the data point at its centre; ok is false outside the canvas.
func (p *plotPanel) dataAt(col, row int) (x, y float64, ok bool) {
	c, r := col-p.gw, row-p.top
	if !p.haveView || c < 0 || r < 0 || c >= p.cv.w || r >= p.cv.h {
		return 0, 0, false
	}
	x = p.xmin + (float64(c)+0.5)/float64(p.cv.w)*(p.xmax-p.xmin)
	y = p.ymax - (float64(r)+0.5)/float64(p.cv.h)*(p.ymax-p.ymin)
	return x, y, true
}

// legend is the first line: the series, the projection and the view mode.
func (p *plotPanel) legend(st *Styles) string {
	names := p.names
	if names[seriesParticles] == "" {
		names = defaultSeriesNames
	}
	items := []string{
		st.Series[seriesParticles].Render("⣿") + st.Label.Render(" "+names[seriesParticles]),
		st.Series[seriesTargets].Render("⣿") + st.Label.Render(" "+names[seriesTargets]),
	}
	if p.showInitial {
		items = append(items, st.Series[seriesInitial].Render("⣿")+st.Label.Render(" "+names[seriesInitial]))
	}
	mode := "auto"
	if p.frozen {
		mode = "frozen"
	}
	items = append(items, st.Muted.Render(p.caption+" · "+mode))
	lead := " "
	if p.focused {
		lead = st.Title.Render("▸")
	}
	return padRight(ansi.Truncate(lead+strings.Join(items, "  "), p.w, "…"), p.w)
}

// xAxis returns the axis line ("└──┬──") and the tick labels below it.
func (p *plotPanel) xAxis(gw, cw int) (axis, labels string) {
	line := []rune(strings.Repeat(" ", gw-1) + "└" + strings.Repeat("─", cw))
	lab := []rune(strings.Repeat(" ", p.w))
	next := 0 // first free column for a label
	for _, t := range niceTicks(p.xmin, p.xmax, max(cw/10, 2)) {
		c := int((t - p.xmin) / (p.xmax - p.xmin) * float64(cw))
		c = min(max(c, 0), cw-1)
		line[gw+c] = '┬'
		s := []rune(fmtNum(t))
		start := min(max(gw+c-len(s)/2, next), p.w-len(s))
		if start < next || start < 0 {
			continue
		}
		copy(lab[start:], s)
		next = start + len(s) + 1
	}
	return string(line[:p.w]), string(lab)
}

// autoscale sets the view from the data's bounding box, with hysteresis.
func (p *plotPanel) autoscale() {
	xlo, xhi := math.Inf(1), math.Inf(-1)
	ylo, yhi := math.Inf(1), math.Inf(-1)
	add := func(pts []float32) {
		for i := 0; i+1 < len(pts); i += 2 {
			x, y := float64(pts[i]), float64(pts[i+1])
			if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
				continue
			}
			xlo, xhi = min(xlo, x), max(xhi, x)
			ylo, yhi = min(ylo, y), max(yhi, y)
		}
	}
	add(p.targets)
	add(p.particles)
	if p.showInitial {
		add(p.initial)
	}
	if xlo > xhi { // no finite point
		if !p.haveView {
			p.xmin, p.xmax, p.ymin, p.ymax = -1, 1, -1, 1
			p.haveView = true
		}
		return
	}
	xlo, xhi, ylo, yhi = p.robust(xlo, xhi, ylo, yhi)
	xlo, xhi = padRange(xlo, xhi)
	ylo, yhi = padRange(ylo, yhi)
	inside := p.haveView && xlo >= p.xmin && xhi <= p.xmax && ylo >= p.ymin && yhi <= p.ymax
	loose := (xhi-xlo) < autoShrink*(p.xmax-p.xmin) || (yhi-ylo) < autoShrink*(p.ymax-p.ymin)
	if !inside || loose {
		p.xmin, p.xmax, p.ymin, p.ymax = xlo, xhi, ylo, yhi
		p.haveView = true
	}
}

// robust narrows the bounding box to the 1st–99th percentiles of the
// targets and particles, widened by half their span, when the full box is
// more than five times larger (heavy tails: a few Student-t(0.5) samples at
// 10⁵ would squeeze the bulk into one braille dot). Points outside the
// view are clipped by the canvas.
func (p *plotPanel) robust(xlo, xhi, ylo, yhi float64) (float64, float64, float64, float64) {
	p.xs, p.ys = p.xs[:0], p.ys[:0]
	for _, pts := range [][]float32{p.targets, p.particles} {
		for i := 0; i+1 < len(pts); i += 2 {
			x, y := float64(pts[i]), float64(pts[i+1])
			if !math.IsNaN(x) && !math.IsInf(x, 0) && !math.IsNaN(y) && !math.IsInf(y, 0) {
				p.xs, p.ys = append(p.xs, x), append(p.ys, y)
			}
		}
	}
	if len(p.xs) < 20 {
		return xlo, xhi, ylo, yhi
	}
	slices.Sort(p.xs)
	slices.Sort(p.ys)
	q := func(v []float64, f float64) float64 { return v[int(f*float64(len(v)-1))] }
	rx0, rx1, ry0, ry1 := q(p.xs, 0.01), q(p.xs, 0.99), q(p.ys, 0.01), q(p.ys, 0.99)
	wx, wy := rx1-rx0, ry1-ry0
	if !(wx > 0) || !(wy > 0) || max((xhi-xlo)/wx, (yhi-ylo)/wy) <= 5 {
		return xlo, xhi, ylo, yhi
	}
	return max(xlo, rx0-wx/2), min(xhi, rx1+wx/2), max(ylo, ry0-wy/2), min(yhi, ry1+wy/2)
}

// padRange widens [lo, hi] by autoPad of its span on each side; a single
// value gets a span of 10% of its magnitude, or 1 at zero.
func padRange(lo, hi float64) (float64, float64) {
	span := hi - lo
	if span == 0 {
		span = max(math.Abs(lo)*0.1, 1)
		return lo - span/2, hi + span/2
	}
	return lo - autoPad*span, hi + autoPad*span
}
