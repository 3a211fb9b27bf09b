package genes

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Confounding is the labels × batches contingency table of a data set.
type Confounding struct {
	Labels  []string // sorted
	Batches []string // sorted
	Counts  [][]int  // Counts[l][b]: samples with label l in batch b
	// CramersV is Cramér's V = √(χ²/(n·(min(rows, cols) − 1))) of the
	// table: 0 when labels are spread alike over the batches, 1 when the
	// label determines the batch (or vice versa). NaN for a 1-row or
	// 1-column table.
	CramersV float64
}

// CheckConfounding cross-tabulates label against batch (one value per
// sample each).
func CheckConfounding(batch, label []string) Confounding {
	if len(batch) != len(label) {
		panic("genes: CheckConfounding: shape mismatch")
	}
	c := Confounding{Labels: distinct(label), Batches: distinct(batch)}
	slices.Sort(c.Labels)
	slices.Sort(c.Batches)
	c.Counts = make([][]int, len(c.Labels))
	for l := range c.Counts {
		c.Counts[l] = make([]int, len(c.Batches))
	}
	for i := range batch {
		c.Counts[slices.Index(c.Labels, label[i])][slices.Index(c.Batches, batch[i])]++
	}
	c.CramersV = math.NaN()
	r, k := len(c.Labels), len(c.Batches)
	if r < 2 || k < 2 {
		return c
	}
	n := float64(len(batch))
	rowSum := make([]float64, r)
	colSum := make([]float64, k)
	for l := range r {
		for b := range k {
			rowSum[l] += float64(c.Counts[l][b])
			colSum[b] += float64(c.Counts[l][b])
		}
	}
	var chi2 float64
	for l := range r {
		for b := range k {
			e := rowSum[l] * colSum[b] / n
			d := float64(c.Counts[l][b]) - e
			chi2 += d * d / e
		}
	}
	c.CramersV = math.Sqrt(chi2 / (n * float64(min(r, k)-1)))
	return c
}

// Warnings returns one sentence per label that is missing from some batch,
// the case in which whole-distribution transport (GPA or ComBat without
// the label as covariate) can erase biology: the samples of such a label
// are pushed onto the other classes of the batch they are matched with.
// It is empty when every label occurs in every batch.
func (c Confounding) Warnings() []string {
	var w []string
	for l, label := range c.Labels {
		var in, out []string
		total := 0
		for b, batch := range c.Batches {
			total += c.Counts[l][b]
			if c.Counts[l][b] > 0 {
				in = append(in, batch)
			} else {
				out = append(out, batch)
			}
		}
		if len(out) == 0 {
			continue
		}
		w = append(w, fmt.Sprintf("label %q (%d samples) occurs only in batch %s, not in %s: whole-distribution transport may map these samples onto other classes (Cramér's V = %.2f)",
			label, total, strings.Join(in, ", "), strings.Join(out, ", "), c.CramersV))
	}
	return w
}
