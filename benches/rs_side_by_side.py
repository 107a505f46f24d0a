"""Net survival (Pohar-Perme) speed, Python side, on the data of benches/rs_data.py with
the slopop rate table. Prints: language,tool,seconds,final_survival

    python benches/rs_side_by_side.py --data /tmp/hrrstats-rs [--repeat 3]
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_util import best  # noqa: E402

import hrrstats as hs  # noqa: E402

FIX = Path(__file__).resolve().parents[1] / "tests" / "reference" / "fixtures"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-rs")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    d = pd.DataFrame({k: np.fromfile(Path(a.data) / f"{k}.f64", dtype="<f8") for k in ("time", "cens", "age", "sex", "year")})
    d["dx"] = np.datetime64("1960-01-01", "D") + d["year"].to_numpy().astype("timedelta64[D]")
    rt = hs.RateTable.from_frame(pd.read_csv(FIX / "data_rs_slopop.csv"), time_unit="days")
    out = [None]

    def run():
        out[0] = hs.net_survival("time", "cens", "age", "dx", "sex", ratetable=rt, data=d)
    sec = best(run, a.repeat)
    print(f"python,hrrstats.net_survival (pohar-perme),{sec:.4f},{out[0].table()['survival'].iloc[-1]:.10f}")


if __name__ == "__main__":
    main()
