package tui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

func TestHalfBlocks(t *testing.T) {
	// A 4×2 grey image is one line of four cells: black over black (a
	// space on black), white over white (a full block in white), 0.5 over
	// 0.25 and black over white (upper half blocks).
	img := []float32{
		0, 1, 0.5, 0,
		0, 1, 0.25, 1,
	}
	for _, tc := range []struct {
		prof colorprofile.Profile
		want string
	}{
		{colorprofile.TrueColor, "\x1b[48;2;0;0;0m \x1b[38;2;255;255;255m█" +
			"\x1b[38;2;128;128;128m\x1b[48;2;64;64;64m▀\x1b[38;2;0;0;0m\x1b[48;2;255;255;255m▀\x1b[m"},
		// xterm-256: 16 black, 231 white, greys 244 (128) and 238 (68).
		{colorprofile.ANSI256, "\x1b[48;5;16m \x1b[38;5;231m█\x1b[38;5;244m\x1b[48;5;238m▀\x1b[38;5;16m\x1b[48;5;231m▀\x1b[m"},
		// Mean brightness 0, 1, 0.38, 0.5 on the 5-step ramp.
		{colorprofile.ANSI, " █▒▒"},
		{colorprofile.ASCII, " █▒▒"},
		{colorprofile.NoTTY, " █▒▒"},
	} {
		t.Run(tc.prof.String(), func(t *testing.T) {
			var c pixCanvas
			c.resize(4, 2)
			c.drawImage(img, 2, 4, 1, 1, 0, 0)
			if got := c.render(tc.prof); got != tc.want {
				t.Errorf("render = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestHalfBlocksGapsAndOddRows(t *testing.T) {
	// A 1×3 white image in a 3×3 canvas at x = 1: the pixel below the last
	// row is off, so that cell is an upper half block on the default
	// background; cells without pixels are plain spaces.
	var c pixCanvas
	c.resize(3, 3)
	c.drawImage([]float32{1, 1, 1}, 3, 1, 1, 1, 1, 0)
	got := strings.Split(c.render(colorprofile.TrueColor), "\n")
	want := []string{" \x1b[38;2;255;255;255m█ \x1b[m", " \x1b[38;2;255;255;255m▀ \x1b[m"}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("render = %q, want %q", got, want)
	}
	// A lower pixel alone is a lower half block.
	c.resize(1, 2)
	c.px[1] = pixel{r: 255, g: 255, b: 255, on: true}
	if got, want := c.render(colorprofile.TrueColor), "\x1b[38;2;255;255;255m▄\x1b[m"; got != want {
		t.Errorf("lower pixel = %q, want %q", got, want)
	}
	// A background colour is reset before a cell on the default one.
	c.resize(2, 2)
	c.px[0], c.px[2] = pixel{on: true}, pixel{on: true}
	if got, want := c.render(colorprofile.TrueColor), "\x1b[48;2;0;0;0m \x1b[49m \x1b[m"; got != want {
		t.Errorf("black then nothing = %q, want %q", got, want)
	}
}

func TestDrawImageShrinks(t *testing.T) {
	// A 4×4 image shrunk 1:2 is the mean of each 2×2 block; a 3×3 image
	// shrunk 1:2 averages what the blocks cut by the edge hold.
	img := []float32{
		0, 0, 1, 1,
		0, 0, 1, 1,
		1, 0, 0.5, 0.5,
		1, 0, 0.5, 0.5,
	}
	var c pixCanvas
	c.resize(2, 2)
	c.drawImage(img, 4, 4, 1, 2, 0, 0)
	for i, want := range []uint8{0, 255, 128, 128} {
		if p := c.px[i]; !p.on || p.r != want || p.g != want || p.b != want {
			t.Errorf("pixel %d = %+v, want grey %d", i, p, want)
		}
	}
	c.resize(2, 2)
	c.drawImage([]float32{1, 1, 0, 1, 1, 0, 0, 0, 1}, 3, 3, 1, 2, 0, 0)
	for i, want := range []uint8{255, 0, 0, 255} {
		if p := c.px[i]; p.r != want {
			t.Errorf("edge pixel %d = %d, want %d", i, p.r, want)
		}
	}
	// Colour images keep their channels; NaN is black; out-of-range values clip.
	c.resize(2, 1)
	c.drawImage([]float32{1, 0.5, 0, float32(nan()), 2, -1}, 1, 2, 3, 1, 0, 0)
	if p := c.px[0]; p.r != 255 || p.g != 128 || p.b != 0 {
		t.Errorf("colour pixel = %+v, want (255, 128, 0)", p)
	}
	if p := c.px[1]; p.r != 0 || p.g != 255 || p.b != 0 {
		t.Errorf("NaN, 2, −1 = %+v, want (0, 255, 0)", p)
	}
}

func nan() float64 { var z float64; return z / z }

func TestXterm256(t *testing.T) {
	for _, tc := range []struct {
		r, g, b uint8
		want    int
	}{
		{0, 0, 0, 16}, {255, 255, 255, 231}, {255, 0, 0, 196}, {0, 0, 255, 21},
		{128, 128, 128, 244}, {8, 8, 8, 232}, {238, 238, 238, 255},
		{95, 135, 175, 67}, // a cube colour: 16 + 36·1 + 6·2 + 3
		{100, 100, 100, 241},
	} {
		if got := xterm256(tc.r, tc.g, tc.b); got != tc.want {
			t.Errorf("xterm256(%d, %d, %d) = %d, want %d", tc.r, tc.g, tc.b, got, tc.want)
		}
	}
}

func TestFitGrid(t *testing.T) {
	for _, tc := range []struct {
		name                string
		w, h, side          int
		need, limit         int
		wrap                bool
		f, cols, rows, band int
		targets             bool
	}{
		// 80×24: 48 columns, 21 rows; ten classes fit side by side only
		// below 7 pixels, so they wrap into two bands of five.
		{"80x24 MNIST", 48, 21, 28, 10, 10, true, 4, 5, 2, 2, false},
		{"80x24 MNIST no wrap", 48, 21, 28, 10, 10, false, 4, 6, 3, 1, true},
		// 200×60 with the scatter: 152×28.
		{"200x60 MNIST", 152, 28, 28, 10, 10, true, 2, 10, 2, 1, true},
		{"160x48 MNIST", 112, 22, 28, 10, 10, true, 3, 10, 2, 1, true},
		{"CIFAR", 152, 28, 32, 10, 10, true, 3, 10, 3, 1, true}, // 1:2 gives 9 columns
		{"unconditional", 48, 21, 28, 6, 600, false, 4, 6, 3, 1, true},
		{"wide unconditional", 152, 28, 28, 6, 600, false, 2, 10, 2, 1, true}, // 1:1 gives 5 columns
		{"no room", 48, 5, 28, 10, 10, true, 4, 6, 0, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := fitGrid(tc.w, tc.h, tc.side, tc.side, tc.need, tc.limit, tc.wrap, true)
			if g.f != tc.f || g.cols != tc.cols || g.rows != tc.rows || g.bands != tc.band || g.targets != tc.targets {
				t.Errorf("fitGrid = 1:%d, %d cols × %d rows × %d bands, targets %v; want 1:%d, %d × %d × %d, %v",
					g.f, g.cols, g.rows, g.bands, g.targets, tc.f, tc.cols, tc.rows, tc.band, tc.targets)
			}
			if g.rows > 0 && g.lines() > tc.h {
				t.Errorf("the grid needs %d lines of %d", g.lines(), tc.h)
			}
			if w := g.cols*(g.cellW+gridGapX) - gridGapX; g.cols > 0 && w > tc.w {
				t.Errorf("the grid is %d cells wide, more than %d", w, tc.w)
			}
		})
	}
}

// BenchmarkImageRedraw renders the image grid of a conditional MNIST-sized
// run (600 particles of 28×28 pixels, ten classes) in the image areas of
// 80×24 and 200×60 terminals, and reports the bytes of one frame.
func BenchmarkImageRedraw(b *testing.B) {
	const m, side = 600, 28
	d := &imageData{h: side, w: side, c: 1, latent: 32, m: m, step: 1, decoded: true, conditional: true}
	for k := range 10 {
		d.classes = append(d.classes, string(rune('0'+k)))
	}
	// Smooth blobs whose position depends on the particle, so that
	// neighbouring cells differ as in real digits.
	d.particles = make([]float32, m*side*side)
	for i := range m {
		d.labelsP = append(d.labelsP, i%10)
		cx, cy := float64(8+i%12), float64(8+i%11)
		for y := range side {
			for x := range side {
				r2 := (float64(x)-cx)*(float64(x)-cx) + (float64(y)-cy)*(float64(y)-cy)
				d.particles[(i*side+y)*side+x] = float32(1 / (1 + r2/16))
			}
		}
	}
	d.targets = d.particles[:200*side*side]
	d.labelsT = d.labelsP[:200]
	st := newStyles(colorprofile.TrueColor)
	for _, sz := range [][2]int{{48, 21}, {152, 28}} {
		for _, prof := range []colorprofile.Profile{colorprofile.TrueColor, colorprofile.ANSI256, colorprofile.ASCII} {
			b.Run(fmt.Sprintf("%dx%d/%v", sz[0], sz[1], prof), func(b *testing.B) {
				p := imagePanel{data: d, profile: prof}
				p.SetSize(sz[0], sz[1])
				b.ReportAllocs()
				for b.Loop() {
					p.redraw(&st)
				}
				b.ReportMetric(float64(len(p.View())), "bytes/frame")
			})
		}
	}
}
