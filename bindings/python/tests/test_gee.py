"""Generalised estimating equations against geepack::geeglm (fixtures from
tests/reference/generate_gee.R): estimates at 1e-8, variances at 1e-6 (issue #15)."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

CASES = manifest("gee_cases.csv")


def _fit(c, perm=None):
    d = fixture(f"gee_{c['case']}_data.csv")
    if perm is not None:
        d = d.iloc[perm].reset_index(drop=True)
    p = int(c["p"])
    kw = dict(family=c["family"], link=c["link"], corstr=c["corstr"], epsilon=1e-12, max_iter=500)
    if c["waves"] == "1":
        kw["waves"] = d["wave"]
    if c["weights"] == "1":
        kw["weights"] = d["w"]
    if c["offset"] == "1":
        kw["offset"] = d["off"]
    if c["scale_fix"] == "1":
        # geeglm's scale.fix keeps its starting scale (scale.value is unused): fix ours there
        kw.update(scale_fix=True, scale_value=num(fixture(f"gee_{c['case']}_par.csv"), "value")[0])
    return hs.gee(d["y"], d[[f"x{j}" for j in range(1, p + 1)]], d["id"], **kw)


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_gee_matches_geeglm(c):
    f = _fit(c)
    coef = fixture(f"gee_{c['case']}_coef.csv")
    var = fixture(f"gee_{c['case']}_var.csv")
    par = fixture(f"gee_{c['case']}_par.csv")
    assert f.converged
    assert_close("coef", f.coef, num(coef, "coef"), rtol=1e-8)
    assert_close("se", f.se, num(coef, "se"), rtol=1e-6)
    assert_close("naive_se", f.naive_se, num(coef, "naive_se"), rtol=1e-6)
    p = len(f.coef)
    assert_close("var", np.asarray(f.var).T.ravel(), num(var, "var"), rtol=1e-6)
    assert_close("naive_var", np.asarray(f.naive_var).T.ravel(), num(var, "naive_var"), rtol=1e-6)
    pv = num(par, "value")
    assert_close("scale", [f.scale], pv[:1], rtol=1e-8)
    assert_close("alpha", f.alpha, pv[1:-1], rtol=1e-8)
    assert f.alpha_names == list(par["name"][1:-1])
    s = f.summary()
    assert list(s.columns[:2]) == (["coef", "exp_coef"] if c["link"] in ("log", "logit") else ["coef", "se"])
    assert_close("z", s["z"], num(coef, "coef") / num(coef, "se"), rtol=1e-6)
    assert p == s.shape[0]


def test_gee_groups_rows_of_a_cluster_wherever_they_are():
    c = next(c for c in CASES if c["case"] == "dietox_ar1_waves")
    n = len(fixture("gee_dietox_ar1_waves_data.csv"))
    perm = (np.arange(n) * 7919) % n
    a, b = _fit(c), _fit(c, perm)
    for k in ("coef", "se", "naive_se", "alpha"):
        assert_close(k, getattr(b, k), getattr(a, k), rtol=1e-9)
    assert_close("fitted", b.fitted, np.asarray(a.fitted)[perm], rtol=1e-9)


def test_gee_predict_and_repr():
    c = next(c for c in CASES if c["case"] == "seizure_excha")
    f = _fit(c)
    d = fixture("gee_seizure_excha_data.csv")
    assert_close("predict", f.predict(), f.linear_predictors, rtol=1e-12)
    r = f.predict(d[["x1", "x2", "x3", "x4"]], type="response", se=True, offset=d["off"])
    assert_close("response", r["fit"], f.fitted, rtol=1e-12)
    assert (r["se"] > 0).all()
    assert "exchangeable working correlation" in repr(f)
    assert f.n_clusters == 59 and f.max_cluster_size == 5


def test_gee_with_a_data_frame_and_column_names():
    d = fixture("gee_ohio_excha_data.csv").rename(columns={"x1": "age", "x2": "smoke"})
    f = hs.gee("y", ["age", "smoke"], "id", family="binomial", corstr="exchangeable", data=d)
    assert f.names == ["(Intercept)", "age", "smoke"]
    assert f.n_clusters == 537


def test_gee_errors_name_the_argument_and_row():
    d = fixture("gee_ohio_excha_data.csv")
    y = d["y"].to_numpy().copy()
    y[5] = 2.0
    with pytest.raises(ValueError, match=r"argument `y`.*at row 5"):
        hs.gee(y, d[["x1"]], d["id"], family="binomial")
    with pytest.raises(ValueError, match=r"argument `corstr`: unknown value \"toeplitz\""):
        hs.gee(d["y"], d[["x1"]], d["id"], corstr="toeplitz")
    waves = (np.arange(len(d)) % 4).astype(float)
    waves[6] = 3.0
    with pytest.raises(ValueError, match=r"argument `waves`.*at row 7"):
        hs.gee(d["y"], d[["x1"]], d["id"], corstr="ar1", waves=waves)
    cl = d["id"].to_numpy().astype(float)
    cl[4] = np.nan
    with pytest.raises(ValueError, match=r"argument `cluster`.*row 4"):
        hs.gee(d["y"], d[["x1"]], cl)
    with pytest.raises(ValueError, match=r"argument `family`"):
        hs.gee(d["y"], d[["x1"]], d["id"], family="negbin")
