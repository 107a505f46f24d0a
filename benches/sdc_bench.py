"""Timings of protect_table (cell suppression with the LP audit), one run each.

Tables of the issue's size: 2-D 50 x 20 and 3-D 50 x 20 x 10 (with all margins), counts
drawn from a seed with about `small`% of cells below the threshold. For comparison, the
time scipy's linprog (HiGHS) needs to audit the same pattern of the 2-D table (two LPs
per suppressed cell) — the step our own simplex does inside protect_table. sdcTable (the
R anchor) is not installable here.
Prints CSV lines: task,tool,size,seconds,suppressed.
"""
import itertools
import math
import sys
import time

import numpy as np
import pandas as pd

import hrrstats as hs


def table(levels, small, seed):
    rng = np.random.default_rng(seed)
    size = math.prod(levels)
    s = rng.random(size) < small / 100
    values = np.where(s, rng.integers(0, 5, size), rng.integers(5, 60, size))
    names = ["r", "c", "k"][:len(levels)]
    keys = np.array(list(itertools.product(*[range(k) for k in levels])))
    d = {nm: keys[:, i] for i, nm in enumerate(names)}
    d["n"] = values
    return pd.DataFrame(d), names


def scipy_audit(out, dims):
    sys.path.insert(0, "bindings/python/tests")
    from test_sdc import attacker
    return attacker(out, dims)


small = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
for levels in ([50, 20], [50, 20, 10]):
    df, dims = table(levels, small, 1)
    t0 = time.perf_counter()
    out = hs.protect_table(df, "n", dims)
    t = time.perf_counter() - t0
    size = "x".join(map(str, levels))
    print(f"protect_table,hrrstats,{size},{t:.3f},{int(out.suppressed.sum())}")
    if len(levels) == 2:
        t0 = time.perf_counter()
        scipy_audit(out, dims)
        print(f"LP audit only,scipy linprog (HiGHS),{size},{time.perf_counter() - t0:.3f},{int(out.suppressed.sum())}")

# magnitude table: 50 x 20 cells, 1-8 contributions each from 2,000 units, p%-rule (p = 10)
rng = np.random.default_rng(2)
rows = []
for r, c in itertools.product(range(50), range(20)):
    for _ in range(int(rng.integers(1, 9))):
        v = float(rng.integers(500, 5000)) if rng.random() < 0.2 else float(rng.integers(1, 200))
        rows.append((r, c, int(rng.integers(2000)), v))
mdf = pd.DataFrame(rows, columns=["r", "c", "unit", "turnover"])
for label, kw in [("p%-rule p=10", {"p": 10}), ("dominance n=1 k=80", {"dominance": (1, 80)})]:
    t0 = time.perf_counter()
    out = hs.protect_table(mdf, dims=["r", "c"], magnitude="turnover", unit="unit", **kw)
    t = time.perf_counter() - t0
    print(f"protect_table magnitude {label} ({len(mdf)} contributions),hrrstats,50x20,{t:.3f},"
          f"{int(out.suppressed.sum())}")

# hierarchy: 50 municipalities in 10 counties in 2 regions, x 20
df, dims = table([50, 20], small, 3)
hier = {m: f"county{m // 5}" for m in range(50)}
hier.update({f"county{k}": f"region{k // 5}" for k in range(10)})
t0 = time.perf_counter()
out = hs.protect_table(df, "n", dims, hierarchies={"r": hier})
t = time.perf_counter() - t0
print(f"protect_table with subtotals (50 in 10 in 2),hrrstats,50(+12)x20,{t:.3f},{int(out.suppressed.sum())}")

# controlled rounding, base 5
for levels in ([50, 20], [500, 200]):
    df, dims = table(levels, small, 4)
    t0 = time.perf_counter()
    out = hs.protect_table(df, "n", dims, method="round", base=5)
    t = time.perf_counter() - t0
    print(f"controlled rounding base 5,hrrstats,{'x'.join(map(str, levels))},{t:.3f},-")
df, dims = table([10, 8, 4], small, 5)
t0 = time.perf_counter()
try:
    out = hs.protect_table(df, "n", dims, method="round", base=5)
    res = "found"
except ValueError:
    res = "none found"
t = time.perf_counter() - t0
print(f"controlled rounding base 5 (3-D; {res}),hrrstats,10x8x4,{t:.3f},-")
