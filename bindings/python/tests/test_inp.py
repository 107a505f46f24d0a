"""Grouping variables crossed by the core (``cross_factors``): the same codes and labels
as crossing them in pandas (the host's former code), for every kind of column."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
from hrrstats import _hrrstats
from hrrstats._convert import codes


def _pandas_cross(arrays):
    """The former host crossing: distinct rows sorted by value, labels "v, w"."""
    frame = pd.DataFrame({i: a for i, a in enumerate(arrays)})
    keys = frame.drop_duplicates().sort_values(list(frame.columns)).reset_index(drop=True)
    keys["_code"] = np.arange(len(keys), dtype=np.uint32)
    merged = frame.merge(keys, how="left", on=list(frame.columns))
    labels = [", ".join(str(v) for v in row) for row in keys.drop(columns="_code").itertuples(index=False)]
    return merged["_code"].to_numpy(), labels


@pytest.mark.parametrize("seed", range(5))
def test_crossing_matches_the_pandas_crossing(seed):
    rng = np.random.default_rng(seed)
    n = 60
    arrays = [rng.integers(0, 3, n), rng.choice(["b", "a", "c"], n).astype(object),
              pd.Categorical(rng.choice(["lo", "hi"], n), categories=["lo", "hi", "unused"]),
              rng.choice([0.5, 1.5, 10.0], n)]
    got_codes, got_labels = codes(arrays, "strata", n)
    want_codes, want_labels = _pandas_cross(arrays)
    assert got_labels == want_labels
    np.testing.assert_array_equal(got_codes, want_codes)
    assert got_codes.dtype == np.uint32


def test_crossed_strata_label_kaplan_meier_tables():
    d = pd.DataFrame({"time": [5.0, 8, 3, 9, 4, 6, 7, 2], "event": [1, 0, 1, 1, 1, 0, 1, 1],
                      "sex": ["m", "f", "m", "f", "m", "m", "f", "f"],
                      "stage": [2, 1, 1, 2, 2, 1, 1, 2]})
    km = hs.kaplan_meier("time", "event", strata=["sex", "stage"], data=d)
    assert list(km.table()["strata"].unique()) == ["f, 1", "f, 2", "m, 1", "m, 2"]


def test_cross_factors_names_labels_and_checks_its_input():
    a = (np.array([1.0, 0, 1]), ["m", "f"])
    b = (np.array([2.0, 2, 0]), ["x", "y", "z"])
    r, _ = _hrrstats.call("cross_factors", {"factors": {"sex": a, "grp": b}})
    assert list(r["levels"]) == ["sex=m, grp=z", "sex=f, grp=x", "sex=f, grp=z"]
    np.testing.assert_array_equal(r["codes"], [2, 0, 1])
    with pytest.raises(ValueError, match=r"argument `factors`: must be a list of one or more"):
        _hrrstats.call("cross_factors", {"factors": [np.array([1.0])]})
    with pytest.raises(ValueError, match=r"argument `factors`: factor 2 has length 2, the first 3"):
        _hrrstats.call("cross_factors", {"factors": [a, (np.array([0.0, 1]), ["u", "v"])]})


def test_grouping_codes_are_checked_by_the_core():
    # a missing or out-of-range code from the host: one message, rows from 0
    with pytest.raises(ValueError, match=r"argument `f`: missing value at row 1"):
        _hrrstats.call("cross_factors", {"factors": {"f": (np.array([0.0, np.nan]), ["a"])}})
    with pytest.raises(ValueError, match=r"argument `f`: code 2 is not one of 0..1 at row 0"):
        _hrrstats.call("cross_factors", {"factors": {"f": (np.array([2.0]), ["a", "b"])}})
