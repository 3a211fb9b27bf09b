package genes

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// readTable reads a TSV file into its header and rows of fields.
func readTable(t *testing.T, path string) (header []string, rows [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if header == nil {
			header = fields
		} else {
			rows = append(rows, fields)
		}
	}
	return header, rows
}

// checkAgainstProbesTable compares m (samples × probes) with an expected
// probes × samples TSV (GEOquery's parse, NA for missing) within tol.
func checkAgainstProbesTable(t *testing.T, m *Matrix, path string, tol float64) {
	t.Helper()
	header, rows := readTable(t, path)
	if !slices.Equal(m.Samples, header[1:]) {
		t.Fatalf("samples %v, want %v", m.Samples, header[1:])
	}
	var probes []string
	for _, r := range rows {
		probes = append(probes, r[0])
	}
	if !slices.Equal(m.Genes, probes) {
		t.Fatalf("probes %v, want %v", m.Genes, probes)
	}
	for j, r := range rows {
		for i, s := range r[1:] {
			want := math.NaN()
			if s != "NA" {
				var err error
				if want, err = strconv.ParseFloat(s, 64); err != nil {
					t.Fatal(err)
				}
			}
			if got := m.Data[i*m.Cols()+j]; !close64(got, want, tol, 0) {
				t.Errorf("%s %s = %g, want %g", m.Samples[i], m.Genes[j], got, want)
			}
		}
	}
}

func TestReadSeriesMatrix(t *testing.T) {
	for _, name := range []string{"GSE000001_series_matrix.txt", "GSE000001_series_matrix.txt.gz"} {
		t.Run(name, func(t *testing.T) {
			s, err := ReadSeriesMatrixFile(filepath.Join("testdata", "geo", name))
			if err != nil {
				t.Fatal(err)
			}
			// Values as printed: exact.
			checkAgainstProbesTable(t, s.X, filepath.Join("testdata", "geo", "expected_matrix.tsv"), 0)

			var summaries []string
			for _, f := range s.Series {
				if f.Key == "summary" {
					summaries = append(summaries, f.Values...)
				}
			}
			if len(summaries) != 2 {
				t.Errorf("%d !Series_summary values, want 2 (keys repeat)", len(summaries))
			}

			cols, rows := s.SampleTable()
			header, want := readTable(t, filepath.Join("testdata", "geo", "expected_samples.tsv"))
			for c, name := range header {
				k := slices.Index(cols, name)
				if k < 0 {
					t.Errorf("SampleTable has no column %q (has %q)", name, cols)
					continue
				}
				for i := range want {
					if rows[i][k] != want[i][c] {
						t.Errorf("sample %d %s = %q, want %q", i, name, rows[i][k], want[i][c])
					}
				}
			}
			if got := s.Characteristic("er status"); !slices.Equal(got, []string{"positive", "negative", "positive", "positive"}) {
				t.Errorf("Characteristic(er status) = %q", got)
			}

			ds, err := s.Dataset("GSE000001", "group")
			if err != nil {
				t.Fatal(err)
			}
			// The expected file prints 6 decimals: 5e-7 rounding.
			checkAgainstProbesTable(t, ds.X, filepath.Join("testdata", "geo", "expected_log2_complete.tsv"), 5e-7)
			if !slices.Equal(ds.Label, []string{"A", "A", "B", "B"}) || ds.Batch[3] != "GSE000001" {
				t.Errorf("labels %v batches %v", ds.Label, ds.Batch)
			}
		})
	}
}

func TestGEO2RLog2(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []float64
		want bool
	}{
		// q99 > 100: linear.
		{"mas5", []float64{1, 5, 20, 150, 3000}, true},
		// RMA-like log2 range: kept.
		{"rma", []float64{2.5, 6, 8, 11, 14}, false},
		// q99 ≤ 100 but range > 50 with q25 > 0: linear.
		{"range", []float64{1, 2, 3, 4, 99}, true},
		// range > 50 but q25 ≤ 0: kept (already centred data).
		{"centred", []float64{-60, -1, 0, 1, 20}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := NewMatrix([]string{"s"}, []string{"a", "b", "c", "d", "e"}, slices.Clone(tc.data))
			if got := GEO2RLog2(m); got != tc.want {
				t.Fatalf("GEO2RLog2 = %v, want %v", got, tc.want)
			}
			for i, v := range tc.data {
				want := v
				if tc.want {
					want = math.Log2(v)
				}
				if !close64(m.Data[i], want, 0, 1e-15) {
					t.Errorf("value %d = %g, want %g", i, m.Data[i], want)
				}
			}
		})
	}
	// Values ≤ 0 become missing before log2.
	m := NewMatrix([]string{"s"}, []string{"a", "b", "c"}, []float64{0, 400, 8})
	GEO2RLog2(m)
	if !math.IsNaN(m.Data[0]) || m.Data[2] != 3 {
		t.Errorf("log2 of [0 400 8] = %v, want [NaN 8.64 3]", m.Data)
	}
}

func TestQuantile7(t *testing.T) {
	x := []float64{1, 2, 3, 4, 10}
	// R: quantile(c(1,2,3,4,10), c(0, .25, .5, .99, 1)) = 1 2 3 9.76 10
	for _, tc := range []struct{ p, want float64 }{{0, 1}, {0.25, 2}, {0.5, 3}, {0.99, 9.76}, {1, 10}} {
		if got := quantile7(x, tc.p); !close64(got, tc.want, 1e-12, 0) {
			t.Errorf("quantile7(%g) = %g, want %g", tc.p, got, tc.want)
		}
	}
}

func TestDropDuplicateGenes(t *testing.T) {
	m := NewMatrix([]string{"s1", "s2"}, []string{"a", "b", "c", "d"}, []float64{1, 2, 1, 1, 3, 4, 3, 5})
	d, n := m.DropDuplicateGenes()
	if n != 1 || !slices.Equal(d.Genes, []string{"a", "b", "d"}) {
		t.Errorf("DropDuplicateGenes = %v (%d dropped), want [a b d] (1)", d.Genes, n)
	}
}

func TestReadSeriesMatrixErrors(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "geo", "GSE000001_series_matrix.txt"))
	if err != nil {
		t.Fatal(err)
	}
	orig := string(raw)
	lineOf := func(prefix string) int {
		for i, l := range strings.Split(orig, "\n") {
			if strings.HasPrefix(l, prefix) {
				return i + 1
			}
		}
		t.Fatalf("no line %q", prefix)
		return 0
	}
	begin, end := lineOf("!series_matrix_table_begin"), lineOf("!series_matrix_table_end")
	for _, tc := range []struct {
		name      string
		edit      func(string) string
		line, col int
		sentinel  error
	}{
		{"no-table", func(s string) string {
			s = strings.Replace(s, "!series_matrix_table_begin\n", "", 1)
			return strings.Replace(s, "!series_matrix_table_end\n", "", 1)
		}, 0, 0, ErrFormat},
		{"two-tables", func(s string) string {
			return s + "!series_matrix_table_begin\n"
		}, end + 1, 1, ErrFormat},
		{"no-end", func(s string) string {
			return strings.Replace(s, "!series_matrix_table_end\n", "", 1)
		}, 0, 0, ErrFormat},
		{"empty-table", func(s string) string {
			i := strings.Index(s, "!series_matrix_table_begin\n") + len("!series_matrix_table_begin\n")
			j := strings.Index(s, "!series_matrix_table_end")
			return s[:i] + s[j:]
		}, begin, 0, ErrEmpty},
		{"ragged-row", func(s string) string {
			return strings.Replace(s, "\"1053_at\"\t310.2\t295.8\t187.3\t201.6", "\"1053_at\"\t310.2\t295.8\t187.3", 1)
		}, lineOf("\"1053_at\""), 0, ErrRagged},
		{"non-numeric", func(s string) string {
			return strings.Replace(s, "\t187.3\t", "\t18x.3\t", 1)
		}, lineOf("\"1053_at\""), 4, ErrNotNumeric},
		{"sample-line-count", func(s string) string {
			return strings.Replace(s, "!Sample_type\t\"RNA\"\t\"RNA\"\t\"RNA\"\t\"RNA\"", "!Sample_type\t\"RNA\"\t\"RNA\"\t\"RNA\"", 1)
		}, lineOf("!Sample_type"), 0, ErrRagged},
		{"sample-id-mismatch", func(s string) string {
			return strings.Replace(s, "\"ID_REF\"\t\"GSM0000011\"\t\"GSM0000012\"", "\"ID_REF\"\t\"GSM0000011\"\t\"GSM0000099\"", 1)
		}, begin + 1, 3, ErrSampleMismatch},
		{"duplicate-probe", func(s string) string {
			return strings.Replace(s, "\"1053_at\"", "\"1007_s_at\"", 1)
		}, lineOf("\"1053_at\""), 1, ErrDuplicate},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSeriesMatrix(strings.NewReader(tc.edit(orig)), "GSE1.txt")
			wantParseError(t, err, "GSE1.txt", tc.line, tc.col, tc.sentinel)
		})
	}
	t.Run("crlf", func(t *testing.T) {
		s, err := ReadSeriesMatrix(strings.NewReader(strings.ReplaceAll(orig, "\n", "\r\n")), "crlf.txt")
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstProbesTable(t, s.X, filepath.Join("testdata", "geo", "expected_matrix.tsv"), 0)
	})
}
