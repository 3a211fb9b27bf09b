package presets

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gpa-tui/gpa-tui/inputfile"
)

// Limits of preset files, checked before the TOML decoder sees them.
// github.com/BurntSushi/toml is slow on hostile text: a 20 kB nest of
// inline tables took 5.4 s and 1.1 GB (issue #14), and within these caps
// its time still grows with the size, about 2 s per MiB of small inline
// tables or 31-segment dotted keys (measured on this project's 2-core CI
// machine). The caps keep the worst file near 0.1 s.
const (
	// MaxFileSize caps a preset file at 64 KiB, 64 times the largest
	// shipped preset (1019 bytes).
	MaxFileSize = 64 << 10
	// MaxDepth caps the nesting of tables, arrays and dotted keys at 16
	// levels as checkDepth counts them; the preset format needs 4
	// ([target] centers = [[…]]).
	MaxDepth = 16
)

// ErrNotRegular: a preset path names a FIFO, a device, a directory or a
// socket, which are refused before they are opened (a FIFO would block,
// /dev/zero never ends).
var ErrNotRegular = inputfile.ErrNotRegular

// Info describes one preset.
type Info struct {
	Name        string
	Description string
	File        string // "" for embedded presets
	Figure      string // the paper's figure ("Fig. 5"), or ""
	Compare     int    // the number of runs of its [compare] section, or 0
	// Err, for a preset file that cannot be loaded, says why (it names the
	// file); Name is then the file name without ".toml" and Description
	// "invalid preset: " and the error.
	Err error
}

// List returns the embedded presets, sorted by name.
func List() []Info {
	entries, _ := fs.ReadDir(builtin, "builtin")
	var out []Info
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".toml")
		f, err := parseFile(mustRead(name), name, false)
		desc := f.Description
		if err != nil {
			desc = "invalid preset: " + err.Error()
		}
		in := f.info(name, desc, "")
		in.Err = err
		out = append(out, in)
	}
	slices.SortFunc(out, func(a, b Info) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// ListDir returns the *.toml files of dir, sorted by file name, for the
// preset picker. A file that cannot be loaded is listed with its Err set,
// not left out: a non-regular file (checked with os.Stat, never opened), a
// file over MaxFileSize or MaxDepth, or an invalid preset. Reading never
// blocks. Name and Description come from the files and are shown in a
// terminal, so they are passed through Printable.
func ListDir(dir string) []Info {
	files, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
	out := make([]Info, 0, len(files))
	for _, f := range files {
		b, err := readFile(f)
		if err == nil {
			pf, perr := parseFile(b, f, false)
			if perr == nil {
				out = append(out, pf.info(inputfile.Printable(pf.Name), inputfile.Printable(pf.Description), f))
				continue
			}
			err = perr
		}
		out = append(out, Info{
			Name:        inputfile.Printable(strings.TrimSuffix(filepath.Base(f), ".toml")),
			Description: inputfile.Printable("invalid preset: " + err.Error()),
			File:        f,
			Err:         err,
		})
	}
	return out
}

func mustRead(name string) []byte {
	b, _ := builtin.ReadFile("builtin/" + name + ".toml")
	return b
}

// Source returns the TOML text of an embedded preset or a preset file, and
// the label to name it by in errors. A file must be a regular file of at
// most MaxFileSize bytes nesting at most MaxDepth levels; anything else is
// refused before it is decoded, and reading never blocks.
func Source(nameOrFile string) ([]byte, string, error) {
	if isFile(nameOrFile) {
		b, err := readFile(nameOrFile)
		if err != nil {
			return nil, "", err
		}
		return b, nameOrFile, nil
	}
	b, err := builtin.ReadFile("builtin/" + nameOrFile + ".toml")
	if err != nil {
		var names []string
		for _, p := range List() {
			names = append(names, p.Name)
		}
		return nil, "", fmt.Errorf("presets: no preset %q; available: %s (or give a .toml file)", nameOrFile, strings.Join(names, ", "))
	}
	return b, nameOrFile, nil
}

func isFile(s string) bool {
	return strings.HasSuffix(s, ".toml") || strings.ContainsRune(s, os.PathSeparator)
}

// readFile reads a preset file within MaxFileSize and MaxDepth. Errors
// start with "presets: " and name path.
func readFile(path string) ([]byte, error) {
	f, size, err := inputfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("presets: %w", err) // it names the file
	}
	defer f.Close()
	if size > MaxFileSize {
		return nil, fmt.Errorf("presets: %s: file of %d bytes is larger than %d bytes", path, size, MaxFileSize)
	}
	// The file may have grown since Stat: read one byte past the cap.
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("presets: %w", err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("presets: %s: file is larger than %d bytes", path, MaxFileSize)
	}
	if err := checkDepth(b); err != nil {
		return nil, fmt.Errorf("presets: %s: %w", path, err)
	}
	return b, nil
}

// checkDepth scans TOML text for its nesting depth without decoding it and
// fails past MaxDepth, naming the line. It counts what the decoder would
// build: the segments of a [table] or [[array]] header, the segments of a
// dotted key, and arrays and inline tables, each opened after a key
// costing that key's segments plus one. Strings and comments are skipped.
// The count is an upper bound of the depth of the decoded document less
// one (the root table); malformed text is left to the decoder.
func checkDepth(src []byte) error {
	var (
		stack   []int  // cost of each open '[' or '{' value
		kinds   []byte // '[' or '{' of each
		sum     int    // Σ stack
		base    int    // depth of the current [table] header
		inKey   = true // reading a key (line start at top level, after '{' or ',' in an inline table)
		segs    int    // segments of the key being read
		pending int    // segments of the key whose value comes next
		line    = 1
	)
	tooDeep := func() error {
		return fmt.Errorf("line %d: nested more than %d levels deep", line, MaxDepth)
	}
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == '\n':
			line++
			if len(stack) == 0 {
				inKey, segs, pending = true, 0, 0
			}
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'':
			var nl int
			i, nl = skipString(src, i)
			line += nl
			if inKey {
				segs = max(segs, 1)
			} else {
				pending = 0
			}
		case inKey && c == '[' && len(stack) == 0 && segs == 0:
			var err error
			if i, base, err = header(src, i); err != nil {
				return fmt.Errorf("line %d: %w", line, err)
			}
		case inKey && c == '.':
			segs++
			if base+sum+segs > MaxDepth {
				return tooDeep()
			}
			i++
		case inKey && c == '=':
			inKey, pending, segs = false, max(segs, 1), 0
			i++
		case inKey:
			segs = max(segs, 1) // a bare-key character
			if base+sum+segs > MaxDepth {
				return tooDeep()
			}
			i++
		case c == '[' || c == '{':
			cost := pending + 1
			stack, kinds, sum, pending = append(stack, cost), append(kinds, c), sum+cost, 0
			if base+sum > MaxDepth {
				return tooDeep()
			}
			inKey = c == '{'
			i++
		case c == ']' || c == '}':
			if n := len(stack); n > 0 {
				sum -= stack[n-1]
				stack, kinds = stack[:n-1], kinds[:n-1]
			}
			inKey, pending = false, 0
			i++
		case c == ',':
			inKey = len(kinds) > 0 && kinds[len(kinds)-1] == '{'
			pending = 0
			i++
		default: // part of a scalar value
			pending = 0
			i++
		}
	}
	return nil
}

// header reads the [a.b] or [[a.b]] table header starting at src[i] and
// returns the index after it and its depth: its segments, plus one for an
// array of tables.
func header(src []byte, i int) (next, depth int, err error) {
	i++
	if i < len(src) && src[i] == '[' {
		depth++
		i++
	}
	segs := 0
	for i < len(src) && src[i] != ']' && src[i] != '\n' {
		switch src[i] {
		case '"', '\'':
			i, _ = skipString(src, i)
			segs = max(segs, 1)
			continue
		case '.':
			segs++
		case ' ', '\t':
		default:
			segs = max(segs, 1)
		}
		if depth+segs > MaxDepth {
			return 0, 0, fmt.Errorf("table header nested more than %d levels deep", MaxDepth)
		}
		i++
	}
	for i < len(src) && src[i] == ']' {
		i++
	}
	return i, depth + segs, nil
}

// skipString returns the index after the TOML string starting at src[i]
// (basic "…", literal '…', or either form between tripled quotes, which
// may span lines) and the number of newlines in it. An unterminated
// one-line string ends at the newline, where the decoder will report it.
func skipString(src []byte, i int) (next, newlines int) {
	q := src[i]
	if i+2 < len(src) && src[i+1] == q && src[i+2] == q { // multi-line
		j := i + 3
		for j < len(src) {
			switch {
			case src[j] == '\\' && q == '"':
				if j+1 < len(src) && src[j+1] == '\n' {
					newlines++
				}
				j += 2
				continue
			case src[j] == '\n':
				newlines++
			case src[j] == q && j+2 < len(src) && src[j+1] == q && src[j+2] == q:
				j += 3
				// Up to two more quotes belong to the content.
				for k := 0; k < 2 && j < len(src) && src[j] == q; k++ {
					j++
				}
				return j, newlines
			}
			j++
		}
		return j, newlines
	}
	for j := i + 1; j < len(src); j++ {
		switch {
		case src[j] == '\\' && q == '"':
			j++
		case src[j] == q:
			return j + 1, newlines
		case src[j] == '\n':
			return j, newlines
		}
	}
	return len(src), newlines
}
