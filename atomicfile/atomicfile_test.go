package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteReplacesAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := WriteFile(path, []byte("one"), Options{}); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{}, {NoSync: true}} {
		if err := WriteFile(path, []byte("two"), o); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		st, _ := os.Stat(path)
		if string(b) != "two" || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o640) {
			t.Errorf("%+v: %q with mode %v, want \"two\" with 0640", o, b, st.Mode().Perm())
		}
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("files left: %q, want a.txt alone", names)
	}
}

func TestWritePerm(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX modes")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "s.sh")
	if err := WriteFile(path, []byte("#!/bin/sh\n"), Options{Perm: 0o700}); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm()&0o100 == 0 {
		t.Errorf("mode %v: want the owner's execute bit of Perm 0700", st.Mode().Perm())
	}
}

// A failing or panicking writer leaves the old file and no temporary file.
func TestWriteFailureKeepsOld(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.txt")
	if err := WriteFile(path, []byte("old"), Options{}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := Write(path, func(w io.Writer) error {
		w.Write(make([]byte, 1<<17)) // past the buffer: the temporary file has data
		return boom
	}, Options{})
	if !errors.Is(err, boom) {
		t.Errorf("Write returned %v, want the writer's error", err)
	}
	func() {
		defer func() { recover() }()
		Write(path, func(io.Writer) error { panic("writer panics") }, Options{})
	}()
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("after failed writes the file holds %q, want \"old\"", b)
	}
	if names := entries(t, dir); len(names) != 1 {
		t.Errorf("files left: %q, want a.txt alone", names)
	}
}

// A missing directory is an error naming the path, not a panic.
func TestWriteMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "a.txt")
	err := WriteFile(path, []byte("x"), Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) || strings.Contains(err.Error(), ".tmp-") {
		t.Fatalf("error %v, want one naming %s (not the temporary file)", err, path)
	}
}

func TestTempNames(t *testing.T) {
	a, b := TempName("/x/run.npz"), TempName("/x/run.npz")
	if a == b || filepath.Dir(a) != "/x" || !IsTemp(filepath.Base(a)) {
		t.Errorf("TempName: %q, %q: want two different hidden temporary names in /x", a, b)
	}
	for _, name := range []string{"run.npz", ".hidden", "status.json", "tmp-notes"} {
		if IsTemp(name) {
			t.Errorf("IsTemp(%q) = true", name)
		}
	}
}
