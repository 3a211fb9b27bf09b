package tui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/runfolder"
)

// remote is an engine that mirrors a run executing in another process
// (gpa-tui attach; runfolder.Viewer). Advance waits for the run's next
// published state; Set and Request send control requests that the run
// applies at a step boundary, records as events and acknowledges, and they
// wait for that answer, so they run as the engine command like Advance.
// Nothing of the run is computed here.
type remote interface {
	engine
	Request(action, param string, value float64) (runfolder.Ack, error)
	Info() runfolder.RunInfo
	Dir() string
	Close() error
}

// remoteDoneMsg reports the answers to control requests.
type remoteDoneMsg struct {
	gen     int
	answers []string // one line per request, for the status line
	failed  bool     // some request was refused or not answered
	ended   error    // the run ended meanwhile (wraps runfolder.ErrEnded)
}

// ctlReq is a queued control request to an attached run.
type ctlReq struct {
	action string
	what   string // said in the status line while it waits
}

// remoteCmd sends the queued parameter changes and control requests, in
// order, each waiting for its acknowledgement.
func remoteCmd(r remote, gen int, sets []pendingSet, ctl []ctlReq) tea.Cmd {
	return func() tea.Msg {
		msg := remoteDoneMsg{gen: gen}
		note := func(ack runfolder.Ack, err error, what string) {
			switch {
			case errors.Is(err, runfolder.ErrEnded):
				msg.ended = err
			case errors.Is(err, runfolder.ErrNoAck):
				msg.failed = true
				msg.answers = append(msg.answers, what+": "+err.Error())
			case err != nil:
				msg.failed = true
				msg.answers = append(msg.answers, what+": "+err.Error())
			default:
				msg.answers = append(msg.answers, "run: "+ack.Message)
			}
		}
		for _, ps := range sets {
			ack, err := r.Request(runfolder.ActSet, ps.p.Key, ps.v)
			note(ack, err, fmt.Sprintf("%s → %s", ps.p.Symbol, fmtNum(ps.v)))
			if msg.ended != nil {
				return msg
			}
		}
		for _, c := range ctl {
			ack, err := r.Request(c.action, "", 0)
			note(ack, err, c.action)
			if msg.ended != nil {
				return msg
			}
		}
		return msg
	}
}

// kickRemote starts the next engine command of an attached run: queued
// requests first, else a wait for the next state (which is also how the
// screen follows the run while it is paused by someone else).
func (m *model) kickRemote() tea.Cmd {
	if m.inflight {
		return nil
	}
	if m.pendingLoad != nil { // the run continues in a new process: install it again
		req := *m.pendingLoad
		m.pendingLoad = nil
		m.inflight, m.loading = true, true
		m.seq++
		return m.d.guard(loadCmd(m.d, req, m.seq))
	}
	if m.remoteEnded {
		// Keep looking: a requeued or resumed run continues in the folder.
		m.pending, m.ctl, m.pendingSave = m.pending[:0], m.ctl[:0], false
		m.inflight = true
		return m.d.guard(stepCmd(m.eng, m.gen, 1, extrasJob{}))
	}
	if m.pendingSave {
		m.pendingSave = false
		m.ctl = append(m.ctl, ctlReq{action: runfolder.ActSnapshot, what: "snapshot"})
	}
	if len(m.pending) > 0 || len(m.ctl) > 0 {
		sets := append([]pendingSet(nil), m.pending...)
		ctl := append([]ctlReq(nil), m.ctl...)
		m.ctl = m.ctl[:0]
		m.inflight = true
		var what []string
		for _, ps := range sets {
			what = append(what, fmt.Sprintf("%s → %s", ps.p.Symbol, fmtNum(ps.v)))
		}
		for _, c := range ctl {
			what = append(what, c.what)
		}
		m.setStatus(statusInfo, "asking the run: "+strings.Join(what, ", ")+" (applied at its next step boundary)…")
		return m.d.guard(remoteCmd(m.remote, m.gen, sets, ctl))
	}
	job := m.extrasFor(true)
	m.inflight = true
	return m.d.guard(stepCmd(m.eng, m.gen, 1, job))
}

// onRemoteDone shows the answers and reads the state they came with.
func (m *model) onRemoteDone(msg remoteDoneMsg) tea.Cmd {
	if msg.gen != m.gen {
		return nil
	}
	m.inflight = false
	m.pending = m.pending[:0]
	m.readEngine()
	m.followRemote()
	switch {
	case msg.ended != nil:
		m.endRemote(msg.ended)
	case len(msg.answers) > 0:
		k := statusInfo
		if msg.failed {
			k = statusWarn
		}
		m.setStatus(k, strings.Join(msg.answers, "; "))
	}
	cmd := m.kick()
	m.redrawAll()
	return cmd
}

// followRemote takes the run's state (running, paused, rate) as the
// screen's.
func (m *model) followRemote() {
	in := m.remote.Info()
	m.running = in.State == runfolder.StateRunning
	m.rate = in.Rate
	m.remoteInfo = in
}

// endRemote marks a run that ended; the screen keeps its last state and
// follows the run again if a new process continues it in the folder.
func (m *model) endRemote(err error) {
	if m.remoteEnded {
		return
	}
	m.remoteEnded, m.running = true, false
	m.setStatus(statusWarn, err.Error()+" — q quits (a run continued in this folder shows here)")
}

// restartRemote reinstalls an attached run that continues in a new process
// (its problem, columns and panels may differ).
func (m *model) restartRemote(err error) tea.Cmd {
	m.remoteEnded = false
	m.requestLoad(loadReq{preset: m.remote.Dir(), ready: m.eng})
	m.setStatus(statusInfo, err.Error())
	return m.kick()
}

// remoteKey handles the keys that mean something else for an attached run;
// it reports whether it handled k.
func (m *model) remoteKey(k tea.KeyPressMsg) (bool, tea.Cmd) {
	if m.remote == nil {
		return false, nil
	}
	switch {
	case key.Matches(k, m.keys.Quit):
		return true, tea.Quit // the run goes on
	case key.Matches(k, m.keys.Restart), key.Matches(k, m.keys.Presets):
		m.setStatus(statusInfo, "attached to "+m.remote.Dir()+": r and p start local runs; quit first (the run goes on)")
		return true, nil
	case m.remoteEnded:
		return false, nil // view keys still work
	case key.Matches(k, m.keys.Pause):
		if m.running {
			m.ctl = append(m.ctl, ctlReq{action: runfolder.ActPause, what: "pause"})
		} else {
			m.ctl = append(m.ctl, ctlReq{action: runfolder.ActResume, what: "resume"})
		}
	case key.Matches(k, m.keys.Step):
		if m.running {
			m.setStatus(statusInfo, "n steps once while the run is paused (space pauses it)")
			return true, nil
		}
		m.ctl = append(m.ctl, ctlReq{action: runfolder.ActStep, what: "one step"})
	case key.Matches(k, m.keys.Stop):
		m.ask(confirmStop, "stop the run at its next step boundary (it writes checkpoint.npz)? y stops it · any other key cancels")
		return true, nil
	default:
		return false, nil
	}
	if m.inflight {
		m.setStatus(statusInfo, "asking the run after the current wait…")
	}
	cmd := m.kick()
	m.refreshHeader()
	m.refreshSide()
	return true, cmd
}
