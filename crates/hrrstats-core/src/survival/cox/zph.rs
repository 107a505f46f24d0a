//! Test of proportional hazards (`survival::cox.zph`).

use super::sweep::Sums;
use super::{CoxPhFit, Ties};
use crate::data::SurvivalData;
use crate::dist::pchisq_upper;
use crate::error::Result;
use crate::inference::TestResult;
use crate::linalg::quadratic_form_inverse;

/// Transform of time for the proportional-hazards test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ZphTransform {
    /// `1 - S(t-)` of the Kaplan–Meier of all the data (survival's default).
    #[default]
    Km,
    Rank,
    Identity,
    Log,
}

crate::option_enum!(ZphTransform, "transform", "km" => ZphTransform::Km, "rank" => ZphTransform::Rank, "identity" => ZphTransform::Identity, "log" => ZphTransform::Log);

impl ZphTransform {
    /// Parse an option string (see [`crate::options`]).
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
    /// The canonical spelling.
    pub fn name(&self) -> &'static str {
        crate::options::OptionEnum::name(*self)
    }
}

/// Result of [`CoxPhFit::zph`]: one test per term (`term` indexes the terms given,
/// or the columns) and the global test.
#[derive(Debug, Clone, Default)]
pub struct ZphTest {
    pub term: Vec<usize>,
    pub statistic: Vec<f64>,
    pub df: Vec<usize>,
    pub p_value: Vec<f64>,
    pub global: TestResult,
}

/// Ranks with ties given their average rank (R's `rank`).
fn average_ranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && x[idx[j + 1]] == x[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

impl CoxPhFit {
    /// Test of proportional hazards, as `survival::cox.zph` (survival >= 3): the score
    /// test, at `(β̂, 0)`, for adding the covariates `x g(t)` where `g` is the chosen
    /// transform of time centred at its mean over the events; one test per term
    /// (`terms`: groups of column indices, default one per column) and a GLOBAL test.
    /// Runs on the fit's own sorted data.
    ///
    /// Reference: Grambsch PM, Therneau TM (1994) Biometrika 81:515–526.
    pub fn zph(&self, transform: ZphTransform, terms: Option<&[Vec<usize>]>) -> Result<ZphTest> {
        let p_all = self.coef.len();
        let data = &*self.data;
        let keep: Vec<usize> = (0..p_all).filter(|&j| !self.aliased[j]).collect();
        let prep = data.prep.select_columns(&keep);
        let beta: Vec<f64> = keep
            .iter()
            .zip(&prep.scale)
            .map(|(&j, s)| self.coef[j] / s)
            .collect();
        // The time transform, at every row's exit time, centred over the events.
        let (exit, status) = (&data.exit[..], &data.status[..]);
        let ttimes: Vec<f64> = match transform {
            ZphTransform::Identity => exit.to_vec(),
            ZphTransform::Log => exit.iter().map(|t| t.ln()).collect(),
            ZphTransform::Rank => average_ranks(exit),
            ZphTransform::Km => {
                let mut d = SurvivalData::new(exit, status)?;
                if let Some(e) = data.entry.as_deref() {
                    d = d.with_entry(e)?;
                }
                let km = crate::survival::km::KaplanMeier::params()
                    .conf_type(crate::ConfType::None)
                    .fit(&d)?;
                exit.iter()
                    .map(|&t| {
                        let i = km.time.partition_point(|&u| u < t);
                        1.0 - if i == 0 { 1.0 } else { km.survival[i - 1] }
                    })
                    .collect()
            }
        };
        let (sum, cnt) = ttimes
            .iter()
            .zip(status)
            .filter(|(_, &s)| s == 1.0)
            .fold((0.0, 0.0), |(a, c), (t, _)| (a + t, c + 1.0));
        let g: Vec<f64> = prep
            .rows
            .iter()
            .map(|&r| ttimes[r as usize] - sum / cnt)
            .collect();
        let sums = prep.sums_with(&beta, self.ties == Ties::Efron, Some(&g))?;
        Ok(zph_test(&sums, &keep, p_all, terms))
    }
}

/// The tests of [`CoxPhFit::zph`] from the sums with the time function (over the kept
/// columns `keep` of the `p_all`).
pub(super) fn zph_test(sums: &Sums, keep: &[usize], p_all: usize, terms: Option<&[Vec<usize>]>) -> ZphTest {
    let p = keep.len();
    // The 2p x 2p information of (x, x g) and the score (0, u_g).
    let q = 2 * p;
    let mut m = vec![0.0; q * q];
    for i in 0..p {
        for j in 0..p {
            let (lo, hi) = if i <= j { (i, j) } else { (j, i) };
            m[i * q + j] = sums.imat[lo * p + hi];
            m[(p + i) * q + p + j] = sums.igg[lo * p + hi];
            m[i * q + p + j] = sums.ixg[i * p + j];
            m[(p + j) * q + i] = sums.ixg[i * p + j];
        }
    }
    let mut u = vec![0.0; q];
    u[p..].copy_from_slice(&sums.ug);
    let tol = f64::EPSILON.powf(0.75);
    let test = |idx: &[usize]| -> f64 {
        let sub: Vec<f64> = idx
            .iter()
            .flat_map(|&a| idx.iter().map(move |&b| (a, b)))
            .map(|(a, b)| m[a * q + b])
            .collect();
        let us: Vec<f64> = idx.iter().map(|&a| u[a]).collect();
        quadratic_form_inverse(&sub, idx.len(), &us, tol)
    };
    // Terms over the kept columns.
    let default_terms: Vec<Vec<usize>> = (0..p_all).map(|j| vec![j]).collect();
    let terms = terms.unwrap_or(&default_terms);
    let mut out = ZphTest::default();
    for (t, cols) in terms.iter().enumerate() {
        let kept: Vec<usize> = cols
            .iter()
            .filter_map(|c| keep.iter().position(|k| k == c))
            .collect();
        if kept.is_empty() {
            continue;
        }
        let idx: Vec<usize> = (0..p).chain(kept.iter().map(|&k| p + k)).collect();
        out.term.push(t);
        out.statistic.push(test(&idx));
        out.df.push(kept.len());
    }
    let idx: Vec<usize> = (0..q).collect();
    out.global = TestResult::chisq(test(&idx), p);
    out.p_value = out
        .statistic
        .iter()
        .zip(&out.df)
        .map(|(&x, &d)| pchisq_upper(x, d))
        .collect();
    out
}
