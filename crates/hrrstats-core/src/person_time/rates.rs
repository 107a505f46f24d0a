//! Rates and their comparisons: crude rates with exact Poisson (Garwood) limits, rate
//! ratios with exact conditional limits, rate differences with Wald limits, directly
//! standardised rates with Fay–Feuer gamma limits, and standardised incidence or
//! mortality ratios (SIR/SMR) with exact limits and tests of homogeneity across strata.
//!
//! Every function takes columns and returns columns (struct of arrays); by-groups are
//! `u32` codes `0..k` (see [`crate::factorize`]).
//!
//! Formulas (alpha = 1 - conf_level):
//! - crude rate `x / T`; limits `qgamma(alpha/2, x) / T` (0 when x = 0) and
//!   `qgamma(1 - alpha/2, x + 1) / T`; p-value of `rate = r0` the two-sided exact Poisson
//!   test (R's `poisson.test`, minimum-likelihood rule).
//! - rate ratio `(x1/T1) / (x2/T2)`; conditional on `x1 + x2`, `x1` is binomial with
//!   `p = T1 / (T1 + T2)` under equal rates; Clopper–Pearson limits for `p` mapped to
//!   `p / (1 - p) * T2 / T1`; p-value of `ratio = r0` the exact binomial test (R's
//!   `poisson.test` with two counts).
//! - rate difference `x1/T1 - x2/T2`, `se = sqrt(x1/T1² + x2/T2²)` (the Poisson model's
//!   Fisher information, as `Epi::ci.lin` on an identity-link Poisson fit), Wald limits and
//!   z-test.
//! - directly standardised rate `Σ w_i x_i / T_i` with `w` normalised to sum 1 within the
//!   group, `var = Σ w_i² x_i / T_i²`, `w_M = max w_i / T_i`; lower
//!   `qgamma(alpha/2, dsr²/var) · var/dsr` (0 when dsr = 0), upper
//!   `qgamma(1 - alpha/2, (dsr + w_M)²/(var + w_M²)) · (var + w_M²)/(dsr + w_M)` (Fay &
//!   Feuer 1997, as `epitools::ageadjust.direct`).
//! - SIR `O / E` with `E = Σ T_i λ_i`; exact limits `qgamma(alpha/2, O) / E`,
//!   `qgamma(1 - alpha/2, O + 1) / E`; exact two-sided p-value of SIR = 1 and the
//!   continuity-corrected `(|O - E| - 1/2)² / E` chi-square (Breslow & Day); homogeneity
//!   across strata by the likelihood-ratio statistic `2 Σ O_k log(O_k / (E_k O/E))` and by
//!   Pearson's `Σ (O_k - E_k O/E)² / (E_k O/E)`, both on `k - 1` degrees of freedom.

use crate::data::{check_codes, check_conf_level, check_len};
use crate::dist::{binom_test_p, pchisq_upper, pnorm, poisson_test_p, qbeta, qgamma, qnorm};
use crate::error::{Error, Result};

/// How two rates are compared (`kind`): their ratio (exact conditional limits) or their
/// difference (Wald limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Comparison {
    #[default]
    Ratio,
    Difference,
}
crate::option_enum!(Comparison, "kind", "ratio" => Comparison::Ratio, "difference" => Comparison::Difference);

/// Event counts: finite, non-negative whole numbers (exact Poisson methods need them).
pub(crate) fn check_counts(arg: &'static str, x: &[f64]) -> Result<()> {
    for (row, &v) in x.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "count is missing or not finite",
            });
        }
        if v < 0.0 {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "count is negative",
            });
        }
        if v.fract() != 0.0 {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "count must be a whole number for exact Poisson limits",
            });
        }
        if v > MAX_COUNT {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "count is above 2^53, the largest whole number a double holds exactly",
            });
        }
    }
    Ok(())
}

/// 2^53: counts above it are not whole numbers a double can hold exactly.
const MAX_COUNT: f64 = 9_007_199_254_740_992.0;

/// Person-time of table cells, where an empty cell (0) is allowed: finite and
/// non-negative.
pub(crate) fn check_person_time_nonneg(t: &[f64]) -> Result<()> {
    match t.iter().position(|v| !(v.is_finite() && *v >= 0.0)) {
        Some(row) => Err(Error::InvalidValue {
            arg: "person_time",
            row,
            value: t[row],
            problem: "person-time must be finite and non-negative",
        }),
        None => Ok(()),
    }
}

/// Person-time: finite and strictly positive.
pub(crate) fn check_person_time(arg: &'static str, t: &[f64]) -> Result<()> {
    for (row, &v) in t.iter().enumerate() {
        if !v.is_finite() {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "person-time is missing or not finite",
            });
        }
        if v <= 0.0 {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "person-time must be positive",
            });
        }
    }
    Ok(())
}

fn check_nonneg(arg: &'static str, x: &[f64]) -> Result<()> {
    for (row, &v) in x.iter().enumerate() {
        if !(v.is_finite() && v >= 0.0) {
            return Err(Error::InvalidValue {
                arg,
                row,
                value: v,
                problem: "must be finite and non-negative",
            });
        }
    }
    Ok(())
}

/// Group codes: `None` means one group; otherwise codes below `k`, one per row of
/// `expected_arg`.
fn check_groups(
    groups: Option<(&[u32], usize)>,
    expected_arg: &'static str,
    n: usize,
) -> Result<usize> {
    match groups {
        None => Ok(1),
        Some((g, k)) => {
            check_len("by", g.len(), expected_arg, n)?;
            check_codes("by", g, k)?;
            Ok(k)
        }
    }
}

/// Exact Poisson (Garwood) limits for a count.
pub fn poisson_limits(x: f64, conf_level: f64) -> (f64, f64) {
    let a = (1.0 - conf_level) / 2.0;
    let lower = if x == 0.0 { 0.0 } else { qgamma(a, x) };
    (lower, qgamma(1.0 - a, x + 1.0))
}

/// Crude rates, one per row.
#[derive(Debug, Clone, Default)]
pub struct CrudeRateTable {
    pub events: Vec<f64>,
    pub person_time: Vec<f64>,
    pub rate: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Exact two-sided p-value of `rate = null_rate` (when a null rate was given).
    pub p_value: Option<Vec<f64>>,
    pub conf_level: f64,
}

/// Crude rates `events / person_time` with exact Poisson limits, and the exact test of
/// `rate = null_rate` when given.
pub fn crude_rates(
    events: &[f64],
    person_time: &[f64],
    null_rate: Option<f64>,
    conf_level: f64,
) -> Result<CrudeRateTable> {
    if events.is_empty() {
        return Err(Error::Empty { arg: "events" });
    }
    check_len("person_time", person_time.len(), "events", events.len())?;
    check_counts("events", events)?;
    check_person_time("person_time", person_time)?;
    check_conf_level(conf_level)?;
    if let Some(r) = null_rate {
        if !(r.is_finite() && r >= 0.0) {
            return Err(Error::InvalidArgument {
                arg: "null_rate",
                reason: format!("must be finite and non-negative (got {r})"),
            });
        }
    }
    let mut t = CrudeRateTable {
        conf_level,
        ..Default::default()
    };
    for (&x, &pt) in events.iter().zip(person_time) {
        let (lo, hi) = poisson_limits(x, conf_level);
        t.events.push(x);
        t.person_time.push(pt);
        t.rate.push(x / pt);
        t.lower.push(lo / pt);
        t.upper.push(hi / pt);
    }
    t.p_value = null_rate.map(|r| {
        events
            .iter()
            .zip(person_time)
            .map(|(&x, &pt)| poisson_test_p(x, r * pt))
            .collect()
    });
    Ok(t)
}

/// Rate ratios or differences, one per row (group 1 versus group 2).
#[derive(Debug, Clone, Default)]
pub struct RateComparison {
    pub estimate: Vec<f64>,
    /// Standard error (differences only; empty for ratios, whose limits are exact).
    pub se: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub p_value: Vec<f64>,
    pub conf_level: f64,
}

struct Arms<'a> {
    e1: &'a [f64],
    t1: &'a [f64],
    e2: &'a [f64],
    t2: &'a [f64],
}

fn check_arms<'a>(
    e1: &'a [f64],
    t1: &'a [f64],
    e2: &'a [f64],
    t2: &'a [f64],
    conf_level: f64,
) -> Result<Arms<'a>> {
    if e1.is_empty() {
        return Err(Error::Empty { arg: "events1" });
    }
    let n = e1.len();
    check_len("person_time1", t1.len(), "events1", n)?;
    check_len("events2", e2.len(), "events1", n)?;
    check_len("person_time2", t2.len(), "events1", n)?;
    check_counts("events1", e1)?;
    check_counts("events2", e2)?;
    check_person_time("person_time1", t1)?;
    check_person_time("person_time2", t2)?;
    check_conf_level(conf_level)?;
    for row in 0..n {
        if e1[row] + e2[row] == 0.0 {
            return Err(Error::InvalidValue {
                arg: "events1",
                row,
                value: 0.0,
                problem: "no events in either group: the rate comparison is undefined",
            });
        }
    }
    Ok(Arms { e1, t1, e2, t2 })
}

/// Rate ratios `(events1/person_time1) / (events2/person_time2)` with exact conditional
/// limits and the exact test of `ratio = null_ratio` (R's two-sample `poisson.test`).
/// The ratio and upper limit are infinite when `events2 = 0`.
pub fn rate_ratios(
    events1: &[f64],
    person_time1: &[f64],
    events2: &[f64],
    person_time2: &[f64],
    null_ratio: f64,
    conf_level: f64,
) -> Result<RateComparison> {
    let a = check_arms(events1, person_time1, events2, person_time2, conf_level)?;
    if !(null_ratio.is_finite() && null_ratio > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "null_ratio",
            reason: format!("must be finite and positive (got {null_ratio})"),
        });
    }
    let alpha = (1.0 - conf_level) / 2.0;
    let mut out = RateComparison {
        conf_level,
        ..Default::default()
    };
    for i in 0..a.e1.len() {
        let (x1, x2, t1, t2) = (a.e1[i], a.e2[i], a.t1[i], a.t2[i]);
        let n = x1 + x2;
        // The exact conditional limits of binom.test: p_L = qbeta(alpha, x1, x2 + 1),
        // p_U = qbeta(1 - alpha, x1 + 1, x2), as odds p/(1 - p). Near p = 1 (x1 much
        // larger than x2) 1 - p is read from the mirrored quantile 1 - p =
        // qbeta(1 - u, b, a), not by subtraction, which rounds to 0 (an infinite
        // limit at 1e15 vs 1 event); the shapes use x2, never n - x1.
        let odds = |u: f64, a: f64, b: f64| {
            let p = qbeta(u, a, b);
            if p <= 0.5 {
                p / (1.0 - p)
            } else {
                let q = qbeta(1.0 - u, b, a);
                (1.0 - q) / q
            }
        };
        let lower = if x1 == 0.0 { 0.0 } else { odds(alpha, x1, x2 + 1.0) * t2 / t1 };
        let upper = if x2 == 0.0 {
            f64::INFINITY
        } else {
            odds(1.0 - alpha, x1 + 1.0, x2) * t2 / t1
        };
        out.estimate.push(if x2 == 0.0 {
            f64::INFINITY
        } else {
            (x1 / t1) / (x2 / t2)
        });
        out.lower.push(lower);
        out.upper.push(upper);
        out.p_value.push(binom_test_p(
            x1,
            n,
            null_ratio * t1 / (null_ratio * t1 + t2),
        ));
    }
    Ok(out)
}

/// Rate differences `events1/person_time1 - events2/person_time2` with Wald limits and
/// z-test p-values.
pub fn rate_differences(
    events1: &[f64],
    person_time1: &[f64],
    events2: &[f64],
    person_time2: &[f64],
    conf_level: f64,
) -> Result<RateComparison> {
    let a = check_arms(events1, person_time1, events2, person_time2, conf_level)?;
    let z = qnorm(1.0 - (1.0 - conf_level) / 2.0);
    let mut out = RateComparison {
        conf_level,
        ..Default::default()
    };
    for i in 0..a.e1.len() {
        let (x1, x2, t1, t2) = (a.e1[i], a.e2[i], a.t1[i], a.t2[i]);
        let d = x1 / t1 - x2 / t2;
        let se = (x1 / (t1 * t1) + x2 / (t2 * t2)).sqrt();
        out.estimate.push(d);
        out.se.push(se);
        out.lower.push(d - z * se);
        out.upper.push(d + z * se);
        out.p_value.push(2.0 * pnorm(-(d / se).abs()));
    }
    Ok(out)
}

/// Directly standardised rates, one per group.
#[derive(Debug, Clone, Default)]
pub struct StandardizedRates {
    pub events: Vec<f64>,
    pub person_time: Vec<f64>,
    pub crude: Vec<f64>,
    pub rate: Vec<f64>,
    pub variance: Vec<f64>,
    /// Fay–Feuer's `w_M = max_i w_i / T_i`.
    pub w_max: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub conf_level: f64,
}

/// Directly standardised rates with Fay–Feuer gamma limits. Each row is a stratum (an
/// age group) of a group; `weights` are the standard population's weights for the row's
/// stratum, normalised to sum 1 within each group.
pub fn direct_standardize(
    events: &[f64],
    person_time: &[f64],
    weights: &[f64],
    groups: Option<(&[u32], usize)>,
    conf_level: f64,
) -> Result<StandardizedRates> {
    direct_standardize_labelled(events, person_time, weights, groups, &[], conf_level)
}

/// The label of group `g` in messages: its level label when given, else its code.
fn group_label(labels: &[String], g: usize) -> String {
    labels.get(g).cloned().unwrap_or_else(|| g.to_string())
}

/// As [`direct_standardize`], naming groups in errors by `labels` (the grouping's
/// level labels; empty: by code).
pub fn direct_standardize_labelled(
    events: &[f64],
    person_time: &[f64],
    weights: &[f64],
    groups: Option<(&[u32], usize)>,
    labels: &[String],
    conf_level: f64,
) -> Result<StandardizedRates> {
    if events.is_empty() {
        return Err(Error::Empty { arg: "events" });
    }
    let n = events.len();
    check_len("person_time", person_time.len(), "events", n)?;
    check_len("standard_weights", weights.len(), "events", n)?;
    check_counts("events", events)?;
    check_person_time("person_time", person_time)?;
    check_nonneg("standard_weights", weights)?;
    check_conf_level(conf_level)?;
    let k = check_groups(groups, "events", n)?;
    let code = |i: usize| groups.map_or(0, |(g, _)| g[i] as usize);
    let mut wsum = vec![0.0; k];
    let mut rows = vec![0usize; k];
    for i in 0..n {
        wsum[code(i)] += weights[i];
        rows[code(i)] += 1;
    }
    if let Some(g) = (0..k).find(|&g| rows[g] == 0 || wsum[g] <= 0.0) {
        return Err(Error::Data {
            arg: "standard_weights",
            reason: format!(
                "group {} has no rows or its standard weights sum to zero",
                group_label(labels, g)
            ),
        });
    }
    let mut out = StandardizedRates {
        events: vec![0.0; k],
        person_time: vec![0.0; k],
        rate: vec![0.0; k],
        variance: vec![0.0; k],
        w_max: vec![0.0; k],
        conf_level,
        ..Default::default()
    };
    for i in 0..n {
        let g = code(i);
        let w = weights[i] / wsum[g];
        let t = person_time[i];
        out.events[g] += events[i];
        out.person_time[g] += t;
        out.rate[g] += w * events[i] / t;
        out.variance[g] += w * w * events[i] / (t * t);
        out.w_max[g] = out.w_max[g].max(w / t);
    }
    let alpha = (1.0 - conf_level) / 2.0;
    for g in 0..k {
        let (dsr, v, wm) = (out.rate[g], out.variance[g], out.w_max[g]);
        out.crude.push(out.events[g] / out.person_time[g]);
        out.lower.push(if dsr == 0.0 {
            0.0
        } else {
            qgamma(alpha, dsr * dsr / v) * v / dsr
        });
        let (vu, du) = (v + wm * wm, dsr + wm);
        out.upper.push(qgamma(1.0 - alpha, du * du / vu) * vu / du);
    }
    Ok(out)
}

/// Standardised incidence (mortality) ratios per stratum and overall.
#[derive(Debug, Clone, Default)]
pub struct SirTable {
    /// Rows `0..k` are the strata (by code), row `k` is the overall SIR.
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    pub person_time: Vec<f64>,
    pub sir: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Exact two-sided p-value of SIR = 1 (R's `poisson.test(O, E)`).
    pub p_exact: Vec<f64>,
    /// Continuity-corrected chi-square p-value, `(|O - E| - 1/2)² / E` on 1 df.
    pub p_chisq: Vec<f64>,
    /// Tests of homogeneity of the SIRs across strata (more than one stratum only).
    pub homogeneity: Option<Homogeneity>,
    pub conf_level: f64,
}

/// Tests that the SIR is the same in every stratum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Homogeneity {
    pub df: usize,
    /// Likelihood-ratio statistic (Poisson deviance of the common-SIR model).
    pub lrt: f64,
    pub p_lrt: f64,
    pub pearson: f64,
    pub p_pearson: f64,
}

/// SIR/SMR from rows of observed counts, person-time and reference rates (expected =
/// person_time x reference_rate per row), optionally by strata.
pub fn sir(
    observed: &[f64],
    person_time: &[f64],
    reference_rate: &[f64],
    strata: Option<(&[u32], usize)>,
    conf_level: f64,
) -> Result<SirTable> {
    sir_labelled(
        observed,
        person_time,
        reference_rate,
        strata,
        &[],
        conf_level,
    )
}

/// As [`sir`], naming strata in errors by `labels` (the grouping's level labels; empty:
/// by code).
pub fn sir_labelled(
    observed: &[f64],
    person_time: &[f64],
    reference_rate: &[f64],
    strata: Option<(&[u32], usize)>,
    labels: &[String],
    conf_level: f64,
) -> Result<SirTable> {
    if observed.is_empty() {
        return Err(Error::Empty { arg: "observed" });
    }
    let n = observed.len();
    check_len("person_time", person_time.len(), "observed", n)?;
    check_len("reference_rate", reference_rate.len(), "observed", n)?;
    check_counts("observed", observed)?;
    check_person_time_nonneg(person_time)?;
    check_nonneg("reference_rate", reference_rate)?;
    check_conf_level(conf_level)?;
    let k = check_groups(strata, "observed", n)?;
    let stratified = strata.is_some();
    let m = if stratified { k + 1 } else { 1 };
    let mut t = SirTable {
        observed: vec![0.0; m],
        expected: vec![0.0; m],
        person_time: vec![0.0; m],
        conf_level,
        ..Default::default()
    };
    for i in 0..n {
        let e = person_time[i] * reference_rate[i];
        let mut add = |r: usize| {
            t.observed[r] += observed[i];
            t.expected[r] += e;
            t.person_time[r] += person_time[i];
        };
        add(m - 1);
        if let Some((g, _)) = strata {
            add(g[i] as usize);
        }
    }
    for r in 0..m {
        if t.expected[r] <= 0.0 {
            return Err(Error::Data {
                arg: "reference_rate",
                reason: if r + 1 == m {
                    "the expected count is zero".into()
                } else {
                    format!(
                        "the expected count is zero in stratum {}",
                        group_label(labels, r)
                    )
                },
            });
        }
    }
    for r in 0..m {
        let (o, e) = (t.observed[r], t.expected[r]);
        let (lo, hi) = poisson_limits(o, conf_level);
        t.sir.push(o / e);
        t.lower.push(lo / e);
        t.upper.push(hi / e);
        t.p_exact.push(poisson_test_p(o, e));
        let c = (o - e).abs() - 0.5;
        t.p_chisq.push(pchisq_upper(c * c / e, 1));
    }
    if stratified && k > 1 {
        let (o_all, e_all) = (t.observed[k], t.expected[k]);
        let (mut lrt, mut pearson) = (0.0, 0.0);
        for r in 0..k {
            let (o, ei) = (t.observed[r], t.expected[r] * o_all / e_all);
            if o > 0.0 {
                lrt += 2.0 * o * (o / ei).ln();
            }
            if o_all > 0.0 {
                pearson += (o - ei) * (o - ei) / ei;
            }
        }
        let df = k - 1;
        t.homogeneity = Some(Homogeneity {
            df,
            lrt,
            p_lrt: pchisq_upper(lrt, df),
            pearson,
            p_pearson: pchisq_upper(pearson, df),
        });
    }
    Ok(t)
}
