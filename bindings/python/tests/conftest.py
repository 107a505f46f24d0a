import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(os.environ.get("HRRSTATS_FIXTURES", Path(__file__).resolve().parents[3] / "tests" / "reference" / "fixtures"))
RTOL = 1e-8   # the foundation issue's tolerance, relative
ATOL = 1e-14  # floor for values that are exactly zero in one implementation


def _path(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.fail(f"missing reference fixture {path}; run Rscript tests/reference/generate.R")
    return path


def fixture(name):
    """A numeric fixture table ("NA" is missing)."""
    # pandas < 3 needs round_trip for exact doubles; pandas >= 3 parses exactly by default
    # and deprecates the argument.
    extra = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
    return pd.read_csv(_path(name), na_values=["NA"], keep_default_na=False, **extra)


def manifest(name):
    """A manifest of cases as a list of dicts of strings; empty fields become None."""
    with open(_path(name), newline="") as f:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]


def num(df, col):
    return df[col].to_numpy(dtype=float)


def assert_close(what, ours, theirs, rtol=RTOL):
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs anchor {theirs.shape}"
    both_nan = np.isnan(ours) & np.isnan(theirs)
    same_inf = np.isinf(theirs) & (ours == theirs)
    with np.errstate(invalid="ignore"):
        ok = both_nan | same_inf | (np.abs(ours - theirs) <= rtol * np.abs(theirs) + ATOL)
    bad = np.flatnonzero(~ok)
    assert bad.size == 0, f"{what}[{bad[0]}]: ours {ours[bad[0]]!r}, anchor {theirs[bad[0]]!r}"
