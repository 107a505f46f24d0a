//! The log-rank test and the Fleming–Harrington G-rho family, as `survival::survdiff`.
//!
//! Within each stratum, at each distinct event time `t` with `d` events among `n`
//! at risk (`n_g` in group g), and weight `w(t) = S(t-)^rho` from the pooled
//! left-continuous Kaplan–Meier of the stratum:
//!
//! - observed `O_g = Σ w d_g`, expected `E_g = Σ w d n_g / n`;
//! - variance `V_gh = Σ w² d (n - d)/(n (n - 1)) · n_g (1{g=h} - n_h / n)`.
//!
//! Sums run over strata; `chisq = (O - E)' V⁻ (O - E)` over the groups with `E > 0`,
//! dropping the first, on `df = #{E > 0} - 1`. With entry times the risk sets are
//! `entry < t <= exit` (survdiff itself accepts only right-censored data).
//!
//! Reference: Harrington DP, Fleming TR (1982) Biometrika 69:553–566; R `survdiff2.c`.

use nalgebra::{DMatrix, DVector};

use super::order::{sort_rows_by, tie_starts};
use crate::data::{check_codes, check_len, SurvivalData};
use crate::dist::pchisq_upper;
use crate::error::{Error, Result};

/// Options of the log-rank test.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogrankTestParams {
    rho: f64,
}

/// Result of a log-rank (G-rho) test comparing `n_groups` groups.
#[derive(Debug, Clone)]
pub struct LogrankTest {
    pub n_groups: usize,
    pub n_strata: usize,
    /// Rows in each group.
    pub n: Vec<usize>,
    /// Observed (weighted by `S(t-)^rho`) events per group, summed over strata.
    pub observed: Vec<f64>,
    /// Expected events per group, summed over strata.
    pub expected: Vec<f64>,
    /// Observed per stratum, `[stratum * n_groups + group]`.
    pub observed_by_stratum: Vec<f64>,
    /// Expected per stratum, `[stratum * n_groups + group]`.
    pub expected_by_stratum: Vec<f64>,
    /// Variance matrix of `O - E`, row-major `n_groups x n_groups`.
    pub variance: Vec<f64>,
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
    pub rho: f64,
}

impl LogrankTest {
    pub fn params() -> LogrankTestParams {
        LogrankTestParams::default()
    }
}

impl LogrankTestParams {
    /// Fleming–Harrington rho: 0 is the log-rank test, 1 the Peto–Peto modification
    /// of the Gehan–Wilcoxon test.
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
        self
    }

    pub fn check(&self) -> Result<()> {
        if !self.rho.is_finite() {
            return Err(Error::InvalidArgument {
                arg: "rho",
                reason: format!("must be finite, got {}", self.rho),
            });
        }
        Ok(())
    }

    /// Test equality of the survival curves of `group` (codes `0..n_groups`),
    /// stratified by the strata of `data`. Case weights are not supported (as survdiff).
    pub fn fit(&self, data: &SurvivalData, group: &[u32], n_groups: usize) -> Result<LogrankTest> {
        self.check()?;
        check_len("group", group.len(), "time", data.len())?;
        check_codes("group", group, n_groups)?;
        if data.weights().is_some() {
            return Err(Error::InvalidArgument {
                arg: "weights",
                reason: "the log-rank test does not take case weights (as survival::survdiff)"
                    .into(),
            });
        }
        let ng = n_groups as f64;
        crate::data::check_cells("group", ng * ng + 2.0 * ng * data.n_strata() as f64, || {
            format!(
                "has {n_groups} levels: the test's {n_groups} x {n_groups} variance matrix (is it an identifier column?)"
            )
        })?;
        let mut n = vec![0usize; n_groups];
        for &g in group {
            n[g as usize] += 1;
        }
        check_groups(&n)?;
        let rows = data.rows_by_stratum();
        let ns = rows.len();
        let mut obs = vec![0.0; ns * n_groups];
        let mut exp = vec![0.0; ns * n_groups];
        let mut var = vec![0.0; n_groups * n_groups];
        for (s, r) in rows.iter().enumerate() {
            stratum_sums(
                data,
                group,
                r,
                self.rho,
                &mut obs[s * n_groups..(s + 1) * n_groups],
                &mut exp[s * n_groups..(s + 1) * n_groups],
                &mut var,
            )?;
        }
        finish(n, obs, exp, var, ns, self.rho)
    }
}

/// At least two groups with rows.
pub(crate) fn check_groups(n: &[usize]) -> Result<()> {
    if n.iter().filter(|&&c| c > 0).count() < 2 {
        return Err(Error::Data {
            arg: "group",
            reason: "there is only one group: nothing to compare".into(),
        });
    }
    Ok(())
}

/// The test from the per-stratum observed and expected counts and the variance.
pub(crate) fn finish(
    n: Vec<usize>,
    obs: Vec<f64>,
    exp: Vec<f64>,
    var: Vec<f64>,
    ns: usize,
    rho: f64,
) -> Result<LogrankTest> {
    let n_groups = n.len();
    let observed: Vec<f64> = (0..n_groups)
        .map(|g| (0..ns).map(|s| obs[s * n_groups + g]).sum())
        .collect();
    let expected: Vec<f64> = (0..n_groups)
        .map(|g| (0..ns).map(|s| exp[s * n_groups + g]).sum())
        .collect();
    let keep: Vec<usize> = (0..n_groups).filter(|&g| expected[g] > 0.0).collect();
    let df = keep.len().saturating_sub(1);
    let statistic = if keep.len() < 2 {
        0.0
    } else {
        let idx = &keep[1..];
        let k = idx.len();
        let v = DMatrix::from_fn(k, k, |i, j| var[idx[i] * n_groups + idx[j]]);
        let d = DVector::from_fn(k, |i, _| observed[idx[i]] - expected[idx[i]]);
        let sol = v.lu().solve(&d).ok_or_else(|| Error::Data {
            arg: "group",
            reason: "the variance matrix of observed minus expected is singular".into(),
        })?;
        sol.dot(&d)
    };
    Ok(LogrankTest {
        n_groups,
        n_strata: ns,
        n,
        observed,
        expected,
        observed_by_stratum: obs,
        expected_by_stratum: exp,
        variance: var,
        statistic,
        df,
        p_value: pchisq_upper(statistic, df),
        rho,
    })
}

/// One event time's expected counts and variance: `d` events among `n` at risk,
/// `risk[g]` of them in group g, weight `w` (survdiff2.c).
pub(crate) fn add_event_time(w: f64, n: f64, d: f64, risk: &[f64], exp: &mut [f64], var: &mut [f64]) {
    let ng = risk.len();
    for g in 0..ng {
        exp[g] += w * d * risk[g] / n;
    }
    if n == 1.0 {
        return;
    }
    let w2 = w * w;
    for j in 0..ng {
        let tmp = w2 * d * risk[j] * (n - d) / (n * (n - 1.0));
        var[j * ng + j] += tmp;
        for h in 0..ng {
            var[j * ng + h] -= tmp * risk[h] / n;
        }
    }
}

/// Accumulate one stratum's observed, expected and variance (survdiff2.c).
fn stratum_sums(
    data: &SurvivalData,
    group: &[u32],
    rows: &[u32],
    rho: f64,
    obs: &mut [f64],
    exp: &mut [f64],
    var: &mut [f64],
) -> Result<()> {
    let ng = obs.len();
    let exit = data.exit();
    let status = data.status();
    let order = sort_rows_by(exit, rows);
    let t: Vec<f64> = order.iter().map(|&r| exit[r as usize]).collect();
    let starts = tie_starts(&t);
    let nt = starts.len() - 1;
    let entries: Option<Vec<u32>> = data.entry().map(|e| sort_rows_by(e, rows));

    // Pooled at-risk count and deaths per distinct time (backward), for S(t-).
    let mut n_risk = vec![0.0; nt];
    let mut deaths = vec![0.0; nt];
    {
        let mut at_risk = 0.0;
        let mut pe = entries.as_ref().map_or(0, |e| e.len());
        for k in (0..nt).rev() {
            for &r in &order[starts[k]..starts[k + 1]] {
                at_risk += 1.0;
                deaths[k] += status[r as usize];
            }
            if let (Some(e), Some(entry)) = (&entries, data.entry()) {
                while pe > 0 && entry[e[pe - 1] as usize] >= t[starts[k]] {
                    at_risk -= 1.0;
                    pe -= 1;
                }
            }
            n_risk[k] = at_risk;
        }
    }
    // Weights S(t-)^rho.
    let mut wt = vec![1.0; nt];
    if rho != 0.0 {
        let mut km: f64 = 1.0;
        for k in 0..nt {
            wt[k] = km.powf(rho);
            km *= (n_risk[k] - deaths[k]) / n_risk[k];
        }
    }
    // Backward pass with per-group risk sets.
    let mut risk = vec![0.0; ng];
    let mut pe = entries.as_ref().map_or(0, |e| e.len());
    for k in (0..nt).rev() {
        crate::interrupt::check_every(k, 64)?;
        let w = wt[k];
        for &r in &order[starts[k]..starts[k + 1]] {
            let g = group[r as usize] as usize;
            risk[g] += 1.0;
            obs[g] += status[r as usize] * w;
        }
        if let (Some(e), Some(entry)) = (&entries, data.entry()) {
            while pe > 0 && entry[e[pe - 1] as usize] >= t[starts[k]] {
                risk[group[e[pe - 1] as usize] as usize] -= 1.0;
                pe -= 1;
            }
        }
        let (n, d) = (n_risk[k], deaths[k]);
        if d > 0.0 {
            add_event_time(w, n, d, &risk, exp, var);
        }
    }
    Ok(())
}
