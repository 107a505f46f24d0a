//! Survival analysis: Kaplan–Meier, Nelson–Aalen and the log-rank family of tests.

pub mod concordance;
pub mod cox;
pub mod km;
pub mod logrank;
pub mod logrank_parts;
pub mod flexible;
pub mod parametric;
pub(crate) mod order;

pub use km::{
    ConfType, KaplanMeier, KaplanMeierFit, KaplanMeierParams, Quantile, SurvivalAt, Variance,
};
pub use logrank::{LogrankTest, LogrankTestParams};
