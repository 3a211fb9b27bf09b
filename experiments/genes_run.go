package experiments

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments/genes"
)

// Files a batch-merging run writes next to final.npz.
const (
	MergedFile     = "merged.tsv.gz"
	ComparisonFile = "comparison.tsv"
)

// geneRun is the table and the output files of a batch-merging problem.
type geneRun struct{ p *genes.Prepared }

func (geneRun) Title() string { return "gene space" }

// geneColumns are the batch-merging scores in gene space, where every
// method is measured in the same units (genes.Prepared.Score): MMD² source
// vs target, the silhouettes by batch (set) and by biological label, iLISI,
// and the mean distance a sample moved.
var geneColumns = []core.Column{
	{Name: "MMD²↓", Short: "MMD²↓", Better: core.Lower},
	{Name: "sil.batch↓", Short: "sil.b↓", Better: core.Lower},
	{Name: "sil.label↑", Short: "sil.l↑", Better: core.Higher},
	{Name: "iLISI↑", Short: "iLISI↑", Better: core.Higher},
	{Name: "moved", Short: "moved", Better: core.Lower, Optional: true},
}

// shortMethod names a method in a narrow table.
var shortMethod = map[string]string{
	genes.MethodGPA: "GPA", genes.MethodComBat: "ComBat", genes.MethodComBatLabel: "ComBat+label",
	genes.MethodMeanCenter: "mean-center",
}

// Compare scores the merge of the particles z (genes.Prepared.Compare: the
// source before correction, after GPA, ComBat with and without the label,
// mean-centering) in gene space. It takes ~100 ms (ComBat fits).
func (g geneRun) Compare(z []float32) (core.TableData, error) {
	rows, err := g.p.Compare(z)
	if err != nil {
		return core.TableData{}, err
	}
	td := core.TableData{Columns: geneColumns}
	if len(g.p.Confounding().Warnings()) > 0 {
		td.Note = "labels confounded"
	}
	for _, r := range rows {
		short := r.Method
		if s, ok := shortMethod[r.Method]; ok {
			short = s
		}
		s := r.Gene
		td.Rows = append(td.Rows, core.TableRow{
			Label: r.Method, Short: short,
			Values:    []float64{s.MMD2, s.SilBatch, s.SilLabel, s.ILISI, s.Moved},
			Reference: r.Method == genes.MethodBefore,
			Run:       r.Method == genes.MethodGPA,
		})
	}
	return td, nil
}

// Compute is Compare (core.Table).
func (g geneRun) Compute(z []float32) (core.TableData, error) { return g.Compare(z) }

// WriteFiles writes the merged matrix (all samples, the source ones
// transported and decoded to gene space) and the comparison of GPA with
// ComBat and mean-centering, and prints the table.
func (g geneRun) WriteFiles(create func(string, func(io.Writer) error) error, z []float32, w io.Writer) error {
	merged := g.p.Merged(z)
	if err := create(MergedFile, func(f io.Writer) error { return genes.WriteMatrixGzip(f, merged) }); err != nil {
		return err
	}
	rows, err := g.p.Compare(z)
	if err != nil {
		return err
	}
	if err := create(ComparisonFile, func(f io.Writer) error { return genes.WriteComparison(f, rows) }); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "method\tlatent MMD²\tgene MMD²\tsil(batch)\tsil(label)\tiLISI\tmoved\t\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.3f\t%.3f\t%.2f\t%.2f\t\n", r.Method, r.Latent.MMD2, r.Gene.MMD2, r.Gene.SilBatch, r.Gene.SilLabel, r.Gene.ILISI, r.Gene.Moved)
	}
	tw.Flush()
	fmt.Fprintf(w, "wrote %s, %s\n", MergedFile, ComparisonFile)
	return nil
}

// confoundingNote summarises genes.Confounding.Warnings in one line: the
// labels missing from a set, or "" when there are none.
func confoundingNote(c genes.Confounding) string {
	if len(c.Warnings()) == 0 {
		return ""
	}
	var parts []string
	for l, label := range c.Labels {
		var in []string
		missing := false
		for b, batch := range c.Batches {
			if c.Counts[l][b] > 0 {
				in = append(in, batch)
			} else {
				missing = true
			}
		}
		if missing {
			parts = append(parts, fmt.Sprintf("%q only in %s", label, strings.Join(in, ", ")))
		}
	}
	return fmt.Sprintf("confounded labels: %s; transport may map them onto other classes (Cramér's V %.2f)",
		strings.Join(parts, ", "), c.CramersV)
}
