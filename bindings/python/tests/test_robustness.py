"""Inputs that used to kill the interpreter, hang or mislead: now an error naming the
argument (or NaN for a test on 0 degrees of freedom), the same as in R and Rust."""
import time

import numpy as np
import pandas as pd
import pytest

import hrrstats as hs


def test_identifier_as_logrank_group_is_an_error():
    n = 20_000
    with pytest.raises(ValueError, match=r"argument `group`: has 20000 levels"):
        hs.logrank_test(np.arange(1.0, n + 1), np.ones(n), np.arange(n))


def test_identifier_as_cumulative_incidence_group_is_an_error():
    n = 10_000
    with pytest.raises(ValueError, match=r"argument `group`: has 10000 levels"):
        hs.cumulative_incidence(np.arange(1.0, n + 1), np.arange(n) % 3, group=np.arange(n))


def test_logrank_without_events_has_no_p_value():
    with pytest.warns(RuntimeWarning, match="0 degrees of freedom"):
        lr = hs.logrank_test([1.0, 2, 3, 4], [0, 0, 0, 0], [0, 0, 1, 1])
    assert lr.df == 0
    assert np.isnan(lr.p_value)


def _cohort():
    d = hs.example_cohort().head(200)
    rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year", sex="sex", rate="rate",
                                 time_unit="days")
    return d, rt


def test_tiny_net_survival_precision_is_an_error():
    d, rt = _cohort()
    with pytest.raises(ValueError, match=r"argument `precision`: .*integration steps"):
        hs.net_survival("time", "status", "age", "year", "sex", rt, precision=1e-6, data=d)
    with pytest.raises(ValueError, match=r"argument `precision`: .*integration steps"):
        hs.crude_probabilities("time", "status", "age", "year", "sex", rt, precision=1e-6, data=d)


def test_underdispersed_negative_binomial_stops():
    n = 40
    df = pd.DataFrame({"y": 3.0 + np.arange(n) % 2, "x": np.arange(n) / n})
    start = time.time()
    try:
        with pytest.warns(RuntimeWarning, match="theta"):
            hs.negbin_glm("y", ["x"], data=df, max_iter=10**9)
    except ValueError as e:
        assert "overdispersion" in str(e) or "theta" in str(e)
    assert time.time() - start < 30


def test_glm_inputs_that_cannot_be_fitted_are_errors():
    X = pd.DataFrame({"x": [1.0, 2, 3, 4]})
    y = [1.0, 2, 3, 4]
    with pytest.raises(ValueError, match=r"argument `weights`: every weight is 0"):
        hs.poisson_glm(y, X, weights=[0.0] * 4)
    with pytest.raises(ValueError, match=r"argument `start`"):
        hs.poisson_glm(y, X, start=[np.nan, 0.0])
    with pytest.raises(ValueError, match=r"argument `cluster`: .*at least 2 clusters"):
        hs.poisson_glm(y, X, cluster=[1, 1, 1, 1])


def test_kaplan_meier_with_all_weights_zero_is_an_error():
    with pytest.raises(ValueError, match=r"argument `weights`: every weight is 0"):
        hs.kaplan_meier([1.0, 2, 3], [1, 0, 1], weights=[0.0, 0, 0])


def test_icss_group_refuses_negative_and_infinite_ages():
    with pytest.raises(ValueError, match=r"argument `age`.*row 0"):
        hs.icss_group([-5.0, 50])
    with pytest.raises(ValueError, match=r"argument `age`.*row 1"):
        hs.icss_group([50.0, np.inf])


def test_huge_counts_are_refused_and_large_ones_are_fast():
    with pytest.raises(ValueError, match=r"argument `events`.*2\^53"):
        hs.rate([1e300], [1.0])
    start = time.time()
    hs.rate([1e15], [1e16])
    assert time.time() - start < 1


# Monotone likelihood: no events in the x = 1 group. survival 3.5-3's coxph gives
# x = -21.1798689135727578, z = -0.0890830002985027 and warns "Loglik converged before
# variable  1 ; coefficient may be infinite. ".
MONO_TIME = [0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762,
             1.238, 4.424, 1.055, 1.035]
MONO_Z = [-0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05, -0.24,
          -0.54, -0.43]


def test_cox_monotone_likelihood_warns_as_coxph():
    d = pd.DataFrame({"time": MONO_TIME, "x": [0.0, 1.0] * 8, "z": MONO_Z})
    d["status"] = 1.0 - d["x"]
    with pytest.warns(RuntimeWarning, match=r"Loglik converged before variable  1 ; coefficient may be infinite"):
        f = hs.cox_ph("time", "status", ["x", "z"], data=d)
    np.testing.assert_allclose(f.coef, [-21.1798689135727578, -0.0890830002985027], rtol=1e-8)


def test_every_public_name_is_exported():
    import inspect
    public = {n for n, o in vars(hs).items()
              if not n.startswith("_") and (inspect.isfunction(o) or inspect.isclass(o))}
    assert public <= set(hs.__all__)
    assert all(hasattr(hs, n) for n in hs.__all__)


def test_cox_with_only_an_aliased_covariate_tests_nothing():
    d = pd.DataFrame({"time": [1.0, 2, 3, 4, 5, 6], "status": [1, 0, 1, 1, 0, 1], "x": [1.0] * 6})
    f = hs.cox_ph("time", "status", ["x"], data=d)
    assert f.lr_test[1] == 0 and f.lr_test[2] == 1  # coxph: "on 0 df, p=1"


def test_errors_name_event_as_the_user_wrote_it():
    with pytest.raises(ValueError, match=r"^argument `event`: .*row 1"):
        hs.kaplan_meier([1.0, 2, 3], [1, 2, 0])
    with pytest.raises(ValueError, match=r"^argument `event`: .*row 1"):
        hs.logrank_test([1.0, 2, 3, 4], [1, 2, 0, 1], [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"^argument `event`"):
        hs.cox_ph([1.0, 2, 3, 4], [1, 2, 0, 1], pd.DataFrame({"x": [1.0, 0, 1, 0]}))


def test_many_level_string_factor_in_cox_is_an_error_not_an_abort():
    # A 500-level string column on 1e6 rows: 499 dummy columns (4 GB per copy) used to
    # exhaust memory; the core refuses the design before allocating any dummy column.
    n = 1_000_000
    i = np.arange(n)
    d = pd.DataFrame({"time": 1.0 + i % 997, "status": (i % 3 != 0).astype(float),
                      "f": pd.Series(np.char.add("L", (i % 500).astype(str)))})
    t0 = time.monotonic()
    with pytest.raises(ValueError, match=r"^argument `covariates`: factor `f` has 500 levels: "
                                         r"the design has 499 columns x 1000000 rows \(4\.0 GB\), more than"):
        hs.cox_ph("time", "status", ["f"], data=d)
    assert time.monotonic() - t0 < 20


def test_cox_design_too_wide_is_an_error():
    # p x p information matrices: 5001 columns on 10 rows refused by the core.
    rng = np.random.default_rng(1)
    x = pd.DataFrame(rng.normal(size=(10, 5001)), columns=[f"x{j}" for j in range(5001)])
    with pytest.raises(ValueError, match=r"^argument `covariates`: the design has 5001 columns x 10 rows"):
        hs.cox_ph(np.arange(1.0, 11), np.ones(10), x)


def test_cox_init_overflowing_exp_is_an_error():
    # coxph: "initial values lead to overflow or underflow of the exp function"; its
    # boundary on ages 40..70 (16 evenly spaced) is between init 47 and 48.
    ages = 40 + 30 * np.arange(16) / 15
    t = 1.0 + (np.arange(16) * 5) % 16
    x = pd.DataFrame({"x": ages})
    for init in (1e300, -1e308, 48.0):
        with pytest.raises(ValueError, match=r"^argument `init`: initial values lead to overflow or underflow "
                                             r"of the exp function"):
            hs.cox_ph(t, np.ones(16), x, init=[init], max_iter=0)
    assert np.isfinite(hs.cox_ph(t, np.ones(16), x, init=[47.0], max_iter=0).loglik).all()


def test_rate_ratio_limits_finite_for_huge_counts():
    # binom.test's exact limits with 1 - p from the mirrored beta quantile (R: (1 - q)/q,
    # q = qbeta(0.025, 1, 1e15 + 1)); poisson.test's own upper limit is Inf there.
    r = hs.rate_ratio([1e15], [1.0], [1.0], [1.0])
    assert np.isfinite(r["upper"]).all()
    np.testing.assert_allclose(r[["lower", "upper"]].iloc[0], [179480259204364.53, 39497890205207168.0], rtol=1e-6)
    # where poisson.test is finite: poisson.test(c(1e6, 7), c(1, 3))$conf.int
    r = hs.rate_ratio([1e6], [1.0], [7.0], [3.0])
    np.testing.assert_allclose(r[["lower", "upper"]].iloc[0], [208005.0192346668, 1065963.3186880883], rtol=1e-9)


def test_inputs_that_used_to_panic_are_answers_or_named_errors():
    # issue 21: pyo3_runtime.PanicException (not caught by `except Exception`) for these
    d = hs.example_cohort().head(300)
    with pytest.raises(ValueError, match=r"^argument `conf_level`: must be strictly between 0 and 1, got 1.5$"):
        hs.fine_gray("time", "status", ["age"], data=d, conf_level=1.5)
    m = hs.glm(np.array([1.0, 2.0]), np.array([[1.0, 2.0]]).T, family="gaussian")
    assert "gaussian" in repr(m)
    s = m.summary()
    assert np.isfinite(s["coef"]).all() and s["se"].isna().all()  # 0 residual df, as glm
    with pytest.raises(ValueError, match=r"^argument `events`: count is above 2\^53"):
        hs.direct_standardize([1e300, 1.0], [100.0, 100.0], [0.5, 0.5])


def test_icss_group_never_puts_a_missing_age_in_75_plus():
    # issue 21: NaN, None and pd.NA went to "75+"; now no group (code -1), as R's NA
    for ages in ([50.0, np.nan, 80.0], [50.0, None, 80.0], pd.Series([50.0, pd.NA, 80.0], dtype="Float64"),
                 pd.array([50, None, 80], dtype="Int64")):
        assert list(hs.icss_group(ages).codes) == [1, -1, 4], ages
