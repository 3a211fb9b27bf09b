package experiments

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gpa-tui/gpa-tui/core"
)

func geneConfig(classWise bool) Config {
	cfg := fourWell()
	cfg.Target, cfg.Prior = Dataset{Kind: "genes"}, Dataset{Kind: "genes"}
	cfg.Genes = &GenesConfig{Data: "bladderbatch", Source: []string{"2"}, Target: []string{"5"}, Dim: 5, Standardize: "pooled", ClassWise: classWise}
	cfg.Train = core.TrainConfig{Optimizer: "sgd", LR: 0.01, InnerSteps: 10}
	cfg.Flow.Dt = 0.5
	return cfg
}

// TestGenesRun: a batch-merging run transports the 18 source samples of
// batch 2 toward the 19 of batch 5 in a 5-d PCA space and lowers MMD².
func TestGenesRun(t *testing.T) {
	s := mustBuild(t, geneConfig(false))
	if s.M() != 18 || s.N() != 19 || s.Dim() != 5 || len(s.Problem().Tables) != 1 || len(s.Problem().Outputs) != 1 {
		t.Fatalf("M=%d N=%d d=%d, %d tables", s.M(), s.N(), s.Dim(), len(s.Problem().Tables))
	}
	before := core.MMD2(s.Particles(), s.M(), s.Targets(), s.N(), s.Dim())
	if _, err := s.Advance(300); err != nil {
		t.Fatal(err)
	}
	after := core.MMD2(s.Particles(), s.M(), s.Targets(), s.N(), s.Dim())
	if !(after < 0.5*before) {
		t.Errorf("latent MMD² %g → %g, want at least halved", before, after)
	}
	// The flow's MMD² and the gene table's (latent space, the GPA row:
	// the particles decoded and encoded again) are one MMD²: they agree to
	// float32 rounding.
	if s.StepCount()%s.Config().Flow.MetricsEvery != 0 {
		t.Fatalf("step %d is not a metric step", s.StepCount())
	}
	last, _ := s.History().Last()
	flow, _ := last.Get("mmd2")
	rows, err := s.Problem().Tables[0].(geneRun).p.Compare(s.Particles())
	if err != nil {
		t.Fatal(err)
	}
	if table := rows[1].Latent.MMD2; rows[1].Method != "gpa" || math.Abs(table-flow) > 1e-5*flow {
		t.Errorf("flow MMD² %v, table's GPA row %v (%s)", flow, table, rows[1].Method)
	}
	r, err := Restore(s.State(), Options{})
	if err != nil {
		t.Fatalf("restore a genes run: %v", err)
	}
	if len(r.Problem().Tables) != 1 {
		t.Error("restored genes run lost its comparison table")
	}
	td, err := r.Problem().Tables[0].Compute(r.Particles())
	if err != nil || len(td.Rows) < 4 || len(td.Rows[0].Values) != len(td.Columns) {
		t.Errorf("comparison table: %+v, %v", td, err)
	}
}

// TestGenesClassWise: with class_wise, the Normal samples of batch 2 (a
// label absent from batch 5) do not move; the Cancer samples do.
func TestGenesClassWise(t *testing.T) {
	s := mustBuild(t, geneConfig(true))
	y0 := append([]float32(nil), s.Particles()...)
	if _, err := s.Advance(50); err != nil {
		t.Fatal(err)
	}
	moved, still := 0, 0
	p, d := s.Particles(), s.Dim()
	for i, h := range s.Problem().HeadY {
		var dist float64
		for k := range d {
			dist += math.Abs(float64(p[i*d+k] - y0[i*d+k]))
		}
		switch {
		case h < 0 && dist != 0:
			t.Errorf("sample %d has no target class but moved %g", i, dist)
		case h < 0:
			still++
		case dist > 0:
			moved++
		}
	}
	if still != 4 || moved != 14 {
		t.Errorf("%d samples stayed, %d moved; want the 4 Normal to stay and the 14 Cancer to move", still, moved)
	}
}

// TestGenesMissingValuesNoted: a matrix file with a missing cell loads, the
// gene with the missing value is left out, and the run says so (a note
// shown by run and the workbench) instead of dropping it silently.
func TestGenesMissingValuesNoted(t *testing.T) {
	dir := t.TempDir()
	var m, sheet strings.Builder
	m.WriteString("sample\tg1\tg2\tg3\tg4\n")
	sheet.WriteString("sample\tbatch\n")
	for i := range 12 {
		b := []string{"A", "B"}[i%2]
		g2 := fmt.Sprint(float64(i) * 0.3)
		if i == 5 {
			g2 = "NA"
		}
		fmt.Fprintf(&m, "s%d\t%g\t%s\t%g\t%g\n", i, float64(i%3), g2, float64(i*i%7), float64(i%2)*2+float64(i%5))
		fmt.Fprintf(&sheet, "s%d\t%s\n", i, b)
	}
	mp, sp := filepath.Join(dir, "m.tsv"), filepath.Join(dir, "s.tsv")
	os.WriteFile(mp, []byte(m.String()), 0o600)
	os.WriteFile(sp, []byte(sheet.String()), 0o600)
	cfg := geneConfig(false)
	cfg.Genes = &GenesConfig{Data: mp, Sheet: sp, Source: []string{"A"}, Target: []string{"B"}, Dim: 2, Standardize: "pooled"}
	s := mustBuild(t, cfg)
	notes := strings.Join(s.Problem().Notes, "\n")
	if !strings.Contains(notes, "1 genes with a missing value were left out (e.g. g2)") {
		t.Errorf("notes %q: want the dropped gene named", notes)
	}
}

// TestRestoreNeedsPaths: resuming a run that reads files opens them only
// when the user gives the paths again (a snapshot's metadata could name
// /dev/zero or a FIFO).
func TestRestoreNeedsPaths(t *testing.T) {
	mp, sp := tinyGenes, tinyGenesSheet
	cfg := geneConfig(false)
	cfg.Genes = &GenesConfig{Data: mp, Sheet: sp, Source: []string{"A"}, Target: []string{"B"}, Dim: 2, Standardize: "pooled"}
	s := mustBuild(t, cfg)
	s.Advance(3)
	st := s.State()
	if _, err := Restore(st, Options{}); err == nil || !strings.Contains(err.Error(), "--set genes.data="+mp) {
		t.Errorf("resume without the paths: %v, want a refusal naming --set genes.data", err)
	}
	r, err := Restore(st, Options{Paths: map[string]string{"genes.data": mp, "genes.sheet": sp}})
	if err != nil || r.StepCount() != 3 {
		t.Fatalf("resume with the paths: %v", err)
	}
}

// tinyGenes is a 10-sample, 3-gene expression table and its sample sheet
// (batches A and B): testdata shared by the experiments and cmd tests.
const (
	tinyGenes      = "testdata/tiny-genes.tsv"
	tinyGenesSheet = "testdata/tiny-genes-sheet.tsv"
)
