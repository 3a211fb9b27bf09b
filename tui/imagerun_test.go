package tui

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// goldenImageModel is the fake image run after 15 steps (four commands),
// paused, with the images brought up to date, at w×h.
func goldenImageModel(t testing.TB, w, h int) *model {
	fd, _, _ := newImageDeps(t)
	m, cmd := startedWith(t, fd, imageConfig(), w, h)
	pausedAfter(t, m, cmd, 3)
	return m
}

func TestGoldenImageViews(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		name := fmt.Sprintf("images-%dx%d", sz[0], sz[1])
		t.Run(name, func(t *testing.T) {
			m := goldenImageModel(t, sz[0], sz[1])
			if m.step != 15 || m.img.step != 15 {
				t.Fatalf("step %d, images of step %d; want 15 and 15", m.step, m.img.step)
			}
			checkGolden(t, name, screen(m))
		})
	}
}

func TestImageRun(t *testing.T) {
	m := goldenImageModel(t, 80, 24)
	s := screen(m)
	for _, want := range []string{
		"step 15", "particles decoded from latent d=4", "bar", "box", "targets", // the grid
		"memorized 25% · copies 5%", "Fréchet 6.67", "accuracy 1", // image metrics (fake: step 15)
	} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in\n%s", want, s)
		}
	}
	if strings.Contains(s, "⣿ particles") {
		t.Errorf("the scatter is shown at 80×24 next to the images:\n%s", s)
	}
	// The class columns: every particle image in column k is of class k.
	// The fake's bar (class 0) has cells "█" in its 3rd and 4th columns.
	lines := strings.Split(s, "\n")
	if !strings.HasPrefix(lines[2], "bar     box     x") {
		t.Errorf("class header = %q", lines[2])
	}
}

func TestImageViewToggle(t *testing.T) {
	for _, tc := range []struct {
		w, h  int
		cycle []viewMode // effective views after load, then after each g
	}{
		{80, 24, []viewMode{viewImages, viewScatter, viewImages}},
		{200, 60, []viewMode{viewBoth, viewImages, viewScatter, viewBoth}},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.w, tc.h), func(t *testing.T) {
			m := goldenImageModel(t, tc.w, tc.h)
			for i, want := range tc.cycle {
				if i > 0 {
					press(m, "g")
				}
				if got := m.view.effective(m.kind, m.reg); got != want {
					t.Fatalf("after %d × g: view %v, want %v", i, got, want)
				}
				s := screen(m)
				hasImages, hasScatter := strings.Contains(s, "particles decoded from latent"), strings.Contains(s, "⣿ particles")
				if hasImages != (want != viewScatter) || hasScatter != (want != viewImages) {
					t.Errorf("view %v: images shown %v, scatter shown %v:\n%s", want, hasImages, hasScatter, s)
				}
			}
		})
	}
	// g in a run without images or table only says so.
	m := goldenModel(t, 80, 24)
	press(m, "g")
	if m.view.effective(m.kind, m.reg) != viewScatter || !strings.Contains(m.status, "neither") {
		t.Errorf("g in a plain run: view %v, status %q", m.view, m.status)
	}
}

// TestImageRefreshRate checks that images are decoded at most every
// imageEvery while running (fake clock), at every step taken by hand, once
// after a pause, and not while they are off screen.
func TestImageRefreshRate(t *testing.T) {
	fd, clk, last := newImageDeps(t)
	m, cmd := startedWith(t, fd, imageConfig(), 80, 24)
	f := last()
	if f.decodes != 1 || !m.img.decoded || m.img.step != 0 {
		t.Fatalf("after load: %d decodes, decoded %v at step %d; want the load's one at step 0", f.decodes, m.img.decoded, m.img.step)
	}
	cmd = feed(m, cmd, 5)
	if f.decodes != 1 {
		t.Errorf("%d decodes in five commands within %v, want none but the load's", f.decodes, imageEvery)
	}
	clk.advance(imageEvery)
	cmd = feed(m, cmd, 3)
	if f.decodes != 2 || m.img.step == 0 {
		t.Errorf("%d decodes after %v (images of step %d), want one more", f.decodes, imageEvery, m.img.step)
	}
	// Pause: the step in flight lands, then one catch-up copy.
	press(m, "space")
	if cmd = feed(m, cmd, 3); cmd != nil {
		t.Fatal("busy after pause")
	}
	if f.decodes != 3 || m.img.step != m.step {
		t.Errorf("after pause: %d decodes, images of step %d at step %d; want 3 and current", f.decodes, m.img.step, m.step)
	}
	// Steps by hand: a copy each.
	feed(m, press(m, "n"), 2)
	if f.decodes != 4 || m.img.step != m.step {
		t.Errorf("after n: %d decodes, images of step %d at step %d", f.decodes, m.img.step, m.step)
	}
	// The scatter alone: no copies, even when due; they resume with g.
	press(m, "g")
	cmd = press(m, "space")
	clk.advance(time.Hour)
	cmd = feed(m, cmd, 3)
	if f.decodes != 4 {
		t.Errorf("%d decodes with the images hidden, want 4", f.decodes)
	}
	press(m, "g")
	feed(m, cmd, 2)
	if f.decodes != 5 {
		t.Errorf("%d decodes after showing the images again, want 5", f.decodes)
	}
}

// TestImageCopyStaysOnEngineGoroutine runs a step that blocks while the UI
// redraws, resizes and toggles views: the UI never calls the engine (the
// fake counts DecodedTo and every other method).
func TestImageCopyStaysOnEngineGoroutine(t *testing.T) {
	fd, clk, last := newImageDeps(t)
	m, cmd := startedWith(t, fd, imageConfig(), 200, 60)
	f := last()
	clk.advance(time.Hour) // the images are due: the command decodes
	cmd = feed(m, cmd, 1)
	f.gate = make(chan struct{})
	done := make(chan tea.Msg)
	go func() { done <- cmd() }()
	for !f.busy.Load() {
		runtime.Gosched()
	}
	for _, k := range []string{"g", "g", "g", "L", "?", "?"} {
		press(m, k)
	}
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(tea.ColorProfileMsg{Profile: colorprofile.ANSI256})
	_ = screen(m)
	close(f.gate)
	msg := <-done
	if n := f.touched.Load(); n != 0 {
		t.Fatalf("the UI touched the engine %d times during a step", n)
	}
	feed(m, func() tea.Msg { return msg }, 1)
	if m.img.step != m.step {
		t.Errorf("images of step %d at step %d", m.img.step, m.step)
	}
}

func TestImageColourProfiles(t *testing.T) {
	m := goldenImageModel(t, 80, 24)
	// The image lines (the caption and labels are lipgloss text, whose
	// colours Bubble Tea converts itself).
	for _, tc := range []struct {
		prof      colorprofile.Profile
		want, not string
	}{
		{colorprofile.TrueColor, "38;2;", "38;5;"},
		{colorprofile.ANSI256, "38;5;", "38;2;"},
		{colorprofile.ASCII, "▒", "\x1b["},
	} {
		m.Update(tea.ColorProfileMsg{Profile: tc.prof})
		var img []string
		for _, l := range strings.Split(m.images.View(), "\n") {
			if strings.ContainsAny(ansi.Strip(l), "▀▄█░▒▓") {
				img = append(img, l)
			}
		}
		v := strings.Join(img, "\n")
		if len(img) < 10 || !strings.Contains(v, tc.want) || strings.Contains(v, tc.not) {
			t.Errorf("%v: %d image lines, want %q and no %q:\n%q", tc.prof, len(img), tc.want, tc.not, v)
		}
	}
}

func TestLeftRows(t *testing.T) {
	for _, sz := range [][2]int{{80, 24}, {100, 30}, {120, 40}, {160, 48}, {200, 60}, {300, 100}} {
		r := layout(sz[0], sz[1])
		for _, k := range []runKind{kindPlain, kindImages, kindTable} {
			for _, v := range []viewMode{viewBoth, viewImages, viewScatter} {
				img, sc, tab := leftRows(r, k, v)
				if img+sc+tab != r.PlotH || img < 0 || sc < 0 || tab < 0 {
					t.Errorf("%v kind %d view %d: %d + %d + %d rows of %d", sz, k, v, img, sc, tab, r.PlotH)
				}
				if sc > 0 && sc < minScatterH {
					t.Errorf("%v kind %d view %d: scatter of %d rows", sz, k, v, sc)
				}
				if (img > 0 && k != kindImages) || (tab > 0 && k != kindTable) {
					t.Errorf("%v kind %d view %d: images %d, table %d", sz, k, v, img, tab)
				}
			}
		}
		// Image runs show both only with room for both; the next view
		// after the last is the first again.
		if img, sc, _ := leftRows(r, kindImages, viewBoth); (img > 0 && sc > 0) != r.roomy() {
			t.Errorf("%v: images %d and scatter %d rows, roomy %v", sz, img, sc, r.roomy())
		}
		v := viewBoth.effective(kindImages, r)
		seen := map[viewMode]bool{}
		for range 4 {
			seen[v.effective(kindImages, r)] = true
			v = v.next(kindImages, r)
		}
		if want := 2 + map[bool]int{true: 1}[r.roomy()]; len(seen) != want {
			t.Errorf("%v: g cycles through %v, want %d views", sz, seen, want)
		}
	}
}
