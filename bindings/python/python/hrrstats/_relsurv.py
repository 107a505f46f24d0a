"""Relative and net survival: population rate tables and the Pohar-Perme, Ederer II,
Ederer I and Hakulinen estimators (as ``relsurv::rs.surv``). Argument handling, unit
conversion and result objects; the estimation is in the Rust core.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _hrrstats as _core
from ._convert import codes, column, floats

__all__ = ["icss_group", "RateTable", "net_survival", "NetSurvival", "net_survival_test", "excess_hazard_model",
           "crude_probabilities", "interval_net_survival", "IntervalNetSurvival"]

DAYS_PER_YEAR = 365.241  # relsurv's convention for ages in days (rmap = list(age = age * 365.241))


def _calendar(x, name, data, time_unit):
    """Calendar time in the table's unit: days since 1960-01-01 (time_unit "days"; decimal
    years or dates accepted), or decimal years (time_unit "years")."""
    a = column(x, name, data)
    if np.issubdtype(a.dtype, np.datetime64):
        days = (a.astype("datetime64[D]") - np.datetime64("1960-01-01", "D")).astype(np.float64)
        if time_unit == "days":
            return np.ascontiguousarray(days)
        years = pd.DatetimeIndex(a)
        start = pd.to_datetime(years.year.astype(str) + "-01-01")
        length = np.where(years.is_leap_year, 366.0, 365.0)
        return np.ascontiguousarray(years.year + (years - start).days / length, dtype=np.float64)
    y = floats(a, name)
    return _core.days_since_1960(y) if time_unit == "days" else y


def _age(x, name, data, time_unit, age_unit="years"):
    """Age in the table's unit from years (x 365.241 days, as relsurv) or from days."""
    if age_unit not in ("years", "days"):
        raise ValueError(f"argument `age_unit` must be \"years\" or \"days\", got {age_unit!r}")
    a = floats(x, name, data)
    if age_unit == "days":
        return a if time_unit == "days" else np.ascontiguousarray(a / DAYS_PER_YEAR)
    return np.ascontiguousarray(a * DAYS_PER_YEAR) if time_unit == "days" else a


class RateTable:
    """A population rate table: hazards by age x calendar year x sex.

    Build it with :meth:`from_frame`. ``time_unit``: "days" (rates per day, follow-up in
    days; ages are converted with 365.241 days per year and calendar years to days since
    1960-01-01, as relsurv) or "years" (rates per person-year).
    """

    def __init__(self, obj, time_unit, sex_levels, source=None):
        self._obj = obj
        self.time_unit = time_unit
        self.sex_levels = list(sex_levels)
        self.source = source

    @classmethod
    def from_frame(cls, df, age="age", year="year", sex="sex", rate="rate", time_unit="days", source=None):
        """From a long table: one row per age x year x sex with the hazard ``rate`` per
        ``time_unit``. A row holds from its age and year cut-points up to the next listed
        ones (cut-points need not be evenly spaced); past the last, the last row
        continues. Every combination must appear exactly once."""
        if time_unit not in ("days", "years"):
            raise ValueError(f"argument `time_unit` must be \"days\" or \"years\", got {time_unit!r}")
        a = _age(age, "age", df, time_unit)
        y = _calendar(year, "year", df, time_unit)
        s, levels = codes([column(sex, "sex", df)], "sex", len(a))
        r = floats(rate, "rate", df)
        obj = _core.rate_table(["age", "year", "sex"], [True, True, False],
                               [a, y, np.ascontiguousarray(s, dtype=np.float64)], r)
        return cls(obj, time_unit, levels, source)

    @classmethod
    def builtin(cls, name="survexp.us"):
        """A rate table shipped with hrrstats (in days; sex "male" / "female"):
        ``"survexp.us"`` -- the US population 1940-2014 by age, sex and calendar year, as
        survival's ``survexp.us``, with its US-style calendar dimension (the calendar row
        changes on the birthday). ``source`` names the origin."""
        obj, source = _core.builtin_ratetable(name)
        return cls(obj, "days", ["male", "female"], source)

    def _values(self, age, year, sex, data, age_unit="years"):
        a = _age(age, "age", data, self.time_unit, age_unit)
        y = _calendar(year, "year", data, self.time_unit)
        sx = column(sex, "sex", data)
        lookup = {v: k for k, v in enumerate(self.sex_levels)}
        try:
            s = np.array([lookup[v] for v in sx], dtype=np.float64)
        except KeyError as e:
            bad = next(i for i, v in enumerate(sx) if v not in lookup)
            raise ValueError(f"argument `sex`: value {sx[bad]!r} at row {bad} is not a sex of the rate table "
                             f"({self.sex_levels})") from e
        return [a, y, s]

    def expected_survival(self, age, year, sex, times, data=None, age_unit="years"):
        """Expected (population) survival of each person at ``times`` after diagnosis
        (exact integration across the table's cells, as ``survexp(method =
        "individual.s")``): DataFrame with one row per person and one column per time.
        ``age_unit="days"`` takes ages in days (as survival's ``rmap``)."""
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        out = self._obj.expected_survival(self._values(age, year, sex, data, age_unit), t)
        return pd.DataFrame(np.vstack(out) if out else np.empty((0, len(t))), columns=list(t))


class NetSurvival:
    """Net (Pohar-Perme) or relative (Ederer II, Ederer I, Hakulinen) survival curves."""

    def __init__(self, curves, strata_levels, method, conf_type, conf_level):
        self._curves = curves
        self.strata = list(strata_levels)
        self.method = method
        self.conf_type = conf_type
        self.conf_level = conf_level

    def table(self):
        """DataFrame: strata, time, n_risk, n_event, n_censor, survival, std_err, lower,
        upper, std_err_cumulative_hazard -- one row per distinct follow-up time per stratum
        (as ``rs.surv``). ``std_err`` is the standard error of ``survival`` (as
        ``summary(rs.surv(...))`` reports it: survival x std_err_cumulative_hazard);
        ``std_err_cumulative_hazard`` is rs.surv's own ``std.err``, of the cumulative net
        hazard, on which the limits are built."""
        frames = []
        for s, c in zip(self.strata, self._curves):
            f = pd.DataFrame({k: c[k] for k in ("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower",
                                                "upper", "std_err_cumulative_hazard")})
            f.insert(0, "strata", s)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def at(self, times):
        """DataFrame: strata, time, survival, std_err, lower, upper, std_err_cumulative_hazard
        at ``times`` (the values at the last reported time at or before each time; survival
        1 and standard errors 0 before the first). ``std_err`` is of the survival estimate,
        as :meth:`table`."""
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        frames = []
        for s, c in zip(self.strata, self._curves):
            j = np.searchsorted(c["time"], t, side="right") - 1
            pick = lambda v, start: np.where(j >= 0, v[np.maximum(j, 0)], start)  # noqa: E731
            frames.append(pd.DataFrame({"strata": s, "time": t, "survival": pick(c["survival"], 1.0),
                                        "std_err": pick(c["std_err"], 0.0), "lower": pick(c["lower"], 1.0),
                                        "upper": pick(c["upper"], 1.0),
                                        "std_err_cumulative_hazard": pick(c["std_err_cumulative_hazard"], 0.0)}))
        return pd.concat(frames, ignore_index=True)

    def age_standardized(self, times, weights="icss1"):
        """Directly age-standardised net survival at ``times`` over the strata (age groups,
        in the order of the strata levels): ``weights`` "icss1", "icss2", "icss3" (the
        International Cancer Survival Standard for the five groups 15-44, 45-54, 55-64,
        65-74, 75+; see :func:`icss_group`) or one weight per stratum.
        S(t) = sum w_k S_k(t), SE = sqrt(sum w_k^2 SE_k^2) with SE_k the strata's ``std_err``
        (of the survival estimate), limits S -/+ z SE.
        Returns a DataFrame: time, survival, std_err, lower, upper."""
        w = _standard_weights(weights, len(self.strata))
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        curves = [(c["time"], c["survival"], c["std_err"]) for c in self._curves]
        r = _core.net_age_standardized(curves, w, t, float(self.conf_level))
        return pd.DataFrame({"time": t, **r})

    def plot(self, ax=None, conf_int=True):
        """Step curves with confidence bands (matplotlib)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        for k, (s, c) in enumerate(zip(self.strata, self._curves)):
            t = np.concatenate([[0.0], c["time"]])
            ax.step(t, np.concatenate([[1.0], c["survival"]]), where="post", color=f"C{k}", label=str(s))
            if conf_int:
                ax.fill_between(t, np.concatenate([[1.0], c["lower"]]), np.concatenate([[1.0], c["upper"]]),
                                step="post", color=f"C{k}", alpha=0.15, linewidth=0)
        ax.set_xlabel("time")
        ax.set_ylabel(f"{'net' if self.method == 'pohar-perme' else 'relative'} survival")
        if len(self.strata) > 1:
            ax.legend()
        return ax

    def __repr__(self):
        rows = [f"{s}: {c['survival'][-1]:.4f} at {c['time'][-1]:g}" for s, c in zip(self.strata, self._curves)]
        return f"Net survival ({self.method}), final estimates: " + "; ".join(rows)


def net_survival(time, event, age, year, sex, ratetable, *, method="pohar-perme", strata=None, conf_type="log",
                 conf_level=0.95, precision=None, fin_date=None, data=None):
    """Net survival (Pohar-Perme, default) or relative survival ("ederer2", "ederer1",
    "hakulinen"), as ``relsurv::rs.surv``.

    ``time`` in ``ratetable.time_unit``; ``age`` in years at diagnosis; ``year`` the
    calendar time of diagnosis (decimal year or date); ``sex`` as labelled in the rate
    table. ``precision``: the step of the numerical integration (default one day).
    """
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    n = len(t)
    if strata is None:
        st, levels = None, ["all"]
    else:
        st, levels = codes([column(strata, "strata", data, categorical=True)], "strata", n)
    if precision is None:
        precision = 1.0 if ratetable.time_unit == "days" else 1.0 / DAYS_PER_YEAR
    if fin_date is not None:
        fin_date = float(_calendar(np.atleast_1d(fin_date), "fin_date", None, ratetable.time_unit)[0])
    curves = _core.net_survival(ratetable._obj, t, s, values, st, max(len(levels), 1), method, float(precision),
                                conf_type, float(conf_level), fin_date)
    return NetSurvival(curves, levels, method, conf_type, conf_level)


def net_survival_test(time, event, age, year, sex, group, ratetable, *, strata=None, precision=None, data=None):
    """Log-rank-type test that net survival is the same in every ``group`` (Pohar-Perme
    weighting), as ``relsurv::rs.diff``; with ``strata`` the scores and covariances are
    summed over the strata (``rs.diff(Surv(...) ~ group + strata(x))``). Returns a dict:
    statistic, df, p_value, score (per group), variance (K x K), groups."""
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    g, levels = codes([column(group, "group", data, categorical=True)], "group", len(t))
    if precision is None:
        precision = 1.0 if ratetable.time_unit == "days" else 1.0 / DAYS_PER_YEAR
    if strata is None:
        st, n_st = None, 1
    else:
        st, st_levels = codes([column(strata, "strata", data, categorical=True)], "strata", len(t))
        n_st = len(st_levels)
    r = _core.net_survival_test(ratetable._obj, t, s, values, g, len(levels), float(precision), st, n_st)
    k = len(levels)
    return {"statistic": r["statistic"], "df": r["df"], "p_value": r["p_value"], "score": r["score"],
            "variance": r["variance"].reshape(k, k), "groups": list(levels)}


def excess_hazard_model(time, event, age, year, sex, covariates, ratetable, *, breaks=(0, 1, 3, 5, 10),
                        method="glm.poi", data=None):
    """Excess-hazard regression: hazard = population hazard + exp(x'beta +
    gamma(follow-up interval)), fitted by the grouped Poisson GLM of Dickman et al. (2004)
    (``method="glm.poi"``, as ``relsurv::rsadd(method = "glm.poi")``) or by maximum
    likelihood on the individual data (``method="max.lik"``, as rsadd's default).
    ``breaks``: follow-up intervals in YEARS (follow-up beyond the last is censored).
    ``covariates``: numeric columns (names with ``data=``).
    Returns a DataFrame indexed by term: coef, exp_coef, se, z, p (the excess hazard
    ratios; the fu terms are log excess rates per person-year), with ``attrs`` holding
    the variance matrix and convergence information."""
    from statistics import NormalDist

    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    names = [covariates] if isinstance(covariates, str) else list(covariates)
    cols = [floats(c, "covariates", data) for c in names]
    names = [c if isinstance(c, str) else f"x{k}" for k, c in enumerate(names)]
    unit = DAYS_PER_YEAR if ratetable.time_unit == "days" else 1.0
    r = _core.excess_hazard_glm(ratetable._obj, t, s, values, cols, names, [float(b) * unit for b in breaks], unit,
                                method)
    coef, se = r["coef"], r["se"]
    z = coef / se
    p = np.array([2 * (1 - NormalDist().cdf(abs(v))) for v in z])
    out = pd.DataFrame({"coef": coef, "exp_coef": np.exp(coef), "se": se, "z": z, "p": p},
                       index=pd.Index(r["names"], name="term"))
    k = len(coef)
    out.attrs.update({"var": r["var"].reshape(k, k), "loglik": r["loglik"], "iterations": r["iterations"],
                      "converged": r["converged"], "method": method})
    if len(r["glm_coef"]):
        # the grouped GLM as rsadd reports it (glm's default stopping rule)
        out.attrs["rsadd_coef"] = r["glm_coef"]
        out.attrs["rsadd_se"] = r["glm_se"]
    return out


def crude_probabilities(time, event, age, year, sex, ratetable, *, group=None, tau=None, precision=None, data=None):
    """Crude probabilities of death from the cancer (excess hazard) and from population
    causes, as ``relsurv::cmp.rel``: DataFrame with time, cause ("cancer" /
    "population"), estimate, variance on the integration grid (every day and every
    follow-up time up to ``tau``, default the longest follow-up). With ``group`` (as
    ``cmp.rel(Surv(...) ~ group)``) a leading column ``group``; each group has its own
    grid, ``tau`` is common."""
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    if precision is None:
        precision = 1.0 if ratetable.time_unit == "days" else 1.0 / DAYS_PER_YEAR
    if group is None:
        g, levels = None, [None]
    else:
        g, levels = codes([column(group, "group", data, categorical=True)], "group", len(t))
    rs = _core.crude_probabilities(ratetable._obj, t, s, values, float(precision), None if tau is None else float(tau),
                                   g, max(len(levels), 1))
    frames = []
    for lv, r in zip(levels, rs):
        n = len(r["time"])
        f = pd.DataFrame({"time": np.concatenate([r["time"], r["time"]]),
                          "cause": ["cancer"] * n + ["population"] * n,
                          "estimate": np.concatenate([r["cancer"], r["population"]]),
                          "variance": np.concatenate([r["cancer_var"], r["population_var"]])})
        if group is not None:
            f.insert(0, "group", lv)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def icss_group(age):
    """The International Cancer Survival Standard age group of each age at diagnosis:
    "15-44" (also under 15), "45-54", "55-64", "65-74", "75+" (a pandas Categorical in
    that order, for ``net_survival(strata=...)`` and ``age_standardized``)."""
    _, lower = _core.icss_weights()
    a = np.asarray(age, dtype=np.float64)
    labels = ["15-44", "45-54", "55-64", "65-74", "75+"]
    k = np.searchsorted(np.asarray(lower[1:]), a, side="right")
    return pd.Categorical.from_codes(k, categories=labels)


_INTERVAL_COLUMNS = ("start", "stop", "n_start", "n_censor", "pyrs", "d", "d_exp", "d_pp", "d_pp2", "pyrs_pp",
                     "d_exp_pp", "surv_obs", "se_obs", "surv_exp", "survival", "std_err", "lower", "upper")


def _interval_frame(t, unit):
    f = pd.DataFrame({k: t[k] for k in _INTERVAL_COLUMNS})
    f.insert(0, "interval", np.arange(1, len(f) + 1))
    for k in ("start", "stop", "pyrs", "pyrs_pp"):
        f[k] = f[k] / unit
    return f


class IntervalNetSurvival:
    """Interval (life-table) net or relative survival by group (see
    :func:`interval_net_survival`)."""

    def __init__(self, tables, standardized, groups, method, conf_type, conf_level, unit, refit):
        self._tables = tables
        self._standardized = standardized
        self.groups = list(groups)
        self.method = method
        self.conf_type = conf_type
        self.conf_level = conf_level
        self._unit = unit
        self._refit = refit

    def table(self):
        """DataFrame, one row per group and interval: group, interval, start, stop
        (years), n_start (alive at the start), n_censor, pyrs (person-years), d (deaths),
        d_exp (expected deaths), the Pohar-Perme weighted sums d_pp, d_pp2, pyrs_pp,
        d_exp_pp, surv_obs and se_obs (observed survival), surv_exp (expected, Ederer II),
        survival, std_err, lower, upper (cumulative, at the interval's end). As
        ``popEpi::survtab``'s table (its pyrs, d.pp, ... columns)."""
        frames = []
        for g, t in zip(self.groups, self._tables):
            f = _interval_frame(t, self._unit)
            f.insert(0, "group", g)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def age_standardized(self, weights="icss1"):
        """Directly age-standardised table over the groups (age groups, in the order of
        ``groups``; see :func:`icss_group`): ``weights`` "icss1", "icss2", "icss3" or one
        weight per group (normalised). Per interval S = sum w_g S_g, SE = sqrt(sum w_g^2
        SE_g^2) (also for the observed survival), limits of the fit's type on these;
        counts summed; cropped to the shortest group's table (as popEpi's ``adjust()``)."""
        return _interval_frame(self._refit(_standard_weights(weights, len(self.groups))), self._unit)

    def plot(self, ax=None, conf_int=True):
        """Survival at the interval ends, joined by lines, with confidence bands."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        for k, (g, t) in enumerate(zip(self.groups, self._tables)):
            x = np.concatenate([[0.0], t["stop"] / self._unit])
            ax.plot(x, np.concatenate([[1.0], t["survival"]]), color=f"C{k}", marker=".", label=str(g))
            if conf_int:
                ax.fill_between(x, np.concatenate([[1.0], t["lower"]]), np.concatenate([[1.0], t["upper"]]),
                                color=f"C{k}", alpha=0.15, linewidth=0)
        ax.set_xlabel("years since diagnosis")
        ax.set_ylabel(f"{'net' if self.method == 'pohar-perme' else 'relative'} survival")
        if len(self.groups) > 1:
            ax.legend()
        return ax

    def __repr__(self):
        rows = [f"{g}: {t['survival'][-1]:.4f} at {t['stop'][-1] / self._unit:g} years"
                for g, t in zip(self.groups, self._tables) if len(t["survival"])]
        return f"Interval net survival ({self.method}), cumulative: " + "; ".join(rows)


def _standard_weights(weights, k):
    if isinstance(weights, str):
        std, _ = _core.icss_weights()
        key = weights.lower()
        if key not in ("icss1", "icss2", "icss3"):
            raise ValueError(f"argument `weights`: unknown standard {weights!r}; use \"icss1\", \"icss2\" or \"icss3\"")
        w = list(std[int(key[-1]) - 1])
        if len(w) != k:
            raise ValueError(f"argument `weights`: the ICSS weights are for the 5 groups of icss_group(), "
                             f"but there are {k} groups")
        return w
    return [float(v) for v in weights]


def interval_net_survival(time, event, age, year, sex, ratetable, *, breaks=None, method="pohar-perme", group=None,
                          pp_weight="midpoint", conf_type="log-log", conf_level=0.95, data=None):
    """Interval (life-table) net survival (Pohar-Perme, default) or relative survival
    ("ederer2"), as ``popEpi::survtab(surv.type = "surv.rel")`` and Stata's strs/stnet
    with the hazard life table.

    ``breaks``: interval boundaries in YEARS since diagnosis (default yearly to 10 years);
    follow-up beyond the last is censored there. ``event``: 1 for a death from any
    cause. Each interval row gets the population hazard at its mid-point. ``group``: a
    table per group (e.g. :func:`icss_group` for age standardisation, then
    ``.age_standardized("icss1")``). ``pp_weight``: "midpoint" weights each person by the
    inverse expected survival at the interval's mid-point (Pohar Perme et al. 2012);
    "popepi" reproduces popEpi 0.4.10, whose weight looks half an interval before the
    start (see the README). Log-log limits by default, as popEpi.
    """
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    if group is None:
        g, levels = None, ["all"]
    else:
        g, levels = codes([column(group, "group", data, categorical=True)], "group", len(t))
    unit = DAYS_PER_YEAR if ratetable.time_unit == "days" else 1.0
    br = np.arange(0.0, 11.0) if breaks is None else np.asarray(breaks, dtype=np.float64)
    br = [float(b) * unit for b in br]

    def fit(weights=None):
        return _core.interval_survival(ratetable._obj, t, s, values, g, max(len(levels), 1), br, method, pp_weight,
                                       conf_type, float(conf_level), weights)

    tables, _ = fit()
    return IntervalNetSurvival(tables, None, levels, method, conf_type, conf_level, unit,
                               lambda w: fit(w)[1])
