package genes

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by ParseError and the other data errors; test
// with errors.Is.
var (
	ErrRagged         = errors.New("wrong number of fields")
	ErrNotNumeric     = errors.New("not a number")
	ErrMissing        = errors.New("missing value")
	ErrDuplicate      = errors.New("duplicate ID")
	ErrSampleMismatch = errors.New("sample IDs do not match")
	ErrEmpty          = errors.New("no data")
	ErrFormat         = errors.New("malformed file")
	ErrConfounded     = errors.New("design is confounded with batch")
)

// ParseError locates a data error in an input file. Line and Column are
// 1-based; Column counts fields (the sample or probe ID is column 1) and is
// 0 when the error concerns a whole line, Line is 0 when it concerns the
// whole file.
type ParseError struct {
	File   string
	Line   int
	Column int
	Err    error
}

func (e *ParseError) Error() string {
	switch {
	case e.Line == 0:
		return fmt.Sprintf("genes: %s: %v", e.File, e.Err)
	case e.Column == 0:
		return fmt.Sprintf("genes: %s: line %d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("genes: %s: line %d, column %d: %v", e.File, e.Line, e.Column, e.Err)
}

// Unwrap returns the underlying error.
func (e *ParseError) Unwrap() error { return e.Err }

// parseErr builds a *ParseError whose message is format wrapped around
// sentinel: parseErr(f, l, c, ErrRagged, "%d fields, want %d", a, b).
func parseErr(file string, line, col int, sentinel error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if msg == "" {
		return &ParseError{File: file, Line: line, Column: col, Err: sentinel}
	}
	return &ParseError{File: file, Line: line, Column: col, Err: fmt.Errorf("%w: %s", sentinel, msg)}
}
