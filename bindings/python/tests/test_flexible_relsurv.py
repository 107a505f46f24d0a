"""Relative-survival outputs of flexible parametric fits with ``bhazard``: model-based
crude probabilities of death and the loss in life expectancy against the same integrals
in plain R (fixtures from tests/reference/generate_flexible_relsurv.R on relsurv's rdata
with slopop), at 1e-6."""
import warnings

import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from conftest import assert_close, fixture

TOL = 1e-6
TIMES = [365.241, 1826.205, 3652.41]


@pytest.fixture(scope="module")
def slopop():
    t = fixture("data_rs_slopop.csv")
    return hs.RateTable.from_frame(t, age="age", year="year", sex="sex", rate="rate", time_unit="days")


def _fit(case):
    cs = fixture("flexrs_cases.csv").set_index("case").loc[case]
    d = fixture("flexrs_data.csv")
    fp = hs.flexible_parametric("time", "status", ["age", "female"], df=int(cs["df"]), bhazard="bh", data=d)
    assert_close(f"{case} loglik", [fp.loglik], [cs["loglik"]], TOL)
    assert fp.relative
    return fp, d.iloc[: int(cs["persons"])].reset_index(drop=True), int(cs["persons"])


@pytest.mark.parametrize("case", ["rd_h3", "rd_h1"])
@pytest.mark.parametrize("individual", [False, True])
def test_crude_probabilities_match_integrate(case, individual, slopop):
    fp, persons, np_ = _fit(case)
    ref = fixture(f"flexrs_{case}_crude.csv")
    cp = fp.crude_probabilities(TIMES, data=persons, ratetable=slopop, age="age", year="year_decimal",
                                sex="sex", individual=individual)
    assert len(cp) == (np_ if individual else 1) * 6
    row = cp["row"].to_numpy() if individual else np.zeros(len(cp))
    m = [int(np.flatnonzero((ref["row"] == r) & (ref["time"] == t) & (ref["cause"] == c))[0])
         for r, t, c in zip(row, cp["time"], cp["cause"])]
    assert_close(f"{case} estimate", cp["estimate"], ref["estimate"].to_numpy()[m], TOL)
    assert_close(f"{case} std_err", cp["std_err"], ref["se"].to_numpy()[m], TOL)


@pytest.mark.parametrize("case", ["rd_h3", "rd_h1"])
def test_loss_in_life_expectancy_matches_integrate(case, slopop):
    fp, persons, np_ = _fit(case)
    ref = fixture(f"flexrs_{case}_lel.csv")
    kw = dict(data=persons, ratetable=slopop, age="age", year="year_decimal", sex="sex")
    li = fp.loss_in_life_expectancy(individual=True, **kw)
    ri = ref[ref["row"] > 0]
    for ours, theirs in (("horizon", "horizon"), ("expected", "expected"), ("observed", "observed"),
                         ("observed_std_err", "se_observed"), ("loss", "loss"), ("loss_std_err", "se_observed")):
        assert_close(f"{case} {ours}", li[ours], ri[theirs], TOL)
    s = fp.loss_in_life_expectancy(**kw)
    r0 = ref[ref["row"] == 0]
    for ours, theirs in (("expected", "expected"), ("observed", "observed"), ("loss", "loss"),
                         ("loss_std_err", "se_observed")):
        assert_close(f"{case} standardised {ours}", s[ours], r0[theirs], TOL)


def test_relative_outputs_name_bad_arguments(slopop):
    d = fixture("flexrs_data.csv")
    plain = hs.flexible_parametric("time", "status", ["age"], df=2, data=d)
    with pytest.raises(ValueError, match="bhazard"):
        plain.loss_in_life_expectancy(data=d.iloc[:3], ratetable=slopop, year="year_decimal")
    fp, persons, _ = _fit("rd_h3")
    with pytest.raises(TypeError, match="ratetable"):
        fp.loss_in_life_expectancy(data=persons, ratetable="slopop", year="year_decimal")
    with pytest.raises(ValueError, match="times"):
        fp.crude_probabilities([-1.0], data=persons, ratetable=slopop, year="year_decimal")
    with pytest.raises(ValueError, match="age"):
        fp.loss_in_life_expectancy(data=persons, ratetable=slopop, year="year_decimal", max_age=70)


def test_example_cohort_bhazard_converges_for_df_3_to_5():
    """Issue #14: with bhazard on the example cohort, df >= 3 used to stop with "step
    halving failed": its maximum has a negative excess hazard at late follow-up (the
    simulated excess hazard there is about 1% of the population's), which the fit
    refused. As in stpm2/rstpm2 only the total hazard must be positive; the fits now
    converge, without warnings, and the log-likelihood rises with df."""
    d = hs.example_cohort()
    rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
    d["bh"] = rt.expected_hazard("age", "year", "sex", "time", data=d)
    last = -np.inf
    for df in (2, 3, 4, 5):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            fp = hs.flexible_parametric("time", "status", ["age", "sex"], df=df, bhazard="bh", data=d)
        assert fp.converged and fp.iterations <= 12, (df, fp.iterations)
        assert fp.loglik > last, (df, fp.loglik, last)
        last = fp.loglik
        if df >= 3:
            # the excess hazard at the last event time is negative, with its CI on its own scale
            h = fp.predict(pd.DataFrame({"age": [70.0], "sex": [1.0]}), [8506.0], "hazard")
            assert h["estimate"][0] < 0 < h["std_err"][0]
            assert h["lower"][0] < h["estimate"][0] < h["upper"][0]
