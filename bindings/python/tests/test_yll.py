"""Standard expected years of life lost (years_of_life_lost, GBD's SEYLL) through the
Python package against the computation by hand in plain R (fixtures from
tests/reference/generate_yll.R) at 1e-10; the standard from our own life_table; errors
naming the argument."""
import matplotlib
import numpy as np
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest

matplotlib.use("Agg")
TOL = 1e-10
CASES = manifest("yll_cases.csv")


def _standard():
    s = fixture("yll_standard.csv")
    return s[["age", "ex"]]


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_seyll_matches_by_hand(case):
    d = fixture("yll_input.csv")
    y = hs.years_of_life_lost("deaths", "age", standard=_standard(), by="sex", data=d,
                              discount=float(case["discount"]), age_weighting=case["age_weighting"] == "TRUE")
    e = fixture("yll_expected.csv")
    e = e[e["case"] == case["case"]].reset_index(drop=True)
    t = y.table()
    assert list(t["sex"]) == list(e["sex"])
    for col in ["age", "deaths", "standard_ex", "years_lost_per_death", "years_lost"]:
        assert_close(f"{case['case']} {col}", t[col], e[col], TOL)
    tot = fixture("yll_total.csv")
    tot = tot[tot["case"] == case["case"]].set_index("sex")
    ours = y.total().set_index("sex").loc[tot.index]
    for col in ["deaths", "years_lost"]:
        assert_close(f"{case['case']} total {col}", ours[col], tot[col], TOL)


def test_seyll_with_the_standard_from_our_life_table():
    lin = fixture("lifetable_input.csv")
    lin = lin[lin["case"] == "us_female"]
    lt = hs.life_table(lin["deaths"], lin["population"], lin["age"], sex="female")
    d = fixture("yll_input.csv")
    y = hs.years_of_life_lost(d["deaths"], d["age"], standard=lt, by=d["sex"])
    e = fixture("yll_expected.csv")
    e = e[e["case"] == "plain"]
    assert_close("years_lost, standard from life_table", y.table()["years_lost"], e["years_lost"], TOL)
    # the same with the standard's columns given directly
    y2 = hs.years_of_life_lost(d["deaths"], d["age"], standard_age=lt.table()["age"],
                               standard_ex=lt.table()["ex"], by=d["sex"])
    assert np.array_equal(y2.table()["years_lost"], y.table()["years_lost"])
    assert "years lost" in repr(y)
    assert y.plot() is not None


def test_seyll_discounting_and_weights_by_formula():
    # one death at 30 with 50 standard years left
    y = hs.years_of_life_lost([1.0], [30.0], standard_age=[0, 100], standard_ex=[80, 0], discount=0.03)
    assert y.table()["standard_ex"][0] == pytest.approx(56.0, rel=1e-14)
    assert y.table()["years_lost_per_death"][0] == pytest.approx((1 - np.exp(-0.03 * 56)) / 0.03, rel=1e-13)
    w = hs.years_of_life_lost([1.0], [30.0], standard_age=[0, 100], standard_ex=[80, 0], age_weighting=True)
    x = np.linspace(30, 86, 200001)
    f = 0.1658 * x * np.exp(-0.04 * x)
    assert w.table()["years_lost_per_death"][0] == pytest.approx(np.trapezoid(f, x), rel=1e-9)


def test_seyll_errors_name_the_argument():
    kw = dict(standard_age=[0, 20, 40, 60], standard_ex=[80, 60, 40, 22])
    with pytest.raises(ValueError, match=r"argument `age`.*outside the standard life table's ages.*row 1"):
        hs.years_of_life_lost([1, 2], [10, 70], **kw)
    with pytest.raises(ValueError, match=r"argument `standard_age`.*not increasing"):
        hs.years_of_life_lost([1, 2], [10, 50], standard_age=[0, 20, 20, 60], standard_ex=[80, 60, 40, 22])
    with pytest.raises(ValueError, match=r"argument `discount`"):
        hs.years_of_life_lost([1, 2], [10, 50], discount=-0.01, **kw)
    with pytest.raises(ValueError, match=r"argument `deaths`"):
        hs.years_of_life_lost([1, -2], [10, 50], **kw)
