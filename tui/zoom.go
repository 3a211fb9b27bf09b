package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// focusID is the panel that the arrows and enter act on; tab moves it.
type focusID int

const (
	focusScatter focusID                   = iota // arrows pan, z/Z zoom
	focusSpark                                    // + k: sparkline k; enter zooms it
	focusChanges = focusSpark + sparkCount        // arrows scroll the changes
)

// focusable lists the panels that can take the focus now, in tab order.
func (m *model) focusable() []focusID {
	var f []focusID
	if m.scatterShown() {
		f = append(f, focusScatter)
	}
	for k := range m.sparkDefs {
		f = append(f, focusSpark+focusID(k))
	}
	if m.reg.EventsH >= 1 {
		f = append(f, focusChanges)
	}
	return f
}

// moveFocus moves the focus to the next (or previous) panel.
func (m *model) moveFocus(next bool) {
	f := m.focusable()
	if len(f) == 0 {
		return
	}
	i := 0
	for j, id := range f {
		if id == m.focus {
			i = j
		}
	}
	if next {
		i = (i + 1) % len(f)
	} else {
		i = (i + len(f) - 1) % len(f)
	}
	m.focus = f[i]
	m.focusMoved = true
	m.setStatus(statusInfo, "focus: "+m.focusName()+m.focusHint())
	m.redrawAll()
}

// focusName names the focused panel.
func (m *model) focusName() string {
	switch {
	case m.focus == focusScatter:
		return "scatter"
	case m.focus == focusChanges:
		return "changes"
	case m.focus >= focusSpark && int(m.focus-focusSpark) < len(m.sparkDefs):
		return "sparkline " + m.sparkDefs[m.focus-focusSpark].info.Symbol
	}
	return "none"
}

// focusHint says what the keys do in the focused panel.
func (m *model) focusHint() string {
	switch {
	case m.focus == focusScatter:
		return " — arrows pan, z/Z zoom, f back to auto, wheel and drag with the mouse"
	case m.focus == focusChanges:
		return " — ↑↓ pgup pgdn home end scroll"
	}
	return " — enter zooms it (or its number key), esc returns"
}

// onFocusKey handles the keys of the focused panel; it reports whether k
// was one.
func (m *model) onFocusKey(k tea.KeyPressMsg) bool {
	switch {
	case m.focus == focusChanges && m.reg.EventsH >= 1:
		if m.evScroll.key(k, m.keys, max(m.reg.EventsH-2, 1)) {
			m.refreshSide()
			return true
		}
	case m.focus >= focusSpark && m.focus < focusChanges:
		if key.Matches(k, m.keys.Zoom) {
			m.toggleZoom(int(m.focus-focusSpark) + 1)
			return true
		}
	case m.focus == focusScatter && m.scatterShown():
		const step = 0.1 // of the view per key press
		switch {
		case key.Matches(k, m.keys.PanLeft):
			m.plot.pan(-step, 0)
		case key.Matches(k, m.keys.PanRight):
			m.plot.pan(step, 0)
		case key.Matches(k, m.keys.PanUp):
			m.plot.pan(0, step)
		case key.Matches(k, m.keys.PanDown):
			m.plot.pan(0, -step)
		default:
			return false
		}
		m.refreshPlot()
		return true
	}
	return false
}

// zoomScatter zooms the scatter around its centre (in: f < 1).
func (m *model) zoomScatter(f float64) {
	p := &m.plot
	p.zoom(f, (p.xmin+p.xmax)/2, (p.ymin+p.ymax)/2)
	m.refreshPlot()
}

// toggleZoom shows sparkline k (1-based) full width, or returns.
func (m *model) toggleZoom(k int) {
	if k < 1 || k > len(m.sparkDefs) {
		m.setStatus(statusInfo, fmt.Sprintf("there is no sparkline %d", k))
		return
	}
	if m.zoomed == k {
		m.zoomed = 0
	} else {
		m.zoomed = k
		m.showHelp, m.log.open, m.pickerOpen = false, false, false
	}
	m.redrawAll()
}

// zoomPanel is one metric over the whole run, full width (btop style): a
// title with the current value and the extremes, a braille line over
// the steps with a value axis (log scale for log metrics) and a step axis.
type zoomPanel struct {
	w, h   int
	label  string
	log    bool
	limit  float64 // drawn as a dotted line when > 0 and finite
	unit   string
	values []float64
	steps  []int
	cv     canvas
	cache  string
}

func (z *zoomPanel) SetSize(w, h int) { z.w, z.h = max(w, 1), max(h, 1) }
func (z *zoomPanel) View() string     { return z.cache }

// redraw renders the panel.
func (z *zoomPanel) redraw(st *Styles) {
	sp := spark{log: z.log, values: z.values}
	cur, lo, hi, ok := sp.stats()
	title := " " + st.Title.Render(z.label)
	if ok {
		title += st.Value.Render(" "+fmtNum(cur)) + st.Muted.Render(" ↓"+fmtNum(lo)+" ↑"+fmtNum(hi))
		if n := len(z.steps); n > 0 {
			title += st.Muted.Render(fmt.Sprintf(" · steps %d–%d", z.steps[0], z.steps[n-1]))
		}
	}
	if z.log {
		title += st.Muted.Render(" · log scale")
	}
	if z.limit > 0 && !math.IsInf(z.limit, 0) && z.unit != "" {
		title += st.Muted.Render(" · ┄ " + z.unit + " " + fmtNum(z.limit))
	}
	title += st.Muted.Render(" · esc returns")
	lines := []string{fitLine(title, z.w)}
	if !ok || z.h < 5 {
		lines = append(lines, " "+st.Muted.Render("no values yet"))
		z.cache = fitBlock(strings.Join(lines, "\n"), z.w, z.h)
		return
	}
	scale := sp.scale
	ylo, yhi := scale(lo), scale(hi)
	if z.limit > 0 && !math.IsInf(z.limit, 0) {
		ylo, yhi = min(ylo, scale(z.limit)), max(yhi, scale(z.limit))
	}
	ylo, yhi = padRange(ylo, yhi)
	xlo, xhi := float64(z.steps[0]), float64(z.steps[len(z.steps)-1])
	if xhi <= xlo {
		xlo, xhi = xlo-1, xhi+1
	}
	ch := z.h - 3
	// y labels: the value at a few rows, in the metric's own units.
	ylab := map[int]string{}
	gw := 2
	for _, r := range []int{0, ch / 2, ch - 1} {
		v := yhi - (float64(r)+0.5)/float64(ch)*(yhi-ylo)
		if z.log {
			v = math.Pow(10, v)
		}
		ylab[r] = fmtNum(v)
		gw = max(gw, ansi.StringWidth(ylab[r])+1)
	}
	cw := max(z.w-gw, 1)
	z.cv.resize(cw, ch)
	z.cv.setRange(xlo, xhi, ylo, yhi)
	if z.limit > 0 && !math.IsInf(z.limit, 0) {
		y := scale(z.limit)
		for c := 0; c < 2*cw; c += 3 {
			x := xlo + (float64(c)+0.5)/float64(2*cw)*(xhi-xlo)
			z.cv.plot(seriesInitial, []float32{float32(x), float32(y)}, 2, 0, 1)
		}
	}
	var px, py float64
	first := true
	for i, v := range z.values {
		if !sp.usable(v) || i >= len(z.steps) {
			continue
		}
		x, y := float64(z.steps[i]), scale(v)
		if !first {
			z.cv.line(seriesParticles, px, py, x, y)
		}
		z.cv.plot(seriesParticles, []float32{float32(x), float32(y)}, 2, 0, 1)
		px, py, first = x, y, false
	}
	rows := strings.Split(z.cv.render(st.Series[:], nil), "\n")
	for r, row := range rows {
		lab, tick := ylab[r], "│"
		if lab != "" {
			tick = "┤"
		}
		g := strings.Repeat(" ", max(gw-1-ansi.StringWidth(lab), 0)) + lab + tick
		lines = append(lines, st.Axis.Render(g)+row)
	}
	p := plotPanel{w: z.w, xmin: xlo, xmax: xhi}
	axis, labels := p.xAxis(gw, cw)
	lines = append(lines, st.Axis.Render(axis), st.Axis.Render(labels))
	z.cache = fitBlock(strings.Join(lines, "\n"), z.w, z.h)
}

// line draws the segment from (x0, y0) to (x1, y1) in data coordinates,
// one dot per dot column or row it crosses.
func (c *canvas) line(series int, x0, y0, x1, y1 float64) {
	dw, dh := float64(2*c.w), float64(4*c.h)
	sx := math.Abs(x1-x0) / (c.xmax - c.xmin) * dw
	sy := math.Abs(y1-y0) / (c.ymax - c.ymin) * dh
	n := int(math.Ceil(max(sx, sy)))
	if n < 2 || n > 4*int(dw+dh) {
		return
	}
	pt := make([]float32, 2)
	for i := 1; i < n; i++ {
		t := float64(i) / float64(n)
		pt[0], pt[1] = float32(x0+t*(x1-x0)), float32(y0+t*(y1-y0))
		c.plot(series, pt, 2, 0, 1)
	}
}

// refreshZoom renders the zoomed sparkline.
func (m *model) refreshZoom() {
	k := m.zoomed - 1
	if k < 0 || k >= len(m.sparkDefs) || m.w == 0 || m.reg.TooSmall {
		return
	}
	d := m.sparkDefs[k]
	z := &m.zoom
	z.SetSize(m.reg.PlotW, m.reg.PlotH)
	z.label, z.log = d.info.Symbol, m.sparks[k].log
	z.limit, z.unit = m.sparkLimit(k), m.sparks[k].unit
	z.values, z.steps = m.series[k], m.seriesStep[k]
	z.redraw(&m.st)
}

// onMouse zooms the scatter with the wheel around the pointer and pans it
// by dragging; the wheel scrolls the log when it is open.
func (m *model) onMouse(msg tea.MouseMsg) {
	ms := msg.Mouse()
	if m.log.open {
		if _, ok := msg.(tea.MouseWheelMsg); ok {
			rows := max(m.reg.PlotH-1, 1)
			up := tea.KeyPressMsg{Code: tea.KeyUp}
			if ms.Button == tea.MouseWheelDown {
				up = tea.KeyPressMsg{Code: tea.KeyDown}
			}
			for range 3 {
				m.log.scroll.key(up, m.keys, rows)
			}
			m.refreshOverlay()
		}
		return
	}
	if !m.scatterShown() || m.overlay != "" || m.zoomed > 0 {
		return
	}
	top := headerRows
	if img, _, _ := leftRows(m.reg, m.kind, m.view); img > 0 {
		top += img
	}
	col, row := ms.X, ms.Y-top
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		x, y, ok := m.plot.dataAt(col, row)
		if !ok {
			return
		}
		switch msg.Button {
		case tea.MouseWheelUp:
			m.plot.zoom(0.8, x, y)
		case tea.MouseWheelDown:
			m.plot.zoom(1.25, x, y)
		default:
			return
		}
		m.refreshPlot()
	case tea.MouseClickMsg:
		if _, _, ok := m.plot.dataAt(col, row); ok && msg.Button == tea.MouseLeft {
			m.drag = &dragState{col: col, row: row}
		}
	case tea.MouseMotionMsg:
		if m.drag == nil || msg.Button != tea.MouseLeft {
			return
		}
		w, h := m.plot.canvasSize()
		if w < 1 || h < 1 {
			return
		}
		dc, dr := col-m.drag.col, row-m.drag.row
		m.plot.pan(-float64(dc)/float64(w), float64(dr)/float64(h))
		m.drag.col, m.drag.row = col, row
		m.refreshPlot()
	case tea.MouseReleaseMsg:
		m.drag = nil
	}
}

// dragState is a drag of the scatter in progress: the last cell seen.
type dragState struct{ col, row int }
