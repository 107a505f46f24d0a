"""Bad input: ValueError/TypeError naming the argument (and the row), never a panic."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs

T = [5.0, 8.0, 3.0, 9.0, 4.0, 12.0]
E = [1, 0, 1, 1, 0, 1]


def check(exc, match, fn, *a, **k):
    with pytest.raises(exc, match=match) as info:
        fn(*a, **k)
    assert "panicked" not in str(info.value)
    assert "PanicException" not in type(info.value).__name__


def test_nan_time_names_argument_and_row():
    check(ValueError, r"`time`.*missing value.*row 2", hs.kaplan_meier, [5.0, 8.0, np.nan, 9.0], [1, 0, 1, 1])


def test_negative_time():
    check(ValueError, r"`time`.*negative.*row 1", hs.kaplan_meier, [5.0, -8.0, 3.0], [1, 0, 1])


def test_exit_not_after_entry():
    check(ValueError, r"`entry`.*greater than entry.*row 1", hs.kaplan_meier, [5.0, 8.0, 3.0], [1, 0, 1],
          entry=[1.0, 8.0, 0.0])


def test_status_code_two():
    check(ValueError, r"`event`.*0 \(censored\) or 1 \(event\).*row 1", hs.kaplan_meier, [5, 8, 3], [1, 2, 1])


def test_boolean_status_is_accepted():
    a = hs.kaplan_meier(T, [True, False, True, True, False, True])
    b = hs.kaplan_meier(T, E)
    np.testing.assert_array_equal(a.survival, b.survival)


def test_length_mismatch():
    check(ValueError, r"`event` has length 2 but `time` has length 3", hs.kaplan_meier, [5, 8, 3], [1, 0])
    check(ValueError, r"`weights` has length 2", hs.kaplan_meier, [5, 8, 3], [1, 0, 1], weights=[1, 2])
    check(ValueError, r"`strata` has length 2", hs.kaplan_meier, [5, 8, 3], [1, 0, 1], strata=[1, 2])
    check(ValueError, r"`group` has length 2", hs.logrank_test, [5, 8, 3], [1, 0, 1], [1, 2])


def test_empty_input():
    check(ValueError, r"`time` is empty", hs.kaplan_meier, [], [])


def test_stratum_with_one_row():
    check(ValueError, r"`strata`.*1 row", hs.kaplan_meier, T, E, strata=[1, 1, 1, 2, 2, 3])


def test_missing_strata_label():
    check(ValueError, r"`strata`: missing value at row 1", hs.kaplan_meier, [5, 8, 3], [1, 0, 1],
          strata=["a", None, "a"])


def test_negative_weight():
    check(ValueError, r"`weights`.*negative.*row 0", hs.kaplan_meier, [5, 8, 3], [1, 0, 1], weights=[-1, 1, 1])


def test_bad_options():
    check(ValueError, r"`conf_type`", hs.kaplan_meier, T, E, conf_type="logg")
    check(ValueError, r"`conf_level`", hs.kaplan_meier, T, E, conf_level=95)
    check(ValueError, r"`variance`", hs.kaplan_meier, T, E, variance="jackknife")
    check(ValueError, r"`na_action`", hs.kaplan_meier, T, E, na_action="omit")
    check(ValueError, r"`group`.*only one group", hs.logrank_test, T, E, [1] * 6)
    check(ValueError, r"`rho`", hs.logrank_test, T, E, [1, 1, 1, 2, 2, 2], rho=float("nan"))


def test_column_names_need_data_and_must_exist():
    check(TypeError, r"`time`.*needs data=", hs.kaplan_meier, "time", "status")
    df = pd.DataFrame({"time": T, "status": E})
    check(ValueError, r"`event`: no column 'dead'", hs.kaplan_meier, "time", "dead", data=df)


def test_non_numeric_time():
    check(TypeError, r"`time` must be numeric", hs.kaplan_meier, ["a", "b"], [1, 0])


def test_na_action_drop_reports_rows_dropped():
    fit = hs.kaplan_meier([5.0, np.nan, 3.0, 9.0], [1, 0, None, 1], na_action="drop")
    assert fit.n_dropped == 2
    assert list(fit.time) == [5.0, 9.0]
    assert "2 rows with missing values dropped" in repr(fit)


def test_unknown_stratum_in_survival_at():
    fit = hs.kaplan_meier(T, E, strata=[1, 1, 1, 2, 2, 2])
    check(ValueError, r"`stratum`", fit.survival_at, [1.0], stratum=7)
    check(ValueError, r"`times`: missing value \(NaN\) at row 0", fit.survival_at, [np.nan], stratum=1)
