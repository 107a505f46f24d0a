//! Registry data to analysis variables: comorbidity indices from diagnosis codes.

pub mod comorbidity;
pub mod capture_recapture;
pub mod lp;
pub mod sdc;
