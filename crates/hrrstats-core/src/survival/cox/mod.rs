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
//! `agfit4` (counting process), as the rules ([`CoxRule`]) of the library's one Newton
//! driver ([`crate::newton`]): covariates centred and scaled, start at `init` (0),
//! stop when `|1 - loglik_old / loglik_new| <= eps` (1e-9) within `max_iter` (20)
//! iterations; the information matrix is factorised with survival's generalised
//! Cholesky (tolerance `eps^0.75`), so collinear columns are reported as aliased
//! (coefficient NaN, as R's NA) and the rest fitted.
//!
//! Reference: Cox DR (1972) JRSS-B 34:187–220; Efron B (1977) JASA 72:557–565;
//! Therneau TM, Grambsch PM (2000) *Modeling Survival Data*, Springer.
//!
//! Layout: this file holds the options, the Newton–Raphson fit, the fit type and the
//! robust variance; `sweep` the sorted data and the risk-set sums; `residuals` the
//! score, dfbeta and Schoenfeld residuals; `zph` the proportional-hazards test;
//! `baseline` the martingale residuals, the baseline hazard and predictions. The fit
//! keeps its sorted data (`FitData`), so every later operation runs on it without the
//! inputs crossing a language boundary again.

use std::sync::Arc;

use crate::data::CoxData;
use crate::error::{Error, Result};
use crate::linalg::{chinv2, cholesky2, chsolve2, quadratic_form_inverse};

mod baseline;
pub mod partitioned;
mod residuals;
mod sweep;
mod zph;

use sweep::Prepared;

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
    /// `None`: coxph's rule (robust with a cluster or with non-integer case weights).
    robust: Option<bool>,
}

impl Default for CoxPhParams {
    fn default() -> Self {
        CoxPhParams {
            ties: Ties::Efron,
            max_iter: 20,
            eps: 1e-9,
            toler_chol: f64::EPSILON.powf(0.75),
            init: None,
            robust: None,
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
    /// Robust (sandwich, dfbeta-based) variance. Not set: coxph's rule, robust when the
    /// data have a cluster or some case weight is not an integer; `false` with a
    /// cluster ignores the cluster with coxph's warning.
    pub fn robust(mut self, robust: bool) -> Self {
        self.robust = Some(robust);
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
                    reason: format!("has {} values for {p} coefficients", init.len()),
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
        if let Some(init) = &self.init {
            check_init_overflow(x, data.offset, init)?;
        }
        let prep = Prepared::new(surv, x, data.offset)?;
        prep.check_finite(x)?;
        let iter = newton(&prep, self)?;
        let counting = surv.entry().is_some();
        let mut fit = CoxPhFit::assemble(&prep.scale, self, &iter, surv.len(), n_event, x.names(), counting);
        // coxph: robust by default with a cluster or non-integer case weights; an
        // explicit robust = FALSE ignores a cluster, with its warning.
        let fractional = surv
            .weights()
            .is_some_and(|w| w.iter().any(|v| v.fract() != 0.0));
        let robust = self.robust.unwrap_or(data.cluster.is_some() || fractional);
        if robust {
            fit.add_robust(&prep, self, &iter, data.cluster);
        } else if data.cluster.is_some() {
            fit.warnings
                .push("cluster specified with robust=FALSE, cluster ignored".to_string());
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

impl crate::newton::Point for sweep::Sums {
    fn score(&self) -> &[f64] {
        &self.u
    }
    fn full(&self) -> bool {
        true
    }
}

/// coxfit6's (and agfit4's) rules for the Newton driver: every trial is an iteration,
/// evaluated in full; converged when `|1 - l_old / l_trial| <= eps` at a finite trial
/// (for counting-process data only after a full step); a non-finite or worse trial (or,
/// for counting-process data, one where the information changes rank) is pulled back
/// towards the last point, `(trial + h b) / (h + 1)` after the `h`-th halving.
struct CoxRule {
    p: usize,
    tol: f64,
    eps: f64,
    max_iter: usize,
    counting: bool,
    rank0: i64,
    /// Rank of the information at the last trial.
    rank: i64,
}

impl crate::newton::Rule<sweep::Sums> for CoxRule {
    fn full_trials(&self) -> bool {
        true
    }
    fn direction(
        &mut self,
        at: &sweep::Sums,
        _n: &crate::newton::Counts,
    ) -> Result<Option<Vec<f64>>> {
        let mut m = at.imat.clone();
        cholesky2(&mut m, self.p, self.tol);
        let mut step = at.u.clone();
        chsolve2(&m, self.p, &mut step);
        Ok(Some(step))
    }
    fn judge(
        &mut self,
        at: &sweep::Sums,
        s: &sweep::Sums,
        _slope: f64,
        n: &crate::newton::Counts,
    ) -> crate::newton::Verdict {
        use crate::newton::Verdict;
        let p = self.p;
        let mut m = s.imat.clone();
        self.rank = cholesky2(&mut m, p, self.tol);
        let not_finite = !s.loglik.is_finite()
            || s.u.iter().any(|v| !v.is_finite())
            || (0..p).any(|i| !s.imat[i * p + i].is_finite())
            || (self.counting && self.rank != self.rank0);
        if !not_finite
            && (!self.counting || n.halvings == 0)
            && (1.0 - at.loglik / s.loglik).abs() <= self.eps
        {
            Verdict::Converged
        } else if not_finite || s.loglik < at.loglik {
            Verdict::Reject
        } else {
            Verdict::Accept
        }
    }
    fn shrink(&self, trial: &mut [f64], b: &[f64], _step: &mut [f64], n: &crate::newton::Counts) {
        let h = n.halvings as f64;
        for (nb, b) in trial.iter_mut().zip(b) {
            *nb = (*nb + h * b) / (h + 1.0);
        }
    }
    fn after_reject(
        &mut self,
        _b: &[f64],
        _step: &[f64],
        n: &crate::newton::Counts,
    ) -> Option<crate::newton::Stop> {
        (n.evaluations == self.max_iter).then_some(crate::newton::Stop::MaxIterations)
    }
    fn after_accept(
        &mut self,
        _b: &[f64],
        _step: &[f64],
        n: &crate::newton::Counts,
    ) -> Option<crate::newton::Stop> {
        (n.evaluations == self.max_iter).then_some(crate::newton::Stop::MaxIterations)
    }
}

/// coxph's check of `init` (in `coxph()`): the linear predictor at the start, with the
/// covariates centred at their (unweighted) column means, `x'init - mean(x)'init +
/// offset`, must neither overflow `exp` for some row nor underflow it for every row
/// ("initial values lead to overflow or underflow of the exp function"); refused here
/// naming `init` as coxph refuses it, instead of NaN or "aliased" coefficients.
fn check_init_overflow(x: &crate::data::Covariates, offset: Option<&[f64]>, init: &[f64]) -> Result<()> {
    let n = x.n();
    let means: Vec<f64> = (0..x.p())
        .map(|j| x.column(j).iter().sum::<f64>() / n.max(1) as f64)
        .collect();
    let centre: f64 = means.iter().zip(init).map(|(m, b)| m * b).sum();
    let (mut top, mut all_under, mut bad) = (f64::NEG_INFINITY, true, false);
    for i in 0..n {
        let mut t = offset.map_or(0.0, |o| o[i]) - centre;
        for (j, b) in init.iter().enumerate() {
            t += x.column(j)[i] * b;
        }
        let e = t.exp();
        bad |= !t.is_finite() || e > f64::MAX;
        all_under &= e == 0.0;
        top = top.max(t.abs());
    }
    if !(bad || (n > 0 && all_under)) {
        return Ok(());
    }
    Err(Error::InvalidArgument {
        arg: "init",
        reason: format!(
            "initial values lead to overflow or underflow of the exp function (as coxph refuses them): the centred linear predictor reaches {}; give smaller initial values",
            if top.is_finite() { format!("{top:.3e}") } else { "infinity".to_string() }
        ),
    })
}

fn newton(prep: &Prepared, params: &CoxPhParams) -> Result<IterResult> {
    let efron = params.ties == Ties::Efron;
    let beta: Vec<f64> = params.init.as_ref().map_or_else(
        || vec![0.0; prep.p],
        |init| init.iter().zip(&prep.scale).map(|(b, s)| b / s).collect(),
    );
    newton_with(prep.p, params, prep.counting, beta, |b| prep.sums(b, efron))
}

/// coxph's Newton–Raphson from `beta` (scaled coordinates) with `eval` giving the log
/// partial likelihood, score and information at a point: the rows' own sweep, or sums
/// gathered from the parts of data held elsewhere ([`partitioned`]).
fn newton_with(
    p: usize,
    params: &CoxPhParams,
    counting: bool,
    beta: Vec<f64>,
    mut eval: impl FnMut(&[f64]) -> Result<sweep::Sums>,
) -> Result<IterResult> {
    let tol = params.toler_chol;
    let s0 = eval(&beta)?;
    let mut imat = s0.imat.clone();
    let rank0 = cholesky2(&mut imat, p, tol);
    let mut step = s0.u.clone();
    chsolve2(&imat, p, &mut step);
    let score: f64 = step.iter().zip(&s0.u).map(|(a, b)| a * b).sum();
    let loglik0 = s0.loglik;
    if params.max_iter == 0 || !s0.loglik.is_finite() {
        chinv2(&mut imat, p);
        return Ok(IterResult {
            beta,
            var: imat,
            u: s0.u,
            loglik: [loglik0, loglik0],
            score,
            iterations: 0,
            rank: rank0,
            convergence: Convergence::NotIterated,
            halvings: 0,
        });
    }
    let mut rule = CoxRule {
        p,
        tol,
        eps: params.eps,
        max_iter: params.max_iter,
        counting,
        rank0,
        rank: rank0,
    };
    let out = crate::newton::maximise(|b, _| eval(b), &mut rule, beta, s0)?;
    // Converged: the trial that met the test; out of iterations: the last good value
    // (coxfit6).
    let (convergence, iterations) = match out.stop {
        crate::newton::Stop::Converged => (Convergence::Converged, out.counts.evaluations),
        _ => (Convergence::MaxIterations, params.max_iter),
    };
    let mut m = out.at.imat.clone();
    cholesky2(&mut m, p, tol);
    chinv2(&mut m, p);
    Ok(IterResult {
        beta: out.b,
        var: m,
        loglik: [loglik0, out.at.loglik],
        u: out.at.u,
        score,
        iterations,
        rank: rule.rank,
        convergence,
        halvings: out.counts.total_halvings,
    })
}

/// coxph.fit's warnings: "Ran out of iterations and did not converge", or, when the
/// log-likelihood converged while a coefficient was still moving — `|(u' V)_j| > eps` and
/// `> sqrt(eps) |beta_j|` with `u` the final score and `V` the model variance, coxph's
/// `toler.inf` rule — "Loglik converged before variable  j ; coefficient may be infinite. "
/// (monotone likelihood, e.g. no events in one group).
///
/// Counting-process data (`counting`: with entry times, `Surv(start, stop, event)`) are
/// fitted by survival's agreg.fit, whose rule is `|(u' V)_j| > sqrt(eps) (1 + |beta_j|)`
/// and whose words are "Loglik converged before variable  j ; beta may be infinite. ".
/// Both also flag a non-finite score.
fn convergence_warnings(
    it: &IterResult,
    params: &CoxPhParams,
    counting: bool,
    u: &[f64],
    var: &[f64],
    coef: &[f64],
    aliased: &[bool],
) -> Vec<String> {
    let p = u.len();
    match it.convergence {
        Convergence::MaxIterations if params.max_iter > 1 => {
            vec!["Ran out of iterations and did not converge".to_string()]
        }
        Convergence::Converged if params.max_iter > 1 => {
            let tol_inf = params.eps.sqrt();
            let infs: Vec<String> = (0..p)
                .filter(|&j| !aliased[j])
                .filter(|&j| {
                    let v = (0..p).map(|k| u[k] * var[k * p + j]).sum::<f64>().abs();
                    !u[j].is_finite()
                        || if counting {
                            v > tol_inf * (1.0 + coef[j].abs())
                        } else {
                            v > params.eps && v > tol_inf * coef[j].abs()
                        }
                })
                .map(|j| (j + 1).to_string())
                .collect();
            if infs.is_empty() {
                Vec::new()
            } else {
                let what = if counting { "beta" } else { "coefficient" };
                vec![format!(
                    "Loglik converged before variable  {} ; {what} may be infinite. ",
                    infs.join(",")
                )]
            }
        }
        _ => Vec::new(),
    }
}

/// A fitted Cox model.
#[derive(Debug, Clone)]
pub struct CoxPhFit {
    /// coxph's warnings: out of iterations, or a coefficient that may be infinite
    /// (monotone likelihood).
    pub warnings: Vec<String>,
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
    /// The fit from the iterations in the coordinates scaled by `sc`.
    fn assemble(
        sc: &[f64],
        params: &CoxPhParams,
        it: &IterResult,
        n: usize,
        n_event: usize,
        names: &[String],
        counting: bool,
    ) -> Self {
        let p = sc.len();
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
        let warnings = convergence_warnings(it, params, counting, &u, &var, &coef, &aliased);
        CoxPhFit {
            names: names.to_vec(),
            coef,
            se: se.clone(),
            naive_se: se,
            naive_var: var.clone(),
            var,
            loglik: it.loglik,
            score_test: cox_test(it.score, df),
            wald_test: cox_test(wald, df),
            lr_test: cox_test(2.0 * (it.loglik[1] - it.loglik[0]), df),
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
            warnings,
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
        self.finish_robust(robust, &u, &tt, k, params);
    }

    /// The robust variance from sums taken elsewhere (over parts): `meat = Σ_g T_g T_g'`
    /// of the weighted score residuals (original units) summed within the `k` clusters
    /// at the final coefficients, `u0 = Σ_g T_g` and `tt0 = Σ_g T_g T_g'` at the initial
    /// ones; the variance `V meat V` (`V` the model-based one), as [`Self::add_robust`].
    pub(crate) fn robust_from_sums(&mut self, meat: &[f64], u0: &[f64], tt0: &[f64], k: usize, params: &CoxPhParams) {
        let robust = crate::linalg::sandwich(&self.naive_var, meat, self.coef.len());
        self.finish_robust(robust, u0, tt0, k, params);
    }

    /// Set the robust variance `robust` (`k` clusters), the robust score test from `u`
    /// and `tt` at the initial coefficients, and the Wald test with the robust variance.
    fn finish_robust(&mut self, robust: Vec<f64>, u: &[f64], tt: &[f64], k: usize, params: &CoxPhParams) {
        let p = self.coef.len();
        let df = self.aliased.iter().filter(|&&a| !a).count();
        self.robust_score_test = Some(cox_test(
            quadratic_form_inverse(tt, p, u, params.toler_chol),
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
        self.wald_test = cox_test(
            wald_statistic(&self.var, &self.coef, &self.aliased, params),
            df,
        );
        self.robust = true;
        self.n_cluster = Some(k);
    }
}

/// A test of the fit on `df` degrees of freedom. With none (every coefficient aliased)
/// there is nothing to test and coxph reports p = 1 (R's `pchisq(0, 0, lower.tail =
/// FALSE)`), which we match; tests elsewhere on 0 df are NA.
fn cox_test(statistic: f64, df: usize) -> TestResult {
    if df == 0 {
        TestResult {
            statistic,
            df,
            p_value: 1.0,
        }
    } else {
        TestResult::chisq(statistic, df)
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
