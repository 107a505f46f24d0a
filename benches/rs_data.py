"""Write the net-survival benchmark cohort: n patients resampled (with replacement,
seeded) from relsurv's rdata (fixtures), keeping time (days), status, age, sex and the
date of diagnosis (days since 1960-01-01). Binary float64 files for Python and R.

    python benches/rs_data.py --n 1000000 --out /tmp/hrrstats-rs
"""
import argparse
from pathlib import Path

import numpy as np
import pandas as pd

FIX = Path(__file__).resolve().parents[1] / "tests" / "reference" / "fixtures"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-rs")
    a = ap.parse_args()
    n = int(a.n)
    d = pd.read_csv(FIX / "data_rs_rdata.csv", float_precision="round_trip")
    idx = np.random.default_rng(a.seed).integers(0, len(d), n)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, col in (("time", "time"), ("cens", "cens"), ("age", "age"), ("sex", "sex"), ("year", "year_days1960")):
        d[col].to_numpy(dtype="<f8")[idx].tofile(out / f"{name}.f64")


if __name__ == "__main__":
    main()
