package genes

import (
	"bytes"
	"compress/gzip"
	"math"
	"slices"
	"strings"
	"testing"
)

func gz(s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(s))
	w.Close()
	return b.Bytes()
}

func TestReadMatrix(t *testing.T) {
	const tsv = "sample\tg1\tg2\tg3\ns1\t1.5\t-2\t3e2\ns2\tNA\t0\t\"7\"\n"
	const csvText = "id,g1,g2,g3\r\ns1,1.5,-2,3e2\r\ns2,,0,7\r\n"
	const byGene = "probe\ts1\ts2\ng1\t1.5\tNA\ng2\t-2\t0\ng3\t300\t7\n"
	want := []float64{1.5, -2, 300, math.NaN(), 0, 7}
	for _, tc := range []struct {
		name string
		data []byte
		opt  MatrixOptions
	}{
		{"x.tsv", []byte(tsv), MatrixOptions{}},
		{"x.tsv.gz", gz(tsv), MatrixOptions{}},
		{"x.csv", []byte(csvText), MatrixOptions{}},
		{"x.csv.gz", gz(csvText), MatrixOptions{}},
		{"genes.tsv", []byte(byGene), MatrixOptions{GenesInRows: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ReadMatrix(bytes.NewReader(tc.data), tc.name, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(m.Samples, []string{"s1", "s2"}) || !slices.Equal(m.Genes, []string{"g1", "g2", "g3"}) {
				t.Fatalf("samples %v genes %v", m.Samples, m.Genes)
			}
			for i, w := range want {
				// Parsed decimals are exact.
				if !close64(m.Data[i], w, 0, 0) {
					t.Errorf("Data[%d] = %g, want %g", i, m.Data[i], w)
				}
			}
			d, n := m.DropIncomplete()
			if n != 1 || !slices.Equal(d.Genes, []string{"g2", "g3"}) || !slices.Equal(d.Data, []float64{-2, 300, 0, 7}) {
				t.Errorf("DropIncomplete = %v %v (%d dropped), want g2 g3 [-2 300 0 7] (1)", d.Genes, d.Data, n)
			}
		})
	}
}

func TestReadMatrixErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		opt        MatrixOptions
		line, col  int
		sentinel   error
	}{
		{"ragged", "sample\tg1\tg2\ns1\t1\t2\ns2\t3\n", MatrixOptions{}, 3, 0, ErrRagged},
		{"non-numeric", "sample\tg1\tg2\ns1\t1\t2\ns2\t3\tfour\n", MatrixOptions{}, 3, 3, ErrNotNumeric},
		{"infinite", "sample\tg1\ns1\tInf\n", MatrixOptions{}, 2, 2, ErrNotNumeric},
		{"duplicate-sample", "sample\tg1\ns1\t1\ns1\t2\n", MatrixOptions{}, 3, 1, ErrDuplicate},
		{"duplicate-gene", "sample\tg1\tg1\ns1\t1\t2\n", MatrixOptions{}, 1, 3, ErrDuplicate},
		{"no-columns", "sample\ns1\n", MatrixOptions{}, 1, 0, ErrEmpty},
		{"no-rows", "sample\tg1\n", MatrixOptions{}, 0, 0, ErrEmpty},
		{"empty", "", MatrixOptions{}, 0, 0, ErrEmpty},
		{"csv-non-numeric", "id,g1,g2\ns1,1,x\n", MatrixOptions{Comma: ','}, 2, 3, ErrNotNumeric},
		{"blank-lines-count", "sample\tg1\n\ns1\t1\n\ns2\tz\n", MatrixOptions{}, 5, 2, ErrNotNumeric},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadMatrix(strings.NewReader(tc.text), tc.name+".tsv", tc.opt)
			wantParseError(t, err, tc.name+".tsv", tc.line, tc.col, tc.sentinel)
		})
	}
}

func TestReadSampleSheetErrors(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line, col  int
		sentinel   error
	}{
		{"ragged", "sample\tbatch\ns1\t1\ns2\n", 3, 0, ErrRagged},
		{"duplicate", "batch\tsample\n1\ts1\n2\ts1\n", 3, 2, ErrDuplicate},
		{"duplicate-column", "sample\tbatch\tbatch\ns1\t1\t1\n", 1, 3, ErrDuplicate},
		{"no-samples", "sample\tbatch\n", 0, 0, ErrEmpty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadSampleSheet(strings.NewReader(tc.text), "sheet.tsv")
			wantParseError(t, err, "sheet.tsv", tc.line, tc.col, tc.sentinel)
		})
	}
}

func TestNewDataset(t *testing.T) {
	m, err := ReadMatrix(strings.NewReader("sample\tg1\ns1\t1\ns2\t2\ns3\t3\n"), "m.tsv", MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mByGene, err := ReadMatrix(strings.NewReader("id\ts1\ts2\ts3\ng1\t1\t2\t3\n"), "g.tsv", MatrixOptions{GenesInRows: true})
	if err != nil {
		t.Fatal(err)
	}
	sheet := func(text string) *SampleSheet {
		s, err := ReadSampleSheet(strings.NewReader(text), "s.tsv")
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	t.Run("reordered", func(t *testing.T) {
		ds, err := NewDataset("x", m, sheet("sample\tbatch\tkind\ns3\tb\tu\ns1\ta\tv\ns2\ta\tu\n"), "batch", "kind")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(ds.Batch, []string{"a", "a", "b"}) || !slices.Equal(ds.Label, []string{"v", "u", "u"}) {
			t.Errorf("batch %v label %v, want [a a b] [v u u]", ds.Batch, ds.Label)
		}
		if got := ds.Where("a"); !slices.Equal(got, []int{0, 1}) {
			t.Errorf("Where(a) = %v, want [0 1]", got)
		}
	})
	for _, tc := range []struct {
		name, text string
		m          *Matrix
		file       string
		line, col  int
		sentinel   error
	}{
		// s3 (line 4 of m.tsv) has no sheet entry.
		{"missing-in-sheet", "sample\tbatch\ns1\ta\ns2\ta\n", m, "m.tsv", 4, 1, ErrSampleMismatch},
		// Same, matrix with samples in the header: line 1, field 4.
		{"missing-in-sheet-genes-in-rows", "sample\tbatch\ns1\ta\ns2\ta\n", mByGene, "g.tsv", 1, 4, ErrSampleMismatch},
		// s9 (line 3 of s.tsv, second column) is not in the matrix.
		{"missing-in-matrix", "batch\tsample\na\ts1\na\ts9\na\ts2\na\ts3\n", m, "s.tsv", 3, 2, ErrSampleMismatch},
		{"no-batch-column", "sample\tgroup\ns1\ta\ns2\ta\ns3\ta\n", m, "s.tsv", 1, 0, ErrFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewDataset("x", tc.m, sheet(tc.text), "batch", "")
			wantParseError(t, err, tc.file, tc.line, tc.col, tc.sentinel)
		})
	}
}

// TestBladder checks the shipped data against its README: 57 samples ×
// 2,000 probes in the order of samples.tsv, and the batch × cancer table.
func TestBladder(t *testing.T) {
	ds, err := Bladder()
	if err != nil {
		t.Fatal(err)
	}
	if ds.X.Rows() != 57 || ds.X.Cols() != 2000 {
		t.Fatalf("bladder is %d×%d, want 57×2000", ds.X.Rows(), ds.X.Cols())
	}
	if ds.X.Samples[0] != "GSM71019" || ds.X.Genes[0] != "1405_i_at" || ds.X.Data[0] != 4.942097 {
		t.Errorf("first cell %s %s %g, want GSM71019 1405_i_at 4.942097", ds.X.Samples[0], ds.X.Genes[0], ds.X.Data[0])
	}
	c := CheckConfounding(ds.Batch, ds.Label)
	want := [][]int{ // README table: rows Biopsy, Cancer, Normal; batches 1..5
		{0, 0, 0, 5, 4},
		{11, 14, 0, 0, 15},
		{0, 4, 4, 0, 0},
	}
	if !slices.Equal(c.Labels, []string{"Biopsy", "Cancer", "Normal"}) || !slices.Equal(c.Batches, []string{"1", "2", "3", "4", "5"}) {
		t.Fatalf("labels %v batches %v", c.Labels, c.Batches)
	}
	for l := range want {
		if !slices.Equal(c.Counts[l], want[l]) {
			t.Errorf("%s counts %v, want %v", c.Labels[l], c.Counts[l], want[l])
		}
	}
	for _, v := range ds.X.Data {
		if !(v >= 2.7 && v <= 14.1) { // README: RMA log2 range 2.77 .. 14.03
			t.Fatalf("value %g outside the README's range", v)
		}
	}
}

func TestMerge(t *testing.T) {
	a := &Dataset{Name: "A", X: NewMatrix([]string{"a1", "a2"}, []string{"g1", "g2", "g3"}, []float64{1, 2, 3, 4, 5, 6}), Batch: []string{"A", "A"}, Label: []string{"x", "y"}}
	b := &Dataset{Name: "B", X: NewMatrix([]string{"b1"}, []string{"g3", "g1"}, []float64{30, 10}), Batch: []string{"B"}}
	m, err := Merge("AB", a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.X.Genes, []string{"g1", "g3"}) || !slices.Equal(m.X.Data, []float64{1, 3, 4, 6, 10, 30}) ||
		!slices.Equal(m.Batch, []string{"A", "A", "B"}) || !slices.Equal(m.Label, []string{"x", "y", ""}) {
		t.Errorf("Merge = %v %v %v %v", m.X.Genes, m.X.Data, m.Batch, m.Label)
	}
	if _, err := Merge("AA", a, a); err == nil {
		t.Error("Merge of a set with itself: want a duplicate-sample error")
	}
}
