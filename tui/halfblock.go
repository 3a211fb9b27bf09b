package tui

import (
	"math"
	"strconv"
	"strings"

	"github.com/charmbracelet/colorprofile"
)

// pixel is one display pixel, 0…255 per channel; on is false where
// nothing is drawn (the gaps of an image grid show the terminal's own
// background).
type pixel struct {
	r, g, b uint8
	on      bool
}

// luma is the pixel's brightness, 0…255: the Rec. 601 weights 0.299,
// 0.587, 0.114 (ITU-R BT.601), which grey-scale conversions also use.
func (p pixel) luma() float64 {
	return 0.299*float64(p.r) + 0.587*float64(p.g) + 0.114*float64(p.b)
}

// pixCanvas is a raster of w×h pixels drawn two pixel rows per terminal
// cell with the upper half block '▀' (foreground = upper pixel, background
// = lower pixel): w cells by ⌈h/2⌉ lines.
type pixCanvas struct {
	w, h int
	px   []pixel // h×w, row-major
}

// resize sets the size in pixels and clears the canvas, reusing its buffer.
func (c *pixCanvas) resize(w, h int) {
	if w < 0 || h < 0 {
		panic("tui: pixCanvas.resize: negative size")
	}
	c.w, c.h = w, h
	if cap(c.px) < w*h {
		c.px = make([]pixel, w*h)
	}
	c.px = c.px[:w*h]
	clear(c.px)
}

// unitByte maps [0, 1] to 0…255, clipping; NaN is drawn black (as the
// exported PNG grid does).
func unitByte(v float64) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// drawImage draws one image of ih×iw pixels with ic channels (1: grey,
// 3: RGB; channels last, values in [0, 1]) at pixel (x0, y0), shrunk by
// the integer factor f: each display pixel is the mean of an f×f block
// (a box filter; blocks cut by the image's edge average what they hold).
// Pixels falling outside the canvas are dropped.
func (c *pixCanvas) drawImage(img []float32, ih, iw, ic, f, x0, y0 int) {
	if len(img) < ih*iw*ic || f < 1 || (ic != 1 && ic != 3) {
		panic("tui: pixCanvas.drawImage: bad image or factor")
	}
	for py := 0; py*f < ih; py++ {
		y := y0 + py
		if y < 0 || y >= c.h {
			continue
		}
		for px := 0; px*f < iw; px++ {
			x := x0 + px
			if x < 0 || x >= c.w {
				continue
			}
			var sum [3]float64
			n := 0
			for sy := py * f; sy < min(py*f+f, ih); sy++ {
				row := img[sy*iw*ic:]
				for sx := px * f; sx < min(px*f+f, iw); sx++ {
					for k := range ic {
						v := float64(row[sx*ic+k])
						if v != v {
							v = 0 // NaN pixels count as black
						}
						sum[k] += v
					}
					n++
				}
			}
			p := pixel{on: true}
			p.r = unitByte(sum[0] / float64(n))
			p.g, p.b = p.r, p.r
			if ic == 3 {
				p.g, p.b = unitByte(sum[1]/float64(n)), unitByte(sum[2]/float64(n))
			}
			c.px[y*c.w+x] = p
		}
	}
}

// Half-block glyphs. In a cell whose two pixels are equal the glyph is
// chosen by brightness (a space on the background colour when dark, a full
// block in the foreground colour when bright): the terminal shows the same
// colour either way, and text with the colours stripped (tests, copy and
// paste) still shows the picture.
const (
	glyphUpper = '▀'
	glyphLower = '▄'
	glyphFull  = '█'
)

// densityRamp draws pixels without colour (NO_COLOR, 16-colour terminals
// whose few greys depend on the theme): the mean brightness of the cell's
// two pixels picks one of five shades.
var densityRamp = []rune(" ░▒▓█")

// render writes the canvas as ⌈h/2⌉ lines of exactly w cells, joined by
// "\n", for a terminal of profile p: 24-bit colour, the xterm 256-colour
// palette, or density characters without escape codes below that. Colour
// codes are written only where they change along a line, and every line
// that set one ends with a reset, so lines can be joined with others.
func (c *pixCanvas) render(p colorprofile.Profile) string {
	var b strings.Builder
	rows := (c.h + 1) / 2
	b.Grow(rows * (c.w + 1))
	for r := range rows {
		if r > 0 {
			b.WriteByte('\n')
		}
		up := c.px[2*r*c.w : (2*r+1)*c.w]
		var lo []pixel
		if 2*r+1 < c.h {
			lo = c.px[(2*r+1)*c.w : (2*r+2)*c.w]
		}
		if p < colorprofile.ANSI256 && p != colorprofile.Unknown {
			c.densityLine(&b, up, lo)
		} else {
			c.colourLine(&b, up, lo, p == colorprofile.ANSI256)
		}
	}
	return b.String()
}

// densityLine writes one line of shade characters.
func (c *pixCanvas) densityLine(b *strings.Builder, up, lo []pixel) {
	for x, u := range up {
		var v float64
		if u.on {
			v = u.luma()
		}
		if lo != nil && lo[x].on {
			v += lo[x].luma()
		}
		v /= 2 * 255 // the mean of the two pixels, in [0, 1]
		b.WriteRune(densityRamp[int(math.Round(v*float64(len(densityRamp)-1)))])
	}
}

// pen is the colour state of a line: the current foreground and
// background as colour keys (see key; 0 is the terminal's default).
type pen struct {
	fg, bg     uint32
	touched    bool // a code was written on this line
	palette256 bool
	num        []byte // scratch for the numbers of a code
}

// colourLine writes one line of half blocks with colour codes.
func (c *pixCanvas) colourLine(b *strings.Builder, up, lo []pixel, palette256 bool) {
	pn := pen{palette256: palette256}
	for x, u := range up {
		l := pixel{}
		if lo != nil {
			l = lo[x]
		}
		ku, kl := pn.key(u), pn.key(l)
		switch {
		case ku == 0 && kl == 0:
			pn.setBg(b, 0)
			b.WriteByte(' ')
		case kl == 0:
			pn.setBg(b, 0)
			pn.setFg(b, ku)
			b.WriteRune(glyphUpper)
		case ku == 0:
			pn.setBg(b, 0)
			pn.setFg(b, kl)
			b.WriteRune(glyphLower)
		case ku == kl && u.luma() < 128:
			pn.setBg(b, ku)
			b.WriteByte(' ')
		case ku == kl:
			pn.setFg(b, ku)
			b.WriteRune(glyphFull)
		default:
			pn.setFg(b, ku)
			pn.setBg(b, kl)
			b.WriteRune(glyphUpper)
		}
	}
	if pn.touched {
		b.WriteString("\x1b[m")
	}
}

// keyOn marks a drawn colour in a key, so that black is not the default.
const keyOn = 1 << 24

// key is the colour as this pen writes it: keyOn | the palette index, or
// keyOn | r<<16 | g<<8 | b in 24-bit colour; 0 for a pixel that is off.
// Pixels that look alike on the terminal get equal keys.
func (pn *pen) key(p pixel) uint32 {
	switch {
	case !p.on:
		return 0
	case pn.palette256:
		return keyOn | uint32(xterm256(p.r, p.g, p.b))
	}
	return keyOn | uint32(p.r)<<16 | uint32(p.g)<<8 | uint32(p.b)
}

// setFg switches the foreground to the colour key k if it differs.
func (pn *pen) setFg(b *strings.Builder, k uint32) { pn.set(b, &pn.fg, k, "38", "39") }

// setBg switches the background to k (0: the default) if it differs.
func (pn *pen) setBg(b *strings.Builder, k uint32) { pn.set(b, &pn.bg, k, "48", "49") }

// set writes the SGR code that selects colour k for the foreground (sel
// "38") or background ("48"), or def to go back to the default.
func (pn *pen) set(b *strings.Builder, cur *uint32, k uint32, sel, def string) {
	if *cur == k {
		return
	}
	*cur = k
	pn.touched = true
	n := pn.num[:0]
	n = append(n, "\x1b["...)
	switch {
	case k == 0:
		n = append(n, def...)
	case pn.palette256:
		n = append(n, sel...)
		n = append(n, ";5;"...)
		n = strconv.AppendUint(n, uint64(k&0xff), 10)
	default:
		n = append(n, sel...)
		n = append(n, ";2;"...)
		n = strconv.AppendUint(n, uint64(k>>16&0xff), 10)
		n = append(n, ';')
		n = strconv.AppendUint(n, uint64(k>>8&0xff), 10)
		n = append(n, ';')
		n = strconv.AppendUint(n, uint64(k&0xff), 10)
	}
	n = append(n, 'm')
	b.Write(n)
	pn.num = n
}

// cubeLevels are the channel values of the 6×6×6 colour cube of the xterm
// 256-colour palette (indices 16…231; xterm's 256colres.pl).
var cubeLevels = [6]int{0, 95, 135, 175, 215, 255}

// xterm256 is the index of the xterm 256-colour palette entry nearest to
// (r, g, b): the nearest cube colour or the nearest of the 24 greys
// 232…255 (values 8 + 10k), whichever is closer in RGB (the method of
// tmux's colour_find_rgb).
func xterm256(r, g, b uint8) int {
	cube := func(v uint8) int { // index of the nearest cube level
		switch {
		case v < 48:
			return 0
		case v < 115:
			return 1
		}
		return int(v-35) / 40
	}
	ri, gi, bi := cube(r), cube(g), cube(b)
	cr, cg, cb := cubeLevels[ri], cubeLevels[gi], cubeLevels[bi]
	avg := (int(r) + int(g) + int(b)) / 3
	gi2 := 23
	if avg <= 238 {
		gi2 = max(avg-3, 0) / 10
	}
	grey := 8 + 10*gi2
	dist := func(x, y, z int) int {
		dr, dg, db := int(r)-x, int(g)-y, int(b)-z
		return dr*dr + dg*dg + db*db
	}
	if dist(grey, grey, grey) < dist(cr, cg, cb) {
		return 232 + gi2
	}
	return 16 + 36*ri + 6*gi + bi
}
