package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// maxLog bounds the message log; the oldest messages go first. A run that
// changes a parameter every second for half an hour stays within it.
const maxLog = 2000

// logEntry is one message of the log: every status message, warning, load
// phase and error, in full, with when and at which step it came.
type logEntry struct {
	at    time.Time
	step  int // −1 before any run was loaded
	kind  statusKind
	text  string
	count int // repeated consecutively this many times (≥ 1)
}

// msgLog is the message log and its view state.
type msgLog struct {
	entries []logEntry
	unread  int // warnings and errors added since the log was last open
	open    bool
	scroll  scroller
}

// add appends a message, folding an exact repeat of the last one into it.
func (l *msgLog) add(e logEntry) {
	if n := len(l.entries); n > 0 {
		last := &l.entries[n-1]
		if last.text == e.text && last.kind == e.kind {
			last.count++
			last.at, last.step = e.at, e.step
			return
		}
	}
	e.count = 1
	if len(l.entries) == maxLog {
		copy(l.entries, l.entries[1:])
		l.entries = l.entries[:maxLog-1]
	}
	l.entries = append(l.entries, e)
	if e.kind != statusInfo && !l.open {
		l.unread++
	}
}

// scroller is the first visible line of a list taller than its window,
// following the end unless the user scrolled away from it.
type scroller struct {
	top     int
	pinned  bool // the user moved away from the end
	lastLen int
}

// window returns the first line to show of total lines in h rows.
func (s *scroller) window(total, h int) int {
	s.lastLen = total
	maxTop := max(total-h, 0)
	if !s.pinned {
		s.top = maxTop
	}
	s.top = min(max(s.top, 0), maxTop)
	return s.top
}

// key moves the window for the scroll keys; it reports whether k was one.
func (s *scroller) key(k tea.KeyPressMsg, km keyMap, h int) bool {
	maxTop := max(s.lastLen-h, 0)
	switch {
	case key.Matches(k, km.ScrollUp):
		s.top--
	case key.Matches(k, km.ScrollDown):
		s.top++
	case key.Matches(k, km.PageUp):
		s.top -= max(h-1, 1)
	case key.Matches(k, km.PageDown):
		s.top += max(h-1, 1)
	case key.Matches(k, km.Home):
		s.top = 0
	case key.Matches(k, km.End):
		s.top = maxTop
	default:
		return false
	}
	s.top = min(max(s.top, 0), maxTop)
	s.pinned = s.top < maxTop
	return true
}

// logf is the debug log (tea.LogToFile), only when GPA_DEBUG is set.
func (m *model) logf(format string, a ...any) {
	if m.d.logf != nil {
		m.d.logf(format, a...)
	}
}

// note adds a message to the log without showing it on the status line.
func (m *model) note(k statusKind, s string) {
	step := -1
	if m.eng != nil {
		step = m.step
	}
	m.log.add(logEntry{at: m.clock(), step: step, kind: k, text: s})
	m.logf("%s", s)
	if m.log.open {
		m.refreshOverlay()
	}
}

// setStatus shows a message on the status line and adds it to the log.
func (m *model) setStatus(k statusKind, s string) {
	m.status, m.statusKind = s, k
	m.note(k, s)
	m.refreshStatus()
}

// toggleLog opens or closes the log over the left area.
func (m *model) toggleLog() {
	m.log.open = !m.log.open
	if m.log.open {
		m.log.unread = 0
		m.log.scroll.pinned = false
		m.showHelp, m.pickerOpen = false, false
	}
	m.refreshOverlay()
	m.refreshStatus()
	m.refreshHelpLine()
}

// logView renders the log in w×h cells: a title, then the messages,
// oldest first, each wrapped in full under its time and step.
func (m *model) logView(w, h int) string {
	st := &m.st
	title := " " + st.Title.Render("Log") + st.Muted.Render(fmt.Sprintf("  %d messages · ↑↓ pgup pgdn home end scroll · m or esc closes", len(m.log.entries)))
	lines := []string{fitLine(title, w)}
	const stampW = 17 // "15:04:05 @123456 "
	body := max(w-stampW-1, 10)
	var all []string
	for _, e := range m.log.entries {
		stamp := e.at.Format("15:04:05")
		if e.step >= 0 {
			stamp += fmt.Sprintf(" @%d", e.step)
		}
		text := e.text
		if e.count > 1 {
			text += fmt.Sprintf(" (×%d)", e.count)
		}
		style := st.Value
		switch e.kind {
		case statusWarn:
			style = st.Warn
		case statusErr:
			style = st.Bad
		}
		for i, part := range strings.Split(ansi.Wrap(text, body, " "), "\n") {
			lead := strings.Repeat(" ", stampW)
			if i == 0 {
				lead = st.Muted.Render(padRight(" "+stamp, stampW))
			}
			all = append(all, lead+style.Render(part))
		}
	}
	if len(all) == 0 {
		all = append(all, " "+st.Muted.Render("no messages yet"))
	}
	rows := max(h-1, 1)
	top := m.log.scroll.window(len(all), rows)
	lines = append(lines, all[top:min(top+rows, len(all))]...)
	return fitBlock(strings.Join(lines, "\n"), w, h)
}
