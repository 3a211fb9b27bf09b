package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
)

func cmdDivergence(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("divergence", "divergence --p FILE --q FILE [flags]", stderr)
	pFile := fs.String("p", "", "samples of P (CSV, TSV or NPY; rows = samples)")
	qFile := fs.String("q", "", "samples of Q (same format and dimension)")
	f := fs.String("f", "kl", "divergence: kl, alpha:A, rkl, js, w1")
	lip := fs.String("lipschitz", "1", "Lipschitz constant L of the discriminator space Γ_L (a number or inf)")
	iters := fs.Int("iters", 2000, "discriminator training iterations")
	seed := fs.Uint64("seed", 1, "random seed of the discriminator initialisation")
	hidden := fs.String("hidden", "[64, 64, 64]", "hidden layer widths, a TOML list")
	opt := fs.String("optimizer", "adam", "sgd or adam")
	lr := fs.Float64("lr", 0.005, "learning rate (Adam)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("divergence: unexpected argument %q", pos[0])
	}
	if *pFile == "" || *qFile == "" {
		fs.Usage()
		return fmt.Errorf("divergence: --p and --q are required")
	}
	p, m, dp, err := experiments.ReadMatrixFile(*pFile)
	if err != nil {
		return err
	}
	q, n, dq, err := experiments.ReadMatrixFile(*qFile)
	if err != nil {
		return err
	}
	if dp != dq {
		return fmt.Errorf("divergence: %s has %d columns, %s has %d", *pFile, dp, *qFile, dq)
	}
	norm := "spectral"
	if *lip == "inf" {
		norm = "none"
	}
	// The data sets are placeholders: Estimate uses the given samples.
	cfg, err := presets.Load(presets.Default, []string{
		"divergence.f=" + *f,
		"discriminator.lipschitz=" + *lip,
		"discriminator.normalization=" + norm,
		"discriminator.hidden=" + *hidden,
		"train.optimizer=" + *opt,
		fmt.Sprintf("train.lr=%g", *lr),
		fmt.Sprintf("seed=%d", *seed),
	})
	if err != nil {
		return err
	}
	div, maxGrad, err := core.Estimate(cfg.Config, p, m, q, n, dp, *iters)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]any{
		"divergence": div, "max_grad": maxGrad, "f": *f, "lipschitz": *lip, "iters": *iters, "m": m, "n": n, "d": dp,
	})
}
