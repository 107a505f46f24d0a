"""The embedded example data."""
from ._protocol import call


def example_cohort():
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


def example_ratetable():
    """The population mortality behind the example cohort (synthetic): hazards per DAY by
    age (0-110, one-year bands), calendar year (1990-2025) and sex (1 male, 2 female), as
    a long DataFrame for ``RateTable.from_frame(..., time_unit="days")``."""
    return call("example_ratetable", {})[0]
