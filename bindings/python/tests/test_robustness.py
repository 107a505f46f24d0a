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
