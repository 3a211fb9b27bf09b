//go:build unix

package presets

import (
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSpecialFiles: --preset /dev/zero read for ever and a FIFO named
// evil.toml froze the TUI picker (issue #14); both are refused at once.
func TestSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "evil.toml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for _, tc := range []struct{ path, kind string }{{fifo, "a named pipe"}, {"/dev/zero", "a character device"}} {
			_, err := Load(tc.path, nil)
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), tc.path+": not a regular file ("+tc.kind+")") {
				t.Errorf("Load(%s) = %v, want ErrNotRegular about %s", tc.path, err, tc.kind)
			}
		}
		list := ListDir(dir)
		if len(list) != 1 || !errors.Is(list[0].Err, ErrNotRegular) || list[0].Name != "evil" {
			t.Errorf("ListDir = %+v, want evil.toml with ErrNotRegular", list)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("still blocked after 10 s")
	}
}
