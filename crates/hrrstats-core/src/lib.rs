//! # hrrstats-core
//!
//! The pure-Rust core of hrrstats: validated data types, estimators and their
//! numerical kernels. It knows nothing of Python or R; the bindings convert arguments,
//! call this crate and wrap its results.
//!
//! Every method follows the same shape: a parameter struct with builder methods,
//! validated once, then `fit(&data) -> Result<Fit>`, where `data` is a validated
//! input type such as [`SurvivalData`].

pub mod api;
pub mod competing;
pub mod data;
pub mod design;
pub mod designs;
pub mod drugs;
pub(crate) mod dist;
pub mod error;
pub mod glm;
pub mod inference;
pub mod interrupt;
pub(crate) mod linalg;
pub(crate) mod newton;
pub mod options;
pub mod par;
pub mod person_time;
pub mod progress;
pub mod protocol;
pub mod registry;
pub mod relsurv;
pub mod splines;
pub mod survival;
pub mod trends;

pub use competing::{
    CifCurve, CifVariance, CompetingData, CumInc, CumIncFit, CumIncParams, FineGray, FineGrayFit,
    FineGrayParams, GrayTest,
};
pub use data::{factorize, Covariates, CoxData, SurvivalData};
pub use design::{DesignMatrix, Term};
pub use error::{Error, Result};
pub use glm::{Family, Glm, GlmData, GlmFit, GlmParams, GlmPrediction, GlmResidual, Link, Robust};
pub use person_time::{
    crude_rates, cut_lexis, direct_standardize, rate_differences, rate_ratios, sir,
    standard_population, CrudeRateTable, CutRows, Homogeneity, LexisData, LexisSplit,
    PersonTimeTable, RateComparison, SirTable, SplitRows, StandardPopulation, StandardizedRates,
};
pub use relsurv::{
    crude_probabilities, crude_probabilities_by_stratum, days_since_1960, excess_hazard_glm,
    excess_hazard_ml, net_survival_test, Dimension, ExcessHazardFit, IntervalMethod,
    IntervalSurvival, IntervalSurvivalFit, IntervalTable, LifeTableData, NetMethod, NetSurvival,
    NetSurvivalData, NetSurvivalFit, NetSurvivalTest, PpWeight, RateTable,
};
pub use survival::cox::{
    BaselineHazard, Convergence, CoxPh, CoxPhFit, CoxPhParams, CoxResidual, CoxPredictType,
    Schoenfeld, TestResult, Ties,
    ZphTest, ZphTransform,
};
pub use survival::km::{
    ConfType, KaplanMeier, KaplanMeierFit, KaplanMeierParams, Quantile, SurvivalAt, Variance,
};
pub use survival::logrank::{LogrankTest, LogrankTestParams};
