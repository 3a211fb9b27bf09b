package main

import (
	"io"

	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/tui"
)

func cmdTUI(args []string, stderr io.Writer) error {
	fs := newFlags("", "[--preset NAME|FILE.toml] [--set k=v]... [--resume FILE.npz] [--snapshot-dir DIR]", stderr)
	preset := fs.String("preset", presets.Default, "embedded preset name or a .toml file")
	var sets stringList
	fs.Var(&sets, "set", "override a preset key, section.key=value (repeatable)")
	resume := fs.String("resume", "", "open a saved run (.npz snapshot)")
	dir := fs.String("snapshot-dir", tui.DefaultSnapshotDir, "where the s key saves snapshots")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return errUsage
	}
	return tui.Run(tui.Options{Preset: *preset, Sets: sets, Resume: *resume, SnapshotDir: *dir})
}
