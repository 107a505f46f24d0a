"""Property-based tests (hypothesis) of the Python package (issue "No silent wrong
answers"): random VALID small inputs give finite answers that agree with a hand
computation (Kaplan–Meier, log-rank O and E, Aalen–Johansen, Cox log partial
likelihood, least squares, crude rates); random INVALID inputs (NaN/inf/negative times,
bad codes, length mismatch, empty columns, unknown options, huge values) give a
ValueError/TypeError naming an argument — never a panic (PanicException, an "internal
error"), never a hang. The same sweep runs over every method of the core's one entry
point (`_hrrstats.call`). Sizes are small and examples bounded: the file runs in seconds.
"""
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hrrstats as hs
from hrrstats import _hrrstats

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def close(a, b, tol=1e-10):
    return abs(a - b) <= tol * (1 + max(abs(a), abs(b)))


@st.composite
def cohorts(draw, min_size=2, max_size=25):
    """Integer times 1..12 (ties likely), events 0/1, two groups, a covariate, a cause
    0/1/2."""
    n = draw(st.integers(min_size, max_size))
    time = np.array(draw(st.lists(st.integers(1, 12), min_size=n, max_size=n)), dtype=float)
    code = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    group = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    x = np.array(draw(st.lists(st.floats(-2, 2), min_size=n, max_size=n)))
    return pd.DataFrame({"time": time, "event": (code > 0).astype(float), "cause": np.minimum(code, 2),
                         "group": group, "x": x})


def names_an_argument(err):
    return "`" in str(err)


def expect_named_error(f):
    """Run f: an answer, or ValueError/TypeError naming an argument; anything else (a
    panic, an internal error, a raw numpy/pandas error) fails."""
    try:
        return f()
    except (ValueError, TypeError) as e:
        assert names_an_argument(e), f"{type(e).__name__} names no argument: {e}"
        assert "internal error" not in str(e), str(e)
        return None


# ---- valid inputs: hand computations --------------------------------------------------

@SETTINGS
@given(cohorts(1))
def test_kaplan_meier_is_the_product_limit(d):
    t = hs.kaplan_meier(d.time, d.event).table()
    s = 1.0
    for _, row in t.iterrows():
        n = (d.time >= row.time).sum()
        dd = d.event[d.time == row.time].sum()
        s *= 1 - dd / n
        assert row.n_risk == n and row.n_event == dd
        assert close(row.survival, s)
        if s > 0:
            assert np.isfinite(row.std_err)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@SETTINGS
@given(cohorts(2))
def test_logrank_observed_and_expected_by_hand(d):
    assume(d.group.nunique() == 2)
    lr = expect_named_error(lambda: hs.logrank_test(d.time, d.event, d.group))
    if lr is None:
        return
    tab = lr.table()
    times = np.unique(d.time[d.event == 1])
    for g in (0, 1):
        o = d.event[d.group == g].sum()
        e = sum(d.event[d.time == u].sum() * ((d.time >= u) & (d.group == g)).sum() / (d.time >= u).sum()
                for u in times)
        row = tab[tab.group == g].iloc[0]
        assert close(row.observed, o) and close(row.expected, e)
    if lr.df > 0:
        assert np.isfinite(lr.statistic) and 0 <= lr.p_value <= 1
    else:
        assert math.isnan(lr.p_value)


@SETTINGS
@given(cohorts(2))
def test_cumulative_incidence_by_hand(d):
    ci = hs.cumulative_incidence(d.time, d.cause)
    for _, row in ci.table().iterrows():
        s, f = 1.0, 0.0
        for u in np.unique(d.time[d.time <= row.time]):
            n = (d.time >= u).sum()
            f += s * ((d.time == u) & (d.cause == int(row.cause))).sum() / n
            s *= 1 - ((d.time == u) & (d.cause != 0)).sum() / n
        assert close(row.estimate, f), (row, f)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@SETTINGS
@given(cohorts(3, 20))
def test_cox_log_partial_likelihood_by_hand(d):
    d = d.assign(time=d.time + np.arange(len(d)) / 100)  # distinct times
    assume(d.event.sum() > 0)
    fit = expect_named_error(lambda: hs.cox_ph(d.time, d.event, d[["x"]]))
    if fit is None:
        return

    def pl(b):
        return sum(b * d.x[i] - math.log(np.exp(b * d.x[d.time >= d.time[i]]).sum())
                   for i in d.index[d.event == 1])

    assert close(fit.loglik[0], pl(0.0))
    b = float(np.asarray(fit.coef)[0])
    if np.isfinite(b):
        assert close(fit.loglik[1], pl(b), 1e-8)


@SETTINGS
@given(cohorts(3))
def test_gaussian_glm_is_least_squares(d):
    assume(d.x.var() > 1e-6)
    fit = hs.glm_fit(d.time, d[["x"]])
    X = np.column_stack([np.ones(len(d)), d.x])
    want = np.linalg.lstsq(X, d.time.to_numpy(), rcond=None)[0]
    assert np.allclose(np.asarray(fit.coef), want, rtol=1e-8, atol=1e-8)


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 60), st.floats(0.1, 1e4)), min_size=1, max_size=10),
       st.sampled_from([1.0, 1000.0, 1e5]))
def test_rate_is_events_over_person_time(rows, per):
    e = np.array([r[0] for r in rows], dtype=float)
    pt = np.array([r[1] for r in rows])
    t = hs.rate(e, pt, per=per)
    assert np.allclose(t.rate, e / pt * per, rtol=1e-12)
    assert np.isfinite(t.lower).all() and np.isfinite(t.upper).all()
    assert (t.lower <= t.rate * (1 + 1e-12)).all() and (t.rate <= t.upper * (1 + 1e-12)).all()


# ---- invalid inputs: an error naming the argument ---------------------------------------

BAD = st.sampled_from([np.nan, np.inf, -np.inf, -1.5, 1e308])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@SETTINGS
@given(cohorts(3, 12), BAD, st.integers(0, 100), st.sampled_from(["time", "event", "group", "x"]),
       st.sampled_from(["kaplan_meier", "logrank_test", "cox_ph", "cumulative_incidence"]))
def test_bad_values_in_survival_functions_name_the_argument(d, bad, row, column, method):
    d = d.astype({column: float})
    d.loc[row % len(d), column] = bad
    calls = {
        "kaplan_meier": lambda: hs.kaplan_meier(d.time, d.event),
        "logrank_test": lambda: hs.logrank_test(d.time, d.event, d.group),
        "cox_ph": lambda: hs.cox_ph(d.time, d.event, d[["x"]]),
        "cumulative_incidence": lambda: hs.cumulative_incidence(d.time, d.event, group=d.group),
    }
    out = expect_named_error(calls[method])
    used = {"kaplan_meier": ("time", "event"), "logrank_test": ("time", "event", "group"),
            "cox_ph": ("time", "event", "x"), "cumulative_incidence": ("time", "event", "group")}
    # NaN in a column the method reads, or a negative time, is always an error.
    if column in used[method] and (np.isnan(bad) or (column == "time" and bad < 0)):
        assert out is None, f"{method} accepted {column} = {bad}"


@SETTINGS
@given(cohorts(3, 12), st.sampled_from(["kaplan_meier", "logrank_test", "cox_ph", "rate"]))
def test_length_mismatch_names_an_argument(d, method):
    short = d.event.to_numpy()[:-1]
    calls = {
        "kaplan_meier": lambda: hs.kaplan_meier(d.time, short),
        "logrank_test": lambda: hs.logrank_test(d.time, d.event, d.group.to_numpy()[:-1]),
        "cox_ph": lambda: hs.cox_ph(d.time, short, d[["x"]]),
        "rate": lambda: hs.rate(d.event, d.time.to_numpy()[:-1]),
    }
    with pytest.raises((ValueError, TypeError)) as e:
        calls[method]()
    assert names_an_argument(e.value), str(e.value)


@SETTINGS
@given(st.sampled_from(["conf_type", "variance"]), st.text(min_size=1, max_size=8))
def test_unknown_options_name_the_option(option, value):
    assume(value not in ("log", "plain", "log-log", "logit", "arcsin", "none", "greenwood", "robust",
                         "auto", "tsiatis", "aalen", "loglog", "log_log", "logistic"))
    with pytest.raises(ValueError, match=f"`{option}`"):
        hs.kaplan_meier([1.0, 2, 3], [1, 0, 1], **{option: value})


# ---- every method of the core's entry point ---------------------------------------------

def _valid(method, d):
    n = len(d)
    age = 40.0 + np.arange(n) % 40
    year = 1985.5 + np.arange(n) % 10
    rt = {"name": "survexp.us"}
    x = {"x": d.x.to_numpy()}
    g = (d.group.to_numpy().astype(float), ["a", "b"])
    a = {
        "kaplan_meier": {"time": d.time, "status": d.event},
        "logrank_test": {"time": d.time, "status": d.event, "group": g},
        "cox_ph": {"time": d.time, "status": d.event, "covariates": x},
        "cumulative_incidence": {"time": d.time, "cause": d.cause, "group": g},
        "cause_specific_events": {"cause": d.cause},
        "parametric_survival": {"time": d.time, "status": d.event, "covariates": x},
        "flexible_parametric": {"time": d.time, "status": d.event, "covariates": x, "df": 2.0},
        "lexis_segments": {"time_scales": {"age": age, "per": year}, "exit": age + d.time,
                           "status": d.event},
        "fine_gray": {"time": d.time, "cause": d.cause, "covariates": x},
        "lexis_split": {"time_scales": {"age": age}, "exit": age + d.time, "status": d.event,
                        "breaks": {"age": np.array([40.0, 50, 60, 70, 80])}},
        "person_time_table": {"time_scales": {"age": age}, "exit": age + d.time, "status": d.event,
                              "breaks": {"age": np.array([40.0, 50, 60, 70, 80])}},
        "lexis_cut": {"time_scales": {"age": age}, "exit": age + d.time, "status": d.event,
                      "cut": age + d.time / 2, "new_state": 2.0},
        "rate": {"events": d.event, "person_time": d.time},
        "rate_ratio": {"events1": d.event, "person_time1": d.time, "events2": d.cause + 1,
                       "person_time2": age},
        "rate_difference": {"events1": d.event, "person_time1": d.time, "events2": d.cause + 1,
                            "person_time2": age},
        "compare_rates": {"events1": d.event, "person_time1": d.time, "events2": d.cause + 1,
                          "person_time2": age},
        "pooled_rates": {"events": d.event, "person_time": d.time, "by": {"g": g}},
        "direct_standardize": {"events": d.event, "person_time": d.time, "standard_weights": year - 1984},
        "sir": {"observed": d.event, "person_time": d.time, "reference_rate": 0.1 + d.x.abs()},
        "glm_fit": {"y": d.time, "covariates": x},
        "poisson_glm": {"y": d.time % 4, "covariates": x},
        "negbin_glm": {"y": d.time % 4, "covariates": x},
        "logistic_glm": {"y": d.event, "covariates": x},
        "design_matrix": {"covariates": {"x": d.x.to_numpy(), "g": g}},
        "glm_part_pass": {"family": "poisson", "y": d.time % 4, "covariates": x, "beta": np.array([0.1, 0.2])},
        "glm_partitioned": {"family": "poisson", "start": np.array([0.0, 0.1])},
        "cox_part_pass": {"time": d.time, "status": d.event, "strata": g, "covariates": x},
        "cox_partitioned": {"covariate_names": ["x"]},
        "logrank_part_pass": {"time": d.time, "status": d.event, "group": g},
        "logrank_partitioned": {"rho": 0.5},
        "design_size": {"n": float(len(d.x)), "p": 3.0},
        "icss_group": {"age": age},
        "life_table": {"deaths": d.time, "population": age * 100, "age": 5.0 * np.arange(n)},
        "funnel": {"observed": d.event, "denominator": d.time},
        "years_of_life_lost": {"deaths": d.time, "age": age, "standard_age": np.array([0.0, 50, 110]),
                               "standard_ex": np.array([80.0, 32, 1])},
        "apc_fit": {"events": d.time, "person_time": age * 10, "age": age, "period": year, "npar": 3.0},
        "joinpoint": {"x": 2000.0 + np.arange(n), "y": (d.time + 0.5).to_numpy(), "max_joinpoints": 2.0},
        "days_since_1960": {"year": year},
        "pool": {"estimates": {"x": d.x.to_numpy(), "t": d.time.to_numpy()},
                 "variances": {"x": age, "t": year}},
        "conditional_logistic": {"case": d.event, "covariates": x, "strata": g},
        "gee": {"y": d.time % 4, "covariates": x, "cluster": g, "family": "poisson", "corstr": "exchangeable",
                "waves": age},
        "nested_case_control": {"exit": d.time, "status": d.event, "match": g, "controls": 2.0,
                                "seed": 1.0},
        "case_cohort": {"time": d.time, "event": d.event, "covariates": x, "cohort_size": 10.0 * n,
                        "subcohort": np.where(d.event.to_numpy() == 0, 1.0, np.arange(n) % 2)},
        "drug_exposure": {"id": g, "date": np.floor(d.time * 30), "amount": d.time + 1, "grace": 10.0},
        "adherence": {"id": g, "date": np.floor(d.time * 30), "amount": d.time + 1, "window": 90.0},
        "comorbidity": {"id": g, "code": [["I21", "C50.9", "e11.2", "Z00", "I10", "K70.3"][i % 6] for i in range(n)],
                        "date": d.time, "index_date": d.time * 0 + 5.0, "lookback": 3.0},
        "capture_recapture": {"sources": {
            "A": np.asarray(d.event, dtype=float), "B": np.asarray(d.group, dtype=float),
            "C": np.where(np.asarray(d.event, dtype=float) + np.asarray(d.group, dtype=float) == 0, 1.0,
                          np.floor(np.asarray(d.time, dtype=float)) % 2)},
            "counts": np.floor(np.abs(np.asarray(d.time, dtype=float))) + 1},
        "protect_table": {"count": d.time, "dims": {"i": (np.arange(n, dtype=float), [str(i) for i in range(n)])}},
        "expected_hazard": {"ratetable": rt, "age": age, "year": year, "sex": d.group * 1.0, "time": d.time * 100},
        "expected_survival": {"ratetable": rt, "age": age, "year": year, "sex": d.group * 1.0,
                              "times": np.array([0.0, 100, 365])},
    }
    rel = {"ratetable": rt, "time": d.time * 100, "status": d.event, "age": age, "year": year,
           "sex": d.group * 1.0}
    a["net_survival"] = rel
    a["crude_probabilities"] = rel
    a["net_survival_test"] = {**rel, "group": g}
    a["interval_net_survival"] = {**rel, "breaks": np.array([0.0, 1, 2, 4])}
    a["interval_part_pass"] = {**rel, "breaks": np.array([0.0, 1, 2, 4])}
    a["interval_partitioned"] = {"ratetable": rt, "breaks": np.array([0.0, 1, 2, 4])}
    a["net_survival_part_pass"] = rel
    a["net_survival_partitioned"] = {"ratetable": rt}
    a["excess_hazard_model"] = {**rel, "covariates": x, "breaks": np.array([0.0, 1, 2, 4])}
    a["cross_factors"] = {"factors": {"g": g, "h": g}}
    a = a.get(method)
    if a is None:
        return None
    return {k: (np.asarray(v, dtype=float) if isinstance(v, (pd.Series, np.ndarray)) else v)
            for k, v in a.items()}


CORE_METHODS = sorted(_hrrstats.methods())
DATA_METHODS = [m for m in CORE_METHODS if _valid(m, pd.DataFrame(
    {"time": [1.0], "event": [1.0], "cause": [1.0], "group": [0], "x": [0.0]})) is not None]

# Values a method accepts by design: a NaN cut (never cut), a NaN age (no ICSS group), a
# NaN year (a missing day count), the design matrix's numeric columns (checked by the fit).
ACCEPTS_NAN = {("lexis_cut", "cut"), ("icss_group", "age"), ("days_since_1960", "year"),
               ("glm_part_pass", "beta")}  # NaN: an aliased coefficient, as the driver sends
# cause_specific_events keeps a missing cause for na_action="drop" only when asked
# (allow_missing); by default it is an error, as checked.


def _core_call(method, args):
    try:
        return _hrrstats.call(method, args)
    except (ValueError, TypeError) as e:
        assert names_an_argument(e) and "internal error" not in str(e), f"{method}: {e}"
        return None


def test_every_core_method_has_inputs_here():
    no_data = {"example_cohort", "example_ratetable", "builtin_rate_table", "rate_table",
               "standard_population"}
    assert set(CORE_METHODS) == set(DATA_METHODS) | no_data


@SETTINGS
@given(cohorts(3, 12), st.sampled_from(DATA_METHODS))
def test_core_methods_answer_valid_inputs(d, method):
    _core_call(method, _valid(method, d))


@SETTINGS
@given(cohorts(3, 12), st.sampled_from(DATA_METHODS), st.integers(0, 1000), st.integers(0, 100),
       st.sampled_from([np.nan, np.inf, -np.inf, -1.5]))
def test_core_methods_refuse_bad_values_by_name(d, method, which, row, bad):
    args = _valid(method, d)
    cols = [(k, None) for k, v in args.items() if isinstance(v, np.ndarray) and v.size > 0]
    cols += [(k, k2) for k, v in args.items() if isinstance(v, dict) and k != "ratetable"
             for k2, v2 in v.items() if isinstance(v2, np.ndarray) and v2.size > 0]
    assume(cols)
    key, sub = cols[which % len(cols)]
    col = (args[key] if sub is None else args[key][sub]).copy()
    col[row % len(col)] = bad
    if sub is None:
        args[key] = col
    else:
        args[key] = {**args[key], sub: col}
    out = _core_call(method, args)
    if np.isnan(bad) and method != "design_matrix" and (method, sub or key) not in ACCEPTS_NAN:
        assert out is None, f"{method} accepted NaN in {key}/{sub}"


@SETTINGS
@given(cohorts(3, 12), st.sampled_from(DATA_METHODS), st.sampled_from([1e300, 1e-300, 1e15]))
def test_core_methods_survive_extreme_magnitudes(d, method, scale):
    args = _valid(method, d)
    args = {k: (v * scale if isinstance(v, np.ndarray) and k not in ("times", "breaks") else v)
            for k, v in args.items()}
    _core_call(method, args)


@SETTINGS
@given(cohorts(3, 6), st.sampled_from(DATA_METHODS))
def test_core_methods_refuse_empty_columns_by_name(d, method):
    args = _valid(method, d)
    args = {k: (v[:0] if isinstance(v, np.ndarray) else v) for k, v in args.items()}
    _core_call(method, args)


@SETTINGS
@given(cohorts(8, 25), st.booleans())
def test_apc_parametrisations_give_the_same_rates(d, factor):
    # ACP and APC split the same fitted rates differently: age x period x cohort agree
    n = len(d)
    age = 40.0 + (np.arange(n) * 7) % 40
    year = 1985.5 + (np.arange(n) * 3) % 10
    kw = dict(df=3, model="factor" if factor else "ns")
    try:
        fits = [hs.apc_fit(d.time.to_numpy() + 1, age * 10, age, year, parm=p, **kw) for p in ("ACP", "APC")]
    except ValueError as e:
        assert names_an_argument(e)
        return

    def rate(f, i):
        at = lambda t, x: t["estimate"].to_numpy()[np.flatnonzero(t["value"].to_numpy() == x)[0]]
        return at(f.age, age[i]) * at(f.period, year[i]) * at(f.cohort, year[i] - age[i])

    for i in range(n):
        assert rate(fits[0], i) == pytest.approx(rate(fits[1], i), rel=1e-6, abs=1e-12)
    assert fits[0].drift["estimate"][0] == pytest.approx(fits[1].drift["estimate"][0], rel=1e-9)
