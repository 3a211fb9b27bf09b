package main

import (
	"flag"
	"fmt"
	"io"
	"math"

	"github.com/gpa-tui/gpa-tui/presets"
	"github.com/gpa-tui/gpa-tui/tui"
)

func cmdTUI(args []string, stderr io.Writer) error {
	fs := newFlags("", "[--preset NAME|FILE.toml] [--set k=v]... [--resume FILE.npz] [--snapshot-dir DIR] [--paused] [--fps N] [--bandwidth KB/s]", stderr)
	preset := fs.String("preset", presets.Default, "embedded preset name or a .toml file")
	var sets stringList
	fs.Var(&sets, "set", "override a preset key, section.key=value (repeatable)")
	resume := fs.String("resume", "", "open a saved run (.npz snapshot)")
	dir := fs.String("snapshot-dir", tui.DefaultSnapshotDir, "where the s key saves snapshots")
	paused := fs.Bool("paused", false, "open the run paused (space runs it)")
	fps, bw := screenFlags(fs)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		fs.Usage()
		return errUsage
	}
	if err := checkScreenFlags(*fps, *bw); err != nil {
		return err
	}
	return tui.Run(tui.Options{Preset: *preset, Sets: sets, Resume: *resume, SnapshotDir: *dir, Paused: *paused, FPS: *fps, Bandwidth: budget(*bw)})
}

// screenFlags declares the flags of the screen's frame rate and bandwidth.
func screenFlags(fs *flag.FlagSet) (fps *int, bw *float64) {
	fps = fs.Int("fps", tui.DefaultFPS, "highest frame rate, 1 … 120")
	bw = fs.Float64("bandwidth", tui.DefaultBandwidth/1e3, "budget of KB/s sent to the terminal; a moving run draws fewer frames to stay within it (0: no budget)")
	return fps, bw
}

// checkScreenFlags checks --fps and --bandwidth.
func checkScreenFlags(fps int, bw float64) error {
	if fps < 1 || fps > 120 {
		return fmt.Errorf("--fps %d: want 1 … 120", fps)
	}
	if !(bw >= 0) || math.IsInf(bw, 1) {
		return fmt.Errorf("--bandwidth %g: want KB/s ≥ 0 (0: no budget)", bw)
	}
	return nil
}

// budget turns --bandwidth (KB/s, 0: none) into tui's bytes per second
// (negative: none).
func budget(kbps float64) float64 {
	if kbps == 0 {
		return -1
	}
	return kbps * 1e3
}
