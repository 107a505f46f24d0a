"""The same analyses on Dask DataFrames, exact, for data that do not fit in one process.

``import hrrstats.dask as hd``; each function takes the arguments of the in-memory
function of the same name, with ``data=`` a Dask DataFrame and strings naming its
columns, and returns the same result object. Each partition is processed by the Rust
core on the worker that holds it (the GIL released); only small sums travel:

- :func:`person_time_table`: each partition tabulated by the core, the partial tables
  (additive: person-time and event counts per band) added by band.
  :func:`hrrstats.rate`, :func:`hrrstats.direct_standardize` and :func:`hrrstats.sir`
  then take the (small, in-memory) table.
- :func:`glm`, :func:`poisson_glm`, :func:`logistic_glm`: ``glm.fit``'s IRLS with every
  sum over rows (``X'WX``, ``X'Wz``, deviance, the AIC's log-likelihood terms, the
  sandwich's meat) taken partition by partition and added; the core's driver makes every
  decision (solve, step halving, convergence, null deviance, variance), so the fit is
  the in-memory fit but for the order of summation (~1e-14 relative). One pass over
  the data per iteration (typically 4–8), plus one for a null model with an offset and
  one for a robust variance: ``persist()`` the DataFrame first when it fits in the
  cluster's memory, else each pass reads the files again.
- :func:`cox_ph`: coxph's Newton iterations with the partial likelihood's risk-set
  sums taken partition by partition per event time (``A = Σ w e^η``, its first and
  second moments, and the same over each time's deaths) and added; a first pass finds
  the event times and the covariates' centres. One pass per Newton evaluation; each
  partition sends ``K (2 + 2p + p(p+1))`` numbers for ``K`` distinct event times (times
  in days keep ``K`` small). Residuals and predictions of the fitted rows: one more pass
  (the risk-set sums at the final coefficients), from which the driver forms per event
  time the cumulative hazard and the terms of the score residuals, broadcast to the
  partitions, where each row's residual or prediction is formed (lazy Dask objects
  aligned with the data). ``concordance()``: two more passes — each partition's event
  rows (time, entry, linear predictor, weight, stratum), gathered; then each partition
  counts its other rows against all the events (the in-memory sweep: one sort and a
  Fenwick tree over the predictor's ranks, ``O((n_p + E) log)``) and sends the pair
  counts, ``3`` numbers per event and three sums of its rows' squared influences; the
  core adds them in partition order and adds the pairs among the events, so the
  concordance and its standard error are the in-memory fit's. ``zph()``: one more pass
  (the risk-set sums at the final coefficients per event time with the deaths'
  ``Σ w x``, and at the pooled event times the numbers at risk, before and at each time
  for the Kaplan-Meier and rank transforms), from which the core forms cox.zph's score
  test as the in-memory sweep does.
- :func:`cumulative_incidence`: as :func:`kaplan_meier`, each partition reduced to its
  distinct (group, stratum, entry, time, cause) rows with counts (and with case weights
  the sums of the weights and of their squares); the Aalen–Johansen estimates, both
  variances (cmprsk's delta method; survfit's infinitesimal jackknife, whose per-row
  influence is shared by rows with the same group, entry, exit and cause, so a merged row
  enters with its rows' ``Σ w²``) and Gray's test are those of the rows.
- :func:`logrank_test`: two passes — each partition's event times, then per event time
  and group its numbers at risk and its deaths — added; survdiff's formulas on the sums.
- :func:`lexis_split`: the split rows as a Dask DataFrame (each partition split where
  it lies), for users who need the rows themselves.
- :func:`kaplan_meier`: each partition reduced to its distinct (stratum, entry, time,
  status) rows with counts; the counts added; the estimator run on them (with integer
  counts as case weights, the Greenwood variance equals the per-row one).

- :func:`net_survival`: Pohar-Perme (and Ederer II) curves in two passes — each
  partition's follow-up times, merged; then on that grid each partition's sums over its
  persons (per integration step the population hazard weighted by ``1/S*_i``, per time
  the deaths' ``Σ 1/S*_i`` and ``Σ 1/S*_i²``, exits and deaths), added; the driver
  finishes the curves and standard errors from the sums.

Errors name the partition and the row within it. Run on a ``distributed`` cluster
(``LocalCluster`` on a large machine, ``dask_jobqueue.SLURMCluster`` on an HPC
cluster): the functions use the current client, else Dask's default scheduler.
Their computations show Dask's progress bar (``dask.diagnostics.ProgressBar``, on
Dask's local schedulers, for those running over a second) as the in-memory functions
show theirs: see :func:`hrrstats.set_progress`.
"""
from __future__ import annotations

import warnings

import dask
import numpy as np
import pandas as pd

from . import _competing, _cox, _glm, _person_time, _progress, _relsurv, _survival
from ._design import Design, _design_matrix
from ._convert import floats, missing
from ._protocol import EVENT_LABEL, call, resolve

from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    import dask.dataframe as dd

    from ._typing import ArrayLike, DataFrameLike

__all__ = ["person_time_table", "lexis_split", "glm", "glm_fit", "poisson_glm", "logistic_glm", "cox_ph",
           "interval_net_survival", "net_survival",
           "kaplan_meier", "logrank_test", "cumulative_incidence"]


def _frame(data, fn):
    if data is None or not hasattr(data, "to_delayed"):
        raise TypeError(f"argument `data`: hrrstats.dask.{fn} takes a Dask DataFrame "
                        f"(use hrrstats.{fn} for an in-memory one)")
    return data


def _names(x, arg):
    """Column names of an argument (a string or a list of strings)."""
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    if isinstance(x, (list, tuple)) and all(isinstance(c, str) for c in x):
        return list(x)
    raise TypeError(f"argument `{arg}`: with a Dask DataFrame, give column names")


def _no_missing(pdf, c, arg):
    """The column's values (objects), an error naming ``arg`` and the partition's row at
    the first missing one."""
    values = np.asarray(pdf[c], dtype=object)
    miss = missing(values)
    if miss.any():
        raise ValueError(f"argument `{arg}`: missing value at row {int(np.flatnonzero(miss)[0])}")
    return values


def _codes_of(pdf, c, levels, arg):
    """A grouping column as the core reads it: codes into the whole data's ``levels``."""
    codes = pd.Index(levels, dtype=object).get_indexer(_no_missing(pdf, c, arg))
    return np.ascontiguousarray(codes, dtype=np.uint32), [str(v) for v in levels]


def _result(driver):
    """The partitioned fit's result record; its warnings (the anchors' words: non-convergence,
    infinite coefficients) issued as the in-memory fit issues them."""
    res = driver.call("result", {})
    for w in res.get("warnings") or ():
        warnings.warn(w, RuntimeWarning, stacklevel=3)
    return res


def _run(data, fn, *args):
    """``fn(partition, k, *args)`` on every non-empty partition; the list of results."""
    parts = data.to_delayed()
    tasks = [dask.delayed(_in_partition)(p, k, fn, *args) for k, p in enumerate(parts)]
    return [r for r in _compute(*tasks) if r is not None]


def _compute(*collections):
    """``dask.compute`` with Dask's progress bar when progress is shown (see
    :func:`hrrstats.set_progress`; ``quiet``)."""
    with _progress.dask_bar():
        return dask.compute(*collections)


def _in_partition(pdf, k, fn, *args):
    if len(pdf) == 0:
        return None
    try:
        return fn(pdf, *args)
    except (ValueError, TypeError) as e:
        raise type(e)(f"partition {k}: {e}") from None


# ---- person-time ------------------------------------------------------------------------

def _pt_part(pdf, entry, exit, status, kw):
    return _person_time.person_time_table(entry, exit, status, data=pdf, **kw)


def person_time_table(entry: str, exit: str, status: str, *, time_scales: dict, breaks: dict,
                      by: str | list[str] | None = None, entry_status: str | None = None, drop: bool = True,
                      data: dd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`hrrstats.person_time_table` of a Dask DataFrame: the same table (rows in the
    in-memory function's order).

    Each partition is tabulated by the core where it lies; the partial tables (additive:
    person-time and event counts per band) are added by band.

    Parameters
    ----------
    entry, exit : str
        Columns: start and end of follow-up on the first time scale.
    status : str
        Column: the state at exit (0 = no event).
    time_scales : dict
        ``{name: column of that scale's value at entry}`` (the first scale's value None).
    breaks : dict
        ``{scale name: break points}``.
    by : str or list of str, optional
        Columns to tabulate by.
    entry_status : str, optional
        Column: the state during follow-up.
    drop : bool, default True
        Drop time outside the outermost breaks.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    pandas.DataFrame
        As :func:`hrrstats.person_time_table`: <scale>_band ..., by columns,
        person_time, events.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> ddf = ddf.assign(entry=0.0, years=ddf["time"] / 365.25)
    >>> hd.person_time_table("entry", "years", "status", time_scales={"fu": None, "age": "age"},
    ...                      breaks={"age": [0, 60, 70, 80, 120]}, data=ddf).round(1)
       age_band  person_time  events
    0       0.0      14098.8  1067.0
    1      60.0      34665.2  2592.0
    2      70.0      47222.1  4321.0
    3      80.0      32837.6  5655.0
    """
    data = _frame(data, "person_time_table")
    kw = dict(time_scales=time_scales, breaks=breaks, by=by, entry_status=entry_status, drop=drop)
    tables = _run(data, _pt_part, entry, exit, status, kw)
    if not tables:
        raise ValueError("argument `data`: no rows")
    t = pd.concat(tables, ignore_index=True)
    value = [c for c in t.columns if c == "person_time" or c == "events" or c.startswith("events_")]
    keys = [c for c in t.columns if c not in value]
    out = t.groupby(keys, sort=True, dropna=False, observed=True)[value].sum().reset_index()
    return out[list(t.columns)]


def _split_part(pdf, entry, exit, status, id, kw):
    if len(pdf) == 0:
        return _split_meta(kw, id, pdf)
    out = _person_time.lexis_split(entry, exit, status, id=id, data=pdf, **kw)
    if id is None:  # the row of the user's data: the partition's index
        out["id"] = np.asarray(pdf.index)[out["id"].to_numpy()]
    return out


def _split_meta(kw, id, pdf):
    cols = {"id": pdf[id].iloc[:0] if id is not None else pd.Series([], dtype=np.int64)}
    for name in kw["time_scales"]:
        cols[name] = pd.Series([], dtype=np.float64)
    for name in kw["breaks"]:
        cols[f"{name}_band"] = pd.Series([], dtype=np.float64)
    cols["duration"] = pd.Series([], dtype=np.float64)
    if kw.get("entry_status") is not None:
        cols["entry_status"] = pd.Series([], dtype=np.float64)
    cols["status"] = pd.Series([], dtype=np.float64)
    return pd.DataFrame(cols)


def lexis_split(entry: str, exit: str, status: str, *, time_scales: dict, breaks: dict, id: str | None = None,
                entry_status: str | None = None, drop: bool = True,
                data: dd.DataFrame | None = None) -> dd.DataFrame:
    """:func:`hrrstats.lexis_split` of a Dask DataFrame: a Dask DataFrame of the split rows
    (lazy; each partition split by the core where it lies).

    Zero-length follow-up is dropped as in memory (the warning is issued on the workers).

    Parameters
    ----------
    entry, exit : str
        Columns: start and end of follow-up on the first time scale.
    status : str
        Column: the state at exit.
    time_scales : dict
        ``{name: column of that scale's value at entry}`` (the first scale's value None).
    breaks : dict
        ``{scale name: break points}``.
    id : str, optional
        Column of person ids; without it, ``id`` is the index of the input row.
    entry_status : str, optional
        Column: the state during follow-up.
    drop : bool, default True
        Drop time outside the outermost breaks.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    dask.dataframe.DataFrame
        The columns of :func:`hrrstats.lexis_split`'s result.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> ddf = ddf.assign(entry=0.0, years=ddf["time"] / 365.25)
    >>> split = hd.lexis_split("entry", "years", "status", time_scales={"fu": None},
    ...                        breaks={"fu": [0, 1, 5, 10]}, data=ddf)
    >>> len(split)
    45505
    """
    data = _frame(data, "lexis_split")
    kw = dict(time_scales=time_scales, breaks=breaks, entry_status=entry_status, drop=drop)
    meta = _split_meta(kw, id, data._meta)
    return data.map_partitions(_split_part, entry, exit, status, id, kw, meta=meta)


# ---- GLMs ---------------------------------------------------------------------------------

def _levels(data, cols):
    """Per covariate column: None (numeric) or its levels over the whole data (the
    categories of a categorical column that occur, or the sorted distinct values of a
    string/object column), as glm's model frame drops unused levels."""
    meta = data._meta
    cat = [c for c in cols if not pd.api.types.is_numeric_dtype(meta[c]) or isinstance(meta[c].dtype, pd.CategoricalDtype)]
    if not cat:
        return {c: None for c in cols}
    found = _compute(*[data[c].dropna().unique() for c in cat])
    levels = {}
    for c, u in zip(cat, found):
        u = pd.Series(u)
        if isinstance(meta[c].dtype, pd.CategoricalDtype):
            order = list(data[c].cat.categories) if data[c].cat.known else sorted(u.tolist(), key=str)
            present = set(u.astype(object))
            levels[c] = [x for x in order if x in present]
        else:
            levels[c] = sorted(u.tolist(), key=lambda v: (str(type(v)), v))
    return {c: levels.get(c) for c in cols}


def _glm_columns(pdf, y, covs, levels, weights, offset, na_action, cluster=None, want_cluster=False):
    """The core's arguments for one partition (and the rows dropped)."""
    used = [y, *covs] + [c for c in (weights, offset, cluster) if c is not None]
    n_dropped = 0
    if na_action == "drop":
        keep = ~np.column_stack([missing(np.asarray(pdf[c])) for c in used]).any(axis=1)
        n_dropped = int((~keep).sum())
        pdf = pdf[keep]
        if len(pdf) == 0:
            return None, n_dropped
    cov = {}
    for c in covs:
        if levels[c] is None:
            cov[c] = floats(pdf[c], "covariates")
        else:
            values = np.asarray(pdf[c], dtype=object)
            miss = missing(values)
            if miss.any():
                raise ValueError(f"argument `covariates`, column `{c}`: missing value at row {int(np.flatnonzero(miss)[0])}")
            codes = pd.Index(levels[c], dtype=object).get_indexer(values)
            cov[c] = (np.ascontiguousarray(codes, dtype=np.uint32), [str(v) for v in levels[c]])
    args = {"y": floats(pdf[y], "y"), "covariates": cov}
    if weights is not None:
        args["weights"] = floats(pdf[weights], "weights")
    if offset is not None:
        args["offset"] = floats(pdf[offset], "offset")
    if cluster is not None:
        codes = _cluster_codes(pdf, cluster)  # checked on every pass, sent on the meat's
        if want_cluster:
            args["cluster"] = codes
    return args, n_dropped


def _cluster_codes(pdf, cluster):
    """The partition's cluster codes (0.. in order of appearance)."""
    codes, uniq = pd.factorize(_no_missing(pdf, cluster, "cluster"))
    return np.ascontiguousarray(codes, dtype=np.uint32), [str(v) for v in uniq]


def _glm_part(pdf, cols, options, request):
    args, n_dropped = _glm_columns(pdf, *cols, want_cluster=bool(request.get("meat")))
    if args is None:
        return {"n_dropped": n_dropped}

    args.update(options)
    args.update({k: v for k, v in request.items() if v is not None})
    r, _ = call("glm_part_pass", args)
    r["n_dropped"] = n_dropped
    return r


def glm_fit(y: str, covariates: str | list[str], *, family: str = "gaussian", link: str | None = None,
            offset: str | None = None, weights: str | None = None, robust: bool | str = False,
            cluster: str | None = None, intercept: bool = True, start: ArrayLike | None = None,
            theta: float | None = None, epsilon: float = 1e-8, max_iter: int = 25, conf_level: float = 0.95,
            na_action: str = "fail", data: dd.DataFrame | None = None) -> _glm.GLM:
    """:func:`hrrstats.glm_fit` of a Dask DataFrame: the same coefficients, standard errors,
    deviances, AIC and tests (``glm`` is the same function).

    ``glm.fit``'s IRLS with every sum over rows (X'WX, X'Wz, deviance, the sandwich's
    meat) taken partition by partition and added; the core's driver makes every decision,
    so the fit is the in-memory fit but for the order of summation (about 1e-14
    relative). One pass over the data per iteration: ``persist()`` the DataFrame first
    when it fits in the cluster's memory. Fitted values and residuals stay with the data
    (``predict`` and ``residuals`` are not offered).

    Parameters
    ----------
    y : str
        Column: the response.
    covariates : list of str
        Covariate columns (categorical columns dummy-coded with the whole data's levels).
    family : {"gaussian", "poisson", "binomial", "negbin"}, default "gaussian"
        As in :func:`hrrstats.glm_fit` (the negative binomial needs ``theta``).
    link : str, optional
        The link (default the family's canonical link).
    offset : str, optional
        Column: an offset on the link scale.
    weights : str, optional
        Column: prior weights.
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance (True: HC1).
    cluster : str, optional
        Column: cluster-robust variance (``sandwich::vcovCL``, HC1); each cluster must lie
        in one partition (shuffle by cluster first, e.g. ``ddf.shuffle(on="id")``).
    intercept : bool, default True
        Add an intercept.
    start : array-like, optional
        Starting coefficients.
    theta : float, optional
        The negative binomial's theta.
    epsilon : float, default 1e-8
        Convergence tolerance on the deviance (as glm.control).
    max_iter : int, default 25
        Most IRLS iterations.
    conf_level : float, default 0.95
        Level of the Wald limits.
    na_action : {"fail", "drop"}, default "fail"
        Missing values: an error naming the partition and row, or the rows dropped.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    GLM
        As :func:`hrrstats.glm_fit` (coef, se, var, deviance, aic, ``summary()``).

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> fit = hd.glm_fit("status", ["age", "sex"], family="binomial", data=ddf)
    >>> fit.coef.round(5)
    array([-4.10919,  0.07631, -0.24313])
    """
    data = _frame(data, "glm_fit")
    if na_action not in ("fail", "drop"):
        raise ValueError(f"argument `na_action`: unknown value \"{na_action}\"; accepted: \"fail\", \"drop\"")
    y = _names(y, "y")[0]
    covs = _names(covariates, "covariates")
    w = _names(weights, "weights")
    o = _names(offset, "offset")
    cl = _names(cluster, "cluster")
    missing_cols = [c for c in [y, *covs, *w, *o, *cl] if c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    n_clusters = None
    if cl:
        used = data[[y, *covs, *w, *o, *cl]]
        if na_action == "drop":
            used = used.dropna()
        n_clusters = int(_compute(used[cl[0]].nunique())[0])
    levels = _levels(data, covs)
    options = {k: v for k, v in dict(family=family, link=link, theta=theta, intercept=intercept).items()
               if v is not None}
    r, driver = call("glm_partitioned", dict(options, robust=robust, epsilon=epsilon, max_iter=max_iter,
                                             conf_level=conf_level, has_offset=bool(o), n_clusters=n_clusters,
                                             start=None if start is None else np.asarray(start, dtype=np.float64)))
    cols = (y, covs, levels, w[0] if w else None, o[0] if o else None, na_action, cl[0] if cl else None)
    request, n_dropped = r["request"], 0
    while request is not None:
        parts = _run(data, _glm_part, cols, options, request)
        n_dropped = sum(p.pop("n_dropped") for p in parts)
        parts = [p for p in parts if "xtwx" in p]
        request = driver.call("step", {"parts": parts})["request"]
    res = _result(driver)
    for k in ("fitted", "linear_predictors", "working_weights"):
        res[k] = None
    return _glm.GLM(res, driver, None, n_dropped, None, None)


glm = glm_fit


def poisson_glm(y: str, covariates: str | list[str], *, offset: str | None = None, weights: str | None = None,
                robust: bool | str = False, data: dd.DataFrame | None = None, **kwargs: Any) -> _glm.GLM:
    """:func:`hrrstats.poisson_glm` of a Dask DataFrame (see :func:`glm_fit`).

    Parameters
    ----------
    y : str
        Column: the counts.
    covariates : list of str
        Covariate columns.
    offset : str, optional
        Column: typically log(person-time).
    weights : str, optional
        Column: prior weights.
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance (True: HC1).
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.
    **kwargs
        Further arguments of :func:`glm_fit`.

    Returns
    -------
    GLM
        As :func:`hrrstats.poisson_glm`.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> fit = hd.poisson_glm("status", ["age", "sex"], data=ddf)
    >>> fit.coef.round(5)
    array([-1.80913,  0.02138, -0.06778])
    """
    return glm_fit(y, covariates, family="poisson", offset=offset, weights=weights, robust=robust, data=data,
                   **kwargs)


def logistic_glm(y: str, covariates: str | list[str], *, weights: str | None = None, robust: bool | str = False,
                 data: dd.DataFrame | None = None, **kwargs: Any) -> _glm.GLM:
    """:func:`hrrstats.logistic_glm` of a Dask DataFrame (see :func:`glm_fit`).

    Parameters
    ----------
    y : str
        Column: the 0/1 response.
    covariates : list of str
        Covariate columns.
    weights : str, optional
        Column: prior weights.
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance (True: HC1).
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.
    **kwargs
        Further arguments of :func:`glm_fit`.

    Returns
    -------
    GLM
        As :func:`hrrstats.logistic_glm`.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> fit = hd.logistic_glm("status", ["age", "sex"], data=ddf)
    >>> fit.coef.round(5)
    array([-4.10919,  0.07631, -0.24313])
    """
    return glm_fit(y, covariates, family="binomial", weights=weights, robust=robust, data=data, **kwargs)


# ---- Cox ---------------------------------------------------------------------------------

def _cox_args(pdf, cols, design, strata_levels, request):
    """A partition's arguments of ``cox_part_pass`` (rows with missing values dropped
    with ``na_action="drop"``): (args, the rows kept, the number dropped); args None
    when no row is left."""
    time, event, covs, entry, strata, weights, offset, cluster, na_action = cols
    used = [time, event, *covs] + [c for c in (entry, strata, weights, offset, cluster) if c is not None]
    n_dropped = 0
    if na_action == "drop":
        keep = ~np.column_stack([missing(np.asarray(pdf[c], dtype=object)) for c in used]).any(axis=1)
        n_dropped = int((~keep).sum())
        pdf = pdf[keep]
        if len(pdf) == 0:
            return None, pdf, n_dropped
    args = {"time": floats(pdf[time], "time"), "status": floats(pdf[event], "event"),
            "covariates": dict(zip(design.names, design.apply(list(covs), pdf))), "labels": EVENT_LABEL}
    for name, c in (("entry", entry), ("weights", weights), ("offset", offset)):
        if c is not None:
            args[name] = floats(pdf[c], name)
    if strata is not None:
        args["strata"] = _codes_of(pdf, strata, strata_levels, "strata")
    if cluster is not None:
        codes = _cluster_codes(pdf, cluster)  # checked on every pass, sent on the residuals'
        if request.get("pass") == "residuals":
            args["cluster"] = codes
    args.update({k: v for k, v in request.items() if v is not None})
    return args, pdf, n_dropped


def _cox_part(pdf, cols, design, strata_levels, request):
    args, _, n_dropped = _cox_args(pdf, cols, design, strata_levels, request)
    if args is None:
        return {"n_dropped": n_dropped}
    r, _ = call("cox_part_pass", args)
    r["n_dropped"] = n_dropped
    return r


def _cox_rows(pdf, cols, design, strata_levels, request, meta, partition_info=None):
    """A partition's rows' residuals or predictions (pandas, indexed as the partition)."""
    if len(pdf) == 0:
        return meta
    k = partition_info["number"] if partition_info else "?"
    try:
        args, kept, _ = _cox_args(pdf, cols, design, strata_levels, request)
        if args is None:
            return meta
        r, _ = call("cox_part_pass", args)
    except (ValueError, TypeError) as e:
        raise type(e)(f"partition {k}: {e}") from None
    values = np.asarray(r["values"], dtype=np.float64)
    if isinstance(meta, pd.Series):
        return pd.Series(values, index=kept.index, name=meta.name)
    if "row" in meta.columns:  # Schoenfeld: the event rows
        rows = np.asarray(r["rows"], dtype=np.int64)
        out = pd.DataFrame(values.reshape(len(rows), -1), columns=list(meta.columns[2:]), index=kept.index[rows])
        out.insert(0, "time", np.asarray(r["time"], dtype=np.float64))
        out.insert(0, "row", kept.index[rows])
        return out
    return pd.DataFrame(values.reshape(len(kept), -1), columns=meta.columns, index=kept.index)


class CoxPH(_cox.CoxPH):
    """A Cox fit over the partitions of a Dask DataFrame (:func:`cox_ph`): the in-memory
    fit's attributes, ``summary()``, and, from one more pass over the partitions (taken
    once, at the first call that needs it: the risk-set sums at the final coefficients),
    ``residuals()`` and ``predict()`` of the fitted rows as lazy Dask objects aligned with
    the data's partitions and index, ``predict()`` of new (in-memory) covariate rows,
    ``baseline_hazard()``; ``concordance()`` (two passes of its own) and ``zph()`` (one). ``linear_predictors``: see ``predict(type="lp")``."""

    def __init__(self, res, driver, design, strata_levels, n_dropped, data, spec, data_strata_levels):
        super().__init__(res, driver, design, strata_levels, n_dropped)
        self.linear_predictors = None
        self._data, self._spec, self._data_strata_levels = data, spec, data_strata_levels

    def _rows_args(self):
        req = self._fit.call("rows_request", {})
        if req is not None:
            parts = _run(self._data, _cox_part, self._spec, self._design, self._data_strata_levels, req)
            self._fit.call("step", {"parts": [p for p in parts if "names" in p]})
        return self._fit.call("rows_args", {})

    def _rows(self, what, at_times=None):
        request = dict(self._rows_args(), type=what)
        index = self._data._meta.index[:0]
        if what in ("martingale", "deviance", "lp", "risk", "expected"):
            meta = pd.Series(np.zeros(0), index=index, name=what, dtype=np.float64)
        elif what in ("schoenfeld", "scaledsch"):
            meta = pd.DataFrame({"row": index.values, "time": np.zeros(0),
                                 **{c: np.zeros(0) for c in self.names}}, index=index)
        elif what == "survival":
            request["at_times"] = at_times
            meta = pd.DataFrame(np.zeros((0, len(at_times))), columns=pd.Index(at_times, name="time"), index=index)
        else:
            meta = pd.DataFrame({c: np.zeros(0) for c in self.names}, index=index)
        return self._data.map_partitions(_cox_rows, self._spec, self._design, self._data_strata_levels, request,
                                         meta, meta=meta)

    def residuals(self, type: str = "martingale") -> dd.Series | dd.DataFrame:
        """Residuals as ``residuals.coxph``, equal to the in-memory fit's: a lazy Dask
        Series ("martingale", "deviance") or DataFrame ("score", "dfbeta", "dfbetas":
        one column per coefficient; dfbeta(s) weighted) aligned with the data's partitions
        and index (rows dropped with ``na_action="drop"`` left out); "schoenfeld",
        "scaledsch": a Dask DataFrame of the event rows (columns row (the data's index),
        time and one per coefficient) in the data's order (the in-memory fit orders them
        by stratum and time)."""
        kinds = ("martingale", "deviance", "score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch")
        if type not in kinds:
            raise ValueError(f"argument `type`: unknown value \"{type}\"; accepted: "
                             + ", ".join(f'"{k}"' for k in kinds))
        return self._rows(type)

    def predict(self, covariates: ArrayLike | DataFrameLike | list[str] | None = None, type: str = "lp",
                times: ArrayLike | None = None, *, offset: ArrayLike | None = None, stratum: str | None = None,
                data: DataFrameLike | None = None) -> dd.Series | dd.DataFrame | np.ndarray | pd.DataFrame:
        """Predictions equal to the in-memory fit's. For the fitted rows
        (``covariates=None``): a lazy Dask Series ("lp", "risk", "expected") or DataFrame
        ("survival": one column per time, each row from its stratum's baseline) aligned
        with the data. For new covariate rows (in memory: arrays, a DataFrame or column
        names of ``data``): as :meth:`hrrstats.CoxPH.predict`."""
        if covariates is None:
            if stratum is not None or offset is not None:
                raise ValueError("argument `stratum`/`offset`: for new covariate rows only (the fitted rows use "
                                 "their own stratum and offset)")
            kinds = ("lp", "risk", "expected", "survival")
            if type not in kinds:
                raise ValueError(f"argument `type`: unknown value \"{type}\"; accepted: "
                                 + ", ".join(f'"{k}"' for k in kinds))
            at = None
            if type == "survival":
                if times is None:
                    raise ValueError("argument `times`: is required for type \"survival\"")
                at = floats(np.atleast_1d(times), "times")
            return self._rows(type, at)
        if hasattr(covariates, "to_delayed") or hasattr(data, "to_delayed"):
            raise TypeError("argument `covariates`: new covariate rows must be in memory (a pandas DataFrame or "
                            "arrays); predict each partition's rows with map_partitions")
        if type == "survival":
            self._rows_args()  # the baseline hazard
        return super().predict(covariates, type, times, offset=offset, stratum=stratum, data=data)

    def baseline_hazard(self, centered: bool = False) -> pd.DataFrame:
        """DataFrame strata, time, cumulative_hazard, survival (``basehaz``) at the event
        times (the in-memory fit also lists the censoring times, where the step function
        does not move)."""
        self._rows_args()
        return super().baseline_hazard(centered)

    def zph(self, transform: str = "km", terms: dict | None = None) -> pd.DataFrame:
        """Test of proportional hazards, as ``survival::cox.zph``, equal to the in-memory
        fit's :meth:`hrrstats.CoxPH.zph`.

        One pass over the partitions (taken once, then every transform and grouping of
        terms is answered from its sums): each partition's risk-set sums at the final
        coefficients per event time, its deaths' ``Σ w x`` per event time and, at the
        event times pooled over strata, its numbers at risk, before and at each time
        (the Kaplan-Meier and the ranks of the time transform); the core forms the score
        and information blocks of ``x g(t)`` from them as the in-memory sweep does.

        Parameters
        ----------
        transform : {"km", "rank", "identity", "log"}, default "km"
            The time transform g(t) (cox.zph's ``transform``).
        terms : dict, optional
            ``{term name: list of column names}``: test terms of several columns together.

        Returns
        -------
        pandas.DataFrame
            term (covariates or terms, then GLOBAL), chisq, df, p.
        """
        if getattr(self, "_zph_parts", None) is None:
            req = self._fit.call("zph_request", {})
            parts = _run(self._data, _cox_part, self._spec, self._design, self._data_strata_levels, req)
            self._zph_parts = [p for p in parts if "names" in p]
        args = {"transform": transform, "parts": self._zph_parts}
        if terms is not None:
            args["terms"] = {str(k): [str(c) for c in ([v] if isinstance(v, str) else v)] for k, v in terms.items()}
        z = self._fit.call("zph", args)
        z["df"] = z["df"].astype(int)
        return z

    def concordance(self, counts: bool = False) -> tuple[float, float] | dict:
        """Harrell's concordance of the linear predictor with the outcome, equal to the
        in-memory fit's (``survival::concordance(fit)``: within strata, case-weighted,
        ties in the predictor counted 1/2, with entry times compared only inside each
        row's interval) and its infinitesimal-jackknife standard error.

        Two passes over the partitions (taken once): each partition's event rows (time,
        entry, linear predictor, weight, stratum), gathered in partition order; then
        every partition counts its other rows against all the events (one sort and a
        Fenwick tree over the predictor's ranks, ``O((n_p + E) log)``) and returns the
        pair counts, per event its counts and three sums of its rows' squared
        influences; the core adds them in partition order and counts the pairs among the
        events themselves.

        Parameters
        ----------
        counts : bool, default False
            Return the pair counts too.

        Returns
        -------
        tuple or dict
            (concordance, std_err); with ``counts=True`` a dict that also has var, n and
            the concordant, discordant, tied_x, tied_y and tied_xy pair counts.
        """
        if getattr(self, "_concordance", None) is None:
            req = self._fit.call("concordance_request", {})
            run = (self._spec, self._design, self._data_strata_levels)
            parts = [p for p in _run(self._data, _cox_part, *run, req) if "names" in p]
            keys = [k for k in ("ev_time", "ev_entry", "ev_lp", "ev_weights", "ev_strata") if parts and k in parts[0]]
            events = {k: np.concatenate([np.asarray(p[k], dtype=np.float64) for p in parts]) for k in keys}
            parts = [p for p in _run(self._data, _cox_part, *run, dict(req, **events, **{"pass": "concordance"}))
                     if "names" in p]
            self._concordance = dict(self._fit.call("concordance", dict(events, parts=parts)))
        c = self._concordance
        return dict(c) if counts else (c["concordance"], c["std_err"])


def _design_of(levels):
    """The design (dummy coding with the whole data's levels) of the covariates."""
    terms = [("numeric", c, np.zeros(1)) if lv is None else
             ("factor", c, np.zeros(1, dtype=np.uint32), [str(v) for v in lv]) for c, lv in levels.items()]
    names, _, _ = _design_matrix(terms, 1, False)
    return Design(list(levels.items()), names)


def cox_ph(time: str, event: str, covariates: str | list[str], *, entry: str | None = None,
           strata: str | None = None, weights: str | None = None, ties: str = "efron", offset: str | None = None,
           cluster: str | None = None, robust: bool | None = None, init: ArrayLike | None = None,
           max_iter: int = 20, eps: float = 1e-9, conf_level: float = 0.95, na_action: str = "fail",
           data: dd.DataFrame | None = None) -> CoxPH:
    """:func:`hrrstats.cox_ph` of a Dask DataFrame: the same coefficients, standard errors,
    log-likelihoods and tests, at the in-memory fit's iterations.

    coxph's Newton iterations with the partial likelihood's risk-set sums taken partition
    by partition per event time and added; a first pass finds the event times and the
    covariates' centres; one pass per Newton evaluation. The sandwich variance and
    robust score test take two more passes (the risk sets at the final coefficients,
    then each row's score residual where it lies). ``residuals()`` and ``predict()`` of
    the fitted rows are lazy Dask objects aligned with the data (one more pass: the
    risk-set sums at the final coefficients, broadcast to the partitions, where each
    row's residual is formed); see :class:`CoxPH`.

    Parameters
    ----------
    time : str
        Column: exit times.
    event : str
        Column: 1 = event, 0 = censored.
    covariates : list of str
        Covariate columns.
    entry : str, optional
        Column: entry times (counting-process data).
    strata : str, optional
        Column: one strata column.
    weights : str, optional
        Column: case weights.
    ties : {"efron", "breslow"}, default "efron"
        Handling of tied event times.
    offset : str, optional
        Column: an offset in the linear predictor.
    cluster : str, optional
        Column: clusters for the robust variance; each cluster must lie in one partition
        (shuffle by cluster first, e.g. ``ddf.shuffle(on="id")``).
    robust : bool, optional
        Sandwich variance (coxph's rule when None: with a cluster or non-integer weights).
    init : array-like, optional
        Starting coefficients.
    max_iter : int, default 20
        Most Newton iterations.
    eps : float, default 1e-9
        Convergence tolerance on the log partial likelihood (as coxph.control).
    conf_level : float, default 0.95
        Level of the Wald limits.
    na_action : {"fail", "drop"}, default "fail"
        Missing values: an error naming the partition and row, or the rows dropped.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    CoxPH
        As :func:`hrrstats.cox_ph` (coef, se, var, loglik, tests, ``summary()``), with
        ``residuals()`` and ``predict()`` over the partitions.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> fit = hd.cox_ph("time", "status", ["age", "sex"], data=ddf)
    >>> fit.coef.round(5)
    array([ 0.04672, -0.14712])
    """
    data = _frame(data, "cox_ph")
    if na_action not in ("fail", "drop"):
        raise ValueError(f"argument `na_action`: unknown value \"{na_action}\"; accepted: \"fail\", \"drop\"")
    covs = _names(covariates, "covariates")
    cols = [_names(time, "time")[0], _names(event, "event")[0], covs]
    extra = [(_names(x, a) or [None])[0] for x, a in ((entry, "entry"), (strata, "strata"), (weights, "weights"),
                                                      (offset, "offset"), (cluster, "cluster"))]
    missing_cols = [c for c in [cols[0], cols[1], *covs, *extra] if c is not None and c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    levels = _levels(data, covs)
    design = _design_of(levels)
    strata_levels = _levels(data, [extra[1]])[extra[1]] if extra[1] is not None else None
    if strata_levels is None and extra[1] is not None:  # a numeric stratum column
        strata_levels = sorted(_compute(data[extra[1]].dropna().unique())[0].tolist())
    n_clusters = None
    if extra[4] is not None:
        used = data[[c for c in [cols[0], cols[1], *covs, *extra] if c is not None]]
        if na_action == "drop":
            used = used.dropna()
        n_clusters = int(_compute(used[extra[4]].nunique())[0])
    r, driver = call("cox_partitioned", {
        "covariate_names": design.names, "ties": ties, "max_iter": max_iter, "eps": eps, "conf_level": conf_level,
        "init": None if init is None else np.asarray(init, dtype=np.float64), "has_entry": extra[0] is not None,
        "strata_levels": None if strata_levels is None else [str(v) for v in strata_levels],
        "robust": robust, "n_clusters": n_clusters})
    request, n_dropped = r["request"], 0
    spec = (*cols, *extra, na_action)
    while request is not None:
        parts = _run(data, _cox_part, spec, design, strata_levels, request)
        n_dropped = sum(p.pop("n_dropped") for p in parts)
        request = driver.call("step", {"parts": [p for p in parts if "names" in p]})["request"]
    res = _result(driver)
    return CoxPH(res, driver, design, res["strata_levels"], n_dropped, data, spec, strata_levels)


# ---- Kaplan–Meier -------------------------------------------------------------------------

def _km_part(pdf, cols, time, event, entry, strata):
    # the in-memory checks first, so that errors name the row of the partition (the
    # strata's sizes are checked on the merged counts)
    for c in _names(strata, "strata"):
        _no_missing(pdf, c, "strata")
    _survival.kaplan_meier(time, event, entry=entry, data=pdf)
    counts = pdf.groupby(cols, sort=False, dropna=False, observed=True).size()
    return counts.rename("__n").reset_index()


def kaplan_meier(time: str, event: str, *, entry: str | None = None, strata: str | list[str] | None = None,
                 conf_type: str = "log", conf_level: float = 0.95,
                 data: dd.DataFrame | None = None) -> _survival.KaplanMeier:
    """:func:`hrrstats.kaplan_meier` of a Dask DataFrame: the same curves and Greenwood
    standard errors.

    Each partition is reduced to its distinct (stratum, entry, time, status) rows with
    counts; the counts are added and the estimator run on them (with integer counts as
    case weights the Greenwood variance equals the per-row one). Case weights are not
    offered.

    Parameters
    ----------
    time : str
        Column: exit times.
    event : str
        Column: 1 = event, 0 = censored.
    entry : str, optional
        Column: entry times.
    strata : str or list of str, optional
        Grouping columns.
    conf_type : {"log", "log-log", "plain", "logit", "arcsin", "none"}, default "log"
        Transformation of the pointwise limits.
    conf_level : float, default 0.95
        Level of the limits.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    KaplanMeier
        As :func:`hrrstats.kaplan_meier`.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> hd.kaplan_meier("time", "status", strata="stage", data=ddf).median()
      strata  median   lower   upper
    0      1  4316.0  4190.0  4570.0
    1      2  3639.0  3459.0  3776.0
    2      3  1773.0  1652.0  1888.0
    3      4   303.0   286.0   319.0
    """
    data = _frame(data, "kaplan_meier")
    cols = _names(strata, "strata") + _names(entry, "entry") + [_names(time, "time")[0], _names(event, "event")[0]]
    missing_cols = [c for c in cols if c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    parts = _run(data, _km_part, cols, time, event, entry, strata)
    if not parts:
        raise ValueError("argument `data`: no rows")
    merged = pd.concat(parts, ignore_index=True).groupby(cols, sort=True, dropna=False, observed=True)["__n"].sum()
    merged = merged.reset_index()
    return _survival.kaplan_meier(cols[-2], cols[-1], entry=entry, strata=strata, weights=merged["__n"].to_numpy(float),
                                  conf_type=conf_type, conf_level=conf_level, data=merged)


# ---- log-rank -------------------------------------------------------------------------------

def _logrank_part(pdf, cols, group_levels, strata_levels, request):
    time, event, group, entry, strata = cols
    args = {"time": floats(pdf[time], "time"), "status": floats(pdf[event], "event"),
            "group": _codes_of(pdf, group, group_levels, "group"), "labels": EVENT_LABEL}
    if entry is not None:
        args["entry"] = floats(pdf[entry], "entry")
    if strata is not None:
        args["strata"] = _codes_of(pdf, strata, strata_levels, "strata")
    args.update({k: v for k, v in request.items() if v is not None})
    return call("logrank_part_pass", args)[0]


def _distinct(data, col):
    """The sorted distinct values of a column of the whole data."""
    lv = _levels(data, [col])[col]
    return lv if lv is not None else sorted(_compute(data[col].dropna().unique())[0].tolist())


def logrank_test(time: str, event: str, group: str, *, strata: str | None = None, rho: float = 0.0,
                 entry: str | None = None, data: dd.DataFrame | None = None) -> _survival.LogrankTest:
    """:func:`hrrstats.logrank_test` of a Dask DataFrame: the same statistic, observed,
    expected and variance (survdiff's formulas), from two passes over the partitions
    (the event times, then per event time and group the numbers at risk and deaths).

    Parameters
    ----------
    time : str
        Column: exit times.
    event : str
        Column: 1 = event, 0 = censored.
    group : str
        Column: the groups compared.
    strata : str, optional
        Column: strata for a stratified test.
    rho : float, default 0.0
        Fleming-Harrington weight S(t-)^rho (0: log-rank).
    entry : str, optional
        Column: entry times.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    LogrankTest
        As :func:`hrrstats.logrank_test` (statistic, df, p_value, observed, expected).

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> lr = hd.logrank_test("time", "status", "stage", data=ddf)
    >>> round(lr.statistic, 1), lr.df
    (7717.6, 3)
    """
    data = _frame(data, "logrank_test")
    cols = [_names(time, "time")[0], _names(event, "event")[0], _names(group, "group")[0],
            (_names(entry, "entry") or [None])[0], (_names(strata, "strata") or [None])[0]]
    missing_cols = [c for c in cols if c is not None and c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    group_levels = _distinct(data, cols[2])
    strata_levels = None if cols[4] is None else _distinct(data, cols[4])
    r, driver = call("logrank_partitioned", {"rho": float(rho)})
    request = r["request"]
    while request is not None:
        parts = _run(data, _logrank_part, cols, group_levels, strata_levels, request)
        request = driver.call("step", {"parts": parts})["request"]
    res = _result(driver)
    return _survival.LogrankTest(res, [str(v) for v in group_levels], 0)


# ---- cumulative incidence ----------------------------------------------------------------

def _cif_part(pdf, cols, time, cause, group, entry, strata, censor_code, weights):
    _competing.cumulative_incidence(time, cause, entry=entry, censor_code=censor_code, weights=weights, data=pdf)
    for c, arg in ((group, "group"), (strata, "strata")):
        if c is not None:
            _no_missing(pdf, c, arg)
    frame = pdf[cols].assign(__n=1.0)
    if weights is not None:
        w = floats(pdf[weights], "weights")
        frame = frame.assign(__w=w, __w2=w * w)
    value = ["__n"] + (["__w", "__w2"] if weights is not None else [])
    return frame.groupby(cols, sort=False, dropna=False, observed=True)[value].sum().reset_index()


def cumulative_incidence(time: str, cause: str, *, group: str | None = None, entry: str | None = None,
                         censor_code: float = 0, weights: str | None = None, strata: str | None = None,
                         conf_type: str = "log-log", conf_level: float = 0.95, rho: float = 0.0,
                         variance: str = "cuminc",
                         data: dd.DataFrame | None = None) -> _competing.CumulativeIncidence:
    """:func:`hrrstats.cumulative_incidence` of a Dask DataFrame: the same curves,
    variances (cmprsk's delta method, or with ``variance="survfit"`` survfit's
    infinitesimal jackknife) and limits, and Gray's test.

    Each partition is reduced to its distinct (group, strata, entry, time, cause) rows
    with their number, and with ``weights`` the sums of their weights and squared
    weights; the merged rows are frequency weights (unweighted data) or weighted rows
    carrying their ``sum w^2`` (the jackknife's per-row influence is shared by rows with
    the same group, entry, exit and cause), so every number is the in-memory one. With
    case weights there is no Gray's test, as in memory.

    Parameters
    ----------
    time : str
        Column: exit times.
    cause : str
        Column: cause codes (``censor_code`` for censored rows).
    group : str, optional
        Column: groups (Gray's test compares them).
    entry : str, optional
        Column: entry times.
    censor_code : float, default 0
        The code of censored rows.
    weights : str, optional
        Column: case weights.
    strata : str, optional
        Column: strata of Gray's test.
    conf_type : {"log-log", "log", "plain"}, default "log-log"
        Transformation of the pointwise limits.
    conf_level : float, default 0.95
        Level of the limits.
    rho : float, default 0.0
        Gray's test weight.
    variance : {"cuminc", "survfit"}, default "cuminc"
        cmprsk's delta-method variance or survfit's infinitesimal jackknife.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    CumulativeIncidence
        As :func:`hrrstats.cumulative_incidence`.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> ddf = ddf.assign(cause=ddf["status"] * (1 + (ddf["stage"] < 3)))
    >>> ci = hd.cumulative_incidence("time", "cause", group="sex", data=ddf)
    >>> ci.at([1826]).round(4)
       group  cause    time  estimate  variance  std_err
    0      1      1  1826.0    0.3322       0.0   0.0046
    1      1      2  1826.0    0.1628       0.0   0.0036
    2      2      1  1826.0    0.3222       0.0   0.0048
    3      2      2  1826.0    0.1363       0.0   0.0035
    """
    data = _frame(data, "cumulative_incidence")
    names = {a: (_names(x, a) or [None])[0] for a, x in (("group", group), ("strata", strata), ("entry", entry),
                                                       ("weights", weights))}
    cols = [c for c in (names["group"], names["strata"], names["entry"]) if c is not None]
    cols += [_names(time, "time")[0], _names(cause, "cause")[0]]
    missing_cols = [c for c in cols + [names["weights"]] if c is not None and c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    parts = _run(data, _cif_part, cols, cols[-2], cols[-1], names["group"], names["entry"], names["strata"],
                 censor_code, names["weights"])
    if not parts:
        raise ValueError("argument `data`: no rows")
    value = [c for c in parts[0].columns if c.startswith("__")]
    merged = pd.concat(parts, ignore_index=True).groupby(cols, sort=True, dropna=False, observed=True)[value].sum()
    merged = merged.reset_index()
    args, levels, _ = resolve({"time": (cols[-2], "num"), "cause": (cols[-1], "num"),
                               "entry": (names["entry"], "num"), "group": (names["group"], "group"),
                               "strata": (names["strata"], "group")}, merged)
    args.update(censor_code=censor_code, conf_type=conf_type, conf_level=conf_level, rho=rho, variance=variance)
    if names["weights"] is None:
        args.update(weights=merged["__n"].to_numpy(float), frequency_weights=True)
    else:
        args.update(weights=merged["__w"].to_numpy(float), weights_squared=merged["__w2"].to_numpy(float))
    res, fit = call("cumulative_incidence", args)
    group_levels = levels.get("group", ["all"])
    out = _competing.CumulativeIncidence(res, fit, group_levels, 0)
    # persons per group (the merged table's rows stand for several)
    codes = args["group"][0] if args.get("group") is not None else np.zeros(len(merged), dtype=np.int64)
    out.n = np.bincount(np.asarray(codes, dtype=np.int64), weights=merged["__n"].to_numpy(float),
                        minlength=len(group_levels)).astype(np.int64)
    return out


# ---- interval net survival ---------------------------------------------------------------

def _interval_part(pdf, cols, ratetable, group_levels, options):
    time, event, age, year, sex, group = cols
    args = _relsurv._inputs(ratetable, time, event, age, year, sex, pdf)
    if group is not None:
        args["group"] = _codes_of(pdf, group, group_levels, "group")
    args.update(options)
    r, _ = call("interval_part_pass", args)
    return r


def interval_net_survival(time: str, event: str, age: str, year: str, sex: str, ratetable: _relsurv.RateTable, *,
                          breaks: Sequence[float] | None = None, method: str = "pohar-perme",
                          group: str | None = None, pp_weight: str = "midpoint", conf_type: str = "log-log",
                          conf_level: float = 0.95,
                          data: dd.DataFrame | None = None) -> _relsurv.IntervalNetSurvival:
    """:func:`hrrstats.interval_net_survival` of a Dask DataFrame: the same life table.

    One pass in which each partition sums, per group and interval, its persons'
    person-time, deaths, expected deaths and Pohar-Perme weighted sums; the driver adds
    them and finishes the table. ``age_standardized`` and ``at`` work on the result
    as in memory.

    Parameters
    ----------
    time : str
        Column: follow-up time in the rate table's ``time_unit``.
    event : str
        Column: 1 = died, 0 = censored.
    age : str
        Column: age at diagnosis (years).
    year : str
        Column: calendar year (decimal) of diagnosis.
    sex : str
        Column: sex, coded as in the rate table.
    ratetable : hrrstats.RateTable
        Population hazards.
    breaks : sequence of float, optional
        Interval boundaries in years (default yearly to 10 years).
    method : {"pohar-perme", "ederer2"}, default "pohar-perme"
        Net or relative survival.
    group : str, optional
        Column: a table per group.
    pp_weight : {"midpoint", "popepi"}, default "midpoint"
        The Pohar-Perme weight's time (see :func:`hrrstats.interval_net_survival`).
    conf_type : {"log-log", "log", "plain"}, default "log-log"
        Transformation of the limits.
    conf_level : float, default 0.95
        Level of the limits.
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    IntervalNetSurvival
        As :func:`hrrstats.interval_net_survival`.

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> df = hs.example_cohort()
    >>> ddf = dd.from_pandas(df, npartitions=4)
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year",
    ...                              sex="sex", rate="rate", time_unit="days")
    >>> ins = hd.interval_net_survival("time", "status", "age", "year", "sex", rt,
    ...                                breaks=[0, 1, 5], data=ddf)
    >>> ins.at([1, 5]).round(4)
      group  time  survival  std_err   lower   upper
    0   all   1.0    0.8237   0.0031  0.8176  0.8296
    1   all   5.0    0.6500   0.0050  0.6401  0.6597
    """
    data = _frame(data, "interval_net_survival")
    cols = [_names(x, a)[0] for x, a in ((time, "time"), (event, "event"), (age, "age"), (year, "year"),
                                         (sex, "sex"))] + [(_names(group, "group") or [None])[0]]
    missing_cols = [c for c in cols if c is not None and c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    if not isinstance(ratetable, _relsurv.RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    group_levels = None if cols[5] is None else _distinct(data, cols[5])
    br = None if breaks is None else np.ascontiguousarray(np.asarray(breaks, dtype=np.float64))
    options = {k: v for k, v in dict(breaks=br, method=method, pp_weight=pp_weight, conf_type=conf_type,
                                     conf_level=conf_level).items() if v is not None}
    r, driver = call("interval_partitioned", {"ratetable": ratetable._rec, **options})
    parts = _run(data, _interval_part, cols, ratetable, group_levels, options)
    driver.call("step", {"parts": parts})
    res = _result(driver)
    return _relsurv.IntervalNetSurvival(res, driver, ["all"] if group_levels is None else group_levels)


# ---- net survival (continuous) -------------------------------------------------------

def _net_part(pdf, cols, ratetable, strata_levels, options, request):
    time, event, age, year, sex, strata = cols
    args = _relsurv._inputs(ratetable, time, event, age, year, sex, pdf)
    if strata is not None:
        args["strata"] = _codes_of(pdf, strata, strata_levels, "strata")
    args.update(options)
    args.update({k: v for k, v in request.items() if v is not None})
    return call("net_survival_part_pass", args)[0]


def net_survival(time: str, event: str, age: str, year: str, sex: str, ratetable: _relsurv.RateTable, *,
                 method: str = "pohar-perme", strata: str | None = None, conf_type: str = "log",
                 conf_level: float = 0.95, precision: float | None = None,
                 data: dd.DataFrame | None = None) -> _relsurv.NetSurvival:
    """:func:`hrrstats.net_survival` of a Dask DataFrame: the same Pohar-Perme (or
    Ederer II) curves, standard errors and limits.

    Two passes: each partition's distinct follow-up times, then, on the merged times,
    each partition's sums over its persons (per integration step of ``precision`` the
    population hazard weighted by ``1/S*_i``, per time the deaths' ``sum 1/S*_i`` and
    ``sum 1/S*_i^2``); a partition sends five numbers per integration step (follow-up /
    ``precision``). Ederer I and Hakulinen (which integrate every person over the whole
    follow-up) are not offered over partitions.

    Parameters
    ----------
    time : str
        Column: follow-up time in ``ratetable.time_unit`` (e.g. days).
    event : str
        Column: 1 = died, 0 = censored.
    age : str
        Column: age in years at diagnosis.
    year : str
        Column: calendar time of diagnosis (decimal years or dates).
    sex : str
        Column: sex, as labelled in the rate table.
    ratetable : RateTable
        The population hazards (:meth:`hrrstats.RateTable.from_frame`).
    method : {"pohar-perme", "ederer2"}, default "pohar-perme"
        The estimator (rs.surv's ``method``).
    strata : str, optional
        Column: one curve per stratum.
    conf_type : {"log", "log-log", "plain"}, default "log"
        Transformation of the confidence intervals.
    conf_level : float, default 0.95
        Confidence level.
    precision : float, optional
        The step of the numerical integration (default one day).
    data : dask.dataframe.DataFrame
        The data; string arguments name its columns.

    Returns
    -------
    NetSurvival
        As :func:`hrrstats.net_survival` (``table()``, ``at()``,
        ``age_standardized()``, ``plot()``).

    Examples
    --------
    >>> import hrrstats as hs
    >>> import hrrstats.dask as hd
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(hs.example_cohort(), npartitions=4)
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
    >>> ns = hd.net_survival("time", "status", "age", "year", "sex", rt, strata="stage", data=ddf)
    >>> ns.at([5 * 365.241])[["strata", "survival", "lower", "upper"]].round(3)
      strata  survival  lower  upper
    0      1     0.957  0.938  0.977
    1      2     0.862  0.844  0.881
    2      3     0.618  0.599  0.636
    3      4     0.115  0.104  0.127
    """
    data = _frame(data, "net_survival")
    cols = [_names(x, a)[0] for x, a in ((time, "time"), (event, "event"), (age, "age"), (year, "year"),
                                         (sex, "sex"))] + [(_names(strata, "strata") or [None])[0]]
    missing_cols = [c for c in cols if c is not None and c not in data.columns]
    if missing_cols:
        raise ValueError(f"argument `data`: no column \"{missing_cols[0]}\"")
    if not isinstance(ratetable, _relsurv.RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    strata_levels = None if cols[5] is None else _distinct(data, cols[5])
    options = {k: v for k, v in dict(method=method, precision=precision, conf_type=conf_type,
                                     conf_level=conf_level).items() if v is not None}
    r, driver = call("net_survival_partitioned", {"ratetable": ratetable._rec, **options})
    request = r["request"]
    while request is not None:
        parts = _run(data, _net_part, cols, ratetable, strata_levels, options, request)
        if not parts:
            raise ValueError("argument `data`: no rows")
        request = driver.call("step", {"parts": parts})["request"]
    res = _result(driver)
    return _relsurv.NetSurvival(res, driver, ["all"] if strata_levels is None else strata_levels)
