package tui

import (
	"errors"
	"fmt"
	"math"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// applyPending hands queued parameter changes to the idle engine.
func (m *model) applyPending() {
	for _, ps := range m.pending {
		old := ps.p.Get(&m.cfg)
		if err := m.eng.Set(ps.p.Key, ps.v); err != nil {
			m.setStatus(statusErr, err.Error())
			continue
		}
		m.cfg = m.eng.Config()
		m.setStatus(statusInfo, fmt.Sprintf("step %d: %s %s → %s", m.eng.StepCount(), ps.p.Symbol, fmtNum(old), fmtNum(ps.v)))
		m.logf("%s", m.status)
	}
	m.pending = m.pending[:0]
	m.cfg = m.eng.Config()
	m.events = append(m.events[:0], m.eng.Events()...)
}

// requestLoad queues a new engine; pending changes to the old one are
// dropped.
func (m *model) requestLoad(req loadReq) {
	m.pendingLoad = &req
	m.pending = m.pending[:0]
	m.pendingSave = false
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
			return m.d.guard(saveCmd(m.d, m.eng))
		}
	}
	if m.pendingLoad != nil {
		req := *m.pendingLoad
		m.pendingLoad = nil
		m.inflight, m.loading = true, true
		m.seq++
		m.loadWarn = ""
		return m.d.guard(loadCmd(m.d, req, m.seq))
	}
	if m.eng == nil {
		return nil
	}
	if !(m.running || m.stepOnce) {
		// Paused: bring the slow panels up to the current step.
		if job := m.extrasFor(false); job.any() {
			m.inflight = true
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
	}
	job := m.extrasFor(true)
	m.stepOnce = false
	m.inflight = true
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
	m.running, m.stepOnce, m.diverged = true, false, false
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
	m.applyExtras(msg.extras)
	if m.remote != nil {
		m.followRemote()
	}
	switch {
	case m.remote != nil:
		in := m.remoteInfo
		m.setStatus(statusInfo, fmt.Sprintf("attached to %s (PID %d on %s): the keys steer the run; q detaches, the run goes on", m.remote.Dir(), in.PID, in.Host))
	case m.loadWarn != "":
		m.setStatus(statusWarn, fmt.Sprintf("loaded %s; warning: %s", m.cfg.Name, m.loadWarn))
	case len(m.notes) > 0:
		// Shown once: the next message replaces it (a table may repeat
		// it in its title).
		m.setStatus(statusWarn, m.notes[0])
	case msg.req.snapshot != "":
		m.setStatus(statusInfo, fmt.Sprintf("resumed %s at step %d", msg.req.snapshot, m.step))
	default:
		m.setStatus(statusInfo, fmt.Sprintf("loaded %s: %s", m.cfg.Name, m.cfg.Description))
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
	m.bestCol, m.copyCol, m.bestStep, m.bestVal = -1, -1, 0, math.Inf(1)
	for i, mi := range e.Metrics() {
		switch {
		case p.Criterion != "" && mi.Name == p.Criterion:
			m.bestCol = i
		case p.CopyShare != "" && mi.Name == p.CopyShare:
			m.copyCol = i
		}
	}
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
	m.inflight = false
	if msg.k > 0 && msg.elapsed > 0 {
		inst := float64(msg.k) / msg.elapsed.Seconds()
		if m.rate == 0 {
			m.rate = inst
		} else {
			// Exponential smoothing over ~3 commands, so the rate does
			// not flicker with each frame.
			m.rate = 0.7*m.rate + 0.3*inst
		}
	}
	m.chunk = nextChunk(msg.k, msg.elapsed)
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
		m.applyExtras(msg.extras)
		cmd := m.kick()
		m.redrawAll()
		return cmd
	}
	switch {
	case errors.Is(msg.err, core.ErrDiverged):
		m.running, m.diverged = false, true
		cause := "NaN/Inf"
		var de *core.DivergedError
		if errors.As(msg.err, &de) && de.Cause != "" {
			cause = de.Cause
		}
		m.setStatus(statusErr, fmt.Sprintf("step %d diverged: %s; state kept, l/t lower L/Δt, r restarts", m.step+1, cause))
	case msg.err != nil:
		m.running = false
		m.setStatus(statusErr, "step failed: "+msg.err.Error())
	case m.running && m.cfg.Flow.Steps > 0 && m.step == m.cfg.Flow.Steps:
		m.running = false
		m.setStatus(statusInfo, fmt.Sprintf("reached flow.steps = %d; space runs on", m.step))
	}
	m.applyExtras(msg.extras)
	cmd := m.kick()
	m.redrawAll()
	return cmd
}

// onExtras shows extras computed without a step.
func (m *model) onExtras(msg extrasDoneMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	m.inflight = false
	m.applyExtras(msg.extras)
	return m.kick()
}

// onPrep shows the progress of a slow load in the status line.
func (m *model) onPrep(msg prepMsg) {
	if msg.seq != m.seq || !m.loading {
		return
	}
	m.setStatus(statusInfo, prepText(msg.what, msg.epoch, msg.epochs))
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

// logf writes to the debug log (tea.LogToFile), only when GPA_DEBUG is set.
func (m *model) logf(format string, a ...any) {
	if m.d.logf != nil {
		m.d.logf(format, a...)
	}
}

// setStatus sets the status line.
func (m *model) setStatus(k statusKind, s string) {
	m.status, m.statusKind = s, k
	m.refreshStatus()
}
