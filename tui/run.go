package tui

import (
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// DefaultSnapshotDir is where "s" saves when Options.SnapshotDir is empty.
const DefaultSnapshotDir = "snapshots"

// Options configure the workbench.
type Options struct {
	Preset      string   // embedded preset name or .toml file; "" is presets.Default
	Sets        []string // "section.key=value" overrides of the preset
	Resume      string   // snapshot to resume instead of a preset
	SnapshotDir string   // where "s" writes snapshots; "" is DefaultSnapshotDir
	Paused      bool     // open the run paused
	// FPS is the highest frame rate (0: DefaultFPS); Bandwidth the budget
	// of bytes per second sent to the terminal (0: DefaultBandwidth, < 0:
	// none), which lowers the frame rate of a moving run.
	FPS       int
	Bandwidth float64
}

// Run opens the workbench on the terminal and returns when the user quits.
// The first run is built before the screen opens, with the progress of
// slow preparation (training an autoencoder or a classifier the first
// time) on standard error; a preset or snapshot that does not load is an
// error then. Later loads report their progress and errors in the status
// line.
//
// SIGHUP (a dropped SSH connection), SIGTERM and SIGINT from outside save
// a run with unsaved progress into the snapshot folder, restore the
// terminal and quit with a message naming the file.
func Run(opts Options) error {
	sig := watchSignals(nil)
	defer sig.stop()
	d, first, err := setup(opts)
	if err != nil {
		return err
	}
	if first, err = prebuild(d, first, os.Stderr); err != nil {
		return err
	}
	return runProgram(d, first, sig)
}

// AttachOptions configure gpa-tui attach.
type AttachOptions struct {
	Dir  string        // the run folder of a headless run
	Wait time.Duration // how long to wait for the run's first state
	// FPS and Bandwidth as in Options.
	FPS       int
	Bandwidth float64
}

// bandwidth turns Options.Bandwidth into the budget: 0 is the default,
// negative none.
func bandwidth(b float64) float64 {
	switch {
	case b == 0:
		return DefaultBandwidth
	case b < 0:
		return 0
	}
	return b
}

// Attach opens the workbench on a run that another process executes in a
// run folder (gpa-tui run --out DIR), on this node or, through a shared
// file system, on another: the screen follows the run, and the keys that
// steer it (L, Δt, δ, T_NN, space, n, s, X) become control requests the
// run applies at a step boundary. Quitting, or a dropped connection,
// leaves the run untouched.
func Attach(opts AttachOptions) error {
	var v *runfolder.Viewer
	sig := watchSignals(func() {
		if v != nil {
			v.Close()
		}
	})
	defer sig.stop()
	if opts.Wait <= 0 {
		opts.Wait = time.Minute
	}
	v, err := runfolder.Attach(opts.Dir, opts.Wait, func(s string) { fmt.Fprintln(os.Stderr, "gpa-tui: "+s) })
	if err != nil {
		return err
	}
	defer v.Close()
	d := deps{
		loadPreset:  presets.Load,
		listPresets: listPresets,
		listFiles:   listFiles,
		snapshotDir: opts.Dir,
		fps:         opts.FPS,
		bandwidth:   bandwidth(opts.Bandwidth),
	}
	return runProgram(d, loadReq{preset: opts.Dir, ready: v}, sig)
}

// runProgram runs the Bubble Tea program on the first load and prints the
// model's last words once the terminal is restored.
func runProgram(d deps, first loadReq, sig *signalWatch) error {
	if v := os.Getenv(EnvDebug); v != "" {
		f, _, err := openDebugLog(v)
		if err != nil {
			return err
		}
		defer f.Close()
		d.logf = log.Printf
	}
	// The engine command sends progress with p.Send; p exists only after
	// the model, so the hook reads it once it is set.
	var prog atomic.Pointer[tea.Program]
	d.send = func(msg tea.Msg) {
		if p := prog.Load(); p != nil {
			p.Send(msg)
		}
	}
	d.engMu = new(sync.Mutex)
	d.program = prog.Load
	// Count what the frames cost (the bandwidth budget): Bubble Tea writes
	// to the terminal through out, which is still the terminal (Fd).
	out := &meteredFile{File: os.Stdout}
	d.sent = out.n.Load
	fps := d.fps
	if fps <= 0 {
		fps = DefaultFPS
	}
	d.fps = min(fps, 120)
	p := tea.NewProgram(newModel(d, first), tea.WithFPS(d.fps), tea.WithoutSignalHandler(), tea.WithOutput(out))
	prog.Store(p)
	sig.deliver(func(s os.Signal) { p.Send(signalMsg{s}) })
	// Save the window title on the terminal's title stack (XTWINOPS 22;0)
	// and restore it after Bubble Tea cleared it on exit (23;0); terminals
	// without the stack ignore both.
	fmt.Fprint(os.Stdout, "\x1b[22;0t")
	fm, err := p.Run()
	fmt.Fprint(os.Stdout, "\x1b[23;0t")
	m, _ := fm.(*model)
	// An engine command may still be running (Bubble Tea does not wait
	// for commands): wait for it before touching the engine. A load is
	// not waited for (it may read a hung file system, and there is
	// nothing to save yet): the process just ends.
	if m != nil && m.loading {
		if m.exitMsg != "" {
			fmt.Fprintln(os.Stderr, "gpa-tui: "+m.exitMsg)
		} else if err != nil {
			return fmt.Errorf("tui: %w", err)
		}
		return nil
	}
	d.engMu.Lock()
	if s := sig.first(); s != nil && m != nil && m.exitMsg == "" && m.unsaved() && d.save != nil {
		// The program ended before its own save (the terminal went away
		// with the connection): save here.
		path, serr := saveNew(d, m.eng)
		if serr != nil {
			m.exitMsg = fmt.Sprintf("%s received; saving step %d failed: %v", signalName(s), m.step, serr)
		} else {
			m.exitMsg = fmt.Sprintf("%s received: saved step %d to %s\n  resume with: gpa-tui --resume %s", signalName(s), m.eng.StepCount(), path, path)
		}
	}
	if m != nil && m.exitMsg != "" {
		fmt.Fprintln(os.Stderr, "gpa-tui: "+m.exitMsg)
	}
	if err != nil && (m == nil || m.exitMsg == "") {
		return fmt.Errorf("tui: %w", err)
	}
	return nil
}

// setup turns Options into deps and the first load, checking early what
// can be checked cheaply.
func setup(opts Options) (deps, loadReq, error) {
	d := deps{
		loadPreset: presets.Load,
		newEngine: func(cfg experiments.Config, o experiments.Options) (engine, error) {
			return experiments.Build(cfg, o)
		},
		loadSnap:    loadSnapshot,
		save:        func(e engine, path string) error { return runfolder.SaveSnapshotNew(path, e.State()) },
		listPresets: listPresets,
		listFiles:   listFiles,
		snapshotDir: opts.SnapshotDir,
		paused:      opts.Paused,
		fps:         opts.FPS,
		bandwidth:   bandwidth(opts.Bandwidth),
	}
	if d.snapshotDir == "" {
		d.snapshotDir = DefaultSnapshotDir
	}
	if opts.Resume != "" {
		if _, err := os.Stat(opts.Resume); err != nil {
			return d, loadReq{}, fmt.Errorf("tui: --resume: %w", err)
		}
		// With --resume, --set gives the data paths again (a snapshot's
		// paths are never opened on their own).
		paths, rest := experiments.SplitPathSets(opts.Sets)
		if len(rest) > 0 {
			return d, loadReq{}, fmt.Errorf("tui: --resume: --set %s: only the data paths (%s) may be given; change L, Δt, … with the keys", rest[0], strings.Join(experiments.PathKeys, ", "))
		}
		d.loadSnap = func(path string, o experiments.Options) (engine, error) {
			o.Paths = paths
			return loadSnapshot(path, o)
		}
		return d, loadReq{snapshot: opts.Resume}, nil
	}
	name := opts.Preset
	if name == "" {
		name = presets.Default
	}
	// Parse now so that a typo fails on the command line, not in the TUI.
	cfg, err := presets.Load(name, opts.Sets)
	if err != nil {
		return d, loadReq{}, err
	}
	return d, loadReq{cfg: &cfg}, nil
}

// loadSnapshot reads a snapshot and rebuilds its run, reporting slow
// preparation (autoencoders and classifiers of image runs) through opts.
func loadSnapshot(path string, opts experiments.Options) (engine, error) {
	st, err := snapshots.Load(path)
	if err != nil {
		return nil, err
	}
	sim, err := experiments.Restore(st, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sim, nil
}

// listPresets is the picker's list of embedded presets: grouped by the
// paper figure they reproduce, the others by kind (the picker sorts),
// marked when their data are not installed (experiments.CheckData: files
// looked at, not read).
func listPresets() []pickItem {
	var items []pickItem
	for _, p := range presets.List() {
		it := pickItem{Name: p.Name, Description: p.Description, Figure: p.Figure}
		if p.Compare > 0 {
			it.Description += fmt.Sprintf(" · %d runs with gpa-tui compare", p.Compare)
		}
		if p.Err != nil {
			it.Group, it.Err = groupBroken, p.Err.Error()
			items = append(items, it)
			continue
		}
		cfg, err := presets.Load(p.Name, nil)
		if err != nil {
			it.Group, it.Err = groupBroken, err.Error()
		} else {
			if it.Figure == "" {
				it.Group = presetGroup(cfg)
			}
			if err := experiments.CheckData(cfg); err != nil {
				// The part that says what to get; loading it says all.
				msg := err.Error()
				if i := strings.LastIndex(msg, "; "); i >= 0 {
					msg = msg[i+2:]
				}
				it.Missing = msg
			}
		}
		items = append(items, it)
	}
	return items
}

// listFiles is the picker's list of the preset files of the working
// directory: presets.ListDir refuses FIFOs and devices without opening
// them, caps sizes, and returns broken files with their error.
func listFiles() []pickItem {
	var items []pickItem
	for _, p := range presets.ListDir(".") {
		it := pickItem{Name: p.File, Description: p.Description, File: true, Group: groupFiles}
		if p.Err != nil {
			it.Group, it.Err, it.Description = groupBroken, p.Err.Error(), ""
		}
		items = append(items, it)
	}
	return items
}

// presetGroup is the picker's heading for a run description.
func presetGroup(cfg experiments.Config) string {
	switch {
	case cfg.Genes != nil:
		return groupGenes
	case cfg.Target.Kind == "mnist" || cfg.Target.Kind == "fashion-mnist" || cfg.Target.Kind == "cifar10":
		return groupImages
	}
	return groupPoints
}
