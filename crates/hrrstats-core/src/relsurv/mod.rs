//! Relative and net survival for cancer registries: population rate tables and the
//! Pohar-Perme, Ederer II, Ederer I and Hakulinen estimators.

pub mod net;
pub mod ratetable;

pub use net::{
    NetCurve, NetMethod, NetSurvival, NetSurvivalData, NetSurvivalFit, NetSurvivalParams,
};
pub use ratetable::{Dimension, RateTable};
