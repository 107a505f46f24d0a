"""Generalised linear models: argument handling and the result object.

Fitted by the Rust core (IRLS as R's glm.fit, glm.nb for the negative binomial,
sandwich variances as the sandwich package); this module builds the design matrix
and presents results.
"""
from __future__ import annotations

import warnings
from statistics import NormalDist

import numpy as np
import pandas as pd

from . import _hrrstats as _core
from ._convert import codes, column, floats, missing
from ._design import Design, raw_columns


class GLM:
    """A fitted GLM (``stats::glm`` / ``MASS::glm.nb``).

    Attributes: ``coef``, ``se`` and ``var`` (robust when ``robust``/``cluster`` was
    given), ``naive_se``/``naive_var`` (model-based), ``deviance``, ``null_deviance``,
    ``aic``, ``loglik``, ``df_residual``, ``df_null``, ``dispersion``, ``iterations``,
    ``converged``, ``names``, ``aliased``, ``fitted``, ``linear_predictors``, and for
    the negative binomial ``theta``/``se_theta``.
    """

    def __init__(self, fit, design, inputs, robust, cluster, n_dropped):
        self._fit, self._design, self._inputs = fit, design, inputs
        r = fit.result()
        p = len(r["names"])
        self.names = list(r["names"])
        self.coef = r["coef"]
        self.naive_se = r["se"]
        self.naive_var = r["var"].reshape(p, p)
        for k in ("deviance", "null_deviance", "aic", "loglik", "dispersion", "df_residual", "df_null", "rank",
                  "iterations", "converged", "boundary", "family", "link", "theta", "se_theta", "twologlik"):
            setattr(self, k, r[k])
        self.aliased = np.asarray(r["aliased"], dtype=bool)
        self.fitted = r["fitted"]
        self.linear_predictors = r["linear_predictors"]
        self.warnings = list(r["warnings"])
        self.n_dropped = n_dropped
        if cluster is not None:
            self.robust = "CL"
            self.var = fit.robust_var(inputs, "CL", cluster).reshape(p, p)
        elif robust:
            self.robust = "HC1" if robust is True else str(robust)
            if self.robust not in ("HC0", "HC1"):
                raise ValueError(f"argument `robust` must be True, False, \"HC0\" or \"HC1\", got {robust!r}")
            self.var = fit.robust_var(inputs, self.robust).reshape(p, p)
        else:
            self.robust = None
            self.var = self.naive_var
        with np.errstate(invalid="ignore"):
            self.se = np.where(self.aliased, np.nan, np.sqrt(np.diag(self.var)))
        for w in self.warnings:
            warnings.warn(w, RuntimeWarning, stacklevel=3)

    def summary(self, conf_level=0.95):
        """DataFrame indexed by term: coef, se, z (t with an estimated dispersion), p,
        lower, upper (Wald), and exp_coef with its limits for log and logit links."""
        stat, p = self._fit.wald(np.ascontiguousarray(self.var.ravel()))
        z = NormalDist().inv_cdf(1 - (1 - conf_level) / 2)
        name = "t" if self.family == "gaussian" else "z"
        out = pd.DataFrame({"coef": self.coef, "se": self.se, name: stat, "p": p,
                            "lower": self.coef - z * self.se, "upper": self.coef + z * self.se},
                           index=pd.Index(self.names, name="term"))
        if self.link in ("log", "logit"):
            with np.errstate(over="ignore"):  # separated fits: limits overflow to inf, as in R
                out["exp_coef"] = np.exp(out["coef"])
                out["exp_lower"] = np.exp(out["lower"])
                out["exp_upper"] = np.exp(out["upper"])
        return out

    table = summary

    def residuals(self, type="deviance"):
        """Residuals as ``residuals.glm``: deviance, pearson, working or response."""
        return self._fit.residuals(self._inputs, type)

    def predict(self, covariates=None, type="link", se=False, *, offset=None, data=None):
        """Predictions on the "link" or "response" scale for new covariates (or the fit
        data); with ``se=True`` a DataFrame with fit and se (standard errors from the
        model-based variance, as ``predict.glm(se.fit = TRUE)``)."""
        if type not in ("link", "response"):
            raise ValueError(f"argument `type` must be \"link\" or \"response\", got {type!r}")
        if covariates is None:
            cols, off = self._inputs["columns"], self._inputs["offset"]
        else:
            cols = self._design.apply(covariates, data)
            off = None if offset is None else floats(offset, "offset", data)
        r = self._fit.predict(cols, off)
        if not se:
            return r[type]
        return pd.DataFrame({"fit": r[type], "se": r[f"{type}_se"]})

    def __repr__(self):
        s = self.summary()
        fam = self.family + (f"(theta = {self.theta:.4g})" if self.theta is not None else "")
        lines = [f"Generalised linear model: {fam}, {self.link} link" + (f", robust ({self.robust}) variance" if self.robust else ""),
                 s[[c for c in s.columns if not c.startswith("exp_")]].to_string(float_format=lambda v: f"{v:.4g}"), "",
                 f"Null deviance {self.null_deviance:.6g} on {self.df_null} df; residual deviance {self.deviance:.6g} on {self.df_residual} df",
                 f"AIC {self.aic:.6g}; {self.iterations} iterations" + ("" if self.converged else " (did not converge)")]
        if self.family == "gaussian":
            lines.append(f"Dispersion {self.dispersion:.6g}")
        if self.aliased.any():
            lines.append("Aliased (collinear, not estimated): " + ", ".join(np.asarray(self.names)[self.aliased]))
        if self.n_dropped:
            lines.append(f"{self.n_dropped} rows with missing values dropped")
        return "\n".join(lines)


def glm(y, covariates, *, family="gaussian", link=None, offset=None, weights=None, robust=False, cluster=None,
        intercept=True, start=None, theta=None, epsilon=1e-8, max_iter=25, na_action="fail", data=None):
    """Generalised linear model by IRLS, as ``stats::glm`` (``family`` "gaussian",
    "poisson", "binomial") or ``MASS::glm.nb`` ("negbin", theta estimated unless
    given). ``link``: "log", "logit", "probit", "identity", "cloglog" (default the
    canonical link). Binomial ``y`` is 0/1, or a proportion with ``weights`` the
    number of trials. ``robust``: True (HC1), "HC0" or "HC1"; ``cluster``: cluster ids
    for the cluster-robust variance. Covariates as in :func:`cox_ph`."""
    if family not in ("gaussian", "poisson", "binomial", "negbin"):
        raise ValueError(f"argument `family` must be \"gaussian\", \"poisson\", \"binomial\" or \"negbin\", got {family!r}")
    if na_action not in ("fail", "drop"):
        raise ValueError(f"argument `na_action` must be \"fail\" or \"drop\", got {na_action!r}")
    yv = column(y, "y", data)
    raw = raw_columns(covariates, data)
    extra = {"weights": weights, "offset": offset}
    extras = {k: (None if v is None else column(v, k, data)) for k, v in extra.items()}
    cl_raw = None if cluster is None else column(cluster, "cluster", data, categorical=True)
    n = len(yv)
    n_dropped = 0
    if na_action == "drop":
        keep = ~missing(np.asarray(yv, dtype=object) if yv.dtype == object else yv)
        for a in [a for _, a in raw] + [v for v in extras.values() if v is not None] + ([cl_raw] if cl_raw is not None else []):
            if len(a) == n:
                keep &= ~missing(a)
        n_dropped = int((~keep).sum())
        if n_dropped:
            yv = yv[keep]
            raw = [(nm, a[keep]) for nm, a in raw]
            extras = {k: (None if v is None else v[keep]) for k, v in extras.items()}
            cl_raw = None if cl_raw is None else cl_raw[keep]
    design, xcols = Design.build(raw, len(yv))
    inputs = {"y": floats(yv, "y"), "columns": xcols,
              "weights": None if extras["weights"] is None else floats(extras["weights"], "weights"),
              "offset": None if extras["offset"] is None else floats(extras["offset"], "offset")}
    cl = None if cl_raw is None else codes([cl_raw], "cluster", len(yv))[0]
    start = None if start is None else [float(v) for v in start]
    fit = _core.glm(inputs, design.names, family, link, bool(intercept), float(epsilon), int(max_iter), start,
                    None if theta is None else float(theta))
    return GLM(fit, design, inputs, robust, cl, n_dropped)


def poisson_glm(y, covariates, *, offset=None, weights=None, robust=False, data=None, **kwargs):
    """Poisson regression (log link), e.g. events with ``offset=log(person_time)``."""
    return glm(y, covariates, family="poisson", offset=offset, weights=weights, robust=robust, data=data, **kwargs)


def logistic_glm(y, covariates, *, weights=None, robust=False, data=None, **kwargs):
    """Logistic regression (binomial, logit link)."""
    return glm(y, covariates, family="binomial", weights=weights, robust=robust, data=data, **kwargs)


def negbin_glm(y, covariates, *, offset=None, weights=None, robust=False, data=None, **kwargs):
    """Negative binomial regression, theta by maximum likelihood (``MASS::glm.nb``)."""
    return glm(y, covariates, family="negbin", offset=offset, weights=weights, robust=robust, data=data, **kwargs)
