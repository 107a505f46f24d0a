"""Input checks and error messages (issue "No silent wrong answers"): a bad input is an
error naming the argument as the user wrote it (and the row), with the same text as in R
and Rust (the core words it); a row dropped for a reason is announced by a warning."""
import re
import warnings

import numpy as np
import pandas as pd
import pytest

import hrrstats as hs


def raises(pattern, f, *a, **kw):
    """The error of ``f(*a, **kw)``: a ValueError/TypeError matching ``pattern``, never a
    raw Python error without an argument named."""
    with pytest.raises((ValueError, TypeError)) as e:
        f(*a, **kw)
    assert re.search(pattern, str(e.value)), str(e.value)
    return str(e.value)


@pytest.fixture
def competing():
    return pd.DataFrame({"time": [1, 2, 3, 4, 5, 6, 7, 8.0],
                         "cause": [1, 2, np.nan, 1, 0, 2, 1, 0],
                         "x": [1, 0, 1, 0, 1, 0, 1, 1.0]})


def year_table():
    """A rate table per person-year (ages 0-100, 1990 and 2000, sexes m/f)."""
    rows = [(a, y, s, 0.001 + 0.001 * a) for s in ("m", "f") for y in (1990.0, 2000.0)
            for a in range(101)]
    return hs.RateTable.from_frame(pd.DataFrame(rows, columns=["age", "year", "sex", "rate"]),
                                   time_unit="years")


# ---- cause-specific models ------------------------------------------------------------

def test_a_missing_cause_is_an_error_or_dropped_never_censored(competing):
    assert raises("", hs.cause_specific_cox, "time", "cause", ["x"], data=competing) == \
        "argument `cause`: missing value (NaN) at row 2"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a toy data set: not converged
        fits = hs.cause_specific_cox("time", "cause", ["x"], data=competing, na_action="drop")
    assert list(fits) == [1, 2]
    assert all(f.n == 7 and f.n_dropped == 1 for f in fits.values())


def test_the_censoring_code_is_not_a_cause(competing):
    d = competing.fillna(0)
    assert raises("", hs.cause_specific_cox, "time", "cause", ["x"], data=d, causes=[0, 1]) \
        == "argument `causes`: 0 is the censoring code (censor_code = 0), not a cause"
    raises(r"^argument `causes`: cause 3 does not occur in `cause`$", hs.cause_specific_cox,
           "time", "cause", ["x"], data=d, causes=[3])
    raises(r"^argument `na_action`", hs.cause_specific_cox, "time", "cause", ["x"], data=d,
           na_action="omit")


# ---- relative survival -----------------------------------------------------------------

def test_expected_survival_refuses_persons_net_survival_refuses():
    us = hs.RateTable.builtin()
    msg = raises("", us.expected_survival, [50, 50], [1990.0, 1930.0], ["male", "male"], [365])
    assert msg == raises("", hs.net_survival, [100, 200], [1, 0], [50, 50], [1990.0, 1930.0],
                         ["male", "male"], us)
    assert msg.startswith("argument `year`: the rate table does not cover this person")
    assert msg.endswith("at row 1")


def test_follow_up_in_days_against_a_table_per_year_is_an_error_about_units():
    rt = year_table()
    want = ("argument `time`: the age at the end of follow-up (age + time) is over 150 years: "
            "follow-up must be in the rate table's time unit (years), not days or months "
            "(value 365) at row 1")
    p = dict(age=[60, 70, 65], year=[1995.0, 1996.0, 1995.0], sex=["m", "f", "m"])
    days, status = [30, 365, 3650], [1, 0, 1]
    for f in (hs.net_survival, hs.interval_net_survival, hs.crude_probabilities):
        assert raises("", f, days, status, p["age"], p["year"], p["sex"], rt) == want, f
    assert raises("", rt.expected_survival, p["age"], p["year"], p["sex"], days) == \
        want.replace("`time`", "`times`")
    # in years: a probability, no NaN
    s = hs.net_survival([0.1, 1.0, 10.0], status, p["age"], p["year"], p["sex"], rt).table()
    assert np.isfinite(s["survival"]).all()


def test_relative_survival_length_errors_name_the_persons_argument():
    us = hs.RateTable.builtin()
    assert raises("", us.expected_survival, [50, 60], [1990.0], ["male", "female"], [1]) == \
        "argument `year` has length 1 but `age` has length 2"
    assert raises("", hs.net_survival, [10, 20], [1, 0], [50, 60], [1990.0, 1991.0], ["male"],
                  us) == "argument `sex` has length 1 but `time` has length 2"


def test_excess_hazard_covariates_of_the_wrong_kind_are_named():
    raises(r"^argument `covariates` must be a column name", hs.excess_hazard_model,
           [5, 6], [1, 1], [50, 60], [1990, 1990], ["male", "female"], 1, hs.RateTable.builtin())


# ---- Lexis -----------------------------------------------------------------------------

LEXIS = dict(time_scales={"t": None}, breaks={"t": [0, 2, 10]})
ZERO = ("2 rows with zero-length follow-up (exit - entry < 1.5e-8) dropped, 1 of them with "
        "an event (an exit status other than the entry status), as Epi::Lexis drops them")


def test_an_event_at_zero_length_follow_up_is_dropped_with_a_warning():
    entry, exit, status = [1.0, 0.0, 3.0], [1.0, 5.0, 3.0], [1, 1, 0]
    for f in (hs.lexis_split, hs.person_time_table):
        with pytest.warns(RuntimeWarning, match=re.escape(ZERO)):
            r = f(entry, exit, status, **LEXIS)
    assert r["events"].tolist() == [0.0, 1.0]
    with pytest.warns(RuntimeWarning, match=re.escape("1 row with zero-length follow-up (exit = "
                                                      "entry) dropped")):
        hs.lexis_cut([1.0, 0.0], [1.0, 5.0], [1, 0], time_scales={"t": None},
                     cut=[np.nan, 2.0], new_state=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no zero-length rows: no warning
        hs.lexis_split([0.0], [5.0], [1], **LEXIS)


def test_lexis_diagram_refuses_missing_and_reversed_exits():
    import matplotlib
    matplotlib.use("Agg")
    ts = {"t": None, "age": [50.0, 60.0]}
    assert raises("", hs.lexis_diagram, [0.0, 1.0], [3.0, np.nan], [1, 0], time_scales=ts) == \
        "argument `exit`: missing value (NaN) at row 1"
    assert raises("", hs.lexis_diagram, [0.0, 1.0], [3.0, 0.5], [1, 0], time_scales=ts) == \
        "argument `exit`: exit is before entry (value 0.5) at row 1"
    ax = hs.lexis_diagram([0.0, 1.0], [3.0, 4.0], [1, 0], time_scales=ts)
    assert len(ax.collections[0].get_segments()) == 2


def test_a_missing_lexis_entry_is_reported_as_entry():
    assert raises("", hs.lexis_split, [0.0, np.nan], [1.0, 5.0], [1, 1], **LEXIS) == \
        "argument `entry`: missing value (NaN) at row 1"


# ---- rates and standardisation ---------------------------------------------------------

def standardize(events, person_time):
    age = [0, 1] + [5 * k for k in range(1, 18)]
    return hs.direct_standardize(events, person_time, "esp2013", age=age)


def test_a_named_standard_checks_the_users_rows_before_pooling():
    ones, pt = [1.0] * 17, [100.0] * 17
    assert raises("", standardize, [1, -2] + ones, [100, 100] + pt) == \
        "argument `events`: count is negative (value -2) at row 1"
    assert raises("", standardize, [1, np.nan] + ones, [100, 100] + pt) == \
        "argument `events`: count is missing or not finite at row 1"
    raises(r"^argument `person_time`: .* at row 1$", standardize, [1, 2] + ones, [100, -50] + pt)


@pytest.mark.parametrize("per", [np.inf, np.nan, -1, 0])
def test_rate_per_must_be_finite_and_positive(per):
    raises(r"^argument `per`: must be a finite positive number", hs.rate, [1], [10], per=per)


def test_summary_conf_level_is_checked_as_the_fit_checks_it(competing):
    d = competing.fillna(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        fits = [hs.cox_ph("time", (d["cause"] > 0).astype(float), ["x"], data=d),
                hs.fine_gray("time", "cause", ["x"], data=d),
                hs.poisson_glm("cause", ["x"], data=d)]
    for fit in fits:
        for bad in (2, np.nan, 0):
            assert raises("", fit.summary, conf_level=bad).startswith(
                "argument `conf_level`: must be strictly between 0 and 1"), fit


# ---- argument names and one wording ----------------------------------------------------

def test_raw_python_errors_name_the_argument(competing):
    d = competing.fillna(0)
    raises(r"^argument `max_iter`", hs.cox_ph, "time", (d["cause"] > 0).astype(float), ["x"],
           data=d, max_iter=-1)
    ci = hs.cumulative_incidence("time", "cause", group=["a"] * 4 + ["b"] * 4, data=d)
    raises(r"^argument `group`: 'zzz' is not one of the groups", ci.plot, stacked=True,
           group="zzz")
    km = hs.kaplan_meier("time", [1] * 8, strata=["a"] * 4 + ["b"] * 4, data=d)
    raises(r'^argument `stratum`: "zzz" is not a stratum of the fit', km.survival_at, [1],
           stratum="zzz")
    raises(r"^argument `time` must be a 1-D array", hs.kaplan_meier, 5, 1)
    raises(r"^argument `breaks`: breaks of `t` must be at least two", hs.lexis_split, [0.0],
           [1.0], [1], time_scales={"t": None}, breaks={"t": 5})
    # a cumulative incidence with no events has empty tables, not a pandas error
    none = hs.cumulative_incidence([1, 2, 3.0], [0, 0, 0])
    assert len(none.table()) == 0 and len(none.at([1.0])) == 0


def test_a_missing_time_is_worded_once():
    us = hs.RateTable.builtin()
    t = [1.0, np.nan, 3.0]
    want = "argument `time`: missing value (NaN) at row 1"
    assert raises("", hs.kaplan_meier, t, [1, 1, 0]) == want
    assert raises("", hs.logrank_test, t, [1, 1, 0], group=[0, 1, 0]) == want
    assert raises("", hs.cumulative_incidence, t, [1, 2, 0]) == want
    assert raises("", hs.net_survival, t, [1, 1, 0], [50] * 3, [1990.0] * 3, ["male"] * 3,
                  us) == want
    assert raises("", us.expected_survival, [50], [1990.0], ["male"], [np.nan]) == \
        "argument `times`: missing value (NaN) at row 0"


def test_status_2_is_worded_once():
    us = hs.RateTable.builtin()
    km = raises("", hs.kaplan_meier, [1, 2], [1, 2])
    net = raises("", hs.net_survival, [1, 2], [1, 2], [50, 50], [1990.0] * 2, ["male"] * 2, us)
    assert km == net
    assert "status must be 0 (censored) or 1 (event)" in km


def test_a_datetime_column_is_not_a_number(competing):
    d = competing.fillna(0).assign(dx=pd.date_range("2000-01-01", periods=8))
    assert raises("", hs.cox_ph, "time", (d["cause"] > 0).astype(float), ["x", "dx"], data=d) \
        .startswith("argument `covariates`, column `dx`: dates and times (dtype datetime64")
    raises(r"^argument `time`, column `dx`: dates and times .* convert the column first",
           hs.kaplan_meier, "dx", "cause", data=d)
    # calendar times of the relative-survival functions take dates
    us = hs.RateTable.builtin()
    e = us.expected_survival([50], pd.to_datetime(["1990-06-01"]), ["male"], [365])
    assert 0 < e.iloc[0, 0] < 1


def test_glm_summary_conf_level_is_checked_by_the_core():
    import numpy as np
    m = hs.glm(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), np.array([[1.0, 2.0, 3.0, 4.0, 6.0]]).T, family="gaussian")
    with pytest.raises(ValueError, match=r"argument `conf_level`: must be a single number"):
        m.summary(conf_level="a")
    with pytest.raises(ValueError, match=r"argument `conf_level`"):
        m.summary(conf_level=1.5)


def test_a_datetime_matrix_of_covariates_is_not_a_number():
    X = np.array([["2020-01-01", "2021-01-01"], ["2020-03-01", "2021-05-01"],
                  ["2020-01-07", "2021-01-09"], ["2020-01-01", "2021-01-01"]], dtype="datetime64[D]")
    with pytest.raises(TypeError, match=r"argument `covariates`: dates and times"):
        hs.cox_ph(np.array([1.0, 2, 3, 4]), np.array([1.0, 1, 0, 1]), X)
