package tui

import (
	"fmt"
	"log"
	"os"
	"slices"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
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
}

// Run opens the workbench on the terminal and returns when the user quits.
// The first run is built before the screen opens, with the progress of
// slow preparation (training an autoencoder or a classifier the first
// time) on standard error; a preset or snapshot that does not load is an
// error then. Later loads report their progress and errors in the status
// line.
func Run(opts Options) error {
	d, first, err := setup(opts)
	if err != nil {
		return err
	}
	if first, err = prebuild(d, first, os.Stderr); err != nil {
		return err
	}
	if os.Getenv("GPA_DEBUG") != "" {
		f, err := tea.LogToFile("gpa-tui-debug.log", "gpa-tui")
		if err != nil {
			return fmt.Errorf("tui: %w", err)
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
	p := tea.NewProgram(newModel(d, first), tea.WithFPS(fps))
	prog.Store(p)
	_, err = p.Run()
	if err != nil {
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
		save:        func(e engine, path string) error { return snapshots.Save(path, e.State()) },
		listPresets: listPresets,
		snapshotDir: opts.SnapshotDir,
	}
	if d.snapshotDir == "" {
		d.snapshotDir = DefaultSnapshotDir
	}
	if opts.Resume != "" {
		if _, err := os.Stat(opts.Resume); err != nil {
			return d, loadReq{}, fmt.Errorf("tui: --resume: %w", err)
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

// listPresets is the picker's list: embedded presets and the preset files
// of the working directory, grouped by the paper figure they reproduce
// (presets without one last), embedded before files within a group.
func listPresets() []pickItem {
	var items []pickItem
	add := func(p presets.Info, name string, file bool) {
		desc := p.Description
		if p.Compare > 0 {
			desc += fmt.Sprintf(" · %d runs with gpa-tui compare", p.Compare)
		}
		items = append(items, pickItem{Name: name, Description: desc, File: file, Figure: p.Figure})
	}
	for _, p := range presets.List() {
		add(p, p.Name, false)
	}
	for _, p := range presets.ListDir(".") {
		add(p, p.File, true)
	}
	slices.SortStableFunc(items, func(a, b pickItem) int { return presets.FigureOrder(a.Figure, b.Figure) })
	return items
}
