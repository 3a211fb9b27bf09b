package tui

import (
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
)

// Refresh rates of the slow panels. Image cells carry two colours each
// (~40 bytes in 24-bit colour), so a grid redrawn at the scatter's 30 fps
// would flood an SSH link: images are copied at most twice a second. A
// problem's table may cost ~100 ms of engine time (the gene comparison
// fits ComBat), so it runs at most every tableEvery and only after
// flow.metrics_every more steps: under 5% of the engine's time.
const (
	imageEvery = 500 * time.Millisecond
	tableEvery = 2 * time.Second
)

// extrasJob is the slow work an engine command does after its steps.
type extrasJob struct {
	images []float32  // non-nil: decode the particles into it (M×h·w·c)
	table  core.Table // non-nil: compute the problem's table
	heat   *heatGrid  // non-nil: evaluate φ on the heat-map's grid
}

// any reports whether the job has work.
func (j extrasJob) any() bool { return j.images != nil || j.table != nil || j.heat != nil }

// extrasOut is what an extrasJob produced, at engine step step.
type extrasOut struct {
	step     int
	images   []float32 // the job's buffer, filled; nil if none was asked for
	computed bool      // the table was computed
	table    core.TableData
	tableErr error
	heat     *heatGrid // the evaluated grid, or nil
}

// run does the job on the idle engine (in the engine command).
func (j extrasJob) run(e engine) extrasOut {
	out := extrasOut{step: e.StepCount()}
	if j.images != nil {
		e.DecodedTo(j.images)
		out.images = j.images
	}
	if j.table != nil {
		out.table, out.tableErr = j.table.Compute(e.Particles())
		out.computed = true
	}
	if j.heat != nil {
		j.heat.run(e)
		out.heat = j.heat
	}
	return out
}

// prepMsg is the progress of slow preparation in the engine command
// (experiments.Options.Progress), sent with deps.send.
type prepMsg struct {
	seq           int // the load it belongs to
	what          string
	epoch, epochs int
}

// prepWarnMsg is a problem that did not stop a load (experiments.Options.Warn),
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
	j.heat = m.heatRequest(stepping, now)
	if m.tableSrc != nil && m.tableShown() {
		stale := !m.table.have || m.table.step != m.step
		every := max(m.cfg.Flow.MetricsEvery, 1)
		due := !m.running || (now.Sub(m.tableAt) >= tableEvery && m.step-m.table.step >= every)
		if (stepping && due) || (!stepping && stale) {
			j.table = m.tableSrc
			m.tableAt = now
		}
	}
	return j
}

// applyExtras keeps what an engine command copied or computed, and shows
// it if draw (else the next frame does).
func (m *model) applyExtras(out extrasOut, draw bool) {
	if out.images != nil && m.img != nil {
		m.imgSpare, m.img.particles = m.img.particles, out.images
		m.img.decoded, m.img.step = true, out.step
		m.images.setData(m.img)
		if draw {
			m.refreshImages()
		}
	}
	if out.computed {
		m.table.data, m.table.err = out.table, out.tableErr
		m.table.step, m.table.have = out.step, true
		if out.tableErr != nil {
			m.note(statusWarn, fmt.Sprintf("%s at step %d: %v", m.table.title, out.step, out.tableErr))
		}
		if draw {
			m.refreshTable()
		}
	}
	if out.heat != nil {
		m.applyHeat(out.heat)
		if draw {
			m.refreshPlot()
		}
	}
}
