package tui

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenModel is the fake four-well run after 15 steps (four commands),
// paused, at w×h.
func goldenModel(t testing.TB, w, h int) *model {
	fd := newFakeDeps(t, 2)
	m, cmd := started(t, fd, w, h)
	cmd = feed(m, cmd, 3)
	press(m, "space")
	if feed(m, cmd, 1) != nil {
		t.Fatal("still running after pause")
	}
	return m
}

func TestGoldenViews(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}, {40, 12}} {
		name := fmt.Sprintf("view-%dx%d", sz[0], sz[1])
		t.Run(name, func(t *testing.T) {
			checkGolden(t, name, screen(goldenModel(t, sz[0], sz[1])))
		})
	}
}

// TestGoldenLogAndHeatViews: the message log open, and the heat-map of φ
// under the scatter, at 80×24 and 160×48.
func TestGoldenLogAndHeatViews(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {160, 48}} {
		for _, what := range []string{"log", "heat"} {
			name := fmt.Sprintf("view-%s-%dx%d", what, sz[0], sz[1])
			t.Run(name, func(t *testing.T) {
				m := goldenModel(t, sz[0], sz[1])
				switch what {
				case "log":
					press(m, "L") // a change, in the log and the changes list
					feed(m, m.kick(), 1)
					m.setStatus(statusWarn, "a warning long enough to need the log: "+strings.Repeat("every word of it kept in full, ", 4)+"then the end")
					press(m, "m")
				case "heat":
					feed(m, press(m, "h"), 1) // the evaluation, in the engine command
				}
				checkGolden(t, name, screen(m))
			})
		}
	}
}

// checkGolden compares got with testdata/name.golden (-update rewrites it).
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("view differs from %s (go test -update rewrites it):\n got:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestViewFits checks that the view has exactly h lines, none wider than
// w, at many sizes, with every overlay, in colour and without, for plain,
// image and gene runs.
func TestViewFits(t *testing.T) {
	sizes := [][2]int{{20, 5}, {40, 12}, {79, 24}, {80, 23}, {80, 24}, {81, 25}, {100, 30}, {120, 40}, {160, 48}, {200, 60}, {97, 33}}
	runs := []struct {
		name  string
		model func(w, h int) *model
	}{
		{"plain", func(w, h int) *model { return goldenModel(t, w, h) }},
		{"images", func(w, h int) *model { return goldenImageModel(t, w, h) }},
		{"genes", func(w, h int) *model { return goldenGeneModel(t, w, h) }},
	}
	for _, run := range runs {
		for _, overlay := range []string{"", "?", "p", "i", "g", "h", "m", ":", "1"} {
			for _, sz := range sizes {
				w, h := sz[0], sz[1]
				m := run.model(w, h)
				if overlay != "" {
					feed(m, press(m, overlay), 1) // the picker's listing, the heat-map's evaluation
				}
				for _, prof := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ASCII} {
					m.Update(tea.ColorProfileMsg{Profile: prof})
					lines := strings.Split(m.View().Content, "\n")
					if len(lines) != h {
						t.Errorf("%s %d×%d %q %v: %d lines", run.name, w, h, overlay, prof, len(lines))
					}
					for i, l := range lines {
						if lw := ansi.StringWidth(l); lw > w {
							t.Errorf("%s %d×%d %q %v: line %d is %d wide: %q", run.name, w, h, overlay, prof, i, lw, ansi.Strip(l))
						}
					}
				}
			}
		}
	}
}

func TestTooSmall(t *testing.T) {
	m := goldenModel(t, 60, 20)
	if s := screen(m); !strings.Contains(s, "at least") || !strings.Contains(s, "80×24") || !strings.Contains(s, "60×20") {
		t.Errorf("too-small view:\n%s", s)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if s := screen(m); !strings.Contains(s, "particles") {
		t.Errorf("no workbench after growing to 80×24:\n%s", s)
	}
}

func TestNoColorKeepsSeriesApart(t *testing.T) {
	// Without colour (NO_COLOR), particles are bold, targets underlined
	// (bold alone was hard to tell apart) and initial particles faint.
	st := newStyles(colorprofile.ASCII)
	p := st.Series[seriesParticles].Render("x")
	q := st.Series[seriesTargets].Render("x")
	if ansi.Strip(p) != "x" || p == q {
		t.Errorf("particles %q and targets %q look alike without colour", p, q)
	}
	if !st.Series[seriesParticles].GetBold() || st.Series[seriesTargets].GetBold() || !st.Series[seriesTargets].GetUnderline() ||
		!st.Series[seriesInitial].GetFaint() {
		t.Error("want bold particles, underlined targets and faint initial particles")
	}
}

func BenchmarkRedraw(b *testing.B) {
	m := goldenModel(b, 160, 48)
	b.ReportAllocs()
	for b.Loop() {
		m.redrawAll()
	}
}
