"""Disclosure control of tables (cell suppression, controlled rounding): arguments and result.

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
    """The cells as a pandas DataFrame, and whether ``df`` was an hrrstats result."""
    result = False
    if hasattr(df, "table") and callable(df.table) and not isinstance(df, pd.DataFrame):
        df = df.table()
        result = True
    if hasattr(df, "to_pandas") and not isinstance(df, pd.DataFrame):  # polars
        df = df.to_pandas()
    if not isinstance(df, pd.DataFrame):
        raise TypeError("argument `df` must be a DataFrame (pandas or polars) or a result with table()")
    return df.reset_index(drop=True), result


def _hierarchy(spec, d):
    """(child labels, parent labels) of one dimension's hierarchy: a mapping child ->
    parent (dict or Series) or a DataFrame whose first two columns are child, parent."""
    if isinstance(spec, pd.DataFrame):
        if spec.shape[1] < 2:
            raise ValueError(f"argument `hierarchies`: dimension `{d}`: a DataFrame needs columns child, parent")
        child, parent = spec.iloc[:, 0], spec.iloc[:, 1]
    elif hasattr(spec, "items"):
        pairs = list(spec.items())
        child, parent = [c for c, _ in pairs], [q for _, q in pairs]
    else:
        raise TypeError(f"argument `hierarchies`: dimension `{d}` must be a mapping child -> parent or a DataFrame")
    return {"child": [str(c) for c in child], "parent": [str(q) for q in parent]}


def protect_table(df, count="n", dims=None, *, threshold=None, protection=None, suppress_zeros=None, margins=True,
                  cost=None, exact_intervals=None, total="Total", magnitude=None, unit=None, p=None,
                  dominance=None, hierarchies=None, method="suppress", base=None):
    """Disclosure control of a table with its margins: cell suppression (count tables by
    a threshold, magnitude tables by the p%-rule and the (n, k) dominance rule) with an
    LP audit, or controlled rounding.

    df: one row per cell (a pandas or polars DataFrame, or an hrrstats result with
    ``table()``, e.g. ``person_time_table`` output, ``sir(...)``, a Kaplan-Meier fit;
    a result's overall rows, where every dimension is missing, are its own totals and
    give way to the protected margins);
    count: the column of counts (non-negative; absent combinations count 0; if there is
    no such column, the first of n, count, events, observed, n_risk, n_event, deaths);
    dims: one to three column names, the table's dimensions.

    Primary suppression: cells (margins included) with ``0 < count < threshold``
    (default 5), and zeros with ``suppress_zeros``. Secondary suppression then
    guarantees that an attacker who knows every published cell, the margins and that
    counts are non-negative cannot narrow any primary cell to an interval shorter than
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

    Magnitude tables: ``magnitude`` names the column of contributions, ``df`` holding
    one row per contribution (e.g. per enterprise or per patient: the dimension
    columns, the contribution, and optionally ``unit``, whose rows in a cell are summed
    into one contribution). A cell's value is the sum; with ``x1 >= x2 >= ...`` its
    largest contributions and ``X`` the total, it is sensitive by the p%-rule
    (``p``, a percentage) when ``X - x1 - x2 < p/100 x1``, and by the dominance rule
    (``dominance=(n, k)``) when ``x1 + ... + xn > k/100 X``. Each sensitive cell must
    then be protected by the levels of Hundepool et al. (2012, Statistical Disclosure
    Control, ch. 4): the attacker's upper bound at least ``X + UPL`` and lower bound at
    most ``X - LPL``, with ``UPL = LPL = p/100 x1 - (X - x1 - x2)`` for the p%-rule and
    ``100/k (x1 + ... + xn) - X`` for dominance (the larger with both rules). The
    result then has the columns ``contributors`` (number of units) and
    ``protection_level`` (the level required of a primary cell, else 0), and no other
    columns of ``df``. ``threshold``, ``protection`` and ``suppress_zeros`` apply to
    count tables only.

    hierarchies: subtotals within a dimension, ``{dim: {child: parent, ...}}`` (a dict
    or Series per dimension, or a DataFrame of columns child, parent), e.g.
    municipality -> county -> region. Labels that are parents are subtotals (rows of
    the result with that label in the dimension column); a node without a parent is
    under the total. Every level's equations are protected and audited.

    method: "suppress" (default) or "round": controlled rounding to ``base`` (default
    5): every cell, margins and subtotals included, rounded to one of the two
    multiples of ``base`` next to it (multiples, zeros included, unchanged) so that the
    published table still adds up; the result's ``rounded`` column. In one and two
    dimensions without subtotals such a rounding always exists (found as an integral
    network flow); otherwise (three dimensions, subtotals) it need not exist and an
    error says so when none is found.

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
    frame, is_result = _frame(df)
    if isinstance(dims, str):
        dims = [dims]
    if dims is None or len(dims) == 0:
        raise ValueError("argument `dims`: name one to three columns of `df` (the table's dimensions)")
    if is_result and all(d in frame.columns for d in dims):
        # an hrrstats result's overall rows (every dimension missing, e.g. sir's total)
        # are its own totals: the protected margins take their place
        overall = frame[list(dims)].isna().all(axis=1).to_numpy()
        if overall.any():
            frame = frame[~overall].reset_index(drop=True)
    if magnitude is not None:
        if not isinstance(magnitude, str) or magnitude not in frame.columns:
            raise ValueError(f"argument `magnitude`: no column {magnitude!r} in df")
        count = magnitude
    elif count not in frame.columns:
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
    label = "magnitude" if magnitude is not None else "count"
    cnt = floats(column(count, label, frame), label)
    dim_args, dim_levels = {}, {}
    for d in dims:
        arr = column(d, "dims", frame, categorical=True, dates=True)
        c, lev = codes([arr], "dims", n)
        dim_args[d] = (c, [str(x) for x in lev])
        dim_levels[d] = lev
    hier = None
    if hierarchies is not None:
        if not hasattr(hierarchies, "items"):
            raise TypeError("argument `hierarchies` must be a dict {dimension: {child: parent}}")
        hier = {str(d): _hierarchy(h, d) for d, h in hierarchies.items()}
    unit_arg = None
    if unit is not None:
        ua = column(unit, "unit", frame, categorical=True, dates=True)
        unit_arg = codes([ua], "unit", n)
        unit_arg = (unit_arg[0], [str(x) for x in unit_arg[1]])
    dom_n = dom_k = None
    if dominance is not None:
        try:
            dom_n, dom_k = (float(v) for v in dominance)
        except (TypeError, ValueError) as e:
            raise ValueError("argument `dominance`: give (n, k), e.g. (1, 80)") from e
    args = {"dims": dim_args, "threshold": threshold, "protection": protection, "suppress_zeros": suppress_zeros,
            "margins": margins, "cost": cost, "exact_intervals": exact_intervals, "hierarchies": hier,
            "method": method, "base": base, "p": p, "dominance_n": dom_n, "dominance_k": dom_k, "unit": unit_arg}
    args["magnitude" if magnitude is not None else "count"] = cnt
    res, _ = call("protect_table", args)
    t = res["table"]
    labels = res["labels"]
    out = {}
    for d in dims:
        code = np.asarray(t[d], dtype=np.int64)
        lev = list(dim_levels[d])
        extra = [str(x) for x in labels[d][len(lev):]]
        if total in [str(x) for x in lev] + extra and (code < 0).any():
            raise ValueError(f"argument `total`: {total!r} is a level of {d!r}; choose another marker")
        names = lev + extra
        src = frame[d]
        if isinstance(src.dtype, pd.CategoricalDtype):
            cats = list(src.cat.categories) + [x for x in extra if x not in list(src.cat.categories)] \
                + ([total] if (code < 0).any() else [])
            vals = [total if c < 0 else names[c] for c in code]
            out[d] = pd.Categorical(vals, categories=cats, ordered=src.cat.ordered)
        elif (code < 0).any() or (code >= len(lev)).any():
            out[d] = pd.Series([total if c < 0 else names[c] for c in code], dtype=object)
        else:
            out[d] = pd.Series([lev[c] for c in code]).astype(src.dtype, errors="ignore")
    out[count] = np.asarray(t["count"], dtype=np.float64)
    if pd.api.types.is_integer_dtype(frame[count].dtype) and magnitude is None:
        out[count] = out[count].astype(np.int64)
    row = np.asarray(t["row"], dtype=np.int64)
    others = [] if magnitude is not None else [c for c in frame.columns if c not in dims and c != count]
    for c in others:
        src = frame[c]
        taken = src.iloc[np.where(row >= 0, row, 0)].reset_index(drop=True)
        out[c] = taken.where(pd.Series(row >= 0), None) if (row < 0).any() else taken
    if res["method"] == "round":
        out["rounded"] = np.asarray(t["rounded"], dtype=np.float64)
        if pd.api.types.is_integer_dtype(frame[count].dtype):
            out["rounded"] = out["rounded"].astype(np.int64)
        result = pd.DataFrame(out)
        result.attrs.update(method="round", base=float(res["base"]), margins=bool(res["margins"]), total=total)
        return result
    out["suppressed"] = np.asarray(t["suppressed"], dtype=bool)
    out["reason"] = list(t["reason"])
    out["lower"] = np.asarray(t["lower"], dtype=np.float64)
    out["upper"] = np.asarray(t["upper"], dtype=np.float64)
    if magnitude is not None:
        out["contributors"] = np.asarray(t["contributors"], dtype=np.float64).astype(np.int64)
        out["protection_level"] = np.asarray(t["protection_level"], dtype=np.float64)
    result = pd.DataFrame(out)
    result.attrs.update(n_primary=int(res["n_primary"]), n_secondary=int(res["n_secondary"]),
                        suppressed_total=float(res["suppressed_total"]), threshold=float(res["threshold"]),
                        protection=float(res["protection"]), margins=bool(res["margins"]), cost=res["cost"],
                        total=total, method="suppress")
    if magnitude is not None:
        result.attrs.update(p=p, dominance=None if dominance is None else (int(dom_n), dom_k))
    return result
