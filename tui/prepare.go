package tui

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gpa-tui/gpa-tui/experiments"
)

// prepText describes training progress (experiments.Options.Progress) for the
// status line and the terminal.
func prepText(what string, epoch, epochs int) string {
	return fmt.Sprintf("training %s (once; cached for next time): epoch %d/%d", what, epoch, epochs)
}

// prepNoteAfter is how long preparation runs silently before the terminal
// says what is happening: long enough that fast presets print nothing.
const prepNoteAfter = 300 * time.Millisecond

// lineProgress prints the preparation before the screen opens on one line
// of w, rewritten with "\r" (and cleared with EL, "\x1b[K"). Training and
// warnings may come from another goroutine than the note timer.
type lineProgress struct {
	mu     sync.Mutex
	w      io.Writer
	open   bool // a line without its newline is on the terminal
	note   bool // that line is the "preparing" note
	closed bool // done was called: the screen may be open
}

// say rewrites the current line.
func (p *lineProgress) say(s string, note bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	fmt.Fprintf(p.w, "\r%s\x1b[K", s)
	p.open, p.note = true, note
}

// progress is experiments.Options.Progress: the last epoch ends the line.
func (p *lineProgress) progress(what string, epoch, epochs int) {
	p.say("gpa-tui: "+prepText(what, epoch, epochs), false)
	if epoch >= epochs {
		p.endLine()
	}
}

// warn is experiments.Options.Warn.
func (p *lineProgress) warn(err error) {
	p.endLine()
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		fmt.Fprintf(p.w, "gpa-tui: warning: %v\n", err)
	}
}

// endLine finishes an open line.
func (p *lineProgress) endLine() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open {
		fmt.Fprintln(p.w)
		p.open, p.note = false, false
	}
}

// done erases a "preparing" note (the screen opens next) and ends any
// other open line.
func (p *lineProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.note:
		fmt.Fprint(p.w, "\r\x1b[K")
	case p.open:
		fmt.Fprintln(p.w)
	}
	p.open, p.note, p.closed = false, false, true
}

// prebuild builds the first engine before the screen opens, printing the
// progress of slow preparation (the first run of an image preset trains an
// autoencoder and a classifier, ~1 min) and its warnings to w, where they
// cannot corrupt the screen. A failure is returned, as for a preset that
// does not parse.
func prebuild(d deps, req loadReq, w io.Writer) (loadReq, error) {
	p := &lineProgress{w: w}
	opts := experiments.Options{Progress: p.progress, Warn: p.warn}
	name := req.String()
	timer := time.AfterFunc(prepNoteAfter, func() { p.say("gpa-tui: preparing "+name+"…", true) })
	var (
		e   engine
		err error
	)
	switch {
	case req.snapshot != "":
		e, err = d.loadSnap(req.snapshot, opts)
	case req.cfg != nil:
		e, err = d.newEngine(*req.cfg, opts)
	default:
		return req, nil // a preset name: loaded in the app
	}
	timer.Stop()
	p.done()
	if err != nil {
		return req, fmt.Errorf("%s: %w", name, err)
	}
	req.ready = e
	return req, nil
}
