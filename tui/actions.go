package tui

import (
	"errors"
	"fmt"
	"math"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
)

// lowerFromInf is where "l" takes an unconstrained L (L = ∞): the largest
// finite L of the paper's four-well study (Fig. 5, L ∈ {1, 10, 100, ∞}).
const lowerFromInf = 100

// maxInner bounds T_NN as core.Sim.Set does.
const maxInner = 10000

// onKey handles a key press outside the picker.
func (m *model) onKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.keys.Quit):
		return tea.Quit
	case key.Matches(k, m.keys.Help):
		m.showHelp = !m.showHelp
		m.refreshOverlay()
		return nil
	case key.Matches(k, m.keys.Presets):
		m.openPicker()
		return nil
	}
	if (m.eng == nil || m.loading) && !key.Matches(k, m.keys.Restart) {
		return nil // loading, or the load failed: only p, r, ?, q
	}
	switch {
	case key.Matches(k, m.keys.Pause):
		m.running = !m.running
		if m.running {
			m.diverged = false
			m.setStatus(statusInfo, "running")
		} else {
			m.setStatus(statusInfo, "paused: n steps once, space resumes")
		}
	case key.Matches(k, m.keys.Step):
		if m.running {
			m.setStatus(statusInfo, "n steps once while paused (space pauses)")
			break
		}
		m.stepOnce = true
		m.diverged = false
	case key.Matches(k, m.keys.LipUp):
		m.nudge(core.ParamLipschitz, true)
	case key.Matches(k, m.keys.LipDown):
		m.nudge(core.ParamLipschitz, false)
	case key.Matches(k, m.keys.DtUp):
		m.nudge(core.ParamDt, true)
	case key.Matches(k, m.keys.DtDown):
		m.nudge(core.ParamDt, false)
	case key.Matches(k, m.keys.LRUp):
		m.nudge(core.ParamLR, true)
	case key.Matches(k, m.keys.LRDown):
		m.nudge(core.ParamLR, false)
	case key.Matches(k, m.keys.InnerUp):
		m.nudge(core.ParamInnerSteps, true)
	case key.Matches(k, m.keys.InnerDown):
		m.nudge(core.ParamInnerSteps, false)
	case key.Matches(k, m.keys.Restart):
		if m.eng == nil && m.pendingLoad == nil && m.base.Name == "" {
			return nil
		}
		base := m.base
		m.requestLoad(loadReq{cfg: &base})
	case key.Matches(k, m.keys.Save):
		if m.d.save == nil {
			m.setStatus(statusWarn, "saving snapshots is unavailable in this build")
			return nil
		}
		m.pendingSave = true
		if m.inflight {
			m.setStatus(statusInfo, "saving after the running step…")
		}
	case key.Matches(k, m.keys.Projection):
		if m.proj.dim <= 2 {
			m.setStatus(statusInfo, fmt.Sprintf("the data are %d-dimensional: nothing to project", m.proj.dim))
			return nil
		}
		m.proj = m.proj.next()
		m.projectionChanged()
	case key.Matches(k, m.keys.AxisX), key.Matches(k, m.keys.AxisY):
		if m.proj.dim <= 2 {
			return nil
		}
		if m.proj.mode != projChoose {
			m.proj.mode = projChoose
		} else if key.Matches(k, m.keys.AxisX) {
			m.proj.ax = (m.proj.ax + 1) % m.proj.dim
		} else {
			m.proj.ay = (m.proj.ay + 1) % m.proj.dim
		}
		m.projectionChanged()
	case key.Matches(k, m.keys.Initial):
		m.plot.showInitial = !m.plot.showInitial
		m.plot.resetView()
		m.refreshPlot()
	case key.Matches(k, m.keys.Freeze):
		m.plot.frozen = !m.plot.frozen
		m.refreshPlot()
	case key.Matches(k, m.keys.View):
		if m.kind == kindPlain {
			m.setStatus(statusInfo, "g switches between the scatter and the images or the gene table; this run has neither")
			return nil
		}
		m.view = m.view.next(m.kind, m.reg)
		m.sizeLeft()
		m.plot.resetView()
		m.redrawAll()
	default:
		return nil
	}
	cmd := m.kick()
	m.refreshHeader()
	m.refreshSide()
	return cmd
}

// nudge raises or lowers a parameter to the next nice value (1-2-5 steps;
// ±1 for T_NN), queued until the engine is idle.
func (m *model) nudge(p core.Param, up bool) {
	old := m.shown(p)
	var v float64
	switch p {
	case core.ParamInnerSteps:
		v = old - 1
		if up {
			v = old + 1
		}
		v = min(max(v, 1), maxInner)
	case core.ParamLipschitz:
		if math.IsInf(old, 1) {
			v = old
			if !up {
				v = lowerFromInf
			}
			break
		}
		v = nextNice(old, up)
	default:
		v = nextNice(old, up)
	}
	if v == old {
		return
	}
	m.pending[p] = pendingSet{v: v, ok: true}
	if m.inflight {
		m.setStatus(statusInfo, fmt.Sprintf("%s → %s after the running step…", paramName(p), fmtNum(v)))
	}
}

// shown is a parameter as displayed: pending value, else the engine's.
func (m *model) shown(p core.Param) float64 {
	if m.pending[p].ok {
		return m.pending[p].v
	}
	return cfgValue(&m.cfg, p)
}

// cfgValue is a parameter's value in a configuration.
func cfgValue(c *core.Config, p core.Param) float64 {
	switch p {
	case core.ParamLipschitz:
		return float64(c.Discriminator.Lipschitz)
	case core.ParamDt:
		return c.Flow.Dt
	case core.ParamLR:
		return c.Train.LR
	default:
		return float64(c.Train.InnerSteps)
	}
}

// paramName is a parameter's symbol for the status line.
func paramName(p core.Param) string {
	return [...]string{"L", "Δt", "lr δ", "T_NN"}[p]
}

// nextNice is the next value above (up) or below v among 1, 2, 5 × 10ᵏ.
func nextNice(v float64, up bool) float64 {
	if !(v > 0) || math.IsInf(v, 0) {
		return v
	}
	e := int(math.Floor(math.Log10(v)))
	best := math.NaN()
	for exp := e - 1; exp <= e+1; exp++ {
		for _, mant := range []int{1, 2, 5} {
			c := tickValue(1, mant, exp)
			switch {
			case up && c > v*(1+1e-9) && !(c >= best):
				best = c
			case !up && c < v*(1-1e-9) && !(c <= best):
				best = c
			}
		}
	}
	return best
}

// applyPending hands queued parameter changes to the idle engine.
func (m *model) applyPending() {
	for p := range m.pending {
		ps := m.pending[p]
		if !ps.ok {
			continue
		}
		m.pending[p] = pendingSet{}
		old := cfgValue(&m.cfg, core.Param(p))
		if err := m.eng.Set(core.Param(p), ps.v); err != nil {
			m.setStatus(statusErr, err.Error())
			continue
		}
		m.cfg = m.eng.Config()
		m.setStatus(statusInfo, fmt.Sprintf("step %d: %s %s → %s", m.eng.StepCount(), paramName(core.Param(p)), fmtNum(old), fmtNum(ps.v)))
		m.logf("%s", m.status)
	}
	m.cfg = m.eng.Config()
	m.events = append(m.events[:0], m.eng.Events()...)
}

// requestLoad queues a new engine; pending changes to the old one are
// dropped.
func (m *model) requestLoad(req loadReq) {
	m.pendingLoad = &req
	m.pending = [4]pendingSet{}
	m.pendingSave = false
	m.setStatus(statusInfo, "loading "+req.String()+"…")
}

// openPicker lists the presets and shows the picker over the plot.
func (m *model) openPicker() {
	var items []pickItem
	if m.d.listPresets != nil {
		items = m.d.listPresets()
	}
	m.picker = newPicker(items, m.keys)
	m.picker.SetSize(m.reg.PlotW, m.reg.PlotH)
	m.picker.redraw(&m.st)
	m.pickerOpen = true
	m.refreshOverlay()
	m.refreshHelpLine()
}

// onPicked loads the chosen preset.
func (m *model) onPicked(msg pickedMsg) tea.Cmd {
	m.pickerOpen = false
	m.requestLoad(loadReq{preset: msg.name})
	m.refreshOverlay()
	m.refreshHelpLine()
	cmd := m.kick()
	m.refreshHeader()
	return cmd
}

// kick starts the next engine command if none is in flight: first queued
// parameter changes (applied at once), then a save, a load, or a step.
func (m *model) kick() tea.Cmd {
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
			return saveCmd(m.d, m.eng)
		}
	}
	if m.pendingLoad != nil {
		req := *m.pendingLoad
		m.pendingLoad = nil
		m.inflight, m.loading = true, true
		m.seq++
		m.loadWarn = ""
		return loadCmd(m.d, req, m.seq)
	}
	if m.eng == nil {
		return nil
	}
	if !(m.running || m.stepOnce) {
		// Paused: bring the slow panels up to the current step.
		if job := m.extrasFor(false); job.any() {
			m.inflight = true
			return extrasCmd(m.eng, m.gen, job)
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
	return stepCmd(m.eng, m.gen, k, job)
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
	m.gen++
	m.base = msg.base
	m.running, m.stepOnce, m.diverged = true, false, false
	m.chunk, m.rate = 1, 0
	m.hist = m.hist[:0]
	m.hasLastImg = false
	m.installRun(msg)
	m.proj = projection{dim: m.eng.Dim(), ax: 0, ay: min(1, m.eng.Dim()-1), pca: msg.pca}
	if m.proj.pca != nil {
		m.proj.mode = projPCA // the most faithful planar view of d > 2 data
	}
	m.plot.resetView()
	m.needProj = true
	m.readEngine()
	m.applyExtras(msg.extras)
	switch {
	case m.loadWarn != "":
		m.setStatus(statusWarn, fmt.Sprintf("loaded %s; warning: %s", m.cfg.Name, m.loadWarn))
	case msg.confound != "":
		// Shown once: the next message replaces it (it is also in the
		// table's title while the table is shown).
		m.setStatus(statusWarn, msg.confound)
	case msg.req.snapshot != "":
		m.setStatus(statusInfo, fmt.Sprintf("resumed %s at step %d", msg.req.snapshot, m.step))
	default:
		m.setStatus(statusInfo, fmt.Sprintf("loaded %s: %s", m.cfg.Name, m.cfg.Description))
	}
	m.redrawAll()
	return m.kick()
}

// installRun sets up the panels of a new run: its kind, view, sparklines
// and series names.
func (m *model) installRun(msg loadDoneMsg) {
	cfg := msg.eng.Config()
	// The load copied the images and compared the merge: the next copies
	// are due a period from now.
	m.img, m.imgSpare, m.imgAt = msg.img, nil, m.clock()
	m.geneSrc, m.cmpAt = msg.genes, m.clock()
	m.table = geneTable{w: m.table.w, h: m.table.h}
	m.kind, m.view = kindPlain, viewBoth
	m.plot.names = defaultSeriesNames
	m.plot.showInitial = false
	sparks := plainSparks
	switch {
	case m.img != nil:
		m.kind = kindImages
		if hasClassifier(cfg.Target.Kind) {
			sparks = imageSparks(m.img.conditional)
		}
		m.img.step = -1
	case m.geneSrc != nil:
		m.kind = kindGenes
		m.table.confounded = msg.confound != ""
		// The untransported source is the reference of a merge: show it.
		m.plot.names = [numSeries]string{"transported", "target", "source"}
		m.plot.showInitial = true
	}
	m.setSparks(sparks)
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
	switch {
	case errors.Is(msg.err, core.ErrDiverged):
		m.running, m.diverged = false, true
		m.setStatus(statusErr, fmt.Sprintf("NaN/Inf after step %d: state kept. l/t lower L/Δt, space resumes, r restarts", m.step))
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

// onSaved reports a written snapshot.
func (m *model) onSaved(msg saveDoneMsg) tea.Cmd {
	m.inflight = false
	if msg.err != nil {
		m.setStatus(statusErr, "save failed: "+msg.err.Error())
	} else {
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
