"""Competing risks: cumulative incidence (Aalen–Johansen, Gray's test) and Fine–Gray
regression. Argument handling and result objects; the estimation is in the Rust core.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _hrrstats as _core
from ._convert import codes, floats
from ._design import Design, raw_columns
from ._survival import _resolve

__all__ = ["cumulative_incidence", "fine_gray", "cause_specific_cox", "CumulativeIncidence", "FineGray"]


def _label(c):
    return int(c) if float(c).is_integer() else float(c)


class CumulativeIncidence:
    """Aalen–Johansen cumulative incidence curves, one per group and cause.

    ``gray_test``: DataFrame (cause, statistic, df, p_value) comparing the groups (None
    without groups, or with delayed entry or weights). ``causes``, ``groups``.
    """

    def __init__(self, fit, group_levels, conf_type, conf_level):
        self._fit = fit
        r = fit.result()
        self._r = r
        self.causes = [_label(c) for c in r["causes"]]
        self.groups = list(group_levels)
        self.conf_type = conf_type
        self.conf_level = conf_level
        g = r["gray"]
        self.gray_test = None if g is None else pd.DataFrame(
            {"cause": [_label(c) for c in g["cause"]], "statistic": g["statistic"], "df": g["df"], "p_value": g["p_value"]})

    def table(self):
        """DataFrame: group, cause, time, n_risk, n_event, estimate, variance, lower,
        upper -- one row per distinct time (events or censorings) per group and cause."""
        frames = []
        for gi, c in enumerate(self._r["curves"]):
            for k, cause in enumerate(self.causes):
                frames.append(pd.DataFrame({
                    "group": [self.groups[gi]] * len(c["time"]), "cause": cause, "time": c["time"], "n_risk": c["n_risk"],
                    "n_event": c["n_event"][k], "estimate": c["estimate"][k], "variance": c["variance"][k],
                    "lower": c["lower"][k], "upper": c["upper"][k]}))
        return pd.concat(frames, ignore_index=True)

    def at(self, times):
        """DataFrame: group, cause, time, estimate, variance at ``times`` (right-continuous
        steps; NaN beyond a group's last follow-up time, as ``cmprsk::timepoints``)."""
        t = np.ascontiguousarray(np.atleast_1d(np.asarray(times, dtype=np.float64)))
        frames = []
        for gi in range(len(self.groups)):
            r = self._fit.at(gi, t)
            for k, cause in enumerate(self.causes):
                frames.append(pd.DataFrame({"group": [self.groups[gi]] * len(t), "cause": cause, "time": t,
                                            "estimate": r["estimate"][k], "variance": r["variance"][k]}))
        return pd.concat(frames, ignore_index=True)

    def plot(self, ax=None, stacked=False, group=None):
        """Step plot of the curves (one panel; colours by cause, line styles by group).
        ``stacked=True`` stacks the causes of one group (``group=``, default the first)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        curves = self._r["curves"]
        if stacked:
            gi = 0 if group is None else self.groups.index(group)
            c = curves[gi]
            base = np.zeros(len(c["time"]))
            for k, cause in enumerate(self.causes):
                top = base + c["estimate"][k]
                ax.fill_between(c["time"], base, top, step="post", alpha=0.6, label=f"cause {cause}")
                base = top
            ax.set_title(f"group {self.groups[gi]}" if len(self.groups) > 1 else "")
        else:
            styles = ["-", "--", ":", "-."]
            for gi, c in enumerate(curves):
                for k, cause in enumerate(self.causes):
                    lab = f"cause {cause}" + (f", {self.groups[gi]}" if len(self.groups) > 1 else "")
                    ax.step(c["time"], c["estimate"][k], where="post", color=f"C{k}", linestyle=styles[gi % 4], label=lab)
        ax.set_xlabel("time")
        ax.set_ylabel("cumulative incidence")
        ax.set_ylim(0, 1)
        ax.legend()
        return ax

    def __repr__(self):
        s = f"Cumulative incidence (Aalen-Johansen): {len(self.groups)} group(s), causes {self.causes}"
        if self.gray_test is not None:
            s += "\nGray's test:\n" + self.gray_test.to_string(index=False)
        return s


def cumulative_incidence(time, cause, *, group=None, entry=None, censor_code=0, weights=None, strata=None,
                         conf_type="log-log", conf_level=0.95, rho=0.0, variance="cuminc", na_action="fail", data=None):
    """Aalen–Johansen cumulative incidence for every cause (as ``cmprsk::cuminc`` and
    ``survival::survfit`` with competing risks), with Gray's test across ``group``
    (stratified by ``strata``; weight power ``rho``).

    ``cause``: a code per row, ``censor_code`` (default 0) for censored rows. ``entry``:
    delayed entry, at risk on (entry, time]. ``variance``: "cuminc" (Gray's delta
    method as cmprsk; with entry or weights generalised with the weighted risk set) or
    "survfit" (the infinitesimal jackknife of survival::survfit, O(n log n)).
    """
    cols, _, n_dropped = _resolve({"time": (time, "num"), "cause": (cause, "num"), "entry": (entry, "num"),
                                   "weights": (weights, "num"), "group": (group, "group"), "strata": (strata, "group")},
                                  data, na_action)
    t = floats(cols["time"], "time")
    n = len(t)
    c = floats(cols["cause"], "cause")
    e = None if cols["entry"] is None else floats(cols["entry"], "entry")
    w = None if cols["weights"] is None else floats(cols["weights"], "weights")
    if cols["group"] is None:
        g, glev = None, ["all"]
    else:
        g, glev = codes(cols["group"], "group", n)
    s, slev = (None, []) if cols["strata"] is None else codes(cols["strata"], "strata", n)
    fit = _core.cumulative_incidence(t, c, float(censor_code), e, w, g, max(len(glev), 1), s, max(len(slev), 1),
                                     conf_type, float(conf_level), float(rho), variance)
    out = CumulativeIncidence(fit, glev, conf_type, conf_level)
    out.n_dropped = n_dropped
    return out


class FineGray:
    """A Fine–Gray subdistribution-hazards fit (``cmprsk::crr``).

    Attributes: ``coef``, ``se`` and ``var`` (crr's sandwich variance), ``naive_var``
    (inverse information, crr's ``invinf``), ``loglik`` (null, final pseudo
    log-likelihood), ``score``, ``iterations``, ``converged``, ``n``, ``n_events``,
    ``names``.
    """

    def __init__(self, fit, design, cause_of_interest, conf_level=0.95):
        self._fit = fit
        self._design = design
        r = fit.result(conf_level)
        self._r = r
        p = len(r["names"])
        self.names = list(r["names"])
        self.coef = r["coef"]
        self.se = r["se"]
        self.var = r["var"].reshape(p, p)
        self.naive_var = r["naive_var"].reshape(p, p)
        self.loglik = tuple(r["loglik"])
        self.score = r["score"]
        self.iterations = int(r["iterations"])
        self.converged = bool(r["converged"])
        self.n = int(r["n"])
        self.n_events = int(r["n_events"])
        self.cause_of_interest = cause_of_interest
        self.conf_level = conf_level

    def summary(self):
        """DataFrame indexed by term: coef, exp_coef, se, z, p, lower, upper (limits of
        exp(coef), the subdistribution hazard ratio)."""
        r = self._r
        return pd.DataFrame({"coef": r["wald_coef"], "exp_coef": np.exp(r["wald_coef"]), "se": r["wald_se"],
                             "z": r["wald_z"], "p": r["wald_p"], "lower": np.exp(r["wald_lower"]),
                             "upper": np.exp(r["wald_upper"])}, index=pd.Index(self.names, name="term"))

    def baseline_hazard(self):
        """DataFrame: time, cumulative baseline subdistribution hazard (crr's uftime and
        cumsum(bfitj))."""
        return pd.DataFrame({"time": self._r["event_times"], "cumulative_hazard": np.cumsum(self._r["baseline_jumps"])})

    def predict(self, covariates, data=None):
        """Predicted cumulative incidence of the cause of interest at the event times, for
        each row of new covariates (as ``predict.crr``): DataFrame with a ``time``
        column and one column per row."""
        cols = self._design.apply(covariates, data)
        x = np.ascontiguousarray(np.column_stack(cols).ravel(), dtype=np.float64)
        curves = self._fit.predict(x)
        out = {"time": self._r["event_times"]}
        for k, v in enumerate(curves):
            out[f"row_{k}"] = v
        return pd.DataFrame(out)

    def __repr__(self):
        s = self.summary()
        return (f"Fine-Gray regression for cause {self.cause_of_interest}: n = {self.n}, {self.n_events} events, "
                f"pseudo log-likelihood {self.loglik[1]:.4f} (null {self.loglik[0]:.4f})\n" + s.to_string())


def fine_gray(time, cause, covariates, *, cause_of_interest=1, censor_code=0, cengroup=None, gtol=1e-9,
              max_iter=50, conf_level=0.95, na_action="fail", data=None):
    """Fine–Gray proportional subdistribution-hazards regression (as ``cmprsk::crr``),
    O(n log n) per fit. ``covariates``: a 2-D array, a DataFrame, or column names with
    ``data=`` (categorical columns dummy-coded); ``cengroup``: groups with separate
    censoring distributions. The variance is crr's sandwich estimator.
    """
    raw = raw_columns(covariates, data)
    cols, extra, _ = _resolve({"time": (time, "num"), "cause": (cause, "num"), "cengroup": (cengroup, "group")},
                              data, na_action, extra=[a for _, a in raw])
    t = floats(cols["time"], "time")
    n = len(t)
    design, xcols = Design.build([(name, a) for (name, _), a in zip(raw, extra)], n)
    c = floats(cols["cause"], "cause")
    g, glev = (None, []) if cols["cengroup"] is None else codes(cols["cengroup"], "cengroup", n)
    fit = _core.fine_gray(t, c, [np.ascontiguousarray(x, dtype=np.float64) for x in xcols], design.names,
                          float(cause_of_interest), float(censor_code), g, max(len(glev), 1), float(gtol), int(max_iter))
    return FineGray(fit, design, cause_of_interest, conf_level)


def cause_specific_cox(time, cause, covariates, *, censor_code=0, causes=None, data=None, **kwargs):
    """Cause-specific Cox models for every cause at once: for each cause ``k`` a Cox
    model (:func:`hrrstats.cox_ph`) where events of ``k`` are events and every other
    outcome is censored. Returns a dict {cause: CoxPH}; other keyword arguments
    (entry, strata, weights, cluster, robust, ties, ...) are passed on."""
    from ._cox import cox_ph

    c = floats(cause, "cause", data)
    if causes is None:
        causes = sorted({_label(v) for v in c[~np.isnan(c)] if v != censor_code})
    out = {}
    for k in causes:
        event = (c == float(k)).astype(np.float64)
        out[k] = cox_ph(time, event, covariates, data=data, **kwargs)
    return out
