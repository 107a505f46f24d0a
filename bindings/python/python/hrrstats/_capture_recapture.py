"""Capture-recapture: registry completeness from 2 to 4 sources (issue 17).

The log-linear models, their selection, the estimates of the total and the Wald and
profile-likelihood limits (and Chapman's estimator for two sources) are computed by the
Rust core (``capture_recapture`` through the protocol; definitions in
``crates/hrrstats-core/src/registry/capture_recapture.rs``); this module resolves the
source columns and presents the result.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _format as fmt
from ._convert import floats
from ._design import _is_frame
from ._protocol import Result, call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike


def _sources(sources, data):
    """{name: float array} from a list of column names (with ``data``), a DataFrame, a
    dict of columns or a 2-D array (names s1, s2, ...)."""
    if isinstance(sources, str):
        sources = [sources]
    if isinstance(sources, (list, tuple)) and sources and all(isinstance(c, str) for c in sources):
        if data is None:
            raise TypeError("argument `sources`: column names need data=")
        return {c: floats(c, "sources", data) for c in sources}
    if isinstance(sources, dict):
        return {str(k): floats(v, "sources") for k, v in sources.items()}
    if _is_frame(sources):
        return {str(c): floats(sources[c], "sources") for c in sources.columns}
    arr = np.asarray(sources)
    if arr.ndim != 2:
        raise ValueError(f"argument `sources` must be column names, a DataFrame or a 2-D array, got shape {arr.shape}")
    return {f"s{j + 1}": floats(arr[:, j], "sources") for j in range(arr.shape[1])}


class CaptureRecapture(Result):
    """Result of :func:`capture_recapture`.

    Attributes: ``models`` (DataFrame: model, df, deviance, aic, bic, n_unobserved,
    n_hat, std_err, lower, upper (profile likelihood), wald_lower, wald_upper; one row
    per fitted model), ``selected`` (the model used), ``criterion``, ``n_observed``,
    ``n_hat``, ``n_unobserved``, ``std_err``, ``lower``, ``upper`` (profile-likelihood
    limits of the total), ``lower_unobserved``, ``upper_unobserved``, ``wald_lower``,
    ``wald_upper``, ``chapman`` (dict: n_hat, std_err, lower, upper; two sources only,
    else None), ``patterns`` (DataFrame: one 0/1 column per source and ``count``),
    ``conf_level``, ``warnings``.
    """

    _fields = ("models", "selected", "criterion", "patterns")

    def __init__(self, res):
        super().__init__(res)
        self.conf_level = float(res["conf_level"])
        self.sources = list(np.atleast_1d(res["sources"]))
        for k in ("n_observed", "n_hat", "n_unobserved", "std_err", "lower", "upper", "wald_lower",
                  "wald_upper", "lower_unobserved", "upper_unobserved"):
            setattr(self, k, float(res[k]))
        ch = res.get("chapman")
        self.chapman = None if ch is None else {k: float(ch[k]) for k in ("n_hat", "std_err", "lower", "upper")}
        w = res.get("warnings")
        self.warnings = [] if w is None else list(np.atleast_1d(w))

    def table(self):
        """The fitted models (a copy of ``models``)."""
        return self.models.copy()

    def summary(self):
        """DataFrame: the estimated total and the unobserved count of the selected model
        (estimate, std_err, profile-likelihood lower/upper, Wald lower/upper), and
        Chapman's estimate for two sources."""
        n = self.n_observed
        rows = [
            dict(estimate="total", model=self.selected, value=self.n_hat, std_err=self.std_err,
                 lower=self.lower, upper=self.upper, wald_lower=self.wald_lower, wald_upper=self.wald_upper),
            dict(estimate="unobserved", model=self.selected, value=self.n_unobserved, std_err=self.std_err,
                 lower=self.lower - n, upper=self.upper - n, wald_lower=self.wald_lower - n,
                 wald_upper=self.wald_upper - n),
        ]
        if self.chapman is not None:
            c = self.chapman
            rows.append(dict(estimate="total", model="chapman", value=c["n_hat"], std_err=c["std_err"],
                             lower=np.nan, upper=np.nan, wald_lower=c["lower"], wald_upper=c["upper"]))
        return pd.DataFrame(rows)

    def __repr__(self):
        pct = f"{100 * self.conf_level:g}%"
        lines = [f"Capture-recapture: {len(self.sources)} sources ({', '.join(self.sources)}), "
                 f"{fmt.number(self.n_observed)} observed",
                 f"model: {self.selected}" + ("" if self._res.get("model_given") else f" (smallest {self.criterion.upper()})"),
                 f"estimated total {self.n_hat:.1f} ({pct} profile-likelihood limits {self.lower:.1f} to "
                 f"{self.upper:.1f}; Wald {self.wald_lower:.1f} to {self.wald_upper:.1f}), "
                 f"unobserved {self.n_unobserved:.1f}"]
        if self.chapman is not None:
            c = self.chapman
            lines.append(f"Chapman: {c['n_hat']:.1f} ({pct} limits {c['lower']:.1f} to {c['upper']:.1f})")
        lines.append("")
        lines.append(fmt.table(self.models, ["model", "df", "deviance", "aic", "bic", "n_hat", "lower", "upper"],
                               index=False))
        return "\n".join(lines)


def capture_recapture(counts: ArrayLike, sources, *, model: str | None = None, criterion: str = "aic",
                      conf_level: float = 0.95, data: DataFrameLike | None = None) -> CaptureRecapture:
    """Registry completeness by capture-recapture: log-linear models on the incomplete 2^k
    table of 2 to 4 sources (as Rcapture's ``closedpCI.t``).

    The counts of the observed capture patterns are fitted by Poisson log-linear models
    (main effects of the sources plus the chosen pairwise interactions); the total is
    ``n + exp(intercept)``, with Wald (delta method) limits and the profile-likelihood
    limits of Cormack (1989) over the unobserved cell.

    Parameters
    ----------
    counts : array-like or str, optional
        People per row (aggregated data: one row per capture pattern), or None for one
        row per person.
    sources : list of str, DataFrame, dict or 2-D array
        The 0/1 indicator of each source (found by it or not); every row must be found
        by at least one source.
    model : str, optional
        None (select among every hierarchical model with pairwise interactions by
        ``criterion``), "independence", or pairwise terms such as "A:B + A:C" in the
        source names. With two sources only independence is identifiable
        (Lincoln-Petersen; Chapman's estimator is reported too).
    criterion : {"aic", "bic"}, default "aic"
        The selection criterion.
    conf_level : float, default 0.95
        Level of the limits.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    CaptureRecapture
        n_hat, n_observed, n_unobserved, std_err, lower, upper (profile likelihood),
        wald_lower, wald_upper, selected, models (every fitted model: df, deviance, aic,
        bic, n_hat, limits), ``summary()`` (estimate, model, value, std_err, lower,
        upper, wald_lower, wald_upper).

    References
    ----------
    Cormack RM (1989). Log-linear models for capture-recapture. Biometrics 45:395-413.
    International Working Group for Disease Monitoring and Forecasting (1995).
    Capture-recapture and multiple-record systems estimation. Am J Epidemiol 142:1047-58.

    Examples
    --------
    >>> import hrrstats as hs
    >>> crc = hs.capture_recapture([40, 30, 20], {"A": [1, 1, 0], "B": [1, 0, 1]})
    >>> crc.summary()[["estimate", "model", "value", "lower", "upper"]].round(2)
         estimate         model   value  lower  upper
    0       total  independence  105.00  94.66  119.5
    1  unobserved  independence   15.00   4.66   29.5
    2       total       chapman  104.63    NaN    NaN
    """
    args = {"sources": _sources(sources, data), "criterion": criterion, "conf_level": float(conf_level)}
    if counts is not None:
        args["counts"] = floats(counts, "counts", data)
    if model is not None:
        args["model"] = model
    res, _ = call("capture_recapture", args)
    return CaptureRecapture(res)
