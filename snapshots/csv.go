package snapshots

import (
	"encoding/csv"
	"io"
	"strconv"
)

// ExportCSV writes data (rows×cols, row-major) to w as CSV, one row per
// point, preceded by header when it is non-empty. Values use the shortest
// decimal form that reads back as the same float32 ("NaN", "+Inf" and
// "-Inf" for non-finite values, as strconv and numpy.loadtxt spell them).
// It panics if len(data) ≠ rows·cols or header is non-empty with
// len(header) ≠ cols.
func ExportCSV(w io.Writer, data []float32, rows, cols int, header []string) error {
	if rows < 0 || cols < 0 || len(data) != rows*cols {
		panic("snapshots: ExportCSV: shape mismatch")
	}
	if len(header) != 0 && len(header) != cols {
		panic("snapshots: ExportCSV: len(header) != cols")
	}
	cw := csv.NewWriter(w)
	if len(header) != 0 {
		if err := cw.Write(header); err != nil {
			return err
		}
	}
	rec := make([]string, cols)
	for i := range rows {
		for j, v := range data[i*cols : (i+1)*cols] {
			rec[j] = strconv.FormatFloat(float64(v), 'g', -1, 32)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
