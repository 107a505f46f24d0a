"""The one bridge to the Rust core: arguments in, results out, for every method.

``call(method, args)`` runs ``hrrstats_core::api``'s method on a dict of arguments
(numpy arrays, ``(codes, levels)`` tuples for groupings, dicts of columns, scalars and
strings) and returns its result converted once, generically (tables as DataFrames,
records as dicts). The core reads the arguments by name, parses every option and
raises every error, so Python and R behave the same. Nothing here computes a
statistic.
"""
from __future__ import annotations

import warnings

import numpy as np

from . import _hrrstats as _core
from ._convert import codes, column, floats, grouping, missing
from . import _format

NA_ACTIONS = ("fail", "drop")
# Python's name for the core's `status` argument: the core's errors name `event`.
EVENT_LABEL = {"status": "event"}


def call(method, args):
    """(result, fit handle or None) of the core's ``method``; the result's ``warnings``
    (the anchors' warnings: non-convergence, infinite coefficients, ...) are issued as
    ``RuntimeWarning``."""
    value, fit = _core.call(method, {k: v for k, v in args.items() if v is not None})
    if isinstance(value, dict):
        for w in value.get("warnings") or ():
            warnings.warn(w, RuntimeWarning, stacklevel=3)
    return value, fit


def check_na_action(na_action):
    if na_action not in NA_ACTIONS:
        raise ValueError(f"argument `na_action`: unknown value \"{na_action}\"; accepted: \"fail\", \"drop\"")


def resolve(spec, data=None, na_action="fail", extra=None):
    """Resolve the columns of a call.

    ``spec`` maps each argument name to ``(value, kind)``: kind "num" (a numeric column),
    "group" (a grouping: one column or a list of column names, factorised to codes in
    sorted level order) or "raw" (passed as it is). ``extra`` maps names to already
    resolved float arrays (e.g. covariate columns) that take part in dropping rows.
    With ``na_action="drop"`` rows with a missing value in any column are dropped and
    ``rows`` (the kept rows of the user's data) is passed on, so errors name the
    user's row.

    Returns (args, levels, n_dropped): ``levels[name]`` are the labels of grouping
    ``name``.
    """
    check_na_action(na_action)
    cols, kinds = {}, {}
    for name, (x, kind) in spec.items():
        if x is None or kind == "raw":
            cols[name], kinds[name] = x, "raw"
        elif kind == "group":
            cols[name], kinds[name] = grouping(x, name, data), "group"
        else:
            cols[name], kinds[name] = floats(x, name, data), "num"
    extra = dict(extra or {})
    n_dropped = 0
    first = next((v for k, v in cols.items() if kinds[k] == "num"), None)
    if na_action == "drop" and first is not None:
        n = len(first)
        keep = np.ones(n, dtype=bool)
        for k, v in list(cols.items()) + [(k, v) for k, v in extra.items()]:
            for a in (v if kinds.get(k) == "group" else [v] if kinds.get(k, "num") == "num" else []):
                if a is not None and len(a) == n:
                    keep &= ~missing(a)
        n_dropped = int((~keep).sum())
        if n_dropped:
            for k, v in cols.items():
                if kinds[k] == "num" and len(v) == n:
                    cols[k] = np.ascontiguousarray(v[keep])
                elif kinds[k] == "group":
                    cols[k] = [a[keep] if len(a) == n else a for a in v]
            extra = {k: (np.ascontiguousarray(v[keep]) if len(v) == n else v) for k, v in extra.items()}
            cols["rows"], kinds["rows"] = np.flatnonzero(keep).astype(np.float64), "num"
    args, levels = {}, {}
    first = next((v for k, v in cols.items() if kinds[k] == "num"), None)  # after dropping
    n = len(first) if first is not None else None
    for k, v in cols.items():
        if kinds[k] == "group":
            c, lev = codes(v, k, n if n is not None else len(v[0]))
            args[k] = (c, [str(x) for x in lev])
            levels[k] = lev
        else:
            args[k] = v
    args.update(extra)
    return args, levels, n_dropped


def test(d):
    """(statistic, df, p_value) of the core's test record (None stays None)."""
    return None if d is None else (float(d["statistic"]), int(d["df"]), float(d["p_value"]))


# how a record's entries become attributes (the rest are kept as they are)
_CONVERT = {**dict.fromkeys(("strata_levels", "stratum_levels", "covariates", "warnings"), list),
            **dict.fromkeys(("score_test", "wald_test", "lr_test", "robust_score_test"), test),
            "aliased": lambda v: np.asarray(v, dtype=bool),
            "loglik": lambda v: v if v is None or np.ndim(v) == 0 else tuple(v)}


class Result:
    """Base of the result objects: the core's record (and fit handle, if any) and its
    entries ``_fields`` as attributes (tests as (statistic, df, p_value), ``loglik`` as
    (null, final), lists of names as lists) and ``_matrices`` as float64 arrays."""

    _fields, _matrices = (), ()

    def __init__(self, res, fit=None):
        self._res, self._fit = res, fit
        for k in self._fields:
            setattr(self, k, _CONVERT.get(k, lambda v: v)(res[k]))
        for k in self._matrices:
            setattr(self, k, np.asarray(res[k], dtype=np.float64))


class Fitted(Result):
    """Base of the regression results: a :class:`Result` with ``names``, the design of
    its covariates, the coefficient table and the repr's common lines."""

    def __init__(self, res, fit, design, n_dropped):
        super().__init__(res, fit)
        self.names = list(res["names"])
        self._design, self.n_dropped = design, n_dropped

    def _coef_table(self, conf_level):
        """The core's coefficient table indexed by term: the fit's own at its level, else
        made by the fit at ``conf_level``."""
        if conf_level is None or conf_level == self.conf_level:
            tab = self._res["table"]
        else:
            tab = self._fit.call("coef_table", {"conf_level": conf_level})
        return tab.set_index("term")

    def _counts(self, events="events", spec=None):
        """The repr's line of counts: rows, events and rows dropped."""
        n_event = _format.number(self.n_event) if spec is None else format(self.n_event, spec)
        dropped = f", {self.n_dropped} rows with missing values dropped" if self.n_dropped else ""
        return f"n = {self.n}, {events} = {n_event}{dropped}"

    def _unconverged(self):
        """The repr's warning line of a fit that did not converge (none if it did)."""
        return [] if self.converged else [f"Warning: did not converge in {self.iterations} iterations"]


__all__ = ["call", "resolve", "check_na_action", "column", "floats", "test", "Result", "Fitted"]
