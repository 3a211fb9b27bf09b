package tui

import (
	"os"
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	tea "charm.land/bubbletea/v2"
)

// Frame pacing. Bubble Tea sends a frame (the cells that changed since the
// last one) at its render tick whenever the view changed; while a run
// moves, the workbench changes its view at most every pacer.every, which
// the bandwidth budget sets from the bytes the frames really cost: an SSH
// link must not be flooded by a scatter redrawn 30 times a second (issue
// #13 measured 133 KB/s at 160×48 in 24-bit colour).
const (
	// DefaultFPS is the highest frame rate (--fps).
	DefaultFPS = 30
	// DefaultBandwidth is the budget in bytes per second (--bandwidth, in
	// KB/s on the command line): 60 KB/s, well inside a 1 Mbit/s link
	// (125 KB/s) shared with the user's other sessions.
	DefaultBandwidth = 60e3
	// slowestFrame bounds the interval when a frame is very costly: the
	// screen still moves twice a second.
	slowestFrame = 500 * time.Millisecond
)

// pacer decides when the next frame of a moving run may be drawn.
type pacer struct {
	fpsCap int           // Bubble Tea's render rate (--fps), the ceiling
	fps    int           // highest frame rate (:fps lowers it)
	budget float64       // bytes per second; 0: no budget
	every  time.Duration // current interval between frames
	last   time.Time     // when the last frame was drawn

	// The bytes sent to the terminal (deps.sent) at the last measurement,
	// the frames drawn since, and the smoothed bytes per frame.
	sentAt int64
	frames int
	bpf    float64
}

func newPacer(fps int, budget float64) pacer {
	fps = min(max(fps, 1), 120) // Bubble Tea renders at most 120 frames/s
	return pacer{fpsCap: fps, fps: fps, budget: max(budget, 0), every: time.Second / time.Duration(fps)}
}

// setFPS changes the highest frame rate (at most fpsCap).
func (p *pacer) setFPS(fps int) {
	p.fps = min(max(fps, 1), p.fpsCap)
	p.every = max(p.every, time.Second/time.Duration(p.fps))
	if p.bpf == 0 || p.budget <= 0 {
		p.every = time.Second / time.Duration(p.fps)
	}
}

// due reports whether a frame may be drawn at now.
func (p *pacer) due(now time.Time) bool { return now.Sub(p.last) >= p.every }

// drawn records a frame drawn at now; sent is the total of bytes the
// terminal has received (−1: unknown, as in tests). Every half second the
// bytes since the last measurement over the frames since give a new
// bytes-per-frame sample (a frame's bytes are written at the render tick
// after it is drawn, so a sample lags by at most one frame), smoothed
// over ~3 samples, and the interval becomes the larger of 1/fps and
// bytes-per-frame / budget.
func (p *pacer) drawn(now time.Time, sent int64) {
	p.last = now
	p.frames++
	if sent < 0 || p.budget <= 0 {
		return
	}
	if p.sentAt == 0 {
		p.sentAt, p.frames = sent, 0
		return
	}
	if p.frames < 4 || sent-p.sentAt <= 0 {
		return
	}
	sample := float64(sent-p.sentAt) / float64(p.frames)
	if p.bpf == 0 {
		p.bpf = sample
	} else {
		p.bpf = 0.7*p.bpf + 0.3*sample
	}
	p.sentAt, p.frames = sent, 0
	every := time.Duration(p.bpf / p.budget * float64(time.Second))
	p.every = min(max(every, time.Second/time.Duration(p.fps)), slowestFrame)
}

// meteredFile counts the bytes written to the terminal (Bubble Tea writes
// every frame through it); it is still the terminal for Bubble Tea (Fd).
type meteredFile struct {
	*os.File
	n atomic.Int64
}

func (f *meteredFile) Write(b []byte) (int, error) {
	n, err := f.File.Write(b)
	f.n.Add(int64(n))
	return n, err
}

// Idle renderer. Bubble Tea v2.1 runs its render ticker at the frame rate
// for the program's whole life, even when nothing changes: 30 wakeups a
// second cost 0.4–0.6 % of a core on a shared VM while the workbench sits
// paused (measured with /proc/PID/stat; a bare Go ticker at 30 Hz costs
// the same). Upstream proposals make the ticker stop when idle
// (charmbracelet/bubbletea#1776, #1796) but are not released, so the
// workbench stops the ticker itself once it has been idle for idleAfter
// (paused, no command in flight, nothing typed) and restarts it at the
// next message, before that message's frame is drawn. It reaches the
// ticker through reflection on the pinned version's unexported field
// (TestRenderTickerFound fails if an upgrade renames it); without it the
// workbench just keeps ticking.
const idleAfter = 300 * time.Millisecond

// renderTicker is Bubble Tea's render ticker of p, or nil. It must be
// called on the program's event loop (Update), after the renderer
// started: the field is written before the loop starts.
func renderTicker(p *tea.Program) *time.Ticker {
	if p == nil {
		return nil
	}
	f := reflect.ValueOf(p).Elem().FieldByName("ticker")
	if !f.IsValid() || f.Type() != reflect.TypeOf((*time.Ticker)(nil)) {
		return nil
	}
	return *(**time.Ticker)(unsafe.Pointer(f.UnsafeAddr()))
}

// idleMsg says the workbench may have been idle for idleAfter; seq tells
// whether anything happened since.
type idleMsg struct{ seq int }

// renderClock starts and stops Bubble Tea's render ticker.
type renderClock struct {
	program func() *tea.Program // nil: no program (tests)
	ticker  *time.Ticker
	stopped bool
	seq     int // messages seen
}

// wake restarts the ticker (a message may change the view).
func (c *renderClock) wake(every time.Duration) {
	c.seq++
	if c.stopped && c.ticker != nil {
		c.ticker.Reset(every)
		c.stopped = false
	}
}

// sleep stops the ticker if no message came since seq.
func (c *renderClock) sleep(seq int) {
	if seq != c.seq || c.stopped {
		return
	}
	if c.ticker == nil && c.program != nil {
		c.ticker = renderTicker(c.program())
	}
	if c.ticker != nil {
		c.ticker.Stop()
		c.stopped = true
	}
}

// idle reports whether the workbench has nothing to draw by itself: no
// run moving, no command in flight, no text being typed.
func (m *model) idle() bool {
	return !m.running && !m.stepOnce && !m.inflight && !m.loading && m.pendingLoad == nil && !m.cmd.open
}

// afterUpdate runs after every message: it keeps the render ticker going
// while the workbench is busy and schedules its stop once idle.
func (m *model) afterUpdate(msg tea.Msg, cmd tea.Cmd) tea.Cmd {
	if im, ok := msg.(idleMsg); ok {
		if m.idle() {
			m.clk.sleep(im.seq)
		}
		return cmd
	}
	m.clk.wake(time.Second / time.Duration(m.pace.fpsCap))
	if m.clk.program == nil {
		return cmd // tests: no timers
	}
	if m.inflight && m.slowGen == m.cmdGen && m.tickGen != m.cmdGen {
		m.tickGen = m.cmdGen
		cmd = tea.Batch(cmd, busyTick(m.cmdGen, busyAfter))
	}
	if !m.idle() {
		return cmd
	}
	seq := m.clk.seq
	return tea.Batch(cmd, tea.Tick(idleAfter, func(time.Time) tea.Msg { return idleMsg{seq} }))
}
