package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
)

// progress reports a headless run on stderr: on a terminal a one-line bar
// redrawn at most ten times a second, with the rate and the ETA; otherwise
// (a batch log) one line every `every`, with the time, the step, the rate,
// the ETA and the latest D̂ and MMD².
type progress struct {
	w          io.Writer
	tty, quiet bool
	every      time.Duration
	start, end int
	t0, last   time.Time
	infos      []core.MetricInfo
	shown      []int     // the columns in a line: the method's first metric, MMD², observers' sparklines
	latest     []float64 // their latest measured values
	step       int
	// The rate is measured over a window of recent samples, restarted
	// after a pause.
	win []sample
	bar bool // a bar is on the terminal line
}

type sample struct {
	t    time.Time
	step int
}

// rateWindow is the span the steps/s figure is measured over.
const rateWindow = 30 * time.Second

func newProgress(w io.Writer, quiet bool, every time.Duration, start, end int, infos []core.MetricInfo) *progress {
	p := &progress{w: w, tty: isTerminal(w), quiet: quiet, every: every, start: start, end: end, t0: time.Now(), last: time.Now(), infos: infos, step: start}
	// The method's first metric (D̂), MMD², and the problem's observers
	// shown as sparklines (they follow MMD² in a Sim's columns).
	afterMMD := false
	for i, mi := range infos {
		if i == 0 || mi.Name == "mmd2" || (afterMMD && mi.Show == core.ShowSpark) {
			p.shown = append(p.shown, i)
		}
		afterMMD = afterMMD || mi.Name == "mmd2"
	}
	p.latest = make([]float64, len(p.shown))
	for i := range p.latest {
		p.latest[i] = math.NaN()
	}
	p.win = []sample{{time.Now(), start}}
	return p
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// update records a finished step and redraws or prints when due.
func (p *progress) update(mt core.Record) {
	p.step = mt.Step
	for k, i := range p.shown {
		if i < len(mt.Values) && !math.IsNaN(mt.Values[i]) {
			p.latest[k] = mt.Values[i]
		}
	}
	now := time.Now()
	if len(p.win) == 0 || now.Sub(p.win[len(p.win)-1].t) >= time.Second {
		p.win = append(p.win, sample{now, mt.Step})
		for len(p.win) > 2 && now.Sub(p.win[1].t) > rateWindow {
			p.win = p.win[1:]
		}
	}
	if p.quiet {
		return
	}
	if p.tty {
		if now.Sub(p.last) >= 100*time.Millisecond || mt.Step == p.end {
			p.last = now
			p.drawBar()
		}
		return
	}
	if p.every > 0 && now.Sub(p.last) >= p.every {
		p.last = now
		fmt.Fprintf(p.w, "%s %s\n", now.Format("15:04:05"), p.text())
	}
}

// rate is the steps per second over the recent window (0 before a second
// has passed).
func (p *progress) rate() float64 {
	if len(p.win) == 0 {
		return 0
	}
	a := p.win[0]
	dt := time.Since(a.t).Seconds()
	if dt < 0.5 {
		return 0
	}
	return float64(p.step-a.step) / dt
}

// pause restarts the rate window (time spent paused is not a slow rate).
func (p *progress) pause() { p.win = []sample{{time.Now(), p.step}} }

// eta is the time left at the current rate.
func (p *progress) eta() string {
	r := p.rate()
	if r <= 0 || p.end <= p.step {
		return "–"
	}
	return fmtDuration(time.Duration(float64(p.end-p.step) / r * float64(time.Second)))
}

// text is the progress without the bar: step, share, rate, ETA, metrics.
func (p *progress) text() string {
	var b strings.Builder
	frac := float64(p.step) / float64(max(p.end, 1))
	rate := "–" // not measured yet: under half a second since the start or a pause
	if r := p.rate(); r > 0 {
		rate = fmt.Sprintf("%.3g", r)
	}
	fmt.Fprintf(&b, "step %d/%d (%.0f%%)  %s steps/s  ETA %s", p.step, p.end, 100*frac, rate, p.eta())
	for k, i := range p.shown {
		if v := p.latest[k]; !math.IsNaN(v) {
			fmt.Fprintf(&b, "  %s %.4g", p.infos[i].Symbol, v)
		}
	}
	return b.String()
}

func (p *progress) drawBar() {
	frac := float64(p.step) / float64(max(p.end, 1))
	const width = 24
	filled := int(frac * width)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", width-filled)
	fmt.Fprintf(p.w, "\r%s %s\x1b[K", bar, p.text())
	p.bar = true
}

// line prints a message on its own line (a terminal's bar is redrawn at
// the next update).
func (p *progress) line(s string) {
	if p.quiet {
		return
	}
	p.clear()
	if p.tty {
		fmt.Fprintf(p.w, "gpa-tui: %s\n", s)
		return
	}
	fmt.Fprintf(p.w, "%s %s\n", time.Now().Format("15:04:05"), s)
}

// warn prints a warning on its own line, also when quiet.
func (p *progress) warn(err error) {
	p.clear()
	fmt.Fprintf(p.w, "gpa-tui: warning: %v\n", err)
}

func (p *progress) clear() {
	if p.tty && p.bar {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.bar = false
	}
}

// done erases the bar; without a terminal it prints the last line.
func (p *progress) done() {
	if p.quiet {
		return
	}
	if p.tty {
		p.clear()
		return
	}
	if p.every > 0 && p.step > p.start {
		fmt.Fprintf(p.w, "%s %s\n", time.Now().Format("15:04:05"), p.text())
	}
}

// fmtDuration writes 1h02m, 3m05s or 42s.
func fmtDuration(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	switch {
	case s >= 3600:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	case s >= 60:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}
