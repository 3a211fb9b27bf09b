package tui

import (
	"math"
	"strings"

	"charm.land/lipgloss/v2"
)

// sparkBlocks are the eighth-blocks U+2581–U+2588; index 0 is empty.
var sparkBlocks = []rune(" ▁▂▃▄▅▆▇█")

// spark is one sparkline: a label line with the current value and the
// minimum and maximum, above h rows of bars that show the whole series,
// squeezed into the width by averaging neighbouring values.
type spark struct {
	label string
	log   bool    // log10 scale; values ≤ 0 are left out
	limit float64 // if > 0 and finite, the value drawn as a full bar (the speed limit L)
	unit  string  // the limit's name on the label line, e.g. "L"

	focused, zoomed bool // marked on the label line

	w, h   int
	values []float64
	cols   []float64 // per-column value, reused
	cache  string
}

// SetSize sets the panel to w columns and 1+h rows.
func (s *spark) SetSize(w, h int) {
	s.w, s.h = max(w, 1), max(h, 1)
}

// View is the cached rendering, 1+h lines of width w.
func (s *spark) View() string { return s.cache }

// redraw rasterises the series into the cached string.
func (s *spark) redraw(st *Styles) {
	var b strings.Builder
	b.WriteString(s.labelLine(st))
	for _, line := range s.bars() {
		b.WriteByte('\n')
		b.WriteString(st.Spark.Render(line))
	}
	s.cache = b.String()
}

// labelLine is "label  current  ↓min ↑max", without the extremes when
// they do not fit, cut to the width.
func (s *spark) labelLine(st *Styles) string {
	cur, lo, hi, ok := s.stats()
	head := st.Label.Render(s.label) + " "
	switch {
	case s.zoomed:
		head = st.Title.Render("⤢"+s.label) + " "
	case s.focused:
		head = st.Title.Render("▸"+s.label) + " "
	}
	if !ok {
		return fitLine(head+st.Muted.Render("–"), s.w)
	}
	line := head + st.Value.Render(fmtNum(cur))
	if s.limit > 0 && !math.IsInf(s.limit, 0) && s.unit != "" {
		line += st.Muted.Render(" (" + s.unit + " " + fmtNum(s.limit) + ")")
	}
	if full := line + " " + st.Muted.Render("↓"+fmtNum(lo)+" ↑"+fmtNum(hi)); lipgloss.Width(full) <= s.w {
		line = full
	}
	return fitLine(line, s.w)
}

// stats returns the last finite value and the finite minimum and maximum
// (positive ones only on a log scale).
func (s *spark) stats() (cur, lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range s.values {
		if !s.usable(v) {
			continue
		}
		cur, ok = v, true
		lo, hi = min(lo, v), max(hi, v)
	}
	return cur, lo, hi, ok
}

// usable reports whether v can be drawn.
func (s *spark) usable(v float64) bool {
	return !math.IsNaN(v) && !math.IsInf(v, 0) && (!s.log || v > 0)
}

// bars returns h strings of w cells: column i shows the mean of the values
// that fall into it, as a bar of 8h levels between the series' minimum
// (empty) and maximum, or the limit, whichever is larger (full).
func (s *spark) bars() []string {
	n := len(s.values)
	ncol := min(n, s.w)
	if cap(s.cols) < ncol {
		s.cols = make([]float64, ncol)
	}
	cols := s.cols[:ncol]
	for i := range cols {
		// Column i covers values [i·n/ncol, (i+1)·n/ncol).
		a, b := i*n/ncol, (i+1)*n/ncol
		var sum float64
		var cnt int
		for _, v := range s.values[a:b] {
			if s.usable(v) {
				sum += s.scale(v)
				cnt++
			}
		}
		cols[i] = math.NaN()
		if cnt > 0 {
			cols[i] = sum / float64(cnt)
		}
	}
	_, lo, hi, ok := s.stats()
	lo, hi = s.scale(lo), s.scale(hi)
	if s.limit > 0 && !math.IsInf(s.limit, 0) {
		hi = max(hi, s.scale(s.limit))
		if !s.log {
			lo = min(lo, 0)
		}
	}
	levels := 8 * s.h
	lines := make([]string, s.h)
	var row []rune
	for r := range s.h {
		row = row[:0]
		for _, c := range cols {
			lv := 0
			switch {
			case !ok || math.IsNaN(c):
			case !(hi > lo):
				lv = levels / 2 // a constant series: a half-height line
			default:
				lv = 1 + int((c-lo)/(hi-lo)*float64(levels-1)+0.5)
				lv = min(max(lv, 1), levels)
			}
			// Row r (0 at the top) holds levels (h−1−r)·8+1 … (h−r)·8.
			fill := min(max(lv-(s.h-1-r)*8, 0), 8)
			row = append(row, sparkBlocks[fill])
		}
		lines[r] = padRight(string(row), s.w)
	}
	return lines
}

// scale maps a value to the drawn axis.
func (s *spark) scale(v float64) float64 {
	if s.log {
		return math.Log10(v)
	}
	return v
}

// padRight pads s with spaces to width w (display cells); longer s is kept.
func padRight(s string, w int) string {
	if d := w - lipgloss.Width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
