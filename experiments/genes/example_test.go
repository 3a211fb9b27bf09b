package genes_test

import (
	"fmt"
	"strings"

	"github.com/gpa-tui/gpa-tui/experiments/genes"
)

// Example shows the batch-merging pipeline on the shipped bladder data:
// source batch 2, target batch 5, PCA to d′ = 10; the engine would
// transport p.Y towards p.X, here the particles stay where they are.
func Example() {
	ds, err := genes.Bladder()
	if err != nil {
		panic(err)
	}
	p, err := genes.Prepare(ds, ds.Where("2"), ds.Where("5"), genes.Options{Dim: 10})
	if err != nil {
		panic(err)
	}
	for _, w := range p.Confounding().Warnings() {
		short, _, _ := strings.Cut(w, ":")
		fmt.Println("warning:", short)
	}
	z := p.Y // the engine's transported particles would go here
	merged := p.Merged(z)
	fmt.Printf("particles %d×%d, targets %d×%d, merged %d×%d\n", p.M(), p.Dim(), p.N(), p.Dim(), merged.Rows(), merged.Cols())
	rows, err := p.Compare(z)
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		fmt.Printf("%-14s latent MMD² %.3f  gene MMD² %.3f  gene silhouette by batch %+.3f\n", r.Method, r.Latent.MMD2, r.Gene.MMD2, r.Gene.SilBatch)
	}
	// Output:
	// warning: label "Biopsy" (4 samples) occurs only in batch target, not in source
	// warning: label "Normal" (4 samples) occurs only in batch source, not in target
	// particles 18×10, targets 19×10, merged 57×2000
	// before         latent MMD² 0.136  gene MMD² 0.113  gene silhouette by batch +0.064
	// gpa            latent MMD² 0.136  gene MMD² 0.113  gene silhouette by batch +0.064
	// combat         latent MMD² 0.012  gene MMD² 0.011  gene silhouette by batch -0.024
	// combat+label   latent MMD² 0.019  gene MMD² 0.017  gene silhouette by batch -0.019
	// mean-centering latent MMD² 0.016  gene MMD² 0.013  gene silhouette by batch -0.016
}

func ExampleMMD2() {
	// The targets {(10,0), (11,0)} are 1 apart: h = 1. By hand,
	// MMD² = 2·(1+e^{−1/2})/2 − 2·(2e^{−50}+e^{−40.5}+e^{−60.5})/4 ≈ 1+e^{−1/2}.
	x := []float64{0, 0, 1, 0} // two 2-D points
	y := []float64{0, 0, 1, 0}
	same, _ := genes.MMD2(x, y, 2)
	far, h := genes.MMD2(x, []float64{10, 0, 11, 0}, 2)
	fmt.Printf("identical %.3f, apart %.3f (h = %.1f)\n", same, far, h)
	// Output: identical 0.000, apart 1.607 (h = 1.0)
}
