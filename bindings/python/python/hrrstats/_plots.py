"""Plots shared by every regression fit: the forest plot of a coefficient table.

The numbers drawn are the fit's own ``summary(conf_level)`` (computed by the core); this
module only draws them.
"""
from __future__ import annotations

import numpy as np


def forest_plot(fit, ax=None, *, exp=None, conf_level=0.95, terms=None, intercept=False,
                color=None, xlabel=None):
    """Forest plot of a regression fit's coefficients with their Wald limits.

    Parameters
    ----------
    fit : a regression fit with ``summary(conf_level)`` (``cox_ph``, ``glm`` and its
        families, ``fine_gray``, ``parametric_survival``, ``flexible_parametric``,
        ``conditional_logistic``, ...).
    ax : matplotlib Axes, optional
        Where to draw (a new figure if None).
    exp : bool, optional
        Draw ratios (exp_coef and its limits, log axis, reference line at 1). Default:
        when the fit's table has ratios (hazard, rate, odds ratios).
    conf_level : float, default 0.95
    terms : list of str, optional
        The terms to show, in this order (default: all but the intercept).
    intercept : bool, default False
        Show the intercept (when ``terms`` is None).

    Returns
    -------
    The matplotlib Axes.
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
