package runfolder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Request is a control request a viewer writes into live/control: applied
// by the run at its next step boundary, recorded in its event log with the
// step, and acknowledged in the published state.
type Request struct {
	ID     string    `json:"id"`
	By     string    `json:"by"`     // user@host:pid of the viewer
	Action string    `json:"action"` // see the Act… constants
	Param  string    `json:"param,omitempty"`
	Value  *Num      `json:"value,omitempty"`
	Time   time.Time `json:"time"`
}

// Control actions.
const (
	ActSet      = "set"      // Param = Value (a mid-run parameter, core.Param)
	ActPause    = "pause"    // stop stepping until resumed
	ActResume   = "resume"   // step again
	ActStep     = "step"     // one step while paused
	ActSnapshot = "snapshot" // write snapshot-stepNNNNNN.npz into the run folder
	ActStop     = "stop"     // checkpoint and end the run (resumable)
)

// Ack answers a Request.
type Ack struct {
	ID      string `json:"id"`
	Action  string `json:"action"`
	By      string `json:"by,omitempty"`
	OK      bool   `json:"ok"`
	Step    int    `json:"step"` // the step boundary it was applied at
	Message string `json:"message"`
	Path    string `json:"path,omitempty"` // a snapshot written
}

// staticMeta is the metadata of live/static.npz: what does not change
// during one process's run. Arrays: targets (N×D), initial (M×D) and, for
// image runs, target_images (N×H·W·C).
type staticMeta struct {
	RunID       string            `json:"run_id"`
	Preset      string            `json:"preset"`
	Kind        string            `json:"kind"`
	M           int               `json:"m"`
	N           int               `json:"n"`
	D           int               `json:"d"`
	Metrics     []core.MetricInfo `json:"metrics"`
	Summary     [][2]string       `json:"summary"`
	LengthScale float64           `json:"length_scale"`
	Names       [3]string         `json:"names"`
	ShowInitial bool              `json:"show_initial"`
	Notes       []string          `json:"notes,omitempty"`
	Projection  string            `json:"projection,omitempty"`
	Image       *imageMeta        `json:"image,omitempty"`
	Tables      []string          `json:"tables,omitempty"`
	Host        string            `json:"host"`
	PID         int               `json:"pid"`
}

// imageMeta describes an image run's data space.
type imageMeta struct {
	H            int      `json:"h"`
	W            int      `json:"w"`
	C            int      `json:"c"`
	Classes      []string `json:"classes,omitempty"`
	Labels       []int    `json:"labels,omitempty"`
	TargetLabels []int    `json:"target_labels,omitempty"`
	Latent       bool     `json:"latent"` // particles live in a latent space and are decoded
}

// stateMeta is the metadata of live/state.npz, published about once a
// second while watched. Arrays: particles (M×D).
type stateMeta struct {
	RunID   string       `json:"run_id"`
	Seq     int64        `json:"seq"`
	Time    time.Time    `json:"time"`
	State   string       `json:"state"`
	Step    int          `json:"step"`
	Total   int          `json:"total"`
	Rate    float64      `json:"steps_per_s"`
	Config  core.Config  `json:"config"`
	Events  []core.Event `json:"events"`
	Acks    []Ack        `json:"acks"`
	Viewers []string     `json:"viewers"`
	Message string       `json:"message,omitempty"`
	// Table is the problem's first table (gene runs), computed at most
	// every few seconds while watched; TableStep is its step.
	Table     *tableJSON `json:"table,omitempty"`
	TableStep int        `json:"table_step,omitempty"`
}

// imagesMeta is the metadata of live/images.npz, an image run's particles
// decoded to pixels (uint8 "images", M×H·W·C, value/255), written less
// often than the state: decoding and writing them costs more.
type imagesMeta struct {
	RunID string `json:"run_id"`
	Step  int    `json:"step"`
}

// tableJSON is core.TableData with non-finite values allowed.
type tableJSON struct {
	Columns []core.Column `json:"columns"`
	Rows    []rowJSON     `json:"rows"`
	Note    string        `json:"note,omitempty"`
	Err     string        `json:"error,omitempty"`
}

type rowJSON struct {
	Label     string `json:"label"`
	Short     string `json:"short"`
	Values    []Num  `json:"values"`
	Reference bool   `json:"reference,omitempty"`
	Run       bool   `json:"run,omitempty"`
}

func toTableJSON(t core.TableData, err error) *tableJSON {
	out := &tableJSON{Columns: t.Columns, Note: t.Note}
	if err != nil {
		out.Err = err.Error()
	}
	for _, r := range t.Rows {
		vals := make([]Num, len(r.Values))
		for i, v := range r.Values {
			vals[i] = Num(v)
		}
		out.Rows = append(out.Rows, rowJSON{Label: r.Label, Short: r.Short, Values: vals, Reference: r.Reference, Run: r.Run})
	}
	return out
}

func (t *tableJSON) data() (core.TableData, error) {
	out := core.TableData{Columns: t.Columns, Note: t.Note}
	for _, r := range t.Rows {
		vals := make([]float64, len(r.Values))
		for i, v := range r.Values {
			vals[i] = float64(v)
		}
		out.Rows = append(out.Rows, core.TableRow{Label: r.Label, Short: r.Short, Values: vals, Reference: r.Reference, Run: r.Run})
	}
	if t.Err != "" {
		return out, fmt.Errorf("%s", t.Err)
	}
	return out, nil
}

// writeNPZ writes meta (as JSON) and arrays to path atomically; live
// files are not fsynced (they are worthless after a crash).
func writeNPZ(path string, meta any, arrays []snapshots.Array) error {
	js, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := snapshots.WriteNPZ(&b, js, arrays); err != nil {
		return err
	}
	return writeFile(path, b.Bytes(), false)
}

// maxLiveBytes bounds the arrays of a live file a viewer reads (a run of
// 3000 particles in 128 dimensions publishes 1.5 MB; its images 2.4 MB).
const maxLiveBytes = 1 << 30

// readNPZ reads a live file into meta and returns its arrays.
func readNPZ(path string, meta any) (map[string]snapshots.Array, os.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s: not a regular file", path)
	}
	js, arrays, err := snapshots.ReadNPZ(f, st.Size(), snapshots.Limits{Total: maxLiveBytes})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(js, meta); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return arrays, st, nil
}

// f32 is a float32 array member.
func f32(name string, data []float32, shape ...int) snapshots.Array {
	return snapshots.Array{Name: name, Shape: shape, Data: data}
}

// getF32 returns a float32 member of rows×cols, or an error naming it.
func getF32(arrays map[string]snapshots.Array, path, name string, rows, cols int) ([]float32, error) {
	x, err := snapshots.Get[float32](arrays, name, rows, cols)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// viewerInfo is the content of a heartbeat file.
type viewerInfo struct {
	ID    string    `json:"id"`
	By    string    `json:"by"`
	Since time.Time `json:"since"`
	Beat  int64     `json:"beat"`
}

// dirs creates the live folders of dir.
func liveDirs(dir string) error {
	for _, d := range []string{ViewersDir, ControlDir} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o777); err != nil {
			return err
		}
	}
	return nil
}

// finite reports whether v is a finite number.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
