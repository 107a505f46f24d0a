"""Rubin's rules for multiply imputed analyses (``mice::pool``): arguments and the result.

The pooling is done by the Rust core (``pool`` through the protocol); this module only
gathers the m analyses' estimates and variances into columns, one per parameter.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._protocol import call


def _from_fits(fits):
    """(estimates m x p, variances m x p, names, df_residual or None) of a list of fits
    (objects with ``coef``, ``var``, ``names``) or of (coef, var) pairs."""
    est, var, names, dfres = [], [], None, None
    for f in fits:
        if isinstance(f, (tuple, list)) and len(f) == 2:
            c, v = f
        else:
            c, v = f.coef, f.var
            names = names or list(getattr(f, "names", []) or [])
            d = getattr(f, "df_residual", None)
            dfres = d if d is not None else dfres
        c = np.atleast_1d(np.asarray(c, dtype=np.float64))
        v = np.asarray(v, dtype=np.float64)
        v = np.diag(v) if v.ndim == 2 else np.atleast_1d(v)
        est.append(c)
        var.append(v)
    if len({len(c) for c in est}) > 1:
        raise ValueError("argument `estimates`: the fits have different numbers of coefficients")
    return np.vstack(est), np.vstack(var), names, dfres


def _columns(x, names, name):
    """A dict of parameter -> m values from a 1-D or m x p array or a DataFrame."""
    if isinstance(x, pd.DataFrame):
        return {str(k): np.ascontiguousarray(x[k], dtype=np.float64) for k in x.columns}
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        key = names[0] if names else (str(x.name) if isinstance(x, pd.Series) and x.name is not None else "estimate")
        return {key: np.ascontiguousarray(a)}
    if a.ndim != 2:
        raise ValueError(f"argument `{name}`: must be a vector (one parameter) or an m x p matrix")
    names = names or [f"x{j + 1}" for j in range(a.shape[1])]
    return {str(n): np.ascontiguousarray(a[:, j]) for j, n in enumerate(names)}


class Pooled:
    """Rubin's rules over m analyses (``mice::pool``).

    Attributes: ``estimate``, ``se`` (sqrt of the total variance), ``ubar`` (within),
    ``b`` (between), ``t`` (total), ``riv``, ``lambda_``, ``fmi``, ``df`` (Barnard-Rubin),
    ``df_complete``, ``m``, ``names``, ``conf_level``; ``summary()`` is the whole table.
    """

    def __init__(self, res):
        self._res = res
        t = res["table"]
        self._table = t.set_index("term")
        self.names = list(t["term"])
        for k in ("estimate", "se", "ubar", "b", "t", "riv", "fmi", "df", "df_complete", "statistic", "p"):
            setattr(self, k, np.asarray(t[k], dtype=np.float64))
        self.lambda_ = np.asarray(t["lambda"], dtype=np.float64)
        self.m = int(t["m"].iloc[0])
        self.conf_level = res["conf_level"]

    def summary(self):
        """DataFrame indexed by term: m, estimate, ubar, b, t, df_complete, df, riv,
        lambda, fmi, se, statistic, p, lower, upper (t-based limits)."""
        return self._table.copy()

    table = summary

    def __repr__(self):
        s = self._table[["estimate", "se", "statistic", "df", "p", "riv", "fmi"]]
        return (f"Rubin's rules over m = {self.m} imputations\n"
                + s.to_string(float_format=lambda v: f"{v:.4g}"))


def pool(estimates, variances=None, *, df_complete: float | None = None, conf_level: float = 0.95) -> Pooled:
    """Pool m analyses of multiply imputed data by Rubin's rules, as ``mice::pool``.

    Parameters
    ----------
    estimates : array-like, DataFrame or list
        The m estimates of one parameter (a vector), an m x p matrix or DataFrame (one
        column per parameter), or a list of m hrrstats fits (their ``coef`` and the
        diagonal of their ``var``; ``variances`` then omitted) or of (coef, var) pairs.
    variances : array-like or DataFrame, optional
        The squared standard errors, the shape of ``estimates``.
    df_complete : float, optional
        The complete-data degrees of freedom for the Barnard–Rubin df (None: a fit's
        residual df where it has one, else infinite, Rubin's 1987 df).
    conf_level : float, default 0.95
        Level of the t-based confidence limits.

    Returns
    -------
    Pooled
        ``summary()``: DataFrame indexed by term with m, estimate, ubar (within), b
        (between), t (total variance), df_complete, df (Barnard–Rubin), riv, lambda,
        fmi, se, statistic, p, lower, upper.

    References
    ----------
    Rubin DB (1987). Multiple Imputation for Nonresponse in Surveys. Wiley.

    Barnard J, Rubin DB (1999). Small-sample degrees of freedom with multiple
    imputation. Biometrika 86:948-955.

    Examples
    --------
    >>> import hrrstats as hs
    >>> p = hs.pool([1.0, 1.2, 0.9], [0.04, 0.05, 0.045])   # mice::pool.scalar
    >>> p.summary()[["estimate", "t", "df", "fmi"]].round(4)
              estimate       t     df     fmi
    term
    estimate    1.0333  0.0761  11.97  0.4877
    """
    names = None
    if isinstance(estimates, (list, tuple)) and estimates and variances is None and (
            hasattr(estimates[0], "coef") or isinstance(estimates[0], (tuple, list))):
        estimates, variances, names, dfres = _from_fits(estimates)
        if df_complete is None and dfres is not None:
            df_complete = float(dfres)
    if variances is None:
        raise ValueError("argument `variances`: is required (or give a list of fits as `estimates`)")
    est = _columns(estimates, names, "estimates")
    var = _columns(variances, list(est), "variances")
    res, _ = call("pool", {"estimates": est, "variances": var,
                           "df_complete": None if df_complete is None else float(df_complete),
                           "conf_level": conf_level})
    return Pooled(res)
