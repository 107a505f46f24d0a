"""Write the Fine-Gray benchmark data: n rows, 3 covariates (normal, binary, uniform),
cause 1 / cause 2 / censored, times in whole days (ties, as registry data have).
Binary float64 files that Python and R both read.

    python benches/cr_data.py --n 8000 --out /tmp/hrrstats-cr
"""
import argparse
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=8000)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-cr")
    a = ap.parse_args()
    n = int(a.n)
    rng = np.random.default_rng(a.seed)
    x1 = rng.normal(size=n)
    x2 = (rng.random(n) < 0.4).astype(float)
    x3 = rng.random(n)
    lp1 = 0.5 * x1 + 0.4 * x2 - 0.3 * x3
    t1 = rng.exponential(1500.0 * np.exp(-lp1))
    t2 = rng.exponential(2500.0 * np.exp(-0.2 * x1))
    c = rng.uniform(200, 4000, n)
    t = np.minimum(np.minimum(t1, t2), c)
    event = np.where(t == t1, 1.0, np.where(t == t2, 2.0, 0.0))
    time = np.ceil(t)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, v in (("time", time), ("event", event), ("x1", x1), ("x2", x2), ("x3", x3)):
        v.astype("<f8").tofile(out / f"{name}.f64")


if __name__ == "__main__":
    main()
