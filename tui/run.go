package tui

import (
	"fmt"
	"log"
	"os"

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
	// PCA, if set, fits the first two principal axes of the targets x
	// (rows×dim) and returns their projection, for the "PCA" view of data
	// with d > 2 (the TUI does no arithmetic itself). Without it the views
	// are the first two coordinates and coordinates chosen with x and y.
	PCA func(x []float32, rows, dim int) (Projector, error)
}

// Run opens the workbench on the terminal and returns when the user quits.
// A preset that does not load, or a snapshot that does not exist, is an
// error before the screen opens; later errors are shown in the status line.
func Run(opts Options) error {
	d, first, err := setup(opts)
	if err != nil {
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
	p := tea.NewProgram(newModel(d, first), tea.WithFPS(fps))
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
		newEngine:   func(cfg core.Config) (engine, error) { return core.New(cfg) },
		listPresets: listPresets,
		snapshotDir: opts.SnapshotDir,
		pca:         opts.PCA,
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
	if opts.Load != nil {
		d.loadSnap = func(path string) (engine, error) { return opts.Load(path) }
	}

	if opts.Resume != "" {
		if opts.Load == nil {
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
