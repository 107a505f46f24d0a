//! Inference shared by every regression and test: one coefficient table, one test
//! result, likelihood-ratio comparisons of nested fits.
//!
//! - Coefficient table (`summary()` in Python and R): for each term `coef`, `exp_coef`
//!   (where a ratio is meaningful: log and logit links, Cox and Fine–Gray), `se`, the
//!   Wald statistic `z = coef / se` (or `t` when the dispersion is estimated, with the
//!   residual degrees of freedom), its two-sided p-value, and Wald limits
//!   `coef ± q se` with `q` the standard normal quantile at `(1 + conf_level) / 2`
//!   (`lower`, `upper`, as `confint.default`), and their exponentials (`exp_lower`,
//!   `exp_upper`). `lower`/`upper` are always on the scale of `coef`, beside it.
//!   Aliased (NA) coefficients give NA in every column.
//! - Test result: a chi-square statistic with its degrees of freedom and upper-tail
//!   p-value.
//! - Likelihood-ratio test of nested fits (R's `anova`): `2 (l_1 - l_0)` on
//!   `p_1 - p_0` degrees of freedom.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::data::check_conf_level;
use crate::dist::{p_normal_two_sided, pchisq_upper, qnorm};
use crate::error::{Error, Result};
use crate::protocol::{Record, Table, Value};

/// A chi-square test: statistic, degrees of freedom, p-value.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TestResult {
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
}

impl TestResult {
    /// The upper-tail chi-square test of `statistic` on `df` degrees of freedom.
    pub fn chisq(statistic: f64, df: usize) -> Self {
        TestResult {
            statistic,
            df,
            p_value: pchisq_upper(statistic, df),
        }
    }
    /// statistic, df, p_value.
    pub fn record(&self) -> Record {
        Record::new()
            .with("statistic", self.statistic)
            .with("df", self.df)
            .with("p_value", self.p_value)
    }
}

/// The reference distribution of the Wald statistic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WaldDist {
    /// `z`, standard normal.
    Normal,
    /// `t` on the given degrees of freedom (estimated dispersion).
    T(f64),
}

/// What a coefficient table shows.
#[derive(Debug, Clone)]
pub struct CoefTable<'a> {
    pub names: &'a [String],
    pub coef: &'a [f64],
    pub se: &'a [f64],
    /// Model-based se shown beside a robust `se`.
    pub naive_se: Option<&'a [f64]>,
    pub dist: WaldDist,
    /// Whether `exp(coef)` is a ratio worth showing (hazard, rate, odds ratios).
    pub exp: bool,
    pub conf_level: f64,
}

impl CoefTable<'_> {
    /// term, coef, [exp_coef], se, [naive_se], z | t, p, lower, upper, [exp_lower, exp_upper].
    pub fn table(&self) -> Result<Table> {
        check_conf_level(self.conf_level)?;
        let p = self.coef.len();
        if self.se.len() != p || self.names.len() != p {
            return Err(Error::InvalidArgument {
                arg: "coef",
                reason: "coefficients, standard errors and names differ in length".into(),
            });
        }
        let q = qnorm(0.5 + self.conf_level / 2.0);
        let stat: Vec<f64> = (0..p).map(|j| self.coef[j] / self.se[j]).collect();
        let tdist = match self.dist {
            WaldDist::T(df) if df > 0.0 => StudentsT::new(0.0, 1.0, df).ok(),
            _ => None,
        };
        let pv: Vec<f64> = stat
            .iter()
            .map(|&z| {
                if z.is_nan() {
                    f64::NAN
                } else {
                    match &tdist {
                        Some(t) => 2.0 * t.sf(z.abs()),
                        None => p_normal_two_sided(z),
                    }
                }
            })
            .collect();
        let lower: Vec<f64> = (0..p).map(|j| self.coef[j] - q * self.se[j]).collect();
        let upper: Vec<f64> = (0..p).map(|j| self.coef[j] + q * self.se[j]).collect();
        let exp = |v: &[f64]| -> Vec<f64> { v.iter().map(|x| x.exp()).collect() };
        let mut t = Table::new().with("term", self.names.to_vec());
        t.push("coef", self.coef);
        if self.exp {
            t.push("exp_coef", exp(self.coef));
        }
        t.push("se", self.se);
        if let Some(n) = self.naive_se {
            t.push("naive_se", n);
        }
        let stat_name = if matches!(self.dist, WaldDist::T(_)) { "t" } else { "z" };
        t.push(stat_name, stat);
        t.push("p", pv);
        if self.exp {
            t.push("exp_lower", exp(&lower));
            t.push("exp_upper", exp(&upper));
        }
        t.push("lower", lower);
        t.push("upper", upper);
        Ok(t)
    }
}

/// Likelihood-ratio test of nested fits, as R's `anova(fit0, fit1)`: each fit given
/// as (log-likelihood, number of estimated parameters), in order of increasing size.
/// Returns a table: model (1-based position), loglik, df (parameters), chisq, test_df,
/// p (NA on the first row).
pub fn lr_anova(fits: &[(f64, usize)]) -> Result<Table> {
    if fits.len() < 2 {
        return Err(Error::InvalidArgument {
            arg: "fits",
            reason: "a likelihood-ratio comparison needs at least two fits".into(),
        });
    }
    let mut chisq = vec![f64::NAN];
    let mut test_df = vec![f64::NAN];
    let mut p = vec![f64::NAN];
    for w in fits.windows(2) {
        let ((l0, k0), (l1, k1)) = (w[0], w[1]);
        if k1 <= k0 {
            return Err(Error::InvalidArgument {
                arg: "fits",
                reason: "fits must be nested, each with more parameters than the one before".into(),
            });
        }
        let t = TestResult::chisq(2.0 * (l1 - l0), k1 - k0);
        chisq.push(t.statistic);
        test_df.push((k1 - k0) as f64);
        p.push(t.p_value);
    }
    Ok(Table::new()
        .with("model", (0..fits.len()).collect::<Vec<usize>>())
        .with("loglik", fits.iter().map(|f| f.0).collect::<Vec<f64>>())
        .with("df", Value::Ints(fits.iter().map(|f| f.1 as i64).collect()))
        .with("chisq", chisq)
        .with("test_df", test_df)
        .with("p", p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coef_table_normal_and_t() {
        let names = vec!["a".to_string(), "b".to_string()];
        let t = CoefTable {
            names: &names,
            coef: &[1.0, f64::NAN],
            se: &[0.5, f64::NAN],
            naive_se: None,
            dist: WaldDist::Normal,
            exp: true,
            conf_level: 0.95,
        }
        .table()
        .unwrap();
        let Some(Value::Nums(p)) = t.get("p") else { panic!() };
        // 2 * pnorm(-2) = 0.04550026389635842
        assert!((p[0] - 0.045500263896358424).abs() < 1e-15, "{}", p[0]);
        assert!(p[1].is_nan());
        let Some(Value::Nums(lo)) = t.get("lower") else { panic!() };
        assert!((lo[0] - (1.0 - 1.959963984540054 * 0.5)).abs() < 1e-14);
        let t = CoefTable { dist: WaldDist::T(10.0), ..CoefTable {
            names: &names, coef: &[1.0, 2.0], se: &[0.5, 1.0], naive_se: None,
            dist: WaldDist::Normal, exp: false, conf_level: 0.9 } }
        .table()
        .unwrap();
        let Some(Value::Nums(p)) = t.get("p") else { panic!() };
        // 2 * pt(-2, 10) = 0.07338803477074
        assert!((p[0] - 0.0733880347707404).abs() < 1e-12, "{}", p[0]);
        assert!(t.get("exp_coef").is_none() && t.get("t").is_some());
    }

    #[test]
    fn lr_anova_nested() {
        let t = lr_anova(&[(-10.0, 1), (-8.0, 3)]).unwrap();
        let Some(Value::Nums(p)) = t.get("p") else { panic!() };
        // pchisq(4, 2, lower = FALSE) = exp(-2)
        assert!((p[1] - (-2.0f64).exp()).abs() < 1e-14);
        assert!(lr_anova(&[(-10.0, 3), (-8.0, 3)]).is_err());
    }
}
