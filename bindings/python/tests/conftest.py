import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(os.environ.get("HRRSTATS_FIXTURES", Path(__file__).resolve().parents[3] / "tests" / "reference" / "fixtures"))
RTOL = 1e-8   # the foundation issue's tolerance, relative
ATOL = 1e-14  # floor for values that are exactly zero in one implementation


def fixture(name):
    path = FIXTURES / name
    if not path.exists():
        pytest.fail(f"missing reference fixture {path}; run Rscript tests/reference/generate.R")
    return pd.read_csv(path, keep_default_na=False, na_values=["NA"], dtype=str).replace("", None)


def num(df, col):
    return pd.to_numeric(df[col]).to_numpy(dtype=float)


def assert_close(what, ours, theirs):
    ours = np.asarray(ours, dtype=float)
    theirs = np.asarray(theirs, dtype=float)
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} vs anchor {theirs.shape}"
    both_nan = np.isnan(ours) & np.isnan(theirs)
    ok = both_nan | (np.abs(ours - theirs) <= RTOL * np.abs(theirs) + ATOL)
    bad = np.flatnonzero(~ok)
    assert bad.size == 0, f"{what}[{bad[0]}]: ours {ours[bad[0]]!r}, anchor {theirs[bad[0]]!r}"
