package presets

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

// nestedInline is n inline tables, each inside the one before.
func nestedInline(n int) string {
	return "a = " + strings.Repeat("{b = ", n) + "1" + strings.Repeat("}", n) + "\n"
}

// TestSourceLimits: the hostile preset files of issue #14 are refused
// before the decoder sees them, at once.
func TestSourceLimits(t *testing.T) {
	dir := t.TempDir()
	base, _, _ := Source(Default)
	write := func(name, src string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	deep20k := nestedInline(4000)
	if len(deep20k) < 20000 || len(deep20k) > MaxFileSize {
		t.Fatalf("deep nest of %d bytes, want the 20 kB of the issue", len(deep20k))
	}
	if err := os.Mkdir(filepath.Join(dir, "dir.toml"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, path string
		is         error
		want       string
	}{
		// 5.4 s and 1.1 GB in the decoder before.
		{"20 kB of nested inline tables", write("deep.toml", deep20k), nil, "deep.toml: line 1: nested more than 16 levels deep"},
		// Out of memory before.
		{"200 kB of nested inline tables", write("deeper.toml", nestedInline(40000)), nil, "deeper.toml: file of 240006 bytes is larger than 65536 bytes"},
		{"deep arrays", write("arrays.toml", "a = "+strings.Repeat("[", 17)+strings.Repeat("]", 17)), nil, "line 1: nested more than 16 levels deep"},
		{"deep dotted key", write("dotted.toml", "a"+strings.Repeat(".b", 16)+" = 1"), nil, "line 1: nested more than 16 levels deep"},
		{"deep header", write("header.toml", "name = \"x\"\n["+strings.Repeat("a.", 16)+"b]\n"), nil, "line 2: table header nested more than 16 levels deep"},
		{"padded preset", write("big.toml", string(base)+"\n#"+strings.Repeat("x", MaxFileSize)), nil, "larger than 65536 bytes"},
		{"directory", filepath.Join(dir, "dir.toml"), ErrNotRegular, "dir.toml: not a regular file (a directory)"},
		{"missing", filepath.Join(dir, "none.toml"), fs.ErrNotExist, "none.toml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Load(tc.path, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "presets: ") || (tc.is != nil && !errors.Is(err, tc.is)) {
				t.Errorf("Load error = %v, want one containing %q (and %v)", err, tc.want, tc.is)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
	// The limits leave every real preset alone, and a file at the cap loads.
	for _, p := range List() {
		src, _, _ := Source(p.Name)
		if err := checkDepth(src); err != nil {
			t.Errorf("%s: %v", p.Name, err)
		}
	}
	padded := string(base) + "\n#" + strings.Repeat("x", MaxFileSize-len(base)-3) + "\n"
	if cfg, err := Load(write("full.toml", padded), nil); err != nil || cfg.Name != Default || len(padded) != MaxFileSize {
		t.Errorf("a %d-byte preset: %v, %v", len(padded), cfg.Name, err)
	}
}

func TestCheckDepth(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		ok        bool
	}{
		{"preset shapes", "[target]\ncenters = [[0, 0], [4, 4]]\n[discriminator]\nhidden = [32, 32]\n", true},
		{"dotted table key", "target.centers = [[0, 0]]\n", true},
		{"16 arrays after a key", "a = " + strings.Repeat("[", 15) + strings.Repeat("]", 15), true},
		{"17 arrays after a key", "a = " + strings.Repeat("[", 16) + strings.Repeat("]", 16), false},
		{"inline tables", nestedInline(7), true},
		{"more inline tables", nestedInline(8), false},
		{"dotted key of 16", "a" + strings.Repeat(".b", 15) + " = 1", true},
		{"dotted key of 17", "a" + strings.Repeat(".b", 16) + " = 1", false},
		{"quoted key with dots", `"a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q" = 1`, true},
		{"header of 16", "[" + strings.Repeat("a.", 15) + "b]\n", true},
		{"array-of-tables header of 17", "[[" + strings.Repeat("a.", 15) + "b]]\n", false},
		{"header plus key", "[" + strings.Repeat("a.", 9) + "b]\nc" + strings.Repeat(".d", 6) + " = 1\n", false},
		{"depth resets per key", strings.Repeat("a"+strings.Repeat(".b", 15)+" = 1\n", 3), true},
		{"brackets in strings", "a = \"" + strings.Repeat("[{", 40) + "\"\nb = '" + strings.Repeat("[", 40) + "'\n", true},
		{"brackets in multi-line strings", "a = \"\"\"\n" + strings.Repeat("[", 40) + "\n\\\"\"\"\"\"\"\nb = '''" + strings.Repeat("{", 40) + "''''\n", true},
		{"brackets in comments", "# " + strings.Repeat("[", 40) + "\na = 1 # " + strings.Repeat("{", 40) + "\n", true},
		{"escaped quote", `a = "\"` + strings.Repeat("[", 40) + `"`, true},
		// A quote that closes a multi-line string, then the real nest.
		{"nest after a multi-line string", "a = '''x'''\nb = " + strings.Repeat("[", 17) + strings.Repeat("]", 17), false},
		{"nest after quotes ending a string", "a = \"\"\"x\"\"\"\"\"\nb = " + strings.Repeat("[", 17) + strings.Repeat("]", 17), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkDepth([]byte(tc.src))
			if (err == nil) != tc.ok {
				t.Errorf("checkDepth = %v, want ok = %v", err, tc.ok)
			}
			// Whenever the scan passes, the decoded document is no deeper.
			var doc map[string]any
			if _, derr := toml.Decode(tc.src, &doc); err == nil && derr == nil {
				if d := depthOf(doc); d > MaxDepth+1 {
					t.Errorf("decoded depth %d passed the scan", d)
				}
			}
		})
	}
}

// depthOf is the nesting depth of a decoded TOML value: 0 for a scalar,
// one more than its deepest element for a table or an array.
func depthOf(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
	case []map[string]any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
	case []any:
		for _, e := range v {
			d = max(d, depthOf(e))
		}
	default:
		return 0
	}
	return d + 1
}

// FuzzCheckDepth: checkDepth never panics, and a document it passes is
// never deeper than MaxDepth below its root once decoded, so the scan
// cannot be fooled into letting a deep document through to the decoder.
func FuzzCheckDepth(f *testing.F) {
	for _, p := range List() {
		src, _, _ := Source(p.Name)
		f.Add(string(src))
	}
	for _, s := range []string{
		nestedInline(7), "a = '''x'''\nb = [[[]]]", "[[a.b]]\nc.d = {e = [1]}", `"a.b" = {"c" = [[{}]]}`,
		"a = \"\"\"\"\"\"\"\n[[[", "a = [\n# ]\n[1]]", "x = {a.b.c = 1, d = {e = 2}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 4096 { // the decoder is slow on deep text; the scan is linear
			return
		}
		if checkDepth([]byte(src)) != nil {
			return
		}
		var doc map[string]any
		if _, err := toml.Decode(src, &doc); err != nil {
			return
		}
		if d := depthOf(doc); d > MaxDepth+1 {
			t.Fatalf("decoded depth %d passed the scan", d)
		}
	})
}

// TestListDir: the picker's list shows broken files with their error instead
// of hiding them, and never blocks.
func TestListDir(t *testing.T) {
	dir := t.TempDir()
	base, _, _ := Source(Default)
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.toml", strings.Replace(string(base), `name = "four-well-L1"`, `name = "mine\u001b]0;owned\u0007"`, 1))
	write("broken.toml", "[flow\n")
	write("deep.toml", nestedInline(4000))
	write("notes.txt", "not a preset")
	os.Mkdir(filepath.Join(dir, "dir.toml"), 0o755)
	want := map[string]string{ // file → substring of the error ("" for none)
		"good.toml":   "",
		"broken.toml": "line 2",
		"deep.toml":   "nested more than 16 levels deep",
		"dir.toml":    "not a regular file (a directory)",
	}
	got := ListDir(dir)
	if len(got) != len(want) {
		t.Fatalf("ListDir = %+v, want %d entries", got, len(want))
	}
	for _, p := range got {
		w, ok := want[filepath.Base(p.File)]
		switch {
		case !ok:
			t.Errorf("unexpected entry %+v", p)
		case w == "" && (p.Err != nil || p.Name != "mine]0;owned"):
			t.Errorf("%s: name %q, error %v; want the name without control characters", p.File, p.Name, p.Err)
		case w != "" && (p.Err == nil || !strings.Contains(p.Err.Error(), w) || !strings.Contains(p.Description, "invalid preset: ") ||
			p.Name != strings.TrimSuffix(filepath.Base(p.File), ".toml")):
			t.Errorf("%s: %+v, want an error containing %q", p.File, p, w)
		}
		if p.Description != inputfile.Printable(p.Description) || p.Name != inputfile.Printable(p.Name) {
			t.Errorf("%s: name %q or description %q is not printable", p.File, p.Name, p.Description)
		}
	}
}
