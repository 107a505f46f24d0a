//! Registry study designs: Rubin's rules for multiply imputed data (`pool`),
//! conditional logistic regression for matched sets (`clogit`), incidence-density
//! (risk-set) sampling of nested case–control studies (`ncc`) and case–cohort Cox
//! regression (`cch`, as `survival::cch`).

pub mod cch;
pub mod clogit;
pub mod ncc;
pub mod pool;
