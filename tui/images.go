package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// imageData is what the image panel shows, copied out of the engine by
// the engine command: the run's constant data at load, the decoded
// particles at a low rate (imageEvery).
type imageData struct {
	h, w, c     int       // image shape, channels last
	latent      int       // latent dimension d of a latent run, 0 in pixel space
	targets     []float32 // N×h·w·c target images in [0, 1]
	labelsT     []int     // class of every target
	labelsP     []int     // class of every particle; nil when unconditional
	classes     []string  // class names by label
	m           int       // number of particles
	particles   []float32 // M×h·w·c decoded particles (values ~[0, 1])
	step        int       // the step the particles show
	decoded     bool      // particles holds a copy
	conditional bool      // one column per class
}

// dim is the number of values of one image.
func (d *imageData) dim() int { return d.h * d.w * d.c }

// Grid geometry. One blank cell separates image columns and one blank
// pixel row (half a cell) image rows; images shrink by an integer factor
// until the class columns fit, but not below minImagePx pixels a side,
// where digits stop being legible (our choice, from looking at MNIST).
const (
	gridGapX   = 1 // cells
	gridGapY   = 1 // pixel rows
	minImagePx = 7

	// unconditionalCols columns of an unconditional run are enough to
	// judge the variety of the particles before images shrink further.
	unconditionalCols = 6
)

// grid is the layout of the image panel for a given size: bands of
// image columns one under another (a conditional run whose classes do not
// fit side by side wraps them), each with its class names, particle rows
// and targets.
type grid struct {
	f          int // shrink factor
	cellW, pxH int // one image: cells wide, pixel rows high
	cols, rows int // image columns and particle rows of a band
	bands      int
	targets    bool
	header     bool // a line of class names above the columns
}

// particleLines is the number of text lines of the particle rows.
func (g grid) particleLines() int { return (g.rows*(g.pxH+gridGapY) - gridGapY + 1) / 2 }

// bandLines is the height of one band: the class names, the particle
// rows, and the targets' label line and row.
func (g grid) bandLines() int {
	n := g.particleLines()
	if g.header {
		n++
	}
	if g.targets {
		n += 1 + (g.pxH+1)/2
	}
	return n
}

// lines is the panel height the grid needs: the caption and the bands.
func (g grid) lines() int { return 1 + g.bands*g.bandLines() }

// maxBands bounds the wrapping of class columns: each band repeats the
// class names and the targets' label.
const maxBands = 3

// fitGrid lays out images of ih×iw pixels in w×h cells: the smallest
// shrink factor at which need columns and minRows particle rows fit, with
// the targets if possible, in as few bands as possible (wrap > 1 allows
// up to maxBands: conditional runs wrap their classes); else the largest
// factor allowed in one band, showing the columns and rows that fit. At
// most limit columns in all. rows = 0 means that not even one image fits.
func fitGrid(w, h, ih, iw, need, limit int, wrap, header bool) grid {
	const minRows = 2
	fmax := max(min(ih, iw)/minImagePx, 1)
	at := func(f, bands int, targets bool) grid {
		g := grid{f: f, cellW: (iw + f - 1) / f, pxH: (ih + f - 1) / f, bands: bands, header: header, targets: targets}
		g.cols = min((w+gridGapX)/(g.cellW+gridGapX), (limit+bands-1)/bands)
		g.rows = g.maxRows(h)
		return g
	}
	nb := 1
	if wrap {
		nb = maxBands
	}
	for bands := 1; bands <= nb; bands++ {
		// Shrink before giving up the targets, both before wrapping.
		for _, targets := range []bool{true, false} {
			for f := 1; f <= fmax; f++ {
				if g := at(f, bands, targets); g.cols*bands >= need && g.rows >= minRows {
					return g
				}
			}
		}
	}
	g := at(fmax, 1, true)
	if g.rows < 1 {
		g = at(fmax, 1, false)
	}
	return g
}

// maxRows is the number of particle rows that fit in h lines.
func (g grid) maxRows(h int) int {
	r := 0
	for {
		g.rows = r + 1
		if g.lines() > h {
			return r
		}
		r++
	}
}

// imagePanel draws the particles as a grid of images, one column per
// class in a conditional run (like the exported PNG), above a row of
// targets of the same classes, with half blocks (halfblock.go).
type imagePanel struct {
	w, h    int
	data    *imageData
	profile colorprofile.Profile
	cv      pixCanvas
	cache   string
	dirty   bool // the cache is out of date: render again
}

// SetSize sets the panel size in cells.
func (p *imagePanel) SetSize(w, h int) {
	w, h = max(w, 1), max(h, 0)
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
	}
}

// setData shows d (a new run, or new particle images).
func (p *imagePanel) setData(d *imageData) { p.data, p.dirty = d, true }

// setProfile sets the colour profile of the terminal.
func (p *imagePanel) setProfile(prof colorprofile.Profile) { p.profile, p.dirty = prof, true }

// View is the cached rendering, h lines of width w.
func (p *imagePanel) View() string { return p.cache }

// columns lists what each image column of band b shows: a class
// (conditional runs; classes in label order, wrapped over the bands), or
// -1.
func (p *imagePanel) columns(g grid, b int) []int {
	d := p.data
	cols := make([]int, 0, g.cols)
	for j := range g.cols {
		switch c := b*g.cols + j; {
		case !d.conditional:
			cols = append(cols, -1)
		case c < len(d.classes):
			cols = append(cols, c)
		}
	}
	return cols
}

// pick returns the particle shown in row r of column j, or -1: the r-th
// particle of the column's class, or particle r·cols + j without classes.
func (p *imagePanel) pick(col, j, r, ncols int) int {
	d := p.data
	if col < 0 {
		if i := r*ncols + j; i < d.m {
			return i
		}
		return -1
	}
	seen := 0
	for i, l := range d.labelsP {
		if l == col {
			if seen == r {
				return i
			}
			seen++
		}
	}
	return -1
}

// pickTarget returns the target under column j: the first target of the
// column's class, or, without classes, the (j/K)-th target of class j mod
// K, so that the row shows the classes in turn.
func (p *imagePanel) pickTarget(col, j int) int {
	d := p.data
	k := max(len(d.classes), 1)
	want, nth := col, 0
	if col < 0 {
		want, nth = j%k, j/k
	}
	seen := 0
	for i, l := range d.labelsT {
		if l == want {
			if seen == nth {
				return i
			}
			seen++
		}
	}
	return -1
}

// redraw lays the grid out and renders it into the cached string, only
// after a change (new data, size or colour profile): the grid costs ~1 ms
// at 200×60 and the model redraws every panel at each step command.
func (p *imagePanel) redraw(st *Styles) {
	if !p.dirty {
		return
	}
	p.dirty = false
	if p.h == 0 {
		p.cache = ""
		return
	}
	d := p.data
	if d == nil {
		p.cache = fitBlock(" "+st.Muted.Render("no images"), p.w, p.h)
		return
	}
	need, limit := len(d.classes), len(d.classes)
	if !d.conditional {
		// As many columns as fit, but images no smaller than needed to
		// show unconditionalCols of them.
		limit = d.m
		need = min(unconditionalCols, limit)
	}
	g := fitGrid(p.w, p.h, d.h, d.w, max(need, 1), max(limit, 1), d.conditional, d.conditional)
	lines := []string{p.caption(st, g)}
	if g.rows < 1 || g.cols < 1 {
		lines = append(lines, " "+st.Muted.Render("no room for images: enlarge the terminal or press g"))
		p.cache = fitBlock(strings.Join(lines, "\n"), p.w, p.h)
		return
	}
	for b := range g.bands {
		if cols := p.columns(g, b); len(cols) > 0 {
			lines = append(lines, p.band(st, g, cols)...)
		}
	}
	p.cache = fitBlock(strings.Join(lines, "\n"), p.w, p.h)
}

// band renders one band of image columns: the class names, the particle
// rows and the targets.
func (p *imagePanel) band(st *Styles, g grid, cols []int) []string {
	d := p.data
	var lines []string
	if g.header {
		var b strings.Builder
		for j, c := range cols {
			name := ""
			if c >= 0 && c < len(d.classes) {
				name = d.classes[c]
			}
			if j > 0 {
				b.WriteString(strings.Repeat(" ", gridGapX))
			}
			b.WriteString(padRight(ansi.Truncate(name, g.cellW, ""), g.cellW))
		}
		lines = append(lines, st.Label.Render(b.String()))
	}
	stride := g.cellW + gridGapX
	canvasW := len(cols)*stride - gridGapX
	if d.decoded {
		p.cv.resize(canvasW, 2*g.particleLines())
		for r := range g.rows {
			for j, c := range cols {
				if i := p.pick(c, j, r, len(cols)); i >= 0 {
					p.cv.drawImage(d.particles[i*d.dim():(i+1)*d.dim()], d.h, d.w, d.c, g.f, j*stride, r*(g.pxH+gridGapY))
				}
			}
		}
		lines = append(lines, strings.Split(p.cv.render(p.profile), "\n")...)
	} else {
		for range g.particleLines() {
			lines = append(lines, "")
		}
		lines[len(lines)-1] = " " + st.Muted.Render("decoding…")
	}
	if g.targets {
		lines = append(lines, st.Label.Render("targets"))
		p.cv.resize(canvasW, g.pxH)
		for j, c := range cols {
			if i := p.pickTarget(c, j); i >= 0 {
				p.cv.drawImage(d.targets[i*d.dim():(i+1)*d.dim()], d.h, d.w, d.c, g.f, j*stride, 0)
			}
		}
		lines = append(lines, strings.Split(p.cv.render(p.profile), "\n")...)
	}
	return lines
}

// caption is the first line: the step the images show, the classes left
// out, what the images are and their scale, cut in that order of
// importance.
func (p *imagePanel) caption(st *Styles, g grid) string {
	d := p.data
	var parts []string
	if d.decoded {
		parts = append(parts, st.Label.Render(fmt.Sprintf("step %d", d.step)))
	}
	if shown := g.cols * g.bands; d.conditional && shown < len(d.classes) && shown > 0 {
		parts = append(parts, st.Warn.Render(fmt.Sprintf("classes %s–%s of %d", d.classes[0], d.classes[shown-1], len(d.classes))))
	}
	what := "particles"
	if d.latent > 0 {
		what = fmt.Sprintf("particles decoded from latent d=%d", d.latent)
	}
	parts = append(parts, st.Label.Render(what))
	if g.f > 1 {
		parts = append(parts, st.Muted.Render(fmt.Sprintf("1:%d", g.f)))
	}
	return padRight(ansi.Truncate(" "+strings.Join(parts, st.Muted.Render(" · ")), p.w, "…"), p.w)
}
