"""Parametric survival regression (``survival::survreg``): arguments and the result.

The model is fitted by the Rust core (``parametric_survival`` through the protocol);
this module resolves columns, builds the design matrix (see ``_design``) and presents
the core's numbers. Every statistic (coefficients, variance, tests, quantiles with
their standard errors, survival) comes from the core fit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import floats, grouping
from ._convert import codes as _codes
from ._design import resolve_design
from ._protocol import EVENT_LABEL, Fitted, call
from . import _format

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


class ParametricSurvival(Fitted):
    """A fitted parametric (accelerated failure time) survival model.

    Attributes: ``coef`` (with "(Intercept)"), ``se``, ``var`` (over the coefficients
    and the log scales, as survreg's ``var``), ``scale`` (one per stratum),
    ``shape`` (Gompertz), ``loglik`` (intercept-only, final), ``lr_test`` (statistic, df, p_value),
    ``dist``, ``names``, ``n``, ``n_event``, ``iterations``, ``converged``,
    ``linear_predictors``, ``strata_levels``.
    """

    _fields = ("coef", "se", "scale", "shape", "iterations", "converged", "n", "n_event", "dist",
               "linear_predictors", "conf_level", "strata_levels", "loglik", "lr_test")
    _matrices = ("var",)

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term (coefficients, then Log(scale) per stratum): coef,
        se, z, p, lower, upper (survreg's summary table with Wald limits).

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

    table = summary

    def predict(self, covariates=None, type="lp", *, p=None, times=None, se=False, offset=None,
                strata=None, data=None):
        """Predictions for new covariate rows (or the fitted rows when ``covariates`` is None),
        as ``predict.survreg``.

        Parameters
        ----------
        covariates : 2-D array, DataFrame or list of str, optional
            New covariate rows (the fit's columns); default the fit data.
        type : {"lp", "quantile", "survival"}, default "lp"
            "lp": linear predictor; "quantile": the time by which a fraction ``p`` has had
            the event; "survival": S(t | x) at ``times``.
        p : float or sequence of float, optional
            Probabilities for "quantile" (default 0.1, 0.9, as predict.survreg).
        times : array-like, optional
            Times for "survival".
        se : bool, default False
            Add the delta-method standard errors (lp and quantile).
        offset : array-like or str, optional
            Offset of the new rows.
        strata : array-like or str, optional
            Each new row's stratum (models with a scale per stratum).
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.

        Returns
        -------
        numpy.ndarray or pandas.DataFrame or tuple
            lp: an array; quantile: a DataFrame with one column per p; survival: one column
            per time; with ``se=True`` (estimate, se).
        """
        args = {"type": type, "se": bool(se)}
        if covariates is not None:
            cols = self._design.apply(covariates, data) if self._design is not None else []
            args["covariates"] = dict(zip(self._design.names if self._design else [], cols))
            if offset is not None:
                args["offset"] = floats(offset, "offset", data)
            if strata is not None:
                g = grouping(strata, "strata", data)
                c, lev = _codes(g, "strata", len(g[0]))
                args["strata"] = (c, [str(x) for x in lev])
        if p is None and type == "quantile":
            p = (0.1, 0.9)  # predict.survreg's default
        if p is not None:
            args["p"] = floats(np.atleast_1d(p), "p")
        if times is not None:
            args["times"] = floats(np.atleast_1d(times), "times")
        r = self._fit.call("predict", args)
        # the matrices' columns: one per probability or time
        cols = {"quantile": pd.Index(args.get("p", []), name="p"),
                "survival": pd.Index(args.get("times", []), name="time")}.get(type)
        if isinstance(r, dict):
            return _frame(r["fit"], cols), _frame(r["se_fit"], cols)
        return _frame(r, cols)

    def __repr__(self):
        s = self.summary()
        lr = self.lr_test
        scale = (f"Shape = {self.shape:.4g}" if self.dist == "gompertz"
                 else "Scale = " + ", ".join(f"{v:.4g}" for v in self.scale))
        lines = [f"Parametric survival fit ({self.dist}, accelerated failure time)",
                 _format.table(s, ["coef", "se", "z", "p"]), "",
                 scale,
                 f"Loglik(model) = {self.loglik[1]:.6g}   Loglik(intercept only) = {self.loglik[0]:.6g}",
                 *_format.tests([("Chisq", *lr)]), self._counts()]
        return "\n".join(lines + self._unconverged())


def _frame(v, columns):
    """A matrix of predictions (rows x probabilities or times) as a DataFrame."""
    return pd.DataFrame(v, columns=columns) if np.ndim(v) == 2 else v


def parametric_survival(time: ArrayLike, event: ArrayLike,
                        covariates: ArrayLike | DataFrameLike | list[str] | None = None, *,
                        entry: ArrayLike | None = None, dist: str = "weibull",
                        weights: ArrayLike | None = None, strata: ArrayLike | None = None,
                        offset: ArrayLike | None = None, scale: float | None = None,
                        init: ArrayLike | None = None, max_iter: int = 30, eps: float = 1e-9,
                        na_action: str = "fail", data: DataFrameLike | None = None) -> ParametricSurvival:
    """Parametric survival regression on the accelerated-failure-time scale, as
    ``survival::survreg``.

    Parameters
    ----------
    time : array-like or str
        Exit times, or a column name of ``data``.
    event : array-like or str
        1/True = event, 0/False = censored.
    covariates : 2-D array, DataFrame or list of str, optional
        As in :func:`cox_ph`; an intercept is always included.
    entry : array-like or str, optional
        Delayed entry (left truncation; log-time distributions).
    dist : str, default "weibull"
        "weibull", "exponential", "lognormal", "loglogistic", "gaussian", "logistic"
        (accelerated failure time), or "gompertz" (proportional hazards, as
        flexsurv: hazard ``exp(x'b) exp(shape t)``; coefficients are log hazard
        ratios).
    weights : array-like or str, optional
        Case weights.
    strata : array-like or str, optional
        A scale per stratum (survreg's ``strata()``).
    offset : array-like or str, optional
        A term with coefficient fixed at 1.
    scale : float, optional
        A fixed scale instead of an estimated one.
    init : array-like, optional
        Starting values.
    max_iter : int, default 30
        Maximum iterations (survreg.control's ``maxiter``).
    eps : float, default 1e-9
        Convergence tolerance on the log-likelihood (``rel.tolerance``).
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    ParametricSurvival
        ``coef``, ``se``, ``var`` (covering coef and log(scale), as survreg's),
        ``scale`` per stratum, ``loglik`` (null, final); ``summary()``: DataFrame
        indexed by term with coef, se, z, p, lower, upper (Log(scale) rows included);
        ``predict()`` (``type`` "lp", "quantile", "survival").

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> m = hs.parametric_survival("time", "status", ["age", "sex"], dist="weibull", data=df)
    >>> m.summary()[["coef", "se"]].round(4)
                    coef      se
    term
    (Intercept)  12.2225  0.0896
    age          -0.0621  0.0011
    sex           0.1949  0.0233
    Log(scale)    0.3039  0.0073
    >>> m.scale.round(4)
    array([1.3552])
    """
    spec = {"time": (time, "num"), "event": (event, "num"), "entry": (entry, "num"),
            "weights": (weights, "num"), "offset": (offset, "num"), "strata": (strata, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action, optional=True)
    args.update(status=args.pop("event"), labels=EVENT_LABEL, dist=dist, scale=scale, max_iter=max_iter,
                eps=eps, init=None if init is None else np.asarray(init, dtype=np.float64))
    res, fit = call("parametric_survival", args)
    return ParametricSurvival(res, fit, design, n_dropped)
