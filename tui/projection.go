package tui

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/core"
)

// projMode is how points of dimension d > 2 are shown in the plane.
type projMode int

const (
	projFirst  projMode = iota // coordinates 0 and 1
	projPCA                    // the problem's own view (core.Problem.Projection), e.g. the targets' PCA
	projChoose                 // coordinates picked with x and y
)

// projection maps d-dimensional rows to the plane for the scatter. It
// selects coordinates itself and leaves any arithmetic (PCA) to the
// problem's projection, computed outside the TUI.
type projection struct {
	mode   projMode
	dim    int
	ax, ay int              // coordinates in projChoose mode
	pca    *core.Projection // nil: no such view
}

// caption names the projection for the plot legend.
func (p projection) caption() string {
	switch {
	case p.dim == 1:
		return "x0"
	case p.mode == projPCA:
		return p.pca.Name
	case p.mode == projChoose:
		return fmt.Sprintf("x%d vs x%d (x/y change)", p.ax, p.ay)
	}
	return "x0 vs x1"
}

// next is the following mode in the cycle first → PCA → choose → first,
// skipping PCA when there is no such view and every mode for d ≤ 2.
func (p projection) next() projection {
	if p.dim <= 2 {
		return p
	}
	switch p.mode {
	case projFirst:
		if p.pca != nil {
			p.mode = projPCA
		} else {
			p.mode = projChoose
		}
	case projPCA:
		p.mode = projChoose
	default:
		p.mode = projFirst
	}
	return p
}

// to2D writes the projection of rows points of src (rows×dim) into dst,
// grown as needed, and returns it (rows×2). For d = 1 the second
// coordinate is 0.
func (p projection) to2D(dst, src []float32, rows int) []float32 {
	if len(src) < rows*p.dim {
		panic("tui: projection.to2D: short source")
	}
	if cap(dst) < 2*rows {
		dst = make([]float32, 2*rows)
	}
	dst = dst[:2*rows]
	if p.mode == projPCA && p.pca != nil && p.dim > 2 {
		p.pca.To2D(dst, src, rows)
		return dst
	}
	ax, ay := 0, 1
	if p.mode == projChoose && p.dim > 2 {
		ax, ay = p.ax, p.ay
	}
	d := p.dim
	for i := range rows {
		dst[2*i] = src[i*d+ax]
		if d > 1 {
			dst[2*i+1] = src[i*d+ay]
		} else {
			dst[2*i+1] = 0
		}
	}
	return dst
}
