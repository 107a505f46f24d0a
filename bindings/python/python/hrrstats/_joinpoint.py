"""Joinpoint regression (NCI's Joinpoint program). The core computes (through
``_protocol.call``); this module resolves columns and by-variables and presents the
results as pandas DataFrames and a matplotlib plot."""
from __future__ import annotations


from ._convert import floats
from ._person_time import _by, _show_levels
from ._plots import by_groups, subplots
from ._progress import quiet as _quiet
from ._protocol import call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

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
        """Average annual percent change over [start, end] (Clegg et al. 2009): the segment
        slopes averaged with weights their lengths inside the interval; normal limits, or
        the APC's t limits when the interval lies in one segment.

        Parameters
        ----------
        start : float
            Start of the interval (x units).
        end : float
            End of the interval.

        Returns
        -------
        pandas.DataFrame
            by..., start, end, aapc, lower, upper, mean_slope, mean_slope_se (linear
            models: the average slope).
        """
        r = self._fit.call("aapc", {"start": float(start), "end": float(end)})
        return _show_levels(r, self._levels)

    def plot(self, ax=None):
        """The data and the fitted segments (one colour per group), joinpoints marked.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        ax = subplots(ax)
        for name, g in by_groups(self.fitted, self.by):
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


def joinpoint(x: ArrayLike, y: ArrayLike, *, se: ArrayLike | None = None, log_linear: bool = True,
              max_joinpoints: int = 3, selection: str = "bic", n_permutations: int = 4499, alpha: float = 0.05,
              min_obs_end: int | None = None, min_obs_between: int | None = None, seed: int | None = None,
              variance: str | None = None, conf_level: float = 0.95, by: ArrayLike | list[str] | None = None,
              data: DataFrameLike | None = None, quiet: bool = False) -> Joinpoint:
    """Joinpoint regression as NCI's Joinpoint program: continuous segmented log-linear
    (``log_linear=True``: annual percent changes) or linear regression of ``y`` on ``x``
    (calendar year).

    ln y = b0 + b1 x + sum_j d_j (x - tau_j)+ fitted by weighted least squares with the
    joinpoints tau_j on the observed x (grid search); APC = 100 (exp(slope) - 1) per
    segment with t limits (Kim et al. 2000).

    Parameters
    ----------
    x : array-like or str
        Calendar years (or any ordered x).
    y : array-like or str
        Rates (positive for ``log_linear``) or other outcomes.
    se : array-like or str, optional
        Standard errors of ``y`` (for ``variance="se"``).
    log_linear : bool, default True
        Log-linear (APCs) or linear segments.
    max_joinpoints : int, default 3
        Most joinpoints (0 to this many are considered).
    selection : {"bic", "bic3", "permutation"}, default "bic"
        "bic" (ln(SSE/n) + 2(k+1) ln(n)/n), "bic3", or Kim et al.'s sequential
        permutation tests (overall level ``alpha``, each test at alpha/(max - k0)).
    n_permutations : int, default 4499
        Permutations per test (``selection="permutation"``; progress is shown for long
        runs, see :func:`set_progress`).
    alpha : float, default 0.05
        Overall level of the permutation tests.
    min_obs_end : int, optional
        Observations before the first and after the last joinpoint (default 2).
    min_obs_between : int, optional
        Observations between two joinpoints (default 2).
    seed : int, optional
        Seed of the permutations (the same draws in R).
    variance : {"se", "constant", "poisson"}, optional
        Weights: "se" (the default when ``se`` is given: 1/se^2 of ln y by the delta
        method, se/y), "constant" (the default otherwise), "poisson" (Var y prop. to y).
    conf_level : float, default 0.95
        Level of the APC limits.
    by : str, list of str or array-like, optional
        Fit many series at once (in parallel), one per level.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.
    quiet : bool, default False
        No progress bar for this call (see :func:`hrrstats.set_progress`; the
        permutation tests of long series report their progress).

    Returns
    -------
    Joinpoint
        ``joinpoints``; ``segments`` (by..., segment, start, end, apc, lower, upper,
        slope, slope_se, t, p); ``fitted``; ``tests`` (permutation tests);
        ``aapc(start, end)``; ``plot()``.

    References
    ----------
    Kim HJ, Fay MP, Feuer EJ, Midthune DN (2000). Permutation tests for joinpoint
    regression with applications to cancer rates. Stat Med 19:335-51. Clegg LX et al.
    (2009). Estimating average annual per cent change in trend analysis. Stat Med
    28:3670-82.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> x = np.arange(2000, 2020)
    >>> y = np.where(x < 2010, 100 * 1.03 ** (x - 2000), 100 * 1.03 ** 10 * 0.98 ** (x - 2010))
    >>> jp = hs.joinpoint(x, y * (1 + 0.01 * np.sin(x)), max_joinpoints=2)
    >>> jp.joinpoints
    array([2010.])
    >>> jp.segments[["start", "end", "apc", "lower", "upper"]].round(2)
        start     end   apc  lower  upper
    0  2000.0  2010.0  2.97   2.83   3.11
    1  2010.0  2019.0 -1.94  -2.09  -1.79
    """
    args = {"x": floats(x, "x", data), "y": floats(y, "y", data),
            "se": None if se is None else floats(se, "se", data),
            "log_linear": bool(log_linear), "max_joinpoints": max_joinpoints, "selection": selection,
            "n_permutations": n_permutations, "alpha": alpha, "min_obs_end": min_obs_end,
            "min_obs_between": min_obs_between, "seed": seed, "variance": variance, "conf_level": conf_level}
    args["by"], levels = _by(by, data)
    with _quiet(quiet):
        res, fit = call("joinpoint", args)
    return Joinpoint(res, fit, levels)
