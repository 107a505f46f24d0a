"""Competing risks through the Python package against cmprsk::cuminc / crr and
survival::survfit multi-state (fixtures from tests/reference/generate_cmprsk.R)."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

matplotlib.use("Agg")
TOL = 1e-10


@pytest.mark.parametrize("case", manifest("cr_cuminc_cases.csv"), ids=lambda c: c["case"])
def test_cuminc_and_gray(case):
    d = fixture(f"data_{case['data']}.csv")
    ci = hs.cumulative_incidence(case["time"], case["cause"], group=case["group"], strata=case["strata"],
                                 censor_code=float(case["cencode"]), data=d)
    f = fixture(f"cr_cuminc_{case['case']}.csv")
    times = np.unique(f["time"])
    at = ci.at(times)
    if case["group"] is None:
        at["group"] = np.nan
    at["group"] = at["group"].astype(float)
    f["group"] = f["group"].astype(float)
    m = f.merge(at, on=["group", "cause", "time"], how="left", suffixes=("_ref", ""))
    assert len(m) == len(f)
    assert_close("estimate", m["estimate"], m["estimate_ref"], TOL)
    assert_close("variance", m["variance"], m["variance_ref"], TOL)
    if case["group"] is None:
        assert ci.gray_test is None
    else:
        g = fixture(f"cr_gray_{case['case']}.csv")
        assert_close("gray", ci.gray_test[["statistic", "df", "p_value"]].to_numpy(dtype=float),
                     g[["statistic", "df", "p_upper"]].to_numpy(dtype=float), TOL)


@pytest.mark.parametrize("case", manifest("cr_survfit_cases.csv"), ids=lambda c: c["case"])
def test_aalen_johansen_matches_survfit(case):
    d = fixture(f"data_{case['data']}.csv")
    ci = hs.cumulative_incidence(case["time"], case["event"], group=case["group"], entry=case["entry"],
                                 weights=case["weights"], conf_type=case["conf_type"],
                                 conf_level=float(case["conf_int"]), variance="survfit", data=d)
    tab = ci.table()
    f = fixture(f"cr_survfit_{case['case']}.csv")
    f = f[f["state"] != 0].rename(columns={"state": "cause", "strata": "group"})
    if case["group"] is None:
        tab["group"] = np.nan
    tab["group"] = tab["group"].astype(float)
    f["group"] = f["group"].astype(float)
    m = f.merge(tab, on=["group", "cause", "time"], how="outer", suffixes=("_ref", ""), indicator=True)
    assert (m["_merge"] == "both").all()
    assert_close("estimate", m["estimate"], m["estimate_ref"], TOL)
    assert_close("std_err", np.sqrt(m["variance"]), m["std_err"], TOL)
    assert_close("lower", m["lower"], m["lower_ref"], TOL)
    assert_close("upper", m["upper"], m["upper_ref"], TOL)


@pytest.mark.parametrize("case", manifest("cr_crr_cases.csv"), ids=lambda c: c["case"])
def test_fine_gray_matches_crr(case):
    d = fixture(f"data_{case['data']}.csv")
    covs = case["covariates"].split(" ")
    fg = hs.fine_gray(case["time"], case["cause"], covs, cause_of_interest=float(case["failcode"]),
                      censor_code=float(case["cencode"]), data=d)
    gap = fixture("cr_crr_default_gap.csv")
    exact = gap[gap["case"] == case["case"]].set_index("term").loc[covs, "coef_newton"]
    assert fg.converged
    assert_close("coef", fg.coef, exact, 1e-10)
    ref = fixture(f"cr_crr_{case['case']}.csv")
    assert_close("se", fg.se, ref["se"], 1e-8)
    s = fg.summary()
    assert_close("z", s["z"], ref["z"], 1e-7)
    fit = fixture(f"cr_crr_{case['case']}_fit.csv")
    assert_close("loglik", fg.loglik, [fit["loglik"][0], fit["loglik_null"][0]][::-1], 1e-10)
    bl = fixture(f"cr_crr_{case['case']}_baseline.csv")
    assert_close("cumhaz", fg.baseline_hazard()["cumulative_hazard"], np.cumsum(bl["bfitj"]), 1e-8)
    nd = fixture(f"cr_crr_{case['case']}_newdata.csv")
    pred = fg.predict(covs, data=nd)
    pf = fixture(f"cr_crr_{case['case']}_predict.csv")
    ours = np.concatenate([pred[f"row_{k}"].to_numpy() for k in range(len(nd))])
    assert_close("predict", ours, pf["cif"], 1e-8)


def test_bad_input_and_plots():
    d = fixture("data_cr_sim.csv")
    with pytest.raises(ValueError, match=r"time.*row 3"):
        hs.cumulative_incidence(np.where(np.arange(len(d)) == 3, -1.0, d["time"]), d["event"])
    with pytest.raises(ValueError, match=r"entry.*row"):
        hs.cumulative_incidence("time", "event", entry=d["time"] + 1, data=d)
    with pytest.raises(ValueError, match="no events of the cause of interest"):
        hs.fine_gray("time", "event", ["x1"], cause_of_interest=7, data=d)
    with pytest.raises(ValueError, match=r"covariates.*x1.*row 0"):
        bad = d.assign(x1=np.where(np.arange(len(d)) == 0, np.nan, d["x1"]))
        hs.fine_gray("time", "event", ["x1"], data=bad)
    ci = hs.cumulative_incidence("time", "event", group="group", data=d)
    assert "Gray" in repr(ci)
    ci.plot()
    ci.plot(stacked=True, group=2)
    fg = hs.fine_gray("time", "event", ["x1", "x2"], data=d)
    assert "Fine-Gray" in repr(fg)
    d["grp"] = d["group"].astype(str)
    fg2 = hs.fine_gray("time", "event", ["x1", "grp"], data=d)
    assert fg2.names == ["x1", "grp2", "grp3"]


def test_cause_specific_cox_equals_one_model_per_cause():
    d = fixture("data_cr_mgus2.csv")
    fits = hs.cause_specific_cox("etime", "event", ["age", "sex"], data=d)
    assert sorted(fits) == [1, 2]
    for k, fit in fits.items():
        one = hs.cox_ph("etime", (d["event"] == k).astype(float), ["age", "sex"], data=d)
        assert_close(f"cause {k}", fit.coef, one.coef, 0)
        assert fit.n_event == int((d["event"] == k).sum())


def _cr_small():
    return pd.DataFrame({"time": [5, 8, 12, 3, 9, 15, 7, 11, 4, 6.], "event": [1, 0, 2, 1, 1, 0, 2, 0, 1, 2.],
                         "grp": [1, 1, 1, 1, 1, 2, 2, 2, 2, 2],
                         "x": [0.5, 1.2, -0.3, 0.8, 0, 1.5, -1, 0.2, 0.7, -0.4]})


def test_dropped_rows_and_errors_name_the_users_row():
    d = _cr_small()
    d.loc[3, "event"] = np.nan
    ci = hs.cumulative_incidence("time", "event", group="grp", data=d, na_action="drop")
    assert ci.n_dropped == 1 and list(ci.n) == [4, 5]
    d.loc[6, "time"] = -2
    with pytest.raises(ValueError, match=r"argument `time`: negative value.*row 6"):
        hs.cumulative_incidence("time", "event", group="grp", data=d, na_action="drop")
    d = _cr_small()
    d.loc[2, "x"] = np.nan
    fg = hs.fine_gray("time", "event", ["x"], data=d, na_action="drop")
    assert fg.n == 9 and fg.n_dropped == 1
    d.loc[5, "time"] = -1
    with pytest.raises(ValueError, match=r"argument `time`: negative value.*row 5"):
        hs.fine_gray("time", "event", ["x"], data=d, na_action="drop")


def test_options_are_parsed_by_the_core_and_tables_share_the_librarys_columns():
    d = _cr_small()
    with pytest.raises(ValueError, match=r'argument `conf_type`: unknown value "logg"; accepted: "log"'):
        hs.cumulative_incidence("time", "event", group="grp", data=d, conf_type="logg")
    with pytest.raises(ValueError, match=r'argument `variance`: unknown value "x"; accepted: "cuminc", "survfit"'):
        hs.cumulative_incidence("time", "event", data=d, variance="x")
    ci = hs.cumulative_incidence("time", "event", group="grp", data=d)
    tab = ci.table()
    assert list(tab.columns) == ["group", "cause", "time", "n_risk", "n_event", "estimate", "variance", "std_err",
                                 "lower", "upper"]
    assert_close("std_err", tab["std_err"], np.sqrt(tab["variance"]), 1e-15)
    at = ci.at([5.0, 20.0])
    assert list(at.columns) == ["group", "cause", "time", "estimate", "variance", "std_err"]
    assert list(ci.gray_test.columns) == ["cause", "statistic", "df", "p_value"]
    fg = hs.fine_gray("time", "event", ["x"], data=d)
    s = fg.summary()
    assert list(s.columns) == ["coef", "exp_coef", "se", "z", "p", "exp_lower", "exp_upper", "lower", "upper"]
    assert_close("exp limits", s["exp_lower"], np.exp(s["lower"]), 1e-14)
    s90 = fg.summary(conf_level=0.9)
    assert (s90["upper"] < s["upper"]).all()
    bh = fg.baseline_hazard()
    pred = fg.predict(pd.DataFrame({"x": [0.0]}))
    assert_close("predict at x = 0", pred["row_0"], 1 - np.exp(-bh["cumulative_hazard"]), 1e-14)


def test_frequency_weights_give_the_expanded_datas_gray_test():
    rng = np.random.default_rng(3)
    n = 600
    d = pd.DataFrame({"time": rng.integers(1, 10, n).astype(float),
                      "cause": rng.choice([0, 1, 2], n, p=[0.3, 0.4, 0.3]).astype(float),
                      "g": rng.choice(["a", "b", "c"], n), "s": rng.choice([1, 2], n)})
    full = hs.cumulative_incidence("time", "cause", group="g", strata="s", data=d)
    counts = d.groupby(["time", "cause", "g", "s"]).size().rename("n").reset_index()
    assert len(counts) < n / 2
    agg = hs.cumulative_incidence("time", "cause", group="g", strata="s", weights="n",
                                  frequency_weights=True, data=counts)
    pd.testing.assert_frame_equal(agg.gray_test, full.gray_test, rtol=1e-12)
    a, b = agg.table(), full.table()
    np.testing.assert_allclose(a["estimate"], b["estimate"], rtol=1e-12)
    # case weights: no Gray's test; fractional frequency weights are an error
    assert hs.cumulative_incidence("time", "cause", group="g", weights="n", data=counts).gray_test is None
    counts["n"] = counts["n"] * 0.5
    with pytest.raises(ValueError, match="argument `weights`: frequency weights must be whole numbers"):
        hs.cumulative_incidence("time", "cause", group="g", weights="n", frequency_weights=True, data=counts)


def test_the_cause_of_interest_is_looked_up_in_the_core():
    # one check and one message for Python and R (R's factor events are coded by the core)
    t = [5.0, 8, 12, 3, 9, 15, 7, 11, 4, 6]
    c = [1.0, 0, 2, 1, 1, 0, 2, 0, 1, 2]
    x = np.array([[0.5, 1.2, -0.3, 0.8, 0.0, 1.5, -1.0, 0.2, 0.7, -0.4]]).T
    with pytest.raises(ValueError, match=r"^argument `cause`: the event is numeric, so the "
                                         r"cause must be a number$"):
        hs.fine_gray(t, c, x, cause_of_interest="death")
    with pytest.raises(ValueError, match=r"^argument `cause`: must be a single cause code or level$"):
        hs.fine_gray(t, c, x, cause_of_interest=["a", "b"])
    fg = hs.fine_gray(t, c, x, cause_of_interest=2)
    assert fg._res["cause_of_interest"] == 2.0 and fg._res["cause_label"] is None
    assert hs.cumulative_incidence(t, c)._res["cause_labels"] is None
