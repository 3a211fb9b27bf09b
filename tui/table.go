package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/gpa-tui/gpa-tui/core"
)

// tableRows is the height of the table panel: a title, the column names and
// up to five rows (the gene comparison has five methods).
const tableRows = 7

// Column widths of the table, in cells: wide with full row names
// ("mean-centering") and headings, narrow (an 80-column terminal) with the
// short ones; values take at most 7 cells (fmtNum: "-0.0242", "-1.5e-5").
const (
	tableLabelW, tableColW   = 15, 11
	tableLabelNW, tableColNW = 13, 8
)

// tablePanel shows a problem's table (core.Table), e.g. the gene
// comparison: the best value of each column among the rows that are not a
// reference is highlighted, and the run's own row is drawn in the
// particles' colour.
type tablePanel struct {
	w, h  int
	title string
	data  core.TableData
	err   error
	step  int  // the step the table was computed at
	have  bool // data or err hold a result
	cache string
}

// SetSize sets the panel size in cells.
func (t *tablePanel) SetSize(w, h int) { t.w, t.h = max(w, 1), max(h, 0) }

// View is the cached rendering, h lines of width w.
func (t *tablePanel) View() string { return t.cache }

// redraw renders the table into the cached string.
func (t *tablePanel) redraw(st *Styles) {
	if t.h == 0 {
		t.cache = ""
		return
	}
	title := st.Label.Render(t.title)
	if t.have && t.err == nil {
		title += st.Muted.Render(fmt.Sprintf(" · step %d", t.step))
	}
	if t.data.Note != "" {
		title += st.Muted.Render(" · ") + st.Warn.Render(t.data.Note)
	}
	lines := []string{" " + title}
	switch {
	case !t.have:
		lines = append(lines, " "+st.Muted.Render("computing…"))
	case t.err != nil:
		lines = append(lines, " "+st.Bad.Render("failed: "+t.err.Error()))
	default:
		lines = append(lines, t.tableLines(st)...)
	}
	t.cache = fitBlock(strings.Join(lines, "\n"), t.w, t.h)
}

// tableLines renders the column names and one line per row.
func (t *tablePanel) tableLines(st *Styles) []string {
	d := &t.data
	labelW, colW := tableLabelW, tableColW
	wide := t.w >= 1+tableLabelW+len(d.Columns)*tableColW
	var cols []int // the columns shown
	for c, col := range d.Columns {
		if wide || !col.Optional {
			cols = append(cols, c)
		}
	}
	if !wide {
		labelW, colW = tableLabelNW, tableColNW
	}
	best := make([]int, len(d.Columns))
	for c, col := range d.Columns {
		best[c] = -1
		for i, r := range d.Rows {
			v := r.Values[c]
			if r.Reference || math.IsNaN(v) || col.Better == core.Neither {
				continue
			}
			if b := best[c]; b < 0 || (col.Better == core.Lower && v < d.Rows[b].Values[c]) || (col.Better == core.Higher && v > d.Rows[b].Values[c]) {
				best[c] = i
			}
		}
	}
	var head strings.Builder
	head.WriteString(" " + padRight("method", labelW))
	for _, c := range cols {
		name := d.Columns[c].Name
		if !wide && d.Columns[c].Short != "" {
			name = d.Columns[c].Short
		}
		head.WriteString(padLeft(name, colW-1) + " ")
	}
	out := []string{st.Label.Render(head.String())}
	for i, r := range d.Rows {
		label := r.Label
		if !wide && r.Short != "" {
			label = r.Short
		}
		label = padRight(ansi.Truncate(label, labelW-1, "…"), labelW)
		name := st.Value.Render(label)
		if r.Run {
			name = st.Series[seriesParticles].Bold(true).Render(label)
		}
		line := " " + name
		for _, c := range cols {
			v := padLeft(fmtNum(r.Values[c]), colW-1) + " "
			switch {
			case math.IsNaN(r.Values[c]):
				v = st.Muted.Render(padLeft("–", colW-1) + " ")
			case best[c] == i:
				v = st.OK.Render(v)
			default:
				v = st.Value.Render(v)
			}
			line += v
		}
		out = append(out, line)
	}
	return out
}

// padLeft pads s with spaces on the left to width w (display cells).
func padLeft(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return strings.Repeat(" ", d) + s
	}
	return s
}
