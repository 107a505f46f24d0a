"""Comorbidity indices (Charlson, Elixhauser) from ICD-10 codes: arguments and result.

The matching, the look-back window, the hierarchy rules and the scores are computed by
the Rust core (``comorbidity`` through the protocol); this module resolves the columns
(dates to days since 1970), factorises ids and codes, and puts the ids back.
"""
from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from ._convert import codes, column, floats, missing
from ._protocol import call, check_na_action

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

_DAY = np.timedelta64(1, "D")


def _days(a, name):
    """Dates (numpy/pandas datetimes, ``datetime.date`` objects) as days since 1970;
    numbers as they are (the same unit as ``lookback``)."""
    if a.dtype == object and any(isinstance(v, (datetime.date, pd.Timestamp)) for v in a[:1000]):
        a = pd.to_datetime(pd.Series(a)).to_numpy()
    if np.issubdtype(a.dtype, np.datetime64):
        d = a.astype("datetime64[ns]")
        out = (d - np.datetime64("1970-01-01", "ns")) / _DAY
        return np.ascontiguousarray(np.where(np.isnat(d), np.nan, out), dtype=np.float64)
    return floats(a, name)


def _scalar_days(x):
    if isinstance(x, (datetime.date, pd.Timestamp, np.datetime64, str)):
        return float((np.datetime64(pd.Timestamp(x).to_datetime64(), "ns")
                      - np.datetime64("1970-01-01", "ns")) / _DAY)
    return float(x)


def comorbidity(id: ArrayLike, code: ArrayLike, *, date: ArrayLike | None = None, index_date=None,
                lookback=None, index: str = "charlson", weights: str | None = None,
                data: DataFrameLike | None = None, na_action: str = "fail") -> pd.DataFrame:
    """Charlson or Elixhauser comorbidity per person from ICD-10 diagnosis codes (hierarchy
    rules as the R package ``comorbidity``; flags and scores checked against comorbidipy).

    Codes are matched by prefix against the ICD-10 lists of Quan et al. (2005),
    tolerant of dots, spaces and case ("C50.9", "c509" and "C509" are the same). The
    score is the weighted sum of the categories found, with the hierarchy rules (the
    severe form of a condition counts instead of its mild form).

    Parameters
    ----------
    id : array-like or str
        The person of each diagnosis row, or a column name of ``data``.
    code : array-like or str
        ICD-10 codes.
    date : array-like or str, optional
        Diagnosis dates (dates or numbers); with ``index_date``, only rows with
        ``index_date - lookback <= date < index_date`` count.
    index_date : scalar, array-like or str, optional
        The index date (one value, or per row).
    lookback : float or pandas.Timedelta, optional
        Look-back period (days when dates are dates); None: all rows before the index
        date.
    index : {"charlson", "elixhauser"}, default "charlson"
        Charlson (17 categories) or Elixhauser (31).
    weights : str, optional
        Charlson: "charlson" (Charlson 1987, default) or "quan" (Quan 2011); Elixhauser:
        "van_walraven" (default), "swiss", "ahrq_mortality" (alias "ahrq") or
        "ahrq_readmission" (Moore et al. 2017).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.
    na_action : {"fail", "drop"}, default "fail"
        "fail": a missing value is an error naming the argument and row; "drop": rows
        with a missing value are dropped.

    Returns
    -------
    pandas.DataFrame
        One row per id with any row: id, one 0/1 column per category (as found: both
        the mild and the severe form can be 1) and ``score``. ``attrs``: index,
        weights, categories (name -> description), n_dropped.

    References
    ----------
    Quan H et al. (2005). Coding algorithms for defining comorbidities in ICD-9-CM and
    ICD-10 administrative data. Med Care 43:1130-9. Charlson ME et al. (1987). J Chronic
    Dis 40:373-83. van Walraven C et al. (2009). Med Care 47:626-33.

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> dx = pd.DataFrame({"id": [1, 1, 2, 3], "code": ["I21.9", "E11.9", "C50.9", "J44.1"]})
    >>> cm = hs.comorbidity("id", "code", data=dx)
    >>> cm[["id", "ami", "diab", "canc", "copd", "score"]]
       id  ami  diab  canc  copd  score
    0   1    1     1     0     0    2.0
    1   2    0     0     1     0    2.0
    2   3    0     0     0     1    1.0
    """
    check_na_action(na_action)
    ida = column(id, "id", data, dates=True)
    codea = column(code, "code", data)
    n = len(ida)
    if len(codea) != n:
        raise ValueError(f"argument `code` has length {len(codea)} but `id` has length {n}")
    cols = {"id": ida, "code": codea}
    args = {}
    if date is not None:
        cols["date"] = _days(column(date, "date", data, dates=True), "date")
    if index_date is not None:
        if isinstance(index_date, str) and data is not None and index_date in data.columns:
            cols["index_date"] = _days(column(index_date, "index_date", data, dates=True), "index_date")
        elif np.ndim(index_date) == 0 and not isinstance(index_date, str) or isinstance(
                index_date, (str, datetime.date, pd.Timestamp)):
            args["index_date"] = _scalar_days(index_date)
        else:
            cols["index_date"] = _days(column(index_date, "index_date", data, dates=True), "index_date")
    keep = None
    if na_action == "drop":
        keep = np.ones(n, dtype=bool)
        for k, v in cols.items():
            if len(v) == n:
                keep &= ~missing(v)
        if keep.all():
            keep = None
        else:
            cols = {k: (v[keep] if len(v) == n else v) for k, v in cols.items()}
            args["rows"] = np.flatnonzero(keep).astype(np.float64)
    m = len(cols["id"])
    idc, idlev = codes([cols.pop("id")], "id", m)
    cc, clev = codes([cols.pop("code")], "code", m)
    if keep is not None and m == 0:
        raise ValueError("argument `id` is empty: no rows to analyse")
    args.update(cols)
    args.update(id=(idc, [str(x) for x in idlev]), code=(cc, [str(x) for x in clev]), index=index,
                weights=weights)
    if lookback is not None:
        args["lookback"] = lookback / pd.Timedelta(days=1) if isinstance(
            lookback, (pd.Timedelta, datetime.timedelta, np.timedelta64)) else lookback
    res, _ = call("comorbidity", args)
    out = res["table"].copy()
    out["id"] = pd.Index(idlev)[out["id"].to_numpy()]
    for c in out.columns[1:-1]:
        out[c] = out[c].astype(np.int64)
    cats = res["categories"]
    out.attrs.update(index=res["index"], weights=res["weights"],
                     categories=dict(zip(cats["name"], cats["label"])),
                     n_dropped=0 if keep is None else int((~keep).sum()))
    return out
