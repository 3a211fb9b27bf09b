"""Summarise scripts/genes.sh into README's gene table (comparison.tsv of
every run: GPA as mean ± sd over seeds, baselines from seed 1)."""
import math, os, sys

out = sys.argv[1]
cols = ["latent_mmd2", "gene_mmd2", "gene_sil_batch", "gene_sil_label", "gene_ilisi", "gene_moved"]


def read(p):
    lines = [l.rstrip("\n").split("\t") for l in open(p)]
    head = lines[0]
    return {r[0]: dict(zip(head[1:], map(float, r[1:]))) for r in lines[1:]}


def ms(v):
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else 0
    return m, sd


dims = sorted((int(d[1:]) for d in os.listdir(out) if d.startswith("d")))
tabs = {d: [read(os.path.join(out, f"d{d}", s, "comparison.tsv")) for s in sorted(os.listdir(os.path.join(out, f"d{d}")))
            if os.path.isdir(os.path.join(out, f"d{d}", s))] for d in dims}
print("| d′ | method | latent MMD² | gene MMD² | silhouette batch | silhouette label | iLISI | moved |")
print("|---|---|---|---|---|---|---|---|")
first = tabs[dims[0]][0]
for meth in [m for m in first if m != "gpa"]:
    lat = " / ".join(f"{tabs[d][0][meth]['latent_mmd2']:.4f}" for d in dims)
    r = first[meth]
    print(f"| – | {meth} | {lat} (d′ = {'/'.join(map(str, dims))}) | {r['gene_mmd2']:.4f} | {r['gene_sil_batch']:.3f} | {r['gene_sil_label']:.3f} | {r['gene_ilisi']:.2f} | {r['gene_moved']:.1f} |")
for d in dims:
    cells = []
    for c in cols:
        m, sd = ms([t["gpa"][c] for t in tabs[d]])
        f = ".4f" if "mmd" in c else (".3f" if "sil" in c else (".2f" if "ilisi" in c else ".1f"))
        cells.append(f"{m:{f}} ± {sd:{f}}")
    print(f"| {d} | GPA ({len(tabs[d])} seeds) | " + " | ".join(cells) + " |")
