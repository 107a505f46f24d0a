"""Drug exposure from dispensings (issue 17): treatment episodes and adherence.

The episodes and the PDC/MPR are computed by the Rust core (``drug_exposure`` and
``adherence`` through the protocol; definitions in ``crates/hrrstats-core/src/drugs.rs``);
this module resolves the columns, turns dates into days (since 1970-01-01) and back, and
gives the ids their original values.
"""
from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from ._convert import _is_datetime, column
from ._protocol import call, resolve

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

_NS_PER_DAY = 86_400_000_000_000


def _days(x, name, data):
    """(float days, is_date): a date/datetime column as days since 1970-01-01
    (NaT -> NaN), a numeric column as it is, a column name of ``data`` resolved."""
    if x is None:
        return None, False
    arr = column(x, name, data, dates=True)
    if arr.dtype == object and any(isinstance(v, (datetime.date, np.datetime64)) for v in arr[:1]):
        arr = np.asarray(pd.to_datetime(arr))  # datetime.date / datetime objects
    if _is_datetime(getattr(arr, "dtype", None)) or np.issubdtype(arr.dtype, np.datetime64):
        s = pd.Series(pd.to_datetime(arr))
        if s.dt.tz is not None:
            s = s.dt.tz_localize(None)
        ns = s.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
        ns[s.isna().to_numpy()] = np.nan
        return np.ascontiguousarray(ns / _NS_PER_DAY), True
    if arr.dtype == object:
        try:
            arr = np.array([np.nan if v is None else v for v in arr], dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"argument `{name}` must be numeric or dates") from e
    return np.ascontiguousarray(arr, dtype=np.float64), False


def _as_dates(days):
    ns = np.round(np.asarray(days, dtype=np.float64) * _NS_PER_DAY).astype(np.int64)
    return pd.Series(ns.astype("datetime64[ns]"))


def _inputs(id, date, amount, daily_dose, data, drug=None):
    d, is_date = _days(date, "date", data)
    for name, x in (("id", id), ("drug", drug)):  # the core's message (the host's would name `time`)
        if x is not None and d is not None and len(column(x, name, data)) != len(d):
            raise ValueError(f"argument `{name}` has length {len(column(x, name, data))} but `date` has length {len(d)}")
    spec = {"id": (id, "group"), "amount": (amount, "num")}
    if drug is not None:
        spec["drug"] = (drug, "group")
    if isinstance(daily_dose, str) or (daily_dose is not None and not np.isscalar(daily_dose)):
        spec["daily_dose"] = (daily_dose, "num")
    args, levels, _ = resolve(spec, data, "fail")
    args["date"] = d
    if daily_dose is not None and "daily_dose" not in args:
        args["daily_dose"] = float(daily_dose)
    return args, levels, is_date


def _table(res, levels, is_date, date_cols):
    out = res["table"].copy()
    for c in ("id", "drug"):
        if c in out.columns:
            lev = np.asarray(levels[c], dtype=object)
            labels = pd.Series(lev[np.asarray(out[c].cat.codes)])
            out[c] = labels.infer_objects() if len(lev) else labels
    if is_date:
        for c in date_cols:
            out[c] = _as_dates(out[c].to_numpy())
    return out


def drug_exposure(id: ArrayLike, date: ArrayLike, amount: ArrayLike, *, daily_dose=None, grace: float = 30,
                  grace_fraction: float = 0.0, stockpile: bool = True, end_grace: bool = False,
                  drug: ArrayLike | None = None, data: DataFrameLike | None = None) -> pd.DataFrame:
    """Treatment episodes from dispensings (AdhereR's treatment episodes; checked against
    the definitions applied day by day in plain R).

    Each dispensing covers ``amount / daily_dose`` days from its date; same-day
    dispensings of an id are added. With ``stockpile=True`` an early refill's leftover is
    carried over (the new supply starts when the previous one runs out); with False,
    overlapping days count once. An episode continues while the gap between the end of
    supply and the next dispensing is at most
    ``grace + grace_fraction * (days of the previous dispensing)``; it ends when the supply
    runs out (plus that grace with ``end_grace=True``). Computed in the Rust core.

    Parameters
    ----------
    id : array-like or str
        The person of each dispensing (any labels), or a column name of ``data``.
    date : array-like or str
        Dispensing dates (dates or datetimes, or numbers in days).
    amount : array-like or str
        Amount dispensed: days of supply, or units (tablets, DDDs) with ``daily_dose``.
    daily_dose : float, array-like or str, optional
        Units per day (a number or a column); default: ``amount`` is in days.
    grace : float, default 30
        Fixed grace (days) allowed between the end of supply and the next dispensing.
    grace_fraction : float, default 0.0
        Proportional grace: this fraction of the previous dispensing's days is added.
    stockpile : bool, default True
        Carry leftover supply of early refills forward.
    end_grace : bool, default False
        Episodes end at the end of supply plus the grace.
    drug : array-like or str, optional
        A drug (ATC code or group) per dispensing: episodes per id and drug, and a
        ``drug`` column after ``id``.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        One row per episode: id, [drug], start, end (dates when ``date`` was dates;
        ``end`` is the day the supply has run out, so end - start is the exposed time,
        ready for :func:`lexis_cut`), dispensings (count), supplied (days).

    See Also
    --------
    adherence : PDC / MPR over a window.

    References
    ----------
    Dima AL, Dediu D (2017). Computation of adherence to medication and visualization
    of medication histories in R with AdhereR. PLoS ONE 12(4): e0174426.

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> d = pd.DataFrame({"id": [1, 1, 1, 2], "days": [30, 30, 30, 90],
    ...                   "date": pd.to_datetime(["2020-01-01", "2020-01-25", "2020-04-01",
    ...                                           "2020-02-01"])})
    >>> hs.drug_exposure("id", "date", "days", grace=30, data=d)
       id      start        end  dispensings  supplied
    0   1 2020-01-01 2020-03-01            2      60.0
    1   1 2020-04-01 2020-05-01            1      30.0
    2   2 2020-02-01 2020-05-01            1      90.0
    """
    args, levels, is_date = _inputs(id, date, amount, daily_dose, data, drug)
    args.update(grace=float(grace), grace_fraction=float(grace_fraction), stockpile=bool(stockpile),
                end_grace=bool(end_grace))
    res, _ = call("drug_exposure", args)
    return _table(res, levels, is_date, ["start", "end"])


def adherence(id: ArrayLike, date: ArrayLike, amount: ArrayLike, *, daily_dose=None, window: float = 365,
              window_start: ArrayLike | None = None, measure: str = "pdc", stockpile: bool = True,
              drug: ArrayLike | None = None, data: DataFrameLike | None = None) -> pd.DataFrame:
    """Adherence per id (proportion of days covered or medication possession ratio).

    Over the window ``[window_start, window_start + window)`` of each id:

    - ``measure="pdc"``: proportion of days covered = covered days in the window /
      window, with stockpiling (``stockpile=True``) early refills shifted forward and
      supply carried in from dispensings before the window (at most 1; AdhereR's CMA7,
      equal to CMA6 when the window starts at the first dispensing);
      ``stockpile=False`` counts overlapping days once;
    - ``measure="mpr"``: medication possession ratio = days supplied by the
      dispensings dated in the window / window (uncapped; AdhereR's CMA2 when the
      window starts at the first dispensing).

    Parameters
    ----------
    id : array-like or str
        The person of each dispensing (any labels), or a column name of ``data``.
    date : array-like or str
        Dispensing dates (dates or datetimes, or numbers in days).
    amount : array-like or str
        Amount dispensed: days of supply, or units with ``daily_dose``.
    daily_dose : float, array-like or str, optional
        Units per day (a number or a column); default: ``amount`` is in days.
    window : float, default 365
        Length of the observation window in days.
    window_start : array-like or str, optional
        Start of each id's window (constant within an id; dates when ``date`` is dates);
        default the id's first dispensing.
    measure : {"pdc", "mpr"}, default "pdc"
        The adherence measure.
    stockpile : bool, default True
        Carry leftover supply of early refills forward (PDC).
    drug : array-like or str, optional
        A drug per dispensing: adherence per id and drug, with a ``drug`` column.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        One row per id: id, [drug], window_start, window_end, dispensings (in the
        window), supplied, covered (days) and ``pdc`` or ``mpr``.

    See Also
    --------
    drug_exposure : treatment episodes.

    References
    ----------
    Vollmer WM et al. (2012). The medication possession ratio and proportion of days
    covered. Am J Pharm Benefits 4(5). Dima AL, Dediu D (2017), PLoS ONE 12(4): e0174426
    (AdhereR).

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> d = pd.DataFrame({"id": [1, 1, 1, 2], "days": [30, 30, 30, 90],
    ...                   "date": pd.to_datetime(["2020-01-01", "2020-01-25", "2020-04-01",
    ...                                           "2020-02-01"])})
    >>> hs.adherence("id", "date", "days", window=180, data=d)
       id window_start window_end  dispensings  supplied  covered  pdc
    0   1   2020-01-01 2020-06-29            3      90.0     90.0  0.5
    1   2   2020-02-01 2020-07-30            1      90.0     90.0  0.5
    """
    args, levels, is_date = _inputs(id, date, amount, daily_dose, data, drug)
    ws, ws_date = _days(window_start, "window_start", data)
    if ws is not None and ws_date != is_date:
        raise TypeError("argument `window_start`: must be dates when `date` is dates, numbers when it is numbers")
    args.update(window=float(window), window_start=ws, measure=measure, stockpile=bool(stockpile))
    res, _ = call("adherence", args)
    return _table(res, levels, is_date, ["window_start", "window_end"])
