package npy

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read, with the size known and unknown.
// It must never panic; errors wrap ErrFormat or ErrTooLarge; both modes
// agree; an accepted array respects the limit and survives a Write/Read
// round trip. Run with
//
//	go test -fuzz FuzzRead -parallel 1 ./npy
func FuzzRead(f *testing.F) {
	for name, a := range testArrays() {
		if name != "big" { // 240 kB would make the fuzzer's minimisation crawl
			f.Add(encode(f, a))
		}
	}
	// The crafted headers of issue #14 and the parser's corner cases.
	for _, h := range []string{
		"{'descr': '<f8', 'fortran_order': False, 'shape': (3037000500, 3037000500), }",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }",
		"{'descr': '<f4', 'fortran_order': False, 'shape': (1073741824,), }",
		"{'descr':'<i4','fortran_order':True,'shape':(2,3)}",
		"{'descr': '|b1', 'fortran_order': True, 'shape': (2, 1, 2), }",
		"{'descr': '<f8', 'fortran_order': False, 'shape': (2L,3L), }",
		"{'descr': '>f4', 'fortran_order': False, 'shape': (), }",
	} {
		f.Add(withHeader(1, padded(h), make([]byte, 48)))
	}
	f.Add(withHeader(2, "{'descr':'<f4'}", nil))
	f.Add(withHeader(3, "{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", []byte{1, 2, 3, 4}))
	const limit = 1 << 20 // keeps each input's allocation small
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := readAll(b, limit)
		a2, err2 := Read(bytes.NewReader(b), -1, limit)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("size known: %v; size unknown: %v", err, err2)
		}
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("error %v wraps no sentinel", err)
			}
			return
		}
		if !same(t, a, a2) {
			t.Fatalf("size known gives %v, unknown %v", a.Shape, a2.Shape)
		}
		_, size, n := dataInfo(a.Data)
		if n != a.Len() || int64(n*size) > limit {
			t.Fatalf("accepted %d elements of %d bytes for shape %v (limit %d)", n, size, a.Shape, limit)
		}
		again, err := readAll(encode(t, a), limit)
		if err != nil || !same(t, a, again) {
			t.Fatalf("round trip: %v, %v", again.Shape, err)
		}
	})
}
