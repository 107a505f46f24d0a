//! Interval (life-table) relative and net survival, as `popEpi::survtab`
//! (`surv.type = "surv.rel"`, `surv.method = "hazard"`) and Stata's `strs`/`stnet` with
//! the hazard (exponential within interval) life table.
//!
//! Follow-up is cut at the interval boundaries `b_0 = 0 < b_1 < ... < b_K` (time since
//! diagnosis, the rate table's unit; follow-up beyond `b_K` is censored there). Each
//! person contributes one row per interval reached, `[b_k, min(b_{k+1}, t_i))`, with
//! its death on the last row. Every row gets ONE population hazard `h`, looked up at its
//! mid-point (age and calendar time at diagnosis + `b_k + dur/2`, each nudged up by
//! `sqrt(eps)` as popEpi's `cutLow`). Per interval, with `Δ = b_{k+1} - b_k`:
//!
//! - `pyrs = Σ dur`, `d = Σ deaths`, `d_exp = Σ dur h`; observed survival
//!   `Π exp(-Δ d / pyrs)` with SE `S_obs sqrt(Σ Δ² d / pyrs²)`.
//! - **Ederer II**: `Π exp(-Δ (d - d_exp) / pyrs)`, SE = SE of the observed survival over
//!   the expected survival `Π exp(-Δ d_exp / pyrs)`.
//! - **Pohar-Perme**: each row weighted by the inverse of the person's expected survival,
//!   `w = exp(H + h Δ/2)` with `H` the expected cumulative hazard of the person's earlier
//!   rows (the expected survival at the interval's mid-point); `d_pp = Σ_deaths w`,
//!   `d_pp2 = Σ_deaths w²`, `pyrs_pp = Σ dur w`, `d_exp_pp = Σ dur h w`; estimate
//!   `Π exp(-Δ (d_pp - d_exp_pp) / pyrs_pp)`, SE `S sqrt(Σ Δ² d_pp2 / pyrs_pp²)`.
//!   [`PpWeight::PopEpi`] reproduces popEpi 0.4.10 (and 0.5.0), whose weight moves the
//!   expected survival half an interval *backwards*, `w = exp(H - h (Δ - sqrt(eps))/2)`
//!   (a sign slip in `comp_pp_weights`; its several-rows branch has the other sign).
//!
//! Limits (default log-log, as popEpi): `u = SE / (|log S| S)`, `S^exp(±z u)`.
//! Age standardisation (Corazziari et al. 2004, e.g. the ICSS weights): per interval
//! `Σ w_g S_g` with SE `sqrt(Σ w_g² SE_g²)`, cropped to the shortest group's table.

use super::net::standardize::standard_weights_total;
use super::net::NetSurvivalData;
use super::ratetable::RateTable;
use crate::data::check_conf_level;
use crate::dist::qnorm;
use crate::error::{Error, Result};
use crate::survival::km::ConfType;

/// Estimator of interval relative / net survival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntervalMethod {
    /// Pohar-Perme net survival.
    #[default]
    PoharPerme,
    /// Ederer II relative survival.
    Ederer2,
}

crate::option_enum!(IntervalMethod, "method", "pohar-perme" => IntervalMethod::PoharPerme, "pp" => IntervalMethod::PoharPerme, "ederer2" => IntervalMethod::Ederer2, "e2" => IntervalMethod::Ederer2);

impl IntervalMethod {
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
    pub fn name(&self) -> &'static str {
        match self {
            IntervalMethod::PoharPerme => "pohar-perme",
            IntervalMethod::Ederer2 => "ederer2",
        }
    }
}

/// Where the Pohar-Perme weight evaluates the expected survival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PpWeight {
    /// At the interval's mid-point (Pohar Perme et al. 2012; Stata `stnet`).
    #[default]
    Midpoint,
    /// As popEpi 0.4.10's `survtab`: half an interval before its start.
    PopEpi,
}

crate::option_enum!(PpWeight, "pp_weight", "midpoint" => PpWeight::Midpoint, "popepi" => PpWeight::PopEpi);

impl PpWeight {
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
}

/// Data for interval survival: the same as for net survival (follow-up times > 0 and
/// status 0/1 in the rate table's time unit, the persons' values at diagnosis for each
/// rate-table dimension); a table per group with [`NetSurvivalData::with_groups`].
pub type LifeTableData<'a> = NetSurvivalData<'a>;

/// Options for interval survival.
#[derive(Debug, Clone)]
pub struct IntervalSurvivalParams {
    breaks: Vec<f64>,
    method: IntervalMethod,
    pp_weight: PpWeight,
    conf_type: ConfType,
    conf_level: f64,
}

/// Interval (life-table) relative / net survival.
pub struct IntervalSurvival;

impl IntervalSurvival {
    /// Defaults: Pohar-Perme with mid-point weights, log-log 95% limits; `breaks` must be
    /// set.
    pub fn params() -> IntervalSurvivalParams {
        IntervalSurvivalParams {
            breaks: Vec::new(),
            method: IntervalMethod::PoharPerme,
            pp_weight: PpWeight::Midpoint,
            conf_type: ConfType::LogLog,
            conf_level: 0.95,
        }
    }
}

/// One group's life table: a row per interval up to the last with anyone at risk.
#[derive(Debug, Clone, Default)]
pub struct IntervalTable {
    pub start: Vec<f64>,
    pub stop: Vec<f64>,
    pub delta: Vec<f64>,
    /// Persons alive and under follow-up at the interval's start.
    pub n_start: Vec<f64>,
    /// Persons censored (alive) within the interval, before its end.
    pub n_censor: Vec<f64>,
    pub pyrs: Vec<f64>,
    pub d: Vec<f64>,
    pub d_exp: Vec<f64>,
    pub d_pp: Vec<f64>,
    pub d_pp2: Vec<f64>,
    pub pyrs_pp: Vec<f64>,
    pub d_exp_pp: Vec<f64>,
    /// Observed (all-cause) survival at the interval's end and its standard error.
    pub surv_obs: Vec<f64>,
    pub se_obs: Vec<f64>,
    /// Expected survival of the cohort (Ederer II).
    pub surv_exp: Vec<f64>,
    /// Relative (Ederer II) or net (Pohar-Perme) survival at the interval's end.
    pub surv: Vec<f64>,
    pub std_err: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// The columns of an interval (life) table, one vocabulary for every language: the
/// interval's number (from 1), start and stop (years since diagnosis), delta (its
/// length), n_start, n_censor, pyrs (person-years), d, d_exp, the Pohar-Perme sums d_pp,
/// d_pp2, pyrs_pp, d_exp_pp, the observed survival surv_obs with its standard error
/// se_obs, the expected survival surv_exp, and the relative / net survival `survival`
/// with its standard error `std_err` and limits `lower`, `upper` (cumulative, at the
/// interval's end).
pub const INTERVAL_COLUMNS: [&str; 20] = [
    "interval", "start", "stop", "delta", "n_start", "n_censor", "pyrs", "d", "d_exp", "d_pp", "d_pp2",
    "pyrs_pp", "d_exp_pp", "surv_obs", "se_obs", "surv_exp", "survival", "std_err", "lower", "upper",
];

/// Interval survival by group.
#[derive(Debug, Clone)]
pub struct IntervalSurvivalFit {
    pub method: IntervalMethod,
    pub conf_type: ConfType,
    pub conf_level: f64,
    pub tables: Vec<IntervalTable>,
}

/// Sums kept per group and interval.
const NS: usize = 9;
const PYRS: usize = 0;
const D: usize = 1;
const DEXP: usize = 2;
const DPP: usize = 3;
const DPP2: usize = 4;
const PYRSPP: usize = 5;
const DEXPPP: usize = 6;
const NSTART: usize = 7;
const NCENS: usize = 8;

impl IntervalSurvivalParams {
    /// Interval boundaries: `0 = b_0 < b_1 < ... < b_K`, in the rate table's time unit.
    pub fn breaks(mut self, b: &[f64]) -> Self {
        self.breaks = b.to_vec();
        self
    }
    pub fn method(mut self, m: IntervalMethod) -> Self {
        self.method = m;
        self
    }
    pub fn pp_weight(mut self, w: PpWeight) -> Self {
        self.pp_weight = w;
        self
    }
    pub fn conf_type(mut self, c: ConfType) -> Self {
        self.conf_type = c;
        self
    }
    pub fn conf_level(mut self, c: f64) -> Self {
        self.conf_level = c;
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        let b = &self.breaks;
        if b.len() < 2 {
            return Err(Error::InvalidArgument {
                arg: "breaks",
                reason: "at least two interval boundaries are needed".into(),
            });
        }
        if let Some(row) = b.iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidValue {
                arg: "breaks",
                row,
                value: b[row],
                problem: "boundary is not finite",
            });
        }
        if b[0] != 0.0 {
            return Err(Error::InvalidValue {
                arg: "breaks",
                row: 0,
                value: b[0],
                problem: "the first boundary must be 0 (time since diagnosis)",
            });
        }
        if let Some(k) = b.windows(2).position(|w| w[1] <= w[0]) {
            return Err(Error::InvalidValue {
                arg: "breaks",
                row: k + 1,
                value: b[k + 1],
                problem: "boundaries must be strictly increasing",
            });
        }
        if !matches!(
            self.conf_type,
            ConfType::LogLog | ConfType::Log | ConfType::Plain | ConfType::None
        ) {
            return Err(Error::InvalidArgument {
                arg: "conf_type",
                reason: "use \"log-log\", \"log\", \"plain\" or \"none\"".into(),
            });
        }
        check_conf_level(self.conf_level)
    }

    pub fn fit(&self, table: &RateTable, d: &LifeTableData) -> Result<IntervalSurvivalFit> {
        let ng = d.strata.map_or(1, |(_, k)| k);
        let sums = self.sums(table, d)?;
        self.from_sums(&sums, ng)
    }

    /// The sums of the estimator per group and interval (`groups x intervals x 9`,
    /// additive over persons: the sums of parts of the data add up to the whole's).
    pub fn sums(&self, table: &RateTable, d: &LifeTableData) -> Result<Vec<f64>> {
        self.check()?;
        let br = &self.breaks;
        let kk = br.len() - 1;
        let (codes, ng) = match d.strata {
            Some((c, k)) => (Some(c), k),
            None => (None, 1),
        };
        let adv = table.advances();
        let tol = f64::EPSILON.sqrt();
        let popepi = self.pp_weight == PpWeight::PopEpi;
        let ndim = adv.len();
        // Persons in fixed groups, the groups' sums added in order (crate::par: the same
        // sums, to the last bit, for any number of threads); Ctrl-C and progress between
        // waves of groups.
        let n = d.time.len();
        let size = ng * kk * NS;
        let sums = crate::par::sums(
            n,
            crate::par::group_len(n, kk, size, 256),
            kk,
            size,
            |acc, persons| {
                let mut point = vec![0.0; ndim];
                for i in persons {
                    let g = codes.map_or(0, |c| c[i] as usize);
                    let fend = d.time[i].min(br[kk]);
                    let died = d.status[i] == 1.0 && d.time[i] <= br[kk];
                    let mut h_prev = 0.0;
                    for k in 0..kk {
                        if fend <= br[k] {
                            break;
                        }
                        let last = fend <= br[k + 1];
                        let stop = if last { fend } else { br[k + 1] };
                        let dur = stop - br[k];
                        let at = br[k] + dur / 2.0;
                        for j in 0..ndim {
                            point[j] = d.values[j][i] + if adv[j] { at + tol } else { 0.0 };
                        }
                        let h = table.rate(table.cell(&point));
                        let delta = br[k + 1] - br[k];
                        let w = if popepi {
                            (h_prev - h * (br[k + 1] - tol - br[k]) / 2.0).exp()
                        } else {
                            (h_prev + h * delta / 2.0).exp()
                        };
                        let ev = if last && died { 1.0 } else { 0.0 };
                        let s = &mut acc[(g * kk + k) * NS..(g * kk + k + 1) * NS];
                        s[PYRS] += dur;
                        s[D] += ev;
                        s[DEXP] += dur * h;
                        s[DPP] += ev * w;
                        s[DPP2] += ev * w * w;
                        s[PYRSPP] += dur * w;
                        s[DEXPPP] += dur * h * w;
                        s[NSTART] += 1.0;
                        if last && !died && d.time[i] <= br[kk] {
                            s[NCENS] += 1.0;
                        }
                        h_prev += h * dur;
                    }
                }
            },
        )?;
        Ok(sums)
    }

    /// The fit from the sums of [`Self::sums`] (added over parts) for `ng` groups.
    pub fn from_sums(&self, sums: &[f64], ng: usize) -> Result<IntervalSurvivalFit> {
        self.check()?;
        let br = &self.breaks;
        let kk = br.len() - 1;
        if sums.len() != ng * kk * NS {
            return Err(Error::InvalidArgument {
                arg: "sums",
                reason: format!("have {} values; {ng} groups x {kk} intervals x {NS} sums are {}", sums.len(), ng * kk * NS),
            });
        }
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let tables = (0..ng)
            .map(|g| {
                let mut t = IntervalTable::default();
                let (mut so, mut vo, mut se_, mut s2, mut spp, mut vpp) =
                    (1.0, 0.0, 1.0, 1.0, 1.0, 0.0);
                for k in 0..kk {
                    let s = &sums[(g * kk + k) * NS..(g * kk + k + 1) * NS];
                    if s[PYRS] <= 0.0 {
                        break;
                    }
                    let delta = br[k + 1] - br[k];
                    so *= (-delta * s[D] / s[PYRS]).exp();
                    vo += delta * delta * s[D] / (s[PYRS] * s[PYRS]);
                    se_ *= (-delta * s[DEXP] / s[PYRS]).exp();
                    s2 *= (-delta * (s[D] - s[DEXP]) / s[PYRS]).exp();
                    spp *= (-delta * (s[DPP] - s[DEXPPP]) / s[PYRSPP]).exp();
                    vpp += delta * delta * s[DPP2] / (s[PYRSPP] * s[PYRSPP]);
                    t.start.push(br[k]);
                    t.stop.push(br[k + 1]);
                    t.delta.push(delta);
                    t.n_start.push(s[NSTART]);
                    t.n_censor.push(s[NCENS]);
                    t.pyrs.push(s[PYRS]);
                    t.d.push(s[D]);
                    t.d_exp.push(s[DEXP]);
                    t.d_pp.push(s[DPP]);
                    t.d_pp2.push(s[DPP2]);
                    t.pyrs_pp.push(s[PYRSPP]);
                    t.d_exp_pp.push(s[DEXPPP]);
                    t.surv_obs.push(so);
                    t.se_obs.push(so * vo.sqrt());
                    t.surv_exp.push(se_);
                    let (est, se) = match self.method {
                        IntervalMethod::Ederer2 => (s2, so * vo.sqrt() / se_),
                        IntervalMethod::PoharPerme => (spp, spp * vpp.sqrt()),
                    };
                    let (lo, hi) = limits(est, se, self.conf_type, z);
                    t.surv.push(est);
                    t.std_err.push(se);
                    t.lower.push(lo);
                    t.upper.push(hi);
                }
                t
            })
            .collect();
        Ok(IntervalSurvivalFit {
            method: self.method,
            conf_type: self.conf_type,
            conf_level: self.conf_level,
            tables,
        })
    }
}

/// Limits for a survival `s` with standard error `se` (of `s`): log-log as popEpi
/// (`s^exp(±z se / (|log s| s))`), log (`s exp(±z se / s)`), plain (`s ± z se`); equal
/// to `s` when `se` is 0.
fn limits(s: f64, se: f64, conf_type: ConfType, z: f64) -> (f64, f64) {
    if conf_type == ConfType::None || !s.is_finite() {
        return (f64::NAN, f64::NAN);
    }
    if se == 0.0 {
        return (s, s);
    }
    match conf_type {
        ConfType::LogLog => {
            let u = se / (s.ln().abs() * s);
            (s.powf((z * u).exp()), s.powf((-z * u).exp()))
        }
        ConfType::Log => (s * (-z * se / s).exp(), s * (z * se / s).exp()),
        _ => (s - z * se, s + z * se),
    }
}

impl IntervalSurvivalFit {
    /// Direct age standardisation over the groups (in group order) with `weights`
    /// (normalised to sum 1), cropped to the shortest group's table: per interval
    /// `Σ w_g S_g`, SE `sqrt(Σ w_g² SE_g²)` (also for the observed survival); counts and
    /// person-time summed over the groups; limits of the fit's type.
    pub fn age_standardized(&self, weights: &[f64]) -> Result<IntervalTable> {
        let total = standard_weights_total(weights, self.tables.len(), "groups")?;
        let len = self.tables.iter().map(|t| t.surv.len()).min().unwrap_or(0);
        if len == 0 {
            return Err(Error::Data {
                arg: "group",
                reason: "a group has no follow-up, so its survival cannot be standardised".into(),
            });
        }
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let t0 = &self.tables[0];
        let mut out = IntervalTable {
            start: t0.start[..len].to_vec(),
            stop: t0.stop[..len].to_vec(),
            delta: t0.delta[..len].to_vec(),
            ..Default::default()
        };
        for k in 0..len {
            let mut c = [0.0; 9];
            let (mut s, mut v, mut so, mut vo, mut sx) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for (t, &w) in self.tables.iter().zip(weights) {
                let w = w / total;
                for (x, y) in c.iter_mut().zip([
                    t.n_start[k],
                    t.n_censor[k],
                    t.pyrs[k],
                    t.d[k],
                    t.d_exp[k],
                    t.d_pp[k],
                    t.d_pp2[k],
                    t.pyrs_pp[k],
                    t.d_exp_pp[k],
                ]) {
                    *x += y;
                }
                s += w * t.surv[k];
                v += w * w * t.std_err[k] * t.std_err[k];
                so += w * t.surv_obs[k];
                vo += w * w * t.se_obs[k] * t.se_obs[k];
                sx += w * t.surv_exp[k];
            }
            out.n_start.push(c[0]);
            out.n_censor.push(c[1]);
            out.pyrs.push(c[2]);
            out.d.push(c[3]);
            out.d_exp.push(c[4]);
            out.d_pp.push(c[5]);
            out.d_pp2.push(c[6]);
            out.pyrs_pp.push(c[7]);
            out.d_exp_pp.push(c[8]);
            out.surv_obs.push(so);
            out.se_obs.push(vo.sqrt());
            out.surv_exp.push(sx);
            let (lo, hi) = limits(s, v.sqrt(), self.conf_type, z);
            out.surv.push(s);
            out.std_err.push(v.sqrt());
            out.lower.push(lo);
            out.upper.push(hi);
        }
        Ok(out)
    }
}
