package images

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

// ErrFormat reports a data file whose bytes do not match its format
// (wrong magic, truncated, trailing bytes, out-of-range labels).
var ErrFormat = errors.New("malformed data file")

// ErrNotFound reports a missing data file or folder. The wrapping error
// says what to download and where to point target.path.
var ErrNotFound = errors.New("data not found")

// IDX is a decoded IDX file of unsigned bytes, the format of MNIST and
// Fashion-MNIST (http://yann.lecun.com/exdb/mnist/, "FILE FORMATS").
type IDX struct {
	Dims []int  // sizes, outermost first: [N, rows, cols] for images, [N] for labels
	Data []byte // row-major, len = product of Dims
}

// idxUbyte is the IDX element-type code of unsigned bytes (magic byte 3).
const idxUbyte = 0x08

// maxIDXBytes caps the size a header may announce (1 GiB). The largest
// file used here, MNIST train images, holds 47,040,000 bytes; the cap only
// stops a corrupt header from announcing an absurd size.
const maxIDXBytes = 1 << 30

// ReadIDX reads the IDX file at path, gzip-compressed or plain (detected
// from the gzip magic bytes 1f 8b, not from the name). Errors name the path.
func ReadIDX(path string) (*IDX, error) {
	f, _, err := inputfile.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("images: %s: %w", path, ErrNotFound)
		}
		return nil, fmt.Errorf("images: %w", err)
	}
	defer f.Close()
	idx, err := DecodeIDX(f)
	if err != nil {
		return nil, fmt.Errorf("images: %s: %w", path, err)
	}
	return idx, nil
}

// DecodeIDX decodes an IDX stream of unsigned bytes, gunzipping it first
// if it starts with the gzip magic bytes.
//
// Header: two zero bytes, the element type (only 0x08, unsigned byte, is
// accepted), the number of dimensions n, then n big-endian uint32 sizes.
// The data must hold exactly the product of the sizes.
func DecodeIDX(r io.Reader) (*IDX, error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		z, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: gzip: %v", ErrFormat, err)
		}
		defer z.Close()
		return decodeIDX(bufio.NewReader(z))
	}
	return decodeIDX(br)
}

func decodeIDX(r *bufio.Reader) (*IDX, error) {
	var magic [4]byte
	if _, err := io.ReadFull(r, magic[:]); err != nil {
		return nil, fmt.Errorf("%w: IDX header: %v", ErrFormat, readErr(err))
	}
	if magic[0] != 0 || magic[1] != 0 {
		return nil, fmt.Errorf("%w: bad IDX magic % x (want 00 00 08 <ndims>)", ErrFormat, magic)
	}
	if magic[2] != idxUbyte {
		return nil, fmt.Errorf("%w: IDX element type 0x%02x not supported (want 0x08, unsigned byte)", ErrFormat, magic[2])
	}
	ndims := int(magic[3])
	if ndims == 0 {
		return nil, fmt.Errorf("%w: IDX file with 0 dimensions", ErrFormat)
	}
	dims := make([]int, ndims)
	size := 1
	for i := range dims {
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, fmt.Errorf("%w: IDX dimension %d: %v", ErrFormat, i, readErr(err))
		}
		dims[i] = int(b[0])<<24 | int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		if dims[i] > 0 && size > maxIDXBytes/dims[i] {
			return nil, fmt.Errorf("%w: IDX dimensions %v exceed %d bytes", ErrFormat, dims[:i+1], maxIDXBytes)
		}
		size *= dims[i]
	}
	// Grow with the data actually read, so a lying header cannot make us
	// allocate its announced size up front.
	var buf bytes.Buffer
	buf.Grow(min(size, 64<<20))
	n, err := io.CopyN(&buf, r, int64(size))
	if err != nil {
		return nil, fmt.Errorf("%w: truncated IDX data: dimensions %v need %d bytes, got %d (%v)", ErrFormat, dims, size, n, readErr(err))
	}
	if _, err := r.ReadByte(); err == nil {
		return nil, fmt.Errorf("%w: trailing bytes after %d bytes of IDX data %v", ErrFormat, size, dims)
	} else if err != io.EOF {
		return nil, fmt.Errorf("%w: truncated or corrupt stream after the IDX data: %v", ErrFormat, err)
	}
	return &IDX{Dims: dims, Data: buf.Bytes()}, nil
}

// readErr names a short read plainly.
func readErr(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
