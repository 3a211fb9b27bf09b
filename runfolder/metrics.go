package runfolder

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"strconv"

	"github.com/gpa-tui/gpa-tui/core"
)

// MetricsTail reads a growing metrics.jsonl incrementally: each Read
// reopens the file (close-to-open consistency on NFS), reads from where
// the last one stopped and parses the complete lines into the history.
type MetricsTail struct {
	Path string
	Hist core.History // columns: the names given to NewMetricsTail
	off  int64
	ino  uint64
	idx  map[string]int
}

// NewMetricsTail reads path into a history with the given columns; other
// keys of the lines are ignored, missing ones are NaN.
func NewMetricsTail(path string, names []string) *MetricsTail {
	t := &MetricsTail{Path: path, Hist: core.History{Names: names}, idx: map[string]int{}}
	for i, n := range names {
		t.idx[n] = i
	}
	return t
}

// Reset forgets what was read (the file was rewritten by a new process).
func (t *MetricsTail) Reset() {
	t.off = 0
	t.Hist.Rows = t.Hist.Rows[:0]
}

// Read appends the complete lines written since the last Read, up to and
// including step maxStep (maxStep < 0: all), and returns how many rows it
// added. A missing file reads as empty.
func (t *MetricsTail) Read(maxStep int) (int, error) {
	f, err := os.Open(t.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	if ino := inode(st); st.Size() < t.off || ino != t.ino {
		t.Reset() // truncated or replaced (a resumed run): read again from the start
		t.ino = ino
	}
	if st.Size() == t.off {
		return 0, nil
	}
	buf := make([]byte, st.Size()-t.off)
	n, err := f.ReadAt(buf, t.off)
	if err != nil && !errors.Is(err, io.EOF) {
		return 0, err
	}
	buf = buf[:n]
	added := 0
	stride := 1 + len(t.Hist.Names)
	for {
		i := bytes.IndexByte(buf, '\n')
		if i < 0 {
			break // a partial line: the rest comes with the next flush
		}
		line := buf[:i]
		step, row, ok := t.parse(line)
		if ok && maxStep >= 0 && step > maxStep {
			break
		}
		t.off += int64(i + 1)
		buf = buf[i+1:]
		if !ok {
			continue
		}
		t.Hist.Rows = append(t.Hist.Rows, row[:stride]...)
		added++
	}
	return added, nil
}

// parse reads one line into a history row (step, then the columns).
func (t *MetricsTail) parse(line []byte) (int, []float64, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(line, &obj); err != nil {
		return 0, nil, false
	}
	raw, ok := obj["step"]
	if !ok {
		return 0, nil, false
	}
	step, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, nil, false
	}
	row := make([]float64, 1+len(t.Hist.Names))
	row[0] = float64(step)
	for i := 1; i < len(row); i++ {
		row[i] = math.NaN()
	}
	for k, v := range obj {
		j, ok := t.idx[k]
		if !ok {
			continue
		}
		if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			row[1+j] = f
		} else if s, err := strconv.Unquote(string(v)); err == nil {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				row[1+j] = f
			}
		}
	}
	return step, row, true
}
