package tui

import (
	"cmp"
	"slices"

	"github.com/gpa-tui/gpa-tui/core"
)

// sparkDef says what one sparkline shows: a column of the engine's
// history (col < 0: none) and how to scale it.
type sparkDef struct {
	col   int // index in the history's names
	info  core.MetricInfo
	param *core.Param // the parameter that is the limit (info.LimitParam), or nil
}

// sparkDefs picks the sparklines of a run: the metrics declared ShowSpark,
// by rank, at most sparkCount of them (for GPA: the divergence estimate D̂
// of eq. (3), the kinetic energy of eq. (13), MMD² and the largest speed
// with L as its top; image runs with a classifier put the Fréchet distance
// and accuracy in place of the last two). The ShowText metrics are listed
// in the text line instead. limit is the first metric bounded by a
// parameter (max |∇φ| ≤ L), checked in the side panel.
func sparkDefs(infos []core.MetricInfo, params core.ParamTable) (sparks, text []sparkDef, limit *sparkDef) {
	for i, mi := range infos {
		d := sparkDef{col: i, info: mi}
		if mi.LimitParam != "" {
			d.param, _ = params.Lookup(mi.LimitParam)
			if d.param != nil && limit == nil {
				limit = &d
			}
		}
		switch mi.Show {
		case core.ShowSpark:
			sparks = append(sparks, d)
		case core.ShowText:
			text = append(text, d)
		}
	}
	byRank := func(a, b sparkDef) int { return cmp.Compare(a.info.Rank, b.info.Rank) }
	slices.SortStableFunc(sparks, byRank)
	slices.SortStableFunc(text, byRank)
	return sparks[:min(len(sparks), sparkCount)], text, limit
}

// setSparks installs the sparkline definitions of a run and empties the
// series.
func (m *model) setSparks(infos []core.MetricInfo, params core.ParamTable) {
	m.sparkDefs, m.textDefs, m.limitCol = sparkDefs(infos, params)
	for i := range m.sparks {
		w, h := m.sparks[i].w, m.sparks[i].h
		m.sparks[i] = spark{}
		if i < len(m.sparkDefs) {
			mi := m.sparkDefs[i].info
			m.sparks[i] = spark{label: mi.Symbol, log: mi.Scale == core.Log}
			if p := m.sparkDefs[i].param; p != nil {
				m.sparks[i].unit = p.Symbol
			}
		}
		m.sparks[i].SetSize(w, h)
		m.series[i] = m.series[i][:0]
		m.seriesStep[i] = m.seriesStep[i][:0]
	}
}

// sparkLimit is the limit of sparkline i: its parameter's shown value, or
// its fixed limit.
func (m *model) sparkLimit(i int) float64 {
	if i >= len(m.sparkDefs) {
		return 0
	}
	d := m.sparkDefs[i]
	if d.param != nil {
		return m.shown(d.param)
	}
	return d.info.Limit
}
