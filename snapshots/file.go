package snapshots

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/gpa-tui/gpa-tui/atomicfile"
	"github.com/gpa-tui/gpa-tui/inputfile"
)

// WriteFile atomically writes a snapshot of meta and arrays to path (see
// WriteNPZ for the format and the panics on misuse). It writes a temporary
// file in the same directory, fsyncs and closes it, renames it over path and
// fsyncs the directory. On any error the temporary file is removed and a
// file already at path is left untouched. A crash can at worst leave a
// stray ".NAME.tmp-*" file beside path, never a partial snapshot at path.
func WriteFile(path string, meta []byte, arrays []Array) error {
	// Validate before touching the disk, so misuse panics leave nothing behind.
	if _, err := marshalEnvelope(meta); err != nil {
		panic("snapshots: WriteFile: meta is not valid JSON")
	}
	checkArrays(arrays)
	err := WriteAtomic(path, func(w io.Writer) error { return WriteNPZ(w, meta, arrays) })
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	return nil
}

// ReadFile reads the snapshot at path within the limits lim (the zero
// Limits for the defaults); see ReadNPZ. Every error names path, e.g.
// "snapshots: run.npz: corrupt snapshot: truncated or damaged zip archive
// (zip: not a valid zip file)", and wraps ErrNotSnapshot, ErrCorrupt,
// ErrNewerFormat or the *fs.PathError of opening the file. Anything but a
// regular file (a FIFO, a device, a directory) is refused before it is
// read, and opening never blocks.
func ReadFile(path string, lim Limits) (meta []byte, arrays map[string]Array, err error) {
	f, size, err := inputfile.Open(path)
	var nr *inputfile.NotRegularError
	if errors.As(err, &nr) {
		// "snapshots: x.npz: not a gpa-tui snapshot: not a regular file (a named pipe)"
		return nil, nil, fmt.Errorf("snapshots: %s: %w: %s", path, ErrNotSnapshot, nr.Reason())
	}
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %w", err) // the error names the file
	}
	defer f.Close()
	meta, arrays, err = readNPZ(f, size, lim.withDefaults())
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %s: %w", path, err)
	}
	return meta, arrays, nil
}

// Budget of a run snapshot beyond the shapes its meta.json declares.
const (
	// methodMax caps each of a method's arrays (core.MethodState) at
	// 128 MiB: 16 Mi float32 parameters and their two Adam moments (GPA's
	// phi_params, phi_power, opt_state). The networks of the shipped
	// presets have under 10⁶ parameters.
	methodMax = 2*(64<<20) + 64
	// imageValues caps the values of one image at 65536 (a 256×256 grey
	// image; CIFAR-10 has 32×32×3 = 3072).
	imageValues = 1 << 16
)

// runArrays is the Limits.Arrays of a run snapshot (Load): the arrays Save
// writes, each with the shape and the data size that M, N, d and the step
// count in meta.json allow, so that no other member is decompressed and no
// array is larger than the run it belongs to. For metadata that is not a
// valid run it asks for nothing, and Load reports what is wrong.
func runArrays(meta []byte) (map[string]Want, error) {
	var m struct {
		Kind           string `json:"kind"`
		M, N, D, Step  int
		MethodArrays   []string `json:"method_arrays"`
		MetricsColumns []string `json:"metrics_columns"`
	}
	if json.Unmarshal(meta, &m) != nil || m.Kind != runKind || m.M < 1 || m.N < 1 || m.D < 1 || m.Step < 0 {
		return map[string]Want{}, nil
	}
	k := len(m.MetricsColumns)
	want := map[string]Want{
		"particles":     {Shape: []int{m.M, m.D}, Max: bytesOf(4, m.M, m.D)},
		"initial":       {Shape: []int{m.M, m.D}, Max: bytesOf(4, m.M, m.D)},
		"target":        {Shape: []int{m.N, m.D}, Max: bytesOf(4, m.N, m.D)},
		"metrics":       {Shape: []int{-1, k}, Max: bytesOf(8, k, m.Step) + 8*int64(k)}, // a row per step
		"images":        {Shape: []int{m.M, -1, -1, -1}, Max: bytesOf(4, m.M, imageValues)},
		"target_images": {Shape: []int{m.N, -1, -1, -1}, Max: bytesOf(4, m.N, imageValues)},
		"labels":        {Shape: []int{m.M}, Max: bytesOf(8, m.M)},
		"target_labels": {Shape: []int{m.N}, Max: bytesOf(8, m.N)},
	}
	names := m.MethodArrays
	if names == nil { // format 1: GPA's arrays
		names = []string{"phi_params", "phi_power", "opt_state"}
	}
	for _, name := range names {
		if _, fixed := want[name]; !fixed {
			want[name] = Want{Shape: []int{-1}, Max: methodMax}
		}
	}
	return want, nil
}

// bytesOf is size·∏dims, saturating at math.MaxInt64; dims are ≥ 0.
func bytesOf(size int64, dims ...int) int64 {
	n := size
	for _, d := range dims {
		if d != 0 && n > math.MaxInt64/int64(d) {
			return math.MaxInt64
		}
		n *= int64(d)
	}
	return n
}

// testHookWriter, when set by a test, wraps the temporary file's writer so
// that a write can fail (or the process exit) part-way.
var testHookWriter func(io.Writer) io.Writer

// WriteAtomic writes path through write with the program's one atomic
// writer (atomicfile: temporary file, fsync, rename, fsync of the
// directory), so a crash never leaves a half-written file where a good one
// was. The new file gets the mode of the file it replaces, or 0666 less
// the umask, as os.Create gives.
func WriteAtomic(path string, write func(io.Writer) error) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		if testHookWriter != nil {
			w = testHookWriter(w)
		}
		return write(w)
	}, atomicfile.Options{})
}
