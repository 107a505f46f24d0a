"""Conditional logistic regression for matched sets (``survival::clogit``): arguments
and the result.

The model is fitted by the Rust core (``conditional_logistic`` through the protocol:
the exact conditional likelihood, or Breslow's or Efron's approximation through the
Cox core); this module resolves columns, builds the design matrix and presents the
core's numbers.
"""
from __future__ import annotations

import numpy as np

from ._design import resolve_design
from ._protocol import Fitted, call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


class ConditionalLogistic(Fitted):
    """A fitted conditional logistic regression (``survival::clogit``).

    Attributes: ``coef`` (log odds ratios), ``se``, ``var`` (robust with ``robust=True``
    or ``cluster``), ``naive_se``, ``naive_var`` (model-based), ``loglik`` (at the
    initial values, final), ``score_test``, ``wald_test``, ``lr_test`` and
    ``robust_score_test`` (None unless robust) as (statistic, df, p_value), ``robust``,
    ``n_cluster``, ``method``, ``names``, ``n``, ``n_event`` (cases), ``iterations``,
    ``converged``, ``aliased``.
    """

    _fields = ("coef", "se", "naive_se", "iterations", "converged", "n", "n_event", "method", "conf_level",
               "robust", "n_cluster", "score_test", "wald_test", "lr_test", "robust_score_test", "loglik",
               "aliased")
    _matrices = ("var", "naive_var")

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term: coef, exp_coef (odds ratio), se, z, p, exp_lower,
        exp_upper, lower, upper (the core's coefficient table).

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

    def __repr__(self):
        s = self.summary()
        lr, w, sc = self.lr_test, self.wald_test, self.score_test
        lines = [f"Conditional logistic regression ({self.method} likelihood)",
                 s[["coef", "exp_coef", "se", "z", "p"]].to_string(float_format=lambda v: f"{v:.4g}"), "",
                 self._counts("cases", ""),
                 f"Likelihood ratio test = {lr[0]:.4g} on {lr[1]} df, p = {lr[2]:.3g}",
                 f"Wald test             = {w[0]:.4g} on {w[1]} df, p = {w[2]:.3g}",
                 f"Score test            = {sc[0]:.4g} on {sc[1]} df, p = {sc[2]:.3g}"]
        if self.robust_score_test is not None:
            r = self.robust_score_test
            lines.append(f"Robust score test     = {r[0]:.4g} on {r[1]} df, p = {r[2]:.3g}"
                         f"  ({self.n_cluster} clusters)")
        return "\n".join(lines + self._unconverged())


def conditional_logistic(case: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str],
                         strata: ArrayLike | list[str] | None = None, *, method: str = "exact",
                         weights: ArrayLike | None = None, offset: ArrayLike | None = None,
                         init: ArrayLike | None = None, max_iter: int = 20, eps: float = 1e-9,
                         exact_limit: float = 1e7, conf_level: float = 0.95, robust: bool = False,
                         cluster: ArrayLike | None = None, na_action: str = "fail",
                         data: DataFrameLike | None = None) -> ConditionalLogistic:
    """Conditional logistic regression for matched sets, as ``survival::clogit``.

    Parameters
    ----------
    case : array-like or str
        1 for cases, 0 for controls.
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph` (categorical columns dummy-coded).
    strata : array-like, str or list of str
        The matched set of each row (one column or a list of columns).
    method : {"exact", "approximate", "breslow", "efron"}, default "exact"
        "exact": the exact conditional likelihood (clogit's default); "approximate"
        (= "breslow") or "efron": the Cox approximations.
    weights : array-like or str, optional
        Case weights (the approximations only).
    offset : array-like or str, optional
        A term with coefficient fixed at 1.
    init : array-like, optional
        Starting values.
    max_iter : int, default 20
        Maximum Newton iterations.
    eps : float, default 1e-9
        Convergence tolerance.
    exact_limit : float, default 1e7
        The most cases x rows allowed in one matched set for the exact method (its
        work per set and iteration).
    conf_level : float, default 0.95
        Level of the Wald limits in ``summary()``.
    robust : bool, default False
        A sandwich variance with each row its own cluster (``clogit(..., robust =
        TRUE)``); the approximations only, as clogit.
    cluster : array-like or str, optional
        A grouping (e.g. the matched sets) for a sandwich variance summed within
        clusters (a ``cluster()`` term); the approximations only.
    na_action : {"fail", "drop"}, default "fail"
        As in :func:`kaplan_meier`.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    ConditionalLogistic
        ``coef`` (log odds ratios), ``se``, ``var``, ``loglik``, ``score_test``,
        ``wald_test``, ``lr_test``; ``summary()``: DataFrame indexed by term with
        coef, exp_coef, se, z, p, exp_lower, exp_upper, lower, upper.

    Examples
    --------
    >>> import warnings
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"] = 0.0
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")   # the note that there were tied failure times
    ...     ncc = hs.nested_case_control("entry", "time", "status", controls=2, match="sex", seed=1, data=df)
    >>> ncc["age"] = df["age"].to_numpy()[ncc["id"]]
    >>> cl = hs.conditional_logistic("fail", ["age"], "set", data=ncc)
    >>> cl.summary()[["exp_coef", "se"]].round(4)
          exp_coef      se
    term
    age     1.0459  0.0011
    """
    spec = {"case": (case, "num"), "weights": (weights, "num"), "offset": (offset, "num"),
            "strata": (strata, "group"), "cluster": (cluster, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    args.update(method=method, max_iter=max_iter, eps=eps, exact_limit=exact_limit, conf_level=conf_level,
                robust=robust,
                init=None if init is None else np.asarray(init, dtype=np.float64))
    res, fit = call("conditional_logistic", args)
    return ConditionalLogistic(res, fit, design, n_dropped)
