package images

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

// CIFAR10Classes names the CIFAR-10 labels 0..9 (batches.meta.txt).
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer",
	"dog", "frog", "horse", "ship", "truck"}

// CIFAR-10 binary record layout (https://www.cs.toronto.edu/~kriz/cifar.html,
// "Binary version"): 1 label byte, then the red, green and blue 32×32
// planes, each row-major.
const (
	cifarSide   = 32
	cifarPlane  = cifarSide * cifarSide // 1024 bytes per channel
	cifarRecord = 1 + 3*cifarPlane      // 3073 bytes per image
)

// cifarHint says what to download; it ends every CIFAR not-found error.
const cifarHint = `download the "CIFAR-10 binary version" (cifar-10-binary.tar.gz, 162 MB) from https://www.cs.toronto.edu/~kriz/cifar.html, extract it, and point target.path at the cifar-10-batches-bin folder it contains`

// LoadCIFAR10 loads one split of CIFAR-10 from the binary batches in dir
// (data_batch_1.bin … data_batch_5.bin for Train, test_batch.bin for
// Test). dir may also be the folder that contains cifar-10-batches-bin.
// A missing folder or batch is an [ErrNotFound] error saying what to
// download.
func LoadCIFAR10(dir string, split Split) (*Set, error) {
	if dir == "" {
		return nil, fmt.Errorf("images: cifar10: %w: no data folder given; %s", ErrNotFound, cifarHint)
	}
	if sub := filepath.Join(dir, "cifar-10-batches-bin"); isDir(sub) {
		dir = sub
	}
	if !isDir(dir) {
		return nil, fmt.Errorf("images: cifar10: %w: folder %q does not exist; %s", ErrNotFound, dir, cifarHint)
	}
	names := []string{"test_batch.bin"}
	if split == Train {
		names = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	}
	var out *Set
	for _, name := range names {
		b, err := ReadCIFARBatch(filepath.Join(dir, name))
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("images: cifar10: %w: folder %q has no %s; %s", ErrNotFound, dir, name, cifarHint)
		}
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = b
			continue
		}
		out.N += b.N
		out.Pix = append(out.Pix, b.Pix...)
		out.Labels = append(out.Labels, b.Labels...)
	}
	out.Name = "cifar10/" + split.String()
	return out, nil
}

// ReadCIFARBatch reads one CIFAR-10 binary batch file (any number of
// 3073-byte records) and converts each image from the file's planar CHW
// order to HWC: pixel (y, x, c) = record[1 + c·1024 + y·32 + x].
func ReadCIFARBatch(path string) (*Set, error) {
	f, size, err := inputfile.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("images: %s: %w", path, ErrNotFound)
		}
		return nil, fmt.Errorf("images: %w", err)
	}
	defer f.Close()
	// A batch file of the binary version holds 10,000 records (30 MB).
	if size > 100000*cifarRecord {
		return nil, fmt.Errorf("images: %s: %w: %d bytes is more than 100,000 CIFAR-10 records", path, ErrFormat, size)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("images: %s: %w", path, err)
	}
	if len(data) == 0 || len(data)%cifarRecord != 0 {
		return nil, fmt.Errorf("images: %s: %w: %d bytes is not a whole number of %d-byte CIFAR-10 records", path, ErrFormat, len(data), cifarRecord)
	}
	n := len(data) / cifarRecord
	s := &Set{
		Name: filepath.Base(path), N: n, H: cifarSide, W: cifarSide, C: 3,
		Pix: make([]uint8, n*3*cifarPlane), Labels: make([]int, n), Classes: CIFAR10Classes,
	}
	for r := range n {
		rec := data[r*cifarRecord : (r+1)*cifarRecord]
		s.Labels[r] = int(rec[0])
		planes := rec[1:]
		dst := s.Pix[r*3*cifarPlane : (r+1)*3*cifarPlane]
		for p := range cifarPlane { // p = y·32 + x
			dst[3*p+0] = planes[p]
			dst[3*p+1] = planes[cifarPlane+p]
			dst[3*p+2] = planes[2*cifarPlane+p]
		}
	}
	if err := checkLabels(s.Labels, len(CIFAR10Classes)); err != nil {
		return nil, fmt.Errorf("images: %s: %w", path, err)
	}
	return s, nil
}
