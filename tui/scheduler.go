package tui

import (
	"errors"
	"fmt"
	"math"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// applyPending hands queued parameter changes (and :steps) to the idle
// engine. A change that made the method do more (GPA: φ switched to
// spectral normalization) says so.
func (m *model) applyPending() {
	for _, ps := range m.pending {
		old := ps.p.Get(&m.cfg)
		n := len(m.eng.Events())
		if err := m.eng.Set(ps.p.Key, ps.v); err != nil {
			m.setStatus(statusErr, err.Error())
			continue
		}
		m.cfg = m.eng.Config()
		msg := fmt.Sprintf("step %d: %s %s → %s", m.eng.StepCount(), ps.p.Symbol, fmtNum(old), fmtNum(ps.v))
		kind := statusInfo
		if ev := m.eng.Events(); len(ev) > n && ev[len(ev)-1].Note != "" {
			msg += "; " + ev[len(ev)-1].Note
			kind = statusWarn
		}
		if m.diverged {
			msg += fmt.Sprintf(" — space retries step %d", m.failStep)
		}
		m.setStatus(kind, msg)
	}
	m.pending = m.pending[:0]
	if n := m.pendingTotal; n != nil {
		m.pendingTotal = nil
		if ts, ok := m.eng.(totalSetter); ok {
			ts.SetTotalSteps(*n)
		}
	}
	m.cfg = m.eng.Config()
	m.events = append(m.events[:0], m.eng.Events()...)
}

// requestLoad queues a new engine; pending changes to the old one are
// dropped.
func (m *model) requestLoad(req loadReq) {
	m.pendingLoad = &req
	m.pending = m.pending[:0]
	m.pendingSave, m.pendingTotal, m.goal = false, nil, 0
	m.setStatus(statusInfo, "loading "+req.String()+"…")
}

// kick starts the next engine command if none is in flight: first queued
// parameter changes (applied at once), then a save, a load, or a step.
func (m *model) kick() tea.Cmd {
	if m.remote != nil {
		return m.kickRemote()
	}
	if m.inflight {
		return nil
	}
	if m.eng != nil {
		m.applyPending()
		if m.needProj {
			m.readEngine()
		}
		if m.pendingSave {
			m.pendingSave = false
			m.inflight = true
			m.setStatus(statusInfo, "saving…")
			name := m.saveName
			m.saveName = ""
			return m.d.guard(saveCmd(m.d, m.eng, name))
		}
	}
	if m.pendingLoad != nil {
		req := *m.pendingLoad
		m.pendingLoad = nil
		m.inflight, m.loading = true, true
		m.seq++
		m.cmdGen++
		m.loadWarn = ""
		m.load.begin(req, m.clock())
		m.slowGen = m.cmdGen // may take long: the busy sign (afterUpdate)
		m.refreshSide()
		return m.d.guard(loadCmd(m.d, req, m.seq))
	}
	if m.eng == nil {
		return nil
	}
	if !(m.running || m.stepOnce) {
		// Paused: bring the slow panels up to the current step.
		if job := m.extrasFor(false); job.any() {
			m.inflight = true
			m.cmdGen++
			return m.d.guard(extrasCmd(m.eng, m.gen, job))
		}
		return nil
	}
	k := 1
	if m.running {
		k = m.chunk
		if steps := m.cfg.Flow.Steps; steps > 0 && m.step < steps {
			k = min(k, steps-m.step)
		}
		if m.goal > m.step {
			k = min(k, m.goal-m.step)
		}
	}
	job := m.extrasFor(true)
	once := m.stepOnce && !m.running
	m.stepOnce = false
	m.inflight = true
	m.cmdGen++
	if once {
		m.slowGen = m.cmdGen // a single step may take a second (image runs)
	}
	return m.d.guard(stepCmd(m.eng, m.gen, k, job))
}

// onLoaded installs a new engine, or reports why it could not be built.
func (m *model) onLoaded(msg loadDoneMsg) tea.Cmd {
	m.inflight, m.loading = false, false
	if msg.err != nil {
		m.logf("load %s: %v", msg.req, msg.err)
		m.setStatus(statusErr, fmt.Sprintf("cannot load %s: %v", msg.req, msg.err))
		m.refreshHeader()
		return m.kick()
	}
	m.eng = msg.eng
	m.remote, _ = msg.eng.(remote)
	m.keys.attached = m.remote != nil
	m.gen++
	m.base = msg.base
	m.loadedFrom = msg.req.String()
	if msg.req.cfg != nil {
		m.loadedFrom = msg.req.cfg.Name
		if m.firstFrom != "" {
			m.loadedFrom = m.firstFrom
		}
	}
	m.firstFrom = ""
	m.running, m.stepOnce, m.diverged = true, false, false
	m.failStep, m.attempt, m.goal = 0, 0, 0
	m.chunk, m.rate = 1, 0
	m.installRun(msg)
	m.proj = projection{dim: m.eng.Dim(), ax: 0, ay: min(1, m.eng.Dim()-1), pca: m.eng.Problem().Projection}
	if m.proj.pca != nil {
		m.proj.mode = projPCA // the most faithful planar view of d > 2 data
	}
	m.plot.resetView()
	m.needProj = true
	m.readEngine()
	m.savedStep, m.savedEvents = m.step, len(m.events)
	inherited := m.baseEvents
	switch {
	case msg.req.snapshot != "":
		m.baseEvents = append([]core.Event(nil), m.events...)
	case msg.req.cfg == nil:
		m.baseEvents = nil
	}
	m.applyExtras(msg.extras, true)
	if m.remote != nil {
		m.followRemote()
	}
	// Where the run starts: paused with --paused (the first run), for a
	// preset that asks for it ([workbench] paused: expected to diverge),
	// and for a resumed run already at its end; else running.
	why := ""
	switch {
	case m.remote != nil:
	case m.firstLoad && m.d.paused:
		why = "opened paused (--paused)"
	case msg.base.Workbench != nil && msg.base.Workbench.Paused:
		why = fmt.Sprintf("opened paused: %s asks for it ([workbench] paused) — lower L first (l, or :L 1), then space", m.cfg.Name)
	case m.cfg.Flow.Steps > 0 && m.step >= m.cfg.Flow.Steps:
		why = fmt.Sprintf("reached flow.steps = %d; space runs on (:steps N sets a new end)", m.cfg.Flow.Steps)
	}
	m.firstLoad = false
	if why != "" {
		m.running = false
	}
	for _, n := range m.notes {
		m.note(statusWarn, n) // in the log in full, whatever the status line says
	}
	switch {
	case m.remote != nil:
		in := m.remoteInfo
		m.setStatus(statusInfo, fmt.Sprintf("attached to %s (PID %d on %s): the keys steer the run; q detaches, the run goes on", m.remote.Dir(), in.PID, in.Host))
	case m.loadWarn != "":
		m.setStatus(statusWarn, fmt.Sprintf("loaded %s; warning: %s", m.cfg.Name, m.loadWarn))
	case len(m.notes) > 0:
		// The table may repeat it in its title; the log keeps it.
		m.status, m.statusKind = m.notes[0], statusWarn
		m.refreshStatus()
	case msg.req.cfg != nil && msg.req.ready == nil && len(inherited) > 0:
		// r after --resume: the snapshot's settings, changes included.
		var ch []string
		for _, e := range inherited {
			ch = append(ch, fmt.Sprintf("%s %s → %s", m.eventSymbol(e.Param), fmtNum(e.Old), fmtNum(e.New)))
		}
		m.setStatus(statusInfo, fmt.Sprintf("restarted %s at step 0 with the snapshot's settings: its %d change(s) before the save are kept (%s); p loads the preset as shipped",
			m.cfg.Name, len(inherited), strings.Join(ch, "; ")))
		if why != "" {
			m.note(statusInfo, why)
		}
	case why != "":
		m.setStatus(statusInfo, why)
	case msg.req.snapshot != "":
		m.setStatus(statusInfo, fmt.Sprintf("resumed %s at step %d", msg.req.snapshot, m.step))
	default:
		m.setStatus(statusInfo, fmt.Sprintf("loaded %s: %s", m.cfg.Name, m.cfg.Description))
	}
	if why != "" && (m.loadWarn != "" || len(m.notes) > 0) {
		m.note(statusInfo, why)
	}
	m.redrawAll()
	return m.kick()
}

// installRun sets up the panels of a new run: its kind, view, parameter
// keys, sparklines and series names.
func (m *model) installRun(msg loadDoneMsg) {
	e := msg.eng
	p := e.Problem()
	m.paramTab = e.Params()
	m.keys.setParams(m.paramTab)
	m.kindName = e.Kind()
	m.summary = e.Summary()
	m.notes = p.Notes
	m.histLen, m.haveLimit = 0, false
	// The load copied the images and computed the table: the next copies
	// are due a period from now.
	m.img, m.imgSpare, m.imgAt = msg.img, nil, m.clock()
	m.tableSrc, m.tableAt = nil, m.clock()
	m.table = tablePanel{w: m.table.w, h: m.table.h}
	if len(p.Tables) > 0 {
		m.tableSrc = p.Tables[0]
		m.table.title = m.tableSrc.Title()
	}
	m.kind, m.view = kindPlain, viewBoth
	m.plot.names = defaultSeriesNames
	for i, n := range p.Names {
		if n != "" {
			m.plot.names[i] = n
		}
	}
	m.plot.showInitial = p.ShowInitial
	switch {
	case m.img != nil:
		m.kind = kindImages
		m.img.step = -1
	case m.tableSrc != nil:
		m.kind = kindTable
	}
	m.setSparks(e.Metrics(), m.paramTab)
	m.heat.heads, m.heat.head, m.heat.grid, m.heat.stale = max(p.Heads, 1), 0, nil, true
	m.heat.reason = heatReason(e, m.remote)
	m.heat.lo, m.heat.hi = 0, 0
	m.zoomed, m.evScroll = 0, scroller{}
	flow := e.Config().Flow
	m.best = core.NewBest(p, e.Metrics(), flow.CopyBudget())
	m.textVals = m.textVals[:0]
	for range m.textDefs {
		m.textVals = append(m.textVals, math.NaN())
	}
	if m.w > 0 && !m.reg.TooSmall {
		m.sizeLeft()
	}
}

// onStepped records a finished step command and starts the next.
func (m *model) onStepped(msg stepDoneMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil // from an engine since replaced; cannot happen with one command in flight
	}
	m.inflight, m.busy = false, false
	if msg.k > 0 && msg.elapsed > 0 && msg.err == nil && m.running {
		// Only whole commands of a running flow: a failed command stopped
		// early, and one step by hand says nothing of the flow's rate.
		inst := float64(msg.k) / msg.elapsed.Seconds()
		if m.rate == 0 {
			m.rate = inst
		} else {
			// Exponential smoothing over ~3 commands, so the rate does
			// not flicker with each frame.
			m.rate = 0.7*m.rate + 0.3*inst
		}
	}
	if msg.err == nil {
		m.chunk = nextChunk(msg.k, msg.elapsed)
	}
	m.readEngine()
	if msg.err != nil {
		m.logf("step %d: %v", m.step, msg.err)
	}
	if m.remote != nil {
		m.followRemote()
		switch {
		case errors.Is(msg.err, runfolder.ErrRestarted):
			return m.restartRemote(msg.err)
		case errors.Is(msg.err, runfolder.ErrEnded):
			m.endRemote(msg.err)
		case msg.err != nil:
			m.setStatus(statusWarn, "reading the run: "+msg.err.Error())
		}
		m.applyExtras(msg.extras, true)
		cmd := m.kick()
		m.redrawAll()
		return cmd
	}
	wasRunning := m.running
	switch {
	case errors.Is(msg.err, core.ErrDiverged):
		m.onDiverged(msg.err)
	case msg.err != nil:
		m.running, m.goal = false, 0
		m.setStatus(statusErr, "step failed: "+msg.err.Error())
	case m.running && m.cfg.Flow.Steps > 0 && m.step == m.cfg.Flow.Steps:
		m.running, m.goal = false, 0
		m.setStatus(statusInfo, fmt.Sprintf("reached flow.steps = %d; space runs on (:steps N sets a new end)", m.step))
	case m.goal > 0 && m.step >= m.goal:
		m.running = false
		m.setStatus(statusInfo, fmt.Sprintf("reached step %d (:goto); space runs on", m.goal))
		m.goal = 0
	}
	if msg.err == nil && m.failStep > 0 && m.step >= m.failStep {
		m.setStatus(statusInfo, fmt.Sprintf("step %d passed on attempt %d", m.failStep, m.attempt+1))
		m.failStep, m.attempt = 0, 0
	}
	// A moving run draws when the frame budget allows (pacer); anything
	// that stops it draws at once.
	draw := !(wasRunning && m.running) || m.d.sent == nil || m.pace.due(m.clock())
	m.applyExtras(msg.extras, draw)
	cmd := m.kick()
	if draw {
		m.redrawAll()
		m.pace.drawn(m.clock(), m.sent())
	}
	return cmd
}

// onDiverged pauses the flow at the last good state and says which
// attempt at the failing step this was, so that a retry is visibly one.
func (m *model) onDiverged(err error) {
	m.running, m.diverged, m.goal = false, true, 0
	fail := m.step + 1
	if fail == m.failStep {
		m.attempt++
	} else {
		m.failStep, m.attempt = fail, 1
	}
	cause := strings.TrimPrefix(err.Error(), fmt.Sprintf("step %d: ", fail))
	var de *core.DivergedError
	if errors.As(err, &de) && de.Cause != "" {
		cause = de.Cause // what overflowed first (core's diagnosis)
	}
	what := "again "
	if m.attempt == 1 {
		what = ""
	}
	m.setStatus(statusErr, fmt.Sprintf("step %d diverged %s(attempt %d: %s); state kept at step %d. Lower L or Δt (l, t, :L 1), then space retries; r restarts",
		fail, what, m.attempt, cause, m.step))
}

// sent is the number of bytes written to the terminal so far, or −1.
func (m *model) sent() int64 {
	if m.d.sent == nil {
		return -1
	}
	return m.d.sent()
}

// onExtras shows extras computed without a step.
func (m *model) onExtras(msg extrasDoneMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	m.inflight = false
	m.applyExtras(msg.extras, true)
	return m.kick()
}

// onPrep shows the progress of a slow load in the loading panel, and each
// phase's start and end in the log.
func (m *model) onPrep(msg prepMsg) {
	if msg.seq != m.seq || !m.loading {
		return
	}
	now := m.clock()
	if cur := m.load.cur; cur != nil && cur.what != msg.what && cur.epoch < cur.epochs {
		m.note(statusInfo, fmt.Sprintf("%s: stopped at epoch %d/%d", cur.what, cur.epoch, cur.epochs))
	}
	if m.load.cur == nil || m.load.cur.what != msg.what {
		m.note(statusInfo, fmt.Sprintf("loading %s: training %s (%d epochs, once; cached for next time)", m.load.name, msg.what, msg.epochs))
	}
	m.load.progress(msg.what, msg.epoch, msg.epochs, now)
	if msg.epoch >= msg.epochs {
		m.note(statusInfo, fmt.Sprintf("loading %s: %s trained in %s", m.load.name, msg.what, round(now.Sub(m.load.cur.start))))
	}
	m.status, m.statusKind = prepText(msg.what, msg.epoch, msg.epochs), statusInfo
	m.refreshStatus()
	m.refreshLoading()
	m.refreshHeader()
}

// onPrepWarn keeps a preparation warning for the status line; the load
// goes on.
func (m *model) onPrepWarn(msg prepWarnMsg) {
	if msg.seq != m.seq {
		return
	}
	m.logf("load warning: %v", msg.err)
	m.loadWarn = msg.err.Error()
	m.setStatus(statusWarn, "warning: "+m.loadWarn)
}

// onSaved reports a written snapshot, and quits if the save was asked
// for on the way out.
func (m *model) onSaved(msg saveDoneMsg) tea.Cmd {
	m.inflight = false
	reason := "quit"
	if m.quitReason != "" {
		reason = m.quitReason + " received"
	}
	if msg.err != nil {
		if m.quitAfterSave && m.quitReason != "" {
			m.exitMsg = fmt.Sprintf("%s; saving step %d failed: %v", reason, msg.step, msg.err)
			return tea.Quit
		}
		m.quitAfterSave = false
		m.setStatus(statusErr, "save failed: "+msg.err.Error())
	} else {
		m.savedStep, m.savedEvents = msg.step, msg.events
		if m.quitAfterSave {
			m.exitMsg = fmt.Sprintf("%s: saved step %d to %s\n  resume with: gpa-tui --resume %s", reason, msg.step, msg.path, msg.path)
			return tea.Quit
		}
		m.setStatus(statusInfo, "saved "+msg.path)
	}
	cmd := m.kick()
	m.refreshStatus()
	m.refreshHeader()
	return cmd
}
