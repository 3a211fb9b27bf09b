package snapshots

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gpa-tui/gpa-tui/npy"
)

// FormatVersion is the snapshot format this build writes; it reads every
// version from 1 up to FormatVersion.
const FormatVersion = 2

// formatMagic is the "format" value of meta.json that marks a snapshot.
const formatMagic = "gpa-tui snapshot"

// metaName is the zip member holding the metadata envelope.
const metaName = "meta.json"

// Default limits of the readers (Limits).
const (
	// DefaultMetaLimit caps meta.json at 16 MiB. A run's meta.json holds
	// the configuration and one entry per mid-run parameter change (about
	// 100 bytes each), a few kB in practice; 16 MiB is room for 10⁵
	// changes, and decoding it stays far below 1 GB.
	DefaultMetaLimit = 16 << 20
	// DefaultTotalLimit caps the summed data of the decoded arrays at
	// 4 GiB: the largest planned state, 60000 MNIST particles, holds five
	// 60000×784 float32 arrays (particles, initial, images, target and
	// target images) of 188 MB each.
	DefaultTotalLimit = 4 << 30
	// maxMembers bounds the number of zip members: a snapshot has a dozen.
	maxMembers = 256
	// npyOverhead bounds the bytes of a .npy member beyond its data: magic,
	// version, header length and a header of at most 65535 bytes.
	npyOverhead = 12 + math.MaxUint16
)

// Limits bound the work ReadFile and ReadNPZ do on a file, so that a small
// hostile file (a zip bomb, a huge declared shape) cannot make them read
// for minutes or exhaust memory. The zero value applies the defaults.
type Limits struct {
	// Meta caps the uncompressed size of meta.json in bytes
	// (0: DefaultMetaLimit).
	Meta int64
	// Total caps the summed data size, in bytes, of the decoded arrays
	// (0: DefaultTotalLimit).
	Total int64
	// Arrays, when non-nil, is called with the caller's metadata before any
	// array is read and returns the arrays to decode. Members it does not
	// name are skipped without being decompressed; an array it names may
	// be missing (Get reports that). Without Arrays every member is
	// decoded. An error of Arrays is returned wrapped in ErrCorrupt.
	Arrays func(meta []byte) (map[string]Want, error)
}

// Want is what Limits.Arrays expects of one array.
type Want struct {
	// Shape, when non-nil, is the shape the array must have; a negative
	// entry matches any length.
	Shape []int
	// Max caps the array's data size in bytes; the header is checked
	// against it before the data are read.
	Max int64
}

// withDefaults fills in the zero fields of l.
func (l Limits) withDefaults() Limits {
	if l.Meta <= 0 {
		l.Meta = DefaultMetaLimit
	}
	if l.Total <= 0 {
		l.Total = DefaultTotalLimit
	}
	return l
}

// Errors returned (wrapped) by the readers; test with errors.Is.
var (
	// ErrNotSnapshot: the file is not a gpa-tui snapshot at all (empty, not
	// a zip archive, or a zip without gpa-tui's meta.json).
	ErrNotSnapshot = errors.New("not a gpa-tui snapshot")
	// ErrCorrupt: the file is a damaged or truncated snapshot, or lacks an
	// array its reader needs.
	ErrCorrupt = errors.New("corrupt snapshot")
	// ErrNewerFormat: the file was written by a newer format version.
	ErrNewerFormat = errors.New("written by a newer gpa-tui")
)

// envelope is the content of meta.json.
type envelope struct {
	Format  string          `json:"format"`
	Version int             `json:"version"`
	Meta    json.RawMessage `json:"meta"`
}

// WriteNPZ writes meta and arrays to w as an .npz archive: meta.json first
// (deflated), then one stored NAME.npy member per array, in order. meta is
// the caller's metadata and must be valid JSON (nil is written as null).
// The output is deterministic: equal inputs give equal bytes.
//
// WriteNPZ panics on misuse, before writing anything: invalid meta, an
// invalid or repeated array name (names are non-empty and made of ASCII
// letters, digits, '_', '-' and '.'), or an invalid Array (see npy.Write).
func WriteNPZ(w io.Writer, meta []byte, arrays []Array) error {
	env, err := marshalEnvelope(meta)
	if err != nil {
		panic("snapshots: WriteNPZ: meta is not valid JSON")
	}
	checkArrays(arrays)
	zw := zip.NewWriter(w)
	mw, err := zw.CreateHeader(&zip.FileHeader{Name: metaName, Method: zip.Deflate})
	if err != nil {
		return err
	}
	if _, err := mw.Write(env); err != nil {
		return err
	}
	for _, a := range arrays {
		aw, err := zw.CreateHeader(&zip.FileHeader{Name: a.Name + ".npy", Method: zip.Store})
		if err != nil {
			return err
		}
		if err := npy.Write(aw, a.npy()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// marshalEnvelope wraps the caller's meta in the format envelope.
func marshalEnvelope(meta []byte) ([]byte, error) {
	if meta == nil {
		meta = []byte("null")
	}
	if !json.Valid(meta) {
		return nil, errors.New("invalid JSON")
	}
	return json.Marshal(envelope{Format: formatMagic, Version: FormatVersion, Meta: meta})
}

// checkArrays panics if any array cannot be written.
func checkArrays(arrays []Array) {
	seen := make(map[string]bool, len(arrays))
	for _, a := range arrays {
		if !validName(a.Name) {
			panic("snapshots: WriteNPZ: invalid array name")
		}
		if seen[a.Name] {
			panic("snapshots: WriteNPZ: duplicate array name")
		}
		seen[a.Name] = true
		if a.DType() == "" {
			panic("snapshots: WriteNPZ: unsupported data type")
		}
		if _, n := dataInfo(a.Data); a.Len() != n {
			panic("snapshots: WriteNPZ: shape mismatch")
		}
		if len(a.Shape) > npy.MaxDims {
			panic("snapshots: WriteNPZ: too many dimensions")
		}
	}
}

// validName reports whether name is usable as an array name: a safe file
// name (and mostly a Python identifier, so z.f.name works in numpy).
func validName(name string) bool {
	if name == "" || name == "." || name == ".." || len(name) > 200 {
		return false
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
		if !ok {
			return false
		}
	}
	return true
}

// ReadNPZ reads an .npz snapshot of the given size from r within the
// limits lim and returns the caller's metadata (as passed to WriteNPZ,
// compacted) and the arrays by name. Errors wrap ErrNotSnapshot, ErrCorrupt
// or ErrNewerFormat; ReadFile adds the path. A member other than meta.json
// and NAME.npy is an error, whether it is decoded or not.
func ReadNPZ(r io.ReaderAt, size int64, lim Limits) (meta []byte, arrays map[string]Array, err error) {
	meta, arrays, err = readNPZ(r, size, lim.withDefaults())
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %w", err)
	}
	return meta, arrays, nil
}

// readNPZ is ReadNPZ without the package prefix on errors.
func readNPZ(r io.ReaderAt, size int64, lim Limits) ([]byte, map[string]Array, error) {
	if size == 0 {
		return nil, nil, fmt.Errorf("%w: empty file", ErrNotSnapshot)
	}
	head := make([]byte, 4)
	n, _ := r.ReadAt(head, 0)
	head = head[:n]
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) { // names are never used as paths
		// Both a full and an empty zip archive start with "PK".
		if bytes.HasPrefix(head, []byte("PK")) {
			return nil, nil, fmt.Errorf("%w: truncated or damaged zip archive (%v)", ErrCorrupt, err)
		}
		return nil, nil, fmt.Errorf("%w: not a zip archive (starts with %q)", ErrNotSnapshot, head)
	}
	if len(zr.File) > maxMembers {
		return nil, nil, fmt.Errorf("%w: %d zip members, a snapshot has at most %d", ErrCorrupt, len(zr.File), maxMembers)
	}
	members := make(map[string]*zip.File, len(zr.File))
	for _, f := range zr.File {
		if members[f.Name] != nil {
			return nil, nil, fmt.Errorf("%w: duplicate member %q", ErrCorrupt, f.Name)
		}
		members[f.Name] = f
	}
	mf := members[metaName]
	if mf == nil {
		return nil, nil, fmt.Errorf("%w: zip archive has no %s", ErrNotSnapshot, metaName)
	}
	meta, err := readEnvelope(mf, lim.Meta)
	if err != nil {
		return nil, nil, err
	}
	var want map[string]Want
	if lim.Arrays != nil {
		if want, err = lim.Arrays(meta); err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, metaName, err)
		}
	}
	arrays := make(map[string]Array)
	left := lim.Total // data bytes still allowed
	for _, f := range zr.File {
		if f.Name == metaName {
			continue
		}
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			// Writers of this format version store nothing else; a
			// damaged name must not silently drop an array.
			return nil, nil, fmt.Errorf("%w: unexpected member %q", ErrCorrupt, f.Name)
		}
		w, ok := want[name]
		switch {
		case lim.Arrays == nil:
			w = Want{Max: left}
		case !ok:
			continue // not needed: skipped without decompressing it
		}
		a, err := readArray(f, size, min(w.Max, left))
		if err != nil {
			return nil, nil, err
		}
		if w.Shape != nil && !shapeMatches(a.Shape, w.Shape) {
			return nil, nil, fmt.Errorf("%w: array %q has shape %s, want %s", ErrCorrupt, name, npy.FormatShape(a.Shape), npy.FormatShape(w.Shape))
		}
		es, n := dataInfo(a.Data)
		left -= int64(n) * int64(es)
		arrays[name] = Array{Name: name, Shape: a.Shape, Data: a.Data}
	}
	return meta, arrays, nil
}

// readArray decodes the .npy member f of an archive of the given size; its
// data may take at most max bytes. The member's declared size is checked
// before it is opened, the .npy header before the data are read.
//
// npy.Read trusts the declared size to allocate the data, so the claim is
// first bounded by what the member's compressed bytes, which must lie in
// the archive, can hold: as many for a stored member, and at most 1032
// times as many deflated (RFC 1951: a 258-byte match costs at least 2
// bits).
func readArray(f *zip.File, size, max int64) (npy.Array, error) {
	if f.UncompressedSize64 > uint64(max)+npyOverhead {
		return npy.Array{}, fmt.Errorf("%w: %s: member of %d bytes is too large (the array may take %d bytes)", ErrCorrupt, f.Name, f.UncompressedSize64, max)
	}
	if f.CompressedSize64 > uint64(size) {
		return npy.Array{}, fmt.Errorf("%w: %s: %d compressed bytes in a file of %d", ErrCorrupt, f.Name, f.CompressedSize64, size)
	}
	held := f.CompressedSize64 // ≤ size, so 1032·held cannot overflow
	if f.Method == zip.Deflate {
		held = 1032*held + 64 // + the end of a stream shorter than one match
	}
	if f.Method == zip.Store && f.UncompressedSize64 != held || f.UncompressedSize64 > held {
		return npy.Array{}, fmt.Errorf("%w: %s: member declares %d bytes, its %d compressed bytes cannot hold them", ErrCorrupt, f.Name, f.UncompressedSize64, f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return npy.Array{}, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	a, err := npy.Read(rc, int64(f.UncompressedSize64), max)
	if err != nil {
		return npy.Array{}, fmt.Errorf("%w: %s: %w", ErrCorrupt, f.Name, err)
	}
	return a, nil
}

// readEnvelope reads meta.json, checks the format magic and version, and
// returns the caller's metadata.
func readEnvelope(f *zip.File, max int64) ([]byte, error) {
	b, err := readMember(f, max)
	if err != nil {
		return nil, err
	}
	// Decode format and version alone first: a newer version may change
	// everything else, and its error must still say "newer".
	var head struct {
		Format  *string `json:"format"`
		Version *int    `json:"version"`
	}
	if err := json.Unmarshal(b, &head); err != nil || head.Format == nil || *head.Format != formatMagic {
		return nil, fmt.Errorf("%w: %s is not gpa-tui metadata (want {\"format\": %q, ...})", ErrNotSnapshot, metaName, formatMagic)
	}
	switch {
	case head.Version == nil || *head.Version < 1:
		return nil, fmt.Errorf("%w: %s has no valid format version", ErrCorrupt, metaName)
	case *head.Version > FormatVersion:
		return nil, fmt.Errorf("%w (format %d), this build reads ≤ %d", ErrNewerFormat, *head.Version, FormatVersion)
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, metaName, err)
	}
	if env.Meta == nil {
		env.Meta = json.RawMessage("null")
	}
	return env.Meta, nil
}

// readMember returns the uncompressed content of f, at most max bytes.
// The declared size is checked before opening; archive/zip stops at the
// declared size and checks it and the CRC-32 at the end.
func readMember(f *zip.File, max int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(max) {
		return nil, fmt.Errorf("%w: %s: member of %d bytes is larger than the limit of %d", ErrCorrupt, f.Name, f.UncompressedSize64, max)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err == nil && int64(len(b)) > max {
		err = errors.New("longer than declared")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	return b, nil
}
