"""Person-time on the Lexis diagram, rates and standardisation. The core computes (through
``_protocol.call``); this module resolves columns, factorises by-variables and presents
the results as pandas DataFrames and matplotlib plots."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import codes, column, floats
from ._plots import subplots
from ._protocol import call
from . import _format
from ._progress import quiet as _quiet

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike
    from matplotlib.axes import Axes

__all__ = ["lexis_split", "lexis_cut", "person_time_table", "rate", "rate_ratio", "rate_difference",
           "direct_standardize", "sir", "SIR", "standard_population", "lexis_diagram", "plot_rates"]


# ---- inputs ---------------------------------------------------------------------

def _scales(time_scales, data):
    """``time_scales`` ({name: value at entry}) resolved; the core checks that the first
    scale, the one ``entry``/``exit`` are measured on, is None or equal to ``entry``."""
    if not isinstance(time_scales, dict) or not time_scales:
        raise TypeError("argument `time_scales` must be a non-empty dict "
                        "{scale name: value at entry}")
    for name in time_scales:
        if not isinstance(name, str):
            raise TypeError(f"argument `time_scales`: scale names must be strings, got {name!r}")
    return {name: None if v is None else floats(v, "time_scales", data)
            for name, v in time_scales.items()}


def _breaks(breaks):
    if not isinstance(breaks, dict) or not breaks:
        raise TypeError("argument `breaks` must be a non-empty dict {scale name: break points}")
    out = {}
    for k, v in breaks.items():
        try:  # a range, a list, an array; a single number is one break (the core says why not)
            out[str(k)] = np.ascontiguousarray(np.atleast_1d(
                np.asarray(v if hasattr(v, "__array__") or np.ndim(v) == 0 else list(v),
                           dtype=np.float64)))
        except (TypeError, ValueError) as e:
            raise TypeError(f"argument `breaks`: the breaks of `{k}` must be numeric") from e
    return out


def _lexis_args(entry, exit, status, time_scales, entry_status, data):
    """The core's Lexis arguments: entry, time_scales, exit, status, entry_status (the
    core checks their lengths)."""
    args = {"entry": floats(entry, "entry", data), "time_scales": _scales(time_scales, data)}
    for name, x in (("exit", exit), ("status", status), ("entry_status", entry_status)):
        args[name] = None if x is None else floats(x, name, data)
    return args


def _ids(id, data):
    """The user's ids (not sent to the core, which checks that there is one per row of
    `entry`), or None."""
    return None if id is None else np.asarray(column(id, "id", data, dates=True))


def _with_id(res, ids):
    """The core's 0-based ``row`` column replaced by ``id`` (the user's ids, or the row)."""
    row = res.pop("row").to_numpy()
    res.insert(0, "id", row.astype(np.int64) if ids is None else ids[row])
    return res


def _by(by, data):
    """The by-variables (a column name, a list of names, an array, or a list of arrays) as
    the core's record of groupings, and their levels (the user's values, to show the
    core's level codes as)."""
    if by is None:
        return None, {}
    several = isinstance(by, (list, tuple)) and len(by) > 0
    if not (several and all(isinstance(b, str) or np.ndim(b) >= 1 for b in by)):
        by = [by]
    rec, levels = {}, {}
    for k, b in enumerate(by):
        auto = f"by_{k}" if len(by) > 1 else "by"
        name = str(b if isinstance(b, str) else (getattr(b, "name", None) or auto))
        arr = column(b, "by", data, categorical=True, dates=True)
        c, lv = codes([arr], "by", len(arr))  # the core checks the length
        rec[name] = (c, [str(x) for x in lv])
        levels[name] = pd.Index(lv).to_numpy()
    return (rec or None), levels


def _show_levels(df, levels):
    """Level codes of the by-variables shown as the user's values."""
    for name, lv in levels.items():
        df[name] = lv[df[name].to_numpy()]
    return df


# ---- splitting and tabulation ------------------------------------------------------

def lexis_split(entry: ArrayLike, exit: ArrayLike, status: ArrayLike, *, time_scales: dict, breaks: dict,
                id: ArrayLike | None = None, entry_status: ArrayLike | None = None, drop: bool = True,
                data: DataFrameLike | None = None, quiet: bool = False) -> pd.DataFrame:
    """Split follow-up on the Lexis diagram (as ``Epi::splitLexis`` / ``popEpi::splitMulti``).

    Parameters
    ----------
    entry, exit : array-like or str
        Start and end of follow-up on the first time scale.
    status : array-like or str
        The state at exit (0 = no event; any numeric codes).
    time_scales : dict
        ``{name: value of that scale at entry}`` (arrays or column names); the first
        scale is the one ``entry`` and ``exit`` are measured on (give its value as
        None or ``entry``). All scales advance together, so they share one unit.
    breaks : dict
        ``{scale name: break points}`` for the scales to split.
    id : array-like or str, optional
        Person ids for the ``id`` column (default the input row, 0-based).
    entry_status : array-like or str, optional
        The state during follow-up (0 when absent).
    drop : bool, default True
        Drop time outside the outermost breaks of any split scale (as Epi/popEpi);
        False keeps it with a missing band.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.
    quiet : bool, default False
        No progress bar for a long split (see :func:`set_progress`).

    Returns
    -------
    pandas.DataFrame
        One row per interval: id, one column per scale (its value at the start of
        the interval), one ``<scale>_band`` column per split scale (the lower
        break), duration, [entry_status], status (status only on the interval that
        ends at exit, else the entry state). Rows with zero-length follow-up
        (exit = entry) are dropped, as ``Epi::Lexis`` drops them, with a
        ``RuntimeWarning`` giving how many rows and events were dropped.

    See Also
    --------
    person_time_table : the tabulated split, without materialising it.
    lexis_cut : cut follow-up at individual times.

    References
    ----------
    Carstensen B, Plummer M (2011). Using Lexis objects for multi-state models in R.
    J Stat Softw 38(6).

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> d = pd.DataFrame({"entry": [0.0, 0.0], "exit": [0.925, 4.731], "status": [1, 0],
    ...                   "age": [76.94, 59.03]})
    >>> hs.lexis_split("entry", "exit", "status", time_scales={"fu": None, "age": "age"},
    ...                breaks={"fu": [0, 1, 5, 10]}, data=d).round(3)
       id   fu    age  fu_band  duration  status
    0   0  0.0  76.94      0.0     0.925     1.0
    1   1  0.0  59.03      0.0     1.000     0.0
    2   1  1.0  60.03      1.0     3.731     0.0
    """
    args = _lexis_args(entry, exit, status, time_scales, entry_status, data)
    ids = _ids(id, data)
    args.update(breaks=_breaks(breaks), drop=bool(drop),
                id_length=None if ids is None else len(ids))
    with _quiet(quiet):
        return _with_id(call("lexis_split", args)[0]["table"], ids)


def lexis_cut(entry: ArrayLike, exit: ArrayLike, status: ArrayLike, *, time_scales: dict, cut: ArrayLike,
              new_state, timescale: str | None = None, precursor_states=None, progressive: bool = False,
              entry_status: ArrayLike | None = None, id: ArrayLike | None = None,
              data: DataFrameLike | None = None) -> pd.DataFrame:
    """Cut follow-up at individual times (a drug start, an operation), as ``Epi::cutLexis``.

    After the cut the person is in ``new_state``. The part before a cut that falls before
    exit ends in ``new_state`` (the transition); the part after it ends in the exit
    state, except that exit states in ``precursor_states`` (default: the entry states,
    i.e. 0 = censored), or below ``new_state`` with ``progressive=True``, become
    ``new_state``. Parts of zero length are dropped.

    Parameters
    ----------
    entry, exit : array-like or str
        Start and end of follow-up on the first time scale.
    status : array-like or str
        The state at exit (0 = no event).
    time_scales : dict
        ``{name: value of that scale at entry}`` (as in :func:`lexis_split`).
    cut : array-like or str
        Per row, the time of the cut on ``timescale``; NaN = never.
    new_state : float, array-like or str
        The state after the cut (a number, or a column).
    timescale : str, optional
        The scale ``cut`` is measured on (default the first).
    precursor_states : sequence of float, optional
        Exit states that become ``new_state`` after a cut (default the entry states).
    progressive : bool, default False
        Exit states below ``new_state`` become ``new_state`` after a cut.
    entry_status : array-like or str, optional
        The state during follow-up before the cut (0 when absent).
    id : array-like or str, optional
        Person ids for the ``id`` column (default the input row, 0-based).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        id, the scales at entry, exit, duration, entry_status, status; accepted by
        :func:`lexis_split` and :func:`person_time_table` with
        ``entry=<first scale>, exit="exit", status="status", entry_status="entry_status"``.

    References
    ----------
    Carstensen B, Plummer M (2011). Using Lexis objects for multi-state models in R.
    J Stat Softw 38(6).

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> d = pd.DataFrame({"id": [1, 2], "entry": [0.0, 0.0], "exit": [2.5, 4.0],
    ...                   "status": [1, 0]})
    >>> hs.lexis_cut("entry", "exit", "status", time_scales={"fu": None}, cut=[1.0, np.nan],
    ...              new_state=2, id="id", data=d)
       id   fu  exit  duration  entry_status  status
    0   1  0.0   1.0       1.0           0.0     2.0
    1   1  1.0   2.5       1.5           2.0     1.0
    2   2  0.0   4.0       4.0           0.0     0.0
    """
    args = _lexis_args(entry, exit, status, time_scales, entry_status, data)
    ids = _ids(id, data)
    args["cut"] = floats(cut, "cut", data)
    if precursor_states is not None:
        precursor_states = np.ascontiguousarray(precursor_states, dtype=np.float64)
    args.update(_numbers(data, new_state=new_state), precursor_states=precursor_states,
                timescale=None if timescale is None else str(timescale),
                progressive=bool(progressive), id_length=None if ids is None else len(ids))
    return _with_id(call("lexis_cut", args)[0]["table"], ids)


def person_time_table(entry: ArrayLike, exit: ArrayLike, status: ArrayLike, *, time_scales: dict,
                      breaks: dict, by=None, entry_status: ArrayLike | None = None, drop: bool = True,
                      data: DataFrameLike | None = None, quiet: bool = False) -> pd.DataFrame:
    """Person-time and events by Lexis bands (and ``by`` variables), computed without
    materialising the split (memory independent of the number of split rows), as
    ``popEpi::ltable`` (or ``aggregate``) on ``Epi::splitLexis``'s split.

    Parameters
    ----------
    entry, exit : array-like or str
        Start and end of follow-up on the first time scale (as in :func:`lexis_split`).
    status : array-like or str
        The state at exit (0 = no event).
    time_scales : dict
        ``{name: value of that scale at entry}``; the first scale is the one ``entry``
        and ``exit`` are measured on.
    breaks : dict
        ``{scale name: break points}`` for the scales to split.
    entry_status : array-like or str, optional
        The state during follow-up (0 when absent).
    drop : bool, default True
        Drop time outside the outermost breaks of any split scale.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.
    by : str, list of str or array-like, optional
        Variables constant within person to tabulate by (column names of ``data``,
        or arrays).
    quiet : bool, default False
        No progress bar for a long tabulation (see :func:`set_progress`).

    Returns
    -------
    pandas.DataFrame
        One row per combination of bands (and by-levels, and entry state when
        ``entry_status`` is given) with any follow-up: ``<scale>_band`` ..., by
        columns, [entry_status], person_time, events (intervals ending in a state
        other than the entry state), and ``events_<state>`` per state when more than
        one state is entered.

    See Also
    --------
    rate, direct_standardize, sir, poisson_glm : what to do with the table.
    hrrstats.dask.person_time_table : the same over a Dask DataFrame.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"], df["years"] = 0.0, df["time"] / 365.25
    >>> pt = hs.person_time_table("entry", "years", "status", time_scales={"fu": None, "age": "age"},
    ...                           breaks={"age": [0, 60, 70, 80, 120]}, by="sex", data=df)
    >>> pt.round(1)
       age_band  sex  person_time  events
    0       0.0    1       7146.7   566.0
    1       0.0    2       6952.1   501.0
    2      60.0    1      17810.8  1363.0
    3      60.0    2      16854.4  1229.0
    4      70.0    1      23951.0  2367.0
    5      70.0    2      23271.1  1954.0
    6      80.0    1      15381.6  2993.0
    7      80.0    2      17456.0  2662.0
    """
    args = _lexis_args(entry, exit, status, time_scales, entry_status, data)
    rec, levels = _by(by, data)
    args.update(breaks=_breaks(breaks), drop=bool(drop), by=rec)
    with _quiet(quiet):
        return _show_levels(call("person_time_table", args)[0]["table"], levels)


# ---- rates ----------------------------------------------------------------------------

def _numbers(data, **args):
    """Numeric arguments: arrays, columns or plain numbers (the core recycles numbers)."""
    return {name: float(x) if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)
            else floats(x, name, data) for name, x in args.items()}


def _rates(method, data, numbers, **options):
    """A rate method on numeric arguments and options; the result's columns appended to
    ``data`` when it is a pandas DataFrame."""
    result, _ = call(method, {**_numbers(data, **numbers), **options})
    if isinstance(data, pd.DataFrame):
        return data.assign(**{k: result[k].to_numpy() for k in result.columns})
    return result


def rate(events, person_time, *, conf_level: float = 0.95, null_rate: float | None = None, per: float = 1.0,
         data=None) -> pd.DataFrame:
    """Crude rates with exact Poisson (Garwood) limits, as ``stats::poisson.test``.

    Parameters
    ----------
    events : array-like, str or number
        Event counts (one rate per row), or a column name of ``data``.
    person_time : array-like, str or number
        Person-time at risk.
    conf_level : float, default 0.95
        Confidence level of the exact limits.
    null_rate : float, optional
        A rate (per person-time unit) to test against: adds the exact two-sided
        ``p_value``.
    per : float, default 1.0
        Scale of rates and limits, e.g. 1000 or 1e5 for rates per 1,000 or 100,000
        person-years.
    data : pandas DataFrame, optional
        Where string arguments name columns; its columns are kept and the results
        appended.

    Returns
    -------
    pandas.DataFrame
        events, person_time, rate, lower, upper[, p_value] (after ``data``'s columns).

    See Also
    --------
    rate_ratio, rate_difference, direct_standardize, person_time_table

    References
    ----------
    Garwood F (1936). Fiducial limits for the Poisson distribution. Biometrika
    28:437-442.

    Examples
    --------
    >>> import hrrstats as hs
    >>> hs.rate([30, 12], [1000.0, 800.0], per=1000).round(3)  # poisson.test(30, 1000)
       events  person_time  rate   lower   upper
    0    30.0       1000.0  30.0  20.241  42.827
    1    12.0        800.0  15.0   7.751  26.202
    """
    return _rates("rate", data, dict(events=events, person_time=person_time),
                  conf_level=conf_level, null_rate=null_rate, per=per)


def rate_ratio(events1, person_time1, events2, person_time2, *, null_ratio: float = 1.0,
               conf_level: float = 0.95, data=None) -> pd.DataFrame:
    """Rate ratios (group 1 / group 2) with exact conditional limits and p-values, as
    ``stats::poisson.test(c(x1, x2), c(T1, T2))``.

    Parameters
    ----------
    events1, person_time1 : array-like, str or number
        Events and person-time of group 1 (one ratio per row).
    events2, person_time2 : array-like, str or number
        Events and person-time of group 2 (the reference).
    null_ratio : float, default 1.0
        The ratio tested (poisson.test's ``r``).
    conf_level : float, default 0.95
        Confidence level of the exact limits.
    data : pandas DataFrame, optional
        Where string arguments name columns; its columns are kept and the results
        appended.

    Returns
    -------
    pandas.DataFrame
        rate_ratio, lower, upper, p_value (Inf when ``events2`` is 0).

    Examples
    --------
    >>> import hrrstats as hs
    >>> hs.rate_ratio(30, 1000.0, 20, 1200.0).round(4)  # poisson.test(c(30, 20), c(1000, 1200))
       rate_ratio  lower   upper  p_value
    0         1.8  0.989  3.3441   0.0462
    """
    numbers = dict(events1=events1, person_time1=person_time1, events2=events2,
                   person_time2=person_time2)
    return _rates("rate_ratio", data, numbers, null_ratio=null_ratio, conf_level=conf_level)


def rate_difference(events1: ArrayLike, person_time1: ArrayLike, events2: ArrayLike, person_time2: ArrayLike,
                    *, conf_level: float = 0.95, per: float = 1.0,
                    data: DataFrameLike | None = None) -> pd.DataFrame:
    """Rate differences (group 1 - group 2) with Wald limits, one per row.

    RD = d1 / y1 - d2 / y2, SE = sqrt(d1 / y1^2 + d2 / y2^2) (from the Poisson
    likelihood, as ``Epi::ci.lin`` on an identity-link Poisson model), limits
    RD -/+ z SE, scaled by ``per``.

    Parameters
    ----------
    events1, person_time1 : array-like or str
        Events and person-time of group 1.
    events2, person_time2 : array-like or str
        Events and person-time of group 2.
    conf_level : float, default 0.95
        Level of the limits.
    per : float, default 1.0
        Rates per this much person-time (e.g. 1000).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        rate_difference, std_err (``se``: the same, its old name), lower, upper,
        p_value (Wald test of no difference).

    See Also
    --------
    rate_ratio, rate

    Examples
    --------
    >>> import hrrstats as hs
    >>> hs.rate_difference([30, 12], [1000.0, 800.0], [20, 10], [1000.0, 900.0],
    ...                    per=1000).round(4)
       rate_difference  std_err      se   lower    upper  p_value
    0          10.0000   7.0711  7.0711 -3.8590  23.8590   0.1573
    1           3.8889   5.5763  5.5763 -7.0406  14.8183   0.4856
    """
    numbers = dict(events1=events1, person_time1=person_time1, events2=events2,
                   person_time2=person_time2)
    return _rates("rate_difference", data, numbers, conf_level=conf_level, per=per)


def standard_population(name: str = "who2000") -> pd.DataFrame:
    """A built-in standard population: 18 five-year age groups (0-4, ..., 85+), the weights
    for :func:`direct_standardize`.

    Parameters
    ----------
    name : str, default "who2000"
        "who2000" (WHO World Standard 2000-2025), "esp2013" (European Standard
        Population 2013), "nordic" / "nordic2000" (NORDCAN Nordic standard), "segi1960"
        (Segi/Doll world standard), "esp1976".

    Returns
    -------
    pandas.DataFrame
        age_lower, age_upper, weight; ``attrs["name"]`` and ``attrs["source"]`` (the
        source cited).

    References
    ----------
    Ahmad OB et al. (2001). Age standardization of rates: a new WHO standard. GPE
    Discussion Paper 31, WHO. Eurostat (2013). Revision of the European Standard
    Population.

    Examples
    --------
    >>> import hrrstats as hs
    >>> esp = hs.standard_population("esp2013")
    >>> esp.head(3)
       age_lower  age_upper  weight
    0        0.0        5.0  5000.0
    1        5.0       10.0  5500.0
    2       10.0       15.0  5500.0
    >>> int(esp["weight"].sum())
    100000
    """
    d, _ = call("standard_population", {"name": name})
    d["table"].attrs.update(name=d["name"], source=d["source"])
    return d["table"]


def direct_standardize(events: ArrayLike, person_time: ArrayLike, standard_weights, *,
                       age: ArrayLike | None = None, by=None, conf_level: float = 0.95, per: float = 1.0,
                       data=None) -> pd.DataFrame:
    """Directly standardised rates with Fay–Feuer gamma limits (as
    ``epitools::ageadjust.direct``).

    Parameters
    ----------
    events : array-like or str
        Events per age group (each row an age group, within a ``by`` group).
    person_time : array-like or str
        Person-time per age group.
    standard_weights : array-like, str
        The standard population's weight for each row (array or column), or the name
        of a built-in standard (see :func:`standard_population`). Weights are
        normalised within each ``by`` group.
    age : array-like or str, optional
        With a named standard: each row's age (any value in the group; rows in the
        same five-year group are pooled); every group of the standard must then have
        person-time.
    by : str, list of str or array-like, optional
        Groups to standardise separately (e.g. period, sex).
    conf_level : float, default 0.95
        Confidence level of the Fay–Feuer limits.
    per : float, default 1.0
        Scale of rates and limits (e.g. 1e5).
    data : pandas DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        by columns, events, person_time, crude_rate, rate (the standardised rate),
        lower, upper (x ``per``).

    References
    ----------
    Fay MP, Feuer EJ (1997). Confidence intervals for directly standardized rates: a
    method based on the gamma distribution. Stat Med 16:791-801.

    Examples
    --------
    >>> import hrrstats as hs
    >>> hs.direct_standardize([2, 10, 40], [20000.0, 15000.0, 8000.0], [0.5, 0.3, 0.2],
    ...                       per=1e5).round(2)
       events  person_time  crude_rate   rate  lower   upper
    0    52.0      43000.0      120.93  125.0  93.26  164.17
    """
    e = floats(events, "events", data)
    t = floats(person_time, "person_time", data)
    columns = getattr(data, "columns", [])
    named = isinstance(standard_weights, str) and (data is None or standard_weights not in columns)
    w = standard_weights if named else floats(standard_weights, "standard_weights", data)
    rec, levels = _by(by, data)
    args = {"events": e, "person_time": t, "standard_weights": w, "by": rec,
            "age": None if age is None else floats(age, "age", data),
            "conf_level": conf_level, "per": per}
    return _show_levels(call("direct_standardize", args)[0], levels)


class SIR:
    """Standardised incidence (mortality) ratios, overall and by strata.

    Attributes: observed, expected, person_time, sir, lower, upper, p_value (exact,
    SIR = 1), p_chisq for the whole cohort; ``homogeneity`` (DataFrame of the
    likelihood-ratio and Pearson tests that the SIR is the same in every stratum, or
    None).
    """

    def __init__(self, res, levels, conf_level):
        self._res = res
        self.by = list(levels)
        self._levels = levels
        self.conf_level = conf_level
        for k, v in res["overall"].items():
            setattr(self, k, float(v))
        self.homogeneity = res["homogeneity"]

    def table(self, overall=True):
        """The standardised incidence ratios with exact Poisson limits.

        Parameters
        ----------
        overall : bool, default True
            Add a last row (by columns missing) for the whole cohort.

        Returns
        -------
        pandas.DataFrame
            by columns, observed, expected, person_time, sir, lower, upper, p_value
            (exact), p_chisq (continuity-corrected).
        """
        tab = self._res["table"]
        if not self.by:
            return tab.copy().reset_index(drop=True)
        strata = self._res["strata"]
        out = pd.DataFrame({name: pd.Series(list(lv[strata[name].to_numpy()]) + [None], dtype=object)
                            for name, lv in self._levels.items()})
        df = pd.concat([out, tab.reset_index(drop=True)], axis=1)
        return (df if overall else df.iloc[:-1]).reset_index(drop=True)

    def __repr__(self):
        lvl = int(round(self.conf_level * 100))
        s = (f"SIR {self.sir:.4g} ({lvl}% CI {self.lower:.4g} to {self.upper:.4g}); "
             f"observed {_format.number(self.observed)}, expected {self.expected:.4g}, p = {_format.pvalue(self.p_value)}")
        if self.homogeneity is not None:
            h = self.homogeneity.iloc[0]
            s += (f"\nhomogeneity across {', '.join(self.by)}: LR chi2 = {h['statistic']:.4g} "
                  f"on {_format.number(h['df'])} df, p = {_format.pvalue(h['p_value'])}")
        return s


def sir(observed, person_time, reference_rate, *, by=None, conf_level: float = 0.95, data=None) -> SIR:
    """Standardised incidence / mortality ratio with exact Poisson limits.

    Parameters
    ----------
    observed : array-like, str or number
        Observed events per cell (e.g. a person-time table joined to reference rates).
    person_time : array-like, str or number
        Person-time per cell.
    reference_rate : array-like, str or number
        The reference (population) rate of each cell, per person-time unit; expected
        = person_time x reference_rate.
    by : str, list of str or array-like, optional
        Strata to report SIRs for, with a test of homogeneity across them.
    conf_level : float, default 0.95
        Confidence level of the exact limits.
    data : pandas DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    SIR
        ``observed``, ``expected``, ``sir``, ``lower``, ``upper``, ``p_value`` for the
        whole cohort; ``table()``: DataFrame by columns, observed, expected,
        person_time, sir, lower, upper, p_value, p_chisq (the last row the whole
        cohort); ``homogeneity`` (with ``by``).

    Notes
    -----
    The limits are exact Poisson limits of the observed count divided by the
    expected (as ``popEpi::sir`` and ``epitools``).

    Examples
    --------
    >>> import hrrstats as hs
    >>> s = hs.sir([12, 20], [1000.0, 1500.0], [0.01, 0.012])
    >>> s
    SIR 1.143 (95% CI 0.7817 to 1.613); observed 32, expected 28, p = 0.448
    >>> round(s.expected, 6), round(s.sir, 4)
    (28.0, 1.1429)
    """
    args = _numbers(data, observed=observed, person_time=person_time, reference_rate=reference_rate)
    args["by"], levels = _by(by, data)
    res, _ = call("sir", {**args, "conf_level": conf_level})
    return SIR(res, levels, conf_level)


# ---- plots ----------------------------------------------------------------------------

def lexis_diagram(entry: ArrayLike, exit: ArrayLike, status: ArrayLike, *, time_scales: dict,
                  sample: int = 300, breaks: dict | None = None, seed: int = 0, ax: Axes | None = None,
                  data: DataFrameLike | None = None) -> Axes:
    """Draw a Lexis diagram (as ``Epi::plot.Lexis``): life lines of a random sample of
    persons (first scale on the x axis, second on the y axis), events marked at exit,
    break lines as a grid.

    Parameters
    ----------
    entry, exit : array-like or str
        Start and end of follow-up on the first time scale.
    status : array-like or str
        The state at exit (0 = no event).
    time_scales : dict
        ``{name: value at entry}``, at least two scales (as in :func:`lexis_split`).
    sample : int, default 300
        Number of persons drawn.
    breaks : dict, optional
        ``{scale name: break points}`` drawn as grid lines.
    seed : int, default 0
        Seed of the sample.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if None).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"], df["years"] = 0.0, df["time"] / 365.25
    >>> ax = hs.lexis_diagram("entry", "years", "status",
    ...                       time_scales={"fu": None, "age": "age"}, sample=50, data=df)
    """
    from matplotlib.collections import LineCollection

    a = _lexis_args(entry, exit, status, time_scales, None, data)
    names = list(a["time_scales"])
    seg, _ = call("lexis_segments", a)  # the core checks the rows (exit missing, before entry)
    n = len(seg)
    idx = np.sort(np.random.default_rng(seed).choice(n, size=min(int(sample), n), replace=False))
    x0, y0, x1, y1 = (seg[k].to_numpy()[idx] for k in ("x0", "y0", "x1", "y1"))
    ax = subplots(ax)
    segs = np.stack([np.column_stack([x0, y0]), np.column_stack([x1, y1])], axis=1)
    ax.add_collection(LineCollection(segs, colors="0.3", linewidths=0.6))
    ev = seg["event"].to_numpy()[idx] != 0
    ax.plot(x1[ev], y1[ev], "o", color="C3", markersize=3, label="event")
    for line, nm in zip((ax.axvline, ax.axhline), names):
        for b in (breaks or {}).get(nm, []):
            line(b, color="0.85", linewidth=0.5, zorder=0)
    ax.autoscale()
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    return ax


def plot_rates(table, x: str, *, by=None, per: float = 1e5, conf_level: float = 0.95, events: str = "events",
               person_time: str = "person_time", ax: Axes | None = None, log: bool = True) -> Axes:
    """Plot rates (events / person-time x ``per``) with exact Poisson limits against ``x``
    (e.g. ``"age_band"``), one curve per level of ``by``, from a person-time table.

    Parameters
    ----------
    table : pandas.DataFrame
        A person-time table (e.g. from :func:`person_time_table`).
    x : str
        The column on the x axis.
    by : str or list of str, optional
        Columns whose levels get a curve each.
    per : float, default 1e5
        Rates per this much person-time.
    conf_level : float, default 0.95
        Level of the exact limits.
    events : str, default "events"
        The events column.
    person_time : str, default "person_time"
        The person-time column.
    ax : matplotlib Axes, optional
        Where to draw (a new figure if None).
    log : bool, default True
        Log scale for the rates.

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"], df["years"] = 0.0, df["time"] / 365.25
    >>> pt = hs.person_time_table("entry", "years", "status", time_scales={"fu": None, "age": "age"},
    ...                           breaks={"age": [0, 60, 70, 80, 120]}, by="sex", data=df)
    >>> ax = hs.plot_rates(pt, "age_band", by="sex", per=1000)
    """
    ax = subplots(ax)
    bys = [] if by is None else ([by] if isinstance(by, str) else list(by))
    sub = table[table[bys + [x]].notna().all(axis=1).to_numpy()]  # rows with missing keys not drawn
    rec, levels = _by(bys + [x], sub)
    res, _ = call("pooled_rates", {"events": floats(events, "events", sub), "by": rec,
                                   "person_time": floats(person_time, "person_time", sub),
                                   "conf_level": conf_level, "per": per})
    r = _show_levels(res, levels)
    curves = [(None, r)] if not bys else list(r.groupby(bys if len(bys) > 1 else bys[0], sort=False))
    for key, c in curves:
        shown = c["rate"].where(c["rate"] > 0) if log else c["rate"]  # zero rates have no place on a log axis
        line = ax.plot(c[x], shown, marker="o", markersize=3, label=None if key is None else str(key))[0]
        ax.fill_between(c[x], c["lower"], c["upper"], color=line.get_color(), alpha=0.15, linewidth=0)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(f"rate per {per:g}")
    if by is not None:
        ax.legend(title=by if isinstance(by, str) else None)
    return ax
