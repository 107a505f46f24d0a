"""Design matrices for the Python layer: covariates from arrays or DataFrames.

Numeric and boolean columns are used as they are; categorical columns (pandas
Categorical, strings/objects, polars String/Categorical) are dummy-coded with the
first level as reference, named ``<column><level>`` as R's ``model.matrix`` names
them. The encoding is remembered so ``predict`` can apply it to new data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import _check_not_datetime, column, missing
from ._protocol import call, resolve


def resolve_design(spec, covariates, data, na_action, optional=False):
    """Resolve the columns of ``spec`` (as :func:`_protocol.resolve`; its first entry
    gives the number of rows) and encode the covariates; with na_action="drop" a missing
    covariate value drops its row too. Returns (args with ``covariates``, grouping
    levels, n_dropped, Design); with ``optional`` and no covariates, args without
    ``covariates`` and Design None."""
    if optional and covariates is None:
        return (*resolve(spec, data, na_action), None)
    raw = raw_columns(covariates, data)
    # covariate columns take part in dropping rows with missing values (as NaN markers)
    marks = {f"\x00{i}": np.where(missing(a), np.nan, 0.0) for i, (_, a) in enumerate(raw)}
    args, levels, n_dropped = resolve(spec, data, na_action, extra=marks)
    for k in marks:
        args.pop(k)
    kept = args.get("rows")
    if kept is not None:
        rows = kept.astype(np.intp)
        raw = [(name, a if len(a) != len(kept) + n_dropped else a[rows]) for name, a in raw]
    design, xcols = Design.build(raw, len(args[next(iter(spec))]))
    args["covariates"] = dict(zip(design.names, xcols))
    return args, levels, n_dropped, design


def _is_frame(x):
    return hasattr(x, "columns") and not isinstance(x, np.ndarray)


def raw_columns(covariates, data):
    """(name, raw 1-D array) pairs from every accepted covariate form."""
    if covariates is None or (isinstance(covariates, (list, tuple)) and len(covariates) == 0):
        return []
    if isinstance(covariates, str):
        covariates = [covariates]
    if isinstance(covariates, (list, tuple)) and covariates and all(isinstance(c, str) for c in covariates):
        if data is None:
            raise TypeError("argument `covariates`: column names need data=")
        return [(c, column(c, "covariates", data, categorical=True)) for c in covariates]
    if _is_frame(covariates):
        names = [str(c) for c in covariates.columns]
        return [(c, column(covariates[c], "covariates", categorical=True)) for c in names]
    if isinstance(covariates, pd.Series):
        return [(str(covariates.name or "x0"), column(covariates, "covariates", categorical=True))]
    arr = np.asarray(covariates)
    _check_not_datetime(arr, "covariates", None)
    if arr.ndim == 1:
        return [("x0", arr)]
    if arr.ndim != 2:
        raise ValueError(f"argument `covariates` must be 1-D or 2-D, got shape {arr.shape}")
    return [(f"x{j}", arr[:, j]) for j in range(arr.shape[1])]


def _is_categorical(a):
    return isinstance(a, pd.Categorical) or a.dtype == object or a.dtype.kind in "USO"


class Design:
    """The encoding of a set of covariates: per input column, numeric or its levels.

    The model matrix itself is built by the core (method ``design_matrix``: treatment
    contrasts, R-style names); this class only turns labels into codes and remembers
    the levels for new data.
    """

    def __init__(self, spec, names):
        self.spec = spec  # list of (name, levels or None)
        self.names = names

    @classmethod
    def build(cls, raw, n):
        """Encode (name, array) pairs from :func:`raw_columns`; returns (Design, list of
        float64 columns)."""
        terms = []
        for name, a in raw:
            if len(a) != n:
                raise ValueError(f"argument `covariates`, column `{name}` has length {len(a)} but `time` has length {n}")
            if _is_categorical(a):
                _check_missing(name, a)
                cat = a if isinstance(a, pd.Categorical) else pd.Categorical(a)
                terms.append(("factor", name, np.ascontiguousarray(cat.codes, dtype=np.uint32),
                              [str(c) for c in cat.categories], list(cat.categories)))
            else:
                terms.append(("numeric", name, np.ascontiguousarray(a, dtype=np.float64)))
        names, cols, kept = _design_matrix(terms, n, True)
        spec = []
        for t in terms:
            if t[0] == "numeric":
                spec.append((t[1], None))
            else:  # keep the original category objects of the used levels
                labels = dict(zip(t[3], t[4]))
                spec.append((t[1], [labels[s] for s in kept[t[1]]]))
        return cls(spec, names), [terms[c][2] if isinstance(c, int) else c for c in cols]

    def apply(self, covariates, data, n=None):
        """Encode new data the same way (for predict)."""
        raw = dict(raw_columns(covariates, data))
        terms = []
        for name, levels in self.spec:
            if name not in raw:
                raise ValueError(f"argument `covariates`: column `{name}` of the model is missing")
            a = raw[name]
            if levels is None:
                terms.append(("numeric", name, np.ascontiguousarray(a, dtype=np.float64)))
            else:
                _check_missing(name, a)
                values = np.asarray(a, dtype=object)
                # codes among the fitted (used) levels; -1: a level the fit did not have
                # (pd.Categorical(values, categories=...) with such values is deprecated)
                codes = pd.Index(levels, dtype=object).get_indexer(values)
                unknown = codes == -1
                if unknown.any():
                    row = int(np.flatnonzero(unknown)[0])
                    raise ValueError(f"argument `covariates`, column `{name}`: level {values[row]!r} "
                                     f"at row {row} was not in the fitted data")
                terms.append(("factor", name, np.ascontiguousarray(codes, dtype=np.uint32), [str(c) for c in levels]))
        m = len(terms[0][2]) if terms else 0
        names, cols, _ = _design_matrix(terms, m, False)
        if names != self.names:
            raise ValueError(f"argument `covariates`: new data give columns {names}, the model has {self.names}")
        return [terms[c][2] if isinstance(c, int) else c for c in cols]


def _design_matrix(terms, n, drop_unused):
    """The core's model matrix of ("numeric", name, values) and ("factor", name, codes,
    levels) terms: (names, columns, levels kept per factor); a numeric term's column is
    an int (the term's index: its values are used as they are, not copied)."""
    covs = {t[1]: (t[2] if t[0] == "numeric" else (t[2], list(t[3]))) for t in terms}
    if len(covs) != len(terms):
        raise ValueError("argument `covariates`: column names must be unique")
    r, _ = call("design_matrix", {"covariates": covs, "n": n, "drop_unused": drop_unused})
    cols = [int(t) if c is None else c for t, c in zip(r["term"], r["columns"])]
    return list(r["names"]), cols, {k: list(v) for k, v in r["factor_levels"].items()}


def _check_missing(name, a):
    miss = missing(np.asarray(a, dtype=object) if isinstance(a, pd.Categorical) else a)
    if miss.any():
        row = int(np.flatnonzero(miss)[0])
        raise ValueError(f"argument `covariates`, column `{name}`: missing value at row {row}")
