"""Summarise scripts/flows-2d.sh: per preset and discriminator, over seeds,
the wells' shares (four-well presets), MMD² at the end, the largest and the
mean speed, the first logged D̂ against the independent D_L estimate at
step 1, and the energy-identity ratio ΔD_L / Σ Δt·KE over the first
estimate interval (steps 1–250, the transport) and over the whole run."""
import json, math, os, sys

out = sys.argv[1]
CENTRES = {"four-well": [(0, 0), (0, 4), (4, 0), (4, 4)], "mixture-sigma1": [(0, 0), (0, 4), (4, 0), (4, 4)]}


def med(v):
    v = sorted(x for x in v if x == x)
    return v[len(v) // 2] if v else float("nan")


def load(d):
    rows = [json.loads(l) for l in open(os.path.join(d, "metrics.jsonl"))]
    return rows


print("| preset | φ | seeds | wells (median shares, %) | MMD² end | max speed | mean speed, last 100 steps | D̂ step 1 | D_L step 1 | energy ratio ΔD_L/∫I, steps 1–250 | whole run |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for preset in sorted(os.listdir(out)):
    pdir = os.path.join(out, preset)
    if not os.path.isdir(pdir) or preset == "gpa-tui":
        continue
    for act in sorted(os.listdir(pdir)):
        adir = os.path.join(pdir, act)
        shares, mmd, vmax, vmean, d1, dl1, first, medr = [], [], [], [], [], [], [], []
        seeds = sorted(d[:-5] for d in os.listdir(adir) if d.endswith(".done"))
        if not seeds:
            continue
        for s in seeds:
            d = os.path.join(adir, s)
            rows = load(d)
            mmd.append([r["mmd2"] for r in rows if "mmd2" in r][-1])
            vmax.append(max(r["max_speed"] for r in rows))
            vmean.append(sum(r["mean_speed"] for r in rows[-100:]) / len(rows[-100:]))
            d1.append(rows[0]["divergence"])
            est = [r for r in rows if "dl" in r]
            dl1.append(est[0]["dl"])
            ratios = [r["energy_ratio"] for r in est[1:] if "energy_ratio" in r]
            first.append(ratios[0] if ratios else float("nan"))
            medr.append((est[0]["dl"] - est[-1]["dl"]) / (est[-1]["dissipation"] - est[0]["dissipation"]))
            key = "four-well" if preset.startswith("four-well") else preset
            if key in CENTRES:
                cnt = [0] * 4
                pts = [tuple(map(float, l.split(",")[:2])) for l in open(os.path.join(d, "particles.csv")) if l[0] not in "x"]
                for x, y in pts:
                    cnt[min(range(4), key=lambda k: math.hypot(x - CENTRES[key][k][0], y - CENTRES[key][k][1]))] += 1
                shares.append([100 * c / len(pts) for c in cnt])
        w = " / ".join(f"{med([s[k] for s in shares]):.0f}" for k in range(4)) if shares else "–"
        print(f"| {preset} | {act} | {len(seeds)} | {w} | {med(mmd):.2g} | {med(vmax):.3g} | {med(vmean):.3g} | {med(d1):.3g} | {med(dl1):.3g} | {med(first):.2f} | {med(medr):.2f} |")
