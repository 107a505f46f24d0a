"""Competing risks: cumulative incidence (Aalen–Johansen, Gray's test) and Fine–Gray
regression. Argument handling and result objects; every number (curves, variances,
tests, coefficient tables, baseline hazards, predictions) comes from the Rust core.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import floats
from ._design import resolve_design
from ._plots import add_risk_table, check_xscale, subplots
from ._protocol import Fitted, Result, call, check_na_action, resolve
from . import _format

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

__all__ = ["cumulative_incidence", "fine_gray", "cause_specific_cox", "CumulativeIncidence",
           "FineGray"]


def _label(c):
    return int(c) if float(c).is_integer() else float(c)


class CumulativeIncidence(Result):
    """Aalen–Johansen cumulative incidence curves, one per group and cause.

    ``gray_test``: DataFrame (cause, statistic, df, p_value) comparing the groups (None
    without groups, or with delayed entry or weights). ``causes``, ``groups``, ``n``
    (rows per group), ``all_cause`` (DataFrame: group, time, n_risk, n_censor, survival
    -- the all-cause Kaplan–Meier curve).
    """

    _fields = ("conf_type", "conf_level", "rho", "variance", "n")

    def __init__(self, res, fit, group_levels, n_dropped):
        super().__init__(res, fit)
        self.causes = [_label(c) for c in res["causes"]]
        self.groups = list(group_levels)
        self.n_dropped = n_dropped
        g = res["gray_test"]
        self.gray_test = None if g is None else self._labelled(g)
        self.all_cause = self._labelled(res["all_cause"])

    def _labelled(self, df):
        """Group and cause positions as the user's labels."""
        df = df.copy()
        if "group" in df:
            df["group"] = [self.groups[k] for k in df["group"]]
        if "cause" in df:
            df["cause"] = [self.causes[k] for k in df["cause"]]
        return df

    def table(self):
        """DataFrame: group, cause, time, n_risk, n_event, estimate, variance, std_err,
        lower, upper -- one row per distinct time (events or censorings) per group and
        cause; std_err is the standard error of the estimate."""
        return self._labelled(self._res["table"])

    def at(self, times):
        """The curves at ``times`` (right-continuous steps; NaN beyond a group's last follow-up
        time), as ``cmprsk::timepoints``.

        Parameters
        ----------
        times : float or array-like
            Times at which to read the curves.

        Returns
        -------
        pandas.DataFrame
            group, cause, time, estimate, variance, std_err.
        """
        t = floats(np.atleast_1d(np.asarray(times, dtype=np.float64)), "times")
        return self._labelled(self._fit.call("at", {"times": t}))

    def _group_index(self, group):
        """Position of ``group`` among the groups (matched as given or as text)."""
        for k, g in enumerate(self.groups):
            if g == group or str(g) == str(group):
                return k
        raise ValueError(f"argument `group`: {group!r} is not one of the groups {self.groups}")

    def plot(self, ax=None, stacked=False, group=None, *, censor_marks=True, risk_table=False,
             risk_times=None, xscale=1.0, xlabel="time"):
        """Step plot of the curves (one panel; colours by cause, line styles by group), as
        ``plot(cmprsk::cuminc(...))`` with survminer's censoring marks and risk table.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        stacked : bool, default False
            Stack the causes of one group (``group``) as filled areas.
        group : optional
            The group drawn when ``stacked`` (default the first).
        censor_marks : bool, default True
            Mark censoring times of each group with ``+`` on its curves (not when
            ``stacked``).
        risk_table : bool, default False
            Print the number at risk per group (of any cause: the all-cause risk set)
            under the time axis at ``risk_times`` (default: the axis' tick positions),
            as ``summary(survfit(Surv(time, cause != 0) ~ group), times)$n.risk``.
        risk_times : array-like, optional
            Times (in plotted units, i.e. after ``xscale``) for the number-at-risk table.
        xscale : float, default 1
            Divide times by this for the axis (365.25: days plotted as years).
        xlabel : str, default "time"
            Label of the time axis.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on (its figure: ``ax.figure``).

        Examples
        --------
        >>> import numpy as np
        >>> import hrrstats as hs
        >>> ci = hs.cumulative_incidence([1, 2, 3, 4, 5, 6], [1, 2, 0, 1, 0, 2],
        ...                              group=["a", "a", "a", "b", "b", "b"])
        >>> ax = ci.plot(risk_table=True, risk_times=[0, 2, 4])
        >>> [t.get_text() for t in ax.texts if t.get_gid() == "risk_table"]
        ['3', '2', '0', '3', '3', '3']
        """
        xscale = check_xscale(xscale)
        ax = subplots(ax)
        tab = self._res["table"]
        gcode, ccode = tab["group"].to_numpy(), tab["cause"].to_numpy()
        t_all, est = tab["time"].to_numpy() / xscale, tab["estimate"].to_numpy()
        allc = self._res["all_cause"]
        if stacked:
            gi = 0 if group is None else self._group_index(group)
            base = 0.0  # the causes' curves share the group's times
            for k, cause in enumerate(self.causes):
                m = (gcode == gi) & (ccode == k)
                top = base + est[m]
                ax.fill_between(t_all[m], base, top, step="post", alpha=0.6, label=f"cause {cause}")
                base = top
            ax.set_title(f"group {self.groups[gi]}" if len(self.groups) > 1 else "")
        else:
            styles = ["-", "--", ":", "-."]
            for gi in range(len(self.groups)):
                ga = allc[allc["group"].to_numpy() == gi]
                cens = ga["time"].to_numpy()[ga["n_censor"].to_numpy() > 0]
                for k, cause in enumerate(self.causes):
                    m = (gcode == gi) & (ccode == k)
                    lab = f"cause {cause}" + (f", {self.groups[gi]}" if len(self.groups) > 1
                                              else "")
                    ax.step(t_all[m], est[m], where="post", color=f"C{k}",
                            linestyle=styles[gi % 4], label=lab)
                    if censor_marks and len(cens) and m.any():
                        # the curve's value at each censoring time (right-continuous step)
                        j = np.searchsorted(t_all[m], cens / xscale, side="right") - 1
                        y = np.where(j >= 0, est[m][np.maximum(j, 0)], 0.0)
                        ax.plot(cens / xscale, y, linestyle="none", marker="+", color=f"C{k}",
                                markersize=6, gid="censor_marks")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("cumulative incidence")
        ax.set_ylim(0, 1)
        ax.legend()
        if risk_table:
            shown = {g: allc[allc["group"].to_numpy() == g]
                     for g in ([gi] if stacked else range(len(self.groups)))}
            curves = [("" if len(self.groups) == 1 else str(self.groups[g]), ga["time"],
                       ga["n_risk"], "black") for g, ga in shown.items()]
            add_risk_table(ax, risk_times, xscale, curves)
        return ax

    def __repr__(self):
        s = (f"Cumulative incidence (Aalen-Johansen): {len(self.groups)} group(s), "
             f"causes {self.causes}")
        if self.gray_test is not None:
            s += "\nGray's test:\n" + _format.table(self.gray_test, index=False)
        return s


def cumulative_incidence(time: ArrayLike, cause: ArrayLike, *, group: ArrayLike | None = None,
                         entry: ArrayLike | None = None, censor_code=0, weights: ArrayLike | None = None,
                         strata: ArrayLike | None = None, conf_type: str = "log-log",
                         conf_level: float = 0.95, rho: float = 0.0, variance: str = "cuminc",
                         frequency_weights: bool = False, na_action: str = "fail",
                         data: DataFrameLike | None = None) -> CumulativeIncidence:
    """Aalen–Johansen cumulative incidence for every cause (as ``cmprsk::cuminc`` and
    ``survival::survfit`` with competing risks), with Gray's test across ``group``.

    Parameters
    ----------
    time : array-like or str
        Exit times, or a column name of ``data``.
    cause : array-like or str
        The cause of each exit (any numeric codes), ``censor_code`` for censored rows.
    group : array-like or str, optional
        Groups to estimate and compare (Gray's test).
    entry : array-like or str, optional
        Delayed entry: at risk on ``(entry, time]``.
    censor_code : number, default 0
        The code of censored rows in ``cause``.
    weights : array-like or str, optional
        Case weights.
    strata : array-like or str, optional
        Strata of Gray's test (cuminc's ``strata``).
    conf_type : {"log-log", "log", "plain"}, default "log-log"
        Transformation of the pointwise confidence intervals.
    conf_level : float, default 0.95
        Confidence level.
    rho : float, default 0.0
        The weight power of Gray's test.
    variance : {"cuminc", "survfit"}, default "cuminc"
        "cuminc": Gray's delta method as cmprsk (with entry or weights generalised
        with the weighted risk set); "survfit": the infinitesimal jackknife of
        survival::survfit.
    frequency_weights : bool, default False
        ``weights`` are whole numbers counting identical rows (a table of counts): the
        same curves, and Gray's test that of the expanded data (with other case
        weights there is no Gray's test).
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    CumulativeIncidence
        ``table()``: DataFrame group, cause, time, n_risk, n_event, estimate,
        variance, std_err, lower, upper; ``at(times)``: group, cause, time, estimate,
        variance, std_err; ``gray_test``: DataFrame cause, statistic, df, p_value
        (None without ``group``); ``plot()``.

    See Also
    --------
    fine_gray, cause_specific_cox

    References
    ----------
    Gray RJ (1988). A class of K-sample tests for comparing the cumulative incidence
    of a competing risk. Ann Stat 16:1141-1154.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["cause"] = np.where(df["status"] == 1, np.where(df["age"] < 70, 1, 2), 0)
    >>> ci = hs.cumulative_incidence("time", "cause", group="sex", data=df)
    >>> ci.at([1826.25])[["group", "cause", "estimate", "std_err"]].round(4)
       group  cause  estimate  std_err
    0      1      1    0.1939   0.0039
    1      1      2    0.3011   0.0045
    2      2      1    0.1829   0.0039
    3      2      2    0.2757   0.0046
    >>> ci.gray_test.round(3)
       cause  statistic  df  p_value
    0      1     16.918   1    0.000
    1      2     10.058   1    0.002
    """
    args, levels, n_dropped = resolve({"time": (time, "num"), "cause": (cause, "num"),
                                       "entry": (entry, "num"), "weights": (weights, "num"),
                                       "group": (group, "group"), "strata": (strata, "group")},
                                      data, na_action)
    args.update(censor_code=censor_code, conf_type=conf_type, conf_level=conf_level, rho=rho,
                variance=variance, frequency_weights=bool(frequency_weights))
    res, fit = call("cumulative_incidence", args)
    return CumulativeIncidence(res, fit, levels.get("group", ["all"]), n_dropped)


class FineGray(Fitted):
    """A Fine–Gray subdistribution-hazards fit (``cmprsk::crr``).

    Attributes: ``coef``, ``se`` and ``var`` (crr's sandwich variance), ``naive_var``
    (inverse information, crr's ``invinf``), ``loglik`` (null, final pseudo
    log-likelihood), ``score``, ``iterations``, ``converged``, ``convergence`` (why the
    iterations stopped: "converged", "infinite_coefficient", "max_iterations",
    "step_search_failed"), ``warnings``, ``n``, ``n_events``,
    ``names``, ``event_times``.
    """

    _fields = ("coef", "se", "score", "event_times", "conf_level", "convergence", "warnings")
    _matrices = ("var", "naive_var")

    def __init__(self, res, fit, design, cause_of_interest, n_dropped):
        super().__init__(res, fit, design, n_dropped)
        for k in ("iterations", "n", "n_events"):
            setattr(self, k, int(res[k]))
        self.converged = bool(res["converged"])
        self.loglik = (res["loglik_null"], res["loglik"])
        self.cause_of_interest = cause_of_interest

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term: coef, exp_coef (the subdistribution hazard ratio),
        se, z, p, exp_lower, exp_upper, lower, upper (Wald limits of coef; exp_lower and
        exp_upper those of exp(coef)).

        Parameters
        ----------
        conf_level : float, optional
            Level of the Wald limits (default: the level the model was fitted with).

        Returns
        -------
        pandas.DataFrame
            One row per term (the index), the columns above; ``table()`` is the same.
        """
        return self._coef_table(conf_level)

    def baseline_hazard(self):
        """DataFrame: time, cumulative_hazard (the baseline cumulative subdistribution
        hazard: crr's uftime and cumsum(bfitj))."""
        return self._fit.call("baseline_hazard", {})

    def predict(self, covariates, data=None):
        """Predicted cumulative incidence of the cause of interest at the event times, for each
        row of new covariates, as ``predict.crr``: 1 - exp(-exp(x'beta) * Lambda_0(t)).

        Parameters
        ----------
        covariates : 2-D array, DataFrame or list of str
            New covariate rows (the fit's columns).
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.

        Returns
        -------
        pandas.DataFrame
            A ``time`` column and one column per new row.
        """
        cols = self._design.apply(covariates, data)
        r = self._fit.call("predict", {"newdata": dict(zip(self.names, cols))})
        cif = np.asarray(r["cumulative_incidence"])
        return pd.DataFrame({"time": r["time"],
                             **{f"row_{k}": cif[:, k] for k in range(cif.shape[1])}})

    def __repr__(self):
        s = self.summary()
        return (f"Fine-Gray regression for cause {self.cause_of_interest}: n = {self.n}, "
                f"{self.n_events} events, pseudo log-likelihood {self.loglik[1]:.4f} "
                f"(null {self.loglik[0]:.4f})\n" + _format.table(s))


def fine_gray(time: ArrayLike, cause: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], *,
              cause_of_interest=1, censor_code=0, cengroup: ArrayLike | None = None, gtol: float = 1e-9,
              max_iter: int = 50, conf_level: float = 0.95, na_action: str = "fail",
              data: DataFrameLike | None = None) -> FineGray:
    """Fine–Gray proportional subdistribution-hazards regression (as ``cmprsk::crr``),
    O(n log n) per fit.

    Parameters
    ----------
    time : array-like or str
        Exit times, or a column name of ``data``.
    cause : array-like or str
        The cause of each exit, ``censor_code`` for censored rows.
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph` (categorical columns dummy-coded).
    cause_of_interest : number, default 1
        The cause modelled (crr's ``failcode``).
    censor_code : number, default 0
        The code of censored rows (crr's ``cencode``).
    cengroup : array-like or str, optional
        Groups with separate censoring distributions (crr's ``cengroup``).
    gtol : float, default 1e-9
        Convergence tolerance on the score (crr's ``gtol``).
    max_iter : int, default 50
        Maximum Newton iterations (crr's ``maxiter``).
    conf_level : float, default 0.95
        Level of the Wald limits in ``summary()``.
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    FineGray
        ``coef``, ``se``, ``var`` (crr's sandwich variance), ``loglik``;
        ``summary()``: DataFrame indexed by term with coef, exp_coef
        (subdistribution hazard ratios), se, z, p, exp_lower, exp_upper, lower, upper;
        ``baseline_hazard()``, ``predict()``.

    References
    ----------
    Fine JP, Gray RJ (1999). A proportional hazards model for the subdistribution of a
    competing risk. JASA 94:496-509.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["cause"] = np.where(df["status"] == 1, np.where(df["age"] < 70, 1, 2), 0)
    >>> fg = hs.fine_gray("time", "cause", ["sex"], cause_of_interest=1, data=df)
    >>> fg.summary()[["exp_coef", "se", "p"]].round(3)
          exp_coef     se    p
    term
    sex      0.895  0.027  0.0
    """
    spec = {"time": (time, "num"), "cause": (cause, "num"), "cengroup": (cengroup, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    args.update(cause_of_interest=cause_of_interest, censor_code=censor_code, gtol=gtol, max_iter=max_iter,
                conf_level=conf_level)
    res, fit = call("fine_gray", args)
    return FineGray(res, fit, design, cause_of_interest, n_dropped)


def cause_specific_cox(time: ArrayLike, cause: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str],
                       *, censor_code: float = 0, causes=None, data: DataFrameLike | None = None,
                       **kwargs) -> dict:
    """Cause-specific Cox models for every cause at once.

    For each cause ``k`` a Cox model (:func:`cox_ph`) in which events of ``k`` are events
    and every other outcome is censored: the cause-specific hazard
    lambda_k(t | x) = lambda_k0(t) exp(x'beta_k), as ``coxph(Surv(time, cause == k) ~ x)``
    for each k (Putter, Fiocco and Geskus 2007).

    Parameters
    ----------
    time : array-like or str
        Exit times.
    cause : array-like or str
        Numeric cause codes; ``censor_code`` for censored rows.
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph`.
    censor_code : float, default 0
        The code of censored rows (not a cause).
    causes : sequence of float, optional
        The causes to model (default every code other than ``censor_code``).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.
    **kwargs
        Passed on to :func:`cox_ph` (entry, strata, weights, cluster, robust, ties,
        na_action, ...). A missing cause is an error naming its row, or with
        ``na_action="drop"`` a dropped (and counted) row, never a censored one.

    Returns
    -------
    dict
        ``{cause: CoxPH}``.

    References
    ----------
    Putter H, Fiocco M, Geskus RB (2007). Tutorial in biostatistics: competing risks and
    multi-state models. Stat Med 26:2389-430.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> df = hs.example_cohort().iloc[:2000].copy()
    >>> df["cause"] = np.where(df["status"] == 1, np.where(df["stage"] >= 3, 1, 2), 0)
    >>> fits = hs.cause_specific_cox("time", "cause", ["age", "sex"], data=df)
    >>> list(fits)
    [1, 2]
    >>> fits[1].summary()[["coef", "exp_coef", "se"]].round(4)
            coef  exp_coef      se
    term
    age   0.0254    1.0258  0.0033
    sex  -0.0698    0.9326  0.0709
    """
    from ._cox import cox_ph

    c = floats(cause, "cause", data)
    check_na_action(kwargs.get("na_action", "fail"))
    r, _ = call("cause_specific_events", {
        "cause": c, "censor_code": censor_code,
        "causes": None if causes is None else floats(np.atleast_1d(causes), "causes"),
        "allow_missing": kwargs.get("na_action", "fail") == "drop"})
    events = np.asarray(r["events"], dtype=np.float64)  # one column per cause
    return {_label(k): cox_ph(time, np.ascontiguousarray(events[:, j]), covariates, data=data,
                              **kwargs)
            for j, k in enumerate(r["causes"])}
