//! Aalen–Johansen cumulative incidence functions, as `cmprsk::cuminc` and
//! `survival::survfit` with multi-state (competing-risks) data.
//!
//! Within each group, at each distinct time `t` with `Y(t)` (weighted) at risk,
//! `d_k(t)` events of cause `k` and `d(t) = Σ_k d_k(t)`:
//! `S(t) = Π_{s<=t} (1 - d(s)/Y(s))` (all-cause Kaplan–Meier) and
//! `F_k(t) = Σ_{s<=t} S(s-) d_k(s) / Y(s)`.
//!
//! Variance: Gray's (1988) delta-method estimator exactly as `cmprsk::cuminc` (its
//! Fortran `cinc`): with `f = F_k(t)`, `S-` and `S` the all-cause survival before and
//! after `t`, and for the `m` events of cause `k` (`m = d_k`) or of the other causes
//! (`m = d - d_k`) at `t`, `c = S-² (1 - (m-1)/(Y-1)) m / Y²` (tie correction for
//! `m > 1`), accumulate
//! - other causes: `v1 += (f/S)² c`, `v2 += (1/S)(f/S) c`, `v3 += (1/S)² c`;
//! - cause `k`: `v1 += (1 + f/S)² c`, `v2 += (1/S)(1 + f/S) c`, `v3 += (1/S)² c`
//!   (`1/S` taken as 0 when `S = 0`);
//!
//! and `Var F_k(t) = v1 + f² v3 - 2 f v2`, updated at the times of cause-`k` events. With
//! delayed entry or case weights the same formula is used with the weighted risk set
//! and counts (integer weights are then the same as repeated rows).
//!
//! Gray's (1988) test compares the groups' cumulative incidence of each cause
//! (optionally stratified), as `cmprsk::cuminc` (right-censored, unweighted data).

use super::gray::gray_test;
use super::CompetingData;
use crate::dist::qnorm;
use crate::inference::TestResult;
use crate::error::{Error, Result};
use crate::survival::km::{confint, ConfType};

/// Options for [`CumInc::params`].
#[derive(Debug, Clone, Copy)]
pub struct CumIncParams {
    conf_type: ConfType,
    conf_level: f64,
    rho: f64,
    variance: CifVariance,
}

/// Variance estimator of the cumulative incidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CifVariance {
    /// Gray's delta method, as `cmprsk::cuminc`.
    #[default]
    Cuminc,
    /// The infinitesimal jackknife of `survival::survfit` with multi-state data.
    Survfit,
}

crate::option_enum!(CifVariance, "variance", "cuminc" => CifVariance::Cuminc, "survfit" => CifVariance::Survfit);

impl Default for CumIncParams {
    fn default() -> Self {
        CumIncParams {
            conf_type: ConfType::LogLog,
            conf_level: 0.95,
            rho: 0.0,
            variance: CifVariance::Cuminc,
        }
    }
}

/// Aalen–Johansen cumulative incidence.
pub struct CumInc;

impl CumInc {
    pub fn params() -> CumIncParams {
        CumIncParams::default()
    }
}

/// One group's curves: one row per distinct time (events or censorings) in the group.
#[derive(Debug, Clone, Default)]
pub struct CifCurve {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    /// Per cause (in [`CumIncFit::causes`] order): events at each time.
    pub n_event: Vec<Vec<f64>>,
    pub n_censor: Vec<f64>,
    /// Per cause: cumulative incidence, its variance and confidence limits.
    pub estimate: Vec<Vec<f64>>,
    pub variance: Vec<Vec<f64>>,
    pub lower: Vec<Vec<f64>>,
    pub upper: Vec<Vec<f64>>,
    /// All-cause Kaplan–Meier survival.
    pub survival: Vec<f64>,
    /// Its infinitesimal-jackknife variance (with [`CifVariance::Survfit`] only).
    pub survival_variance: Vec<f64>,
}

/// Gray's test for one cause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrayTest {
    pub cause: f64,
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
}

impl GrayTest {
    /// The test in the library's shape (statistic, df, p_value).
    pub fn test(&self) -> TestResult {
        TestResult {
            statistic: self.statistic,
            df: self.df,
            p_value: self.p_value,
        }
    }
}

/// Cumulative incidence curves per group (and Gray's tests with more than one group).
#[derive(Debug, Clone)]
pub struct CumIncFit {
    pub causes: Vec<f64>,
    pub curves: Vec<CifCurve>,
    /// Gray's test per cause (more than one group, right-censored unweighted data).
    pub gray: Option<Vec<GrayTest>>,
    pub conf_type: ConfType,
    pub conf_level: f64,
}

/// Estimates at requested times for one group.
#[derive(Debug, Clone, Default)]
pub struct CumIncAt {
    pub time: Vec<f64>,
    /// Per cause.
    pub estimate: Vec<Vec<f64>>,
    pub variance: Vec<Vec<f64>>,
}

impl CumIncParams {
    pub fn conf_type(mut self, c: ConfType) -> Self {
        self.conf_type = c;
        self
    }
    pub fn conf_level(mut self, c: f64) -> Self {
        self.conf_level = c;
        self
    }
    /// Variance estimator (cuminc's, the default, or survfit's infinitesimal jackknife).
    pub fn variance(mut self, v: CifVariance) -> Self {
        self.variance = v;
        self
    }
    /// Power of the weight `(1 - F(t-))^rho` in Gray's test (0: cuminc's default).
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
        self
    }

    pub fn fit(&self, d: &CompetingData) -> Result<CumIncFit> {
        crate::data::check_conf_level(self.conf_level)?;
        if !self.rho.is_finite() {
            return Err(Error::InvalidArgument {
                arg: "rho",
                reason: "must be finite".into(),
            });
        }
        let causes = d.causes();
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let ng = d.n_groups();
        if ng > 1 && d.entry.is_none() && d.weights.is_none() {
            let g1 = (ng - 1) as f64;
            crate::data::check_cells("group", g1 * g1, || {
                format!("has {ng} levels: Gray's test's {0} x {0} variance matrix (is it an identifier column?)", ng - 1)
            })?;
        }
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); ng];
        for i in 0..d.len() {
            rows[d.group_of(i)].push(i);
        }
        let curves = rows
            .iter()
            .enumerate()
            .map(|(g, r)| {
                crate::interrupt::check()?;
                if r.is_empty() {
                    return Err(Error::Data {
                        arg: "group",
                        reason: format!("group {g} has no rows"),
                    });
                }
                let mut c = curve(d, r, &causes, self.conf_type, z);
                if self.variance == CifVariance::Survfit {
                    let (var, var0) = ij_variance(d, r, &causes, &c);
                    for k in 0..causes.len() {
                        for j in 0..c.time.len() {
                            let (lo, hi) = cif_limits(
                                c.estimate[k][j],
                                var[k][j].max(0.0).sqrt(),
                                self.conf_type,
                                z,
                            );
                            c.lower[k][j] = lo;
                            c.upper[k][j] = hi;
                        }
                    }
                    c.variance = var;
                    c.survival_variance = var0;
                }
                Ok(c)
            })
            .collect::<Result<Vec<_>>>()?;
        let gray = if ng > 1 && d.entry.is_none() && (d.weights.is_none() || d.frequency) {
            Some(
                causes
                    .iter()
                    .map(|&c| {
                        let t = TestResult::chisq(gray_test(d, c, self.rho)?, ng - 1);
                        Ok(GrayTest {
                            cause: c,
                            statistic: t.statistic,
                            df: t.df,
                            p_value: t.p_value,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?,
            )
        } else {
            None
        };
        Ok(CumIncFit {
            causes,
            curves,
            gray,
            conf_type: self.conf_type,
            conf_level: self.conf_level,
        })
    }
}

/// The curves of one group (rows `r`).
fn curve(d: &CompetingData, r: &[usize], causes: &[f64], conf_type: ConfType, z: f64) -> CifCurve {
    let nc = causes.len();
    let mut by_exit: Vec<usize> = r.to_vec();
    by_exit.sort_by(|&a, &b| d.time[a].total_cmp(&d.time[b]));
    // Delayed entry: rows enter the risk set when t > entry.
    let mut by_entry: Vec<usize> = r.to_vec();
    if let Some(e) = d.entry {
        by_entry.sort_by(|&a, &b| e[a].total_cmp(&e[b]));
    }
    let mut out = CifCurve {
        n_event: vec![Vec::new(); nc],
        estimate: vec![Vec::new(); nc],
        variance: vec![Vec::new(); nc],
        ..Default::default()
    };
    out.lower = vec![Vec::new(); nc];
    out.upper = vec![Vec::new(); nc];
    let cause_idx = |c: f64| causes.iter().position(|&x| x == c);
    // Risk set without entry: all rows not yet exited.
    let mut at_risk: f64 = if d.entry.is_some() {
        0.0
    } else {
        r.iter().map(|&i| d.weight(i)).sum()
    };
    let mut next_entry = 0;
    let (mut s, mut f) = (1.0, vec![0.0; nc]);
    let (mut v1, mut v2, mut v3, mut var) =
        (vec![0.0; nc], vec![0.0; nc], vec![0.0; nc], vec![0.0; nc]);
    let mut dk = vec![0.0; nc];
    let mut a = 0;
    while a < by_exit.len() {
        let t = d.time[by_exit[a]];
        let mut b = a;
        while b < by_exit.len() && d.time[by_exit[b]] == t {
            b += 1;
        }
        if let Some(e) = d.entry {
            while next_entry < by_entry.len() && e[by_entry[next_entry]] < t {
                at_risk += d.weight(by_entry[next_entry]);
                next_entry += 1;
            }
        }
        let y = at_risk;
        dk.iter_mut().for_each(|x| *x = 0.0);
        let mut cens = 0.0;
        for &i in &by_exit[a..b] {
            match cause_idx(d.cause[i]) {
                Some(k) if d.cause[i] != d.censor_code => dk[k] += d.weight(i),
                _ => cens += d.weight(i),
            }
        }
        let dall: f64 = dk.iter().sum();
        if dall > 0.0 {
            let sn = s * (y - dall) / y;
            let tie = |m: f64| {
                if m > 1.0 {
                    1.0 - (m - 1.0) / (y - 1.0)
                } else {
                    1.0
                }
            };
            for k in 0..nc {
                let (m1, m2) = (dk[k], dall - dk[k]);
                if m1 > 0.0 {
                    f[k] += s * m1 / y;
                }
                if m2 > 0.0 && sn > 0.0 {
                    let c = s * s * tie(m2) * m2 / (y * y);
                    let (t3, t4) = (1.0 / sn, f[k] / sn);
                    v1[k] += t4 * t4 * c;
                    v2[k] += t3 * t4 * c;
                    v3[k] += t3 * t3 * c;
                }
                if m1 > 0.0 {
                    let c = s * s * tie(m1) * m1 / (y * y);
                    let t3 = if sn > 0.0 { 1.0 / sn } else { 0.0 };
                    let t4 = 1.0 + t3 * f[k];
                    v1[k] += t4 * t4 * c;
                    v2[k] += t3 * t4 * c;
                    v3[k] += t3 * t3 * c;
                    var[k] = v1[k] + f[k] * f[k] * v3[k] - 2.0 * f[k] * v2[k];
                }
            }
            s = sn;
        }
        out.time.push(t);
        out.n_risk.push(y);
        out.n_censor.push(cens);
        out.survival.push(s);
        for k in 0..nc {
            out.n_event[k].push(dk[k]);
            out.estimate[k].push(f[k]);
            out.variance[k].push(var[k]);
            let (lo, hi) = cif_limits(f[k], var[k].max(0.0).sqrt(), conf_type, z);
            out.lower[k].push(lo);
            out.upper[k].push(hi);
        }
        for &i in &by_exit[a..b] {
            at_risk -= d.weight(i);
        }
        a = b;
    }
    out
}

impl CumIncFit {
    /// Estimates and variances of group `g` at `times` (right-continuous steps; 0 before
    /// the first time; NaN after the group's last follow-up time, as
    /// `cmprsk::timepoints`).
    pub fn at(&self, g: usize, times: &[f64]) -> Result<CumIncAt> {
        let c = self.curves.get(g).ok_or_else(|| Error::InvalidArgument {
            arg: "group",
            reason: format!("no group {g}"),
        })?;
        crate::data::check_times(times)?;
        let nc = self.causes.len();
        let last = *c.time.last().expect("a curve has rows");
        let mut out = CumIncAt {
            time: times.to_vec(),
            estimate: vec![Vec::new(); nc],
            variance: vec![Vec::new(); nc],
        };
        for &t in times {
            let j = c.time.partition_point(|&x| x <= t);
            for k in 0..nc {
                let (e, v) = if t > last {
                    (f64::NAN, f64::NAN)
                } else if j == 0 {
                    (0.0, 0.0)
                } else {
                    (c.estimate[k][j - 1], c.variance[k][j - 1])
                };
                out.estimate[k].push(e);
                out.variance[k].push(v);
            }
        }
        Ok(out)
    }
}

/// survfit's infinitesimal-jackknife variance of the Aalen–Johansen estimate, in
/// O(n log n): with `p0 = S` the event-free probability, `H00 = 1 - d/Y`,
/// `H0k = d_k/Y` at each time, the influence of row `i` evolves as
/// `U_i0 <- U_i0 H00 + Y_i p0(t-) (e_i0 - H00)/Y`, `U_ik <- U_ik + U_i0 H0k +
/// Y_i p0(t-) (e_ik - H0k)/Y`. While a row is at risk its influence is a common function
/// shifted by constants fixed at its entry (`c(t) = Σ d/(Y² H00)`, `B_k(t) = Σ dF_k (c(t-) - 1/Y)`:
/// `U_i0 = p0 (c - c_e)`, `U_ik = B_k - c_e F_k + γ_ik`); after it leaves,
/// `U_ik = α_ik + β_i F_k(t)` and `U_i0 = β_i p0(t)`. The variance `Σ_i w_i² U_i²` is
/// then kept as running sums of `w²`, `w² c_e`, `w² γ`, ... over the rows at risk and
/// `w² α²`, `w² α β`, `w² β²` over the rows that left. Rows with the same group, entry,
/// exit and cause share `U`, so a row standing for merged rows (frequency weights, or
/// the sums of a partitioned table) enters with their `Σ w²` (`w` for frequency
/// weights): the variance is the expanded data's. Returns per cause and for `p0`.
fn ij_variance(
    d: &CompetingData,
    r: &[usize],
    causes: &[f64],
    c: &CifCurve,
) -> (Vec<Vec<f64>>, Vec<f64>) {
    let nc = causes.len();
    let m = c.time.len();
    let w2 = |i: usize| d.weight_squared(i);
    let cause_idx = |i: usize| {
        if d.cause[i] == d.censor_code {
            None
        } else {
            causes.iter().position(|&x| x == d.cause[i])
        }
    };
    // Positions in the group's rows `r`: the per-row constants are the group's only
    // (O(|r|) work and memory per group, not O(n)).
    let mut by_exit: Vec<usize> = (0..r.len()).collect();
    by_exit.sort_by(|&a, &b| d.time[r[a]].total_cmp(&d.time[r[b]]));
    let mut by_entry: Vec<usize> = (0..r.len()).collect();
    if let Some(e) = d.entry {
        by_entry.sort_by(|&a, &b| e[r[a]].total_cmp(&e[r[b]]));
    }
    // Per-row constants at entry.
    let mut ce = vec![0.0; r.len()];
    let mut gam = vec![0.0; r.len() * nc.max(1)];
    // Running sums over rows at risk and rows that left.
    let (mut sw, mut swc, mut swcc) = (0.0, 0.0, 0.0);
    let (mut swg, mut swgg, mut swcg) = (vec![0.0; nc], vec![0.0; nc], vec![0.0; nc]);
    let (mut eaa, mut eab, mut ebb) = (vec![0.0; nc], vec![0.0; nc], 0.0);
    // Common functions (values at the previous time).
    let (mut cc, mut p0) = (0.0f64, 1.0f64);
    let (mut f, mut b) = (vec![0.0; nc], vec![0.0; nc]);
    let mut var = vec![vec![0.0; m]; nc];
    let mut var0 = vec![0.0; m];
    let mut next_entry = 0;
    let mut pos = 0;
    let add_row = |i: usize,
                   sign: f64,
                   ce: &[f64],
                   gam: &[f64],
                   sw: &mut f64,
                   swc: &mut f64,
                   swcc: &mut f64,
                   swg: &mut [f64],
                   swgg: &mut [f64],
                   swcg: &mut [f64]| {
        let (w, c0) = (w2(r[i]) * sign, ce[i]);
        *sw += w;
        *swc += w * c0;
        *swcc += w * c0 * c0;
        for k in 0..nc {
            let g = gam[i * nc + k];
            swg[k] += w * g;
            swgg[k] += w * g * g;
            swcg[k] += w * c0 * g;
        }
    };
    if d.entry.is_none() {
        for i in 0..r.len() {
            add_row(
                i, 1.0, &ce, &gam, &mut sw, &mut swc, &mut swcc, &mut swg, &mut swgg, &mut swcg,
            );
        }
    }
    for j in 0..m {
        let t = c.time[j];
        // Rows entering before t join with the current (previous-time) constants.
        if let Some(e) = d.entry {
            while next_entry < by_entry.len() && e[r[by_entry[next_entry]]] < t {
                let i = by_entry[next_entry];
                ce[i] = cc;
                for k in 0..nc {
                    gam[i * nc + k] = cc * f[k] - b[k];
                }
                add_row(
                    i, 1.0, &ce, &gam, &mut sw, &mut swc, &mut swcc, &mut swg, &mut swgg, &mut swcg,
                );
                next_entry += 1;
            }
        }
        let y = c.n_risk[j];
        let dall: f64 = (0..nc).map(|k| c.n_event[k][j]).sum();
        let c_prev = cc;
        let p_prev = p0;
        if dall > 0.0 {
            let h00 = 1.0 - dall / y;
            for k in 0..nc {
                let dfk = p_prev * c.n_event[k][j] / y;
                b[k] += dfk * (c_prev - 1.0 / y);
                f[k] += dfk;
            }
            if h00 > 0.0 {
                cc += dall / (y * y * h00);
            }
            p0 = p_prev * h00;
        }
        // Rows leaving at t.
        while pos < by_exit.len() && d.time[r[by_exit[pos]]] == t {
            let i = by_exit[pos];
            add_row(
                i, -1.0, &ce, &gam, &mut sw, &mut swc, &mut swcc, &mut swg, &mut swgg, &mut swcg,
            );
            let ki = cause_idx(r[i]);
            let beta = match ki {
                None => cc - ce[i],
                Some(_) => c_prev - ce[i] - 1.0 / y,
            };
            let w = w2(r[i]);
            for k in 0..nc {
                let mut u = b[k] - ce[i] * f[k] + gam[i * nc + k];
                if ki == Some(k) {
                    u += p_prev / y;
                }
                let alpha = u - beta * f[k];
                eaa[k] += w * alpha * alpha;
                eab[k] += w * alpha * beta;
            }
            ebb += w * beta * beta;
            pos += 1;
        }
        for k in 0..nc {
            let at_risk = b[k] * b[k] * sw - 2.0 * b[k] * f[k] * swc
                + f[k] * f[k] * swcc
                + 2.0 * b[k] * swg[k]
                - 2.0 * f[k] * swcg[k]
                + swgg[k];
            var[k][j] = at_risk + eaa[k] + 2.0 * f[k] * eab[k] + f[k] * f[k] * ebb;
        }
        var0[j] = p0 * p0 * (cc * cc * sw - 2.0 * cc * swc + swcc + ebb);
    }
    (var, var0)
}

/// Limits of a cumulative incidence `p` as survfit's `survfit_confint` for multi-state
/// curves: NA where the transform is undefined (`p = 0` for log, log-log and logit;
/// `p = 1` for log-log and logit), otherwise as for survival curves.
fn cif_limits(p: f64, se: f64, conf_type: ConfType, z: f64) -> (f64, f64) {
    let undefined = match conf_type {
        ConfType::Log => p == 0.0,
        ConfType::LogLog | ConfType::Logit => p == 0.0 || p == 1.0,
        _ => false,
    };
    if undefined {
        (f64::NAN, f64::NAN)
    } else {
        confint(p, se, false, conf_type, z)
    }
}
