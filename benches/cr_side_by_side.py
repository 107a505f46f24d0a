"""Fine-Gray speed, Python side: hs.fine_gray on the data of benches/cr_data.py.
Prints CSV lines: language,tool,seconds,coef1,coef2,coef3

    python benches/cr_side_by_side.py --data /tmp/hrrstats-cr [--repeat 3]
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_util import best  # noqa: E402

import hrrstats as hs  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-cr")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    d = pd.DataFrame({k: np.fromfile(Path(a.data) / f"{k}.f64", dtype="<f8") for k in ("time", "event", "x1", "x2", "x3")})
    fit = [None]

    def run():
        fit[0] = hs.fine_gray("time", "event", ["x1", "x2", "x3"], data=d)
    sec = best(run, a.repeat)
    c = fit[0].coef
    print(f"python,hrrstats.fine_gray,{sec:.4f},{c[0]:.10f},{c[1]:.10f},{c[2]:.10f}")


if __name__ == "__main__":
    main()
