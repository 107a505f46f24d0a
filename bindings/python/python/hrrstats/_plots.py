"""Plots shared by every regression fit: the forest plot of a coefficient table.

The numbers drawn are the fit's own ``summary(conf_level)`` (computed by the core); this
module only draws them.
"""
from __future__ import annotations

import numpy as np

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from matplotlib.axes import Axes


def forest_plot(fit, ax: Axes | None = None, *, exp: bool | None = None, conf_level: float = 0.95,
                terms=None, intercept: bool = False, color: str | None = None,
                xlabel: str | None = None) -> Axes:
    """Forest plot of a regression fit's coefficients with their Wald limits.

    The numbers drawn are the fit's own ``summary(conf_level)`` (computed by the core).

    Parameters
    ----------
    fit : object with ``summary(conf_level)``
        A regression fit (``cox_ph``, ``glm`` and its families, ``fine_gray``,
        ``parametric_survival``, ``flexible_parametric``, ``conditional_logistic``, ...).
    ax : matplotlib Axes, optional
        Where to draw (a new figure if None).
    exp : bool, optional
        Draw ratios (exp_coef and its limits, log axis, reference line at 1). Default:
        when the fit's table has ratios (hazard, rate, odds ratios).
    conf_level : float, default 0.95
        Level of the limits.
    terms : list of str, optional
        The terms to show, in this order (default: all but the intercept).
    intercept : bool, default False
        Show the intercept (when ``terms`` is None).
    color : str, optional
        Colour of the estimates and limits (default black).
    xlabel : str, optional
        Label of the x axis (default "ratio (0.95 CI)" or "coefficient (0.95 CI)").

    Returns
    -------
    matplotlib.axes.Axes
        The Axes drawn on.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> fit = hs.cox_ph("time", "status", ["age", "sex", "stage"], data=df)
    >>> ax = hs.forest_plot(fit)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['age', 'sex', 'stage']
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("forest_plot() needs matplotlib: pip install matplotlib") from e
    if not hasattr(fit, "summary"):
        raise TypeError(f"argument `fit`: a regression fit is needed, not {type(fit).__name__}")
    tab = fit.summary(conf_level=conf_level)
    if "term" in tab.columns:
        tab = tab.set_index("term")
    if terms is not None:
        terms = [str(t) for t in ([terms] if isinstance(terms, str) else terms)]
        unknown = [t for t in terms if t not in tab.index]
        if unknown:
            raise ValueError(f"argument `terms`: {', '.join(unknown)} not among the fit's "
                             f"terms ({', '.join(map(str, tab.index))})")
        tab = tab.loc[terms]
    elif not intercept:
        tab = tab[tab.index != "(Intercept)"]
    has_ratio = {"exp_coef", "exp_lower", "exp_upper"} <= set(tab.columns)
    if exp is None:
        exp = has_ratio
    if exp and not has_ratio:
        raise ValueError("argument `exp`: this fit's coefficients are not on a log scale "
                         "(no ratios in its summary)")
    est, lo, hi = (tab[c].to_numpy(dtype=float) for c in
                   (("exp_coef", "exp_lower", "exp_upper") if exp else ("coef", "lower", "upper")))
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 1 + 0.35 * max(len(tab), 1)))
    y = np.arange(len(tab))[::-1]
    ax.axvline(1.0 if exp else 0.0, color="grey", linestyle="--", linewidth=1)
    ax.hlines(y, lo, hi, color=color or "black", linewidth=1.5)
    ax.plot(est, y, linestyle="none", marker="s", color=color or "black")
    ax.set_yticks(y)
    ax.set_yticklabels([str(t) for t in tab.index])
    ax.set_ylim(-0.7, len(tab) - 0.3)
    if exp:
        from matplotlib.ticker import FuncFormatter
        ax.set_xscale("log")
        plain = FuncFormatter(lambda v, _: f"{v:g}")
        ax.xaxis.set_major_formatter(plain)
        ax.xaxis.set_minor_formatter(plain)
    ax.set_xlabel(xlabel or (f"ratio ({conf_level:g} CI)" if exp else
                             f"coefficient ({conf_level:g} CI)"))
    return ax


def subplots(ax, **kwargs):
    """``ax``, or the Axes of a new figure (``plt.subplots(**kwargs)``)."""
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError("plot() needs matplotlib: pip install matplotlib") from e
    return plt.subplots(**kwargs)[1]


def by_groups(df, by):
    """(label, rows) of each group of the ``by`` columns in order of appearance (the
    labels joined by ", "); without ``by``, one group (None, df)."""
    if not by:
        return [(None, df)]
    return [(", ".join(map(str, key if isinstance(key, tuple) else (key,))), g)
            for key, g in df.groupby(by, sort=False)]


# ---- shared by the survival-curve plots (Kaplan–Meier, net survival, cumulative incidence)

def check_xscale(xscale):
    """``xscale`` as a positive float (the error names the argument)."""
    try:
        x = float(xscale)
    except (TypeError, ValueError):
        raise TypeError(f"argument `xscale` must be a number, not {type(xscale).__name__}") from None
    if not x > 0 or not np.isfinite(x):
        raise ValueError(f"argument `xscale` must be positive, got {xscale}")
    return x


def risk_times_of(ax, risk_times):
    """The times (plotted units) of a number-at-risk table: ``risk_times`` checked, or the
    axis' tick positions inside its limits."""
    lo, hi = ax.get_xlim()
    if risk_times is None:
        risk_times = [x for x in ax.get_xticks() if lo <= x <= hi]
    try:
        t = np.atleast_1d(np.asarray(risk_times, dtype=np.float64))
    except (TypeError, ValueError):
        raise TypeError("argument `risk_times` must be numbers") from None
    if t.ndim != 1 or not np.all(np.isfinite(t)):
        raise ValueError("argument `risk_times` must be finite numbers")
    ax.set_xlim(lo, hi)
    return t


def at_risk(times, n_risk, at):
    """Number at risk at each of ``at`` from a curve's rows (``times`` increasing, the
    number at risk just before each): that of the first row at or after the time (as
    ``summary.survfit(times=)``'s n.risk), 0 after the last row; ``n_start`` (the first
    row's) before the first."""
    times, n_risk = np.asarray(times, dtype=float), np.asarray(n_risk, dtype=float)
    if len(times) == 0:
        return np.zeros(len(at))
    j = np.searchsorted(times, np.asarray(at, dtype=float), side="left")
    out = np.zeros(len(at))
    inside = j < len(times)
    out[inside] = n_risk[j[inside]]
    return out


def add_risk_table(ax, risk_times, xscale, curves):
    """The numbers at risk of ``curves`` ((label, times, n_risk, colour) each) below
    ``ax`` (``xscale``: the axis' unit in the curves' times)."""
    risk_times = risk_times_of(ax, risk_times)
    counts = [at_risk(t, n, risk_times * xscale) for _, t, n, _ in curves]
    draw_risk_table(ax, risk_times, counts, [c[0] for c in curves], [c[3] for c in curves])


def draw_risk_table(ax, risk_times, counts, labels, colours):
    """The number at risk under the time axis (survminer's risk table): one line per
    curve (``counts[k]`` at ``risk_times``, in ``colours[k]``, named ``labels[k]``),
    the figure's bottom margin enlarged to make room."""
    ax.annotate("Number at risk", xy=(0, 0), xycoords="axes fraction",
                xytext=(0, -42), textcoords="offset points", ha="left", va="top",
                fontsize="small", annotation_clip=False)
    for k, (row, name, colour) in enumerate(zip(counts, labels, colours)):
        y = -54 - 12 * k
        ax.annotate(name, xy=(0, 0), xycoords="axes fraction", xytext=(-8, y),
                    textcoords="offset points", ha="right", va="top", fontsize="small",
                    color=colour, annotation_clip=False)
        for x, c in zip(risk_times, row):
            ax.annotate(f"{c:.0f}" if c == round(c) else f"{c:.1f}", xy=(x, 0),
                        xycoords=("data", "axes fraction"), xytext=(0, y),
                        textcoords="offset points", ha="center", va="top",
                        fontsize="small", color=colour, annotation_clip=False,
                        gid="risk_table")
    fig = ax.get_figure()
    if fig is not None:
        fig.subplots_adjust(bottom=min(0.6, 0.2 + 0.04 * (len(labels) + 1)),
                            left=max(fig.subplotpars.left, 0.18))
