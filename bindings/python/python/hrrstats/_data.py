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


def example_ratetable():
    """The population mortality behind the example cohort (synthetic): hazards per DAY by
    age (0-110, one-year bands), calendar year (1990-2025) and sex (1 male, 2 female), as
    a long DataFrame for ``RateTable.from_frame(..., time_unit="days")``."""
    return pd.DataFrame(_core.example_ratetable())
