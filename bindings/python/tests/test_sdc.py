"""Disclosure control of count tables (issue 17): ``protect_table``.

The attacker test, with a solver that is not ours (scipy's ``linprog``, HiGHS): for
every protected table, the table with its margins is rebuilt from the result, every
published cell is fixed, the additivity equations are imposed and each suppressed
cell is minimised and maximised over non-negative tables. Every primary cell
(0 < count < threshold, margins included) must be suppressed and its interval at least
the protection level wide; the intervals must be the ones the result reports (rounded
inwards for whole counts). sdcTable (the R anchor) is not installable here; its
protection model (sliding protection, LP audit) is the one checked.
"""
import itertools
import math

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import hrrstats as hs


def attacker(out, dims, count="n", total="Total"):
    """(lower, upper) of every row of ``out`` by scipy's LP, and the rows' positions."""
    levels = [[v for v in pd.unique(out[d]) if v != total] for d in dims]
    ext = [len(lv) + 1 for lv in levels]
    index = {}
    for i, row in enumerate(out[dims].itertuples(index=False)):
        key = tuple(len(levels[d]) if v == total else levels[d].index(v) for d, v in enumerate(row))
        index[key] = i
    n = len(out)
    assert len(index) == n == math.prod(ext)
    eqs = []
    for d in range(len(dims)):
        for key in itertools.product(*[range(e) for e in ext]):
            if key[d] != 0:
                continue
            row = np.zeros(n)
            for lv in range(len(levels[d])):
                k2 = key[:d] + (lv,) + key[d + 1:]
                row[index[k2]] += 1
            k2 = key[:d] + (len(levels[d]),) + key[d + 1:]
            row[index[k2]] -= 1
            eqs.append(row)
    A = np.array(eqs)
    b = np.zeros(len(eqs))
    vals = out[count].to_numpy(dtype=float)
    sup = out["suppressed"].to_numpy()
    bounds = [(0, None) if s else (v, v) for s, v in zip(sup, vals)]
    lo, hi = vals.copy(), vals.copy()
    for i in np.flatnonzero(sup):
        c = np.zeros(n)
        c[i] = 1
        r = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        assert r.status == 0, r.message
        lo[i] = r.fun
        r = linprog(-c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        if r.status == 3:
            hi[i] = np.inf
        else:
            assert r.status == 0, r.message
            hi[i] = -r.fun
    return lo, hi


def check(out, dims, threshold=5, protection=None, count="n", exact=True):
    protection = threshold if protection is None else protection
    v = out[count].to_numpy(dtype=float)
    small = (v > 0) & (v < threshold)
    assert out["suppressed"][small].all()
    assert (out["reason"][small] == "primary").all()
    assert ((out["reason"] != "") == out["suppressed"]).all()
    lo, hi = attacker(out, dims, count)
    whole = np.all(v == np.floor(v))
    rlo = np.ceil(lo - 1e-6) if whole else lo
    rhi = np.where(np.isinf(hi), np.inf, np.floor(hi + 1e-6)) if whole else hi
    prim = (out["reason"] == "primary").to_numpy()
    assert np.all(rhi[prim] - rlo[prim] >= protection - 1e-9), out[prim]
    if not exact:
        # certified bounds: inside the attacker's interval, at least `protection` apart
        sec = (out["reason"] == "secondary").to_numpy()
        assert out["lower"][sec].isna().all() and out["upper"][sec].isna().all()
        ok = ~sec
        assert np.all(out["lower"][ok] >= rlo[ok] - 1e-6) and np.all(out["upper"][ok] <= rhi[ok] + 1e-6)
        assert np.all(out["upper"][prim] - out["lower"][prim] >= protection - 1e-9)
        return lo, hi
    np.testing.assert_allclose(out["lower"], rlo, atol=1e-6)
    np.testing.assert_array_equal(np.isinf(out["upper"]), np.isinf(rhi))
    fin = np.isfinite(rhi)
    np.testing.assert_allclose(out["upper"][fin], rhi[fin], atol=1e-6)
    return lo, hi


def frame(values, levels):
    names = ["r", "c", "k"][:len(levels)]
    keys = list(itertools.product(*[range(k) for k in levels]))
    d = {nm: [f"{nm}{key[i]}" for key in keys] for i, nm in enumerate(names)}
    d["n"] = np.asarray(values, dtype=np.int64)
    return pd.DataFrame(d), names


def test_hand_made_two_by_three():
    df, dims = frame([3, 12, 20, 15, 9, 11], [2, 3])
    out = hs.protect_table(df, count="n", dims=dims, exact_intervals=True)
    assert list(out.columns) == ["r", "c", "n", "suppressed", "reason", "lower", "upper"]
    assert len(out) == 12
    # the cheapest rectangle through the 3 (as the Rust test)
    assert list(np.flatnonzero(out.suppressed)) == [0, 1, 3, 4]
    assert out.loc[0, "reason"] == "primary" and out.loc[1, "reason"] == "secondary"
    assert (out.lower[0], out.upper[0]) == (0.0, 15.0)
    assert out.r.tolist()[6:] == ["r0", "r1", "Total", "Total", "Total", "Total"]
    assert out.c.tolist()[6:] == ["Total", "Total", "c0", "c1", "c2", "Total"]
    assert out.n.tolist()[6:] == [35, 35, 18, 21, 31, 70]
    assert out.attrs["n_primary"] == 1 and out.attrs["n_secondary"] == 3
    check(out, dims)


def test_one_dimension_and_small_totals():
    df = pd.DataFrame({"g": ["a", "b", "c", "d"], "n": [2, 30, 8, 40]})
    out = hs.protect_table(df, dims="g", exact_intervals=True)
    assert out.reason.tolist() == ["primary", "", "secondary", "", ""]
    check(out, ["g"])
    out = hs.protect_table(pd.DataFrame({"g": ["a", "b"], "n": [1, 2]}), dims=["g"])
    assert out.suppressed.all() and np.isinf(out.upper).all()


@pytest.mark.parametrize("seed", range(8))
def test_random_two_and_three_dimensional_tables(seed):
    rng = np.random.default_rng(seed)
    levels = [int(rng.integers(3, 8)), int(rng.integers(3, 6))] + ([int(rng.integers(2, 4))] if seed % 2 else [])
    size = math.prod(levels)
    small = rng.random(size) < 0.2
    values = np.where(small, rng.integers(0, 5, size), rng.integers(5, 40, size))
    df, dims = frame(values, levels)
    for opts in ({}, {"suppress_zeros": True}, {"threshold": 10, "protection": 4, "cost": "cells"}):
        out = hs.protect_table(df, "n", dims, **opts)
        thr = opts.get("threshold", 5)
        check(out, dims, thr, opts.get("protection"), exact=False)
        exact = hs.protect_table(df, "n", dims, exact_intervals=True, **opts)
        assert (exact.suppressed == out.suppressed).all()
        check(exact, dims, thr, opts.get("protection"))
        if opts.get("suppress_zeros"):
            assert out.suppressed[out.n == 0].all()


def test_absent_cells_other_columns_and_no_margins():
    df = pd.DataFrame({"r": ["x", "x", "y"], "c": [1, 2, 1], "n": [3, 20, 30], "pt": [1.5, 2.5, 3.5]})
    out = hs.protect_table(df, dims=["r", "c"], exact_intervals=True)
    assert out.n.tolist()[:4] == [3, 20, 30, 0]
    assert out.pt.tolist()[:3] == [1.5, 2.5, 3.5] and pd.isna(out.pt[3])
    assert out.c.tolist()[:4] == [1, 2, 1, 2]
    check(out, ["r", "c"])
    out = hs.protect_table(df, dims=["r", "c"], margins=False)
    assert len(out) == 4 and out.reason.tolist() == ["primary", "", "", ""]
    assert out.c.dtype == df.c.dtype


def test_results_and_polars():
    pl = pytest.importorskip("polars")
    df, dims = frame([3, 12, 20, 15, 9, 11], [2, 3])
    a = hs.protect_table(pl.from_pandas(df), dims=dims)
    b = hs.protect_table(df, dims=dims)
    pd.testing.assert_frame_equal(a, b)
    # an hrrstats table: person_time_table's events
    coh = hs.example_cohort().head(400)
    pt = hs.person_time_table(entry=coh.age, exit=coh.age + coh.time / 365.25, status=coh.status,
                              time_scales={"age": coh.age}, breaks={"age": [0, 50, 60, 70, 80, 120]},
                              by="sex", data=coh)
    out = hs.protect_table(pt, count="events", dims=["age_band", "sex"])
    assert "person_time" in out.columns
    check(out, ["age_band", "sex"], count="events", exact=False)
    # a Kaplan-Meier fit: its table's n_risk is the count by default
    km = hs.kaplan_meier("time", "status", strata="stage", data=coh)
    out = hs.protect_table(km, dims=["strata", "time"], margins=False)
    small = (out.n_risk > 0) & (out.n_risk < 5)
    assert small.any() and (out.reason[small] == "primary").all() and not out.suppressed[~small].any()


def test_bad_input_names_the_argument():
    df = pd.DataFrame({"g": ["a", "b"], "n": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"argument `count`: count is missing at row 1"):
        hs.protect_table(df, dims="g")
    df = pd.DataFrame({"g": ["a", "b", "a"], "n": [1, 2, 3]})
    with pytest.raises(ValueError, match=r"argument `dims`: the same cell as an earlier row .* at row 2"):
        hs.protect_table(df, dims="g")
    with pytest.raises(ValueError, match=r"argument `cost`: unknown value"):
        hs.protect_table(df.iloc[:2], dims="g", cost="x")
    with pytest.raises(ValueError, match=r"argument `dims`"):
        hs.protect_table(df, dims=None)
    with pytest.raises(ValueError, match=r"argument `total`"):
        hs.protect_table(pd.DataFrame({"g": ["Total", "b"], "n": [1, 2]}), dims="g")
