package snapshots

import (
	"bytes"
	"errors"
	"os"
	"testing"
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
		meta, arrays, err := ReadNPZ(bytes.NewReader(b), int64(len(b)))
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
		meta2, arrays2, err := ReadNPZ(bytes.NewReader(again), int64(len(again)))
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

// FuzzReadNPY feeds arbitrary bytes to the .npy decoder: no panics, errors
// wrap errNPY, and accepted input re-encodes to an equal array.
func FuzzReadNPY(f *testing.F) {
	for _, a := range testArrays() {
		f.Add(npyBytes(f, a))
	}
	f.Add([]byte(npyMagic + "\x02\x00\x10\x00\x00\x00{'descr':'<f4'}"))
	f.Add([]byte(npyMagic + "\x01\x00\x40\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2L,3L), }"))
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ReadNPY(b)
		if err != nil {
			if !errors.Is(err, errNPY) {
				t.Fatalf("error %v does not wrap errNPY", err)
			}
			return
		}
		a2, err := ReadNPY(npyBytes(t, a))
		if err != nil || !sameArray(t, a, a2) {
			t.Fatalf("round trip: %v, %v → %v, %v", a.Shape, a.Data, a2.Shape, err)
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
	f.Fuzz(func(t *testing.T, meta string, npy []byte) {
		b := zipOf(t, "meta.json", meta, "x.npy", string(npy))
		_, arrays, err := ReadNPZ(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if !errors.Is(err, ErrNotSnapshot) && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNewerFormat) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		want, err := ReadNPY(npy)
		if err != nil || !sameArray(t, arrays["x"], want) {
			t.Fatalf("accepted member x.npy reads as %+v, ReadNPY gives %+v, %v", arrays["x"], want, err)
		}
	})
}
