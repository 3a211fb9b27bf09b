package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/gpa-tui/gpa-tui/core/genes"
)

// geneSource is what the workbench needs of a batch-merging problem
// ([genes] presets); *genes.Prepared implements it. Compare takes ~100 ms
// (it fits ComBat): it runs only in the engine command, at a low rate.
type geneSource interface {
	Compare(z []float32) ([]genes.Comparison, error)
	Confounding() genes.Confounding
}

// geneTableRows is the height of the comparison table: a title, the column
// names and the five methods of genes.Prepared.Compare.
const geneTableRows = 7

// geneColumn is one score column of the table.
type geneColumn struct {
	name, short string // with ↓ or ↑ for the better direction
	lower       bool   // lower is better
	value       func(s genes.Scores) float64
}

// geneColumns are the batch-merging scores of the gene space, where every
// method is measured in the same units (genes.Prepared.Score): MMD²
// source vs target, the silhouettes by batch (set) and by biological
// label, and iLISI; "moved" (the mean distance a sample moved) is added
// when there is room.
var geneColumns = []geneColumn{
	{"MMD²↓", "MMD²↓", true, func(s genes.Scores) float64 { return s.MMD2 }},
	{"sil.batch↓", "sil.b↓", true, func(s genes.Scores) float64 { return s.SilBatch }},
	{"sil.label↑", "sil.l↑", false, func(s genes.Scores) float64 { return s.SilLabel }},
	{"iLISI↑", "iLISI↑", false, func(s genes.Scores) float64 { return s.ILISI }},
	{"moved", "moved", true, func(s genes.Scores) float64 { return s.Moved }},
}

// Column widths of the table, in cells: wide with the method names of
// genes.Compare ("mean-centering") and long column names, narrow (an
// 80-column terminal) with short ones; values take at most 7 cells
// (fmtNum: "-0.0242", "-1.5e-5").
const (
	geneMethodW, geneColW   = 15, 11
	geneMethodNW, geneColNW = 13, 8
	geneWideW               = 1 + geneMethodW + 5*geneColW
)

// shortMethod names a method in the narrow table.
var shortMethod = map[string]string{
	genes.MethodGPA: "GPA", genes.MethodComBat: "ComBat", genes.MethodComBatLabel: "ComBat+label",
	genes.MethodMeanCenter: "mean-center",
}

// geneTable shows genes.Prepared.Compare: the source before correction,
// after GPA, ComBat (with the label as covariate when it is not
// confounded) and mean-centering, scored against the target.
type geneTable struct {
	w, h       int
	rows       []genes.Comparison
	err        error
	step       int  // the step the GPA row was computed at
	have       bool // rows or err hold a result
	confounded bool
	cache      string
}

// SetSize sets the panel size in cells.
func (t *geneTable) SetSize(w, h int) { t.w, t.h = max(w, 1), max(h, 0) }

// View is the cached rendering, h lines of width w.
func (t *geneTable) View() string { return t.cache }

// redraw renders the table into the cached string.
func (t *geneTable) redraw(st *Styles) {
	if t.h == 0 {
		t.cache = ""
		return
	}
	title := st.Label.Render("gene space")
	if t.have && t.err == nil {
		title += st.Muted.Render(fmt.Sprintf(" · step %d", t.step))
	}
	if t.confounded {
		title += st.Muted.Render(" · ") + st.Warn.Render("labels confounded")
	}
	lines := []string{" " + title}
	switch {
	case !t.have:
		lines = append(lines, " "+st.Muted.Render("comparing with ComBat and mean-centering…"))
	case t.err != nil:
		lines = append(lines, " "+st.Bad.Render("comparison failed: "+t.err.Error()))
	default:
		lines = append(lines, t.tableLines(st)...)
	}
	t.cache = fitBlock(strings.Join(lines, "\n"), t.w, t.h)
}

// tableLines renders the column names and one line per method; the best
// corrected value of each column is highlighted.
func (t *geneTable) tableLines(st *Styles) []string {
	methodW, colW, cols := geneMethodW, geneColW, geneColumns
	wide := t.w >= geneWideW
	if !wide {
		methodW, colW, cols = geneMethodNW, geneColNW, geneColumns[:4]
	}
	best := make([]int, len(cols))
	for c, col := range cols {
		best[c] = -1
		for i, r := range t.rows {
			v := col.value(r.Gene)
			if r.Method == genes.MethodBefore || math.IsNaN(v) {
				continue
			}
			if b := best[c]; b < 0 || (col.lower && v < col.value(t.rows[b].Gene)) || (!col.lower && v > col.value(t.rows[b].Gene)) {
				best[c] = i
			}
		}
	}
	var head strings.Builder
	head.WriteString(" " + padRight("method", methodW))
	for _, col := range cols {
		name := col.name
		if !wide {
			name = col.short
		}
		head.WriteString(padLeft(name, colW-1) + " ")
	}
	out := []string{st.Label.Render(head.String())}
	for i, r := range t.rows {
		method := r.Method
		if s, ok := shortMethod[method]; ok && !wide {
			method = s
		}
		method = padRight(ansi.Truncate(method, methodW-1, "…"), methodW)
		name := st.Value.Render(method)
		if r.Method == genes.MethodGPA {
			name = st.Series[seriesParticles].Bold(true).Render(method)
		}
		line := " " + name
		for c, col := range cols {
			v := padLeft(fmtNum(col.value(r.Gene)), colW-1) + " "
			switch {
			case math.IsNaN(col.value(r.Gene)):
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

// confoundingNote summarises genes.Confounding.Warnings for the status
// line: the labels missing from a set, or "" when there are none.
func confoundingNote(c genes.Confounding) string {
	if len(c.Warnings()) == 0 {
		return ""
	}
	var parts []string
	for l, label := range c.Labels {
		var in []string
		missing := false
		for b, batch := range c.Batches {
			if c.Counts[l][b] > 0 {
				in = append(in, batch)
			} else {
				missing = true
			}
		}
		if missing {
			parts = append(parts, fmt.Sprintf("%q only in %s", label, strings.Join(in, ", ")))
		}
	}
	return fmt.Sprintf("confounded labels: %s; transport may map them onto other classes (Cramér's V %.2f)",
		strings.Join(parts, ", "), c.CramersV)
}
