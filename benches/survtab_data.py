"""Write the interval net survival benchmark cohort: n patients resampled (with
replacement, seeded; nothing jittered) from popEpi's sire (the 8227 rows of the fixtures:
all female, diagnosed 1993-2012, followed to 2012-12-31). One CSV that Python and R both
read: time (years, ex_cal - dg_cal), event (status > 0), status (0 alive, 1 cancer death,
2 other death; popEpi's Lexis exit status), dg_age (years), dg_cal (decimal year of
diagnosis, get.yrs()), sex (1 female).

    python benches/survtab_data.py --n 100000 --out /tmp/hrrstats-survtab
"""
import argparse
from pathlib import Path

import numpy as np
import pandas as pd

FIX = Path(__file__).resolve().parents[1] / "tests" / "reference" / "fixtures"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=float, default=1e5)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--out", default="/tmp/hrrstats-survtab")
    a = ap.parse_args()
    n = int(a.n)
    d = pd.read_csv(FIX / "data_rs_sire.csv", float_precision="round_trip")
    idx = np.random.default_rng(a.seed).integers(0, len(d), n)
    s = d.iloc[idx]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({
        "time": (s["ex_cal"] - s["dg_cal"]).to_numpy(),
        "event": (s["status"] > 0).astype(int).to_numpy(),
        "status": s["status"].to_numpy(),
        "dg_age": s["dg_age"].to_numpy(),
        "dg_cal": s["dg_cal"].to_numpy(),
        "sex": s["sex"].to_numpy(),
    }).to_csv(out / "data.csv", index=False)  # floats written with repr: exact round trip


if __name__ == "__main__":
    main()
