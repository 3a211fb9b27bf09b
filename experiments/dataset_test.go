package experiments

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

func TestSampleReproducible(t *testing.T) {
	for _, ds := range []Dataset{
		{Kind: "gaussian", N: 50, Mean: []float64{1, 2}, Std: 0.5},
		{Kind: "mixture", N: 50, Centers: [][]float64{{0, 0}, {4, 4}}, Std: 0.5},
		{Kind: "student-t-mixture", N: 50, Centers: [][]float64{{0, 0}}, Nu: 0.5, Std: 1},
		{Kind: "uniform", N: 50, Low: []float64{-1, 0}, High: []float64{1, 3}},
		{Kind: "logistic", N: 50, Dim: 3, Std: 1},
	} {
		t.Run(ds.Kind, func(t *testing.T) {
			a, n, d, err := ds.Sample(rand.NewPCG(7, 1))
			if err != nil {
				t.Fatal(err)
			}
			b, _, _, _ := ds.Sample(rand.NewPCG(7, 1))
			c, _, _, _ := ds.Sample(rand.NewPCG(8, 1))
			if n != 50 || len(a) != n*d {
				t.Fatalf("got %d rows of %d (len %d)", n, d, len(a))
			}
			if !slices.Equal(a, b) {
				t.Error("same seed gave different samples")
			}
			if slices.Equal(a, c) {
				t.Error("different seeds gave the same samples")
			}
			if !core.AllFinite(a) {
				t.Error("non-finite sample")
			}
		})
	}
}

func TestSampleMoments(t *testing.T) {
	ds := Dataset{Kind: "mixture", N: 20000, Centers: [][]float64{{0, 0}, {0, 4}, {4, 0}, {4, 4}}, Std: 0.5}
	x, n, d, err := ds.Sample(rand.NewPCG(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	var counts [4]int
	for i := range n {
		k := 0
		if x[i*d] > 2 {
			k += 2
		}
		if x[i*d+1] > 2 {
			k++
		}
		counts[k]++
	}
	for k, c := range counts {
		// Each well has probability 1/4; 4 binomial standard deviations
		// at n = 20000 are 4·√(n·3/16) ≈ 245.
		if math.Abs(float64(c)-5000) > 245 {
			t.Errorf("well %d holds %d of 20000 samples, want 5000 ± 245", k, c)
		}
	}
	// Uniform box: all samples inside, mean at the centre.
	u := Dataset{Kind: "uniform", N: 10000, Low: []float64{-2, 10}, High: []float64{2, 11}}
	y, m, _, _ := u.Sample(rand.NewPCG(1, 2))
	var mean float64
	for i := range m {
		if y[2*i] < -2 || y[2*i] > 2 || y[2*i+1] < 10 || y[2*i+1] > 11 {
			t.Fatalf("sample %v outside the box", y[2*i:2*i+2])
		}
		mean += float64(y[2*i+1])
	}
	if mean /= float64(m); math.Abs(mean-10.5) > 0.02 {
		t.Errorf("uniform mean %g, want 10.5", mean)
	}
}

func TestReadMatrixFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	x, r, c, err := ReadMatrixFile(write("a.csv", "x,y\n1,2\n3,4.5\n"))
	if err != nil || r != 2 || c != 2 || !slices.Equal(x, []float32{1, 2, 3, 4.5}) {
		t.Errorf("csv: %v %d %d %v", x, r, c, err)
	}
	x, r, c, err = ReadMatrixFile(write("a.tsv", "1\t2\t3\n"))
	if err != nil || r != 1 || c != 3 || !slices.Equal(x, []float32{1, 2, 3}) {
		t.Errorf("tsv: %v %d %d %v", x, r, c, err)
	}
	// A float32 .npy of shape (2, 2): header padded to a multiple of 64.
	hdr := "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }"
	hdr += strings.Repeat(" ", 128-10-len(hdr)-1) + "\n"
	npy := []byte("\x93NUMPY\x01\x00")
	npy = append(npy, byte(len(hdr)), 0)
	npy = append(npy, hdr...)
	for _, v := range []float32{1, -2, 3.5, 0} {
		b := math.Float32bits(v)
		npy = append(npy, byte(b), byte(b>>8), byte(b>>16), byte(b>>24))
	}
	x, r, c, err = ReadMatrixFile(write("a.npy", string(npy)))
	if err != nil || r != 2 || c != 2 || !slices.Equal(x, []float32{1, -2, 3.5, 0}) {
		t.Errorf("npy: %v %d %d %v", x, r, c, err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"ragged.csv", "1,2\n3\n", "line 2: 1 fields, want 2"},
		{"text.csv", "1,2\n3,abc\n", `line 2, column 2: "abc" is not a number`},
		{"nan.csv", "1,2\nnan,4\n", "row 2, column 1"},
		{"empty.csv", "a,b\n", "no data rows"},
		{"bad.npy", "hello", "no \\x93NUMPY magic"},
	} {
		_, _, _, err := ReadMatrixFile(write(tc.name, tc.body))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: error %v, want one naming the file and %q", tc.name, err, tc.want)
		}
	}
	if _, _, _, err := ReadMatrixFile(filepath.Join(dir, "missing.csv")); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
}

// TestReadMatrixFileHostile: the sample reader refuses, at once and without
// allocating, the crafted .npy files of issue #14 and anything that is not
// a regular file.
func TestReadMatrixFileHostile(t *testing.T) {
	dir := t.TempDir()
	npyHeader := func(h string) []byte {
		h += strings.Repeat(" ", 64-(10+len(h)+1)%64) + "\n"
		b := []byte("\x93NUMPY\x01\x00")
		b = append(b, byte(len(h)), byte(len(h)>>8))
		return append(b, h...)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct{ name, header, want string }{
		{"overflow.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 3037000500), }", "overflows"},
		{"wrap.npy", "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", "overflows"},
		{"short.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }", "have 0"},
		{"rank3.npy", "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1), }", "want 1-D or 2-D"},
	} {
		p := write(tc.name, npyHeader(tc.header))
		if tc.name == "rank3.npy" {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte{0, 0, 128, 63})
			f.Close()
		}
		if _, _, _, err := ReadMatrixFile(p); err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
			t.Errorf("%s: %v, want an error naming the file and %q", tc.name, err, tc.want)
		}
	}
	// Fortran order is read, transposed into rows.
	p := write("fortran.npy", append(npyHeader("{'descr': '<f4', 'fortran_order':True, 'shape': (2, 3), }"),
		0, 0, 128, 63, 0, 0, 0, 64, 0, 0, 64, 64, 0, 0, 128, 64, 0, 0, 160, 64, 0, 0, 192, 64))
	x, r, c, err := ReadMatrixFile(p)
	if err != nil || r != 2 || c != 3 || !slices.Equal(x, []float32{1, 3, 5, 2, 4, 6}) {
		t.Errorf("Fortran order: %v %d×%d %v, want [1 3 5 2 4 6] 2×3", x, r, c, err)
	}
	if _, _, _, err := ReadMatrixFile(dir); err == nil || !strings.Contains(err.Error(), "a directory") {
		t.Errorf("directory: %v", err)
	}
}
