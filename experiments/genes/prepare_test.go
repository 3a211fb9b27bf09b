package genes

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"testing"
)

func bladderPair(t testing.TB) (*Dataset, []int, []int) {
	t.Helper()
	ds, err := Bladder()
	if err != nil {
		t.Fatal(err)
	}
	return ds, ds.Where("2"), ds.Where("5")
}

// meanShift is the dummy transport of the tests: every particle moves by
// mean(X) − mean(Y), which matches the latent means exactly.
func meanShift(p *Prepared) []float32 {
	d := p.Dim()
	shift := make([]float64, d)
	for i, v := range p.X {
		shift[i%d] += float64(v) / float64(p.N())
	}
	for i, v := range p.Y {
		shift[i%d] -= float64(v) / float64(p.M())
	}
	z := slices.Clone(p.Y)
	for i := range z {
		z[i] += float32(shift[i%d])
	}
	return z
}

func TestPrepare(t *testing.T) {
	ds, src, tgt := bladderPair(t)
	for _, std := range []Standardization{Pooled, PerSet} {
		t.Run(std.String(), func(t *testing.T) {
			p, err := Prepare(ds, src, tgt, Options{Dim: 5, Standardize: std})
			if err != nil {
				t.Fatal(err)
			}
			if p.M() != 18 || p.N() != 19 || len(p.Y) != 18*5 || len(p.X) != 19*5 {
				t.Fatalf("M=%d N=%d len(Y)=%d len(X)=%d, want 18, 19, 90, 95", p.M(), p.N(), len(p.Y), len(p.X))
			}
			// Latents of standardized pooled data have mean 0 (PCA centring):
			// float32 storage of values ~30 gives ~1e-5 error per entry.
			d := p.Dim()
			for l := range d {
				var s float64
				for i := range p.M() {
					s += float64(p.Y[i*d+l])
				}
				for i := range p.N() {
					s += float64(p.X[i*d+l])
				}
				if !close64(s/37, 0, 1e-4, 0) {
					t.Errorf("latent mean[%d] = %g, want 0", l, s/37)
				}
			}
			// Identity transport decodes to the source in the target frame:
			// the source itself when pooled. float32 latents of size ~40
			// carry ~4e-6 error, times gene sds ≤ 3.
			got := p.Decode(p.Y)
			want := p.SourceGenes()
			if std == PerSet {
				// per set: source standardized by its own stats, put in target units.
				st := make([]float64, len(want))
				p.src.ApplyTo(st, want)
				p.tgt.InvertTo(want, st)
			}
			for i := range want {
				if !close64(got[i], want[i], 3e-5, 0) {
					t.Fatalf("Decode(Y)[%d] = %g, want %g", i, got[i], want[i])
				}
			}
			// Merged: all 57 samples in input order, targets and other
			// batches untouched, sources replaced by the decoded ones.
			z := meanShift(p)
			dec := p.Decode(z)
			m := p.Merged(z)
			if !slices.Equal(m.Samples, ds.X.Samples) || !slices.Equal(m.Genes, ds.X.Genes) {
				t.Fatal("Merged changed the sample or gene order")
			}
			for i := range ds.X.Rows() {
				row := ds.X.Row(i)
				if k := slices.Index(src, i); k >= 0 {
					row = dec[k*ds.X.Cols() : (k+1)*ds.X.Cols()]
				}
				if !slices.Equal(m.Row(i), row) {
					t.Fatalf("Merged row %s differs", ds.X.Samples[i])
				}
			}
			// The decoded samples encode back to z (E∘D = id on the latent space,
			// also with the residual kept): float32 rounding of values ~40.
			back := p.Encode(dec)
			for i := range z {
				if !close64(float64(back[i]), float64(z[i]), 1e-4, 0) {
					t.Fatalf("E(Decode(z))[%d] = %g, want %g", i, back[i], z[i])
				}
			}
		})
	}
}

// TestPrepareFullRankReconstruct: with d′ = 36, the rank of the 37 centred
// samples, the paper's reconstruction D(E(x)) is x itself.
func TestPrepareFullRankReconstruct(t *testing.T) {
	ds, src, tgt := bladderPair(t)
	p, err := Prepare(ds, src, tgt, Options{Dim: 36, Reconstruct: true})
	if err != nil {
		t.Fatal(err)
	}
	got, want := p.Decode(p.Y), p.SourceGenes()
	for i := range want {
		// float32 latents (~1e-7 relative of |z| ≤ 60) times sd ≤ 3.
		if !close64(got[i], want[i], 1e-4, 0) {
			t.Fatalf("D(E(x))[%d] = %g, want %g", i, got[i], want[i])
		}
	}
	// At d′ = 2 the reconstruction loses most of the data.
	p2, err := Prepare(ds, src, tgt, Options{Dim: 2, Reconstruct: true})
	if err != nil {
		t.Fatal(err)
	}
	if d := MeanDistance(p2.Decode(p2.Y), want, ds.X.Cols()); !(d > 1) {
		t.Errorf("d′=2 reconstruction error %g, want large", d)
	}
}

func TestPrepareErrors(t *testing.T) {
	ds, src, tgt := bladderPair(t)
	for _, tc := range []struct {
		name     string
		src, tgt []int
		opt      Options
		sentinel error
	}{
		{"empty-source", nil, tgt, Options{Dim: 2}, ErrEmpty},
		{"overlap", src, append(slices.Clone(tgt), src[0]), Options{Dim: 2}, ErrDuplicate},
		{"dim-zero", src, tgt, Options{Dim: 0}, nil},
		{"dim-too-big", src, tgt, Options{Dim: 38}, nil},
		{"bad-standardization", src, tgt, Options{Dim: 2, Standardize: 7}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Prepare(ds, tc.src, tc.tgt, tc.opt)
			if err == nil || (tc.sentinel != nil && !errors.Is(err, tc.sentinel)) {
				t.Errorf("err = %v, want an error wrapping %v", err, tc.sentinel)
			}
		})
	}
	bad := ds.Subset(seq(ds.X.Rows()))
	bad.X.Data[7] = math.NaN()
	if _, err := Prepare(bad, src, tgt, Options{Dim: 2}); !errors.Is(err, ErrMissing) {
		t.Errorf("NaN data: err = %v, want ErrMissing", err)
	}
}

// TestCompareBladder runs the comparison on bladderbatch source batch 2 →
// target batch 5 with the mean-shift dummy transport standing in for GPA,
// logs the table for each d′ of the gene-bladder presets and checks what
// must hold whatever the numbers: the baselines and the dummy all reduce
// MMD² in latent and gene space, ComBat keeps the target, mean-centering
// makes the gene means equal.
func TestCompareBladder(t *testing.T) {
	ds, src, tgt := bladderPair(t)
	for _, d := range []int{2, 5, 10, 20} {
		t.Run(fmt.Sprintf("d%d", d), func(t *testing.T) {
			p, err := Prepare(ds, src, tgt, Options{Dim: d})
			if err != nil {
				t.Fatal(err)
			}
			rows, err := p.Compare(meanShift(p))
			if err != nil {
				t.Fatal(err)
			}
			var methods []string
			for _, r := range rows {
				methods = append(methods, r.Method)
			}
			if want := []string{MethodBefore, MethodGPA, MethodComBat, MethodComBatLabel, MethodMeanCenter}; !slices.Equal(methods, want) {
				t.Fatalf("methods %v, want %v", methods, want)
			}
			var buf bytes.Buffer
			if err := WriteComparison(&buf, rows); err != nil {
				t.Fatal(err)
			}
			t.Logf("d′ = %d (gpa = mean-shift dummy)\n%s", d, buf.String())
			before := rows[0]
			if before.Latent.Moved != 0 || before.Gene.Moved != 0 {
				t.Errorf("before moved %g, %g, want 0", before.Latent.Moved, before.Gene.Moved)
			}
			for _, r := range rows[1:] {
				if !(r.Latent.MMD2 < before.Latent.MMD2 && r.Gene.MMD2 < before.Gene.MMD2) {
					t.Errorf("%s: MMD² latent %g gene %g, want below before (%g, %g)", r.Method, r.Latent.MMD2, r.Gene.MMD2, before.Latent.MMD2, before.Gene.MMD2)
				}
			}
			if w := p.Confounding().Warnings(); len(w) != 2 {
				t.Errorf("confounding warnings %q, want 2 (Normal, Biopsy)", w)
			}
		})
	}
}

func TestWriteMatrixRoundTrip(t *testing.T) {
	m := NewMatrix([]string{"s1", "s2"}, []string{"g1", "g2"}, []float64{1.23456789, -2, math.NaN(), 1e-7})
	var buf bytes.Buffer
	if err := WriteMatrixGzip(&buf, m); err != nil {
		t.Fatal(err)
	}
	back, err := ReadMatrix(&buf, "merged.tsv.gz", MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Samples, m.Samples) || !slices.Equal(back.Genes, m.Genes) {
		t.Fatalf("round trip ids %v %v", back.Samples, back.Genes)
	}
	for i, v := range m.Data {
		// %.6f: 5e-7 rounding.
		if !close64(back.Data[i], v, 5e-7, 0) {
			t.Errorf("value %d: %g, want %g", i, back.Data[i], v)
		}
	}
	var plain bytes.Buffer
	WriteMatrix(&plain, m)
	if want := "sample\tg1\tg2\ns1\t1.234568\t-2.000000\ns2\tNA\t0.000000\n"; plain.String() != want {
		t.Errorf("WriteMatrix = %q, want %q", plain.String(), want)
	}
}

func TestWriteComparison(t *testing.T) {
	var buf bytes.Buffer
	rows := []Comparison{{Method: "gpa", Latent: Scores{MMD2: 0.5, SilBatch: -0.25, SilLabel: math.NaN(), ILISI: 1.75, Moved: 3}, Gene: Scores{1, 2, 3, 4, 5}}}
	if err := WriteComparison(&buf, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 2 || lines[1] != "gpa\t0.5\t-0.25\tNA\t1.75\t3\t1\t2\t3\t4\t5" || !strings.HasPrefix(lines[0], "method\tlatent_mmd2\t") {
		t.Errorf("WriteComparison = %q", buf.String())
	}
}

func BenchmarkCompareBladder(b *testing.B) {
	ds, src, tgt := bladderPair(b)
	p, err := Prepare(ds, src, tgt, Options{Dim: 10})
	if err != nil {
		b.Fatal(err)
	}
	z := meanShift(p)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Compare(z); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPrepareBladder(b *testing.B) {
	ds, src, tgt := bladderPair(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Prepare(ds, src, tgt, Options{Dim: 20}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestClasses(t *testing.T) {
	ds, src, tgt := bladderPair(t)
	p, err := Prepare(ds, src, tgt, Options{Dim: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Classes()
	// Only Cancer is in both batch 2 (14) and batch 5 (15).
	if len(c) != 1 || c[0].Label != "Cancer" || len(c[0].Y) != 14 || len(c[0].X) != 15 {
		t.Fatalf("Classes = %+v, want Cancer with 14 and 15 rows", c)
	}
	for _, r := range c[0].Y {
		if ds.Label[p.Source[r]] != "Cancer" {
			t.Errorf("Y row %d is %s", r, ds.Label[p.Source[r]])
		}
	}
	for _, r := range c[0].X {
		if ds.Label[p.Target[r]] != "Cancer" {
			t.Errorf("X row %d is %s", r, ds.Label[p.Target[r]])
		}
	}
}

// TestWriteMatrixSameLayout: writing the shipped matrix reproduces its
// input text byte for byte, so merged.tsv.gz has the input's layout.
func TestWriteMatrixSameLayout(t *testing.T) {
	ds, err := Bladder()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(bladderExpr))
	if err != nil {
		t.Fatal(err)
	}
	want, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := WriteMatrix(&got, ds.X); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("WriteMatrix output (%d bytes) differs from expr_top2000.tsv (%d bytes)", got.Len(), len(want))
	}
}
