package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/sweep"
	"github.com/gpa-tui/gpa-tui/tui"
)

func cmdSweep(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sweep", "sweep --preset NAME --grid key=v1,v2,… [--grid …] [--seeds 1-5] --out DIR [--submit | --local N]\n       gpa-tui sweep --continue DIR (--submit | --local N)", stderr)
	preset := fs.String("preset", presets.Default, "embedded preset name or a .toml file")
	var sets, grid, extra stringList
	fs.Var(&sets, "set", "override a preset key in every task, section.key=value (repeatable)")
	fs.Var(&grid, "grid", "a swept key and its values, key=v1,v2,… (repeatable; the tasks are all combinations)")
	seeds := fs.String("seeds", "", "seeds to sweep, 1-5 or 1,3,7 (an axis of the grid)")
	steps := fs.Int("steps", -1, "total steps of every task; -1 = the preset's flow.steps")
	every := fs.Int("checkpoint-every", 0, "a rolling checkpoint every K steps in every task (0 = only on signals)")
	out := fs.String("out", "", "the sweep folder (must be empty or missing)")
	cont := fs.String("continue", "", "continue the sweep in this folder: run (--local) or submit (--submit) its unfinished tasks")
	submit := fs.Bool("submit", false, "submit the batch script with sbatch")
	local := fs.Int("local", 0, "run the unfinished tasks here, N at a time, without Slurm")
	binary := fs.String("binary", "", "the gpa-tui the batch script runs (default: this one; it must exist on the compute nodes)")
	var sl struct {
		partition, time, mem, gres, account, qos, constraint string
		cpus, maxPar, lead                                   int
	}
	fs.StringVar(&sl.partition, "partition", "", "sbatch --partition")
	fs.StringVar(&sl.time, "time", "", "sbatch --time of each task, e.g. 2:00:00")
	fs.StringVar(&sl.mem, "mem", "", "sbatch --mem of each task, e.g. 4G")
	fs.IntVar(&sl.cpus, "cpus-per-task", 0, "sbatch --cpus-per-task")
	fs.StringVar(&sl.gres, "gres", "", "sbatch --gres")
	fs.StringVar(&sl.account, "account", "", "sbatch --account")
	fs.StringVar(&sl.qos, "qos", "", "sbatch --qos")
	fs.StringVar(&sl.constraint, "constraint", "", "sbatch --constraint")
	fs.IntVar(&sl.maxPar, "max-parallel", 0, "at most N array tasks at once (--array=…%N)")
	fs.IntVar(&sl.lead, "signal-lead", 0, "seconds before the time limit that Slurm sends SIGUSR1 (default 120)")
	fs.Var(&extra, "sbatch-opt", "another sbatch option for the script, e.g. --sbatch-opt=--exclusive (repeatable)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("sweep: unexpected argument %q", pos[0])
	}
	if *submit && *local > 0 {
		return errors.New("sweep: --submit or --local, not both")
	}
	if *local < 0 {
		return fmt.Errorf("sweep: --local %d: want ≥ 1 workers", *local)
	}
	dir := *cont
	if dir == "" {
		if *out == "" {
			fs.Usage()
			return errors.New("sweep: --out DIR is required")
		}
		dir = *out
		bin := *binary
		if bin == "" {
			if bin, err = os.Executable(); err != nil {
				return err
			}
		}
		if bin, err = filepath.Abs(bin); err != nil {
			return err
		}
		spec := sweep.Spec{Preset: *preset, Sets: sets, Grid: grid, Seeds: *seeds, Steps: *steps, CheckpointEvery: *every, Binary: bin}
		spec.Slurm.Partition, spec.Slurm.Time, spec.Slurm.Mem, spec.Slurm.Gres = sl.partition, sl.time, sl.mem, sl.gres
		spec.Slurm.Account, spec.Slurm.QOS, spec.Slurm.Constraint = sl.account, sl.qos, sl.constraint
		spec.Slurm.CPUsPerTask, spec.Slurm.MaxParallel, spec.Slurm.SignalLead, spec.Slurm.Extra = sl.cpus, sl.maxPar, sl.lead, extra
		m, err := sweep.Create(dir, spec)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d tasks in %s (%s); batch script %s\n", len(m.Tasks), dir, filepath.Join(dir, sweep.ManifestFile), filepath.Join(dir, sweep.ScriptFile))
	} else {
		given := false
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "continue", "submit", "local":
			default:
				given = true
			}
		})
		if given {
			return errors.New("sweep: --continue runs the sweep as it was created; only --submit or --local apply")
		}
	}
	m, err := sweep.Load(dir)
	if err != nil {
		return err
	}
	switch {
	case *submit:
		return submitSweep(dir, stdout)
	case *local > 0:
		return runLocal(dir, m, *local, stdout, stderr)
	}
	fmt.Fprintf(stdout, "submit with: sbatch %s   (or: gpa-tui sweep --continue %s --submit)\nor run here: gpa-tui sweep --continue %s --local 2\nfollow it:   gpa-tui watch %s\n",
		filepath.Join(dir, sweep.ScriptFile), dir, dir, dir)
	return nil
}

// submittedRE reads sbatch's answer.
var submittedRE = regexp.MustCompile(`Submitted batch job (\d+)`)

// submitSweep submits the batch script and records the job ID.
func submitSweep(dir string, stdout io.Writer) error {
	out, err := exec.Command("sbatch", filepath.Join(dir, sweep.ScriptFile)).CombinedOutput()
	if err != nil {
		return fmt.Errorf("sweep: sbatch: %v: %s", err, strings.TrimSpace(string(out)))
	}
	mm := submittedRE.FindSubmatch(out)
	if mm == nil {
		return fmt.Errorf("sweep: sbatch said %q", strings.TrimSpace(string(out)))
	}
	if err := sweep.AddJob(dir, string(mm[1])); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "submitted job %s; follow it with: gpa-tui watch %s\n", mm[1], dir)
	return nil
}

// runLocal runs the unfinished tasks with n workers, each task a child
// process (`gpa-tui task DIR I`, as under Slurm) logging to logs/. A
// signal is passed on to the running tasks, which checkpoint; the sweep
// then stops, and --continue resumes it.
func runLocal(dir string, m *sweep.Manifest, n int, stdout, stderr io.Writer) error {
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	var todo []sweep.Task
	for _, t := range m.Tasks {
		if st, ok, _ := runfolder.ReadStatus(filepath.Join(dir, t.Dir)); ok && (st.State == runfolder.StateFinished || st.State == runfolder.StateDiverged) {
			continue
		}
		todo = append(todo, t)
	}
	fmt.Fprintf(stdout, "%d of %d tasks to run, %d at a time; follow them with: gpa-tui watch %s\n", len(todo), len(m.Tasks), n, dir)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sig)
	var (
		mu       sync.Mutex
		children = map[int]*os.Process{}
		stopped  bool
		stopSig  os.Signal
		results  = map[string]int{}
		wg       sync.WaitGroup
	)
	jobs := make(chan sweep.Task)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range jobs {
				logPath := filepath.Join(dir, sweep.LogsDir, fmt.Sprintf("local-%03d.out", t.Index))
				lf, err := os.OpenFile(logPath, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
				if err != nil {
					fmt.Fprintf(stderr, "gpa-tui: task %d: %v\n", t.Index, err)
					continue
				}
				cmd := exec.Command(bin, "task", dir, strconv.Itoa(t.Index))
				cmd.Stdout, cmd.Stderr = lf, lf
				mu.Lock()
				if stopped {
					mu.Unlock()
					lf.Close()
					continue
				}
				err = cmd.Start()
				if err == nil {
					children[t.Index] = cmd.Process
				}
				mu.Unlock()
				if err != nil {
					fmt.Fprintf(stderr, "gpa-tui: task %d: %v\n", t.Index, err)
					lf.Close()
					continue
				}
				fmt.Fprintf(stdout, "%s task %d (%s) started\n", time.Now().Format("15:04:05"), t.Index, m.Label(t))
				err = cmd.Wait()
				lf.Close()
				mu.Lock()
				delete(children, t.Index)
				mu.Unlock()
				st, _, _ := runfolder.ReadStatus(filepath.Join(dir, t.Dir))
				state := st.State
				if state == "" {
					state = "failed"
				}
				mu.Lock()
				results[state]++
				mu.Unlock()
				msg := ""
				if err != nil {
					msg = fmt.Sprintf(" (%v; see %s)", err, logPath)
				}
				fmt.Fprintf(stdout, "%s task %d %s at step %d%s\n", time.Now().Format("15:04:05"), t.Index, state, st.Step, msg)
			}
		}()
	}
	go func() {
		for s := range sig {
			mu.Lock()
			stopped, stopSig = true, s
			for _, p := range children {
				p.Signal(s)
			}
			mu.Unlock()
			fmt.Fprintf(stderr, "gpa-tui: %v: the running tasks checkpoint; continue with: gpa-tui sweep --continue %s --local %d\n", s, dir, n)
		}
	}()
	for _, t := range todo {
		mu.Lock()
		s := stopped
		mu.Unlock()
		if s {
			break
		}
		jobs <- t
	}
	close(jobs)
	wg.Wait()
	var parts []string
	for _, s := range []string{runfolder.StateFinished, runfolder.StateStopped, runfolder.StateDiverged, runfolder.StateFailed} {
		if c := results[s]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, s))
		}
	}
	fmt.Fprintf(stdout, "done: %s; compare them with: gpa-tui report %s\n", strings.Join(parts, ", "), dir)
	if stopped {
		// Interrupted: the conventional status of the signal.
		return &exitError{code: 128 + int(stopSig.(syscall.Signal))}
	}
	if results[runfolder.StateFailed] > 0 {
		return &exitError{code: 1}
	}
	return nil
}

// cmdTask runs task I of a sweep (the batch script's command): resumed
// from its checkpoint if it has one, else from its preset; a finished task
// is not run again.
func cmdTask(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("task", "task SWEEPDIR INDEX", stderr)
	progressEvery := fs.Duration("progress-every", time.Minute, "a progress line on stderr this often when it is not a terminal (0 = never)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		fs.Usage()
		return errors.New("task: want the sweep folder and a task index")
	}
	i, err := strconv.Atoi(pos[1])
	if err != nil {
		return fmt.Errorf("task: %q is not a task index", pos[1])
	}
	m, err := sweep.Load(pos[0])
	if err != nil {
		return err
	}
	t, err := m.Task(i)
	if err != nil {
		return err
	}
	dir := filepath.Join(pos[0], t.Dir)
	if st, ok, _ := runfolder.ReadStatus(dir); ok {
		switch st.State {
		case runfolder.StateFinished:
			fmt.Fprintf(stdout, "task %d (%s) finished already at step %d\n", i, m.Label(t), st.Step)
			return nil
		case runfolder.StateDiverged:
			return fmt.Errorf("task %d (%s) diverged at step %d; not run again (%s)", i, m.Label(t), st.Step, st.Message)
		}
	}
	h := headless{out: dir, into: true, steps: m.Steps, every: m.CheckpointEvery, progressEvery: *progressEvery,
		boundIters: 300, stdout: stdout, stderr: stderr, command: "gpa-tui task"}
	ckpt := filepath.Join(dir, runfolder.CheckpointFile)
	if _, err := os.Stat(ckpt); err == nil {
		h.resume = ckpt
	} else {
		h.preset = filepath.Join(dir, sweep.TaskPreset)
	}
	fmt.Fprintf(stderr, "%s task %d (%s) in %s\n", time.Now().Format("15:04:05"), i, m.Label(t), dir)
	return signalExit(h.run())
}

func cmdWatch(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("watch", "watch SWEEPDIR [--metric mmd2] [--once]", stderr)
	metric := fs.String("metric", "mmd2", "the metric drawn as a sparkline for every task")
	once := fs.Bool("once", false, "print the table once as text and exit")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("watch: want one sweep folder")
	}
	dir := pos[0]
	if _, err := sweep.Load(dir); err != nil {
		if _, serr := os.Stat(filepath.Join(dir, runfolder.PresetFile)); serr == nil {
			return fmt.Errorf("%w; for one run use: gpa-tui attach %s", err, dir)
		}
		return err
	}
	if *once {
		sc, err := sweep.NewScanner(dir, *metric)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "#\ttask\tstate\tstep\tD̂\tMMD²\tprocess\n")
		for _, t := range sc.Scan() {
			step := fmt.Sprint(t.Step)
			if t.Total > 0 {
				step += "/" + fmt.Sprint(t.Total)
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.Task.Index, t.Label, t.State, step, numText(t.Divergence), numText(t.MMD2), t.Holder)
		}
		return tw.Flush()
	}
	cursor := 0
	for {
		chosen, c, err := tui.Watch(tui.WatchOptions{Dir: dir, Metric: *metric, Cursor: cursor})
		if err != nil || chosen == "" {
			return err
		}
		cursor = c
		if err := tui.Attach(tui.AttachOptions{Dir: chosen, Wait: 30 * time.Second}); err != nil {
			fmt.Fprintf(stderr, "gpa-tui: %v\n", err)
			time.Sleep(2 * time.Second)
		}
	}
}

// numText is a metric for a text table ("–" when not measured).
func numText(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return strconv.FormatFloat(v, 'g', 4, 64)
}

func cmdReport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("report", "report SWEEPDIR [--metric mmd2] [--tsv FILE] [--png FILE]", stderr)
	metric := fs.String("metric", "mmd2", "the metric plotted against the swept values")
	tsv := fs.String("tsv", "", "the table (default SWEEPDIR/report.tsv; - for standard output)")
	png := fs.String("png", "", "the plot (default SWEEPDIR/report.png)")
	size := fs.Int("size", 900, "PNG width in pixels (height 2/3 of it)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return errors.New("report: want one sweep folder")
	}
	if *size < 100 || *size > 8000 {
		return fmt.Errorf("report: --size %d: want 100 … 8000", *size)
	}
	dir := pos[0]
	m, err := sweep.Load(dir)
	if err != nil {
		return err
	}
	rs, err := sweep.Results(dir, m)
	if err != nil {
		return err
	}
	table := sweep.TSV(m, rs)
	switch *tsv {
	case "-":
		if _, err := stdout.Write(table); err != nil {
			return err
		}
	default:
		path := *tsv
		if path == "" {
			path = filepath.Join(dir, "report.tsv")
		}
		if err := runfolder.WriteFile(path, table); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s (%d tasks)\n", path, len(rs))
	}
	p, note, err := sweep.Plot(m, rs, *metric)
	if err != nil {
		return err
	}
	path := *png
	if path == "" {
		path = filepath.Join(dir, "report.png")
	}
	if err := sweep.SavePNG(p, path, *size, *size*2/3); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s against %s)\n", path, *metric, m.Axes[0].Key)
	if note != "" {
		fmt.Fprintf(stderr, "gpa-tui: report: %s\n", note)
	}
	return nil
}
