package tui

import (
	"fmt"
	"log"
	"os"
	"sync/atomic"

	tea "charm.land/bubbletea/v2"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/presets"
)

// DefaultSnapshotDir is where "s" saves when Options.SnapshotDir is empty.
const DefaultSnapshotDir = "snapshots"

// Options configure the workbench. cmd/gpa-tui fills them from its flags
// and wires the hooks, so that tui imports neither snapshots nor latent.
type Options struct {
	Preset      string   // embedded preset name or .toml file; "" is presets.Default
	Sets        []string // "section.key=value" overrides of the preset
	Resume      string   // snapshot to resume instead of a preset (needs Load)
	SnapshotDir string   // where "s" writes snapshots; "" is DefaultSnapshotDir

	// Save writes a snapshot of sim to path; nil makes "s" report that
	// saving is unavailable. It runs on the engine goroutine.
	Save func(sim *core.Sim, path string) error
	// Load reads a snapshot back into a Sim, for Resume.
	Load func(path string) (*core.Sim, error)
	// LoadWith is Load with the options that report slow preparation
	// (core.RestoreOpts); it is used instead of Load when set.
	LoadWith func(path string, opts core.Options) (*core.Sim, error)
	// PCA, if set, fits the first two principal axes of the targets x
	// (rows×dim) and returns their projection, for the "PCA" view of data
	// with d > 2 (the TUI does no arithmetic itself). Without it the views
	// are the first two coordinates and coordinates chosen with x and y.
	PCA func(x []float32, rows, dim int) (Projector, error)
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
		loadPreset:  presets.Load,
		newEngine:   func(cfg core.Config, o core.Options) (engine, error) { return core.NewOpts(cfg, o) },
		listPresets: listPresets,
		snapshotDir: opts.SnapshotDir,
		pca:         opts.PCA,
		genes:       simGenes,
	}
	if d.snapshotDir == "" {
		d.snapshotDir = DefaultSnapshotDir
	}
	if opts.Save != nil {
		d.save = func(e engine, path string) error {
			sim, ok := e.(*core.Sim)
			if !ok {
				return fmt.Errorf("tui: cannot save a %T", e)
			}
			return opts.Save(sim, path)
		}
	}
	switch {
	case opts.LoadWith != nil:
		d.loadSnap = func(path string, o core.Options) (engine, error) { return opts.LoadWith(path, o) }
	case opts.Load != nil:
		// Without options the restore is silent: progress and cache
		// warnings are dropped rather than printed over the screen.
		d.loadSnap = func(path string, _ core.Options) (engine, error) { return opts.Load(path) }
	}

	if opts.Resume != "" {
		if d.loadSnap == nil {
			return d, loadReq{}, fmt.Errorf("tui: --resume: snapshots cannot be loaded in this build")
		}
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

// simGenes is the batch-merging problem of a *core.Sim, or nil.
func simGenes(e engine) geneSource {
	if s, ok := e.(*core.Sim); ok {
		if g := s.Genes(); g != nil {
			return g
		}
	}
	return nil
}

// listPresets is the picker's list: embedded presets, then the preset
// files of the working directory.
func listPresets() []pickItem {
	var items []pickItem
	for _, p := range presets.List() {
		items = append(items, pickItem{Name: p.Name, Description: p.Description})
	}
	for _, p := range presets.ListDir(".") {
		items = append(items, pickItem{Name: p.File, Description: p.Description, File: true})
	}
	return items
}
