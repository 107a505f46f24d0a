"""Write the Lexis benchmark cohort: n persons entering 1990-2020 at ages 0-90, followed
until death/emigration (exponential, mean 12 years) or the end of 2019; about 15 split
rows per person with 1-year age x 1-year period breaks. Binary float64 files that
Python and R both read.

    python benches/lexis_data.py --n 1000000 --out /tmp/hrrstats-lexis
"""
import argparse
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-lexis")
    a = ap.parse_args()
    n = int(a.n)
    rng = np.random.default_rng(a.seed)
    entry = np.round(1990.0 + 30.0 * rng.random(n), 4)
    age = np.round(90.0 * rng.random(n), 4)
    fu = rng.exponential(12.0, n)
    exit_ = np.minimum(entry + fu, 2020.0)
    exit_ = np.maximum(np.round(exit_, 4), entry + 1e-3)
    status = np.where(exit_ < 2020.0, (rng.random(n) < 0.6).astype(float), 0.0)
    sex = rng.integers(1, 3, n).astype(np.float64)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, v in (("entry", entry), ("exit", exit_), ("age", age), ("status", status), ("sex", sex)):
        v.astype("<f8").tofile(out / f"{name}.f64")


if __name__ == "__main__":
    main()
