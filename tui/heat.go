package tui

import (
	"fmt"
	"math"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
)

// The heat-map of φ: the discriminator's potential drawn as the background
// of the scatter's cells, in heatLevels shades from low (toward the
// targets) to high (where the particles are; they move along −∇φ, eq.
// (11)). For d > 2 it is the slice of φ through the plane the scatter
// shows (core.Projection.Lift: the plane through the targets' mean). The
// engine command evaluates φ (core.Potential) at the cell centres; the
// workbench only maps the values to shades.

// heatLevels is the number of shades: enough to read the landscape, few
// enough that neighbouring cells share a shade and a frame's background
// escape codes stay few (the bandwidth budget).
const heatLevels = 8

// Heat-map refresh: while the run moves, φ is evaluated at most every
// heatEvery, and at most heatShare of the engine's time goes to it (the
// interval grows to cost/heatShare); paused, whenever it is out of date.
const (
	heatEvery = time.Second
	heatShare = 0.05
)

// Grid resolution: one value per scatter cell, or per res×res cells when
// the potential is costly (pixel-space images through a CNN). After each
// evaluation res doubles above heatSlow and halves below heatFast.
const (
	heatMaxRes = 8
	heatSlow   = 300 * time.Millisecond
	heatFast   = 40 * time.Millisecond
)

// potentialer is an engine whose method has a potential (*core.Sim).
type potentialer interface {
	Potential() core.Potential
}

// heatState is the heat-map's state in the model.
type heatState struct {
	on     bool
	heads  int // outputs of φ (conditional runs: one per class)
	head   int // the head shown
	reason string
	stale  bool // a new evaluation is needed even when paused
	res    int  // cells per grid value along each axis

	at   time.Time     // when the last evaluation was asked for
	cost time.Duration // engine time of the last evaluation

	grid  *heatGrid // the last result, nil before the first
	spare *heatGrid // buffers for the next request
	lo    float64   // the shades' scale, with hysteresis
	hi    float64
}

// heatGrid is a grid of φ values over a rectangle of the plane: value
// (c, r) is at the centre of cell c of cols and row r of rows, row 0 at
// the top (y1).
type heatGrid struct {
	cols, rows     int
	x0, x1, y0, y1 float64
	head, heads    int
	proj           projection
	step           int
	vals           []float32 // rows×cols, the head shown

	pts2, lifted, out []float32 // work buffers of the engine command
	cost              time.Duration
	err               string
}

// run evaluates φ on the grid in the engine command.
func (g *heatGrid) run(e engine) {
	t0 := time.Now()
	defer func() { g.cost = time.Since(t0) }()
	g.step = e.StepCount()
	pe, ok := e.(potentialer)
	var pot core.Potential
	if ok {
		pot = pe.Potential()
	}
	if pot == nil {
		g.err = "this method has no potential to draw"
		return
	}
	lift := g.proj.lifter(e)
	if lift == nil {
		g.err = "this view has no plane to draw φ on"
		return
	}
	n, d, k := g.cols*g.rows, e.Dim(), max(g.heads, 1)
	g.pts2 = grow(g.pts2, 2*n)
	g.lifted = grow(g.lifted, d*n)
	g.out = grow(g.out, k*n)
	g.vals = grow(g.vals, n)
	dx, dy := (g.x1-g.x0)/float64(g.cols), (g.y1-g.y0)/float64(g.rows)
	for r := range g.rows {
		for c := range g.cols {
			i := r*g.cols + c
			g.pts2[2*i] = float32(g.x0 + (float64(c)+0.5)*dx)
			g.pts2[2*i+1] = float32(g.y1 - (float64(r)+0.5)*dy)
		}
	}
	lift(g.lifted, g.pts2, n)
	pot.PotentialTo(g.out, g.lifted, n)
	for i := range n {
		g.vals[i] = g.out[i*k+g.head]
	}
}

// grow returns b with length n, reusing its array when it is large enough.
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

// lifter is the way from the plane back to the flow's space for the
// current view: the problem's own view's Lift (the PCA plane), or
// core.CoordinateView's (the other coordinates at the targets' mean).
func (p projection) lifter(e engine) func(dst, pts []float32, rows int) {
	if p.mode == projPCA && p.pca != nil && p.dim > 2 {
		return p.pca.Lift
	}
	ax, ay := 0, 1
	if p.mode == projChoose && p.dim > 2 {
		ax, ay = p.ax, p.ay
	}
	if p.dim == 1 {
		ay = -1
	}
	return core.CoordinateView(e.Targets(), e.N(), p.dim, ax, ay).Lift
}

// heatRequest builds the next evaluation, or nil when none is due:
// stepping says the command also takes steps (then a running flow gets a
// new heat-map at most every heatEvery, and never more than heatShare of
// the engine's time).
func (m *model) heatRequest(stepping bool, now time.Time) *heatGrid {
	h := &m.heat
	if !h.on || h.reason != "" || m.eng == nil || !m.scatterShown() {
		return nil
	}
	cw, ch := m.plot.canvasSize()
	if m.plot.heat == nil {
		ch-- // the canvas gives a row to the heat-map's legend once it shows
	}
	if cw < 1 || ch < 1 || !m.plot.haveView {
		return nil
	}
	res := max(h.res, 1)
	cols, rows := (cw+res-1)/res, (ch+res-1)/res
	g := h.grid
	same := g != nil && g.cols == cols && g.rows == rows && g.head == h.head && g.proj == m.proj &&
		g.x0 == m.plot.xmin && g.x1 == m.plot.xmax && g.y0 == m.plot.ymin && g.y1 == m.plot.ymax
	stale := h.stale || !same || g.step != m.step
	if !stale {
		return nil
	}
	if stepping && m.running && g != nil {
		every := max(heatEvery, time.Duration(float64(h.cost)/heatShare))
		if now.Sub(h.at) < every {
			return nil
		}
	}
	req := h.spare
	h.spare = nil
	if req == nil {
		req = &heatGrid{}
	}
	*req = heatGrid{
		cols: cols, rows: rows, x0: m.plot.xmin, x1: m.plot.xmax, y0: m.plot.ymin, y1: m.plot.ymax,
		head: h.head, heads: h.heads, proj: m.proj,
		pts2: req.pts2, lifted: req.lifted, out: req.out, vals: req.vals,
	}
	h.at, h.stale = now, false
	return req
}

// applyHeat keeps an evaluated grid and adapts the resolution to its cost.
func (m *model) applyHeat(g *heatGrid) {
	h := &m.heat
	h.cost = g.cost
	if g.err != "" {
		h.reason = g.err
		h.spare = g
		return
	}
	switch {
	case g.cost > heatSlow && h.res < heatMaxRes:
		h.res *= 2
		h.stale = true
	case g.cost < heatFast && h.res > 1:
		h.res /= 2
		h.stale = true
	}
	h.spare, h.grid = h.grid, g
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range g.vals {
		if f := float64(v); !math.IsNaN(f) && !math.IsInf(f, 0) {
			lo, hi = min(lo, f), max(hi, f)
		}
	}
	if lo > hi {
		return
	}
	// Hysteresis, as the scatter's autoscale: keep the scale while the
	// values fill at least autoShrink of it, so the shades do not flicker
	// (and cost bytes) with every evaluation.
	inside := h.hi > h.lo && lo >= h.lo && hi <= h.hi && (hi-lo) >= autoShrink*(h.hi-h.lo)
	if !inside {
		h.lo, h.hi = lo, hi
	}
}

// toggleHeat turns the heat-map on or off, saying why it cannot be shown.
func (m *model) toggleHeat() {
	h := &m.heat
	h.on = !h.on
	if !h.on {
		m.setStatus(statusInfo, "heat-map of φ off")
		m.refreshPlot()
		return
	}
	h.stale = true
	switch {
	case h.reason != "":
		m.setStatus(statusWarn, "no heat-map: "+h.reason)
	case m.noColor():
		m.setStatus(statusWarn, "the heat-map needs colours (NO_COLOR is set, or the terminal has none)")
	case !m.scatterShown():
		m.setStatus(statusInfo, "heat-map of φ on: it shows under the scatter (g)")
	default:
		m.setStatus(statusInfo, "heat-map of φ on: dark low (targets) → light high (particles); particles move down the slope, −∇φ")
	}
	m.refreshPlot()
}

// heatReason says why a run can have no heat-map ("" if it can).
func heatReason(e engine, r remote) string {
	if r != nil {
		return "φ of an attached run lives in its own process"
	}
	if pe, ok := e.(potentialer); !ok || pe.Potential() == nil {
		return "this method has no potential φ to draw"
	}
	return ""
}

// heatView is what the scatter needs to shade its cells.
type heatView struct {
	g      *heatGrid
	lo, hi float64
	label  string // the legend's right part
}

// level is the shade of value v, 0 … heatLevels−1.
func (v *heatView) level(x float64) int {
	if !(v.hi > v.lo) {
		return heatLevels / 2
	}
	l := int((x - v.lo) / (v.hi - v.lo) * heatLevels)
	return min(max(l, 0), heatLevels-1)
}

// at is the grid value at data point (x, y), or NaN outside the grid.
func (v *heatView) at(x, y float64) float64 {
	g := v.g
	c := int(math.Floor((x - g.x0) / (g.x1 - g.x0) * float64(g.cols)))
	r := int(math.Floor((g.y1 - y) / (g.y1 - g.y0) * float64(g.rows)))
	if c < 0 || c >= g.cols || r < 0 || r >= g.rows || len(g.vals) < g.cols*g.rows {
		return math.NaN()
	}
	return float64(g.vals[r*g.cols+c])
}

// heatView assembles what the scatter draws, or nil.
func (m *model) heatView() *heatView {
	h := &m.heat
	if !h.on || h.grid == nil || h.reason != "" || m.noColor() {
		return nil
	}
	label := fmt.Sprintf("φ %s … %s", fmtNum(h.lo), fmtNum(h.hi))
	if h.heads > 1 {
		label += fmt.Sprintf(" · head %d", h.grid.head)
	}
	if m.proj.dim > 2 {
		label += " · slice through the targets' mean"
	}
	if h.grid.step != m.step {
		label += fmt.Sprintf(" · step %d", h.grid.step)
	}
	return &heatView{g: h.grid, lo: h.lo, hi: h.hi, label: label}
}
