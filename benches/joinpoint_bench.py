"""Joinpoint speed (one run each, the same data): one 40-year series with up to 3
joinpoints selected by 4,999 permutations per test; 1,000 such series in one call (by=),
by BIC and by permutation tests. Prints CSV lines (task, tool, size, seconds).
    python benches/joinpoint_bench.py [n_series=1000] [n_permutations=4999] [n_series_permutation=n_series]
NCI's Joinpoint program (Windows only) is not installable here: no side-by-side run;
R's segmented (a different, iterative estimator) is timed by joinpoint_side_by_side.R."""
import sys
import time

import numpy as np
import pandas as pd

import hrrstats as hs

n_series = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
nperm = int(sys.argv[2]) if len(sys.argv) > 2 else 4999
n_perm_series = int(sys.argv[3]) if len(sys.argv) > 3 else n_series
rng = np.random.default_rng(1)
years = np.arange(1980, 2020, dtype=float)


def series(s):
    tau = rng.choice([1990.0, 1995.0, 2005.0])
    eta = np.log(50) + 0.02 * (years - 1980) - 0.04 * np.maximum(years - tau, 0)
    return np.exp(eta + rng.normal(0, 0.03, len(years)))


y1 = series(0)
t0 = time.perf_counter()
one = hs.joinpoint(years, y1, selection="permutation", n_permutations=nperm, seed=1)
print(f"joinpoint_permutation_1_series,hrrstats,40 years x {nperm} perms,{time.perf_counter() - t0:.4f}")

d = pd.DataFrame({"series": np.repeat(np.arange(n_series), len(years)),
                  "year": np.tile(years, n_series),
                  "rate": np.concatenate([series(s) for s in range(n_series)])})
t0 = time.perf_counter()
hs.joinpoint("year", "rate", by="series", data=d)
print(f"joinpoint_bic_{n_series}_series,hrrstats,40 years,{time.perf_counter() - t0:.4f}")
dp = d[d["series"] < n_perm_series]
t0 = time.perf_counter()
hs.joinpoint("year", "rate", by="series", selection="permutation", n_permutations=nperm, seed=1, data=dp)
print(f"joinpoint_permutation_{n_perm_series}_series,hrrstats,40 years x {nperm} perms,{time.perf_counter() - t0:.4f}")
