#!/usr/bin/env bash
# End-to-end checks of runs that outlive the terminal, in real terminals
# (tmux):
#   1. the workbench gets SIGHUP, then SIGTERM: each time it writes a
#      snapshot, restores the terminal, prints where the snapshot is and
#      exits 0; a tmux session killed under it (a real hangup) also leaves
#      a snapshot;
#   2. a headless run (gpa-tui run --out DIR) with two viewers attached in
#      tmux: L in one raises the run's L (the run's events.jsonl records it
#      with its step, both screens show it), the second viewer is counted,
#      the first viewer is killed with SIGKILL and the run goes on, space
#      pauses and resumes the run, q detaches with status 0 and the run
#      goes on; SIGTERM to the run writes its checkpoint.
#
# Usage: tui/e2e/cluster_e2e.sh [path/to/gpa-tui]
# Needs bash, tmux, pgrep and go (to build). Takes about a minute; exits
# non-zero with the last screen on failure. Uses its own tmux socket.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"
sock="gpa-cluster-e2e-$$"
runpid=""
t() { tmux -L "$sock" "$@"; }
cleanup() {
	t kill-server 2>/dev/null || true
	if [[ -n "$runpid" ]] && kill -0 "$runpid" 2>/dev/null; then kill "$runpid"; fi
	rm -rf "$work"
}
trap cleanup EXIT

bin="${1:-}"
if [[ -z "$bin" ]]; then
	bin="$work/gpa-tui"
	(cd "$root" && go build -o "$bin" ./cmd/gpa-tui)
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

screen() { t capture-pane -p -J -t "$1"; }
fail() {
	echo "e2e: FAIL: $*" >&2
	for s in $(t list-sessions -F '#{session_name}' 2>/dev/null); do
		echo "----- screen $s -----" >&2
		screen "$s" >&2 || true
	done
	[[ -f "$work/run/events.jsonl" ]] && { echo "----- events.jsonl -----" >&2; cat "$work/run/events.jsonl" >&2; }
	exit 1
}
# wait_for DESCRIPTION SECONDS COMMAND...: poll COMMAND every 0.1 s.
wait_for() {
	local what="$1" secs="$2"
	shift 2
	local i
	for ((i = 0; i < secs * 10; i++)); do
		if "$@"; then return 0; fi
		sleep 0.1
	done
	fail "$what (after ${secs}s)"
}
has_braille() { screen "$1" | LC_ALL=C grep -q $'\xe2[\xa0-\xa3][\x80-\xbf]'; }
# The gpa-tui process of a session: the child of the pane's shell.
tui_pid() { pgrep -P "$(t display -p -t "$1" '#{pane_pid}')" -f "$bin" | head -n 1; }
header() { screen "$1" | head -n 1; }
header_L() { header "$1" | sed -n 's/.*  L \([^ ]*\)  .*/\1/p'; }

# 1. Signals to the workbench.
for sig in HUP TERM; do
	snaps="$work/snaps-$sig"
	t -f /dev/null new-session -d -s "tui$sig" -x 100 -y 30 \
		"cd '$work' && TERM=xterm-256color '$bin' --snapshot-dir '$snaps'; echo \$? > '$work/exit-$sig'; sleep 60"
	wait_for "braille dots (SIG$sig)" 20 has_braille "tui$sig"
	sleep 0.5
	pid="$(tui_pid "tui$sig")"
	[[ -n "$pid" ]] || fail "no gpa-tui process in session tui$sig"
	kill -"$sig" "$pid"
	wait_for "gpa-tui to exit on SIG$sig" 15 test -s "$work/exit-$sig"
	code="$(cat "$work/exit-$sig")"
	[[ "$code" == 0 ]] || fail "exit status $code after SIG$sig"
	snap="$(ls "$snaps"/*.npz 2>/dev/null | head -n 1)"
	[[ -n "$snap" ]] || fail "no snapshot after SIG$sig"
	screen "tui$sig" | grep -q "SIG$sig received: saved step [0-9]* to $snap" || fail "no message naming $snap after SIG$sig"
	screen "tui$sig" | grep -q "resume with: gpa-tui --resume $snap" || fail "no resume hint after SIG$sig"
	"$bin" inspect "$snap" >/dev/null || fail "the SIG$sig snapshot does not load"
	echo "e2e: SIG$sig: exit 0, $(basename "$snap"), terminal restored with the message"
done
# A real hangup: the terminal goes away under the workbench.
snaps="$work/snaps-kill"
t -f /dev/null new-session -d -s tuikill -x 100 -y 30 "cd '$work' && TERM=xterm-256color '$bin' --snapshot-dir '$snaps'"
wait_for "braille dots (hangup)" 20 has_braille tuikill
sleep 0.5
t kill-session -t tuikill
has_snap() { compgen -G "$snaps/*.npz" >/dev/null; }
wait_for "a snapshot after the session was killed" 15 has_snap
echo "e2e: session killed: $(basename "$(ls "$snaps"/*.npz)")"

# 2. Attach to a headless run.
run="$work/run"
"$bin" run --preset four-well-L1 --steps 100000000 --out "$run" --progress-every 2s 2>"$work/run.log" &
runpid=$!
wait_for "the run's lock" 20 test -f "$run/run.lock"
t -f /dev/null new-session -d -s v1 -x 120 -y 30 "cd '$work' && TERM=xterm-256color '$bin' attach '$run'; echo \$? > '$work/exit-v1'; sleep 60"
wait_for "braille dots in viewer 1" 20 has_braille v1
header v1 | grep -q RUNNING || fail "viewer 1 does not show RUNNING"
L0="$(header_L v1)"
[[ "$L0" == 1 ]] || fail "L = '$L0' in viewer 1, want 1"
t send-keys -t v1 L
L_is_2() { [[ "$(header_L v1)" == 2 ]]; }
wait_for "L 2 in viewer 1" 15 L_is_2
set_logged() { grep -q '"event":"set","param":"lipschitz","old":1,"new":2' "$run/events.jsonl"; }
wait_for "the change in the run's events.jsonl" 5 set_logged
step="$(grep '"event":"set"' "$run/events.jsonl" | sed -n 's/.*"step":\([0-9]*\).*/\1/p')"
# The run acknowledges on its next progress write; the viewer draws it on its
# next refresh, so wait for it rather than read the screen once.
acked() { screen v1 | grep -q "run: L 1 → 2 at step $step"; }
wait_for "viewer 1 acknowledging the change at step $step" 5 acked
changes1() { screen v1 | grep -q "@$step L 1 → 2"; }
wait_for "@$step L 1 → 2 in viewer 1's changes panel" 5 changes1
echo "e2e: L raised from viewer 1, applied by the run at step $step"

t -f /dev/null new-session -d -s v2 -x 100 -y 30 "cd '$work' && TERM=xterm-256color '$bin' attach '$run'; echo \$? > '$work/exit-v2'; sleep 60"
wait_for "braille dots in viewer 2" 20 has_braille v2
two() { header v1 | grep -q "2 viewers"; }
wait_for "viewer 1 to count 2 viewers" 10 two
changes2() { screen v2 | grep -q "@$step L 1 → 2"; }
wait_for "@$step L 1 → 2 in viewer 2's changes panel" 5 changes2
echo "e2e: two viewers"

v1pid="$(tui_pid v1)"
kill -9 "$v1pid"
gone() { grep -q '"message":"gone (no heartbeat for 5 s)"' "$run/events.jsonl"; }
wait_for "the run to notice the killed viewer" 15 gone
kill -0 "$runpid" 2>/dev/null || fail "the run died with its viewer"
n1="$(wc -l < "$run/metrics.jsonl")"
sleep 2.5
n2="$(wc -l < "$run/metrics.jsonl")"
(( n2 > n1 )) || fail "the run stopped stepping after its viewer was killed ($n1 → $n2 lines)"
echo "e2e: viewer 1 killed with SIGKILL; the run goes on ($n1 → $n2 steps)"

t send-keys -t v2 Space
paused() { header v2 | grep -q PAUSED && grep -q '"state": "paused"' "$run/status.json"; }
wait_for "the run to pause" 15 paused
t send-keys -t v2 Space
running() { header v2 | grep -q RUNNING; }
wait_for "the run to resume" 15 running
t send-keys -t v2 q
wait_for "viewer 2 to exit" 10 test -s "$work/exit-v2"
[[ "$(cat "$work/exit-v2")" == 0 ]] || fail "viewer 2 exit status $(cat "$work/exit-v2")"
sleep 1
kill -0 "$runpid" 2>/dev/null || fail "the run ended when viewer 2 quit"
echo "e2e: space paused and resumed the run; q detached (exit 0); the run goes on"

kill -TERM "$runpid"
wait "$runpid" || true
runpid=""
test -f "$run/checkpoint.npz" || fail "no checkpoint after SIGTERM to the run"
for ev in pause continue viewer signal checkpoint; do
	grep -q "\"event\":\"$ev\"" "$run/events.jsonl" || fail "events.jsonl lacks $ev"
done
echo "e2e: PASS"
