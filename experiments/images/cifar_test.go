package images

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const cifarExample = "testdata/cifar_format_example"

// TestReadCIFARBatch checks the HWC layout against expected.tsv and the
// generating formula of the example (its README): pixel (record r,
// channel c, row y, col x) = (r·37 + c·85 + y·8 + x) mod 256.
func TestReadCIFARBatch(t *testing.T) {
	s, err := ReadCIFARBatch(filepath.Join(cifarExample, "tiny_batch.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if s.N != 4 || s.H != 32 || s.W != 32 || s.C != 3 || len(s.Pix) != 4*3072 {
		t.Fatalf("N=%d %d×%d×%d len %d, want 4 32×32×3", s.N, s.H, s.W, s.C, len(s.Pix))
	}
	at := func(r, y, x, c int) int { return int(s.Row(r)[(y*32+x)*3+c]) }

	f, err := os.Open(filepath.Join(cifarExample, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header: record label R[0,0] G[0,0] B[0,0] R[31,31] B[31,31]
	rows := 0
	for sc.Scan() {
		var v [7]int
		for i, field := range strings.Split(sc.Text(), "\t") {
			if v[i], err = strconv.Atoi(field); err != nil {
				t.Fatalf("expected.tsv: %v", err)
			}
		}
		r := v[0]
		got := [7]int{r, s.Labels[r], at(r, 0, 0, 0), at(r, 0, 0, 1), at(r, 0, 0, 2), at(r, 31, 31, 0), at(r, 31, 31, 2)}
		if got != v {
			t.Errorf("record %d: got %v, want %v", r, got, v)
		}
		rows++
	}
	if rows != 4 {
		t.Fatalf("expected.tsv has %d records, want 4", rows)
	}
	for r := range 4 {
		for c := range 3 {
			for y := range 32 {
				for x := range 32 {
					if got, want := at(r, y, x, c), (r*37+c*85+y*8+x)%256; got != want {
						t.Fatalf("pixel (r%d, y%d, x%d, c%d) = %d, want %d", r, y, x, c, got, want)
					}
				}
			}
		}
	}
}

// cifarDir builds a folder holding the example as the given batch names.
func cifarDir(t *testing.T, names ...string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cifarExample, "tiny_batch.bin"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "cifar-10-batches-bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadCIFAR10(t *testing.T) {
	train := []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}
	t.Run("test split", func(t *testing.T) {
		s, err := LoadCIFAR10(cifarDir(t, "test_batch.bin"), Test)
		if err != nil {
			t.Fatal(err)
		}
		if s.N != 4 || s.Name != "cifar10/test" || s.Labels[1] != 8 || s.Classes[s.Labels[1]] != "ship" {
			t.Fatalf("%s N=%d labels %v, want cifar10/test N=4 label 8 = ship", s.Name, s.N, s.Labels)
		}
	})
	t.Run("train split from parent folder", func(t *testing.T) {
		dir := cifarDir(t, train...)
		s, err := Load("cifar10", filepath.Dir(dir), Train)
		if err != nil {
			t.Fatal(err)
		}
		if s.N != 20 || len(s.Pix) != 20*3072 || s.Labels[19] != 6 || s.Row(19)[2] != 25 {
			t.Fatalf("N=%d len %d label[19]=%d B[0,0]=%d, want 20 records, 6, 25", s.N, len(s.Pix), s.Labels[19], s.Row(19)[2])
		}
	})
	for _, tt := range []struct {
		name, dir, want string
	}{
		{"no folder given", "", "no data folder given"},
		{"missing folder", filepath.Join(t.TempDir(), "cifar"), "does not exist"},
		{"missing batch", cifarDir(t, train[:4]...), "has no data_batch_5.bin"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadCIFAR10(tt.dir, Train)
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if !errors.Is(err, ErrNotFound) || !strings.Contains(msg, tt.want) ||
				!strings.Contains(msg, `"CIFAR-10 binary version"`) || !strings.Contains(msg, "target.path") {
				t.Fatalf("error = %v, want ErrNotFound saying %q, what to download and target.path", err, tt.want)
			}
		})
	}
}

func TestReadCIFARBatchErrors(t *testing.T) {
	good, err := os.ReadFile(filepath.Join(cifarExample, "tiny_batch.bin"))
	if err != nil {
		t.Fatal(err)
	}
	badLabel := append([]byte(nil), good...)
	badLabel[cifarRecord] = 10 // record 1's label
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", good[:len(good)-1], "not a whole number"},
		{"empty", nil, "not a whole number"},
		{"label 10", badLabel, "label 10 of record 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "data_batch_1.bin")
			os.WriteFile(p, tt.data, 0o644)
			_, err := ReadCIFARBatch(p)
			if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), p) {
				t.Fatalf("error = %v, want ErrFormat naming %s and %q", err, p, tt.want)
			}
		})
	}
}
