package genes

import (
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/gonum/mat"
)

// Matrix is a samples × genes expression matrix: Data is row-major with
// one sample per row, Data[i*len(Genes)+j] = expression of gene j in
// sample i. A missing value is NaN.
type Matrix struct {
	Samples []string
	Genes   []string
	Data    []float64

	file string    // input file name, for error messages; "" if built in memory
	pos  []filePos // where each sample ID was read, parallel to Samples
}

// filePos is a 1-based line and field position in an input file.
type filePos struct{ line, col int }

// NewMatrix returns a Matrix over data, which it keeps (no copy). It panics
// if len(data) != len(samples)*len(genes).
func NewMatrix(samples, genes []string, data []float64) *Matrix {
	if len(data) != len(samples)*len(genes) {
		panic("genes: NewMatrix: shape mismatch")
	}
	return &Matrix{Samples: samples, Genes: genes, Data: data}
}

// Rows returns the number of samples.
func (m *Matrix) Rows() int { return len(m.Samples) }

// Cols returns the number of genes (probes).
func (m *Matrix) Cols() int { return len(m.Genes) }

// Row returns sample i's row, a slice of Data (not a copy).
func (m *Matrix) Row(i int) []float64 {
	c := len(m.Genes)
	return m.Data[i*c : (i+1)*c : (i+1)*c]
}

// File returns the name of the file the matrix was read from, or "".
func (m *Matrix) File() string { return m.file }

// where returns the file position of sample i's ID (0, 0 if unknown).
func (m *Matrix) where(i int) (line, col int) {
	if i < len(m.pos) {
		return m.pos[i].line, m.pos[i].col
	}
	return 0, 0
}

// SubRows returns a new matrix with the samples idx, in that order.
func (m *Matrix) SubRows(idx []int) *Matrix {
	c := m.Cols()
	out := &Matrix{
		Samples: make([]string, len(idx)),
		Genes:   slices.Clone(m.Genes),
		Data:    make([]float64, 0, len(idx)*c),
		file:    m.file,
	}
	if m.pos != nil {
		out.pos = make([]filePos, len(idx))
	}
	for k, i := range idx {
		out.Samples[k] = m.Samples[i]
		out.Data = append(out.Data, m.Row(i)...)
		if m.pos != nil {
			out.pos[k] = m.pos[i]
		}
	}
	return out
}

// SubCols returns a new matrix with the genes idx, in that order.
func (m *Matrix) SubCols(idx []int) *Matrix {
	out := &Matrix{
		Samples: slices.Clone(m.Samples),
		Genes:   make([]string, len(idx)),
		Data:    make([]float64, 0, m.Rows()*len(idx)),
		file:    m.file,
		pos:     slices.Clone(m.pos),
	}
	for k, j := range idx {
		out.Genes[k] = m.Genes[j]
	}
	for i := range m.Rows() {
		row := m.Row(i)
		for _, j := range idx {
			out.Data = append(out.Data, row[j])
		}
	}
	return out
}

// DropIncomplete returns the matrix without the genes that have a missing
// (NaN) value in any sample, and how many genes it dropped (GEO2R and the
// paper's create_dataset.R drop such probes).
func (m *Matrix) DropIncomplete() (*Matrix, int) {
	keep := make([]int, 0, m.Cols())
	for j := range m.Cols() {
		ok := true
		for i := range m.Rows() {
			if math.IsNaN(m.Data[i*m.Cols()+j]) {
				ok = false
				break
			}
		}
		if ok {
			keep = append(keep, j)
		}
	}
	return m.SubCols(keep), m.Cols() - len(keep)
}

// DropDuplicateGenes returns the matrix without the genes whose values in
// every sample equal those of an earlier gene (R's duplicated() on the
// probes × samples matrix, which create_dataset.R applies), and how many it
// dropped. Values compare exactly.
func (m *Matrix) DropDuplicateGenes() (*Matrix, int) {
	seen := make(map[string]bool, m.Cols())
	keep := make([]int, 0, m.Cols())
	var key []byte
	for j := range m.Cols() {
		key = key[:0]
		for i := range m.Rows() {
			key = strconv.AppendUint(key, math.Float64bits(m.Data[i*m.Cols()+j]), 16)
			key = append(key, ',')
		}
		if seen[string(key)] {
			continue
		}
		seen[string(key)] = true
		keep = append(keep, j)
	}
	return m.SubCols(keep), m.Cols() - len(keep)
}

// transpose returns the cols×rows transpose of the rows×cols row-major a
// (gonum's mat).
func transpose(a []float64, rows, cols int) []float64 {
	if rows == 0 || cols == 0 {
		return []float64{}
	}
	return mat.DenseCopyOf(mat.NewDense(rows, cols, a).T()).RawMatrix().Data
}
