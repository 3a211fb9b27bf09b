"""Summarise scripts/mnist-heldout.sh: the image metrics at every measured
step of every seed, the step the held-out criterion chose (lowest
heldout_frechet among the steps with at most 10% near-copies, the rule of
flow.stop = "best-heldout" with the default flow.max_copies), and the
values there."""
import json, os, sys

out = sys.argv[1]
keys = ["accuracy", "frechet", "heldout_frechet", "memorized", "copies", "mmd2"]
chosen = []
for s in sorted(os.listdir(out)):
    d = os.path.join(out, s)
    if not (s.startswith("seed") or s.endswith("full")) or not os.path.isdir(d):
        continue
    rows = []
    for l in open(os.path.join(d, "metrics.jsonl")):
        try:
            rows.append(json.loads(l))
        except ValueError:
            break  # a run still writing its last line
    meas = [r for r in rows if "heldout_frechet" in r]
    if not meas:
        continue
    budget = 0.1  # flow.max_copies (default)
    within = [r for r in meas if r["copies"] <= budget]
    best = min(within or meas, key=lambda r: r["heldout_frechet"])
    pure = min(meas, key=lambda r: r["heldout_frechet"])
    chosen.append((s, best, rows[-1]["step"]))
    print(f"### {s}: best held-out Fréchet within 10% near-copies at step {best['step']} (without the budget: {pure['step']}), run ended at step {rows[-1]['step']}")
    print("| step | " + " | ".join(keys) + " |")
    print("|---|" + "---|" * len(keys))
    for r in meas:
        mark = " ←" if r is best else ""
        print(f"| {r['step']}{mark} | " + " | ".join(f"{r.get(k, float('nan')):.3g}" for k in keys) + " |")
    print()
print("| seed | chosen step | accuracy | near-copies | memorized | classifier Fréchet (test) | held-out Fréchet | steps run |")
print("|---|---|---|---|---|---|---|---|")
for s, b, end in chosen:
    print(f"| {s} | {b['step']} | {b['accuracy']:.3f} | {100*b['copies']:.1f} % | {b['memorized']:.2f} | {b['frechet']:.1f} | {b['heldout_frechet']:.1f} | {end} |")
