//! Distribution helpers (thin wrappers over statrs).

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Standard normal quantile.
pub(crate) fn qnorm(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Upper tail of the chi-square distribution, `P(X > x)`; with `df = 0` the
/// distribution is a point mass at zero, as R's `pchisq(x, 0, lower.tail = FALSE)`.
pub(crate) fn pchisq_upper(x: f64, df: usize) -> f64 {
    if df == 0 {
        return 0.0;
    }
    ChiSquared::new(df as f64).map(|d| d.sf(x)).unwrap_or(f64::NAN)
}
