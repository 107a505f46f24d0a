"""Argument conversion: arrays, pandas/polars Series, lists and column names.

Nothing here computes statistics; it turns what users pass into contiguous float64
(or uint32 code) numpy arrays for the Rust core, and checks what only Python can see
(missing labels in grouping columns, lengths of grouping columns).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import _hrrstats as _core


def _is_datetime(dtype):
    """A date, time or time-difference dtype (numpy, pandas incl. time zones, polars)."""
    if dtype is None:
        return False
    try:
        if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
            return True
    except TypeError:  # a polars dtype
        pass
    return str(dtype).split("(")[0] in ("Date", "Datetime", "Duration", "Time")


def _check_not_datetime(x, name, label):
    """Dates and times are not numbers: as a number a datetime column would silently be
    nanoseconds since 1970. An error naming the argument (and the column)."""
    if _is_datetime(getattr(x, "dtype", None)):
        col = label if label is not None else getattr(x, "name", None)
        where = f"argument `{name}`" + (f", column `{col}`" if col is not None and str(col) != name
                                         else "")
        raise TypeError(f"{where}: dates and times (dtype {x.dtype}) are not numbers; convert "
                        "the column first, e.g. to years since a date")


def column(x, name, data=None, categorical=False, dates=False):
    """Resolve ``x`` (array-like or a column name of ``data``) to a 1-D numpy array
    (with ``categorical``, a pandas categorical column stays a ``pd.Categorical`` so
    its level order is kept). A date/time column is an error unless ``dates`` (calendar
    times and groupings take them)."""
    label = None
    if isinstance(x, str):
        if data is None:
            raise TypeError(f"argument `{name}`: a column name ({x!r}) needs data=")
        label = x
        try:
            x = data[x]
        except Exception as e:  # KeyError, polars ColumnNotFoundError, ...
            raise ValueError(f"argument `{name}`: no column {x!r} in data") from e
    if not dates:
        _check_not_datetime(x, name, label)
    if categorical and isinstance(getattr(x, "dtype", None), pd.CategoricalDtype):
        return pd.Categorical(x)
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):  # pandas / polars Series
        if isinstance(x, pd.Series) and (pd.api.types.is_extension_array_dtype(x.dtype)):
            if pd.api.types.is_numeric_dtype(x.dtype) or pd.api.types.is_bool_dtype(x.dtype):
                return x.to_numpy(dtype="float64", na_value=np.nan)
            return x.to_numpy(dtype=object, na_value=None)
        x = x.to_numpy()
    arr = np.asarray(x)
    if not dates:
        _check_not_datetime(arr, name, label)
    if arr.ndim == 0:
        raise TypeError(f"argument `{name}` must be a 1-D array, Series or list, not a scalar")
    if arr.ndim != 1:
        raise ValueError(f"argument `{name}` must be 1-D, got shape {arr.shape}")
    return arr


def floats(x, name, data=None):
    """A contiguous float64 array (booleans become 0/1)."""
    arr = column(x, name, data)
    if arr.dtype == object:
        try:
            arr = np.array([np.nan if v is None else v for v in arr], dtype=np.float64)
        except (TypeError, ValueError) as e:
            raise TypeError(f"argument `{name}` must be numeric") from e
    elif not (np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_):
        raise TypeError(f"argument `{name}` must be numeric, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.float64)


def grouping(x, name, data=None):
    """Resolve a grouping argument: one column, or a list of column names of ``data``
    (their combinations). Returns a list of 1-D arrays."""
    if isinstance(x, (list, tuple)) and data is not None and len(x) > 0 and all(isinstance(c, str) for c in x) \
            and all(c in _columns(data) for c in x):
        return [column(c, name, data, categorical=True, dates=True) for c in x]
    return [column(x, name, data, categorical=True, dates=True)]


def _columns(data):
    return list(data.columns) if hasattr(data, "columns") else list(data.keys())


def coded(x, name, data, n):
    """One grouping column as the core takes it, (codes, level labels), and its levels."""
    c, levels = codes([column(x, name, data, categorical=True, dates=True)], name, n)
    return (c, [str(v) for v in levels]), levels


def missing(arr):
    """Boolean mask of missing values (NaN, None, pandas NA)."""
    if isinstance(arr, pd.Categorical) or arr.dtype == object:
        return np.asarray(pd.isna(arr))
    if np.issubdtype(arr.dtype, np.floating):
        return np.isnan(arr)
    return np.zeros(arr.shape, dtype=bool)


def codes(arrays, name, n):
    """Factorise labels into uint32 codes in sorted level order (as R's factor()).

    ``arrays`` is a list of columns (see :func:`grouping`); with several, their
    combinations are the levels. Returns (codes, level labels); unused levels are
    absent. Missing labels are an error naming the argument and the row.
    """
    if len(arrays) > 1:  # each column coded on its own, their combinations crossed by the core
        each = [codes([a], name, n) for a in arrays]  # levels made strings by the binding
        crossed, _ = _core.call("cross_factors", {"factors": each})
        return np.ascontiguousarray(crossed["codes"], dtype=np.uint32), list(crossed["levels"])
    a = arrays[0]
    if len(a) != n:
        raise ValueError(f"argument `{name}` has length {len(a)} but `time` has length {n}")
    miss = missing(a)
    if miss.any():
        raise ValueError(f"argument `{name}`: missing value at row {int(np.flatnonzero(miss)[0])}")
    if isinstance(a, pd.Categorical):  # keeps the categorical's own level order
        cat = a.remove_unused_categories()
        return np.ascontiguousarray(cat.codes, dtype=np.uint32), list(cat.categories)
    code, levels = pd.factorize(a, sort=True)  # hash-based, O(n)
    return np.ascontiguousarray(code, dtype=np.uint32), list(levels)
