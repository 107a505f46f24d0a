"""Scale runs of hrrstats.dask (issue #18, "Speed and scale"): data generated partition by
partition into Parquet files under /tmp (the generator never holds more than one
partition), a distributed.LocalCluster with WORKERS worker processes (one thread each)
and MEMORY per worker, and each workload timed against the in-memory function on a
size that fits.

    python benches/dask_scale.py pt      N_PERSONS PARTS WORKERS MEMORY FIT_N
    python benches/dask_scale.py glm     N_ROWS    PARTS WORKERS MEMORY FIT_N
    python benches/dask_scale.py cox     N_ROWS    PARTS WORKERS MEMORY SUBSET_N
    python benches/dask_scale.py scaling N_PERSONS PARTS MEMORY          (1 then 2 workers)

pt:  person_time_table (age x period, 5-year bands) of N persons; throughput (persons/s)
     against hs.person_time_table on the first FIT_N persons (in one pandas DataFrame).
glm: Poisson GLM with 10 numeric covariates and a log offset on N rows; passes over the
     data, seconds per pass (one IRLS iteration each), workers' peak memory; hs.poisson_glm
     on the first FIT_N rows for the per-iteration time in memory.
cox: Cox (Efron, 10 covariates, times in days) on N rows over partitions; then the first
     SUBSET_N rows fitted both ways (in memory and over partitions): the same coefficients
     and standard errors (1e-10 relative).
scaling: person_time_table and the Poisson GLM on the same files with 1 and 2 workers.
Prints Markdown table rows.
"""
import os
import resource
import shutil
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

P = 10


def part_frame(n, seed):
    rng = np.random.default_rng(seed)
    age = rng.uniform(30, 90, n)
    fu = np.round(rng.exponential(6, n), 2) + 0.01
    d = {"entry_age": age, "exit_age": age + fu, "entry_year": rng.uniform(1990, 2015, n),
         "status": (rng.uniform(size=n) < 0.4).astype(float), "log_fu": np.log(fu)}
    x = rng.normal(size=(n, P))
    for j in range(P):
        d[f"x{j}"] = x[:, j]
    lam = np.exp(-3 + 0.02 * age + x[:, :3] @ np.array([0.1, -0.1, 0.05])) * fu
    d["events"] = rng.poisson(lam).astype(float)
    t = rng.exponential(1.0 / (lam / fu * 20))
    d["days"] = np.minimum(np.ceil(t * 365.25), 3653.0)
    d["died"] = (t * 365.25 < 3653.0).astype(float)
    return pd.DataFrame(d)


def write(n, parts, root):
    """N rows in PARTS Parquet files (sizes differ by at most one)."""
    root.mkdir(parents=True, exist_ok=True)
    sizes = [n // parts + (k < n % parts) for k in range(parts)]
    t = time.perf_counter()
    for k, m in enumerate(sizes):
        part_frame(m, k).to_parquet(root / f"part{k:04d}.parquet")
    return sizes, time.perf_counter() - t


def head(root, sizes, n):
    """The first n rows (whole files, then part of one), in memory."""
    frames, got = [], 0
    for k, m in enumerate(sizes):
        if got >= n:
            break
        f = pd.read_parquet(root / f"part{k:04d}.parquet")
        frames.append(f.iloc[: n - got])
        got += len(frames[-1])
    return pd.concat(frames, ignore_index=True)


def cluster(workers, memory):
    c = distributed.LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=memory,
                                 dashboard_address=None)
    return c, distributed.Client(c)


def peak_mb(client):
    """Each worker process's peak resident memory (MB)."""
    r = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return max(r.values())


def counting_runs():
    """Count hrrstats.dask's passes over the partitions."""
    n = [0]
    run = hd._run

    def counted(*a, **k):
        n[0] += 1
        return run(*a, **k)

    hd._run = counted
    return n


def timed(f):
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


PT = dict(time_scales={"age": "entry_age", "period": "entry_year"},
          breaks={"age": list(range(30, 111, 5)), "period": list(range(1990, 2031, 5))})
COVS = [f"x{j}" for j in range(P)]
PT_COLS = ["entry_age", "exit_age", "entry_year", "status"]


def pt(n, parts, workers, memory, fit_n, root):
    sizes, gen = write(n, parts, root)
    c, client = cluster(workers, memory)
    try:
        ddf = dd.read_parquet(str(root / "part*.parquet"), columns=PT_COLS)
        par, tp = timed(lambda: hd.person_time_table("entry_age", "exit_age", "status", data=ddf, **PT))
        peak = peak_mb(client)
        df, tr = timed(lambda: head(root, sizes, fit_n)[PT_COLS])
        mem, tm = timed(lambda: hs.person_time_table("entry_age", "exit_age", "status", data=df, **PT))
        print(f"| person_time_table | {n:.0e} persons, {parts} partitions | {workers} x {memory} | "
              f"{tp:.1f} s incl. reading ({n / tp:,.0f} persons/s), peak worker {peak:,.0f} MB | "
              f"in memory {fit_n:.0e}: {tm:.1f} s ({fit_n / tm:,.0f} persons/s); with reading the files "
              f"{tm + tr:.1f} s ({fit_n / (tm + tr):,.0f} persons/s) | dask/in-memory throughput "
              f"{(n / tp) / (fit_n / tm):.2f} (with reading {(n / tp) / (fit_n / (tm + tr)):.2f}) | "
              f"data written in {gen:.0f} s |", flush=True)
        return tp
    finally:
        client.close()
        c.close()


def glm(n, parts, workers, memory, fit_n, root):
    sizes, gen = write(n, parts, root)
    c, client = cluster(workers, memory)
    try:
        ddf = dd.read_parquet(str(root / "part*.parquet"), columns=["events", "log_fu", *COVS])
        passes = counting_runs()
        par, tp = timed(lambda: hd.poisson_glm("events", COVS, offset="log_fu", data=ddf))
        peak = peak_mb(client)
        df = head(root, sizes, fit_n)
        mem, tm = timed(lambda: hs.poisson_glm("events", COVS, offset="log_fu", data=df))
        print(f"| poisson_glm, 10 covariates + offset | {n:.0e} rows, {parts} partitions | {workers} x {memory} | "
              f"{tp:.1f} s, {passes[0]} passes ({par.iterations} IRLS iterations): {tp / passes[0]:.2f} s per pass, "
              f"peak worker {peak:,.0f} MB | in memory {fit_n:.0e} rows: {tm:.1f} s, "
              f"{tm / max(mem.iterations, 1):.2f} s per iteration | data written in {gen:.0f} s |", flush=True)
        return tp
    finally:
        client.close()
        c.close()


def cox(n, parts, workers, memory, subset, root):
    sizes, gen = write(n, parts, root)
    c, client = cluster(workers, memory)
    try:
        cols = ["days", "died", *COVS]
        ddf = dd.read_parquet(str(root / "part*.parquet"), columns=cols)
        passes = counting_runs()
        par, tp = timed(lambda: hd.cox_ph("days", "died", COVS, data=ddf))
        peak = peak_mb(client)
        df = head(root, sizes, subset)
        k = int(np.searchsorted(np.cumsum(sizes), subset, side="left")) + 1
        sub = dd.read_parquet([str(root / f"part{i:04d}.parquet") for i in range(k)], columns=cols)
        sub = sub.partitions[:k]
        n_sub = len(sub)
        if n_sub != subset:  # the subset is whole files: take the same rows in memory
            df = head(root, sizes, n_sub)
        mem, tm = timed(lambda: hs.cox_ph("days", "died", COVS, data=df, robust=False))
        psub, ts = timed(lambda: hd.cox_ph("days", "died", COVS, data=sub))
        # coefficients compared in units of their standard error (a coefficient near 0
        # makes a relative difference meaningless), standard errors and the
        # log-likelihood relatively
        dcoef = np.max(np.abs(psub.coef - mem.coef) / mem.se)
        dse = np.max(np.abs(psub.se / mem.se - 1))
        dll = abs(psub.loglik[1] / mem.loglik[1] - 1)
        print(f"| cox_ph (Efron, 10 covariates) | {n:.0e} rows, {parts} partitions | {workers} x {memory} | "
              f"{tp:.1f} s, {passes[0]} passes, {par.iterations} iterations, peak worker {peak:,.0f} MB | "
              f"{n_sub:.0e}-row subset: in memory {tm:.1f} s, over partitions {ts:.1f} s, "
              f"iterations {mem.iterations} / {psub.iterations}; largest difference: coef {dcoef:.1e} se, "
              f"se {dse:.1e} relative, log-likelihood {dll:.1e} relative | "
              f"data written in {gen:.0f} s |", flush=True)
        return tp
    finally:
        client.close()
        c.close()


def scaling(n, parts, memory, root):
    sizes, gen = write(n, parts, root)
    out = {}
    for workers in (1, 2):
        c, client = cluster(workers, memory)
        try:
            ddf = dd.read_parquet(str(root / "part*.parquet"), columns=PT_COLS)
            _, t1 = timed(lambda: hd.person_time_table("entry_age", "exit_age", "status", data=ddf, **PT))
            g = dd.read_parquet(str(root / "part*.parquet"), columns=["events", "log_fu", *COVS])
            _, t2 = timed(lambda: hd.poisson_glm("events", COVS, offset="log_fu", data=g))
            out[workers] = (t1, t2)
        finally:
            client.close()
            c.close()
    (a1, b1), (a2, b2) = out[1], out[2]
    print(f"| 1 -> 2 workers | {n:.0e} rows, {parts} partitions, {memory} per worker | "
          f"person_time_table {a1:.1f} s -> {a2:.1f} s ({a1 / a2:.2f}x) | "
          f"poisson_glm {b1:.1f} s -> {b2:.1f} s ({b1 / b2:.2f}x) | cores: {os.cpu_count()} |", flush=True)


def main():
    what = sys.argv[1]
    a = sys.argv[2:]
    root = Path(tempfile.mkdtemp(prefix=f"hrr-dask-{what}-", dir=os.environ.get("DASK_SCALE_DIR", "/tmp")))
    try:
        if what == "scaling":
            scaling(int(float(a[0])), int(a[1]), a[2], root)
        else:
            f = {"pt": pt, "glm": glm, "cox": cox}[what]
            f(int(float(a[0])), int(a[1]), int(a[2]), a[3], int(float(a[4])), root)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
