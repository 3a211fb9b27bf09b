package main

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gpa-tui/gpa-tui/presets"
)

func cmdPresets(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("presets", "presets [show NAME]", stderr)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 0:
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, p := range presets.List() {
			mark := ""
			if p.Name == presets.Default {
				mark = " (default)"
			}
			fig := p.Figure
			if fig == "" {
				fig = "–"
			}
			fmt.Fprintf(tw, "%s%s\t%s\t%s\n", p.Name, mark, fig, p.Description)
		}
		return tw.Flush()
	case pos[0] == "show" && len(pos) == 2:
		src, _, err := presets.Source(pos[1])
		if err != nil {
			return err
		}
		_, err = stdout.Write(src)
		return err
	default:
		fs.Usage()
		return errUsage
	}
}
