package snapshots

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Image-grid limits: at most gridClasses label columns of gridRows
// particles each, or gridMax particles without labels (10 × 10, like the
// paper's MNIST figures).
const (
	gridClasses = 20
	gridRows    = 10
	gridMax     = 100
	gridGap     = 2 // native pixels between cells
)

// Grid colours: a mid-grey frame between cells, lighter grey empty cells.
var (
	gridFrame = color.RGBA{R: 128, G: 128, B: 128, A: 255}
	gridEmpty = color.RGBA{R: 200, G: 200, B: 200, A: 255}
)

// gridLayout picks the particles to show: cells[r][c] is a particle index
// or -1, heads the column titles (class labels) or nil, and note says how
// many particles are shown.
func gridLayout(p PlotData) (cells [][]int, heads []string, note string) {
	m := len(p.Particles) / p.Dim
	if m == 0 {
		return nil, nil, "no particles"
	}
	if p.Labels == nil {
		n := min(m, gridMax)
		cols := int(math.Ceil(math.Sqrt(float64(n))))
		rows := (n + cols - 1) / cols
		cells = make([][]int, rows)
		for r := range cells {
			cells[r] = slices.Repeat([]int{-1}, cols)
			for c := range cols {
				if i := r*cols + c; i < n {
					cells[r][c] = i
				}
			}
		}
		return cells, nil, fmt.Sprintf("%d of %d particles", n, m)
	}
	byClass := map[int][]int{}
	for i, l := range p.Labels {
		byClass[l] = append(byClass[l], i)
	}
	classes := make([]int, 0, len(byClass))
	for l := range byClass {
		classes = append(classes, l)
	}
	slices.Sort(classes)
	note = fmt.Sprintf("up to %d per class of %d particles", gridRows, m)
	if len(classes) > gridClasses {
		note += fmt.Sprintf(", first %d of %d classes", gridClasses, len(classes))
		classes = classes[:gridClasses]
	}
	rows := 0
	for _, l := range classes {
		rows = max(rows, min(len(byClass[l]), gridRows))
	}
	cells = make([][]int, rows)
	for r := range cells {
		cells[r] = slices.Repeat([]int{-1}, len(classes))
		for c, l := range classes {
			if r < len(byClass[l]) {
				cells[r][c] = byClass[l][r]
			}
		}
	}
	for _, l := range classes {
		heads = append(heads, strconv.Itoa(l))
	}
	return cells, heads, note
}

// gridImage draws the chosen particles at native resolution.
func gridImage(p PlotData, cells [][]int) *image.RGBA {
	im := p.Image
	rows, cols := len(cells), len(cells[0])
	g := image.NewRGBA(image.Rect(0, 0, cols*im.W+(cols+1)*gridGap, rows*im.H+(rows+1)*gridGap))
	for i := 0; i < len(g.Pix); i += 4 {
		g.Pix[i], g.Pix[i+1], g.Pix[i+2], g.Pix[i+3] = gridFrame.R, gridFrame.G, gridFrame.B, 255
	}
	for r, row := range cells {
		for c, k := range row {
			x0, y0 := gridGap+c*(im.W+gridGap), gridGap+r*(im.H+gridGap)
			if k < 0 {
				for y := range im.H {
					for x := range im.W {
						g.SetRGBA(x0+x, y0+y, gridEmpty)
					}
				}
				continue
			}
			px := p.Particles[k*p.Dim : (k+1)*p.Dim]
			for y := range im.H {
				for x := range im.W {
					v := px[(y*im.W+x)*im.C:]
					r8 := unitByte(v[0])
					col := color.RGBA{R: r8, G: r8, B: r8, A: 255}
					if im.C == 3 {
						col.G, col.B = unitByte(v[1]), unitByte(v[2])
					}
					g.SetRGBA(x0+x, y0+y, col)
				}
			}
		}
	}
	return g
}

// unitByte maps [0, 1] to 0…255, clipping; NaN is drawn black.
func unitByte(v float32) uint8 {
	if !(v > 0) {
		return 0
	}
	if v >= 1 {
		return 255
	}
	return uint8(v*255 + 0.5)
}

// drawGrid draws the title with gonum/plot, then the particle images below
// it, scaled by nearest neighbour (an integer factor when enlarging) and
// centred, with the class label above each column.
func drawGrid(c *vgimg.Canvas, dc draw.Canvas, p PlotData) error {
	cells, heads, note := gridLayout(p)
	pl := plot.New()
	pl.HideAxes()
	pl.Title.Text = p.title(note)
	pl.Draw(dc)
	if cells == nil {
		return nil
	}
	g := gridImage(p, cells)
	dpi := c.DPI()
	area := pl.DataCanvas(dc)
	headStyle := pl.Title.TextStyle
	headStyle.Font.Size = vg.Points(10)
	headStyle.YAlign = draw.YBottom
	var headH vg.Length
	if heads != nil {
		headH = headStyle.Rectangle("0").Size().Y + vg.Points(2)
	}
	out := c.Image()
	H := out.Bounds().Dy()
	// Available pixel box, y measured down from the top of the picture.
	ax0, ax1 := int(math.Ceil(area.Min.X.Dots(dpi))), int(area.Max.X.Dots(dpi))
	ay0, ay1 := H-int((area.Max.Y-headH).Dots(dpi)), H-int(math.Ceil(area.Min.Y.Dots(dpi)))
	gw, gh := g.Bounds().Dx(), g.Bounds().Dy()
	f := math.Min(float64(ax1-ax0)/float64(gw), float64(ay1-ay0)/float64(gh))
	if f <= 0 {
		return nil // no room below the title
	}
	if f >= 1 {
		f = math.Floor(f)
	}
	ow, oh := int(float64(gw)*f), int(float64(gh)*f)
	ox, oy := ax0+(ax1-ax0-ow)/2, ay0+(ay1-ay0-oh)/2
	for y := range oh {
		sy := min(int(float64(y)/f), gh-1)
		for x := range ow {
			sx := min(int(float64(x)/f), gw-1)
			out.Set(ox+x, oy+y, g.RGBAAt(sx, sy))
		}
	}
	// out is the canvas's own image, so the labels drawn now sit in the
	// headH strip reserved above the grid.
	for col, h := range heads {
		cx := float64(ox) + (float64(gridGap)+float64(col)*float64(p.Image.W+gridGap)+float64(p.Image.W)/2)*f
		pt := vg.Point{X: vg.Length(cx * 72 / dpi), Y: vg.Length(float64(H-oy) * 72 / dpi)}
		dc.FillText(headStyle, pt, h)
	}
	return nil
}
