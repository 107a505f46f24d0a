//! Fine–Gray proportional subdistribution-hazards regression, as `cmprsk::crr`, in
//! O(n log n) per fit: one sort, then O(n p²) per Newton iteration.
//!
//! With rows sorted by time, `ε_i` = 1 for the cause of interest, 2 for another cause,
//! 0 censored, `G_g(t-)` the Kaplan–Meier estimate of the censoring distribution of
//! censoring group `g` just before `t`, and `w_i = G_{g_i}(t_i-)`, the risk set at a
//! failure time `u` holds every row with `t_j >= u` (weight 1) and every row that failed
//! from another cause before `u` (weight `G_{g_j}(u-) / w_j`). Writing
//! `S_r(u) = Σ_{t_j>=u} e_j Z_j^r + Σ_g G_g(u-) Σ_{t_j<u, ε_j=2, g_j=g} e_j Z_j^r / w_j`
//! (`e_j = exp(Z_j β)`, `r = 0, 1`): the first sum is a suffix sum and the second a
//! prefix sum over the sorted rows (the forward–backward scan of Kawaguchi et al.
//! 2020), so no risk set is ever formed. The log pseudo-likelihood is
//! `Σ_{ε_i=1} Z_i β - Σ_u d_u log S_0(u)` (Breslow ties, as crr), the score
//! `Σ_{ε_i=1} Z_i - Σ_u d_u Z̄(u)` with `Z̄ = S_1/S_0`, and the information
//! `Σ_u d_u (S_2/S_0 - Z̄ Z̄')`, whose first term is accumulated row by row as
//! `Σ_j e_j Z_j Z_j' [A(t_j) + 1(ε_j=2) C_{g_j}(t_j) / w_j]` with the prefix sums
//! `A(t) = Σ_{u<=t} d_u/S_0(u)` and suffix sums `C_g(t) = Σ_{u>t} d_u G_g(u-)/S_0(u)`.
//! Covariates are centred first (the estimates do not change; the sums stay accurate).
//!
//! Newton–Raphson (the library's driver, [`crate::newton`], with crr's rules) with crr's
//! Armijo backtracking and convergence test
//! (`max |score_j| max(|β_j|, 1) < gtol max(|log L|, 1)`), followed by one more Newton
//! step, so the estimate is the root to rounding error whatever `gtol` stopped at.
//!
//! Variance: crr's sandwich `H⁻¹ (Σ_i r_i r_i') H⁻¹`, with `r_i = η_i + ψ_i` the
//! influence of row `i` on the score: `η_i` its own term (the `dN_i` and `dΛ` parts) and
//! `ψ_i` the term for estimating the censoring distribution, all written with prefix
//! and suffix sums as above (crr's `crrvv` loops over all pairs of rows, O(n²) or more).

use super::CompetingData;
use setup::{Setup, Work};
use crate::data::Covariates;
use crate::error::{Error, Result};
use crate::inference::{CoefTable, WaldDist};
use crate::protocol::Table;
use crate::linalg::{chinv2, cholesky2, chsolve2};
use crate::newton::{Counts, Stop, Verdict};

mod sandwich;
mod setup;

/// Options for [`FineGray::params`].
#[derive(Debug, Clone)]
pub struct FineGrayParams {
    cause: f64,
    gtol: f64,
    max_iter: usize,
    init: Option<Vec<f64>>,
    variance: bool,
}

impl Default for FineGrayParams {
    fn default() -> Self {
        FineGrayParams {
            cause: 1.0,
            gtol: 1e-9,
            max_iter: 50,
            init: None,
            variance: true,
        }
    }
}

/// Fine–Gray regression.
pub struct FineGray;

impl FineGray {
    pub fn params() -> FineGrayParams {
        FineGrayParams::default()
    }
}

/// Why the Newton iterations of a Fine–Gray fit stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FineGrayStop {
    /// crr's convergence test was met.
    Converged,
    /// The test was met while a coefficient was still moving by a whole Newton step
    /// (monotone pseudo-likelihood, e.g. no events of the cause in one group): the
    /// estimate is infinite, not converged.
    InfiniteCoefficient,
    /// Out of iterations (crr's `converged = FALSE`).
    MaxIterations,
    /// crr's backtracking found no step that improves the pseudo-likelihood.
    StepSearchFailed,
}

impl FineGrayStop {
    pub fn name(self) -> &'static str {
        match self {
            FineGrayStop::Converged => "converged",
            FineGrayStop::InfiniteCoefficient => "infinite_coefficient",
            FineGrayStop::MaxIterations => "max_iterations",
            FineGrayStop::StepSearchFailed => "step_search_failed",
        }
    }
}

/// A fitted Fine–Gray model.
#[derive(Debug, Clone)]
pub struct FineGrayFit {
    /// Non-convergence and possibly infinite coefficients, in coxph's words (crr has
    /// none).
    pub warnings: Vec<String>,
    /// Why the iterations stopped.
    pub stop: FineGrayStop,
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    /// Sandwich variance (crr's `var`), `p x p` row-major.
    pub var: Vec<f64>,
    /// Inverse information (crr's `invinf`), `p x p`.
    pub naive_var: Vec<f64>,
    pub se: Vec<f64>,
    pub loglik: f64,
    pub loglik_null: f64,
    /// Score at the estimate.
    pub score: Vec<f64>,
    pub iterations: usize,
    /// Whether crr's test was met with every coefficient finite.
    pub converged: bool,
    pub n: usize,
    pub n_events: usize,
    /// Distinct times of the cause of interest and the jumps of the baseline cumulative
    /// subdistribution hazard there (crr's `uftime`, `bfitj`).
    pub event_times: Vec<f64>,
    pub baseline_jumps: Vec<f64>,
}

impl FineGrayParams {
    /// The cause of interest (code in the data's cause column).
    pub fn cause(mut self, c: f64) -> Self {
        self.cause = c;
        self
    }
    /// Convergence tolerance of crr's test (crr's default is 1e-6; ours 1e-9).
    pub fn gtol(mut self, g: f64) -> Self {
        self.gtol = g;
        self
    }
    pub fn max_iter(mut self, m: usize) -> Self {
        self.max_iter = m;
        self
    }
    pub fn init(mut self, b: Vec<f64>) -> Self {
        self.init = Some(b);
        self
    }
    /// Skip the sandwich variance (NaN) when only the estimates are wanted.
    pub fn variance(mut self, v: bool) -> Self {
        self.variance = v;
        self
    }

    /// Fit with censoring groups from the data's `group` (one common censoring
    /// distribution when absent).
    pub fn fit(&self, d: &CompetingData, x: &Covariates) -> Result<FineGrayFit> {
        if d.entry.is_some() {
            return Err(Error::InvalidArgument {
                arg: "entry",
                reason: "Fine–Gray regression with delayed entry is not supported".into(),
            });
        }
        if d.weights.is_some() {
            return Err(Error::InvalidArgument {
                arg: "weights",
                reason: "Fine–Gray regression with case weights is not supported".into(),
            });
        }
        if x.n() != d.len() {
            return Err(Error::LengthMismatch {
                arg: "covariates",
                len: x.n(),
                expected_arg: "time",
                expected: d.len(),
            });
        }
        if self.gtol.is_nan() || self.gtol <= 0.0 {
            return Err(Error::InvalidArgument {
                arg: "gtol",
                reason: "must be positive".into(),
            });
        }
        let p = x.p();
        if let Some(b) = &self.init {
            if b.len() != p || b.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidArgument {
                    arg: "init",
                    reason: format!("needs {p} finite values"),
                });
            }
        }
        let s = Setup::new(d, x, self.cause)?;
        let b0 = self.init.clone().unwrap_or_else(|| vec![0.0; p]);
        let mut w = Work::new(&s);
        let at0 = s.eval(&b0, &mut w, true);
        let mut rule = CrrRule {
            p,
            gtol: self.gtol,
            max_iter: self.max_iter,
        };
        let out = crate::newton::maximise(|b, full| Ok(s.eval(b, &mut w, full)), &mut rule, b0, at0)?;
        let (mut b, mut cur) = (out.b, out.at);
        let iterations = out.counts.steps;
        let mut converged = out.stop == Stop::Converged;
        let step_failed = out.stop == Stop::StepFailed;
        if converged {
            // One more Newton step polishes the root to rounding (quadratic
            // convergence), so the answer does not depend on where the test stopped.
            let mut h = cur.info.clone();
            if cholesky2(&mut h, p, 1e-12) == p as i64 {
                let mut step = cur.score.clone();
                chsolve2(&h, p, &mut step);
                let bn: Vec<f64> = b.iter().zip(&step).map(|(a, s)| a + s).collect();
                let next = s.eval(&bn, &mut w, true);
                if next.loglik.is_finite()
                    && next.loglik >= cur.loglik - 64.0 * f64::EPSILON * cur.loglik.abs().max(1.0)
                {
                    b = bn;
                    cur = next;
                }
            }
        }
        let null = s.eval(&vec![0.0; p], &mut w, false).loglik;
        let mut naive = cur.info.clone();
        if cholesky2(&mut naive, p, 1e-12) < p as i64 {
            return Err(Error::Data {
                arg: "covariates",
                reason: "the information matrix is singular".into(),
            });
        }
        chinv2(&mut naive, p);
        // coxph's test for an infinite coefficient (its `toler.inf` rule): at the
        // estimate the Newton step `V u` still moves coefficient j by more than
        // `eps` and `sqrt(eps) |β_j|` (the pseudo-likelihood flattens out towards an
        // infinite β: each Newton step stays about 1 however far it goes).
        let (eps, tol_inf) = (1e-9, 1e-9f64.sqrt());
        let infinite: Vec<String> = (0..p)
            .filter(|&j| {
                let step = (0..p).map(|k| naive[j * p + k] * cur.score[k]).sum::<f64>().abs();
                step > eps && step > tol_inf * b[j].abs()
            })
            .map(|j| (j + 1).to_string())
            .collect();
        let mut warnings = Vec::new();
        let stop = if !converged {
            if step_failed {
                warnings.push(
                    "did not converge: no step along the Newton direction improves the pseudo-likelihood"
                        .to_string(),
                );
                FineGrayStop::StepSearchFailed
            } else {
                warnings.push("Ran out of iterations and did not converge".to_string());
                FineGrayStop::MaxIterations
            }
        } else if !infinite.is_empty() {
            converged = false;
            warnings.push(format!(
                "Loglik converged before variable  {} ; coefficient may be infinite. ",
                infinite.join(",")
            ));
            FineGrayStop::InfiniteCoefficient
        } else {
            FineGrayStop::Converged
        };
        let var = if self.variance {
            s.sandwich(&b, &naive, &mut w)
        } else {
            vec![f64::NAN; p * p]
        };
        let (event_times, baseline_jumps) = s.baseline(&b, &mut w);
        Ok(FineGrayFit {
            names: x.names().to_vec(),
            se: (0..p).map(|j| var[j * p + j].sqrt()).collect(),
            coef: b,
            var,
            naive_var: naive,
            loglik: cur.loglik,
            loglik_null: null,
            score: cur.score,
            iterations,
            converged,
            warnings,
            stop,
            n: d.len(),
            n_events: s.eps.iter().filter(|&&e| e == 1).count(),
            event_times,
            baseline_jumps,
        })
    }
}

impl crate::newton::Point for setup::Eval {
    fn score(&self) -> &[f64] {
        &self.score
    }
    fn full(&self) -> bool {
        !self.info.is_empty()
    }
}

/// crr's rules for the Newton driver: at each accepted point its convergence test
/// `max_j |score_j| max(|β_j|, 1) < gtol max(|log L|, 1)` (and at most `max_iter` steps);
/// the Newton step, with Armijo backtracking (accept when
/// `-log L(new) <= -log L - 1e-4 step'score`, up to rounding; halve at most 20 times);
/// trials are evaluated for the log-likelihood only.
struct CrrRule {
    p: usize,
    gtol: f64,
    max_iter: usize,
}

impl crate::newton::Rule<setup::Eval> for CrrRule {
    fn full_trials(&self) -> bool {
        false
    }
    fn at_point(&mut self, b: &[f64], at: &setup::Eval, n: &Counts) -> Option<Stop> {
        let test = (0..self.p)
            .map(|j| at.score[j].abs() * b[j].abs().max(1.0))
            .fold(0.0, f64::max);
        if test < self.gtol * at.loglik.abs().max(1.0) {
            Some(Stop::Converged)
        } else if n.steps == self.max_iter {
            Some(Stop::MaxIterations)
        } else {
            None
        }
    }
    fn direction(&mut self, at: &setup::Eval, _n: &Counts) -> Result<Option<Vec<f64>>> {
        // Newton step on -log L: H δ = score.
        let mut h = at.info.clone();
        if cholesky2(&mut h, self.p, 1e-12) < self.p as i64 {
            return Err(Error::Data {
                arg: "covariates",
                reason: "the information matrix is singular (collinear covariates, or a covariate constant among the events?)".into(),
            });
        }
        let mut step = at.score.clone();
        chsolve2(&h, self.p, &mut step);
        Ok(Some(step))
    }
    fn judge(&mut self, at: &setup::Eval, trial: &setup::Eval, slope: f64, _n: &Counts) -> Verdict {
        // crr: accept when -log L(bn) <= -log L(b) - 1e-4 step'score; near the optimum
        // both sides differ by less than rounding, so allow for it.
        let ln = trial.loglik;
        let noise = 64.0 * f64::EPSILON * at.loglik.abs().max(1.0);
        if ln.is_finite() && -ln <= -at.loglik - 1e-4 * slope + noise {
            Verdict::Accept
        } else {
            Verdict::Reject
        }
    }
    fn shrink(&self, trial: &mut [f64], b: &[f64], step: &mut [f64], _n: &Counts) {
        crate::newton::halve(trial, b, step);
    }
    fn after_reject(&mut self, _b: &[f64], _step: &[f64], n: &Counts) -> Option<Stop> {
        (n.halvings > 20).then_some(Stop::StepFailed)
    }
}

impl FineGrayFit {
    pub fn p(&self) -> usize {
        self.coef.len()
    }
    /// The coefficient table (the library's, [`CoefTable`]): term, coef, exp_coef (the
    /// subdistribution hazard ratio), se (sandwich), z, p, exp_lower, exp_upper, lower,
    /// upper (Wald limits of coef at `conf_level`).
    pub fn coef_table(&self, conf_level: f64) -> Result<Table> {
        CoefTable {
            names: &self.names,
            coef: &self.coef,
            se: &self.se,
            naive_se: None,
            dist: WaldDist::Normal,
            exp: true,
            conf_level,
        }
        .table()
    }
    /// The baseline cumulative subdistribution hazard at [`Self::event_times`]: the
    /// running sum of [`Self::baseline_jumps`] (crr's `cumsum(bfitj)`).
    pub fn cumulative_hazard(&self) -> Vec<f64> {
        let mut cum = 0.0;
        self.baseline_jumps
            .iter()
            .map(|&j| {
                cum += j;
                cum
            })
            .collect()
    }
    /// Predicted cumulative incidence `1 - exp(-exp(x β) Λ0(t))` at the event times for
    /// each covariate row of `x` (row-major, `p` values per row), as `predict.crr`.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<Vec<f64>>> {
        let p = self.p();
        if !x.len().is_multiple_of(p) || x.is_empty() {
            return Err(Error::InvalidArgument {
                arg: "newdata",
                reason: format!("needs rows of {p} covariate values"),
            });
        }
        if let Some(row) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidValue {
                arg: "newdata",
                row: row / p,
                value: x[row],
                problem: "covariate is missing or not finite",
            });
        }
        let cumhaz = self.cumulative_hazard();
        Ok(x.chunks(p)
            .map(|z| {
                let r = z
                    .iter()
                    .zip(&self.coef)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .exp();
                cumhaz.iter().map(|&h| 1.0 - (-r * h).exp()).collect()
            })
            .collect())
    }
}
