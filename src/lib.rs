//! hrrstats: statistics for health-registry research.
//!
//! This facade re-exports the pure-Rust core ([`hrrstats_core`]) and the embedded
//! example data ([`hrrstats_data`]). See the README for the Python and R packages,
//! which are thin bindings over the same core.
pub use hrrstats_core::*;
pub use hrrstats_data as data;
