"""Write the shared GLM benchmark data: n rows, p covariates (a mix of binary and
continuous, as dummy-coded registry bands), Poisson counts with a log(person-time)
offset. Binary float64 files that Python and R read.

    python benches/glm_data.py --n 1e7 --p 30 --out /tmp/hrrstats-glm
"""
import argparse
from pathlib import Path

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e6)
    ap.add_argument("--p", type=int, default=30)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-glm")
    a = ap.parse_args()
    n, p = int(a.n), a.p
    rng = np.random.default_rng(a.seed)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    eta = np.full(n, -3.0)
    for j in range(p):
        x = (rng.random(n) < 0.3).astype(np.float64) if j % 2 == 0 else rng.standard_normal(n)
        eta += x * (0.3 if j % 3 == 0 else -0.1) / np.sqrt(p / 10)
        x.astype("<f8").tofile(out / f"x{j + 1}.f64")
    logpt = np.log(rng.uniform(0.5, 5.0, n))
    y = rng.poisson(np.exp(eta + logpt)).astype(np.float64)
    y.astype("<f8").tofile(out / "y.f64")
    logpt.astype("<f8").tofile(out / "logpt.f64")
    (out / "p.txt").write_text(f"{p}\n")
    print(f"wrote n = {n}, p = {p} to {out}")


if __name__ == "__main__":
    main()
