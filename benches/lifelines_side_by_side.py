"""hrrstats against lifelines on the same data, one run (issue #14's targets):

1. Weibull AFT, n rows x p covariates (default 1e6 x 5, benches/cox_data.py's data):
   hrrstats.parametric_survival (best of 3) vs lifelines.WeibullAFTFitter (timed once).
2. Royston–Parmar spline of log H in log time without covariates (df = 5, the same
   knots: hrrstats' defaults on the time scale) on the first m rows (default 1e5):
   hrrstats.flexible_parametric (best of 3) vs lifelines.SplineFitter (timed once,
   including the two-knot Weibull fit it is started from: from its default start,
   SLSQP stops far from the maximum). lifelines' SplineFitter has no covariates, tvc
   or bhazard; hrrstats' full model (1e6 rows, 5 covariates, tvc, bhazard) is timed by
   benches/run_flexible.sh.

Each pair's answers are compared (coefficients in standard errors; log-likelihoods).
    python benches/lifelines_side_by_side.py DATA_DIR [m]
"""
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import hrrstats as hs
import lifelines

d = Path(sys.argv[1])
m_spline = int(float(sys.argv[2])) if len(sys.argv) > 2 else 100_000
p = int((d / "p.txt").read_text())
rd = lambda x: np.fromfile(d / f"{x}.f64", dtype="<f8")  # noqa: E731
cols = [f"x{j + 1}" for j in range(p)]
df = pd.DataFrame({"time": rd("time"), "status": rd("status"), **{c: rd(c) for c in cols}})
n = len(df)
load = os.getloadavg()[0]


def best(f, r=3):
    out, times = None, []
    for _ in range(r):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return out, min(times)


rows = []
# 1. Weibull AFT
h, th = best(lambda: hs.parametric_survival(df["time"], df["status"], df[cols], dist="weibull"))
t0 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    w = lifelines.WeibullAFTFitter().fit(df, "time", "status")
tl = time.perf_counter() - t0
lam = w.params_["lambda_"]
theirs = np.array([lam["Intercept"], *[lam[c] for c in cols]])
dev = np.max(np.abs(np.asarray(h.coef) - theirs) / np.asarray(h.se)[: len(theirs)])
rows.append((f"Weibull AFT, {n:.0e} rows x {p} covariates", th, tl,
             f"coefficients within {dev:.1e} SE; log-lik. difference {w.log_likelihood_ - h.loglik[1]:.1e}"))

# 2. Royston-Parmar, no covariates
s = df.iloc[:m_spline]
fp, tf = best(lambda: hs.flexible_parametric(s["time"], s["status"], df=5))
knots = np.asarray(fp.knots, dtype=float)
t0 = time.perf_counter()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    weib = lifelines.SplineFitter(knots[[0, -1]]).fit(s["time"], s["status"])
    start = np.r_[weib.params_.to_numpy(), np.zeros(len(knots) - 2)]
    sf = lifelines.SplineFitter(knots).fit(s["time"], s["status"], initial_point=start)
ts = time.perf_counter() - t0
rows.append((f"Royston-Parmar df 5, no covariates, {len(s):.0e} rows", tf, ts,
             f"log-lik. difference {sf.log_likelihood_ - fp.loglik:.1e} (lifelines' default SLSQP tolerance)"))

print(f"hrrstats vs lifelines {lifelines.__version__} (seconds; hrrstats best of 3, lifelines once; "
      f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after)\n")
print("| task | hrrstats | lifelines | lifelines / hrrstats | agreement |")
print("|---|---:|---:|---:|---|")
for task, a, b, note in rows:
    print(f"| {task} | {a:.3f} | {b:.3f} | {b / a:.1f}x | {note} |")
