"""Summarise scripts/heavy-tail.sh: for each configuration, how many seeds
diverged (and at which steps), and for the runs that finished the final MMD²
and quantiles of the particles' distance to the nearest mixture centre."""
import ast, json, math, os, re, struct, sys, zipfile

out = sys.argv[1]
CENTRES = {"mixture": [(-10, -10), (-10, 10), (10, -10), (10, 10)], "single": [(0, 0)]}


def npz_rows(path, name):
    """The rows of a float32 2-column array of a snapshot (.npz, no NumPy)."""
    b = zipfile.ZipFile(path).read(name + ".npy")
    hl = struct.unpack("<H", b[8:10])[0]
    shape = ast.literal_eval(b[10:10 + hl].decode())["shape"]
    v = struct.unpack(f"<{shape[0] * shape[1]}f", b[10 + hl:])
    return [v[i * shape[1]:(i + 1) * shape[1]] for i in range(shape[0])]


def quantiles(xs, qs):
    xs = sorted(xs)
    return [xs[min(len(xs) - 1, int(q * (len(xs) - 1)))] for q in qs]


print("| configuration | diverged (k of n) | diverging steps | final MMD² (median, finished runs) | distance to nearest centre q50/q90/q95 (median over finished runs) |")
print("|---|---|---|---|---|")
for name in sorted(os.listdir(out)):
    cdir = os.path.join(out, name)
    if not os.path.isdir(cdir) or not name.startswith(("mixture", "single")):
        continue
    centres = CENTRES["single" if name.startswith("single") else "mixture"]
    div, steps, mmds, qs = 0, [], [], []
    seeds = sorted((d[:-5] for d in os.listdir(cdir) if d.endswith(".done")), key=lambda d: int(d[4:]))
    for s in seeds:
        d = os.path.join(cdir, s)
        log = open(d + ".log").read()
        if "diverged" in log:
            div += 1
            m = re.search(r"step (\d+):", log)
            steps.append(int(m.group(1)) if m else -1)
            continue
        last = None
        for line in open(os.path.join(d, "metrics.jsonl")):
            r = json.loads(line)
            if "mmd2" in r:
                last = r["mmd2"]
        mmds.append(last)
        dist = []
        for line in open(os.path.join(d, "particles.csv")):
            try:
                x, y = map(float, line.strip().split(",")[:2])
            except ValueError:
                continue
            dist.append(min(math.hypot(x - a, y - b) for a, b in centres))
        qs.append(quantiles(dist, [0.5, 0.9, 0.95]))
    med = lambda v: sorted(v)[len(v) // 2] if v else float("nan")
    t = npz_rows(os.path.join(cdir, seeds[0], "final.npz"), "target")
    tq = quantiles([min(math.hypot(x - a, y - b) for a, b in centres) for x, y in t], [0.5, 0.9, 0.95])
    q = [med([r[i] for r in qs]) for i in range(3)] if qs else [float("nan")] * 3
    print(f"| {name} | {div} of {len(seeds)} | {', '.join(map(str, steps)) or '–'} | {med(mmds):.3g} | {q[0]:.2f} / {q[1]:.1f} / {q[2]:.1f} (targets of {seeds[0]}: {tq[0]:.2f} / {tq[1]:.0f} / {tq[2]:.0f}) |")
