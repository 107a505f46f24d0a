"""The embedded example data."""
from __future__ import annotations

from ._protocol import call

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (not evaluated at run time)
    import pandas as pd


def example_cohort() -> pd.DataFrame:
    """A synthetic, registry-like cancer cohort (20,000 persons; deterministic).

    Returns
    -------
    pandas.DataFrame
        Columns: id, sex (1 male, 2 female), age (at diagnosis), year (of diagnosis,
        decimal), stage (1-4), region (health region name), time (days of follow-up),
        status (1 died, 0 censored). Deaths follow the population mortality of
        :func:`example_ratetable` plus a stage-dependent excess hazard.

    Examples
    --------
    >>> import hrrstats as hs
    >>> df = hs.example_cohort()
    >>> df.shape
    (20000, 8)
    >>> list(df.columns)
    ['id', 'sex', 'age', 'year', 'stage', 'region', 'time', 'status']
    """
    return call("example_cohort", {})[0]


def example_ratetable() -> pd.DataFrame:
    """The population mortality behind the example cohort (synthetic), as a long table.

    Hazards per DAY by age (0-110, one-year bands), calendar year (1990-2025) and sex
    (1 male, 2 female), ready for ``RateTable.from_frame(..., time_unit="days")`` (as a
    ``survival`` / ``relsurv`` ratetable such as ``survexp.us``).

    Returns
    -------
    pandas.DataFrame
        Columns: age (years, lower end of the band), year (calendar year), sex (1, 2),
        rate (hazard per day).

    See Also
    --------
    RateTable.from_frame, net_survival, example_cohort

    Examples
    --------
    >>> import hrrstats as hs
    >>> rt = hs.example_ratetable()
    >>> list(rt.columns), len(rt)
    (['age', 'year', 'sex', 'rate'], 7992)
    >>> table = hs.RateTable.from_frame(rt, age="age", year="year", sex="sex", rate="rate",
    ...                                 time_unit="days")
    """
    return call("example_ratetable", {})[0]
