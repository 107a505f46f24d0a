"""Joinpoint regression through the Python package, against the exhaustive grid search done
by hand in plain R (fixtures from tests/reference/generate_joinpoint.R: Epi::testisDK
yearly rates, datasets::airmiles, simulated series) at 1e-8; permutation-test
reproducibility by seed; by-groups; errors naming the argument."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

matplotlib.use("Agg")
TOL = 1e-8
CASES = manifest("joinpoint_cases.csv")


def _fit(case):
    d = fixture("joinpoint_data.csv")
    d = d[d["series"] == case["series"]].reset_index(drop=True)
    v = case["variance"]
    return hs.joinpoint("x", "y", se="se" if v == "se" else None, variance=v,
                        log_linear=case["log_linear"] == "TRUE", max_joinpoints=int(case["max_joinpoints"]),
                        selection=case["selection"], min_obs_end=int(case["min_obs_end"]),
                        min_obs_between=int(case["min_obs_between"]), data=d)


@pytest.mark.parametrize("case", CASES, ids=[c["case"] for c in CASES])
def test_joinpoint_matches_grid_search_by_hand(case):
    jp = _fit(case)
    name = case["case"]
    m = fixture("joinpoint_models.csv")
    m = m[m["case"] == name]
    t = jp.table()
    assert list(t["joinpoints"]) == list(m["k"].astype(int))
    assert [s.replace(", ", ";") for s in t["locations"]] == [("" if pd.isna(s) else str(s)) for s in m["locations"]]
    for c in ("sse", "bic", "bic3"):
        assert_close(f"{name} {c}", t[c], num(m, c), TOL)
    assert list(t["selected"]) == list(m["selected"])
    s = fixture("joinpoint_segments.csv")
    s = s[s["case"] == name]
    for c in ("start", "end", "apc", "lower", "upper", "slope", "slope_se"):
        assert_close(f"{name} {c}", jp.segments[c], num(s, c), TOL)
    f = fixture("joinpoint_fitted.csv")
    assert_close(f"{name} fitted", jp.fitted["fitted"], num(f[f["case"] == name], "fitted"), TOL)
    a = fixture("joinpoint_aapc.csv")
    a = a[a["case"] == name].iloc[0]
    ours = jp.aapc(a["start"], a["end"])
    for c in ("aapc", "lower", "upper"):
        assert_close(f"{name} aapc {c}", ours[c], [a[c]], TOL)
    assert np.array_equal(jp.joinpoints, np.asarray(s["end"])[:-1])


def test_by_groups_fit_each_series_as_alone():
    d = fixture("joinpoint_data.csv")
    d = d[d["series"].isin(["sim1", "sim3"])].reset_index(drop=True)
    both = hs.joinpoint("x", "y", by="series", data=d)
    for g in ("sim1", "sim3"):
        alone = hs.joinpoint("x", "y", data=d[d["series"] == g])
        seg = both.segments[both.segments["series"] == g]
        assert_close(g, seg["apc"], alone.segments["apc"], 1e-12)
        a = both.aapc(1990, 2019)
        assert_close(g, a[a["series"] == g]["aapc"], alone.aapc(1990, 2019)["aapc"], 1e-12)
    assert set(both.joinpoints.columns) == {"series", "joinpoint"}
    ax = both.plot()
    assert len(ax.lines) == 2
    assert "series=sim1" in repr(both)


def test_permutation_selection_is_seeded():
    d = fixture("joinpoint_data.csv")
    d = d[d["series"] == "sim1"]
    a = hs.joinpoint("x", "y", se="se", selection="permutation", n_permutations=199, seed=3, data=d)
    b = hs.joinpoint("x", "y", se="se", selection="permutation", n_permutations=199, seed=3, data=d)
    assert a.tests["p_value"].tolist() == b.tests["p_value"].tolist()
    assert list(a.tests.columns) == ["null", "alt", "statistic", "p_value", "level", "reject"]
    assert a.tests["level"].iloc[0] == pytest.approx(0.05 / 3)
    assert 1999 in list(a.joinpoints) and 2013 in list(a.joinpoints)


def test_errors_name_the_argument():
    x = np.arange(2000, 2012, dtype=float)
    y = np.ones(12)
    y[4] = 0.0
    with pytest.raises(ValueError, match=r"`y`.*row 4"):
        hs.joinpoint(x, y)
    with pytest.raises(ValueError, match="selection"):
        hs.joinpoint(x, np.ones(12), selection="aic")
    with pytest.raises(ValueError, match="start"):
        hs.joinpoint(x, np.exp(0.01 * x)).aapc(1990, 2005)
    with pytest.raises(ValueError, match="`se`"):
        hs.joinpoint(x, np.ones(12), se=np.r_[np.ones(11), -1.0])
    with pytest.warns(RuntimeWarning, match="max_joinpoints reduced"):
        hs.joinpoint(x[:8], np.exp(0.01 * x[:8]))
    with pytest.raises(ValueError, match="argument `x`: the fitted trend is not finite"):
        hs.joinpoint(2e303 + np.arange(8) * 1e300, [11.5, 3.5, 3.5, 1.5, 8.5, 9.5, 1.5, 1.5], max_joinpoints=2)
