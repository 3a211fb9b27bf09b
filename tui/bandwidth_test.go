package tui

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
)

// countWriter counts the bytes and the writes (one per rendered frame) the
// renderer sends to the terminal.
type countWriter struct {
	mu            sync.Mutex
	bytes, writes int
}

func (c *countWriter) Write(b []byte) (int, error) {
	c.mu.Lock()
	c.bytes += len(b)
	if len(b) > 0 {
		c.writes++
	}
	c.mu.Unlock()
	return len(b), nil
}

func (c *countWriter) read() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes, c.writes
}

// TestBandwidth runs the real workbench (the real engine on a preset) in a
// Bubble Tea program whose output is counted, at 100×30 and 160×48 in
// 24-bit and 256 colours, and logs bytes per second and frames per second
// over GPA_BANDWIDTH seconds after a 2 s warm-up. It is a measurement, not
// a check: run it with GPA_BANDWIDTH=10 go test ./tui -run Bandwidth -v.
func TestBandwidth(t *testing.T) {
	secs, _ := strconv.Atoi(os.Getenv("GPA_BANDWIDTH"))
	if secs <= 0 {
		t.Skip("set GPA_BANDWIDTH=seconds to measure")
	}
	preset := os.Getenv("GPA_BANDWIDTH_PRESET")
	if preset == "" {
		preset = "four-well-L1"
	}
	for _, sz := range [][2]int{{100, 30}, {160, 48}} {
		for _, prof := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256} {
			// A long run: the measurement must not see it end.
			d, first, err := setup(Options{Preset: preset, Sets: []string{"flow.steps=10000000"}})
			if err != nil {
				t.Fatal(err)
			}
			if first, err = prebuild(d, first, os.Stderr); err != nil {
				t.Fatal(err)
			}
			w := &countWriter{}
			var prog atomic.Pointer[tea.Program]
			d.program = prog.Load
			d.sent = func() int64 { b, _ := w.read(); return int64(b) }
			if os.Getenv("GPA_BANDWIDTH_OFF") != "" {
				d.bandwidth = 0
			}
			d.fps = DefaultFPS
			p := tea.NewProgram(newModel(d, first), tea.WithFPS(DefaultFPS), tea.WithoutSignalHandler(),
				tea.WithInput(nil), tea.WithOutput(w), tea.WithWindowSize(sz[0], sz[1]), tea.WithColorProfile(prof))
			prog.Store(p)
			if os.Getenv("GPA_BANDWIDTH_HEAT") != "" {
				go func() { time.Sleep(500 * time.Millisecond); p.Send(tea.KeyPressMsg{Code: 'h', Text: "h"}) }()
			}
			done := make(chan struct{})
			var fm tea.Model
			go func() { fm, _ = p.Run(); close(done) }()
			time.Sleep(2 * time.Second)
			b0, f0 := w.read()
			time.Sleep(time.Duration(secs) * time.Second)
			b1, f1 := w.read()
			p.Quit()
			<-done
			bps := float64(b1-b0) / float64(secs)
			fpsv := float64(f1-f0) / float64(secs)
			t.Logf("%s %d×%d %-9v %7.1f KB/s %5.1f frames/s %6.0f B/frame", preset, sz[0], sz[1], prof, bps/1000, fpsv, bps/max(fpsv, 1e-9))
			if mm, ok := fm.(*model); ok {
				t.Logf("  pacer: every %v, %.0f B/frame estimated, step %d, rate %.0f steps/s", mm.pace.every, mm.pace.bpf, mm.step, mm.rate)
			}
			fmt.Fprintln(os.Stderr)
		}
	}
}
