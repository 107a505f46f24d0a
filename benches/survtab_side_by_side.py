"""Interval (life-table) Pohar-Perme net survival speed and memory, Python side, on the
data of benches/survtab_data.py with the popmort rate table; pp_weight="popepi" so the
estimate is popEpi::survtab's. One process per tool (peak memory is the tool's own).
Prints one CSV line: language,tool,seconds,final_survival,peak_rss_gb,peak_above_data_gb

    python benches/survtab_side_by_side.py --data /tmp/hrrstats-survtab [--repeat 3]
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


def status_kb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-survtab")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    d = pd.read_csv(Path(a.data) / "data.csv", float_precision="round_trip")
    rt = hs.RateTable.from_frame(pd.read_csv(FIX / "data_rs_popmort.csv", float_precision="round_trip"),
                                 age="agegroup", year="year", sex="sex", rate="haz", time_unit="years")
    base = status_kb("VmRSS")
    out = [None]

    def run():
        out[0] = hs.interval_net_survival("time", "event", "dg_age", "dg_cal", "sex", rt, breaks=np.arange(61) / 12,
                                          pp_weight="popepi", data=d)
    sec = best(run, a.repeat)
    peak = status_kb("VmHWM")
    s = out[0].table()["survival"].iloc[-1]
    print(f"python,hrrstats.interval_net_survival (pp),{sec:.4f},{s:.17g},{peak / 1e6:.3f},{(peak - base) / 1e6:.3f}")


if __name__ == "__main__":
    main()
