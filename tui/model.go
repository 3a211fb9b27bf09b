package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// statusKind colours the status line.
type statusKind int

const (
	statusInfo statusKind = iota
	statusWarn
	statusErr
)

// model is the one root model of the workbench. It routes messages
// (Update) and joins cached strings (View); its state is grouped by owner:
// the engine scheduler (scheduler.go), what was read from the engine
// (rundata.go) and the screen (panels and lines, refresh.go).
type model struct {
	d    deps
	keys keyMap
	st   Styles
	help help.Model

	w, h    int
	reg     regions
	profile colorprofile.Profile

	sched
	runData
	screenState
}

// sched is the engine command state. eng is touched only by Update while
// inflight is false, or by the one command in flight.
type sched struct {
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
	pending     []pendingSet // parameter changes waiting for the engine

	// An attached run (gpa-tui attach): the engine as a remote, its
	// queued control requests, its last status, and whether it ended.
	remote      remote
	ctl         []ctlReq
	remoteInfo  runfolder.RunInfo
	remoteEnded bool

	// Quitting: a question on the status line (quit with unsaved
	// progress, stop an attached run), a save that ends the program (q
	// then s, or a signal), and what to print once the screen is closed.
	confirm       confirmKind
	question      string // the question shown while confirm is pending
	quitAfterSave bool
	quitReason    string // the signal that asked to quit, if any
	exitMsg       string
	// The step and the number of events at the last save or load: later
	// progress is unsaved.
	savedStep, savedEvents int
}

// confirmKind is the question the status line asks.
type confirmKind int

const (
	confirmNone confirmKind = iota
	confirmQuit             // unsaved progress: s saves and quits, q quits
	confirmStop             // stop an attached run: y
)

// pendingSet is a parameter change waiting for the engine to be idle.
type pendingSet struct {
	p *core.Param
	v float64
}

// runData is what was last read from the engine (valid while eng != nil).
type runData struct {
	base      experiments.Config // "r" restarts from this
	cfg       core.Config
	paramTab  core.ParamTable
	kindName  string      // the method
	summary   [][2]string // its fixed settings (label, value)
	step      int
	lenScale  float64
	histLen   int // history rows read
	series    [sparkCount][]float64
	sparkDefs []sparkDef
	textDefs  []sparkDef
	textVals  []float64 // latest value of each text metric (NaN: none yet)
	limitCol  *sparkDef // the metric checked against a parameter, or nil
	limitVal  float64   // latest value of the limit-checked metric
	haveLimit bool
	events    []core.Event
	notes     []string
	proj      projection
	needProj  bool // the projection changed while a step was in flight
	tgt2      []float32
	ini2      []float32
	par2      []float32
	kind      runKind
	loadWarn  string // a preparation warning of the load in flight

	// Image runs: the data copied by the engine command, the buffer the
	// next copy goes into, and when it was asked for.
	img      *imageData
	imgSpare []float32
	imgAt    time.Time
	// A problem's table (used only by the engine command) and when it
	// was last asked for.
	tableSrc core.Table
	tableAt  time.Time

	// The problem's held-out stopping criterion (core.Problem.Criterion):
	// its column (−1: none), the near-copy share's column (−1: none) and
	// the best (lowest) criterion value so far within flow.max_copies.
	bestCol  int
	copyCol  int
	bestStep int
	bestVal  float64
}

// screenState is the layout state, the panels and the cached strings; View
// only joins these.
type screenState struct {
	view       viewMode
	plot       plotPanel
	images     imagePanel
	table      tablePanel
	params     paramPanel
	sparks     [sparkCount]spark
	picker     picker
	pickerOpen bool
	showHelp   bool

	header, side, overlay, statusLine, helpLine, tooSmall string
	status                                                string
	statusKind                                            statusKind
}

// newModel builds the model; first says what to load at start.
func newModel(d deps, first loadReq) *model {
	m := &model{
		d:       d,
		keys:    defaultKeys(),
		st:      newStyles(colorprofile.TrueColor),
		profile: colorprofile.TrueColor,
		help:    help.New(),
	}
	m.chunk = 1
	m.help.Styles = m.st.Help
	m.pendingLoad = &first
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
	case remoteDoneMsg:
		return m, m.onRemoteDone(msg)
	case signalMsg:
		return m, m.onSignal(msg)
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
