// Package e2e runs the workbench in a real terminal (tmux) from go test.
package e2e

import (
	"os"
	"os/exec"
	"testing"
)

// TestTmux runs tmux_e2e.sh: gpa-tui at 100×30 shows braille dots, L raises
// L, s writes a snapshot, q asks about the steps since, q quits with status 0, and a gene run shows its
// comparison table, and four-well-Linf opened paused is rescued by l to L = 1 (500 steps, no divergence, speed ≤ L). It needs tmux (apt-get install tmux) and is skipped
// without it or with -short.
func TestTmux(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed")
	}
	cmd := exec.Command("bash", "tmux_e2e.sh")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tmux_e2e.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

// TestTmuxCluster runs cluster_e2e.sh: the workbench saves a snapshot on
// SIGHUP and SIGTERM (and when its tmux session is killed), and two
// viewers attached in tmux steer a headless run (L, pause, resume), one of
// them killed with SIGKILL while the run goes on. It needs tmux and pgrep
// and is skipped without them or with -short.
func TestTmuxCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	for _, tool := range []string{"tmux", "pgrep"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	cmd := exec.Command("bash", "cluster_e2e.sh")
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cluster_e2e.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
