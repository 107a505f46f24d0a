//! Kaplan–Meier survival and Nelson–Aalen cumulative hazard.
//!
//! For each stratum, with distinct exit times `t_1 < ... < t_m`, weighted number at
//! risk `n_j = Σ w_i 1(entry_i < t_j <= exit_i)` and weighted events `d_j`:
//!
//! - Kaplan–Meier: `S(t) = Π_{t_j <= t} (1 - d_j / n_j)`;
//! - Nelson–Aalen: `H(t) = Σ_{t_j <= t} d_j / n_j`, variance `Σ d_j / n_j²`;
//! - Greenwood: `var(log S(t)) = Σ_{t_j <= t} d_j / (n_j (n_j - d_j))`.
//!
//! With fractional case weights the survival package (and hence this crate, by
//! default) uses instead the infinitesimal-jackknife (robust) variance with each row
//! its own cluster: `var S(t) = Σ_i (∂S(t)/∂w_i · w_i)²`, computed here in one sweep
//! (O(n log n), not the O(n·m) loop of the reference) from the closed form
//! `∂S(t)/∂w_k · w_k = S(t) w_k [Σ_{j: entry_k < t_j <= min(t, exit_k)} d_j/(n_j(n_j-d_j))
//! - δ_k 1(exit_k <= t)/(n(exit_k) - d(exit_k))]` and the analogue for `H`.
//!
//! Confidence intervals, quantiles (median with the midpoint rule for flat stretches)
//! and the output rows (one per distinct exit time, censor-only times included)
//! follow R's `survival::survfit` (`survfitKM`, `survfit_confint`,
//! `quantile.survfit`) and `summary(fit, censored = TRUE)`.
//!
//! Reference: Therneau T (2024). *A Package for Survival Analysis in R*; Kaplan EL,
//! Meier P (1958) JASA 53:457–481; Greenwood M (1926).

use rayon::prelude::*;

use super::order::{sort_rows_by, tie_starts};
use crate::data::SurvivalData;
use crate::dist::qnorm;
use crate::error::{Error, Result};

/// Transformation on which the pointwise confidence interval is symmetric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConfType {
    /// `log S` (survival's default).
    #[default]
    Log,
    /// `log(-log S)`.
    LogLog,
    /// `S` itself, truncated to [0, 1].
    Plain,
    /// `log(S / (1 - S))`.
    Logit,
    /// `arcsin(sqrt S)`.
    Arcsin,
    /// No interval.
    None,
}

crate::option_enum!(ConfType, "conf_type", "log" => ConfType::Log, "log-log" => ConfType::LogLog, "loglog" => ConfType::LogLog, "plain" => ConfType::Plain, "linear" => ConfType::Plain, "logit" => ConfType::Logit, "arcsin" => ConfType::Arcsin, "arcsine" => ConfType::Arcsin, "none" => ConfType::None);

impl ConfType {
    /// Parse an option string (see [`crate::options`]).
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
    /// The canonical spelling.
    pub fn name(&self) -> &'static str {
        crate::options::OptionEnum::name(*self)
    }
}

/// Which variance estimator to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Variance {
    /// Greenwood, unless some case weight is fractional; then robust (survival's rule).
    #[default]
    Auto,
    /// Greenwood's formula (with weighted counts).
    Greenwood,
    /// Infinitesimal jackknife with each row its own cluster.
    Robust,
}

crate::option_enum!(Variance, "variance", "auto" => Variance::Auto, "greenwood" => Variance::Greenwood, "robust" => Variance::Robust);

/// Entry point: `KaplanMeier::params()`.
pub struct KaplanMeier;

impl KaplanMeier {
    pub fn params() -> KaplanMeierParams {
        KaplanMeierParams::default()
    }
}

/// Options of the Kaplan–Meier fit.
#[derive(Debug, Clone, Copy)]
pub struct KaplanMeierParams {
    conf_type: ConfType,
    conf_level: f64,
    variance: Variance,
}

impl Default for KaplanMeierParams {
    fn default() -> Self {
        KaplanMeierParams {
            conf_type: ConfType::Log,
            conf_level: 0.95,
            variance: Variance::Auto,
        }
    }
}

impl KaplanMeierParams {
    pub fn conf_type(mut self, conf_type: ConfType) -> Self {
        self.conf_type = conf_type;
        self
    }
    pub fn conf_level(mut self, conf_level: f64) -> Self {
        self.conf_level = conf_level;
        self
    }
    pub fn variance(mut self, variance: Variance) -> Self {
        self.variance = variance;
        self
    }

    /// Check the options (called by `fit`).
    pub fn check(&self) -> Result<()> {
        crate::data::check_conf_level(self.conf_level)
    }

    /// Fit one curve per stratum (strata in parallel).
    pub fn fit(&self, data: &SurvivalData) -> Result<KaplanMeierFit> {
        self.check()?;
        data.check_stratum_sizes(2)?;
        let robust = match self.variance {
            Variance::Auto => data.has_fractional_weights(),
            Variance::Greenwood => false,
            Variance::Robust => true,
        };
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let rows = data.rows_by_stratum();
        if data.weights().is_some() {
            if let Some(k) = rows
                .iter()
                .position(|r| !r.iter().any(|&i| data.weight(i as usize) > 0.0))
            {
                return Err(Error::Data {
                    arg: "weights",
                    reason: format!(
                        "every weight is 0{}: there is nothing to estimate",
                        if rows.len() > 1 { format!(" in stratum {}", k + 1) } else { String::new() }
                    ),
                });
            }
        }
        let curves: Vec<Curve> = rows
            .par_iter()
            .map(|r| {
                let mut c = fit_stratum(data, r, robust);
                c.confint(self.conf_type, z, !robust);
                c
            })
            .collect();
        Ok(KaplanMeierFit::stack(
            curves,
            rows.iter().map(|r| r.len()).collect(),
            self,
            robust,
        ))
    }
}

/// One stratum's curve (internal).
#[derive(Default)]
struct Curve {
    time: Vec<f64>,
    n_risk: Vec<f64>,
    n_event: Vec<f64>,
    n_censor: Vec<f64>,
    surv: Vec<f64>,
    /// Standard error of `-log S` (Greenwood) or of `S` (robust): `survfit`'s `std.err`.
    se_raw: Vec<f64>,
    cumhaz: Vec<f64>,
    se_cumhaz: Vec<f64>,
    lower: Vec<f64>,
    upper: Vec<f64>,
}

fn fit_stratum(data: &SurvivalData, rows: &[u32], robust: bool) -> Curve {
    let exit = data.exit();
    let status = data.status();
    let order = sort_rows_by(exit, rows);
    let m = order.len();
    let t: Vec<f64> = order.iter().map(|&r| exit[r as usize]).collect();
    let starts = tie_starts(&t);
    let nt = starts.len() - 1;
    let dtime: Vec<f64> = starts[..nt].iter().map(|&s| t[s]).collect();

    // Entry times sorted, for the risk sets of (entry, exit] data.
    let entry_order: Option<Vec<u32>> = data.entry().map(|entry| sort_rows_by(entry, rows));
    let entries: Option<Vec<(f64, f64)>> =
        entry_order.as_ref().zip(data.entry()).map(|(o, entry)| {
            o.iter()
                .map(|&r| (entry[r as usize], data.weight(r as usize)))
                .collect()
        });

    // Backward pass: counts at each distinct time, risk set as a reverse cumulative sum.
    let mut n_risk = vec![0.0; nt];
    let mut n_event = vec![0.0; nt];
    let mut n_censor = vec![0.0; nt];
    let mut d_count = vec![0u32; nt];
    let mut at_risk = 0.0;
    let mut pe = m; // entries with index >= pe have been removed from the risk set
    for k in (0..nt).rev() {
        let (mut ev, mut ce, mut dc) = (0.0, 0.0, 0u32);
        for i in (starts[k]..starts[k + 1]).rev() {
            let r = order[i] as usize;
            let w = data.weight(r);
            at_risk += w;
            if status[r] == 1.0 {
                ev += w;
                dc += 1;
            } else {
                ce += w;
            }
        }
        if let Some(e) = &entries {
            while pe > 0 && e[pe - 1].0 >= dtime[k] {
                at_risk -= e[pe - 1].1;
                pe -= 1;
            }
        }
        n_risk[k] = at_risk;
        n_event[k] = ev;
        n_censor[k] = ce;
        d_count[k] = dc;
    }

    // Forward pass: Kaplan–Meier, Nelson–Aalen, Greenwood.
    let mut surv = vec![0.0; nt];
    let mut cumhaz = vec![0.0; nt];
    let mut se_raw = vec![0.0; nt];
    let mut se_cumhaz = vec![0.0; nt];
    let (mut km, mut na, mut v1, mut v2) = (1.0, 0.0, 0.0, 0.0);
    for j in 0..nt {
        let (n, d) = (n_risk[j], n_event[j]);
        if d_count[j] > 0 && d > 0.0 {
            na += d / n;
            v2 += d / (n * n);
            km *= (n - d) / n;
            v1 += d / (n * (n - d));
        }
        surv[j] = km;
        cumhaz[j] = na;
        se_raw[j] = v1.sqrt();
        se_cumhaz[j] = v2.sqrt();
    }

    let mut curve = Curve {
        time: dtime,
        n_risk,
        n_event,
        n_censor,
        surv,
        se_raw,
        cumhaz,
        se_cumhaz,
        lower: Vec::new(),
        upper: Vec::new(),
    };
    if robust {
        robust_variance(data, &order, &starts, entry_order, &d_count, &mut curve);
    }
    curve
}

/// Infinitesimal-jackknife standard errors of `S` and `H`, each row its own cluster.
///
/// With `a_j = d_j/n_j²`, `b_j = d_j/(n_j(n_j-d_j))` and cumulative sums `A`, `B` over
/// event times, row k's influence on `H(t)` is
/// `w_k[δ_k 1(x_k<=t)/n(x_k) - (A(min(t,x_k)) - A(e_k))]` and on `S(t)` is
/// `S(t) w_k[(B(min(t,x_k)) - B(e_k)) - δ_k 1(x_k<=t)/(n(x_k)-d(x_k))]`.
/// Rows still at risk contribute `w²(A(t) - A(e))²`, expanded into three running sums;
/// rows that have left contribute a constant. Values change only at event times.
fn robust_variance(
    data: &SurvivalData,
    order: &[u32],
    starts: &[usize],
    entry_order: Option<Vec<u32>>,
    d_count: &[u32],
    c: &mut Curve,
) {
    let nt = c.time.len();
    let status = data.status();
    // Cumulative A and B after each distinct time.
    let mut cum_a = vec![0.0; nt];
    let mut cum_b = vec![0.0; nt];
    let (mut a, mut b) = (0.0, 0.0);
    for j in 0..nt {
        let (n, d) = (c.n_risk[j], c.n_event[j]);
        if d_count[j] > 0 && d > 0.0 {
            a += d / (n * n);
            if n > d {
                b += d / (n * (n - d));
            }
        }
        cum_a[j] = a;
        cum_b[j] = b;
    }
    // A(e), B(e): cumulative value at the last distinct time <= e (0 before the first).
    let at_entry = |row: usize| -> (f64, f64) {
        match data.entry() {
            None => (0.0, 0.0),
            Some(entry) => {
                let k = c.time.partition_point(|&t| t <= entry[row]);
                if k == 0 {
                    (0.0, 0.0)
                } else {
                    (cum_a[k - 1], cum_b[k - 1])
                }
            }
        }
    };
    // Running sums over the risk set, and over rows that have left (their final
    // squared influence).
    let mut rs = RiskSums::default();
    let (mut fa, mut fb) = (0.0, 0.0);
    let mut pe = 0usize;
    if entry_order.is_none() {
        for &r in order {
            let (ae, be) = at_entry(r as usize);
            rs.add(data.weight(r as usize).powi(2), ae, be, 1.0);
        }
    }
    let (mut va, mut vb) = (0.0, 0.0);
    let mut surv_zero = false;
    for j in 0..nt {
        let tj = c.time[j];
        if let (Some(eo), Some(entry)) = (&entry_order, data.entry()) {
            while pe < eo.len() && entry[eo[pe] as usize] < tj {
                let r = eo[pe] as usize;
                let (ae, be) = at_entry(r);
                rs.add(data.weight(r).powi(2), ae, be, 1.0);
                pe += 1;
            }
        }
        let (n, d) = (c.n_risk[j], c.n_event[j]);
        for &r in &order[starts[j]..starts[j + 1]] {
            let r = r as usize;
            let w = data.weight(r);
            let (ae, be) = at_entry(r);
            rs.add(w * w, ae, be, -1.0);
            let delta = if status[r] == 1.0 { 1.0 } else { 0.0 };
            fa += (w * (delta / n - (cum_a[j] - ae))).powi(2);
            if n > d {
                fb += (w * ((cum_b[j] - be) - delta / (n - d))).powi(2);
            }
        }
        if d_count[j] > 0 && d > 0.0 {
            let (aj, bj) = (cum_a[j], cum_b[j]);
            va = fa + aj * aj * rs.s0 - 2.0 * aj * rs.sa1 + rs.sa2;
            if n <= d {
                surv_zero = true;
            }
            vb = if surv_zero {
                0.0
            } else {
                c.surv[j].powi(2) * (fb + bj * bj * rs.s0 - 2.0 * bj * rs.sb1 + rs.sb2)
            };
        }
        c.se_cumhaz[j] = va.max(0.0).sqrt();
        c.se_raw[j] = vb.max(0.0).sqrt();
    }
}

/// Σw², Σw²A(e), Σw²A(e)², Σw²B(e), Σw²B(e)² over the rows at risk.
#[derive(Default)]
struct RiskSums {
    s0: f64,
    sa1: f64,
    sa2: f64,
    sb1: f64,
    sb2: f64,
}

impl RiskSums {
    fn add(&mut self, w2: f64, ae: f64, be: f64, sign: f64) {
        self.s0 += sign * w2;
        self.sa1 += sign * w2 * ae;
        self.sa2 += sign * w2 * ae * ae;
        self.sb1 += sign * w2 * be;
        self.sb2 += sign * w2 * be * be;
    }
}

/// `pmax`/`pmin` as in R: NaN propagates.
fn pmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}
fn pmin(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// Pointwise interval for survival `p` with standard error `se` (of `-log S` when
/// `logse`, else of `S`), as `survival:::survfit_confint`.
pub(crate) fn confint(p: f64, se: f64, logse: bool, conf_type: ConfType, z: f64) -> (f64, f64) {
    let nan = f64::NAN;
    let se = if logse {
        se
    } else if se == 0.0 {
        0.0
    } else {
        se / p
    };
    let xx = |bad: bool| if bad { nan } else { p };
    match conf_type {
        ConfType::None => (nan, nan),
        ConfType::Plain => {
            let se2 = se * p * z;
            (pmax(p - se2, 0.0), pmin(p + se2, 1.0))
        }
        ConfType::Log => {
            if se == 0.0 {
                return (p, p);
            }
            let x = xx(p == 0.0);
            let se2 = z * se;
            ((x.ln() - se2).exp(), pmin((x.ln() + se2).exp(), 1.0))
        }
        ConfType::LogLog => {
            if se == 0.0 {
                return (p, p);
            }
            let x = xx(p == 0.0 || p == 1.0);
            let se2 = z * se / x.ln();
            let ll = (-x.ln()).ln();
            ((-(ll - se2).exp()).exp(), (-(ll + se2).exp()).exp())
        }
        ConfType::Logit => {
            if se == 0.0 {
                return (p, p);
            }
            let x = xx(p == 0.0);
            let se2 = z * se * (1.0 + x / (1.0 - x));
            let lg = (p / (1.0 - p)).ln();
            (
                1.0 - 1.0 / (1.0 + (lg - se2).exp()),
                1.0 - 1.0 / (1.0 + (lg + se2).exp()),
            )
        }
        ConfType::Arcsin => {
            let x = xx(p == 0.0);
            let se2 = 0.5 * z * se * (x / (1.0 - x)).sqrt();
            let a = x.sqrt().asin();
            (
                pmax(0.0, a - se2).sin().powi(2),
                pmin(std::f64::consts::FRAC_PI_2, a + se2).sin().powi(2),
            )
        }
    }
}

impl Curve {
    fn confint(&mut self, conf_type: ConfType, z: f64, logse: bool) {
        let (lower, upper) = self
            .surv
            .iter()
            .zip(&self.se_raw)
            .map(|(&p, &se)| confint(p, se, logse, conf_type, z))
            .unzip();
        self.lower = lower;
        self.upper = upper;
    }
}

/// Quantile of a survival curve with its confidence limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantile {
    pub estimate: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Survival read off the step function at requested times (one stratum).
#[derive(Debug, Clone, Default)]
pub struct SurvivalAt {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub survival: Vec<f64>,
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    pub cumulative_hazard: Vec<f64>,
}

/// A fitted Kaplan–Meier model: one curve per stratum, stacked as columns.
///
/// Rows `offsets[k]..offsets[k+1]` belong to stratum `k`; there is one row per
/// distinct exit time of the stratum, censor-only times included.
#[derive(Debug, Clone)]
pub struct KaplanMeierFit {
    pub n_strata: usize,
    /// Number of input rows in each stratum.
    pub n: Vec<usize>,
    pub offsets: Vec<usize>,
    pub time: Vec<f64>,
    /// Weighted number at risk just before `time`.
    pub n_risk: Vec<f64>,
    /// Weighted number of events at `time`.
    pub n_event: Vec<f64>,
    /// Weighted number censored at `time`.
    pub n_censor: Vec<f64>,
    pub survival: Vec<f64>,
    /// Standard error of the survival estimate (as `summary.survfit` reports it).
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Nelson–Aalen cumulative hazard.
    pub cumulative_hazard: Vec<f64>,
    pub std_err_cumulative_hazard: Vec<f64>,
    pub conf_type: ConfType,
    pub conf_level: f64,
    /// Whether the robust (infinitesimal jackknife) variance was used.
    pub robust: bool,
    /// `survfit`'s `std.err`: of `-log S` (Greenwood) or of `S` (robust).
    se_raw: Vec<f64>,
}

impl KaplanMeierFit {
    fn stack(curves: Vec<Curve>, n: Vec<usize>, p: &KaplanMeierParams, robust: bool) -> Self {
        let total: usize = curves.iter().map(|c| c.time.len()).sum();
        let mut offsets = Vec::with_capacity(curves.len() + 1);
        offsets.push(0);
        let mut fit = KaplanMeierFit {
            n_strata: curves.len(),
            n,
            offsets: Vec::new(),
            time: Vec::with_capacity(total),
            n_risk: Vec::with_capacity(total),
            n_event: Vec::with_capacity(total),
            n_censor: Vec::with_capacity(total),
            survival: Vec::with_capacity(total),
            std_err: Vec::with_capacity(total),
            lower: Vec::with_capacity(total),
            upper: Vec::with_capacity(total),
            cumulative_hazard: Vec::with_capacity(total),
            std_err_cumulative_hazard: Vec::with_capacity(total),
            conf_type: p.conf_type,
            conf_level: p.conf_level,
            robust,
            se_raw: Vec::with_capacity(total),
        };
        for c in curves {
            fit.time.extend_from_slice(&c.time);
            fit.n_risk.extend_from_slice(&c.n_risk);
            fit.n_event.extend_from_slice(&c.n_event);
            fit.n_censor.extend_from_slice(&c.n_censor);
            fit.survival.extend_from_slice(&c.surv);
            // summary.survfit: std(S) = std.err * S when std.err is of log S.
            fit.std_err.extend(
                c.se_raw
                    .iter()
                    .zip(&c.surv)
                    .map(|(&se, &s)| if robust { se } else { se * s }),
            );
            fit.se_raw.extend_from_slice(&c.se_raw);
            fit.lower.extend_from_slice(&c.lower);
            fit.upper.extend_from_slice(&c.upper);
            fit.cumulative_hazard.extend_from_slice(&c.cumhaz);
            fit.std_err_cumulative_hazard
                .extend_from_slice(&c.se_cumhaz);
            offsets.push(fit.time.len());
        }
        fit.offsets = offsets;
        fit
    }

    /// Row range of stratum `k`.
    /// Restricted mean survival time up to `tau` of stratum `k` and its standard error,
    /// as `print(survfit, rmean = tau)` (survival's `survmean`): the area under the
    /// curve from 0 to `tau` (the curve carried forward past its last time), and
    /// `Σ_j A_j² d_j / (n_j (n_j − d_j))` over the times `t_j ≤ tau`, `A_j` the area
    /// from `t_j` to `tau` (Klein & Moeschberger 2003, §4.5).
    pub fn rmst(&self, k: usize, tau: f64) -> (f64, f64) {
        let r = self.stratum_range(k);
        let (time, surv) = (&self.time[r.clone()], &self.survival[r.clone()]);
        let (nr, ne) = (&self.n_risk[r.clone()], &self.n_event[r]);
        let m = time.iter().take_while(|&&t| t <= tau).count();
        // rectangles: [0, t_1) at 1, [t_j, t_{j+1}) at S(t_j), the last to tau
        let mut rect = Vec::with_capacity(m + 1);
        let mut prev_t = 0.0;
        let mut prev_s = 1.0;
        for j in 0..m {
            rect.push((time[j] - prev_t) * prev_s);
            prev_t = time[j];
            prev_s = surv[j];
        }
        rect.push((tau - prev_t) * prev_s);
        let mean: f64 = rect.iter().sum();
        // A_j = area after t_j = sum of rect[j + 1..]
        let mut var = 0.0;
        let mut after = 0.0;
        for j in (0..m).rev() {
            after += rect[j + 1];
            let h = if nr[j] - ne[j] == 0.0 { 0.0 } else { ne[j] / (nr[j] * (nr[j] - ne[j])) };
            var += after * after * h;
        }
        (mean, var.sqrt())
    }

    pub fn stratum_range(&self, k: usize) -> std::ops::Range<usize> {
        self.offsets[k]..self.offsets[k + 1]
    }

    /// Number of output rows.
    pub fn len(&self) -> usize {
        self.time.len()
    }
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Stratum code of every output row.
    pub fn row_strata(&self) -> Vec<u32> {
        let mut s = Vec::with_capacity(self.len());
        for k in 0..self.n_strata {
            s.extend(std::iter::repeat_n(k as u32, self.stratum_range(k).len()));
        }
        s
    }

    fn check_stratum(&self, stratum: usize) -> Result<()> {
        if stratum >= self.n_strata {
            return Err(Error::InvalidArgument {
                arg: "stratum",
                reason: format!(
                    "stratum {stratum} does not exist (the fit has {})",
                    self.n_strata
                ),
            });
        }
        Ok(())
    }

    /// The `p`-quantile of survival time (`p = 0.5`: the median) per stratum, with
    /// limits read off the confidence band, as `quantile.survfit`: the first time the
    /// curve reaches `1 - p`, or the midpoint of a flat stretch exactly at `1 - p`.
    pub fn quantile(&self, p: f64) -> Result<Vec<Quantile>> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::InvalidArgument {
                arg: "probs",
                reason: format!("must be in [0, 1], got {p}"),
            });
        }
        let tol = f64::EPSILON.sqrt();
        Ok((0..self.n_strata)
            .map(|k| {
                let r = self.stratum_range(k);
                let x: Vec<f64> = std::iter::once(0.0)
                    .chain(self.time[r.clone()].iter().copied())
                    .collect();
                let cdf = |s: &[f64]| -> Vec<f64> {
                    std::iter::once(0.0)
                        .chain(s.iter().map(|v| 1.0 - v))
                        .collect()
                };
                let (est, lo, hi) = if self.conf_type == ConfType::None {
                    (
                        findq(&x, &cdf(&self.survival[r.clone()]), p, tol),
                        f64::NAN,
                        f64::NAN,
                    )
                } else {
                    (
                        findq(&x, &cdf(&self.survival[r.clone()]), p, tol),
                        findq(&x, &cdf(&self.lower[r.clone()]), p, tol),
                        findq(&x, &cdf(&self.upper[r.clone()]), p, tol),
                    )
                };
                Quantile {
                    estimate: est,
                    lower: lo,
                    upper: hi,
                }
            })
            .collect())
    }

    /// Median survival time per stratum with its confidence limits.
    pub fn median(&self) -> Vec<Quantile> {
        self.quantile(0.5).expect("0.5 is a valid probability")
    }

    /// Survival of stratum `stratum` at `times` (right-continuous step function; 1
    /// before the first time; the last value beyond the last time). `n_risk` is the
    /// number at risk at the first curve time at or after each requested time (0
    /// beyond the end), as `summary(fit, times = , extend = TRUE)`.
    pub fn survival_at(&self, stratum: usize, times: &[f64]) -> Result<SurvivalAt> {
        self.check_stratum(stratum)?;
        crate::data::check_times(times)?;
        let r = self.stratum_range(stratum);
        let tt = &self.time[r.clone()];
        let mut out = SurvivalAt {
            time: times.to_vec(),
            ..Default::default()
        };
        for &t in times {
            let i1 = tt.partition_point(|&x| x <= t); // findInterval
            let i2 = tt.partition_point(|&x| x < t); // findInterval(left.open) -> first time >= t
            out.n_risk.push(if i2 < tt.len() {
                self.n_risk[r.start + i2]
            } else {
                0.0
            });
            if i1 == 0 {
                out.survival.push(1.0);
                out.std_err.push(0.0);
                out.lower.push(if self.conf_type == ConfType::None {
                    f64::NAN
                } else {
                    1.0
                });
                out.upper.push(if self.conf_type == ConfType::None {
                    f64::NAN
                } else {
                    1.0
                });
                out.cumulative_hazard.push(0.0);
            } else {
                let i = r.start + i1 - 1;
                out.survival.push(self.survival[i]);
                out.std_err.push(self.std_err[i]);
                out.lower.push(self.lower[i]);
                out.upper.push(self.upper[i]);
                out.cumulative_hazard.push(self.cumulative_hazard[i]);
            }
        }
        Ok(out)
    }

    /// `survfit`'s `std.err` column: standard error of `-log S` (Greenwood) or of `S`
    /// (robust).
    pub fn std_err_raw(&self) -> &[f64] {
        &self.se_raw
    }
}

/// `survival:::findq`: where a horizontal line at `p` meets the cdf `y` (non-decreasing,
/// NaN allowed) plotted against `x`.
fn findq(x: &[f64], y: &[f64], p: f64, tol: f64) -> f64 {
    let ymax = y
        .iter()
        .copied()
        .filter(|v| !v.is_nan())
        .fold(f64::NEG_INFINITY, f64::max);
    if ymax < p {
        return f64::NAN;
    }
    let xmax = *x.last().unwrap();
    // Drop duplicated y values (NaN equal to NaN), keeping the first: `duplicated(y)`.
    let mut seen = std::collections::HashSet::with_capacity(y.len());
    let mut xs = Vec::with_capacity(x.len());
    let mut ys: Vec<f64> = Vec::with_capacity(y.len());
    for (&xi, &yi) in x.iter().zip(y) {
        let key = if yi.is_nan() {
            u64::MAX
        } else {
            (yi + 0.0).to_bits()
        };
        if seen.insert(key) {
            xs.push(xi);
            ys.push(yi);
        }
    }
    let n = ys.len();
    // approx(y + off, 1:n, p, method = "constant", f = 1, rule = 1), NaN pairs removed:
    // the index of the smallest abscissa >= p, none outside the abscissae's range.
    let lookup = |off: f64| -> Option<usize> {
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        let mut best: Option<(f64, usize)> = None;
        for (i, &v) in ys.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            let v = v + off;
            lo = lo.min(v);
            hi = hi.max(v);
            if v >= p && best.is_none_or(|(b, _)| v < b) {
                best = Some((v, i));
            }
        }
        if p < lo || p > hi {
            return None;
        }
        best.map(|(_, i)| i)
    };
    let i1 = lookup(tol);
    let i2 = lookup(-tol);
    if p == 0.0 {
        return xs[0];
    }
    let mut q = match (i1, i2) {
        (Some(a), Some(b)) => (xs[a] + xs[b]) / 2.0,
        _ => f64::NAN,
    };
    if !ys[n - 1].is_nan() && (p - ys[n - 1]).abs() < tol {
        q = match i1 {
            Some(a) => (xs[a] + xmax) / 2.0,
            None => f64::NAN,
        };
    }
    q
}
