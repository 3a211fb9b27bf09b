// Package atomicfile is the program's one atomic file writer: the new
// content goes to a temporary file beside the target, is fsynced, and is
// renamed over the target; then the directory is fsynced. Readers, and a
// crash at any moment, see the old file or the new one, never a part. A
// crash can leave a temporary file behind: its name is TempName's, which
// IsTemp recognizes, so that a later run can remove it.
//
// Snapshots, run folders (their live files without the fsyncs), sweep and
// comparison outputs, and the latent cache all write through it.
package atomicfile

import (
	"bufio"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// tempMark is in the name of every temporary file: dir/.base.tmp-XXXX.
const tempMark = ".tmp-"

// TempName returns a fresh temporary name beside path: a hidden file named
// after path's base, so that a leftover says what it was.
func TempName(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+tempMark+strconv.FormatUint(rand.Uint64(), 36))
}

// IsTemp reports whether a file name (without its directory) is one of
// TempName's.
func IsTemp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.Contains(name, tempMark)
}

// Options adjust Write.
type Options struct {
	// Perm is the mode of the new file, less the umask. 0 keeps the mode
	// of the regular file it replaces, or gives 0666 less the umask, as
	// os.Create does.
	Perm os.FileMode
	// NoSync skips both fsyncs: still atomic for readers, but after a
	// power loss the file may be the old one or empty. For files a run
	// republishes several times a second, where an fsync each time would
	// cost more than the rest of the step.
	NoSync bool
}

// Write writes path through write, atomically (see the package comment).
// write gets a buffered writer; an error from it, or a panic, removes the
// temporary file and leaves path as it was.
func Write(path string, write func(io.Writer) error, opt Options) error {
	dir := filepath.Dir(path)
	perm, keep := opt.Perm, false
	if perm == 0 {
		perm = 0o666
		if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
			perm, keep = st.Mode().Perm(), true
		}
	}
	f, tmp, err := create(path, perm)
	if err != nil {
		return err
	}
	done := false
	defer func() { // on errors and on panics
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if keep { // the replaced file's mode exactly, whatever the umask
		if err := f.Chmod(perm); err != nil && runtime.GOOS != "windows" {
			return err
		}
	}
	if !opt.NoSync {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		done = true
		return err
	}
	done = true
	if opt.NoSync {
		return nil
	}
	return SyncDir(dir)
}

// WriteFile writes data to path with Write.
func WriteFile(path string, data []byte, opt Options) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	}, opt)
}

// create makes a new temporary file for path with mode perm less the umask.
func create(path string, perm os.FileMode) (*os.File, string, error) {
	for range 100 {
		tmp := TempName(path)
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil { // name the file the user asked for, not our temporary one
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, "", &os.PathError{Op: "write", Path: path, Err: err}
		}
		return f, tmp, nil
	}
	return nil, "", &os.PathError{Op: "create temporary file for", Path: path, Err: os.ErrExist}
}

// SyncDir fsyncs a directory so that a rename in it is durable. Windows
// cannot open directories for syncing; there the rename is all there is.
func SyncDir(dir string) error {
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
