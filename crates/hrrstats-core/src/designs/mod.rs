//! Registry study designs: Rubin's rules for multiply imputed data (`pool`),
//! conditional logistic regression for matched sets (`clogit`) and incidence-density
//! (risk-set) sampling of nested case–control studies (`ncc`).

pub mod cch;
pub mod clogit;
pub mod ncc;
pub mod pool;
