package sweep

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gpa-tui/gpa-tui/experiments"
	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/runfolder"
)

// Files of a sweep folder.
const (
	ManifestFile = "sweep.json"
	ScriptFile   = "sweep.sbatch"
	JobsFile     = "jobs.txt"
	LogsDir      = "logs"
	TasksDir     = "tasks"
	TaskPreset   = "task.toml"
	formatMagic  = "gpa-tui sweep"
	// maxTasks bounds a grid: a typo such as a range of a million seeds
	// should fail here, not in the scheduler.
	maxTasks = 10000
)

// Axis is one swept key and its values (as written on the command line:
// TOML values, or bare words).
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// Task is one configuration of the grid.
type Task struct {
	Index int `json:"index"`
	// Dir is the task's run folder, relative to the sweep folder.
	Dir string `json:"dir"`
	// Values are the swept values, one per axis, in axis order.
	Values []string `json:"values"`
}

// Manifest is sweep.json.
type Manifest struct {
	Format  string    `json:"format"`
	Version int       `json:"version"`
	Created time.Time `json:"created"`
	Preset  string    `json:"preset"`
	Sets    []string  `json:"sets,omitempty"`
	Axes    []Axis    `json:"axes"`
	Tasks   []Task    `json:"tasks"`
	// Steps is the total step count of every task (-1: the preset's).
	Steps           int `json:"steps"`
	CheckpointEvery int `json:"checkpoint_every,omitempty"`
	// Binary is the gpa-tui the batch script runs (an absolute path,
	// which must exist on the compute nodes).
	Binary string                   `json:"binary"`
	Slurm  *experiments.SlurmConfig `json:"slurm,omitempty"`
}

// Spec describes a sweep to create.
type Spec struct {
	Preset          string
	Sets            []string
	Grid            []string // "key=v1,v2,…"
	Seeds           string   // "1-5" or "1,3,7"; "" = the preset's seed
	Steps           int
	CheckpointEvery int
	Binary          string
	Slurm           experiments.SlurmConfig // flags; non-zero fields override the preset's [slurm]
}

// ParseGrid reads "key=v1,v2,…". Values are split at commas outside
// brackets, so a list value stays whole: "discriminator.hidden=[32,32],[64,64]".
func ParseGrid(s string) (Axis, error) {
	key, vals, ok := strings.Cut(s, "=")
	key = strings.TrimSpace(key)
	if !ok || key == "" || strings.TrimSpace(vals) == "" {
		return Axis{}, fmt.Errorf("--grid %q: want key=value1,value2,…", s)
	}
	a := Axis{Key: key}
	depth, start := 0, 0
	for i, r := range vals + "," {
		switch r {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				v := strings.TrimSpace(vals[start:i])
				if v == "" {
					return Axis{}, fmt.Errorf("--grid %q: an empty value", s)
				}
				a.Values = append(a.Values, v)
				start = i + 1
			}
		}
	}
	if depth != 0 {
		return Axis{}, fmt.Errorf("--grid %q: unbalanced brackets", s)
	}
	return a, nil
}

// ParseSeeds reads "1-5" or "1,3,7" (integers ≥ 0).
func ParseSeeds(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.ParseUint(strings.TrimSpace(lo), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--seeds %q: %q is not an integer ≥ 0", s, part)
		}
		b := a
		if isRange {
			if b, err = strconv.ParseUint(strings.TrimSpace(hi), 10, 64); err != nil || b < a {
				return nil, fmt.Errorf("--seeds %q: %q is not a range lo-hi", s, part)
			}
		}
		if b-a >= maxTasks {
			return nil, fmt.Errorf("--seeds %q: more than %d seeds", s, maxTasks)
		}
		for x := a; x <= b; x++ {
			out = append(out, strconv.FormatUint(x, 10))
		}
	}
	return out, nil
}

// Create writes a new sweep into dir (which must be empty or missing):
// every task's preset resolved and validated first, then the folders, the
// manifest and the batch script.
func Create(dir string, sp Spec) (*Manifest, error) {
	if err := runfolder.CheckEmpty(dir); err != nil {
		if errors.Is(err, runfolder.ErrNotEmpty) {
			return nil, fmt.Errorf("sweep: --out %v; continue a sweep with --continue %s", err, dir)
		}
		return nil, err
	}
	m := &Manifest{Format: formatMagic, Version: 1, Created: time.Now().UTC().Truncate(time.Second),
		Preset: sp.Preset, Sets: sp.Sets, Steps: sp.Steps, CheckpointEvery: sp.CheckpointEvery, Binary: sp.Binary}
	seen := map[string]bool{}
	for _, g := range sp.Grid {
		a, err := ParseGrid(g)
		if err != nil {
			return nil, err
		}
		if seen[a.Key] {
			return nil, fmt.Errorf("sweep: --grid %s given twice", a.Key)
		}
		seen[a.Key] = true
		m.Axes = append(m.Axes, a)
	}
	if sp.Seeds != "" {
		seeds, err := ParseSeeds(sp.Seeds)
		if err != nil {
			return nil, err
		}
		if seen["seed"] {
			return nil, errors.New("sweep: both --grid seed=… and --seeds")
		}
		m.Axes = append(m.Axes, Axis{Key: "seed", Values: seeds})
	}
	if len(m.Axes) == 0 {
		return nil, errors.New("sweep: nothing to sweep: give --grid key=v1,v2,… and/or --seeds")
	}
	n := 1
	for _, a := range m.Axes {
		n *= len(a.Values)
		if n > maxTasks {
			return nil, fmt.Errorf("sweep: more than %d tasks", maxTasks)
		}
	}
	// Resolve every task's preset before writing anything.
	names := shortKeys(m.Axes)
	var texts [][]byte
	var slurm *experiments.SlurmConfig
	for i := range n {
		vals := make([]string, len(m.Axes))
		sets := append([]string(nil), sp.Sets...)
		r := i
		for k := len(m.Axes) - 1; k >= 0; k-- {
			a := m.Axes[k]
			vals[k] = a.Values[r%len(a.Values)]
			r /= len(a.Values)
		}
		var parts []string
		for k, a := range m.Axes {
			sets = append(sets, a.Key+"="+vals[k])
			parts = append(parts, names[k]+"="+fileWord(vals[k]))
		}
		cfg, err := presets.Load(sp.Preset, sets)
		if err != nil {
			return nil, fmt.Errorf("sweep: task %d (%s): %w", i, strings.Join(parts, " "), err)
		}
		if i == 0 {
			slurm = mergeSlurm(cfg.Slurm, sp.Slurm)
			if err := slurm.Validate(); err != nil {
				return nil, fmt.Errorf("sweep: %w", err)
			}
		}
		text, err := presets.Format(cfg)
		if err != nil {
			return nil, err
		}
		texts = append(texts, text)
		m.Tasks = append(m.Tasks, Task{Index: i, Dir: filepath.Join(TasksDir, fmt.Sprintf("%03d-%s", i, strings.Join(parts, "-"))), Values: vals})
	}
	m.Slurm = slurm
	for _, d := range []string{dir, filepath.Join(dir, LogsDir), filepath.Join(dir, TasksDir)} {
		if err := os.MkdirAll(d, 0o777); err != nil {
			return nil, err
		}
	}
	for i, t := range m.Tasks {
		if err := os.MkdirAll(filepath.Join(dir, t.Dir), 0o777); err != nil {
			return nil, err
		}
		if err := runfolder.WriteFile(filepath.Join(dir, t.Dir, TaskPreset), texts[i]); err != nil {
			return nil, err
		}
	}
	if err := m.write(dir); err != nil {
		return nil, err
	}
	if err := WriteScript(dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// mergeSlurm is the preset's section with the flags' non-zero fields over it.
func mergeSlurm(p *experiments.SlurmConfig, f experiments.SlurmConfig) *experiments.SlurmConfig {
	out := experiments.SlurmConfig{}
	if p != nil {
		out = *p
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&out.Partition, f.Partition)
	set(&out.Time, f.Time)
	set(&out.Mem, f.Mem)
	set(&out.Gres, f.Gres)
	set(&out.Account, f.Account)
	set(&out.QOS, f.QOS)
	set(&out.Constraint, f.Constraint)
	if f.CPUsPerTask > 0 {
		out.CPUsPerTask = f.CPUsPerTask
	}
	if f.MaxParallel > 0 {
		out.MaxParallel = f.MaxParallel
	}
	if f.SignalLead > 0 {
		out.SignalLead = f.SignalLead
	}
	out.Extra = append(out.Extra, f.Extra...)
	return &out
}

// shortKeys names the axes in folder names: the last part of each key
// ("lipschitz"), or the whole key where two would collide.
func shortKeys(axes []Axis) []string {
	count := map[string]int{}
	last := func(k string) string { return k[strings.LastIndexByte(k, '.')+1:] }
	for _, a := range axes {
		count[last(a.Key)]++
	}
	out := make([]string, len(axes))
	for i, a := range axes {
		out[i] = last(a.Key)
		if count[out[i]] > 1 {
			out[i] = a.Key
		}
	}
	return out
}

// fileWord keeps a value safe in a folder name.
func fileWord(v string) string {
	s := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '+', r == '_', r == '-':
			return r
		}
		return '_'
	}, v)
	if len(s) > 24 {
		s = s[:24]
	}
	return s
}

// write writes sweep.json atomically.
func (m *Manifest) write(dir string) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return runfolder.WriteFile(filepath.Join(dir, ManifestFile), append(b, '\n'))
}

// Load reads a sweep's manifest.
func Load(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a sweep folder (no %s)", dir, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if m.Format != formatMagic {
		return nil, fmt.Errorf("%s: not a gpa-tui sweep manifest", filepath.Join(dir, ManifestFile))
	}
	if m.Version > 1 {
		return nil, fmt.Errorf("%s: format version %d is newer than this build (1)", filepath.Join(dir, ManifestFile), m.Version)
	}
	for i, t := range m.Tasks {
		if t.Index != i || len(t.Values) != len(m.Axes) || !filepath.IsLocal(t.Dir) {
			return nil, fmt.Errorf("%s: task %d is damaged", filepath.Join(dir, ManifestFile), i)
		}
	}
	return &m, nil
}

// Task returns task i, or an error naming the range.
func (m *Manifest) Task(i int) (Task, error) {
	if i < 0 || i >= len(m.Tasks) {
		return Task{}, fmt.Errorf("task %d: the sweep has tasks 0…%d", i, len(m.Tasks)-1)
	}
	return m.Tasks[i], nil
}

// Label is "lipschitz=10 seed=2".
func (m *Manifest) Label(t Task) string {
	names := shortKeys(m.Axes)
	parts := make([]string, len(t.Values))
	for k, v := range t.Values {
		parts[k] = names[k] + "=" + v
	}
	return strings.Join(parts, " ")
}

// AddJob appends a submitted Slurm job ID to jobs.txt.
func AddJob(dir, id string) error {
	f, err := os.OpenFile(filepath.Join(dir, JobsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(f, "%s %s\n", id, time.Now().UTC().Format(time.RFC3339))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Jobs lists the submitted job IDs, newest last.
func Jobs(dir string) []string {
	b, err := os.ReadFile(filepath.Join(dir, JobsFile))
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			out = append(out, f[0])
		}
	}
	return out
}
