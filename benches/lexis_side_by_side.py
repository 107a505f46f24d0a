"""Lexis splitting speed and memory, Python side: one tool per process (so peak memory
is the tool's own), on the data written by benches/lexis_data.py. Prints one CSV line:
language,tool,seconds,rows,peak_rss_gb,peak_above_data_gb

    python benches/lexis_side_by_side.py --data /tmp/hrrstats-lexis --tool split
"""
import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_util import best  # noqa: E402

import hrrstats as hs  # noqa: E402


def status_kb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="/tmp/hrrstats-lexis")
    ap.add_argument("--tool", choices=["split", "table"], required=True)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    d = pd.DataFrame({k: np.fromfile(Path(a.data) / f"{k}.f64", dtype="<f8") for k in ("entry", "exit", "age", "status", "sex")})
    kw = dict(time_scales={"per": None, "age": "age"}, breaks={"age": np.arange(0, 111.0), "per": np.arange(1990, 2021.0)}, data=d)
    base = status_kb("VmRSS")
    rows = [0]
    if a.tool == "split":
        def run():
            s = hs.lexis_split("entry", "exit", "status", **kw)
            rows[0] = len(s)
        name = "hs.lexis_split (DataFrame)"
    else:
        def run():
            t = hs.person_time_table("entry", "exit", "status", by="sex", **kw)
            rows[0] = len(t)
        name = "hs.person_time_table (by sex)"
    sec = best(run, a.repeat)
    peak = status_kb("VmHWM")
    print(f"python,{name},{sec:.4f},{rows[0]},{peak / 1e6:.3f},{(peak - base) / 1e6:.3f}")


if __name__ == "__main__":
    main()
