"""GLMs through Python: stats::glm / MASS::glm.nb / sandwich fixtures (generate_glm.R), idiom, errors."""
import warnings

import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

CASES = manifest("glm_cases.csv")


def fit_case(c, **kw):
    d = fixture(f"data_{c['data']}.csv")
    start = None if not c["start"] else [float(v) for v in c["start"].split(" ")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = hs.glm(c["response"], c["covariates"].split(" "), family=c["family"], link=c["link"], offset=c["offset"],
                   weights=c["weights"], intercept=c["intercept"] == "TRUE", start=start, epsilon=float(c["epsilon"]),
                   max_iter=int(c["maxit"]), data=d, **kw)
    return m, d


def long(f, p):
    m = np.full((p, p), np.nan)
    m[num(f, "i").astype(int) - 1, num(f, "j").astype(int) - 1] = num(f, "value")
    return m


def masked(m, a):
    m = m.copy()
    m[a, :] = np.nan
    m[:, a] = np.nan
    return m


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_glm_matches_r(c):
    m, d = fit_case(c)
    n = c["case"]
    coef, st = fixture(f"glm_{n}_coef.csv"), fixture(f"glm_{n}_fit.csv")
    p = len(m.coef)
    assert m.names == list(coef["term"])
    assert_close("coef", m.coef, num(coef, "coef"))
    assert_close("se", m.se, num(coef, "se"))
    s = m.summary()
    assert_close("stat", s[m.test], num(coef, "stat"))
    assert_close("p", s["p"], num(coef, "p"))
    assert_close("var", masked(m.var, m.aliased), long(fixture(f"glm_{n}_var.csv"), p))
    for k in ("deviance", "null_deviance", "aic", "loglik", "dispersion", "iterations", "df_residual", "df_null"):
        assert_close(k, [getattr(m, k)], num(st, k))
    if c["family"] == "negbin":
        assert_close("theta", [m.theta, m.se_theta, m.twologlik], [num(st, "theta")[0], num(st, "se_theta")[0], num(st, "twologlik")[0]])
    rob = fixture(f"glm_{n}_robust.csv")
    for ty in ("HC0", "HC1", "CL"):
        r = rob[rob["type"] == ty]
        if len(r) == 0:
            continue
        kw = {"cluster": c["cluster"]} if ty == "CL" else {"robust": ty}
        mr, _ = fit_case(c, **kw)
        assert_close(ty, masked(mr.var, mr.aliased), long(r, p))
    pr = fixture(f"glm_{n}_predict.csv")
    for scale in ("link", "response"):
        got = m.predict(type=scale, se=True)
        assert_close(scale, got["fit"], num(pr, scale))
        assert_close(scale + " se", got["se"], num(pr, f"{scale}_se"))
    res = fixture(f"glm_{n}_resid.csv")
    for ty in ("deviance", "pearson", "working", "response"):
        ref = num(res, ty)
        np.testing.assert_allclose(m.residuals(ty), ref, rtol=1e-8, atol=1e-12 * np.abs(ref).max(), err_msg=ty)


def test_separation_warns_like_r():
    c = next(c for c in CASES if c["case"] == "separation_logit")
    d = fixture(f"data_{c['data']}.csv")
    with pytest.warns(RuntimeWarning, match="fitted probabilities numerically 0 or 1 occurred"):
        m = hs.logistic_glm("y", ["x"], data=d)
    assert not m.converged and "did not converge" in repr(m)


def test_categorical_covariates_and_new_data():
    d = fixture("data_glm_warpbreaks.csv")
    d["tension"] = np.select([d.tensionM == 1, d.tensionH == 1], ["M", "H"], "L")
    d["tension"] = pd.Categorical(d["tension"], categories=["L", "M", "H"])
    a = hs.poisson_glm("breaks", ["woolB", "tension"], data=d)
    b = hs.poisson_glm("breaks", ["woolB", "tensionM", "tensionH"], data=d)
    assert a.names == ["(Intercept)", "woolB", "tensionM", "tensionH"]
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-13)
    new = pd.DataFrame({"woolB": [0.0, 1.0], "tension": ["H", "L"]})
    np.testing.assert_allclose(a.predict(new, type="response"), np.exp(a.predict(new)), rtol=1e-14)


def test_glm_bad_input():
    d = fixture("data_glm_warpbreaks.csv")
    with pytest.raises(ValueError, match=r"`y`: negative count.*row 2"):
        hs.poisson_glm(np.r_[d.breaks[:2], -1.0, d.breaks[3:]], d[["woolB"]])
    with pytest.raises(ValueError, match=r"`y`.*proportion"):
        hs.logistic_glm(d.breaks, d[["woolB"]])
    with pytest.raises(ValueError, match=r"`family`"):
        hs.glm(d.breaks, d[["woolB"]], family="gamma")
    with pytest.raises(ValueError, match=r"`link`"):
        hs.glm(d.breaks, d[["woolB"]], family="poisson", link="sqrt")
    bad = d.assign(woolB=d.woolB.astype(float).where(d.index != 5, np.nan))
    with pytest.raises(ValueError, match=r"column `woolB`: missing value \(NaN\) at row 5"):
        hs.poisson_glm("breaks", ["woolB"], data=bad)
    m = hs.poisson_glm("breaks", ["woolB"], data=bad, na_action="drop")
    assert m.n_dropped == 1 and m.df_null == len(d) - 2
    with pytest.raises(ValueError, match=r"`robust`"):
        hs.poisson_glm("breaks", ["woolB"], data=d, robust="HC3")


def test_intercept_only_model():
    d = fixture("data_glm_warpbreaks.csv")
    m = hs.poisson_glm("breaks", [], data=d)
    assert m.names == ["(Intercept)"]
    np.testing.assert_allclose(m.coef[0], np.log(d["breaks"].mean()), rtol=1e-10)
    np.testing.assert_allclose(m.deviance, m.null_deviance, rtol=1e-12)


def test_one_name_and_core_errors_for_options():
    d = fixture("data_glm_warpbreaks.csv")
    assert hs.glm is hs.glm_fit
    # theta is for the negative binomial only: the core's error, as in R
    with pytest.raises(ValueError, match=r"argument `theta`: applies only to family \"negbin\", not \"poisson\""):
        hs.glm("breaks", ["woolB"], family="poisson", theta=2.0, data=d)
    with pytest.raises(ValueError, match=r"argument `family`: poisson_glm\(\) fits family \"poisson\""):
        hs.poisson_glm("breaks", ["woolB"], family="binomial", data=d)
    m = hs.poisson_glm("breaks", ["woolB"], data=d)
    with pytest.raises(ValueError, match=r"argument `type`: unknown value \"risk\""):
        m.predict(type="risk")
    with pytest.raises(ValueError, match=r"argument `type`: unknown value \"raw\""):
        m.residuals("raw")


def test_coefficient_table_from_the_core():
    d = fixture("data_glm_warpbreaks.csv")
    m = hs.poisson_glm("breaks", ["woolB"], data=d, robust=True)
    s = m.summary()
    assert list(s.columns) == ["coef", "exp_coef", "se", "naive_se", "z", "p", "exp_lower", "exp_upper", "lower", "upper"]
    np.testing.assert_allclose(s["se"], m.se, rtol=1e-15)
    np.testing.assert_allclose(s["naive_se"], m.naive_se, rtol=1e-15)
    s90 = m.summary(conf_level=0.9)
    np.testing.assert_allclose(s90["upper"], m.coef + 1.6448536269514722 * m.se, rtol=1e-12)
    np.testing.assert_allclose(s90["exp_upper"], np.exp(s90["upper"]), rtol=1e-14)
    g = hs.glm("breaks", ["woolB"], data=d)
    assert "t" in g.summary().columns and "exp_coef" not in g.summary().columns


def test_error_rows_after_dropping_name_the_users_row():
    y = np.array([2.0, 0, 5, 1, -3, 4, 0, 2])
    x = np.array([0.5, np.nan, 2.2, 0.1, 1.7, 2.9, 0.4, 1.1])
    with pytest.raises(ValueError, match=r"negative count.*row 4"):
        hs.poisson_glm(y, x, na_action="drop")
