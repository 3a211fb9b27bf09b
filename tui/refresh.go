package tui

import (
	"fmt"
	"math"
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
	m.zoom.SetSize(m.reg.PlotW, m.reg.PlotH)
	if m.cmd.open {
		m.cmd.in.SetWidth(max(w-3, 10))
	}
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

// imagesShown and tableShown report whether those panels are on screen.
func (m *model) scatterShown() bool {
	_, sc, _ := leftRows(m.reg, m.kind, m.view)
	return sc > 0 && m.zoomed == 0 && m.w > 0 && !m.reg.TooSmall
}

// noColor reports whether the terminal shows no colour.
func (m *model) noColor() bool { return m.st.NoColor }

// redrawAll re-renders every cached string.
func (m *model) redrawAll() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	m.refreshZoom()
	m.refreshLoading()
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
	m.plot.heat = m.heatView()
	m.plot.focused = m.focus == focusScatter && m.focusShown()
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
		Step: m.step, Steps: c.Flow.Steps,
		LengthScale: m.lenScale,
	}
	if m.running || m.remote != nil {
		in.StepsPerSec = m.rate // paused or diverged: no rate to show
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
	if m.loading && m.load.name != "" && m.eng != nil {
		// The old run's values stay until the new one is built: say so.
		m.params.info.Preset += " (until " + m.load.name + " loads)"
	}
	m.params.redraw(&m.st)
	lines := strings.Split(m.params.View(), "\n")
	lines = append(lines, m.textLine())
	for i := range m.sparks {
		m.sparks[i].values, m.sparks[i].limit = m.series[i], m.sparkLimit(i)
		m.sparks[i].focused = m.focus == focusSpark+focusID(i) && m.focusShown()
		m.sparks[i].zoomed = m.zoomed == i+1
		m.sparks[i].redraw(&m.st)
		lines = append(lines, strings.Split(m.sparks[i].View(), "\n")...)
	}
	switch n := m.reg.EventsH; {
	case n >= 2:
		lines = append(lines, m.eventLines(n)...)
	case n == 1:
		lines = append(lines, m.eventSummary())
	}
	m.side = m.st.Side.Render(fitBlock(strings.Join(lines, "\n"), m.reg.InnerW, m.reg.SideH))
}

// focusShown reports whether the focus is worth marking: only once the
// user has moved it (tab), so that the first screen stays plain.
func (m *model) focusShown() bool { return m.focusMoved }

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
			if m.best != nil && d.col == m.best.Col() && m.best.Step > 0 {
				v += fmt.Sprintf(" (best @%d)", m.best.Step) // the held-out criterion's best step
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

// eventLines lists the mid-run changes in n rows: the latest that fit,
// or the window the user scrolled to (tab to the list, then ↑↓), with how
// many more there are. A change's note (φ switched to spectral
// normalization) goes on a line of its own when everything fits, else it
// is marked ⚑ (the log has it in full).
func (m *model) eventLines(n int) []string {
	head := m.st.Label.Render("changes")
	if len(m.events) > 0 {
		head += m.st.Muted.Render(fmt.Sprintf(" %d", len(m.events)))
	}
	if m.focus == focusChanges && m.focusShown() {
		head = m.st.Title.Render("▸") + head + m.st.Muted.Render(" ↑↓ scroll")
	}
	out := []string{"", head}
	if len(m.events) == 0 {
		return append(out, m.st.Muted.Render("none yet"))
	}
	rows := max(n-len(out), 1)
	line := func(e core.Event, mark bool) string {
		s := m.st.Muted.Render(fmt.Sprintf("@%d ", e.Step)) +
			m.st.Value.Render(fmt.Sprintf("%s %s → %s", m.eventSymbol(e.Param), fmtNum(e.Old), fmtNum(e.New)))
		if mark && e.Note != "" {
			s += m.st.Warn.Render(" ⚑")
		}
		return s
	}
	var full []string
	for _, e := range m.events {
		full = append(full, line(e, false))
		if e.Note != "" {
			full = append(full, m.st.Warn.Render("  "+e.Note))
		}
	}
	if len(full) <= rows {
		return append(out, full...)
	}
	if len(m.events) <= rows {
		for _, e := range m.events {
			out = append(out, line(e, true))
		}
		return out
	}
	if rows == 1 {
		// One row: the latest change (or the one scrolled to), and how
		// many there are around it.
		top := m.evScroll.window(len(m.events), 1)
		more := ""
		if top > 0 {
			more += fmt.Sprintf("  +%d earlier", top)
		}
		if after := len(m.events) - 1 - top; after > 0 {
			more += fmt.Sprintf("  +%d later", after)
		}
		return append(out, line(m.events[top], true)+m.st.Muted.Render(more))
	}
	rows-- // a line says what is not shown
	top := m.evScroll.window(len(m.events), rows)
	above, below := top, len(m.events)-top-rows
	for _, e := range m.events[top : top+rows] {
		out = append(out, line(e, true))
	}
	var more []string
	if above > 0 {
		more = append(more, fmt.Sprintf("+%d earlier", above))
	}
	if below > 0 {
		more = append(more, fmt.Sprintf("+%d later", below))
	}
	hint := " (tab here, ↑↓)"
	if m.focus == focusChanges && m.focusShown() {
		hint = ""
	}
	return append(out, m.st.Muted.Render(strings.Join(more, " · ")+hint))
}

// eventSummary is the changes in one line, where there is room for no
// list (80×24): how many, and the latest.
func (m *model) eventSummary() string {
	if len(m.events) == 0 {
		return m.st.Label.Render("changes ") + m.st.Muted.Render("none yet")
	}
	e := m.events[len(m.events)-1]
	s := m.st.Label.Render(fmt.Sprintf("changes %d ", len(m.events))) + m.st.Muted.Render(fmt.Sprintf("@%d ", e.Step)) +
		m.st.Value.Render(fmt.Sprintf("%s %s→%s", m.eventSymbol(e.Param), fmtNum(e.Old), fmtNum(e.New)))
	if e.Note != "" {
		s += m.st.Warn.Render(" ⚑")
	}
	return fitLine(s, m.reg.InnerW)
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
		// The new run's name, not the old one's (its plot is gone too).
		state = m.st.Paused.Render("LOADING") + " " + m.st.Value.Render(m.load.name)
		if p := m.load.cur; p != nil {
			state += m.st.Muted.Render(fmt.Sprintf("  training %s %d/%d", p.what, p.epoch, p.epochs))
		}
		m.header = fitLine(" "+m.st.Title.Render("gpa-tui")+"  "+state, m.w)
		return
	case m.eng == nil:
		state = m.st.Diverged.Render("NO RUN")
	case m.diverged && m.attempt > 1:
		state = m.st.Diverged.Render(fmt.Sprintf("DIVERGED ×%d", m.attempt))
	case m.diverged:
		state = m.st.Diverged.Render("DIVERGED")
	case m.busy && !m.running:
		state = m.st.Paused.Render("STEPPING…") // a slow n step
	case m.running && m.goal > 0:
		state = m.st.Badge.Render(fmt.Sprintf("RUNNING → %d", m.goal))
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
	if m.cmd.open {
		m.statusLine = fitLine(" "+m.cmd.in.View(), m.w)
		return
	}
	// Warnings and errors not yet read in the log, on the right; a message
	// cut to the width says where the rest is.
	badge := ""
	if n := m.log.unread; n > 0 && !m.log.open {
		badge = m.st.Warn.Render(fmt.Sprintf(" ⚠%d m", n))
	}
	room := m.w - 1 - lipgloss.Width(badge)
	text := st.Render(m.status)
	if lipgloss.Width(text) > room {
		text = ansi.Truncate(text, max(room-5, 1), "…") + m.st.Muted.Render(" (m)")
	}
	m.statusLine = fitLine(" "+padRight(text, room)+badge, m.w)
}

// refreshHelpLine renders the always-visible short help.
func (m *model) refreshHelpLine() {
	if m.w == 0 || m.reg.TooSmall {
		return
	}
	if m.cmd.open {
		m.helpLine = fitLine(" "+m.commandHint(), m.w)
		return
	}
	b := m.keys.ShortHelp(m.w)
	if m.kind != kindPlain {
		// The run's other panel, right after the flow keys.
		v := m.keys.View
		v.SetHelp("g", "view")
		b = append(b[:2:2], append([]key.Binding{v}, b[2:]...)...)
	}
	switch {
	case m.pickerOpen:
		b = m.keys.pickerHelp()
	case m.log.open:
		b = m.keys.logHelp()
	}
	m.helpLine = fitLine(" "+fitHelp(m.help, b, m.w-1), m.w)
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
	case m.log.open:
		m.overlay = m.logView(m.reg.PlotW, m.reg.PlotH)
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
