"""Poisson GLM speed, Python side: hrrstats.poisson_glm vs statsmodels GLM, same data.

Reads the data of benches/glm_data.py. Prints CSV lines: language,tool,seconds.
    python benches/glm_side_by_side.py --data /tmp/hrrstats-glm [--no-statsmodels]
"""
import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import hrrstats as hs
from bench_util import best


def load(d):
    d = Path(d)
    p = int((d / "p.txt").read_text())
    X = pd.DataFrame({f"x{j}": np.fromfile(d / f"x{j}.f64") for j in range(1, p + 1)})
    return np.fromfile(d / "y.f64"), X, np.fromfile(d / "logpt.f64")




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-glm")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-statsmodels", action="store_true")
    a = ap.parse_args()
    y, X, off = load(a.data)
    print(f"python,hrrstats.poisson_glm,{best(lambda: hs.poisson_glm(y, X, offset=off), a.repeat):.4f}")
    if not a.no_statsmodels:
        import statsmodels.api as sm
        Xc = sm.add_constant(X.to_numpy())
        sec = best(lambda: sm.GLM(y, Xc, family=sm.families.Poisson(), offset=off).fit(), 1)
        print(f"python,statsmodels.GLM (IRLS),{sec:.4f}")


if __name__ == "__main__":
    main()
