package snapshots

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestWriteReadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.npz")
	if err := WriteFile(path, testMeta, testArrays()); err != nil {
		t.Fatal(err)
	}
	meta, arrays, err := ReadFile(path, Limits{})
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
	assertNoTemp(t, filepath.Dir(path))

	// Overwriting keeps a changed mode and replaces the content.
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte(`{"step": 2}`), nil); err != nil {
		t.Fatal(err)
	}
	meta, arrays, err = ReadFile(path, Limits{})
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
				if meta, _, err := ReadFile(path, Limits{}); err != nil || !sameJSON(t, meta, []byte(`{"good": true}`)) {
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
	meta, arrays, err := ReadFile(path, Limits{})
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
	i4 := string(npyBytes(t, Array{Shape: []int{1}, Data: []int32{1}}))
	int16NPY := strings.Replace(i4[:len(i4)-2], "'<i4'", "'<i2'", 1) // same header length, 2 data bytes
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
		{"bad dtype", zipOf(t, "meta.json", env("1"), "labels.npy", int16NPY), ErrCorrupt, `labels.npy: bad .npy data: unsupported dtype "<i2"`},
		{"short npy", zipOf(t, "meta.json", env("1"), "particles.npy", goodNPY[:len(goodNPY)-1]), ErrCorrupt, "particles.npy: bad .npy data: shape (2,) of <f4 needs 8 data bytes, have 7"},
		{"duplicate", zipOf(t, "meta.json", env("1"), "a.npy", goodNPY, "a.npy", goodNPY), ErrCorrupt, `duplicate member "a.npy"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.npz")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, _, err := ReadFile(path, Limits{})
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
		if _, _, err := ReadFile(path, Limits{}); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
			t.Errorf("err = %v, want ErrNotExist naming %s", err, path)
		}
	})
	t.Run("directory", func(t *testing.T) {
		dir := t.TempDir()
		if _, _, err := ReadFile(dir, Limits{}); !errors.Is(err, ErrNotSnapshot) || !strings.Contains(err.Error(), dir) {
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
		if _, _, err := ReadNPZ(bytes.NewReader(good[:n]), int64(n), Limits{}); err == nil {
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
		meta, got, err := ReadNPZ(bytes.NewReader(bad), int64(len(bad)), Limits{})
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

// crafted is a snapshot built in a test: meta (as passed to WriteNPZ) and
// arrays.
type crafted struct {
	name   string
	meta   []byte
	arrays []Array
}

// testRun returns the meta and arrays (sorted by name) of a saved run of
// testConfig: M = 40, N = 60, d = 2, 3 steps.
func testRun(t testing.TB) ([]byte, []Array) {
	t.Helper()
	s := newSim(t)
	if _, err := s.Advance(3); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.npz")
	if err := Save(path, s.State()); err != nil {
		t.Fatal(err)
	}
	meta, arrays, err := ReadFile(path, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var list []Array
	for _, a := range arrays {
		list = append(list, a)
	}
	slices.SortFunc(list, func(a, b Array) int { return strings.Compare(a.Name, b.Name) })
	return meta, list
}

// with returns arrays with the named ones replaced or added.
func with(arrays []Array, extra ...Array) []Array {
	out := slices.Clone(arrays)
	for _, e := range extra {
		i := slices.IndexFunc(out, func(a Array) bool { return a.Name == e.Name })
		if i < 0 {
			out = append(out, e)
		} else {
			out[i] = e
		}
	}
	return out
}

// craftedRuns are the run snapshots of issue #14 that fit in a fuzz seed
// (the multi-gigabyte bombs are built in TestZipBomb), plus a good run.
func craftedRuns(t testing.TB) []crafted {
	meta, run := testRun(t)
	const m, n = 40, 60 // testConfig's prior and target sizes
	pixels := func(k, h, w, c int) Array {
		return Array{Name: "images", Shape: []int{k, h, w, c}, Data: make([]float32, k*h*w*c)}
	}
	labels := func(name string, k int) Array {
		return Array{Name: name, Shape: []int{k}, Data: make([]int64, k)}
	}
	targets := pixels(n, 2, 2, 1)
	targets.Name = "target_images"
	few := pixels(3, 2, 2, 1)
	few.Name = "target_images"
	return []crafted{
		{"good run", meta, run},
		{"image run", meta, with(run, pixels(m, 2, 2, 1), targets, labels("labels", m), labels("target_labels", n))},
		{"images of 2 channels", meta, with(run, pixels(m, 1, 1, 2), targets)},
		{"7 images, 40 labels", meta, with(run, pixels(7, 2, 2, 1), targets, labels("labels", m))},
		{"3 target images", meta, with(run, pixels(m, 2, 2, 1), few)},
		{"labels of 7", meta, with(run, pixels(m, 2, 2, 1), targets, labels("labels", 7))},
		{"images of rank 3", meta, with(run, Array{Name: "images", Shape: []int{m, 4, 1}, Data: make([]float32, 4*m)})},
		{"bomb header", meta, with(run, Array{Name: "bomb", Shape: []int{0, 16384}, Data: []float64{}})},
		{"huge M", replaceOnce(t, meta, `"m":40`, `"m":4000000000`), run},
		{"more rows than steps", replaceOnce(t, meta, `"step":3`, `"step":1`), run},
	}
}

// replaceOnce replaces old by new in b, failing if old is not there.
func replaceOnce(t testing.TB, b []byte, old, new string) []byte {
	t.Helper()
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s not in %s", old, b)
	}
	return bytes.Replace(b, []byte(old), []byte(new), 1)
}

// TestLoadCrafted loads the crafted run snapshots of issue #14 and draws
// them as `export --png` does: arrays that disagree with M, N and d are
// refused by Load, an image shape Render cannot draw is an error of
// ExportPNG, and nothing panics.
func TestLoadCrafted(t *testing.T) {
	want := map[string]struct{ load, export string }{
		"good run":             {},
		"image run":            {},
		"images of 2 channels": {export: "image shape 1×1×2: want positive height and width and 1 or 3 channels"},
		"7 images, 40 labels":  {load: `array "images" has shape (7, 2, 2, 1), want (40, -1, -1, -1)`},
		"3 target images":      {load: `array "target_images" has shape (3, 2, 2, 1), want (60, -1, -1, -1)`},
		"labels of 7":          {load: `array "labels" has shape (7,), want (40,)`},
		"images of rank 3":     {load: `array "images" has shape (40, 4, 1), want (40, -1, -1, -1)`},
		"bomb header":          {}, // an extra member is skipped
		"huge M":               {load: `array "initial" has shape (40, 2), want (4000000000, 2)`},
		"more rows than steps": {load: "metrics.npy: array too large: shape (3, 6) of <f8 needs 144 data bytes, above the limit of 96"},
	}
	for _, c := range craftedRuns(t) {
		t.Run(c.name, func(t *testing.T) {
			w, ok := want[c.name]
			if !ok {
				t.Fatalf("no expectation for %q", c.name)
			}
			dir := t.TempDir()
			path := filepath.Join(dir, "run.npz")
			if err := WriteFile(path, c.meta, c.arrays); err != nil {
				t.Fatal(err)
			}
			st, err := Load(path)
			if w.load != "" {
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), w.load) {
					t.Errorf("Load error = %v, want ErrCorrupt containing %q", err, w.load)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			err = exportLikeCLI(st, filepath.Join(dir, "run.png"), 200)
			if w.export == "" && err != nil || w.export != "" && (err == nil || !strings.Contains(err.Error(), w.export)) {
				t.Errorf("export error = %v, want %q", err, w.export)
			}
		})
	}
}

// deflated is one zip member given as its raw deflate stream (or its
// stored bytes when store is set).
type deflated struct {
	name  string
	raw   []byte
	crc   uint32
	size  uint64
	store bool
}

// bombMember returns a member holding prefix, then mib MiB of fill bytes,
// then suffix, deflated to about 1 kB per MiB without building the MiBs:
// one MiB of fill deflated by a fresh compressor (so that its
// back-references stay inside it) is repeated mib times.
func bombMember(t *testing.T, name string, prefix []byte, fill byte, mib int, suffix []byte) deflated {
	t.Helper()
	compress := func(b []byte, final bool) []byte {
		var buf bytes.Buffer
		fw, _ := flate.NewWriter(&buf, flate.BestCompression)
		fw.Write(b)
		if final {
			fw.Close()
		} else {
			fw.Flush() // ends byte-aligned, not final
		}
		return buf.Bytes()
	}
	block := bytes.Repeat([]byte{fill}, 1<<20)
	one := compress(block, false)
	raw := compress(prefix, false)
	crc := crc32.ChecksumIEEE(prefix)
	for range mib {
		raw = append(raw, one...)
		crc = crc32.Update(crc, crc32.IEEETable, block)
	}
	raw = append(raw, compress(suffix, true)...)
	crc = crc32.Update(crc, crc32.IEEETable, suffix)
	return deflated{name: name, raw: raw, crc: crc, size: uint64(len(prefix)) + uint64(mib)<<20 + uint64(len(suffix))}
}

// npzWith writes the members of the archive good, except those named in
// drop, then the deflated members, to path.
func npzWith(t *testing.T, path string, good []byte, drop []string, members ...deflated) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if !slices.Contains(drop, f.Name) {
			if err := zw.Copy(f); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, m := range members {
		method := zip.Deflate
		if m.store {
			method = zip.Store
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: m.name, Method: method, CRC32: m.crc,
			CompressedSize64: uint64(len(m.raw)), UncompressedSize64: m.size})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.raw)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestZipBomb rebuilds the zip bombs of issue #14: a 2 MB snapshot with an
// extra deflated bomb.npy declaring (16383, 16384) <f8 (2 GiB) made inspect
// read for 39 s and reach 6.7 GB, and a 2 GB meta.json was read whole.
// Now an unneeded member is skipped, a needed one is checked against the
// run's shapes before it is opened, and meta.json against its cap.
func TestZipBomb(t *testing.T) {
	if testing.Short() {
		t.Skip("computes the CRC-32 of 4 GiB")
	}
	meta, run := testRun(t)
	good := encodeNPZ(t, meta, run)
	dict := "{'descr': '<f8', 'fortran_order': False, 'shape': (16383, 16384), }"
	hdr := []byte("\x93NUMPY\x01\x00\x76\x00" + dict + strings.Repeat(" ", 128-10-len(dict)-1) + "\n") // 0x76 = 118 = 128 − 10
	// 16383·16384·8 bytes = 2047.875 MiB of zeros after the header.
	bomb := bombMember(t, "bomb.npy", hdr, 0, 2047, make([]byte, 7<<17))
	if want := uint64(len(hdr)) + 16383*16384*8; bomb.size != want {
		t.Fatalf("bomb of %d bytes, want %d", bomb.size, want)
	}
	bombs := func(names ...string) []deflated {
		var out []deflated
		for _, n := range names {
			b := bomb
			b.name = n
			out = append(out, b)
		}
		return out
	}
	// The construction is a valid deflate stream with the right CRC-32:
	// a 4 MiB bomb reads back as zeros.
	small := "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 131072), }"
	smallHdr := []byte("\x93NUMPY\x01\x00\x76\x00" + small + strings.Repeat(" ", 128-10-len(small)-1) + "\n")
	smallPath := filepath.Join(t.TempDir(), "small.npz")
	npzWith(t, smallPath, good, nil, bombMember(t, "small.npy", smallHdr, 0, 4, nil))
	_, arrays, err := ReadFile(smallPath, Limits{})
	if x, _ := arrays["small"].Data.([]float64); err != nil || len(x) != 4<<17 || slices.ContainsFunc(x, func(v float64) bool { return v != 0 }) {
		t.Fatalf("4 MiB bomb: %v %v, %v; want 524288 zeros", arrays["small"].Shape, len(x), err)
	}
	envelope := []byte(`{"format": "gpa-tui snapshot", "version": 1, "meta": {"kind": "gpa-run"`)
	hugeMeta := bombMember(t, "meta.json", envelope, ' ', 2048, []byte("}}"))
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		drop    []string
		members []deflated
		lim     Limits // for ReadFile; Load when zero
		err     string // "" for success
	}{
		{name: "one bomb", members: bombs("bomb.npy")},
		{name: "four bombs", members: bombs("bomb.npy", "bomb2.npy", "bomb3.npy", "bomb4.npy")},
		{name: "bomb as particles", drop: []string{"particles.npy"}, members: bombs("particles.npy"),
			err: "particles.npy: member of 2147352704 bytes is too large (the array may take 320 bytes)"},
		{name: "bomb within a total", members: bombs("bomb.npy"), lim: Limits{Total: 1 << 20},
			err: "bomb.npy: member of 2147352704 bytes is too large"},
		{name: "2 GB meta.json", drop: []string{"meta.json"}, members: []deflated{hugeMeta},
			err: "meta.json: member of 2147483721 bytes is larger than the limit of 16777216"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".npz")
			npzWith(t, path, good, tc.drop, tc.members...)
			st, _ := os.Stat(path)
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			var err error
			if tc.lim.Total == 0 {
				_, err = Load(path)
			} else {
				_, _, err = ReadFile(path, tc.lim)
			}
			elapsed := time.Since(start)
			runtime.ReadMemStats(&after)
			t.Logf("%d-byte file: %v, %d bytes allocated, error %v", st.Size(), elapsed, after.TotalAlloc-before.TotalAlloc, err)
			switch {
			case tc.err == "" && err != nil:
				t.Errorf("error %v, want success", err)
			case tc.err != "" && (!errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.err)):
				t.Errorf("error %v, want ErrCorrupt containing %q", err, tc.err)
			}
			// The run's arrays are a few kB; 64 MiB is slack for the
			// runtime and the zip directory. The old reader used 6.7 GB.
			if a := after.TotalAlloc - before.TotalAlloc; a > 64<<20 {
				t.Errorf("allocated %d bytes", a)
			}
			// Generous for a loaded CI machine; the old reader took 39 s.
			if elapsed > 5*time.Second {
				t.Errorf("took %v", elapsed)
			}
		})
	}
}

// TestDeclaredSizes: a member's declared uncompressed size, which sizes the
// allocation of its data, must be one its compressed bytes can hold.
func TestDeclaredSizes(t *testing.T) {
	meta, run := testRun(t)
	good := encodeNPZ(t, meta, run)
	x := npyBytes(t, Array{Shape: []int{1000}, Data: make([]float64, 1000)})
	var buf bytes.Buffer
	fw, _ := flate.NewWriter(&buf, flate.BestCompression)
	fw.Write(x)
	fw.Close()
	z := buf.Bytes()
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		m    deflated
		err  string // "" for success
	}{
		{"stored", deflated{name: "x.npy", raw: x, crc: crc32.ChecksumIEEE(x), size: uint64(len(x)), store: true}, ""},
		{"deflated", deflated{name: "x.npy", raw: z, crc: crc32.ChecksumIEEE(x), size: uint64(len(x))}, ""},
		{"stored, claims more", deflated{name: "x.npy", raw: x, crc: crc32.ChecksumIEEE(x), size: uint64(len(x)) + 8000, store: true},
			fmt.Sprintf("x.npy: member declares %d bytes, its %d compressed bytes cannot hold them", len(x)+8000, len(x))},
		{"deflated, claims more than 1032:1", deflated{name: "x.npy", raw: z, crc: crc32.ChecksumIEEE(x), size: 1032*uint64(len(z)) + 65},
			fmt.Sprintf("x.npy: member declares %d bytes, its %d compressed bytes cannot hold them", 1032*len(z)+65, len(z))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".npz")
			npzWith(t, path, good, nil, tc.m)
			_, arrays, err := ReadFile(path, Limits{})
			if tc.err == "" {
				if err != nil || arrays["x"].Len() != 1000 {
					t.Errorf("ReadFile: %v, %v", arrays["x"].Shape, err)
				}
			} else if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ReadFile error = %v, want ErrCorrupt containing %q", err, tc.err)
			}
		})
	}
}
