//! Rubin's rules for `m` multiply imputed analyses, as `mice::pool` / `mice::pool.scalar`.
//!
//! For one parameter with estimates `Q_1..Q_m` and their variances `U_1..U_m`:
//! `qbar = mean(Q)`, `ubar = mean(U)` (within), `b = var(Q)` (between, divisor `m - 1`),
//! `t = ubar + (1 + 1/m) b` (total); the relative increase in variance
//! `riv = (1 + 1/m) b / ubar`, the proportion of variance due to missingness
//! `lambda = (1 + 1/m) b / t`, the degrees of freedom of Barnard and Rubin (1999)
//! `df = df_old df_obs / (df_old + df_obs)` with `df_old = (m - 1) / lambda²`
//! (`lambda` floored at 1e-4 as mice) and
//! `df_obs = (df_com + 1) / (df_com + 3) df_com (1 - lambda)` — Rubin's (1987)
//! `df_old` when the complete-data degrees of freedom `df_com` are infinite —, and the
//! fraction of missing information `fmi = (riv + 2 / (df + 3)) / (riv + 1)`. The Wald
//! statistic `qbar / sqrt(t)` is referred to Student's t on `df`.
//!
//! References: Rubin DB (1987) *Multiple Imputation for Nonresponse in Surveys*, Wiley;
//! Barnard J, Rubin DB (1999) Biometrika 86:948–955; van Buuren S,
//! Groothuis-Oudshoorn K (2011) mice, J Stat Softw 45(3).

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::{Error, Result};

/// Rubin's rules for one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pooled {
    pub m: usize,
    pub estimate: f64,
    pub ubar: f64,
    pub b: f64,
    pub t: f64,
    pub df_complete: f64,
    pub df: f64,
    pub riv: f64,
    pub lambda: f64,
    pub fmi: f64,
    pub se: f64,
    pub statistic: f64,
    pub p_value: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Barnard–Rubin degrees of freedom, as `mice:::barnard.rubin`.
pub fn barnard_rubin(m: usize, b: f64, t: f64, df_complete: f64) -> f64 {
    let mut lambda = (1.0 + 1.0 / m as f64) * b / t;
    if lambda < 1e-4 {
        lambda = 1e-4;
    }
    let df_old = (m as f64 - 1.0) / (lambda * lambda);
    if df_complete.is_infinite() {
        return df_old;
    }
    let df_obs = (df_complete + 1.0) / (df_complete + 3.0) * df_complete * (1.0 - lambda);
    df_old * df_obs / (df_old + df_obs)
}

/// Check the common arguments: `m >= 2` imputations, finite estimates, positive finite
/// variances, `df_complete` positive (infinite allowed), a confidence level in (0, 1).
fn check(q: &[f64], u: &[f64], df_complete: f64) -> Result<()> {
    if q.len() < 2 {
        return Err(Error::InvalidArgument {
            arg: "estimates",
            reason: format!(
                "Rubin's rules need estimates from at least 2 imputations, got {}",
                q.len()
            ),
        });
    }
    if u.len() != q.len() {
        return Err(Error::LengthMismatch {
            arg: "variances",
            len: u.len(),
            expected_arg: "estimates",
            expected: q.len(),
        });
    }
    crate::data::check_finite("estimates", q)?;
    for (row, &v) in u.iter().enumerate() {
        if !(v.is_finite() && v > 0.0) {
            return Err(Error::InvalidValue {
                arg: "variances",
                row,
                value: v,
                problem: if v.is_nan() {
                    "missing value (NaN)"
                } else {
                    "a variance must be positive and finite"
                },
            });
        }
    }
    if df_complete.is_nan() || df_complete <= 0.0 {
        return Err(Error::InvalidArgument {
            arg: "df_complete",
            reason: format!("must be positive (Inf for large samples), got {df_complete}"),
        });
    }
    Ok(())
}

/// Pool one parameter's `m` estimates `q` and variances `u` (`df_complete`: the
/// complete-data degrees of freedom, infinite for Rubin's 1987 df; `conf_level` of the
/// t-based limits).
pub fn pool_scalar(q: &[f64], u: &[f64], df_complete: f64, conf_level: f64) -> Result<Pooled> {
    check(q, u, df_complete)?;
    crate::data::check_conf_level(conf_level)?;
    let m = q.len();
    let mf = m as f64;
    let estimate = q.iter().sum::<f64>() / mf;
    let ubar = u.iter().sum::<f64>() / mf;
    let b = q.iter().map(|x| (x - estimate) * (x - estimate)).sum::<f64>() / (mf - 1.0);
    let t = ubar + (1.0 + 1.0 / mf) * b;
    let riv = (1.0 + 1.0 / mf) * b / ubar;
    let lambda = (1.0 + 1.0 / mf) * b / t;
    let df = barnard_rubin(m, b, t, df_complete);
    let fmi = (riv + 2.0 / (df + 3.0)) / (riv + 1.0);
    if !(t.is_finite() && df.is_finite() && fmi.is_finite()) {
        return Err(Error::Data {
            arg: "estimates",
            reason: "the estimates or variances are too large to pool (the total variance \
                     overflows); rescale them"
                .into(),
        });
    }
    let se = t.sqrt();
    let statistic = estimate / se;
    // mice::summary.mipo refers the statistic to t on pmax(df, 0.001).
    let (p_value, qt) = t_tests(statistic, df.max(0.001), 0.5 + conf_level / 2.0)?;
    Ok(Pooled {
        m,
        estimate,
        ubar,
        b,
        t,
        df_complete,
        df,
        riv,
        lambda,
        fmi,
        se,
        statistic,
        p_value,
        lower: estimate - qt * se,
        upper: estimate + qt * se,
    })
}

/// Degrees of freedom above which Student's t is computed from its expansion about the
/// normal (error O(df^-3), below 1e-15 here); the general routines are slow there and
/// lose digits (statrs evaluates the beta function at df / (df + x^2), near 1) (the
/// df of a parameter whose estimates agree across imputations is (m - 1) 1e8).
const LARGE_DF: f64 = 1e5;

/// The two-sided p-value of `x` and the quantile at `prob` of Student's t on `df`.
fn t_tests(x: f64, df: f64, prob: f64) -> Result<(f64, f64)> {
    use crate::dist::{pnorm, qnorm};
    if df > LARGE_DF {
        // P(T > x) = Q(x) + phi(x) [(x^3 + x) / (4 df) + (3x^7 - 7x^5 - 5x^3 - 3x) / (96 df^2)];
        // the quantile by Cornish-Fisher (Abramowitz & Stegun 26.7.5).
        let a = x.abs();
        let phi = (-0.5 * a * a).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let corr = (a.powi(3) + a) / (4.0 * df)
            + (3.0 * a.powi(7) - 7.0 * a.powi(5) - 5.0 * a.powi(3) - 3.0 * a) / (96.0 * df * df);
        let p = (2.0 * (pnorm(-a) + phi * corr)).min(1.0);
        let z = qnorm(prob);
        let g1 = (z.powi(3) + z) / 4.0;
        let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
        let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
        return Ok((p, z + g1 / df + g2 / (df * df) + g3 / (df * df * df)));
    }
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|e| Error::Data {
        arg: "estimates",
        reason: format!("no t distribution on {df} degrees of freedom: {e}"),
    })?;
    Ok((2.0 * dist.sf(x.abs()), dist.inverse_cdf(prob)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_scalar_by_hand() {
        // Q = 1, 2, 3; U = 1: qbar 2, ubar 1, b 1, t 1 + 4/3.
        let p = pool_scalar(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], f64::INFINITY, 0.95).unwrap();
        assert_eq!(p.estimate, 2.0);
        assert!((p.t - (1.0 + 4.0 / 3.0)).abs() < 1e-15);
        let lambda = (4.0 / 3.0) / (7.0 / 3.0);
        assert!((p.df - 2.0 / (lambda * lambda)).abs() < 1e-12);
        assert!(pool_scalar(&[1.0], &[1.0], f64::INFINITY, 0.95).is_err());
        assert!(pool_scalar(&[1.0, 2.0], &[1.0, 0.0], f64::INFINITY, 0.95).is_err());
        // Equal estimates: b = 0, df = (m - 1) 1e8 (mice's floor on lambda); t ~ normal.
        let p = pool_scalar(&[1.0, 1.0, 1.0], &[0.25, 0.25, 0.25], f64::INFINITY, 0.95).unwrap();
        assert!((p.df - 2e8).abs() < 1e-3);
        // R: 2 * pt(-2, 2e8) = 0.0455002652461327, qt(0.975, 2e8) = 1.95996399640141
        assert!((p.p_value / 0.0455002652461327 - 1.0).abs() < 1e-12, "{}", p.p_value);
        assert!((p.upper - (1.0 + 1.95996399640141 * 0.5)).abs() < 1e-13, "{}", p.upper);
        // df 783752 through the general routine (R: p 0.0435514228408243, upper
        // limit 1.99076717913958).
        let p = pool_scalar(&[1.0, 1.03, 1.0], &[0.25, 0.25, 0.25], f64::INFINITY, 0.95).unwrap();
        assert!((p.df / 783751.999999997 - 1.0).abs() < 1e-12, "{}", p.df);
        assert!((p.p_value / 0.0435514228408243 - 1.0).abs() < 1e-10, "{}", p.p_value);
        assert!((p.upper / 1.99076717913958 - 1.0).abs() < 1e-12, "{}", p.upper);
        // The general routine below 1e5 df (R: df, p, upper limit).
        for (d, df, pv, up) in [
            (0.1, 6555.1249999999782, 0.040547086354568378, 2.0221704839704882),
            (0.2, 453.75781250000057, 0.039843454115138191, 2.0836065928158827),
            (0.35, 62.537276134943731, 0.047267606130871109, 2.2194404134563772),
        ] {
            let p = pool_scalar(&[1.0, 1.0 + d, 1.0], &[0.25, 0.25, 0.25], f64::INFINITY, 0.95).unwrap();
            assert!((p.df / df - 1.0).abs() < 1e-12, "{}", p.df);
            assert!((p.p_value / pv - 1.0).abs() < 1e-10, "{d}: {}", p.p_value);
            assert!((p.upper / up - 1.0).abs() < 1e-12, "{d}: {}", p.upper);
        }
    }
}
