#!/usr/bin/env bash
# End-to-end check of the live workbench in a real terminal (tmux):
#   start gpa-tui at 100×30 → braille dots appear → L raises L →
#   s writes a snapshot → q asks (steps since the save) → q exits with
#   status 0; then the gene preset
#   gene-bladder-d10 at 80×24 → the comparison table appears → g hides it →
#   q exits with status 0; then four-well-Linf (L = ∞, normalization none)
#   at 100×30 → it opens paused → l seven times takes L from ∞ to 1 and
#   switches φ to spectral normalization → :goto 500 runs 500 steps → no
#   divergence, and the largest speed is within L (the side panel's check).
#
# Usage: tui/e2e/tmux_e2e.sh [path/to/gpa-tui]
# Without an argument it builds ./cmd/gpa-tui from the repository root.
# Needs bash, tmux and go (to build). Takes a few seconds; exits non-zero
# with the last screen on failure. Uses its own tmux socket, so it never
# touches the user's tmux sessions.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
sock="gpa-e2e-$$"
session="gpa"
t() { tmux -L "$sock" "$@"; }
cleanup() {
	t kill-server 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

command -v tmux >/dev/null || { echo "e2e: tmux not found" >&2; exit 1; }

bin="${1:-}"
if [[ -z "$bin" ]]; then
	bin="$work/gpa-tui"
	(cd "$root" && go build -o "$bin" ./cmd/gpa-tui)
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

snaps="$work/snaps"
t -f /dev/null new-session -d -s "$session" -x 100 -y 30 \
	"cd '$work' && TERM=xterm-256color '$bin' --snapshot-dir '$snaps'; echo \$? > '$work/exit'; sleep 30"

screen() { t capture-pane -p -t "$session"; }
fail() {
	echo "e2e: FAIL: $*" >&2
	echo "----- screen -----" >&2
	screen >&2 || true
	exit 1
}
# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND every 0.1 s.
wait_for() {
	local what="$1" secs="$2"
	shift 2
	local i
	for ((i = 0; i < secs * 10; i++)); do
		if "$@"; then
			return 0
		fi
		sleep 0.1
	done
	fail "$what (after ${secs}s)"
}

# Braille patterns U+2801–U+28FF are E2 A0 81 … E2 A3 BF in UTF-8.
has_braille() { screen | LC_ALL=C grep -q $'\xe2[\xa0-\xa3][\x80-\xbf]'; }
# The header line reads "… L <value>  Δt …".
header_L() { screen | head -n 1 | sed -n 's/.*  L \([^ ]*\)  .*/\1/p'; }
L_changed() { local l; l="$(header_L)"; [[ -n "$l" && "$l" != "$L0" ]]; }
status_saved() { screen | grep -q 'saved '; }
has_snapshot() { compgen -G "$snaps/*.npz" >/dev/null; }
exited() { [[ -s "$work/exit" ]]; }

wait_for "braille dots on screen" 20 has_braille
L0="$(header_L)"
[[ -n "$L0" ]] || fail "no L in the header"
echo "e2e: dots visible, L = $L0"

t send-keys -t "$session" L
wait_for "L to change from $L0" 10 L_changed
echo "e2e: L = $(header_L)"

t send-keys -t "$session" s
wait_for "a snapshot in $snaps" 20 has_snapshot
wait_for "the status line to show the path" 5 status_saved
echo "e2e: saved $(ls "$snaps")"

# The flow went on after the save: q asks first, q again quits unsaved.
t send-keys -t "$session" q
asks() { screen | grep -q 'unsaved — s: save and quit'; }
wait_for "q to ask about the unsaved steps" 5 asks
t send-keys -t "$session" q
wait_for "gpa-tui to exit" 10 exited
code="$(cat "$work/exit")"
[[ "$code" == 0 ]] || fail "exit status $code"
echo "e2e: q asked (unsaved steps), q quit; exit 0"

# A batch-merging run: the comparison table with ComBat, and g toggles it.
rm -f "$work/exit"
t kill-session -t "$session"
t -f /dev/null new-session -d -s "$session" -x 80 -y 24 \
	"cd '$work' && TERM=xterm-256color '$bin' --preset gene-bladder-d10; echo \$? > '$work/exit'; sleep 30"
has_table() { screen | grep -q 'ComBat'; }
no_table() { ! has_table; }
wait_for "the gene comparison table" 20 has_table
t send-keys -t "$session" g
wait_for "g to hide the table" 5 no_table
t send-keys -t "$session" q
sleep 0.5
t send-keys -t "$session" q
wait_for "gpa-tui to exit" 10 exited
code="$(cat "$work/exit")"
[[ "$code" == 0 ]] || fail "exit status $code (gene run)"
echo "e2e: gene table, g, exit 0"

# Recovery: the unconstrained four wells open paused; lowering L to 1
# enforces the speed limit and the flow no longer diverges.
rm -f "$work/exit"
t kill-session -t "$session"
t -f /dev/null new-session -d -s "$session" -x 100 -y 30 \
	"cd '$work' && TERM=xterm-256color '$bin' --preset four-well-Linf; echo \$? > '$work/exit'; sleep 30"
opened_paused() { screen | head -n 1 | grep -q 'PAUSED  four-well-Linf.*step 0 '; }
wait_for "four-well-Linf to open paused at step 0" 20 opened_paused
for _ in 1 2 3 4 5 6 7; do
	t send-keys -t "$session" l
	sleep 0.1
done
L_is_1() { [[ "$(header_L)" == 1 ]]; }
wait_for "l ×7 to take L from ∞ to 1" 5 L_is_1
t send-keys -t "$session" m
spectral() { screen | grep -q 'now spectral at L = 100'; }
wait_for "the log to say φ switched to spectral normalization" 5 spectral
t send-keys -t "$session" m
t send-keys -t "$session" ':goto 500' Enter
reached() { screen | grep -q 'reached step 500'; }
wait_for "500 steps" 60 reached
screen | head -n 1 | grep -q DIVERGED && fail "diverged at L = 1"
screen | grep -q '|v|max .* ≤ L ok' || fail "the speed check does not say |v|max ≤ L"
echo "e2e: four-well-Linf: paused at 0, L ∞ → 1 (spectral), 500 steps, $(screen | grep -o '|v|max [^ ]* ≤ L ok' | head -n 1)"
t send-keys -t "$session" q
sleep 0.5
t send-keys -t "$session" q
wait_for "gpa-tui to exit" 10 exited
code="$(cat "$work/exit")"
[[ "$code" == 0 ]] || fail "exit status $code (four-well-Linf)"
echo "e2e: PASS"
