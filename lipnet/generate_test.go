package lipnet

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// TestGeneratedAsm checks that kernel_amd64.s is what internal/asmgen
// writes today (run `go generate` in lipnet/ after editing the generator).
func TestGeneratedAsm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	out := filepath.Join(t.TempDir(), "kernel_amd64.s")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "run", "./internal/asmgen", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("asmgen: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("kernel_amd64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("kernel_amd64.s is stale: run go generate in lipnet/")
	}
}

// TestGeneratedTwins checks that the float64 twins generated with gofmt -r
// (transpose_cols64.go) are what go generate writes today.
func TestGeneratedTwins(t *testing.T) {
	if _, err := exec.LookPath("gofmt"); err != nil {
		t.Skip("gofmt not on PATH")
	}
	out, err := exec.Command("sh", "-c", "(echo '// Code generated from transpose_cols.go by go generate; DO NOT EDIT.'; echo; gofmt -r 'float32 -> float64' transpose_cols.go | gofmt -r 'transposeCols -> transposeCols64')").Output()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("transpose_cols64.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, out) {
		t.Error("transpose_cols64.go is stale: run go generate in lipnet/")
	}
}
