"""Disclosure control of count tables (cell suppression): arguments and result.

Primary suppression, the hypercube secondary suppression and the LP audit of every
suppressed cell are computed by the Rust core (``protect_table`` through the protocol);
this module resolves the columns, factorises the dimensions and puts the labels (and
the "Total" marker of the margins) back.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import codes, column, floats
from ._protocol import call

# count column looked for when ``count`` is not a column (hrrstats' own tables)
_COUNT_NAMES = ("n", "count", "events", "observed", "n_risk", "n_event", "deaths")


def _frame(df):
    if hasattr(df, "table") and callable(df.table) and not isinstance(df, pd.DataFrame):
        df = df.table()
    if hasattr(df, "to_pandas") and not isinstance(df, pd.DataFrame):  # polars
        df = df.to_pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError("argument `df` must be a DataFrame (pandas or polars) or a result with table()")
    return df.reset_index(drop=True)


def protect_table(df, count="n", dims=None, *, threshold=5, protection=None, suppress_zeros=False, margins=True,
                  cost="value", exact_intervals=False, total="Total"):
    """Cell suppression of a frequency (count) table with its margins (the hypercube
    method of tau-Argus / sdcTable, with an exact linear-programming audit).

    Primary suppression: cells (margins included) with ``0 < count < threshold``, and
    zeros with ``suppress_zeros``. Secondary suppression then guarantees that an attacker
    who knows every published cell, the margins and that counts are non-negative cannot
    narrow any primary cell to an interval shorter than ``protection``: the attacker's
    interval [lower, upper] (the minimum and maximum of the cell over all non-negative
    tables that agree with what is published, by linear programming, rounded inwards for
    whole-number counts) has ``upper - lower >= protection``. Secondary cells are chosen
    greedily by hypercubes (Repsilber 1994; Giessing 2004), and every suppressed cell's
    interval is then computed by the LP audit (progress is shown for long audits, see
    :func:`set_progress`).

    Parameters
    ----------
    df : pandas or polars DataFrame, or a result with ``table()``
        One row per cell (e.g. ``person_time_table`` output, ``sir(...)``, a
        Kaplan-Meier fit).
    count : str, default "n"
        The column of counts (non-negative; absent combinations count 0; if there is no
        such column, the first of n, count, events, observed, n_risk, n_event, deaths).
    dims : str or list of str
        One to three column names: the table's dimensions.
    threshold : float, default 5
        Cells with ``0 < count < threshold`` are primary.
    protection : float, optional
        The width of interval each primary cell must keep (default: the threshold).
    suppress_zeros : bool, default False
        Zeros are primary too.
    margins : bool, default True
        The margins (every total along each dimension, their crossings and the grand
        total) are rows of the result, marked ``total`` in the dimension columns, and
        protected as published cells; False: totals are not published, nothing links the
        cells and only primary suppression applies.
    cost : {"value", "cells"}, default "value"
        What the greedy secondary suppression minimises: the suppressed total or the
        number of cells.
    exact_intervals : bool, default False
        False: for each primary cell ``lower`` is the attacker's exact minimum and the
        maximum is pursued only until the cell is certified protected (``upper`` is a
        value the attacker cannot rule out), secondary cells are not audited (NaN); True:
        the exact interval of every suppressed cell (slower).
    total : str, default "Total"
        The label of the margins in the dimension columns.

    Returns
    -------
    pandas.DataFrame
        The dimension columns, the count column, the other columns of ``df`` (missing
        for added rows), ``suppressed`` (bool), ``reason`` ("primary", "secondary" or
        ""), ``lower`` and ``upper`` (the audit's interval; the count for a published
        cell; ``inf`` when unbounded). Rows: the input cells in their order, then
        combinations absent from ``df`` (count 0), then the margins. ``attrs``:
        n_primary, n_secondary, suppressed_total, threshold, protection. The counts of
        suppressed cells are still in the result: blank them before publishing (e.g.
        ``out.loc[out.suppressed, "n"] = None``).

    References
    ----------
    Hundepool A et al. (2012). Statistical Disclosure Control. Wiley, chapter 4.
    Giessing S, Repsilber D (2002). Tools and strategies to protect multiple tables with
    the GHQUAR cell suppression engine. LNCS 2316:181-92.

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> t = pd.DataFrame({"region": ["A", "A", "B", "B", "C", "C"], "sex": [1, 2, 1, 2, 1, 2],
    ...                   "n": [12, 3, 20, 15, 9, 11]})
    >>> out = hs.protect_table(t, "n", ["region", "sex"])
    >>> out[["region", "sex", "n", "suppressed", "reason"]].head(6)
      region sex   n  suppressed     reason
    0      A   1  12        True  secondary
    1      A   2   3        True    primary
    2      B   1  20       False
    3      B   2  15       False
    4      C   1   9        True  secondary
    5      C   2  11        True  secondary
    >>> out.attrs["n_primary"], out.attrs["n_secondary"]
    (1, 3)
    """
    frame = _frame(df)
    if isinstance(dims, str):
        dims = [dims]
    if dims is None or len(dims) == 0:
        raise ValueError("argument `dims`: name one to three columns of `df` (the table's dimensions)")
    if count not in frame.columns:
        found = [c for c in _COUNT_NAMES if c in frame.columns]
        if not found:
            raise ValueError(f"argument `count`: no column {count!r} in df")
        count = found[0]
    dims = list(dims)
    for d in dims:
        if d not in frame.columns:
            raise ValueError(f"argument `dims`: no column {d!r} in df")
    if count in dims:
        raise ValueError(f"argument `dims`: {count!r} is the count column")
    n = len(frame)
    cnt = floats(column(count, "count", frame), "count")
    dim_args, dim_levels = {}, {}
    for d in dims:
        arr = column(d, "dims", frame, categorical=True, dates=True)
        c, lev = codes([arr], "dims", n)
        dim_args[d] = (c, [str(x) for x in lev])
        dim_levels[d] = lev
    res, _ = call("protect_table", {"count": cnt, "dims": dim_args, "threshold": threshold,
                                    "protection": protection, "suppress_zeros": suppress_zeros,
                                    "margins": margins, "cost": cost, "exact_intervals": exact_intervals})
    t = res["table"]
    out = {}
    for d in dims:
        code = np.asarray(t[d], dtype=np.int64)
        lev = dim_levels[d]
        if total in [str(x) for x in lev] and (code < 0).any():
            raise ValueError(f"argument `total`: {total!r} is a level of {d!r}; choose another marker")
        src = frame[d]
        if isinstance(src.dtype, pd.CategoricalDtype):
            cats = list(src.cat.categories) + ([total] if (code < 0).any() else [])
            vals = [total if c < 0 else lev[c] for c in code]
            out[d] = pd.Categorical(vals, categories=cats, ordered=src.cat.ordered)
        elif (code < 0).any():
            out[d] = pd.Series([total if c < 0 else lev[c] for c in code], dtype=object)
        else:
            out[d] = pd.Series([lev[c] for c in code]).astype(src.dtype, errors="ignore")
    out[count] = np.asarray(t["count"], dtype=np.float64)
    if pd.api.types.is_integer_dtype(frame[count].dtype):
        out[count] = out[count].astype(np.int64)
    row = np.asarray(t["row"], dtype=np.int64)
    others = [c for c in frame.columns if c not in dims and c != count]
    for c in others:
        src = frame[c]
        taken = src.iloc[np.where(row >= 0, row, 0)].reset_index(drop=True)
        out[c] = taken.where(pd.Series(row >= 0), None) if (row < 0).any() else taken
    out["suppressed"] = np.asarray(t["suppressed"], dtype=bool)
    out["reason"] = list(t["reason"])
    out["lower"] = np.asarray(t["lower"], dtype=np.float64)
    out["upper"] = np.asarray(t["upper"], dtype=np.float64)
    result = pd.DataFrame(out)
    result.attrs.update(n_primary=int(res["n_primary"]), n_secondary=int(res["n_secondary"]),
                        suppressed_total=float(res["suppressed_total"]), threshold=float(res["threshold"]),
                        protection=float(res["protection"]), margins=bool(res["margins"]), cost=res["cost"],
                        total=total)
    return result
