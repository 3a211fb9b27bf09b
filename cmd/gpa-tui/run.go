package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Files written into the output folder of `gpa-tui run`.
const (
	metricsFile    = "metrics.jsonl"
	finalFile      = "final.npz"
	presetFile     = "preset.toml"
	checkpointFile = "checkpoint.npz"
	bestFile       = "best.npz"
)

func cmdRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "run (--preset NAME|FILE.toml | --resume FILE.npz) --out DIR [flags]", stderr)
	preset := fs.String("preset", presets.Default, "embedded preset name or a .toml file")
	var sets stringList
	fs.Var(&sets, "set", "override a preset key, section.key=value (repeatable)")
	steps := fs.Int("steps", -1, "total number of steps; -1 = the preset's flow.steps")
	seed := fs.Int64("seed", -1, "random seed; -1 = the preset's seed")
	out := fs.String("out", "", "output folder (created if missing)")
	resume := fs.String("resume", "", "continue the run saved in this snapshot (.npz)")
	every := fs.Int("checkpoint-every", 0, "write a rolling checkpoint.npz every K steps (0 = off)")
	quiet := fs.Bool("quiet", false, "no progress bar")
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
	presetGiven := false
	fs.Visit(func(f *flag.Flag) { presetGiven = presetGiven || f.Name == "preset" })

	var sim *core.Sim
	if *resume != "" {
		if presetGiven || len(sets) > 0 || *seed >= 0 {
			return fmt.Errorf("run: --resume continues a saved run; --preset, --set and --seed do not apply")
		}
		st, err := snapshots.Load(*resume)
		if err != nil {
			return err
		}
		if sim, err = experiments.Restore(st, prepOptions(stderr)); err != nil {
			return fmt.Errorf("%s: %w", *resume, err)
		}
	} else {
		if *seed >= 0 {
			sets = append(sets, fmt.Sprintf("seed=%d", *seed))
		}
		cfg, err := presets.Load(*preset, sets)
		if err != nil {
			return err
		}
		if sim, err = experiments.Build(cfg, prepOptions(stderr)); err != nil {
			return fmt.Errorf("%s: %w", cfg.Name, err)
		}
	}
	total := sim.Config().Flow.Steps
	if *steps >= 0 {
		total = *steps
		sim.SetTotalSteps(total)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	desc, err := experiments.Describe(sim.Problem(), sim.Config())
	if err != nil {
		return err
	}
	cfgText, err := presets.Format(desc)
	if err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(*out, presetFile), cfgText); err != nil {
		return err
	}
	mf, err := openMetrics(filepath.Join(*out, metricsFile), sim)
	if err != nil {
		return err
	}
	defer mf.Close()
	mw := bufio.NewWriter(mf)
	defer mw.Flush()

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1)
	defer signal.Stop(sig)

	for _, note := range sim.Problem().Notes {
		fmt.Fprintf(stderr, "gpa-tui: warning: %s\n", note)
	}
	bar := newProgress(stderr, *quiet, sim.StepCount(), total, sim.Metrics())
	enc := json.NewEncoder(mw)
	best := newBestTracker(sim)
	for sim.StepCount() < total {
		select {
		case s := <-sig:
			mw.Flush()
			path := filepath.Join(*out, checkpointFile)
			if err := snapshots.Save(path, sim.State()); err != nil {
				return fmt.Errorf("%v received at step %d; saving failed: %w", s, sim.StepCount(), err)
			}
			bar.done()
			fmt.Fprintf(stderr, "gpa-tui: %v received: saved step %d to %s\n  resume with: gpa-tui run --resume %s --out %s --steps %d\n",
				s, sim.StepCount(), path, path, *out, total)
			return nil
		default:
		}
		mt, err := sim.Step()
		if err != nil {
			mw.Flush()
			bar.done()
			path := filepath.Join(*out, finalFile)
			if serr := snapshots.Save(path, sim.State()); serr == nil {
				fmt.Fprintf(stderr, "gpa-tui: the last good state (step %d) is in %s\n", sim.StepCount(), path)
			}
			if errors.Is(err, core.ErrDiverged) {
				hint := "try a smaller L (--set discriminator.lipschitz=…) or Δt (--set flow.dt=…)"
				if sim.Config().Divergence.Formulation == "nu" {
					hint = "the learned ν of Algorithm 1 is unstable here; the exact ν (--set divergence.formulation=dv) is not, or try a smaller L or Δt"
				}
				return fmt.Errorf("%w\n  %s", err, hint)
			}
			return err
		}
		if err := enc.Encode(mt); err != nil {
			return err
		}
		bar.update(mt)
		if best.improved(mt) {
			mw.Flush()
			if err := snapshots.Save(filepath.Join(*out, bestFile), sim.State()); err != nil {
				return err
			}
		}
		if stop, why := best.stop(mt.Step, sim.Config().Flow); stop {
			bar.done()
			fmt.Fprintf(stderr, "gpa-tui: flow.stop = best-heldout: %s; stopped at step %d\n", why, mt.Step)
			break
		}
		if *every > 0 && mt.Step%*every == 0 {
			mw.Flush()
			if err := snapshots.Save(filepath.Join(*out, checkpointFile), sim.State()); err != nil {
				return err
			}
		}
	}
	bar.done()
	if err := mw.Flush(); err != nil {
		return err
	}
	path := filepath.Join(*out, finalFile)
	if err := snapshots.Save(path, sim.State()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d steps; wrote %s, %s, %s\n", sim.StepCount(), filepath.Join(*out, metricsFile), path, filepath.Join(*out, presetFile))
	if best.col >= 0 && best.step > 0 {
		where := "that state is in " + filepath.Join(*out, bestFile)
		if _, err := os.Stat(filepath.Join(*out, bestFile)); err != nil {
			where = "reached before the resume: its snapshot is the best.npz of the run that reached it"
		}
		fmt.Fprintf(stdout, "held-out %s: best %.4g at step %d (near-copies ≤ %g); %s\n",
			best.name, best.val, best.step, best.budget, where)
	}
	if err := writeBound(*out, sim, *boundIters, *boundSeeds, stdout); err != nil {
		return err
	}
	return writeOutputs(*out, sim, stdout)
}

// bestTracker follows the problem's held-out criterion (core.Problem.Criterion)
// along a run: its lowest value so far among the steps within the near-copy
// budget (flow.max_copies of Problem.CopyShare), and that step. A resumed
// run reads it back from the history.
type bestTracker struct {
	col    int // column of the criterion in the records, −1 without one
	copies int // column of the near-copy share, −1 without one
	budget float64
	name   string
	step   int
	val    float64
	over   int     // the first step whose near-copy share exceeded the budget, 0 if none
	overC  float64 // its near-copy share
}

func newBestTracker(sim *core.Sim) *bestTracker {
	p := sim.Problem()
	f := sim.Config().Flow
	b := &bestTracker{col: -1, copies: -1, val: math.Inf(1), name: p.Criterion, budget: f.CopyBudget()}
	for i, mi := range sim.Metrics() {
		switch {
		case p.Criterion != "" && mi.Name == p.Criterion:
			b.col = i
		case p.CopyShare != "" && mi.Name == p.CopyShare:
			b.copies = i
		}
	}
	if b.col < 0 {
		return b
	}
	h := sim.History()
	for i := range h.Len() {
		b.improved(h.At(i))
	}
	return b
}

// improved reports whether r sets a new best of the criterion within the
// copy budget.
func (b *bestTracker) improved(r core.Record) bool {
	if b.col < 0 {
		return false
	}
	v := r.Values[b.col]
	if b.copies >= 0 {
		if c := r.Values[b.copies]; c > b.budget {
			if b.over == 0 {
				b.over, b.overC = r.Step, c
			}
			return false
		}
	}
	if v < b.val { // NaN: not measured
		b.val, b.step = v, r.Step
		return true
	}
	return false
}

// stop says whether flow.stop = "best-heldout" ends the run at step, and
// why: the copy budget was exceeded, or the criterion has not improved for
// flow.patience steps.
func (b *bestTracker) stop(step int, f core.FlowConfig) (bool, string) {
	if b.col < 0 || b.step == 0 || f.Stop != "best-heldout" {
		return false, ""
	}
	if b.over > 0 {
		return true, fmt.Sprintf("%.0f%% of the particles are near-copies of a target at step %d, above flow.max_copies = %g",
			100*b.overC, b.over, b.budget)
	}
	if step-b.step >= f.StopPatience() {
		return true, fmt.Sprintf("%s has not improved for %d steps", b.name, step-b.step)
	}
	return false, ""
}

// writeOutputs writes the problem's own files (a gene run's merged matrix
// and comparison table) into dir, each atomically.
func writeOutputs(dir string, sim *core.Sim, stdout io.Writer) error {
	create := func(name string, write func(io.Writer) error) error {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			return err
		}
		return writeFileAtomic(filepath.Join(dir, name), b.Bytes())
	}
	for _, o := range sim.Problem().Outputs {
		if err := o.WriteFiles(create, sim.Particles(), stdout); err != nil {
			return err
		}
	}
	return nil
}

// writeBound estimates the sides of Theorem 5.1 (eq. 14) for a latent run
// and writes them to bound.json.
func writeBound(dir string, sim *core.Sim, iters, seeds int, stdout io.Writer) error {
	if iters <= 0 || sim.Problem().Decoder == nil {
		return nil
	}
	b, err := sim.Theorem51(iters, seeds)
	if err != nil {
		return err
	}
	js, _ := json.MarshalIndent(b, "", "  ")
	if err := writeFileAtomic(filepath.Join(dir, "bound.json"), append(js, '\n')); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Theorem 5.1 (%d seeds × %d updates, lower-bound estimates): D̂_L(D#P‖Q) = %.4g ± %.2g, D̂_L(D#P‖D#E#Q) = %.4g ± %.2g in data space; D̂_{a_D·L}(P‖E#Q) = %.4g ± %.2g in latent space (a_D ≤ %.4g, L = %g)\n",
		b.Seeds, b.Iters, b.Real.Mean, b.Real.SD, b.Recon.Mean, b.Recon.SD, b.Latent.Mean, b.Latent.SD, b.DecoderLip, b.L)
	return nil
}

// prepOptions reports autoencoder and classifier training (first runs of
// image presets; later runs load them from the cache) and cache warnings.
func prepOptions(stderr io.Writer) experiments.Options {
	return experiments.Options{
		Progress: func(what string, epoch, epochs int) {
			fmt.Fprintf(stderr, "\rtraining %s (cached for next time): epoch %d/%d\x1b[K", what, epoch, epochs)
			if epoch == epochs {
				fmt.Fprintln(stderr)
			}
		},
		Warn: func(err error) { fmt.Fprintf(stderr, "gpa-tui: warning: %v\n", err) },
	}
}

// openMetrics opens metrics.jsonl. For a resumed run the history saved in
// the snapshot is written first, so the file always holds steps 1…k.
func openMetrics(path string, sim *core.Sim) (*os.File, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	h := sim.History()
	for i := range h.Len() {
		if err := enc.Encode(h.At(i)); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// writeFileAtomic writes via a temporary file and a rename.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// progress draws a one-line progress bar on a terminal.
type progress struct {
	w          io.Writer
	on         bool
	start, end int
	t0, last   time.Time
	infos      []core.MetricInfo // the columns of the records
}

func newProgress(w io.Writer, quiet bool, start, end int, infos []core.MetricInfo) *progress {
	on := false
	if f, ok := w.(*os.File); ok && !quiet {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			on = true
		}
	}
	return &progress{w: w, on: on, start: start, end: end, t0: time.Now(), infos: infos}
}

func (p *progress) update(mt core.Record) {
	if !p.on || (time.Since(p.last) < 100*time.Millisecond && mt.Step != p.end) {
		return
	}
	p.last = time.Now()
	frac := float64(mt.Step) / float64(max(p.end, 1))
	const width = 30
	filled := int(frac * width)
	bar := make([]rune, width)
	for i := range bar {
		bar[i] = '░'
		if i < filled {
			bar[i] = '█'
		}
	}
	rate := float64(mt.Step-p.start) / time.Since(p.t0).Seconds()
	var vals strings.Builder
	for i, mi := range p.infos {
		if v := mt.Values[i]; i < 2 && !math.IsNaN(v) {
			fmt.Fprintf(&vals, "  %s %.4g", mi.Symbol, v)
		}
	}
	fmt.Fprintf(p.w, "\r%s %d/%d%s  %.0f steps/s \x1b[K", string(bar), mt.Step, p.end, vals.String(), rate)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
