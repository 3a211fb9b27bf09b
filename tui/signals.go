package tui

import (
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"

	tea "charm.land/bubbletea/v2"
)

// quitSignals are the signals on which the workbench saves and quits: a
// dropped SSH connection (SIGHUP), kill and batch systems (SIGTERM), and
// SIGINT from outside the key handler (ctrl+c at the keyboard is a key).
var quitSignals = []os.Signal{syscall.SIGHUP, syscall.SIGTERM, syscall.SIGINT}

// signalMsg delivers a quit signal to the program.
type signalMsg struct{ sig os.Signal }

// signalName is "SIGHUP" for syscall.SIGHUP.
func signalName(s os.Signal) string {
	switch s {
	case syscall.SIGHUP:
		return "SIGHUP"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGINT:
		return "SIGINT"
	}
	return s.String()
}

// onSignal saves a local run with unsaved progress and quits (after the
// engine command in flight); an attached viewer just detaches.
func (m *model) onSignal(msg signalMsg) tea.Cmd {
	name := signalName(msg.sig)
	switch {
	case m.remote != nil:
		m.exitMsg = fmt.Sprintf("%s received: detached from %s; the run goes on", name, m.remote.Dir())
		return tea.Quit
	case m.quitAfterSave:
		return nil // saving already
	case !m.unsaved() || m.d.save == nil:
		m.exitMsg = name + " received: nothing unsaved"
		return tea.Quit
	}
	m.quitReason = name
	m.running, m.confirm, m.question = false, confirmNone, ""
	m.pendingSave, m.quitAfterSave = true, true
	m.setStatus(statusWarn, name+" received: saving, then quitting…")
	return m.kick()
}

// signalWatch catches the quit signals from before anything slow starts.
// Until the program runs, a signal ends the process at once (nothing is
// unsaved yet; cleanup runs first); then signals go to the program.
type signalWatch struct {
	ch      chan os.Signal
	mu      sync.Mutex
	to      func(os.Signal)
	got     os.Signal
	cleanup func()
	done    chan struct{}
}

func watchSignals(cleanup func()) *signalWatch {
	w := &signalWatch{ch: make(chan os.Signal, 4), cleanup: cleanup, done: make(chan struct{})}
	signal.Notify(w.ch, quitSignals...)
	go func() {
		for {
			select {
			case <-w.done:
				return
			case s := <-w.ch:
				w.mu.Lock()
				if w.got == nil {
					w.got = s
				}
				to := w.to
				w.mu.Unlock()
				if to == nil {
					if w.cleanup != nil {
						w.cleanup()
					}
					fmt.Fprintf(os.Stderr, "\ngpa-tui: %s received before the workbench opened: nothing to save\n", signalName(s))
					os.Exit(128 + int(s.(syscall.Signal)))
				}
				to(s)
			}
		}
	}()
	return w
}

// deliver sends later signals to f.
func (w *signalWatch) deliver(f func(os.Signal)) {
	w.mu.Lock()
	w.to = f
	w.mu.Unlock()
}

// first is the first signal received, or nil.
func (w *signalWatch) first() os.Signal {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.got
}

func (w *signalWatch) stop() {
	signal.Stop(w.ch)
	close(w.done)
}
