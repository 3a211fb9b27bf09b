package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/gpa-tui/gpa-tui/atomicfile"
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
	if *size < 16 || *size > snapshots.MaxSize {
		return fmt.Errorf("export: --size %d: want 16 … %d pixels", *size, snapshots.MaxSize)
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
		p.Metrics = lastMetrics(st, []string{"divergence", "kinetic_energy", "mmd2"}, map[string]string{"divergence": "D", "kinetic_energy": "KE", "mmd2": "MMD2"})
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
		if *csv == "-" {
			return snapshots.ExportCSV(stdout, st.Particles, st.M, st.D, header)
		}
		err := atomicfile.Write(*csv, func(w io.Writer) error {
			return snapshots.ExportCSV(w, st.Particles, st.M, st.D, header)
		}, atomicfile.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", *csv)
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
		var last any
		if r, ok := st.History.Last(); ok {
			last = r
		}
		return enc.Encode(map[string]any{
			"preset": st.Config.Name, "step": st.Step, "m": st.M, "n": st.N, "d": st.D,
			"config": st.Spec, "events": st.Events, "last_metrics": last,
		})
	}
	c := st.Config
	fmt.Fprintf(stdout, "%s\n", pos[0])
	fmt.Fprintf(stdout, "  preset      %s — %s\n", c.Name, c.Description)
	fmt.Fprintf(stdout, "  step        %d of %d\n", st.Step, c.Flow.Steps)
	fmt.Fprintf(stdout, "  particles   %d × %d (float32)\n  target      %d × %d\n", st.M, st.D, st.N, st.D)
	if info, err := core.LookupMethod(c.Method.Kind); err == nil {
		var ps []string
		for i := range info.Params {
			p := &info.Params[i]
			ps = append(ps, fmt.Sprintf("%s = %s", p.Symbol, core.FormatValue(p.Get(&c))))
		}
		fmt.Fprintf(stdout, "  method      %s: %s\n  parameters  %s\n", info.Kind, info.Doc, strings.Join(ps, ", "))
		if info.Kind == "gpa" {
			fmt.Fprintf(stdout, "  φ           %v %s, %s normalization; f = %s (%s), %s, %s\n", c.Discriminator.Hidden, c.Discriminator.Activation,
				c.Discriminator.Normalization, c.Divergence.F, c.Divergence.Formulation, c.Train.Optimizer, c.Flow.Solver)
		}
	}
	var arrays []string
	for _, a := range st.Method.F32 {
		arrays = append(arrays, fmt.Sprintf("%s %d", a.Name, len(a.Data)))
	}
	for _, a := range st.Method.F64 {
		arrays = append(arrays, fmt.Sprintf("%s %d", a.Name, len(a.Data)))
	}
	fmt.Fprintf(stdout, "  state       %s\n", strings.Join(arrays, ", "))
	if last := lastMetrics(st, st.History.Names, nil); len(last) > 0 {
		var parts []string
		for _, m := range last {
			parts = append(parts, fmt.Sprintf("%s %.6g", m.Name, m.Value))
		}
		fmt.Fprintf(stdout, "  last values %s\n", strings.Join(parts, ", "))
	}
	if len(st.Events) > 0 {
		var ev []string
		for _, e := range st.Events {
			s := fmt.Sprintf("step %d: %s %g → %g", e.Step, e.Param, e.Old, e.New)
			if e.Note != "" {
				s += " (" + e.Note + ")"
			}
			ev = append(ev, s)
		}
		fmt.Fprintf(stdout, "  changes     %s\n", strings.Join(ev, "; "))
	}
	return nil
}

// lastMetrics is the latest measured value of each named metric (sparse
// ones such as MMD² from the last step that measured them), named by
// rename where it has an entry.
func lastMetrics(st *core.State, names []string, rename map[string]string) []snapshots.Metric {
	var out []snapshots.Metric
	h := &st.History
	for _, name := range names {
		for i := h.Len() - 1; i >= 0; i-- {
			if v, ok := h.At(i).Get(name); ok {
				if r, ok := rename[name]; ok {
					name = r
				}
				out = append(out, snapshots.Metric{Name: name, Value: v})
				break
			}
		}
	}
	return out
}
