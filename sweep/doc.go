// Package sweep expands a grid of preset values into tasks (one run folder
// each), writes the manifest and a Slurm batch script (one array task per
// configuration), reads the state of every task for gpa-tui watch, and
// writes the comparison table and plot of gpa-tui report. Slurm is the
// distributed engine: the package writes scripts and reads files, it
// schedules nothing itself.
//
// Layout of a sweep folder:
//
//	sweep.json       the manifest: preset, overrides, grid axes, tasks
//	sweep.sbatch     the batch script (sbatch sweep.sbatch, or gpa-tui sweep --submit)
//	jobs.txt         Slurm job IDs of the submissions
//	logs/            Slurm's output files (%A_%a.out, appended across requeues), local workers' logs
//	tasks/NNN-…/     one run folder per task (see package runfolder), with task.toml, its preset
//	report.tsv, report.png   written by gpa-tui report
package sweep
