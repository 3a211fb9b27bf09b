package main

import (
	"fmt"
	"io"
	"time"

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
	return tui.Attach(tui.AttachOptions{Dir: pos[0], Wait: *wait})
}
