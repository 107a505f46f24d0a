//! Distribution helpers (thin wrappers over statrs).

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Standard normal quantile.
pub(crate) fn qnorm(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Upper tail of the chi-square distribution, `P(X > x)`. A test on 0 degrees of
/// freedom tests nothing: its p-value is NaN (NA in R), as survdiff's, not R's
/// `pchisq(x, 0, lower.tail = FALSE) = 0` that reads as overwhelming evidence.
pub(crate) fn pchisq_upper(x: f64, df: usize) -> f64 {
    if df == 0 {
        return f64::NAN;
    }
    ChiSquared::new(df as f64)
        .map(|d| d.sf(x))
        .unwrap_or(f64::NAN)
}

use statrs::function::beta::{beta_reg, inv_beta_reg, ln_beta};
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

/// Standard normal distribution function, `erfc(-x/√2)/2` with libm's erfc (accurate
/// to a few ulps; statrs' erfc is off by ~1e-10 relative in the tails).
pub(crate) fn pnorm(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Two-sided normal p-value `2 P(Z > |z|)` (NaN for NaN).
pub(crate) fn p_normal_two_sided(z: f64) -> f64 {
    libm::erfc(z.abs() / std::f64::consts::SQRT_2)
}

/// Safeguarded Newton inversion of a continuous distribution function on `[lo, hi]`
/// (with `cdf(lo) <= p <= cdf(hi)`), from the guess `x`: a Newton step is taken when
/// it stays inside the bracket, a bisection step otherwise; stops when a step is below
/// a few ulps.
fn invert(
    p: f64,
    cdf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
    mut lo: f64,
    mut hi: f64,
    mut x: f64,
) -> f64 {
    if !(x > lo && x < hi) {
        x = 0.5 * (lo + hi);
    }
    for _ in 0..300 {
        let f = cdf(x) - p;
        if f == 0.0 {
            return x;
        }
        if f < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let mut next = x - f / pdf(x);
        if !(next.is_finite() && next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs()
            || hi - lo <= 4.0 * f64::EPSILON * hi.abs()
        {
            return next;
        }
        x = next;
    }
    x
}

/// From this shape on, the gamma distribution and its quantiles are evaluated by the
/// Wilson–Hilferty cube-root normal approximation, in O(1): its relative error falls as
/// shape^-3/2 (5e-13 of R's qgamma at 1e7, 1.5e-14 at 1e8), while the incomplete-gamma
/// series loses accuracy (4e-12 at 1e7) and takes time growing with sqrt(shape) (seconds
/// at 1e14 events, minutes at 1e16). Checked against R in the tests below.
const LARGE_SHAPE: f64 = 1e7;

/// Wilson–Hilferty `P(X <= x)` for a gamma(shape) variable.
fn pgamma_wh(x: f64, shape: f64) -> f64 {
    let c = 1.0 / (9.0 * shape);
    pnorm(((x / shape).cbrt() - (1.0 - c)) / c.sqrt())
}

/// Regularised lower incomplete gamma `P(shape, x)`.
fn gamma_lower(shape: f64, x: f64) -> f64 {
    if shape >= LARGE_SHAPE {
        pgamma_wh(x, shape)
    } else {
        gamma_lr(shape, x)
    }
}

/// Regularised upper incomplete gamma `Q(shape, x)`.
fn gamma_upper(shape: f64, x: f64) -> f64 {
    if shape >= LARGE_SHAPE {
        1.0 - pgamma_wh(x, shape)
    } else {
        gamma_ur(shape, x)
    }
}

/// Quantile of the gamma distribution with `shape` and unit scale (R's `qgamma(p,
/// shape)`): to a few ulps of the series, Wilson–Hilferty from [`LARGE_SHAPE`] on.
pub(crate) fn qgamma(p: f64, shape: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if shape >= LARGE_SHAPE {
        let c = 1.0 / (9.0 * shape);
        return shape * (1.0 - c + qnorm(p) * c.sqrt()).powi(3);
    }
    let cdf = |x: f64| gamma_lr(shape, x);
    let lg = ln_gamma(shape);
    let pdf = |x: f64| ((shape - 1.0) * x.ln() - x - lg).exp();
    // Wilson–Hilferty start; bracket by doubling.
    let z = qnorm(p);
    let c = 1.0 / (9.0 * shape);
    let x0 = (shape * (1.0 - c + z * c.sqrt()).powi(3)).max(1e-300);
    let mut hi = x0.max(1.0);
    while cdf(hi) < p {
        hi *= 2.0;
    }
    invert(p, cdf, pdf, 0.0, hi, x0)
}

/// Quantile of the beta distribution (R's `qbeta(p, a, b)`), to a few ulps.
pub(crate) fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    // Huge shapes (counts from 1e7 on; statrs' inverse does not return for 1e15):
    // Beta(a, b) as the normal with its mean and variance when both are large, else
    // 1 - Gamma(b)/a (a large) or Gamma(a)/b (b large), to O(1/shape).
    if a >= LARGE_SHAPE && b >= LARGE_SHAPE {
        let (s, m) = (a + b, a / (a + b));
        return (m + qnorm(p) * (a * b / (s * s * (s + 1.0))).sqrt()).clamp(0.0, 1.0);
    }
    if a >= LARGE_SHAPE {
        return 1.0 - qgamma(1.0 - p, b) / (a + (b - 1.0) / 2.0);
    }
    if b >= LARGE_SHAPE {
        return qgamma(p, a) / (b + (a - 1.0) / 2.0);
    }
    let lb = ln_beta(a, b);
    let pdf = |x: f64| ((a - 1.0) * x.ln() + (b - 1.0) * (-x).ln_1p() - lb).exp();
    invert(
        p,
        |x| beta_reg(a, b, x),
        pdf,
        0.0,
        1.0,
        inv_beta_reg(a, b, p),
    )
}

/// Poisson probability `P(X = k)` for mean `m`.
pub(crate) fn dpois(k: f64, m: f64) -> f64 {
    if m == 0.0 {
        return if k == 0.0 { 1.0 } else { 0.0 };
    }
    (k * m.ln() - m - ln_gamma(k + 1.0)).exp()
}

/// Poisson `P(X <= k)`.
pub(crate) fn ppois(k: f64, m: f64) -> f64 {
    if k < 0.0 {
        0.0
    } else {
        gamma_upper(k + 1.0, m)
    }
}

/// Poisson `P(X >= k)`.
pub(crate) fn ppois_ge(k: f64, m: f64) -> f64 {
    if k <= 0.0 {
        1.0
    } else {
        gamma_lower(k, m)
    }
}

/// Binomial probability `P(X = k)`.
pub(crate) fn dbinom(k: f64, n: f64, p: f64) -> f64 {
    if p == 0.0 {
        return if k == 0.0 { 1.0 } else { 0.0 };
    }
    if p == 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    (ln_gamma(n + 1.0) - ln_gamma(k + 1.0) - ln_gamma(n - k + 1.0)
        + k * p.ln()
        + (n - k) * (-p).ln_1p())
    .exp()
}

/// Binomial `P(X <= k)`.
pub(crate) fn pbinom(k: f64, n: f64, p: f64) -> f64 {
    if k < 0.0 {
        0.0
    } else if k >= n {
        1.0
    } else {
        beta_reg(n - k, k + 1.0, 1.0 - p)
    }
}

/// Binomial `P(X >= k)`.
pub(crate) fn pbinom_ge(k: f64, n: f64, p: f64) -> f64 {
    if k <= 0.0 {
        1.0
    } else if k > n {
        0.0
    } else {
        beta_reg(k, n - k + 1.0, p)
    }
}

/// Two-sided exact p-value by R's "minimum likelihood" rule (as `poisson.test` and
/// `binom.test`): the probability of the outcomes no more likely than `x`, with a
/// relative tolerance of 1e-7. `dens` is unimodal with mode near `mean`; outcomes on the
/// far side of the mean are found by bisection (the density is monotone there).
fn two_sided_exact(
    x: f64,
    mean: f64,
    dens: impl Fn(f64) -> f64,
    cdf_le: impl Fn(f64) -> f64,
    cdf_ge: impl Fn(f64) -> f64,
    upper_limit: Option<f64>,
) -> f64 {
    let d = dens(x) * (1.0 + 1e-7);
    if x == mean {
        return 1.0;
    }
    if x < mean {
        // Smallest i >= ceil(mean) with dens(i) <= d (dens decreasing there).
        let mut lo = mean.ceil();
        let mut hi = match upper_limit {
            Some(n) => n + 1.0,
            None => {
                let mut n = (2.0 * mean - x).ceil().max(lo);
                while dens(n) > d {
                    n *= 2.0;
                }
                n
            }
        };
        // invariant: first index in [lo, hi]; hi = n + 1 means none.
        // (beyond 2^53 the integers are not all representable: stop when the bracket
        // no longer shrinks, the answer then good to the spacing of the doubles)
        while lo < hi {
            let mid = ((lo + hi) / 2.0).floor().clamp(lo, hi);
            let (l0, h0) = (lo, hi);
            if dens(mid) <= d {
                hi = mid;
            } else {
                lo = (mid + 1.0).min(hi);
            }
            if (lo, hi) == (l0, h0) {
                break;
            }
        }
        cdf_le(x)
            + if upper_limit.is_some_and(|n| lo > n) {
                0.0
            } else {
                cdf_ge(lo)
            }
    } else {
        // Number y of i in [0, floor(mean)] with dens(i) <= d (dens increasing there):
        // the first i with dens(i) > d.
        let (mut lo, mut hi) = (0.0, mean.floor() + 1.0);
        while lo < hi {
            let mid = ((lo + hi) / 2.0).floor().clamp(lo, hi);
            let (l0, h0) = (lo, hi);
            if dens(mid) > d {
                hi = mid;
            } else {
                lo = (mid + 1.0).min(hi);
            }
            if (lo, hi) == (l0, h0) {
                break;
            }
        }
        cdf_le(lo - 1.0) + cdf_ge(x)
    }
}

/// Two-sided exact Poisson test of `x` events against mean `m` (R's `poisson.test`).
pub(crate) fn poisson_test_p(x: f64, m: f64) -> f64 {
    if m == 0.0 {
        return if x == 0.0 { 1.0 } else { 0.0 };
    }
    two_sided_exact(
        x,
        m,
        |k| dpois(k, m),
        |k| ppois(k, m),
        |k| ppois_ge(k, m),
        None,
    )
}

/// Two-sided exact binomial test of `x` successes in `n` trials against `p` (R's
/// `binom.test`).
pub(crate) fn binom_test_p(x: f64, n: f64, p: f64) -> f64 {
    if p == 0.0 {
        return if x == 0.0 { 1.0 } else { 0.0 };
    }
    if p == 1.0 {
        return if x == n { 1.0 } else { 0.0 };
    }
    let v = two_sided_exact(
        x,
        n * p,
        |k| dbinom(k, n, p),
        |k| pbinom(k, n, p),
        |k| pbinom_ge(k, n, p),
        Some(n),
    );
    v.min(1.0)
}

#[cfg(test)]
mod wh_tests {
    use super::*;

    /// R's qgamma(c(0.025, 0.5, 0.975), shape).
    const R_QGAMMA: [(f64, [f64; 3]); 6] = [
        (1e3, [938.97301840769524, 999.66668642696516, 1062.9211512248878]),
        (1e4, [9804.9524672601838, 9999.6666686420467, 10196.941824999883]),
        (1e5, [99381.152663744724, 99999.666666864199, 100620.74164077373]),
        (1e6, [998040.98334029387, 999999.66666668642, 1001960.9109654503]),
        (1e7, [9993802.9968842678, 9999999.6666666679, 10006198.8974216]),
        (1e8, [99980401.307324737, 99999999.666666672, 100019600.58698115]),
    ];

    #[test]
    fn gamma_quantiles_match_r_for_large_shapes() {
        let mut worst = 0.0f64;
        for (shape, q) in R_QGAMMA {
            for (p, r) in [0.025, 0.5, 0.975].into_iter().zip(q) {
                let ours = qgamma(p, shape);
                let rel = ((ours - r) / r).abs();
                eprintln!("shape {shape:e} p {p}: {ours} vs R {r}: {rel:e}");
                worst = worst.max(rel);
            }
        }
        assert!(worst < 1e-12, "worst {worst:e}");
    }
}
