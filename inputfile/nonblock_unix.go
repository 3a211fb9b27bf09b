//go:build unix

package inputfile

import "syscall"

// nonblock makes opening a FIFO return at once instead of waiting for a
// writer; it does not change reads of regular files.
const nonblock = syscall.O_NONBLOCK
