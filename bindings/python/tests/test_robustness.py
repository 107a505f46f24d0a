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
        hs.negbin_glm("y", ["x"], data=df, max_iter=10**9)
    except ValueError as e:
        assert "overdispersion" in str(e) or "theta" in str(e)
    assert time.time() - start < 30
