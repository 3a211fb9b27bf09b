package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
)

// brailleBits[r][c] is the bit of the dot in row r, column c of a 2×4
// braille cell: Unicode numbers the dots 1–3 down the left column, 4–6 down
// the right, and adds 7 (left) and 8 (right) at the bottom; dot k is bit k−1
// above U+2800 (The Unicode Standard, ch. 21.1, "Braille Patterns").
var brailleBits = [4][2]uint8{
	{0x01, 0x08},
	{0x02, 0x10},
	{0x04, 0x20},
	{0x40, 0x80},
}

// noSeries marks a cell that holds no dot.
const noSeries = 0xff

// canvas is a braille raster of w×h terminal cells, that is 2w×4h dots, over
// the data rectangle [xmin, xmax]×[ymin, ymax]. Each cell keeps the union of
// the dots drawn into it and the highest-priority series (lowest index)
// among them, which gives the cell its colour.
type canvas struct {
	w, h   int
	dots   []uint8 // w·h, one bit per dot (brailleBits)
	series []uint8 // w·h, lowest series index drawn, or noSeries
	bg     []uint8 // w·h, background level + 1 (a heat-map), 0 for none

	xmin, xmax, ymin, ymax float64
}

// resize sets the size in cells and clears the canvas, reusing its buffers.
func (c *canvas) resize(w, h int) {
	if w < 0 || h < 0 {
		panic("tui: canvas.resize: negative size")
	}
	c.w, c.h = w, h
	n := w * h
	if cap(c.dots) < n {
		c.dots = make([]uint8, n)
		c.series = make([]uint8, n)
		c.bg = make([]uint8, n)
	}
	c.dots = c.dots[:n]
	c.series = c.series[:n]
	c.bg = c.bg[:n]
	c.clear()
}

// clear removes every dot and the background.
func (c *canvas) clear() {
	clear(c.dots)
	clear(c.bg)
	for i := range c.series {
		c.series[i] = noSeries
	}
}

// setRange sets the data rectangle that maps onto the canvas.
func (c *canvas) setRange(xmin, xmax, ymin, ymax float64) {
	c.xmin, c.xmax, c.ymin, c.ymax = xmin, xmax, ymin, ymax
}

// dot maps a data point to a dot (column, row), row 0 at the top. ok is
// false for a point outside the closed data rectangle, NaN included; the
// right and top edges belong to the last column and first row.
func (c *canvas) dot(x, y float64) (col, row int, ok bool) {
	if !(x >= c.xmin && x <= c.xmax && y >= c.ymin && y <= c.ymax) || c.w == 0 || c.h == 0 {
		return 0, 0, false
	}
	dw, dh := 2*c.w, 4*c.h
	col = int((x - c.xmin) / (c.xmax - c.xmin) * float64(dw))
	row = int((c.ymax - y) / (c.ymax - c.ymin) * float64(dh))
	// A zero-width range maps everything to dot 0 via NaN→int; keep it in
	// bounds either way.
	col = min(max(col, 0), dw-1)
	row = min(max(row, 0), dh-1)
	return col, row, true
}

// plot draws the rows of pts (n×stride, row-major) using coordinates xi and
// yi of each row as x and y, in the given series. Points outside the data
// rectangle are ignored.
func (c *canvas) plot(series int, pts []float32, stride, xi, yi int) {
	if series < 0 || series >= noSeries || stride < 1 || xi >= stride || yi >= stride || xi < 0 || yi < 0 {
		panic("tui: canvas.plot: bad series or coordinates")
	}
	s := uint8(series)
	for i := 0; i+stride <= len(pts); i += stride {
		col, row, ok := c.dot(float64(pts[i+xi]), float64(pts[i+yi]))
		if !ok {
			continue
		}
		k := (row/4)*c.w + col/2
		c.dots[k] |= brailleBits[row%4][col%2]
		if s < c.series[k] {
			c.series[k] = s
		}
	}
}

// render writes the canvas as h lines of exactly w cells, empty cells as
// spaces, each run of cells of one series and background styled once:
// styles[series] for the dots, bgs[level] for a background (the heat-map;
// nil when there is none). Lines are joined by "\n" with no trailing
// newline.
func (c *canvas) render(styles []lipgloss.Style, bgs []lipgloss.Style) string {
	// Rendering each run through lipgloss costs ~1 µs and several
	// allocations; the escape codes around a one-line string do not depend
	// on the string, so take them once per combination from a sentinel
	// (U+2800, which no escape sequence contains).
	type wrap struct{ pre, post string }
	cut := func(st lipgloss.Style) wrap {
		pre, post, ok := strings.Cut(st.Render("\u2800"), "\u2800")
		if !ok {
			panic("tui: canvas.render: style changes its content")
		}
		return wrap{pre, post}
	}
	nb := len(bgs) + 1
	// wraps[s·nb + b]: series s (len(styles) for none), background b (0: none).
	wraps := make([]wrap, (len(styles)+1)*nb)
	have := make([]bool, len(wraps))
	get := func(s, b int) wrap {
		i := s*nb + b
		if !have[i] {
			st := lipgloss.NewStyle()
			if s < len(styles) {
				st = styles[s]
			}
			if b > 0 {
				st = st.Background(bgs[b-1].GetBackground())
			}
			wraps[i], have[i] = cut(st), true
		}
		return wraps[i]
	}
	var b strings.Builder
	b.Grow(c.h * (c.w*3 + 1))
	for r := range c.h {
		if r > 0 {
			b.WriteByte('\n')
		}
		row := c.dots[r*c.w : (r+1)*c.w]
		ser := c.series[r*c.w : (r+1)*c.w]
		bg := c.bg[r*c.w : (r+1)*c.w]
		for i := 0; i < len(row); {
			s, g := ser[i], bg[i]
			si := int(s)
			if s == noSeries || si >= len(styles) {
				si = len(styles)
			}
			gi := int(g)
			if gi > len(bgs) {
				gi = 0
			}
			styled := si < len(styles) || gi > 0
			var w wrap
			if styled {
				w = get(si, gi)
				b.WriteString(w.pre)
			}
			for ; i < len(row) && ser[i] == s && bg[i] == g; i++ {
				if s == noSeries {
					b.WriteByte(' ')
				} else {
					b.WriteRune(rune(0x2800 + int(row[i])))
				}
			}
			if styled {
				b.WriteString(w.post)
			}
		}
	}
	return b.String()
}
