package snapshots

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gpa-tui/gpa-tui/npy"
)

// FuzzReadNPZ feeds arbitrary bytes to the snapshot reader. It must never
// panic; an error must wrap one of the sentinels; and whatever it accepts
// must survive a write/read round trip unchanged. Run with
//
//	go test -fuzz FuzzReadNPZ ./snapshots
//
// Plain `go test` runs the seed corpus below.
func FuzzReadNPZ(f *testing.F) {
	good := encodeNPZ(f, testMeta, testArrays())
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(good[:len(good)-22]) // cut inside the end-of-central-directory record
	f.Add(encodeNPZ(f, nil, nil))
	f.Add([]byte{})
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18)))) // empty zip
	f.Add(npyBytes(f, testArrays()[0]))
	for _, name := range []string{"numpy_savez.npz", "numpy_savez_compressed.npz", "numpy_f4.npy"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		meta, arrays, err := ReadNPZ(bytes.NewReader(b), int64(len(b)), Limits{})
		if err != nil {
			if !errors.Is(err, ErrNotSnapshot) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerFormat) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		var list []Array
		for name, a := range arrays {
			if !validName(name) {
				return // readable, but not something WriteNPZ may write
			}
			list = append(list, a)
		}
		again := encodeNPZ(t, meta, list)
		meta2, arrays2, err := ReadNPZ(bytes.NewReader(again), int64(len(again)), Limits{})
		if err != nil {
			t.Fatalf("re-reading a re-written snapshot: %v", err)
		}
		if !sameJSON(t, meta, meta2) || len(arrays2) != len(arrays) {
			t.Fatalf("round trip changed meta %s → %s or array count %d → %d", meta, meta2, len(arrays), len(arrays2))
		}
		for name, a := range arrays {
			if !sameArray(t, a, arrays2[name]) {
				t.Fatalf("round trip changed array %q", name)
			}
		}
	})
}

// FuzzReadMembers fuzzes the contents of meta.json and of one .npy member
// inside a well-formed zip, which byte-level mutation of a whole archive
// rarely reaches past the CRC-32 checks.
func FuzzReadMembers(f *testing.F) {
	f.Add(`{"format": "gpa-tui snapshot", "version": 1, "meta": {"step": 1}}`, npyBytes(f, testArrays()[0]))
	f.Add(`{"format": "gpa-tui snapshot", "version": 2}`, []byte{})
	f.Add(`{"format": "gpa-tui snapshot", "version": 1e400}`, npyBytes(f, testArrays()[2]))
	f.Add(`{"format": "gpa-tui snapshot", "version": -1, "meta": null}`, npyBytes(f, testArrays()[7]))
	f.Fuzz(func(t *testing.T, meta string, member []byte) {
		b := zipOf(t, "meta.json", meta, "x.npy", string(member))
		_, arrays, err := ReadNPZ(bytes.NewReader(b), int64(len(b)), Limits{})
		if err != nil {
			if !errors.Is(err, ErrNotSnapshot) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerFormat) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		want, err := npy.Read(bytes.NewReader(member), int64(len(member)), math.MaxInt64)
		if err != nil || !sameArray(t, arrays["x"], Array{Shape: want.Shape, Data: want.Data}) {
			t.Fatalf("accepted member x.npy reads as %+v, npy.Read gives %+v, %v", arrays["x"], want, err)
		}
	})
}

// FuzzLoadExport fuzzes a run snapshot end to end, as `gpa-tui export`
// reads and draws it: Load (ReadFile with the run's limits) and then
// ExportPNG of the particles or the image grid. Nothing may panic; Load's
// errors wrap a sentinel; whatever Load accepts has arrays of the shapes
// its M, N and d give. The seeds are a real run and the crafted snapshots
// of issue #14. Run with
//
//	go test -fuzz FuzzLoadExport -parallel 1 ./snapshots
func FuzzLoadExport(f *testing.F) {
	for _, c := range craftedRuns(f) {
		f.Add(encodeNPZ(f, c.meta, c.arrays))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "run.npz")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		st, err := Load(path)
		if err != nil {
			if !errors.Is(err, ErrNotSnapshot) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerFormat) {
				t.Fatalf("Load error %v wraps no sentinel", err)
			}
			return
		}
		if len(st.Particles) != st.M*st.D || len(st.Initial) != st.M*st.D || len(st.Targets) != st.N*st.D {
			t.Fatalf("Load accepted %d particles, %d initial, %d targets for M=%d, N=%d, d=%d",
				len(st.Particles), len(st.Initial), len(st.Targets), st.M, st.N, st.D)
		}
		if err := exportLikeCLI(st, filepath.Join(dir, "run.png"), 64); err != nil && errors.Is(err, os.ErrPermission) {
			t.Fatal(err)
		}
	})
}
