"""Write the shared Cox benchmark data: n rows, p normal covariates, proportional
hazards with exponential baseline, whole-day times (ties), ~30% censoring. Binary
float64 files that Python and R both read.

    python benches/cox_data.py --n 1e6 --p 5 --out /tmp/hrrstats-cox
"""
import argparse
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--p", type=int, default=5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-cox")
    a = ap.parse_args()
    n, p = int(a.n), a.p
    rng = np.random.default_rng(a.seed)
    x = rng.standard_normal((n, p))
    beta = np.linspace(-0.5, 0.5, p)
    t_event = rng.exponential(1000.0 / np.exp(x @ beta))
    t_cens = rng.exponential(2500.0, n)
    time = np.ceil(np.minimum(t_event, t_cens))
    status = (t_event <= t_cens).astype(np.float64)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    time.astype("<f8").tofile(out / "time.f64")
    status.astype("<f8").tofile(out / "status.f64")
    for j in range(p):
        x[:, j].astype("<f8").tofile(out / f"x{j + 1}.f64")
    (out / "p.txt").write_text(f"{p}\n")
    print(f"wrote n = {n}, p = {p} to {out}")


if __name__ == "__main__":
    main()
