"""Nested case-control (risk-set) sampling (``Epi::ccwc``): arguments and the result.

The sampling is done by the Rust core (``nested_case_control`` through the protocol,
with the core's own seeded generator, so a seed gives the same sets in Python and R);
this module resolves the columns and adds the matching columns of the sampled rows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._protocol import call, resolve

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


def nested_case_control(entry, exit: ArrayLike, status: ArrayLike, *, controls: int = 1, match=None,
                        seed: int | None = None, na_action: str = "fail",
                        data: DataFrameLike | None = None) -> pd.DataFrame:
    """Incidence-density (risk-set) sampling of controls for each case, as ``Epi::ccwc``.

    Parameters
    ----------
    entry : array-like, str or None
        Start of the time at risk ``[entry, exit]`` on the time scale of the sampling
        (follow-up time, age, calendar time); None: at risk from the start.
    exit : array-like or str
        End of the time at risk (the failure time of a case).
    status : array-like or str
        1 for a case (failure at exit), 0 censored.
    controls : int, default 1
        Controls per case.
    match : str, list of str or array-like, optional
        Matching variables: controls are drawn within the case's combination.
    seed : int, optional
        A whole number for a reproducible sample (None: drawn, and kept in
        ``result.attrs["seed"]``).
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        One row per sampled person: set (ccwc's set number), id (the row of the data,
        0-based), fail (1 case, 0 control), time (the set's failure time),
        n_eligible (the size of the set's risk set without its cases) and the
        matching columns; ``attrs``: seed, n_sets, n_incomplete (sets with fewer
        controls than asked), n_unmatched, n_dropped.

    See Also
    --------
    conditional_logistic : the analysis of the sampled sets.

    Examples
    --------
    >>> import warnings
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"] = 0.0
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     ncc = hs.nested_case_control("entry", "time", "status", controls=2, match="sex", seed=1, data=df)
    >>> [str(x.message) for x in w]
    ['there were tied failure times']
    >>> list(ncc.columns)
    ['set', 'id', 'fail', 'time', 'n_eligible', 'sex']
    >>> ncc.attrs["n_sets"], ncc.attrs["n_incomplete"]
    (6319, 0)
    """
    spec = {"exit": (exit, "num"), "status": (status, "num"), "entry": (entry, "num"),
            "match": (match, "group")}
    args, _, n_dropped = resolve(spec, data, na_action)
    args.update(controls=controls, seed=None if seed is None else float(seed))
    res, _ = call("nested_case_control", args)
    out = res["table"].copy()
    kept = args.get("rows")
    if kept is not None:
        out["id"] = kept.astype(np.int64)[out["id"].to_numpy()]
    names = [match] if isinstance(match, str) else list(match) if isinstance(match, (list, tuple)) else None
    if match is not None and data is not None and names and all(isinstance(c, str) for c in names):
        src = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        out = out.drop(columns="match")
        for c in names:
            out[c] = src[c].to_numpy()[out["id"].to_numpy()]
    out.attrs.update(seed=int(res["seed"]), n_sets=int(res["n_sets"]), n_incomplete=int(res["n_incomplete"]),
                     n_unmatched=int(res["n_unmatched"]), n_dropped=n_dropped)
    return out
