package snapshots

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
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
	err := writeAtomic(path, func(w io.Writer) error { return WriteNPZ(w, meta, arrays) })
	if err != nil {
		return fmt.Errorf("snapshots: %s: %w", path, err)
	}
	return nil
}

// ReadFile reads the snapshot at path; see ReadNPZ. Every error names path,
// e.g. "snapshots: run.npz: corrupt snapshot: truncated or damaged zip
// archive (zip: not a valid zip file)", and wraps ErrNotSnapshot,
// ErrCorrupt, ErrNewerFormat or the *fs.PathError of opening the file.
func ReadFile(path string) (meta []byte, arrays map[string]Array, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %w", err) // *PathError names the file
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("snapshots: %s: %w: not a regular file", path, ErrNotSnapshot)
	}
	meta, arrays, err = readNPZ(f, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %s: %w", path, err)
	}
	return meta, arrays, nil
}

// testHookWriter, when set by a test, wraps the temporary file's writer so
// that a write can fail (or the process exit) part-way.
var testHookWriter func(io.Writer) io.Writer

// writeAtomic writes path through write: temp file, fsync, close, rename,
// fsync of the directory. The new file gets the mode of the file it
// replaces, or 0644.
func writeAtomic(path string, write func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	perm := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		perm = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	done := false
	defer func() { // runs on errors and on panics
		if !done {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	var w io.Writer = tmp
	if testHookWriter != nil {
		w = testHookWriter(w)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	done = true
	return syncDir(dir)
}

// syncDir fsyncs a directory so that a rename in it is durable. Windows
// cannot open directories for syncing; there the rename is all we do.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
