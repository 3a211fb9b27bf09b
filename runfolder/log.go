package runfolder

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Entry is one line of a run's event log (events.jsonl).
type Entry struct {
	Time  time.Time `json:"time"`
	Step  int       `json:"step"`
	Event string    `json:"event"` // see the Ev… constants
	// A parameter change: the key (core.Param.Key) and its values.
	Param string `json:"param,omitempty"`
	Old   *Num   `json:"old,omitempty"`
	New   *Num   `json:"new,omitempty"`
	// By names who asked (a viewer: user@host:pid), Path a file written,
	// Message anything else.
	By      string `json:"by,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message,omitempty"`
}

// Events of the log.
const (
	EvStart      = "start"      // a run from a preset
	EvResume     = "resume"     // a run continued from a snapshot
	EvSet        = "set"        // a parameter changed (--set on resume, or a viewer)
	EvPause      = "pause"      // a viewer paused the run
	EvContinue   = "continue"   // a viewer resumed it
	EvStep       = "step"       // a viewer asked for one step while paused
	EvSnapshot   = "snapshot"   // a snapshot written on a viewer's request
	EvStop       = "stop"       // a viewer stopped the run (checkpointed)
	EvSignal     = "signal"     // a signal received (checkpointed)
	EvCheckpoint = "checkpoint" // a checkpoint written (on a signal or a stop)
	EvWarning    = "warning"    // e.g. a rolling checkpoint that failed
	EvFinish     = "finish"     // all steps done, final.npz written
	EvDiverged   = "diverged"   // NaN/Inf: the last good state saved
	EvError      = "error"      // the run ended on an error
	EvRefused    = "refused"    // a control request that could not be applied
	EvViewer     = "viewer"     // a viewer came or went
)

// Num is a float64 written in JSON as a number, or "inf"/"-inf"/"nan".
type Num float64

// NumPtr returns a pointer to v as a Num.
func NumPtr(v float64) *Num { n := Num(v); return &n }

// MarshalJSON writes a number, or a string for non-finite values.
func (n Num) MarshalJSON() ([]byte, error) {
	v := float64(n)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return json.Marshal(strconv.FormatFloat(v, 'g', -1, 64))
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number or such a string.
func (n *Num) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	switch x := v.(type) {
	case float64:
		*n = Num(x)
	case string:
		f, err := strconv.ParseFloat(x, 64)
		if err != nil {
			return err
		}
		*n = Num(f)
	default:
		return errors.New("runfolder: want a number")
	}
	return nil
}

// Log appends entries to events.jsonl, one write per entry (lines of
// concurrent appenders never interleave within a line on a local file
// system; only the running process writes it).
type Log struct {
	f *os.File
}

// OpenLog opens dir's event log for appending.
func OpenLog(dir string) (*Log, error) {
	f, err := os.OpenFile(filepath.Join(dir, EventsFile), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o666)
	if err != nil {
		return nil, err
	}
	return &Log{f: f}, nil
}

// Add appends e, with the current time if e.Time is zero. Errors are
// returned but a log that cannot be written never stops a run.
func (l *Log) Add(e Entry) error {
	if l == nil {
		return nil
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC().Truncate(time.Millisecond)
	}
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = l.f.Write(append(b, '\n'))
	return err
}

// Close closes the log.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	return l.f.Close()
}

// ReadLog reads dir's event log; a missing log is empty and a torn last
// line (a run killed mid-write) is skipped.
func ReadLog(dir string) ([]Entry, error) {
	f, err := os.Open(filepath.Join(dir, EventsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e Entry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			out = append(out, e)
		}
	}
	return out, sc.Err()
}

// Run states (Status.State).
const (
	StateStarting = "starting" // preparing the problem
	StateRunning  = "running"
	StatePaused   = "paused"
	StateFinished = "finished" // all steps done
	StateStopped  = "stopped"  // checkpointed on a signal or a stop request; resumable
	StateDiverged = "diverged"
	StateFailed   = "failed"
)

// Status is status.json: where a run is, for watch, report and viewers.
type Status struct {
	State   string    `json:"state"`
	Step    int       `json:"step"`
	Total   int       `json:"total"`
	Rate    float64   `json:"steps_per_s,omitempty"`
	PID     int       `json:"pid,omitempty"`
	Host    string    `json:"host,omitempty"`
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
	Message string    `json:"message,omitempty"`
	// Checkpoint is the snapshot to resume from after a stop ("" when
	// finished or none).
	Checkpoint string `json:"checkpoint,omitempty"`
	Viewers    int    `json:"viewers,omitempty"`
}

// Ended reports whether the state is final for this process.
func (s Status) Ended() bool {
	switch s.State {
	case StateFinished, StateStopped, StateDiverged, StateFailed:
		return true
	}
	return false
}

// WriteStatus writes dir's status.json atomically.
func WriteStatus(dir string, s Status) error {
	s.Updated = time.Now().UTC().Truncate(time.Millisecond)
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, StatusFile), append(b, '\n'), false)
}

// ReadStatus reads dir's status.json; ok is false when there is none.
func ReadStatus(dir string) (s Status, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, StatusFile))
	if errors.Is(err, fs.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return s, false, err
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, false, err
	}
	return s, true, nil
}
