package genes

import (
	"errors"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
)

// combatTol is the agreement required with R's sva::ComBat: the reference
// files print 6 decimals (rounding error ≤ 5e-7) and the input matrix too,
// and ComBat is Lipschitz in its input with a constant near 1, so 2e-6
// leaves room for both roundings. Measured max |Go − R| (go test -v):
// 5.0e-7 for all four references, i.e. the printing rounding.
const combatTol = 2e-6

// TestComBatMatchesR compares ComBat with R's sva::ComBat (parametric
// prior, default settings) on bladderbatch, testdata/combat (see README).
func TestComBatMatchesR(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the 22,283-probe matrix")
	}
	shipped, err := Bladder()
	if err != nil {
		t.Fatal(err)
	}
	// sva::ComBat ran on all 22,283 probes and the 2,000 were selected
	// afterwards; its priors pool over genes, so the input is the full
	// matrix (same samples, same order as the shipped one).
	full, err := ReadMatrixFile(filepath.Join("testdata", "combat", "expr_full.tsv.gz"), MatrixOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(full.Samples, shipped.X.Samples) {
		t.Fatal("expr_full samples differ from the shipped sample order")
	}
	all := &Dataset{X: full, Batch: shipped.Batch, Label: shipped.Label}
	pair := all.Subset(all.Where("2", "5"))
	for _, tc := range []struct {
		file  string
		data  *Dataset
		ref   string
		label bool
	}{
		{"combat_all_nocov_top2000.tsv.gz", all, "", false},
		{"combat_all_cancer_top2000.tsv.gz", all, "", true},
		{"combat_pair_ref_top2000.tsv.gz", pair, "5", false},
		{"combat_pair_ref_cancer_top2000.tsv.gz", pair, "5", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			want, err := ReadMatrixFile(filepath.Join("testdata", "combat", tc.file), MatrixOptions{})
			if err != nil {
				t.Fatal(err)
			}
			x := tc.data.X
			opt := ComBatOptions{Ref: tc.ref}
			if tc.label {
				opt.Covariates = [][]string{tc.data.Label}
			}
			out, err := ComBat(x.Data, x.Rows(), x.Cols(), tc.data.Batch, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(want.Samples, x.Samples) {
				t.Fatalf("reference samples %v, want %v", want.Samples, x.Samples)
			}
			col := make(map[string]int, x.Cols())
			for j, g := range x.Genes {
				col[g] = j
			}
			var worst float64
			for i := range want.Rows() {
				for k, g := range want.Genes {
					j, ok := col[g]
					if !ok {
						t.Fatalf("probe %s not in the input", g)
					}
					worst = math.Max(worst, math.Abs(out[i*x.Cols()+j]-want.Data[i*want.Cols()+k]))
				}
			}
			t.Logf("max |Go − R| = %.2g over %d×%d", worst, want.Rows(), want.Cols())
			if !(worst <= combatTol) {
				t.Errorf("max |Go − R| = %g, want ≤ %g", worst, combatTol)
			}
			if tc.ref != "" {
				for i, b := range tc.data.Batch {
					if b == tc.ref && !slices.Equal(out[i*x.Cols():(i+1)*x.Cols()], x.Row(i)) {
						t.Errorf("reference sample %s changed", x.Samples[i])
					}
				}
			}
		})
	}
}

func TestComBatConfounded(t *testing.T) {
	// A covariate equal to the batch is confounded with it.
	x := []float64{1, 2, 3, 4, 5, 6, 7, 9}
	batch := []string{"a", "a", "b", "b"}
	_, err := ComBat(x, 4, 2, batch, ComBatOptions{Covariates: [][]string{{"u", "u", "v", "v"}}})
	if !errors.Is(err, ErrConfounded) {
		t.Errorf("err = %v, want ErrConfounded", err)
	}
}

func TestComBatProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	const rows, cols = 12, 40
	x := make([]float64, rows*cols)
	batch := make([]string, rows)
	for i := range rows {
		batch[i] = []string{"a", "b", "c"}[i%3]
		for g := range cols {
			// batch b shifted by 2 and scaled by 3
			v := rng.NormFloat64()
			if batch[i] == "b" {
				v = 3*v + 2
			}
			x[i*cols+g] = v + float64(g)
		}
	}
	// Gene 0 is constant within batch a: left unchanged (sva).
	for i := range rows {
		if batch[i] == "a" {
			x[i*cols] = 5
		}
	}
	t.Run("zero-variance-gene", func(t *testing.T) {
		out, err := ComBat(x, rows, cols, batch, ComBatOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range rows {
			if out[i*cols] != x[i*cols] {
				t.Errorf("sample %d gene 0 = %g, want unchanged %g", i, out[i*cols], x[i*cols])
			}
		}
		// Batch b's scale is shrunk towards the others: its within-batch
		// variance falls (it was ~9× the others').
		var before, after float64
		for g := 1; g < cols; g++ {
			idx := []int{1, 4, 7, 10}
			before += variance(x, cols, idx, g)
			after += variance(out, cols, idx, g)
		}
		if !(after < before/3) {
			t.Errorf("batch b variance %g → %g, want a large reduction", before, after)
		}
	})
	t.Run("mean-only", func(t *testing.T) {
		out, err := ComBat(x, rows, cols, batch, ComBatOptions{MeanOnly: true, Ref: "a"})
		if err != nil {
			t.Fatal(err)
		}
		// Mean-only: within a batch every sample moves by the same amount.
		for g := 1; g < cols; g++ {
			for i := 3; i < rows; i++ {
				d0, d := out[(i%3)*cols+g]-x[(i%3)*cols+g], out[i*cols+g]-x[i*cols+g]
				// Shifts are computed as (s−γ*)·σ + m − x: a few ulps of values ~40.
				if !close64(d, d0, 1e-12, 0) {
					t.Fatalf("gene %d: sample %d moved %g, sample %d moved %g", g, i, d, i%3, d0)
				}
			}
		}
	})
}
