package inputfile

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.csv")
	if err := os.WriteFile(good, []byte("1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, size, err := Open(good)
	if err != nil || size != 4 {
		t.Fatalf("Open(regular file) = %v, %d", err, size)
	}
	f.Close()
	fifo := filepath.Join(dir, "evil.toml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := Open(fifo); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") || !strings.Contains(err.Error(), fifo) {
			t.Errorf("Open(FIFO) = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Open blocked on a FIFO")
	}
	for path, kind := range map[string]string{dir: "a directory", "/dev/zero": "a character device"} {
		if _, _, err := Open(path); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), kind) {
			t.Errorf("Open(%s) = %v, want %s", path, err, kind)
		}
		if err := Check(path); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Check(%s) = %v", path, err)
		}
	}
	if _, _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Open(missing) = %v", err)
	}
}

// TestOpenDataGzipBomb: a small gzip file that expands a thousandfold is
// refused while it is read; an ordinary compressed table reads whole.
func TestOpenDataGzipBomb(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, plain []byte) string {
		var b bytes.Buffer
		z := gzip.NewWriter(&b)
		z.Write(plain)
		z.Close()
		p := filepath.Join(dir, name)
		os.WriteFile(p, b.Bytes(), 0o600)
		return p
	}
	table := []byte(strings.Repeat("g1\t1.25\t3.5\t-0.75\n", 1000))
	r, f, _, err := OpenData(write("table.tsv.gz", table))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	f.Close()
	if err != nil || !bytes.Equal(got, table) {
		t.Fatalf("ordinary table: %d bytes, %v", len(got), err)
	}
	bomb := write("bomb.tsv.gz", make([]byte, 64<<20)) // 64 MiB of zeros: ~65 KB compressed
	r, f, _, err = OpenData(bomb)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, r); err == nil || !strings.Contains(err.Error(), "zip bomb") {
		t.Errorf("bomb: %v, want a refusal", err)
	}
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"four-well-L1 — Lipschitz α=2, ν", "four-well-L1 — Lipschitz α=2, ν"},
		{"red \x1b[31mtext\x1b[0m", "red [31mtext[0m"},
		{"title \x1b]0;pwned\x07 bell", "title ]0;pwned bell"},
		{"line\nbreak\ttab\r", "line break tab "},
		{"c1 \u009b31m csi", "c1 31m csi"},
		{"del\x7f", "del"},
		{"bidi \u202eevil\u202c \u2066x\u2069", "bidi evil x"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
	} {
		if got := Printable(tc.in); got != tc.want {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
