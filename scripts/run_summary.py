"""One row of README's "Results on the paper's 2-D experiments" for a `run`
folder: D̂ and kinetic energy averaged over the first and the last 50
steps, MMD² at step 1 and at the end, the largest speed.
Usage: python3 scripts/run_summary.py DIR [DIR…]"""
import json, sys

for d in sys.argv[1:]:
    rows = [json.loads(l) for l in open(d + "/metrics.jsonl")]
    avg = lambda rs, k: sum(r[k] for r in rs) / len(rs)
    first, last = rows[:50], rows[-50:]
    mmd = [r["mmd2"] for r in rows if "mmd2" in r]
    print(f"| {d} | {rows[-1]['step']} | {avg(first, 'divergence'):.2g} → {avg(last, 'divergence'):.2g} | "
          f"{avg(first, 'kinetic_energy'):.2g} → {avg(last, 'kinetic_energy'):.2g} | {mmd[0]:.3g} → {mmd[-1]:.2g} | "
          f"{max(r['max_speed'] for r in rows):.3g} |")
