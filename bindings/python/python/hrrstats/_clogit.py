"""Conditional logistic regression for matched sets (``survival::clogit``): arguments
and the result.

The model is fitted by the Rust core (``conditional_logistic`` through the protocol:
the exact conditional likelihood, or Breslow's or Efron's approximation through the
Cox core); this module resolves columns, builds the design matrix and presents the
core's numbers.
"""
from __future__ import annotations

import numpy as np

from ._cox import _coef_table, _test
from ._design import resolve_design
from ._protocol import call


class ConditionalLogistic:
    """A fitted conditional logistic regression (``survival::clogit``).

    Attributes: ``coef`` (log odds ratios), ``se``, ``var`` (robust with ``robust=True``
    or ``cluster``), ``naive_se``, ``naive_var`` (model-based), ``loglik`` (at the
    initial values, final), ``score_test``, ``wald_test``, ``lr_test`` and
    ``robust_score_test`` (None unless robust) as (statistic, df, p_value), ``robust``,
    ``n_cluster``, ``method``, ``names``, ``n``, ``n_event`` (cases), ``iterations``,
    ``converged``, ``aliased``.
    """

    def __init__(self, res, fit, design, n_dropped):
        self._fit, self._res, self._design = fit, res, design
        for k in ("coef", "se", "naive_se", "iterations", "converged", "n", "n_event", "method", "conf_level",
                  "robust", "n_cluster"):
            setattr(self, k, res[k])
        for k in ("score_test", "wald_test", "lr_test"):
            setattr(self, k, _test(res[k]))
        self.robust_score_test = None if res["robust_score_test"] is None else _test(res["robust_score_test"])
        self.names = list(res["names"])
        self.var = np.asarray(res["var"], dtype=np.float64)
        self.naive_var = np.asarray(res["naive_var"], dtype=np.float64)
        self.loglik = tuple(res["loglik"])
        self.aliased = np.asarray(res["aliased"], dtype=bool)
        self.n_dropped = n_dropped

    def summary(self, conf_level=None):
        """DataFrame indexed by term: coef, exp_coef (odds ratio), se, z, p, exp_lower,
        exp_upper, lower, upper (the core's coefficient table)."""
        return _coef_table(self, conf_level)

    table = summary

    def __repr__(self):
        s = self.summary()
        lr, w, sc = self.lr_test, self.wald_test, self.score_test
        lines = [f"Conditional logistic regression ({self.method} likelihood)",
                 s[["coef", "exp_coef", "se", "z", "p"]].to_string(float_format=lambda v: f"{v:.4g}"), "",
                 f"n = {self.n}, cases = {self.n_event}"
                 + (f", {self.n_dropped} rows with missing values dropped" if self.n_dropped else ""),
                 f"Likelihood ratio test = {lr[0]:.4g} on {lr[1]} df, p = {lr[2]:.3g}",
                 f"Wald test             = {w[0]:.4g} on {w[1]} df, p = {w[2]:.3g}",
                 f"Score test            = {sc[0]:.4g} on {sc[1]} df, p = {sc[2]:.3g}"]
        if self.robust_score_test is not None:
            r = self.robust_score_test
            lines.append(f"Robust score test     = {r[0]:.4g} on {r[1]} df, p = {r[2]:.3g}"
                         f"  ({self.n_cluster} clusters)")
        if not self.converged:
            lines.append(f"Warning: did not converge in {self.iterations} iterations")
        return "\n".join(lines)


def conditional_logistic(case, covariates, strata=None, *, method="exact", weights=None, offset=None,
                         init=None, max_iter=20, eps=1e-9, exact_limit=1e7, conf_level=0.95,
                         robust=False, cluster=None, na_action="fail", data=None):
    """Conditional logistic regression for matched sets, as ``survival::clogit``.

    case: 1 for cases, 0 for controls; covariates: a 2-D array, a DataFrame, or a list of
    column names with ``data=`` (categorical columns dummy-coded); strata: the matched
    set of each row (one column or a list of columns). method: "exact" (the exact
    conditional likelihood, clogit's default), "approximate" (= "breslow") or "efron".
    weights: case weights (the approximations only). exact_limit: the most cases x rows
    allowed in one matched set for the exact method (its work per set and iteration).
    robust: a sandwich variance with each row its own cluster (``clogit(..., robust =
    TRUE)``); cluster: a grouping (e.g. the matched sets) for a sandwich variance summed
    within clusters (a ``cluster()`` term); both for the approximations only, as clogit.
    """
    spec = {"case": (case, "num"), "weights": (weights, "num"), "offset": (offset, "num"),
            "strata": (strata, "group"), "cluster": (cluster, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    args.update(method=method, max_iter=max_iter, eps=eps, exact_limit=exact_limit, conf_level=conf_level,
                robust=robust,
                init=None if init is None else np.asarray(init, dtype=np.float64))
    res, fit = call("conditional_logistic", args)
    return ConditionalLogistic(res, fit, design, n_dropped)
