//! Net and relative survival: Pohar-Perme, Ederer II, Ederer I and Hakulinen, as
//! `relsurv::rs.surv`.
//!
//! Times `t_1 < ... < t_m` are the distinct follow-up times of a stratum; every person
//! `i` carries the population survival `S_i(t) = exp(-Λ_i(t))` accumulated from the rate
//! table as their age and calendar time advance.
//!
//! - **Pohar-Perme** (relsurv's `netfastpinter2`): each interval `(t_{j-1}, t_j]` is cut
//!   into steps of length `precision` (the last one shorter); over a step starting at
//!   `s`, person `i` (still at risk at `t_j`) has the hazard `λ_i` of the cell holding
//!   their age and calendar time at `s`, and `S_i` is multiplied by `exp(-L λ_i)`. With
//!   running sums over the steps of the interval, `A = Σ λ_i/S_i(s)`, `B = Σ 1/S_i(s)`,
//!   `A' = Σ λ_i/S_i(s+L)`, `B' = Σ 1/S_i(s+L)`, the population part of the hazard is
//!   `Σ_steps L (A/B + A'/B')/2`; the increment is
//!   `Σ_{died at t_j} 1/S_i(t_j) / Σ_{at risk} 1/S_i(t_j)` minus it, the survival the
//!   product of `1 - increment`, and the variance `Σ_j Σ_{died} S_i⁻² / (Σ_{at risk} S_i⁻¹)²`.
//! - **Ederer II**: increment `(d_j - Σ_{at risk} L λ_i) / Y_j`, variance `Σ d_j / Y_j²`.
//! - **Ederer I** (relsurv's `netwei`, exact integration over each interval crossing the
//!   table's cells): the observed Kaplan–Meier divided by the mean population survival
//!   of everyone in the stratum, whatever their follow-up.
//! - **Hakulinen**: the observed Kaplan–Meier divided by `exp(-Σ_j Σ S_i dΛ_i / Σ S_i)`
//!   over persons still under *potential* follow-up (censoring time, or the end of the
//!   study minus the diagnosis date for those who died).
//!
//! Standard errors: with `σ(t_j) = sqrt(Σ_{k<=j} variance_k)` (the variances above; for
//! Ederer I and Hakulinen that of the observed part only), which is relsurv's `std.err`
//! (the standard error of the cumulative (net) hazard, i.e. of `log S`), a curve reports
//! `std_err_cumulative_hazard = σ` and `std_err = |S(t_j)| σ`, the standard error of the
//! survival estimate as `summary(rs.surv(...))` (`summary.survfit`: `std.err * surv`)
//! reports it (0 where the estimate is 0; the absolute value only matters if an estimate
//! falls below 0, where `summary.survfit` would give a negative number).
//!
//! Confidence limits as relsurv: log (default), log-log or plain, on `σ`:
//! `exp(log S ∓ z σ)`, `exp(-exp(log(-log S) ∓ z σ / log S))`, `S ∓ z σ S`.
//!
//! The test ([`test`]), crude probabilities ([`crude`]) and age standardisation
//! ([`standardize`]) are in their own modules.

use std::borrow::Cow;

use super::ratetable::RateTable;
use crate::data::{check_codes, check_conf_level, check_len};
use crate::dist::qnorm;
use crate::error::{Error, Result};
use crate::survival::km::ConfType;

pub mod crude;
pub mod partitioned;
pub mod standardize;
pub mod test;

pub use crude::{crude_probabilities, crude_probabilities_by_stratum, CrudeProbabilities};
pub use standardize::{icss_weights, StandardWeights, StandardizedNet, ICSS, ICSS_AGE_LOWER, ICSS_LABELS};
pub use test::{net_survival_test, NetSurvivalTest};

/// Estimator of net (or relative) survival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NetMethod {
    #[default]
    PoharPerme,
    Ederer2,
    Ederer1,
    Hakulinen,
}

crate::option_enum!(NetMethod, "method", "pohar-perme" => NetMethod::PoharPerme, "pp" => NetMethod::PoharPerme, "ederer2" => NetMethod::Ederer2, "e2" => NetMethod::Ederer2, "ederer1" => NetMethod::Ederer1, "e1" => NetMethod::Ederer1, "hakulinen" => NetMethod::Hakulinen);

impl NetMethod {
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
}

/// Data for net survival: follow-up times and status (0/1) in the rate table's time
/// unit, and for each rate-table dimension the persons' values at diagnosis (age and
/// calendar time in the table's unit, factor codes).
#[derive(Debug, Clone)]
pub struct NetSurvivalData<'a> {
    pub(crate) time: &'a [f64],
    pub(crate) status: &'a [f64],
    /// The values as the rate table reads them (see [`RateTable::with_us_date`]).
    pub(crate) values: Vec<Cow<'a, [f64]>>,
    /// The values as given (calendar dates for Hakulinen's potential follow-up).
    pub(crate) given: Vec<&'a [f64]>,
    pub(crate) strata: Option<(&'a [u32], usize)>,
}

impl<'a> NetSurvivalData<'a> {
    pub fn new(
        time: &'a [f64],
        status: &'a [f64],
        values: Vec<&'a [f64]>,
        table: &RateTable,
    ) -> Result<Self> {
        let n = time.len();
        if n == 0 {
            return Err(Error::Empty { arg: "time" });
        }
        check_len("status", status.len(), "time", n)?;
        // one wording with the other methods: missing, not finite, then not positive
        crate::data::check_finite("time", time)?;
        if let Some(row) = time.iter().position(|&t| t <= 0.0) {
            return Err(Error::InvalidValue {
                arg: "time",
                row,
                value: time[row],
                problem: "follow-up time must be positive",
            });
        }
        crate::data::check_status("status", status)?;
        table.check_values(&values, n)?;
        table.check_coverage(&values)?;
        Ok(NetSurvivalData {
            time,
            status,
            values: table.lookup_values(&values),
            given: values,
            strata: None,
        })
    }
    /// Separate life tables by group (codes `0..k`; interval survival), e.g. the age
    /// groups to standardise; the same as strata for the curves.
    pub fn with_groups(self, codes: &'a [u32], k: usize) -> Result<Self> {
        self.split_by("group", codes, k)
    }
    /// Number of persons.
    pub fn n(&self) -> usize {
        self.time.len()
    }
    pub fn with_strata(self, codes: &'a [u32], k: usize) -> Result<Self> {
        self.split_by("strata", codes, k)
    }
    fn split_by(mut self, arg: &'static str, codes: &'a [u32], k: usize) -> Result<Self> {
        check_len(arg, codes.len(), "time", self.time.len())?;
        check_codes(arg, codes, k)?;
        self.strata = Some((codes, k));
        Ok(self)
    }
}

/// Options for net survival.
#[derive(Debug, Clone, Copy)]
pub struct NetSurvivalParams {
    method: NetMethod,
    precision: f64,
    conf_type: ConfType,
    conf_level: f64,
    fin_date: Option<f64>,
}

impl Default for NetSurvivalParams {
    fn default() -> Self {
        NetSurvivalParams {
            method: NetMethod::PoharPerme,
            precision: 1.0,
            conf_type: ConfType::Log,
            conf_level: 0.95,
            fin_date: None,
        }
    }
}

/// One stratum's curve.
#[derive(Debug, Clone, Default)]
pub struct NetCurve {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub survival: Vec<f64>,
    /// Standard error of `survival`: `|S| σ`, as `summary(rs.surv(...))$std.err`.
    pub std_err: Vec<f64>,
    /// Standard error `σ` of the cumulative (net) hazard `-log S`, as `rs.surv(...)$std.err`;
    /// the confidence limits are built on it.
    pub std_err_cumulative_hazard: Vec<f64>,
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// Net survival per stratum.
#[derive(Debug, Clone)]
pub struct NetSurvivalFit {
    pub method: NetMethod,
    pub curves: Vec<NetCurve>,
    pub conf_type: ConfType,
    pub conf_level: f64,
}

/// Net survival estimation.
pub struct NetSurvival;

impl NetSurvival {
    pub fn params() -> NetSurvivalParams {
        NetSurvivalParams::default()
    }
}

impl NetSurvivalParams {
    pub fn method(mut self, m: NetMethod) -> Self {
        self.method = m;
        self
    }
    /// Step of the numerical integration (Pohar-Perme, Ederer II), in the table's time
    /// unit (relsurv's `precision`, default 1 day).
    pub fn precision(mut self, p: f64) -> Self {
        self.precision = p;
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
    /// End of the study (calendar time in the table's unit) for Hakulinen's potential
    /// follow-up; default the latest diagnosis date + follow-up.
    pub fn fin_date(mut self, d: f64) -> Self {
        self.fin_date = Some(d);
        self
    }

    pub fn fit(&self, table: &RateTable, d: &NetSurvivalData) -> Result<NetSurvivalFit> {
        if !(self.precision.is_finite() && self.precision > 0.0) {
            return Err(Error::InvalidArgument {
                arg: "precision",
                reason: "must be positive".into(),
            });
        }
        check_conf_level(self.conf_level)?;
        check_steps(d.time.iter().copied().fold(0.0, f64::max), self.precision)?;
        if !matches!(
            self.conf_type,
            ConfType::Log | ConfType::LogLog | ConfType::Plain
        ) {
            return Err(Error::InvalidArgument {
                arg: "conf_type",
                reason: "use \"log\", \"log-log\" or \"plain\"".into(),
            });
        }
        let k = d.strata.map_or(1, |(_, k)| k);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); k];
        for i in 0..d.time.len() {
            rows[d.strata.map_or(0, |(s, _)| s[i] as usize)].push(i);
        }
        let year = if self.method == NetMethod::Hakulinen {
            Some(
                table
                    .dim_index("year")
                    .ok_or_else(|| Error::InvalidArgument {
                        arg: "ratetable",
                        reason: "Hakulinen's method needs a rate-table dimension called `year`"
                            .into(),
                    })?,
            )
        } else {
            None
        };
        let fin = match (year, self.fin_date) {
            (Some(_), Some(f)) => Some(f),
            (Some(y), None) => Some(
                (0..d.time.len())
                    .map(|i| d.time[i] + d.given[y][i])
                    .fold(f64::NEG_INFINITY, f64::max),
            ),
            _ => None,
        };
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        // Progress (crate::progress): each stratum's sums report their share.
        let curves = rows
            .iter()
            .enumerate()
            .map(|(s, r)| {
                if r.is_empty() {
                    return Err(Error::Data {
                        arg: "strata",
                        reason: format!("stratum {s} has no rows"),
                    });
                }
                crate::progress::part(s, k, || self.curve(table, d, r, year.zip(fin), z))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(NetSurvivalFit {
            method: self.method,
            curves,
            conf_type: self.conf_type,
            conf_level: self.conf_level,
        })
    }

    fn curve(
        &self,
        table: &RateTable,
        d: &NetSurvivalData,
        rows: &[usize],
        hak: Option<(usize, f64)>,
        z: f64,
    ) -> Result<NetCurve> {
        let mut times: Vec<f64> = rows.iter().map(|&i| d.time[i]).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let y2: Option<Vec<f64>> = hak.map(|(yd, fin)| {
            rows.iter()
                .map(|&i| {
                    if d.status[i] == 1.0 {
                        fin - d.given[yd][i]
                    } else {
                        d.time[i]
                    }
                })
                .collect()
        });
        if let Some(y2) = &y2 {
            let tmax = *times.last().expect("rows");
            times.extend(y2.iter().map(|&t| t.min(tmax)));
            times.sort_by(f64::total_cmp);
            times.dedup();
        }
        let m = times.len();
        // Observed counts at each time.
        let mut exits = vec![0.0; m];
        let mut n_event = vec![0.0; m];
        for &i in rows {
            let j = times.partition_point(|&t| t < d.time[i]);
            n_event[j] += d.status[i];
            exits[j] += 1.0;
        }
        let (n_risk, n_exit) = at_risk(&exits, &n_event);
        let (haz, var, popsur) = match self.method {
            NetMethod::PoharPerme | NetMethod::Ederer2 => {
                let s = pp_sums(table, d, rows, &times, self.precision)?;
                let (haz, var) = self.pp_hazard(&s, &n_event, &n_risk);
                (haz, var, None)
            }
            NetMethod::Ederer1 | NetMethod::Hakulinen => {
                let haz: Vec<f64> = (0..m).map(|j| n_event[j] / n_risk[j]).collect();
                let var: Vec<f64> = (0..m)
                    .map(|j| n_event[j] / (n_risk[j] * n_risk[j]))
                    .collect();
                let pop = exact_sums(table, d, rows, &times, y2.as_deref())?;
                let popsur: Vec<f64> = if self.method == NetMethod::Ederer1 {
                    pop.sis.iter().map(|s| s / rows.len() as f64).collect()
                } else {
                    let mut c = 0.0;
                    (0..m)
                        .map(|j| {
                            c += pop.yisidli[j] / pop.yisis[j];
                            (-c).exp()
                        })
                        .collect()
                };
                (haz, var, Some(popsur))
            }
        };
        Ok(self.assemble(times, n_risk, n_event, n_exit, &haz, &var, popsur.as_deref(), z))
    }

    /// Pohar-Perme's or Ederer II's hazard increments and variance terms per time.
    fn pp_hazard(&self, s: &PpSums, n_event: &[f64], n_risk: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let m = n_event.len();
        let mut haz = vec![0.0; m];
        let mut var = vec![0.0; m];
        for j in 0..m {
            if self.method == NetMethod::PoharPerme {
                haz[j] = s.dnisi[j] / s.yisi[j] - s.fint[j];
                var[j] = s.dnisisq[j] / (s.yisi[j] * s.yisi[j]);
            } else {
                haz[j] = n_event[j] / n_risk[j] - s.yidli[j] / n_risk[j];
                var[j] = n_event[j] / (n_risk[j] * n_risk[j]);
            }
        }
        (haz, var)
    }

    /// The curve from its counts, hazard increments and variance terms (and, for
    /// Ederer I and Hakulinen, the expected survival it is divided by).
    #[allow(clippy::too_many_arguments)]
    fn assemble(
        &self,
        times: Vec<f64>,
        n_risk: Vec<f64>,
        n_event: Vec<f64>,
        n_exit: Vec<f64>,
        haz: &[f64],
        var: &[f64],
        popsur: Option<&[f64]>,
        z: f64,
    ) -> NetCurve {
        let m = times.len();
        let mut out = NetCurve {
            time: times,
            n_risk,
            n_event,
            n_censor: n_exit,
            ..Default::default()
        };
        let (mut surv, mut cv) = (1.0, 0.0);
        for j in 0..m {
            surv *= 1.0 - haz[j];
            cv += var[j];
            let s = match popsur {
                Some(p) => surv / p[j],
                None => surv,
            };
            let se = cv.sqrt();
            let (lo, hi) = match self.conf_type {
                ConfType::Plain => (s - se * z * s, s + se * z * s),
                ConfType::LogLog => {
                    let ll = (-s.ln()).ln();
                    (
                        (-(ll - se * z / s.ln()).exp()).exp(),
                        (-(ll + se * z / s.ln()).exp()).exp(),
                    )
                }
                _ => ((s.ln() - se * z).exp(), (s.ln() + se * z).exp()),
            };
            out.survival.push(s);
            out.std_err.push(s.abs() * se);
            out.std_err_cumulative_hazard.push(se);
            out.lower.push(lo);
            out.upper.push(hi);
        }
        out
    }
}

/// Numbers at risk (the exits at or after each time) and censored (exits that are not
/// events) from the exits and events at each time.
fn at_risk(exits: &[f64], n_event: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let m = exits.len();
    let mut n_risk = exits.to_vec();
    for j in (0..m.saturating_sub(1)).rev() {
        n_risk[j] += n_risk[j + 1];
    }
    let n_exit = (0..m).map(|j| exits[j] - n_event[j]).collect();
    (n_risk, n_exit)
}

/// Per-interval sums for Pohar-Perme and Ederer II.
struct PpSums {
    dnisi: Vec<f64>,
    dnisisq: Vec<f64>,
    yisi: Vec<f64>,
    fint: Vec<f64>,
    yidli: Vec<f64>,
}

/// The fine steps: (start time, length, interval index).
/// Most integration steps of length `precision` over the follow-up: each thread keeps
/// five sums per step (2e6 steps: 80 MB a thread).
const MAX_STEPS: f64 = 2e6;

/// Refuse a `precision` (or a follow-up in the wrong unit) that would make more steps
/// than [`MAX_STEPS`], before allocating them.
pub fn check_steps(max_time: f64, precision: f64) -> Result<()> {
    let steps = max_time / precision;
    if steps > MAX_STEPS {
        return Err(Error::InvalidArgument {
            arg: "precision",
            reason: format!(
                "follow-up up to {max_time} in steps of {precision} would take {steps:.2e} integration steps, more than the {MAX_STEPS:.0e} allowed: use a larger precision, or check that `time` is in the rate table's unit"
            ),
        });
    }
    Ok(())
}

fn fine_steps(times: &[f64], prec: f64) -> Vec<(f64, f64, usize)> {
    let mut out = Vec::new();
    let mut time = 0.0;
    for (j, &t) in times.iter().enumerate() {
        let thiscell = t - time;
        let mut ftime = 0.0;
        while ftime < thiscell {
            let len = if thiscell - ftime < prec {
                thiscell - ftime
            } else {
                prec
            };
            out.push((time + ftime, len, j));
            ftime += len;
        }
        time += thiscell;
    }
    out
}

fn pp_sums(
    table: &RateTable,
    d: &NetSurvivalData,
    rows: &[usize],
    times: &[f64],
    prec: f64,
) -> Result<PpSums> {
    let (a, dnisi, dnisisq) = pp_raw(table, d, rows, times, prec)?;
    Ok(pp_finish(&a, dnisi, dnisisq, times, &fine_steps(times, prec)))
}

/// The persons' additive sums: per integration step `Σλ/S(start)`, `Σλ/S(end)`,
/// `Σ1/S(start)`, `Σ1/S(end)`, `ΣLλ` (five per step, over the persons still at risk
/// at the end of the step's interval), and per time the deaths' `Σ 1/S` and `Σ 1/S²`.
/// Each person's time must be one of `times`.
fn pp_raw(
    table: &RateTable,
    d: &NetSurvivalData,
    rows: &[usize],
    times: &[f64],
    prec: f64,
) -> Result<(Vec<f64>, Vec<f64>, Vec<f64>)> {
    let m = times.len();
    let steps = fine_steps(times, prec);
    let ns = steps.len();
    // Last step of each interval (+1), so person i runs through steps [0, end of J(i)).
    let mut step_end = vec![0usize; m];
    for (k, &(_, _, j)) in steps.iter().enumerate() {
        step_end[j] = k + 1;
    }
    for j in 1..m {
        step_end[j] = step_end[j].max(step_end[j - 1]);
    }
    let adv = table.advances();
    let nd = adv.len();
    // Per step: Σλ/S(start), Σλ/S(end), Σ1/S(start), Σ1/S(end), ΣLλ; per interval: deaths.
    let width = 5;
    // Persons in fixed groups, each summed in order, the groups added in order
    // (crate::par: the same sums, to the last bit, for any number of threads); Ctrl-C and
    // progress between waves of groups.
    // One vector: the steps' sums, then the deaths' Σ1/S and Σ1/S² per time.
    let len = ns * width + 2 * m;
    let mut acc = crate::par::sums(
        rows.len(),
        crate::par::group_len(rows.len(), ns, len, 64),
        ns,
        len,
        |acc, group| {
            let (a, rest) = acc.split_at_mut(ns * width);
            let (dn, dn2) = rest.split_at_mut(m);
            let mut point = vec![0.0; nd];
            let mut next_cut = vec![f64::INFINITY; nd];
            for &i in &rows[group] {
                let j_i = times.partition_point(|&t| t < d.time[i]);
                let kend = step_end[j_i];
                let (mut s, mut inv) = (1.0f64, 1.0f64);
                let mut k = 0;
                while k < kend {
                    // The cell at the start of step k, and the first later step whose
                    // start reaches a cut-point of a time-varying dimension (the same
                    // comparison as relsurv's lookup, found by bisection).
                    let start = steps[k].0;
                    for q in 0..nd {
                        point[q] = d.values[q][i] + if adv[q] { start } else { 0.0 };
                    }
                    let lam = table.rate(table.cell(&point));
                    table.next_cuts(&point, &mut next_cut);
                    let mut k_next = kend;
                    for q in 0..nd {
                        if adv[q] && next_cut[q].is_finite() {
                            let x = d.values[q][i];
                            let kq = k
                                + 1
                                + steps[k + 1..kend]
                                    .partition_point(|st| x + st.0 < next_cut[q]);
                            k_next = k_next.min(kq);
                        }
                    }
                    let ep = (-prec * lam).exp();
                    for kk in k..k_next {
                        let len = steps[kk].1;
                        let e = if len == prec { ep } else { (-len * lam).exp() };
                        let s1 = s * e;
                        let inv1 = 1.0 / s1;
                        let row = &mut a[kk * width..(kk + 1) * width];
                        row[0] += lam * inv;
                        row[1] += lam * inv1;
                        row[2] += inv;
                        row[3] += inv1;
                        row[4] += len * lam;
                        s = s1;
                        inv = inv1;
                    }
                    k = k_next;
                }
                if d.status[i] == 1.0 {
                    dn[j_i] += 1.0 / s;
                    dn2[j_i] += 1.0 / (s * s);
                }
            }
        },
    )?;
    let dn2 = acc.split_off(ns * width + m);
    let dn = acc.split_off(ns * width);
    Ok((acc, dn, dn2))
}

/// The per-interval sums from the per-step sums of every person (`a`: five per step,
/// additive over persons) and the deaths' weighted sums per time.
fn pp_finish(a: &[f64], dnisi: Vec<f64>, dnisisq: Vec<f64>, times: &[f64], steps: &[(f64, f64, usize)]) -> PpSums {
    let (m, ns, width) = (times.len(), steps.len(), 5);
    let mut yisi = vec![0.0; m];
    let mut fint = vec![0.0; m];
    let mut yidli = vec![0.0; m];
    let mut k = 0;
    for j in 0..m {
        let (mut ca, mut ca2, mut cb, mut cb2) = (0.0, 0.0, 0.0, 0.0);
        while k < ns && steps[k].2 == j {
            let row = &a[k * width..(k + 1) * width];
            ca += row[0];
            ca2 += row[1];
            cb += row[2];
            cb2 += row[3];
            fint[j] += (ca / cb / 2.0 + ca2 / cb2 / 2.0) * steps[k].1;
            yidli[j] += row[4];
            yisi[j] = row[3];
            k += 1;
        }
    }
    PpSums {
        dnisi,
        dnisisq,
        yisi,
        fint,
        yidli,
    }
}

/// Per-interval sums for Ederer I and Hakulinen (relsurv's `netwei`: exact integration
/// over each interval for every person, whatever their follow-up).
struct ExactSums {
    sis: Vec<f64>,
    yisidli: Vec<f64>,
    yisis: Vec<f64>,
}

fn exact_sums(
    table: &RateTable,
    d: &NetSurvivalData,
    rows: &[usize],
    times: &[f64],
    y2: Option<&[f64]>,
) -> Result<ExactSums> {
    let m = times.len();
    let adv = table.advances();
    let nd = adv.len();
    // Persons in fixed groups, summed as in `pp_raw` (crate::par).
    // One vector: Σ S, Σ S dΛ and Σ S (the last two over the persons under potential
    // follow-up) per time.
    let mut acc = crate::par::sums(
        rows.len(),
        crate::par::group_len(rows.len(), m, 3 * m, 64),
        m,
        3 * m,
        |acc, group| {
            let (sis, rest) = acc.split_at_mut(m);
            let (a, b) = rest.split_at_mut(m);
            let mut point = vec![0.0; nd];
            for r in group {
                let i = rows[r];
                let mut s = 1.0;
                let mut time = 0.0;
                for j in 0..m {
                    let thiscell = times[j] - time;
                    for q in 0..nd {
                        point[q] = d.values[q][i] + if adv[q] { time } else { 0.0 };
                    }
                    let h = table.hazard_over(&mut point, &adv, thiscell, true);
                    s *= (-h).exp();
                    sis[j] += s;
                    if let Some(y2) = y2 {
                        if y2[r] >= times[j] {
                            a[j] += h * s;
                            b[j] += s;
                        }
                    }
                    time += thiscell;
                }
            }
        },
    )?;
    let yisis = acc.split_off(2 * m);
    let yisidli = acc.split_off(m);
    let sis = acc;
    Ok(ExactSums {
        sis,
        yisidli,
        yisis,
    })
}

impl NetSurvivalFit {
    /// For each of `times`, the row of stratum `k`'s curve reported at it (the last time
    /// at or before it), `None` before the first.
    pub fn at_rows(&self, k: usize, times: &[f64]) -> Result<Vec<Option<usize>>> {
        let c = self.curves.get(k).ok_or_else(|| Error::InvalidArgument {
            arg: "stratum",
            reason: format!("no stratum {k}"),
        })?;
        crate::data::check_times(times)?;
        Ok(times
            .iter()
            .map(|&t| c.time.partition_point(|&x| x <= t).checked_sub(1))
            .collect())
    }

    /// Estimate and its standard error (`std_err`, on the survival scale, as
    /// `summary(rs.surv(...), times = times)`) of stratum `k` at `times`: the values at the
    /// last reported time at or before each (1 and 0 before the first).
    pub fn at(&self, k: usize, times: &[f64]) -> Result<(Vec<f64>, Vec<f64>)> {
        let rows = self.at_rows(k, times)?;
        let c = &self.curves[k];
        Ok(rows
            .into_iter()
            .map(|row| row.map_or((1.0, 0.0), |j| (c.survival[j], c.std_err[j])))
            .unzip())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-dimension table (age, continuous) with a constant hazard.
    fn flat_table(rate: f64) -> RateTable {
        RateTable::from_long(&["age".to_string()], &[true], &[&[0.0]], &[rate]).unwrap()
    }

    #[test]
    fn std_err_is_on_the_survival_scale() {
        let table = flat_table(1e-4);
        let time = [5.0, 10.0, 10.0, 20.0, 30.0, 30.0, 40.0];
        let status = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let age = [0.0; 7];
        let d = NetSurvivalData::new(&time, &status, vec![&age], &table).unwrap();
        for m in [
            NetMethod::PoharPerme,
            NetMethod::Ederer2,
            NetMethod::Ederer1,
        ] {
            for ct in [ConfType::Log, ConfType::LogLog, ConfType::Plain] {
                let fit = NetSurvival::params()
                    .method(m)
                    .conf_type(ct)
                    .fit(&table, &d)
                    .unwrap();
                let c = &fit.curves[0];
                let z = qnorm(0.975);
                for j in 0..c.time.len() {
                    let (s, sh) = (c.survival[j], c.std_err_cumulative_hazard[j]);
                    assert_eq!(c.std_err[j], s.abs() * sh, "{m:?} row {j}");
                    // the limits stay on the cumulative-hazard scale
                    if ct == ConfType::Log {
                        assert!((c.lower[j] - (s.ln() - z * sh).exp()).abs() < 1e-15);
                    }
                }
                // before the first death (a censoring at 5): both errors 0
                assert_eq!(c.std_err_cumulative_hazard[0], 0.0);
                assert_eq!(c.std_err[0], 0.0);
                // the last person dies: Ederer I (observed KM / expected) reaches 0, and
                // so does its survival-scale standard error, while σ stays positive
                if m == NetMethod::Ederer1 {
                    let last = c.time.len() - 1;
                    assert_eq!(c.survival[last], 0.0);
                    assert_eq!(c.std_err[last], 0.0);
                    assert!(c.std_err_cumulative_hazard[last] > 0.0);
                }
                // at(): 1 and 0 before the first time, else the reported values
                let (s_at, se_at) = fit.at(0, &[1.0, 10.0, 25.0, 1e9]).unwrap();
                assert_eq!((s_at[0], se_at[0]), (1.0, 0.0));
                assert_eq!((s_at[1], se_at[1]), (c.survival[1], c.std_err[1]));
                assert_eq!((s_at[2], se_at[2]), (c.survival[2], c.std_err[2]));
                let last = c.time.len() - 1;
                assert_eq!((s_at[3], se_at[3]), (c.survival[last], c.std_err[last]));
            }
        }
    }
}
