"""Kaplan–Meier and log-rank: argument handling and result objects.

The statistics are computed by the Rust core (``hrrstats._hrrstats``); this module
only resolves columns, factorises strata and groups, and presents results as numpy
arrays, pandas DataFrames, text and matplotlib plots.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import floats
from ._plots import draw_risk_table, risk_times_of, subplots
from ._protocol import EVENT_LABEL, Result, call, resolve
from . import _format

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


class KaplanMeier(Result):
    """A Kaplan–Meier fit (``survival::survfit``), one curve per stratum.

    Attributes are numpy arrays with one element per distinct time per stratum
    (censor-only times included): ``time``, ``n_risk``, ``n_event``, ``n_censor``,
    ``survival``, ``std_err`` (of the survival estimate), ``lower``, ``upper``,
    ``cumulative_hazard`` (Nelson–Aalen), ``std_err_cumulative_hazard``, and
    ``strata`` (the stratum label of each row).
    """

    _fields = ("n", "conf_type", "conf_level", "robust")

    def __init__(self, res, fit, levels, n_dropped, strata_name):
        super().__init__(res, fit)
        self.strata_levels = list(levels)
        self.n_dropped = n_dropped
        self._strata_name = strata_name
        tab = res["table"]
        self._stratum_code = tab["strata"].to_numpy()
        for k in tab.columns[1:]:
            setattr(self, k, tab[k].to_numpy())

    @property
    def strata(self):
        """Stratum label of every row (a pandas Categorical)."""
        return pd.Categorical.from_codes(self._stratum_code,
                                         categories=pd.Index(self.strata_levels, dtype=object))

    def _labelled(self, df):
        df["strata"] = [self.strata_levels[k] for k in df["strata"]]
        return df

    # -- tables -------------------------------------------------------------------
    def table(self):
        """DataFrame as ``summary(survfit(...), censored=TRUE)``: one row per time per stratum."""
        tab = self._res["table"].copy()
        tab["strata"] = self.strata
        return tab

    summary = table

    def quantile(self, probs=(0.25, 0.5, 0.75)):
        """Survival-time quantiles with confidence limits, as ``quantile.survfit``.

        The p-quantile is the first time the curve drops to 1 - p or below (the midpoint of
        a flat stretch at exactly 1 - p, as survfit); the limits are where the pointwise
        confidence limits cross 1 - p.

        Parameters
        ----------
        probs : float or sequence of float, default (0.25, 0.5, 0.75)
            Probabilities of an event (0 < p < 1).

        Returns
        -------
        pandas.DataFrame
            strata, prob, quantile, lower, upper (NaN where not reached).
        """
        probs = np.atleast_1d(np.asarray(probs, dtype=np.float64))
        return self._labelled(self._fit.call("quantile", {"probs": probs}))

    def median(self):
        """Median survival time per stratum with its confidence limits."""
        q = self._labelled(self._res["median"].copy())
        return q.drop(columns="prob").rename(columns={"quantile": "median"})

    def rmst(self, tau, conf_level=None):
        """Restricted mean survival time up to ``tau`` per stratum, as
        ``print(survfit, rmean = tau)``: the area under the curve from 0 to tau, with the
        standard error of survfit's ``rmean``.

        Parameters
        ----------
        tau : float
            The restriction time (same units as ``time``).
        conf_level : float, optional
            Level of the Wald limits (default the fit's).

        Returns
        -------
        pandas.DataFrame
            strata, tau, rmst, std_err, lower, upper.
        """
        return self._labelled(self._fit.call("rmst", {"tau": tau, "conf_level": conf_level}))

    def rmst_difference(self, tau, strata=None, conf_level=None):
        """Difference of the restricted means up to ``tau`` of two strata (first minus second),
        with a Wald test (the strata are independent: the variances add).

        Parameters
        ----------
        tau : float
            The restriction time.
        strata : sequence of two labels, optional
            The two strata compared (default the first two).
        conf_level : float, optional
            Level of the Wald limits (default the fit's).

        Returns
        -------
        dict
            strata, tau, difference, std_err, z, p_value, lower, upper, conf_level.
        """
        args = {"tau": tau, "conf_level": conf_level}
        if strata is not None:  # looked up by the core among the fit's strata
            args.update(strata=[self._label_of(x) for x in strata],
                        levels=[str(x) for x in self.strata_levels])
        r = dict(self._fit.call("rmst_difference", args))
        r["strata"] = [self.strata_levels[k] for k in r["strata"]]
        return r

    def _label_of(self, stratum):
        """A stratum as the core's label: the spelling of the level it equals (1 for 1.0),
        else its text (the core names it in the error if it is no stratum)."""
        return next((str(lev) for lev in self.strata_levels if lev == stratum), str(stratum))

    def _at(self, times, stratum=None):
        """The core's survival_at: every stratum, or the one labelled `stratum` (looked up
        by the core among the fit's strata)."""
        args = {"times": floats(np.atleast_1d(times), "times")}
        if stratum is not None:
            args.update(stratum=[self._label_of(stratum)], levels=[str(x) for x in self.strata_levels])
        return self._fit.call("survival_at", args)

    def survival_at(self, times, stratum=None):
        """Survival at ``times`` (right-continuous step function; 1 before the first time, the
        last value after the last one), as ``summary(fit, times = times)``.

        Parameters
        ----------
        times : float or array-like
            Times at which to read the curve.
        stratum : label, optional
            The stratum (as given in ``strata``); default all strata.

        Returns
        -------
        numpy.ndarray or pandas.DataFrame
            With one curve, or ``stratum`` given, the survival probabilities; otherwise a
            DataFrame (strata, time, n_risk, survival, std_err, lower, upper) for every
            stratum.
        """
        if stratum is not None or len(self.strata_levels) == 1:
            return self._at(times, stratum)["survival"].to_numpy()
        return self.survival_at_table(times)

    def survival_at_table(self, times):
        """Survival with standard errors and limits at ``times``, per stratum, as
        ``summary(fit, times = times)``.

        Parameters
        ----------
        times : float or array-like
            Times at which to read the curves.

        Returns
        -------
        pandas.DataFrame
            strata, time, n_risk (at risk at the time), survival, std_err (of the survival
            estimate), lower, upper.
        """
        return self._labelled(self._at(times)).drop(columns="cumulative_hazard")

    # -- display ------------------------------------------------------------------
    def _label(self, level):
        return f"{self._strata_name}={level}" if self._strata_name else str(level)

    def __repr__(self):
        med = self.median()
        lvl = f"{self.conf_level:g}"
        variance = "robust" if self.robust else "Greenwood"
        head = f"Kaplan-Meier fit ({self.conf_type} CI, {variance} variance)"
        if self.n_dropped:
            head += f"; {self.n_dropped} rows with missing values dropped"
        tab = pd.DataFrame({"n": self.n, "events": self._res["events"],
                            "median": med["median"].to_numpy(),
                            f"{lvl}LCL": med["lower"].to_numpy(),
                            f"{lvl}UCL": med["upper"].to_numpy()},
                           index=[self._label(s) for s in self.strata_levels])
        if len(self.strata_levels) == 1 and self._strata_name is None:
            tab.index = [""]
        return head + "\n" + tab.to_string()

    def plot(self, ax=None, ci=True, censor_marks=True, risk_table=False, risk_times=None,
             xscale=1.0, xlabel="time", **kwargs):
        """Step curves per stratum on a matplotlib Axes, as ``plot.survfit`` / survminer.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        ci : bool, default True
            Shade the pointwise confidence bands.
        censor_marks : bool, default True
            Mark censoring times with ``+`` on the curve (survfit's ``mark.time``).
        risk_table : bool, default False
            Print the number at risk per stratum under the time axis, at ``risk_times``
            (default: the axis' tick positions), as ``summary(fit, times)$n.risk``.
        risk_times : array-like, optional
            Times (in plotted units, i.e. after ``xscale``) for the number-at-risk table.
        xscale : float, default 1
            Divide times by this for the axis (365.25: days plotted as years), as
            survfit's ``xscale``.
        xlabel : str, default "time"
            Label of the time axis.
        **kwargs
            Passed to matplotlib's ``step`` (line style, width, ...).

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (its figure: ``ax.figure``).
        """
        xscale = float(floats(np.atleast_1d(xscale), "xscale")[0])
        if not xscale > 0:
            raise ValueError(f"argument `xscale` must be positive, got {xscale}")
        ax = subplots(ax)
        colours = []
        for k, lev in enumerate(self.strata_levels):
            m = self._stratum_code == k
            t = np.concatenate([[0.0], self.time[m]]) / xscale
            s = np.concatenate([[1.0], self.survival[m]])
            label = None if len(self.strata_levels) == 1 else self._label(lev)
            line, = ax.step(t, s, where="post", label=label, **kwargs)
            colours.append(line.get_color())
            if ci and self.conf_type != "none":
                lo = np.concatenate([[1.0], self.lower[m]])
                hi = np.concatenate([[1.0], self.upper[m]])
                ax.fill_between(t, lo, hi, step="post", alpha=0.2, color=line.get_color(),
                                linewidth=0)
            if censor_marks:
                c = m & (self.n_censor > 0)
                ax.plot(self.time[c] / xscale, self.survival[c], linestyle="none", marker="+",
                        color=line.get_color(), markersize=6, gid="censor_marks")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("survival probability")
        ax.set_ylim(0, 1.02)
        if len(self.strata_levels) > 1:
            ax.legend()
        if risk_table:
            self._risk_table(ax, risk_times, xscale, colours)
        return ax

    def _risk_table(self, ax, risk_times, xscale, colours):
        risk_times = risk_times_of(ax, risk_times)
        tab = self._at(risk_times * xscale)
        n = len(risk_times)
        counts = [tab["n_risk"].to_numpy()[k * n:(k + 1) * n] for k in range(len(self.strata_levels))]
        labels = ["" if len(self.strata_levels) == 1 else self._label(lev) for lev in self.strata_levels]
        draw_risk_table(ax, risk_times, counts, labels, colours)


def kaplan_meier(time: ArrayLike, event: ArrayLike, *, entry: ArrayLike | None = None,
                 strata: ArrayLike | list[str] | None = None, weights: ArrayLike | None = None,
                 conf_type: str = "log", conf_level: float = 0.95, variance: str = "auto",
                 na_action: str = "fail", data: DataFrameLike | None = None) -> KaplanMeier:
    """Kaplan–Meier survival (and Nelson–Aalen cumulative hazard), as ``survival::survfit``.

    Parameters
    ----------
    time : array-like or str
        Exit (event or censoring) times, or a column name of ``data``.
    event : array-like or str
        1/True = event, 0/False = censored.
    entry : array-like or str, optional
        Entry times: each row is at risk on ``(entry, time]`` (delayed entry / left
        truncation, counting-process rows). Default: at risk from time 0.
    strata : array-like, str or list of str, optional
        Grouping: one column, or a list of column names (one curve per combination).
    weights : array-like or str, optional
        Non-negative case weights. With fractional weights the robust
        (infinitesimal-jackknife) variance is used, as survfit does.
    conf_type : {"log", "log-log", "plain", "logit", "arcsin", "none"}, default "log"
        Transformation of the pointwise confidence intervals (survfit's ``conf.type``).
    conf_level : float, default 0.95
        Confidence level of the pointwise intervals.
    variance : {"auto", "greenwood", "robust"}, default "auto"
        "auto": Greenwood, or robust with fractional weights.
    na_action : {"fail", "drop"}, default "fail"
        "fail": missing values raise ``ValueError`` naming the argument and row;
        "drop": rows with a missing value are dropped (``n_dropped`` says how many).
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    KaplanMeier
        One row per distinct time per stratum (censor-only times included);
        ``table()`` is a DataFrame with columns strata, time, n_risk, n_event,
        n_censor, survival, std_err (of the survival probability), lower, upper,
        cumulative_hazard, std_err_cumulative_hazard; ``median()``, ``quantile()``,
        ``survival_at()``, ``rmst()`` and ``plot()`` as described there.

    See Also
    --------
    logrank_test : compare the curves.
    cumulative_incidence : with competing risks.

    Notes
    -----
    Matches ``survival::survfit(Surv(entry, time, event) ~ strata, weights,
    conf.type, conf.int)`` and ``summary(fit, censored = TRUE)`` to the last digits:
    Greenwood's variance, ``std.err`` on the survival scale.

    References
    ----------
    Kaplan EL, Meier P (1958). Nonparametric estimation from incomplete observations.
    JASA 53:457-481.

    Therneau TM, Grambsch PM (2000). Modeling Survival Data: Extending the Cox Model.
    Springer.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> km = hs.kaplan_meier("time", "status", strata="stage", data=df)
    >>> km
    Kaplan-Meier fit (log CI, Greenwood variance)
                n  events  median  0.95LCL  0.95UCL
    stage=1  4350  2315.0  4316.0   4190.0   4570.0
    stage=2  5973  3514.0  3639.0   3459.0   3776.0
    stage=3  5542  3906.0  1773.0   1652.0   1888.0
    stage=4  4135  3900.0   303.0    286.0    319.0
    >>> km.survival_at([365.25, 5 * 365.25], stratum=1).round(3)
    array([0.942, 0.759])
    >>> list(km.table().columns)  # doctest: +NORMALIZE_WHITESPACE
    ['strata', 'time', 'n_risk', 'n_event', 'n_censor', 'survival', 'std_err', 'lower',
     'upper', 'cumulative_hazard', 'std_err_cumulative_hazard']
    """
    args, levels, n_dropped = resolve({"time": (time, "num"), "event": (event, "num"),
                                       "entry": (entry, "num"), "weights": (weights, "num"),
                                       "strata": (strata, "group")}, data, na_action)
    args.update(status=args.pop("event"), labels=EVENT_LABEL, conf_type=conf_type, conf_level=conf_level,
                variance=variance)
    res, fit = call("kaplan_meier", args)
    name = strata if isinstance(strata, str) else None
    if isinstance(strata, (list, tuple)) and data is not None:
        name = ", ".join(strata) if all(isinstance(c, str) for c in strata) else None
    return KaplanMeier(res, fit, levels.get("strata", ["all"]), n_dropped, name)


class LogrankTest(Result):
    """Log-rank / Fleming–Harrington G-rho test (``survival::survdiff``).

    Attributes: ``statistic``, ``df``, ``p_value``, ``observed`` and ``expected``
    events per group (summed over strata), ``variance`` (k x k), ``n`` per group,
    ``groups`` (labels), ``rho``.
    """

    _fields = ("statistic", "p_value", "rho")
    _matrices = ("variance", "observed_by_stratum", "expected_by_stratum")

    def __init__(self, res, groups, n_dropped):
        super().__init__(res)
        self.groups = list(groups)
        tab = res["table"]
        self._table = tab.assign(group=[self.groups[k] for k in tab["group"]])
        for k in ("n", "observed", "expected"):
            setattr(self, k, tab[k].to_numpy())
        self.df = int(res["df"])
        self.n_dropped = n_dropped

    def table(self):
        """DataFrame: group, n, observed, expected, (O-E)^2/E, (O-E)^2/V."""
        return self._table.copy()

    summary = table

    def __repr__(self):
        kind = ("Log-rank test" if self.rho == 0
                else f"Fleming-Harrington G-rho test (rho = {self.rho:g})")
        return (f"{kind}\n{_format.table(self.table(), index=False)}\n\n"
                f" Chisq = {self.statistic:.6g} on {self.df} degrees of freedom, "
                f"p = {_format.pvalue(self.p_value)}")


def logrank_test(time: ArrayLike, event: ArrayLike, group: ArrayLike, *,
                 strata: ArrayLike | list[str] | None = None, rho: float = 0.0,
                 entry: ArrayLike | None = None, na_action: str = "fail",
                 data: DataFrameLike | None = None) -> LogrankTest:
    """Test equality of survival curves across ``group`` (``survival::survdiff``).

    Parameters
    ----------
    time : array-like or str
        Exit times, or a column name of ``data``.
    event : array-like or str
        1/True = event, 0/False = censored.
    group : array-like or str
        The groups compared (any labels).
    strata : array-like, str or list of str, optional
        Stratifies the test (survdiff's ``strata()`` term).
    rho : float, default 0.0
        Fleming–Harrington weights S(t-)^rho: 0 the log-rank test, 1 Peto–Peto.
    entry : array-like or str, optional
        Entry times: risk sets on ``(entry, time]`` (an extension: survdiff accepts
        right-censored data only).
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    LogrankTest
        ``statistic``, ``df``, ``p_value``; ``observed``, ``expected`` and ``n`` per
        group (in ``groups`` order); ``variance`` (k x k); ``table()``: DataFrame
        group, n, observed, expected, (O-E)^2/E, (O-E)^2/V.

    Notes
    -----
    Matches ``survival::survdiff(Surv(time, event) ~ group + strata(s), rho = rho)``.

    References
    ----------
    Harrington DP, Fleming TR (1982). A class of rank test procedures for censored
    survival data. Biometrika 69:553-566.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> lr = hs.logrank_test("time", "status", "stage", data=df)
    >>> round(lr.statistic, 2), lr.df
    (7717.58, 3)
    >>> lr.observed.tolist(), lr.expected.round(0).tolist()
    ([2315.0, 3514.0, 3906.0, 3900.0], [3893.0, 4889.0, 3678.0, 1175.0])
    """
    args, levels, n_dropped = resolve({"time": (time, "num"), "event": (event, "num"),
                                       "entry": (entry, "num"), "group": (group, "group"),
                                       "strata": (strata, "group")}, data, na_action)
    args.update(status=args.pop("event"), labels=EVENT_LABEL, rho=rho)
    res, _ = call("logrank_test", args)
    return LogrankTest(res, levels["group"], n_dropped)
