package snapshots

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.npz")
	if err := WriteFile(path, testMeta, testArrays()); err != nil {
		t.Fatal(err)
	}
	meta, arrays, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !sameJSON(t, meta, testMeta) {
		t.Errorf("meta = %s", meta)
	}
	for _, a := range testArrays() {
		if !sameArray(t, arrays[a.Name], a) {
			t.Errorf("array %q = %+v, want %+v", a.Name, arrays[a.Name], a)
		}
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o044 == 0 {
		t.Errorf("mode %v: snapshot is not readable by others (temp files are 0600)", st.Mode())
	}
	assertNoTemp(t, filepath.Dir(path))

	// Overwriting keeps a changed mode and replaces the content.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte(`{"step": 2}`), nil); err != nil {
		t.Fatal(err)
	}
	meta, arrays, err = ReadFile(path)
	if err != nil || !sameJSON(t, meta, []byte(`{"step": 2}`)) || len(arrays) != 0 {
		t.Errorf("after overwrite: meta %s, %d arrays, err %v", meta, len(arrays), err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode after overwrite = %v, want 0640", st.Mode().Perm())
	}
}

// assertNoTemp fails if dir holds a leftover temporary file.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left in %s", e.Name(), dir)
		}
	}
}

// failAfter lets n bytes through, then fails every write.
type failAfter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("simulated disk full")

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

// setHook installs testHookWriter for the duration of the test.
func setHook(t *testing.T, hook func(io.Writer) io.Writer) {
	t.Cleanup(func() { testHookWriter = nil })
	testHookWriter = hook
}

// TestWriteFileAtomic interrupts writes in several ways and checks that the
// previous snapshot survives byte for byte and no temporary file is left.
func TestWriteFileAtomic(t *testing.T) {
	big := Array{Name: "particles", Shape: []int{300, 100}, Data: make([]float32, 300*100)}
	for _, tc := range []struct {
		name  string
		hook  func(io.Writer) io.Writer
		path  func(dir string) string
		err   error  // wanted by errors.Is, if non-nil
		panic string // wanted panic, if any
	}{
		{name: "fails at byte 0", hook: func(w io.Writer) io.Writer { return &failAfter{w, 0} }, err: errDiskFull},
		{name: "fails mid-way", hook: func(w io.Writer) io.Writer { return &failAfter{w, 70_000} }, err: errDiskFull},
		{name: "panics mid-way", hook: func(w io.Writer) io.Writer {
			return writerFunc(func(p []byte) (int, error) { panic("simulated crash") })
		}, panic: "simulated crash"},
		{name: "rename onto a directory", path: func(dir string) string {
			p := filepath.Join(dir, "dir.npz")
			os.MkdirAll(filepath.Join(p, "child"), 0o755)
			return p
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "run.npz")
			if tc.path != nil {
				path = tc.path(dir)
			} else if err := WriteFile(path, []byte(`{"good": true}`), testArrays()); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(path)
			setHook(t, tc.hook)
			func() {
				defer func() {
					if r := recover(); (r != nil || tc.panic != "") && r != tc.panic {
						t.Errorf("panic = %v, want %q", r, tc.panic)
					}
				}()
				err := WriteFile(path, []byte(`{"good": false}`), []Array{big})
				if err == nil || !strings.Contains(err.Error(), path) || (tc.err != nil && !errors.Is(err, tc.err)) {
					t.Errorf("WriteFile error = %v, want one naming %s (and %v)", err, path, tc.err)
				}
			}()
			after, _ := os.ReadFile(path)
			if !bytes.Equal(before, after) {
				t.Errorf("previous file changed: %d bytes before, %d after", len(before), len(after))
			}
			assertNoTemp(t, dir)
			if tc.path == nil {
				if meta, _, err := ReadFile(path); err != nil || !sameJSON(t, meta, []byte(`{"good": true}`)) {
					t.Errorf("previous snapshot reads as %s, %v", meta, err)
				}
			}
		})
	}
}

// writerFunc adapts a function to io.Writer.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestWriteFileCrash kills a child process in the middle of WriteFile (no
// deferred cleanup runs) and checks that the previous snapshot is intact.
func TestWriteFileCrash(t *testing.T) {
	if path := os.Getenv("SNAPSHOTS_CRASH_PATH"); path != "" {
		// Child: exit abruptly after 70000 bytes of the new snapshot.
		testHookWriter = func(w io.Writer) io.Writer {
			n := 70_000
			return writerFunc(func(p []byte) (int, error) {
				if len(p) > n {
					w.Write(p[:n])
					os.Exit(3)
				}
				n -= len(p)
				return w.Write(p)
			})
		}
		WriteFile(path, []byte(`{"good": false}`), []Array{{Name: "x", Shape: []int{30000}, Data: make([]float32, 30000)}})
		os.Exit(0) // not reached if the hook fired
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "run.npz")
	if err := WriteFile(path, []byte(`{"good": true}`), testArrays()); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFileCrash$")
	cmd.Env = append(os.Environ(), "SNAPSHOTS_CRASH_PATH="+path)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("child exited with %v, want exit status 3; output:\n%s", err, out)
	}
	meta, arrays, err := ReadFile(path)
	if err != nil || !sameJSON(t, meta, []byte(`{"good": true}`)) || len(arrays) != len(testArrays()) {
		t.Errorf("after a crash mid-write: meta %s, %d arrays, err %v", meta, len(arrays), err)
	}
	// The crash leaves its partial temporary file beside the snapshot.
	tmps, _ := filepath.Glob(filepath.Join(dir, ".run.npz.tmp-*"))
	if len(tmps) != 1 {
		t.Errorf("temporary files after crash: %q, want exactly one", tmps)
	}
}

// zipOf builds a zip archive from name→content pairs, in order.
func zipOf(t *testing.T, members ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(members); i += 2 {
		w, err := zw.Create(members[i])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(members[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReadFileErrors gives ReadFile every kind of bad file and checks that
// the error names the file, wraps the right sentinel and says what is wrong.
func TestReadFileErrors(t *testing.T) {
	good := encodeNPZ(t, testMeta, testArrays())
	goodNPY := string(npyBytes(t, Array{Shape: []int{2}, Data: []float32{1, 2}}))
	env := func(v string) string { return `{"format": "gpa-tui snapshot", "version": ` + v + `, "meta": {}}` }
	int32NPY := string(npyHeader("<i4", []int{1})) + "\x01\x00\x00\x00"
	flipped := bytes.Clone(good)
	particles := npyBytes(t, testArrays()[0])
	flipped[bytes.Index(good, particles)+len(particles)-1] ^= 0x40 // last particle's sign: CRC-32 mismatch
	for _, tc := range []struct {
		name string
		data []byte
		is   error
		msg  string
	}{
		{"empty", nil, ErrNotSnapshot, "empty file"},
		{"text", []byte("hello, world\n"), ErrNotSnapshot, `not a zip archive (starts with "hell")`},
		{"npy", []byte(goodNPY), ErrNotSnapshot, "not a zip archive"},
		{"truncated to half", good[:len(good)/2], ErrCorrupt, "truncated or damaged zip archive"},
		{"truncated by one byte", good[:len(good)-1], ErrCorrupt, "truncated or damaged zip archive"},
		{"truncated to PK", good[:2], ErrCorrupt, "truncated or damaged zip archive"},
		{"flipped data bit", flipped, ErrCorrupt, "checksum error"},
		{"foreign zip", zipOf(t, "readme.txt", "hi", "x.npy", goodNPY), ErrNotSnapshot, "no meta.json"},
		{"extra member", zipOf(t, "meta.json", env("1"), "x.npy", goodNPY, "x.np", goodNPY), ErrCorrupt, `unexpected member "x.np"`},
		{"foreign meta", zipOf(t, "meta.json", `{"format": "other"}`), ErrNotSnapshot, "meta.json is not gpa-tui metadata"},
		{"meta not json", zipOf(t, "meta.json", `{"format": `), ErrNotSnapshot, "meta.json is not gpa-tui metadata"},
		{"meta not object", zipOf(t, "meta.json", `[1, 2]`), ErrNotSnapshot, "meta.json is not gpa-tui metadata"},
		{"newer", zipOf(t, "meta.json", env("7"), "x.npy", "garbage of format 7"), ErrNewerFormat,
			fmt.Sprintf("written by a newer gpa-tui (format 7), this build reads ≤ %d", FormatVersion)},
		{"version 0", zipOf(t, "meta.json", env("0")), ErrCorrupt, "no valid format version"},
		{"version missing", zipOf(t, "meta.json", `{"format": "gpa-tui snapshot"}`), ErrCorrupt, "no valid format version"},
		{"version string", zipOf(t, "meta.json", `{"format": "gpa-tui snapshot", "version": "1"}`), ErrNotSnapshot, "not gpa-tui metadata"},
		{"meta field bad", zipOf(t, "meta.json", `{"format": "gpa-tui snapshot", "version": 1, "meta": }`), ErrNotSnapshot, "not gpa-tui metadata"},
		{"bad npy", zipOf(t, "meta.json", env("1"), "particles.npy", "not an array"), ErrCorrupt, "particles.npy: bad .npy data: no \\x93NUMPY magic"},
		{"bad dtype", zipOf(t, "meta.json", env("1"), "labels.npy", int32NPY), ErrCorrupt, `labels.npy: bad .npy data: unsupported dtype "<i4"`},
		{"short npy", zipOf(t, "meta.json", env("1"), "particles.npy", goodNPY[:len(goodNPY)-1]), ErrCorrupt, "particles.npy: bad .npy data: shape (2,) of <f4 needs 8 data bytes, have 7"},
		{"duplicate", zipOf(t, "meta.json", env("1"), "a.npy", goodNPY, "a.npy", goodNPY), ErrCorrupt, `duplicate member "a.npy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.npz")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := ReadFile(path)
			if err == nil {
				t.Fatal("ReadFile succeeded")
			}
			want := "snapshots: " + path + ": "
			if !strings.HasPrefix(err.Error(), want) || !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("ReadFile error = %q\nwant prefix %q, errors.Is %v, containing %q", err, want, tc.is, tc.msg)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nope.npz")
		if _, _, err := ReadFile(path); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("err = %v, want ErrNotExist naming %s", err, path)
		}
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		if _, _, err := ReadFile(dir); !errors.Is(err, ErrNotSnapshot) || !strings.Contains(err.Error(), dir) {
			t.Errorf("err = %v, want ErrNotSnapshot naming %s", err, dir)
		}
	})
}

// TestReadDamaged truncates a snapshot at every length and flips every byte
// of it: each read must fail cleanly or return exactly the written data
// (possibly under a different name when the flip hit a member name), never
// panic and never return altered numbers.
func TestReadDamaged(t *testing.T) {
	arrays := testArrays()[:6]
	good := encodeNPZ(t, []byte(`{"step": 3}`), arrays)
	for n := range len(good) {
		if _, _, err := ReadNPZ(bytes.NewReader(good[:n]), int64(n)); err == nil {
			t.Errorf("prefix of %d/%d bytes read without error", n, len(good))
		}
	}
	want := map[string]bool{}
	for _, a := range arrays {
		want[string(npyBytes(t, Array{Shape: a.Shape, Data: a.Data}))] = true
	}
	silent := 0
	for i := range good {
		bad := bytes.Clone(good)
		bad[i] ^= 0xff
		meta, got, err := ReadNPZ(bytes.NewReader(bad), int64(len(bad)))
		if err != nil {
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrNotSnapshot) && !errors.Is(err, ErrNewerFormat) {
				t.Errorf("flip at %d: error %v wraps no sentinel", i, err)
			}
			continue
		}
		silent++
		if string(meta) != `{"step":3}` || len(got) != len(arrays) {
			t.Errorf("flip at %d: read meta %s and %d arrays", i, meta, len(got))
		}
		for name, a := range got {
			if !want[string(npyBytes(t, Array{Shape: a.Shape, Data: a.Data}))] {
				t.Errorf("flip at %d: array %q has altered data %v", i, name, a.Data)
			}
		}
	}
	t.Logf("%d of %d single-byte flips went unnoticed (zip fields that carry no data)", silent, len(good))
}
