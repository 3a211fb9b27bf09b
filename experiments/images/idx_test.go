package images

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDecodeIDX(t *testing.T) {
	data := []byte{1, 2, 3, 4, 5, 6}
	good := idxBytes([]int{3, 2}, data)
	gz := gzipBytes(good)
	tests := []struct {
		name    string
		in      []byte
		wantErr string // "" for success
	}{
		{"plain", good, ""},
		{"gzip", gz, ""},
		{"wrong magic", append([]byte{1, 0}, good[2:]...), "bad IDX magic"},
		{"float elements", append([]byte{0, 0, 0x0d}, good[3:]...), "element type 0x0d"},
		{"no dimensions", []byte{0, 0, 8, 0}, "0 dimensions"},
		{"empty", nil, "IDX header"},
		{"truncated header", good[:6], "IDX dimension 0"},
		{"truncated data", good[:len(good)-1], "need 6 bytes, got 5"},
		{"trailing bytes", append(slices.Clone(good), 9), "trailing bytes"},
		{"gzip without trailer", gz[:len(gz)-8], "truncated"},
		{"gzip cut in half", gz[:len(gz)/2], "unexpected EOF"},
		{"huge header", idxBytes([]int{1 << 16, 1 << 16}, nil), "exceed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			idx, err := DecodeIDX(bytes.NewReader(tt.in))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("DecodeIDX: %v", err)
				}
				if !slices.Equal(idx.Dims, []int{3, 2}) || !bytes.Equal(idx.Data, data) {
					t.Fatalf("DecodeIDX = %v %v, want [3 2] %v", idx.Dims, idx.Data, data)
				}
				return
			}
			if !errors.Is(err, ErrFormat) {
				t.Fatalf("DecodeIDX error = %v, want ErrFormat", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("DecodeIDX error = %q, want it to contain %q", err, tt.wantErr)
			}
		})
	}
}

func TestReadIDXNamesFile(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad-idx3-ubyte")
	if err := os.WriteFile(bad, []byte{0, 0, 8, 1, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing-idx3-ubyte.gz")
	for _, tt := range []struct {
		path string
		want error
	}{{bad, ErrFormat}, {missing, ErrNotFound}} {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			_, err := ReadIDX(tt.path)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("ReadIDX(%s) error = %v, want %v naming the file", tt.path, err, tt.want)
			}
		})
	}
}

// writeIDXDir writes a 3-image MNIST-style test split into dir, gzipped
// or plain, and returns the pixel bytes.
func writeIDXDir(t *testing.T, dir string, gz bool, labels []byte) []byte {
	t.Helper()
	n := len(labels)
	pix := make([]byte, n*2*3)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	files := map[string][]byte{
		"t10k-images-idx3-ubyte": idxBytes([]int{n, 2, 3}, pix),
		"t10k-labels-idx1-ubyte": idxBytes([]int{n}, labels),
	}
	for name, b := range files {
		if gz {
			name, b = name+".gz", gzipBytes(b)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pix
}

func TestLoadMNISTOverride(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "gzip"}[gz], func(t *testing.T) {
			dir := t.TempDir()
			pix := writeIDXDir(t, dir, gz, []byte{4, 0, 9})
			s, err := LoadMNIST(dir, Test)
			if err != nil {
				t.Fatal(err)
			}
			if s.N != 3 || s.H != 2 || s.W != 3 || s.C != 1 || s.Name != "mnist/test" {
				t.Fatalf("got %s N=%d H=%d W=%d C=%d, want mnist/test 3×2×3×1", s.Name, s.N, s.H, s.W, s.C)
			}
			if !slices.Equal(s.Labels, []int{4, 0, 9}) || !bytes.Equal(s.Pix, pix) {
				t.Fatalf("labels %v pix %v, want [4 0 9] %v", s.Labels, s.Pix, pix)
			}
		})
	}
}

func TestLoadIDXErrors(t *testing.T) {
	t.Run("missing folder", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nowhere")
		_, err := LoadMNIST(dir, Train)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), dir) ||
			!strings.Contains(err.Error(), "train-images-idx3-ubyte") || !strings.Contains(err.Error(), "target.path") {
			t.Fatalf("error = %v, want ErrNotFound naming folder, file and target.path", err)
		}
	})
	t.Run("missing labels", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, false, []byte{1})
		os.Remove(filepath.Join(dir, "t10k-labels-idx1-ubyte"))
		_, err := LoadFashionMNIST(dir, Test)
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") ||
			!strings.Contains(err.Error(), "dataset-fashion-mnist") {
			t.Fatalf("error = %v, want ErrNotFound naming the label file and the Debian package", err)
		}
	})
	t.Run("label out of range", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, true, []byte{1, 10})
		_, err := LoadMNIST(dir, Test)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte.gz") {
			t.Fatalf("error = %v, want ErrFormat naming the label file", err)
		}
	})
	t.Run("count mismatch", func(t *testing.T) {
		dir := t.TempDir()
		writeIDXDir(t, dir, false, []byte{1, 2})
		os.WriteFile(filepath.Join(dir, "t10k-labels-idx1-ubyte"), idxBytes([]int{3}, []byte{1, 2, 3}), 0o644)
		_, err := LoadMNIST(dir, Test)
		if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "2 images but 3 labels") {
			t.Fatalf("error = %v, want ErrFormat with the counts", err)
		}
	})
	t.Run("unknown set", func(t *testing.T) {
		if _, err := Load("svhn", "", Train); err == nil || !strings.Contains(err.Error(), "svhn") {
			t.Fatalf("Load(svhn) error = %v, want unknown data set", err)
		}
	})
}
