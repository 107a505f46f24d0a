"""Write the shared benchmark data set: n rows, k strata, day-grid times (ties as in
registry data), 70% events. Binary float64 files that Python and R both read.

    python benches/km_data.py --n 1000000 --strata 10 --out /tmp/hrrstats-bench
"""
import argparse
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--strata", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-bench")
    ap.add_argument("--continuous", action="store_true", help="untied times (no day grid)")
    a = ap.parse_args()
    n = int(a.n)
    rng = np.random.default_rng(a.seed)
    g = rng.integers(1, a.strata + 1, n).astype(np.float64)
    time = rng.exponential(1500.0 / (1 + 0.1 * g))
    if not a.continuous:
        time = np.ceil(time)  # whole days: heavy ties, as registry data have
    event = (rng.random(n) < 0.7).astype(np.float64)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    for name, v in (("time", time), ("event", event), ("group", g)):
        v.astype("<f8").tofile(out / f"{name}.f64")
    print(f"wrote {n} rows, {a.strata} strata to {out}")


if __name__ == "__main__":
    main()
