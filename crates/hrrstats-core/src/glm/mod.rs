//! Generalised linear models by iteratively reweighted least squares, as R's
//! `glm.fit`, with the negative binomial of `MASS::glm.nb` and sandwich variances.
//!
//! With working response `z = η - offset + (y - μ)/μ'(η)` and working weights
//! `W = w μ'(η)² / V(μ)`, each iteration solves the weighted least-squares problem
//! `min ‖W^½ (z - Xβ)‖²`. Iterations start from the family's `μ` (or from `start`),
//! halve the step while the deviance is not finite or `μ`/`η` leave their domain,
//! and stop when `|dev - dev_old| / (|dev| + 0.1) < ε` (1e-8) or after 25 iterations.
//! The model-based variance is `φ (X'WX)⁻¹` with the weights of the last solve (as
//! R's QR), `φ` = 1 for Poisson, binomial and negative binomial, else the Pearson
//! estimate. Columns that are linear combinations of earlier ones are aliased:
//! coefficient NaN (R's NA), the rest fitted.
//!
//! The weighted cross-product `X'WX` is accumulated over row chunks in parallel, so
//! memory is O(p²) beyond the data (1e7 rows x 30 columns fit comfortably); it is
//! equilibrated before the generalised Cholesky solve, and each solve takes one step of
//! iterative refinement.
//!
//! References: McCullagh P, Nelder JA (1989) *Generalized Linear Models*; R's
//! `glm.fit`; Venables WN, Ripley BD (2002) *MASS*, `glm.nb`, `theta.ml`; Zeileis A
//! (2006) *Object-oriented computation of sandwich estimators*, JSS 16(9).

pub mod family;
pub mod gee;
mod irls;
pub mod partitioned;
mod prediction;
mod robust;

use std::sync::Arc;

use crate::data::{check_len, check_offset, Covariates};
use crate::error::{Error, Result};
pub use family::{check_link, link_by_name, Family, Link};
use irls::{irls, nb_loglik, theta_ml, Design};
pub use partitioned::{PartSums, PartitionedGlm, PassRequest};
pub use prediction::{GlmPrediction, GlmResidual, GlmScale};
pub use robust::{Robust, SandwichType};

/// Rows per chunk of the parallel cross-product.
const CHUNK: usize = 2048;

/// Input of a GLM: response, covariates (without the intercept), optional prior
/// weights, offset and cluster.
#[derive(Debug, Clone)]
pub struct GlmData<'a> {
    pub(crate) y: &'a [f64],
    pub(crate) x: Covariates<'a>,
    pub(crate) weights: Option<&'a [f64]>,
    pub(crate) offset: Option<&'a [f64]>,
}

impl<'a> GlmData<'a> {
    pub fn new(y: &'a [f64], x: Covariates<'a>) -> Result<Self> {
        if y.is_empty() {
            return Err(Error::Empty { arg: "y" });
        }
        check_len("covariates", x.n(), "y", y.len())?;
        for (row, &v) in y.iter().enumerate() {
            if !v.is_finite() {
                let problem = if v.is_nan() {
                    "missing value (NaN)"
                } else {
                    "value is not finite"
                };
                return Err(Error::InvalidValue {
                    arg: "y",
                    row,
                    value: v,
                    problem,
                });
            }
        }
        Ok(GlmData {
            y,
            x,
            weights: None,
            offset: None,
        })
    }
    pub fn with_weights(mut self, w: &'a [f64]) -> Result<Self> {
        check_len("weights", w.len(), "y", self.y.len())?;
        crate::data::check_nonneg_finite("weights", w)?;
        if !w.iter().any(|&v| v > 0.0) {
            return Err(Error::Data {
                arg: "weights",
                reason: "every weight is 0: there is nothing to fit".into(),
            });
        }
        self.weights = Some(w);
        Ok(self)
    }
    pub fn with_offset(mut self, o: &'a [f64]) -> Result<Self> {
        check_offset(o, self.y.len(), "y")?;
        self.offset = Some(o);
        Ok(self)
    }
    fn n(&self) -> usize {
        self.y.len()
    }
    fn w(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
    fn off(&self, i: usize) -> f64 {
        self.offset.map_or(0.0, |o| o[i])
    }
}

/// Entry point: `Glm::params()`.
pub struct Glm;

impl Glm {
    pub fn params() -> GlmParams {
        GlmParams::default()
    }
}

/// Options of the fit (defaults as `glm.control()`).
#[derive(Debug)]
pub struct GlmParams {
    family: Family,
    link: Option<Arc<dyn Link>>,
    intercept: bool,
    epsilon: f64,
    max_iter: usize,
    start: Option<Vec<f64>>,
    mustart: Option<Vec<f64>>,
}

impl Default for GlmParams {
    fn default() -> Self {
        GlmParams {
            family: Family::Gaussian,
            link: None,
            intercept: true,
            epsilon: 1e-8,
            max_iter: 25,
            start: None,
            mustart: None,
        }
    }
}

impl GlmParams {
    pub fn family(mut self, family: Family) -> Self {
        self.family = family;
        self
    }
    /// A link other than the family's canonical one (any [`Link`]).
    pub fn link(mut self, link: Box<dyn Link>) -> Self {
        self.link = Some(Arc::from(link));
        self
    }
    pub fn intercept(mut self, intercept: bool) -> Self {
        self.intercept = intercept;
        self
    }
    pub fn epsilon(mut self, epsilon: f64) -> Self {
        self.epsilon = epsilon;
        self
    }
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }
    /// Starting coefficients (intercept first when there is one).
    pub fn start(mut self, start: Vec<f64>) -> Self {
        self.start = Some(start);
        self
    }
    /// Starting means, one per row (R's `mustart`; used when `start` is not given).
    pub fn mustart(mut self, mustart: Vec<f64>) -> Self {
        self.mustart = Some(mustart);
        self
    }

    /// `start`: finite values, one per coefficient (`p`, when known).
    pub(crate) fn check_start(&self, p: Option<usize>) -> Result<()> {
        if let Some(s) = &self.start {
            if let Some(p) = p.filter(|&p| s.len() != p) {
                return Err(Error::InvalidArgument {
                    arg: "start",
                    reason: format!("has {} values for {p} coefficients", s.len()),
                });
            }
            if let Some(j) = s.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidArgument {
                    arg: "start",
                    reason: format!("value {} is {} (start values must be finite)", j + 1, s[j]),
                });
            }
        }
        Ok(())
    }

    pub fn check(&self, data: &GlmData) -> Result<()> {
        if !(self.epsilon > 0.0) {
            return Err(Error::InvalidArgument {
                arg: "epsilon",
                reason: format!("must be positive, got {}", self.epsilon),
            });
        }
        self.check_start(Some(data.x.p() + self.intercept as usize))?;
        match self.family {
            Family::Poisson | Family::NegativeBinomial(_) => {
                if let Some(row) = data.y.iter().position(|&y| y < 0.0) {
                    return Err(Error::InvalidValue {
                        arg: "y",
                        row,
                        value: data.y[row],
                        problem: "negative count",
                    });
                }
            }
            Family::Binomial => {
                if let Some(row) = data.y.iter().position(|&y| !(0.0..=1.0).contains(&y)) {
                    return Err(Error::InvalidValue {
                        arg: "y",
                        row,
                        value: data.y[row],
                        problem: "binomial response must be a proportion in [0, 1] (0/1 for individual data)",
                    });
                }
            }
            Family::Gaussian => {}
        }
        if let Some(link) = &self.link {
            check_link(self.family, link.name())?;
        }
        if let Family::NegativeBinomial(theta) = self.family {
            if !(theta > 0.0 && theta.is_finite()) {
                return Err(Error::InvalidArgument {
                    arg: "theta",
                    reason: format!("must be positive, got {theta}"),
                });
            }
        }
        Ok(())
    }

    /// Fit by IRLS.
    pub fn fit(&self, data: &GlmData) -> Result<GlmFit> {
        self.check(data)?;
        let link: Arc<dyn Link> = self
            .link
            .clone()
            .unwrap_or_else(|| Arc::from(self.family.default_link()));
        let design = Design::new(data, self.intercept);
        let mut fit = irls(
            data,
            &design,
            self.family,
            link.clone(),
            self.start.as_deref(),
            None,
            self.mustart.as_deref(),
            self.epsilon,
            self.max_iter,
        )?;
        // Null deviance: with an offset and an intercept R refits the intercept-only
        // model; otherwise the weighted mean (or g⁻¹(offset)).
        fit.null_deviance = self.null_deviance(data, self.family, &link)?;
        fit.df_null = fit.n_ok - self.intercept as usize;
        Ok(fit)
    }

    /// Null deviance: with an offset and an intercept R refits the intercept-only
    /// model; otherwise the deviance at the weighted mean (or at `g⁻¹(offset)`).
    fn null_deviance(&self, data: &GlmData, family: Family, link: &Arc<dyn Link>) -> Result<f64> {
        if self.intercept && data.offset.is_some() {
            let only = Design {
                x: &data.x,
                cols: vec![None],
            };
            return Ok(irls(
                data,
                &only,
                family,
                link.clone(),
                None,
                None,
                None,
                self.epsilon,
                self.max_iter,
            )?
            .deviance);
        }
        let n = data.n();
        let wsum: f64 = (0..n).map(|i| data.w(i)).sum();
        let ybar = (0..n).map(|i| data.w(i) * data.y[i]).sum::<f64>() / wsum;
        Ok((0..n)
            .map(|i| {
                let m = if self.intercept {
                    ybar
                } else {
                    link.inverse_at(i, data.off(i))
                };
                family.deviance_residual(data.y[i], m, data.w(i))
            })
            .sum())
    }

    /// Negative binomial regression with `theta` estimated by maximum likelihood, as
    /// `MASS::glm.nb`: a Poisson fit, then alternating IRLS at fixed `theta` and
    /// `theta.ml` (Newton on the score of `theta`, at the previous fit's means) until
    /// `|ΔlogL|/d1 + |Δθ|/d2 <= ε`. As glm.nb, the returned fit is the last IRLS fit
    /// (at the `theta` before the final update), with the final `theta`, its standard
    /// error, `2 log L` and `AIC = -2 log L + 2 rank + 2`. The family and `theta` given
    /// to [`GlmParams::family`] are ignored.
    pub fn fit_negbin(&self, data: &GlmData) -> Result<GlmFit> {
        let probe = GlmParams {
            family: Family::Poisson,
            link: self.link.clone(),
            start: self.start.clone(),
            mustart: None,
            ..*self
        };
        probe.check(data)?;
        let link: Arc<dyn Link> = self
            .link
            .clone()
            .unwrap_or_else(|| Arc::from(Family::Poisson.default_link()));
        let design = Design::new(data, self.intercept);
        let n = data.n();
        let w: Vec<f64> = (0..n).map(|i| data.w(i)).collect();
        let y = data.y;
        let mut fit = irls(
            data,
            &design,
            Family::Poisson,
            link.clone(),
            self.start.as_deref(),
            None,
            None,
            self.epsilon,
            self.max_iter,
        )?;
        // The Poisson start's warnings about the counts (dpois's, as glm.nb gives them).
        let count_warnings = Family::Poisson.response_warnings(y, &w);
        let mut mu = fit.fitted.clone();
        let first = theta_ml(y, &mu, &w, self.max_iter)?;
        let (mut th, mut se_th) = (first.theta, first.se);
        let (mut theta_limit, mut truncated, mut diverged) =
            (first.at_limit, first.truncated, first.diverged);
        let mut iter = 0;
        let d1 = (2.0 * (fit.df_residual.max(1) as f64)).sqrt();
        let d2 = 1.0;
        let mut del: f64 = 1.0;
        let mut lm = nb_loglik(th, &mu, y, &w);
        let mut lm0 = lm + 2.0 * d1;
        let mut fam = Family::NegativeBinomial(th);
        loop {
            iter += 1;
            crate::interrupt::check()?;
            if diverged
                || iter > self.max_iter
                || (lm0 - lm).abs() / d1 + del.abs() / d2 <= self.epsilon
            {
                break;
            }
            let eta: Vec<f64> = mu.iter().map(|&m| link.link(m)).collect();
            fit = irls(
                data,
                &design,
                fam,
                link.clone(),
                None,
                Some(&eta),
                None,
                self.epsilon,
                self.max_iter,
            )?;
            let t0 = th;
            let next = theta_ml(y, &mu, &w, self.max_iter)?;
            (th, se_th) = (next.theta, next.se);
            theta_limit |= next.at_limit;
            truncated |= next.truncated;
            diverged |= next.diverged;
            fam = Family::NegativeBinomial(th);
            mu = fit.fitted.clone();
            del = t0 - th;
            lm0 = lm;
            lm = nb_loglik(th, &mu, y, &w);
        }
        // MASS's warnings, in its words: theta.ml's "iteration limit reached" (theta
        // still growing when the counts show no overdispersion) and "estimate truncated
        // at zero", glm.nb's "alternation limit reached".
        let mut warnings = count_warnings;
        warnings.append(&mut fit.warnings);
        fit.warnings = warnings;
        fit.stop = if diverged {
            fit.warnings.push(
                "theta.ml: theta is going to infinity (the counts show no overdispersion; a Poisson model fits as well)"
                    .to_string(),
            );
            GlmStop::ThetaInfinite
        } else if iter > self.max_iter {
            GlmStop::AlternationLimit
        } else if theta_limit {
            GlmStop::ThetaLimit
        } else {
            fit.stop
        };
        if theta_limit {
            fit.warnings
                .push("theta.ml: iteration limit reached".to_string());
        }
        if truncated {
            fit.warnings
                .push("theta.ml: estimate truncated at zero".to_string());
        }
        if iter > self.max_iter {
            fit.warnings
                .push("glm.nb: alternation limit reached".to_string());
        }
        fit.alternations = Some(iter.min(self.max_iter));
        let fitted_family = fit.family;
        fit.null_deviance = if self.intercept && data.offset.is_some() {
            self.null_deviance(data, fam, &link)?
        } else {
            self.null_deviance(data, fitted_family, &link)?
        };
        fit.df_null = fit.n_ok - self.intercept as usize;
        if diverged {
            // The log-likelihood in the limit theta -> infinity: Poisson's (the
            // negative binomial's at a huge theta is lost to cancellation).
            lm = -0.5 * Family::Poisson.aic(y, &mu, &w, f64::NAN);
        }
        fit.theta = Some(th);
        fit.se_theta = Some(se_th);
        fit.twologlik = Some(2.0 * lm);
        fit.aic = -2.0 * lm + 2.0 * fit.rank as f64 + 2.0;
        fit.loglik_df = fit.rank + 1;
        fit.loglik = lm;
        Ok(fit)
    }
}

/// Why a GLM fit stopped iterating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlmStop {
    /// IRLS met its deviance criterion (and, for the negative binomial, the
    /// alternation with theta.ml met glm.nb's).
    Converged,
    /// IRLS ran out of iterations (`glm.fit: algorithm did not converge`).
    MaxIterations,
    /// theta.ml ran out of iterations (theta still moving, typically growing without
    /// bound: no overdispersion).
    ThetaLimit,
    /// glm.nb's alternation ran out of iterations.
    AlternationLimit,
    /// theta ran off to infinity (no overdispersion) and was stopped.
    ThetaInfinite,
}

impl GlmStop {
    pub fn name(self) -> &'static str {
        match self {
            GlmStop::Converged => "converged",
            GlmStop::MaxIterations => "max_iterations",
            GlmStop::ThetaLimit => "theta_iteration_limit",
            GlmStop::AlternationLimit => "alternation_limit",
            GlmStop::ThetaInfinite => "theta_infinite",
        }
    }
}

/// A fitted GLM.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct GlmFit {
    pub names: Vec<String>,
    /// Coefficients; NaN for aliased columns.
    pub coef: Vec<f64>,
    /// Model-based standard errors, `sqrt(diag(var))`.
    pub se: Vec<f64>,
    /// Model-based variance `φ (X'WX)⁻¹` (row-major).
    pub var: Vec<f64>,
    /// `(X'WX)⁻¹` with the weights of the last solve.
    pub cov_unscaled: Vec<f64>,
    pub aliased: Vec<bool>,
    pub rank: usize,
    pub deviance: f64,
    pub null_deviance: f64,
    pub aic: f64,
    pub loglik: f64,
    /// Parameters counted by `logLik` (rank, +1 for an estimated dispersion).
    pub loglik_df: usize,
    pub df_residual: usize,
    pub df_null: usize,
    pub dispersion: f64,
    pub iterations: usize,
    /// Whether IRLS converged (glm's `converged`; for the negative binomial the last
    /// IRLS fit's, as glm.nb; `stop` says how the theta iteration ended).
    pub converged: bool,
    /// Why the iterations stopped.
    pub stop: GlmStop,
    /// Negative binomial with theta estimated: glm.nb's alternations of IRLS and
    /// theta.ml.
    pub alternations: Option<usize>,
    /// Whether step halving was needed to keep the fit in range.
    pub boundary: bool,
    /// Fitted means `μ` and linear predictors `η` (offset included).
    pub fitted: Vec<f64>,
    pub linear_predictors: Vec<f64>,
    /// Working weights and residuals as R's `weights(fit, "working")`,
    /// `residuals(fit, "working")`.
    pub working_weights: Vec<f64>,
    pub working_residuals: Vec<f64>,
    /// Warnings R would give (non-convergence, fitted probabilities 0 or 1, ...).
    pub warnings: Vec<String>,
    pub family: Family,
    pub link: Arc<dyn Link>,
    /// Whether the first coefficient is an intercept.
    pub intercept: bool,
    /// Rows with positive prior weight.
    pub n_ok: usize,
    /// Negative binomial: estimated theta, its standard error and 2 log L.
    pub theta: Option<f64>,
    pub se_theta: Option<f64>,
    pub twologlik: Option<f64>,
}

impl GlmFit {
    fn design<'a, 'b>(&self, data: &'b GlmData<'a>) -> Result<Design<'a, 'b>> {
        if data.x.p() + self.intercept as usize != self.coef.len() || data.n() != self.fitted.len()
        {
            return Err(Error::InvalidArgument {
                arg: "data",
                reason: "is not the data the model was fitted to".into(),
            });
        }
        Ok(Design::new(data, self.intercept))
    }
}
