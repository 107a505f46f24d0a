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
    """Cell suppression of a frequency (count) table with its margins.

    df: one row per cell (a pandas or polars DataFrame, or an hrrstats result with
    ``table()``, e.g. ``person_time_table`` output, ``sir(...)``, a Kaplan-Meier fit);
    count: the column of counts (non-negative; absent combinations count 0; if there is
    no such column, the first of n, count, events, observed, n_risk, n_event, deaths);
    dims: one to three column names, the table's dimensions.

    Primary suppression: cells (margins included) with ``0 < count < threshold``, and
    zeros with ``suppress_zeros``. Secondary suppression then guarantees that an
    attacker who knows every published cell, the margins and that counts are
    non-negative cannot narrow any primary cell to an interval shorter than
    ``protection`` (default: the threshold): the attacker's interval [lower, upper]
    (the minimum and maximum of the cell over all non-negative tables that agree with
    what is published, by linear programming, rounded inwards for whole-number counts)
    has ``upper - lower >= protection``. Secondary cells are chosen greedily by
    hypercubes (cheapest by ``cost``: "value", the suppressed total, or "cells", their
    number), and every suppressed cell's interval is then computed by the LP audit.
    margins: with True (default) the margins (every total along each dimension, their
    crossings and the grand total) are rows of the result, marked ``total`` in the
    dimension columns, and are protected as published cells; with False the totals are
    not published, nothing links the cells and only primary suppression applies.

    exact_intervals: False (default): for each primary cell ``lower`` is the attacker's
    exact minimum and the maximum is pursued only until the cell is certified protected,
    so ``upper`` is a value the attacker cannot rule out (the exact maximum is at least
    that), and secondary cells are not audited (NaN); True: the attacker's exact
    interval of every suppressed cell (slower).

    Returns a DataFrame: the dimension columns, the count column, the other columns of
    ``df`` (missing for added rows), ``suppressed`` (bool), ``reason`` ("primary",
    "secondary" or ""), ``lower`` and ``upper`` (the audit's interval, see
    exact_intervals; the count for a published cell; ``inf`` when unbounded). Rows: the input cells in their order,
    then combinations absent from ``df`` (count 0), then the margins. ``attrs``:
    n_primary, n_secondary, suppressed_total, threshold, protection.
    The counts of suppressed cells are still in the result: blank them before
    publishing (e.g. ``out.loc[out.suppressed, "n"] = None``).
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
