package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/snapshots"
	"github.com/gpa-tui/gpa-tui/sweep"
)

// slurmKit finds the single-node Slurm scripts: $GPA_TUI_SLURM_KIT, or
// shared/slurm beside the repository (../shared/slurm from the main
// checkout, ../../shared/slurm from a worktree).
func slurmKit() string {
	if d := os.Getenv("GPA_TUI_SLURM_KIT"); d != "" {
		return d
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		return ""
	}
	for _, d := range []string{"../shared/slurm", "../../shared/slurm"} {
		p := filepath.Join(root, d)
		if _, err := os.Stat(filepath.Join(p, "start-single-node.sh")); err == nil {
			return p
		}
	}
	return ""
}

// slurmUp reports whether a Slurm cluster answers with an idle or mixed
// node.
func slurmUp() bool {
	out, err := exec.Command("sinfo", "-h", "-o", "%t").Output()
	return err == nil && regexp.MustCompile(`(?m)^(idle|mix|alloc)`).Match(out)
}

// ensureSlurm starts the kit's cluster unless one runs; it skips the test
// with the reason when that is impossible, and stops what it started.
func ensureSlurm(t *testing.T) {
	if _, err := exec.LookPath("sinfo"); err == nil && slurmUp() {
		t.Log("using the running Slurm cluster")
		return
	}
	kit := slurmKit()
	if kit == "" {
		t.Skip("Slurm is not running and no slurm kit was found (set GPA_TUI_SLURM_KIT to the folder of start-single-node.sh)")
	}
	run := func(script string) ([]byte, error) {
		args := []string{filepath.Join(kit, script)}
		if os.Geteuid() != 0 {
			args = append([]string{"-n"}, args...)
			return exec.Command("sudo", args...).CombinedOutput()
		}
		return exec.Command(args[0]).CombinedOutput()
	}
	out, err := run("start-single-node.sh")
	if err != nil || !slurmUp() {
		t.Skipf("cannot start a single-node Slurm with %s: %v\n%s", kit, err, tail(out, 15))
	}
	t.Logf("started Slurm: %s", tail(out, 1))
	t.Cleanup(func() {
		out, err := run("stop-single-node.sh")
		t.Logf("stopped Slurm (%v): %s", err, tail(out, 1))
	})
}

// tail is the last n lines of b.
func tail(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestSlurmEndToEnd submits a sweep of four tasks to a real (single-node)
// Slurm, sends one running task SIGUSR1 (what Slurm sends before the time
// limit) with scancel, and checks that the task checkpointed, requeued
// itself, resumed from its checkpoint with SLURM_RESTART_COUNT=1, that all
// tasks finished, and that the requeued task is bit-identical to an
// uninterrupted twin. It takes a minute or two and needs root or
// passwordless sudo to start Slurm: it runs only with
// GPA_TUI_SLURM_E2E=1 (the CI script sets it in a separate step).
func TestSlurmEndToEnd(t *testing.T) {
	if os.Getenv("GPA_TUI_SLURM_E2E") == "" {
		t.Skip("set GPA_TUI_SLURM_E2E=1 to run the Slurm end-to-end test (starts a single-node Slurm from shared/slurm; 1–3 min)")
	}
	ensureSlurm(t)
	root := t.TempDir()
	os.Chmod(root, 0o755)
	dir := filepath.Join(root, "sweep")
	const steps = "20000"
	// The batch script runs this test binary as gpa-tui: sbatch passes the
	// environment on.
	t.Setenv("GPA_TUI_AS_MAIN", "1")
	out, e, code := runCLI(t, "sweep", "--preset", "four-well-L1", "--grid", "discriminator.lipschitz=1,10", "--seeds", "1-2",
		"--steps", steps, "--out", dir, "--time", "0:15:00", "--binary", os.Args[0], "--submit")
	if code != 0 {
		t.Fatalf("sweep --submit: %s %s", out, e)
	}
	t.Logf("%s", out)
	jobs := sweep.Jobs(dir)
	if len(jobs) != 1 {
		t.Fatalf("jobs.txt: %v", jobs)
	}
	job := jobs[0]
	t.Cleanup(func() { exec.Command("scancel", job).Run() })
	m, _ := sweep.Load(dir)
	victim := filepath.Join(dir, m.Tasks[1].Dir)

	// Wait until task 1 runs and has taken some steps, then warn it.
	waitFor(t, 3*time.Minute, "task 1 to run", func() bool {
		b, _ := os.ReadFile(filepath.Join(victim, metricsFile))
		return bytes.Count(b, []byte("\n")) >= 500
	})
	// scancel retries while the job is "in transition" (Slurm 22.05): the
	// task checkpoints and requeues itself at once, so a scancel still
	// retrying would signal the requeued instance too. It is stopped once
	// the signal has arrived.
	sc := exec.Command("scancel", "--signal=USR1", "--batch", job+"_1")
	if err := sc.Start(); err != nil {
		t.Fatal(err)
	}
	signalled := func() bool {
		ev, _ := runfolder.ReadLog(victim)
		return slices.ContainsFunc(ev, func(e runfolder.Entry) bool { return e.Event == runfolder.EvSignal })
	}
	waitFor(t, time.Minute, "task 1 to get SIGUSR1", signalled)
	sc.Process.Kill()
	sc.Wait()
	t.Logf("sent SIGUSR1 to %s_1", job)

	finished := func() bool {
		for _, tk := range m.Tasks {
			st, ok, _ := runfolder.ReadStatus(filepath.Join(dir, tk.Dir))
			if !ok || st.State != runfolder.StateFinished {
				return false
			}
		}
		return true
	}
	waitFor(t, 8*time.Minute, "all tasks to finish", finished)
	watch, _, _ := runCLI(t, "watch", dir, "--once")
	t.Logf("gpa-tui watch --once:\n%s", watch)

	// The requeued task: signal, checkpoint, resume with restart 1, finish.
	ev, _ := runfolder.ReadLog(victim)
	var kinds []string
	var ckptStep, resumeStep int
	resumeMsg := ""
	for _, e := range ev {
		kinds = append(kinds, e.Event)
		switch e.Event {
		case runfolder.EvCheckpoint:
			ckptStep = e.Step
		case runfolder.EvResume:
			resumeStep, resumeMsg = e.Step, e.Message
		}
	}
	if strings.Join(kinds, " ") != "start signal checkpoint resume finish" || resumeMsg != "Slurm restart 1" {
		t.Errorf("task 1 events: %v (resume: %q)", kinds, resumeMsg)
	}
	if ckptStep < 500 || ckptStep != resumeStep {
		t.Errorf("checkpoint at step %d, resumed at %d", ckptStep, resumeStep)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, sweep.LogsDir, job+"_1.out"))
	if len(logs) == 1 {
		b, _ := os.ReadFile(logs[0])
		t.Logf("%s:\n%s", logs[0], b)
		if !bytes.Contains(b, []byte("requeueing job")) || !bytes.Contains(b, []byte("restart 1")) {
			t.Error("the Slurm log of task 1 shows no requeue and restart")
		}
	} else {
		t.Errorf("no Slurm log for task 1: %v", logs)
	}
	if sc, err := exec.Command("scontrol", "show", "job", job+"_1").Output(); err == nil {
		if r := regexp.MustCompile(`Restarts=(\d+)`).FindSubmatch(sc); r == nil || string(r[1]) != "1" {
			t.Errorf("scontrol: Restarts=%s, want 1", r)
		}
	}
	// Its uninterrupted twin, run here from the same task preset.
	twin := filepath.Join(root, "twin")
	if _, e, code := runCLI(t, "run", "--preset", filepath.Join(victim, sweep.TaskPreset), "--steps", steps, "--quiet", "--out", twin); code != 0 {
		t.Fatal(e)
	}
	got, err1 := snapshots.Load(filepath.Join(victim, finalFile))
	want, err2 := snapshots.Load(filepath.Join(twin, finalFile))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !sameBits(got.Particles, want.Particles) {
		t.Error("the requeued task's particles differ from its uninterrupted twin's")
	}
	if !slices.Equal(readLines(t, filepath.Join(victim, metricsFile)), readLines(t, filepath.Join(twin, metricsFile))) {
		t.Error("the requeued task's metrics.jsonl differs from its twin's")
	}
	t.Logf("task 1 was checkpointed at step %d, requeued, resumed and finished at step %d, bit-identical to its twin (%d particles)", ckptStep, got.Step, got.M)
}
