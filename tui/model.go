package tui

import (
	"time"

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

	w, h    int
	reg     regions
	profile colorprofile.Profile

	// Engine state. eng is touched only by Update while inflight is false,
	// or by the one command in flight.
	eng      engine
	gen      int // bumped for every new engine; stale step messages are dropped
	inflight bool
	loading  bool // the command in flight builds a new engine
	seq      int  // loads started; progress of older loads is dropped
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
	kind             runKind
	view             viewMode
	sparkDefs        [sparkCount]sparkDef
	loadWarn         string // a preparation warning of the load in flight
	lastImg          core.Metrics
	hasLastImg       bool // lastImg holds the latest image metrics

	// Image runs: the data copied by the engine command, the buffer the
	// next copy goes into, and when it was asked for.
	img      *imageData
	imgSpare []float32
	imgAt    time.Time
	// Batch-merging runs: the problem (used only by the engine command)
	// and when the comparison was last asked for.
	geneSrc geneSource
	cmpAt   time.Time

	// Panels and cached strings; View only joins these.
	plot       plotPanel
	images     imagePanel
	table      geneTable
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
		d:       d,
		keys:    defaultKeys(),
		st:      newStyles(colorprofile.TrueColor),
		profile: colorprofile.TrueColor,
		help:    help.New(),
		chunk:   1,
	}
	m.help.Styles = m.st.Help
	m.pendingLoad = &first
	m.setSparks(plainSparks)
	m.images.setProfile(m.profile)
	m.setStatus(statusInfo, "loading "+first.String()+"…")
	return m
}

// Init starts loading the first engine.
func (m *model) Init() tea.Cmd {
	cmd := m.kick()
	m.refreshHeader()
	return cmd
}

// Update routes each message to its handler.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.ColorProfileMsg:
		m.st = newStyles(msg.Profile)
		m.profile = msg.Profile
		m.images.setProfile(msg.Profile)
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
	case extrasDoneMsg:
		return m, m.onExtras(msg)
	case prepMsg:
		m.onPrep(msg)
		return m, nil
	case prepWarnMsg:
		m.onPrepWarn(msg)
		return m, nil
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
		left := m.left()
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

// left joins the panels of the left area, as leftRows splits it.
func (m *model) left() string {
	img, sc, tab := leftRows(m.reg, m.kind, m.view)
	var parts []string
	if img > 0 {
		parts = append(parts, m.images.View())
	}
	if sc > 0 {
		parts = append(parts, m.plot.View())
	}
	if tab > 0 {
		parts = append(parts, m.table.View())
	}
	return lipgloss.JoinVertical(lipgloss.Left, parts...)
}
