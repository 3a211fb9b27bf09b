package genes

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
)

// Dataset is an expression matrix with, for each sample, its batch (the
// processing batch or the data set it came from) and an optional biological
// label (class) used by the metrics and the covariate-aware ComBat.
type Dataset struct {
	Name  string
	X     *Matrix
	Batch []string // len X.Rows()
	Label []string // len X.Rows(), or nil when there are no labels
	// Dropped are the genes left out while loading because a sample has no
	// value for them (GEO2R and the paper's create_dataset.R do the same).
	Dropped []string
}

// NewDataset joins a matrix and a sample sheet. batchCol names the sheet
// column holding the batch; labelCol names the label column, or is "" for
// none. The samples of m and of the sheet must be the same set (any order):
// a sample in one but not the other is an ErrSampleMismatch *ParseError
// naming the file, line and column where its ID was read.
func NewDataset(name string, m *Matrix, sheet *SampleSheet, batchCol, labelCol string) (*Dataset, error) {
	batch, ok := sheet.Column(batchCol)
	if !ok {
		return nil, parseErr(sheet.file, 1, 0, ErrFormat, "no column %q (have %q)", batchCol, sheet.Columns)
	}
	var label []string
	if labelCol != "" {
		if label, ok = sheet.Column(labelCol); !ok {
			return nil, parseErr(sheet.file, 1, 0, ErrFormat, "no column %q (have %q)", labelCol, sheet.Columns)
		}
	}
	row := make(map[string]int, len(sheet.Samples))
	for i, s := range sheet.Samples {
		row[s] = i
	}
	ds := &Dataset{Name: name, X: m, Batch: make([]string, m.Rows())}
	if label != nil {
		ds.Label = make([]string, m.Rows())
	}
	inMatrix := make(map[string]bool, m.Rows())
	for i, s := range m.Samples {
		inMatrix[s] = true
		r, ok := row[s]
		if !ok {
			line, col := m.where(i)
			return nil, parseErr(m.file, line, col, ErrSampleMismatch, "sample %q is not in the sample sheet %s", s, sheet.file)
		}
		ds.Batch[i] = batch[r]
		if label != nil {
			ds.Label[i] = label[r]
		}
	}
	for i, s := range sheet.Samples {
		if !inMatrix[s] {
			idCol := 1
			for k, v := range sheet.Values[i] {
				if v == s {
					idCol = k + 1
					break
				}
			}
			return nil, parseErr(sheet.file, sheet.lines[i], idCol, ErrSampleMismatch, "sample %q is not in the matrix %s", s, m.file)
		}
	}
	return ds, nil
}

// LoadDataset reads a matrix file and a sample-sheet file and joins them
// (NewDataset). Genes with a missing value are dropped.
func LoadDataset(matrixPath, sheetPath, batchCol, labelCol string, opt MatrixOptions) (*Dataset, error) {
	m, err := ReadMatrixFile(matrixPath, opt)
	if err != nil {
		return nil, err
	}
	sheet, err := ReadSampleSheetFile(sheetPath)
	if err != nil {
		return nil, err
	}
	ds, err := NewDataset(matrixPath, m, sheet, batchCol, labelCol)
	if err != nil {
		return nil, err
	}
	all := ds.X.Genes
	ds.X, _ = ds.X.DropIncomplete()
	ds.Dropped = missingFrom(all, ds.X.Genes)
	if ds.X.Cols() == 0 {
		return nil, parseErr(matrixPath, 0, 0, ErrEmpty, "every gene has a missing value")
	}
	return ds, nil
}

//go:embed bladderbatch/expr_top2000.tsv.gz
var bladderExpr []byte

//go:embed bladderbatch/samples.tsv
var bladderSamples []byte

// Bladder returns the bladder-cancer microarray data shipped in the binary
// (Bioconductor bladderbatch, Dyrskjot et al. 2004; Artistic-2.0, see
// bladderbatch/COPYRIGHT.debian): 57 samples × the 2,000 most variable
// probes, RMA log2 expression, 5 processing batches ("1".."5"), labels from
// the sample sheet's "cancer" column (Biopsy, Cancer, Normal).
func Bladder() (*Dataset, error) {
	m, err := ReadMatrix(bytes.NewReader(bladderExpr), "bladderbatch/expr_top2000.tsv.gz", MatrixOptions{})
	if err != nil {
		return nil, err
	}
	sheet, err := ReadSampleSheet(bytes.NewReader(bladderSamples), "bladderbatch/samples.tsv")
	if err != nil {
		return nil, err
	}
	return NewDataset("bladderbatch", m, sheet, "batch", "cancer")
}

// Subset returns the samples idx, in that order.
func (d *Dataset) Subset(idx []int) *Dataset {
	out := &Dataset{Name: d.Name, X: d.X.SubRows(idx), Batch: make([]string, len(idx))}
	if d.Label != nil {
		out.Label = make([]string, len(idx))
	}
	for k, i := range idx {
		out.Batch[k] = d.Batch[i]
		if d.Label != nil {
			out.Label[k] = d.Label[i]
		}
	}
	return out
}

// Where returns the indices of the samples whose batch is one of batches,
// in sample order.
func (d *Dataset) Where(batches ...string) []int {
	var idx []int
	for i, b := range d.Batch {
		if slices.Contains(batches, b) {
			idx = append(idx, i)
		}
	}
	return idx
}

// Batches returns the distinct batches in order of first appearance.
func (d *Dataset) Batches() []string { return distinct(d.Batch) }

func distinct(s []string) []string {
	var out []string
	seen := make(map[string]bool)
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// Merge concatenates data sets (for example a source and a target read
// from two files) on the genes they all have, in the order of the first.
// Sample IDs must be distinct across the sets. If a set has labels and
// another has none, the missing labels are "".
func Merge(name string, sets ...*Dataset) (*Dataset, error) {
	if len(sets) == 0 {
		panic("genes: Merge: no data sets")
	}
	common := make(map[string]int)
	for _, s := range sets {
		for _, g := range s.X.Genes {
			common[g]++
		}
	}
	var genes []string
	for _, g := range sets[0].X.Genes {
		if common[g] == len(sets) {
			genes = append(genes, g)
		}
	}
	if len(genes) == 0 {
		return nil, fmt.Errorf("genes: Merge: %w: the data sets share no gene", ErrEmpty)
	}
	labelled := false
	for _, s := range sets {
		labelled = labelled || s.Label != nil
	}
	out := &Dataset{Name: name, X: &Matrix{Genes: genes}}
	seen := make(map[string]string)
	for _, s := range sets {
		col := make(map[string]int, s.X.Cols())
		for j, g := range s.X.Genes {
			col[g] = j
		}
		for i, id := range s.X.Samples {
			if prev, dup := seen[id]; dup {
				return nil, fmt.Errorf("genes: Merge: %w: sample %q is in %s and %s", ErrDuplicate, id, prev, s.Name)
			}
			seen[id] = s.Name
			row := s.X.Row(i)
			for _, g := range genes {
				out.X.Data = append(out.X.Data, row[col[g]])
			}
			out.X.Samples = append(out.X.Samples, id)
			out.Batch = append(out.Batch, s.Batch[i])
			if labelled {
				l := ""
				if s.Label != nil {
					l = s.Label[i]
				}
				out.Label = append(out.Label, l)
			}
		}
	}
	for _, set := range sets {
		out.Dropped = append(out.Dropped, set.Dropped...)
	}
	return out, nil
}

// missingFrom lists the names of all that are not in kept (in order).
func missingFrom(all, kept []string) []string {
	in := make(map[string]bool, len(kept))
	for _, g := range kept {
		in[g] = true
	}
	var out []string
	for _, g := range all {
		if !in[g] {
			out = append(out, g)
		}
	}
	return out
}
