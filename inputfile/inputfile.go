// Package inputfile opens the files gpa-tui reads from users — presets,
// sample and expression matrices, GEO series, image sets, snapshots — so
// that a hostile or mistaken path cannot hang or exhaust the program:
// regular files only (a FIFO would block the open, /dev/zero never ends, a
// directory is not data), opened without blocking, with their size known
// before reading.
package inputfile

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"
)

// ErrNotRegular reports a path that is not a regular file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens path for reading if it is a regular file and returns its
// size. It checks with os.Stat before opening, opens with O_NONBLOCK (so a
// FIFO swapped in after the check cannot block the open either) and checks
// the opened file again. A path that is not a regular file is an error
// wrapping ErrNotRegular that names the path and what it is.
func Open(path string) (*os.File, int64, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, err // *PathError names the file
	}
	if !st.Mode().IsRegular() {
		return nil, 0, notRegular(path, st.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, 0, err
	}
	if st, err = f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = notRegular(path, st.Mode())
		}
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// Check reports whether path is a regular file, as Open would, without
// opening it.
func Check(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return notRegular(path, st.Mode())
	}
	return nil
}

// notRegular is the error for a file of mode m that is not a regular file.
func notRegular(path string, m os.FileMode) error {
	kind := "mode " + m.String()
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m&os.ModeCharDevice != 0:
		kind = "a character device"
	case m&os.ModeDevice != 0:
		kind = "a device"
	case m&os.ModeSymlink != 0:
		kind = "a symbolic link"
	}
	return &NotRegularError{Path: path, Kind: kind}
}

// NotRegularError is the error of Open and Check for a path that is not a
// regular file; it wraps ErrNotRegular.
type NotRegularError struct {
	Path string
	Kind string // "a named pipe", "a directory", …
}

func (e *NotRegularError) Error() string { return fmt.Sprintf("%s: %s", e.Path, e.Reason()) }

// Reason is the error without the path: "not a regular file (a named pipe)".
func (e *NotRegularError) Reason() string { return fmt.Sprintf("%v (%s)", ErrNotRegular, e.Kind) }

// Unwrap returns ErrNotRegular.
func (e *NotRegularError) Unwrap() error { return ErrNotRegular }

// MaxGzipRatio bounds how much a compressed data file may expand: text
// tables of numbers compress 3–5× (the shipped bladderbatch table: 4.1×),
// so a file that expands past 100× its size is refused rather than read
// into memory (a "zip bomb").
const MaxGzipRatio = 100

// OpenData opens a data file (see Open) and returns its content, gunzipped
// if it starts with the gzip magic bytes 1f 8b, and the file's size. The
// reader fails with an error naming path once it has produced more than
// MaxGzipRatio times the file's size (plus 1 MiB), which only a compressed
// file can do. Close the returned file when done.
func OpenData(path string) (r io.Reader, f *os.File, size int64, err error) {
	f, size, err = Open(path)
	if err != nil {
		return nil, nil, 0, err
	}
	br := bufio.NewReaderSize(f, 1<<16)
	r = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			f.Close()
			return nil, nil, 0, fmt.Errorf("%s: gzip: %w", path, err)
		}
		r = z
	}
	return &capped{r: r, left: MaxGzipRatio*size + 1<<20, path: path}, f, size, nil
}

// capped reads at most left bytes of r, then fails naming path.
type capped struct {
	r    io.Reader
	left int64
	path string
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("%s: the data expand to more than %d× the file's size: refused (a zip bomb?)", c.path, MaxGzipRatio)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}

// Printable returns s made safe to print on a terminal: control characters
// (C0 and C1, DEL; ESC starts the escape sequences that can move the
// cursor, retitle the window or rewrite the screen) and the bidirectional
// overrides and isolates (which reorder what is shown) are dropped, tabs
// and line breaks become spaces, and invalid UTF-8 becomes U+FFFD. Use it
// for text read from preset or snapshot files, e.g. a preset's name and
// description.
func Printable(s string) string {
	clean := func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // LRE…RLO, LRI…PDI
			return -1
		}
		return r
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(clean, s)
}
