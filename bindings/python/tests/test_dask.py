"""hrrstats.dask on a distributed LocalCluster (2 workers): the same numbers as the
in-memory functions on the same data, split into partitions of unequal size (one of
them empty), and errors that name the partition and the row within it."""
import dask
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest

import hrrstats as hs
import hrrstats.dask as hd


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, memory_limit="2GiB")
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def cohort(n=4000, seed=7):
    rng = np.random.default_rng(seed)
    age = rng.uniform(40, 85, n)
    stage = rng.choice(["I", "II", "III", "IV"], n, p=[0.4, 0.3, 0.2, 0.1])
    sex = pd.Categorical(rng.choice(["F", "M"], n))
    pt = rng.uniform(0.2, 6, n)
    lam = np.exp(-4 + 0.03 * age + 0.3 * (stage == "III") + 0.6 * (stage == "IV")) * pt
    events = rng.poisson(lam).astype(float)
    died = (rng.uniform(size=n) < 1 / (1 + np.exp(3 - 0.05 * age))).astype(float)
    y = 1 + 0.1 * age + rng.normal(size=n)
    w = rng.integers(1, 4, n).astype(float)
    time = np.round(rng.exponential(5, n), 1) + 0.1
    entry_age = age
    return pd.DataFrame(dict(age=age, stage=stage, sex=sex, pt=pt, log_pt=np.log(pt), events=events, died=died, y=y,
                             w=w, time=time, status=died, entry_age=entry_age, exit_age=entry_age + time,
                             entry_year=rng.uniform(1990, 2010, n)))


def split(df, cuts=(0, 1, 900, 900, 2500, None)):
    """A Dask DataFrame with partitions of unequal size, one empty."""
    parts = [df.iloc[a:b] for a, b in zip(cuts[:-1], cuts[1:])]
    return dd.from_delayed([dask.delayed(p) for p in parts], meta=df.iloc[:0])


def close(a, b, rel=1e-10):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=rel, atol=1e-12, equal_nan=True)


GLM_FIELDS = ["coef", "se", "var", "deviance", "null_deviance", "aic", "loglik", "dispersion", "df_residual", "df_null",
              "iterations"]


@pytest.mark.parametrize("kind", ["poisson_offset", "logistic_weights", "gaussian_robust", "probit"])
def test_glm_equals_in_memory(client, kind):
    df = cohort()
    ddf = split(df)
    if kind == "poisson_offset":
        args = dict(y="events", covariates=["age", "stage", "sex"], offset="log_pt")
        mem, par = hs.poisson_glm(data=df, **args), hd.poisson_glm(data=ddf, **args)
    elif kind == "logistic_weights":
        args = dict(y="died", covariates=["age", "stage"], weights="w")
        mem, par = hs.logistic_glm(data=df, **args), hd.logistic_glm(data=ddf, **args)
    elif kind == "gaussian_robust":
        args = dict(y="y", covariates=["age", "sex"], robust="HC0")
        mem, par = hs.glm(data=df, **args), hd.glm(data=ddf, **args)
    else:
        args = dict(y="died", covariates=["age", "stage"], family="binomial", link="probit")
        mem, par = hs.glm(data=df, **args), hd.glm(data=ddf, **args)
    assert par.names == mem.names
    for k in GLM_FIELDS:
        close(getattr(par, k), getattr(mem, k))
    pd.testing.assert_frame_equal(par.summary(), mem.summary(), rtol=1e-9)
    assert par.converged == mem.converged and par.warnings == mem.warnings


def test_glm_levels_absent_from_some_partitions(client):
    df = cohort().sort_values("stage", kind="stable").reset_index(drop=True)  # partitions see few stages
    mem = hs.poisson_glm("events", ["age", "stage"], offset="log_pt", data=df)
    par = hd.poisson_glm("events", ["age", "stage"], offset="log_pt", data=split(df))
    assert par.names == mem.names
    close(par.coef, mem.coef)
    close(par.se, mem.se)


def test_glm_errors_name_partition_and_row(client):
    df = cohort()
    df.loc[905, "events"] = -1.0  # row 5 of partition 3 (rows 900..2499)
    with pytest.raises(ValueError, match=r"partition 3: argument `y`: negative count \(value -1\) at row 5"):
        hd.poisson_glm("events", ["age"], offset="log_pt", data=split(df))
    df = cohort()
    df.loc[2, "age"] = np.nan
    with pytest.raises(ValueError, match=r"partition 1: argument `covariates`, column `age`: missing value \(NaN\) at row 1"):
        hd.poisson_glm("events", ["age"], data=split(df))
    # dropped with na_action="drop", counted, and the fit equals the in-memory one
    mem = hs.poisson_glm("events", ["age"], data=df, na_action="drop")
    par = hd.poisson_glm("events", ["age"], data=split(df), na_action="drop")
    assert par.n_dropped == mem.n_dropped == 1
    close(par.coef, mem.coef)
    with pytest.raises(TypeError, match="argument `data`"):
        hd.poisson_glm("events", ["age"], data=df)
    with pytest.raises(ValueError, match="argument `theta`"):
        hd.glm("events", ["age"], family="negbin", data=split(cohort()))


@pytest.mark.parametrize("kind", ["efron", "breslow_strata_weights", "entry_offset"])
def test_cox_equals_in_memory(client, kind):
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)  # ties
    df["entry_days"] = np.floor(df["days"] * 0.3)
    args = dict(covariates=["age", "stage", "sex"])
    if kind == "breslow_strata_weights":
        args.update(ties="breslow", strata="sex", weights="w", covariates=["age", "stage"])
    elif kind == "entry_offset":
        args.update(entry="entry_days", offset="log_pt")
    mem = hs.cox_ph("days", "status", data=df, robust=False, **args)
    par = hd.cox_ph("days", "status", data=split(df), **args)
    assert par.names == mem.names
    for k in ("coef", "se", "loglik", "iterations", "n", "n_event"):
        close(getattr(par, k), getattr(mem, k))
    for k in ("score_test", "wald_test", "lr_test"):
        close(getattr(par, k)[0], getattr(mem, k)[0])
    pd.testing.assert_frame_equal(par.summary(), mem.summary(), rtol=1e-9)
    df.loc[905, "days"] = np.nan
    with pytest.raises(ValueError, match=r"partition 3: argument `time`: missing value \(NaN\) at row 5"):
        hd.cox_ph("days", "status", ["age"], data=split(df))


@pytest.mark.parametrize("kind", ["plain", "strata_rho", "entry"])
def test_logrank_equals_in_memory(client, kind):
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)
    df["entry_days"] = np.floor(df["days"] * 0.3)
    args = {}
    if kind == "strata_rho":
        args.update(strata="sex", rho=1.0)
    elif kind == "entry":
        args.update(entry="entry_days")
    mem = hs.logrank_test("days", "status", "stage", data=df, **args)
    par = hd.logrank_test("days", "status", "stage", data=split(df), **args)
    close(par.statistic, mem.statistic)
    close(par.variance, mem.variance)
    pd.testing.assert_frame_equal(par.table(), mem.table(), rtol=1e-10)


def test_cumulative_incidence_equals_in_memory(client):
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)
    df["cause"] = df["status"] * (1 + (df["age"] > 65))
    mem = hs.cumulative_incidence("days", "cause", group="stage", data=df)
    par = hd.cumulative_incidence("days", "cause", group="stage", data=split(df))
    a, b = mem.table(), par.table()
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        if pd.api.types.is_numeric_dtype(a[c]):
            close(b[c], a[c], 1e-12)
        else:
            assert list(a[c].astype(str)) == list(b[c].astype(str))
    pd.testing.assert_frame_equal(par.gray_test, mem.gray_test, rtol=1e-10)
    assert (mem.gray_test["statistic"] > 0).all()
    # stratified, rho = 1
    mem = hs.cumulative_incidence("days", "cause", group="stage", strata="sex", rho=1.0, data=df)
    par = hd.cumulative_incidence("days", "cause", group="stage", strata="sex", rho=1.0, data=split(df))
    pd.testing.assert_frame_equal(par.gray_test, mem.gray_test, rtol=1e-10)


def test_person_time_table_equals_in_memory(client):
    df = cohort()
    args = dict(time_scales={"age": "entry_age", "period": "entry_year"},
                breaks={"age": [40, 50, 60, 70, 80, 90, 100], "period": [1990, 2000, 2010, 2020]}, by="sex")
    mem = hs.person_time_table("entry_age", "exit_age", "status", data=df, **args)
    par = hd.person_time_table("entry_age", "exit_age", "status", data=split(df), **args)
    key = [c for c in mem.columns if c not in ("person_time", "events")]
    mem = mem.sort_values(key).reset_index(drop=True)
    par = par.sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(par[key], mem[key], check_dtype=False, check_categorical=False)
    close(par["person_time"], mem["person_time"], 1e-12)
    np.testing.assert_array_equal(par["events"], mem["events"])
    # and the rates of the merged table are the in-memory ones
    close(hs.rate("events", "person_time", data=par)["rate"], hs.rate("events", "person_time", data=mem)["rate"], 1e-12)


def test_lexis_split_rows_equal_in_memory(client):
    df = cohort()
    args = dict(time_scales={"age": "entry_age", "period": "entry_year"},
                breaks={"age": [40, 50, 60, 70, 80, 90, 100], "period": [1990, 2000, 2010, 2020]})
    mem = hs.lexis_split("entry_age", "exit_age", "status", data=df, **args)
    par = hd.lexis_split("entry_age", "exit_age", "status", data=split(df), **args).compute()
    par = par.reset_index(drop=True)
    assert list(par.columns) == list(mem.columns)
    pd.testing.assert_frame_equal(par, mem, check_dtype=False, rtol=1e-12)


def test_kaplan_meier_equals_in_memory(client):
    df = cohort()
    mem = hs.kaplan_meier("time", "status", strata="stage", data=df).table()
    par = hd.kaplan_meier("time", "status", strata="stage", data=split(df)).table()
    assert list(par.columns) == list(mem.columns)
    for c in mem.columns:
        if pd.api.types.is_numeric_dtype(mem[c]):
            close(par[c], mem[c], 1e-12)
        else:
            assert list(par[c].astype(str)) == list(mem[c].astype(str))
    df.loc[1000, "stage"] = None
    with pytest.raises(ValueError, match=r"partition 3: argument `strata`: missing value at row 100"):
        hd.kaplan_meier("time", "status", strata="stage", data=split(df))
    df.loc[1000, "time"] = -2.0
    with pytest.raises(ValueError, match=r"partition 3: argument `time`.*row 100"):
        hd.kaplan_meier("time", "status", data=split(df))


def test_from_parquet_files(client, tmp_path):
    """The registry route: partitioned Parquet files read by dd.read_parquet."""
    import pyarrow  # noqa: F401  (dask's Parquet engine)
    df = cohort(3000, seed=11)
    for k, (a, b) in enumerate([(0, 700), (700, 2600), (2600, 3000)]):
        df.iloc[a:b].to_parquet(tmp_path / f"part{k}.parquet")
    ddf = dd.read_parquet(str(tmp_path / "part*.parquet"))
    mem = hs.poisson_glm("events", ["age", "stage"], offset="log_pt", data=df)
    par = hd.poisson_glm("events", ["age", "stage"], offset="log_pt", data=ddf)
    assert par.names == mem.names
    close(par.coef, mem.coef)
    close(par.se, mem.se)
    km_mem = hs.kaplan_meier("time", "status", data=df).table()
    km_par = hd.kaplan_meier("time", "status", data=ddf).table()
    close(km_par["survival"], km_mem["survival"], 1e-12)


def test_glm_cluster_robust_variance_equals_in_memory(client):
    df = cohort()
    df["person"] = np.arange(len(df)) // 5  # clusters of 5 rows
    args = dict(y="events", covariates=["age", "stage"], offset="log_pt", cluster="person")
    mem = hs.poisson_glm(data=df, **args)
    par = hd.poisson_glm(data=split(df, (0, 5, 900, 900, 2500, None)), **args)
    for k in ("coef", "se", "var", "naive_se"):
        close(getattr(par, k), getattr(mem, k))
    assert par.robust == mem.robust and par.n_cluster == mem.n_cluster == 800
    pd.testing.assert_frame_equal(par.summary(), mem.summary(), rtol=1e-9)
    # after a shuffle by cluster
    shuffled = dd.from_pandas(df, npartitions=4).shuffle(on="person")
    close(hd.poisson_glm(data=shuffled, **args).se, mem.se)
    # with missing values dropped
    df.loc[[3, 17], "age"] = np.nan
    mem = hs.poisson_glm(data=df, na_action="drop", **args)
    par = hd.poisson_glm(data=split(df, (0, 5, 900, 900, 2500, None)), na_action="drop", **args)
    close(par.se, mem.se)
    assert par.n_dropped == mem.n_dropped == 2


def test_glm_cluster_split_over_partitions_is_an_error(client):
    df = cohort()
    df["person"] = np.arange(len(df)) // 5
    with pytest.raises(ValueError, match=r"argument `cluster`: the data have 800 clusters but the partitions 801: "
                                         r"some clusters have rows in more than one partition; shuffle the data by "
                                         r"cluster first"):
        hd.poisson_glm("events", ["age"], cluster="person", data=split(df))
    df["person"] = df["person"].astype(float)
    df.loc[7, "person"] = np.nan
    with pytest.raises(ValueError, match=r"argument `cluster`: missing value at row 2"):
        hd.poisson_glm("events", ["age"], cluster="person", data=split(df, (0, 5, 900, 900, 2500, None)))


@pytest.mark.parametrize("kind", ["robust", "cluster_strata_entry", "fractional_weights"])
def test_cox_robust_variance_equals_in_memory(client, kind):
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)
    df["entry_days"] = np.floor(df["days"] * 0.3)
    df["person"] = np.arange(len(df)) // 4
    args = dict(covariates=["age", "stage", "sex"])
    if kind == "robust":
        args.update(robust=True)
    elif kind == "cluster_strata_entry":
        args.update(cluster="person", strata="sex", entry="entry_days", covariates=["age", "stage"])
    else:
        df["fw"] = df["w"] * 0.7  # coxph's rule: robust by default
        args.update(weights="fw", ties="breslow")
    mem = hs.cox_ph("days", "status", data=df, **args)
    par = hd.cox_ph("days", "status", data=split(df, (0, 4, 900, 900, 2500, None)), **args)
    assert mem.robust and par.robust
    for k in ("coef", "se", "var", "naive_se", "loglik"):
        close(getattr(par, k), getattr(mem, k))
    for k in ("wald_test", "robust_score_test"):
        close(getattr(par, k)[0], getattr(mem, k)[0], rel=1e-9)
    assert par.n_cluster == mem.n_cluster
    pd.testing.assert_frame_equal(par.summary(), mem.summary(), rtol=1e-9)


def test_cox_cluster_split_over_partitions_is_an_error(client):
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)
    df["person"] = np.arange(len(df)) // 4
    with pytest.raises(ValueError, match=r"argument `cluster`: the data have 1000 clusters but the partitions 1001"):
        hd.cox_ph("days", "status", ["age"], cluster="person", data=split(df))
    # after a shuffle by cluster: the in-memory numbers
    mem = hs.cox_ph("days", "status", ["age"], cluster="person", data=df)
    par = hd.cox_ph("days", "status", ["age"], cluster="person",
                    data=dd.from_pandas(df, npartitions=3).shuffle(on="person"))
    close(par.se, mem.se)


@pytest.mark.parametrize("kind", ["pp_agegr_icss", "e2_popepi"])
def test_interval_net_survival_equals_in_memory(client, kind):
    from conftest import fixture
    popmort = hs.RateTable.from_frame(fixture("data_rs_popmort.csv"), age="agegroup", year="year", sex="sex",
                                      rate="haz", time_unit="years")
    d = fixture("data_rs_sire.csv")
    d["fut"] = d["ex_cal"] - d["dg_cal"]
    d["dead"] = (d["status"] > 0).astype(float)
    d["agegr"] = pd.cut(d["dg_age"], [0, 45, 55, 65, 75, np.inf], right=False, labels=[0, 45, 55, 65, 75])
    args = dict(breaks=np.arange(61) / 12)
    if kind == "pp_agegr_icss":
        args.update(group="agegr")
    else:
        args.update(method="ederer2", pp_weight="popepi")
    mem = hs.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, data=d, **args)
    n = len(d)
    par = hd.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort,
                                   data=split(d, (0, 1, n // 3, n // 3, 2 * n // 3, None)), **args)
    a, b = mem.table(), par.table()
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 10
    for c in a.columns:
        if pd.api.types.is_numeric_dtype(a[c]):
            close(b[c], a[c], 1e-12)
        else:
            assert list(a[c].astype(str)) == list(b[c].astype(str))
    if kind == "pp_agegr_icss":
        close(par.age_standardized("icss1")["survival"], mem.age_standardized("icss1")["survival"], 1e-12)
    close(par.at([1, 2.5, 4])["survival"], mem.at([1, 2.5, 4])["survival"], 1e-12)
    bad = d.copy()
    bad.loc[n // 3 + 2, "fut"] = -1.0
    with pytest.raises(ValueError, match=r"partition 3: argument `time`.*row 2"):
        hd.interval_net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort,
                                 data=split(bad, (0, 1, n // 3, n // 3, 2 * n // 3, None)), **args)


@pytest.mark.parametrize("kind", ["plain", "entry_weights"])
def test_cumulative_incidence_ij_variance_equals_in_memory(client, kind):
    """survfit's infinitesimal-jackknife variance over partitions (issue #18): merged
    rows carry their Σ w² (frequency weights: their count), so the variance is exact."""
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)
    df["entry_days"] = np.floor(df["days"] * 0.3)
    df["cause"] = df["status"] * (1 + (df["age"] > 65))
    df["fw"] = df["w"] * 0.7
    args = dict(group="stage", variance="survfit")
    if kind == "entry_weights":
        args.update(entry="entry_days", weights="fw")
    mem = hs.cumulative_incidence("days", "cause", data=df, **args)
    par = hd.cumulative_incidence("days", "cause", data=split(df), **args)
    a, b = mem.table(), par.table()
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 100
    for c in a.columns:
        if pd.api.types.is_numeric_dtype(a[c]):
            close(b[c], a[c], 1e-10)
        else:
            assert list(a[c].astype(str)) == list(b[c].astype(str))
    assert (a["variance"] > 0).any()
    close(par.at([30, 90, 180])["variance"], mem.at([30, 90, 180])["variance"], 1e-10)
    np.testing.assert_array_equal(par.n, mem.n)
    if kind == "plain":
        pd.testing.assert_frame_equal(par.gray_test, mem.gray_test, rtol=1e-10)
        # the jackknife differs from cmprsk's delta method (so the test is not vacuous)
        cm = hd.cumulative_incidence("days", "cause", group="stage", data=split(df)).table()
        assert not np.allclose(cm["variance"], b["variance"], rtol=1e-6)
    else:
        assert par.gray_test is None and mem.gray_test is None


@pytest.mark.parametrize("kind", ["pp_strata", "e2_loglog"])
def test_net_survival_equals_in_memory(client, kind):
    """Continuous Pohar-Perme (and Ederer II) net survival over partitions (issue #18):
    the same curves and standard errors as in memory."""
    from conftest import fixture
    popmort = hs.RateTable.from_frame(fixture("data_rs_popmort.csv"), age="agegroup", year="year", sex="sex",
                                      rate="haz", time_unit="years")
    d = fixture("data_rs_sire.csv")
    d["fut"] = d["ex_cal"] - d["dg_cal"]
    d["dead"] = (d["status"] > 0).astype(float)
    d["agegr"] = pd.cut(d["dg_age"], [0, 55, 75, np.inf], right=False, labels=["0-54", "55-74", "75+"])
    d = d[d["fut"] > 0].reset_index(drop=True)
    args = dict(strata="agegr") if kind == "pp_strata" else dict(method="ederer2", conf_type="log-log")
    mem = hs.net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, data=d, **args)
    n = len(d)
    cuts = (0, 1, n // 3, n // 3, 2 * n // 3, None)
    par = hd.net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, data=split(d, cuts), **args)
    a, b = mem.table(), par.table()
    assert list(a.columns) == list(b.columns) and len(a) == len(b) > 100
    for c in a.columns:
        if pd.api.types.is_numeric_dtype(a[c]):
            close(b[c], a[c], 1e-10)
        else:
            assert list(a[c].astype(str)) == list(b[c].astype(str))
    np.testing.assert_array_equal(par.n, mem.n)
    close(par.at([1, 2.5, 4])["survival"], mem.at([1, 2.5, 4])["survival"], 1e-10)
    close(par.at([1, 2.5, 4])["std_err"], mem.at([1, 2.5, 4])["std_err"], 1e-10)
    bad = d.copy()
    bad.loc[n // 3 + 2, "fut"] = -1.0
    with pytest.raises(ValueError, match=r"partition 3: argument `time`.*row 2"):
        hd.net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, data=split(bad, cuts), **args)
    with pytest.raises(ValueError, match=r"argument `method`: over partitions"):
        hd.net_survival("fut", "dead", "dg_age", "dg_cal", "sex", popmort, method="ederer1", data=split(d, cuts))


@pytest.mark.parametrize("kind", ["efron", "breslow_strata_weights", "entry_offset_drop"])
def test_cox_residuals_and_predictions_equal_in_memory(client, kind):
    """Residuals and predictions of a Cox fit over partitions (issue #18): lazy Dask
    objects aligned with the data's partitions, equal to the in-memory fit's."""
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)
    df["entry_days"] = np.floor(df["days"] * 0.3)
    df.index = df.index * 3 + 5  # an index that is not the row number
    args = dict(covariates=["age", "stage", "sex"])
    if kind == "breslow_strata_weights":
        args.update(ties="breslow", strata="sex", weights="w", covariates=["age", "stage"])
    elif kind == "entry_offset_drop":
        args.update(entry="entry_days", offset="log_pt", na_action="drop")
        df.iloc[[3, 950], df.columns.get_loc("age")] = np.nan
    mem = hs.cox_ph("days", "status", data=df, robust=False, **args)
    ddf = split(df)
    par = hd.cox_ph("days", "status", data=ddf, **args)
    kept = df.index[df["age"].notna()] if kind == "entry_offset_drop" else df.index
    close(par.means, mem.means, 1e-12)
    for t in ("martingale", "deviance", "score", "dfbeta", "dfbetas"):
        r = par.residuals(t)
        assert r.npartitions == ddf.npartitions
        got = r.compute()
        want = mem.residuals(t)
        assert list(got.index) == list(kept)
        close(np.asarray(got), np.asarray(want), 1e-10)
        if t == "score":
            assert list(got.columns) == list(want.columns)
    for t in ("schoenfeld", "scaledsch"):
        got = par.residuals(t).compute()
        want = mem.residuals(t)
        got["pos"] = kept.get_indexer(got["row"])
        got = got.sort_values(["time", "pos"], kind="stable")
        if kind == "breslow_strata_weights":  # in memory: by stratum, then time
            got["s"] = df.loc[got["row"], "sex"].cat.codes.to_numpy()
            got = got.sort_values(["s", "time", "pos"], kind="stable")
        np.testing.assert_array_equal(got["pos"], want["row"])
        close(got[par.names], want[mem.names], 1e-10)
    close(par.predict(type="lp").compute(), mem.predict(type="lp"), 1e-10)
    close(par.predict(type="risk").compute(), mem.predict(type="risk"), 1e-10)
    close(par.predict(type="expected").compute(), mem.predict(type="expected"), 1e-10)
    close(par.predict(type="survival", times=[30, 60, 120]).compute(), mem.predict(type="survival", times=[30, 60, 120]),
          1e-10)
    new = df.loc[kept].iloc[:7]
    extra = dict(stratum="M") if kind == "breslow_strata_weights" else {}
    if kind == "entry_offset_drop":
        extra["offset"] = new["log_pt"].to_numpy()
    for t in ("lp", "risk", "survival"):
        close(par.predict(new, type=t, times=[30, 90], **extra), mem.predict(new, type=t, times=[30, 90], **extra),
              1e-10)
    b_mem = mem.baseline_hazard()
    b_par = par.baseline_hazard()
    b_mem = b_mem.merge(b_par[["strata", "time"]], on=["strata", "time"])
    assert len(b_mem) == len(b_par)
    close(b_par["cumulative_hazard"], b_mem["cumulative_hazard"], 1e-10)


# ---- Cox concordance() and zph() over partitions ----------------------------------------
# hrrstats.dask: the concordance and the proportional-hazards test (cox.zph) of a Cox
# fit over partitions equal the in-memory fit's (survival::concordance(fit),
# survival::cox.zph) for 1, 3 and 8 partitions (and partitions of unequal size, one
# empty), with strata, case weights, ties in time and in the linear predictor, delayed
# entry and dropped rows; bad input raises the in-memory errors.


def ties_cohort():
    df = cohort()
    df["days"] = np.ceil(df["time"] * 30)  # ties in time
    df["entry_days"] = np.floor(df["days"] * 0.3)
    df.index = df.index * 3 + 5
    return df


def partitioned(df, k):
    if k == "uneven":
        return split(df)
    return dd.from_pandas(df, npartitions=k, sort=False)


COX_KINDS = {
    "efron": dict(covariates=["age", "stage", "sex"]),
    "ties_in_lp": dict(covariates=["stage", "sex"]),  # few distinct linear predictors
    "strata_weights": dict(covariates=["age", "stage"], ties="breslow", strata="sex", weights="w"),
    "entry_offset_drop": dict(covariates=["age", "stage", "sex"], entry="entry_days", offset="log_pt",
                              na_action="drop"),
}


def cox_fits(kind, k):
    """The in-memory and partitioned Cox fits of one COX_KINDS case on `k` partitions."""
    df = ties_cohort()
    args = COX_KINDS[kind]
    if kind == "entry_offset_drop":
        df.iloc[[3, 950], df.columns.get_loc("age")] = np.nan
    mem = hs.cox_ph("days", "status", data=df, robust=False, **args)
    return mem, hd.cox_ph("days", "status", data=partitioned(df, k), **args)


@pytest.mark.parametrize("k", [1, 3, 8, "uneven"])
@pytest.mark.parametrize("kind", list(COX_KINDS))
def test_cox_concordance_equals_in_memory(client, kind, k):
    mem, par = cox_fits(kind, k)
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
    df = ties_cohort()
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
@pytest.mark.parametrize("kind", list(COX_KINDS))
def test_cox_zph_equals_in_memory(client, kind, k):
    """cox.zph's score test over partitions (one pass) equals the in-memory fit's, for
    every transform and with terms grouping columns."""
    mem, par = cox_fits(kind, k)
    for transform in ("km", "rank", "identity", "log"):
        want = mem.zph(transform)
        got = par.zph(transform)
        assert list(got["term"]) == list(want["term"])
        assert list(got["df"]) == list(want["df"])
        close(got[["chisq", "p"]], want[["chisq", "p"]], 1e-10)
    terms = {"stage": ["stageII", "stageIII", "stageIV"]}
    pd.testing.assert_frame_equal(par.zph("km", terms=terms), mem.zph("km", terms=terms), rtol=1e-10)


def test_cox_zph_errors(client):
    par = hd.cox_ph("days", "status", ["age", "stage"], data=split(ties_cohort()))
    with pytest.raises(ValueError, match=r"argument `transform`: unknown value \"loglog\""):
        par.zph("loglog")
    with pytest.raises(ValueError, match=r"argument `terms`: column \"stageV\" of term `stage` is not in the model"):
        par.zph(terms={"stage": ["stageII", "stageV"]})
    mem = hs.cox_ph("days", "status", ["age", "stage"], data=ties_cohort())
    for bad in (dict(transform="loglog"), dict(terms={"stage": ["stageII", "stageV"]})):
        with pytest.raises(ValueError) as a:
            mem.zph(**bad)
        with pytest.raises(ValueError) as b:
            par.zph(**bad)
        assert str(a.value) == str(b.value)
