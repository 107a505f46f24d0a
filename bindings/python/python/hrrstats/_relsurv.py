"""Relative and net survival: population rate tables and the Pohar-Perme, Ederer II,
Ederer I and Hakulinen estimators (as ``relsurv::rs.surv``). Argument handling, unit
conversion and result objects; the estimation is in the Rust core.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _hrrstats as _core
from ._convert import codes, column, floats

__all__ = ["icss_group", "RateTable", "net_survival", "NetSurvival", "net_survival_test", "excess_hazard_model", "crude_probabilities"]

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


def _age(x, name, data, time_unit):
    a = floats(x, name, data)
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

    def _values(self, age, year, sex, data):
        a = _age(age, "age", data, self.time_unit)
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

    def expected_survival(self, age, year, sex, times, data=None):
        """Expected (population) survival of each person at ``times`` after diagnosis
        (exact integration across the table's cells, as ``survexp(method =
        "individual.s")``): DataFrame with one row per person and one column per time."""
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        out = self._obj.expected_survival(self._values(age, year, sex, data), t)
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
        upper -- one row per distinct follow-up time per stratum (as ``rs.surv``)."""
        frames = []
        for s, c in zip(self.strata, self._curves):
            f = pd.DataFrame({k: c[k] for k in ("time", "n_risk", "n_event", "n_censor", "survival", "std_err", "lower", "upper")})
            f.insert(0, "strata", s)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    def at(self, times):
        """DataFrame: strata, time, survival, std_err, lower, upper at ``times`` (the value at
        the last reported time at or before each time; 1 before the first)."""
        t = np.atleast_1d(np.asarray(times, dtype=np.float64))
        frames = []
        for s, c in zip(self.strata, self._curves):
            j = np.searchsorted(c["time"], t, side="right") - 1
            pick = lambda v, start: np.where(j >= 0, v[np.maximum(j, 0)], start)  # noqa: E731
            frames.append(pd.DataFrame({"strata": s, "time": t, "survival": pick(c["survival"], 1.0),
                                        "std_err": pick(c["std_err"], 0.0), "lower": pick(c["lower"], 1.0),
                                        "upper": pick(c["upper"], 1.0)}))
        return pd.concat(frames, ignore_index=True)

    def age_standardized(self, times, weights="icss1"):
        """Directly age-standardised net survival at ``times`` over the strata (age groups,
        in the order of the strata levels): ``weights`` "icss1", "icss2", "icss3" (the
        International Cancer Survival Standard for the five groups 15-44, 45-54, 55-64,
        65-74, 75+; see :func:`icss_group`) or one weight per stratum.
        S(t) = sum w_k S_k(t), SE = sqrt(sum w_k^2 (S_k se_k)^2), limits S -/+ z SE.
        Returns a DataFrame: time, survival, std_err, lower, upper."""
        if isinstance(weights, str):
            std, _ = _core.icss_weights()
            key = weights.lower()
            if key not in ("icss1", "icss2", "icss3"):
                raise ValueError(f"argument `weights`: unknown standard {weights!r}; use \"icss1\", \"icss2\" or \"icss3\"")
            w = std[int(key[-1]) - 1]
        else:
            w = [float(v) for v in weights]
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


def net_survival_test(time, event, age, year, sex, group, ratetable, *, precision=None, data=None):
    """Log-rank-type test that net survival is the same in every ``group`` (Pohar-Perme
    weighting), as ``relsurv::rs.diff``. Returns a dict: statistic, df, p_value, score
    (per group), variance (K x K), groups."""
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    g, levels = codes([column(group, "group", data, categorical=True)], "group", len(t))
    if precision is None:
        precision = 1.0 if ratetable.time_unit == "days" else 1.0 / DAYS_PER_YEAR
    r = _core.net_survival_test(ratetable._obj, t, s, values, g, len(levels), float(precision))
    k = len(levels)
    return {"statistic": r["statistic"], "df": r["df"], "p_value": r["p_value"], "score": r["score"],
            "variance": r["variance"].reshape(k, k), "groups": list(levels)}


def excess_hazard_model(time, event, age, year, sex, covariates, ratetable, *, breaks=(0, 1, 3, 5, 10), data=None):
    """Excess-hazard regression by the grouped Poisson GLM of Dickman et al. (2004), as
    ``relsurv::rsadd(method = "glm.poi")``: hazard = population hazard + exp(x'beta +
    gamma(follow-up interval)). ``breaks``: follow-up intervals in YEARS (follow-up beyond
    the last is censored). ``covariates``: numeric columns (names with ``data=``).
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
    r = _core.excess_hazard_glm(ratetable._obj, t, s, values, cols, names, [float(b) * unit for b in breaks], unit)
    coef, se = r["coef"], r["se"]
    z = coef / se
    p = np.array([2 * (1 - NormalDist().cdf(abs(v))) for v in z])
    out = pd.DataFrame({"coef": coef, "exp_coef": np.exp(coef), "se": se, "z": z, "p": p},
                       index=pd.Index(r["names"], name="term"))
    k = len(coef)
    out.attrs.update({"var": r["var"].reshape(k, k), "loglik": r["loglik"], "iterations": r["iterations"],
                      "converged": r["converged"]})
    return out


def crude_probabilities(time, event, age, year, sex, ratetable, *, tau=None, precision=None, data=None):
    """Crude probabilities of death from the cancer (excess hazard) and from population
    causes, as ``relsurv::cmp.rel``: DataFrame with time, cause ("cancer" /
    "population"), estimate, variance on the integration grid (every day and every
    follow-up time up to ``tau``)."""
    if not isinstance(ratetable, RateTable):
        raise TypeError("argument `ratetable` must be a hrrstats.RateTable (RateTable.from_frame)")
    t = floats(time, "time", data)
    s = floats(event, "event", data)
    values = ratetable._values(age, year, sex, data)
    if precision is None:
        precision = 1.0 if ratetable.time_unit == "days" else 1.0 / DAYS_PER_YEAR
    r = _core.crude_probabilities(ratetable._obj, t, s, values, float(precision), None if tau is None else float(tau))
    n = len(r["time"])
    return pd.DataFrame({"time": np.concatenate([r["time"], r["time"]]),
                         "cause": ["cancer"] * n + ["population"] * n,
                         "estimate": np.concatenate([r["cancer"], r["population"]]),
                         "variance": np.concatenate([r["cancer_var"], r["population_var"]])})


def icss_group(age):
    """The International Cancer Survival Standard age group of each age at diagnosis:
    "15-44" (also under 15), "45-54", "55-64", "65-74", "75+" (a pandas Categorical in
    that order, for ``net_survival(strata=...)`` and ``age_standardized``)."""
    _, lower = _core.icss_weights()
    a = np.asarray(age, dtype=np.float64)
    labels = ["15-44", "45-54", "55-64", "65-74", "75+"]
    k = np.searchsorted(np.asarray(lower[1:]), a, side="right")
    return pd.Categorical.from_codes(k, categories=labels)
