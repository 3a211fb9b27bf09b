package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Files written into the output folder of `gpa-tui compare`.
const (
	compareTSV = "compare.tsv"
	compareMD  = "compare.md"
	comparePNG = "compare.png"
)

// imageMetricNames are the image observers' metrics a comparison reports
// when the problem has them (experiments/image_metrics.go).
var imageMetricNames = []string{"accuracy", "frechet", "memorized", "copies"}

func cmdCompare(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("compare", "compare --preset NAME|FILE.toml --out DIR [flags]", stderr)
	preset := fs.String("preset", "", "a preset with a [compare] section (gpa-tui presets lists them)")
	var sets stringList
	fs.Var(&sets, "set", "override a key in every run, section.key=value (repeatable)")
	out := fs.String("out", "", "output folder (created if missing)")
	seedList := fs.String("seeds", "", "comma-separated seeds, replacing the preset's (e.g. 1,2,3)")
	steps := fs.Int("steps", -1, "steps of every run; -1 = each run's flow.steps")
	var only stringList
	fs.Var(&only, "only", "run only the column with this label (repeatable)")
	jobs := fs.Int("jobs", 1, "runs at a time (each uses one core)")
	size := fs.Int("size", 420, "width and height of each PNG panel in pixels")
	quiet := fs.Bool("quiet", false, "no progress lines")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("compare: unexpected argument %q", pos[0])
	}
	if *preset == "" || *out == "" {
		fs.Usage()
		return fmt.Errorf("compare: --preset and --out are required")
	}
	if *jobs < 1 || *size < 100 {
		return fmt.Errorf("compare: --jobs %d, --size %d: want ≥ 1 and ≥ 100", *jobs, *size)
	}
	var seeds []uint64
	for _, f := range strings.FieldsFunc(*seedList, func(r rune) bool { return r == ',' || r == ' ' }) {
		s, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			return fmt.Errorf("compare: --seeds: %q is not a seed", f)
		}
		seeds = append(seeds, s)
	}
	cmp, err := presets.LoadComparison(*preset, sets, seeds)
	if err != nil {
		return err
	}
	if len(only) > 0 {
		var keep []presets.ComparisonRun
		for _, l := range only {
			found := false
			for _, r := range cmp.Runs {
				if r.Label == strings.TrimSpace(l) {
					keep, found = append(keep, r), true
				}
			}
			if !found {
				var labels []string
				for _, r := range cmp.Runs {
					labels = append(labels, strconv.Quote(r.Label))
				}
				return fmt.Errorf("compare: --only: no run %q; the runs are %s", l, strings.Join(labels, ", "))
			}
		}
		cmp.Runs = keep
	}
	if err := os.MkdirAll(filepath.Join(*out, "runs"), 0o755); err != nil {
		return err
	}
	// One job per run and seed; results land in their slot, so the tables
	// do not depend on --jobs.
	type job struct{ run, seed int }
	var todo []job
	for r := range cmp.Runs {
		for s := range cmp.Seeds {
			todo = append(todo, job{r, s})
		}
	}
	results := make([][]compareResult, len(cmp.Runs))
	for r := range results {
		results[r] = make([]compareResult, len(cmp.Seeds))
	}
	var mu sync.Mutex
	logf := func(format string, a ...any) {
		if !*quiet {
			mu.Lock()
			fmt.Fprintf(stderr, format, a...)
			mu.Unlock()
		}
	}
	ch := make(chan job)
	var wg sync.WaitGroup
	var firstErr error
	for range *jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				run := cmp.Runs[j.run]
				res, err := compareOne(run.Label, run.Configs[j.seed], *steps, filepath.Join(*out, "runs"), logf)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("compare run %q, seed %d: %w", run.Label, cmp.Seeds[j.seed], err)
				}
				results[j.run][j.seed] = res
				mu.Unlock()
			}
		}()
	}
	for _, j := range todo {
		ch <- j
	}
	close(ch)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if ref := referenceRow(cmp, results); ref != nil {
		results = append(results, ref)
	}
	tsv := compareTSVText(cmp, results)
	md := compareMarkdown(cmp, results)
	if err := runfolder.WriteFile(filepath.Join(*out, compareTSV), []byte(tsv)); err != nil {
		return err
	}
	if err := runfolder.WriteFile(filepath.Join(*out, compareMD), []byte(md)); err != nil {
		return err
	}
	img, err := comparePanel(cmp, results, *size)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return err
	}
	if err := runfolder.WriteFile(filepath.Join(*out, comparePNG), b.Bytes()); err != nil {
		return err
	}
	fmt.Fprint(stdout, md)
	fmt.Fprintf(stdout, "\nwrote %s, %s, %s and runs/\n", filepath.Join(*out, compareTSV), filepath.Join(*out, compareMD), filepath.Join(*out, comparePNG))
	return nil
}

// referenceRow measures, for a synthetic target, M fresh samples of Q
// itself against each seed's targets: the floor that sampling noise puts
// under MMD² (a method can go below it only by fitting the N targets
// rather than Q) and the tail ratio of a true sample. Nil for data sets.
func referenceRow(cmp *presets.Comparison, results [][]compareResult) []compareResult {
	if len(results) == 0 || len(cmp.Runs) == 0 {
		return nil
	}
	cfg := cmp.Runs[0].Configs[0]
	switch cfg.Target.Kind {
	case "gaussian", "mixture", "student-t-mixture", "uniform", "logistic":
	default:
		return nil
	}
	var out []compareResult
	for i, r := range results[0] {
		st := r.State
		if st == nil {
			return nil
		}
		ds := cmp.Runs[0].Configs[i].Target
		ds.N = st.M
		y, m, d, err := ds.Sample(rand.NewPCG(r.Seed, streamReference))
		if err != nil || d != st.D {
			return nil
		}
		ref := compareResult{Label: "fresh samples of Q (reference)", Method: "–", Seed: r.Seed, Reference: true, BestStep: -1,
			FinalMMD2: core.MMD2(y, m, st.Targets, st.N, d), BestMMD2: math.NaN(),
			Tail: tailRatio(y, m, st.Targets, st.N, d), Image: make([]float64, len(imageMetricNames))}
		for k := range ref.Image {
			ref.Image[k] = math.NaN()
		}
		out = append(out, ref)
	}
	return out
}

// streamReference is the PCG stream of the reference samples (package
// experiments draws targets and prior from streams 1 and 2).
const streamReference = 0x726566 // "ref"

// compareResult is what one run of a comparison measured.
type compareResult struct {
	Label, Method string
	Seed          uint64
	Reference     bool      // fresh samples of Q, not a run
	Steps         int       // steps completed
	Diverged      bool      // stopped by NaN/Inf at step Steps+1
	FinalMMD2     float64   // MMD² at the end (measured then; in data space for latent runs)
	BestMMD2      float64   // the smallest MMD² measured along the run (NaN for latent runs)
	BestStep      int       // where
	Image         []float64 // imageMetricNames at the end (NaN: not measured)
	Tail          float64   // tailRatio of the particles (NaN for image runs)
	Wall          time.Duration
	State         *core.State // the final state, for the panel
}

// compareCheckpoint is how often (wall time) a comparison run saves its
// state, so that an interrupted comparison continues where it stopped.
const compareCheckpoint = 5 * time.Minute

// runRecord is runs/<label>-s<seed>/run.json: which configuration the
// run's final.npz belongs to, the wall time spent on it so far and whether
// it diverged. With it a comparison started again in the same folder
// reuses finished runs and resumes unfinished ones.
type runRecord struct {
	Spec     string  `json:"spec_sha256"` // of the run's configuration as JSON
	Seconds  float64 `json:"seconds"`
	Diverged bool    `json:"diverged"`
}

// compareOne builds and runs one configuration — or continues it from
// dir/<label>-s<seed>/final.npz when run.json says that snapshot is of
// the same configuration — writing metrics.jsonl, final.npz (every
// compareCheckpoint and at the end) and run.json, and measures MMD² and
// the image metrics at the last step.
func compareOne(label string, cfg experiments.Config, steps int, dir string, logf func(string, ...any)) (compareResult, error) {
	res := compareResult{Label: label, Method: cfg.Method.Kind, Seed: cfg.Seed, BestStep: -1}
	if res.Method == "" {
		res.Method = "gpa"
	}
	js, err := json.Marshal(cfg)
	if err != nil {
		return res, err
	}
	rec := runRecord{Spec: fmt.Sprintf("%x", sha256.Sum256(js))}
	sub := filepath.Join(dir, fmt.Sprintf("%s-s%d", slug(label), cfg.Seed))
	if err := os.MkdirAll(sub, 0o755); err != nil {
		return res, err
	}
	total := cfg.Flow.Steps
	if steps >= 0 {
		total = steps
	}
	var sim *core.Sim
	if b, err := os.ReadFile(filepath.Join(sub, "run.json")); err == nil {
		var old runRecord
		if json.Unmarshal(b, &old) == nil && old.Spec == rec.Spec {
			if st, err := snapshots.Load(filepath.Join(sub, finalFile)); err == nil {
				if st.Step <= total {
					if sim, err = experiments.Restore(st, experiments.Options{}); err == nil {
						rec = old
						logf("%-18s seed %d: continuing from step %d (%s)\n", label, cfg.Seed, sim.StepCount(), filepath.Join(sub, finalFile))
					}
				}
			}
		}
	}
	if sim == nil {
		if sim, err = experiments.Build(cfg, experiments.Options{}); err != nil {
			return res, err
		}
	}
	sim.SetTotalSteps(total)
	hist, err := encodeHistory(sim.History())
	if err != nil {
		return res, err
	}
	f, err := writeMetrics(filepath.Join(sub, metricsFile), hist)
	if err != nil {
		return res, err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	save := func(spent time.Duration) error {
		if err := w.Flush(); err != nil {
			return err
		}
		if err := snapshots.Save(filepath.Join(sub, finalFile), sim.State()); err != nil {
			return err
		}
		r := rec
		r.Seconds += spent.Seconds()
		b, _ := json.Marshal(r)
		return runfolder.WriteFile(filepath.Join(sub, "run.json"), append(b, '\n'))
	}
	res.Diverged = rec.Diverged
	if sim.StepCount() < total && !res.Diverged {
		logf("%-18s seed %d: %d steps of %s …\n", label, cfg.Seed, total, res.Method)
	}
	t0, last := time.Now(), time.Now()
	for sim.StepCount() < total && !res.Diverged {
		r, err := sim.Step()
		if errors.Is(err, core.ErrDiverged) {
			res.Diverged, rec.Diverged = true, true
			logf("%-18s seed %d: %v\n", label, cfg.Seed, err)
			break
		}
		if err != nil {
			return res, err
		}
		if err := enc.Encode(r); err != nil {
			return res, err
		}
		if time.Since(last) > compareCheckpoint {
			if err := save(time.Since(t0)); err != nil {
				return res, err
			}
			last = time.Now()
		}
	}
	spent := time.Since(t0)
	if err := save(spent); err != nil {
		return res, err
	}
	res.Wall = time.Duration((rec.Seconds + spent.Seconds()) * float64(time.Second))
	res.Steps = sim.StepCount()
	p := sim.Problem()
	res.FinalMMD2 = core.MMD2(sim.Particles(), sim.M(), sim.Targets(), sim.N(), sim.Dim())
	res.BestMMD2, res.BestStep = res.FinalMMD2, res.Steps
	if p.Decoder != nil {
		// A latent run's metric MMD² is in its latent space; so that runs
		// compare, measure the decoded particles against the images, and
		// leave "best" out (the history has latent values only).
		dd, _ := p.Decoder.Dims()
		decoded := make([]float32, sim.M()*dd)
		sim.DecodedTo(decoded)
		res.FinalMMD2 = core.MMD2(decoded, sim.M(), p.DataX, sim.N(), dd)
		res.BestMMD2, res.BestStep = math.NaN(), -1
	}
	h := sim.History()
	for i := range h.Len() {
		if v, ok := h.At(i).Get("mmd2"); ok && p.Decoder == nil && v < res.BestMMD2 {
			res.BestMMD2, res.BestStep = v, h.At(i).Step
		}
	}
	res.Tail = math.NaN()
	if p.Images == nil {
		res.Tail = tailRatio(sim.Particles(), sim.M(), sim.Targets(), sim.N(), sim.Dim())
	}
	res.Image = make([]float64, len(imageMetricNames))
	for i := range res.Image {
		res.Image[i] = math.NaN()
	}
	for _, o := range p.Observers {
		vals := make([]float64, len(o.Metrics()))
		o.Observe(vals, sim.Particles())
		for k, mi := range o.Metrics() {
			for i, name := range imageMetricNames {
				if mi.Name == name {
					res.Image[i] = vals[k]
				}
			}
		}
	}
	res.State = sim.State()
	logf("%-18s seed %d: %d steps in %.1f s, MMD² %.3g\n", label, cfg.Seed, res.Steps, res.Wall.Seconds(), res.FinalMMD2)
	return res, nil
}

// tailRatio compares the tails of the particles and the targets: the 95th
// percentile of the distance to the targets' coordinate-wise median, for
// the particles over the same for the targets (1: tails of the same
// reach; MMD² with a median bandwidth hardly sees the tails of a
// heavy-tailed target, this does).
func tailRatio(y []float32, m int, x []float32, n, d int) float64 {
	c := make([]float64, d)
	col := make([]float64, n)
	for t := range d {
		for j := range n {
			col[j] = float64(x[j*d+t])
		}
		slices.Sort(col)
		c[t] = col[n/2]
	}
	q95 := func(a []float32, rows int) float64 {
		r := make([]float64, rows)
		for i := range rows {
			var s float64
			for t := range d {
				v := float64(a[i*d+t]) - c[t]
				s += v * v
			}
			r[i] = math.Sqrt(s)
		}
		slices.Sort(r)
		return r[int(0.95*float64(rows-1))]
	}
	return q95(y, m) / q95(x, n)
}

// slug makes a label a folder name.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// compareTSVText has one row per run and seed.
func compareTSVText(cmp *presets.Comparison, results [][]compareResult) string {
	var b strings.Builder
	b.WriteString("label\tmethod\tseed\tsteps\tdiverged\tfinal_mmd2\tbest_mmd2\tbest_step")
	for _, n := range imageMetricNames {
		b.WriteString("\t" + n)
	}
	b.WriteString("\ttail_q95_ratio\twall_s\tms_per_step\n")
	for _, rs := range results {
		for _, r := range rs {
			fmt.Fprintf(&b, "%s\t%s\t%d\t%d\t%t\t%s\t%s\t%d", r.Label, r.Method, r.Seed, r.Steps, r.Diverged, tsvNum(r.FinalMMD2), tsvNum(r.BestMMD2), r.BestStep)
			for _, v := range r.Image {
				b.WriteString("\t" + tsvNum(v))
			}
			fmt.Fprintf(&b, "\t%s\t%.2f\t%.3g\n", tsvNum(r.Tail), r.Wall.Seconds(), msPerStep(r))
		}
	}
	return b.String()
}

func tsvNum(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

func msPerStep(r compareResult) float64 {
	return 1000 * r.Wall.Seconds() / float64(max(r.Steps, 1))
}

// meanSD formats the mean (± the standard deviation for more than one
// value) of vs, skipping NaN; "–" when there is none.
func meanSD(vs []float64, format func(float64) string) string {
	var xs []float64
	for _, v := range vs {
		if !math.IsNaN(v) {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		return "–"
	}
	var m float64
	for _, x := range xs {
		m += x / float64(len(xs))
	}
	if len(xs) == 1 || slices.Min(xs) == slices.Max(xs) {
		return format(m)
	}
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m) / float64(len(xs)-1)
	}
	return format(m) + " ± " + format(math.Sqrt(v))
}

func sci(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// plain writes v with 3 significant digits, without an exponent up to 10⁶.
func plain(v float64) string {
	if a := math.Abs(v); a >= 100 && a < 1e6 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return sci(v)
}

// compareMarkdown is one row per run: means ± standard deviations over the
// seeds.
func compareMarkdown(cmp *presets.Comparison, results [][]compareResult) string {
	var b strings.Builder
	fig := ""
	if cmp.Figure != "" {
		fig = " (paper " + cmp.Figure + ")"
	}
	seeds := make([]string, len(cmp.Seeds))
	for i, s := range cmp.Seeds {
		seeds[i] = strconv.FormatUint(s, 10)
	}
	fmt.Fprintf(&b, "`%s`%s — seeds %s; MMD²: Gaussian kernel, bandwidth = the targets' median distance\n\n", cmp.Name, fig, strings.Join(seeds, ", "))
	// Image metric columns only when some run measured them.
	var img []int
	for i := range imageMetricNames {
		for _, rs := range results {
			for _, r := range rs {
				if len(r.Image) > i && !math.IsNaN(r.Image[i]) && !containsInt(img, i) {
					img = append(img, i)
				}
			}
		}
	}
	b.WriteString("| run | method | steps | final MMD² | best MMD² |")
	sep := "|---|---|---|---|---|"
	for _, i := range img {
		b.WriteString(" " + imageMetricNames[i] + " |")
		sep += "---|"
	}
	tail := false
	for _, rs := range results {
		for _, r := range rs {
			tail = tail || !math.IsNaN(r.Tail)
		}
	}
	if tail {
		b.WriteString(" tail q95 ratio |")
		sep += "---|"
	}
	b.WriteString(" wall time | ms/step |\n" + sep + "---|---|\n")
	for _, rs := range results {
		if len(rs) == 0 {
			continue
		}
		var fin, best, wall, ms, steps []float64
		div := 0
		for _, r := range rs {
			fin, best = append(fin, r.FinalMMD2), append(best, r.BestMMD2)
			wall, ms = append(wall, r.Wall.Seconds()), append(ms, msPerStep(r))
			steps = append(steps, float64(r.Steps))
			if r.Diverged {
				div++
			}
		}
		st := meanSD(steps, func(v float64) string { return strconv.Itoa(int(math.Round(v))) })
		if rs[0].Reference {
			st = "–"
		}
		if div > 0 {
			st += fmt.Sprintf(" (diverged: %d of %d)", div, len(rs))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |", rs[0].Label, rs[0].Method, st, meanSD(fin, sci), meanSD(best, sci))
		for _, i := range img {
			var vs []float64
			for _, r := range rs {
				vs = append(vs, r.Image[i])
			}
			b.WriteString(" " + meanSD(vs, sci) + " |")
		}
		if tail {
			var vs []float64
			for _, r := range rs {
				vs = append(vs, r.Tail)
			}
			b.WriteString(" " + meanSD(vs, func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) }) + " |")
		}
		if rs[0].Reference {
			b.WriteString(" – | – |\n")
			continue
		}
		fmt.Fprintf(&b, " %s s | %s |\n", meanSD(wall, func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }), meanSD(ms, plain))
	}
	return b.String()
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// comparePanel draws one panel per run (its first seed) side by side, in
// the paper's style: particles (orange) over targets (blue), or the
// generated images one column per class.
func comparePanel(cmp *presets.Comparison, results [][]compareResult, size int) (image.Image, error) {
	var panels []image.Image
	for _, rs := range results {
		if len(rs) == 0 || rs[0].State == nil {
			continue
		}
		r := rs[0]
		st := r.State
		title := r.Label
		if r.Diverged {
			title += " (diverged)"
		}
		p := snapshots.PlotData{
			Title: title, Step: st.Step, Dim: st.D, Particles: st.Particles, Target: st.Targets,
			Metrics: []snapshots.Metric{{Name: "MMD²", Value: r.FinalMMD2}}, Width: size, Height: size,
		}
		if sh := st.ImageShape; sh[0] > 0 {
			p.Dim, p.Particles, p.Target = sh[0]*sh[1]*sh[2], st.Images, st.TargetImages
			p.Image = snapshots.ImageShape{H: sh[0], W: sh[1], C: sh[2]}
			p.Labels = st.Labels
			p.Height = size * 11 / 10
			for i, n := range imageMetricNames[:2] {
				if v := r.Image[i]; !math.IsNaN(v) {
					p.Metrics = append(p.Metrics, snapshots.Metric{Name: n, Value: v})
				}
			}
		}
		img, err := snapshots.Render(p)
		if err != nil {
			return nil, fmt.Errorf("compare: panel %q: %w", r.Label, err)
		}
		panels = append(panels, img)
	}
	if len(panels) == 0 {
		return nil, fmt.Errorf("compare: no runs to draw")
	}
	w, h := 0, 0
	for _, p := range panels {
		w += p.Bounds().Dx()
		h = max(h, p.Bounds().Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(out, out.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	x := 0
	for _, p := range panels {
		draw.Draw(out, image.Rect(x, 0, x+p.Bounds().Dx(), p.Bounds().Dy()), p, p.Bounds().Min, draw.Src)
		x += p.Bounds().Dx()
	}
	return out, nil
}
