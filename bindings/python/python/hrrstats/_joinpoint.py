"""Joinpoint regression (NCI's Joinpoint program). The core computes (through
``_protocol.call``); this module resolves columns and by-variables and presents the
results as pandas DataFrames and a matplotlib plot."""
from __future__ import annotations

import numpy as np

from ._convert import floats
from ._person_time import _by, _show_levels
from ._protocol import call

__all__ = ["joinpoint", "Joinpoint"]


class Joinpoint:
    """A joinpoint (segmented log-linear or linear) regression, one per ``by`` group.

    Attributes: ``joinpoints`` (the selected joinpoints: an array, or a DataFrame with
    ``by``), ``segments`` (DataFrame: by..., segment, start, end, apc, lower, upper,
    slope, slope_se, t, p), ``fitted`` (DataFrame: by..., row, x, y, fitted, weight),
    ``tests`` (the permutation tests: null, alt, statistic, p_value, level, reject),
    ``selection``, ``log_linear``. ``table()``: the model-selection table (every number
    of joinpoints: its best locations, SSE, MSE, df, BIC, BIC3, selected);
    ``aapc(start, end)``: average annual percent change with limits; ``plot()``.
    """

    def __init__(self, res, fit, levels):
        self._res, self._fit, self._levels = res, fit, levels
        self.by = list(levels)
        self.log_linear = bool(res["log_linear"])
        self.selection = res["selection"]
        self.conf_level = res["conf_level"]
        jp = _show_levels(res["joinpoints"].copy(), levels)
        self.joinpoints = jp if self.by else jp["joinpoint"].to_numpy()
        self.segments = _show_levels(res["segments"].copy(), levels)
        self.fitted = _show_levels(res["fitted"].copy(), levels)
        self.tests = _show_levels(res["tests"].copy(), levels)

    def table(self):
        """DataFrame: by..., joinpoints (k), locations, sse, mse, df, bic, bic3, selected."""
        return _show_levels(self._res["models"].copy(), self._levels)

    def summary(self):
        """The segments of the selected model (as ``segments``)."""
        return self.segments.copy()

    def aapc(self, start, end):
        """Average annual percent change over [start, end] (Clegg et al. 2009): the
        segment slopes averaged with weights their lengths inside the interval; normal
        limits, or the APC's t limits when the interval lies in one segment. DataFrame:
        by..., start, end, aapc, lower, upper, mean_slope, mean_slope_se (linear models:
        the average slope)."""
        r = self._fit.call("aapc", {"start": float(start), "end": float(end)})
        return _show_levels(r, self._levels)

    def plot(self, ax=None):
        """The data and the fitted segments (one colour per group), joinpoints marked.
        Returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        f = self.fitted
        groups = [(None, f)] if not self.by else list(f.groupby(self.by, sort=False))
        for key, g in groups:
            name = None if key is None else ", ".join(map(str, key if isinstance(key, tuple) else (key,)))
            pts = ax.scatter(g["x"], g["y"], s=12, label=name)
            ax.plot(g["x"], g["fitted"], color=pts.get_facecolor()[0])
        if self.log_linear:
            ax.set_yscale("log")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        if self.by:
            ax.legend(title=", ".join(self.by), fontsize=8)
        return ax

    def __repr__(self):
        s = self.segments
        kind = "log-linear" if self.log_linear else "linear"
        unit = "APC" if self.log_linear else "slope"
        lvl = int(round(self.conf_level * 100))
        lines = [f"Joinpoint regression ({kind}, selection by {self.selection})"]
        groups = [(None, s)] if not self.by else list(s.groupby(self.by, sort=False))
        for key, g in groups:
            if key is not None:
                lines.append(", ".join(f"{b}={v}" for b, v in zip(self.by, key if isinstance(key, tuple) else (key,))))
            for _, r in g.iterrows():
                lines.append(f"  {r['start']:g}-{r['end']:g}: {unit} {r['apc']:.3g} "
                             f"({lvl}% CI {r['lower']:.3g} to {r['upper']:.3g})")
        return "\n".join(lines)


def joinpoint(x, y, *, se=None, log_linear=True, max_joinpoints=3, selection="bic", n_permutations=4499,
              alpha=0.05, min_obs_end=None, min_obs_between=None, seed=None, variance=None, conf_level=0.95,
              by=None, data=None):
    """Joinpoint regression as NCI's Joinpoint program: continuous segmented log-linear
    (``log_linear=True``: APCs) or linear regression of ``y`` on ``x`` (calendar year),
    joinpoints on the observed x (grid search), at least ``min_obs_end`` (default 2)
    observations before the first and after the last joinpoint and ``min_obs_between``
    (default 2) between two; 0 to ``max_joinpoints`` joinpoints.

    Weights (``variance``): "se" (the default when ``se``, the standard errors of y, is
    given: 1/se² of ln y by the delta method, se/y), "constant" (the default otherwise),
    "poisson" (Var y ∝ y). ``selection``: "bic" (ln(SSE/n) + 2(k+1) ln(n)/n), "bic3" or
    "permutation" (Kim et al. 2000's sequential permutation tests with
    ``n_permutations`` permutations, overall level ``alpha``, each test at
    alpha/(max - k0); ``seed`` makes the draws reproducible, the same in R).
    ``by``: fit many series at once (in parallel). Returns a :class:`Joinpoint`.
    """
    args = {"x": floats(x, "x", data), "y": floats(y, "y", data),
            "se": None if se is None else floats(se, "se", data),
            "log_linear": bool(log_linear), "max_joinpoints": max_joinpoints, "selection": selection,
            "n_permutations": n_permutations, "alpha": alpha, "min_obs_end": min_obs_end,
            "min_obs_between": min_obs_between, "seed": seed, "variance": variance, "conf_level": conf_level}
    args["by"], levels = _by(by, data, len(args["x"]))
    res, fit = call("joinpoint", args)
    return Joinpoint(res, fit, levels)
