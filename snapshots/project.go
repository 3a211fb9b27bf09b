package snapshots

import (
	"fmt"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/latent"
)

// Projection chooses how ExportPNG maps d > 2 coordinates to the plane.
type Projection int

const (
	// ProjectAuto uses ProjectPCA when the target (or, without one, the
	// particles) has at least two finite rows, else ProjectFirstTwo.
	ProjectAuto Projection = iota
	// ProjectFirstTwo plots coordinates 1 and 2.
	ProjectFirstTwo
	// ProjectPCA plots the scores on the first two principal components of
	// the target, centred on the target mean.
	ProjectPCA
)

// projector maps one d-dimensional row to plot coordinates.
type projector struct {
	mean   []float64 // centre, length d; nil for the first two coordinates
	v1, v2 []float64 // unit directions, length d
	xLabel string
	yLabel string
}

// newProjector builds the projection for rows of dimension d ≥ 2. For
// ProjectPCA and ProjectAuto it runs PCA (latent.FitPCA32: the centred
// data's SVD) on ref, the target rows, or the particle rows
// when there are fewer than two finite target rows.
func newProjector(mode Projection, d int, ref ...[]float32) projector {
	first := projector{xLabel: "x₁", yLabel: "x₂"}
	if d == 2 || mode == ProjectFirstTwo {
		return first
	}
	for _, rows := range ref {
		if p, ok := pcaProjector(rows, d); ok {
			return p
		}
	}
	return first
}

// pcaProjector fits the first two principal components of the finite rows
// of data (n×d) with latent.FitPCA32; ok is false with fewer than two such
// rows or when the SVD fails.
func pcaProjector(data []float32, d int) (projector, bool) {
	var rows []float32
	n := 0
	for i := 0; i+d <= len(data); i += d {
		if !core.AllFinite(data[i : i+d]) {
			continue
		}
		rows = append(rows, data[i:i+d]...)
		n++
	}
	if n < 2 {
		return projector{}, false
	}
	pca, err := latent.FitPCA32(rows, n, d, 2, true)
	if err != nil {
		return projector{}, false
	}
	comp := pca.Components() // 2×d, orthonormal rows
	p := projector{mean: pca.Mean(), v1: comp[:d], v2: comp[d:]}
	p.xLabel, p.yLabel = "PC1", "PC2"
	if total, vars := pca.TotalVariance(), pca.ExplainedVariance(); total > 0 {
		p.xLabel = fmt.Sprintf("PC1 (%.0f%% of variance)", 100*vars[0]/total)
		p.yLabel = fmt.Sprintf("PC2 (%.0f%% of variance)", 100*vars[1]/total)
	}
	return p, true
}

// project returns the plot coordinates of row: (row−mean)·v1, (row−mean)·v2,
// accumulated in float64, or the first two coordinates.
func (p projector) project(row []float32) (x, y float64) {
	if p.mean == nil {
		return float64(row[0]), float64(row[1])
	}
	mean, v1, v2 := p.mean[:len(row)], p.v1[:len(row)], p.v2[:len(row)]
	for j, r := range row {
		c := float64(r) - mean[j]
		x += c * v1[j]
		y += c * v2[j]
	}
	return x, y
}
