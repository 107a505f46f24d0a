"""Cox proportional hazards regression: argument handling and the result object.

The model is fitted by the Rust core (``hrrstats._hrrstats.cox_ph``); this module
builds the design matrix (see ``_design``), factorises strata and clusters, and
presents results as numpy arrays, pandas DataFrames and text.
"""
from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd

from . import _hrrstats as _core
from ._convert import codes, floats
from ._design import Design, raw_columns
from ._survival import _resolve


def _test(d):
    return None if d is None else (float(d["statistic"]), int(d["df"]), float(d["p_value"]))


class CoxPH:
    """A fitted Cox model (``survival::coxph``).

    Attributes: ``coef``, ``se`` (robust when ``robust=True`` or a cluster is given),
    ``naive_se`` (model-based), ``var`` (matching ``se``), ``naive_var``, ``loglik``
    (null, final), ``score_test``, ``wald_test``, ``lr_test`` and
    ``robust_score_test`` as (statistic, df, p_value), ``iterations``, ``converged``,
    ``names``, ``n``, ``n_event``, ``means``, ``linear_predictors`` (centred at the
    means, as ``predict(fit, reference="sample")``), ``aliased``.
    """

    def __init__(self, fit, design, strata_levels, event, n_dropped, inputs, conf_level=0.95):
        self._fit = fit
        self._inputs = inputs  # the arrays passed to the core (no copies), for zph()
        self._design = design
        self._event = event
        r = fit.result()
        p = len(r["names"])
        self.names = list(r["names"])
        self.coef = r["coef"]
        self.se = r["se"]
        self.naive_se = r["naive_se"]
        self.var = r["var"].reshape(p, p)
        self.naive_var = r["naive_var"].reshape(p, p)
        self.loglik = tuple(r["loglik"])
        self.score_test = _test(r["score_test"])
        self.wald_test = _test(r["wald_test"])
        self.lr_test = _test(r["lr_test"])
        self.robust_score_test = _test(r["robust_score_test"])
        self.iterations = int(r["iterations"])
        self.converged = bool(r["converged"])
        self.aliased = np.asarray(r["aliased"], dtype=bool)
        self.n = int(r["n"])
        self.n_event = int(r["n_event"])
        self.ties = r["ties"]
        self.robust = bool(r["robust"])
        self.n_cluster = r["n_cluster"]
        self.means = r["means"]
        self.linear_predictors = r["linear_predictors"]
        self.strata_levels = list(strata_levels)
        self.n_dropped = n_dropped
        self.conf_level = conf_level
        self._mart = r["martingale_residuals"]
        self._base = (r["baseline_offsets"], r["baseline_time"], r["baseline_cumhaz"], r["baseline_cumhaz_centered"])

    def summary(self, conf_level=None):
        """DataFrame indexed by term: coef, exp_coef, se, z, p, lower, upper (of exp(coef));
        with a robust variance also naive_se."""
        level = self.conf_level if conf_level is None else conf_level
        z = NormalDist().inv_cdf(1 - (1 - level) / 2)
        with np.errstate(invalid="ignore"):
            zstat = self.coef / self.se
        p = 2 * np.array([1 - NormalDist().cdf(abs(v)) if np.isfinite(v) else np.nan for v in zstat])
        out = pd.DataFrame({"coef": self.coef, "exp_coef": np.exp(self.coef), "se": self.se, "z": zstat, "p": p,
                            "lower": np.exp(self.coef - z * self.se), "upper": np.exp(self.coef + z * self.se)},
                           index=pd.Index(self.names, name="term"))
        if self.robust:
            out.insert(3, "naive_se", self.naive_se)
        return out

    table = summary

    def zph(self, transform="km", terms=None):
        """Test of proportional hazards (``survival::cox.zph``): DataFrame with one row
        per covariate (or per term: ``terms`` maps names to lists of column names) and
        GLOBAL; columns term, chisq, df, p."""
        if transform not in ("km", "rank", "identity", "log"):
            raise ValueError(f"argument `transform` must be \"km\", \"rank\", \"identity\" or \"log\", got {transform!r}")
        names = self.names
        if terms is None:
            labels, groups = list(names), None
        else:
            labels = list(terms)
            try:
                groups = [[names.index(c) for c in cols] for cols in terms.values()]
            except ValueError as e:
                raise ValueError(f"argument `terms`: {e}; the model's columns are {names}") from e
        r = self._fit.zph(self._inputs, transform, groups)
        rows = [(labels[t], c, d, p) for t, c, d, p in zip(r["term"], r["statistic"], r["df"], r["p_value"])]
        g = r["global"]
        rows.append(("GLOBAL", g["statistic"], g["df"], g["p_value"]))
        return pd.DataFrame(rows, columns=["term", "chisq", "df", "p"])

    def residuals(self, type="martingale"):
        """Residuals as ``residuals.coxph``: "martingale" and "deviance" (one per row),
        "score", "dfbeta", "dfbetas" (DataFrame, one row per data row; dfbeta(s)
        weighted), "schoenfeld", "scaledsch" (DataFrame, one row per event ordered by
        stratum and time, with columns row and time)."""
        if type == "martingale":
            return self._mart.copy()
        if type == "deviance":
            return self._fit.deviance_residuals(self._event)
        r = self._fit.residual_matrix(self._inputs, type)
        vals = r["values"].reshape(-1, len(self.names))
        out = pd.DataFrame(vals, columns=self.names)
        if r["rows"] is not None:
            out.insert(0, "time", r["times"])
            out.insert(0, "row", r["rows"])
        return out

    def baseline_hazard(self, centered=False):
        """DataFrame strata, time, cumulative_hazard (``basehaz``): at covariates 0
        (``centered=False``) or at the covariate means."""
        off, time, h0, hc = self._base
        strata = np.repeat(np.asarray(self.strata_levels, dtype=object), np.diff(off))
        return pd.DataFrame({"strata": strata, "time": time, "cumulative_hazard": hc if centered else h0})

    def predict(self, covariates=None, type="lp", times=None, *, offset=None, stratum=None, data=None):
        """Predictions for new covariates (or the fit data when ``covariates`` is None).

        type "lp": linear predictor centred at the means (``reference="sample"``);
        "risk": exp(lp); "survival": a DataFrame of S(t | x) at ``times`` for each row,
        from the baseline of ``stratum`` (required with strata).
        """
        if covariates is None:
            lp = self.linear_predictors
        else:
            cols = self._design.apply(covariates, data)
            off = None if offset is None else floats(offset, "offset", data)
            lp = self._fit.predict_lp(cols, off)
        if type == "lp":
            return lp
        if type == "risk":
            return np.exp(lp)
        if type == "survival":
            if times is None:
                raise ValueError("argument `times` is needed for type=\"survival\"")
            t = floats(np.atleast_1d(times), "times")
            if stratum is None and len(self.strata_levels) > 1:
                raise ValueError(f"argument `stratum`: the model has strata {self.strata_levels}; name one")
            k = 0 if stratum is None else self.strata_levels.index(stratum)
            s = self._fit.predict_survival(np.ascontiguousarray(lp, dtype=np.float64), k, t).reshape(len(lp), len(t))
            return pd.DataFrame(s, columns=pd.Index(t, name="time"))
        raise ValueError(f"argument `type` must be \"lp\", \"risk\" or \"survival\", got {type!r}")

    def __repr__(self):
        s = self.summary()
        cols = ["coef", "exp_coef", "se"] + (["naive_se"] if self.robust else []) + ["z", "p"]
        lr, w, sc = self.lr_test, self.wald_test, self.score_test
        lines = [f"Cox proportional hazards fit ({self.ties} ties{', robust variance' if self.robust else ''})",
                 s[cols].to_string(float_format=lambda v: f"{v:.4g}"), "",
                 f"n = {self.n}, events = {self.n_event}" + (f", {self.n_dropped} rows with missing values dropped" if self.n_dropped else ""),
                 f"Likelihood ratio test = {lr[0]:.4g} on {lr[1]} df, p = {lr[2]:.3g}",
                 f"Wald test             = {w[0]:.4g} on {w[1]} df, p = {w[2]:.3g}",
                 f"Score (logrank) test   = {sc[0]:.4g} on {sc[1]} df, p = {sc[2]:.3g}"]
        if self.robust_score_test:
            r = self.robust_score_test
            lines.append(f"Robust score test     = {r[0]:.4g} on {r[1]} df, p = {r[2]:.3g}")
        if not self.converged:
            lines.append(f"Warning: did not converge in {self.iterations} iterations")
        if self.aliased.any():
            lines.append("Aliased (collinear, not estimated): " + ", ".join(np.asarray(self.names)[self.aliased]))
        return "\n".join(lines)

    def plot(self, ax=None, centered=True):
        """Baseline survival per stratum (at the covariate means by default)."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as e:  # pragma: no cover
            raise ImportError("plot() needs matplotlib: pip install matplotlib") from e
        if ax is None:
            _, ax = plt.subplots()
        b = self.baseline_hazard(centered=centered)
        for lev, g in b.groupby("strata", sort=False):
            ax.step(np.r_[0.0, g["time"]], np.exp(-np.r_[0.0, g["cumulative_hazard"]]), where="post",
                    label=None if len(self.strata_levels) == 1 else str(lev))
        ax.set_xlabel("time")
        ax.set_ylabel("baseline survival" + (" (at means)" if centered else " (covariates 0)"))
        if len(self.strata_levels) > 1:
            ax.legend()
        return ax


def cox_ph(time, event, covariates, *, entry=None, strata=None, weights=None, cluster=None, robust=False,
           ties="efron", offset=None, init=None, max_iter=20, eps=1e-9, na_action="fail", data=None):
    """Cox proportional hazards regression, as ``survival::coxph``.

    covariates: a 2-D array, a DataFrame, or a list of column names with ``data=``;
    categorical columns are dummy-coded with the first level as reference. entry gives
    (entry, time] counting-process rows (delayed entry, time-varying covariates);
    strata: one column or a list of columns; cluster: cluster ids for the robust
    variance (implies robust=True); ties: "efron" (default) or "breslow".
    """
    if ties not in ("efron", "breslow"):
        raise ValueError(f"argument `ties` must be \"efron\" or \"breslow\", got {ties!r}")
    raw = raw_columns(covariates, data)
    cols, extra, n_dropped = _resolve({"time": (time, "num"), "event": (event, "num"), "entry": (entry, "num"),
                                       "weights": (weights, "num"), "offset": (offset, "num"),
                                       "strata": (strata, "group"), "cluster": (cluster, "group")},
                                      data, na_action, extra=[a for _, a in raw])
    t = floats(cols["time"], "time")
    n = len(t)
    design, xcols = Design.build([(name, a) for (name, _), a in zip(raw, extra)], n)
    s = floats(cols["event"], "event")
    e = None if cols["entry"] is None else floats(cols["entry"], "entry")
    w = None if cols["weights"] is None else floats(cols["weights"], "weights")
    o = None if cols["offset"] is None else floats(cols["offset"], "offset")
    if cols["strata"] is None:
        st, levels = None, ["all"]
    else:
        st, levels = codes(cols["strata"], "strata", n)
    cl = None if cols["cluster"] is None else codes(cols["cluster"], "cluster", n)[0]
    init = None if init is None else [float(v) for v in init]
    inputs = {"time": t, "event": s, "entry": e, "weights": w, "strata": st, "n_strata": max(len(levels), 1),
              "columns": xcols, "offset": o, "cluster": cl}
    fit = _core.cox_ph(inputs, design.names, ties, bool(robust), int(max_iter), float(eps), init)
    return CoxPH(fit, design, levels, s, n_dropped, inputs)
