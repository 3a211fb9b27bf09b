//go:build unix

package npy

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestReadFileSpecial: a FIFO without a writer (issue #14: reading one hung
// for ever) and a character device are refused at once.
func TestReadFileSpecial(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "evil.npy")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tc := range []struct{ path, kind string }{{fifo, "a named pipe"}, {"/dev/zero", "a character device"}} {
		done := make(chan error, 1)
		go func() {
			_, err := ReadFile(tc.path, 1<<20)
			done <- err
		}()
		select {
		case err := <-done:
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "not a regular file ("+tc.kind+")") {
				t.Errorf("ReadFile(%s) = %v, want ErrFormat about %s", tc.path, err, tc.kind)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("ReadFile(%s) still blocked after 10 s", tc.path)
		}
	}
}
