package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// Files written into the output folder of `gpa-tui run`.
const (
	metricsFile    = runfolder.MetricsFile
	finalFile      = runfolder.FinalFile
	presetFile     = runfolder.PresetFile
	checkpointFile = runfolder.CheckpointFile
)

// exitRequeue is the exit status of a run checkpointed on SIGUSR1, Slurm's
// warning before the time limit: EX_TEMPFAIL (sysexits.h), "run me again";
// a batch script requeues the job on it.
const exitRequeue = 75

// seedFlag is --seed: unset means the preset's seed; a value must be a
// non-negative integer.
type seedFlag struct {
	set bool
	v   uint64
}

func (s *seedFlag) String() string {
	if !s.set {
		return ""
	}
	return strconv.FormatUint(s.v, 10)
}

func (s *seedFlag) Set(v string) error {
	u, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return fmt.Errorf("%q: want an integer ≥ 0", v)
	}
	s.v, s.set = u, true
	return nil
}

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "run (--preset NAME|FILE.toml | --resume FILE.npz) --out DIR [flags]", stderr)
	preset := fs.String("preset", presets.Default, "embedded preset name or a .toml file")
	var sets stringList
	fs.Var(&sets, "set", "override a preset key, section.key=value (repeatable); with --resume only the mid-run parameters (L, Δt, δ, T_NN), recorded as events")
	steps := fs.Int("steps", -1, "total number of steps; -1 = the preset's flow.steps")
	var seed seedFlag
	fs.Var(&seed, "seed", "random seed (an integer ≥ 0; default: the preset's seed)")
	out := fs.String("out", "", "output folder (created if missing; must be empty unless --force, or the folder of the --resume snapshot)")
	force := fs.Bool("force", false, "run into a non-empty --out: the files of an earlier run there are replaced")
	resume := fs.String("resume", "", "continue the run saved in this snapshot (.npz)")
	every := fs.Int("checkpoint-every", 0, "write a rolling checkpoint.npz every K steps (0 = off)")
	quiet := fs.Bool("quiet", false, "no progress bar or progress lines")
	progressEvery := fs.Duration("progress-every", 30*time.Second, "without a terminal: a progress line on stderr this often (0 = never)")
	boundIters := fs.Int("bound-iters", 2000, "latent runs: discriminator updates for each side of the Theorem 5.1 bound at the end (0 = skip)")
	boundSeeds := fs.Int("bound-seeds", 3, "latent runs: independent discriminators per side of the Theorem 5.1 bound (mean ± sd)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("run: unexpected argument %q", pos[0])
	}
	if *out == "" {
		fs.Usage()
		return fmt.Errorf("run: --out DIR is required")
	}
	if *every < 0 {
		return fmt.Errorf("run: --checkpoint-every %d: want ≥ 0", *every)
	}
	if *steps < -1 {
		return fmt.Errorf("run: --steps %d: want ≥ 0", *steps)
	}
	presetGiven := false
	fs.Visit(func(f *flag.Flag) { presetGiven = presetGiven || f.Name == "preset" })
	h := headless{
		out: *out, force: *force, steps: *steps, every: *every, quiet: *quiet,
		progressEvery: *progressEvery, boundIters: *boundIters, boundSeeds: *boundSeeds, stdout: stdout, stderr: stderr,
		command: "gpa-tui run",
	}
	if *resume != "" {
		if presetGiven || seed.set {
			return fmt.Errorf("run: --resume continues a saved run; --preset and --seed do not apply (--set may change L, Δt, δ, T_NN)")
		}
		h.resume, h.resumeSets = *resume, sets
	} else {
		h.preset, h.sets = *preset, sets
		if seed.set {
			h.sets = append(h.sets, fmt.Sprintf("seed=%d", seed.v))
		}
	}
	return signalExit(h.run())
}

// signalExit maps a run checkpointed on a signal to its exit status: 0,
// or exitRequeue after SIGUSR1 (Slurm's time-limit warning: run me again).
func signalExit(err error) error {
	switch {
	case isSignalled(err, syscall.SIGUSR1):
		return &exitError{code: exitRequeue}
	case isSignalled(err, nil):
		return nil
	}
	return err
}

// writeOutputs writes the problem's own files (a gene run's merged matrix
// and comparison table) into dir, each atomically.
func writeOutputs(dir string, sim *core.Sim, stdout io.Writer) error {
	create := func(name string, write func(io.Writer) error) error {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return err
		}
		return runfolder.WriteFile(filepath.Join(dir, name), b.Bytes())
	}
	for _, o := range sim.Problem().Outputs {
		if err := o.WriteFiles(create, sim.Particles(), stdout); err != nil {
			return err
		}
	}
	return nil
}

// writeBound estimates the sides of Theorem 5.1 (eq. 14) for a latent run
// with seeds discriminators per side (at least one) and writes them to
// bound.json. It says so first (it takes minutes on image data) and gives
// up, leaving no bound.json, when stop says so (a signal: the run's files
// are complete by then).
func writeBound(dir string, sim *core.Sim, iters, seeds int, stop func() bool, stdout, stderr io.Writer) error {
	if iters <= 0 || sim.Problem().Decoder == nil {
		return nil
	}
	seeds = max(seeds, 1)
	fmt.Fprintf(stderr, "%s estimating both sides of Theorem 5.1 (3 sides × %d seeds × 2 optimizers × %d discriminator updates; --bound-iters 0 skips it) …\n",
		time.Now().Format("15:04:05"), seeds, iters+iters/4)
	b, err := sim.Theorem51(iters, seeds, stop)
	if errors.Is(err, core.ErrStopped) {
		fmt.Fprintf(stderr, "gpa-tui: signal received: Theorem 5.1 estimate stopped, no bound.json; the run's files are complete\n")
		return nil
	}
	if err != nil {
		return err
	}
	js, _ := json.MarshalIndent(b, "", "  ")
	if err := runfolder.WriteFile(filepath.Join(dir, "bound.json"), append(js, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Theorem 5.1 (%d seeds × %d updates, lower-bound estimates): D̂_L(D#P‖Q) = %.4g ± %.2g, D̂_L(D#P‖D#E#Q) = %.4g ± %.2g in data space; D̂_{a_D·L}(P‖E#Q) = %.4g ± %.2g in latent space (a_D ≤ %.4g, L = %g)\n",
		b.Seeds, b.Iters, b.Real.Mean, b.Real.SD, b.Recon.Mean, b.Recon.SD, b.Latent.Mean, b.Latent.SD, b.DecoderLip, b.L)
	return nil
}

// encodeHistory is a run's history as metrics.jsonl lines, checked: a
// resumed run's file then holds steps 1…k, whatever an interrupted process
// appended after its checkpoint. It is built before anything in the
// output folder is replaced.
func encodeHistory(h *core.History) ([]byte, error) {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	enc := json.NewEncoder(w)
	for i := range h.Len() {
		r := h.At(i)
		if r.Step != i+1 {
			return nil, fmt.Errorf("history row %d is step %d, want %d", i+1, r.Step, i+1)
		}
		if err := enc.Encode(r); err != nil {
			return nil, fmt.Errorf("history step %d: %w", i+1, err)
		}
	}
	w.Flush()
	return b.Bytes(), nil
}

// writeMetrics writes metrics.jsonl atomically with the lines of the
// history and opens it for appending.
func writeMetrics(path string, hist []byte) (*os.File, error) {
	if err := runfolder.WriteFile(path, hist); err != nil {
		return nil, err
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
}

// errSignalled reports a run checkpointed on a signal (not a failure).
type errSignalled struct{ sig os.Signal }

func (e errSignalled) Error() string { return fmt.Sprintf("%v received", e.sig) }

// isSignalled reports whether err is a checkpoint on sig (any signal if
// sig is nil).
func isSignalled(err error, sig os.Signal) bool {
	var es errSignalled
	return errors.As(err, &es) && (sig == nil || es.sig == sig)
}
