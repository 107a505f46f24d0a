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
use crate::dist::{pchisq_upper, qnorm};
use crate::error::{Error, Result};
use crate::survival::km::{confint, ConfType};

/// Options for [`CumInc::params`].
#[derive(Debug, Clone, Copy)]
pub struct CumIncParams {
    conf_type: ConfType,
    conf_level: f64,
    rho: f64,
}

impl Default for CumIncParams {
    fn default() -> Self {
        CumIncParams {
            conf_type: ConfType::LogLog,
            conf_level: 0.95,
            rho: 0.0,
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
}

/// Gray's test for one cause.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GrayTest {
    pub cause: f64,
    pub statistic: f64,
    pub df: usize,
    pub p_value: f64,
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
    /// Power of the weight `(1 - F(t-))^rho` in Gray's test (0: cuminc's default).
    pub fn rho(mut self, rho: f64) -> Self {
        self.rho = rho;
        self
    }

    pub fn fit(&self, d: &CompetingData) -> Result<CumIncFit> {
        if !(self.conf_level > 0.0 && self.conf_level < 1.0) {
            return Err(Error::InvalidArgument {
                arg: "conf_level",
                reason: format!("must be strictly between 0 and 1 (got {})", self.conf_level),
            });
        }
        if !self.rho.is_finite() {
            return Err(Error::InvalidArgument {
                arg: "rho",
                reason: "must be finite".into(),
            });
        }
        let causes = d.causes();
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let ng = d.n_groups();
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); ng];
        for i in 0..d.len() {
            rows[d.group_of(i)].push(i);
        }
        let curves = rows
            .iter()
            .enumerate()
            .map(|(g, r)| {
                if r.is_empty() {
                    return Err(Error::Data {
                        arg: "group",
                        reason: format!("group {g} has no rows"),
                    });
                }
                Ok(curve(d, r, &causes, self.conf_type, z))
            })
            .collect::<Result<Vec<_>>>()?;
        let gray = if ng > 1 && d.entry.is_none() && d.weights.is_none() {
            Some(
                causes
                    .iter()
                    .map(|&c| {
                        let statistic = gray_test(d, c, self.rho);
                        GrayTest {
                            cause: c,
                            statistic,
                            df: ng - 1,
                            p_value: pchisq_upper(statistic, ng - 1),
                        }
                    })
                    .collect(),
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
            let (lo, hi) = confint(f[k], var[k].max(0.0).sqrt(), false, conf_type, z);
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
        if let Some(row) = times.iter().position(|t| !t.is_finite()) {
            return Err(Error::InvalidValue {
                arg: "times",
                row,
                value: times[row],
                problem: "time is missing or not finite",
            });
        }
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
