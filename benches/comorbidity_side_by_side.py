"""Side-by-side comorbidity timings (one run, same data): hrrstats.comorbidity against
comorbidipy.comorbidity (Charlson, Quan 2005 ICD-10 map, Quan 2011 weights; Elixhauser,
van Walraven weights). Prints CSV lines task,tool,size,seconds.

    python benches/comorbidity_side_by_side.py [persons] [codes]   # default 1e5 x 5e6

Codes are drawn from every prefix of the two maps (extended by a digit) and from codes
that match nothing, in registry spelling without dots (comorbidipy matches codes as
written). comorbidipy is optional: without it only hrrstats is timed.
"""
import sys
import time

import numpy as np
import pandas as pd

import hrrstats as hs

n_persons = int(float(sys.argv[1])) if len(sys.argv) > 1 else 100_000
n_codes = int(float(sys.argv[2])) if len(sys.argv) > 2 else 5_000_000
rng = np.random.default_rng(17)
try:
    import pandas.core.common as _c
    if not hasattr(_c, "SettingWithCopyWarning"):
        _c.SettingWithCopyWarning = type("SettingWithCopyWarning", (Warning,), {})
    import warnings
    warnings.simplefilter("ignore")
    import comorbidipy
    from comorbidipy.mapping import mapping
    pool = sorted({p + str(d) for k in ("charlson_icd10_quan", "elixhauser_icd10_quan")
                   for v in mapping[k].values() for p in v for d in range(10)})
except ImportError:
    comorbidipy = None
    pool = ["I21", "I509", "E112", "C509", "C787", "K703", "J441", "N185", "F201", "I10", "E66", "B20"]
pool += ["Z000", "R69", "J069", "S720", "A099", "M545", "H100", "Z380"] * 50
codes = np.array(pool, dtype=object)[rng.integers(0, len(pool), n_codes)]
ids = rng.integers(0, n_persons, n_codes)
df = pd.DataFrame({"id": ids, "code": codes})


def tm(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


size = f"{n_persons:g} persons x {n_codes:g} codes"
for index, w, cw in [("charlson", "quan", "quan"), ("elixhauser", "van_walraven", "vw")]:
    print(f"{index},hrrstats.comorbidity,{size},"
          f"{tm(lambda: hs.comorbidity('id', 'code', index=index, weights=w, data=df)):.3f}", flush=True)
    if comorbidipy is not None:
        print(f"{index},comorbidipy.comorbidity,{size},"
              f"{tm(lambda: comorbidipy.comorbidity(df.copy(), id='id', code='code', age=None, score=index, icd='icd10', variant='quan', weighting=cw)):.3f}",
              flush=True)
