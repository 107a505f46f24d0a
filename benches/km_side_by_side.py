"""Kaplan-Meier speed, Python side: hrrstats vs lifelines on the same data, one run.

lifelines' KaplanMeierFitter has no strata argument, so it is fitted once per
stratum (what a lifelines user does); hrrstats fits all strata in one call. Each
timing is the best of `--repeat` runs. Prints one CSV line per tool.
"""
import argparse
from pathlib import Path

import numpy as np

import hrrstats as hs
from bench_util import best




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-lifelines", action="store_true")
    a = ap.parse_args()
    d = Path(a.data)
    t, e, g = (np.fromfile(d / f"{x}.f64", dtype="<f8") for x in ("time", "event", "group"))
    rows = []
    rows.append(("python", "hrrstats.kaplan_meier", best(lambda: hs.kaplan_meier(t, e, strata=g), a.repeat)))
    # The same call plus building the full pandas table and the medians.
    rows.append(("python", "hrrstats.kaplan_meier + table() + median()",
                 best(lambda: (lambda f: (f.table(), f.median()))(hs.kaplan_meier(t, e, strata=g)), a.repeat)))
    if not a.no_lifelines:
        from lifelines import KaplanMeierFitter

        levels = np.unique(g)

        def lifelines_fit():
            for lev in levels:
                m = g == lev
                KaplanMeierFitter().fit(t[m], e[m])

        rows.append(("python", "lifelines.KaplanMeierFitter (per stratum)", best(lifelines_fit, a.repeat)))
    for lang, tool, sec in rows:
        print(f"{lang},{tool},{sec:.4f}")


if __name__ == "__main__":
    main()
