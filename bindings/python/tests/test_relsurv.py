"""Net and relative survival through the Python package against relsurv::rs.surv on
rdata with slopop (fixtures from tests/reference/generate_relsurv.R)."""
import matplotlib
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest

matplotlib.use("Agg")
TOL = 1e-10


@pytest.fixture(scope="module")
def slopop():
    t = fixture("data_rs_slopop.csv")
    return hs.RateTable.from_frame(t, age="age", year="year", sex="sex", rate="rate", time_unit="days")


def _cases():
    # relsurv's Hakulinen with slopop reproduces its date-origin bug (see generate_relsurv.R);
    # the *_datecut cases are the intended estimate.
    return [c for c in manifest("rs_surv_cases.csv") if not (c["method"] == "hakulinen" and c["ratetable"] == "slopop")]


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c["case"])
def test_net_survival_matches_rs_surv(case, slopop):
    d = fixture("data_rs_rdata.csv")
    # year as days since 1960 (exactly the dates relsurv uses) converted back to dates
    d["dx"] = np.datetime64("1960-01-01", "D") + d["year_days1960"].to_numpy().astype("timedelta64[D]")
    ns = hs.net_survival("time", "cens", "age", "dx", "sex", ratetable=slopop, method=case["method"],
                         strata=case["strata"], conf_type=case["conf_type"], conf_level=float(case["conf_int"]), data=d)
    tab = ns.table()
    f = fixture(f"rs_surv_{case['case']}.csv")
    assert len(tab) == len(f)
    if case["strata"]:
        tab = tab.sort_values(["strata", "time"], kind="stable").reset_index(drop=True)
        assert_close("strata", tab["strata"].astype(float), f["strata"], 0)
    # std_err: of the survival estimate, as summary(rs.surv(...), times = ...);
    # std_err_cumulative_hazard: rs.surv's own std.err (the limits' scale)
    for a, b in (("time", "time"), ("n_risk", "n_risk"), ("n_event", "n_event"), ("survival", "surv"),
                 ("std_err", "std_err"), ("lower", "lower"), ("upper", "upper"),
                 ("std_err_cumulative_hazard", "std_err_cumulative_hazard")):
        assert_close(a, tab[a], f[b], TOL)
    assert list(tab.columns) == ["strata", "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower",
                                 "upper", "std_err_cumulative_hazard"]
    # at() at the reported times gives the same columns; before the first time 1 and 0
    at = ns.at(np.concatenate([[0.5], np.unique(f["time"])]))
    assert list(at.columns) == ["strata", "time", "n_risk", "survival", "std_err", "lower", "upper",
                                "std_err_cumulative_hazard"]
    first = at.groupby("strata", sort=False).head(1)
    assert (first["survival"] == 1.0).all() and (first["std_err"] == 0.0).all()
    assert (first["std_err_cumulative_hazard"] == 0.0).all()
    m = at.merge(tab, on=["strata", "time"], suffixes=("", "_tab"))
    assert len(m) == len(tab)
    for a in ("survival", "std_err", "std_err_cumulative_hazard"):
        assert_close(f"at() {a}", m[a], m[a + "_tab"], 0)


def test_decimal_years_give_the_same_answer(slopop):
    d = fixture("data_rs_rdata.csv")
    ns = hs.net_survival("time", "cens", "age", "year_decimal", "sex", ratetable=slopop, data=d)
    f = fixture("rs_surv_pp.csv")
    assert_close("surv", ns.table()["survival"], f["surv"], 1e-9)
    at = ns.at([0, 365.241 * 5, 1e9])
    assert at["survival"].iloc[0] == 1.0
    assert_close("5y", [at["survival"].iloc[1]], [f["surv"][f["time"] <= 365.241 * 5].iloc[-1]], TOL)


def test_expected_survival_matches_survexp(slopop):
    f = fixture("rs_expected_rdata.csv")
    for pid, g in f.groupby("id", sort=False):
        dx = np.datetime64("1960-01-01", "D") + g["year_days1960"].to_numpy()[:1].astype("timedelta64[D]")
        e = slopop.expected_survival([g["age"].iloc[0]], dx, [g["sex"].iloc[0]], g["time"].to_numpy())
        assert_close(f"person {pid}", e.to_numpy()[0], g["surv_exact"], 1e-12)


def test_bad_input(slopop):
    d = fixture("data_rs_rdata.csv")
    with pytest.raises(ValueError, match=r"sex.*row 0"):
        hs.net_survival("time", "cens", "age", "year_decimal", np.full(len(d), 3), ratetable=slopop, data=d)
    with pytest.raises(ValueError, match=r"not cover.*row 1"):
        y = d["year_decimal"].to_numpy().copy()
        y[1] = 1900.5
        hs.net_survival("time", "cens", "age", y, "sex", ratetable=slopop, data=d)
    with pytest.raises(ValueError, match=r"time.*row 2"):
        t = d["time"].to_numpy().copy()
        t[2] = -1
        hs.net_survival(t, "cens", "age", "year_decimal", "sex", ratetable=slopop, data=d)
    with pytest.raises(ValueError, match="unknown value"):
        hs.net_survival("time", "cens", "age", "year_decimal", "sex", ratetable=slopop, method="x", data=d)
    with pytest.raises(ValueError, match="appears twice|combinations"):
        t = fixture("data_rs_slopop.csv")
        hs.RateTable.from_frame(pd.concat([t, t.iloc[:1]]), time_unit="days")
    ns = hs.net_survival("time", "cens", "age", "year_decimal", "sex", ratetable=slopop, strata="sex", data=d)
    ns.plot()
    assert "Net survival" in repr(ns)


def test_net_survival_test_matches_rs_diff(slopop):
    d = fixture("data_rs_rdata.csv")
    r = hs.net_survival_test("time", "cens", "age", "year_decimal", "sex", "sex", ratetable=slopop, data=d)
    f = fixture("rs_diff.csv")
    assert_close("stat", [r["statistic"], r["df"], r["p_value"]], f[["statistic", "df", "p_upper"]].to_numpy()[0], TOL)
    assert_close("score", r["score"], f[["z_1", "z_2"]].to_numpy()[0], TOL)
    assert_close("var", r["variance"].ravel(), f[["var_11", "var_12", "var_12", "var_22"]].to_numpy()[0], TOL)


def test_excess_hazard_model_matches_rsadd(slopop):
    d = fixture("data_rs_rdata.csv")
    m = hs.excess_hazard_model("time", "cens", "age", "year_decimal", "sex", ["sex", "age"], ratetable=slopop, data=d)
    c = fixture("rs_rsadd_glm.poi.csv")
    assert m.attrs["converged"]
    assert_close("coef", m["coef"], c["coef_converged"], 1e-8)
    assert_close("se", m["se"], c["se_converged"], 1e-8)
    # the GLM engine with rsadd's link, start and stopping rule gives rsadd's own answer
    assert_close("rsadd coef", m.attrs["rsadd_coef"], c["coef"], 1e-8)
    assert_close("rsadd se", m.attrs["rsadd_se"], c["se"], 1e-8)


def test_crude_probabilities_match_cmp_rel(slopop):
    d = fixture("data_rs_rdata.csv")
    cp = hs.crude_probabilities("time", "cens", "age", "year_decimal", "sex", ratetable=slopop, data=d)
    f = fixture("rs_cmprel.csv")
    f = f[f["time"] > 0]
    m = f.merge(cp, on=["time", "cause"], how="left", suffixes=("_ref", ""))
    assert_close("estimate", m["estimate"], m["estimate_ref"], TOL)
    assert_close("variance", m["variance"], m["variance_ref"], TOL)


def test_example_ratetable_gives_net_survival_of_the_example_cohort():
    rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
    df = hs.example_cohort()
    ns = hs.net_survival("time", "status", "age", "year", "sex", ratetable=rt, strata="stage", data=df)
    five = ns.at([5 * 365.25]).set_index("strata")["survival"]
    assert list(five.index) == [1, 2, 3, 4]
    assert (np.diff(five.to_numpy()) < 0).all()   # worse with stage
    assert 0.9 < five.loc[1] < 1.0 and five.loc[4] < 0.2


def test_age_standardised_net_survival_matches_weighted_rs_surv(slopop):
    d = fixture("data_rs_rdata.csv")
    d["agegr"] = hs.icss_group(d["age"])
    ns = hs.net_survival("time", "cens", "age", "year_decimal", "sex", ratetable=slopop, strata="agegr", data=d)
    assert ns.strata == ["15-44", "45-54", "55-64", "65-74", "75+"]
    f = fixture("rs_surv_icss1.csv")
    ref = f[f["group"] == "standardised"]
    r = ns.age_standardized(ref["time"].to_numpy(), weights="icss1")
    assert_close("surv", r["survival"], ref["surv"], TOL)
    assert_close("se", r["std_err"], ref["std_err"], TOL)
    # each age group's curve at the same times (std_err of the survival estimate)
    at = ns.at(ref["time"].to_numpy())
    for g in ns.strata:
        a, b = at[at["strata"] == g], f[f["group"] == g]
        assert_close(f"{g} surv", a["survival"], b["surv"], TOL)
        assert_close(f"{g} std_err", a["std_err"], b["std_err"], TOL)
        assert_close(f"{g} std_err_cumulative_hazard", a["std_err_cumulative_hazard"],
                     b["std_err_cumulative_hazard"], TOL)
    with pytest.raises(ValueError, match="weights"):
        ns.age_standardized([365.0], weights=[1, 2])


# ---- interval (life-table) net survival: popEpi::survtab on sire with popmort ----------

@pytest.fixture(scope="module")
def popmort():
    t = fixture("data_rs_popmort.csv")
    return hs.RateTable.from_frame(t, age="agegroup", year="year", sex="sex", rate="haz", time_unit="years")


@pytest.fixture(scope="module")
def sire():
    d = fixture("data_rs_sire.csv")
    d["fut"] = d["ex_cal"] - d["dg_cal"]
    d["dead"] = (d["status"] > 0).astype(float)
    d["agegr"] = pd.cut(d["dg_age"], [0, 45, 55, 65, 75, np.inf], right=False, labels=[0, 45, 55, 65, 75])
    return d


def _compare_interval(tab, f, cols, what):
    assert len(tab) == len(f), what
    for ours, theirs in cols:
        assert_close(f"{what} {ours}", tab[ours], f[theirs], TOL)


@pytest.mark.parametrize("case", manifest("rs_survtab_cases.csv"), ids=lambda c: c["case"])
def test_interval_net_survival_matches_survtab(case, popmort, sire):
    grouped = case["formula"] != "FUT ~ 1"
    fit = hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, breaks=np.arange(61) / 12,
                                   method=case["relsurv_method"], pp_weight="popepi",
                                   group="agegr" if grouped else None, data=sire)
    tab = fit.age_standardized("icss1") if case["weights"] == "ICSS1" else fit.table()
    f = fixture(f"rs_survtab_{case['case']}.csv")
    if grouped and not case["weights"]:
        assert_close("group", tab["group"].astype(float), f["group"], 0)
    cols = [("start", "Tstart"), ("stop", "Tstop"), ("pyrs", "pyrs"), ("d", "d"), ("surv_obs", "surv.obs"),
            ("se_obs", "SE.surv.obs"), ("survival", "surv"), ("std_err", "SE"), ("lower", "lower"), ("upper", "upper")]
    if case["relsurv_method"] == "e2":
        cols.append(("d_exp", "d.exp"))
    else:
        cols += [("d_pp", "d.pp"), ("d_pp2", "d.pp.2"), ("pyrs_pp", "pyrs.pp"), ("d_exp_pp", "d.exp.pp")]
    _compare_interval(tab, f, cols, case["case"])


@pytest.mark.parametrize("case", ["pp", "pp_agegr"])
def test_interval_pp_midpoint_weights_match_by_hand(case, popmort, sire):
    fit = hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, breaks=np.arange(61) / 12,
                                   group="agegr" if case == "pp_agegr" else None, data=sire)
    f = fixture(f"rs_survtab_{case}_midpoint.csv")
    _compare_interval(fit.table(), f, [("pyrs", "pyrs"), ("d_pp", "d.pp"), ("d_pp2", "d.pp.2"),
                                       ("pyrs_pp", "pyrs.pp"), ("d_exp_pp", "d.exp.pp"), ("survival", "surv"),
                                       ("std_err", "SE"), ("lower", "lower"), ("upper", "upper")], case)


def test_interval_net_survival_life_table_and_plot(popmort, sire):
    fit = hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, breaks=[0, 1, 2, 3, 4, 5],
                                   method="ederer2", data=sire)
    t = fit.table()
    # persons alive at each interval's start: the previous start minus deaths and censorings
    assert t["n_start"].iloc[0] == len(sire)
    assert_close("n_start", t["n_start"].iloc[1:].to_numpy(),
                 (t["n_start"] - t["d"] - t["n_censor"]).iloc[:-1].to_numpy(), 0)
    assert "ederer2" in repr(fit)
    assert fit.plot() is not None
    with pytest.raises(ValueError, match="breaks"):
        hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, breaks=[1, 2], data=sire)
    with pytest.raises(ValueError, match="time.*row 3"):
        bad = sire.copy()
        bad.loc[3, "fut"] = -1.0
        hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, data=bad)
    with pytest.raises(ValueError, match="5 groups"):
        fit.age_standardized("icss1")


def test_excess_hazard_max_lik_matches_rsadd(slopop):
    d = fixture("data_rs_rdata.csv")
    d["dx"] = np.datetime64("1960-01-01", "D") + d["year_days1960"].to_numpy().astype("timedelta64[D]")
    m = hs.excess_hazard_model("time", "cens", "age", "dx", "sex", ["sex", "age"], slopop, method="max.lik", data=d)
    f = fixture("rs_rsadd_max.lik.csv")
    assert m.attrs["converged"]
    assert_close("coef", m["coef"], f["coef_converged"], TOL)
    assert_close("se", m["se"], f["se_converged"], TOL)


def test_builtin_survexp_us_matches_survexp():
    us = hs.RateTable.builtin("survexp.us")
    assert "survival" in us.source
    cases = fixture("rt_survexp_us_cases.csv")
    f = fixture("rt_survexp_us_expected.csv")
    times = [1.0, 100.0, 365.0, 1000.0, 3652.5, 9000.0]
    dx = np.datetime64("1960-01-01", "D") + cases["date_days1960"].to_numpy().astype("timedelta64[D]")
    sex = np.where(cases["sex"] == 0, "male", "female")
    # persons diagnosed before 1940 (the table's first year) are refused, as net survival
    # refuses them (survexp extends the first year backwards)
    before = dx < np.datetime64("1940-01-01")
    assert before.sum() == 2
    with pytest.raises(ValueError, match=rf"`year`: the rate table does not cover this person.*"
                                         rf"at row {np.flatnonzero(before)[0]}$"):
        us.expected_survival(cases["age_days"], dx, sex, times, age_unit="days")
    cases, dx, sex = cases[~before].reset_index(drop=True), dx[~before], sex[~before]
    f = f[f["id"].isin(cases["id"])]
    e = us.expected_survival(cases["age_days"], dx, sex, times, age_unit="days")
    ours = e.to_numpy()[cases["id"].searchsorted(f["id"]), [times.index(t) for t in f["time"]]]
    assert len(ours) == 228
    assert_close("surv", ours, f["surv"], 1e-13)
    with pytest.raises(ValueError, match="unknown built-in"):
        hs.RateTable.builtin("nowhere")


def test_stratified_net_survival_test_matches_rs_diff(slopop):
    d = fixture("data_rs_rdata.csv")
    d["dx"] = np.datetime64("1960-01-01", "D") + d["year_days1960"].to_numpy().astype("timedelta64[D]")
    d["agegr3"] = pd.cut(d["age"], [0, 60, 75, np.inf], right=False)
    r = hs.net_survival_test("time", "cens", "age", "dx", "sex", "sex", slopop, strata="agegr3", data=d)
    f = fixture("rs_diff_strata.csv")
    assert_close("statistic", [r["statistic"], r["p_value"]], [f["statistic"][0], f["p_value"][0]], TOL)
    assert_close("score", r["score"], [f["z_1"][0], f["z_2"][0]], TOL)
    assert_close("variance", r["variance"].ravel(), [f["var_11"][0], f["var_12"][0], f["var_12"][0], f["var_22"][0]], TOL)


def test_crude_probabilities_by_group_match_cmp_rel(slopop):
    d = fixture("data_rs_rdata.csv")
    d["dx"] = np.datetime64("1960-01-01", "D") + d["year_days1960"].to_numpy().astype("timedelta64[D]")
    cp = hs.crude_probabilities("time", "cens", "age", "dx", "sex", slopop, group="sex", data=d)
    f = fixture("rs_cmprel_sex.csv")
    f = f[f["time"] > 0]
    m = f.merge(cp, on=["group", "time", "cause"], how="left", suffixes=("_r", ""))
    assert len(m) == len(f) and m["estimate"].notna().all()
    assert_close("estimate", m["estimate"], m["estimate_r"], TOL)
    assert_close("variance", m["variance"], m["variance_r"], TOL)


def test_excess_method_aliases_and_coefficient_table(slopop):
    # one option parser in the core: "glm" and "ml" are aliases, the same in R
    d = fixture("data_rs_rdata.csv")
    args = ("time", "cens", "age", "year_decimal", "sex", ["sex", "age"])
    a = hs.excess_hazard_model(*args, ratetable=slopop, data=d)
    b = hs.excess_hazard_model(*args, ratetable=slopop, method="glm", data=d)
    assert_close("glm alias", b["coef"], a["coef"], 1e-12)
    assert list(a.columns) == ["coef", "exp_coef", "se", "z", "p", "exp_lower", "exp_upper", "lower", "upper"]
    assert a.attrs["method"] == "glm.poi" and b.attrs["method"] == "glm.poi"
    with pytest.raises(ValueError, match='argument `method`: unknown value "EM"; accepted: "glm.poi", "max.lik"'):
        hs.excess_hazard_model(*args, ratetable=slopop, method="EM", data=d)


def test_interval_at_and_test_result_shape(popmort, sire, slopop):
    fit = hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, breaks=[0, 1, 2, 3], data=sire)
    tab = fit.table()
    assert list(tab.columns[:6]) == ["group", "interval", "start", "stop", "delta", "n_start"]
    at = fit.at([0.0, 1.5, 3.0, 4.0])
    assert list(at.columns) == ["group", "time", "survival", "std_err", "lower", "upper"]
    assert at["survival"].iloc[0] == 1.0 and np.isnan(at["survival"].iloc[3])
    assert at["survival"].iloc[1] == tab["survival"].iloc[0] and at["survival"].iloc[2] == tab["survival"].iloc[2]
    d = fixture("data_rs_rdata.csv")
    r = hs.net_survival_test("time", "cens", "age", "year_decimal", "sex", "sex", ratetable=slopop, data=d)
    assert list(r)[:3] == ["statistic", "df", "p_value"]
    assert r["n"].sum() == len(d) and r["events"].sum() == d["cens"].sum()
    g = hs.icss_group([10.0, 50.0, np.nan, 80.0])
    assert list(g.codes) == [0, 1, -1, 4]


def test_expected_hazard_is_the_slope_of_log_expected_survival():
    """expected_hazard (the bhazard of a relative-survival model) is the rate of the cell
    each person is in at their time: -d/dt log of the expected survival (anchored to
    survexp), within a cell."""
    us = hs.RateTable.builtin("survexp.us")
    age, year, sex = np.array([47.8, 65.8, 80.2]), np.array([1994.06, 2000.89, 1989.5]), np.array(["male", "female", "male"])
    t = np.array([100.5, 1000.5, 2500.5])
    h = us.expected_hazard(age, year, sex, t)
    dt = 1e-3
    for i in range(3):
        s = us.expected_survival(age[i:i + 1], year[i:i + 1], sex[i:i + 1], [t[i], t[i] + dt]).to_numpy()[0]
        np.testing.assert_allclose(h[i], (np.log(s[0]) - np.log(s[1])) / dt, rtol=1e-6)
    with pytest.raises(ValueError, match="argument `time`"):
        us.expected_hazard(age, year, sex, np.array([1.0, -1.0, 2.0]))


def test_the_core_matches_sex_labels_to_the_table_levels():
    # the same lookup and messages as R (rows from 0 here)
    us = hs.RateTable.builtin("survexp.us")
    age, dx = [50, 60, 70], np.array(["1990-01-01", "1995-06-01", "2000-03-01"], dtype="datetime64[D]")
    ref = us.expected_survival(age, dx, ["female", "male", "female"], [365])
    for sex in (pd.Categorical(["female", "male", "female"]), [2, 1, 2], np.array([2.0, 1.0, 2.0])):
        pd.testing.assert_frame_equal(us.expected_survival(age, dx, sex, [365]), ref)
    with pytest.raises(ValueError, match=r'^argument `sex`: value "x" at row 1 is not a sex of the rate '
                                         r'table \(male, female\)$'):
        us.expected_survival(age, dx, ["female", "x", "male"], [365])
    with pytest.raises(ValueError, match=r"^argument `sex`: missing value \(NA\) at row 2$"):
        us.expected_survival(age, dx, ["female", "male", None], [365])
    with pytest.raises(ValueError, match=r'^argument `sex`: value "1" at row 0 is not a sex'):
        us.expected_survival(age, dx, [1, 3, 2], [365])


def test_fin_date_must_be_a_single_date_as_in_r():
    df = hs.example_cohort().iloc[:300]
    rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
    args = ("time", "status", "age", "year", "sex", rt)
    with pytest.raises(ValueError, match=r"^argument `fin_date`: must be a single date$"):
        hs.net_survival(*args, method="hakulinen", data=df,
                        fin_date=np.array(["2020-01-01", "2021-01-01"], dtype="datetime64[D]"))
    a = hs.net_survival(*args, method="hakulinen", data=df, fin_date=np.datetime64("2020-01-01"))
    b = hs.net_survival(*args, method="hakulinen", data=df, fin_date=2020.0)
    pd.testing.assert_frame_equal(a.table(), b.table())
