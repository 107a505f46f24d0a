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
