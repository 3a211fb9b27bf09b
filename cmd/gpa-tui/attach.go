package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gpa-tui/gpa-tui/sweep"
	"github.com/gpa-tui/gpa-tui/tui"
)

func cmdAttach(args []string, stderr io.Writer) error {
	fs := newFlags("attach", "attach DIR [--wait 1m]", stderr)
	wait := fs.Duration("wait", time.Minute, "how long to wait for the run's first state (it answers at its next step boundary)")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		fs.Usage()
		return fmt.Errorf("attach: want one run folder (the --out of a running gpa-tui run)")
	}
	if _, err := os.Stat(filepath.Join(pos[0], sweep.ManifestFile)); err == nil {
		return fmt.Errorf("attach: %s is a sweep; follow its tasks with: gpa-tui watch %s", pos[0], pos[0])
	}
	return tui.Attach(tui.AttachOptions{Dir: pos[0], Wait: *wait})
}
