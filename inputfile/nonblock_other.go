//go:build !unix

package inputfile

// nonblock is 0 where opening a file cannot block on a FIFO writer.
const nonblock = 0
