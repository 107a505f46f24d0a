"""Life tables and funnel plots through the Python package, against the closed forms
computed by hand in plain R (fixtures from tests/reference/generate_lifetable.R and
generate_funnel.R) at the issue's 1e-10."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

matplotlib.use("Agg")
TOL = 1e-10
LT_CASES = manifest("lifetable_cases.csv")
COLS = ["age", "mx", "ax", "qx", "lx", "dx", "Lx", "Tx", "ex", "std_err", "lower", "upper"]


def _lt(case):
    d = fixture("lifetable_input.csv")
    d = d[d["case"] == case["case"]].reset_index(drop=True)
    a0 = case["a0"] if case["a0"] in ("coale_demeny", "half") else float(case["a0"])
    by = "group" if d["group"].nunique() > 1 else None
    lt = hs.life_table("deaths", "population", "age", by=by, ax="ax" if case["use_ax"] == "TRUE" else None,
                       a0=a0, sex=case["sex"], conf_level=float(case["conf_level"]), radix=float(case["radix"]),
                       data=d)
    return lt, d


@pytest.mark.parametrize("case", LT_CASES, ids=[c["case"] for c in LT_CASES])
def test_life_table_matches_chiang_by_hand(case):
    lt, d = _lt(case)
    ref = fixture("lifetable_expected.csv")
    ref = ref[ref["case"] == case["case"]]
    t = lt.table()
    for g in d["group"].unique():
        ours = t[t["group"] == g] if "group" in t else t
        theirs = ref[ref["group"] == g]
        assert len(ours) == len(theirs)
        for c in COLS:
            assert_close(f"{case['case']} {g} {c}", ours[c], num(theirs, c), TOL)


def test_us_2000_life_expectancy_is_the_published_one():
    for name, e0 in (("us_male", 74.1), ("us_female", 79.5)):
        case = next(c for c in LT_CASES if c["case"] == name)
        lt, _ = _lt(case)
        assert abs(lt.table()["ex"].iloc[0] - e0) < 0.3
        assert "Life table" in repr(lt)


def test_temporary_and_arriaga_match_by_hand():
    tmp = fixture("lifetable_temporary.csv")
    for _, r in tmp.iterrows():
        case = next(c for c in LT_CASES if c["case"] == r["case"])
        lt, _ = _lt(case)
        t = lt.temporary(r["from"], r["to"])
        row = t[t["group"] == r["group"]]
        assert_close("temporary_ex", row["temporary_ex"], [r["temporary_ex"]], TOL)
        assert_close("years_lost", row["years_lost"], [r["years_lost"]], TOL)
    arr = fixture("lifetable_arriaga.csv")
    for name, g in arr.groupby("case", sort=False):
        case = next(c for c in LT_CASES if c["case"] == name)
        lt, _ = _lt(case)
        a = lt.arriaga(g["group1"].iloc[0], g["group2"].iloc[0])
        for c in ("age", "direct", "indirect", "total"):
            assert_close(f"{name} {c}", a[c], num(g, c), TOL)
        assert abs(a["total"].sum() - a.attrs["difference"]) < 1e-9


def test_life_table_errors_name_argument_and_row():
    base = dict(deaths=[5.0, 1.0, 30.0], population=[1000.0, 4000.0, 500.0], age=[0.0, 1.0, 5.0])
    with pytest.raises(ValueError, match=r"argument `deaths`: negative value \(value -1\) at row 1"):
        hs.life_table(**{**base, "deaths": [5.0, -1.0, 30.0]})
    with pytest.raises(ValueError, match=r"argument `population`: no population but deaths > 0 \(value 0\) at row 1"):
        hs.life_table(**{**base, "population": [1000.0, 0.0, 500.0]})
    with pytest.raises(ValueError, match=r"argument `age`: ages not increasing within a group .* at row 2"):
        hs.life_table(**{**base, "age": [0.0, 5.0, 1.0]})
    with pytest.raises(ValueError, match=r"argument `age`: duplicated age within a group \(value 1\) at row 2"):
        hs.life_table(**{**base, "age": [0.0, 1.0, 1.0]})
    with pytest.raises(ValueError, match=r"argument `population`: missing value \(NaN\) at row 2"):
        hs.life_table(**{**base, "population": [1000.0, 4000.0, np.nan]})
    with pytest.raises(ValueError, match=r"argument `a0`: unknown value"):
        hs.life_table(**base, a0="west")


def _funnel(i, cases, data):
    c = cases[i]
    d = data[data["data"] == c["data"]].reset_index(drop=True)
    levels = [float(x) for x in c["limits"].split(";")]
    od = None if c["overdispersion"] == "none" else c["overdispersion"]
    target = None if c["target"] in (None, "NA") else float(c["target"])
    f = hs.funnel("observed", "denominator", kind=c["kind"], limits=levels, overdispersion=od, unit="unit",
                  target=target, winsorize=float(c["winsorize"]), conf_level=float(c["conf_level"]), data=d)
    return f, levels


FUNNEL_CASES = manifest("funnel_cases.csv")


@pytest.mark.parametrize("i", range(len(FUNNEL_CASES)), ids=[c["case"] for c in FUNNEL_CASES])
def test_funnel_matches_spiegelhalter_by_hand(i):
    data = fixture("funnel_data.csv")
    f, levels = _funnel(i, FUNNEL_CASES, data)
    name = FUNNEL_CASES[i]["case"]
    s = fixture("funnel_summary.csv").iloc[i]
    assert_close("target", [f.target], [s["target"]], TOL)
    assert_close("phi", [f.phi], [s["phi"]], TOL)
    assert_close("tau2", [f.tau2], [s["tau2"]], TOL)
    assert f.adjusted == bool(s["adjusted"])
    exp = fixture("funnel_expected.csv")
    t = f.table()
    for level in levels:
        e = exp[(exp["case"] == name) & (exp["level"] == level)]
        assert list(t["unit"]) == list(e["unit"])
        for c in ("indicator", "z", "z_unadjusted"):
            assert_close(f"{name} {c}", t[c], num(e, c), TOL)
        lab = f"{level * 100:g}"
        assert_close(f"{name} lower", t[f"lower_{lab}"], num(e, "lower"), TOL)
        assert_close(f"{name} upper", t[f"upper_{lab}"], num(e, "upper"), TOL)
        assert list(t["flag"]) == list(e["flag"])
        if FUNNEL_CASES[i]["overdispersion"] == "additive":
            for c in ("shrunk", "shrunk_lower", "shrunk_upper"):
                assert_close(f"{name} {c}", t[c], num(e, c), TOL)


def test_funnel_plot_and_repr():
    data = fixture("funnel_data.csv")
    f, _ = _funnel(1, FUNNEL_CASES, data)
    ax = f.plot()
    assert len(ax.lines) >= 5 and any(t.get_text() for t in ax.texts)
    assert "Funnel plot (proportion)" in repr(f)
    lt, _ = _lt(next(c for c in LT_CASES if c["case"] == "us_abridged"))
    ax = lt.plot()
    assert len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["female", "male"]


def test_funnel_errors_name_argument_and_row():
    with pytest.raises(ValueError, match=r"argument `observed`: more observed than the denominator .* at row 1"):
        hs.funnel([1, 12], [10, 10])
    with pytest.raises(ValueError, match=r"argument `denominator`: zero denominator \(value 0\) at row 1"):
        hs.funnel([1, 2], [10, 0], kind="rate")
    with pytest.raises(ValueError, match=r"argument `observed`: missing value \(NaN\) at row 0"):
        hs.funnel([np.nan, 2], [10, 10], kind="ratio")
    with pytest.raises(ValueError, match=r"argument `overdispersion`: unknown value \"both\""):
        hs.funnel([1, 2], [10, 10], overdispersion="both")
