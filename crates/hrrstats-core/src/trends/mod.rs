//! Population trends and quality-registry comparisons: period life tables (Chiang) with
//! temporary life expectancy and the Arriaga decomposition, and funnel plots for
//! provider profiling (Spiegelhalter 2005).

pub mod apc;
pub mod funnel;
pub mod life_table;

pub use funnel::{funnel, Funnel, FunnelKind, FunnelParams, Overdispersion};
pub use life_table::{
    arriaga, life_table, temporary_life_expectancy, A0Method, Arriaga, LifeTable, LifeTableMethod,
    LifeTableParams, Sex,
};
pub use life_table::{years_of_life_lost, Yll, YllParams};
pub mod joinpoint;
