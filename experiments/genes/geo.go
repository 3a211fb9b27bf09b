package genes

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Field is one header line of a GEO series-matrix file: Key is the name
// after "!Series_" or "!Sample_" (e.g. "title", "characteristics_ch1") and
// Values its unquoted values in order (one per sample for sample fields).
type Field struct {
	Key    string
	Values []string
}

// SeriesMatrix is a parsed GEO series-matrix file
// (GSE<n>_series_matrix.txt.gz): the series header, the sample header and
// the data table, transposed to samples × probes (missing values NaN).
type SeriesMatrix struct {
	Series []Field // !Series_* lines in file order; keys may repeat
	Sample []Field // !Sample_* lines in file order; keys may repeat
	X      *Matrix // samples × probes; sample IDs from the table header
}

// ReadSeriesMatrixFile reads a GEO series-matrix file, gzip'd or not.
func ReadSeriesMatrixFile(path string) (*SeriesMatrix, error) {
	r, closeFile, err := openData(path)
	if err != nil {
		return nil, err
	}
	defer closeFile()
	return ReadSeriesMatrix(r, path)
}

// geoMaxLine bounds one line of a series-matrix file: a GPL570 data line
// has 245 samples × ~12 bytes, sample header lines can be much longer, and
// 64 MiB leaves room for any real file.
const geoMaxLine = 64 << 20

// ReadSeriesMatrix reads a GEO series-matrix text (gzip'd or not) line by
// line; name is used in error messages. The format: !Series_* lines, then
// !Sample_* lines with one quoted value per sample, then the table between
// !series_matrix_table_begin and !series_matrix_table_end whose header is
// "ID_REF" and the sample IDs and whose lines are a probe ID and one number
// per sample (empty, NA, null, NULL, Null: missing). Blank lines and CRLF
// line ends are accepted; one pair of surrounding double quotes is removed
// from each field.
//
// Errors (*ParseError, naming file, line and column): no table or several
// tables, a missing table end, an empty table, a sample line or data line
// with the wrong number of fields, table sample IDs that differ from
// !Sample_geo_accession, duplicate probe IDs and non-numeric cells.
func ReadSeriesMatrix(r io.Reader, name string) (*SeriesMatrix, error) {
	in, err := maybeGunzip(r)
	if err != nil {
		return nil, &ParseError{File: name, Err: fmt.Errorf("%w: %v", ErrFormat, err)}
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 1<<16), geoMaxLine)
	s := &SeriesMatrix{}
	var (
		line, beginLine, headLine int
		inTable, ended            bool
		samples, probes           []string
		data                      []float64 // probes × samples
		nSample                   = -1      // values per !Sample_ line, once known
		nSampleLine               int
		probeLine                 = make(map[string]int)
	)
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		switch {
		case text == "!series_matrix_table_begin":
			if beginLine > 0 {
				return nil, parseErr(name, line, 1, ErrFormat, "second table begin (first on line %d)", beginLine)
			}
			beginLine, inTable = line, true
			continue
		case text == "!series_matrix_table_end":
			if !inTable {
				return nil, parseErr(name, line, 1, ErrFormat, "table end without a table begin")
			}
			inTable, ended = false, true
			continue
		}
		fields := strings.Split(text, "\t")
		for k, f := range fields {
			fields[k] = unquote(f)
		}
		if !inTable {
			switch {
			case strings.HasPrefix(fields[0], "!Series_"):
				s.Series = append(s.Series, Field{strings.TrimPrefix(fields[0], "!Series_"), fields[1:]})
			case strings.HasPrefix(fields[0], "!Sample_"):
				if nSample < 0 {
					nSample, nSampleLine = len(fields)-1, line
				} else if len(fields)-1 != nSample {
					return nil, parseErr(name, line, 0, ErrRagged, "%d values, want %d as on line %d", len(fields)-1, nSample, nSampleLine)
				}
				s.Sample = append(s.Sample, Field{strings.TrimPrefix(fields[0], "!Sample_"), fields[1:]})
			}
			// Other lines outside the table (e.g. !Platform_*) are ignored.
			continue
		}
		if headLine == 0 {
			headLine = line
			samples = fields[1:]
			if nSample >= 0 && len(samples) != nSample {
				return nil, parseErr(name, line, 0, ErrRagged, "table header has %d samples, the !Sample_ lines %d (line %d)", len(samples), nSample, nSampleLine)
			}
			if j, k := firstDuplicate(samples); k >= 0 {
				return nil, parseErr(name, line, k+2, ErrDuplicate, "sample %q repeats column %d", samples[k], j+2)
			}
			continue
		}
		if len(fields) != len(samples)+1 {
			return nil, parseErr(name, line, 0, ErrRagged, "%d fields, want %d as in the table header (line %d)", len(fields), len(samples)+1, headLine)
		}
		id := fields[0]
		if first, dup := probeLine[id]; dup {
			return nil, parseErr(name, line, 1, ErrDuplicate, "probe %q first seen on line %d", id, first)
		}
		probeLine[id] = line
		for j, f := range fields[1:] {
			v, ok := parseCell(strings.TrimSpace(f))
			if !ok {
				return nil, parseErr(name, line, j+2, ErrNotNumeric, "%q", f)
			}
			data = append(data, v)
		}
		probes = append(probes, id)
	}
	if err := sc.Err(); err != nil {
		return nil, parseErr(name, line+1, 0, ErrFormat, "%v", err)
	}
	switch {
	case beginLine == 0:
		return nil, parseErr(name, 0, 0, ErrFormat, "no !series_matrix_table_begin line")
	case !ended:
		return nil, parseErr(name, 0, 0, ErrFormat, "no !series_matrix_table_end after the table begin on line %d", beginLine)
	case len(probes) == 0 || len(samples) == 0:
		return nil, parseErr(name, beginLine, 0, ErrEmpty, "empty data table (the data may be in supplementary files only)")
	}
	// The table's sample IDs must be the !Sample_geo_accession values.
	for _, f := range s.Sample {
		if f.Key != "geo_accession" {
			continue
		}
		for j, id := range samples {
			if f.Values[j] != id {
				return nil, parseErr(name, headLine, j+2, ErrSampleMismatch, "table sample %q, !Sample_geo_accession has %q", id, f.Values[j])
			}
		}
	}
	s.X = &Matrix{
		Samples: samples,
		Genes:   probes,
		Data:    transpose(data, len(probes), len(samples)),
		file:    name,
		pos:     make([]filePos, len(samples)),
	}
	for j := range samples {
		s.X.pos[j] = filePos{headLine, j + 2}
	}
	return s, nil
}

// unquote removes exactly one pair of surrounding double quotes.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// SampleTable returns the sample header as a table in the layout of
// GEOquery's pData: one column per !Sample_ line, a repeated key numbered
// like R's make.unique ("characteristics_ch1", "characteristics_ch1.1",
// ...), then for every "name: value" characteristic a column "name:ch1"
// (split at the first ':', value trimmed). rows[i] is sample i.
func (s *SeriesMatrix) SampleTable() (columns []string, rows [][]string) {
	n := s.X.Rows()
	rows = make([][]string, n)
	count := make(map[string]int)
	for _, f := range s.Sample {
		col := f.Key
		if c := count[f.Key]; c > 0 {
			col = f.Key + "." + strconv.Itoa(c)
		}
		count[f.Key]++
		columns = append(columns, col)
		for i := range n {
			rows[i] = append(rows[i], f.Values[i])
		}
	}
	for _, f := range s.Sample {
		ch, ok := strings.CutPrefix(f.Key, "characteristics_")
		if !ok {
			continue
		}
		name := ""
		for _, v := range f.Values {
			if k, _, ok := strings.Cut(v, ":"); ok {
				name = strings.TrimSpace(k)
				break
			}
		}
		if name == "" || slices.Contains(columns, name+":"+ch) {
			continue
		}
		columns = append(columns, name+":"+ch)
		for i := range n {
			val := ""
			if k, v, ok := strings.Cut(f.Values[i], ":"); ok && strings.TrimSpace(k) == name {
				val = strings.TrimSpace(v)
			}
			rows[i] = append(rows[i], val)
		}
	}
	return columns, rows
}

// Characteristic returns, for each sample, the value of the characteristic
// "name: value" (from any !Sample_characteristics_* line), or "".
func (s *SeriesMatrix) Characteristic(name string) []string {
	out := make([]string, s.X.Rows())
	for _, f := range s.Sample {
		if !strings.HasPrefix(f.Key, "characteristics_") {
			continue
		}
		for i, v := range f.Values {
			if k, val, ok := strings.Cut(v, ":"); ok && strings.TrimSpace(k) == name && out[i] == "" {
				out[i] = strings.TrimSpace(val)
			}
		}
	}
	return out
}

// Dataset returns the series as a Dataset in which every sample has the
// batch batch (e.g. the accession) and the label given by the
// characteristic labelKey ("" for no labels). It applies the GEO2R log2
// rule (GEO2RLog2), then drops probes with a missing value and duplicated
// probes, as the paper's create_dataset.R does.
func (s *SeriesMatrix) Dataset(batch, labelKey string) (*Dataset, error) {
	m := s.X.SubRows(seq(s.X.Rows()))
	GEO2RLog2(m)
	all := m.Genes
	m, _ = m.DropIncomplete()
	dropped := missingFrom(all, m.Genes)
	m, _ = m.DropDuplicateGenes()
	if m.Cols() == 0 {
		return nil, parseErr(s.X.file, 0, 0, ErrEmpty, "no probe without missing values")
	}
	ds := &Dataset{Name: batch, X: m, Batch: make([]string, m.Rows()), Dropped: dropped}
	for i := range ds.Batch {
		ds.Batch[i] = batch
	}
	if labelKey != "" {
		ds.Label = s.Characteristic(labelKey)
	}
	return ds, nil
}

func seq(n int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return idx
}

// GEO2RLog2 applies GEO2R's log2 rule to m in place and reports whether it
// transformed: with q0, q25, q99, q100 the type-7 quantiles (R's default)
// of all non-missing values, the data are taken as linear-scale and
// log2-transformed if q99 > 100 or (q100 − q0 > 50 and q25 > 0); values
// ≤ 0 then become NaN (missing) first.
func GEO2RLog2(m *Matrix) bool {
	var vals []float64
	for _, v := range m.Data {
		if !math.IsNaN(v) {
			vals = append(vals, v)
		}
	}
	if len(vals) == 0 {
		return false
	}
	slices.Sort(vals)
	q0, q25 := quantile7(vals, 0), quantile7(vals, 0.25)
	q99, q100 := quantile7(vals, 0.99), quantile7(vals, 1)
	if !(q99 > 100 || (q100-q0 > 50 && q25 > 0)) {
		return false
	}
	for i, v := range m.Data {
		if v <= 0 {
			m.Data[i] = math.NaN()
		} else {
			m.Data[i] = math.Log2(v)
		}
	}
	return true
}

// quantile7 is R's quantile(x, p, type = 7) of sorted x: linear
// interpolation at position h = (n−1)p.
func quantile7(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[len(sorted)-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}
