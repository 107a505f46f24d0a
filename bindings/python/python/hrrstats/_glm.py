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
from ._cox import _coef_table
from ._design import resolve_design
from ._protocol import call
from . import _format


class GLM:
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

    def __init__(self, r, fit, design, n_dropped, covariates, offset):
        self._fit, self._design, self._res = fit, design, r
        # the fitted rows' columns (references, not copies: the core fit keeps no X)
        self._covariates, self._offset = covariates, offset
        self.names = list(r["names"])
        for k in ("coef", "se", "var", "naive_se", "naive_var", "deviance", "null_deviance", "aic", "loglik",
                  "loglik_df", "dispersion", "df_residual", "df_null", "rank", "iterations", "converged",
                  "convergence", "alternations", "boundary", "family", "link", "theta", "se_theta", "twologlik", "robust", "n_cluster",
                  "fitted", "linear_predictors", "working_weights", "nobs", "test", "conf_level"):
            setattr(self, k, r[k])
        self.aliased = np.asarray(r["aliased"], dtype=bool)
        self.warnings = list(r["warnings"])
        self.n_dropped = n_dropped

    def summary(self, conf_level=None):
        """DataFrame indexed by term: coef, exp_coef (log and logit links), se, naive_se
        (robust fits), z (t with an estimated dispersion), p, exp_lower, exp_upper,
        lower, upper (Wald limits of coef)."""
        return _coef_table(self, conf_level)

    table = summary

    def residuals(self, type="deviance"):
        """Residuals as ``residuals.glm``: deviance, pearson, working or response."""
        return self._fit.call("residuals", {"type": type})

    def predict(self, covariates=None, type="link", se=False, *, offset=None, data=None):
        """Predictions on the "link" or "response" scale for new covariates (or the fit
        data); with ``se=True`` a DataFrame with fit and se (standard errors from the
        model-based variance, as ``predict.glm(se.fit = TRUE)``)."""
        if covariates is None:
            args = {"type": type, "covariates": self._covariates, "offset": self._offset}
        else:
            cols = self._design.apply(covariates, data)
            args = {"type": type, "covariates": dict(zip(self._design.names, cols)),
                    "offset": None if offset is None else floats(offset, "offset", data)}
        r = self._fit.call("predict", args)
        if not se:
            return r["fit"].to_numpy()
        return r

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


def glm_fit(y, covariates, *, family="gaussian", link=None, offset=None, weights=None, robust=False, cluster=None,
            intercept=True, start=None, theta=None, epsilon=1e-8, max_iter=25, conf_level=0.95, na_action="fail",
            data=None):
    """Generalised linear model by IRLS, as ``stats::glm`` (``family`` "gaussian",
    "poisson", "binomial") or ``MASS::glm.nb`` ("negbin", theta estimated unless
    given). ``link``: "log", "logit", "probit", "identity", "cloglog" (default the
    canonical link). Binomial ``y`` is 0/1, or a proportion with ``weights`` the
    number of trials. ``robust``: True (HC1), "HC0" or "HC1"; ``cluster``: cluster ids
    for the cluster-robust variance. Covariates as in :func:`cox_ph`. Also available
    as :func:`glm` (the same function)."""
    return _fit("glm_fit", y, covariates, family=family, link=link, offset=offset, weights=weights, robust=robust,
                cluster=cluster, intercept=intercept, start=start, theta=theta, epsilon=epsilon, max_iter=max_iter,
                conf_level=conf_level, na_action=na_action, data=data)


glm = glm_fit


def poisson_glm(y, covariates, *, offset=None, weights=None, robust=False, data=None, **kwargs):
    """Poisson regression (log link), e.g. events with ``offset=log(person_time)``."""
    return _fit("poisson_glm", y, covariates, offset=offset, weights=weights, robust=robust, data=data, **kwargs)


def logistic_glm(y, covariates, *, weights=None, robust=False, data=None, **kwargs):
    """Logistic regression (binomial, logit link)."""
    return _fit("logistic_glm", y, covariates, weights=weights, robust=robust, data=data, **kwargs)


def negbin_glm(y, covariates, *, offset=None, weights=None, robust=False, data=None, **kwargs):
    """Negative binomial regression, theta by maximum likelihood (``MASS::glm.nb``)."""
    return _fit("negbin_glm", y, covariates, offset=offset, weights=weights, robust=robust, data=data, **kwargs)
