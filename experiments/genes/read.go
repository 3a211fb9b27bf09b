package genes

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

// MatrixOptions tells ReadMatrix how a file is laid out.
type MatrixOptions struct {
	// Comma is the field separator; 0 means ',' for names ending in .csv
	// or .csv.gz and TAB otherwise.
	Comma rune
	// GenesInRows says the file is genes × samples (first column gene IDs,
	// header line sample IDs), as GEO and R's write.table(exprs(...)) write
	// it; the default is samples × genes.
	GenesInRows bool
}

// missingTokens are the cells read as a missing value (NaN): those GEOquery
// reads as NA, plus NaN.
var missingTokens = map[string]bool{"": true, "NA": true, "NaN": true, "null": true, "NULL": true, "Null": true}

// parseCell parses one numeric cell; ok is false for a non-numeric or
// non-finite cell. Missing tokens give NaN.
func parseCell(s string) (v float64, ok bool) {
	if missingTokens[s] {
		return math.NaN(), true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, false
	}
	return v, true
}

// maybeGunzip returns a reader of r's content, decompressed if it starts
// with the gzip magic bytes 1f 8b.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

// openData opens a data file with inputfile.OpenData (regular files
// only, gunzipped, capped against zip bombs).
func openData(path string) (io.Reader, func() error, error) {
	r, f, _, err := inputfile.OpenData(path)
	if err != nil {
		return nil, nil, fmt.Errorf("genes: %w", err)
	}
	return r, f.Close, nil
}

// ReadMatrixFile reads an expression matrix from a TSV or CSV file,
// gzip'd or not (detected from its content). See ReadMatrix.
func ReadMatrixFile(path string, opt MatrixOptions) (*Matrix, error) {
	r, closeFile, err := openData(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	return ReadMatrix(r, path, opt)
}

// ReadMatrix reads an expression matrix from r, a TSV or CSV text
// (gzip'd or not); name is used in error messages and to pick the
// separator. The first line is the header: a corner cell, then the gene
// IDs (samples × genes, the default) or the sample IDs (GenesInRows). Each
// further line is an ID then one number per column. Cells "", NA, NaN,
// null, NULL and Null are missing (NaN); use Matrix.DropIncomplete.
//
// Ragged lines, non-numeric or infinite cells and duplicate IDs give a
// *ParseError naming the file, line and column.
func ReadMatrix(r io.Reader, name string, opt MatrixOptions) (*Matrix, error) {
	in, err := maybeGunzip(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: %v", ErrFormat, err)}
	}
	comma := opt.Comma
	if comma == 0 {
		comma = '\t'
		if base := strings.TrimSuffix(strings.ToLower(name), ".gz"); strings.HasSuffix(base, ".csv") {
			comma = ','
		}
	}
	cr := csv.NewReader(in)
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true

	rec, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: empty file", ErrEmpty)}
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	headLine, _ := cr.FieldPos(0)
	header := append([]string(nil), rec[1:]...)
	if len(header) == 0 {
		return nil, parseErr(name, headLine, 0, ErrEmpty, "header has no columns")
	}
	if j, k := firstDuplicate(header); k >= 0 {
		return nil, parseErr(name, headLine, k+2, ErrDuplicate, "%q repeats column %d", header[k], j+2)
	}
	var ids []string
	var pos []filePos
	var data []float64
	seen := make(map[string]int)
	for {
		rec, err = cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(header)+1 {
			return nil, parseErr(name, line, 0, ErrRagged, "%d fields, want %d as in the header", len(rec), len(header)+1)
		}
		id := rec[0]
		if first, dup := seen[id]; dup {
			return nil, parseErr(name, line, 1, ErrDuplicate, "%q first seen on line %d", id, first)
		}
		seen[id] = line
		for j, s := range rec[1:] {
			v, ok := parseCell(strings.TrimSpace(s))
			if !ok {
				return nil, parseErr(name, line, j+2, ErrNotNumeric, "%q", s)
			}
			data = append(data, v)
		}
		ids = append(ids, id)
		pos = append(pos, filePos{line, 1})
	}
	if len(ids) == 0 {
		return nil, parseErr(name, 0, 0, ErrEmpty, "no data lines")
	}
	m := &Matrix{Samples: ids, Genes: header, Data: data, file: name, pos: pos}
	if opt.GenesInRows {
		m = &Matrix{
			Samples: header,
			Genes:   ids,
			Data:    transpose(data, len(ids), len(header)),
			file:    name,
			pos:     make([]filePos, len(header)),
		}
		for j := range header {
			m.pos[j] = filePos{headLine, j + 2}
		}
	}
	return m, nil
}

// csvErr converts an encoding/csv error into a *ParseError.
func csvErr(name string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: name, Line: pe.Line, Err: fmt.Errorf("%w: %v", ErrFormat, pe.Err)}
	}
	return &ParseError{File: name, Err: fmt.Errorf("%w: %v", ErrFormat, err)}
}

// firstDuplicate returns the indices (j < k) of the first repeated string,
// or (-1, -1).
func firstDuplicate(s []string) (j, k int) {
	seen := make(map[string]int, len(s))
	for k, v := range s {
		if j, ok := seen[v]; ok {
			return j, k
		}
		seen[v] = k
	}
	return -1, -1
}

// SampleSheet is a table of per-sample annotations: one line per sample,
// a header line naming the columns. The sample ID column is the one named
// "sample" (any case), else the first.
type SampleSheet struct {
	Columns []string   // header, in file order
	Samples []string   // sample IDs, in file order
	Values  [][]string // Values[i][c]: sample i, column c (incl. the ID column)

	file  string
	lines []int // line of each sample
}

// Column returns the values of the named column, one per sample, and
// whether the column exists.
func (s *SampleSheet) Column(name string) ([]string, bool) {
	c := -1
	for k, h := range s.Columns {
		if h == name {
			c = k
		}
	}
	if c < 0 {
		return nil, false
	}
	out := make([]string, len(s.Samples))
	for i, row := range s.Values {
		out[i] = row[c]
	}
	return out, true
}

// ReadSampleSheetFile reads a sample sheet from a TSV or CSV file (gzip'd
// or not). See ReadSampleSheet.
func ReadSampleSheetFile(path string) (*SampleSheet, error) {
	r, closeFile, err := openData(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	return ReadSampleSheet(r, path)
}

// ReadSampleSheet reads a sample sheet (TAB-separated, or comma-separated
// if name ends in .csv). Ragged lines and duplicate sample IDs give a
// *ParseError naming the file, line and column.
func ReadSampleSheet(r io.Reader, name string) (*SampleSheet, error) {
	in, err := maybeGunzip(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: %v", ErrFormat, err)}
	}
	cr := csv.NewReader(in)
	cr.Comma = '\t'
	if base := strings.TrimSuffix(strings.ToLower(name), ".gz"); strings.HasSuffix(base, ".csv") {
		cr.Comma = ','
	}
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err == io.EOF {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: empty file", ErrEmpty)}
	}
	if err != nil {
		return nil, csvErr(name, err)
	}
	headLine, _ := cr.FieldPos(0)
	if j, k := firstDuplicate(head); k >= 0 {
		return nil, parseErr(name, headLine, k+1, ErrDuplicate, "column %q repeats column %d", head[k], j+1)
	}
	idCol := 0
	for k, h := range head {
		if strings.EqualFold(h, "sample") {
			idCol = k
			break
		}
	}
	s := &SampleSheet{Columns: head, file: name}
	seen := make(map[string]int)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(name, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != len(head) {
			return nil, parseErr(name, line, 0, ErrRagged, "%d fields, want %d as in the header", len(rec), len(head))
		}
		id := rec[idCol]
		if first, dup := seen[id]; dup {
			return nil, parseErr(name, line, idCol+1, ErrDuplicate, "sample %q first seen on line %d", id, first)
		}
		seen[id] = line
		s.Samples = append(s.Samples, id)
		s.Values = append(s.Values, rec)
		s.lines = append(s.lines, line)
	}
	if len(s.Samples) == 0 {
		return nil, parseErr(name, 0, 0, ErrEmpty, "no samples")
	}
	return s, nil
}
