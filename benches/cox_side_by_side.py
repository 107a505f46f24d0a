"""Cox speed, Python side: hrrstats.cox_ph vs lifelines CoxPHFitter, same data, one run.

Reads the data written by benches/cox_data.py. Prints CSV lines: language,tool,seconds.
    python benches/cox_side_by_side.py --data /tmp/hrrstats-cox [--no-lifelines]
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
    df = pd.DataFrame({"time": np.fromfile(d / "time.f64"), "status": np.fromfile(d / "status.f64"),
                       **{f"x{j}": np.fromfile(d / f"x{j}.f64") for j in range(1, p + 1)}})
    return df, [f"x{j}" for j in range(1, p + 1)]




def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-cox")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-lifelines", action="store_true")
    a = ap.parse_args()
    df, xs = load(a.data)
    print(f"python,hrrstats.cox_ph,{best(lambda: hs.cox_ph('time', 'status', xs, data=df), a.repeat):.4f}")
    if not a.no_lifelines:
        from lifelines import CoxPHFitter
        sec = best(lambda: CoxPHFitter().fit(df, "time", "status"), 1)
        print(f"python,lifelines.CoxPHFitter,{sec:.4f}")


if __name__ == "__main__":
    main()
