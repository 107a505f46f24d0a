"""Generalised linear models: argument handling and the result object.

Fitted by the Rust core (IRLS as R's glm.fit, glm.nb for the negative binomial,
sandwich variances as the sandwich package; coefficient tables, predictions and
residuals too); this module resolves columns, drops missing rows, encodes the
covariates and presents results.
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from ._convert import floats
from ._design import resolve_design
from ._protocol import Fitted, call
from . import _format

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


class GLM(Fitted):
    """A fitted GLM (``stats::glm`` / ``MASS::glm.nb``).

    Attributes: ``coef``, ``se`` and ``var`` (robust when ``robust``/``cluster`` was
    given), ``naive_se``/``naive_var`` (model-based), ``deviance``, ``null_deviance``,
    ``aic``, ``loglik``, ``df_residual``, ``df_null``, ``dispersion``, ``iterations``,
    ``converged``, ``convergence`` (why the iterations stopped: "converged",
    "max_iterations", and for the negative binomial "theta_iteration_limit",
    "alternation_limit", "theta_infinite"), ``names``, ``aliased``, ``fitted``,
    ``linear_predictors``, and for the negative binomial ``theta``/``se_theta`` and
    ``alternations``.
    """

    _fields = ("coef", "se", "naive_se", "deviance", "null_deviance", "aic", "loglik",
               "loglik_df", "dispersion", "df_residual", "df_null", "rank", "iterations", "converged",
               "convergence", "alternations", "boundary", "family", "link", "theta", "se_theta", "twologlik",
               "robust", "n_cluster", "fitted", "linear_predictors", "working_weights", "nobs", "test",
               "conf_level", "aliased", "warnings")
    _matrices = ("var", "naive_var")  # arrays (the core names their rows and columns)

    def __init__(self, r, fit, design, n_dropped, covariates, offset):
        super().__init__(r, fit, design, n_dropped)
        # the fitted rows' columns (references, not copies: the core fit keeps no X)
        self._covariates, self._offset = covariates, offset

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term: coef, exp_coef (log and logit links), se, naive_se
        (robust fits), z (t with an estimated dispersion), p, exp_lower, exp_upper,
        lower, upper (Wald limits of coef).

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

    def residuals(self, type="deviance"):
        """Residuals, as ``residuals.glm``.

        Parameters
        ----------
        type : {"deviance", "pearson", "working", "response"}, default "deviance"
            The kind of residual.

        Returns
        -------
        numpy.ndarray
            One residual per row of the fit.
        """
        return self._fit.call("residuals", {"type": type})

    def predict(self, covariates=None, type="link", se=False, *, offset=None, data=None):
        """Predictions on the "link" or "response" scale for new covariates (or the fit
        data), as ``predict.glm``; standard errors from the model-based variance (as
        ``predict.glm(se.fit = TRUE)``).

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
        fam = self.family + (f"(theta = {self.theta:.4g})" if self.theta is not None else "")
        lines = [f"Generalised linear model: {fam}, {self.link} link" + (f", robust ({self.robust}) variance" if self.robust else ""),
                 _format.table(s, [c for c in s.columns if not c.startswith("exp_")]), "",
                 f"Null deviance {self.null_deviance:.6g} on {self.df_null} df; residual deviance {self.deviance:.6g} on {self.df_residual} df",
                 f"AIC {self.aic:.6g}; {self.iterations} iterations" + ("" if self.converged else " (did not converge)")]
        if self.family == "gaussian":
            lines.append(f"Dispersion {self.dispersion:.6g}")
        if self.aliased.any():
            lines.append("Aliased (collinear, not estimated): " + ", ".join(np.asarray(self.names)[self.aliased]))
        if self.n_dropped:
            lines.append(f"{self.n_dropped} rows with missing values dropped")
        return "\n".join(lines)


def _fit(method, y, covariates, *, offset=None, weights=None, cluster=None, start=None, na_action="fail", data=None,
         **options):
    """Resolve the columns (dropping rows with missing values with na_action="drop"),
    build the design and fit with the core's ``method``."""
    spec = {"y": (y, "num"), "weights": (weights, "num"), "offset": (offset, "num"),
            "cluster": (cluster, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    args.update(options, start=None if start is None else np.asarray(start, dtype=np.float64))
    r, fit = call(method, args)
    return GLM(r, fit, design, n_dropped, args["covariates"], args.get("offset"))


def glm_fit(y: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], *, family: str = "gaussian",
            link: str | None = None, offset: ArrayLike | None = None, weights: ArrayLike | None = None,
            robust=False, cluster: ArrayLike | None = None, intercept: bool = True,
            start: ArrayLike | None = None, theta: float | None = None, epsilon: float = 1e-8,
            max_iter: int = 25, conf_level: float = 0.95, na_action: str = "fail",
            data: DataFrameLike | None = None) -> GLM:
    """Generalised linear model by IRLS, as ``stats::glm`` or ``MASS::glm.nb``.

    Also available as :func:`glm` (the same function).

    Parameters
    ----------
    y : array-like or str
        The response. Binomial: 0/1, or a proportion with ``weights`` the number of
        trials.
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph`; an intercept is added unless ``intercept=False``.
    family : {"gaussian", "poisson", "binomial", "negbin"}, default "gaussian"
        "negbin": ``MASS::glm.nb``, theta estimated unless given.
    link : {"log", "logit", "probit", "identity", "cloglog"}, optional
        Default the family's canonical link.
    offset : array-like or str, optional
        A term with coefficient fixed at 1, e.g. ``log(person_time)``.
    weights : array-like or str, optional
        Prior weights.
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance: True means HC1 (``sandwich::vcovHC(fit, "HC1")``).
    cluster : array-like or str, optional
        Cluster ids for the cluster-robust variance (``sandwich::vcovCL``).
    intercept : bool, default True
        Add an intercept.
    start : array-like, optional
        Starting values of the coefficients.
    theta : float, optional
        Fixed negative binomial theta (``MASS::negative.binomial(theta)``).
    epsilon : float, default 1e-8
        Convergence tolerance on the relative change of the deviance (glm.control).
    max_iter : int, default 25
        Maximum IRLS iterations.
    conf_level : float, default 0.95
        Level of the Wald limits in ``summary()``.
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    GLM
        ``coef``, ``se``, ``var`` (robust when asked), ``naive_se``, ``deviance``,
        ``null_deviance``, ``aic``, ``loglik``, ``df_residual``, ``dispersion``,
        ``iterations``, ``converged``; ``summary()``: DataFrame indexed by term with
        coef, exp_coef (log and logit links), se, z (t with an estimated dispersion),
        p, exp_lower, exp_upper, lower, upper; ``predict()`` and ``residuals()`` as
        ``predict.glm`` and ``residuals.glm``.

    See Also
    --------
    poisson_glm, logistic_glm, negbin_glm

    Notes
    -----
    The IRLS iterations, step halving, aliasing and AIC are those of R's
    ``glm.fit``; estimates and standard errors agree with ``stats::glm`` to ~1e-10.

    References
    ----------
    McCullagh P, Nelder JA (1989). Generalized Linear Models, 2nd ed. Chapman & Hall.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> y = np.array([2.0, 3, 6, 7, 8, 9, 10, 12, 15])
    >>> x = np.arange(9.0)
    >>> m = hs.glm(y, x.reshape(-1, 1), family="poisson")
    >>> m.names, m.coef.round(4)  # R: coef(glm(y ~ x, family = poisson)) 1.176683 0.194838
    (['(Intercept)', 'x0'], array([1.1767, 0.1948]))
    """
    return _fit("glm_fit", y, covariates, family=family, link=link, offset=offset, weights=weights, robust=robust,
                cluster=cluster, intercept=intercept, start=start, theta=theta, epsilon=epsilon, max_iter=max_iter,
                conf_level=conf_level, na_action=na_action, data=data)


glm = glm_fit


def poisson_glm(y: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], *,
                offset: ArrayLike | None = None, weights: ArrayLike | None = None, robust=False,
                data: DataFrameLike | None = None, **kwargs) -> GLM:
    """Poisson regression (log link), as ``glm(y ~ covariates, family = poisson,
    offset = offset)``, e.g. for rates: events with ``offset=log(person_time)``.

    Parameters
    ----------
    y : array-like or str
        Counts (non-negative).
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph`; an intercept is added unless ``intercept=False``.
    offset : array-like or str, optional
        Typically ``np.log(person_time)``.
    weights : array-like or str, optional
        Prior weights.
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance (True: HC1).
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.
    **kwargs
        Further arguments of :func:`glm_fit` (``cluster``, ``intercept``,
        ``conf_level``, ``na_action``, ...).

    Returns
    -------
    GLM
        As :func:`glm_fit`; ``exp_coef`` are rate ratios.

    Examples
    --------
    A person-time table by age band and sex, then rate ratios:

    >>> import numpy as np
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"], df["years"] = 0.0, df["time"] / 365.25
    >>> pt = hs.person_time_table("entry", "years", "status", time_scales={"fu": None, "age": "age"},
    ...                           breaks={"age": [0, 60, 70, 80, 120]}, by="sex", data=df)
    >>> pt["age_band"] = pt["age_band"].astype(str)
    >>> m = hs.poisson_glm("events", ["age_band", "sex"], offset=np.log(pt["person_time"]), data=pt)
    >>> m.summary()[["exp_coef", "exp_lower", "exp_upper"]].round(3)
                  exp_coef  exp_lower  exp_upper
    term
    (Intercept)      0.097      0.090      0.105
    age_band60.0     0.987      0.919      1.060
    age_band70.0     1.209      1.131      1.293
    age_band80.0     2.290      2.145      2.445
    sex              0.844      0.816      0.873
    """
    return _fit("poisson_glm", y, covariates, offset=offset, weights=weights, robust=robust, data=data, **kwargs)


def logistic_glm(y: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], *,
                 weights: ArrayLike | None = None, robust=False, data: DataFrameLike | None = None,
                 **kwargs) -> GLM:
    """Logistic regression (binomial, logit link), as ``glm(y ~ covariates, family =
    binomial)``.

    Parameters
    ----------
    y : array-like or str
        0/1 outcomes, or proportions with ``weights`` the numbers of trials.
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph`; an intercept is added unless ``intercept=False``.
    weights : array-like or str, optional
        Prior weights (numbers of trials for proportions).
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance (True: HC1).
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.
    **kwargs
        Further arguments of :func:`glm_fit` (``link``, ``cluster``, ``intercept``,
        ``conf_level``, ``na_action``, ...).

    Returns
    -------
    GLM
        As :func:`glm_fit`; ``exp_coef`` are odds ratios.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["died_1y"] = ((df["status"] == 1) & (df["time"] < 365.25)).astype(float)
    >>> m = hs.logistic_glm("died_1y", ["age", "sex"], data=df)
    >>> m.summary()[["exp_coef", "exp_lower", "exp_upper"]].round(3)
                 exp_coef  exp_lower  exp_upper
    term
    (Intercept)     0.049      0.038      0.063
    age             1.026      1.023      1.030
    sex             0.903      0.843      0.967
    """
    return _fit("logistic_glm", y, covariates, weights=weights, robust=robust, data=data, **kwargs)


def negbin_glm(y: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str], *,
               offset: ArrayLike | None = None, weights: ArrayLike | None = None, robust=False,
               data: DataFrameLike | None = None, **kwargs) -> GLM:
    """Negative binomial regression (log link), theta by maximum likelihood, as
    ``MASS::glm.nb``.

    Var(y) = mu + mu^2 / theta; the coefficients by IRLS for a given theta, theta by
    maximum likelihood (``MASS::theta.ml``) between IRLS fits until both converge.

    Parameters
    ----------
    y : array-like or str
        Counts (non-negative).
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph`; an intercept is added unless ``intercept=False``.
    offset : array-like or str, optional
        Typically ``np.log(person_time)``.
    weights : array-like or str, optional
        Prior weights.
    robust : bool or {"HC0", "HC1"}, default False
        Sandwich variance (True: HC1).
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.
    **kwargs
        Further arguments of :func:`glm_fit` (``theta`` to fix it, ``cluster``,
        ``intercept``, ``conf_level``, ``na_action``, ...).

    Returns
    -------
    GLM
        ``theta`` (and its standard error ``se_theta``), coef, se, var, deviance,
        null_deviance, aic, ``summary()`` (term, coef, exp_coef (rate ratios), se, z, p,
        lower, upper, exp_lower, exp_upper), ``predict()``.

    References
    ----------
    Venables WN, Ripley BD (2002). Modern Applied Statistics with S, 4th ed., section 7.4.

    Examples
    --------
    >>> import pandas as pd
    >>> import hrrstats as hs
    >>> d = pd.DataFrame({"y": [0, 3, 1, 8, 2, 12, 0, 5, 1, 9],
    ...                   "treated": [0, 1, 0, 1, 0, 1, 0, 1, 0, 1]})
    >>> m = hs.negbin_glm("y", ["treated"], data=d)
    >>> m.summary()[["coef", "exp_coef", "se"]].round(3)
                  coef  exp_coef     se
    term
    (Intercept) -0.223      0.80  0.508
    treated      2.225      9.25  0.542
    >>> round(m.theta, 2)
    23.73
    """
    return _fit("negbin_glm", y, covariates, offset=offset, weights=weights, robust=robust, data=data, **kwargs)


def _predict(fit, covariates, type, se, offset, data):
    """The core's predictions of a GLM-type fit for new covariates (or the fit data):
    the fitted values, or with ``se`` a DataFrame with fit and se."""
    args = {"type": type, "covariates": fit._covariates, "offset": fit._offset}
    if covariates is not None:
        cols = fit._design.apply(covariates, data)
        args.update(covariates=dict(zip(fit._design.names, cols)),
                    offset=None if offset is None else floats(offset, "offset", data))
    r = fit._fit.call("predict", args)
    return r if se else r["fit"].to_numpy()
