package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/gpa-tui/gpa-tui/core"
)

// maxEventLines bounds the event log kept for display.
const maxEventLines = 64

// resize lays the screen out for a w×h terminal and redraws every panel
// from the data already read (the engine may be busy).
func (m *model) resize(w, h int) {
	m.w, m.h = w, h
	m.reg = layout(w, h)
	if m.reg.TooSmall {
		msg := lipgloss.NewStyle().Align(lipgloss.Center).Render(tooSmallMessage(w, h))
		m.tooSmall = fitBlock(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, msg), w, h)
		return
	}
	m.sizeLeft()
	m.picker.SetSize(m.reg.PlotW, m.reg.PlotH)
	m.params.SetSize(m.reg.InnerW, paramRows)
	for i := range m.sparks {
		m.sparks[i].SetSize(m.reg.InnerW, m.reg.SparkH)
	}
	m.help.SetWidth(w)
	m.redrawAll()
}

// sizeLeft sizes the panels of the left area for the run and the view.
func (m *model) sizeLeft() {
	img, sc, tab := leftRows(m.reg, m.kind, m.view)
	m.images.SetSize(m.reg.PlotW, img)
	m.plot.SetSize(m.reg.PlotW, sc)
	m.table.SetSize(m.reg.PlotW, tab)
}

// imagesShown and tableShown report whether those panels are on screen.
func (m *model) imagesShown() bool { img, _, _ := leftRows(m.reg, m.kind, m.view); return img > 0 }
func (m *model) tableShown() bool  { _, _, tab := leftRows(m.reg, m.kind, m.view); return tab > 0 }

// redrawAll re-renders every cached string.
func (m *model) redrawAll() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	m.refreshPlot()
	m.refreshImages()
	m.refreshTable()
	m.refreshSide()
	m.refreshHeader()
	m.refreshStatus()
	m.refreshHelpLine()
	m.picker.redraw(&m.st)
	m.refreshOverlay()
}

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
	if len(h) < len(m.hist) { // cannot happen for one engine; be safe
		m.hist = m.hist[:0]
		m.hasLastImg = false
		for i := range m.series {
			m.series[i] = m.series[i][:0]
		}
	}
	for i := range h[len(m.hist):] {
		mt := &h[len(m.hist)+i]
		for k, def := range m.sparkDefs {
			if v, ok := def.value(mt); ok {
				m.series[k] = append(m.series[k], v)
			}
		}
		if mt.HasImage {
			m.lastImg, m.hasLastImg = *mt, true
		}
	}
	m.hist = append(m.hist, h[len(m.hist):]...)
	m.events = append(m.events[:0], e.Events()...)
}

// projectionChanged re-projects now if the engine is idle, else after the
// running step.
func (m *model) projectionChanged() {
	m.needProj = true
	m.plot.resetView()
	if !m.inflight && m.eng != nil {
		m.readEngine()
	}
	m.refreshPlot()
}

// refreshPlot rasterises the scatter.
func (m *model) refreshPlot() {
	if _, sc, _ := leftRows(m.reg, m.kind, m.view); m.w == 0 || m.reg.TooSmall || sc == 0 {
		return // not on screen; sizeLeft and g redraw it when it is
	}
	m.plot.targets, m.plot.particles, m.plot.initial = m.tgt2, m.par2, m.ini2
	m.plot.caption = m.proj.caption()
	if m.img != nil && m.img.latent > 0 {
		m.plot.caption = "latent · " + m.plot.caption
	}
	m.plot.redraw(&m.st)
}

// refreshImages renders the image grid from the last copy.
func (m *model) refreshImages() {
	if m.w == 0 || m.reg.TooSmall || m.images.h == 0 {
		return
	}
	if m.images.data != m.img {
		m.images.setData(m.img)
	}
	m.images.redrawIfDirty(&m.st)
}

// refreshTable renders the gene comparison.
func (m *model) refreshTable() {
	if m.w == 0 || m.reg.TooSmall || m.table.h == 0 {
		return
	}
	m.table.redraw(&m.st)
}

// info assembles the parameter panel's values, pending changes shown.
func (m *model) info() paramInfo {
	c := &m.cfg
	in := paramInfo{
		Preset: c.Name, F: c.Divergence.F, Formulation: c.Divergence.Formulation,
		L: m.shown(core.ParamLipschitz), Dt: m.shown(core.ParamDt), LR: m.shown(core.ParamLR),
		InnerSteps: int(m.shown(core.ParamInnerSteps)),
		Optimizer:  c.Train.Optimizer, Solver: c.Flow.Solver,
		Step: m.step, Steps: c.Flow.Steps, StepsPerSec: m.rate,
		LengthScale: m.lenScale,
		PendingL:    m.pending[core.ParamLipschitz].ok, PendingDt: m.pending[core.ParamDt].ok,
		PendingLR: m.pending[core.ParamLR].ok, PendingInner: m.pending[core.ParamInnerSteps].ok,
	}
	if m.eng != nil {
		in.M, in.N, in.Dim = len(m.par2)/2, len(m.tgt2)/2, m.proj.dim
	}
	if n := len(m.hist); n > 0 {
		in.MaxSpeed, in.HasSpeed = m.hist[n-1].MaxSpeed, true
	}
	return in
}

// refreshSide renders the right column: parameters, sparklines, events.
func (m *model) refreshSide() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	m.params.set(m.info(), &m.st)
	lines := strings.Split(m.params.View(), "\n")
	lines = append(lines, m.imageLine())
	for i := range m.sparks {
		m.sparks[i].setValues(m.series[i], m.sparkLimit(i), &m.st)
		lines = append(lines, strings.Split(m.sparks[i].View(), "\n")...)
	}
	if n := m.reg.EventsH; n >= 2 {
		lines = append(lines, m.eventLines(n)...)
	}
	m.side = m.st.Side.Render(fitBlock(strings.Join(lines, "\n"), m.reg.InnerW, m.reg.SideH))
}

// imageLine is the line between the parameters and the sparklines: the
// memorization metrics of an image run (blank otherwise).
func (m *model) imageLine() string {
	if m.img == nil {
		return ""
	}
	if !m.hasLastImg {
		every := "every flow.metrics_every steps"
		if k := m.cfg.Flow.MetricsEvery; k > 0 {
			every = fmt.Sprintf("every %d steps", k)
		}
		return fitLine(m.st.Label.Render("memorized ")+m.st.Muted.Render("– ("+every+")"), m.reg.InnerW)
	}
	pct := func(v float64) string { return fmtNum(100*v) + "%" }
	return fitLine(m.st.Label.Render("memorized ")+m.st.Value.Render(pct(m.lastImg.Memorized))+
		m.st.Muted.Render(" · ")+m.st.Label.Render("copies ")+m.st.Value.Render(pct(m.lastImg.Copies)), m.reg.InnerW)
}

// eventLines lists the latest mid-run changes in n rows.
func (m *model) eventLines(n int) []string {
	out := []string{"", m.st.Label.Render("changes")}
	ev := m.events
	if len(ev) == 0 {
		return append(out, m.st.Muted.Render("none yet"))
	}
	if keep := n - len(out); len(ev) > keep {
		ev = ev[len(ev)-keep:]
	}
	for _, e := range ev {
		out = append(out, m.st.Muted.Render(fmt.Sprintf("@%d ", e.Step))+
			m.st.Value.Render(fmt.Sprintf("%s %s → %s", eventSymbol(e.Param), fmtNum(e.Old), fmtNum(e.New))))
	}
	return out
}

// eventSymbol is the paper's symbol for a core.Event parameter name.
func eventSymbol(name string) string {
	for p := core.ParamLipschitz; p <= core.ParamInnerSteps; p++ {
		if p.String() == name {
			return paramName(p)
		}
	}
	return name
}

// refreshHeader renders the title line with the run state.
func (m *model) refreshHeader() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	var state string
	switch {
	case m.loading || (m.eng == nil && m.inflight):
		state = m.st.Paused.Render("LOADING")
	case m.eng == nil:
		state = m.st.Diverged.Render("NO RUN")
	case m.diverged:
		state = m.st.Diverged.Render("DIVERGED")
	case m.running:
		state = m.st.Badge.Render("RUNNING")
	default:
		state = m.st.Paused.Render("PAUSED")
	}
	parts := []string{m.st.Title.Render("gpa-tui"), state}
	if m.eng != nil {
		parts = append(parts,
			m.st.Value.Render(m.cfg.Name),
			m.st.Label.Render("step ")+m.st.Value.Render(fmt.Sprint(m.step)),
			m.st.Label.Render("f ")+m.st.Value.Render(m.cfg.Divergence.F),
			m.st.Label.Render("L ")+m.st.Value.Render(fmtNum(m.shown(core.ParamLipschitz))),
			m.st.Label.Render("Δt ")+m.st.Value.Render(fmtNum(m.shown(core.ParamDt))),
		)
	}
	m.header = fitLine(" "+strings.Join(parts, "  "), m.w)
}

// refreshStatus renders the status line.
func (m *model) refreshStatus() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	st := m.st.Muted
	switch m.statusKind {
	case statusWarn:
		st = m.st.Warn
	case statusErr:
		st = m.st.Bad
	}
	m.statusLine = fitLine(" "+st.Render(m.status), m.w)
}

// refreshHelpLine renders the always-visible short help.
func (m *model) refreshHelpLine() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	b := m.keys.ShortHelp()
	if m.kind != kindPlain {
		// The run's other panel, right after the flow keys.
		v := m.keys.View
		v.SetHelp("g", "view")
		b = append(b[:2:2], append([]key.Binding{v}, b[2:]...)...)
	}
	if m.pickerOpen {
		b = m.keys.pickerHelp()
	}
	m.helpLine = fitLine(" "+m.help.ShortHelpView(b), m.w)
}

// refreshOverlay renders what covers the plot: the picker or full help.
func (m *model) refreshOverlay() {
	m.overlay = ""
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	switch {
	case m.pickerOpen:
		m.overlay = m.picker.View()
	case m.showHelp:
		title := m.st.Title.Render("Keys") + m.st.Muted.Render("  (? closes)")
		body := m.fullHelp(m.reg.PlotW - 2)
		m.overlay = fitBlock(lipgloss.JoinVertical(lipgloss.Left, "", " "+title, "", indent(body, 1)), m.reg.PlotW, m.reg.PlotH)
	}
}

// fullHelp renders the key groups side by side if they fit in w columns,
// else the first two side by side above the rest, else one under another.
func (m *model) fullHelp(w int) string {
	groups := m.keys.FullHelp()
	m.help.SetWidth(0) // unlimited: the layout below decides
	defer m.help.SetWidth(m.w)
	all := m.help.FullHelpView(groups)
	if lipgloss.Width(all) <= w {
		return all
	}
	top := m.help.FullHelpView(groups[:2])
	if lipgloss.Width(top) <= w {
		return top + "\n\n" + m.help.FullHelpView(groups[2:])
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = m.help.FullHelpView([][]key.Binding{g})
	}
	return strings.Join(parts, "\n\n")
}

// indent prefixes every line of s with n spaces.
func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

// fitLine cuts or pads s to exactly w cells.
func fitLine(s string, w int) string {
	return padRight(ansi.Truncate(s, w, "…"), w)
}

// fitBlock cuts or pads s to exactly w×h cells.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = fitLine(l, w)
	}
	return strings.Join(out, "\n")
}
