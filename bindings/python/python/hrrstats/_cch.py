"""Case-cohort Cox regression (``survival::cch``): arguments and the result.

The model is fitted by the Rust core (``case_cohort`` through the protocol: cch's
Prentice, Self-Prentice, Lin-Ying and Borgan estimators with their subcohort-sampling
variances, on the Cox core); this module resolves columns, builds the design matrix and
presents the core's numbers.
"""
from __future__ import annotations

import numpy as np

from ._design import resolve_design
from ._protocol import Fitted, call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


def _cohort_size(cohort_size):
    """(values, names or None) of ``cohort_size``: a number, a sequence (one per stratum
    level, in sorted level order), a dict {level: size} or a pandas Series (e.g.
    ``value_counts()`` of the full cohort's strata)."""
    if hasattr(cohort_size, "index") and hasattr(cohort_size, "to_numpy"):
        return (np.asarray(cohort_size.to_numpy(), dtype=np.float64),
                [str(k) for k in cohort_size.index])
    if isinstance(cohort_size, dict):
        return (np.asarray(list(cohort_size.values()), dtype=np.float64),
                [str(k) for k in cohort_size])
    return np.atleast_1d(np.asarray(cohort_size, dtype=np.float64)), None


class CaseCohort(Fitted):
    """A fitted case-cohort model (``survival::cch``).

    Attributes: ``coef`` (log hazard ratios), ``se`` and ``var`` (cch's ``var``: with the
    subcohort-sampling term; robust for ``method="LinYing", robust=True``), ``naive_var``
    and ``naive_se`` (cch's ``naive.var``: model-based plus the sampling term),
    ``phase2_var`` (the sampling term), ``loglik`` (initial, final pseudo-log-likelihood;
    None for Prentice), ``method``, ``names``, ``n`` (records), ``n_event`` (cases),
    ``subcohort_size``, ``cohort_size``, ``stratum_levels``, ``iterations``,
    ``converged``.
    """

    _fields = ("coef", "se", "naive_se", "iterations", "converged", "n", "n_event", "method", "robust",
               "stratified", "conf_level", "loglik", "stratum_levels")
    _matrices = ("var", "naive_var", "phase2_var")

    def __init__(self, res, fit, design, n_dropped):
        super().__init__(res, fit, design, n_dropped)
        self.subcohort_size = np.asarray(res["subcohort_size"], dtype=np.float64).astype(np.int64)
        self.cohort_size = np.asarray(res["cohort_size"], dtype=np.float64)

    def summary(self, conf_level=None):
        """The coefficient table, computed in the core (``inference::CoefTable``).

        DataFrame indexed by term: coef, exp_coef (hazard ratio), se, z, p, lower,
        upper, exp_lower, exp_upper (the core's coefficient table).

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
        if self.stratified:
            head = (f"Exposure-stratified case-cohort analysis, {self.method} method\n"
                    + "\n".join(f"  stratum {lv}: {sc} records of a cohort of {co:g}"
                                for lv, sc, co in zip(self.stratum_levels, self.subcohort_size,
                                                      self.cohort_size)))
        else:
            head = (f"Case-cohort analysis, {self.method} method, with subcohort of "
                    f"{self.subcohort_size[0]} from cohort of {self.cohort_size[0]:g}")
        lines = [head, s[["coef", "exp_coef", "se", "z", "p"]].to_string(float_format=lambda v: f"{v:.4g}"), "",
                 self._counts("cases", "")]
        return "\n".join(lines + self._unconverged())


def case_cohort(time: ArrayLike, event: ArrayLike, covariates: ArrayLike | DataFrameLike | list[str],
                subcohort: ArrayLike, *, cohort_size, method: str = "Prentice",
                stratum: ArrayLike | None = None, id: ArrayLike | None = None,
                entry: ArrayLike | None = None, robust: bool = False, conf_level: float = 0.95,
                na_action: str = "fail", data: DataFrameLike | None = None) -> CaseCohort:
    """Case-cohort Cox regression, as ``survival::cch``.

    The subcohort is a random sample of the full cohort; cases outside it enter at their
    event time. Prentice's pseudo-likelihood (cases outside the subcohort are at risk
    only at their own event time), Self and Prentice's (not even then) or Lin and Ying's
    (subcohort members weighted by cohort_size / subcohort size); Borgan's stratified
    estimators I and II with ``stratum``. The variance is cch's: the model variance plus
    the subcohort sampling term (Therneau and Li 1999), or Lin-Ying's robust variance.

    Parameters
    ----------
    time : array-like or str
        Follow-up time.
    event : array-like or str
        1 for cases, 0 censored (every censored record must be in the subcohort).
    covariates : 2-D array, DataFrame or list of str
        As in :func:`cox_ph` (categorical columns dummy-coded).
    subcohort : array-like or str
        1 (True) for members of the random subcohort.
    cohort_size : int, sequence, dict or pandas.Series
        Size of the full cohort, or for the stratified methods one size per stratum (a
        sequence in sorted level order, or keyed by level).
    method : {"Prentice", "SelfPrentice", "LinYing", "I.Borgan", "II.Borgan"}, default "Prentice"
        The estimator (cch's names; the Borgan methods need ``stratum``).
    stratum : array-like or str, optional
        Sampling strata of the subcohort (Borgan's methods).
    id : array-like or str, optional
        Person ids (one record per id, checked).
    entry : array-like or str, optional
        Delayed entry times.
    robust : bool, default False
        Lin-Ying's robust variance.
    conf_level : float, default 0.95
        Level of the Wald limits in ``summary()``.
    na_action : {"fail", "drop"}, default "fail"
        Missing values: an error naming the argument and row, or the rows dropped.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    CaseCohort
        coef, se, var, names, method, ``summary()`` (term, coef, exp_coef, se, z, p,
        lower, upper, exp_lower, exp_upper).

    References
    ----------
    Prentice RL (1986). A case-cohort design for epidemiologic cohort studies and disease
    prevention trials. Biometrika 73:1-11. Therneau TM, Li H (1999). Computing the Cox
    model for case-cohort designs. Lifetime Data Anal 5:99-112. Borgan O et al. (2000).
    Lifetime Data Anal 6:39-58.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["sub"] = (np.arange(len(df)) % 10 == 0).astype(int)      # a 10% subcohort
    >>> cc = df[(df["sub"] == 1) | (df["status"] == 1)]
    >>> fit = hs.case_cohort("time", "status", ["age", "sex"], "sub", cohort_size=len(df),
    ...                      data=cc)
    >>> fit.summary()[["coef", "exp_coef", "se"]].round(4)
            coef  exp_coef      se
    term
    age   0.0469    1.0481  0.0027
    sex  -0.2236    0.7996  0.0556
    """
    spec = {"time": (time, "num"), "event": (event, "num"), "subcohort": (subcohort, "num"),
            "entry": (entry, "num"), "stratum": (stratum, "group"), "id": (id, "group")}
    args, _, n_dropped, design = resolve_design(spec, covariates, data, na_action)
    sizes, names = _cohort_size(cohort_size)
    args.update(cohort_size=sizes, method=method, robust=robust, conf_level=conf_level)
    if names is not None:
        args["cohort_size_names"] = names
    res, fit = call("case_cohort", args)
    return CaseCohort(res, fit, design, n_dropped)
