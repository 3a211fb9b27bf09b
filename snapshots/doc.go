// Package snapshots reads and writes gpa-tui snapshot files and exports them
// as pictures and tables.
//
// A snapshot is a single NumPy .npz file: a zip archive whose members are
// NAME.npy arrays (format 1.0, little-endian, C order) plus one meta.json
// member. numpy.load opens it directly:
//
//	z = numpy.load("run.npz")
//	z["particles"]                  # float32 array, M×d
//	json.loads(z["meta.json"])      # non-.npy members come back as raw bytes
//
// meta.json is an envelope around the caller's metadata:
//
//	{"format": "gpa-tui snapshot", "version": 1, "meta": {...}}
//
// "format" tells a snapshot from any other .npz; "version" is FormatVersion
// at write time, and a file with a larger version is refused with
// ErrNewerFormat rather than misread.
//
// WriteFile is atomic: it writes a temporary file in the target directory,
// fsyncs it, renames it over the target and fsyncs the directory, so a crash
// never leaves a half-written snapshot where a good one was. ReadFile never
// panics on bad input; every error names the file and the problem.
package snapshots
