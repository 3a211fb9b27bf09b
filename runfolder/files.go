package runfolder

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gpa-tui/gpa-tui/atomicfile"
	"github.com/gpa-tui/gpa-tui/core"
	"github.com/gpa-tui/gpa-tui/snapshots"
)

// Files of a run folder.
const (
	LockFile       = "run.lock"
	PresetFile     = "preset.toml"
	MetricsFile    = "metrics.jsonl"
	EventsFile     = "events.jsonl"
	StatusFile     = "status.json"
	CheckpointFile = "checkpoint.npz"
	FinalFile      = "final.npz"
	LiveDir        = "live"
	ViewersDir     = "live/viewers"
	ControlDir     = "live/control"
	StaticFile     = "live/static.npz"
	StateFile      = "live/state.npz"
	ImagesFile     = "live/images.npz"
)

// runFiles are the files a run writes whose contents belong to one run:
// removed by Reset before a forced run so that nothing of the old run
// mixes with the new one.
var runFiles = []string{MetricsFile, EventsFile, StatusFile, CheckpointFile, FinalFile, "bound.json"}

// tempName is a fresh temporary name for path, in its directory
// (atomicfile's, so that CleanTemps recognises every temporary file the
// program leaves, snapshots' too).
func tempName(path string) string { return atomicfile.TempName(path) }

// isTemp reports whether name is one of our temporary files.
func isTemp(name string) bool { return atomicfile.IsTemp(name) }

// WriteFile writes data to path atomically with the program's one atomic
// writer (atomicfile: a temporary file in the same directory, fsync,
// rename, fsync of the directory; the mode of the file replaced, or 0666
// less the umask). A crash leaves path as it was (and at worst a temporary
// file that CleanTemps removes).
func WriteFile(path string, data []byte) error {
	return atomicfile.WriteFile(path, data, atomicfile.Options{})
}

// WriteFileMode writes data to path atomically (a temporary file and a
// rename, fsynced) with another mode than 0666 less the umask, e.g. 0777
// for a script.
func WriteFileMode(path string, data []byte, perm os.FileMode) error {
	return atomicfile.WriteFile(path, data, atomicfile.Options{Perm: perm})
}

// writeFile is the live files' writer: atomic, fsynced only if sync (a
// state published several times a second is worthless after a crash, and
// an fsync each time would cost the run more than the rest of the
// protocol).
func writeFile(path string, data []byte, sync bool) error {
	return atomicfile.WriteFile(path, data, atomicfile.Options{NoSync: !sync})
}

// SaveSnapshot writes st to path as a snapshot (snapshots.Save: atomic,
// mode 0666 less the umask or that of the file it replaces).
func SaveSnapshot(path string, st *core.State) error {
	return snapshots.Save(path, st)
}

// SaveSnapshotNew is SaveSnapshot that never replaces an existing file: it
// fails with an error wrapping fs.ErrExist when path exists.
func SaveSnapshotNew(path string, st *core.State) error {
	if _, err := os.Lstat(path); err == nil {
		return &fs.PathError{Op: "save", Path: path, Err: fs.ErrExist}
	}
	tmp, err := saveTemp(path, st)
	if err != nil {
		return err
	}
	defer os.Remove(tmp)
	// A hard link never replaces an existing file; where the file system
	// has none, a rename after the check above is the best there is.
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := os.Rename(tmp, path); err != nil {
			return err
		}
	}
	return atomicfile.SyncDir(filepath.Dir(path))
}

// saveTemp writes st to a fresh temporary file beside path, created with
// mode 0666 less the umask (snapshots.Save keeps the mode of the file it
// replaces), and returns its name.
func saveTemp(path string, st *core.State) (string, error) {
	tmp := tempName(path)
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return "", err
	}
	f.Close()
	if err := snapshots.Save(tmp, st); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// CleanTemps removes the temporary files of our own naming that a killed
// process left in dir and in its live folders, and returns their names.
// Call it only while holding the lock: a running process's temporary files
// look the same.
func CleanTemps(dir string) []string {
	var removed []string
	for _, sub := range []string{"", LiveDir, ViewersDir, ControlDir} {
		entries, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range entries {
			if isTemp(e.Name()) && e.Type().IsRegular() {
				p := filepath.Join(dir, sub, e.Name())
				if os.Remove(p) == nil {
					removed = append(removed, p)
				}
			}
		}
	}
	return removed
}

// ErrNotEmpty reports an output folder that holds files already.
var ErrNotEmpty = errors.New("not empty")

// CheckEmpty returns an error wrapping ErrNotEmpty, naming a few of the
// entries, if dir exists and holds anything; a missing dir is fine.
func CheckEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	var names []string
	for _, e := range entries[:min(3, len(entries))] {
		names = append(names, e.Name())
	}
	more := ""
	if len(entries) > 3 {
		more = fmt.Sprintf(", … (%d entries)", len(entries))
	}
	return fmt.Errorf("%s holds %s%s: %w", dir, strings.Join(names, ", "), more, ErrNotEmpty)
}

// Reset removes the files of an earlier run from dir (metrics, events,
// status, checkpoints and the live folder), so that a forced new run does
// not mix with them. Other files are left; the preset and outputs are
// rewritten by the run.
func Reset(dir string) error {
	for _, f := range runFiles {
		if err := os.Remove(filepath.Join(dir, f)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return os.RemoveAll(filepath.Join(dir, LiveDir))
}
