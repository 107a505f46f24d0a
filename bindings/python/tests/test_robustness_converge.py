"""Non-convergence, degenerate fits and differences from the anchors (issue "No silent
wrong answers"): every iterative fit says whether and why it stopped and warns in the
anchors' words; what cannot be fitted is an error naming the argument. The numbers are
survival 3.5-3's, MASS 7.3-58's, cmprsk 2.2's and stats::glm's (the same cases as
tests/robustness_converge.rs and the R tests, which check them live)."""
import warnings

import numpy as np
import pandas as pd
import pytest

import hrrstats as hs

TIME = [0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762, 1.238,
        4.424, 1.055, 1.035]
Z = [-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05, -0.24,
     -0.54, -0.43]
X01 = [float(i % 2) for i in range(16)]


def _monotone():
    return pd.DataFrame({"time": TIME, "x": X01, "z": Z, "status": [1.0 - v for v in X01]})


def test_every_iterative_fit_reports_convergence():
    with pytest.warns(RuntimeWarning, match="^Ran out of iterations and did not converge$"):
        f = hs.cox_ph("time", "status", ["x", "z"], data=_monotone(), max_iter=3)
    assert (f.converged, f.convergence, f.iterations) == (False, "max_iterations", 3)
    d = pd.DataFrame({"y": [float(i % 4) for i in range(20)], "x": np.arange(20) / 20})
    with pytest.warns(RuntimeWarning, match="glm.fit: algorithm did not converge"):
        g = hs.poisson_glm("y", ["x"], data=d, max_iter=1)
    assert (g.converged, g.convergence) == (False, "max_iterations")
    fgd = pd.DataFrame({"time": TIME, "cause": [i % 3 for i in range(16)], "z": Z})
    with pytest.warns(RuntimeWarning, match="^Ran out of iterations and did not converge$"):
        fg = hs.fine_gray("time", "cause", ["z"], data=fgd, max_iter=1)
    assert (fg.converged, fg.convergence) == (False, "max_iterations")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fg = hs.fine_gray("time", "cause", ["z"], data=fgd)
    assert (fg.converged, fg.convergence, fg.warnings) == (True, "converged", [])


def test_fine_gray_separation_is_flagged_not_converged():
    cause = [1 if i % 2 == 0 else (2 if i % 4 == 1 else 0) for i in range(16)]
    d = pd.DataFrame({"time": TIME, "cause": cause, "x": X01, "z": Z})
    with pytest.warns(RuntimeWarning, match=r"^Loglik converged before variable  1 ; coefficient may be infinite\. $"):
        fg = hs.fine_gray("time", "cause", ["x", "z"], data=d)
    assert not fg.converged and fg.convergence == "infinite_coefficient"
    assert fg.coef[0] < -20
    np.testing.assert_allclose(fg.coef[1], -0.089083001429947614, rtol=1e-6)  # crr's


def test_negative_binomial_without_overdispersion_warns_as_mass():
    n = 40
    d = pd.DataFrame({"y": 3.0 + np.arange(n) % 2, "x": np.arange(n) / n})
    with pytest.warns(RuntimeWarning, match="^theta.ml: iteration limit reached$"):
        f = hs.negbin_glm("y", ["x"], data=d)
    assert f.convergence == "theta_iteration_limit" and f.theta > 1e5
    np.testing.assert_allclose(f.coef, [1.242290781836314917, 0.021442137067524659], rtol=1e-8)
    with pytest.warns(RuntimeWarning, match="theta is going to infinity"):
        f = hs.negbin_glm("y", ["x"], data=d, max_iter=10**9)
    assert f.convergence == "theta_infinite" and np.isfinite(f.loglik)


def test_cox_residuals_of_a_fit_that_did_not_converge_are_finite():
    with pytest.warns(RuntimeWarning):
        f = hs.cox_ph("time", "status", ["x", "z"], data=_monotone(), max_iter=3)
    np.testing.assert_allclose(f.residuals("martingale"), [
        0.5415858587460343765, -0.0130800365656520770, 0.8649118699423277157, 0.0,
        0.7478696298157792022, -0.0402044579697134266, -0.1136390267310325441,
        -0.0041230316581257840, 0.4063544681046408202, -0.0017228279533548431,
        -1.7529222764062977191, -0.0074627802823567096, -0.6672773414818520266,
        -0.0415619358763106850, 0.0914160819288060145, -0.0101441936128922831], rtol=1e-8, atol=1e-14)
    f = hs.cox_ph("time", "status", ["x"], data=_monotone(), init=[1000.0], max_iter=0)
    m = np.asarray(f.residuals("martingale"))
    assert np.isfinite(m).all()
    # the saturated fit's, as coxph's at init = 30
    np.testing.assert_allclose(m[[1, 5, 7]], [-1.09285714285701618, -2.59285714285687563,
                                             -0.30952380952377606], rtol=1e-8)


def test_cox_with_non_integer_weights_is_robust_as_coxph():
    d = pd.DataFrame({"time": TIME, "x": X01, "z": Z,
                      "st": [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0],
                      "w": [0.5, 1.25, 2, 1, 0.75, 1.5, 1, 2.5, 0.5, 1, 1.75, 1, 0.25, 1.5, 1, 2]})
    f = hs.cox_ph("time", "st", ["x", "z"], weights="w", data=d)
    assert f.robust
    np.testing.assert_allclose(f.coef, [-0.783064090507646138, -0.049695159768009756], rtol=1e-8)
    np.testing.assert_allclose(f.se, [0.63740927764426147, 0.52426863804804635], rtol=1e-8)
    np.testing.assert_allclose(f.naive_se, [0.63330714831818191, 0.53952984057860709], rtol=1e-8)
    f = hs.cox_ph("time", "st", ["x", "z"], weights="w", data=d, robust=False)
    assert not f.robust
    np.testing.assert_allclose(f.se, [0.63330714831818191, 0.53952984057860709], rtol=1e-8)


def test_glm_warns_about_non_integer_counts_as_glm():
    d = pd.DataFrame({"y": [0.3, 0.5, 0.7, 0.2], "x": [1.0, 2, 3, 4], "w": 3.0})
    with pytest.warns(RuntimeWarning, match="^non-integer #successes in a binomial glm!$"):
        g = hs.logistic_glm("y", ["x"], weights="w", data=d)
    np.testing.assert_allclose(g.coef, [-0.200106436544321920, -0.040932601210044571], rtol=1e-8)
    np.testing.assert_allclose(g.aic, 12.126141373127977, rtol=1e-8)
    d = pd.DataFrame({"y": [0.5, 1.5, 2.5, 3, 4], "x": [1.0, 2, 3, 4, 5]})
    with pytest.warns(RuntimeWarning, match=r"^non-integer x = 0\.500000 \(and 2 more non-integer counts\)$"):
        g = hs.poisson_glm("y", ["x"], data=d)
    np.testing.assert_allclose(g.coef, [-0.49865026028429532, 0.39379789579847801], rtol=1e-8)
    assert g.aic == np.inf


def test_huge_covariates_are_named_errors_not_aliased_nans():
    big = np.arange(16.0)
    big[3] = 1e300
    msg = r"^argument `covariates`: covariate `x`: values too large to fit \(\|x\| up to 1e300\); rescale it$"
    with pytest.raises(ValueError, match=msg):
        hs.poisson_glm(np.arange(16) % 3 * 1.0, pd.DataFrame({"x": big}))
    with pytest.raises(ValueError, match=msg):
        hs.fine_gray(TIME, np.arange(16) % 3, pd.DataFrame({"x": big}))
    f = hs.cox_ph(TIME, np.ones(16), pd.DataFrame({"x": big}))  # coxph: 2.1e-299
    np.testing.assert_allclose(f.coef, [2.1e-299], rtol=1e-6)
    with pytest.raises(ValueError, match=r"covariate `x`: values too large to fit \(\|x\| up to 1.7e308\)"):
        hs.cox_ph(TIME, np.ones(16), pd.DataFrame({"x": np.array(X01) * 1.7e308}))


def test_no_events_is_said_not_singular_information():
    with pytest.raises(ValueError, match=r"^argument `event`: no events"):
        hs.cox_ph(TIME, np.zeros(16), pd.DataFrame({"z": Z}))
    with pytest.raises(ValueError, match=r"^argument `cause`: no events of the cause of interest \(1\)$"):
        hs.fine_gray(TIME, 2 * (np.arange(16) % 2), pd.DataFrame({"z": Z}))


def test_a_link_the_family_does_not_have_is_named():
    X = pd.DataFrame({"x": [1.0, 2, 3, 5]})
    y = [1.0, 2, 3, 4]
    with pytest.raises(ValueError, match=r'^argument `link`: "logit" is not available for family "poisson"; '
                                         r'accepted: "log", "identity"$'):
        hs.poisson_glm(y, X, link="logit")
    with pytest.raises(ValueError, match=r'^argument `link`: "cloglog" is not available for family "gaussian"'):
        hs.glm_fit(y, X, family="gaussian", link="cloglog")
    hs.poisson_glm(y, X, link="identity")


def test_tests_on_zero_degrees_of_freedom():
    d = pd.DataFrame({"time": [1.0, 2, 3, 4, 5, 6], "status": [1, 0, 1, 1, 0, 1], "x": [1.0] * 6})
    f = hs.cox_ph("time", "status", ["x"], data=d)
    assert f.lr_test[2] == 1 and f.wald_test[2] == 1 and f.score_test[2] == 1  # coxph: p = 1
    with pytest.warns(RuntimeWarning, match="0 degrees of freedom"):
        lr = hs.logrank_test([1.0, 2, 3, 4], [0, 0, 0, 0], [0, 0, 1, 1])
    assert np.isnan(lr.p_value)


def test_excess_hazard_reports_convergence_and_refuses_no_deaths():
    rt = hs.RateTable.from_frame(pd.DataFrame({"age": [0.0, 50, 0, 50], "year": [1990.0] * 4,
                                               "sex": [0, 0, 1, 1], "rate": [1e-5, 1e-4, 2e-5, 2e-4]}),
                                 time_unit="days")
    d = pd.DataFrame({"time": [100.0, 400, 800, 900, 1500, 2000, 300, 1200],
                      "age": [60.0, 70, 55, 65, 75, 50, 62, 58],
                      "year": [1995.0, 1996.5, 1997, 1998.2, 1999, 2000, 1996, 1997.5],
                      "sex": [0, 1, 0, 1, 0, 1, 1, 0], "x": [0.0, 1, 0, 1, 1, 0, 1, 0]})
    for method in ("glm.poi", "max.lik"):
        d["status"] = [1, 0, 1, 1, 0, 1, 1, 0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            m = hs.excess_hazard_model("time", "status", "age", "year", "sex", ["x"], rt,
                                       breaks=(0, 2, 10), method=method, data=d)
        assert m.attrs["converged"] and m.attrs["iterations"] >= 1
        d["status"] = [1, 0, 1, 0, 0, 1, 0, 1]  # no deaths with x = 1
        with pytest.warns(RuntimeWarning, match="coefficient may be infinite"):
            m = hs.excess_hazard_model("time", "status", "age", "year", "sex", ["x"], rt,
                                       breaks=(0, 2, 10), method=method, data=d)
        assert not m.attrs["converged"]
        d["status"] = [1, 0, 1, 0, 0, 0, 1, 0]  # no deaths after year 3
        with pytest.raises(ValueError, match=r"^argument `breaks`: no deaths in follow-up interval fu\[3,10\)"):
            hs.excess_hazard_model("time", "status", "age", "year", "sex", ["x"], rt,
                                   breaks=(0, 3, 10), method=method, data=d)
        d["status"] = 0
        with pytest.raises(ValueError, match=r"no events"):
            hs.excess_hazard_model("time", "status", "age", "year", "sex", ["x"], rt,
                                   breaks=(0, 2, 10), method=method, data=d)


def test_cox_cluster_with_robust_false_is_ignored_as_coxph():
    d = pd.DataFrame({"time": TIME, "z": Z, "id": np.arange(16) // 2,
                      "st": [1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0]})
    r = hs.cox_ph("time", "st", ["z"], cluster="id", data=d)
    assert r.robust
    with pytest.warns(RuntimeWarning, match="^cluster specified with robust=FALSE, cluster ignored$"):
        f = hs.cox_ph("time", "st", ["z"], cluster="id", robust=False, data=d)
    assert not f.robust
    np.testing.assert_allclose(f.se, r.naive_se, rtol=1e-12)
