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
