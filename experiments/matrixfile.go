package experiments

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/gpa-tui/gpa-tui/inputfile"
	"github.com/gpa-tui/gpa-tui/npy"
)

// ReadMatrixFile reads a numeric sample matrix (rows = samples) from a CSV,
// TSV (optionally .gz) or NumPy .npy file (float32 or float64, 1-D or 2-D,
// C or Fortran order; read by package npy). A first line that is not
// numeric is taken as a header. Only regular files are read, compressed
// data are capped against zip bombs (inputfile.OpenData), and an .npy
// array larger than the memory budget is refused before it is allocated.
// Errors name the file, line and column; NaN and Inf are rejected.
func ReadMatrixFile(path string) (x []float32, rows, cols int, err error) {
	r, f, size, err := inputfile.OpenData(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("experiments: %w", err)
	}
	defer f.Close()
	name := strings.TrimSuffix(path, ".gz")
	if strings.HasSuffix(name, ".npy") {
		known := size
		if name != path {
			known = -1 // compressed: the data size is not the file's
		}
		x, rows, cols, err = readNPY(r, known)
	} else {
		x, rows, cols, err = readDelimited(r, name)
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("experiments: %s: %w", path, err)
	}
	if rows == 0 {
		return nil, 0, 0, fmt.Errorf("experiments: %s: no data rows", path)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, 0, 0, fmt.Errorf("experiments: %s: row %d, column %d: %v is not a finite number", path, i/cols+1, i%cols+1, v)
		}
	}
	return x, rows, cols, nil
}

func readDelimited(r io.Reader, name string) ([]float32, int, int, error) {
	sep := ","
	if strings.HasSuffix(name, ".tsv") || strings.HasSuffix(name, ".txt") {
		sep = "\t"
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	var x []float32
	cols, rows, line := 0, 0, 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		fields := strings.Split(s, sep)
		if sep == "," && len(fields) == 1 && strings.Contains(s, "\t") {
			sep = "\t"
			fields = strings.Split(s, sep)
		}
		if cols == 0 && rows == 0 {
			// Only the first non-empty line may be a header.
			if _, err := strconv.ParseFloat(strings.TrimSpace(fields[0]), 64); err != nil {
				cols = -len(fields) // header: remember its width
				continue
			}
		}
		if cols <= 0 {
			if cols < 0 && -cols != len(fields) {
				return nil, 0, 0, fmt.Errorf("line %d: %d fields, the header has %d", line, len(fields), -cols)
			}
			cols = len(fields)
		}
		if len(fields) != cols {
			return nil, 0, 0, fmt.Errorf("line %d: %d fields, want %d (ragged row)", line, len(fields), cols)
		}
		for j, fs := range fields {
			v, err := strconv.ParseFloat(strings.TrimSpace(fs), 64)
			if err != nil {
				return nil, 0, 0, fmt.Errorf("line %d, column %d: %q is not a number", line, j+1, fs)
			}
			x = append(x, float32(v))
		}
		rows++
	}
	if err := sc.Err(); err != nil {
		return nil, 0, 0, err
	}
	return x, rows, max(cols, 0), nil
}

// readNPY reads samples from a .npy array of 1 or 2 dimensions (rows, or
// rows × columns) of float32 or float64 (rounded to float32), within the
// memory budget (package npy checks the header's size before allocating).
func readNPY(r io.Reader, size int64) ([]float32, int, int, error) {
	limit := int64(math.MaxInt64)
	if b, _, err := MemoryBudget(); err == nil && b > 0 {
		limit = int64(b)
	}
	a, err := npy.Read(r, size, limit)
	if err != nil {
		return nil, 0, 0, err
	}
	rows, cols := 0, 1
	switch len(a.Shape) {
	case 1:
		rows = a.Shape[0]
	case 2:
		rows, cols = a.Shape[0], a.Shape[1]
	default:
		return nil, 0, 0, fmt.Errorf(".npy array of shape %s: want 1-D or 2-D samples", npy.FormatShape(a.Shape))
	}
	x, err := npy.Float32s(a)
	if err != nil {
		return nil, 0, 0, err
	}
	return x, rows, cols, nil
}
