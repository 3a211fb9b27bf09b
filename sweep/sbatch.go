package sweep

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gpa-tui/gpa-tui/runfolder"
)

// defaultSignalLead is how long before the time limit Slurm sends
// SIGUSR1 (sbatch --signal=B:USR1@120, as the issue asks). Slurm checks
// time limits only every 30 s, so the warning comes 120–150 s early.
const defaultSignalLead = 120

// Script is the batch script of a sweep: one array task per configuration.
// The batch shell gets Slurm's signals (--signal=B:…) and forwards them to
// gpa-tui, which runs as its child so that bash can run the trap at once
// (bash runs traps only when the foreground command returns; it waits
// with `wait`, which a trapped signal interrupts). After SIGUSR1, the
// time-limit warning, gpa-tui checkpoints and exits 75, and the task
// requeues itself; a requeued task resumes from its checkpoint.
func Script(dir string, m *Manifest) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	s := m.Slurm
	lead := defaultSignalLead
	if s != nil && s.SignalLead > 0 {
		lead = s.SignalLead
	}
	array := fmt.Sprintf("0-%d", len(m.Tasks)-1)
	if s != nil && s.MaxParallel > 0 {
		array += "%" + strconv.Itoa(s.MaxParallel)
	}
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("#!/bin/bash")
	w("# Written by gpa-tui sweep: one array task per configuration of %s.", ManifestFile)
	w("# Submit with: sbatch %s   (gpa-tui sweep --continue %s --submit does the same)", shellQuote(filepath.Join(abs, ScriptFile)), shellQuote(abs))
	w("#SBATCH --job-name=%s", jobName(m.Preset))
	w("#SBATCH --array=%s", array)
	w("#SBATCH --output=%s", filepath.Join(abs, LogsDir, "%A_%a.out"))
	w("#SBATCH --open-mode=append")
	w("#SBATCH --signal=B:USR1@%d", lead)
	w("#SBATCH --requeue")
	if s != nil {
		opt := func(name, v string) {
			if v != "" {
				w("#SBATCH --%s=%s", name, v)
			}
		}
		opt("partition", s.Partition)
		opt("time", s.Time)
		opt("mem", s.Mem)
		if s.CPUsPerTask > 0 {
			opt("cpus-per-task", strconv.Itoa(s.CPUsPerTask))
		}
		opt("gres", s.Gres)
		opt("account", s.Account)
		opt("qos", s.QOS)
		opt("constraint", s.Constraint)
		for _, e := range s.Extra {
			w("#SBATCH %s", e)
		}
	}
	w("")
	w("set -u")
	w("echo \"$(date '+%%F %%T') task ${SLURM_ARRAY_TASK_ID} on $(hostname), job ${SLURM_JOB_ID}, restart ${SLURM_RESTART_COUNT:-0}\"")
	w("%s task %s \"$SLURM_ARRAY_TASK_ID\" &", shellQuote(m.Binary), shellQuote(abs))
	w("child=$!")
	w("trap 'kill -USR1 \"$child\" 2>/dev/null' USR1")
	w("trap 'kill -TERM \"$child\" 2>/dev/null' TERM INT HUP")
	w("while :; do")
	w("  wait \"$child\"; rc=$?")
	w("  kill -0 \"$child\" 2>/dev/null || break   # a trap interrupted wait: the child still runs")
	w("done")
	w("if [ \"$rc\" -eq 75 ]; then")
	w("  # Checkpointed before the time limit: run again, resuming from the checkpoint.")
	w("  echo \"$(date '+%%F %%T') requeueing job ${SLURM_JOB_ID}\"")
	w("  scontrol requeue \"$SLURM_JOB_ID\"")
	w("fi")
	w("exit \"$rc\"")
	return b.String()
}

// WriteScript writes sweep.sbatch (mode 0777 less the umask).
func WriteScript(dir string, m *Manifest) error {
	return runfolder.WriteFileMode(filepath.Join(dir, ScriptFile), []byte(Script(dir, m)), 0o777)
}

// jobName is "gpa-" and the preset's name, kept to safe characters.
func jobName(preset string) string {
	base := strings.TrimSuffix(filepath.Base(preset), ".toml")
	return "gpa-" + fileWord(base)
}

// shellQuote quotes s for bash.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
