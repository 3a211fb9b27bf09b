package tui

import (
	"fmt"
	"math"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// lowerFromInf is where a lowering key takes a parameter at +∞ (L = ∞, an
// unconstrained net): the largest finite L of the paper's four-well study
// (Fig. 5, L ∈ {1, 10, 100, ∞}).
const lowerFromInf = 100

// onKey handles a key press outside the picker.
func (m *model) onKey(k tea.KeyPressMsg) tea.Cmd {
	if m.confirm != confirmNone {
		return m.onConfirm(k)
	}
	if ok, cmd := m.remoteKey(k); ok {
		return cmd
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return m.quit()
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
	case m.paramKey(k):
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

// paramKey nudges the parameter whose key (core.Param.Up, Down) was
// pressed, and reports whether there was one.
func (m *model) paramKey(k tea.KeyPressMsg) bool {
	for _, pk := range m.keys.Params {
		switch {
		case key.Matches(k, pk.Up):
			m.nudge(pk.p, true)
		case key.Matches(k, pk.Down):
			m.nudge(pk.p, false)
		default:
			continue
		}
		return true
	}
	return false
}

// nudge raises or lowers a parameter to the next nice value (1-2-5 steps,
// or ±1 as its Nudge says), queued until the engine is idle.
func (m *model) nudge(p *core.Param, up bool) {
	old := m.shown(p)
	var v float64
	switch {
	case p.Nudge == core.NudgeUnit:
		v = old - 1
		if up {
			v = old + 1
		}
		v = min(max(v, p.Min), p.Max)
	case math.IsInf(old, 1):
		v = old
		if !up {
			v = lowerFromInf
		}
	default:
		v = nextNice(old, up)
	}
	if v == old || p.Check(v) != nil {
		return
	}
	m.setPending(p, v)
	if m.inflight {
		m.setStatus(statusInfo, fmt.Sprintf("%s → %s after the running step…", p.Symbol, fmtNum(v)))
	}
}

// setPending queues a parameter change, replacing an earlier one.
func (m *model) setPending(p *core.Param, v float64) {
	for i := range m.pending {
		if m.pending[i].p == p {
			m.pending[i].v = v
			return
		}
	}
	m.pending = append(m.pending, pendingSet{p, v})
}

// shown is a parameter as displayed: pending value, else the engine's.
func (m *model) shown(p *core.Param) float64 {
	if i := m.pendingIndex(p); i >= 0 {
		return m.pending[i].v
	}
	return p.Get(&m.cfg)
}

// pendingIndex is the index of p's pending change, or −1.
func (m *model) pendingIndex(p *core.Param) int {
	for i := range m.pending {
		if m.pending[i].p == p {
			return i
		}
	}
	return -1
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

// quit quits, or asks first when the run has progress not yet saved (q
// again quits without saving, s saves and quits).
func (m *model) quit() tea.Cmd {
	if !m.unsaved() {
		return tea.Quit
	}
	what := fmt.Sprintf("steps %d–%d", m.savedStep+1, m.step)
	switch {
	case m.step == m.savedStep:
		what = "changes"
	case m.step == m.savedStep+1:
		what = fmt.Sprintf("step %d", m.step)
	}
	m.ask(confirmQuit, what+" unsaved — s: save and quit · q: quit anyway · other keys: stay")
	return nil
}

// unsaved reports whether the local run has progress since its last save
// or load: steps or parameter changes.
func (m *model) unsaved() bool {
	return m.eng != nil && m.remote == nil && !m.loading && (m.step != m.savedStep || len(m.events) != m.savedEvents)
}

// onConfirm answers the status line's question.
func (m *model) onConfirm(k tea.KeyPressMsg) tea.Cmd {
	c := m.confirm
	m.confirm, m.question = confirmNone, ""
	m.refreshStatus()
	switch c {
	case confirmQuit:
		switch {
		case k.Text == "s":
			m.pendingSave, m.quitAfterSave = true, true
			m.setStatus(statusInfo, "saving, then quitting…")
			return m.kick()
		case key.Matches(k, m.keys.Quit):
			return tea.Quit
		}
		m.setStatus(statusInfo, "not quitting")
	case confirmStop:
		if k.Text == "y" {
			m.ctl = append(m.ctl, ctlReq{action: runfolder.ActStop, what: "stop"})
			return m.kick()
		}
		m.setStatus(statusInfo, "the run goes on")
	}
	return nil
}

// ask puts a question on the status line until a key answers it (other
// status messages wait behind it).
func (m *model) ask(c confirmKind, q string) {
	m.confirm, m.question = c, q
	m.refreshStatus()
}
