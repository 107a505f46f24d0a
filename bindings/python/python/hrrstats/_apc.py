"""Age–period–cohort models (``apc_fit``, as ``Epi::apc.fit``). The core fits (through
``_protocol.call``); this module resolves the columns and the knots argument and
presents the effects as pandas DataFrames and a matplotlib plot."""
from __future__ import annotations

import numpy as np

from ._convert import floats
from ._plots import subplots
from ._protocol import Result, call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

__all__ = ["apc_fit", "ApcFit"]

_EFFECTS = ("age", "period", "cohort")
_KEYS = {"a": "age", "age": "age", "p": "period", "period": "period", "per": "period",
         "c": "cohort", "cohort": "cohort", "coh": "cohort"}


def _npar(df):
    """``df`` (apc.fit's ``npar``) as the core's ``npar`` and ``knots_<effect>`` arguments:
    None (5 knots each), one number, three numbers (age, period, cohort), a dict by effect
    ("age"/"A", "period"/"P", "cohort"/"C") of numbers of knots or of the knots
    themselves, or a list of three knot vectors."""
    out = {}
    if df is None:
        return out
    if isinstance(df, dict):
        items = {}
        for k, v in df.items():
            key = _KEYS.get(str(k).lower())
            if key is None:
                raise ValueError(f"argument `df`: unknown effect {k!r}; use \"age\", \"period\", \"cohort\"")
            items[key] = v
        counts = []
        for e in _EFFECTS:
            v = items.get(e, 5)
            if np.ndim(v) == 0:
                counts.append(float(v))
            else:
                counts.append(5.0)
                out[f"knots_{e}"] = floats(v, f"df[{e!r}]")
        out["npar"] = np.asarray(counts, dtype=np.float64)
        return out
    if isinstance(df, (list, tuple)) and len(df) == 3 and all(np.ndim(v) == 1 for v in df):
        for e, v in zip(_EFFECTS, df):
            out[f"knots_{e}"] = floats(v, "df")
        return out
    out["npar"] = float(df) if np.ndim(df) == 0 else floats(df, "df")
    return out


class ApcFit(Result):
    """An age–period–cohort model (``Epi::apc.fit``).

    ``age``: the age effect (rates for the reference cohort or period, or from the first
    model of a sequential parametrisation, times ``scale``); ``period`` and ``cohort``:
    rate ratios. Each a DataFrame with value, estimate, lower, upper (one row per distinct
    value). ``drift``: DataFrame term, estimate, lower, upper (the rate ratio per unit of
    period: in the age–period–cohort model and in the age-drift model). ``anova()``: the
    analysis of deviance of the nested models. ``ref_p``, ``ref_c``: the reference period
    and cohort used; ``knots``: the knots of spline models.
    """

    _fields = ("age", "period", "cohort", "drift", "ref_p", "ref_c", "model", "parm", "dr_extr", "alpha")

    def __init__(self, res):
        super().__init__(res)
        self.knots = res.get("knots")
        self.warnings = list(res.get("warnings") or [])

    def anova(self):
        """DataFrame (apc.fit's ``Anova``): model (Age, Age-drift, Age-Cohort,
        Age-Period-Cohort, Age-Period, Age-drift), aic, mod_df, mod_dev (residual df and
        deviance), test_df, test_dev, p (each row against the one above), dev_df
        (test_dev / test_df), h0 (the hypothesis tested)."""
        return self._res["anova"].copy()

    def summary(self):
        """The drift (DataFrame term, estimate, lower, upper)."""
        return self.drift.copy()

    def table(self):
        """All effects in one DataFrame: effect, value, estimate, lower, upper."""
        import pandas as pd

        parts = []
        for e in _EFFECTS:
            t = getattr(self, e).copy()
            t.insert(0, "effect", e)
            parts.append(t)
        return pd.concat(parts, ignore_index=True)

    def plot(self, ax=None):
        """The three effects with their confidence limits on a log scale: the age effect
        (rates) and the period and cohort rate ratios, one panel each (as ``Epi::apc.plot``).

        Parameters
        ----------
        ax : matplotlib Axes or sequence of three Axes, optional
            Where to draw: None, a new figure with three panels; one Axes, all three
            effects on it; three Axes, used in turn.

        Returns
        -------
        matplotlib.axes.Axes or list of Axes
            The Axes drawn on.
        """
        if ax is None:
            axes = subplots(None, ncols=3, figsize=(12, 4))
        elif np.ndim(ax) == 0:
            axes = [ax, ax, ax]
        else:
            axes = list(np.ravel(ax))
            if len(axes) != 3:
                raise ValueError("argument `ax`: give one Axes or three (age, period, cohort)")
        labels = {"age": "rate", "period": "rate ratio", "cohort": "rate ratio"}
        for a, e in zip(axes, _EFFECTS):
            t = getattr(self, e)
            line = a.plot(t["value"], t["estimate"], label=e)[0]
            a.fill_between(t["value"], t["lower"], t["upper"], color=line.get_color(), alpha=0.2, linewidth=0)
            a.set_yscale("log")
            a.set_xlabel(e)
            a.set_ylabel(labels[e])
        if ax is not None and np.ndim(ax) == 0:
            ax.legend()
            return ax
        return axes if ax is None else ax

    def __repr__(self):
        lvl = int(round((1 - self.alpha) * 100))
        d = self.drift
        lines = [f"Age-period-cohort model ({self.model}, parm {self.parm}, dr_extr {self.dr_extr}): "
                 f"{len(self.age)} ages, {len(self.period)} periods, {len(self.cohort)} cohorts;"
                 f" reference period {self.ref_p:g}, cohort {self.ref_c:g}"]
        for _, r in d.iterrows():
            lines.append(f"  drift {r['term']}: {r['estimate']:.4f} ({lvl}% CI {r['lower']:.4f} to {r['upper']:.4f})")
        a = self.anova()
        lines.append("  residual deviance: " + ", ".join(
            f"{m} {dev:.2f} on {df:g} df" for m, dev, df in zip(a["model"][:5], a["mod_dev"][:5], a["mod_df"][:5])))
        return "\n".join(lines)


def apc_fit(events: ArrayLike, person_time: ArrayLike, age: ArrayLike, period: ArrayLike, *,
            model: str = "ns", df=None, parm: str = "ACP", ref_c: float | None = None,
            ref_p: float | None = None, dr_extr="weighted", scale: float = 1, alpha: float = 0.05,
            data: DataFrameLike | None = None) -> ApcFit:
    """Age-period-cohort model for tabulated rates, as ``Epi::apc.fit``.

    One row per cell of the Lexis diagram: ``events`` and ``person_time`` in it, at its
    mean ``age`` and mean ``period`` (cohort = period - age). Poisson models
    log(rate) = f(age) + g(period) + h(cohort) with offset log(person_time); the period
    and cohort effects are detrended and the drift is reported separately
    (Carstensen 2007).

    Parameters
    ----------
    events : array-like or str
        Events per cell.
    person_time : array-like or str
        Person-time per cell.
    age : array-like or str
        Mean age in the cell.
    period : array-like or str
        Mean calendar time in the cell.
    model : {"ns", "bs", "ls", "factor"}, default "ns"
        Natural splines (knots at the quantiles (k - 1/2)/n of the events' ages,
        periods, cohorts; apc.fit's default), B-splines, linear splines, or factors.
    df : int, sequence of three int or dict, optional
        apc.fit's ``npar``: one number, three (age, period, cohort), or a dict by
        effect of numbers or of the knots themselves.
    parm : str, default "ACP"
        "ACP", "APC", "AdCP", "AdPC" (ML fits) or "Ad-P-C", "Ad-C-P", "AC-P", "AP-C"
        (sequential fits).
    ref_c, ref_p : float, optional
        Reference cohort and period (default: the events' medians).
    dr_extr : str, float or array-like, default "weighted"
        The inner product the period and cohort effects are detrended in: "weighted"
        (person-time, apc.fit's "Y"), "D" (events), "L" (person-time^2 / events),
        "holford" (unit weights), a number s (events + s person-time) or one weight per
        row.
    scale : float, default 1
        Multiplies the age effect (rates per ``scale`` person-time).
    alpha : float, default 0.05
        Limits at level 1 - alpha.
    data : pandas or polars DataFrame, optional
        Where string arguments name columns.

    Returns
    -------
    ApcFit
        ``age``, ``period``, ``cohort`` (DataFrames: value, estimate, lower, upper),
        ``drift`` / ``summary()`` (term, estimate, lower, upper), ``anova()``,
        ``table()``, ``plot()``.

    References
    ----------
    Carstensen B (2007). Age-period-cohort models for the Lexis diagram. Stat Med
    26:3018-45.

    Examples
    --------
    >>> import numpy as np
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df["entry"], df["years"] = 0.0, df["time"] / 365.25
    >>> pt = hs.person_time_table("entry", "years", "status",
    ...                           time_scales={"fu": None, "age": "age", "period": "year"},
    ...                           breaks={"age": np.arange(40, 95, 5.0),
    ...                                   "period": np.arange(1990, 2026, 5.0)}, data=df)
    >>> pt["a"], pt["p"] = pt["age_band"] + 2.5, pt["period_band"] + 2.5
    >>> fit = hs.apc_fit("events", "person_time", "a", "p", data=pt)
    >>> fit.summary().round(4)
                  term  estimate   lower   upper
    0  APC (Y-weights)    0.9506  0.9474  0.9538
    1              A-d    0.9538  0.9510  0.9566
    """
    args = {"events": floats(events, "events", data), "person_time": floats(person_time, "person_time", data),
            "age": floats(age, "age", data), "period": floats(period, "period", data),
            "model": model, "parm": parm, "ref_c": None if ref_c is None else float(ref_c),
            "ref_p": None if ref_p is None else float(ref_p), "scale": float(scale), "alpha": float(alpha)}
    if isinstance(dr_extr, str):
        args["dr_extr"] = dr_extr
    elif np.ndim(dr_extr) == 0:
        args["dr_extr"] = float(dr_extr)
    else:
        args["dr_extr"] = floats(dr_extr, "dr_extr", data)
    args.update(_npar(df))
    res, _ = call("apc_fit", args)
    return ApcFit(res)
