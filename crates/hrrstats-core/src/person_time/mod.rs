//! Person-time on the Lexis diagram: splitting follow-up by time scales and at
//! individual dates, tabulating person-time and transitions, and rates (crude, compared,
//! directly and indirectly standardised).

pub mod cut;
pub mod lexis;
pub mod rates;
pub mod standard;

pub use cut::{cut_lexis, CutRows};
pub use lexis::{LexisData, LexisSplit, PersonTimeTable, SplitRows};
pub use rates::{
    crude_rates, direct_standardize, direct_standardize_labelled, poisson_limits, rate_differences,
    rate_ratios, sir, sir_labelled, Comparison, CrudeRateTable, Homogeneity, RateComparison,
    SirTable, StandardizedRates,
};
pub use standard::{
    standard_population, standard_population_arg, PooledAges, StandardName, StandardPopulation,
    STANDARD_POPULATIONS,
};
