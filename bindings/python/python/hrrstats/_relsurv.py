"""Relative and net survival: population rate tables and the Pohar-Perme, Ederer II,
Ederer I and Hakulinen estimators (as ``relsurv::rs.surv``), the net-survival test, the
excess-hazard model, crude probabilities and interval (life-table) net survival.

Columns, sex labels and dates are resolved here; the core converts units, fits and lays out
every result.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import codes, coded, column, floats
from ._plots import add_risk_table, check_xscale, subplots
from ._progress import quiet as _quiet
from ._protocol import EVENT_LABEL, Result, call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

__all__ = ["icss_group", "RateTable", "net_survival", "NetSurvival", "net_survival_test",
           "excess_hazard_model", "crude_probabilities", "interval_net_survival",
           "IntervalNetSurvival"]


def _calendar(x, name, data=None):
    """Calendar time as the core reads it: decimal years, or dates as days since
    1970-01-01 (which the core converts to decimal years)."""
    a = column(x, name, data, dates=True)
    if np.issubdtype(a.dtype, np.datetime64):
        d = a.astype("datetime64[D]")
        return {"days": np.where(np.isnat(d), np.nan, d.astype(np.int64))}
    return floats(a, name)


def _labels(x, name, data):
    """A factor column as the core matches it against a rate table's levels: numbers as
    they are, anything else as labels and each row's position among them (NaN where
    missing)."""
    a = column(x, name, data, dates=True)
    if a.dtype.kind in "iuf":
        return {"values": floats(a, name)}
    pos, labels = pd.factorize(a)
    return {"codes": np.where(pos < 0, np.nan, pos), "labels": [str(v) for v in labels]}


def _grouping(x, name, data, n, default=None):
    """A grouping argument as the core reads it, and its level labels (None and `default`
    when absent)."""
    return (None, default) if x is None else coded(x, name, data, n)


def _times(x):
    return np.ascontiguousarray(np.atleast_1d(np.asarray(x, dtype=np.float64)))


def _weights(w):
    return w if isinstance(w, str) else np.asarray(w, dtype=np.float64)


class RateTable:
    """A population rate table: hazards by age x calendar year x sex.

    Build it with :meth:`from_frame` or :meth:`builtin`. ``time_unit``: "days" (rates per
    day, follow-up in days; ages are converted with 365.241 days per year and calendar
    years to days since 1960-01-01, as relsurv) or "years" (rates per person-year).
    """

    def __init__(self, record, sex_levels=None):
        self._rec = record
        self.time_unit = record["time_unit"]
        self.source = record["source"] or None
        self.name = record["name"]
        levels = record["levels"].get("sex", [])
        self.sex_levels = list(levels) if sex_levels is None else list(sex_levels)

    @classmethod
    def from_frame(cls, df, age="age", year="year", sex="sex", rate="rate", time_unit="days",
                   source=None):
        """From a long table: one row per age x year x sex with the hazard ``rate`` per
        ``time_unit``. A row holds from its age and year cut-points up to the next listed
        ones (cut-points need not be evenly spaced); past the last, the last row
        continues. Every combination must appear exactly once."""
        r = floats(rate, "rate", df)
        s, levels = codes([column(sex, "sex", df)], "sex", len(r))
        rec, _ = call("rate_table", {"age": floats(age, "age", df),
                                     "year": _calendar(year, "year", df),
                                     "sex": (s, [str(v) for v in levels]), "rate": r,
                                     "time_unit": time_unit, "source": source})
        return cls(rec, levels)

    @classmethod
    def builtin(cls, name="survexp.us"):
        """A rate table shipped with hrrstats (in days; sex "male" / "female"):
        ``"survexp.us"`` -- the US population 1940-2014 by age, sex and calendar year, as
        survival's ``survexp.us``, with its US-style calendar dimension (the calendar row
        changes on the birthday). ``source`` names the origin."""
        rec, _ = call("builtin_rate_table", {"name": name})
        return cls(rec)

    def _persons(self, age, year, sex, data):
        """The persons' values as the core reads them: age (years), year (decimal
        years), sex (matched to the table's levels by the core)."""
        return {"ratetable": self._rec, "age": floats(age, "age", data),
                "year": _calendar(year, "year", data), "sex": _labels(sex, "sex", data)}

    def expected_survival(self, age, year, sex, times, data=None, age_unit="years"):
        """Expected (population) survival of each person at ``times`` after diagnosis, by exact
        integration across the table's cells, as ``survexp(method = "individual.s")``.

        Parameters
        ----------
        age : array-like or str
            Age at diagnosis (years, or days with ``age_unit="days"``).
        year : array-like or str
            Calendar year (decimal) of diagnosis.
        sex : array-like or str
            Sex, coded as in the table.
        times : float or array-like
            Times after diagnosis, in the table's ``time_unit``.
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.
        age_unit : {"years", "days"}, default "years"
            Unit of ``age`` (days as survival's ``rmap``).

        Returns
        -------
        pandas.DataFrame
            One row per person and one column per time.
        """
        t = _times(times)
        m, _ = call("expected_survival",
                    {**self._persons(age, year, sex, data), "times": t, "age_unit": age_unit})
        return pd.DataFrame(np.asarray(m).reshape(-1, len(t)), columns=list(t))

    def expected_hazard(self, age, year, sex, time, data=None, age_unit="years"):
        """Each person's population hazard ``time`` after diagnosis, per the table's time unit:
        the rate of the cell they are in then (attained age and calendar time). The
        ``bhazard`` of a relative-survival model (:func:`flexible_parametric`).

        Parameters
        ----------
        age : array-like or str
            Age at diagnosis (years, or days with ``age_unit="days"``).
        year : array-like or str
            Calendar year (decimal) of diagnosis.
        sex : array-like or str
            Sex, coded as in the table.
        time : array-like or str
            Each person's own time (e.g. the exit time), in the table's ``time_unit``.
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.
        age_unit : {"years", "days"}, default "years"
            Unit of ``age``.

        Returns
        -------
        numpy.ndarray
            One hazard per person (per the table's time unit).
        """
        h, _ = call("expected_hazard", {**self._persons(age, year, sex, data), "time": floats(time, "time", data),
                                         "age_unit": age_unit})
        return np.asarray(h)

    def __repr__(self):
        name = self.name or self.source or "from_frame"
        return f"RateTable({name}, time_unit={self.time_unit!r})"


def _inputs(ratetable, time, event, age, year, sex, data):
    """The follow-up and the persons' rate-table values as the core reads them."""
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    return {"time": floats(time, "time", data), "status": floats(event, "event", data),
            "labels": EVENT_LABEL, **ratetable._persons(age, year, sex, data)}


class _Curves(Result):
    """Survival curves by level (column ``_by`` of the core's table, ending at ``_x``)."""

    _by, _x = "strata", "time"

    _fields = ("method", "conf_type", "conf_level")

    def __init__(self, res, fit, levels):
        super().__init__(res, fit)
        self._levels = list(levels)

    def _labelled(self, df):
        df[self._by] = pd.Categorical.from_codes(df[self._by].to_numpy(),
                                                 categories=pd.Index(self._levels, dtype=object))
        return df

    def _per_level(self):
        tab = self._res["table"]
        for k, s in enumerate(self._levels):
            yield k, s, tab[tab[self._by] == k]

    def _plot(self, ax, conf_int, step, xlabel, xscale=1.0, censor_marks=False):
        ax = subplots(ax)
        draw = ax.step if step else ax.plot
        style = {"where": "post"} if step else {"marker": "."}
        for k, s, c in self._per_level():
            t = np.concatenate([[0.0], c[self._x]]) / xscale
            draw(t, np.concatenate([[1.0], c["survival"]]), color=f"C{k}", label=str(s), **style)
            if conf_int:
                ax.fill_between(t, np.concatenate([[1.0], c["lower"]]),
                                np.concatenate([[1.0], c["upper"]]), step="post" if step else None,
                                color=f"C{k}", alpha=0.15, linewidth=0)
            if censor_marks:
                m = c["n_censor"].to_numpy() > 0
                ax.plot(c[self._x].to_numpy()[m] / xscale, c["survival"].to_numpy()[m], linestyle="none",
                        marker="+", color=f"C{k}", markersize=6, gid="censor_marks")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(f"{'net' if self.method == 'pohar-perme' else 'relative'} survival")
        if len(self._levels) > 1:
            ax.legend()
        return ax

    def _final(self, unit=""):
        return "; ".join(f"{s}: {c['survival'].iloc[-1]:.4f} at {c[self._x].iloc[-1]:g}{unit}"
                         for _, s, c in self._per_level() if len(c))


class NetSurvival(_Curves):
    """Net (Pohar-Perme) or relative (Ederer II, Ederer I, Hakulinen) survival curves."""

    def __init__(self, res, fit, strata_levels):
        super().__init__(res, fit, strata_levels)
        self.strata = list(strata_levels)
        self.n = res["n"]

    def table(self):
        """DataFrame: strata, time, n_risk, n_event, n_censor, survival, std_err, lower,
        upper, std_err_cumulative_hazard -- one row per distinct follow-up time per stratum
        (as ``rs.surv``). ``std_err`` is the standard error of ``survival`` (as
        ``summary(rs.surv(...))`` reports it: survival x std_err_cumulative_hazard);
        ``std_err_cumulative_hazard`` is rs.surv's own ``std.err``, of the cumulative net
        hazard, on which the limits are built."""
        return self._labelled(self._res["table"].copy())

    def at(self, times):
        """The curves at ``times``: the values at the last reported time at or before each
        time (survival 1, standard errors 0 and n_risk NaN before the first), as
        ``summary(rs.surv(...), times)``.

        Parameters
        ----------
        times : float or array-like
            Times (in the rate table's ``time_unit``).

        Returns
        -------
        pandas.DataFrame
            strata, time, n_risk, survival, std_err (of the survival estimate, as
            :meth:`table`), lower, upper, std_err_cumulative_hazard.
        """
        return self._labelled(self._fit.call("at", {"times": _times(times)}))

    def age_standardized(self, times, weights="icss1"):
        """Directly age-standardised net survival at ``times`` over the strata (age groups, in
        the order of the strata levels).

        S(t) = sum_k w_k S_k(t), SE = sqrt(sum_k w_k^2 SE_k^2) with SE_k the strata's
        ``std_err`` (of the survival estimate), limits S -/+ z SE (Corazziari et al. 2004).

        Parameters
        ----------
        times : float or array-like
            Times (in the rate table's ``time_unit``).
        weights : {"icss1", "icss2", "icss3"} or sequence of float, default "icss1"
            The International Cancer Survival Standard for the five groups 15-44, 45-54,
            55-64, 65-74, 75+ (see :func:`icss_group`), or one weight per stratum.

        Returns
        -------
        pandas.DataFrame
            time, survival, std_err, lower, upper.
        """
        return self._fit.call("age_standardized",
                              {"times": _times(times), "weights": _weights(weights)})

    def plot(self, ax=None, conf_int=True, *, censor_marks=True, risk_table=False, risk_times=None,
             xscale=1.0, xlabel="time"):
        """Step curves per stratum with confidence bands (matplotlib), as
        ``plot(rs.surv(...))`` with survminer's censoring marks and risk table.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        conf_int : bool, default True
            Shade the pointwise confidence bands.
        censor_marks : bool, default True
            Mark times with censorings with ``+`` on the curve.
        risk_table : bool, default False
            Print the number at risk per stratum under the time axis at ``risk_times``
            (default: the axis' tick positions): the rows still under follow-up at
            that time (``n_risk`` of the first table row at or after it, 0 after the
            last), as ``summary(fit, times)$n.risk``.
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
        >>> import hrrstats as hs
        >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year",
        ...                              sex="sex", rate="rate", time_unit="days")
        >>> df = hs.example_cohort().iloc[:500]
        >>> ns = hs.net_survival("time", "status", "age", "year", "sex", rt,
        ...                      strata="stage", data=df)
        >>> ax = ns.plot(risk_table=True, xscale=365.25, xlabel="years")
        """
        xscale = check_xscale(xscale)
        ax = self._plot(ax, conf_int, True, xlabel, xscale=xscale, censor_marks=censor_marks)
        if risk_table:
            curves = [("" if len(self._levels) == 1 else str(s), c[self._x], c["n_risk"], f"C{k}")
                      for k, s, c in self._per_level()]
            add_risk_table(ax, risk_times, xscale, curves)
        return ax

    def __repr__(self):
        return f"Net survival ({self.method}), final estimates: " + self._final()


def net_survival(time: ArrayLike, event: ArrayLike, age: ArrayLike, year: ArrayLike, sex: ArrayLike,
                 ratetable: RateTable, *, method: str = "pohar-perme",
                 strata: ArrayLike | list[str] | None = None, conf_type: str = "log",
                 conf_level: float = 0.95, precision: float | None = None, fin_date=None,
                 data: DataFrameLike | None = None, quiet: bool = False) -> NetSurvival:
    """Net survival (Pohar-Perme, default) or relative survival ("ederer2", "ederer1",
    "hakulinen"), as ``relsurv::rs.surv``.

    Parameters
    ----------
    time : array-like or str
        Follow-up time in ``ratetable.time_unit`` (e.g. days).
    event : array-like or str
        1/True = died, 0/False = censored.
    age : array-like or str
        Age in years at diagnosis.
    year : array-like or str
        Calendar time of diagnosis: decimal years or dates.
    sex : array-like or str
        Sex, as labelled in the rate table.
    ratetable : RateTable
        The population hazards (:meth:`RateTable.from_frame`, :meth:`RateTable.builtin`).
    method : {"pohar-perme", "ederer2", "ederer1", "hakulinen"}, default "pohar-perme"
        The estimator (rs.surv's ``method``).
    strata : array-like, str or list of str, optional
        One curve per stratum.
    conf_type : {"log", "log-log", "plain"}, default "log"
        Transformation of the confidence intervals.
    conf_level : float, default 0.95
        Confidence level.
    precision : float, optional
        The step of the numerical integration (default one day).
    fin_date : date or float, optional
        The end of potential follow-up (Hakulinen).
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.
    quiet : bool, default False
        No progress bar for a long estimation (see :func:`set_progress`).

    Returns
    -------
    NetSurvival
        ``table()``: DataFrame strata, time, n_risk, n_event, n_censor, survival,
        std_err, lower, upper, std_err_cumulative_hazard; ``at(times)``: strata,
        time, n_risk, survival, std_err, lower, upper, std_err_cumulative_hazard;
        ``age_standardized()`` (ICSS weights) and ``plot()``.

    See Also
    --------
    net_survival_test, interval_net_survival, crude_probabilities, excess_hazard_model

    Notes
    -----
    Agrees with ``relsurv::rs.surv(Surv(time, event) ~ strata, ratetable = rt,
    method = method, rmap = list(age = age * 365.241, year = year, sex = sex))``.

    References
    ----------
    Perme MP, Stare J, Estève J (2012). On estimation in relative survival.
    Biometrics 68:113-120.

    Pohar Perme M, Pavlič K (2018). Nonparametric relative survival analysis with
    the R package relsurv. J Stat Softw 87(8).

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), time_unit="days")
    >>> ns = hs.net_survival("time", "status", "age", "year", "sex", rt, strata="stage", data=df)
    >>> ns.at([5 * 365.241])[["strata", "survival", "lower", "upper"]].round(3)
      strata  survival  lower  upper
    0      1     0.957  0.938  0.977
    1      2     0.862  0.844  0.881
    2      3     0.618  0.599  0.636
    3      4     0.115  0.104  0.127
    """
    args = _inputs(ratetable, time, event, age, year, sex, data)
    args["strata"], levels = _grouping(strata, "strata", data, len(args["time"]), ["all"])
    if fin_date is not None:
        args["fin_date"] = _calendar(np.atleast_1d(fin_date), "fin_date")
    with _quiet(quiet):
        res, fit = call("net_survival", {**args, "method": method, "precision": precision,
                                         "conf_type": conf_type, "conf_level": conf_level})
    return NetSurvival(res, fit, levels)


def net_survival_test(time: ArrayLike, event: ArrayLike, age: ArrayLike, year: ArrayLike, sex: ArrayLike,
                      group: ArrayLike, ratetable: RateTable, *, strata: ArrayLike | None = None,
                      precision: float | None = None, data: DataFrameLike | None = None) -> dict:
    """Log-rank-type test that net survival is the same in every ``group`` (Pohar-Perme
    weighting), as ``relsurv::rs.diff``.

    With ``strata`` the scores and covariances are summed over the strata
    (``rs.diff(Surv(...) ~ group + strata(x))``). The statistic is U' V^- U on K - 1
    degrees of freedom, U the weighted observed minus expected (excess) deaths per group.

    Parameters
    ----------
    time : array-like or str
        Follow-up time in the rate table's ``time_unit`` (e.g. days).
    event : array-like or str
        1/True = died (any cause), 0/False = censored.
    age : array-like or str
        Age at diagnosis in years.
    year : array-like or str
        Calendar year (decimal) of diagnosis.
    sex : array-like or str
        Sex, coded as in the rate table.
    group : array-like or str
        The groups compared.
    ratetable : RateTable
        Population hazards (:meth:`RateTable.from_frame`).
    strata : array-like or str, optional
        Strata to sum the scores and covariances over.
    precision : float, optional
        Step of the integration grid (rate-table time units; default 1, as rs.diff).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    dict
        statistic, df, p_value, score (per group), variance (K x K), n and events (per
        group), groups.

    References
    ----------
    Graffeo N, Castell F, Belot A, Giorgi R (2016). A log-rank-type test to compare net
    survival distributions. Biometrics 72:760-9.

    Examples
    --------
    >>> import hrrstats as hs
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year",
    ...                              sex="sex", rate="rate", time_unit="days")
    >>> df = hs.example_cohort().iloc[:1000]
    >>> t = hs.net_survival_test("time", "status", "age", "year", "sex", "stage", rt, data=df)
    >>> t["df"], round(t["statistic"], 2)
    (3, 94.81)
    """
    args = _inputs(ratetable, time, event, age, year, sex, data)
    n = len(args["time"])
    args["group"], levels = _grouping(group, "group", data, n)
    args["strata"], _ = _grouping(strata, "strata", data, n)
    r, _ = call("net_survival_test", {**args, "precision": precision})
    return {**r, "variance": np.asarray(r["variance"]), "groups": levels}


def excess_hazard_model(time: ArrayLike, event: ArrayLike, age: ArrayLike, year: ArrayLike, sex: ArrayLike,
                        covariates: ArrayLike | DataFrameLike | list[str], ratetable: RateTable, *,
                        breaks=(0, 1, 3, 5, 10), method: str = "glm.poi", conf_level: float = 0.95,
                        data: DataFrameLike | None = None) -> pd.DataFrame:
    """Excess-hazard regression: hazard = population hazard + exp(x'beta + gamma(follow-up
    interval)), as ``relsurv::rsadd``.

    Fitted by the grouped Poisson GLM of Dickman et al. (2004) (``method="glm.poi"``,
    alias "glm", as ``rsadd(method = "glm.poi")``) or by maximum likelihood on the
    individual data (``method="max.lik"``, alias "ml", as rsadd's default).

    Parameters
    ----------
    time : array-like or str
        Follow-up time in the rate table's ``time_unit`` (e.g. days).
    event : array-like or str
        1/True = died (any cause), 0/False = censored.
    age : array-like or str
        Age at diagnosis in years.
    year : array-like or str
        Calendar year (decimal) of diagnosis.
    sex : array-like or str
        Sex, coded as in the rate table.
    covariates : 2-D array, DataFrame or list of str
        Numeric covariate columns (names with ``data=``).
    ratetable : RateTable
        Population hazards (:meth:`RateTable.from_frame`).
    breaks : sequence of float, default (0, 1, 3, 5, 10)
        Follow-up intervals in YEARS (follow-up beyond the last is censored).
    method : {"glm.poi", "glm", "max.lik", "ml"}, default "glm.poi"
        The fitting method.
    conf_level : float, default 0.95
        Level of the Wald limits.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        The coefficient table indexed by term: coef, exp_coef, se, z, p, exp_lower,
        exp_upper, lower, upper (exp_coef of the covariates: excess hazard ratios; of
        the fu terms: excess rates per person-year); ``attrs`` holds the variance
        matrix and convergence information.

    References
    ----------
    Dickman PW, Sloggett A, Hills M, Hakulinen T (2004). Regression models for relative
    survival. Stat Med 23:51-64. Pohar M, Stare J (2006). Relative survival analysis in
    R. Comput Methods Programs Biomed 81:272-8.

    Examples
    --------
    >>> import hrrstats as hs
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year",
    ...                              sex="sex", rate="rate", time_unit="days")
    >>> df = hs.example_cohort().iloc[:1000]
    >>> e = hs.excess_hazard_model("time", "status", "age", "year", "sex", ["stage"], rt,
    ...                            data=df)
    >>> e.loc["stage", ["coef", "exp_coef"]].round(3)
    coef        1.331
    exp_coef    3.785
    Name: stage, dtype: float64
    """
    args = _inputs(ratetable, time, event, age, year, sex, data)
    if isinstance(covariates, pd.DataFrame):
        data, covariates = covariates, [str(c) for c in covariates.columns]
    if not isinstance(covariates, (str, list, tuple)):
        raise TypeError("argument `covariates` must be a column name, a list of column names "
                        f"or columns, or a DataFrame, not {type(covariates).__name__}")
    names = [covariates] if isinstance(covariates, str) else list(covariates)
    cols = {(c if isinstance(c, str) else f"x{k}"): floats(c, "covariates", data)
            for k, c in enumerate(names)}
    r, _ = call("excess_hazard_model", {**args, "covariates": cols, "method": method,
                                        "breaks": np.asarray(breaks, dtype=np.float64),
                                        "conf_level": conf_level})
    out = r["coefficients"].set_index("term")
    out.attrs["var"] = np.asarray(r["var"])
    out.attrs.update({k: r[k] for k in ("loglik", "iterations", "converged", "method")})
    if len(r["rsadd_coef"]):
        # the grouped GLM as rsadd reports it (glm's default stopping rule)
        out.attrs.update({k: r[k] for k in ("rsadd_coef", "rsadd_se")})
    return out


def crude_probabilities(time: ArrayLike, event: ArrayLike, age: ArrayLike, year: ArrayLike, sex: ArrayLike,
                        ratetable: RateTable, *, group: ArrayLike | None = None, tau: float | None = None,
                        precision: float | None = None, data: DataFrameLike | None = None) -> pd.DataFrame:
    """Crude probabilities of death from the cancer (excess hazard) and from population
    causes, as ``relsurv::cmp.rel``.

    P_cancer(t) = int_0^t S_obs(u-) lambda_E(u) du and P_pop(t) = int_0^t S_obs(u-)
    lambda_P(u) du, with the excess hazard estimated non-parametrically (Pohar Perme,
    Henderson and Stare 2009).

    Parameters
    ----------
    time : array-like or str
        Follow-up time in the rate table's ``time_unit`` (e.g. days).
    event : array-like or str
        1/True = died (any cause), 0/False = censored.
    age : array-like or str
        Age at diagnosis in years.
    year : array-like or str
        Calendar year (decimal) of diagnosis.
    sex : array-like or str
        Sex, coded as in the rate table.
    ratetable : RateTable
        Population hazards (:meth:`RateTable.from_frame`).
    group : array-like or str, optional
        Estimates per group (as ``cmp.rel(Surv(...) ~ group)``).
    tau : float, optional
        End of the grid (default the longest follow-up); common to the groups.
    precision : float, optional
        Step of the integration grid (rate-table time units; default 1).
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    pandas.DataFrame
        [group], time, cause ("cancer" / "population"), estimate, variance on the
        integration grid (every step and every follow-up time up to ``tau``).

    References
    ----------
    Pohar Perme M, Henderson R, Stare J (2009). An approach to estimation in relative
    survival regression. Biostatistics 10:136-46.

    Examples
    --------
    >>> import hrrstats as hs
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year",
    ...                              sex="sex", rate="rate", time_unit="days")
    >>> df = hs.example_cohort().iloc[:1000]
    >>> c = hs.crude_probabilities("time", "status", "age", "year", "sex", rt, tau=3652,
    ...                            data=df.iloc[:300])
    >>> c[c["time"] == 1826].round(4)
            time       cause  estimate  variance
    1825  1826.0      cancer    0.3667    0.0011
    5477  1826.0  population    0.1573    0.0000
    """
    args = _inputs(ratetable, time, event, age, year, sex, data)
    args["group"], levels = _grouping(group, "group", data, len(args["time"]))
    tab, _ = call("crude_probabilities", {**args, "tau": tau, "precision": precision})
    if levels is not None:
        tab["group"] = np.asarray(levels, dtype=object)[tab["group"].to_numpy()]
    return tab


def icss_group(age: ArrayLike) -> pd.Categorical:
    """The International Cancer Survival Standard age group of each age at diagnosis.

    Parameters
    ----------
    age : float or array-like
        Ages at diagnosis in years.

    Returns
    -------
    pandas.Categorical
        "15-44" (also under 15), "45-54", "55-64", "65-74", "75+", in that order, for
        ``net_survival(strata=...)`` and ``age_standardized``.

    References
    ----------
    Corazziari I, Quinn M, Capocaccia R (2004). Standard cancer patient population for
    age standardising survival ratios. Eur J Cancer 40:2307-16.

    Examples
    --------
    >>> import hrrstats as hs
    >>> list(hs.icss_group([12, 50, 80]))
    ['15-44', '45-54', '75+']
    """
    r, _ = call("icss_group", {"age": floats(_times(age), "age")})
    c = np.nan_to_num(np.asarray(r["codes"], dtype=np.float64), nan=-1).astype(int)
    return pd.Categorical.from_codes(c, categories=r["levels"])


class IntervalNetSurvival(_Curves):
    """Interval (life-table) net or relative survival by group (see
    :func:`interval_net_survival`)."""

    _by, _x = "group", "stop"

    def __init__(self, res, fit, groups):
        super().__init__(res, fit, groups)
        self.groups = list(groups)
        self.pp_weight = res["pp_weight"]
        self.breaks = np.asarray(res["breaks"])

    def table(self):
        """DataFrame, one row per group and interval: group, interval, start, stop,
        delta (years), n_start (alive at the start), n_censor, pyrs (person-years), d
        (deaths), d_exp (expected deaths), the Pohar-Perme weighted sums d_pp, d_pp2,
        pyrs_pp, d_exp_pp, surv_obs and se_obs (observed survival), surv_exp (expected,
        Ederer II), survival, std_err, lower, upper (cumulative, at the interval's end).
        As ``popEpi::survtab``'s table (its pyrs, d.pp, ... columns)."""
        return self._labelled(self._res["table"].copy())

    def at(self, times):
        """Cumulative estimates at ``times`` (years): those at the end of the last interval
        ending at or before each time (1 before the first interval's end, NaN after a
        group's last).

        Parameters
        ----------
        times : float or array-like
            Times in years since diagnosis.

        Returns
        -------
        pandas.DataFrame
            group, time, survival, std_err, lower, upper.
        """
        return self._labelled(self._fit.call("at", {"times": _times(times)}))

    def age_standardized(self, weights="icss1"):
        """Directly age-standardised table over the groups (age groups, in the order of the
        groups; see :func:`icss_group`), as popEpi's ``adjust()``: per interval
        S = sum_g w_g S_g, SE = sqrt(sum_g w_g^2 SE_g^2) (also for the observed survival),
        limits of the fit's type on these; counts summed; cropped to the shortest group's
        table.

        Parameters
        ----------
        weights : {"icss1", "icss2", "icss3"} or sequence of float, default "icss1"
            ICSS weights or one weight per group (normalised).

        Returns
        -------
        pandas.DataFrame
            The columns of :meth:`table` without ``group``.
        """
        return self._fit.call("age_standardized", {"weights": _weights(weights)})

    def plot(self, ax=None, conf_int=True):
        """Survival at the interval ends, joined by lines, with confidence bands.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        conf_int : bool, default True
            Shade the confidence bands.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        return self._plot(ax, conf_int, False, "years since diagnosis")

    def __repr__(self):
        return f"Interval net survival ({self.method}), cumulative: " + self._final(" years")


def interval_net_survival(time: ArrayLike, event: ArrayLike, age: ArrayLike, year: ArrayLike, sex: ArrayLike,
                          ratetable: RateTable, *, breaks=None, method: str = "pohar-perme",
                          group: ArrayLike | None = None, pp_weight: str = "midpoint",
                          conf_type: str = "log-log", conf_level: float = 0.95,
                          data: DataFrameLike | None = None, quiet: bool = False) -> IntervalNetSurvival:
    """Interval (life-table) net survival (Pohar-Perme, default) or relative survival
    ("ederer2"), as ``popEpi::survtab(surv.type = "surv.rel")`` and Stata's strs/stnet
    with the hazard life table.

    Each interval row gets the population hazard at its mid-point; the cumulative
    survival is the product of the interval survivals exp(-(d - d_exp) / pyrs * delta)
    (Pohar-Perme: weighted by the inverse expected survival).

    Parameters
    ----------
    time : array-like or str
        Follow-up time in the rate table's ``time_unit`` (e.g. days).
    event : array-like or str
        1/True = died (any cause), 0/False = censored.
    age : array-like or str
        Age at diagnosis in years.
    year : array-like or str
        Calendar year (decimal) of diagnosis.
    sex : array-like or str
        Sex, coded as in the rate table.
    ratetable : RateTable
        Population hazards (:meth:`RateTable.from_frame`).
    breaks : sequence of float, optional
        Interval boundaries in YEARS since diagnosis (default yearly to 10 years);
        follow-up beyond the last is censored there.
    method : {"pohar-perme", "ederer2"}, default "pohar-perme"
        Net survival or relative survival.
    group : array-like or str, optional
        A table per group (e.g. :func:`icss_group` for age standardisation, then
        ``.age_standardized("icss1")``).
    pp_weight : {"midpoint", "popepi"}, default "midpoint"
        "midpoint" weights each person by the inverse expected survival at the
        interval's mid-point (Pohar Perme et al. 2012); "popepi" reproduces popEpi
        0.4.10, whose weight looks half an interval before the start (see the README).
    conf_type : {"log-log", "log", "plain"}, default "log-log"
        Transformation of the limits (log-log as popEpi).
    conf_level : float, default 0.95
        Level of the limits.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.
    quiet : bool, default False
        No progress bar for a long estimation (see :func:`set_progress`).

    Returns
    -------
    IntervalNetSurvival
        ``table()``: group, interval, start, stop, delta (years), n_start, n_censor,
        pyrs, d, d_exp, d_pp, d_pp2, pyrs_pp, d_exp_pp, surv_obs, se_obs, surv_exp,
        survival, std_err, lower, upper; ``at(times)``, ``age_standardized()``,
        ``plot()``.

    References
    ----------
    Pohar Perme M, Stare J, Esteve J (2012). On estimation in relative survival.
    Biometrics 68:113-20. Dickman PW, Coviello E (2015). Estimating and modeling relative
    survival. Stata J 15:186-215.

    Examples
    --------
    >>> import hrrstats as hs
    >>> rt = hs.RateTable.from_frame(hs.example_ratetable(), age="age", year="year",
    ...                              sex="sex", rate="rate", time_unit="days")
    >>> df = hs.example_cohort().iloc[:1000]
    >>> ins = hs.interval_net_survival("time", "status", "age", "year", "sex", rt,
    ...                                breaks=[0, 1, 3, 5], data=df)
    >>> ins.at([1, 5]).round(4)
      group  time  survival  std_err   lower   upper
    0   all   1.0    0.8254   0.0137  0.7966  0.8506
    1   all   5.0    0.6584   0.0260  0.6048  0.7065
    """
    args = _inputs(ratetable, time, event, age, year, sex, data)
    args["group"], levels = _grouping(group, "group", data, len(args["time"]), ["all"])
    br = None if breaks is None else np.ascontiguousarray(np.asarray(breaks, dtype=np.float64))
    with _quiet(quiet):
        res, fit = call("interval_net_survival", {**args, "breaks": br, "method": method,
                                                  "pp_weight": pp_weight, "conf_type": conf_type,
                                                  "conf_level": conf_level})
    return IntervalNetSurvival(res, fit, levels)
