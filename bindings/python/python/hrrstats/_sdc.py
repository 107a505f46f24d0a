"""Disclosure control of tables (cell suppression, controlled rounding): arguments and result.

Primary suppression, the hypercube secondary suppression and the LP audit of every
suppressed cell are computed by the Rust core (``protect_table`` through the protocol);
this module resolves the columns, factorises the dimensions and puts the labels (and
the "Total" marker of the margins) back.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import coded, column, floats
from ._progress import quiet as _quiet
from ._protocol import call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import DataFrameLike

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


def protect_table(df: DataFrameLike, count: str = "n", dims: str | list[str] | None = None, *,
                  threshold: float | None = None, protection: float | None = None,
                  suppress_zeros: bool | None = None, margins: bool = True, cost: str | None = None,
                  exact_intervals: bool | None = None, total: str = "Total", magnitude: str | None = None,
                  unit: str | None = None, p: float | None = None, dominance: tuple[int, float] | None = None,
                  hierarchies: dict | None = None, method: str = "suppress", base: int | None = None,
                  quiet: bool = False) -> pd.DataFrame:
    """Disclosure control of a table with its margins: cell suppression (count tables by
    a threshold, magnitude tables by the p%-rule and the (n, k) dominance rule) with an
    exact linear-programming audit, or controlled rounding.

    Primary suppression: cells (margins included) with ``0 < count < threshold``, and
    zeros with ``suppress_zeros``; in magnitude tables, the cells sensitive by the
    p%-rule or the dominance rule. Secondary suppression then guarantees that an
    attacker who knows every published cell, the margins (and subtotals) and that
    counts are non-negative cannot narrow any primary cell to an interval shorter than
    its protection: the attacker's interval [lower, upper] (the minimum and maximum of
    the cell over all non-negative tables that agree with what is published, by linear
    programming, rounded inwards for whole-number counts) has ``upper - lower >=
    protection`` (count tables), or reaches ``X + UPL`` and ``X - LPL`` (magnitude
    tables). Secondary cells are chosen greedily by hypercubes (Repsilber 1994;
    Giessing 2004), and every suppressed cell's interval is then computed by the LP
    audit (progress is shown for long audits, see :func:`set_progress`).

    Magnitude tables: with ``x1 >= x2 >= ...`` a cell's largest contributions and ``X``
    its total, the cell is sensitive by the p%-rule when ``X - x1 - x2 < p/100 x1`` and
    by the (n, k) dominance rule when ``x1 + ... + xn > k/100 X``; it must then keep the
    protection levels of Hundepool et al. (2012, ch. 4), ``UPL = LPL = p/100 x1 - (X -
    x1 - x2)`` for the p%-rule and ``100/k (x1 + ... + xn) - X`` for dominance (the
    larger with both rules).

    Controlled rounding (``method="round"``): every cell, margins and subtotals
    included, is rounded to one of the two multiples of ``base`` next to it (multiples,
    zeros included, unchanged) so that the published table still adds up. In one and
    two dimensions without subtotals such a rounding always exists (found as an
    integral network flow); otherwise (three dimensions, subtotals) it need not exist
    and an error says so when none is found.

    Parameters
    ----------
    df : pandas or polars DataFrame, or a result with ``table()``
        One row per cell (e.g. ``person_time_table`` output, ``sir(...)``, a
        Kaplan-Meier fit; a result's overall rows, where every dimension is missing,
        are its own totals and give way to the protected margins), or for magnitude
        tables one row per contribution.
    count : str, default "n"
        The column of counts (non-negative; absent combinations count 0; if there is no
        such column, the first of n, count, events, observed, n_risk, n_event, deaths).
    dims : str or list of str
        One to three column names: the table's dimensions.
    threshold : float, optional
        Cells with ``0 < count < threshold`` are primary (default 5; count tables).
    protection : float, optional
        The width of interval each primary cell must keep (default: the threshold;
        count tables).
    suppress_zeros : bool, optional
        Zeros are primary too (default False; count tables).
    margins : bool, default True
        The margins (every total along each dimension, their crossings and the grand
        total) are rows of the result, marked ``total`` in the dimension columns, and
        protected as published cells; False: totals are not published, nothing links the
        cells and only primary suppression applies.
    cost : {"value", "cells"}, optional
        What the greedy secondary suppression minimises: the suppressed total (default)
        or the number of cells.
    exact_intervals : bool, optional
        False (default): for each primary cell ``lower`` is the attacker's exact minimum
        and the maximum is pursued only until the cell is certified protected (``upper``
        is a value the attacker cannot rule out), secondary cells are not audited (NaN);
        True: the exact interval of every suppressed cell (slower).
    total : str, default "Total"
        The label of the margins in the dimension columns.
    magnitude : str, optional
        A magnitude table: the column of contributions, ``df`` holding one row per
        contribution; a cell's value is their sum.
    unit : str, optional
        The column identifying contributors (enterprise, patient): one unit's rows in a
        cell, and in a margin, count as one contribution.
    p : float, optional
        The p%-rule's percentage (magnitude tables).
    dominance : tuple of (int, float), optional
        The (n, k) dominance rule: sensitive when the n largest contributions exceed
        k percent of the cell total (magnitude tables).
    hierarchies : dict, optional
        Subtotals within a dimension, ``{dim: {child: parent, ...}}`` (a dict or Series
        per dimension, or a DataFrame of columns child, parent), e.g. municipality ->
        county -> region. Labels that are parents are subtotals (rows of the result
        with that label in the dimension column); a node without a parent is under the
        total. Every level's equations are protected and audited.
    method : {"suppress", "round"}, default "suppress"
        Cell suppression or controlled rounding.
    base : int, optional
        The rounding base of ``method="round"`` (default 5).
    quiet : bool, default False
        No progress bar for this call (see :func:`hrrstats.set_progress`; the audit
        of large tables reports its progress).

    Returns
    -------
    pandas.DataFrame
        The dimension columns, the count column, the other columns of ``df`` (missing
        for added rows), ``suppressed`` (bool), ``reason`` ("primary", "secondary" or
        ""), ``lower`` and ``upper`` (the audit's interval; the count for a published
        cell; ``inf`` when unbounded); magnitude tables: ``contributors`` and
        ``protection_level`` (and no other columns of ``df``); rounding: ``rounded``.
        Rows: the input cells in their order, then
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
        dim_args[d], dim_levels[d] = coded(d, "dims", frame, n)
    hier = None
    if hierarchies is not None:
        if not hasattr(hierarchies, "items"):
            raise TypeError("argument `hierarchies` must be a dict {dimension: {child: parent}}")
        hier = {str(d): _hierarchy(h, d) for d, h in hierarchies.items()}
    unit_arg = None if unit is None else coded(unit, "unit", frame, n)[0]
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
    with _quiet(quiet):
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
