#!/usr/bin/env bash
# Relative-survival outputs of a flexible parametric fit: the loss in life expectancy
# (to attained age 110) and crude probabilities at 1, 5 and 10 years, standardised over
# N persons (default 1e4) with delta-method standard errors. The example cohort
# (hs.example_cohort(), 20 000 patients, days) and its synthetic population table: the
# model (df = 2, age and sex, bhazard from the table; with df >= 3 the fitted excess hazard
# is negative at late follow-up, which the fit allows as stpm2/rstpm2 do, but the crude
# probabilities then warn) is fitted on the whole cohort, the outputs averaged over its
# first N persons (recycled past 20 000). hrrstats best of 3.
# No anchor is installable (rstpm2, popEpi's survmean: not in Debian).
#   bash benches/run_flexible_relsurv.sh   (needs the venv with hrrstats; ~1 minute)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" - "${N:-1e4}" <<'PYEOF'
import os, sys, time
import numpy as np
import hrrstats as hs
n = int(float(sys.argv[1]))
d = hs.example_cohort()
rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
d["bh"] = rt.expected_hazard("age", "year", "sex", "time", data=d)
fp = hs.flexible_parametric("time", "status", ["age", "sex"], df=2, bhazard="bh", data=d)
p = d.iloc[np.arange(n) % len(d)].reset_index(drop=True)
for what, f in (("loss_in_life_expectancy", lambda: fp.loss_in_life_expectancy(data=p, ratetable=rt)),
                ("crude_probabilities (3 times)",
                 lambda: fp.crude_probabilities([365.241, 1826.205, 3652.41], data=p, ratetable=rt))):
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r = f()
        times.append(time.perf_counter() - t0)
    print(f"| hrrstats FlexibleParametric.{what}, {n:.0e} persons | {min(times):.3f} s (best of 3) "
          f"| load average {os.getloadavg()[0]:.2f} |")
print(r)
PYEOF
