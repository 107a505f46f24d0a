"""The embedded example cohort."""
import pandas as pd

from . import _hrrstats as _core

_REGIONS = ["South-East", "West", "Central", "North"]


def example_cohort():
    """A synthetic, registry-like cancer cohort (20,000 persons; deterministic).

    Columns: id, sex (1 male, 2 female), age (at diagnosis), year (of diagnosis,
    decimal), stage (1-4), region (health region name), time (days of follow-up),
    status (1 died, 0 censored).
    """
    d = _core.example_cohort()
    df = pd.DataFrame(d)
    df["region"] = pd.Categorical.from_codes(df["region"].astype(int), _REGIONS)
    return df
