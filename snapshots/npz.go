package snapshots

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FormatVersion is the snapshot format this build writes; it reads every
// version from 1 up to FormatVersion.
const FormatVersion = 2

// formatMagic is the "format" value of meta.json that marks a snapshot.
const formatMagic = "gpa-tui snapshot"

// metaName is the zip member holding the metadata envelope.
const metaName = "meta.json"

// maxMember bounds the uncompressed size of one member (2 GiB): the largest
// planned state, 60000 MNIST particles in float32, is 188 MB.
const maxMember = 1 << 31

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
// letters, digits, '_', '-' and '.'), or an invalid Array (see WriteNPY).
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
		if err := WriteNPY(aw, a); err != nil {
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
		descr, _, n := dataInfo(a.Data)
		if descr == "" {
			panic("snapshots: WriteNPZ: unsupported data type")
		}
		if a.Len() != n {
			panic("snapshots: WriteNPZ: shape mismatch")
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

// ReadNPZ reads an .npz snapshot of the given size from r and returns the
// caller's metadata (as passed to WriteNPZ, compacted) and the arrays by
// name. Errors wrap ErrNotSnapshot, ErrCorrupt or ErrNewerFormat; ReadFile
// adds the path. A member other than meta.json and NAME.npy is an error.
func ReadNPZ(r io.ReaderAt, size int64) (meta []byte, arrays map[string]Array, err error) {
	meta, arrays, err = readNPZ(r, size)
	if err != nil {
		return nil, nil, fmt.Errorf("snapshots: %w", err)
	}
	return meta, arrays, nil
}

// readNPZ is ReadNPZ without the package prefix on errors.
func readNPZ(r io.ReaderAt, size int64) ([]byte, map[string]Array, error) {
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
	meta, err := readEnvelope(mf)
	if err != nil {
		return nil, nil, err
	}
	arrays := make(map[string]Array)
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
		b, err := readMember(f)
		if err != nil {
			return nil, nil, err
		}
		a, err := ReadNPY(b)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
		}
		a.Name = name
		arrays[name] = a
	}
	return meta, arrays, nil
}

// readEnvelope reads meta.json, checks the format magic and version, and
// returns the caller's metadata.
func readEnvelope(f *zip.File) ([]byte, error) {
	b, err := readMember(f)
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

// readMember returns the uncompressed content of f; archive/zip checks the
// CRC-32 and the declared size when the reader hits EOF.
func readMember(f *zip.File) ([]byte, error) {
	if f.UncompressedSize64 > maxMember {
		return nil, fmt.Errorf("%w: %s: member of %d bytes is too large", ErrCorrupt, f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrCorrupt, f.Name, err)
	}
	return b, nil
}
