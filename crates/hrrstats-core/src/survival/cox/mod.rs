//! Cox proportional hazards regression (partial likelihood), as `survival::coxph`.
//!
//! For stratum-specific risk sets `R(t) = {i: entry_i < t <= exit_i}`, weights `w`,
//! linear predictor `η_i = x_i'β + offset_i` and, at each event time, the `d` tied
//! events `D(t)`, the log partial likelihood is
//!
//! - Breslow: `Σ_t [Σ_{i∈D} w_i η_i - W_D log Σ_{j∈R} w_j e^{η_j}]`;
//! - Efron: `Σ_t [Σ_{i∈D} w_i η_i - (W_D/d) Σ_{k=0}^{d-1} log(Σ_{j∈R} w_j e^{η_j}
//!   - (k/d) Σ_{j∈D} w_j e^{η_j})]`,
//!
//! with score and information accumulated in the same sweep. Each stratum's rows are
//! sorted once by exit time; the sweep runs from the last time backwards, adding rows
//! as they enter the risk set and removing rows whose entry is at or after the
//! current time (agfit4's running sums), so an iteration is O(n p²), never O(n²).
//! Strata are swept in parallel.
//!
//! Newton–Raphson with step halving follows survival's `coxfit6` (right-censored) and
//! `agfit4` (counting process): covariates centred and scaled, start at `init` (0),
//! stop when `|1 - loglik_old / loglik_new| <= eps` (1e-9) within `max_iter` (20)
//! iterations; the information matrix is factorised with survival's generalised
//! Cholesky (tolerance `eps^0.75`), so collinear columns are reported as aliased
//! (coefficient NaN, as R's NA) and the rest fitted.
//!
//! Reference: Cox DR (1972) JRSS-B 34:187–220; Efron B (1977) JASA 72:557–565;
//! Therneau TM, Grambsch PM (2000) *Modeling Survival Data*, Springer.

use std::sync::Arc;

use rayon::prelude::*;

use super::order::sort_rows_by;
use crate::data::{Covariates, CoxData, SurvivalData};
use crate::error::{Error, Result};
use crate::linalg::{chinv2, cholesky2, chsolve2, quadratic_form_inverse};

mod baseline;
mod residuals;
mod zph;

pub use baseline::{BaselineHazard, CoxPredictType};
pub use residuals::{CoxResidual, Schoenfeld};
pub use zph::{ZphTest, ZphTransform};


/// Handling of tied event times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ties {
    #[default]
    Efron,
    Breslow,
}

crate::option_enum!(Ties, "ties", "efron" => Ties::Efron, "breslow" => Ties::Breslow);

impl Ties {
    /// Parse an option string (see [`crate::options`]).
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
    /// The canonical spelling.
    pub fn name(&self) -> &'static str {
        crate::options::OptionEnum::name(*self)
    }
}

pub use crate::inference::TestResult;

/// Entry point: `CoxPh::params()`.
pub struct CoxPh;

impl CoxPh {
    pub fn params() -> CoxPhParams {
        CoxPhParams::default()
    }
}

/// Options of the Cox fit (defaults as `coxph.control()`).
#[derive(Debug, Clone)]
pub struct CoxPhParams {
    ties: Ties,
    max_iter: usize,
    eps: f64,
    toler_chol: f64,
    init: Option<Vec<f64>>,
    robust: bool,
}

impl Default for CoxPhParams {
    fn default() -> Self {
        CoxPhParams {
            ties: Ties::Efron,
            max_iter: 20,
            eps: 1e-9,
            toler_chol: f64::EPSILON.powf(0.75),
            init: None,
            robust: false,
        }
    }
}

impl CoxPhParams {
    pub fn ties(mut self, ties: Ties) -> Self {
        self.ties = ties;
        self
    }
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }
    pub fn init(mut self, init: Vec<f64>) -> Self {
        self.init = Some(init);
        self
    }
    /// Robust (sandwich, dfbeta-based) variance; implied by a cluster in the data.
    pub fn robust(mut self, robust: bool) -> Self {
        self.robust = robust;
        self
    }

    pub fn check(&self, p: usize) -> Result<()> {
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            return Err(Error::InvalidArgument {
                arg: "eps",
                reason: format!("must be positive, got {}", self.eps),
            });
        }
        if let Some(init) = &self.init {
            if init.len() != p {
                return Err(Error::InvalidArgument {
                    arg: "init",
                    reason: format!("has {} values for {p} covariates", init.len()),
                });
            }
            if let Some(j) = init.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidArgument {
                    arg: "init",
                    reason: format!("value {} is not finite", j + 1),
                });
            }
        }
        Ok(())
    }

    /// Fit the model.
    pub fn fit(&self, data: &CoxData) -> Result<CoxPhFit> {
        let (surv, x) = (&data.surv, &data.x);
        let p = x.p();
        if p == 0 {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason:
                    "a Cox model needs at least one covariate (null models are not supported yet)"
                        .into(),
            });
        }
        self.check(p)?;
        if let Some(w) = surv.weights() {
            if let Some(row) = w.iter().position(|&v| v <= 0.0) {
                return Err(Error::InvalidValue {
                    arg: "weights",
                    row,
                    value: w[row],
                    problem: "Cox weights must be positive (as survival::coxph)",
                });
            }
        }
        let n_event = surv.status().iter().filter(|&&s| s == 1.0).count();
        if n_event == 0 {
            return Err(Error::Data {
                arg: "status",
                reason: "no events: a Cox model needs at least one".into(),
            });
        }
        let prep = Prepared::new(surv, x, data.offset);
        let iter = newton(&prep, self)?;
        let mut fit = CoxPhFit::assemble(&prep, self, &iter, surv.len(), n_event, x.names());
        if self.robust || data.cluster.is_some() {
            fit.add_robust(&prep, self, &iter, data.cluster);
        }
        fit.add_predictions(&prep, self, &iter, data);
        fit.data = Arc::new(FitData {
            prep,
            exit: surv.exit().to_vec(),
            status: surv.status().to_vec(),
            entry: surv.entry().map(<[f64]>::to_vec),
            weights: surv.weights().map(<[f64]>::to_vec),
            strata: surv.strata().map(<[u32]>::to_vec),
        });
        Ok(fit)
    }
}

/// What the post-fit operations (residuals, `zph`) need of the fit's data, kept with
/// the fit so that they never see the inputs again: the sorted working data and, in
/// data order, the response, weights and strata.
#[derive(Debug, Default)]
pub(crate) struct FitData {
    prep: Prepared,
    pub(crate) exit: Vec<f64>,
    pub(crate) status: Vec<f64>,
    pub(crate) entry: Option<Vec<f64>>,
    pub(crate) weights: Option<Vec<f64>>,
    pub(crate) strata: Option<Vec<u32>>,
}

impl FitData {
    /// Case weight of data row `i` (1 without weights).
    pub(super) fn weight(&self, i: usize) -> f64 {
        self.weights.as_ref().map_or(1.0, |w| w[i])
    }
}

/// Data sorted once for the sweeps: stratum blocks, exit time descending.
#[derive(Debug, Clone, Default)]
struct Prepared {
    p: usize,
    /// Original row of each sorted position.
    rows: Vec<u32>,
    /// Block boundaries (strata) in the sorted arrays.
    bounds: Vec<usize>,
    exit: Vec<f64>,
    entry: Option<Vec<f64>>,
    event: Vec<bool>,
    weight: Vec<f64>,
    offset: Vec<f64>,
    /// Row-major, centred and scaled covariates of the sorted rows.
    x: Vec<f64>,
    /// Per block: positions (global, in the sorted arrays) by entry time descending.
    entry_order: Option<Vec<u32>>,
    scale: Vec<f64>,
    /// Centre subtracted from each covariate before scaling.
    center: Vec<f64>,
    /// Counting-process data: agfit4's iteration rules rather than coxfit6's.
    counting: bool,
}

impl Prepared {
    fn new(data: &SurvivalData, x: &Covariates, offset: Option<&[f64]>) -> Self {
        let p = x.p();
        let exit = data.exit();
        let status = data.status();
        let mut bounds = vec![0usize];
        let mut order: Vec<u32> = Vec::with_capacity(data.len());
        let mut entry_order: Option<Vec<u32>> =
            data.entry().map(|_| Vec::with_capacity(data.len()));
        for rows in data.rows_by_stratum() {
            // With entry times, rows whose (entry, exit] holds no event time of their
            // stratum never enter a risk set at an event: leave them out (as agreg.fit).
            let rows: Vec<u32> = match data.entry() {
                None => rows,
                Some(entry) => {
                    let mut times: Vec<f64> = rows
                        .iter()
                        .filter(|&&r| status[r as usize] == 1.0)
                        .map(|&r| exit[r as usize])
                        .collect();
                    times.sort_by(f64::total_cmp);
                    times.dedup();
                    rows.into_iter()
                        .filter(|&r| {
                            let r = r as usize;
                            times.partition_point(|&t| t <= exit[r])
                                != times.partition_point(|&t| t <= entry[r])
                        })
                        .collect()
                }
            };
            let start = order.len();
            let mut sorted = sort_rows_by(exit, &rows);
            sorted.reverse();
            order.extend_from_slice(&sorted);
            if let (Some(eo), Some(entry)) = (entry_order.as_mut(), data.entry()) {
                // positions start..start+len sorted by entry, descending
                let block: Vec<u32> = (start..order.len()).map(|i| i as u32).collect();
                let key: Vec<f64> = order[start..].iter().map(|&r| entry[r as usize]).collect();
                let mut by_entry = sort_rows_by(&key, &(0..block.len() as u32).collect::<Vec<_>>());
                by_entry.reverse();
                eo.extend(by_entry.into_iter().map(|i| block[i as usize]));
            }
            bounds.push(order.len());
        }
        let m = order.len();
        let g = |v: &[f64]| -> Vec<f64> { order.iter().map(|&r| v[r as usize]).collect() };
        let weight: Vec<f64> = order.iter().map(|&r| data.weight(r as usize)).collect();
        let wsum: f64 = weight.iter().sum();
        let mut xs = vec![0.0; m * p];
        let mut scale = vec![1.0; p];
        let mut centers = vec![0.0; p];
        for j in 0..p {
            let col = x.column(j);
            let zero_one = col.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0);
            let (center, sc) = if zero_one {
                (0.0, 1.0)
            } else {
                let mean = order
                    .iter()
                    .zip(&weight)
                    .map(|(&r, w)| w * col[r as usize])
                    .sum::<f64>()
                    / wsum;
                let mad = order
                    .iter()
                    .zip(&weight)
                    .map(|(&r, w)| w * (col[r as usize] - mean).abs())
                    .sum::<f64>();
                (mean, if mad > 0.0 { wsum / mad } else { 1.0 })
            };
            scale[j] = sc;
            centers[j] = center;
            for (i, &r) in order.iter().enumerate() {
                xs[i * p + j] = (col[r as usize] - center) * sc;
            }
        }
        Prepared {
            p,
            rows: order.clone(),
            bounds,
            exit: g(exit),
            entry: data.entry().map(g),
            event: order.iter().map(|&r| status[r as usize] == 1.0).collect(),
            weight,
            offset: offset.map_or_else(|| vec![0.0; m], g),
            x: xs,
            entry_order,
            scale,
            center: centers,
            counting: data.entry().is_some(),
        }
    }

    fn len(&self) -> usize {
        self.exit.len()
    }

    /// The same rows with only the covariate columns `keep` (scaling and centring are
    /// per column, so this equals preparing the data with those columns alone).
    fn select_columns(&self, keep: &[usize]) -> Prepared {
        let (p, q) = (self.p, keep.len());
        let mut x = vec![0.0; self.len() * q];
        for i in 0..self.len() {
            for (c, &j) in keep.iter().enumerate() {
                x[i * q + c] = self.x[i * p + j];
            }
        }
        Prepared {
            p: q,
            x,
            scale: keep.iter().map(|&j| self.scale[j]).collect(),
            center: keep.iter().map(|&j| self.center[j]).collect(),
            ..self.clone()
        }
    }

    /// The first event row at or after sorted position `from` (before `end`).
    fn next_event(&self, from: usize, end: usize) -> Option<usize> {
        (from..end).find(|&k| self.event[k])
    }

    /// Linear predictor of the sorted rows at (scaled) `beta`.
    fn eta(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut eta = vec![0.0; self.len()];
        eta.par_chunks_mut(1 << 14)
            .enumerate()
            .for_each(|(c, chunk)| {
                let base = c << 14;
                for (k, e) in chunk.iter_mut().enumerate() {
                    let i = base + k;
                    let xi = &self.x[i * p..(i + 1) * p];
                    *e = xi.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + self.offset[i];
                }
            });
        eta
    }

    /// Log partial likelihood, score and information (upper triangle) at `beta`.
    fn sums(&self, beta: &[f64], efron: bool) -> Result<Sums> {
        self.sums_with(beta, efron, None)
    }

    /// As [`Prepared::sums`], with the `x g(t)` blocks when `g` (per sorted position:
    /// the time function at that row's exit time) is given.
    fn sums_with(&self, beta: &[f64], efron: bool, g: Option<&[f64]>) -> Result<Sums> {
        let eta = self.eta(beta);
        let parts: Vec<Result<Sums>> = (0..self.bounds.len() - 1)
            .into_par_iter()
            .map(|b| self.block_sums(b, &eta, efron, g))
            .collect();
        let mut total = Sums::new(self.p);
        for part in parts {
            total.add(&part?);
        }
        Ok(total)
    }

    /// One stratum's sweep (agfit4): event times from last to first.
    fn block_sums(&self, b: usize, eta: &[f64], efron: bool, g: Option<&[f64]>) -> Result<Sums> {
        let p = self.p;
        let (start, end) = (self.bounds[b], self.bounds[b + 1]);
        let x = &self.x;
        let mut s = Sums::new(p);
        let (mut a, mut a2) = (vec![0.0; p], vec![0.0; p]);
        let (mut cmat, mut cmat2) = (vec![0.0; p * p], vec![0.0; p * p]);
        let mut dsum = vec![0.0; p]; // Σ w x over the deaths at this time (for `ug`)
        let (mut denom, mut etasum, mut recenter) = (0.0, 0.0, 0.0);
        let mut nrisk: i64 = 0;
        let mut person = start;
        let mut indx1 = start; // into entry_order
        while let Some(k) = self.next_event(person, end) {
            let dtime = self.exit[k];
            if let (Some(eo), Some(entry)) = (&self.entry_order, &self.entry) {
                while indx1 < end {
                    let q = eo[indx1] as usize;
                    if entry[q] < dtime {
                        break;
                    }
                    nrisk -= 1;
                    if nrisk == 0 {
                        etasum = 0.0;
                        denom = 0.0;
                        a.fill(0.0);
                        cmat.fill(0.0);
                    } else {
                        etasum -= eta[q];
                        let risk = (eta[q] - recenter).exp() * self.weight[q];
                        denom -= risk;
                        let xq = &x[q * p..(q + 1) * p];
                        for i in 0..p {
                            a[i] -= risk * xq[i];
                            for j in 0..=i {
                                cmat[i * p + j] -= risk * xq[i] * xq[j];
                            }
                        }
                    }
                    indx1 += 1;
                }
            }
            let (mut denom2, mut meanwt, mut deaths) = (0.0, 0.0, 0usize);
            a2.fill(0.0);
            cmat2.fill(0.0);
            dsum.fill(0.0);
            let gt = g.map_or(0.0, |g| g[k]);
            while person < end && self.exit[person] >= dtime {
                let q = person;
                nrisk += 1;
                etasum += eta[q];
                let centre = etasum / nrisk as f64;
                if (centre - recenter).abs() > 200.0 {
                    let temp = centre - recenter;
                    recenter = centre;
                    if denom > 0.0 {
                        if temp.abs() > 709.0 {
                            return Err(Error::Data {
                                arg: "covariates",
                                reason: "exp overflow in the risk score: rescale the covariates"
                                    .into(),
                            });
                        }
                        let f = (-temp).exp();
                        denom *= f;
                        a.iter_mut().for_each(|v| *v *= f);
                        cmat.iter_mut().for_each(|v| *v *= f);
                    }
                }
                let w = self.weight[q];
                let risk = (eta[q] - recenter).exp() * w;
                let xq = &x[q * p..(q + 1) * p];
                if self.event[q] {
                    deaths += 1;
                    denom2 += risk;
                    meanwt += w;
                    s.loglik += w * (eta[q] - recenter);
                    for i in 0..p {
                        s.u[i] += w * xq[i];
                        dsum[i] += w * xq[i];
                        a2[i] += risk * xq[i];
                        for j in 0..=i {
                            cmat2[i * p + j] += risk * xq[i] * xq[j];
                        }
                    }
                } else {
                    denom += risk;
                    for i in 0..p {
                        a[i] += risk * xq[i];
                        for j in 0..=i {
                            cmat[i * p + j] += risk * xq[i] * xq[j];
                        }
                    }
                }
                person += 1;
            }
            if g.is_some() {
                for i in 0..p {
                    s.ug[i] += gt * dsum[i];
                }
            }
            if !efron || deaths == 1 {
                denom += denom2;
                s.loglik -= meanwt * denom.ln();
                for i in 0..p {
                    a[i] += a2[i];
                    let temp = a[i] / denom;
                    s.u[i] -= meanwt * temp;
                    for j in 0..=i {
                        cmat[i * p + j] += cmat2[i * p + j];
                        s.imat[j * p + i] += meanwt * ((cmat[i * p + j] - temp * a[j]) / denom);
                    }
                }
                if g.is_some() {
                    s.add_g(gt, meanwt, denom, &a, &cmat);
                }
            } else {
                let dd = deaths as f64;
                meanwt /= dd;
                for _ in 0..deaths {
                    denom += denom2 / dd;
                    s.loglik -= meanwt * denom.ln();
                    for i in 0..p {
                        a[i] += a2[i] / dd;
                        let temp = a[i] / denom;
                        s.u[i] -= meanwt * temp;
                        for j in 0..=i {
                            cmat[i * p + j] += cmat2[i * p + j] / dd;
                            s.imat[j * p + i] += meanwt * ((cmat[i * p + j] - temp * a[j]) / denom);
                        }
                    }
                    if g.is_some() {
                        s.add_g(gt, meanwt, denom, &a, &cmat);
                    }
                }
            }
        }
        Ok(s)
    }
}


/// Log partial likelihood, score vector and information matrix (upper triangle);
/// with a time function `g`, also the score and information blocks of the added
/// covariates `x g(t)` (for `zph`): `ug`, `ixg` (p x p, full), `igg` (upper).
struct Sums {
    loglik: f64,
    u: Vec<f64>,
    imat: Vec<f64>,
    ug: Vec<f64>,
    ixg: Vec<f64>,
    igg: Vec<f64>,
}

impl Sums {
    fn new(p: usize) -> Self {
        Sums {
            loglik: 0.0,
            u: vec![0.0; p],
            imat: vec![0.0; p * p],
            ug: vec![0.0; p],
            ixg: vec![0.0; p * p],
            igg: vec![0.0; p * p],
        }
    }
    /// One (sub-)step's contribution to the `x g(t)` blocks: score `-g W x̄` and
    /// information `g V`, `g² V`, with `V` the weighted covariance over the risk set.
    fn add_g(&mut self, gt: f64, meanwt: f64, denom: f64, a: &[f64], cmat: &[f64]) {
        let p = a.len();
        for i in 0..p {
            self.ug[i] -= gt * meanwt * a[i] / denom;
            for j in 0..=i {
                let v = meanwt * ((cmat[i * p + j] - a[i] / denom * a[j]) / denom);
                self.ixg[i * p + j] += gt * v;
                if i != j {
                    self.ixg[j * p + i] += gt * v;
                }
                self.igg[j * p + i] += gt * gt * v;
            }
        }
    }

    fn add(&mut self, o: &Sums) {
        self.loglik += o.loglik;
        for (a, b) in [
            (&mut self.u, &o.u),
            (&mut self.imat, &o.imat),
            (&mut self.ug, &o.ug),
            (&mut self.ixg, &o.ixg),
            (&mut self.igg, &o.igg),
        ] {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
    }
}

/// Why the Newton–Raphson iterations stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convergence {
    Converged,
    /// Ran out of iterations.
    MaxIterations,
    /// `max_iter = 0`: evaluated at the initial values only.
    NotIterated,
}

/// State at the end of the iterations (scaled coordinates).
struct IterResult {
    beta: Vec<f64>,
    /// Inverse information (scaled coordinates).
    var: Vec<f64>,
    u: Vec<f64>,
    loglik: [f64; 2],
    score: f64,
    iterations: usize,
    rank: i64,
    convergence: Convergence,
    halvings: usize,
}

fn newton(prep: &Prepared, params: &CoxPhParams) -> Result<IterResult> {
    let p = prep.p;
    let efron = params.ties == Ties::Efron;
    let tol = params.toler_chol;
    let mut beta: Vec<f64> = params.init.as_ref().map_or_else(
        || vec![0.0; p],
        |init| init.iter().zip(&prep.scale).map(|(b, s)| b / s).collect(),
    );
    let s0 = prep.sums(&beta, efron)?;
    let mut imat = s0.imat.clone();
    let rank0 = cholesky2(&mut imat, p, tol);
    let mut step = s0.u.clone();
    chsolve2(&imat, p, &mut step);
    let score: f64 = step.iter().zip(&s0.u).map(|(a, b)| a * b).sum();
    let mut loglik = [s0.loglik, s0.loglik];
    let mut halvings = 0;
    if params.max_iter == 0 || !s0.loglik.is_finite() {
        chinv2(&mut imat, p);
        return Ok(IterResult {
            beta,
            var: imat,
            u: s0.u,
            loglik,
            score,
            iterations: 0,
            rank: rank0,
            convergence: Convergence::NotIterated,
            halvings,
        });
    }
    // `beta` is the last good value, `newbeta` the one being tried (coxfit6).
    let mut newbeta: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
    let mut halving = 0usize;
    let mut last = s0;
    let mut rank = rank0;
    for iter in 1..=params.max_iter {
        let s = prep.sums(&newbeta, efron)?;
        let mut m = s.imat.clone();
        rank = cholesky2(&mut m, p, tol);
        let not_finite = !s.loglik.is_finite()
            || s.u.iter().any(|v| !v.is_finite())
            || (0..p).any(|i| !s.imat[i * p + i].is_finite())
            || (prep.counting && rank != rank0);
        let done = !not_finite
            && (!prep.counting || halving == 0)
            && (1.0 - loglik[1] / s.loglik).abs() <= params.eps;
        if done {
            loglik[1] = s.loglik;
            chinv2(&mut m, p);
            return Ok(IterResult {
                beta: newbeta,
                var: m,
                u: s.u,
                loglik,
                score,
                iterations: iter,
                rank,
                convergence: Convergence::Converged,
                halvings,
            });
        }
        if not_finite || s.loglik < loglik[1] {
            halving += 1;
            halvings += 1;
            let h = halving as f64;
            for (nb, b) in newbeta.iter_mut().zip(&beta) {
                *nb = (*nb + h * b) / (h + 1.0);
            }
        } else {
            halving = 0;
            loglik[1] = s.loglik;
            let mut step = s.u.clone();
            chsolve2(&m, p, &mut step);
            beta.clone_from(&newbeta);
            for (nb, st) in newbeta.iter_mut().zip(&step) {
                *nb += st;
            }
            last = s;
        }
    }
    // Out of iterations: report the last good value (coxfit6).
    let s = if params.max_iter > 1 {
        prep.sums(&beta, efron)?
    } else {
        last
    };
    loglik[1] = s.loglik;
    let mut m = s.imat.clone();
    cholesky2(&mut m, p, tol);
    chinv2(&mut m, p);
    Ok(IterResult {
        beta,
        var: m,
        u: s.u,
        loglik,
        score,
        iterations: params.max_iter,
        rank,
        convergence: Convergence::MaxIterations,
        halvings,
    })
}

/// A fitted Cox model.
#[derive(Debug, Clone)]
pub struct CoxPhFit {
    pub names: Vec<String>,
    /// Coefficients; NaN for aliased (collinear) columns, as R's NA.
    pub coef: Vec<f64>,
    /// Standard errors matching `var`.
    pub se: Vec<f64>,
    /// Model-based (inverse information) standard errors.
    pub naive_se: Vec<f64>,
    /// Variance matrix (row-major p x p) matching `se`.
    pub var: Vec<f64>,
    /// Model-based variance matrix.
    pub naive_var: Vec<f64>,
    /// Log partial likelihood at the initial values and at the estimate.
    pub loglik: [f64; 2],
    pub score_test: TestResult,
    pub wald_test: TestResult,
    pub lr_test: TestResult,
    pub iterations: usize,
    pub convergence: Convergence,
    /// Number of step halvings taken.
    pub halvings: usize,
    /// Rank of the information matrix.
    pub rank: usize,
    /// Which coefficients are aliased.
    pub aliased: Vec<bool>,
    pub n: usize,
    pub n_event: usize,
    pub ties: Ties,
    /// Score vector at the estimate.
    pub score_vector: Vec<f64>,
    /// Whether `var`/`se` are robust (sandwich) rather than model-based.
    pub robust: bool,
    /// Robust score test (with `robust` or a cluster), at `β = init` with the offset in
    /// the null model. (survival's `rscore` evaluates the score residuals at a zero
    /// linear predictor, leaving the offset out; without an offset the two agree.)
    pub robust_score_test: Option<TestResult>,
    /// Number of clusters of the robust variance.
    pub n_cluster: Option<usize>,
    /// Covariate means used for centring (`coxph`'s `means`: 0 for columns coded
    /// -1/0/1; weighted means for right-censored data, unweighted for counting-process
    /// data).
    pub means: Vec<f64>,
    /// Linear predictors `(x - means)'β + offset - mean(offset)`, one per input row,
    /// as `predict(fit, type = "lp", reference = "sample")` (the offset's mean is
    /// case-weighted, as survfit.coxph centres it).
    pub linear_predictors: Vec<f64>,
    /// Martingale residuals, one per input row.
    pub martingale_residuals: Vec<f64>,
    /// Baseline cumulative hazard: per stratum, every distinct exit time.
    pub baseline: BaselineHazard,
    /// Case-weighted mean of the offset in the fit data (0 without an offset).
    pub mean_offset: f64,
    /// The fit's data for later operations (shared, not copied, by clones of the fit).
    pub(crate) data: Arc<FitData>,
}

impl CoxPhFit {
    fn assemble(
        prep: &Prepared,
        params: &CoxPhParams,
        it: &IterResult,
        n: usize,
        n_event: usize,
        names: &[String],
    ) -> Self {
        let p = prep.p;
        let sc = &prep.scale;
        let mut var = it.var.clone();
        for i in 0..p {
            for j in 0..p {
                var[i * p + j] *= sc[i] * sc[j];
            }
        }
        let rank = it.rank.unsigned_abs() as usize;
        let aliased: Vec<bool> = (0..p).map(|i| rank < p && var[i * p + i] == 0.0).collect();
        let coef: Vec<f64> = it
            .beta
            .iter()
            .zip(sc)
            .zip(&aliased)
            .map(|((b, s), &al)| if al { f64::NAN } else { b * s })
            .collect();
        let se: Vec<f64> = (0..p)
            .map(|i| {
                if aliased[i] {
                    f64::NAN
                } else {
                    var[i * p + i].sqrt()
                }
            })
            .collect();
        let df = aliased.iter().filter(|&&a| !a).count();
        let wald = wald_statistic(&var, &coef, &aliased, params);
        let u: Vec<f64> = it.u.iter().zip(sc).map(|(u, s)| u / s).collect();
        CoxPhFit {
            names: names.to_vec(),
            coef,
            se: se.clone(),
            naive_se: se,
            naive_var: var.clone(),
            var,
            loglik: it.loglik,
            score_test: TestResult::chisq(it.score, df),
            wald_test: TestResult::chisq(wald, df),
            lr_test: TestResult::chisq(2.0 * (it.loglik[1] - it.loglik[0]), df),
            iterations: it.iterations,
            convergence: it.convergence,
            halvings: it.halvings,
            rank,
            aliased,
            n,
            n_event,
            ties: params.ties,
            score_vector: u,
            robust: false,
            robust_score_test: None,
            n_cluster: None,
            means: Vec::new(),
            linear_predictors: Vec::new(),
            martingale_residuals: Vec::new(),
            baseline: BaselineHazard::default(),
            mean_offset: 0.0,
            data: Arc::default(),
        }
    }

    /// Replace `var`/`se` by the robust sandwich `D'D`, where `D` holds the weighted
    /// dfbeta residuals (score residuals times the model-based variance) summed
    /// within clusters (each row its own cluster without one), as coxph; add the
    /// robust score test and redo the Wald test with the robust variance.
    fn add_robust(
        &mut self,
        prep: &Prepared,
        params: &CoxPhParams,
        it: &IterResult,
        cluster: Option<&[u32]>,
    ) {
        let p = prep.p;
        let efron = params.ties == Ties::Efron;
        // Cluster index of each sorted position.
        let (cl, k): (Vec<usize>, usize) = match cluster {
            Some(c) => {
                let mut labels: Vec<u32> = prep.rows.iter().map(|&r| c[r as usize]).collect();
                labels.sort_unstable();
                labels.dedup();
                (
                    prep.rows
                        .iter()
                        .map(|&r| labels.binary_search(&c[r as usize]).unwrap())
                        .collect(),
                    labels.len(),
                )
            }
            None => ((0..prep.len()).collect(), prep.len()),
        };
        // Weighted score residuals in original units, summed by cluster.
        let collapse = |beta: &[f64]| -> Vec<f64> {
            let r = prep.score_residuals(beta, efron);
            let mut t = vec![0.0; k * p];
            for i in 0..prep.len() {
                let w = prep.weight[i];
                for j in 0..p {
                    t[cl[i] * p + j] += w * r[i * p + j] / prep.scale[j];
                }
            }
            t
        };
        let t = collapse(&it.beta);
        let v0 = &self.naive_var;
        let mut robust = vec![0.0; p * p];
        let mut d = vec![0.0; p];
        for c in 0..k {
            for j in 0..p {
                d[j] = (0..p).map(|l| t[c * p + l] * v0[l * p + j]).sum();
            }
            for i in 0..p {
                for j in 0..p {
                    robust[i * p + j] += d[i] * d[j];
                }
            }
        }
        // Robust score test at the initial values.
        let beta0: Vec<f64> = params.init.as_ref().map_or_else(
            || vec![0.0; p],
            |b| b.iter().zip(&prep.scale).map(|(b, s)| b / s).collect(),
        );
        let t0 = collapse(&beta0);
        let mut u = vec![0.0; p];
        let mut tt = vec![0.0; p * p];
        for c in 0..k {
            for i in 0..p {
                u[i] += t0[c * p + i];
                for j in 0..p {
                    tt[i * p + j] += t0[c * p + i] * t0[c * p + j];
                }
            }
        }
        let df = self.aliased.iter().filter(|&&a| !a).count();
        self.robust_score_test = Some(TestResult::chisq(
            quadratic_form_inverse(&tt, p, &u, params.toler_chol),
            df,
        ));
        self.se = (0..p)
            .map(|i| {
                if self.aliased[i] {
                    f64::NAN
                } else {
                    robust[i * p + i].sqrt()
                }
            })
            .collect();
        self.var = robust;
        self.wald_test = TestResult::chisq(
            wald_statistic(&self.var, &self.coef, &self.aliased, params),
            df,
        );
        self.robust = true;
        self.n_cluster = Some(k);
    }
}

/// `b' V⁻ b` over the non-aliased coefficients (coxph.wtest).
fn wald_statistic(var: &[f64], coef: &[f64], aliased: &[bool], params: &CoxPhParams) -> f64 {
    let p = coef.len();
    let keep: Vec<usize> = (0..p).filter(|&i| !aliased[i]).collect();
    let vk: Vec<f64> = keep
        .iter()
        .flat_map(|&i| keep.iter().map(move |&j| var[i * p + j]))
        .collect();
    let init = params.init.as_deref();
    let bk: Vec<f64> = keep
        .iter()
        .map(|&i| coef[i] - init.map_or(0.0, |b| b[i]))
        .collect();
    quadratic_form_inverse(&vk, keep.len(), &bk, params.toler_chol)
}
