package main

import (
	"bytes"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gpa-tui/gpa-tui/runfolder"
	"github.com/gpa-tui/gpa-tui/snapshots"
	"github.com/gpa-tui/gpa-tui/sweep"
)

// self starts this test binary as gpa-tui with args; extra environment
// entries may be given.
func self(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "GPA_TUI_AS_MAIN=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &stderr
}

// waitFor polls cond every 20 ms for up to d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(d); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestOutGuard: a non-empty --out is refused unless --force (which removes
// the old run's files) or the run resumes its own snapshot there.
func TestOutGuard(t *testing.T) {
	dir := t.TempDir()
	if _, e, code := runCLI(t, "run", "--steps", "6", "--checkpoint-every", "3", "--out", dir); code != 0 {
		t.Fatal(e)
	}
	_, e, code := runCLI(t, "run", "--steps", "5", "--out", dir)
	if code == 0 || !strings.Contains(e, "not empty") || !strings.Contains(e, "--force") {
		t.Errorf("second run into %s: exit %d, %q", dir, code, e)
	}
	if st, _ := snapshots.Load(filepath.Join(dir, finalFile)); st == nil || st.Step != 6 {
		t.Error("the refused run touched final.npz")
	}
	// Resuming the folder's own snapshot is allowed.
	if _, e, code := runCLI(t, "run", "--resume", filepath.Join(dir, finalFile), "--steps", "9", "--out", dir); code != 0 {
		t.Fatalf("resume into its own folder: %s", e)
	}
	// --force replaces the earlier run: no checkpoint or events of it remain.
	if _, e, code := runCLI(t, "run", "--steps", "4", "--force", "--out", dir); code != 0 {
		t.Fatal(e)
	}
	if _, err := os.Stat(filepath.Join(dir, checkpointFile)); !os.IsNotExist(err) {
		t.Errorf("--force left the old checkpoint.npz (%v)", err)
	}
	log, _ := runfolder.ReadLog(dir)
	if len(log) != 2 || log[0].Event != runfolder.EvStart || log[1].Event != runfolder.EvFinish || log[1].Step != 4 {
		t.Errorf("events.jsonl after --force: %+v", log)
	}
	if n := len(readLines(t, filepath.Join(dir, metricsFile))); n != 4 {
		t.Errorf("metrics.jsonl has %d lines, want 4", n)
	}
}

// TestSeedChecked: --seed takes integers ≥ 0; -7 is an error, not "the
// preset's seed".
func TestSeedChecked(t *testing.T) {
	_, e, code := runCLI(t, "run", "--seed", "-7", "--steps", "1", "--out", t.TempDir())
	if code != 2 || !strings.Contains(e, `"-7"`) {
		t.Errorf("--seed -7: exit %d, %q", code, e)
	}
	a, b := t.TempDir(), t.TempDir()
	runCLI(t, "run", "--seed", "0", "--steps", "2", "--out", a)
	runCLI(t, "run", "--seed", "7", "--steps", "2", "--out", b)
	sa, _ := snapshots.Load(filepath.Join(a, finalFile))
	sb, _ := snapshots.Load(filepath.Join(b, finalFile))
	if sa == nil || sb == nil || sa.Config.Seed != 0 || sb.Config.Seed != 7 || sameBits(sa.Initial, sb.Initial) {
		t.Error("--seed 0 and --seed 7 did not give seeds 0 and 7")
	}
}

// TestLockAndSignalDuringPreparation: the folder is locked before the
// (here artificially slow) preparation, a second run into it refuses
// naming the holder's PID, and SIGUSR1 during preparation gives a
// checkpoint at the first step boundary and exit 75.
func TestLockAndSignalDuringPreparation(t *testing.T) {
	dir := t.TempDir()
	cmd, stderr := self(t, []string{"GPA_TUI_TEST_PREP_DELAY=1500ms"}, "run", "--steps", "1000000", "--out", dir)
	waitFor(t, 10*time.Second, "the lock", func() bool {
		_, err := os.Stat(filepath.Join(dir, runfolder.LockFile))
		return err == nil
	})
	_, e, code := runCLI(t, "run", "--steps", "5", "--force", "--out", dir)
	if code == 0 || !strings.Contains(e, "PID "+strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("second run while the first prepares: exit %d, %q (want the PID %d)", code, e, cmd.Process.Pid)
	}
	if st, ok, _ := runfolder.ReadStatus(dir); !ok || st.State != runfolder.StateStarting {
		t.Errorf("status while preparing: %+v", st)
	}
	cmd.Process.Signal(syscall.SIGUSR1)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitRequeue {
		t.Errorf("exit %d, want %d; %s", code, exitRequeue, stderr)
	}
	if !strings.Contains(stderr.String(), "while preparing") {
		t.Errorf("no word of the signal during preparation: %s", stderr)
	}
	st, err := snapshots.Load(filepath.Join(dir, checkpointFile))
	if err != nil || st.Step != 0 {
		t.Fatalf("checkpoint: %v (step %v)", err, st)
	}
	if _, err := os.Stat(filepath.Join(dir, runfolder.LockFile)); !os.IsNotExist(err) {
		t.Errorf("the lock is still there (%v)", err)
	}
}

// TestProgressLines: without a terminal, a run prints progress lines with
// the step, the rate, the ETA, D̂ and MMD².
func TestProgressLines(t *testing.T) {
	dir := t.TempDir()
	_, e, code := runCLI(t, "run", "--steps", "400", "--progress-every", "1ms", "--out", dir)
	if code != 0 {
		t.Fatal(e)
	}
	re := regexp.MustCompile(`(?m)^\d\d:\d\d:\d\d step (\d+)/400 \(\d+%\)  (?:[0-9.e+]+|–) steps/s  ETA \S+  D̂ \S+  MMD² \S+$`)
	lines := re.FindAllStringSubmatch(e, -1)
	if len(lines) < 2 {
		t.Fatalf("want progress lines, got:\n%s", e)
	}
	if last := lines[len(lines)-1][1]; last != "400" {
		t.Errorf("the last progress line is at step %s", last)
	}
	if strings.Contains(e, "\r") || strings.Contains(e, "\x1b[") {
		t.Errorf("terminal control characters in a batch log: %q", e)
	}
	if _, e, _ := runCLI(t, "run", "--steps", "50", "--quiet", "--progress-every", "1ms", "--out", t.TempDir()); strings.Contains(e, "step") {
		t.Errorf("--quiet printed progress: %q", e)
	}
}

// TestResumeSet: --resume --set changes mid-run parameters, recorded as
// events at the resumed step; other keys are refused before anything is
// written.
func TestResumeSet(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	if _, e, code := runCLI(t, "run", "--steps", "5", "--out", a); code != 0 {
		t.Fatal(e)
	}
	_, e, code := runCLI(t, "run", "--resume", filepath.Join(a, finalFile), "--set", "flow.steps=9", "--out", b)
	if code == 0 || !strings.Contains(e, "mid-run") {
		t.Errorf("--set flow.steps on resume: exit %d, %q", code, e)
	}
	if entries, _ := os.ReadDir(b); len(entries) != 0 {
		t.Errorf("a refused resume wrote %d files", len(entries))
	}
	if _, e, code := runCLI(t, "run", "--resume", filepath.Join(a, finalFile), "--set", "L=0.5", "--set", "flow.dt=0.25", "--steps", "8", "--out", b); code != 0 {
		t.Fatal(e)
	}
	st, err := snapshots.Load(filepath.Join(b, finalFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Events) != 2 || st.Events[0].Step != 5 || st.Events[0].Param != "lipschitz" || st.Events[0].New != 0.5 ||
		st.Events[1].Param != "dt" || st.Events[1].New != 0.25 || st.Config.Flow.Dt != 0.25 {
		t.Errorf("events %+v, dt %g", st.Events, st.Config.Flow.Dt)
	}
	log, _ := runfolder.ReadLog(b)
	if len(log) < 3 || log[0].Event != runfolder.EvResume || log[1].Event != runfolder.EvSet || log[1].By != "--set" {
		t.Errorf("events.jsonl: %+v", log)
	}
}

// TestCheckpointFailures: a rolling checkpoint that cannot be written is a
// warning (the run goes on and the next one retries); the final snapshot
// that cannot be written is an error.
func TestCheckpointFailures(t *testing.T) {
	dir := t.TempDir()
	if _, e, code := runCLI(t, "run", "--steps", "4", "--out", dir); code != 0 {
		t.Fatal(e)
	}
	// A non-empty directory where checkpoint.npz goes: the rename fails.
	os.MkdirAll(filepath.Join(dir, checkpointFile, "x"), 0o755)
	_, e, code := runCLI(t, "run", "--resume", filepath.Join(dir, finalFile), "--steps", "12", "--checkpoint-every", "4", "--out", dir)
	if code != 0 || strings.Count(e, "rolling checkpoint at step") != 2 || !strings.Contains(e, "the next one retries") {
		t.Errorf("failed rolling checkpoints: exit %d, %q", code, e)
	}
	if st, _ := snapshots.Load(filepath.Join(dir, finalFile)); st == nil || st.Step != 12 {
		t.Error("the run did not finish after failed rolling checkpoints")
	}
	log, _ := runfolder.ReadLog(dir)
	warnings := 0
	for _, e := range log {
		if e.Event == runfolder.EvWarning {
			warnings++
		}
	}
	if warnings != 2 {
		t.Errorf("%d warnings in events.jsonl, want 2", warnings)
	}
	os.RemoveAll(filepath.Join(dir, checkpointFile))
	os.Rename(filepath.Join(dir, finalFile), filepath.Join(dir, "at12.npz"))
	os.MkdirAll(filepath.Join(dir, finalFile, "x"), 0o755)
	_, e, code = runCLI(t, "run", "--resume", filepath.Join(dir, "at12.npz"), "--steps", "14", "--out", dir)
	if code != 1 {
		t.Errorf("failed final snapshot: exit %d, %q", code, e)
	}
	if st, _, _ := runfolder.ReadStatus(dir); st.State != runfolder.StateFailed {
		t.Errorf("status %q after a failed final snapshot", st.State)
	}
}

// TestNothingTruncatedBeforeValidation: a resume that fails (a snapshot
// that does not load, or whose history is damaged) leaves the folder's
// files as they were; stale temporary files of ours are removed.
func TestNothingTruncatedBeforeValidation(t *testing.T) {
	dir := t.TempDir()
	if _, e, code := runCLI(t, "run", "--steps", "6", "--out", dir); code != 0 {
		t.Fatal(e)
	}
	before, _ := os.ReadFile(filepath.Join(dir, metricsFile))
	st, _ := snapshots.Load(filepath.Join(dir, finalFile))
	st.History.Rows[0] = math.NaN() // the step of row 1
	if err := snapshots.Save(filepath.Join(dir, "damaged.npz"), st); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "junk.npz"), []byte("PK not really"), 0o644)
	stale := []string{".checkpoint.npz.tmp-123", ".tmp-preset.toml-9", ".metrics.jsonl.tmp-x"}
	for _, s := range stale {
		os.WriteFile(filepath.Join(dir, s), []byte("left by a killed run"), 0o644)
	}
	for _, snap := range []string{"junk.npz", "damaged.npz"} {
		_, e, code := runCLI(t, "run", "--resume", filepath.Join(dir, snap), "--steps", "9", "--out", dir)
		if code == 0 {
			t.Errorf("resume from %s succeeded", snap)
		}
		if after, _ := os.ReadFile(filepath.Join(dir, metricsFile)); !bytes.Equal(before, after) {
			t.Errorf("resume from %s (%s) changed metrics.jsonl", snap, strings.TrimSpace(e))
		}
	}
	for _, s := range stale {
		if _, err := os.Stat(filepath.Join(dir, s)); !os.IsNotExist(err) {
			t.Errorf("stale %s not removed (%v)", s, err)
		}
	}
}

// TestSweepLocal: a 2×2 sweep run here with two workers; every task
// finishes; watch --once and report show them; a task interrupted with
// SIGUSR1 (exit 75) and run again resumes from its checkpoint and ends
// bit-identical to its uninterrupted twin.
func TestSweepLocal(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "sw")
	out, e, code := runCLI(t, "sweep", "--preset", "four-well-L1", "--grid", "discriminator.lipschitz=1,10", "--seeds", "1-2",
		"--steps", "40", "--set", "target.n=64", "--set", "prior.n=64", "--out", dir, "--time", "0:05:00")
	if code != 0 || !strings.Contains(out, "4 tasks") {
		t.Fatalf("sweep: %d %s %s", code, out, e)
	}
	script, _ := os.ReadFile(filepath.Join(dir, sweep.ScriptFile))
	for _, want := range []string{"#SBATCH --array=0-3", "#SBATCH --signal=B:USR1@120", "#SBATCH --requeue", "#SBATCH --time=0:05:00", "scontrol requeue"} {
		if !bytes.Contains(script, []byte(want)) {
			t.Errorf("the batch script lacks %q", want)
		}
	}
	if _, e, code := runCLI(t, "sweep", "--preset", "four-well-L1", "--grid", "flow.dt=1", "--out", dir); code == 0 {
		t.Errorf("a second sweep into %s: %s", dir, e)
	}
	cmd, log := self(t, nil, "sweep", "--continue", dir, "--local", "2")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("--local: %v\n%s", err, log)
	}
	if strings.Count(log.String(), "finished at step 40") != 4 {
		t.Errorf("--local output:\n%s", log)
	}
	out, _, _ = runCLI(t, "watch", dir, "--once")
	if strings.Count(out, "finished") != 4 || strings.Count(out, "40/40") != 4 {
		t.Errorf("watch --once:\n%s", out)
	}
	out, e, code = runCLI(t, "report", dir)
	if code != 0 {
		t.Fatal(e)
	}
	tsv := readLines(t, filepath.Join(dir, "report.tsv"))
	if len(tsv) != 5 || !strings.HasPrefix(tsv[0], "task\tdiscriminator.lipschitz\tseed\tstate\tstep\tdivergence") {
		t.Errorf("report.tsv:\n%s", strings.Join(tsv, "\n"))
	}
	f, err := os.Open(filepath.Join(dir, "report.png"))
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil || img.Bounds().Dx() != 900 {
		t.Errorf("report.png: %v", err)
	}
	// Task 1 again: it finished, so it is not run again.
	if out, _, code := runCLI(t, "task", dir, "1"); code != 0 || !strings.Contains(out, "finished already") {
		t.Errorf("task 1 again: %d %s", code, out)
	}

	// Interrupt a longer task and run it again.
	dir2 := filepath.Join(root, "sw2")
	if _, e, code := runCLI(t, "sweep", "--preset", "four-well-L1", "--grid", "flow.dt=0.5,1", "--steps", "3000",
		"--set", "target.n=64", "--set", "prior.n=64", "--out", dir2); code != 0 {
		t.Fatal(e)
	}
	m, _ := sweep.Load(dir2)
	tdir := filepath.Join(dir2, m.Tasks[1].Dir)
	cmd, log = self(t, nil, "task", dir2, "1")
	waitFor(t, 30*time.Second, "task 1 to step", func() bool {
		b, _ := os.ReadFile(filepath.Join(tdir, metricsFile))
		return bytes.Count(b, []byte("\n")) > 50
	})
	cmd.Process.Signal(syscall.SIGUSR1)
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitRequeue {
		t.Fatalf("task after SIGUSR1: exit %d, want %d\n%s", code, exitRequeue, log)
	}
	ck, err := snapshots.Load(filepath.Join(tdir, checkpointFile))
	if err != nil || ck.Step < 1 || ck.Step >= 3000 {
		t.Fatalf("checkpoint: %v, step %d", err, ck.Step)
	}
	if out, e, code := runCLI(t, "task", dir2, "1"); code != 0 {
		t.Fatalf("task 1 resumed: %s %s", out, e)
	}
	twin := filepath.Join(root, "twin")
	if _, e, code := runCLI(t, "run", "--preset", filepath.Join(tdir, sweep.TaskPreset), "--steps", "3000", "--out", twin); code != 0 {
		t.Fatal(e)
	}
	got, _ := snapshots.Load(filepath.Join(tdir, finalFile))
	want, _ := snapshots.Load(filepath.Join(twin, finalFile))
	if got == nil || want == nil || !sameBits(got.Particles, want.Particles) {
		t.Error("the interrupted task's particles differ from its uninterrupted twin")
	}
	if !slices.Equal(readLines(t, filepath.Join(tdir, metricsFile)), readLines(t, filepath.Join(twin, metricsFile))) {
		t.Error("the interrupted task's metrics.jsonl differs from its twin's")
	}
	ev, _ := runfolder.ReadLog(tdir)
	var kinds []string
	for _, e := range ev {
		kinds = append(kinds, e.Event)
	}
	if strings.Join(kinds, " ") != "start signal checkpoint resume finish" {
		t.Errorf("task events: %v", kinds)
	}
}
