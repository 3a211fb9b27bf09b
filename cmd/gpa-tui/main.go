// Command gpa-tui is a terminal workbench for Lipschitz-regularized
// generative particle algorithms (GPA). With no subcommand it opens the live
// TUI on the default preset; the headless subcommands run flows, estimate
// divergences and work with snapshots.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gpa-tui/gpa-tui/lipnet"
)

const usage = `gpa-tui — Lipschitz-regularized generative particles, live in the terminal

Usage:
  gpa-tui [--preset NAME|FILE.toml] [--set section.key=value]... [--resume SNAPSHOT] [--snapshot-dir DIR]
                                  open the live workbench (default preset: four-well-L1)
  gpa-tui run --preset NAME --out DIR [--steps N] [--seed S] [--set k=v]... [--checkpoint-every K]
  gpa-tui run --resume FILE.npz --out DIR [--steps N] [--set L=…]
                                  run a flow headless; write metrics.jsonl, final.npz, preset.toml
  gpa-tui attach DIR              open the workbench on a headless run in DIR (this node or another,
                                  through a shared file system); the keys steer it, q detaches
  gpa-tui sweep --preset NAME --grid key=v1,v2,… [--grid …] [--seeds 1-5] --out DIR [--submit | --local N]
                                  a grid of runs: one folder per task, a manifest, a Slurm array script
  gpa-tui task DIR I              run task I of a sweep (what its batch script runs; resumes a checkpoint)
  gpa-tui watch DIR               every task of a sweep, live (Enter attaches to one)
  gpa-tui report DIR [--metric mmd2]
                                  a sweep's table (report.tsv) and a plot of a metric (report.png)
  gpa-tui compare --preset NAME --out DIR [--seeds 1,2,3] [--steps N] [--only LABEL]... [--jobs J]
                                  run a comparison preset's methods; write compare.tsv, compare.md, compare.png
  gpa-tui divergence --p FILE --q FILE [--f kl] [--lipschitz 1] [--iters N] [--seed S]
                                  estimate D_f^{Γ_L}(P‖Q) between two sample files
  gpa-tui presets [show NAME]     list the embedded presets, or print one as TOML
  gpa-tui export FILE.npz [--png out.png] [--csv out.csv]
                                  plot a snapshot, or write its particles as CSV
  gpa-tui inspect FILE.npz        what a snapshot holds

Run 'gpa-tui COMMAND --help' for a command's flags.
`

// errUsage marks an error already explained by a usage message.
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var err error
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "":
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprint(stdout, usage)
			return 0
		}
		err = cmdTUI(args, stderr)
	case "run":
		err = cmdRun(args, stdout, stderr)
	case "attach":
		err = cmdAttach(args, stderr)
	case "sweep":
		err = cmdSweep(args, stdout, stderr)
	case "task":
		err = cmdTask(args, stdout, stderr)
	case "watch":
		err = cmdWatch(args, stdout, stderr)
	case "report":
		err = cmdReport(args, stdout, stderr)
	case "compare":
		err = cmdCompare(args, stdout, stderr)
	case "divergence":
		err = cmdDivergence(args, stdout, stderr)
	case "presets":
		err = cmdPresets(args, stdout, stderr)
	case "export":
		err = cmdExport(args, stdout, stderr)
	case "inspect":
		err = cmdInspect(args, stdout, stderr)
	case "help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "gpa-tui: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ee.msg != "" {
			fmt.Fprintf(stderr, "gpa-tui: %s\n", ee.msg)
		}
		return ee.code
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintf(stderr, "gpa-tui: %v\n", err)
		return 1
	}
}

// stringList is a repeatable string flag (--set a=1 --set b=2).
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// newFlags returns a FlagSet that prints its usage to stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Func("threads", "threads of the network kernels (default: all CPUs this process may use; results are bit-identical for any count)", func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return fmt.Errorf("want a number of threads 1 … 1024")
		}
		lipnet.SetThreads(n)
		return nil
	})
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: gpa-tui %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and maps flag errors to errUsage. Positional
// arguments may come before or after flags.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
