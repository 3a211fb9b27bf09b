package tui

import (
	"math"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// plain renders a canvas without styles.
func plain(c *canvas) []string {
	return strings.Split(c.render(nil, nil), "\n")
}

func TestCanvasCornersAndEdges(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		pts  []float32 // x, y pairs on [0,10]×[0,10]
		want []string  // 3×2 cells
	}{
		{"top-left", []float32{0, 10}, []string{"⠁  ", "   "}},
		{"top-right", []float32{10, 10}, []string{"  ⠈", "   "}},
		{"bottom-left", []float32{0, 0}, []string{"   ", "⡀  "}},
		{"bottom-right", []float32{10, 0}, []string{"   ", "  ⢀"}},
		{"all corners", []float32{0, 0, 0, 10, 10, 0, 10, 10}, []string{"⠁ ⠈", "⡀ ⢀"}},
		// x = 5 is dot column 3 of 6 (right half of the middle cell), y = 5
		// dot row 4 of 8 (top of the lower cell).
		{"centre", []float32{5, 5}, []string{"   ", " ⠈ "}},
		// the bottom edge y = 0 is the last dot row, the left edge x = 0 the
		// first dot column: a left column of 8 dots fills ⡇ twice.
		{"left edge", []float32{0, 0, 0, 1.3, 0, 2.6, 0, 3.8, 0, 5.1, 0, 6.3, 0, 7.6, 0, 10}, []string{"⡇  ", "⡇  "}},
		{"outside", []float32{-0.01, 5, 10.01, 5, 5, -1, 5, 11, nan, 5, 5, nan, inf, 5, -inf, 5}, []string{"   ", "   "}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var c canvas
			c.resize(3, 2)
			c.setRange(0, 10, 0, 10)
			c.plot(0, tc.pts, 2, 0, 1)
			got := plain(&c)
			for i := range tc.want {
				if got[i] != tc.want[i] {
					t.Errorf("row %d = %q, want %q (all %q)", i, got[i], tc.want[i], got)
				}
			}
		})
	}
}

func TestCanvasEmptyIsSpaces(t *testing.T) {
	var c canvas
	c.resize(7, 3)
	c.setRange(0, 1, 0, 1)
	st := newStyles(colorprofile.TrueColor)
	got := c.render(st.Series[:], nil)
	if want := strings.Repeat("       \n", 2) + "       "; got != want {
		t.Errorf("empty canvas = %q, want %q", got, want)
	}
}

func TestCanvasStrideAndCoordinates(t *testing.T) {
	// Three-dimensional rows plotted as (x2, x0): the point (1, 9, 0)
	// lands at x = 0, y = 1, the top-left corner; (0, 9, 1) at x = 1,
	// y = 0, the bottom-right.
	var c canvas
	c.resize(2, 1)
	c.setRange(0, 1, 0, 1)
	c.plot(0, []float32{1, 9, 0, 0, 9, 1}, 3, 2, 0)
	if got, want := plain(&c)[0], "⠁⢀"; got != want {
		t.Errorf("plot(stride 3, x=2, y=0) = %q, want %q", got, want)
	}
}

func TestCanvasPriority(t *testing.T) {
	// Series 0 has priority over 1, whichever is drawn first; the cell
	// keeps the union of the dots.
	for _, order := range [][2]int{{0, 1}, {1, 0}} {
		var c canvas
		c.resize(1, 1)
		c.setRange(0, 1, 0, 1)
		for _, s := range order {
			if s == 0 {
				c.plot(0, []float32{0, 1}, 2, 0, 1) // top-left dot
			} else {
				c.plot(1, []float32{1, 0}, 2, 0, 1) // bottom-right dot
			}
		}
		if c.series[0] != 0 {
			t.Errorf("order %v: cell series = %d, want 0", order, c.series[0])
		}
		if got, want := plain(&c)[0], string(rune(0x2800|0x01|0x80)); got != want {
			t.Errorf("order %v: cell = %q, want %q", order, got, want)
		}
	}
}

func TestCanvasColoursRuns(t *testing.T) {
	// Adjacent cells of one series share one styled run; the stripped
	// text is the same as the unstyled rendering.
	st := newStyles(colorprofile.TrueColor)
	var c canvas
	c.resize(4, 1)
	c.setRange(0, 4, 0, 1)
	c.plot(seriesTargets, []float32{0.1, 0.5, 1.1, 0.5}, 2, 0, 1)
	c.plot(seriesParticles, []float32{3.9, 0.5}, 2, 0, 1)
	got := c.render(st.Series[:], nil)
	if strip := ansi.Strip(got); strip != plain(&c)[0] {
		t.Errorf("stripped %q, want %q", strip, plain(&c)[0])
	}
	if n := strings.Count(got, "\x1b[38;5;81m"); n != 1 {
		t.Errorf("target colour opened %d times, want 1 run: %q", n, got)
	}
	if !strings.Contains(got, "\x1b[38;5;205m") {
		t.Errorf("particle colour missing: %q", got)
	}
}

func TestCanvasWidthAtManySizes(t *testing.T) {
	st := newStyles(colorprofile.TrueColor)
	pts := make([]float32, 0, 400)
	for i := range 200 {
		pts = append(pts, float32(i%17)/16, float32(i%13)/12)
	}
	for w := 1; w <= 40; w += 3 {
		for h := 1; h <= 12; h += 2 {
			var c canvas
			c.resize(w, h)
			c.setRange(0, 1, 0, 1)
			c.plot(0, pts, 2, 0, 1)
			lines := strings.Split(c.render(st.Series[:], nil), "\n")
			if len(lines) != h {
				t.Fatalf("%d×%d: %d lines", w, h, len(lines))
			}
			for i, l := range lines {
				if got := ansi.StringWidth(l); got != w {
					t.Fatalf("%d×%d: line %d is %d wide", w, h, i, got)
				}
			}
		}
	}
}

func BenchmarkCanvas(b *testing.B) {
	st := newStyles(colorprofile.TrueColor)
	pts := make([]float32, 2*2000)
	for i := range 2000 {
		pts[2*i] = float32(i%97) / 96
		pts[2*i+1] = float32(i%89) / 88
	}
	var c canvas
	b.ReportAllocs()
	for b.Loop() {
		c.resize(116, 42)
		c.setRange(0, 1, 0, 1)
		c.plot(seriesTargets, pts[:400], 2, 0, 1)
		c.plot(seriesParticles, pts, 2, 0, 1)
		_ = c.render(st.Series[:], nil)
	}
}
