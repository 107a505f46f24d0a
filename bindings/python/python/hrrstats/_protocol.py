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


__all__ = ["call", "resolve", "check_na_action", "column", "floats"]
