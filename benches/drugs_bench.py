"""Drug exposure timings (issue 17): n dispensings for n / 50 persons (the issue's target
is 1e8 dispensings for 2e6 persons), integer ids, dates over 5 years, 30/60/90-day
supplies, through the Python binding (column conversion included). One run each.

  python benches/drugs_bench.py [n] [persons]     (persons: default n / 50)
Prints CSV rows: task,size,persons,seconds,peak_rss_mb
"""
import resource
import sys
import time

import numpy as np

import hrrstats as hs

n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000
persons = int(float(sys.argv[2])) if len(sys.argv) > 2 else max(1, n // 50)
rng = np.random.default_rng(17)
ids = rng.integers(0, persons, n)
dates = rng.integers(0, 5 * 365, n).astype(np.float64)
amount = rng.choice([30.0, 60.0, 90.0], n)


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


for task, f in [
    ("drug_exposure", lambda: hs.drug_exposure(ids, dates, amount, grace=30)),
    ("drug_exposure (no stockpile; proportional grace)",
     lambda: hs.drug_exposure(ids, dates, amount, grace=0, grace_fraction=0.5, stockpile=False)),
    ("adherence pdc", lambda: hs.adherence(ids, dates, amount, window=365)),
]:
    t = time.perf_counter()
    out = f()
    sec = time.perf_counter() - t
    print(f"{task},{n},{persons},{sec:.2f},{rss_mb():.0f}", flush=True)
    del out
