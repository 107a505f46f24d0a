"""Design matrices for the Python layer: covariates from arrays or DataFrames.

Numeric and boolean columns are used as they are; categorical columns (pandas
Categorical, strings/objects, polars String/Categorical) are dummy-coded with the
first level as reference, named ``<column><level>`` as R's ``model.matrix`` names
them. The encoding is remembered so ``predict`` can apply it to new data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ._convert import column, missing


def _is_frame(x):
    return hasattr(x, "columns") and not isinstance(x, np.ndarray)


def _frame_columns(frame):
    return [str(c) for c in frame.columns]


def raw_columns(covariates, data):
    """(name, raw 1-D array) pairs from every accepted covariate form."""
    if isinstance(covariates, str):
        covariates = [covariates]
    if isinstance(covariates, (list, tuple)) and covariates and all(isinstance(c, str) for c in covariates):
        if data is None:
            raise TypeError("argument `covariates`: column names need data=")
        return [(c, column(c, "covariates", data, categorical=True)) for c in covariates]
    if _is_frame(covariates):
        return [(c, column(covariates[c], "covariates", categorical=True)) for c in _frame_columns(covariates)]
    if isinstance(covariates, pd.Series):
        return [(str(covariates.name or "x0"), column(covariates, "covariates", categorical=True))]
    arr = np.asarray(covariates)
    if arr.ndim == 1:
        return [("x0", arr)]
    if arr.ndim != 2:
        raise ValueError(f"argument `covariates` must be 1-D or 2-D, got shape {arr.shape}")
    return [(f"x{j}", arr[:, j]) for j in range(arr.shape[1])]


def _is_categorical(a):
    return isinstance(a, pd.Categorical) or a.dtype == object or a.dtype.kind in "USO"


class Design:
    """The encoding of a set of covariates: per input column, numeric or its levels."""

    def __init__(self, spec):
        self.spec = spec  # list of (name, levels or None)

    @property
    def names(self):
        out = []
        for name, levels in self.spec:
            out.extend([name] if levels is None else [f"{name}{lev}" for lev in levels[1:]])
        return out

    @classmethod
    def build(cls, raw, n):
        """Encode (name, array) pairs from :func:`raw_columns`; returns (Design, list of
        float64 columns)."""
        spec, cols = [], []
        for name, a in raw:
            if len(a) != n:
                raise ValueError(f"argument `covariates`, column `{name}` has length {len(a)} but `time` has length {n}")
            if _is_categorical(a):
                cat = a if isinstance(a, pd.Categorical) else pd.Categorical(a)
                cat = cat.remove_unused_categories()
                levels = list(cat.categories)
                _check_missing(name, a)
                spec.append((name, levels))
                cols.extend(_dummies(cat, levels))
            else:
                spec.append((name, None))
                cols.append(np.ascontiguousarray(a, dtype=np.float64))
        return cls(spec), cols

    def apply(self, covariates, data, n=None):
        """Encode new data the same way (for predict)."""
        raw = dict(raw_columns(covariates, data))
        cols = []
        for name, levels in self.spec:
            if name not in raw:
                raise ValueError(f"argument `covariates`: column `{name}` of the model is missing")
            a = raw[name]
            if levels is None:
                cols.append(np.ascontiguousarray(a, dtype=np.float64))
            else:
                _check_missing(name, a)
                cat = pd.Categorical(np.asarray(a, dtype=object) if not isinstance(a, pd.Categorical) else a.astype(object),
                                     categories=levels)
                unknown = np.asarray(cat.codes) == -1
                if unknown.any():
                    row = int(np.flatnonzero(unknown)[0])
                    raise ValueError(f"argument `covariates`, column `{name}`: level {np.asarray(a, dtype=object)[row]!r} "
                                     f"at row {row} was not in the fitted data")
                cols.extend(_dummies(cat, levels))
        return cols


def _check_missing(name, a):
    miss = missing(np.asarray(a, dtype=object) if isinstance(a, pd.Categorical) else a)
    if miss.any():
        row = int(np.flatnonzero(miss)[0])
        raise ValueError(f"argument `covariates`, column `{name}`: missing value at row {row}")


def _dummies(cat, levels):
    codes = np.asarray(cat.codes)
    return [np.ascontiguousarray((codes == k).astype(np.float64)) for k in range(1, len(levels))]
