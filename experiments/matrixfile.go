package experiments

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// ReadMatrixFile reads a numeric sample matrix (rows = samples) from a CSV,
// TSV (optionally .gz) or NumPy .npy file (float32 or float64, 1-D or 2-D,
// C order). A first line that is not numeric is taken as a header. Errors
// name the file, line and column; NaN and Inf are rejected.
func ReadMatrixFile(path string) (x []float32, rows, cols int, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("core: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	name := path
	if strings.HasSuffix(name, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("core: %s: %w", path, err)
		}
		defer gz.Close()
		r = gz
		name = strings.TrimSuffix(name, ".gz")
	}
	if strings.HasSuffix(name, ".npy") {
		x, rows, cols, err = readNPY(r)
	} else {
		x, rows, cols, err = readDelimited(r, name)
	}
	if err != nil {
		return nil, 0, 0, fmt.Errorf("core: %s: %w", path, err)
	}
	if rows == 0 {
		return nil, 0, 0, fmt.Errorf("core: %s: no data rows", path)
	}
	for i, v := range x {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, 0, 0, fmt.Errorf("core: %s: row %d, column %d: %v is not a finite number", path, i/cols+1, i%cols+1, v)
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

var npyShape = regexp.MustCompile(`'shape':\s*\(([^)]*)\)`)
var npyDescr = regexp.MustCompile(`'descr':\s*'([^']*)'`)

// readNPY reads a .npy array of '<f4' or '<f8' in C order.
func readNPY(r io.Reader) ([]float32, int, int, error) {
	var magic [8]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil || string(magic[:6]) != "\x93NUMPY" {
		return nil, 0, 0, fmt.Errorf("not a NumPy .npy file")
	}
	var hlen int
	switch magic[6] {
	case 1:
		var n uint16
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, 0, 0, fmt.Errorf("truncated .npy header")
		}
		hlen = int(n)
	case 2, 3:
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
			return nil, 0, 0, fmt.Errorf("truncated .npy header")
		}
		hlen = int(n)
	default:
		return nil, 0, 0, fmt.Errorf(".npy format version %d is not supported", magic[6])
	}
	if hlen > 1<<20 {
		return nil, 0, 0, fmt.Errorf(".npy header of %d bytes is too long", hlen)
	}
	h := make([]byte, hlen)
	if _, err := io.ReadFull(r, h); err != nil {
		return nil, 0, 0, fmt.Errorf("truncated .npy header")
	}
	hs := string(h)
	if strings.Contains(hs, "'fortran_order': True") {
		return nil, 0, 0, fmt.Errorf(".npy in Fortran order is not supported; save with np.ascontiguousarray")
	}
	dm := npyDescr.FindStringSubmatch(hs)
	sm := npyShape.FindStringSubmatch(hs)
	if dm == nil || sm == nil {
		return nil, 0, 0, fmt.Errorf("bad .npy header %q", hs)
	}
	var shape []int
	for _, p := range strings.Split(sm[1], ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, 0, 0, fmt.Errorf("bad .npy shape %q", sm[1])
		}
		shape = append(shape, n)
	}
	rows, cols := 0, 1
	switch len(shape) {
	case 1:
		rows = shape[0]
	case 2:
		rows, cols = shape[0], shape[1]
	default:
		return nil, 0, 0, fmt.Errorf(".npy array of shape %v: want 1-D or 2-D samples", shape)
	}
	n := rows * cols
	if n > 1<<30 {
		return nil, 0, 0, fmt.Errorf(".npy array too large")
	}
	x := make([]float32, n)
	switch dm[1] {
	case "<f4":
		if err := binary.Read(r, binary.LittleEndian, x); err != nil {
			return nil, 0, 0, fmt.Errorf("truncated .npy data")
		}
	case "<f8":
		y := make([]float64, n)
		if err := binary.Read(r, binary.LittleEndian, y); err != nil {
			return nil, 0, 0, fmt.Errorf("truncated .npy data")
		}
		for i, v := range y {
			x[i] = float32(v)
		}
	default:
		return nil, 0, 0, fmt.Errorf(".npy dtype %q: want float32 ('<f4') or float64 ('<f8')", dm[1])
	}
	return x, rows, cols, nil
}
