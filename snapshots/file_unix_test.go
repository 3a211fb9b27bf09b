//go:build unix

package snapshots

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadSpecialFiles: inspect and --resume on a FIFO hung (issue #14);
// ReadFile and Load now refuse anything but a regular file at once.
func TestReadSpecialFiles(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "run.npz")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tc := range []struct{ path, kind string }{{fifo, "a named pipe"}, {"/dev/zero", "a character device"}} {
		for name, read := range map[string]func(string) error{
			"ReadFile": func(p string) error { _, _, err := ReadFile(p, Limits{}); return err },
			"Load":     func(p string) error { _, err := Load(p); return err },
		} {
			done := make(chan error, 1)
			go func() { done <- read(tc.path) }()
			select {
			case err := <-done:
				if !errors.Is(err, ErrNotSnapshot) || !strings.Contains(err.Error(), tc.path+": not a gpa-tui snapshot: not a regular file ("+tc.kind+")") {
					t.Errorf("%s(%s) = %v, want ErrNotSnapshot about %s", name, tc.path, err, tc.kind)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("%s(%s) still blocked after 10 s", name, tc.path)
			}
		}
	}
}

// TestWriteFileUmask: a new snapshot gets 0666 less the umask, as os.Create
// gives (it was 0644 whatever the umask); a replaced one keeps its mode.
func TestWriteFileUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	for _, tc := range []struct {
		umask int
		want  os.FileMode
	}{{0o022, 0o644}, {0o077, 0o600}, {0o002, 0o664}, {0o027, 0o640}} {
		syscall.Umask(tc.umask)
		path := filepath.Join(dir, "run.npz")
		os.Remove(path)
		if err := WriteFile(path, nil, nil); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != tc.want {
			t.Errorf("umask %04o: mode %v, want %v", tc.umask, st.Mode().Perm(), tc.want)
		}
		// Replacing keeps the mode, whatever the umask.
		os.Chmod(path, 0o604)
		if err := WriteFile(path, nil, nil); err != nil {
			t.Fatal(err)
		}
		if st, _ := os.Stat(path); st.Mode().Perm() != 0o604 {
			t.Errorf("umask %04o: replaced file has mode %v, want 0604", tc.umask, st.Mode().Perm())
		}
	}
}
