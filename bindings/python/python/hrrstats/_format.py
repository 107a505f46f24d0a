"""How results print: one formatter for every ``__repr__`` (no statistic here).

p-values as R's ``format.pval`` (below the machine epsilon ``< 2e-16``, not 0), counts
as integers, other numbers to 4 significant digits, test lines aligned.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

EPS = np.finfo(float).eps  # R's .Machine$double.eps, format.pval's default eps


def pvalue(p, digits=3):
    """A p-value as R's ``format.pval(p, digits)``: "<2e-16" below the machine epsilon."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "NA"
    p = float(p)
    if p < EPS:
        return "<2e-16"
    return f"{p:.{digits}g}"


def number(v):
    """A number to 4 significant digits; integers (counts) without decimals."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "NA"
    if isinstance(v, (int, np.integer)) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e15):
        return str(int(v))
    return f"{v:.4g}"


def table(df, columns=None, index=True):
    """A coefficient or test table as text: p-value columns (``p``, ``p_value``) by
    :func:`pvalue`, the rest by :func:`number`."""
    df = df if columns is None else df[columns]
    fmt = {c: (pvalue if c in ("p", "p_value") else number) for c in df.columns
           if pd.api.types.is_numeric_dtype(df[c])}
    return df.to_string(formatters=fmt, index=index)


def tests(rows):
    """Aligned test lines from (name, statistic, df, p) rows."""
    width = max(len(r[0]) for r in rows)
    return [f"{name:<{width}} = {stat:.4g} on {number(df)} df, p = {pvalue(p)}" for name, stat, df, p in rows]
