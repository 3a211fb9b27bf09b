package tui

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/gpa-tui/gpa-tui/core"
)

// statusKind colours the status line.
type statusKind int

const (
	statusInfo statusKind = iota
	statusWarn
	statusErr
)

// model is the one root model of the workbench. It routes messages; the
// engine runs only in the command built by kick, at most one at a time.
type model struct {
	d    deps
	keys keyMap
	st   Styles
	help help.Model

	w, h int
	reg  regions

	// Engine state. eng is touched only by Update while inflight is false,
	// or by the one command in flight.
	eng      engine
	gen      int // bumped for every new engine; stale step messages are dropped
	inflight bool
	loading  bool // the command in flight builds a new engine
	running  bool // the user wants the flow to run
	stepOnce bool // "n" asked for one step
	diverged bool
	chunk    int
	rate     float64 // steps per second, smoothed

	pendingLoad *loadReq
	pendingSave bool
	pending     [4]pendingSet // by core.Param

	// What was last read from the engine (valid while eng != nil).
	base             core.Config // "r" restarts from this
	cfg              core.Config
	step             int
	lenScale         float64
	hist             []core.Metrics
	series           [sparkCount][]float64
	events           []core.Event
	proj             projection
	needProj         bool // the projection changed while a step was in flight
	tgt2, ini2, par2 []float32

	// Panels and cached strings; View only joins these.
	plot       plotPanel
	params     paramPanel
	sparks     [sparkCount]spark
	picker     picker
	pickerOpen bool
	showHelp   bool

	header, side, overlay, statusLine, helpLine, tooSmall string
	status                                                string
	statusKind                                            statusKind
}

// pendingSet is a parameter change waiting for the engine to be idle.
type pendingSet struct {
	v  float64
	ok bool
}

// newModel builds the model; first says what to load at start.
func newModel(d deps, first loadReq) *model {
	m := &model{
		d:     d,
		keys:  defaultKeys(),
		st:    newStyles(colorprofile.TrueColor),
		help:  help.New(),
		chunk: 1,
	}
	m.help.Styles = m.st.Help
	m.pendingLoad = &first
	m.sparks[0] = spark{label: "D̂"}
	m.sparks[1] = spark{label: "KE", log: true}
	m.sparks[2] = spark{label: "MMD²", log: true}
	// Speeds on a log scale whose top is L: the flow can slow down by
	// orders of magnitude below the speed limit (Remark 4.1(c)).
	m.sparks[3] = spark{label: "|v|max", unit: "L", log: true}
	m.setStatus(statusInfo, "loading "+first.String()+"…")
	return m
}

// Init starts loading the first engine.
func (m *model) Init() tea.Cmd { return m.kick() }

// Update routes each message to its handler.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.ColorProfileMsg:
		m.st = newStyles(msg.Profile)
		m.help.Styles = m.st.Help
		m.redrawAll()
		return m, nil
	case tea.KeyPressMsg:
		if m.pickerOpen {
			var cmd tea.Cmd
			m.picker, cmd = m.picker.Update(msg)
			m.picker.redraw(&m.st)
			m.refreshOverlay()
			return m, cmd
		}
		return m, m.onKey(msg)
	case pickedMsg:
		return m, m.onPicked(msg)
	case pickerClosedMsg:
		m.pickerOpen = false
		m.refreshOverlay()
		m.refreshHelpLine()
		return m, nil
	case loadDoneMsg:
		return m, m.onLoaded(msg)
	case stepDoneMsg:
		return m, m.onStepped(msg)
	case saveDoneMsg:
		return m, m.onSaved(msg)
	}
	return m, nil
}

// View joins the cached panel strings.
func (m *model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.WindowTitle = "gpa-tui"
	if m.eng != nil {
		v.WindowTitle += " · " + m.cfg.Name
	}
	switch {
	case m.w == 0:
		v.SetContent("")
	case m.reg.TooSmall:
		v.SetContent(m.tooSmall)
	default:
		left := m.plot.View()
		if m.overlay != "" {
			left = m.overlay
		}
		v.SetContent(lipgloss.JoinVertical(lipgloss.Left,
			m.header,
			lipgloss.JoinHorizontal(lipgloss.Top, left, m.side),
			m.statusLine,
			m.helpLine,
		))
	}
	return v
}
