#!/bin/sh
# README "Results on the paper's 2-D experiments": every 2-D preset at its
# own settings, seed 1. Usage: scripts/table-2d.sh [OUT]   (default runs/table-2d)
set -u
out=${1:-runs/table-2d}
bin=${GPA_TUI:-$out/gpa-tui}
[ -x "$bin" ] || go build -o "$bin" ./cmd/gpa-tui || exit 1
for p in four-well-L1 four-well-L10 four-well-L100 four-well-Linf mixture-sigma1 gauss-translation \
	student-t-alpha2 student-t-kl student-t-alpha2-dv student-t-kl-dv; do
	[ -f "$out/$p.done" ] && continue
	mkdir -p "$out"
	nice -n 10 "$bin" run --quiet --force --preset "$p" --out "$out/$p" >"$out/$p.log" 2>&1
	echo $? >"$out/$p.done"
	"$bin" export "$out/$p/final.npz" --csv "$out/$p/particles.csv" >/dev/null 2>&1
done
for p in "$out"/*/; do [ -s "$p/metrics.jsonl" ] && python3 scripts/run_summary.py "${p%/}"; done
