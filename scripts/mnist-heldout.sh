#!/bin/sh
# Held-out stopping on mnist-latent-200 (README "Stopping image runs before
# they copy"): runs with flow.stop = best-heldout over seeds (the preset holds
# out 100 training images per class), then the Theorem 5.1 estimates at the
# end (--bound-iters, --bound-seeds defaults). Prints, per seed, the chosen
# (best held-out) step with its accuracy and near-copy share, and the
# metrics at every measured step.
# Usage: scripts/mnist-heldout.sh [OUT [SEEDS [STEPS]]]   (default runs/mnist, 1 2 3, 4000)
set -u
out=${1:-runs/mnist}
seeds=${2:-"1 2 3"}
steps=${3:-4000}
bin=${GPA_TUI:-$out/gpa-tui}
[ -x "$bin" ] || go build -o "$bin" ./cmd/gpa-tui || exit 1
for s in $seeds; do
	d=$out/seed$s
	[ -f "$d/final.npz" ] && continue
	mkdir -p "$out"
	nice -n 10 "$bin" run --quiet --force --preset mnist-latent-200 --seed "$s" --steps "$steps" \
		--set flow.stop=best-heldout --out "$d" >"$d.log" 2>&1
done
python3 scripts/mnist_heldout_table.py "$out"
