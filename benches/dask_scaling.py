"""hrrstats.dask against the in-memory functions, same data, one run each.

    python benches/dask_scaling.py [N_PERSONS] [N_PARTITIONS] [WORKERS] [persist]

Writes a synthetic cohort as N_PARTITIONS Parquet files, then times, on a
distributed.LocalCluster (WORKERS processes, one thread each, 4 GiB each):
person_time_table (age x period), a Poisson GLM with 10 covariates (5 numeric, a 6-level
factor), a Cox model on the same covariates (times in days) and Kaplan-Meier by stratum, each against the in-memory function on the same
rows (read into one pandas DataFrame), and checks that the answers agree.
"""
import sys
import tempfile
import time
from pathlib import Path

import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd

import hrrstats as hs
import hrrstats.dask as hd


def cohort(n, seed):
    rng = np.random.default_rng(seed)
    age = rng.uniform(30, 90, n)
    fu = np.round(rng.exponential(6, n), 2) + 0.01
    d = {"entry_age": age, "exit_age": age + fu, "entry_year": rng.uniform(1990, 2015, n), "time": fu,
         "status": (rng.uniform(size=n) < 0.4).astype(float),
         "region": rng.choice(["N", "M", "W", "SE", "S", "O"], n)}
    for j in range(5):
        d[f"x{j}"] = rng.normal(size=n)
    lam = np.exp(-3 + 0.02 * age + 0.1 * d["x0"]) * fu
    d["events"] = rng.poisson(lam).astype(float)
    d["days"] = np.ceil(fu * 365.25)
    d["log_fu"] = np.log(fu)
    return pd.DataFrame(d)


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    parts = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    tmp = Path(tempfile.mkdtemp())
    per = n // parts
    for k in range(parts):
        cohort(per, k).to_parquet(tmp / f"part{k:03d}.parquet")
    cluster = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit="4GiB",
                                       dashboard_address=None)
    client = distributed.Client(cluster)
    ddf = dd.read_parquet(str(tmp / "part*.parquet"))
    persist = len(sys.argv) > 4 and sys.argv[4] == "persist"
    if persist:  # the partitions held in the workers' memory: each pass skips the files
        ddf = ddf.persist()
        distributed.wait(ddf)
    df = pd.read_parquet(tmp)
    pt = dict(time_scales={"age": "entry_age", "period": "entry_year"},
              breaks={"age": list(range(30, 111, 5)), "period": list(range(1990, 2031, 5))})
    covs = ["x0", "x1", "x2", "x3", "x4", "region"]
    rows = []
    for name, mem, par in [
        ("person_time_table", lambda: hs.person_time_table("entry_age", "exit_age", "status", data=df, **pt),
         lambda: hd.person_time_table("entry_age", "exit_age", "status", data=ddf, **pt)),
        ("poisson_glm (10 columns)", lambda: hs.poisson_glm("events", covs, offset="log_fu", data=df),
         lambda: hd.poisson_glm("events", covs, offset="log_fu", data=ddf)),
        ("cox_ph (6 columns, Efron)", lambda: hs.cox_ph("days", "status", covs, data=df, robust=False),
         lambda: hd.cox_ph("days", "status", covs, data=ddf)),
        ("kaplan_meier by region", lambda: hs.kaplan_meier("time", "status", strata="region", data=df),
         lambda: hd.kaplan_meier("time", "status", strata="region", data=ddf)),
    ]:
        a, ta = timed(mem)
        b, tb = timed(par)
        if hasattr(a, "coef"):
            ok = np.allclose(a.coef, b.coef, rtol=1e-10) and np.allclose(a.se, b.se, rtol=1e-10)
        elif hasattr(a, "table"):
            ok = np.allclose(a.table()["survival"], b.table()["survival"], rtol=1e-12)
        else:
            ok = np.isclose(a["person_time"].sum(), b["person_time"].sum(), rtol=1e-12)
        rows.append((name, ta, tb, ok))
    client.close()
    cluster.close()
    print(f"{n:,} rows in {parts} Parquet partitions{' (persisted)' if persist else ''}, "
          f"LocalCluster with {workers} worker(s)")
    print("| workload | in memory (s) | hrrstats.dask (s) | dask / in memory | same answer |")
    print("|---|---:|---:|---:|---|")
    for name, ta, tb, ok in rows:
        print(f"| {name} | {ta:.2f} | {tb:.2f} | {tb / ta:.1f}x | {'yes' if ok else 'NO'} |")


if __name__ == "__main__":
    main()
