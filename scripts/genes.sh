#!/bin/sh
# Gene-expression table of README "Gene-expression batch merging": the
# gene-bladder-d2/5/10/20 presets (Δt 5, 5000 steps: total time 25,000 as
# Table 5) over seeds; GPA as mean ± sd, the baselines are deterministic.
# Usage: scripts/genes.sh [OUT [SEEDS]]   (default runs/genes, 1…5)
set -u
out=${1:-runs/genes}
seeds=${2:-"1 2 3 4 5"}
bin=${GPA_TUI:-$out/gpa-tui}
[ -x "$bin" ] || go build -o "$bin" ./cmd/gpa-tui || exit 1
for dim in 2 5 10 20; do
	for s in $seeds; do
		d=$out/d$dim/seed$s
		[ -f "$d/comparison.tsv" ] && continue
		mkdir -p "$out/d$dim"
		nice -n 10 "$bin" run --quiet --force --preset gene-bladder-d$dim --seed "$s" --out "$d" >"$d.log" 2>&1
	done
done
python3 scripts/genes_table.py "$out"
