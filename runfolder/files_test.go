package runfolder_test

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gpa-tui/gpa-tui/runfolder"
)

// TestWritesHonourUmask: snapshots, files and scripts are created with
// 0666 (0777) less the umask, as other programs' files are.
func TestWritesHonourUmask(t *testing.T) {
	old := syscall.Umask(0o027)
	defer syscall.Umask(old)
	dir := t.TempDir()
	sim := newSim(t)
	for _, tc := range []struct {
		name  string
		write func(string) error
		want  os.FileMode
	}{
		{"snapshot.npz", func(p string) error { return runfolder.SaveSnapshot(p, sim.State()) }, 0o640},
		{"new.npz", func(p string) error { return runfolder.SaveSnapshotNew(p, sim.State()) }, 0o640},
		{"file.json", func(p string) error { return runfolder.WriteFile(p, []byte("{}")) }, 0o640},
		{"script.sh", func(p string) error { return runfolder.WriteFileMode(p, []byte("#!/bin/sh\n"), 0o777) }, 0o750},
	} {
		p := filepath.Join(dir, tc.name)
		if err := tc.write(p); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(p)
		if st.Mode().Perm() != tc.want {
			t.Errorf("%s: mode %v, want %v with umask 027", tc.name, st.Mode().Perm(), tc.want)
		}
	}
	// SaveSnapshotNew never replaces a file.
	if err := runfolder.SaveSnapshotNew(filepath.Join(dir, "new.npz"), sim.State()); !errors.Is(err, fs.ErrExist) {
		t.Errorf("SaveSnapshotNew over an existing file: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("%d files, want 4 (no temporary files left)", len(entries))
	}
}

// writeLock plants a lock file of another holder, modified at mtime.
func writeLock(t *testing.T, dir string, h runfolder.Holder, mtime time.Time) {
	t.Helper()
	b, _ := json.Marshal(h)
	p := filepath.Join(dir, runfolder.LockFile)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, mtime, mtime)
}

// TestLock: a second holder is refused with the first one's PID; a lock
// left by a dead process, by a requeued instance of the same Slurm job or
// by a host that stopped refreshing it is taken over, with a note.
func TestLock(t *testing.T) {
	dir := t.TempDir()
	self := runfolder.Self("test")
	l, note, err := runfolder.Acquire(dir, self)
	if err != nil || note != "" {
		t.Fatal(err, note)
	}
	var busy *runfolder.BusyError
	if _, _, err := runfolder.Acquire(dir, self); !errors.As(err, &busy) || !strings.Contains(err.Error(), "PID "+strconv.Itoa(self.PID)) {
		t.Errorf("a second Acquire: %v", err)
	}
	if h, ok := runfolder.ReadHolder(dir); !ok || h.PID != self.PID {
		t.Errorf("ReadHolder: %+v %v", h, ok)
	}
	l.Release()
	if _, err := os.Stat(filepath.Join(dir, runfolder.LockFile)); !os.IsNotExist(err) {
		t.Errorf("Release left the lock (%v)", err)
	}

	// A dead process on this host (PID beyond pid_max is never alive).
	dead := self
	dead.PID, dead.Start = 1<<22+7, 0
	writeLock(t, dir, dead, time.Now())
	l, note, err = runfolder.Acquire(dir, self)
	if err != nil || !strings.Contains(note, "is gone") {
		t.Errorf("a dead holder's lock: %v, note %q", err, note)
	}
	l.Release()

	// Another host: busy while refreshed, stale after two minutes.
	remote := runfolder.Holder{PID: 99, Host: "node-elsewhere", Since: time.Now()}
	writeLock(t, dir, remote, time.Now())
	if _, _, err := runfolder.Acquire(dir, self); !errors.As(err, &busy) || busy.Holder.Host != "node-elsewhere" {
		t.Errorf("a fresh lock of another host: %v", err)
	}
	writeLock(t, dir, remote, time.Now().Add(-3*time.Minute))
	l, note, err = runfolder.Acquire(dir, self)
	if err != nil || !strings.Contains(note, "not refreshed") {
		t.Errorf("a stale lock of another host: %v, note %q", err, note)
	}
	l.Release()

	// The same Slurm job, requeued onto another node.
	me := self
	me.SlurmJob, me.Restart = "1234", 1
	remote.SlurmJob, remote.Restart = "1234", 0
	writeLock(t, dir, remote, time.Now())
	l, note, err = runfolder.Acquire(dir, me)
	if err != nil || !strings.Contains(note, "requeued") {
		t.Errorf("a requeued job's old lock: %v, note %q", err, note)
	}
	l.Release()
}

// TestCleanTemps removes only temporary files of our naming.
func TestCleanTemps(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, runfolder.ControlDir), 0o755)
	ours := []string{".checkpoint.npz.tmp-abc", ".tmp-preset.toml-1", "live/control/.x.json.tmp-2"}
	theirs := []string{"notes.txt", ".hidden", "x.tmp-1"}
	for _, f := range append(append([]string{}, ours...), theirs...) {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	if got := runfolder.CleanTemps(dir); len(got) != len(ours) {
		t.Errorf("removed %v, want %v", got, ours)
	}
	for _, f := range theirs {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s was removed", f)
		}
	}
}
