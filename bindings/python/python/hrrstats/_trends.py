"""Life tables and funnel plots. The core computes (through ``_protocol.call``); this
module resolves columns and by-variables and presents the results as pandas DataFrames
and matplotlib plots."""
from __future__ import annotations

import numpy as np

from ._convert import column, floats
from ._person_time import _by, _show_levels
from ._plots import by_groups, subplots
from ._protocol import call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    from ._typing import ArrayLike, DataFrameLike

__all__ = ["life_table", "LifeTable", "years_of_life_lost", "YearsOfLifeLost", "funnel", "Funnel"]


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
        """Temporary life expectancy between ages ``from_age`` and ``to_age`` (both ages of the
        table): years lived in [from_age, to_age) per person alive at ``from_age``,
        (T_x - T_y) / l_x (Andersen and Keiding), and ``years_lost`` = (to_age - from_age)
        minus it.

        Parameters
        ----------
        from_age : float
            Start of the age interval (an age of the table).
        to_age : float
            End of the age interval (an age of the table).

        Returns
        -------
        pandas.DataFrame
            by columns, from, to, temporary_ex, years_lost.
        """
        r = self._fit.call("temporary", {"from": float(from_age), "to": float(to_age)})
        return _show_levels(r, self._levels)

    def arriaga(self, group1, group2):
        """Arriaga decomposition of e(group2) - e(group1) at the first age, by age group
        (Arriaga 1984).

        Parameters
        ----------
        group1 : label or tuple
            The first group: its level (a tuple of levels with several by-variables) or its
            label "name=level, ...".
        group2 : label or tuple
            The second group.

        Returns
        -------
        pandas.DataFrame
            age, direct, indirect (indirect and interaction), total; ``attrs`` holds e1, e2,
            difference, group1 and group2.
        """
        def label(g):
            return ", ".join(str(x) for x in g) if isinstance(g, tuple) else str(g)
        r = self._fit.call("arriaga", {"group1": label(group1), "group2": label(group2)})
        t = r["table"]
        t.attrs.update(e1=r["e1"], e2=r["e2"], difference=r["difference"],
                       group1=r["group1"], group2=r["group2"])
        return t

    def plot(self, ax=None):
        """Life expectancy by age with its confidence band, one curve per group.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        return _plot_by_age(self, ax, "ex", "age", "life expectancy", band=True)

    def __repr__(self):
        t = self.table()
        first = t.groupby(self.by, sort=False).head(1) if self.by else t.head(1)
        lvl = int(round(self.conf_level * 100))
        lines = [f"Life table (Chiang), {len(t)} age groups; life expectancy at age {first['age'].iloc[0]:g}:"]
        for _, r in first.iterrows():
            who = ", ".join(f"{b}={r[b]}" for b in self.by) or "all"
            lines.append(f"  {who}: {r['ex']:.2f} ({lvl}% CI {r['lower']:.2f} to {r['upper']:.2f})")
        return "\n".join(lines)


def life_table(deaths: ArrayLike, population: ArrayLike, age: ArrayLike, *,
               by: ArrayLike | list[str] | None = None, ax: ArrayLike | None = None,
               a0: str | float = "coale_demeny", sex: str = "both", conf_level: float = 0.95,
               radix: float = 100000, method: str = "chiang2", data: DataFrameLike | None = None) -> LifeTable:
    """Period life tables by Chiang's method (abridged or complete), with Chiang II
    standard errors of life expectancy.

    Parameters
    ----------
    deaths : array-like or str
        Deaths in each age group.
    population : array-like or str
        Person-years (mid-year population) in each age group.
    age : array-like or str
        The lower bound of each age group (increasing within a group; widths from
        consecutive ages; the last group is open).
    by : str, list of str or array-like, optional
        Groups (e.g. sex, period), one table each.
    ax : array-like or str, optional
        a(x), the years lived in the interval by those dying in it, for every row.
    a0 : {"coale_demeny", "half"} or float, default "coale_demeny"
        1a0 (and 4a1 in an abridged table) by the Coale–Demeny West model for
        ``sex``; "half": half the width; a number: 1a0. Other groups: half the width.
    sex : {"both", "male", "female"}, default "both"
        For the Coale–Demeny model ("both": the mean of the two).
    conf_level : float, default 0.95
        Level of the limits of life expectancy.
    radix : float, default 100000
        l(0).
    method : {"chiang2"}, default "chiang2"
        The only method.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    LifeTable
        ``table()``: DataFrame [by columns], age, mx, ax, qx, lx, dx, Lx, Tx, ex,
        std_err (of ex), lower, upper; ``temporary()`` (temporary life expectancy),
        ``arriaga()`` (decomposition of a difference), ``plot()``.

    References
    ----------
    Chiang CL (1984). The Life Table and its Applications. Krieger.

    Examples
    --------
    >>> import hrrstats as hs
    >>> age = [0, 1, 5, 15, 45, 65, 85]
    >>> deaths = [30, 6, 5, 40, 600, 2500, 3000]
    >>> population = [10e3, 40e3, 100e3, 300e3, 200e3, 100e3, 20e3]
    >>> lt = hs.life_table(deaths, population, age)
    >>> lt.table()[["age", "qx", "ex"]].round(3)
        age     qx      ex
    0   0.0  0.003  82.707
    1   1.0  0.001  81.955
    2   5.0  0.000  78.003
    3  15.0  0.004  68.040
    4  45.0  0.058  38.252
    5  65.0  0.400  20.000
    6  85.0  1.000   6.667
    """
    args = {"deaths": floats(deaths, "deaths", data), "population": floats(population, "population", data),
            "age": floats(age, "age", data), "ax": None if ax is None else floats(ax, "ax", data),
            "a0": float(a0) if isinstance(a0, (int, float)) and not isinstance(a0, bool) else a0,
            "sex": sex, "conf_level": conf_level, "radix": radix, "method": method}
    args["by"], levels = _by(by, data)
    res, fit = call("life_table", args)
    return LifeTable(res, fit, levels)


def _plot_by_age(result, ax, y, xlabel, ylabel, band):
    """``y`` of ``result.table()`` against age, a line per ``by`` group (with its
    confidence band)."""
    ax = subplots(ax)
    for name, g in by_groups(result.table(), result.by):
        line = ax.plot(g["age"], g[y], marker="o", markersize=3, label=name)[0]
        if band:
            ax.fill_between(g["age"], g["lower"], g["upper"], color=line.get_color(), alpha=0.15,
                            linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if result.by:
        ax.legend(title=", ".join(result.by))
    return ax


# ---- standard expected years of life lost ---------------------------------------------

class YearsOfLifeLost:
    """Standard expected years of life lost (SEYLL).

    ``table()``: by columns, age, deaths, standard_ex, years_lost_per_death, years_lost
    (one row per input row); ``total()``: by columns, deaths, years_lost;
    ``plot()``: years lost by age of death.
    """

    def __init__(self, res, levels):
        self._res, self._levels = res, levels
        self.by = list(levels)
        self.discount = res["discount"]
        self.age_weighting = res["age_weighting"]

    def table(self):
        """DataFrame: by columns, age, deaths, standard_ex, years_lost_per_death, years_lost."""
        return _show_levels(self._res["table"].copy(), self._levels)

    def total(self):
        """DataFrame: by columns, deaths, years_lost (sums over the rows of each group)."""
        return _show_levels(self._res["total"].copy(), self._levels)

    def plot(self, ax=None):
        """Years of life lost by age at death, one line per group.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        return _plot_by_age(self, ax, "years_lost", "age at death", "years of life lost", band=False)

    def __repr__(self):
        t = self.total()
        how = []
        if self.discount > 0:
            how.append(f"discounted at {self.discount:g}")
        if self.age_weighting:
            how.append("age-weighted")
        lines = [f"Standard expected years of life lost{' (' + ', '.join(how) + ')' if how else ''}:"]
        for _, r in t.iterrows():
            who = ", ".join(f"{b}={r[b]}" for b in self.by) or "all"
            lines.append(f"  {who}: {r['years_lost']:.6g} years lost, {r['deaths']:.6g} deaths")
        return "\n".join(lines)


def years_of_life_lost(deaths: ArrayLike, age: ArrayLike, *, standard: LifeTable | DataFrameLike | None = None,
                       standard_age: ArrayLike | None = None, standard_ex: ArrayLike | None = None,
                       by: ArrayLike | list[str] | None = None, discount: float = 0.0,
                       age_weighting: bool = False, data: DataFrameLike | None = None) -> YearsOfLifeLost:
    """Standard expected years of life lost (SEYLL, as the Global Burden of Disease):
    every death at age ``age`` loses the remaining life expectancy e*(age) of a standard
    (reference) life table, interpolated linearly between the standard's ages.

    Parameters
    ----------
    deaths : array-like or str
        Deaths in each row.
    age : array-like or str
        Age at death (e.g. the middle of an age group, or the mean age at death in it);
        every age must lie within the standard's ages.
    standard : LifeTable or DataFrame, optional
        The standard life table: a ``life_table()`` result (one group) or a DataFrame with
        columns ``age`` and ``ex``. Or give ``standard_age`` and ``standard_ex``.
    standard_age, standard_ex : array-like, optional
        The standard's ages (increasing) and remaining life expectancy at each.
    by : str, list of str or array-like, optional
        Groups, each with its total.
    discount : float, default 0
        Continuous discount rate per year (GBD 1990: 0.03); 0 = none.
    age_weighting : bool, default False
        GBD 1990 age weights C x exp(-0.04 x), C = 0.1658.
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    YearsOfLifeLost
        ``table()`` per row, ``total()`` per group, ``plot()``.

    References
    ----------
    Murray CJL (1994). Quantifying the burden of disease: the technical basis for
    disability-adjusted life years. Bull World Health Organ 72:429-445.

    Examples
    --------
    >>> import hrrstats as hs
    >>> y = hs.years_of_life_lost([10, 20], [30, 70], standard_age=[0, 50, 100],
    ...                           standard_ex=[80, 32, 2])
    >>> y.total()["years_lost"].round(3).tolist()
    [912.0]
    """
    if standard is not None:
        t = standard.table() if isinstance(standard, LifeTable) else standard
        standard_age, standard_ex = t["age"], t["ex"]
    args = {"deaths": floats(deaths, "deaths", data), "age": floats(age, "age", data),
            "standard_age": None if standard_age is None else floats(standard_age, "standard_age", None),
            "standard_ex": None if standard_ex is None else floats(standard_ex, "standard_ex", None),
            "discount": discount, "age_weighting": age_weighting}
    args["by"], levels = _by(by, data)
    res, _ = call("years_of_life_lost", args)
    return YearsOfLifeLost(res, levels)


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
        control limits (Spiegelhalter 2005).

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw (a new figure if None).
        labels : {"flagged", "all"} or None, default "flagged"
            Which units are labelled: those outside a limit, all, or none.

        Returns
        -------
        matplotlib.axes.Axes
            The Axes drawn on.
        """
        ax = subplots(ax)
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


def funnel(observed: ArrayLike, denominator: ArrayLike, *, kind: str = "proportion",
           limits: tuple[float, ...] = (0.95, 0.998), overdispersion: str | None = None,
           unit: ArrayLike | None = None, target: float | None = None, winsorize: float = 0.1,
           conf_level: float = 0.95, data: DataFrameLike | None = None) -> Funnel:
    """Funnel plot limits, z-scores and flags for comparing units (Spiegelhalter 2005).

    Parameters
    ----------
    observed : array-like or str
        Events (or observed counts) per unit.
    denominator : array-like or str
        Cases (``kind="proportion"``), expected counts (``"ratio"``) or person-time
        (``"rate"``) per unit.
    kind : {"proportion", "ratio", "rate"}, default "proportion"
        "proportion": exact binomial limits with Spiegelhalter's interpolation;
        "ratio": observed over expected (e.g. from a risk-adjustment model), exact
        Poisson limits around ``target`` 1; "rate": events per person-time, exact
        Poisson limits.
    limits : sequence of float, default (0.95, 0.998)
        Levels of the control limits.
    overdispersion : {None, "multiplicative", "additive"}, default None
        "multiplicative": phi from Winsorised z-scores; "additive": random effects,
        tau^2 by DerSimonian–Laird (adds empirical-Bayes estimates).
    unit : array-like or str, optional
        The units' labels (default 0, 1, ...).
    target : float, optional
        The target (default the pooled proportion or rate; 1 for ratios).
    winsorize : float, default 0.1
        The fraction Winsorised at each end for phi.
    conf_level : float, default 0.95
        Level of the empirical-Bayes limits (additive model).
    data : pandas or polars DataFrame or dict of arrays, optional
        Where string arguments name columns.

    Returns
    -------
    Funnel
        ``target``, ``phi``, ``tau2``; ``table()``: DataFrame unit, observed,
        denominator, indicator, z, z_unadjusted, lower_<L>, upper_<L> per level, flag
        (and shrunk, shrunk_lower, shrunk_upper with the additive model); ``plot()``.

    References
    ----------
    Spiegelhalter DJ (2005). Funnel plots for comparing institutional performance.
    Stat Med 24:1185-1202.

    Examples
    --------
    >>> import hrrstats as hs
    >>> f = hs.funnel([12, 30, 45, 8], [100, 200, 250, 90], unit=["A", "B", "C", "D"])
    >>> round(f.target, 4)
    0.1484
    >>> f.table()[["unit", "indicator", "z", "lower_95", "upper_95"]].round(3)
      unit  indicator      z  lower_95  upper_95
    0    A      0.120 -0.800     0.077     0.217
    1    B      0.150  0.062     0.098     0.197
    2    C      0.180  1.404     0.104     0.192
    3    D      0.089 -1.589     0.073     0.220
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
