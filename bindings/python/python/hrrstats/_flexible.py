"""Flexible parametric (Royston-Parmar) survival models (Stata's ``stpm2``, R's
``rstpm2``): arguments and the result.

The model is fitted by the Rust core (``flexible_parametric`` through the protocol);
this module resolves columns, builds the design matrix (see ``_design``) and presents
the core's numbers. Every statistic (coefficients, variance, predictions with their
delta-method standard errors, standardisation) comes from the core fit.
"""
from __future__ import annotations

import warnings

import numpy as np

from ._convert import floats
from ._design import resolve_design
from ._plots import subplots
from ._protocol import EVENT_LABEL, Fitted, call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


def _warned(res):
    """The table of a relative-survival output (``row`` as integers), its warnings issued."""
    for w in res.get("warnings") or ():
        warnings.warn(w, RuntimeWarning, stacklevel=3)
    table = res["table"]
    if "row" in table:
        table["row"] = table["row"].astype(int)
    return table


class FlexibleParametric(Fitted):
    """A fitted flexible parametric survival model.

    Attributes: ``coef`` (intercept, baseline spline ``rcs1..``, covariates, time-varying
    effects ``rcs_<x>1..``), ``se``, ``var``, ``loglik`` (on the time scale, as survreg's),
    ``names``, ``covariates``, ``scale``, ``knots`` (baseline knots, times), ``n``,
    ``n_event``, ``iterations``, ``converged``, ``relative`` (fitted with ``bhazard``: the
    model is for the excess hazard, and ``predict(type="survival")`` is net (relative)
    survival, ``"hazard"`` the excess hazard; :meth:`crude_probabilities` and
    :meth:`loss_in_life_expectancy` combine it with a rate table).
    """

    _fields = ("coef", "se", "loglik", "iterations", "converged", "n", "n_event", "scale", "knots",
               "conf_level", "relative", "covariates")
    _matrices = ("var",)

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``): one row per
        parameter (spline terms, covariates, time-varying terms).

        Parameters
        ----------
        conf_level : float, optional
            Level of the Wald limits (default the fit's).

        Returns
        -------
        pandas.DataFrame
            Indexed by parameter: coef, se, z, p, lower, upper; ``table()`` is the same.
        """
        return self._coef_table(conf_level)

    table = summary

    def _rows(self, covariates, data, arg):
        if covariates is None:
            return None
        cols = self._design.apply(covariates, data) if self._design is not None else []
        return dict(zip(self._design.names if self._design else [], cols))

    def predict(self, covariates=None, times=None, type="survival", *, reference=None, conf_level=None,
                data=None):
        """Predictions at ``times`` for each row of ``covariates``, as rstpm2's ``predict``.

        Standard errors by the delta method; limits for survival on the log(-log) scale, the
        others on the log scale.

        Parameters
        ----------
        covariates : DataFrame, dict or list of str, optional
            The covariate rows (column names with ``data=``); default the fit data.
        times : float or array-like, optional
            Times of the predictions.
        type : {"survival", "hazard", "cumhaz", "hr", "rmst"}, default "survival"
            "hr": hazard ratio of each row against ``reference``; "rmst": restricted mean
            survival time up to each time.
        reference : DataFrame or dict, optional
            The reference row(s) for "hr" (one row or one per row).
        conf_level : float, optional
            Level of the limits (default the fit's).
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.

        Returns
        -------
        pandas.DataFrame
            row (1-based), time, estimate, std_err, lower, upper.
        """
        if times is None:
            raise ValueError("argument `times` is required")
        args = {"type": type, "times": floats(np.atleast_1d(times), "times"),
                "covariates": self._rows(covariates, data, "covariates"),
                "reference": self._rows(reference, data, "reference"), "conf_level": conf_level}
        r = self._fit.call("predict", {k: v for k, v in args.items() if v is not None})
        r["row"] = r["row"].astype(int)
        return r

    def standardize(self, times, data, type="survival", *, reference=None, conf_level=None):
        """Regression standardisation: the mean over the rows of ``data`` of S(t | x) (type
        "survival") or of the RMST up to t ("rmst"), with delta-method standard errors, as
        rstpm2's ``standsurv`` / Stata's ``standsurv``.

        Parameters
        ----------
        times : float or array-like
            Times of the estimates.
        data : pandas or polars DataFrame
            The population standardised over (the model's covariates).
        type : {"survival", "rmst"}, default "survival"
            The quantity averaged.
        reference : pandas or polars DataFrame, optional
            A second population (e.g. everyone unexposed): its estimate and the contrast.
        conf_level : float, optional
            Level of the limits (default the fit's).

        Returns
        -------
        pandas.DataFrame
            time, estimate, std_err, lower, upper; with ``reference`` also
            reference_estimate, reference_std_err, difference, difference_std_err,
            difference_lower, difference_upper (estimate minus reference).
        """
        des = self._design is not None
        args = {"type": type, "times": floats(np.atleast_1d(times), "times"),
                "covariates": self._rows(data, None, "covariates") if des else None,
                "reference": self._rows(reference, None, "reference") if des else None,
                "conf_level": conf_level}
        return self._fit.call("standardize", {k: v for k, v in args.items() if v is not None})

    def _relative_args(self, data, ratetable, rate_table, age, year, sex, individual, age_unit, conf_level):
        from ._relsurv import RateTable
        rt = ratetable if ratetable is not None else rate_table
        if not isinstance(rt, RateTable):
            raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame, "
                            "RateTable.builtin)")
        args = {**rt._persons(age, year, sex, data), "individual": bool(individual), "age_unit": age_unit,
                "conf_level": conf_level,
                "covariates": self._rows(data, None, "covariates") if self._design is not None else None}
        return {k: v for k, v in args.items() if v is not None}

    def crude_probabilities(self, times, data=None, *, ratetable=None, age="age", year="year", sex="sex",
                            individual=False, age_unit="years", conf_level=None, rate_table=None):
        """Crude probabilities of death from the cancer and from other causes by ``times``
        (Cronin and Feuer 2000; Lambert et al. 2010) of a relative-survival fit
        (``bhazard``).

        P_cancer(t) = int_0^t S*(u) R(u) lambda(u) du and P_population(t) = int_0^t S*(u) R(u)
        h*(u) du, with R the fitted net survival, lambda its excess hazard and S*, h* each
        person's expected survival and hazard from ``ratetable`` as they age. (The top-level
        :func:`crude_probabilities` is the non-parametric estimator of relsurv's
        ``cmp.rel``.) A ``RuntimeWarning`` when the fitted excess hazard is not positive
        somewhere up to the last time.

        Parameters
        ----------
        times : float or array-like
            Times in ``ratetable.time_unit`` (as the model's times).
        data : pandas or polars DataFrame, optional
            The persons: the model's covariates and ``age``, ``year``, ``sex``.
        ratetable : RateTable
            Population hazards (each person's expected survival and hazard as they age).
        age : str, default "age"
            Column of ``data``: age at diagnosis (years, or days with ``age_unit="days"``).
        year : str, default "year"
            Column of ``data``: calendar year (decimal) of diagnosis.
        sex : str, default "sex"
            Column of ``data``: sex, coded as in the rate table.
        individual : bool, default False
            One block per person instead of the mean over the persons.
        age_unit : {"years", "days"}, default "years"
            Unit of ``age``.
        conf_level : float, optional
            Level of the limits (default the fit's).
        rate_table : RateTable, optional
            Old name of ``ratetable``.

        Returns
        -------
        pandas.DataFrame
            [row], time, cause ("cancer", "population"), estimate, std_err (delta method),
            lower, upper (log(-log) scale): the mean over the persons (regression
            standardisation), or one block per person (``row``, 1-based).
        """
        args = self._relative_args(data, ratetable, rate_table, age, year, sex, individual, age_unit, conf_level)
        args["times"] = floats(np.atleast_1d(times), "times")
        return _warned(self._fit.call("crude_probabilities", args))

    def loss_in_life_expectancy(self, data=None, *, ratetable=None, age="age", year="year", sex="sex",
                                horizon=None, max_age=110.0, individual=False, age_unit="years",
                                conf_level=None, rate_table=None):
        """Loss in life expectancy (Andersson et al. 2013; rstpm2's ``lel``) of a
        relative-survival fit (``bhazard``): expected life expectancy int S*(t) dt (from
        ``ratetable``) minus observed int S*(t) R(t) dt (the fitted net survival R
        extrapolated beyond follow-up). Results in ``ratetable.time_unit``.

        Parameters
        ----------
        data : pandas or polars DataFrame, optional
            The persons: the model's covariates and ``age``, ``year``, ``sex``.
        ratetable : RateTable
            Population hazards (each person's expected survival and hazard as they age).
        age : str, default "age"
            Column of ``data``: age at diagnosis (years, or days with ``age_unit="days"``).
        year : str, default "year"
            Column of ``data``: calendar year (decimal) of diagnosis.
        sex : str, default "sex"
            Column of ``data``: sex, coded as in the rate table.
        horizon : float, optional
            Integrate up to this time (in ``ratetable.time_unit``); default to each
            person's attained age ``max_age``.
        max_age : float, default 110.0
            Attained age (years) the integrals end at when ``horizon`` is None.
        individual : bool, default False
            One row per person instead of the mean over the persons.
        age_unit : {"years", "days"}, default "years"
            Unit of ``age``.
        conf_level : float, optional
            Level of the limits (default the fit's).
        rate_table : RateTable, optional
            Old name of ``ratetable``.

        Returns
        -------
        pandas.DataFrame
            expected, observed, observed_std_err, observed_lower, observed_upper (log
            scale), loss, loss_std_err, loss_lower, loss_upper: the mean over the persons,
            or one row per person (with ``row`` and ``horizon``).
        """
        args = self._relative_args(data, ratetable, rate_table, age, year, sex, individual, age_unit, conf_level)
        args["max_age"] = float(max_age)
        if horizon is not None:
            args["horizon"] = float(horizon)
        return _warned(self._fit.call("loss_in_life_expectancy", args))

    def plot(self, covariates=None, type="survival", *, times=None, reference=None, ax=None, data=None):
        """Survival, hazard or hazard ratio over time with pointwise confidence bands, one line
        per covariate row.

        Parameters
        ----------
        covariates : DataFrame, dict or list of str, optional
            The covariate rows (as :meth:`predict`).
        type : {"survival", "hazard", "cumhaz", "hr", "rmst"}, default "survival"
            The quantity drawn (as :meth:`predict`).
        times : array-like, optional
            Times drawn (default 100 points between the boundary knots).
        reference : DataFrame or dict, optional
            The reference row for "hr".
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        if times is None:
            times = np.linspace(self.knots[0], self.knots[-1], 100)
        p = self.predict(covariates, times, type, reference=reference, data=data)
        ax = subplots(ax)
        for r, g in p.groupby("row"):
            line, = ax.plot(g["time"], g["estimate"], label=f"row {r}")
            ax.fill_between(g["time"], g["lower"], g["upper"], alpha=0.2, color=line.get_color())
        ax.set_xlabel("time")
        ax.set_ylabel({"hr": "hazard ratio"}.get(type, type))
        return ax

    def __repr__(self):
        s = self.summary()
        lines = [f"Flexible parametric survival model (scale \"{self.scale}\")",
                 s[["coef", "se", "z", "p"]].to_string(float_format=lambda v: f"{v:.4g}"), "",
                 f"Log-likelihood = {self.loglik:.6g}", self._counts(spec="g")]
        return "\n".join(lines + self._unconverged())


def flexible_parametric(time: ArrayLike, event: ArrayLike, covariates: ArrayLike | list[str] | None = None, *,
                        df: int = 3, knots: ArrayLike | None = None, boundary_knots: ArrayLike | None = None,
                        scale: str = "hazard", tvc: dict | None = None, bhazard: ArrayLike | None = None,
                        entry: ArrayLike | None = None, weights: ArrayLike | None = None, max_iter: int = 50,
                        eps: float = 1e-12, na_action: str = "fail",
                        data: DataFrameLike | None = None) -> FlexibleParametric:
    """Flexible parametric (Royston–Parmar) survival model, as ``rstpm2::stpm2``:
    ``g(S(t|x)) = s(log t) + x'b`` with ``s`` a restricted cubic spline of log time.

    Parameters
    ----------
    time : array-like or str
        Exit times, or a column name of ``data``.
    event : array-like or str
        1/True = event, 0/False = censored.
    covariates : 2-D array, DataFrame or list of str, optional
        As in :func:`cox_ph`.
    df : int, default 3
        Degrees of freedom of the baseline spline (knots at centiles of the log event
        times, as stpm2).
    knots : array-like, optional
        Interior knots, as times (instead of ``df``).
    boundary_knots : array-like, optional
        The two boundary knots, as times (default the extreme event times).
    scale : {"hazard", "odds", "normal"}, default "hazard"
        The link g: log cumulative hazard, log cumulative odds, or probit.
    tvc : dict, optional
        ``{covariate: df}``: time-varying effects (a spline in log time per
        covariate).
    bhazard : array-like or str, optional
        The expected (population) hazard at each row's exit time: the model is then
        for the excess hazard (relative survival) and its predicted survival is net
        survival; see :meth:`RateTable.expected_hazard`, :meth:`crude_probabilities`
        and :meth:`loss_in_life_expectancy`.
    entry : array-like or str, optional
        Delayed entry.
    weights : array-like or str, optional
        Case weights.
    max_iter : int, default 50
        Maximum Newton iterations.
    eps : float, default 1e-12
        Convergence tolerance.
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    FlexibleParametric
        ``coef``, ``se``, ``var``, ``loglik``; ``summary()``: DataFrame indexed by term
        (the spline terms rcs1, rcs2, ... then the covariates) with coef, se, z, p,
        lower, upper; ``predict()`` (``type`` "survival", "hazard", "cumhaz", "hr",
        "rmst"), ``standardize()`` (marginal survival or RMST), ``plot()``.

    References
    ----------
    Royston P, Parmar MKB (2002). Flexible parametric proportional-hazards and
    proportional-odds models for censored survival data. Stat Med 21:2175-2197.

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> fp = hs.flexible_parametric("time", "status", ["age", "sex"], df=3, data=df)
    >>> fp.summary()[["coef", "se"]].round(4)
                   coef      se
    term
    (Intercept) -4.2131  0.0683
    rcs1         1.2085  0.0111
    rcs2         0.1406  0.0095
    rcs3        -0.0638  0.0041
    age          0.0459  0.0009
    sex         -0.1442  0.0172
    >>> new = pd.DataFrame({"age": [60.0, 80.0], "sex": [1.0, 1.0]})
    >>> fp.predict(new, times=[1826.25])[["row", "estimate"]].round(3)  # 5-year survival
       row  estimate
    0    1     0.668
    1    2     0.364
    """
    spec = {"time": (time, "num"), "event": (event, "num"), "entry": (entry, "num"),
            "weights": (weights, "num"), "bhazard": (bhazard, "num")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action, optional=True)
    args.update(status=args.pop("event"), labels=EVENT_LABEL, df=float(df), scale=scale, max_iter=max_iter, eps=eps,
                knots=None if knots is None else floats(np.atleast_1d(knots), "knots"),
                boundary_knots=None if boundary_knots is None else floats(np.atleast_1d(boundary_knots),
                                                                          "boundary_knots"),
                tvc=None if tvc is None else {str(k): float(v) for k, v in tvc.items()})
    res, fit = call("flexible_parametric", args)
    return FlexibleParametric(res, fit, design, n_dropped)
