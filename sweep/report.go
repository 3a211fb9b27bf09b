package sweep

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/gpa-tui/gpa-tui/runfolder"
)

// Result is one task's row of the report.
type Result struct {
	Task    Task
	State   string
	Step    int
	Columns []string  // metric names, in order of first appearance
	Last    []float64 // the last measured value of each (NaN: never)
}

// Results reads every task's final state and the last measured value of
// every metric in its metrics.jsonl.
func Results(dir string, m *Manifest) ([]Result, error) {
	var out []Result
	for _, t := range m.Tasks {
		td := filepath.Join(dir, t.Dir)
		r := Result{Task: t, State: StatePending}
		if st, ok, _ := runfolder.ReadStatus(td); ok {
			r.State, r.Step = st.State, st.Step
			if _, alive := runfolder.ReadHolder(td); !alive && !st.Ended() {
				r.State = StateLost
			}
		}
		names, last, step, err := lastValues(filepath.Join(td, runfolder.MetricsFile))
		if err != nil {
			return nil, err
		}
		r.Columns, r.Last = names, last
		r.Step = max(r.Step, step)
		out = append(out, r)
	}
	return out, nil
}

// lastValues scans a metrics.jsonl: the metric names in order of first
// appearance, the last measured value of each and the last step.
func lastValues(path string) ([]string, []float64, int, error) {
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil, 0, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	var names []string
	var last []float64
	idx := map[string]int{}
	step := 0
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var obj map[string]json.RawMessage
		if json.Unmarshal(sc.Bytes(), &obj) != nil {
			continue // a torn last line
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			raw := string(obj[k])
			if k == "step" {
				step, _ = strconv.Atoi(raw)
				continue
			}
			v, err := strconv.ParseFloat(strings.Trim(raw, `"`), 64)
			if err != nil {
				continue
			}
			i, ok := idx[k]
			if !ok {
				i = len(names)
				idx[k] = i
				names = append(names, k)
				last = append(last, math.NaN())
			}
			last[i] = v
		}
	}
	return names, last, step, sc.Err()
}

// metricOrder puts the usual metrics first.
var metricOrder = []string{"divergence", "kinetic_energy", "mmd2", "max_speed", "mean_speed"}

// columns is the union of the results' metric names, usual ones first.
func columns(rs []Result) []string {
	var out []string
	for _, n := range metricOrder {
		for _, r := range rs {
			if slices.Contains(r.Columns, n) {
				out = append(out, n)
				break
			}
		}
	}
	for _, r := range rs {
		for _, n := range r.Columns {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// TSV is the report table: one row per task, the swept values, the state,
// the step and the last value of every metric.
func TSV(m *Manifest, rs []Result) []byte {
	cols := columns(rs)
	var b bytes.Buffer
	head := []string{"task"}
	for _, a := range m.Axes {
		head = append(head, a.Key)
	}
	head = append(head, "state", "step")
	head = append(head, cols...)
	head = append(head, "dir")
	b.WriteString(strings.Join(head, "\t") + "\n")
	for _, r := range rs {
		row := []string{strconv.Itoa(r.Task.Index)}
		row = append(row, r.Task.Values...)
		row = append(row, r.State, strconv.Itoa(r.Step))
		for _, c := range cols {
			v := math.NaN()
			if i := slices.Index(r.Columns, c); i >= 0 {
				v = r.Last[i]
			}
			if math.IsNaN(v) {
				row = append(row, "")
			} else {
				row = append(row, strconv.FormatFloat(v, 'g', 6, 64))
			}
		}
		row = append(row, r.Task.Dir)
		b.WriteString(strings.Join(row, "\t") + "\n")
	}
	return b.Bytes()
}

// Plot draws metric against the first swept axis (other than seed), one
// line per combination of the other axes, the mean over seeds with ±1
// standard deviation bars. A numeric axis spanning two decades or more,
// and a positive metric spanning two decades or more, are drawn on log
// scales. It returns the plot and a note on what it left out.
func Plot(m *Manifest, rs []Result, metric string) (*plot.Plot, string, error) {
	xAxis := -1
	for k, a := range m.Axes {
		if a.Key != "seed" {
			xAxis = k
			break
		}
	}
	if xAxis < 0 {
		xAxis = 0 // only seeds: the metric per seed
	}
	xa := m.Axes[xAxis]
	numeric := true
	xs := make([]float64, len(xa.Values))
	for i, v := range xa.Values {
		f, err := strconv.ParseFloat(strings.Trim(v, `"`), 64)
		if err != nil || math.IsInf(f, 0) {
			numeric = false
			break
		}
		xs[i] = f
	}
	if !numeric {
		for i := range xs {
			xs[i] = float64(i)
		}
	}
	// Groups: the values of the axes other than x and seed.
	groupOf := func(t Task) string {
		var parts []string
		for k, a := range m.Axes {
			if k != xAxis && a.Key != "seed" {
				parts = append(parts, shortKeys(m.Axes)[k]+"="+t.Values[k])
			}
		}
		return strings.Join(parts, " ")
	}
	type cell struct{ vals []float64 }
	groups := map[string]map[int]*cell{}
	var order []string
	missing := 0
	for _, r := range rs {
		i := slices.Index(r.Columns, metric)
		if i < 0 || math.IsNaN(r.Last[i]) || r.State != runfolder.StateFinished {
			missing++
			continue
		}
		g := groupOf(r.Task)
		if groups[g] == nil {
			groups[g] = map[int]*cell{}
			order = append(order, g)
		}
		xi := slices.Index(xa.Values, r.Task.Values[xAxis])
		if groups[g][xi] == nil {
			groups[g][xi] = &cell{}
		}
		groups[g][xi].vals = append(groups[g][xi].vals, r.Last[i])
	}
	if len(order) == 0 {
		return nil, "", fmt.Errorf("report: no finished task has a value of %q", metric)
	}
	slices.Sort(order)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: %s at the end of each run", m.Preset, metric)
	p.X.Label.Text = xa.Key
	p.Y.Label.Text = metric
	seeds := 0
	for _, a := range m.Axes {
		if a.Key == "seed" {
			seeds = len(a.Values)
			p.Title.Text += fmt.Sprintf(" (mean ± sd over %d seeds)", seeds)
		}
	}
	var all []float64
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, c := range groups {
		for xi, cl := range c {
			all = append(all, cl.vals...)
			xmin, xmax = min(xmin, xs[xi]), max(xmax, xs[xi])
		}
	}
	logY := spansDecades(all, 100)
	logX := numeric && spansDecades(xs, 10)
	if logY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if logX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if !numeric {
		var ticks []plot.Tick
		for i, v := range xa.Values {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: v})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	for gi, g := range order {
		var pts plotter.XYs
		var errs plotter.YErrors
		for xi := range xa.Values {
			cl := groups[g][xi]
			if cl == nil {
				continue
			}
			mean, sd := stat.MeanStdDev(cl.vals, nil)
			if len(cl.vals) < 2 {
				sd = 0
			}
			lo, hi := sd, sd
			if logY && mean-sd <= 0 {
				lo = mean * 0.5 // a bar below zero has no place on a log scale
			}
			pts = append(pts, plotter.XY{X: xs[xi], Y: mean})
			errs = append(errs, struct{ Low, High float64 }{lo, hi})
		}
		col := plotutil.Color(gi)
		lp, sp, err := plotter.NewLinePoints(pts)
		if err != nil {
			return nil, "", err
		}
		lp.Color, sp.Color, sp.Shape = col, col, draw.CircleGlyph{}
		p.Add(lp, sp)
		if seeds > 1 {
			eb, err := plotter.NewYErrorBars(struct {
				plotter.XYs
				plotter.YErrors
			}{pts, errs})
			if err != nil {
				return nil, "", err
			}
			eb.Color = col
			eb.LineStyle.Color = col
			p.Add(eb)
		}
		name := g
		if name == "" {
			name = metric
		}
		p.Legend.Add(name, lp, sp)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	// Room around the points, so that markers and bars are not cut.
	pad := func(a *plot.Axis, log bool, lo, hi float64) {
		switch {
		case log:
			a.Min, a.Max = lo/1.3, hi*1.3
		case hi > lo:
			a.Min, a.Max = lo-0.06*(hi-lo), hi+0.06*(hi-lo)
		default:
			a.Min, a.Max = lo-0.5, hi+0.5
		}
	}
	pad(&p.X, logX, xmin, xmax)
	pad(&p.Y, logY, p.Y.Min, p.Y.Max)
	note := ""
	if missing > 0 {
		note = fmt.Sprintf("%d of %d tasks not finished or without %s: left out", missing, len(rs), metric)
	}
	return p, note, nil
}

// spansDecades reports whether positive values span a ratio of at least
// ratio.
func spansDecades(v []float64, ratio float64) bool {
	lo, hi := math.Inf(1), 0.0
	for _, x := range v {
		if !(x > 0) {
			return false
		}
		lo, hi = min(lo, x), max(hi, x)
	}
	return len(v) > 1 && hi/lo >= ratio
}

// SavePNG renders p at w×h pixels into path (atomically, umask honoured).
func SavePNG(p *plot.Plot, path string, w, h int) error {
	wt, err := p.WriterTo(vg.Length(w)*vg.Inch/96, vg.Length(h)*vg.Inch/96, "png")
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if _, err := wt.WriteTo(&b); err != nil {
		return err
	}
	return runfolder.WriteFile(path, b.Bytes())
}
