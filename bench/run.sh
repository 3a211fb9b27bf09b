#!/usr/bin/env bash
# bench/run.sh: one GPA step of the peer workloads, ours against the peers,
# on one and two threads, with the machine's peak, as a Markdown table.
# Ours runs twice: as it is (the certified spectral bound, normalize.go) and
# with the peers' normalization (one power iteration, W/σ̂, no certificate;
# a benchmark-only switch of lipnet's tests), which shows the kernels
# against the peers' on the same algorithm apart from the certificate's cost.
#
#   bench/run.sh [-p PEER_DIR] [-r REPS] [-c] [-q] [-w SECONDS]
#
#   -p PEER_DIR  the peers (PyTorch, NumPy, C + OpenBLAS; default
#                ../shared/bench/peer_torch next to the repository); they are
#                run from there, or built into a temporary folder, never
#                copied into the repository. Without it only ours run.
#   -r REPS      interleaved repetitions; the table shows medians (default 3)
#   -c           also the pixel CNNs (16-32-32 and Table 4a 128-128-128;
#                the latter takes ≈ 6 s a step)
#   -q           quick: one repetition, short benchmark times
#   -w SECONDS   before each measurement, wait up to SECONDS for the machine
#                to be idle (others' load below 0.2 cores over 0.5 s)
#
# Needs go; the peers need python3-torch python3-numpy libopenblas-dev gcc
# (Debian packages), each skipped with a note when missing. One thread runs
# under `taskset -c 0`, two under `taskset -c 0,1`; other load on the machine
# shows as spread between the repetitions (min and max are printed below
# the table). Results do not depend on the thread count (lipnet.SetThreads),
# only the time does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
peer="$root/../shared/bench/peer_torch"
reps=3 cnn=0 quick=0 wait=0
while getopts "p:r:cqw:" o; do
  case $o in
    p) peer=$OPTARG ;;
    r) reps=$OPTARG ;;
    c) cnn=1 ;;
    q) quick=1 reps=1 ;;
    w) wait=$OPTARG ;;
    *) sed -n 2,24p "$0"; exit 2 ;;
  esac
done
[ -d "$peer" ] || { echo "no peer folder $peer: running ours only" >&2; peer=""; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
res="$tmp/results" # lines: impl workload threads ms [GFLOP/step]
: >"$res"
bt=2s; [ $quick = 1 ] && bt=300ms
ncpu=$(nproc)
cpus() { if [ "$1" = 1 ] || [ "$ncpu" -lt 2 ]; then echo 0; else echo 0,1; fi; }

echo "building the Go benchmarks…" >&2
(cd "$root" && go test -c -o "$tmp/lipnet.test" ./lipnet && go test -c -o "$tmp/core.test" ./core)

# Peak: peer_torch/machine/peak512.c (AVX-512) and peak.c (AVX2).
peak1="" peak2=""
if [ -n "$peer" ] && command -v gcc >/dev/null; then
  for p in peak512 peak; do
    if gcc -O3 -march=native -fopenmp -o "$tmp/$p" "$peer/machine/$p.c" 2>/dev/null; then
      "$tmp/$p" 9 fma >"$tmp/$p.out" 2>&1 || true
    fi
  done
  if [ -s "$tmp/peak512.out" ]; then
    peak1=$(awk '/bench=fma_peak threads=1/ {for(i=1;i<=NF;i++) if($i ~ /^gflops_best=/){split($i,a,"="); print a[2]}}' "$tmp/peak512.out")
    peak2=$(awk '/bench=fma_peak threads=2/ {for(i=1;i<=NF;i++) if($i ~ /^gflops_best=/){split($i,a,"="); print a[2]}}' "$tmp/peak512.out")
  fi
fi
peak1=${peak1:-216} peak2=${peak2:-435} # the figures of peer_torch/README.md when gcc is missing

# The C peer: built and its cases written into the temporary folder.
have_c=0 have_py=0
if [ -n "$peer" ] && command -v gcc >/dev/null && [ -e /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h -o -e /usr/include/cblas.h -o -e /usr/include/openblas/cblas.h ]; then
  if gcc -O3 -march=native -o "$tmp/gpa_c" "$peer/machine/gpa_c.c" $(pkg-config --cflags openblas 2>/dev/null) -lopenblas -lm 2>"$tmp/gcc.err" &&
     /usr/bin/python3 "$peer/gpa_c_case.py" --outdir "$tmp/cases" >/dev/null 2>&1; then
    have_c=1
  else
    echo "C peer not built (see below); skipped" >&2; cat "$tmp/gcc.err" >&2
  fi
fi
if [ -n "$peer" ] && /usr/bin/python3 -c 'import numpy, torch' 2>/dev/null; then have_py=1; fi
[ -n "$peer" ] && [ $have_py = 0 ] && echo "python3-torch or python3-numpy missing: PyTorch and NumPy skipped" >&2

# ours: lipnet (the step as lipnet calls) and core (the engine's step).
go_bench() { # bin regex threads benchtime → "name ms GFLOP/step" lines
  local bin=$1 re=$2 t=$3 btime=$4
  if [ "$wait" -gt 0 ]; then quiet || true; fi
  (cd "$root/${bin%%.*}" 2>/dev/null || cd "$root"
   GOMAXPROCS=$t taskset -c "$(cpus "$t")" "$tmp/$bin" -test.run '^$' -test.bench "$re" -test.benchtime "$btime" 2>/dev/null) |
    awk '/^Benchmark/ {ms=""; gf=""; for(i=2;i<NF;i++){ if($(i+1)=="ms/step") ms=$i; if($(i+1)=="GFLOP/step") gf=$i }; n=$1; sub(/-[0-9]+$/,"",n); print n, ms, gf}'
}
peer_line() { # parse ms_per_step= and gflops= from a peer's output line
  awk '/ms_per_step=/ {for(i=1;i<=NF;i++){split($i,a,"="); if(a[1]=="ms_per_step") ms=a[2]; if(a[1]=="gflops") gf=a[2]}; print ms, gf}' | tail -1
}

busy() { # cores' worth of CPU busy over 0.5 s before a run (others' load)
  local a b
  a=($(head -1 /proc/stat)); sleep 0.5; b=($(head -1 /proc/stat))
  local tot=0 idle=$(( (b[4]+b[5]) - (a[4]+a[5]) ))
  for i in 1 2 3 4 5 6 7 8; do tot=$((tot + b[i] - a[i])); done
  awk -v t="$tot" -v i="$idle" -v n="$ncpu" 'BEGIN { if (t > 0) printf "%.2f", n * (t - i) / t; else print 0 }'
}
quiet() { # wait up to $wait seconds for others' load to drop
  local end=$((SECONDS + wait))
  while [ "$SECONDS" -lt "$end" ]; do
    awk -v b="$(busy)" 'BEGIN { exit !(b < 0.2) }' && return
  done
}
for rep in $(seq "$reps"); do
  echo "repetition $rep of $reps (other load: $(busy) cores busy)…" >&2
  echo "busy - 0 $(busy)" >>"$res"
  for t in 1 2; do
    # also the same step with the peers' normalization (one power iteration,
    # W/σ̂, no certificate; benchmark-only, lipnet/normalize.go benchUncertified)
    go_bench lipnet.test 'GPAStepWorkload/(four-well|mnist-latent)(-uncertified)?$' "$t" "$bt" | while read -r n ms gf; do
      if [[ $n == */four-well || $n == */mnist-latent ]]; then echo "ours-lipnet ${n##*/} $t $ms $gf"; fi
      if [[ $n == *-uncertified ]]; then w=${n%-uncertified}; echo "ours-uncert ${w##*/} $t $ms $gf"; fi
    done >>"$res"
    for re in '^BenchmarkStep$/^euler$' '^BenchmarkStepLatentMNIST$'; do
      go_bench core.test "$re" "$t" "$bt" | while read -r n ms gf; do
        w=four-well; if [[ $n == *Latent* ]]; then w=mnist-latent; fi
        echo "ours-engine $w $t $ms -"
      done >>"$res"
    done
    if [ $cnn = 1 ]; then
      go_bench lipnet.test 'ConvWorkload/conv=\[(16_32_32|128_128_128)\]' "$t" 1x | while read -r n ms gf; do
        w=cnn-16-32-32; [[ $n == *128_128_128* ]] && w=cnn-table4a
        echo "ours-lipnet $w $t $ms $gf"; done >>"$res"
    fi
    for w in gauss2d mnist-latent; do
      ow=$w; [ $w = gauss2d ] && ow=four-well
      if [ $have_py = 1 ]; then
        for impl in torch numpy; do
          if [ "$wait" -gt 0 ]; then quiet || true; fi
          l=$(OMP_WAIT_POLICY=PASSIVE taskset -c "$(cpus "$t")" /usr/bin/python3 "$peer/gpa_$impl.py" --workload $w --threads "$t" \
              $( [ $quick = 1 ] && echo --steps 20 ) 2>/dev/null | peer_line) || true
          if [ -n "$l" ]; then echo "$impl $ow $t $l" >>"$res"; fi
        done
      fi
      if [ $have_c = 1 ]; then
        for core in Haswell SkylakeX; do
          if [ "$wait" -gt 0 ]; then quiet || true; fi
          l=$(OPENBLAS_CORETYPE=$core OPENBLAS_NUM_THREADS=$t taskset -c "$(cpus "$t")" "$tmp/gpa_c" "$tmp/cases/$w.bin" --threads "$t" 2>/dev/null | peer_line) || true
          if [ -n "$l" ]; then echo "c-$core $ow $t $l" >>"$res"; fi
        done
      fi
    done
  done
done

/usr/bin/python3 - "$res" "$peak1" "$peak2" "$reps" <<'PY'
import collections, statistics, sys
res, peak, reps = sys.argv[1], {1: float(sys.argv[2]), 2: float(sys.argv[3])}, sys.argv[4]
ms, gf = collections.defaultdict(list), collections.defaultdict(list)
for line in open(res):
    f = line.split()
    if len(f) < 4 or not f[3]:
        continue
    ms[(f[0], f[1], int(f[2]))].append(float(f[3]))
    if f[0] == "ours-lipnet" and len(f) > 4 and f[4] not in ("", "-"):
        gf[f[1]].append(float(f[4]))
# GFLOP per step: the peers' count (peer_torch/gpa_common.py, flops_per_step),
# which lipnet's benchmarks report too (stepFlops), also for the CNNs.
flops = {"four-well": 0.04891, "mnist-latent": 3.653}
for w, v in gf.items():
    flops[w] = statistics.median(v)
impls = [("ours-lipnet", "ours (lipnet)"), ("ours-uncert", "ours, peers' normalization (uncertified)"),
         ("ours-engine", "ours (engine, core)"), ("torch", "PyTorch"),
         ("numpy", "NumPy"), ("c-Haswell", "C + OpenBLAS AVX2"), ("c-SkylakeX", "C + OpenBLAS AVX-512")]
work = ["four-well", "mnist-latent", "cnn-16-32-32", "cnn-table4a"]
print(f"Peak fp32 FMA (peak512.c): {peak[1]:.0f} GFLOP/s on one core, {peak[2]:.0f} on two. "
      f"Median of {reps} interleaved repetitions; ms per GPA step, (GFLOP/s, % of peak).\n")
busy = ms.get(("busy", "-", 0), [])
if busy and max(busy) > 0.3:
    print(f"**Other load on the machine ({max(busy):.1f} cores busy): the times, and the peak "
          f"measured under it, are not those of an idle machine (216 and 435 GFLOP/s idle, "
          f"peer_torch/README.md).**\n")
print("| workload | threads | " + " | ".join(n for _, n in impls) + " |")
print("|---|---|" + "---|" * len(impls))
for w in work:
    for t in (1, 2):
        cells, any_ = [], False
        for key, _ in impls:
            v = ms.get((key, w, t))
            if not v:
                cells.append("—")
                continue
            any_ = True
            m = statistics.median(v)
            c = f"{m:.4g} ms"
            if w in flops:
                g = flops[w] / (m / 1e3)
                c += f" ({g:.0f}, {100 * g / peak[t]:.0f} %)"
            cells.append(c)
        if any_:
            print(f"| {w} | {t} | " + " | ".join(cells) + " |")
print()
for w in work:
    a, b = ms.get(("ours-lipnet", w, 1)), ms.get(("ours-lipnet", w, 2))
    if a and b:
        print(f"- {w}: two threads {statistics.median(a) / statistics.median(b):.2f}× faster than one (lipnet)")
    for t in (1, 2):
        c = ms.get(("c-SkylakeX", w, t))
        for key, what in (("ours-lipnet", "ours (certified)"), ("ours-uncert", "ours, peers' normalization (uncertified)")):
            o = ms.get((key, w, t))
            if o and c:
                print(f"- {w}, {t} thread{'s' if t > 1 else ''}: time of {what} / C + OpenBLAS AVX-512 = "
                      f"{statistics.median(o) / statistics.median(c):.2f}")
if ms.get(("busy", "-", 0)):
    print(f"\nOther load before each repetition (cores busy, of {2}): " + ", ".join(f"{x:.2f}" for x in ms[("busy", "-", 0)]))
print("\nSpread (min–max ms) per cell:")
for k in sorted(ms):
    if k[0] == "busy":
        continue
    v = ms[k]
    print(f"  {k[0]:12s} {k[1]:14s} t={k[2]}  {min(v):.4g}–{max(v):.4g}  n={len(v)}")
PY
