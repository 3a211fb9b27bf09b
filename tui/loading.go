package tui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Loading: a run that takes a while to build (an image preset trains an
// autoencoder and a classifier the first time, ~1 min each) replaces the
// left area by a panel that names the new preset and shows each training
// phase with a progress bar and an estimate of the time left, so that
// nobody takes the old plot for the new run. Fast loads never show it:
// it appears after busyAfter, or at the first training progress.

// busyAfter is how long an engine command runs silently before the screen
// says it is busy (a slow step, a load): long enough that quick ones
// never flash anything.
const busyAfter = 400 * time.Millisecond

// busyMsg ticks while an engine command takes long, to update the busy
// sign and the loading panel; gen is the command's number.
type busyMsg struct{ gen int }

// loadPhase is one training phase of a load.
type loadPhase struct {
	what          string
	epoch, epochs int
	start, last   time.Time
}

// loadState is the load in flight, for the loading panel.
type loadState struct {
	name, desc string
	start      time.Time
	done       []loadPhase
	cur        *loadPhase
	shown      bool
	view       string
}

// begin starts describing a load.
func (l *loadState) begin(req loadReq, now time.Time) {
	*l = loadState{name: req.String(), start: now}
	if req.cfg != nil {
		l.desc = req.cfg.Description
	}
}

// progress records a training epoch.
func (l *loadState) progress(what string, epoch, epochs int, now time.Time) {
	if l.cur != nil && l.cur.what != what {
		l.done = append(l.done, *l.cur)
		l.cur = nil
	}
	if l.cur == nil {
		l.cur = &loadPhase{what: what, epochs: epochs, start: now}
	}
	l.cur.epoch, l.cur.epochs, l.cur.last = epoch, epochs, now
	l.shown = true
}

// eta estimates the time left of a phase from its epochs so far.
func (p *loadPhase) eta() time.Duration {
	if p.epoch < 1 || p.epochs <= p.epoch {
		return 0
	}
	per := p.last.Sub(p.start) / time.Duration(p.epoch)
	return per * time.Duration(p.epochs-p.epoch)
}

// bar draws a progress bar of w cells for done of total.
func bar(done, total, w int) string {
	if total < 1 || w < 1 {
		return ""
	}
	f := min(done*w/total, w)
	return strings.Repeat("█", f) + strings.Repeat("░", w-f)
}

// round writes a duration to the second ("1m20s").
func round(d time.Duration) string { return d.Round(time.Second).String() }

// render draws the loading panel in w×h cells.
func (l *loadState) render(st *Styles, w, h int, now time.Time, next string) {
	lines := []string{"", " " + st.Paused.Render("Loading ") + st.Value.Render(l.name)}
	if l.desc != "" {
		lines = append(lines, " "+st.Muted.Render(l.desc))
	}
	lines = append(lines, "", " "+st.Muted.Render(fmt.Sprintf("%s so far; the run starts when it is built", round(now.Sub(l.start)))), "")
	for _, p := range l.done {
		lines = append(lines, " "+st.OK.Render("✓ ")+st.Value.Render(p.what)+st.Muted.Render(fmt.Sprintf("  %d epochs in %s", p.epochs, round(p.last.Sub(p.start)))))
	}
	if p := l.cur; p != nil {
		bw := min(max(w-40, 10), 40)
		eta := "estimating…"
		if d := p.eta(); d > 0 {
			eta = "about " + round(d) + " left"
		} else if p.epoch >= p.epochs {
			eta = "done"
		}
		lines = append(lines,
			" "+st.Title.Render("▸ ")+st.Value.Render("training "+p.what)+st.Muted.Render(" (once; cached for next time)"),
			"   "+st.Spark.Render(bar(p.epoch, p.epochs, bw))+st.Value.Render(fmt.Sprintf(" epoch %d/%d", p.epoch, p.epochs))+st.Muted.Render(" · "+eta))
	}
	if next != "" {
		lines = append(lines, "", " "+st.Muted.Render(next))
	}
	lines = append(lines, "", " "+st.Muted.Render("p, r, m (log), ? and q work meanwhile; the flow keys wait for the run"))
	for i, s := range lines {
		lines[i] = ansi.Truncate(s, w, "…")
	}
	l.view = fitBlock(strings.Join(lines, "\n"), w, h)
}

// nextPhase says what may still be trained after the current phase of an
// image run ("" if nothing): the classifier of the image metrics comes
// after a latent run's autoencoder.
func (l *loadState) nextPhase() string {
	if l.cur != nil && strings.HasPrefix(l.cur.what, "autoencoder") {
		return "next, for MNIST and Fashion-MNIST: the classifier of the image metrics (≈1 min the first time)"
	}
	return ""
}

// refreshLoading renders the loading panel.
func (m *model) refreshLoading() {
	if m.w == 0 || m.reg.TooSmall || !m.loading {
		return
	}
	m.load.render(&m.st, m.reg.PlotW, m.reg.PlotH, m.clock(), m.load.nextPhase())
}

// busyTick schedules the next busy sign update of command gen.
func busyTick(gen int, after time.Duration) tea.Cmd {
	return tea.Tick(after, func(time.Time) tea.Msg { return busyMsg{gen} })
}

// onBusy shows that the command in flight is still running: the loading
// panel, or the busy sign of a slow step, and ticks again.
func (m *model) onBusy(msg busyMsg) tea.Cmd {
	if msg.gen != m.cmdGen || !m.inflight {
		return nil
	}
	m.busy = true
	if m.loading {
		m.load.shown = true
		m.refreshLoading()
	}
	m.refreshHeader()
	return busyTick(msg.gen, time.Second)
}
