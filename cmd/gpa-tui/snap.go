package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

func cmdExport(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", "export FILE.npz [--png out.png] [--csv out.csv]", stderr)
	png := fs.String("png", "", "write a plot of the particles over the target")
	csv := fs.String("csv", "", "write the particles as CSV (- for standard output)")
	initial := fs.Bool("initial", false, "also draw the initial particles (PNG)")
	size := fs.Int("size", 800, "PNG width and height in pixels")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || (*png == "" && *csv == "") {
		fs.Usage()
		return fmt.Errorf("export: want one snapshot and --png and/or --csv")
	}
	st, err := snapshots.Load(pos[0])
	if err != nil {
		return err
	}
	if *png != "" {
		p := snapshots.PlotData{
			Title: st.Config.Name, Step: st.Step, Dim: st.D,
			Particles: st.Particles, Target: st.Targets, Width: *size, Height: *size,
		}
		if *initial {
			p.Initial = st.Initial
		}
		if sh := st.ImageShape; sh[0] > 0 {
			// An image run: a grid of the (decoded) particles, one column
			// per class when the particles are labelled.
			p.Dim, p.Particles, p.Target, p.Initial = sh[0]*sh[1]*sh[2], st.Images, st.TargetImages, nil
			p.Image = snapshots.ImageShape{H: sh[0], W: sh[1], C: sh[2]}
			p.Labels = st.Labels
		}
		if n := len(st.History); n > 0 {
			h := st.History[n-1]
			p.Metrics = []snapshots.Metric{{Name: "D", Value: h.Divergence}, {Name: "KE", Value: h.KineticEnergy}}
			for i := n - 1; i >= 0; i-- {
				if st.History[i].HasMMD {
					p.Metrics = append(p.Metrics, snapshots.Metric{Name: "MMD2", Value: st.History[i].MMD2})
					break
				}
			}
		}
		if err := snapshots.ExportPNG(*png, p); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *png)
	}
	if *csv != "" {
		header := make([]string, st.D)
		for j := range header {
			header[j] = fmt.Sprintf("x%d", j)
		}
		w := stdout
		if *csv != "-" {
			f, err := os.Create(*csv)
			if err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		if err := snapshots.ExportCSV(w, st.Particles, st.M, st.D, header); err != nil {
			return err
		}
		if *csv != "-" {
			fmt.Fprintf(stdout, "wrote %s\n", *csv)
		}
	}
	return nil
}

func cmdInspect(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("inspect", "inspect FILE.npz [--json]", stderr)
	asJSON := fs.Bool("json", false, "print the metadata as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("inspect: want one snapshot file")
	}
	st, err := snapshots.Load(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"preset": st.Config.Name, "step": st.Step, "m": st.M, "n": st.N, "d": st.D,
			"config": st.Config, "events": st.Events, "last_metrics": lastMetrics(st),
		})
	}
	c := st.Config
	fmt.Fprintf(stdout, "%s\n", pos[0])
	fmt.Fprintf(stdout, "  preset      %s — %s\n", c.Name, c.Description)
	fmt.Fprintf(stdout, "  step        %d of %d\n", st.Step, c.Flow.Steps)
	fmt.Fprintf(stdout, "  particles   %d × %d (float32)\n  target      %d × %d\n", st.M, st.D, st.N, st.D)
	fmt.Fprintf(stdout, "  divergence  %s (%s), L = %v (%s), Δt = %g, %s\n", c.Divergence.F, c.Divergence.Formulation,
		c.Discriminator.Lipschitz, c.Discriminator.Normalization, c.Flow.Dt, c.Flow.Solver)
	fmt.Fprintf(stdout, "  φ           %v %s, %d parameters, %s lr %g, T_NN %d\n", c.Discriminator.Hidden, c.Discriminator.Activation,
		len(st.Params), c.Train.Optimizer, c.Train.LR, c.Train.InnerSteps)
	if mt := lastMetrics(st); mt != nil {
		fmt.Fprintf(stdout, "  last step   D̂ %.6g, kinetic energy %.6g, max speed %.4g, mean speed %.4g", mt.Divergence, mt.KineticEnergy, mt.MaxSpeed, mt.MeanSpeed)
		if mt.HasMMD {
			fmt.Fprintf(stdout, ", MMD² %.4g", mt.MMD2)
		}
		fmt.Fprintln(stdout)
	}
	if len(st.Events) > 0 {
		var ev []string
		for _, e := range st.Events {
			ev = append(ev, fmt.Sprintf("step %d: %s %g → %g", e.Step, e.Param, e.Old, e.New))
		}
		fmt.Fprintf(stdout, "  changes     %s\n", strings.Join(ev, "; "))
	}
	return nil
}

func lastMetrics(st *core.State) *core.Metrics {
	if len(st.History) == 0 {
		return nil
	}
	return &st.History[len(st.History)-1]
}

// saveSim writes a snapshot of a live run (the TUI's "s" key).
func saveSim(sim *core.Sim, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return snapshots.Save(path, sim.State())
}

// loadSim restores a run from a snapshot.
func loadSim(path string) (*core.Sim, error) { return loadSimWith(path, core.Options{}) }

// loadSimWith restores a run, reporting slow preparation (autoencoders and
// classifiers of image runs) through opts.
func loadSimWith(path string, opts core.Options) (*core.Sim, error) {
	st, err := snapshots.Load(path)
	if err != nil {
		return nil, err
	}
	sim, err := core.RestoreOpts(st, opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sim, nil
}
