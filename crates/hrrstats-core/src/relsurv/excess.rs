//! Excess-hazard regression by the grouped Poisson GLM of Dickman et al. (2004), as
//! `relsurv::rsadd(method = "glm.poi")`.
//!
//! The hazard of person `i` is the population hazard `λ_i(t)` (from the rate table) plus
//! the excess `exp(x_i'β + γ_{fu(t)})`, with `γ` piecewise constant on the follow-up
//! intervals `breaks` (e.g. 0, 1, 3, 5, 10 years). Follow-up beyond the last break is
//! censored there. Each interval is cut into sub-intervals of one `year` (a shorter last
//! piece), and persons with the same covariate vector are grouped per sub-interval
//! `[c_k, c_{k+1})`: `nd` deaths, person-years `Y = Σ y_i` and expected deaths
//! `d* = Σ y_i Λ*_ik / len_k`, where `Λ*_ik` is the person's population cumulative
//! hazard over the whole sub-interval (exact integration) and `len_k` its length in
//! years. The model `nd ~ Poisson(d* + exp(log Y + x'β + γ))` is fitted by the GLM
//! engine ([`crate::glm`]) with the excess-hazard link `log(μ - d*)`, glm's default
//! control and rsadd's starting means (`glm_coef`: rsadd's answer, which stops at glm's
//! deviance criterion, about 1e-5 from the optimum), then by Fisher scoring to
//! convergence (`coef`).

use super::net::NetSurvivalData;
use super::ratetable::RateTable;
use crate::data::Covariates;
use crate::error::{Error, Result};
use crate::glm::{Family, Glm, GlmData, Link};
use crate::linalg::{chinv2, cholesky2, chsolve2};
use crate::newton::{Counts, Stop, Verdict};

/// How the excess-hazard model is fitted: the grouped Poisson GLM of Dickman et al.
/// (`"glm.poi"`, alias `"glm"`) or maximum likelihood on the individual data
/// (`"max.lik"`, alias `"ml"`), as `relsurv::rsadd(method = )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExcessMethod {
    #[default]
    GlmPoi,
    MaxLik,
}
crate::option_enum!(ExcessMethod, "method", "glm.poi" => ExcessMethod::GlmPoi, "glm" => ExcessMethod::GlmPoi, "max.lik" => ExcessMethod::MaxLik, "ml" => ExcessMethod::MaxLik);

/// A fitted excess-hazard model.
#[derive(Debug, Clone)]
pub struct ExcessHazardFit {
    /// Covariate names, then one `fu[a,b)` term per follow-up interval.
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    pub se: Vec<f64>,
    /// Inverse Fisher information, row-major.
    pub var: Vec<f64>,
    pub loglik: f64,
    pub iterations: usize,
    pub converged: bool,
    /// Non-convergence and possibly infinite coefficients (e.g. a follow-up interval
    /// without deaths), in coxph's words.
    pub warnings: Vec<String>,
    /// Grouped Poisson GLM only: the GLM engine's fit with glm's default control, as
    /// rsadd reports it (before the final Fisher-scoring steps), and its IRLS iterations.
    pub glm_coef: Vec<f64>,
    pub glm_se: Vec<f64>,
    pub glm_iterations: usize,
    /// The grouped data: sub-interval index, follow-up interval index, the group's
    /// covariate values (row-major), deaths, person-years, expected deaths.
    pub table: ExcessTable,
}

/// The grouped Poisson data behind the fit.
#[derive(Debug, Clone, Default)]
pub struct ExcessTable {
    pub sub_interval: Vec<usize>,
    pub interval: Vec<usize>,
    pub x: Vec<f64>,
    pub deaths: Vec<f64>,
    pub person_years: Vec<f64>,
    pub expected: Vec<f64>,
}

/// Covariate pattern ids of the `n` rows (equal covariate bits, equal id; ids in sorted
/// order of the bits, `0..count`) and their count: one sort of the row indices, no
/// per-row key.
fn covariate_patterns(x: &Covariates, n: usize) -> (Vec<u32>, usize) {
    let p = x.p();
    let cols: Vec<&[f64]> = (0..p).map(|j| x.column(j)).collect();
    let same = |a: usize, b: usize| {
        cols.iter()
            .map(|c| c[a].to_bits().cmp(&c[b].to_bits()))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    };
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_unstable_by(|&a, &b| same(a as usize, b as usize));
    let mut id = vec![0u32; n];
    let mut count = 0usize;
    for (r, &i) in order.iter().enumerate() {
        if r == 0 || same(order[r - 1] as usize, i as usize).is_ne() {
            count += 1;
        }
        id[i as usize] = (count - 1) as u32;
    }
    (id, count)
}

/// Fit the excess-hazard model. `breaks`: follow-up interval boundaries (in the table's
/// time unit, starting at 0); `year`: the length of one year in that unit (365.241 for
/// days, as relsurv; 1 for years).
pub fn excess_hazard_glm(
    table: &RateTable,
    d: &NetSurvivalData,
    x: &Covariates,
    breaks: &[f64],
    year: f64,
) -> Result<ExcessHazardFit> {
    let n = d.time.len();
    check_inputs(d, x, breaks, year)?;
    let p = x.p();
    // Sub-interval boundaries and their interval.
    let mut cuts = vec![0.0];
    let mut of = Vec::new();
    for (a, w) in breaks.windows(2).enumerate() {
        let mut c = w[0];
        loop {
            let next = (c + year).min(w[1]);
            // relsurv: whole years inside the interval, a shorter last piece.
            let next = if w[1] - next < 1e-9 * year {
                w[1]
            } else {
                next
            };
            cuts.push(next);
            of.push(a);
            c = next;
            if c >= w[1] {
                break;
            }
        }
    }
    let last = *breaks.last().expect("two breaks");
    let adv = table.advances();
    let nd = adv.len();
    let nk = cuts.len() - 1;
    // Each row's follow-up (censored at the last break) and its covariate pattern (rows
    // with the same covariate bits share one).
    let follow = |i: usize| -> (f64, bool) {
        if d.time[i] > last {
            (last, false)
        } else {
            (d.time[i], d.status[i] == 1.0)
        }
    };
    let (pattern, npat) = covariate_patterns(x, n);
    // Groups are (pattern, sub-interval), numbered in order of first use (the table's
    // order). A row covers the sub-intervals 0..m (those starting before its time), so a
    // pattern's groups are a prefix: one slot per pattern and sub-interval it reaches.
    let mut reach = vec![0usize; npat + 1];
    for i in 0..n {
        let time = follow(i).0;
        let m = cuts[..nk].partition_point(|&c| time > c);
        let r = &mut reach[pattern[i] as usize + 1];
        *r = (*r).max(m);
    }
    for a in 1..=npat {
        reach[a] += reach[a - 1];
    }
    let mut slot = vec![usize::MAX; reach[npat]];
    let mut point = vec![0.0; nd];
    let mut t = ExcessTable::default();
    for i in 0..n {
        crate::interrupt::check_every(i, 1024)?;
        let (time, died) = follow(i);
        let first = reach[pattern[i] as usize];
        for k in 0..nk {
            if !(time > cuts[k]) {
                break;
            }
            let y = (time.min(cuts[k + 1]) - cuts[k]) / year;
            for (q, v) in point.iter_mut().enumerate() {
                *v = d.values[q][i] + if adv[q] { cuts[k] } else { 0.0 };
            }
            let h = table.hazard_over(&mut point, &adv, cuts[k + 1] - cuts[k], false);
            let len = (cuts[k + 1] - cuts[k]) / year;
            let s = &mut slot[first + k];
            if *s == usize::MAX {
                *s = t.deaths.len();
                t.sub_interval.push(k);
                t.interval.push(of[k]);
                t.x.extend((0..p).map(|j| x.column(j)[i]));
                t.deaths.push(0.0);
                t.person_years.push(0.0);
                t.expected.push(0.0);
            }
            let g = *s;
            t.person_years[g] += y;
            t.expected[g] += y * h / len;
            if died && time <= cuts[k + 1] {
                t.deaths[g] += 1.0;
            }
        }
    }
    let nfu = breaks.len() - 1;
    let q = p + nfu;
    let m = t.deaths.len();
    let design = |r: usize, out: &mut [f64]| {
        out[..p].copy_from_slice(&t.x[r * p..(r + 1) * p]);
        out[p..].iter_mut().for_each(|v| *v = 0.0);
        out[p + t.interval[r]] = 1.0;
    };
    let lny: Vec<f64> = t.person_years.iter().map(|y| y.ln()).collect();
    // Log-likelihood and, when asked, score and Fisher information.
    let eval = |b: &[f64], derivs: bool| -> (f64, Vec<f64>, Vec<f64>) {
        let mut row = vec![0.0; q];
        let (mut ll, mut u, mut info) = (0.0, vec![0.0; q], vec![0.0; q * q]);
        for r in 0..m {
            design(r, &mut row);
            let eta: f64 = lny[r] + row.iter().zip(b).map(|(a, c)| a * c).sum::<f64>();
            let e = eta.exp();
            let mu = t.expected[r] + e;
            ll += t.deaths[r] * mu.ln() - mu;
            if derivs {
                add_outer(
                    &mut u,
                    &mut info,
                    &row,
                    (t.deaths[r] - mu) / mu * e,
                    e * e / mu,
                );
            }
        }
        (ll, u, info)
    };
    // rsadd's fit: the GLM engine with the excess-hazard link log(mu - d*), offset log Y,
    // glm's default control and rsadd's starting means max(nd, d*) + 0.1.
    let mut cols = vec![0.0; m * q];
    let mut row = vec![0.0; q];
    for r in 0..m {
        design(r, &mut row);
        for j in 0..q {
            cols[j * m + r] = row[j];
        }
    }
    let mut col_names: Vec<String> = x.names().to_vec();
    col_names.extend((0..nfu).map(|a| format!("fu{a}")));
    let xg = Covariates::new(&cols, m, &col_names)?;
    let data = GlmData::new(&t.deaths, xg)?.with_offset(&lny)?;
    let mustart: Vec<f64> = (0..m)
        .map(|r| t.deaths[r].max(t.expected[r]) + 0.1)
        .collect();
    let glm = Glm::params()
        .family(Family::Poisson)
        .link(Box::new(ExcessLink {
            expected: t.expected.clone(),
        }))
        .intercept(false)
        .mustart(mustart)
        .fit(&data)?;
    // Then Fisher scoring on to the optimum (glm's deviance criterion stops ~1e-5 short).
    // A column the GLM aliased starts at 0: collinear columns make the information
    // singular there too (an error), while a covariate whose excess hazard vanishes
    // (no deaths in a group: working weights 0) runs off to -infinity and is flagged.
    let start: Vec<f64> = glm
        .coef
        .iter()
        .map(|b| if b.is_nan() { 0.0 } else { *b })
        .collect();
    let fit = maximise(start, eval)?;
    let mut out = fit.into_excess(x, breaks, year);
    out.glm_coef = glm.coef;
    out.glm_se = glm.se;
    out.glm_iterations = glm.iterations;
    out.table = t;
    Ok(out)
}

/// Lengths of the covariates, the follow-up breaks and the year length.
fn check_inputs(d: &NetSurvivalData, x: &Covariates, breaks: &[f64], year: f64) -> Result<()> {
    let n = d.time.len();
    if x.n() != n {
        return Err(Error::LengthMismatch {
            arg: "covariates",
            len: x.n(),
            expected_arg: "time",
            expected: n,
        });
    }
    if !d.status.contains(&1.0) {
        return Err(Error::Data {
            arg: "status",
            reason: "no events: an excess-hazard model needs at least one death".into(),
        });
    }
    if breaks.len() < 2
        || breaks[0] != 0.0
        || breaks.windows(2).any(|w| !(w[1] > w[0]))
        || breaks.iter().any(|b| !b.is_finite())
    {
        return Err(Error::InvalidArgument {
            arg: "breaks",
            reason: "follow-up breaks must start at 0 and increase strictly".into(),
        });
    }
    if !(year.is_finite() && year > 0.0) {
        return Err(Error::InvalidArgument {
            arg: "year",
            reason: "must be positive".into(),
        });
    }
    // A follow-up interval without deaths has an excess hazard of 0: its coefficient
    // is -infinity (the GLM would report its column as collinear).
    for w in breaks.windows(2) {
        let deaths = (0..n)
            .filter(|&i| d.status[i] == 1.0 && d.time[i] > w[0] && d.time[i] <= w[1])
            .count();
        if deaths == 0 {
            return Err(Error::Data {
                arg: "breaks",
                reason: format!(
                    "no deaths in follow-up interval fu[{},{}): its excess hazard cannot be estimated (coefficient -Inf); choose breaks with deaths in every interval",
                    w[0] / year,
                    w[1] / year
                ),
            });
        }
    }
    Ok(())
}

/// `u += s x`, lower triangle of `info += w x x'`.
#[inline]
fn add_outer(u: &mut [f64], info: &mut [f64], x: &[f64], s: f64, w: f64) {
    let q = x.len();
    for j in 0..q {
        u[j] += s * x[j];
        if x[j] != 0.0 {
            for l in 0..=j {
                info[j * q + l] += w * x[j] * x[l];
            }
        }
    }
}

struct Maximum {
    coef: Vec<f64>,
    loglik: f64,
    iterations: usize,
    converged: bool,
    warnings: Vec<String>,
    /// Inverse information at `coef`, row-major.
    var: Vec<f64>,
}

impl Maximum {
    /// The fit with the covariates' names and one `fu[a,b)` term per interval (in years).
    fn into_excess(self, x: &Covariates, breaks: &[f64], year: f64) -> ExcessHazardFit {
        let q = self.coef.len();
        let mut names: Vec<String> = x.names().to_vec();
        names.extend(
            breaks
                .windows(2)
                .map(|w| format!("fu[{},{})", w[0] / year, w[1] / year)),
        );
        ExcessHazardFit {
            se: (0..q).map(|j| self.var[j * q + j].sqrt()).collect(),
            names,
            coef: self.coef,
            var: self.var,
            loglik: self.loglik,
            iterations: self.iterations,
            converged: self.converged,
            warnings: self.warnings,
            glm_coef: Vec::new(),
            glm_se: Vec::new(),
            glm_iterations: 0,
            table: ExcessTable::default(),
        }
    }
}

/// An evaluation of the excess-hazard likelihood: log-likelihood and, when `full`, the
/// score and the information (lower triangle, row-major).
struct ExcessEval {
    loglik: f64,
    score: Vec<f64>,
    info: Vec<f64>,
    full: bool,
}

impl crate::newton::Point for ExcessEval {
    fn score(&self) -> &[f64] {
        &self.score
    }
    fn full(&self) -> bool {
        self.full
    }
}

/// The lower triangle of a symmetric `q x q` matrix copied to the upper.
fn symmetric(mut info: Vec<f64>, q: usize) -> Vec<f64> {
    for j in 0..q {
        for l in 0..j {
            info[l * q + j] = info[j * q + l];
        }
    }
    info
}

fn singular() -> Error {
    Error::Data {
        arg: "covariates",
        reason: "the information matrix is singular (collinear covariates?)".into(),
    }
}

/// The rules of the excess-hazard fits for the Newton driver: Newton steps on the
/// information, accepted when the log-likelihood does not decrease (up to rounding),
/// halved up to 30 times; converged when the largest relative step
/// `|step_j| / max(|β_j|, 1)` is below 1e-13 (or, when no halved step is accepted,
/// below 1e-10); at most 100 steps. A singular information at the start is an error;
/// later it means a coefficient running off to infinity (flagged by the caller).
struct RsaddRule {
    q: usize,
    /// Iterations as reported (the step being taken, counted from 1).
    iterations: usize,
}

impl RsaddRule {
    fn size(step: &[f64], b: &[f64]) -> f64 {
        step.iter()
            .zip(b)
            .map(|(s, c)| s.abs() / c.abs().max(1.0))
            .fold(0.0, f64::max)
    }
}

impl crate::newton::Rule<ExcessEval> for RsaddRule {
    fn full_trials(&self) -> bool {
        false
    }
    fn at_point(&mut self, _b: &[f64], _at: &ExcessEval, n: &Counts) -> Option<Stop> {
        self.iterations = (n.steps + 1).min(100);
        (n.steps == 100).then_some(Stop::MaxIterations)
    }
    fn direction(&mut self, at: &ExcessEval, n: &Counts) -> Result<Option<Vec<f64>>> {
        let mut ch = symmetric(at.info.clone(), self.q);
        if cholesky2(&mut ch, self.q, 1e-12) < self.q as i64 {
            return if n.steps == 0 {
                Err(singular())
            } else {
                Ok(None)
            };
        }
        let mut step = at.score.clone();
        chsolve2(&ch, self.q, &mut step);
        Ok(Some(step))
    }
    fn judge(&mut self, at: &ExcessEval, trial: &ExcessEval, _slope: f64, _n: &Counts) -> Verdict {
        let (ll, lln) = (at.loglik, trial.loglik);
        if lln.is_finite() && lln >= ll - 64.0 * f64::EPSILON * ll.abs().max(1.0) {
            Verdict::Accept
        } else {
            Verdict::Reject
        }
    }
    fn shrink(&self, trial: &mut [f64], b: &[f64], step: &mut [f64], _n: &Counts) {
        crate::newton::halve(trial, b, step);
    }
    fn after_reject(&mut self, b: &[f64], step: &[f64], n: &Counts) -> Option<Stop> {
        (n.halvings == 30).then(|| {
            if Self::size(step, b) < 1e-10 {
                Stop::Converged
            } else {
                Stop::StepFailed
            }
        })
    }
    fn after_accept(&mut self, b: &[f64], step: &[f64], _n: &Counts) -> Option<Stop> {
        (Self::size(step, b) < 1e-13).then_some(Stop::Converged)
    }
}

/// Newton's method with step halving ([`RsaddRule`] on the Newton driver).
/// `eval(b, derivs)`: the log-likelihood and, when `derivs`, the score and the
/// information (minus the Hessian, or its expectation; lower triangle, row-major).
fn maximise(
    b: Vec<f64>,
    eval: impl Fn(&[f64], bool) -> (f64, Vec<f64>, Vec<f64>),
) -> Result<Maximum> {
    let q = b.len();
    let ev = |b: &[f64], full: bool| {
        let (loglik, score, info) = eval(b, full);
        Ok(ExcessEval {
            loglik,
            score,
            info,
            full,
        })
    };
    let at0 = ev(&b, true)?;
    let mut rule = RsaddRule { q, iterations: 0 };
    let out = crate::newton::maximise(ev, &mut rule, b, at0)?;
    let (b, ll, u) = (out.b, out.at.loglik, out.at.score);
    let stalled = out.stop == Stop::Singular;
    let mut converged = out.stop == Stop::Converged;
    let iterations = rule.iterations;
    let mut var = symmetric(out.at.info, q);
    if cholesky2(&mut var, q, 1e-12) < q as i64 && !stalled {
        return Err(singular());
    }
    chinv2(&mut var, q);
    // Columns whose information vanished (the generalised Cholesky zeroes them): their
    // coefficient is infinite and has no variance.
    let lost: Vec<bool> = (0..q).map(|j| var[j * q + j] == 0.0).collect();
    for j in 0..q {
        for l in 0..q {
            if lost[j] || lost[l] {
                var[j * q + l] = f64::NAN;
            }
        }
    }
    // coxph's test for an infinite coefficient: the Newton step `V u` at the end still
    // moves coefficient j by more than 1e-9 and sqrt(1e-9) |β_j| (the likelihood
    // flattens towards an infinite β, e.g. a follow-up interval without deaths).
    let infinite: Vec<String> = (0..q)
        .filter(|&j| {
            let step = (0..q)
                .filter(|&k| !lost[k])
                .map(|k| var[j * q + k] * u[k])
                .sum::<f64>()
                .abs();
            lost[j] || (step > 1e-9 && step > 1e-9f64.sqrt() * b[j].abs())
        })
        .map(|j| (j + 1).to_string())
        .collect();
    let mut warnings = Vec::new();
    if !converged && infinite.is_empty() {
        warnings.push("Ran out of iterations and did not converge".to_string());
    }
    if !infinite.is_empty() {
        converged = false;
        warnings.push(format!(
            "Loglik converged before variable  {} ; coefficient may be infinite. ",
            infinite.join(",")
        ));
    }
    Ok(Maximum {
        coef: b,
        loglik: ll,
        iterations,
        converged,
        warnings,
        var,
    })
}

/// Fit the excess-hazard model by maximum likelihood on the individual data, as
/// `relsurv::rsadd(method = "max.lik")`: follow-up is cut at `breaks` only; piece `a`
/// of person `i`, `[C_a, min(t_i, C_{a+1})]`, contributes
/// `d log(λ*_i + e) - Λ*_piece - y e` with `e = exp(x_i'β + γ_a)`, `y` its length in
/// years, `Λ*_piece` the exact population cumulative hazard over it and, for a death,
/// `λ*_i` the population hazard per year at death (the mean over the day after it, as
/// relsurv). Newton–Raphson on the observed information, started from the
/// follow-up terms alone; standard errors from the observed information at the optimum.
pub fn excess_hazard_ml(
    table: &RateTable,
    d: &NetSurvivalData,
    x: &Covariates,
    breaks: &[f64],
    year: f64,
) -> Result<ExcessHazardFit> {
    check_inputs(d, x, breaks, year)?;
    let n = d.time.len();
    let p = x.p();
    let nfu = breaks.len() - 1;
    let last = breaks[nfu];
    let adv = table.advances();
    let day = year / 365.241;
    // Pieces: person, interval, death, years, cumulative hazard, hazard at death.
    let (mut pid, mut fu) = (Vec::new(), Vec::new());
    let (mut dd, mut yy, mut ds, mut lam) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut point = vec![0.0; adv.len()];
    let start_at = |i: usize, s: f64, point: &mut [f64]| {
        for (j, pt) in point.iter_mut().enumerate() {
            *pt = d.values[j][i] + if adv[j] { s } else { 0.0 };
        }
    };
    for i in 0..n {
        let (time, died) = if d.time[i] > last {
            (last, false)
        } else {
            (d.time[i], d.status[i] == 1.0)
        };
        for a in 0..nfu {
            if !(time > breaks[a]) {
                break;
            }
            let stop = time.min(breaks[a + 1]);
            start_at(i, breaks[a], &mut point);
            let h = table.hazard_over(&mut point, &adv, stop - breaks[a], false);
            let death = died && time <= breaks[a + 1];
            pid.push(i);
            fu.push(a);
            dd.push(death as u8 as f64);
            yy.push((stop - breaks[a]) / year);
            ds.push(h);
            lam.push(if death {
                start_at(i, time, &mut point);
                table.hazard_over(&mut point, &adv, day, false) / day * year
            } else {
                0.0
            });
        }
    }
    let m = pid.len();
    // Log-likelihood with the first `k` covariates (the rest fixed at 0) and the
    // follow-up terms; observed information.
    let eval_with = |k: usize| {
        let (pid, fu, dd, yy, ds, lam) = (&pid, &fu, &dd, &yy, &ds, &lam);
        move |b: &[f64], derivs: bool| -> (f64, Vec<f64>, Vec<f64>) {
            let qk = k + nfu;
            let mut row = vec![0.0; qk];
            let (mut ll, mut u, mut info) = (0.0, vec![0.0; qk], vec![0.0; qk * qk]);
            for r in 0..m {
                for j in 0..k {
                    row[j] = x.column(j)[pid[r]];
                }
                row[k..].iter_mut().for_each(|v| *v = 0.0);
                row[k + fu[r]] = 1.0;
                let e = row.iter().zip(b).map(|(a, c)| a * c).sum::<f64>().exp();
                let tot = lam[r] + e;
                ll += dd[r] * tot.ln() - ds[r] - yy[r] * e;
                if derivs {
                    let s = (dd[r] / tot - yy[r]) * e;
                    let w = -(dd[r] / tot - dd[r] * e / (tot * tot) - yy[r]) * e;
                    add_outer(&mut u, &mut info, &row, s, w);
                }
            }
            (ll, u, info)
        }
    };
    let f0 = maximise(vec![0.0; nfu], eval_with(0))?;
    let mut b0 = vec![0.0; p];
    b0.extend_from_slice(&f0.coef);
    Ok(maximise(b0, eval_with(p))?.into_excess(x, breaks, year))
}

/// The excess-hazard link of rsadd's Poisson GLM: `μ_i = d*_i + exp(η_i)`, i.e.
/// `η = log(μ - d*_i)`, with the expected deaths `d*_i` of row `i`.
#[derive(Debug)]
struct ExcessLink {
    expected: Vec<f64>,
}

impl Link for ExcessLink {
    fn name(&self) -> &str {
        "log(mu - d*)"
    }
    fn link(&self, mu: f64) -> f64 {
        mu.ln()
    }
    fn inverse(&self, eta: f64) -> f64 {
        eta.exp()
    }
    fn mu_eta(&self, eta: f64) -> f64 {
        eta.exp()
    }
    fn link_at(&self, i: usize, mu: f64) -> f64 {
        (mu - self.expected[i]).ln()
    }
    fn inverse_at(&self, i: usize, eta: f64) -> f64 {
        self.expected[i] + eta.exp()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows share a pattern id exactly when their covariate bits are equal (as the key of
    /// a hash map on the bits would group them: 0.0 and -0.0 apart), ids `0..count`.
    #[test]
    fn covariate_patterns_group_equal_bits() {
        let a = [1.0, 0.0, 1.0, -0.0, 2.5, 1.0, 0.0];
        let b = [3.0, 3.0, 3.0, 3.0, 3.0, 4.0, 3.0];
        let names = vec!["a".to_string(), "b".to_string()];
        let x = Covariates::from_columns(vec![&a, &b], &names).unwrap();
        let (id, count) = covariate_patterns(&x, a.len());
        assert_eq!(count, 5);
        for i in 0..a.len() {
            assert!((id[i] as usize) < count);
            for j in 0..a.len() {
                let same = a[i].to_bits() == a[j].to_bits() && b[i].to_bits() == b[j].to_bits();
                assert_eq!(id[i] == id[j], same, "rows {i} and {j}");
            }
        }
    }
}
