package tui

import "math"

// readEngine copies what the panels show out of the idle engine: the
// projected points, the config, the new metrics and the events.
func (m *model) readEngine() {
	e := m.eng
	m.cfg = e.Config()
	m.step = e.StepCount()
	m.lenScale = e.LengthScale()
	if m.needProj {
		m.tgt2 = m.proj.to2D(m.tgt2, e.Targets(), e.N())
		m.ini2 = m.proj.to2D(m.ini2, e.Initial(), e.M())
		m.needProj = false
	}
	m.par2 = m.proj.to2D(m.par2, e.Particles(), e.M())

	h := e.History()
	if h.Len() < m.histLen { // cannot happen for one engine; be safe
		m.histLen, m.haveLimit = 0, false
		for i := range m.series {
			m.series[i] = m.series[i][:0]
			m.seriesStep[i] = m.seriesStep[i][:0]
		}
	}
	limit := m.limitDef()
	for r := m.histLen; r < h.Len(); r++ {
		rec := h.At(r)
		for k, def := range m.sparkDefs {
			if v := rec.Values[def.col]; !math.IsNaN(v) {
				m.series[k] = append(m.series[k], v)
				m.seriesStep[k] = append(m.seriesStep[k], rec.Step)
			}
		}
		for k, def := range m.textDefs {
			if v := rec.Values[def.col]; !math.IsNaN(v) {
				m.textVals[k] = v
			}
		}
		if limit != nil {
			if v := rec.Values[limit.col]; !math.IsNaN(v) {
				m.limitVal, m.haveLimit = v, true
			}
		}
		if m.best != nil {
			m.best.Observe(rec)
		}
	}
	m.histLen = h.Len()
	m.events = append(m.events[:0], e.Events()...)
}

// limitDef is the metric checked against a parameter in the side panel
// (max |∇φ| ≤ L), or nil.
func (m *model) limitDef() *sparkDef { return m.limitCol }
