"""Checks made once, in the core, with the same message as in R (test-hostchk.R): the
Lexis lengths (against `entry`), the by-variables' lengths, the Kaplan-Meier stratum
lookup and `na_action`."""
import numpy as np
import pytest

import hrrstats as hs

ENTRY = np.array([2001, 2005, 2003.5, 2008, 2002, 2010])
EXIT = np.array([2009, 2010, 2006, 2015, 2004, 2012.0])
STATUS = np.array([1, 0, 1, 0, 2, 0.0])
AGE = np.array([35, 40, 50, 72, 61, 58.0])
BREAKS = {"age": [0, 40, 60, 80]}


def raises(msg, f, *a, **k):
    with pytest.raises(ValueError) as e:
        f(*a, **k)
    assert str(e.value) == msg


@pytest.mark.parametrize("fun", [hs.lexis_split, hs.person_time_table])
def test_lexis_lengths_are_checked_against_entry_by_the_core(fun):
    scales = {"per": None, "age": AGE}
    raises("argument `exit` has length 5 but `entry` has length 6", fun, ENTRY, EXIT[1:], STATUS,
           time_scales=scales, breaks=BREAKS)
    raises("argument `status` has length 4 but `entry` has length 6", fun, ENTRY, EXIT, STATUS[:4],
           time_scales=scales, breaks=BREAKS)
    raises("argument `time_scales`: scale `age` has length 3 but `entry` has length 6", fun, ENTRY,
           EXIT, STATUS, time_scales={"per": None, "age": AGE[:3]}, breaks=BREAKS)
    raises("argument `entry_status` has length 2 but `entry` has length 6", fun, ENTRY, EXIT,
           STATUS, time_scales=scales, breaks=BREAKS, entry_status=[0, 0])


def test_lexis_cut_and_by_lengths_name_entry():
    scales = {"per": None, "age": AGE}
    raises("argument `cut` has length 2 but `entry` has length 6", hs.lexis_cut, ENTRY, EXIT,
           STATUS, time_scales=scales, cut=[2003.0, np.nan], new_state=3)
    import pandas as pd
    g = pd.Series(["a", "b", "a"], name="g")
    raises("argument `by`: `g` has length 3 but `entry` has length 6", hs.person_time_table,
           ENTRY, EXIT, STATUS, time_scales=scales, breaks=BREAKS, by=g)


def test_kaplan_meier_stratum_is_looked_up_by_the_core():
    km = hs.kaplan_meier([1, 2, 3, 4, 5, 6.0], [1, 0, 1, 1, 0, 1], strata=["a", "b"] * 3)
    msg = 'argument `stratum`: "zzz" is not a stratum of the fit (strata: a, b)'
    raises(msg, km.survival_at, [1.0], stratum="zzz")
    a, b = km.survival_at([1.0, 5.0], stratum="a"), km.survival_at([1.0, 5.0], stratum="b")
    assert a.shape == (2,) and np.isfinite(a).all() and not np.array_equal(a, b)
    raises('argument `strata`: "zzz" is not a stratum of the fit (strata: a, b)',
           km.rmst_difference, 4.0, strata=["a", "zzz"])
    d = km.rmst_difference(4.0, strata=["b", "a"])
    assert list(d["strata"]) == ["b", "a"]


def test_na_action_unknown_value():
    raises('argument `na_action`: unknown value "omit"; accepted: "fail", "drop"', hs.kaplan_meier,
           [1.0, 2.0], [1, 0], na_action="omit")


def test_scalar_arguments_are_read_by_the_core():
    t, c = [1.0, 2, 3, 4, 5, 6], [1.0, 2, 0, 1, 0, 2]
    raises("argument `censor_code`: must be a finite code", hs.cumulative_incidence, t, c,
           censor_code=float("nan"))
    raises("argument `censor_code`: must be a single number, got a string", hs.cumulative_incidence,
           t, c, censor_code="a")
    raises("argument `rho`: must be a single number, got a string", hs.logrank_test, t,
           [1, 0, 1, 1, 0, 1], ["a", "b"] * 3, rho="a")


def test_numeric_strata_match_by_value():
    km = hs.kaplan_meier([1, 2, 3, 4, 5, 6.0], [1, 0, 1, 1, 0, 1], strata=[1.0, 2.0] * 3)
    np.testing.assert_array_equal(km.survival_at([1.0, 5.0], stratum=1),
                                  km.survival_at([1.0, 5.0], stratum=1.0))
    raises('argument `stratum`: "3" is not a stratum of the fit (strata: 1.0, 2.0)', km.survival_at,
           [1.0], stratum=3)
