package main

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/core/genes"
)

// Files a batch-merging run writes next to final.npz.
const (
	mergedFile     = "merged.tsv.gz"
	comparisonFile = "comparison.tsv"
)

// geneWarnings prints the label/batch confounding warnings of a [genes] run.
func geneWarnings(sim *core.Sim, stderr io.Writer) {
	p := sim.Genes()
	if p == nil {
		return
	}
	for _, w := range p.Confounding().Warnings() {
		fmt.Fprintf(stderr, "gpa-tui: warning: %s\n", w)
	}
}

// writeGeneOutputs writes the merged matrix (all samples, the source ones
// transported and decoded to gene space) and the comparison of GPA with
// ComBat and mean-centering, and prints the table.
func writeGeneOutputs(dir string, sim *core.Sim, stdout io.Writer) error {
	p := sim.Genes()
	if p == nil {
		return nil
	}
	z := sim.Particles()
	if err := genes.WriteMatrixFile(filepath.Join(dir, mergedFile), p.Merged(z)); err != nil {
		return err
	}
	rows, err := p.Compare(z)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := genes.WriteComparison(&b, rows); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(dir, comparisonFile), b.Bytes()); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "method\tlatent MMD²\tgene MMD²\tsil(batch)\tsil(label)\tiLISI\tmoved\t\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%.3f\t%.3f\t%.2f\t%.2f\t\n", r.Method, r.Latent.MMD2, r.Gene.MMD2, r.Gene.SilBatch, r.Gene.SilLabel, r.Gene.ILISI, r.Gene.Moved)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "wrote %s, %s\n", filepath.Join(dir, mergedFile), filepath.Join(dir, comparisonFile))
	return nil
}
