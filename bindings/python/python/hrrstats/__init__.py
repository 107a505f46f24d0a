"""hrrstats: statistics for health-registry research.

A pure-Rust core with a thin Python layer. Results match R's ``survival`` package
to the last digits; see the repository README.

>>> import hrrstats as hs
>>> df = hs.example_cohort()
>>> km = hs.kaplan_meier("time", "status", strata="stage", data=df)
>>> km.median()
  strata  median   lower   upper
0      1  4316.0  4190.0  4570.0
1      2  3639.0  3459.0  3776.0
2      3  1773.0  1652.0  1888.0
3      4   303.0   286.0   319.0

The documentation (user guide, API reference, worked notebooks) is built offline by
``scripts/build-docs.sh`` into ``docs/_build/html``.
"""
from ._hrrstats import __version__
from ._survival import KaplanMeier, LogrankTest, kaplan_meier, logrank_test
from ._cox import CoxPH, cox_ph
from ._parametric import ParametricSurvival, parametric_survival
from ._flexible import FlexibleParametric, flexible_parametric
from ._pool import Pooled, pool
from ._clogit import ConditionalLogistic, conditional_logistic
from ._ncc import nested_case_control
from ._cch import CaseCohort, case_cohort
from ._drugs import adherence, drug_exposure
from ._comorbidity import comorbidity
from ._capture_recapture import CaptureRecapture, capture_recapture
from ._data import example_cohort, example_ratetable
from ._relsurv import (NetSurvival, RateTable, icss_group, crude_probabilities, excess_hazard_model, net_survival,
                       net_survival_test, interval_net_survival, IntervalNetSurvival)
from ._competing import CumulativeIncidence, FineGray, cause_specific_cox, cumulative_incidence, fine_gray
from ._glm import GLM, glm, glm_fit, logistic_glm, negbin_glm, poisson_glm
from ._person_time import (SIR, direct_standardize, lexis_cut, lexis_diagram, lexis_split, person_time_table,
                           plot_rates, rate, rate_difference, rate_ratio, sir, standard_population)
from ._trends import Funnel, LifeTable, funnel, life_table
from ._trends import YearsOfLifeLost, years_of_life_lost
from ._plots import forest_plot
from ._apc import ApcFit, apc_fit
from ._gee import GEE, gee
from ._joinpoint import Joinpoint, joinpoint
from ._sdc import protect_table
from ._progress import progress, set_progress

__all__ = ["kaplan_meier", "logrank_test", "cox_ph", "parametric_survival", "ParametricSurvival",
           "flexible_parametric", "FlexibleParametric", "glm", "glm_fit", "poisson_glm", "logistic_glm", "negbin_glm", "GLM", "KaplanMeier", "LogrankTest", "CoxPH", "example_cohort", "example_ratetable",
           "RateTable", "icss_group", "net_survival", "NetSurvival", "net_survival_test", "excess_hazard_model", "crude_probabilities",
           "interval_net_survival", "IntervalNetSurvival",
           "cumulative_incidence", "fine_gray", "cause_specific_cox", "CumulativeIncidence", "FineGray",
           "lexis_split", "lexis_cut", "person_time_table", "rate", "rate_ratio", "rate_difference",
           "direct_standardize", "sir", "SIR", "standard_population", "lexis_diagram", "plot_rates",
           "life_table", "LifeTable", "funnel", "Funnel", "forest_plot",
           "years_of_life_lost", "YearsOfLifeLost",
           "pool", "Pooled", "conditional_logistic", "ConditionalLogistic", "nested_case_control", "drug_exposure", "adherence", "case_cohort", "CaseCohort",
           "comorbidity", "apc_fit", "ApcFit", "gee", "GEE", "capture_recapture", "CaptureRecapture", "joinpoint", "Joinpoint", "protect_table", "__version__",
           "set_progress", "progress"]
