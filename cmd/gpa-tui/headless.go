package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Cadences of a headless run's files: metrics.jsonl is flushed (for watch
// and viewers) and status.json rewritten this often.
const (
	flushEvery  = 2 * time.Second
	statusEvery = 10 * time.Second
	// pausedPoll is how often a paused run looks for requests and signals.
	pausedPoll = 100 * time.Millisecond
)

// testPrepDelay lengthens the preparation; set by tests only (through
// GPA_TUI_TEST_PREP_DELAY in the test binary), to send signals while it
// runs.
var testPrepDelay time.Duration

// headless is one headless run into a run folder (`gpa-tui run`, and a
// sweep's task).
type headless struct {
	out   string
	force bool
	// A new run: preset and overrides; or a resumed one: the snapshot
	// and the mid-run parameters to change first.
	preset     string
	sets       []string
	resume     string
	resumeSets []string
	// into says the folder may hold files of this very run (a sweep task
	// continued, or resumed from its checkpoint).
	into bool

	steps, every  int
	quiet         bool
	progressEvery time.Duration
	boundIters    int
	boundSeeds    int // 0: one
	command       string
	stdout        io.Writer
	stderr        io.Writer
}

// exitError ends the program with a status and an optional message.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// run executes the run. The order matters: signals are caught before
// anything slow, the folder is checked and locked before the data and
// models are prepared, and nothing in it is replaced before a resumed
// snapshot has been validated.
func (h *headless) run() (err error) {
	// 1. Signals, before anything slow: a signal during preparation is
	// kept and honoured at the first safe point (a checkpoint at the
	// first step boundary).
	sigRaw := make(chan os.Signal, 4)
	signal.Notify(sigRaw, syscall.SIGTERM, syscall.SIGINT, syscall.SIGUSR1, syscall.SIGHUP)
	defer signal.Stop(sigRaw)
	var preparing atomic.Bool
	preparing.Store(true)
	sig := make(chan os.Signal, 4)
	go func() {
		for s := range sigRaw {
			if preparing.Load() {
				fmt.Fprintf(h.stderr, "\ngpa-tui: %v received while preparing; a checkpoint follows at the first step boundary\n", s)
			}
			sig <- s
		}
	}()

	// 2. The folder: empty (or --force, or this run's own), then locked.
	if err := h.checkOut(); err != nil {
		return err
	}
	// A new run into an empty or missing folder that fails before its
	// first step leaves the folder as it was.
	_, statErr := os.Stat(h.out)
	created, fresh := os.IsNotExist(statErr), !h.into && !h.force
	if err := os.MkdirAll(h.out, 0o777); err != nil {
		return err
	}
	lock, note, err := runfolder.Acquire(h.out, runfolder.Self(h.command))
	if err != nil {
		return err
	}
	defer lock.Release()
	if note != "" {
		fmt.Fprintf(h.stderr, "gpa-tui: %s: %s\n", h.out, note)
	}
	for _, p := range runfolder.CleanTemps(h.out) {
		fmt.Fprintf(h.stderr, "gpa-tui: removed a stale temporary file %s\n", p)
	}
	if h.force && !h.into {
		if err := runfolder.Reset(h.out); err != nil {
			return err
		}
	}
	log, err := runfolder.OpenLog(h.out)
	if err != nil {
		return err
	}
	defer log.Close()
	self := runfolder.Self(h.command)
	status := runfolder.Status{State: runfolder.StateStarting, PID: self.PID, Host: self.Host, Started: time.Now().UTC().Truncate(time.Second)}
	runfolder.WriteStatus(h.out, status)
	started := false
	fail := func(err error) error {
		if fresh && !started {
			log.Close()
			os.Remove(filepath.Join(h.out, runfolder.EventsFile))
			os.Remove(filepath.Join(h.out, runfolder.StatusFile))
			lock.Release()
			if created {
				os.Remove(h.out) // only if empty
			}
			return err
		}
		status.State, status.Message = runfolder.StateFailed, err.Error()
		runfolder.WriteStatus(h.out, status)
		log.Add(runfolder.Entry{Step: status.Step, Event: runfolder.EvError, Message: err.Error()})
		return err
	}

	// 3. Prepare the run (slow for image runs: data, autoencoder,
	// classifier), validating a resumed snapshot completely.
	sim, entries, err := h.prepare()
	if err != nil {
		return fail(err)
	}
	preparing.Store(false)
	total := sim.Config().Flow.Steps
	if h.steps >= 0 {
		total = h.steps
		sim.SetTotalSteps(total)
	}
	status.Step, status.Total = sim.StepCount(), total

	// 4. Only now write into the folder: everything is encoded first.
	desc, err := experiments.Describe(sim.Problem(), sim.Config())
	if err != nil {
		return fail(err)
	}
	cfgText, err := presets.Format(desc)
	if err != nil {
		return fail(err)
	}
	hist, err := encodeHistory(sim.History())
	if err != nil {
		return fail(err)
	}
	started = true
	if err := runfolder.WriteFile(filepath.Join(h.out, presetFile), cfgText); err != nil {
		return fail(err)
	}
	mf, err := writeMetrics(filepath.Join(h.out, metricsFile), hist)
	if err != nil {
		return fail(err)
	}
	defer mf.Close()
	mw := bufio.NewWriter(mf)
	defer mw.Flush()
	for _, e := range entries {
		log.Add(e)
	}
	start := entries[0]
	for _, note := range sim.Problem().Notes {
		fmt.Fprintf(h.stderr, "gpa-tui: warning: %s\n", note)
	}

	live, err := runfolder.NewLive(h.out, sim, log, total)
	if err != nil {
		return fail(err)
	}
	bar := newProgress(h.stderr, h.quiet, h.progressEvery, sim.StepCount(), total, sim.Metrics())
	live.Flush = mw.Flush
	live.Rate = bar.rate
	live.Warn = func(err error) { bar.warn(err) }
	status.State = runfolder.StateRunning
	runfolder.WriteStatus(h.out, status)
	if !h.quiet {
		bar.line(fmt.Sprintf("%s at step %d of %d in %s; watch it live: gpa-tui attach %s", start.Event, sim.StepCount(), total, h.out, h.out))
	}

	// checkpoint saves checkpoint.npz and ends the run as stopped.
	checkpoint := func(why string, ev runfolder.Entry) error {
		mw.Flush()
		bar.done()
		path := filepath.Join(h.out, checkpointFile)
		if err := runfolder.SaveSnapshot(path, sim.State()); err != nil {
			err = fmt.Errorf("%s at step %d; saving the checkpoint failed: %w", why, sim.StepCount(), err)
			live.SetState(runfolder.StateFailed, err.Error())
			return fail(err)
		}
		log.Add(ev)
		log.Add(runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvCheckpoint, Path: path})
		status.State, status.Step, status.Message, status.Checkpoint = runfolder.StateStopped, sim.StepCount(), why, path
		status.Viewers = live.Viewers()
		runfolder.WriteStatus(h.out, status)
		live.SetState(runfolder.StateStopped, why)
		fmt.Fprintf(h.stderr, "gpa-tui: %s: saved step %d to %s\n  resume with: gpa-tui run --resume %s --out %s --steps %d\n",
			why, sim.StepCount(), path, path, h.out, total)
		return nil
	}

	enc := json.NewEncoder(mw)
	lastFlush, lastStatus := time.Now(), time.Now()
	best := newBest(sim)
	for sim.StepCount() < total {
		select {
		case s := <-sig:
			if err := checkpoint(fmt.Sprintf("%v received", s), runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvSignal, Message: s.String()}); err != nil {
				return err
			}
			return errSignalled{s}
		default:
		}
		if r := live.Poll(); r != nil {
			why := fmt.Sprintf("stopped by %s", r.By)
			if err := checkpoint(why, runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvStop, By: r.By}); err != nil {
				return err
			}
			live.Ack(runfolder.Ack{ID: r.ID, Action: r.Action, By: r.By, OK: true, Step: sim.StepCount(),
				Message: fmt.Sprintf("stopped at step %d; checkpoint %s", sim.StepCount(), filepath.Join(h.out, checkpointFile)),
				Path:    filepath.Join(h.out, checkpointFile)})
			live.SetState(runfolder.StateStopped, why)
			return nil
		}
		if live.Paused() {
			if status.State != runfolder.StatePaused {
				mw.Flush()
				status.State, status.Step = runfolder.StatePaused, sim.StepCount()
				runfolder.WriteStatus(h.out, status)
				bar.line(fmt.Sprintf("paused at step %d by a viewer (gpa-tui attach %s; space resumes)", sim.StepCount(), h.out))
			}
			bar.pause()
			select {
			case s := <-sig:
				sig <- s
			case <-time.After(pausedPoll):
			}
			continue
		}
		if status.State == runfolder.StatePaused {
			status.State = runfolder.StateRunning
			runfolder.WriteStatus(h.out, status)
			bar.line(fmt.Sprintf("running again from step %d", sim.StepCount()))
		}
		mt, err := sim.Step()
		if err != nil {
			mw.Flush()
			bar.done()
			path := filepath.Join(h.out, finalFile)
			if serr := runfolder.SaveSnapshot(path, sim.State()); serr == nil {
				fmt.Fprintf(h.stderr, "gpa-tui: the last good state (step %d) is in %s\n", sim.StepCount(), path)
			}
			status.Step, status.Message = sim.StepCount(), err.Error()
			if errors.Is(err, core.ErrDiverged) {
				status.State = runfolder.StateDiverged
				runfolder.WriteStatus(h.out, status)
				log.Add(runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvDiverged, Path: path, Message: err.Error()})
				live.SetState(runfolder.StateDiverged, err.Error())
				if sim.Config().Divergence.Formulation == "nu" {
					return fmt.Errorf("%w\n  the learned ν of Algorithm 1 is unstable here; the exact ν is not: gpa-tui run --preset … --set divergence.formulation=dv, or a smaller L or Δt", err)
				}
				return fmt.Errorf("%w\n  try a smaller L or Δt: gpa-tui run --resume %s --set discriminator.lipschitz=… --set flow.dt=… --out %s", err, path, h.out)
			}
			live.SetState(runfolder.StateFailed, err.Error())
			return fail(err)
		}
		live.Stepped()
		if err := enc.Encode(mt); err != nil {
			return fail(err)
		}
		bar.update(mt)
		if best.Observe(mt) {
			mw.Flush()
			if err := runfolder.SaveSnapshot(filepath.Join(h.out, bestFile), sim.State()); err != nil {
				return fail(err)
			}
		}
		if stop, why := best.Stop(mt.Step, sim.Config().Flow); stop {
			bar.done()
			fmt.Fprintf(h.stderr, "gpa-tui: flow.stop = best-heldout: %s; stopped at step %d\n", why, mt.Step)
			log.Add(runfolder.Entry{Step: mt.Step, Event: runfolder.EvWarning, Message: "flow.stop = best-heldout: " + why})
			break
		}
		now := time.Now()
		if now.Sub(lastFlush) >= flushEvery {
			mw.Flush()
			lastFlush = now
		}
		if now.Sub(lastStatus) >= statusEvery {
			status.Step, status.Rate, status.Viewers = sim.StepCount(), bar.rate(), live.Viewers()
			runfolder.WriteStatus(h.out, status)
			lastStatus = now
		}
		if h.every > 0 && mt.Step%h.every == 0 {
			mw.Flush()
			// A failed rolling checkpoint (a full disk) is a warning: the
			// next one retries, the final snapshot is the one that must
			// succeed.
			if err := runfolder.SaveSnapshot(filepath.Join(h.out, checkpointFile), sim.State()); err != nil {
				bar.warn(fmt.Errorf("rolling checkpoint at step %d failed (the next one retries): %w", mt.Step, err))
				log.Add(runfolder.Entry{Step: mt.Step, Event: runfolder.EvWarning, Message: "rolling checkpoint failed: " + err.Error()})
			}
		}
	}
	bar.done()
	if err := mw.Flush(); err != nil {
		return fail(err)
	}
	path := filepath.Join(h.out, finalFile)
	if err := runfolder.SaveSnapshot(path, sim.State()); err != nil {
		return fail(err)
	}
	fmt.Fprintf(h.stdout, "%d steps; wrote %s, %s, %s\n", sim.StepCount(), filepath.Join(h.out, metricsFile), path, filepath.Join(h.out, presetFile))
	reportBest(h.stdout, best, h.out)
	stopped := func() bool {
		select {
		case <-sig:
			return true
		default:
			return false
		}
	}
	if err := writeBound(h.out, sim, h.boundIters, h.boundSeeds, stopped, h.stdout, h.stderr); err != nil {
		return fail(err)
	}
	if err := writeOutputs(h.out, sim, h.stdout); err != nil {
		return fail(err)
	}
	status.State, status.Step, status.Rate, status.Message, status.Checkpoint = runfolder.StateFinished, sim.StepCount(), bar.rate(), "", ""
	runfolder.WriteStatus(h.out, status)
	log.Add(runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvFinish, Path: path})
	live.SetState(runfolder.StateFinished, "wrote "+path)
	return nil
}

// checkOut refuses a non-empty output folder unless --force, or the run
// continues its own files (a snapshot inside the folder, a sweep task).
func (h *headless) checkOut() error {
	if h.force || h.into {
		return nil
	}
	if h.resume != "" && sameDir(filepath.Dir(h.resume), h.out) {
		h.into = true
		return nil
	}
	if err := runfolder.CheckEmpty(h.out); err != nil {
		if errors.Is(err, runfolder.ErrNotEmpty) {
			if hold, ok := runfolder.ReadHolder(h.out); ok {
				return &runfolder.BusyError{Dir: h.out, Holder: hold}
			}
			return fmt.Errorf("--out %v; use --force to replace an earlier run there, or another folder", err)
		}
		return err
	}
	return nil
}

// sameDir reports whether a and b name the same directory.
func sameDir(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// prepare builds or restores the run and returns the log entries that
// start it (start or resume, then any parameter changes). A resumed
// snapshot is loaded and restored completely (and its parameter changes
// applied) before anything is written.
func (h *headless) prepare() (*core.Sim, []runfolder.Entry, error) {
	if testPrepDelay > 0 {
		time.Sleep(testPrepDelay)
	}
	if h.resume == "" {
		cfg, err := presets.Load(h.preset, h.sets)
		if err != nil {
			return nil, nil, err
		}
		sim, err := experiments.Build(cfg, prepOptions(h.stderr))
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", cfg.Name, err)
		}
		msg := "preset " + h.preset
		if len(h.sets) > 0 {
			msg += " with " + strings.Join(h.sets, ", ")
		}
		return sim, []runfolder.Entry{{Step: 0, Event: runfolder.EvStart, Message: msg}}, nil
	}
	st, err := snapshots.Load(h.resume)
	if err != nil {
		return nil, nil, err
	}
	opts := prepOptions(h.stderr)
	var midRun []string
	opts.Paths, midRun = experiments.SplitPathSets(h.resumeSets)
	sim, err := experiments.Restore(st, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", h.resume, err)
	}
	start := runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvResume, Path: h.resume}
	if rc := os.Getenv("SLURM_RESTART_COUNT"); rc != "" {
		start.Message = "Slurm restart " + rc
	}
	entries := []runfolder.Entry{start}
	for _, s := range midRun {
		e, err := setMidRun(sim, s)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}
	return sim, entries, nil
}

// setMidRun applies one --set to a resumed run: only the method's mid-run
// parameters may change (core.Param), recorded by the Sim as an event.
func setMidRun(sim *core.Sim, s string) (runfolder.Entry, error) {
	key, raw, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	p, found := sim.Params().Lookup(key)
	if !ok || !found {
		var keys []string
		for _, p := range sim.Params() {
			keys = append(keys, p.Preset)
		}
		return runfolder.Entry{}, fmt.Errorf("run: --resume --set %s: only the mid-run parameters (%s) and the data paths (%s) may be given", s, strings.Join(keys, ", "), strings.Join(experiments.PathKeys, ", "))
	}
	v, err := p.Parse(strings.Trim(strings.TrimSpace(raw), `"`))
	if err != nil {
		return runfolder.Entry{}, fmt.Errorf("run: --set %s: %w", key, err)
	}
	old := sim.Value(p)
	if err := sim.Set(p.Key, v); err != nil {
		return runfolder.Entry{}, fmt.Errorf("run: --set %s: %w", key, err)
	}
	return runfolder.Entry{Step: sim.StepCount(), Event: runfolder.EvSet, Param: p.Key, Old: runfolder.NumPtr(old), New: runfolder.NumPtr(v), By: "--set"}, nil
}

// prepOptions reports autoencoder and classifier training (first runs of
// image presets; later runs load them from the cache) and cache warnings.
func prepOptions(stderr io.Writer) experiments.Options {
	tty := isTerminal(stderr)
	return experiments.Options{
		Progress: func(what string, epoch, epochs int) {
			if tty {
				fmt.Fprintf(stderr, "\rtraining %s (cached for next time): epoch %d/%d\x1b[K", what, epoch, epochs)
				if epoch == epochs {
					fmt.Fprintln(stderr)
				}
				return
			}
			fmt.Fprintf(stderr, "%s training %s (cached for next time): epoch %d/%d\n", time.Now().Format("15:04:05"), what, epoch, epochs)
		},
		Warn: func(err error) { fmt.Fprintf(stderr, "gpa-tui: warning: %v\n", err) },
	}
}
