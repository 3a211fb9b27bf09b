package tui

import (
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core/genes"
)

// Refresh rates of the slow panels. Image cells carry two colours each
// (~40 bytes in 24-bit colour), so a grid redrawn at the scatter's 30 fps
// would flood an SSH link: images are copied at most twice a second. The
// gene comparison costs ~100 ms of engine time (ComBat fits), so it runs
// at most every geneEvery and only after flow.metrics_every more steps:
// under 5% of the engine's time.
const (
	imageEvery = 500 * time.Millisecond
	geneEvery  = 2 * time.Second
)

// extrasJob is the slow work an engine command does after its steps.
type extrasJob struct {
	images []float32  // non-nil: decode the particles into it (M×h·w·c)
	genes  geneSource // non-nil: compare the merge with ComBat and co.
}

// any reports whether the job has work.
func (j extrasJob) any() bool { return j.images != nil || j.genes != nil }

// extrasOut is what an extrasJob produced, at engine step step.
type extrasOut struct {
	step     int
	images   []float32 // the job's buffer, filled; nil if none was asked for
	compared bool
	cmp      []genes.Comparison
	cmpErr   error
}

// run does the job on the idle engine (in the engine command).
func (j extrasJob) run(e engine) extrasOut {
	out := extrasOut{step: e.StepCount()}
	if j.images != nil {
		if ie, ok := e.(imageEngine); ok {
			ie.DecodedTo(j.images)
			out.images = j.images
		}
	}
	if j.genes != nil {
		out.cmp, out.cmpErr = j.genes.Compare(e.Particles())
		out.compared = true
	}
	return out
}

// prepMsg is the progress of slow preparation in the engine command
// (core.Options.Progress), sent with deps.send.
type prepMsg struct {
	seq           int // the load it belongs to
	what          string
	epoch, epochs int
}

// prepWarnMsg is a problem that did not stop a load (core.Options.Warn),
// such as a corrupted cache file that was rebuilt.
type prepWarnMsg struct {
	seq int
	err error
}

// post sends msg to the program if there is one.
func (d deps) post(msg tea.Msg) {
	if d.send != nil {
		d.send(msg)
	}
}

// clock is the time of the refresh rates.
func (m *model) clock() time.Time {
	if m.d.now != nil {
		return m.d.now()
	}
	return time.Now()
}

// extrasFor chooses the extras of the next engine command. With a step
// (stepping): images every imageEvery while running and at every step
// taken by hand; the gene comparison every geneEvery once
// flow.metrics_every more steps were taken (every step by hand). Without a
// step (catch-up when paused): whatever is older than the current step.
// Panels that are not on screen get nothing.
func (m *model) extrasFor(stepping bool) extrasJob {
	var j extrasJob
	now := m.clock()
	if m.img != nil && m.imagesShown() {
		stale := !m.img.decoded || m.img.step != m.step
		if (stepping && (!m.running || now.Sub(m.imgAt) >= imageEvery)) || (!stepping && stale) {
			j.images = m.imgSpare
			if len(j.images) != m.img.m*m.img.dim() {
				j.images = make([]float32, m.img.m*m.img.dim())
			}
			m.imgSpare = nil
			m.imgAt = now
		}
	}
	if m.geneSrc != nil && m.tableShown() {
		stale := !m.table.have || m.table.step != m.step
		every := max(m.cfg.Flow.MetricsEvery, 1)
		due := !m.running || (now.Sub(m.cmpAt) >= geneEvery && m.step-m.table.step >= every)
		if (stepping && due) || (!stepping && stale) {
			j.genes = m.geneSrc
			m.cmpAt = now
		}
	}
	return j
}

// applyExtras shows what an engine command copied or computed.
func (m *model) applyExtras(out extrasOut) {
	if out.images != nil && m.img != nil {
		m.imgSpare, m.img.particles = m.img.particles, out.images
		m.img.decoded, m.img.step = true, out.step
		m.images.setData(m.img)
		m.refreshImages()
	}
	if out.compared {
		m.table.rows, m.table.err = out.cmp, out.cmpErr
		m.table.step, m.table.have = out.step, true
		if out.cmpErr != nil {
			m.logf("gene comparison at step %d: %v", out.step, out.cmpErr)
		}
		m.refreshTable()
	}
}
