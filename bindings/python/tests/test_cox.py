"""Cox regression through Python: survival::coxph fixtures (generate_cox.R), idiom, errors."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture, manifest, num

CASES = manifest("cox_cases.csv")


def fit_case(c):
    d = fixture(f"data_{c['data']}.csv")
    return hs.cox_ph(c["time"], c["status"], c["covariates"].split(" "), entry=c["entry"], strata=c["strata"],
                     weights=c["weights"], cluster=c["cluster"], offset=c["offset"], ties=c["ties"],
                     robust=c["robust"] == "TRUE", data=d), d


def long(f, p):
    m = np.full((p, p), np.nan)
    m[num(f, "i").astype(int) - 1, num(f, "j").astype(int) - 1] = num(f, "value")
    return m


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_cox_matches_coxph(c):
    fit, d = fit_case(c)
    n = c["case"]
    coef, stats = fixture(f"cox_{n}_coef.csv"), fixture(f"cox_{n}_fit.csv")
    p = len(fit.coef)
    assert fit.names == list(coef["term"])
    assert_close("coef", fit.coef, num(coef, "coef"))
    assert_close("se", fit.se, num(coef, "se"))
    assert_close("naive_se", fit.naive_se, num(coef, "naive_se"))
    assert_close("var", fit.var, long(fixture(f"cox_{n}_var.csv"), p))
    assert_close("loglik", fit.loglik, [num(stats, "loglik_null")[0], num(stats, "loglik")[0]])
    assert_close("score", [fit.score_test[0]], num(stats, "score"))
    assert_close("wald", [fit.wald_test[0]], num(stats, "wald"))
    assert_close("lr", [fit.lr_test[0]], num(stats, "lr"))
    assert_close("lr p", [fit.lr_test[2]], num(stats, "lr_p"))
    assert fit.iterations == int(num(stats, "iterations")[0])
    if fit.robust:
        assert_close("robust score", [fit.robust_score_test[0]], num(stats, "rscore"))
    res = fixture(f"cox_{n}_resid.csv")
    assert_close("martingale", fit.residuals(), num(res, "martingale"))
    assert_close("deviance", fit.residuals("deviance"), num(res, "deviance"))
    assert_close("lp", fit.predict(), num(fixture(f"cox_{n}_predict.csv"), "lp_sample"))
    bh = fixture(f"cox_{n}_basehaz.csv")
    assert_close("basehaz", fit.baseline_hazard()["cumulative_hazard"], num(bh, "hazard"))
    assert_close("basehaz centered", fit.baseline_hazard(centered=True)["cumulative_hazard"], num(bh, "hazard_centered"))


@pytest.mark.parametrize("c", [c for c in CASES if not c["strata"]], ids=[c["case"] for c in CASES if not c["strata"]])
def test_cox_predicted_survival_matches_survfit(c):
    fit, _ = fit_case(c)
    sf = fixture(f"cox_{c['case']}_survfit.csv")
    names = c["covariates"].split(" ")
    for row in (1, 2):
        g = sf[sf["newdata_row"] == row]
        x = g[names].iloc[:1]
        off = None if not c["offset"] else g[c["offset"]].iloc[:1].to_numpy()
        s = fit.predict(x, type="survival", times=g["time"].to_numpy(), offset=off)
        assert_close(f"survival row {row}", s.to_numpy().ravel(), num(g, "survival"))


def lung():
    return fixture("data_cox_lung.csv")


def test_categorical_columns_are_dummy_coded_like_model_matrix():
    d = lung().assign(ecog=lambda x: x["ph_ecog"].map({0: "a", 1: "b", 2: "c", 3: "d"}))
    fit = hs.cox_ph("time", "status", ["age", "ecog"], data=d)
    assert fit.names == ["age", "ecogb", "ecogc", "ecogd"]
    manual = d.assign(ecogb=(d.ecog == "b") * 1.0, ecogc=(d.ecog == "c") * 1.0, ecogd=(d.ecog == "d") * 1.0)
    ref = hs.cox_ph("time", "status", ["age", "ecogb", "ecogc", "ecogd"], data=manual)
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-12)
    # predict applies the same encoding to new data
    new = pd.DataFrame({"age": [60.0, 70.0], "ecog": ["a", "c"]})
    assert fit.predict(new, type="risk").shape == (2,)
    with pytest.raises(ValueError, match="level 'z' at row 0 was not in the fitted data"):
        fit.predict(pd.DataFrame({"age": [60.0], "ecog": ["z"]}))


def test_covariates_as_array_frame_and_names_agree():
    d = lung()
    a = hs.cox_ph(d["time"], d["status"], d[["age", "sex"]].to_numpy())
    b = hs.cox_ph(d["time"], d["status"], d[["age", "sex"]])
    c = hs.cox_ph("time", "status", ["age", "sex"], data=d)
    assert a.names == ["x0", "x1"] and b.names == ["age", "sex"]
    np.testing.assert_array_equal(a.coef, c.coef)
    np.testing.assert_array_equal(b.coef, c.coef)
    # the core's coefficient table: lower/upper limit coef, exp_lower/exp_upper exp(coef)
    assert list(c.summary().columns) == ["coef", "exp_coef", "se", "z", "p", "exp_lower", "exp_upper", "lower", "upper"]
    assert "Likelihood ratio test" in repr(c)


def test_collinear_covariate_is_aliased_not_an_error():
    d = lung().assign(age2=lambda x: 2 * x["age"])
    fit = hs.cox_ph("time", "status", ["age", "sex", "age2"], data=d)
    assert list(fit.aliased) == [False, False, True]
    assert np.isnan(fit.coef[2]) and np.isfinite(fit.coef[0])
    assert fit.lr_test[1] == 2
    assert "Aliased" in repr(fit)


def test_cox_bad_input():
    d = lung()
    with pytest.raises(ValueError, match=r"`event`: no events"):
        hs.cox_ph("time", np.zeros(len(d)), ["age"], data=d)
    bad = d.assign(age=d["age"].astype(float).where(d.index != 4, np.inf))
    with pytest.raises(ValueError, match=r"`covariates`, column `age`: value is not finite.*row 4"):
        hs.cox_ph("time", "status", ["age"], data=bad)
    with pytest.raises(ValueError, match=r"`weights`.*positive.*row 0"):
        hs.cox_ph("time", "status", ["age"], weights=np.r_[0.0, np.ones(len(d) - 1)], data=d)
    with pytest.raises(ValueError, match=r"`ties`"):
        hs.cox_ph("time", "status", ["age"], ties="exact", data=d)
    with pytest.raises(ValueError, match=r"`covariates`, column `age` has length 3"):
        hs.cox_ph(d["time"], d["status"], pd.DataFrame({"age": [1.0, 2.0, 3.0]}))


def test_na_action_drop_in_covariates():
    d = lung().astype({"age": float})
    d.loc[3, "age"] = np.nan
    with pytest.raises(ValueError, match=r"column `age`: missing value \(NaN\) at row 3"):
        hs.cox_ph("time", "status", ["age", "sex"], data=d)
    fit = hs.cox_ph("time", "status", ["age", "sex"], data=d, na_action="drop")
    ref = hs.cox_ph("time", "status", ["age", "sex"], data=d.drop(index=3))
    assert fit.n_dropped == 1 and fit.n == len(d) - 1
    np.testing.assert_array_equal(fit.coef, ref.coef)


def test_cox_plot():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    d = lung()
    ax = hs.cox_ph("time", "status", ["age"], strata="sex", data=d).plot()
    assert len(ax.get_lines()) == 2


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_zph_matches_cox_zph(c):
    fit, _ = fit_case(c)
    z = fixture(f"cox_{c['case']}_zph.csv")
    for tr in ("km", "rank", "identity"):
        ref = z[z["transform"] == tr]
        ours = fit.zph(tr)
        assert list(ours["term"]) == list(ref["term"])
        assert_close(f"zph {tr} chisq", ours["chisq"], num(ref, "chisq"))
        assert_close(f"zph {tr} p", ours["p"], num(ref, "p"))


def test_zph_by_term_groups_columns():
    d = fixture("data_cox_veteran.csv")
    cols = ["karno", "celltype_smallcell", "celltype_adeno", "celltype_large"]
    fit = hs.cox_ph("time", "status", cols, data=d)
    z = fit.zph(terms={"karno": ["karno"], "celltype": cols[1:]})
    assert list(z["term"]) == ["karno", "celltype", "GLOBAL"] and list(z["df"]) == [1, 3, 4]
    with pytest.raises(ValueError, match="`terms`"):
        fit.zph(terms={"x": ["nope"]})


@pytest.mark.parametrize("c", CASES, ids=[c["case"] for c in CASES])
def test_residual_matrices_match_residuals_coxph(c):
    fit, _ = fit_case(c)
    t = fixture(f"cox_{c['case']}_resid_matrix.csv")
    for ty in ("score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch"):
        ref = t[t["type"] == ty]
        ours = fit.residuals(ty)
        got = np.array([ours[term].iloc[int(r) - 1] for r, term in zip(ref["row"], ref["term"])])
        scale = np.abs(num(ref, "value")).max()
        np.testing.assert_allclose(got, num(ref, "value"), rtol=1e-8, atol=1e-12 * scale, err_msg=ty)
        if ty == "schoenfeld":
            rows = ours["row"].to_numpy()[ref["row"].to_numpy().astype(int) - 1]
            np.testing.assert_array_equal(rows, num(ref, "obs").astype(int) - 1)
    with pytest.raises(ValueError, match=r"argument `type`: unknown value \"pearson\""):
        fit.residuals("pearson")


def test_wald_table_limits_and_anova_come_from_the_core():
    d = lung()
    f1 = hs.cox_ph("time", "status", ["age"], data=d)
    f2 = hs.cox_ph("time", "status", ["age", "sex"], data=d)
    a = f1.anova(f2)
    assert list(a.columns) == ["model", "loglik", "df", "chisq", "test_df", "p"]
    assert a["chisq"][1] == pytest.approx(2 * (f2.loglik[1] - f1.loglik[1]), rel=1e-12)
    assert a["test_df"][1] == 1
    s = f2.summary(conf_level=0.9)
    q = 1.6448536269514722  # qnorm(0.95)
    np.testing.assert_allclose(s["lower"], f2.coef - q * f2.se, rtol=1e-12)
    np.testing.assert_allclose(s["exp_upper"], np.exp(f2.coef + q * f2.se), rtol=1e-12)
    rb = hs.cox_ph("time", "status", ["age", "sex"], robust=True, data=d)
    assert "naive_se" in rb.summary().columns
    # expected events of the fitted rows: status - martingale residual
    np.testing.assert_allclose(f2.predict(type="expected"), d["status"] - f2.residuals(), rtol=1e-12)
    with pytest.raises(ValueError, match="fitted data only"):
        f2.predict(d[["age", "sex"]].iloc[:2], type="expected")
    with pytest.raises(ValueError, match=r"argument `type`: unknown value"):
        f2.predict(type="linear")
