"""Deterministic numbers: the same input gives bitwise the same output on every run and
for any number of threads (a registry analysis re-run by a reviewer on another server
must reproduce to the last digit). The core's parallel sums add fixed groups of persons
in a fixed order; here each method runs twice in this process, and once more in fresh
processes with 1 and 3 threads (RAYON_NUM_THREADS), and the results must be identical
(==, not allclose)."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd

import hrrstats as hs


def _lexis_cohort(n=300_000, seed=2026):
    rng = np.random.default_rng(seed)
    entry = 1990.0 + 30.0 * rng.random(n)
    age = 90.0 * rng.random(n)
    exit_ = np.maximum(np.minimum(entry + rng.exponential(12.0, n), 2020.0), entry + 1e-3)
    status = np.where(exit_ < 2020.0, (rng.random(n) < 0.6).astype(float), 0.0)
    return pd.DataFrame({"entry": entry, "exit": exit_, "age": age, "status": status,
                         "sex": rng.integers(1, 3, n), "region": rng.integers(0, 20, n)})


def _person_time(d):
    return hs.person_time_table("entry", "exit", "status",
                                time_scales={"per": None, "age": "age"},
                                breaks={"age": np.arange(0, 110.5, 0.5), "per": np.arange(1990, 2021.0)},
                                by=["sex", "region"], data=d)


def _net(method):
    rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year", sex="sex",
                                 rate="rate", time_unit="days")
    return hs.net_survival("time", "status", "age", "year", "sex", rt, method=method,
                           data=hs.example_cohort()).table()


def _identical(a, b):
    assert list(a.columns) == list(b.columns)
    assert a.equals(b)
    for c in a.columns:
        if pd.api.types.is_float_dtype(a[c]):
            x, y = a[c].to_numpy(), b[c].to_numpy()
            assert ((x == y) | (np.isnan(x) & np.isnan(y))).all(), c


def test_person_time_table_is_identical_on_every_run():
    d = _lexis_cohort()
    a, b = _person_time(d), _person_time(d)
    assert len(a) > 10_000
    _identical(a, b)


def test_net_survival_is_identical_on_every_run():
    for method in ("pohar-perme", "ederer2"):
        a, b = _net(method), _net(method)
        assert len(a) > 1000
        _identical(a, b)


_CHILD = textwrap.dedent("""
    import importlib, json, sys
    sys.path.insert(0, {here!r})
    t = importlib.import_module("test_determinism")  # this file (not a package to install)
    pt = t._person_time(t._lexis_cohort(100_000))
    ns = t._net("pohar-perme")
    print(json.dumps([pt["person_time"].map(float.hex).tolist(),
                      ns["survival"].map(float.hex).tolist(),
                      ns["std_err"].map(float.hex).tolist()]))
""")


def test_the_same_bits_with_1_and_3_threads():
    here = os.path.dirname(os.path.abspath(__file__))
    out = []
    for threads in ("1", "3"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        r = subprocess.run([sys.executable, "-c", _CHILD.format(here=here)], env=env,
                           capture_output=True, text=True, timeout=600, check=True)
        out.append(json.loads(r.stdout.strip().splitlines()[-1]))
    assert out[0] == out[1]
