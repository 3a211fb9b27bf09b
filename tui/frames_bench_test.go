package tui

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"

	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
)

// frameRenderer turns successive views into the bytes Bubble Tea sends to
// the terminal: the cells that changed, through the same ultraviolet
// renderer and settings as its cursed renderer in the alternate screen.
type frameRenderer struct {
	buf  bytes.Buffer
	scr  *uv.TerminalRenderer
	cell uv.ScreenBuffer
}

func newFrameRenderer(w, h int, prof colorprofile.Profile) *frameRenderer {
	r := &frameRenderer{cell: uv.NewScreenBuffer(w, h)}
	r.scr = uv.NewTerminalRenderer(&r.buf, []string{"TERM=xterm-256color"})
	r.scr.SetColorProfile(prof)
	r.scr.SetTabStops(-1)
	r.scr.SetScrollOptim(true)
	r.scr.SetFullscreen(true)
	r.scr.SetRelativeCursor(false)
	r.scr.Erase()
	return r
}

// frame renders content and returns the bytes it cost.
func (r *frameRenderer) frame(content string) int {
	r.buf.Reset()
	r.cell.Clear()
	uv.NewStyledString(content).Draw(r.cell, r.cell.Bounds())
	r.scr.Render(r.cell.RenderBuffer)
	r.scr.Flush()
	return r.buf.Len()
}

// BenchmarkFrame measures what one frame of a moving run costs: the time
// to build it (redraw every panel and join the view) and the bytes the
// terminal receives for it (the cells that changed since the last frame),
// on four-well-L1 with the real engine taking 10 steps between frames (not
// timed), at 100×30 and 160×48, in 24-bit and 256 colours, with and
// without the heat-map (evaluated every 10th frame, ~1 s at 10 frames/s).
// bytes/frame × frames/s is the bandwidth: see TestBandwidth for the
// frame rate of the real program.
func BenchmarkFrame(b *testing.B) {
	cfg, err := presets.Load("four-well-L1", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, sz := range [][2]int{{100, 30}, {160, 48}} {
		for _, prof := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256} {
			for _, heat := range []bool{false, true} {
				name := fmt.Sprintf("%dx%d/%v", sz[0], sz[1], prof)
				if heat {
					name += "/heat"
				}
				b.Run(name, func(b *testing.B) {
					fd := newFakeDeps(b, 2)
					fd.newEngine = func(c experiments.Config, o experiments.Options) (engine, error) { return experiments.Build(c, o) }
					fd.paused = true
					m, _ := startedWith(b, fd, cfg, sz[0], sz[1])
					m.Update(tea.ColorProfileMsg{Profile: prof})
					if heat {
						feed(m, press(m, "h"), 1)
					}
					r := newFrameRenderer(sz[0], sz[1], prof)
					r.frame(m.View().Content)
					var build time.Duration
					var sent, frames int
					for b.Loop() {
						if _, err := m.eng.Advance(10); err != nil {
							b.Fatal(err)
						}
						m.readEngine()
						if heat && frames%10 == 0 {
							m.heat.stale = true
							if g := m.heatRequest(false, m.clock()); g != nil {
								g.run(m.eng)
								m.applyHeat(g)
							}
						}
						t0 := time.Now()
						m.redrawAll()
						content := m.View().Content
						build += time.Since(t0)
						sent += r.frame(content)
						frames++
					}
					b.ReportMetric(float64(build.Microseconds())/1e3/float64(frames), "ms/frame")
					b.ReportMetric(float64(sent)/float64(frames), "B/frame")
				})
			}
		}
	}
}
