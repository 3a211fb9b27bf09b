package tui

import (
	"fmt"
	"math"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
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
	m.images.redraw(&m.st)
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
		Preset: c.Name, Kind: m.kindName,
		Step: m.step, Steps: c.Flow.Steps, StepsPerSec: m.rate,
		LengthScale: m.lenScale,
	}
	for _, kv := range m.summary {
		in.Summary = append(in.Summary, kv[1])
	}
	for i := range m.paramTab {
		p := &m.paramTab[i]
		in.Params = append(in.Params, paramValue{Symbol: p.Symbol, Value: m.shown(p), Pending: m.pendingIndex(p) >= 0})
	}
	if l, ok := m.paramTab.Lookup("lipschitz"); ok {
		if dt, ok := m.paramTab.Lookup("dt"); ok {
			in.L, in.Dt, in.HasCFL = m.shown(l), m.shown(dt), true
		}
	}
	if d := m.limitDef(); d != nil {
		in.Limit = &limitInfo{Symbol: d.info.Symbol, LimitSymbol: d.param.Symbol, Value: m.limitVal, Limit: m.shown(d.param), Have: m.haveLimit}
	}
	if m.eng != nil {
		in.M, in.N, in.Dim = len(m.par2)/2, len(m.tgt2)/2, m.proj.dim
	}
	return in
}

// refreshSide renders the right column: parameters, sparklines, events.
func (m *model) refreshSide() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	m.params.info = m.info()
	m.params.redraw(&m.st)
	lines := strings.Split(m.params.View(), "\n")
	lines = append(lines, m.textLine())
	for i := range m.sparks {
		m.sparks[i].values, m.sparks[i].limit = m.series[i], m.sparkLimit(i)
		m.sparks[i].redraw(&m.st)
		lines = append(lines, strings.Split(m.sparks[i].View(), "\n")...)
	}
	if n := m.reg.EventsH; n >= 2 {
		lines = append(lines, m.eventLines(n)...)
	}
	m.side = m.st.Side.Render(fitBlock(strings.Join(lines, "\n"), m.reg.InnerW, m.reg.SideH))
}

// textLine is the line between the parameters and the sparklines: the
// metrics shown as text (an image run's memorized and copies shares), blank
// when there are none.
func (m *model) textLine() string {
	if len(m.textDefs) == 0 {
		return ""
	}
	var parts []string
	for k, d := range m.textDefs {
		v := "–"
		if !math.IsNaN(m.textVals[k]) {
			v = fmtNum(m.textVals[k])
			if d.info.Share {
				v = fmtNum(100*m.textVals[k]) + "%"
			}
			if d.col == m.bestCol && m.bestStep > 0 {
				v += fmt.Sprintf(" (best @%d)", m.bestStep) // the held-out criterion's best step
			}
		}
		parts = append(parts, m.st.Label.Render(d.info.Symbol+" ")+m.st.Value.Render(v))
	}
	line := strings.Join(parts, m.st.Muted.Render(" · "))
	if math.IsNaN(m.textVals[0]) {
		every := "every flow.metrics_every steps"
		if k := m.cfg.Flow.MetricsEvery; k > 0 {
			every = fmt.Sprintf("every %d steps", k)
		}
		line = m.st.Label.Render(m.textDefs[0].info.Symbol+" ") + m.st.Muted.Render("– ("+every+")")
	}
	return fitLine(line, m.reg.InnerW)
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
			m.st.Value.Render(fmt.Sprintf("%s %s → %s", m.eventSymbol(e.Param), fmtNum(e.Old), fmtNum(e.New))))
	}
	return out
}

// eventSymbol is the symbol of the parameter of a core.Event.
func (m *model) eventSymbol(key string) string {
	if p, ok := m.paramTab.Lookup(key); ok {
		return p.Symbol
	}
	return key
}

// refreshHeader renders the title line with the run state.
func (m *model) refreshHeader() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	var state string
	switch {
	case m.remote != nil && !m.loading:
		state = m.remoteBadge()
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
			m.st.Value.Render(m.cfg.Name)+m.st.Muted.Render(" · ")+m.st.Value.Render(m.kindName),
			m.st.Label.Render("step ")+m.st.Value.Render(fmt.Sprint(m.step)),
		)
		if len(m.summary) > 0 {
			parts = append(parts, m.st.Label.Render(m.summary[0][0]+" ")+m.st.Value.Render(m.summary[0][1]))
		}
		for i := range m.paramTab[:min(2, len(m.paramTab))] {
			p := &m.paramTab[i]
			parts = append(parts, m.st.Label.Render(p.Symbol+" ")+m.st.Value.Render(fmtNum(m.shown(p))))
		}
		if m.remote != nil {
			in := m.remoteInfo
			at := fmt.Sprintf("⇄ %s:%d", in.Host, in.PID)
			if n := len(in.Viewers); n > 1 {
				at += fmt.Sprintf(" · %d viewers", n)
			}
			parts = append(parts, m.st.Label.Render(at))
		}
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
	if m.confirm != confirmNone {
		m.statusLine = fitLine(" "+m.st.Warn.Render(m.question), m.w)
		return
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

// remoteBadge is the state of an attached run.
func (m *model) remoteBadge() string {
	st := m.remoteInfo.State
	switch {
	case m.remoteEnded && (st == "" || st == "running" || st == "paused"):
		return m.st.Diverged.Render("ENDED")
	case st == "running":
		return m.st.Badge.Render("RUNNING")
	case st == "paused":
		return m.st.Paused.Render("PAUSED")
	case st == "finished":
		return m.st.Badge.Render("FINISHED")
	case st == "stopped":
		return m.st.Paused.Render("STOPPED")
	}
	return m.st.Diverged.Render(strings.ToUpper(st))
}
