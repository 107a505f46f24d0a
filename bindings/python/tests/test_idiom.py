"""The Python idiom: inputs of every kind, DataFrames, repr, plots."""
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs

LUNG_LIKE = pd.DataFrame({
    "time": [306, 455, 1010, 210, 883, 1022, 310, 361, 218, 166, 170, 654, 728, 71, 567, 144],
    "status": [1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
    "sex": ["m", "m", "m", "f", "m", "m", "f", "f", "m", "m", "m", "f", "f", "m", "m", "m"],
})


def test_inputs_of_every_kind_agree():
    d = LUNG_LIKE
    ref = hs.kaplan_meier(d["time"].to_numpy(), d["status"].to_numpy(), strata=d["sex"].to_numpy())
    by_name = hs.kaplan_meier("time", "status", strata="sex", data=d)
    by_series = hs.kaplan_meier(d["time"], d["status"], strata=d["sex"])
    by_list = hs.kaplan_meier(list(d["time"]), list(d["status"]), strata=list(d["sex"]))
    strided = np.repeat(d["time"].to_numpy(dtype=float), 2)[::2]  # non-contiguous view
    by_strided = hs.kaplan_meier(strided, d["status"].to_numpy(dtype=np.int64), strata=d["sex"])
    for f in (by_name, by_series, by_list, by_strided):
        np.testing.assert_array_equal(f.survival, ref.survival)
        np.testing.assert_array_equal(f.strata, ref.strata)


def test_polars_input():
    pl = pytest.importorskip("polars")
    d = pl.DataFrame({c: LUNG_LIKE[c].tolist() for c in LUNG_LIKE.columns})
    a = hs.kaplan_meier("time", "status", strata="sex", data=d)
    b = hs.kaplan_meier("time", "status", strata="sex", data=LUNG_LIKE)
    np.testing.assert_array_equal(a.survival, b.survival)


def test_nullable_pandas_dtypes():
    d = LUNG_LIKE.astype({"time": "Int64", "status": "boolean"})
    a = hs.kaplan_meier("time", "status", data=d)
    b = hs.kaplan_meier("time", "status", data=LUNG_LIKE)
    np.testing.assert_array_equal(a.survival, b.survival)


def test_categorical_strata_keep_their_order():
    d = LUNG_LIKE.assign(sex=pd.Categorical(LUNG_LIKE["sex"], categories=["m", "f"]))
    fit = hs.kaplan_meier("time", "status", strata="sex", data=d)
    assert fit.strata_levels == ["m", "f"]
    assert list(fit.median()["strata"]) == ["m", "f"]


def test_multiple_strata_columns():
    d = LUNG_LIKE.assign(old=[0, 1] * 8)
    fit = hs.kaplan_meier("time", "status", strata=["sex", "old"], data=d)
    assert fit.strata_levels == ["f, 0", "f, 1", "m, 0", "m, 1"]
    assert fit.n.sum() == len(d)


def test_table_columns_and_median():
    fit = hs.kaplan_meier("time", "status", strata="sex", data=LUNG_LIKE)
    assert list(fit.table().columns)[:9] == ["strata", "time", "n_risk", "n_event", "n_censor",
                                              "survival", "std_err", "lower", "upper"]
    assert list(fit.median().columns) == ["strata", "median", "lower", "upper"]
    assert "sex=f" in repr(fit) and "0.95LCL" in repr(fit)


def test_survival_at_is_a_step_function():
    fit = hs.kaplan_meier([1.0, 2.0, 2.0, 3.0, 4.0], [1, 1, 1, 0, 1])
    np.testing.assert_allclose(fit.survival_at([0.5, 1.0, 1.5, 2.0, 3.9, 4.0, 100.0]),
                               [1.0, 0.8, 0.8, 0.4, 0.4, 0.0, 0.0], rtol=0, atol=1e-15)


def test_logrank_result_and_repr():
    lr = hs.logrank_test("time", "status", "sex", data=LUNG_LIKE)
    assert lr.df == 1 and 0 <= lr.p_value <= 1
    np.testing.assert_allclose(lr.observed.sum(), lr.expected.sum())
    assert lr.variance.shape == (2, 2)
    assert "Chisq" in repr(lr) and list(lr.table()["group"]) == ["f", "m"]


def test_plot_draws_curves_and_bands():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    fit = hs.kaplan_meier("time", "status", strata="sex", data=LUNG_LIKE)
    ax = fit.plot()
    curves = [ln for ln in ax.get_lines() if ln.get_gid() != "censor_marks"]
    assert len(curves) == 2 and len(ax.collections) == 2
    assert len(fit.plot(censor_marks=False).get_lines()) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sex=f", "sex=m"]


def test_example_cohort():
    df = hs.example_cohort()
    assert len(df) == 20000 and set(df["stage"]) == {1, 2, 3, 4}
    fit = hs.kaplan_meier("time", "status", strata="stage", data=df)
    med = fit.median()["median"].to_numpy()
    assert np.all(np.diff(med) < 0)  # later stage, shorter median survival


def test_large_input_releases_no_copies_and_runs():
    rng = np.random.default_rng(1)
    n = 200_000
    t = np.ceil(rng.exponential(1000, n))
    e = (rng.random(n) < 0.7).astype(float)
    g = rng.integers(0, 10, n)
    fit = hs.kaplan_meier(t, e, strata=g)
    assert fit.n.sum() == n
