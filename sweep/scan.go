package sweep

import (
	"math"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gpa-tui/gpa-tui/runfolder"
)

// Task states beyond the run states of package runfolder.
const (
	StatePending = "pending" // nothing ran yet
	StateQueued  = "queued"  // Slurm has it pending
	StateLost    = "lost"    // said running, but no process holds the folder (killed); resumes when run again
)

// TaskState is what watch shows of one task.
type TaskState struct {
	Task    Task
	Label   string
	Dir     string
	State   string
	Step    int
	Total   int
	Rate    float64
	Updated time.Time
	Message string
	Holder  string // host:pid of the running process
	// Latest measured D̂ and MMD² (NaN: none yet), and every measured
	// value of the metric followed (for a sparkline).
	Divergence, MMD2 float64
	Series           []float64
	Queue            string // Slurm's state and reason, when submitted
}

// Scanner reads the state of a sweep's tasks, incrementally: each Scan
// reads only what the tasks appended since the last.
type Scanner struct {
	Dir      string
	Manifest *Manifest
	Metric   string // followed in Series ("mmd2")
	tails    []*runfolder.MetricsTail
	queue    map[int]string
	queueAt  time.Time
	squeue   string // the squeue command, "" if absent
}

// queueEvery is how often Scan asks Slurm about the queue.
const queueEvery = 5 * time.Second

// NewScanner opens a sweep folder.
func NewScanner(dir, metric string) (*Scanner, error) {
	m, err := Load(dir)
	if err != nil {
		return nil, err
	}
	if metric == "" {
		metric = "mmd2"
	}
	s := &Scanner{Dir: dir, Manifest: m, Metric: metric}
	names := []string{"divergence", "mmd2"}
	if metric != "divergence" && metric != "mmd2" {
		names = append(names, metric)
	}
	for _, t := range m.Tasks {
		s.tails = append(s.tails, runfolder.NewMetricsTail(filepath.Join(dir, t.Dir, runfolder.MetricsFile), names))
	}
	if len(Jobs(dir)) > 0 {
		s.squeue, _ = exec.LookPath("squeue")
	}
	return s, nil
}

// Scan reads every task's state.
func (s *Scanner) Scan() []TaskState {
	if s.squeue != "" && time.Since(s.queueAt) >= queueEvery {
		s.queue = slurmQueue(s.squeue, Jobs(s.Dir))
		s.queueAt = time.Now()
	}
	col := 0
	switch s.Metric {
	case "mmd2":
		col = 1
	case "divergence":
		col = 0
	default:
		col = 2
	}
	out := make([]TaskState, len(s.Manifest.Tasks))
	for i, t := range s.Manifest.Tasks {
		dir := filepath.Join(s.Dir, t.Dir)
		ts := TaskState{Task: t, Label: s.Manifest.Label(t), Dir: dir, State: StatePending, Total: s.Manifest.Steps,
			Divergence: math.NaN(), MMD2: math.NaN(), Queue: s.queue[i]}
		st, ok, _ := runfolder.ReadStatus(dir)
		if ok {
			ts.State, ts.Step, ts.Rate, ts.Updated, ts.Message = st.State, st.Step, st.Rate, st.Updated, st.Message
			if st.Total > 0 {
				ts.Total = st.Total
			}
		}
		if h, alive := runfolder.ReadHolder(dir); alive {
			ts.Holder = h.Host + ":" + strconv.Itoa(h.PID)
		} else if ok && !st.Ended() {
			ts.State, ts.Message = StateLost, "no process holds the folder (killed?); running the task again resumes it"
		}
		if !ok && strings.HasPrefix(ts.Queue, "PENDING") {
			ts.State = StateQueued
		}
		tail := s.tails[i]
		tail.Read(-1)
		h := &tail.Hist
		if r, ok := h.Last(); ok && r.Step > ts.Step {
			ts.Step = r.Step
		}
		for r := h.Len() - 1; r >= 0 && (math.IsNaN(ts.Divergence) || math.IsNaN(ts.MMD2)); r-- {
			v := h.At(r).Values
			if math.IsNaN(ts.Divergence) {
				ts.Divergence = v[0]
			}
			if math.IsNaN(ts.MMD2) {
				ts.MMD2 = v[1]
			}
		}
		for r := range h.Len() {
			if v := h.At(r).Values[col]; !math.IsNaN(v) {
				ts.Series = append(ts.Series, v)
			}
		}
		out[i] = ts
	}
	return out
}

// slurmQueue maps array task index → "STATE reason" for the newest job.
func slurmQueue(squeue string, jobs []string) map[int]string {
	if len(jobs) == 0 {
		return nil
	}
	job := jobs[len(jobs)-1]
	out, err := exec.Command(squeue, "-h", "-r", "-j", job, "-o", "%i %T %r").Output()
	if err != nil {
		return nil
	}
	q := map[int]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		_, idx, ok := strings.Cut(f[0], "_")
		i, err := strconv.Atoi(idx)
		if !ok || err != nil {
			continue
		}
		q[i] = strings.Join(f[1:], " ")
	}
	return q
}
