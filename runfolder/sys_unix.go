//go:build unix

// The run folder protocol needs POSIX processes (signals, /proc) and hard links.

package runfolder

import (
	"errors"
	"os"
	"syscall"
)

// inode is a file's inode number (a replaced file has a new one).
func inode(st os.FileInfo) uint64 {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(s.Ino)
	}
	return 0
}

// alive reports whether a process exists (signal 0).
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
