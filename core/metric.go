package core

import (
	"bytes"
	"math"
	"slices"
	"strconv"
)

// MetricInfo declares one named metric series: the methods' own (D̂,
// kinetic energy, …), MMD² to the targets, and the problems' observers
// (image classifier metrics, …). JSONL, snapshots and the workbench handle
// any metric through its MetricInfo.
type MetricInfo struct {
	Name   string // key in metrics.jsonl and snapshots ("kinetic_energy")
	Symbol string // short label in the workbench ("KE")
	Doc    string // one line: what it is, with the paper's equation
	Scale  Scale  // how to plot it
	Show   Show   // where the workbench shows it
	Rank   int    // display order, lower first
	Better Better // which direction is better, if any
	// Limit is the top of its axis when > 0 (accuracy: 1); LimitParam
	// names a parameter whose value is the limit instead (the speed limit
	// L of max |∇φ|).
	Limit      float64
	LimitParam string
	Share      bool // a fraction in [0, 1], shown as a percentage
}

// Scale is how a metric is plotted.
type Scale int

// Scales.
const (
	Linear Scale = iota
	Log          // log₁₀; values ≤ 0 are left out
)

// Show says where the workbench shows a metric.
type Show int

// Places.
const (
	ShowSpark  Show = iota // a sparkline
	ShowText               // a line of text
	ShowHidden             // files only
)

// Record is the metrics of one completed step, aligned with Names; NaN
// marks a metric not measured at that step. Values may alias the history:
// read it before the next step, or copy it.
type Record struct {
	Step   int
	Names  []string
	Values []float64
}

// Get returns the value of the metric name and whether it was measured.
func (r Record) Get(name string) (float64, bool) {
	i := slices.Index(r.Names, name)
	if i < 0 || i >= len(r.Values) || math.IsNaN(r.Values[i]) {
		return math.NaN(), false
	}
	return r.Values[i], true
}

// MarshalJSON writes {"step": k, name: value, …}, leaving out metrics not
// measured at this step; ±Inf is written as a string.
func (r Record) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(`{"step":`)
	b.WriteString(strconv.Itoa(r.Step))
	for i, v := range r.Values {
		if math.IsNaN(v) {
			continue
		}
		b.WriteString(`,"`)
		b.WriteString(r.Names[i])
		b.WriteString(`":`)
		if math.IsInf(v, 0) {
			b.WriteString(strconv.Quote(strconv.FormatFloat(v, 'g', -1, 64)))
		} else {
			b.Write(strconv.AppendFloat(nil, v, 'g', -1, 64))
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// History holds the metrics of every completed step, one row per step:
// the step number, then one value per name (NaN: not measured).
type History struct {
	Names []string
	Rows  []float64 // len = steps × (1 + len(Names))
}

func (h *History) stride() int { return 1 + len(h.Names) }

// Len is the number of steps recorded.
func (h *History) Len() int { return len(h.Rows) / h.stride() }

// At returns the record of row i (aliasing the history).
func (h *History) At(i int) Record {
	s := h.stride()
	row := h.Rows[i*s : (i+1)*s]
	return Record{Step: int(row[0]), Names: h.Names, Values: row[1:]}
}

// Last returns the latest record, or ok = false when empty.
func (h *History) Last() (Record, bool) {
	if h.Len() == 0 {
		return Record{}, false
	}
	return h.At(h.Len() - 1), true
}

// Clone returns a deep copy.
func (h *History) Clone() History {
	return History{Names: slices.Clone(h.Names), Rows: slices.Clone(h.Rows)}
}

// append adds a row for step and returns its values for the caller to
// fill (all NaN).
func (h *History) append(step int) []float64 {
	s := h.stride()
	n := len(h.Rows)
	h.Rows = slices.Grow(h.Rows, s)[:n+s]
	row := h.Rows[n : n+s]
	row[0] = float64(step)
	for i := 1; i < s; i++ {
		row[i] = math.NaN()
	}
	return row[1:]
}

// remap returns the history h with its columns reordered to names: a
// column missing from h is NaN, a column of h not in names is dropped.
func (h *History) remap(names []string) History {
	out := History{Names: names}
	idx := make([]int, len(names))
	for i, n := range names {
		idx[i] = slices.Index(h.Names, n)
	}
	out.Rows = make([]float64, 0, h.Len()*out.stride())
	for r := range h.Len() {
		rec := h.At(r)
		row := out.append(rec.Step)
		for i, j := range idx {
			if j >= 0 {
				row[i] = rec.Values[j]
			}
		}
	}
	return out
}
