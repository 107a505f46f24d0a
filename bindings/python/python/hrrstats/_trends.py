"""Life tables and funnel plots. The core computes (through ``_protocol.call``); this
module resolves columns and by-variables and presents the results as pandas DataFrames
and matplotlib plots."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import column, floats
from ._person_time import _by, _show_levels
from ._protocol import call

__all__ = ["life_table", "LifeTable", "funnel", "Funnel"]


# ---- life tables ---------------------------------------------------------------------

class LifeTable:
    """Period life table(s) by Chiang's method, one per ``by`` group.

    ``table()``: by columns, age, mx, ax, qx, lx, dx, Lx, Tx, ex, std_err, lower, upper.
    ``temporary(from_age, to_age)``: temporary life expectancy and years of life lost
    between two ages; ``arriaga(group1, group2)``: decomposition of the difference in
    life expectancy by age; ``plot()``: life expectancy by age with its limits.
    """

    def __init__(self, res, fit, levels):
        self._res, self._fit, self._levels = res, fit, levels
        self.by = list(levels)
        self.conf_level = res["conf_level"]
        self.radix = res["radix"]

    def table(self):
        """DataFrame: by columns, age, mx, ax, qx, lx, dx, Lx, Tx, ex, std_err, lower, upper."""
        return _show_levels(self._res["table"].copy(), self._levels)

    def temporary(self, from_age, to_age):
        """Temporary life expectancy between ages ``from_age`` and ``to_age`` (both ages of
        the table): years lived in [from_age, to_age) per person alive at ``from_age``
        ((T_x - T_y) / l_x, Andersen–Keiding), and ``years_lost`` = (to_age - from_age)
        minus it. DataFrame: by columns, from, to, temporary_ex, years_lost."""
        r = self._fit.call("temporary", {"from": float(from_age), "to": float(to_age)})
        return _show_levels(r, self._levels)

    def arriaga(self, group1, group2):
        """Arriaga decomposition of e(group2) - e(group1) at the first age, by age group:
        DataFrame age, direct, indirect (indirect and interaction), total; ``attrs``
        holds e1, e2 and difference. A group is its level (a tuple of levels with several
        by-variables) or its label "name=level, ..."."""
        def label(g):
            return ", ".join(str(x) for x in g) if isinstance(g, tuple) else str(g)
        r = self._fit.call("arriaga", {"group1": label(group1), "group2": label(group2)})
        t = r["table"]
        t.attrs.update(e1=r["e1"], e2=r["e2"], difference=r["difference"],
                       group1=r["group1"], group2=r["group2"])
        return t

    def plot(self, ax=None):
        """Life expectancy by age with its confidence band, one curve per group. Returns
        the matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        t = self.table()
        groups = [(None, t)] if not self.by else list(t.groupby(self.by, sort=False))
        for key, g in groups:
            name = None if key is None else ", ".join(map(str, key if isinstance(key, tuple) else (key,)))
            line = ax.plot(g["age"], g["ex"], marker="o", markersize=3, label=name)[0]
            ax.fill_between(g["age"], g["lower"], g["upper"], color=line.get_color(), alpha=0.15, linewidth=0)
        ax.set_xlabel("age")
        ax.set_ylabel("life expectancy")
        if self.by:
            ax.legend(title=", ".join(self.by))
        return ax

    def __repr__(self):
        t = self.table()
        first = t.groupby(self.by, sort=False).head(1) if self.by else t.head(1)
        lvl = int(round(self.conf_level * 100))
        lines = [f"Life table (Chiang), {len(t)} age groups; life expectancy at age {first['age'].iloc[0]:g}:"]
        for _, r in first.iterrows():
            who = ", ".join(f"{b}={r[b]}" for b in self.by) or "all"
            lines.append(f"  {who}: {r['ex']:.2f} ({lvl}% CI {r['lower']:.2f} to {r['upper']:.2f})")
        return "\n".join(lines)


def life_table(deaths, population, age, *, by=None, ax=None, a0="coale_demeny", sex="both", conf_level=0.95,
               radix=100000, method="chiang2", data=None):
    """Period life tables by Chiang's method (abridged or complete), with Chiang II
    standard errors of life expectancy.

    Each row is an age group: ``age`` its lower bound (ages increasing within a group;
    widths from consecutive ages; the last group is open), ``deaths`` and ``population``
    (person-years) in it. ``by``: groups (column names or arrays), one table each.
    a(x), the years lived in the interval by those dying in it, is half the width,
    except 1a0 (and 4a1 in an abridged table) by the Coale–Demeny West model for ``sex``
    ("both": the mean of "male" and "female") when ``a0="coale_demeny"``; ``a0="half"``
    keeps half the width; a number gives 1a0; ``ax`` (a column, years) gives them all.
    ``method``: "chiang2" (the only one). Returns a :class:`LifeTable`.
    """
    args = {"deaths": floats(deaths, "deaths", data), "population": floats(population, "population", data),
            "age": floats(age, "age", data), "ax": None if ax is None else floats(ax, "ax", data),
            "a0": float(a0) if isinstance(a0, (int, float)) and not isinstance(a0, bool) else a0,
            "sex": sex, "conf_level": conf_level, "radix": radix, "method": method}
    args["by"], levels = _by(by, data, len(args["deaths"]))
    res, fit = call("life_table", args)
    return LifeTable(res, fit, levels)


# ---- funnel plots --------------------------------------------------------------------

class Funnel:
    """A funnel plot for comparing units (hospitals, regions) on an indicator.

    Attributes: kind, target, phi (Winsorised overdispersion), tau2 (DerSimonian–Laird),
    adjusted (whether the limits allow for overdispersion), limits (levels).
    ``table()``: unit, observed, denominator, indicator, z, z_unadjusted, lower_<L>,
    upper_<L> per level, flag (and shrunk, shrunk_lower, shrunk_upper with the additive
    model); ``plot()`` draws it.
    """

    def __init__(self, res, units):
        self._res, self._units = res, units
        for k in ("kind", "overdispersion", "target", "phi", "tau2", "adjusted"):
            setattr(self, k, res[k])
        self.limits = [float(x) for x in np.atleast_1d(res["limits"])]

    def table(self):
        t = self._res["table"].copy()
        t.insert(0, "unit", self._units)
        return t

    def curve(self):
        """The limits on a grid of denominators (to draw the funnel): DataFrame."""
        return self._res["curve"].copy()

    def plot(self, ax=None, labels="flagged"):
        """The funnel: each unit's indicator against its denominator, the target and the
        control limits; units labelled ("flagged": those outside a limit, "all", or
        None). Returns the matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        t, c = self.table(), self.curve()
        styles = ["--", ":", "-."]
        for k, level in enumerate(self.limits):
            lab = f"{level * 100:g}"
            style = styles[k % len(styles)]
            ax.plot(c["denominator"], c[f"lower_{lab}"], style, color="grey", linewidth=1, label=f"{lab}% limits")
            ax.plot(c["denominator"], c[f"upper_{lab}"], style, color="grey", linewidth=1)
        ax.axhline(self.target, color="black", linewidth=1)
        flagged = t["flag"].to_numpy() != ""
        ax.scatter(t["denominator"][~flagged], t["indicator"][~flagged], s=15, color="tab:blue")
        ax.scatter(t["denominator"][flagged], t["indicator"][flagged], s=15, color="tab:red")
        if labels is not None:
            for _, r in t[flagged if labels == "flagged" else np.ones(len(t), bool)].iterrows():
                ax.annotate(str(r["unit"]), (r["denominator"], r["indicator"]), fontsize=7,
                            xytext=(3, 3), textcoords="offset points")
        ax.set_xlabel({"ratio": "expected", "rate": "person-time"}.get(self.kind, "denominator"))
        ax.set_ylabel({"ratio": "observed / expected", "rate": "rate"}.get(self.kind, "proportion"))
        ax.legend(fontsize=8)
        return ax

    def __repr__(self):
        t = self.table()
        n_flag = int((t["flag"] != "").sum())
        od = "" if self.overdispersion == "none" else (
            f", {self.overdispersion} overdispersion (phi = {self.phi:.3g}, tau2 = {self.tau2:.3g}"
            f"{'' if self.adjusted else ', none found'})")
        return (f"Funnel plot ({self.kind}), {len(t)} units, target {self.target:.4g}{od}; "
                f"{n_flag} flagged")


def funnel(observed, denominator, *, kind="proportion", limits=(0.95, 0.998), overdispersion=None, unit=None,
           target=None, winsorize=0.1, conf_level=0.95, data=None):
    """Funnel plot limits, z-scores and flags for comparing units (Spiegelhalter 2005).

    ``kind``: "proportion" (``observed`` events out of ``denominator`` cases; exact
    binomial limits with Spiegelhalter's interpolation), "ratio" (observed over expected
    counts, e.g. from a risk-adjustment model; exact Poisson limits around ``target`` 1)
    or "rate" (events per person-time; exact Poisson limits). ``target`` defaults to the
    pooled proportion or rate. ``limits``: levels of the control limits.
    ``overdispersion``: None, "multiplicative" (phi from 10%-Winsorised z-scores,
    ``winsorize``) or "additive" (random effects, tau^2 by DerSimonian–Laird; adds
    empirical-Bayes estimates with ``conf_level`` limits). ``unit``: the units' labels.
    Returns a :class:`Funnel`.
    """
    o = floats(observed, "observed", data)
    d = floats(denominator, "denominator", data)
    units = np.arange(len(o)) if unit is None else np.asarray(column(unit, "unit", data, dates=True))
    if len(units) != len(o):
        raise ValueError(f"argument `unit` has length {len(units)} but `observed` has length {len(o)}")
    args = {"observed": o, "denominator": d, "kind": kind,
            "limits": np.ascontiguousarray(np.atleast_1d(np.asarray(limits, dtype=np.float64))),
            "overdispersion": overdispersion, "target": target, "winsorize": winsorize,
            "conf_level": conf_level}
    res, _ = call("funnel", args)
    return Funnel(res, units)
