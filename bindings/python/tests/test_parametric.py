"""Parametric survival regression against survival::survreg (fixtures from
tests/reference/generate_parametric.R)."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

CASES = manifest("survreg_cases.csv")


def fit_case(c):
    d = fixture(f"data_survreg_{c['data']}.csv")
    kw = {k: c[k] for k in ("entry", "weights", "offset", "strata") if c[k]}
    return hs.parametric_survival("time", "status", c["covariates"].split(" "), dist=c["dist"], data=d, **kw), d


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_matches_survreg(c):
    m, d = fit_case(c)
    coef = fixture(f"survreg_{c['case']}_coef.csv")
    fit = fixture(f"survreg_{c['case']}_fit.csv")
    s = m.summary()
    if c["anchor"] == "optim":  # delayed entry: the maximised closed-form likelihood
        assert_close("coef", s["coef"], num(coef, "value"), rtol=1e-6)
        assert_close("loglik", m.loglik[1], fit["loglik1"][0], rtol=1e-9)
        return
    assert_close("coef", s["coef"], num(coef, "value"))
    assert_close("se", s["se"], num(coef, "se"))
    assert_close("z", s["z"], num(coef, "z"))
    assert_close("loglik", m.loglik, [fit["loglik0"][0], fit["loglik1"][0]])
    assert_close("chisq", m.lr_test[0], fit["chisq"][0])
    assert m.lr_test[1] == fit["df"][0]
    assert_close("scale", m.scale, [fit[f"scale_{k + 1}"][0] for k in range(len(m.scale))])
    p = fixture(f"survreg_{c['case']}_predict.csv")
    rows = num(p, "row").astype(int) - 1
    lp, se = m.predict(se=True)
    assert_close("lp", np.asarray(lp)[rows], num(p, "lp"))
    assert_close("se lp", np.asarray(se)[rows], num(p, "se_lp"))
    q, qse = m.predict(type="quantile", p=[0.1, 0.5, 0.9], se=True)
    for j, k in enumerate(("10", "50", "90")):
        assert_close(f"q{k}", q.iloc[rows, j], num(p, f"q{k}"))
        assert_close(f"se q{k}", qse.iloc[rows, j], num(p, f"se_q{k}"))
    sv = m.predict(type="survival", times=[100, 400])
    assert_close("S(100)", sv.iloc[rows, 0], num(p, "surv_t1"))
    assert_close("S(400)", sv.iloc[rows, 1], num(p, "surv_t2"))
    # new rows = the fitted rows give the fitted predictions
    if not c["strata"] and not c["offset"]:
        new = d.iloc[rows]
        assert_close("lp newdata", m.predict(new[c["covariates"].split(" ")]), num(p, "lp"))
        qn = m.predict(new[c["covariates"].split(" ")], type="quantile", p=0.5)
        assert_close("q50 newdata", qn.iloc[:, 0], num(p, "q50"))


def test_strata_predict_new_rows():
    c = next(c for c in CASES if c["case"] == "lung_weibull_strata")
    m, d = fit_case(c)
    p = fixture("survreg_lung_weibull_strata_predict.csv")
    rows = num(p, "row").astype(int) - 1
    new = d.iloc[rows]
    q = m.predict(new[["age", "ph_ecog"]], type="quantile", p=0.5, strata=new["sex"].to_numpy())
    assert_close("q50 strata newdata", q.iloc[:, 0], num(p, "q50"))
    with pytest.raises(ValueError, match="argument `strata`"):
        m.predict(new[["age", "ph_ecog"]], type="quantile", p=0.5)
    with pytest.raises(ValueError, match="argument `strata`: \"3\" is not a stratum"):
        m.predict(new[["age", "ph_ecog"]].iloc[:1], type="quantile", p=0.5, strata=[3])


def test_bad_input():
    d = fixture("data_survreg_lung.csv")
    with pytest.raises(ValueError, match=r"argument `dist`: unknown value \"weibul\""):
        hs.parametric_survival("time", "status", ["age"], dist="weibul", data=d)
    t = d["time"].to_numpy().copy()
    t[4] = 0
    with pytest.raises(ValueError, match=r"argument `time`: times must be positive .* at row 4"):
        hs.parametric_survival(t, d["status"], d[["age"]])
    with pytest.raises(ValueError, match=r"argument `event`: there are no events"):
        hs.parametric_survival(d["time"], np.zeros(len(d)), d[["age"]])
    with pytest.raises(ValueError, match=r"argument `entry`: delayed entry needs"):
        hs.parametric_survival("time", "status", ["age"], entry="entry", dist="gaussian", data=d)
    a = d["age"].to_numpy(dtype=float).copy()
    a[7] = np.nan
    with pytest.raises(ValueError, match=r"column `age`: missing value .*row 7"):
        hs.parametric_survival(d["time"], d["status"], pd.DataFrame({"age": a}))
    m = hs.parametric_survival(d["time"], d["status"], pd.DataFrame({"age": a}), na_action="drop")
    assert m.n == len(d) - 1 and m.n_dropped == 1


def test_intercept_only_and_repr():
    d = fixture("data_survreg_lung.csv")
    m = hs.parametric_survival("time", "status", data=d)
    assert m.names == ["(Intercept)"] and m.loglik[0] == m.loglik[1]
    assert "weibull" in repr(m)


RMST_CASES = manifest("rmst_cases.csv")


@pytest.mark.parametrize("c", RMST_CASES, ids=[c["case"] for c in RMST_CASES])
def test_rmst_matches_survfit(c):
    d = fixture(f"data_survreg_{c['data']}.csv")
    km = hs.kaplan_meier("time", "status", strata=c["strata"], weights=c["weights"], data=d)
    r = fixture(f"rmst_{c['case']}.csv")
    t = km.rmst(float(c["tau"]))
    assert_close("rmst", t["rmst"], num(r, "rmean"))
    assert_close("se", t["std_err"], num(r, "se"))
    if len(r) == 2:
        dd = km.rmst_difference(float(c["tau"]), strata=list(reversed(km.strata_levels)))
        assert_close("difference", dd["difference"], r["rmean"][1] - r["rmean"][0])
        assert_close("se", dd["std_err"], np.hypot(r["se"][0], r["se"][1]))
    with pytest.raises(ValueError, match="argument `tau`"):
        km.rmst(0)


CONC_CASES = manifest("concordance_cases.csv")


@pytest.mark.parametrize("c", CONC_CASES, ids=[c["case"] for c in CONC_CASES])
def test_concordance_matches_survival(c):
    d = fixture(f"data_survreg_{c['data']}.csv")
    fit = hs.cox_ph("time", "status", c["covariates"].split(" "), strata=c["strata"], weights=c["weights"],
                    entry=c["entry"], data=d)
    r = fixture(f"concordance_{c['case']}.csv")
    est, se = fit.concordance()
    assert_close("concordance", est, r["concordance"][0])
    assert_close("std_err", se, np.sqrt(r["var"][0]))
    k = fit.concordance(counts=True)
    for f in ("concordant", "discordant", "tied_x", "tied_y", "tied_xy"):
        assert_close(f, k["counts"][f], r[f][0])
