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


# ---- magnitude tables (p%-rule, dominance), hierarchies, controlled rounding ----

def attacker_tree(out, dims, parent, value, bounds_of=None):
    """(lower, upper) of every row of ``out`` by scipy's LP over the equations
    ``sum(children) = node`` given by ``parent(d, label)`` (the parent label, None for
    the total); published cells fixed unless ``bounds_of`` gives every row's bounds."""
    keys = [tuple(row) for row in out[dims].astype(str).itertuples(index=False)]
    index = {k: i for i, k in enumerate(keys)}
    n = len(out)
    assert len(index) == n
    eqs = {}
    for i, k in enumerate(keys):
        for d in range(len(dims)):
            par = parent(d, k[d])
            if par is None:
                continue
            pk = k[:d] + (par,) + k[d + 1:]
            eqs.setdefault((index[pk], d), []).append(i)
    rows = []
    for (node, _), children in eqs.items():
        a = np.zeros(n)
        a[children] = 1
        a[node] -= 1
        rows.append(a)
    A = np.array(rows)
    vals = out[value].to_numpy(dtype=float)
    if bounds_of is None:
        sup = out["suppressed"].to_numpy()
        bounds = [(0, None) if s else (v, v) for s, v in zip(sup, vals)]
        which = np.flatnonzero(sup)
    else:
        bounds = bounds_of
        which = range(n)
    lo, hi = vals.copy(), vals.copy()
    for i in which:
        c = np.zeros(n)
        c[i] = 1
        r = linprog(c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        assert r.status == 0, r.message
        lo[i] = r.fun
        r = linprog(-c, A_eq=A, b_eq=np.zeros(len(A)), bounds=bounds, method="highs")
        hi[i] = np.inf if r.status == 3 else -r.fun
        if r.status != 3:
            assert r.status == 0, r.message
    return lo, hi, A


def flat_parent(total="Total"):
    return lambda d, label: None if label == total else total


def contributions(seed, levels, units=12):
    rng = np.random.default_rng(seed)
    rows = []
    for key in itertools.product(*[range(k) for k in levels]):
        for _ in range(int(rng.integers(1, 6))):
            v = float(rng.integers(50, 550)) if rng.random() < 0.25 else float(rng.integers(1, 41))
            rows.append(tuple(f"{nm}{key[i]}" for i, nm in enumerate("rck"[:len(levels)]))
                        + (f"u{rng.integers(units)}", v + 0.25))
    names = list("rck"[:len(levels)])
    return pd.DataFrame(rows, columns=names + ["unit", "turnover"]), names


def by_hand(df, out, dims, total="Total"):
    """(X, sorted unit sums) of every output row from the contributions."""
    res = []
    for row in out[dims].astype(str).itertuples(index=False):
        m = np.ones(len(df), dtype=bool)
        for d, v in zip(dims, row):
            if v != total:
                m &= (df[d].astype(str) == v).to_numpy()
        s = df[m].groupby("unit")["turnover"].sum().sort_values(ascending=False).to_numpy()
        res.append((s.sum(), s))
    return res


@pytest.mark.parametrize("seed", range(4))
def test_p_percent_rule_scipy_attacker(seed):
    levels = [4, 3] if seed % 2 == 0 else [2, 3, 2]
    df, dims = contributions(seed, levels)
    p = 10 + seed
    out = hs.protect_table(df, dims=dims, magnitude="turnover", unit="unit", p=p)
    assert {"contributors", "protection_level"} <= set(out.columns) and "unit" not in out.columns
    hand = by_hand(df, out, dims)
    lo, hi, _ = attacker_tree(out, dims, flat_parent(), "turnover")
    assert (out.reason == "primary").any()
    for i, (x, v) in enumerate(hand):
        assert out.turnover[i] == pytest.approx(x)
        assert out.contributors[i] == len(v)
        x1 = v[0] if len(v) else 0.0
        x2 = v[1] if len(v) > 1 else 0.0
        sensitive = x > 0 and x - x1 - x2 < p / 100 * x1
        assert (out.reason[i] == "primary") == sensitive
        if sensitive:
            need = p / 100 * x1 - (x - x1 - x2)
            assert out.protection_level[i] == pytest.approx(need)
            # scipy's attacker cannot narrow the cell inside [X - LPL, X + UPL]
            assert hi[i] >= x + need - 1e-6 and lo[i] <= max(x - need, 0) + 1e-6
            assert out.upper[i] >= x + need - 1e-6 and out.upper[i] <= hi[i] + 1e-6
            assert out.lower[i] == pytest.approx(lo[i], abs=1e-6)


def test_dominance_rule_scipy_attacker():
    df, dims = contributions(11, [4, 3], units=15)
    out = hs.protect_table(df, dims=dims, magnitude="turnover", unit="unit", dominance=(1, 75), exact_intervals=True)
    hand = by_hand(df, out, dims)
    lo, hi, _ = attacker_tree(out, dims, flat_parent(), "turnover")
    np.testing.assert_allclose(out.lower, lo, atol=1e-6)
    np.testing.assert_array_equal(np.isinf(out.upper), np.isinf(hi))
    fin = np.isfinite(hi)
    np.testing.assert_allclose(out.upper[fin], hi[fin], atol=1e-6, rtol=1e-9)
    for i, (x, v) in enumerate(hand):
        sensitive = x > 0 and v[0] > 0.75 * x
        assert (out.reason[i] == "primary") == sensitive
        if sensitive:
            need = v[0] / 0.75 - x
            assert hi[i] >= x + need - 1e-6 and lo[i] <= max(x - need, 0) + 1e-6
    with pytest.raises(ValueError, match=r"argument `threshold`: applies to count tables"):
        hs.protect_table(df, dims=dims, magnitude="turnover", p=10, threshold=3)
    with pytest.raises(ValueError, match=r"argument `p`: a magnitude table needs a sensitivity rule"):
        hs.protect_table(df, dims=dims, magnitude="turnover")
    with pytest.raises(ValueError, match=r"argument `p`: applies to magnitude tables"):
        hs.protect_table(pd.DataFrame({"g": ["a", "b"], "n": [1, 2]}), dims="g", p=10)


HIER = {"m0": "A", "m1": "A", "m2": "A", "m3": "B", "m4": "B", "m5": "B", "A": "R", "B": "R"}


@pytest.mark.parametrize("seed", range(4))
def test_hierarchy_every_level_protected_scipy_attacker(seed):
    rng = np.random.default_rng(100 + seed)
    keys = list(itertools.product(range(6), range(3)))
    small = rng.random(len(keys)) < 0.15
    vals = np.where(small, rng.integers(0, 5, len(keys)), rng.integers(5, 25, len(keys)))
    df = pd.DataFrame({"muni": [f"m{a}" for a, _ in keys], "c": [f"c{b}" for _, b in keys], "n": vals})
    out = hs.protect_table(df, dims=["muni", "c"], hierarchies={"muni": HIER}, exact_intervals=True)
    assert set(out.muni) == {f"m{i}" for i in range(6)} | {"A", "B", "R", "Total"}
    assert len(out) == 10 * 4
    parent = lambda d, lab: (None if lab == "Total" else "Total") if d == 1 else \
        (HIER.get(lab, "Total") if lab != "Total" else None)
    lo, hi, A = attacker_tree(out, ["muni", "c"], parent, "n")
    assert len(A) == 4 * 4 + 10
    # subtotals are the sums of their children
    v = out.n.to_numpy(dtype=float)
    np.testing.assert_allclose(A @ v, 0)
    small = (v > 0) & (v < 5)
    assert (out.reason[small] == "primary").all()
    rlo, rhi = np.ceil(lo - 1e-6), np.where(np.isinf(hi), np.inf, np.floor(hi + 1e-6))
    prim = (out.reason == "primary").to_numpy()
    assert np.all(rhi[prim] - rlo[prim] >= 5)
    np.testing.assert_allclose(out.lower, rlo, atol=1e-6)
    np.testing.assert_array_equal(np.isinf(out.upper), np.isinf(rhi))


def test_hierarchy_inputs_and_errors():
    df = pd.DataFrame({"muni": ["m0", "m1", "m3"], "n": [3, 20, 30]})
    # a DataFrame of child, parent; m2 (no rows) becomes a zero cell
    h = pd.DataFrame({"child": ["m0", "m1", "m2", "m3"], "parent": ["A", "A", "A", "B"]})
    out = hs.protect_table(df, dims="muni", hierarchies={"muni": h})
    assert out.muni.tolist() == ["m0", "m1", "m3", "m2", "A", "B", "Total"]
    assert out.n.tolist() == [3, 20, 30, 0, 23, 30, 53]
    with pytest.raises(ValueError, match=r"argument `hierarchies`: dimension `muni`: `m0` is a level in the data and a subtotal"):
        hs.protect_table(df, dims="muni", hierarchies={"muni": {"m1": "m0"}})
    with pytest.raises(ValueError, match=r"argument `hierarchies`: `x` is not one of the dimensions"):
        hs.protect_table(df, dims="muni", hierarchies={"x": {"m1": "A"}})


def rounding_attacker(out, dims, parent, base):
    """The attacker of a rounded table: every cell within base - 1 of its published value
    (whole numbers), non-negative, additive; each cell's (min, max)."""
    r = out["rounded"].to_numpy(dtype=float)
    bounds = [(max(0.0, x - base + 1), x + base - 1) for x in r]
    lo, hi, A = attacker_tree(out.assign(_r=r), dims, parent, "_r", bounds_of=bounds)
    return lo, hi, A


@pytest.mark.parametrize("seed", range(10))
def test_controlled_rounding_two_dimensions(seed):
    rng = np.random.default_rng(200 + seed)
    levels = [int(rng.integers(1, 7)), int(rng.integers(1, 6))]
    values = np.where(rng.random(math.prod(levels)) < 0.3, rng.integers(0, 5, math.prod(levels)),
                      rng.integers(5, 40, math.prod(levels)))
    df, dims = frame(values, levels)
    base = [3, 5][seed % 2]
    out = hs.protect_table(df, dims=dims, method="round", base=base)
    assert list(out.columns) == dims + ["n", "rounded"] and out.rounded.dtype == np.int64
    n, r = out.n.to_numpy(), out.rounded.to_numpy()
    assert np.all(r % base == 0) and np.all(np.abs(r - n) < base)
    assert np.all(r[n % base == 0] == n[n % base == 0])     # multiples (zeros) unchanged
    lo, hi, A = rounding_attacker(out, dims, flat_parent(), base)
    np.testing.assert_array_equal(A @ r, 0)                  # still adds up
    # the attacker's interval always holds the true value; no cell is pinned down
    assert np.all(lo <= n + 1e-6) and np.all(n <= hi + 1e-6)
    assert np.all(hi - lo >= 1 - 1e-6), out[hi - lo < 1]


def test_controlled_rounding_three_dimensions_or_says_so():
    found = 0
    for seed in range(6):
        rng = np.random.default_rng(300 + seed)
        values = rng.integers(0, 30, 18)
        df, dims = frame(values, [3, 3, 2])
        try:
            out = hs.protect_table(df, dims=dims, method="round", base=5)
        except ValueError as e:
            assert str(e).startswith("argument `method`: no controlled rounding was found")
            continue
        found += 1
        r = out.rounded.to_numpy()
        _, _, A = rounding_attacker(out, dims, flat_parent(), 5)
        np.testing.assert_array_equal(A @ r, 0)
        assert np.all(r % 5 == 0) and np.all(np.abs(r - out.n.to_numpy()) < 5)
    assert found > 0
    with pytest.raises(ValueError, match=r"argument `exact_intervals`: applies to method = \"suppress\""):
        hs.protect_table(df, dims=dims, method="round", exact_intervals=True)
    with pytest.raises(ValueError, match=r"argument `method`: unknown value"):
        hs.protect_table(df, dims=dims, method="x")


def test_rate_tables_in_one_call():
    coh = hs.example_cohort().head(400)
    pt = hs.person_time_table(entry=coh.age, exit=coh.age + coh.time / 365.25, status=coh.status,
                              time_scales={"age": coh.age}, breaks={"age": [0, 50, 60, 70, 80, 120]},
                              by="sex", data=coh)
    # a rate table (sir's table: observed by band) straight into protect_table
    s = hs.sir(pt.events, pt.person_time, np.full(len(pt), 0.01), by=pt.age_band)
    out = hs.protect_table(s, count="observed", dims="age_band", threshold=20)
    # sir's overall row gives way to the protected margin
    assert out.age_band.tolist() == [0.0, 50.0, 60.0, 70.0, 80.0, "Total"]
    assert out.observed.tolist() == [3, 17, 48, 92, 117, 277]
    assert out.reason.tolist()[:2] == ["primary", "primary"] and out.suppressed.sum() >= 2
    assert "expected" in out.columns
    out = hs.protect_table(pt, count="events", dims=["age_band", "sex"], method="round", base=3)
    assert (out.rounded % 3 == 0).all()
