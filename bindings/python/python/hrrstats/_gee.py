"""Generalised estimating equations (``geepack::geeglm``): arguments and the result.

Fitted by the Rust core (``gee`` through the protocol: geese's estimating equations
for the mean, scale and working correlation, the sandwich and model-based variances,
the coefficient table and predictions); this module resolves columns, builds the
design and presents the core's numbers.
"""
from __future__ import annotations

import numpy as np

from ._design import resolve_design
from ._glm import _predict
from ._protocol import Fitted, call
from . import _format

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


class GEE(Fitted):
    """A fitted GEE (``geepack::geeglm``).

    Attributes: ``coef``, ``se`` and ``var`` (robust, sandwich: geeglm's ``Std.err``),
    ``naive_se`` and ``naive_var`` (model-based), ``alpha`` (correlation parameters,
    named in ``alpha_names`` as geeglm: ``alpha`` or ``alpha.1:2``, ...), ``scale``,
    ``n_clusters``, ``max_cluster_size``, ``iterations``, ``converged``, ``names``,
    ``family``, ``link``, ``corstr``, ``fitted``, ``linear_predictors``, ``nobs``.
    """

    _fields = ("coef", "se", "var", "naive_se", "naive_var", "scale", "n_clusters", "max_cluster_size",
               "iterations", "converged", "family", "link", "corstr", "fitted", "linear_predictors", "nobs",
               "conf_level", "warnings")

    def __init__(self, r, fit, design, n_dropped, covariates, offset):
        super().__init__(r, fit, design, n_dropped)
        self._covariates, self._offset = covariates, offset
        self.alpha = np.atleast_1d(np.asarray(r["alpha"], dtype=np.float64))
        self.alpha_names = [] if r["alpha_names"] is None else list(np.atleast_1d(r["alpha_names"]))

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term: coef, exp_coef (log and logit links), se (robust),
        naive_se, z, p (geeglm's Wald is z squared, the same p), exp_lower, exp_upper,
        lower, upper.

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

    def predict(self, covariates=None, type="link", se=False, *, offset=None, data=None):
        """Predictions on the "link" or "response" scale for new covariates (or the fit
        data), as ``predict(geeglm)``; standard errors from the robust variance.

        Parameters
        ----------
        covariates : 2-D array, DataFrame or list of str, optional
            New covariate rows (the fit's columns; categorical columns coded as in the fit);
            default the fit data.
        type : {"link", "response"}, default "link"
            The scale of the predictions.
        se : bool, default False
            Also return standard errors.
        offset : array-like or str, optional
            Offset of the new rows.
        data : pandas or polars DataFrame, optional
            Where string arguments name columns.

        Returns
        -------
        numpy.ndarray or pandas.DataFrame
            The predictions, or with ``se=True`` a DataFrame with columns fit and se.
        """
        return _predict(self, covariates, type, se, offset, data)

    def __repr__(self):
        s = self.summary()
        lines = [f"Generalised estimating equations: {self.family}, {self.link} link, {self.corstr} working correlation",
                 _format.table(s, [c for c in s.columns if not c.startswith("exp_")]), "",
                 f"Scale {self.scale:.6g}" + ("" if not len(self.alpha) else "; correlation " + ", ".join(
                     f"{n} = {a:.4g}" for n, a in zip(self.alpha_names, self.alpha))),
                 f"{self.n_clusters} clusters, largest {self.max_cluster_size} rows; {self.nobs} rows; "
                 f"{self.iterations} iterations" + ("" if self.converged else " (did not converge)")]
        if self.n_dropped:
            lines.append(f"{self.n_dropped} rows with missing values dropped")
        return "\n".join(lines)


def gee(y: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], cluster: ArrayLike, *,
        family: str = "gaussian", link: str | None = None, corstr: str = "independence",
        offset: ArrayLike | None = None, weights: ArrayLike | None = None, waves: ArrayLike | None = None,
        intercept: bool = True, scale_fix: bool = False, scale_value: float = 1.0, epsilon: float = 1e-10,
        max_iter: int = 100, conf_level: float = 0.95, na_action: str = "fail",
        data: DataFrameLike | None = None) -> GEE:
    """Generalised estimating equations, as ``geepack::geeglm``.

    Solves sum_i D_i' V_i^-1 (y_i - mu_i) = 0 over the clusters i, with
    V_i = phi A_i^(1/2) R(alpha) A_i^(1/2) the working covariance; the variance of the
    coefficients is the robust sandwich (Liang and Zeger 1986), the model-based one is
    ``naive_se``; alpha and phi by moments, as geepack.

    Parameters
    ----------
    y : array-like or str
        The response (binomial: 0/1 or a proportion with ``weights`` the trials).
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph` (categorical columns dummy-coded).
    cluster : array-like or str
        The cluster of each row (rows of a cluster need not be contiguous: they are
        grouped stably).
    family : {"gaussian", "binomial", "poisson"}, default "gaussian"
        The variance function.
    link : str, optional
        As in :func:`glm_fit` (default the canonical link).
    corstr : {"independence", "exchangeable", "ar1", "unstructured"}, default "independence"
        The working correlation.
    offset : array-like or str, optional
        An offset on the link scale.
    weights : array-like or str, optional
        Prior weights.
    waves : array-like or str, optional
        The time order of each row within its cluster for ar1/unstructured (ranked as
        geeglm's ``as.factor(waves)``; default the row's position in its cluster).
    intercept : bool, default True
        Add an intercept.
    scale_fix : bool, default False
        Keep the scale at ``scale_value`` instead of estimating it.
    scale_value : float, default 1.0
        The fixed scale.
    epsilon : float, default 1e-10
        Convergence: largest change of any parameter.
    max_iter : int, default 100
        Most iterations.
    conf_level : float, default 0.95
        Level of the Wald limits.
    na_action : {"fail", "drop"}, default "fail"
        Missing values: an error naming the argument and row, or the rows dropped.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    GEE
        coef, se (robust), naive_se, var, alpha (correlation parameters), scale,
        ``summary()`` (term, coef, exp_coef, se, naive_se, z, p, limits), ``predict()``.

    References
    ----------
    Liang KY, Zeger SL (1986). Longitudinal data analysis using generalized linear
    models. Biometrika 73:13-22. Halekoh U, Hojsgaard S, Yan J (2006). The R package
    geepack for generalized estimating equations. J Stat Softw 15(2).

    Examples
    --------
    >>> import hrrstats as hs
    >>> d = hs.example_cohort().iloc[:3000].copy()
    >>> d["clinic"] = d["id"] % 100
    >>> g = hs.gee("status", ["age", "sex"], "clinic", family="binomial",
    ...            corstr="exchangeable", data=d)
    >>> g.summary()[["coef", "se", "naive_se"]].round(4)
                   coef      se  naive_se
    term
    (Intercept) -3.7774  0.2705    0.3072
    age          0.0711  0.0034    0.0042
    sex         -0.2263  0.0837    0.0823
    """
    spec = {"y": (y, "num"), "weights": (weights, "num"), "offset": (offset, "num"), "waves": (waves, "num"),
            "cluster": (cluster, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    args.update(family=family, link=link, corstr=corstr, intercept=intercept, scale_fix=scale_fix,
                scale_value=scale_value, epsilon=epsilon, max_iter=max_iter, conf_level=conf_level)
    r, fit = call("gee", args)
    return GEE(r, fit, design, n_dropped, args["covariates"], args.get("offset"))
