//! Direct age standardisation of net survival (Corazziari et al. 2004) and the ICSS
//! weights.

use super::NetSurvivalFit;
use crate::dist::qnorm;
use crate::error::{Error, Result};

/// The International Cancer Survival Standard weights (Corazziari, Quinn & Capocaccia,
/// *Eur J Cancer* 2004;40:2307–16) for the five age groups 15–44, 45–54, 55–64, 65–74,
/// 75+ at diagnosis: `icss[s - 1]` for standard `s` = 1 (cancers whose incidence rises
/// with age), 2 (broadly constant), 3 (mainly young adults).
pub const ICSS_AGE_LOWER: [f64; 5] = [15.0, 45.0, 55.0, 65.0, 75.0];
/// The ICSS age groups' labels, in order.
pub const ICSS_LABELS: [&str; 5] = ["15-44", "45-54", "55-64", "65-74", "75+"];
pub const ICSS: [[f64; 5]; 3] = [
    [0.07, 0.12, 0.23, 0.29, 0.29],
    [0.28, 0.17, 0.21, 0.20, 0.14],
    [0.60, 0.10, 0.10, 0.10, 0.10],
];

/// Age-standardised net survival.
#[derive(Debug, Clone, Default)]
pub struct StandardizedNet {
    pub time: Vec<f64>,
    pub survival: Vec<f64>,
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl NetSurvivalFit {
    /// Direct age standardisation over the strata (age groups, in stratum order) with
    /// `weights` (normalised to sum 1): `S(t) = Σ w_k S_k(t)`,
    /// `SE = sqrt(Σ w_k² se_k(t)²)` with `se_k = |S_k| σ_k` the curves' `std_err` (the
    /// survival-scale standard error; Corazziari et al. 2004), limits `S ± z SE`. Uses
    /// only `time`, `survival` and `std_err` of the curves.
    pub fn age_standardized(&self, weights: &[f64], times: &[f64]) -> Result<StandardizedNet> {
        let total = standard_weights_total(weights, self.curves.len(), "strata")?;
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let mut out = StandardizedNet {
            time: times.to_vec(),
            survival: vec![0.0; times.len()],
            std_err: vec![0.0; times.len()],
            ..Default::default()
        };
        for (k, &w) in weights.iter().enumerate() {
            let w = w / total;
            let (s, se) = self.at(k, times)?;
            for j in 0..times.len() {
                out.survival[j] += w * s[j];
                out.std_err[j] += w * w * se[j].powi(2);
            }
        }
        for j in 0..times.len() {
            out.std_err[j] = out.std_err[j].sqrt();
            out.lower.push(out.survival[j] - z * out.std_err[j]);
            out.upper.push(out.survival[j] + z * out.std_err[j]);
        }
        Ok(out)
    }
}

/// Check standardisation weights (one per group, finite, non-negative, not all zero)
/// and return their sum.
pub(crate) fn standard_weights_total(
    weights: &[f64],
    groups: usize,
    groups_arg: &'static str,
) -> Result<f64> {
    if weights.len() != groups {
        return Err(Error::LengthMismatch {
            arg: "weights",
            len: weights.len(),
            expected_arg: groups_arg,
            expected: groups,
        });
    }
    if let Some(row) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
        return Err(Error::InvalidValue {
            arg: "weights",
            row,
            value: weights[row],
            problem: "weight must be finite and non-negative",
        });
    }
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return Err(Error::InvalidArgument {
            arg: "weights",
            reason: "the weights sum to zero".into(),
        });
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::super::{NetSurvival, NetSurvivalData};
    use crate::relsurv::ratetable::RateTable;

    /// A one-dimension table (age, continuous) with a constant hazard.
    fn flat_table(rate: f64) -> RateTable {
        RateTable::from_long(&["age".to_string()], &[true], &[&[0.0]], &[rate]).unwrap()
    }

    #[test]
    fn age_standardisation_uses_the_survival_scale_error() {
        let table = flat_table(1e-4);
        let time = [5.0, 10.0, 12.0, 20.0, 3.0, 8.0, 15.0, 30.0];
        let status = [1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0];
        let age = [0.0; 8];
        let g = [0u32, 0, 0, 0, 1, 1, 1, 1];
        let d = NetSurvivalData::new(&time, &status, vec![&age], &table)
            .unwrap()
            .with_strata(&g, 2)
            .unwrap();
        let fit = NetSurvival::params().fit(&table, &d).unwrap();
        let times = [4.0, 11.0, 25.0];
        let a = fit.age_standardized(&[3.0, 1.0], &times).unwrap();
        let (w0, w1) = (0.75, 0.25);
        let (s0, e0) = fit.at(0, &times).unwrap();
        let (s1, e1) = fit.at(1, &times).unwrap();
        for j in 0..times.len() {
            assert!((a.survival[j] - (w0 * s0[j] + w1 * s1[j])).abs() < 1e-15);
            let want = ((w0 * e0[j]).powi(2) + (w1 * e1[j]).powi(2)).sqrt();
            assert!((a.std_err[j] - want).abs() < 1e-15, "{j}");
        }
    }
}

/// A standard population for age standardisation: one of the three ICSS standards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StandardWeights {
    #[default]
    Icss1,
    Icss2,
    Icss3,
}
crate::option_enum!(StandardWeights, "weights", "icss1" => StandardWeights::Icss1, "icss2" => StandardWeights::Icss2, "icss3" => StandardWeights::Icss3);

/// The weights of `standard` for a fit with `k` strata or groups (`what`): the ICSS
/// weights are for the five age groups of [`ICSS_LABELS`].
pub fn icss_weights(standard: StandardWeights, k: usize, what: &str) -> Result<Vec<f64>> {
    let w = ICSS[standard as usize];
    if k != w.len() {
        return Err(Error::InvalidArgument {
            arg: "weights",
            reason: format!(
                "the ICSS weights are for the {} groups of icss_group(), but the fit has {k} {what}",
                w.len()
            ),
        });
    }
    Ok(w.to_vec())
}
