package snapshots

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
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
// ProjectPCA and ProjectAuto it runs PCA (gonum stat.PC, which centres the
// data and takes the SVD) on ref, the target rows, or the particle rows
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
// of data (n×d); ok is false with fewer than two such rows or when the SVD
// fails.
func pcaProjector(data []float32, d int) (projector, bool) {
	var rows []float64
	n := 0
	for i := 0; i+d <= len(data); i += d {
		if !finite32(data[i : i+d]) {
			continue
		}
		for _, v := range data[i : i+d] {
			rows = append(rows, float64(v))
		}
		n++
	}
	if n < 2 {
		return projector{}, false
	}
	x := mat.NewDense(n, d, rows)
	var pc stat.PC
	if !pc.PrincipalComponents(x, nil) {
		return projector{}, false
	}
	var vecs mat.Dense
	pc.VectorsTo(&vecs)
	vars := pc.VarsTo(nil)
	total := 0.0
	for _, v := range vars {
		total += v
	}
	mean := make([]float64, d)
	for j := range d {
		mean[j] = stat.Mean(mat.Col(nil, j, x), nil)
	}
	p := projector{
		mean: mean,
		v1:   mat.Col(nil, 0, &vecs),
		v2:   mat.Col(nil, 1, &vecs),
	}
	p.xLabel, p.yLabel = "PC1", "PC2"
	if total > 0 {
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

// finite32 reports whether every element of row is finite.
func finite32(row []float32) bool {
	for _, v := range row {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
