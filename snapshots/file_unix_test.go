//go:build unix

package snapshots

import (
	"errors"
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
