"""hrrstats.dask: the concordance and the proportional-hazards test (cox.zph) of a Cox
fit over partitions equal the in-memory fit's (survival::concordance(fit),
survival::cox.zph) for 1, 3 and 8 partitions (and partitions of unequal size, one
empty), with strata, case weights, ties in time and in the linear predictor, delayed
entry and dropped rows; bad input raises the in-memory errors."""
import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
import hrrstats.dask as hd
from test_dask import client, close, cohort, split  # noqa: F401 (the client fixture)


def data():
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)  # ties in time
    df["entry_days"] = np.floor(df["days"] * 0.3)
    df.index = df.index * 3 + 5
    return df


def partitions(df, k):
    if k == "uneven":
        return split(df)
    return dd.from_pandas(df, npartitions=k, sort=False)


KINDS = {
    "efron": dict(covariates=["age", "stage", "sex"]),
    "ties_in_lp": dict(covariates=["stage", "sex"]),  # few distinct linear predictors
    "strata_weights": dict(covariates=["age", "stage"], ties="breslow", strata="sex", weights="w"),
    "entry_offset_drop": dict(covariates=["age", "stage", "sex"], entry="entry_days", offset="log_pt",
                              na_action="drop"),
}


@pytest.mark.parametrize("k", [1, 3, 8, "uneven"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_cox_concordance_equals_in_memory(client, kind, k):
    df = data()
    args = KINDS[kind]
    if kind == "entry_offset_drop":
        df.iloc[[3, 950], df.columns.get_loc("age")] = np.nan
    mem = hs.cox_ph("days", "status", data=df, robust=False, **args)
    par = hd.cox_ph("days", "status", data=partitions(df, k), **args)
    if k != "uneven":
        assert par._data.npartitions == k
    want = mem.concordance(counts=True)
    got = par.concordance(counts=True)
    for key in ("concordance", "std_err", "var", "n"):
        close(got[key], want[key], 1e-10)
    assert set(got["counts"]) == set(want["counts"])
    for key in want["counts"]:
        close(got["counts"][key], want["counts"][key], 1e-10)
    if kind == "ties_in_lp":
        assert want["counts"]["tied_x"] > 0 and want["counts"]["tied_xy"] > 0
    assert want["counts"]["tied_y"] > 0
    close(par.concordance(), mem.concordance(), 1e-10)


def test_cox_concordance_errors(client):
    df = data()
    # no comparable pairs: every event at the last time -- the in-memory message
    bad = df.assign(days=np.where(df["status"] == 1, 500.0, np.minimum(df["days"], 499.0)))
    with pytest.raises(ValueError) as mem_err:
        hs.cox_ph("days", "status", ["age"], data=bad).concordance()
    with pytest.raises(ValueError) as par_err:
        hd.cox_ph("days", "status", ["age"], data=split(bad)).concordance()
    assert "argument `status`: no comparable pairs" in str(mem_err.value)
    assert str(par_err.value) == str(mem_err.value)
    # the driver's sums must be of the events sent
    par = hd.cox_ph("days", "status", ["age"], data=split(df))
    with pytest.raises(ValueError, match=r"argument `parts`"):
        par._fit.call("concordance", {"ev_time": np.array([1.0, 2.0]), "ev_lp": np.array([0.1, 0.2]),
                                     "parts": [{"count": np.zeros(3), "events": np.zeros(3), "sq": np.zeros(3),
                                                "n": 5}]})
    with pytest.raises(ValueError, match=r"argument `events`"):
        par._fit.call("concordance", {"ev_time": np.array([1.0, 2.0]), "ev_lp": np.array([0.1]),
                                     "parts": [{"count": np.zeros(3), "events": np.zeros(6), "sq": np.zeros(3),
                                                "n": 5}]})
    with pytest.raises(TypeError):
        par.concordance(True, 1)


@pytest.mark.parametrize("k", [1, 3, 8, "uneven"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_cox_zph_equals_in_memory(client, kind, k):
    """cox.zph's score test over partitions (one pass) equals the in-memory fit's, for
    every transform and with terms grouping columns."""
    df = data()
    args = KINDS[kind]
    if kind == "entry_offset_drop":
        df.iloc[[3, 950], df.columns.get_loc("age")] = np.nan
    mem = hs.cox_ph("days", "status", data=df, robust=False, **args)
    par = hd.cox_ph("days", "status", data=partitions(df, k), **args)
    for transform in ("km", "rank", "identity", "log"):
        want = mem.zph(transform)
        got = par.zph(transform)
        assert list(got["term"]) == list(want["term"])
        assert list(got["df"]) == list(want["df"])
        close(got[["chisq", "p"]], want[["chisq", "p"]], 1e-10)
    terms = {"stage": ["stageII", "stageIII", "stageIV"]}
    pd.testing.assert_frame_equal(par.zph("km", terms=terms), mem.zph("km", terms=terms), rtol=1e-10)


def test_cox_zph_errors(client):
    par = hd.cox_ph("days", "status", ["age", "stage"], data=split(data()))
    with pytest.raises(ValueError, match=r"argument `transform`: unknown value \"loglog\""):
        par.zph("loglog")
    with pytest.raises(ValueError, match=r"argument `terms`: column \"stageV\" of term `stage` is not in the model"):
        par.zph(terms={"stage": ["stageII", "stageV"]})
    mem = hs.cox_ph("days", "status", ["age", "stage"], data=data())
    for bad in (dict(transform="loglog"), dict(terms={"stage": ["stageII", "stageV"]})):
        with pytest.raises(ValueError) as a:
            mem.zph(**bad)
        with pytest.raises(ValueError) as b:
            par.zph(**bad)
        assert str(a.value) == str(b.value)
