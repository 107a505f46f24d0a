"""Cox proportional hazards regression: argument handling and the result object.

The model is fitted by the Rust core (``cox_ph`` through the protocol); this module
resolves columns, builds the design matrix (see ``_design``), factorises strata and
clusters, and presents results as numpy arrays, pandas DataFrames and text. Every
statistic (Wald table, residuals, tests, predictions) comes from the core fit.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import floats
from ._design import resolve_design
from ._plots import subplots
from ._protocol import EVENT_LABEL, Fitted, call
from . import _format

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


class CoxPH(Fitted):
    """A fitted Cox model (``survival::coxph``).

    Attributes: ``coef``, ``se`` (robust when ``robust=True`` or a cluster is given),
    ``naive_se`` (model-based), ``var`` (matching ``se``), ``naive_var``, ``loglik``
    (null, final), ``score_test``, ``wald_test``, ``lr_test`` and
    ``robust_score_test`` as (statistic, df, p_value), ``iterations``, ``converged``, ``convergence`` (why the iterations stopped),
    ``names``, ``n``, ``n_event``, ``means``, ``linear_predictors`` (centred at the
    means, as ``predict(fit, reference="sample")``), ``aliased``.
    """

    _fields = ("coef", "se", "naive_se", "iterations", "converged", "convergence", "n", "n_event", "ties",
               "robust", "n_cluster", "means", "linear_predictors", "conf_level", "score_test", "wald_test",
               "lr_test", "robust_score_test", "loglik", "aliased")
    _matrices = ("var", "naive_var")

    def __init__(self, res, fit, design, strata_levels, n_dropped):
        super().__init__(res, fit, design, n_dropped)
        self.strata_levels = list(strata_levels)

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term: coef, exp_coef, se, [naive_se with a robust
        variance], z, p, exp_lower, exp_upper (limits of exp(coef)), lower, upper
        (limits of coef), the core's coefficient table.

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

    def zph(self, transform="km", terms=None):
        """Test of proportional hazards, as ``survival::cox.zph``: the score test of a
        coefficient changing linearly in g(t) (Grambsch and Therneau 1994), per covariate
        (or term) and globally.

        Parameters
        ----------
        transform : {"km", "rank", "identity", "log"}, default "km"
            The time transform g(t) (cox.zph's ``transform``).
        terms : dict, optional
            ``{term name: list of column names}``: test terms of several columns together
            (e.g. the dummies of a factor).

        Returns
        -------
        pandas.DataFrame
            term (covariates or terms, then GLOBAL), chisq, df, p.
        """
        args = {"transform": transform}
        if terms is not None:
            args["terms"] = {str(k): [str(c) for c in ([v] if isinstance(v, str) else v)] for k, v in terms.items()}
        return self._fit.call("zph", args)

    def residuals(self, type="martingale"):
        """Residuals, as ``residuals.coxph``.

        Parameters
        ----------
        type : {"martingale", "deviance", "score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch"}, default "martingale"
            "martingale" and "deviance": one per row; "score", "dfbeta", "dfbetas": one row
            per data row and a column per covariate (dfbeta(s) weighted); "schoenfeld",
            "scaledsch": one row per event ordered by stratum and time, with columns row
            and time.

        Returns
        -------
        numpy.ndarray or pandas.DataFrame
            The residuals (an array for one value per row, else a DataFrame).
        """
        r = self._fit.call("residuals", {"type": type})
        if isinstance(r, dict):
            out = pd.DataFrame(r["values"], columns=self.names)
            out.insert(0, "time", r["time"])
            out.insert(0, "row", r["row"])
            return out
        if r.ndim == 2:
            return pd.DataFrame(r, columns=self.names)
        return r

    def baseline_hazard(self, centered=False):
        """Baseline cumulative hazard and survival per stratum, as ``survival::basehaz``.

        Parameters
        ----------
        centered : bool, default False
            At the covariate means (True) or at covariates 0 (False; basehaz's
            ``centered``).

        Returns
        -------
        pandas.DataFrame
            strata, time, cumulative_hazard, survival.
        """
        b = self._fit.call("baseline_hazard", {"centered": bool(centered)})
        b["strata"] = np.asarray(self.strata_levels, dtype=object)[b["strata"].to_numpy()]
        return b

    def predict(self, covariates=None, type="lp", times=None, *, offset=None, stratum=None, data=None):
        """Predictions for new covariates (or the fit data when ``covariates`` is None), as
        ``predict.coxph`` / ``survfit.coxph``.

        Parameters
        ----------
        covariates : 2-D array, DataFrame or list of str, optional
            New covariate rows (the fit's columns; categorical columns coded as in the fit).
        type : {"lp", "risk", "expected", "survival"}, default "lp"
            "lp": linear predictor centred at the means, the new rows' offset added as it is
            (``predict.coxph(reference="sample")``); "risk": exp(lp); "expected" (fit data
            only); "survival": S(t | x) at ``times`` for each row, from the baseline of
            ``stratum`` (required with strata for new rows).
        times : array-like, optional
            Times for ``type="survival"``.
        offset : array-like or str, optional
            Offset of the new rows.
        stratum : label, optional
            The baseline stratum of the new rows.
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.

        Returns
        -------
        numpy.ndarray or pandas.DataFrame
            One value per row, or for "survival" a DataFrame of S(t | x) (a column per
            row, a row per time).
        """
        args = {"type": type}
        if covariates is not None:
            cols = self._design.apply(covariates, data)
            args["covariates"] = dict(zip(self.names, cols))
            if offset is not None:
                args["offset"] = floats(offset, "offset", data)
        if times is not None:
            args["times"] = floats(np.atleast_1d(times), "times")
        if stratum is not None:
            args["stratum"] = str(stratum)
        r = self._fit.call("predict", args)
        if type == "survival":
            return pd.DataFrame(r, columns=pd.Index(args["times"], name="time"))
        return r

    def anova(self, *others):
        """Likelihood-ratio tests of nested fits (this one first, then larger ones), as
        ``anova(fit_small, fit_big)``.

        Parameters
        ----------
        *others : CoxPH
            Larger models fitted to the same rows.

        Returns
        -------
        pandas.DataFrame
            model, loglik, df, chisq, test_df, p (each model against the one before).
        """
        if not others:
            raise ValueError("anova() needs two or more nested models: fit_small.anova(fit_big)")
        return self._fit.call("anova", {"loglik": np.array([o.loglik[1] for o in others], dtype=np.float64),
                                        "df": np.array([float((~o.aliased).sum()) for o in others]),
                                        "n": np.array([float(o.n) for o in others])})

    def concordance(self, counts=False):
        """Harrell's concordance of the linear predictor with the outcome, as
        ``survival::concordance(fit)`` (within strata, case-weighted, ties in the
        predictor counted 1/2), with its infinitesimal-jackknife standard error.

        Parameters
        ----------
        counts : bool, default False
            Return the pair counts too.

        Returns
        -------
        tuple or dict
            (concordance, std_err); with ``counts=True`` a dict that also has var, n and the
            concordant, discordant, tied_x, tied_y and tied_xy pair counts.
        """
        c = self._fit.call("concordance", {})
        return dict(c) if counts else (c["concordance"], c["std_err"])

    def __repr__(self):
        s = self.summary()
        cols = ["coef", "exp_coef", "se"] + (["naive_se"] if self.robust else []) + ["z", "p"]
        lines = [f"Cox proportional hazards fit ({self.ties} ties{', robust variance' if self.robust else ''})",
                 _format.table(s, cols), "", self._counts()]
        tests = list(self._res["tests"].itertuples(index=False, name=None))  # the core's labels
        lines += _format.tests(tests) + self._unconverged()
        if self.aliased.any():
            lines.append("Aliased (collinear, not estimated): " + ", ".join(np.asarray(self.names)[self.aliased]))
        return "\n".join(lines)

    def plot(self, ax=None, centered=True):
        """Baseline survival curve per stratum (at the covariate means by default), as
        ``plot(survfit(fit))``.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        centered : bool, default True
            At the covariate means (True) or at covariates 0.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        ax = subplots(ax)
        b = self.baseline_hazard(centered=centered)
        for lev, g in b.groupby("strata", sort=False):
            ax.step(np.r_[0.0, g["time"]], np.r_[1.0, g["survival"]], where="post",
                    label=None if len(self.strata_levels) == 1 else str(lev))
        ax.set_xlabel("time")
        ax.set_ylabel("baseline survival" + (" (at means)" if centered else " (covariates 0)"))
        if len(self.strata_levels) > 1:
            ax.legend()
        return ax



def cox_ph(time: ArrayLike, event: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], *,
           entry: ArrayLike | None = None, strata: ArrayLike | list[str] | None = None,
           weights: ArrayLike | None = None, cluster: ArrayLike | None = None, robust=None,
           ties: str = "efron", offset: ArrayLike | None = None, init: ArrayLike | None = None,
           max_iter: int = 20, eps: float = 1e-9, na_action: str = "fail",
           data: DataFrameLike | None = None) -> CoxPH:
    """Cox proportional hazards regression, as ``survival::coxph``.

    Parameters
    ----------
    time : array-like or str
        Exit times, or a column name of ``data``.
    event : array-like or str
        1/True = event, 0/False = censored.
    covariates : 2-D array, DataFrame or list of str
        The model's covariates; with ``data=``, column names. Categorical columns
        (pandas categoricals, strings) are dummy-coded with the first level as
        reference, as R's ``model.matrix``.
    entry : array-like or str, optional
        Entry times: ``(entry, time]`` counting-process rows (delayed entry,
        time-varying covariates).
    strata : array-like, str or list of str, optional
        Strata with their own baseline hazard (coxph's ``strata()``).
    weights : array-like or str, optional
        Non-negative case weights.
    cluster : array-like or str, optional
        Cluster ids for the robust (sandwich) variance; implies ``robust=True``.
    robust : bool or None, default None
        None is coxph's rule: robust with a cluster or non-integer case weights.
    ties : {"efron", "breslow"}, default "efron"
        Handling of tied event times.
    offset : array-like or str, optional
        A term with coefficient fixed at 1.
    init : array-like, optional
        Starting values of the coefficients.
    max_iter : int, default 20
        Maximum Newton–Raphson iterations (coxph's ``iter.max``).
    eps : float, default 1e-9
        Convergence tolerance on the relative change of the log partial likelihood.
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    CoxPH
        ``coef``, ``se`` (robust when robust/cluster), ``naive_se``, ``var``,
        ``loglik`` (null, final), ``score_test``, ``wald_test``, ``lr_test`` (each
        statistic, df, p_value), ``iterations``; ``summary()``: DataFrame indexed by
        term with coef, exp_coef, se, z, p, exp_lower, exp_upper, lower, upper;
        ``zph()``, ``baseline_hazard()``, ``predict()``, ``residuals()``,
        ``concordance()``, ``anova()``.

    See Also
    --------
    cause_specific_cox, fine_gray, conditional_logistic

    Notes
    -----
    Matches ``survival::coxph(Surv(entry, time, event) ~ covariates + strata(s),
    ties = ties, cluster = cluster)`` to the last digits, and ``cox.zph``,
    ``basehaz``, ``predict.coxph`` and ``residuals.coxph`` for the methods.

    References
    ----------
    Cox DR (1972). Regression models and life-tables. JRSS B 34:187-220.

    Efron B (1977). The efficiency of Cox's likelihood function for censored data.
    JASA 72:557-565.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> fit = hs.cox_ph("time", "status", ["age", "sex"], data=df)
    >>> fit.coef.round(4), fit.se.round(4)
    (array([ 0.0467, -0.1471]), array([0.0009, 0.0172]))
    >>> fit.summary()[["exp_coef", "exp_lower", "exp_upper"]].round(3)
          exp_coef  exp_lower  exp_upper
    term
    age      1.048      1.046      1.050
    sex      0.863      0.835      0.893
    >>> fit.zph().round(2)
         term   chisq  df     p
    0     age  851.06   1  0.00
    1     sex    8.55   1  0.00
    2  GLOBAL  868.54   2  0.00
    """
    spec = {"time": (time, "num"), "event": (event, "num"), "entry": (entry, "num"),
            "weights": (weights, "num"), "offset": (offset, "num"), "strata": (strata, "group"),
            "cluster": (cluster, "group")}
    args, levels, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    args.update(status=args.pop("event"), labels=EVENT_LABEL, ties=ties, robust=robust,
                max_iter=max_iter, eps=eps,
                init=None if init is None else np.asarray(init, dtype=np.float64))
    res, fit = call("cox_ph", args)
    return CoxPH(res, fit, design, levels.get("strata", ["all"]), n_dropped)
