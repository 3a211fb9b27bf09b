#!/bin/sh
# 2-D presets with the paper's ReLU discriminator (spectral normalization)
# and with GroupSort + Björck-orthonormal weights, over seeds, with the
# independent D_L estimate every 250 steps (2000 updates) for the energy
# identity of eq. (27). README: "Full-gradient discriminators on the 2-D
# presets" and "Energy identity".
# Usage: scripts/flows-2d.sh [OUT [SEEDS]]   (default runs/flows-2d, 1 2 3)
set -u
out=${1:-runs/flows-2d}
seeds=${2:-"1 2 3"}
bin=${GPA_TUI:-$out/gpa-tui}
[ -x "$bin" ] || go build -o "$bin" ./cmd/gpa-tui || exit 1
for preset in four-well-L1 gauss-translation mixture-sigma1 four-well-L10; do
	for net in relu/spectral groupsort/bjorck; do
		act=${net%/*} norm=${net#*/}
		for s in $seeds; do
			d=$out/$preset/$act/seed$s
			[ -f "$d.done" ] && continue
			mkdir -p "$out/$preset/$act"
			nice -n 10 "$bin" run --quiet --force --preset "$preset" --seed "$s" --out "$d" \
				--set discriminator.activation="$act" --set discriminator.normalization="$norm" \
				--set flow.estimate_every=250 --set flow.estimate_iters=2000 >"$d.log" 2>&1
			echo $? >"$d.done"
			"$bin" export "$d/final.npz" --csv "$d/particles.csv" >/dev/null 2>&1
		done
	done
done
python3 scripts/flows_2d_table.py "$out"
