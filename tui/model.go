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

	pace pacer       // when a moving run may draw its next frame
	clk  renderClock // Bubble Tea's render ticker, stopped while idle

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
	goal     int     // :goto — pause when the run reaches this step (0: none)
	// Divergence: the step that failed last (0: none) and how many
	// attempts were made at it since (a retry is visibly a new attempt).
	failStep, attempt int
	// Engine commands started (busy ticks carry it) and whether the one in
	// flight has run longer than busyAfter (the busy sign).
	cmdGen int
	busy   bool
	// slowGen is the last command that may take long (a load, a step by
	// hand), tickGen the last one whose busy tick is scheduled.
	slowGen, tickGen int
	// What the run was loaded from (the picker starts there); the first
	// load's name; whether the first load is still to come (--paused).
	loadedFrom, firstFrom string
	firstLoad             bool
	// baseEvents are the changes that base already holds: a run resumed
	// from a snapshot restarts (r) with the settings it was saved with.
	baseEvents []core.Event
	pickSeq    int             // picker listings started; older ones are dropped
	pickNoted  map[string]bool // broken preset files already in the log

	pendingLoad  *loadReq
	pendingSave  bool
	saveName     string       // :save NAME ("" for the usual name)
	pending      []pendingSet // parameter changes waiting for the engine
	pendingTotal *int         // :steps N waiting for the engine

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
	base       experiments.Config // "r" restarts from this
	cfg        core.Config
	paramTab   core.ParamTable
	kindName   string      // the method
	summary    [][2]string // its fixed settings (label, value)
	step       int
	lenScale   float64
	histLen    int // history rows read
	series     [sparkCount][]float64
	seriesStep [sparkCount][]int // the step of each value of series
	sparkDefs  []sparkDef
	textDefs   []sparkDef
	textVals   []float64 // latest value of each text metric (NaN: none yet)
	limitCol   *sparkDef // the metric checked against a parameter, or nil
	limitVal   float64   // latest value of the limit-checked metric
	haveLimit  bool
	events     []core.Event
	notes      []string
	proj       projection
	needProj   bool // the projection changed while a step was in flight
	tgt2       []float32
	ini2       []float32
	par2       []float32
	kind       runKind
	loadWarn   string // a preparation warning of the load in flight

	// Image runs: the data copied by the engine command, the buffer the
	// next copy goes into, and when it was asked for.
	img      *imageData
	imgSpare []float32
	imgAt    time.Time
	// A problem's table (used only by the engine command) and when it
	// was last asked for.
	tableSrc core.Table
	tableAt  time.Time

	// The problem's held-out stopping criterion (core.Problem.Criterion)
	// and its best (lowest) value so far within flow.max_copies.
	best *core.Best
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
	log        msgLog    // every message, in full (m)
	cmd        cmdLine   // the command line (:)
	heat       heatState // the heat-map of φ (h)
	focus      focusID   // the panel the arrows and enter act on (tab)
	zoomed     int       // the sparkline shown full width (1…), 0: none
	zoom       zoomPanel
	evScroll   scroller // the changes list
	load       loadState
	drag       *dragState // a drag of the scatter with the mouse
	focusMoved bool       // tab was pressed: the focused panel is marked

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
	fps := d.fps
	if fps == 0 {
		fps = DefaultFPS
	}
	m.pace = newPacer(fps, d.bandwidth)
	m.clk.program = d.program
	m.chunk = 1
	m.heat.res = 1
	m.help.Styles = m.st.Help
	m.pendingLoad = &first
	m.firstLoad = true
	if first.preset != "" {
		m.firstFrom = first.preset
	}
	m.images.setProfile(m.profile)
	m.setStatus(statusInfo, "loading "+first.String()+"…")
	m.load.begin(first, m.clock())
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
	return m, m.afterUpdate(msg, m.route(msg))
}

func (m *model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
	case tea.ColorProfileMsg:
		m.st = newStyles(msg.Profile)
		m.profile = msg.Profile
		m.images.setProfile(msg.Profile)
		m.help.Styles = m.st.Help
		m.redrawAll()
	case tea.KeyPressMsg:
		switch {
		case m.cmd.open:
			return m.onCommandKey(msg)
		case m.pickerOpen:
			var cmd tea.Cmd
			m.picker, cmd = m.picker.Update(msg)
			m.picker.redraw(&m.st)
			m.refreshOverlay()
			m.refreshHelpLine()
			return cmd
		}
		return m.onKey(msg)
	case tea.MouseMsg:
		m.onMouse(msg)
	case pickedMsg:
		return m.onPicked(msg)
	case pickerClosedMsg:
		m.pickerOpen = false
		m.refreshOverlay()
		m.refreshHelpLine()
	case pickListMsg:
		m.onPickList(msg)
	case loadDoneMsg:
		return m.onLoaded(msg)
	case stepDoneMsg:
		return m.onStepped(msg)
	case extrasDoneMsg:
		return m.onExtras(msg)
	case prepMsg:
		m.onPrep(msg)
	case prepWarnMsg:
		m.onPrepWarn(msg)
	case busyMsg:
		return m.onBusy(msg)
	case saveDoneMsg:
		return m.onSaved(msg)
	case remoteDoneMsg:
		return m.onRemoteDone(msg)
	case signalMsg:
		return m.onSignal(msg)
	}
	return nil
}

// View joins the cached panel strings.
func (m *model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion // wheel zoom and drag pan of the scatter
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
	if m.zoomed > 0 {
		return m.zoom.View()
	}
	if m.loading && m.load.name != "" && m.remote == nil {
		return m.load.view
	}
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
