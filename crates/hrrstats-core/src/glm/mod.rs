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

use std::sync::Arc;

use rayon::prelude::*;

use crate::data::{check_len, check_offset, Covariates};
use crate::error::{Error, Result};
use crate::linalg::{chinv2, cholesky2, chsolve2};
pub use family::{link_by_name, Family, Link};

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

    pub fn check(&self, data: &GlmData) -> Result<()> {
        if !(self.epsilon > 0.0) {
            return Err(Error::InvalidArgument {
                arg: "epsilon",
                reason: format!("must be positive, got {}", self.epsilon),
            });
        }
        let p = data.x.p() + self.intercept as usize;
        if let Some(s) = &self.start {
            if s.len() != p {
                return Err(Error::InvalidArgument {
                    arg: "start",
                    reason: format!("has {} values for {p} coefficients", s.len()),
                });
            }
        }
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
        let mut mu = fit.fitted.clone();
        let (mut th, mut se_th) = theta_ml(y, &mu, &w, self.max_iter)?;
        let mut iter = 0;
        let d1 = (2.0 * (fit.df_residual.max(1) as f64)).sqrt();
        let d2 = 1.0;
        let mut del: f64 = 1.0;
        let mut lm = nb_loglik(th, &mu, y, &w);
        let mut lm0 = lm + 2.0 * d1;
        let mut fam = Family::NegativeBinomial(th);
        loop {
            iter += 1;
            if iter > self.max_iter || (lm0 - lm).abs() / d1 + del.abs() / d2 <= self.epsilon {
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
            (th, se_th) = theta_ml(y, &mu, &w, self.max_iter)?;
            fam = Family::NegativeBinomial(th);
            mu = fit.fitted.clone();
            del = t0 - th;
            lm0 = lm;
            lm = nb_loglik(th, &mu, y, &w);
        }
        if iter > self.max_iter {
            fit.warnings
                .push("glm.nb: alternation limit reached".to_string());
        }
        let fitted_family = fit.family;
        fit.null_deviance = if self.intercept && data.offset.is_some() {
            self.null_deviance(data, fam, &link)?
        } else {
            self.null_deviance(data, fitted_family, &link)?
        };
        fit.df_null = fit.n_ok - self.intercept as usize;
        fit.theta = Some(th);
        fit.se_theta = Some(se_th);
        fit.twologlik = Some(2.0 * lm);
        fit.aic = -2.0 * lm + 2.0 * fit.rank as f64 + 2.0;
        fit.loglik_df = fit.rank + 1;
        fit.loglik = lm;
        Ok(fit)
    }
}

/// The model matrix: an optional intercept and the covariate columns (`None` = the
/// intercept column of ones).
struct Design<'a, 'b> {
    x: &'b Covariates<'a>,
    cols: Vec<Option<usize>>,
}

impl<'a, 'b> Design<'a, 'b> {
    fn new(data: &'b GlmData<'a>, intercept: bool) -> Self {
        let mut cols = Vec::new();
        if intercept {
            cols.push(None);
        }
        cols.extend((0..data.x.p()).map(Some));
        Design { x: &data.x, cols }
    }
    fn p(&self) -> usize {
        self.cols.len()
    }
    #[inline]
    fn get(&self, i: usize, j: usize) -> f64 {
        match self.cols[j] {
            None => 1.0,
            Some(c) => self.x.column(c)[i],
        }
    }
    fn names(&self) -> Vec<String> {
        self.cols
            .iter()
            .map(|c| c.map_or_else(|| "(Intercept)".to_string(), |c| self.x.names()[c].clone()))
            .collect()
    }
    /// Rows `r` of column `j` (`None` for the intercept column of ones).
    fn col(&self, j: usize, r: std::ops::Range<usize>) -> Option<&'a [f64]> {
        self.cols[j].map(|c| &self.x.column(c)[r])
    }

    /// `X β + offset` for every row, column by column (aliased coefficients count as 0).
    fn eta(&self, beta: &[f64], offset: Option<&[f64]>, n: usize) -> Vec<f64> {
        let mut eta = offset.map_or_else(|| vec![0.0; n], |o| o.to_vec());
        eta.par_chunks_mut(CHUNK).enumerate().for_each(|(c, e)| {
            let r = c * CHUNK..c * CHUNK + e.len();
            for (j, &b) in beta.iter().enumerate() {
                if b.is_nan() || b == 0.0 {
                    continue;
                }
                match self.col(j, r.clone()) {
                    None => e.iter_mut().for_each(|v| *v += b),
                    Some(x) => e.iter_mut().zip(x).for_each(|(v, x)| *v += b * x),
                }
            }
        });
        eta
    }

    /// `X'WX` (full p x p) and `X'Wz` over the rows: per chunk of rows, the weighted
    /// columns once, then every entry as a contiguous dot product; chunks in parallel.
    fn cross(&self, w: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (p, n) = (self.p(), w.len());
        let parts: Vec<(Vec<f64>, Vec<f64>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let r = c * CHUNK..((c + 1) * CHUNK).min(n);
                let wr = &w[r.clone()];
                let wx: Vec<Vec<f64>> = (0..p)
                    .map(|a| match self.col(a, r.clone()) {
                        None => wr.to_vec(),
                        Some(x) => wr.iter().zip(x).map(|(w, x)| w * x).collect(),
                    })
                    .collect();
                let mut xtx = vec![0.0; p * p];
                let mut xtz = vec![0.0; p];
                for a in 0..p {
                    xtz[a] = dot(&wx[a], &z[r.clone()]);
                }
                // Each column chunk is read once and dotted with the (cache-resident)
                // weighted columns before it.
                for b in 0..p {
                    match self.col(b, r.clone()) {
                        None => (0..=b).for_each(|a| xtx[a * p + b] = wx[a].iter().sum()),
                        Some(x) => (0..=b).for_each(|a| xtx[a * p + b] = dot(&wx[a], x)),
                    }
                }
                (xtx, xtz)
            })
            .collect();
        let mut xtx = vec![0.0; p * p];
        let mut xtz = vec![0.0; p];
        for (a, b) in parts {
            xtx.iter_mut().zip(&a).for_each(|(s, v)| *s += v);
            xtz.iter_mut().zip(&b).for_each(|(s, v)| *s += v);
        }
        for a in 0..p {
            for b in 0..a {
                xtx[a * p + b] = xtx[b * p + a];
            }
        }
        (xtx, xtz)
    }
}

/// Dot product with four independent accumulators (vectorises).
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0f64; 4];
    let (ca, cb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        acc[0] += x[0] * y[0];
        acc[1] += x[1] * y[1];
        acc[2] += x[2] * y[2];
        acc[3] += x[3] * y[3];
    }
    let tail: f64 = ra.iter().zip(rb).map(|(x, y)| x * y).sum();
    (acc[0] + acc[1]) + (acc[2] + acc[3]) + tail
}

/// Weighted least squares `min Σ w (z - xβ)²`: equilibrated normal equations, the
/// generalised Cholesky (aliasing later columns that depend on earlier ones), one step
/// of iterative refinement. Returns β (NaN for aliased), the unscaled covariance
/// `(X'WX)⁻¹` (zero rows/columns for aliased) and the rank.
fn wls(design: &Design, w: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>, usize) {
    let p = design.p();
    let (xtx, xtz) = design.cross(w, z);
    let d: Vec<f64> = (0..p)
        .map(|j| {
            if xtx[j * p + j] > 0.0 {
                1.0 / xtx[j * p + j].sqrt()
            } else {
                1.0
            }
        })
        .collect();
    let mut m: Vec<f64> = (0..p * p).map(|k| xtx[k] * d[k / p] * d[k % p]).collect();
    let rank = cholesky2(&mut m, p, 1e-11).max(0) as usize;
    let solve = |rhs: &[f64]| -> Vec<f64> {
        let mut y: Vec<f64> = rhs.iter().zip(&d).map(|(r, d)| r * d).collect();
        chsolve2(&m, p, &mut y);
        y.iter().zip(&d).map(|(y, d)| y * d).collect()
    };
    let mut beta = solve(&xtz);
    // Refinement: residual of the normal equations.
    let resid: Vec<f64> = (0..p)
        .map(|a| xtz[a] - (0..p).map(|b| xtx[a * p + b] * beta[b]).sum::<f64>())
        .collect();
    let corr = solve(&resid);
    beta.iter_mut().zip(&corr).for_each(|(b, c)| *b += c);
    let mut inv = m.clone();
    chinv2(&mut inv, p);
    let aliased: Vec<bool> = (0..p).map(|j| m[j * p + j] == 0.0).collect();
    let cov: Vec<f64> = (0..p * p).map(|k| inv[k] * d[k / p] * d[k % p]).collect();
    for (j, b) in beta.iter_mut().enumerate() {
        if aliased[j] {
            *b = f64::NAN;
        }
    }
    (beta, cov, rank)
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
    pub converged: bool,
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

fn irls(
    data: &GlmData,
    design: &Design,
    family: Family,
    link: Arc<dyn Link>,
    start: Option<&[f64]>,
    eta_start: Option<&[f64]>,
    mustart: Option<&[f64]>,
    epsilon: f64,
    max_iter: usize,
) -> Result<GlmFit> {
    let n = data.n();
    let p = design.p();
    let y = data.y;
    let pw: Vec<f64> = (0..n).map(|i| data.w(i)).collect();
    let mut eta: Vec<f64> = match (eta_start, start) {
        (Some(e), _) => e.to_vec(),
        (None, Some(s)) => design.eta(s, data.offset, n),
        (None, None) => (0..n)
            .map(|i| match mustart {
                Some(m) => link.link_at(i, m[i]),
                None => link.link_at(i, family.mustart(y[i], pw[i])),
            })
            .collect(),
    };
    let mut mu: Vec<f64> = eta
        .iter()
        .enumerate()
        .map(|(i, &e)| link.inverse_at(i, e))
        .collect();
    if !mu.iter().all(|&m| family.valid_mu(m)) || !eta.iter().all(|&e| link.valid_eta(e)) {
        return Err(Error::Data {
            arg: "start",
            reason: "cannot find valid starting values: please supply start".into(),
        });
    }
    let deviance = |mu: &[f64]| -> f64 {
        (0..n)
            .map(|i| family.deviance_residual(y[i], mu[i], pw[i]))
            .sum()
    };
    let mut devold = deviance(&mu);
    let mut coefold: Option<Vec<f64>> = start.map(|s| s.to_vec());
    let mut boundary = false;
    let mut converged = false;
    let mut iterations = 0;
    let mut beta = vec![0.0; p];
    let mut cov = vec![0.0; p * p];
    let mut rank = p;
    let mut ww = vec![0.0; n];
    let mut dev = devold;
    for iter in 1..=max_iter {
        iterations = iter;
        let mut z = vec![0.0; n];
        for i in 0..n {
            let me = link.mu_eta_at(i, eta[i]);
            let good = pw[i] > 0.0 && me != 0.0;
            if good {
                z[i] = eta[i] - data.off(i) + (y[i] - mu[i]) / me;
                ww[i] = pw[i] * me * me / family.variance(mu[i]);
            } else {
                ww[i] = 0.0;
            }
        }
        let (b, c, r) = wls(design, &ww, &z);
        beta = b;
        cov = c;
        rank = r;
        let update = |beta: &[f64], eta: &mut Vec<f64>, mu: &mut Vec<f64>| {
            *eta = design.eta(beta, data.offset, n);
            mu.par_iter_mut()
                .zip(eta.par_iter())
                .enumerate()
                .for_each(|(i, (m, &e))| *m = link.inverse_at(i, e));
        };
        update(&beta, &mut eta, &mut mu);
        dev = deviance(&mu);
        // Step halving while the deviance is not finite or mu/eta are invalid.
        let valid = |eta: &[f64], mu: &[f64]| {
            mu.iter().all(|&m| family.valid_mu(m)) && eta.iter().all(|&e| link.valid_eta(e))
        };
        let mut halvings = 0;
        while !dev.is_finite() || !valid(&eta, &mu) {
            let Some(old) = &coefold else {
                return Err(Error::Data {
                    arg: "start",
                    reason:
                        "no valid set of coefficients has been found: please supply starting values"
                            .into(),
                });
            };
            halvings += 1;
            if halvings > max_iter {
                return Err(Error::Data {
                    arg: "start",
                    reason: "inner loop: cannot correct step size".into(),
                });
            }
            for (b, o) in beta.iter_mut().zip(old) {
                if !b.is_nan() {
                    *b = (*b + o) / 2.0;
                }
            }
            update(&beta, &mut eta, &mut mu);
            dev = deviance(&mu);
            boundary = true;
        }
        if (dev - devold).abs() / (dev.abs() + 0.1) < epsilon {
            converged = true;
            break;
        }
        devold = dev;
        coefold = Some(
            beta.iter()
                .map(|b| if b.is_nan() { 0.0 } else { *b })
                .collect(),
        );
    }
    let mut warnings = Vec::new();
    if !converged {
        warnings.push("glm.fit: algorithm did not converge".to_string());
    }
    let eps10 = 10.0 * f64::EPSILON;
    match family {
        Family::Binomial if mu.iter().any(|&m| m > 1.0 - eps10 || m < eps10) => {
            warnings.push("glm.fit: fitted probabilities numerically 0 or 1 occurred".to_string())
        }
        Family::Poisson if mu.iter().any(|&m| m < eps10) => {
            warnings.push("glm.fit: fitted rates numerically 0 occurred".to_string())
        }
        _ => {}
    }
    if boundary {
        warnings.push("glm.fit: algorithm stopped at boundary value".to_string());
    }
    let n_ok = pw.iter().filter(|&&w| w > 0.0).count();
    let df_residual = n_ok.saturating_sub(rank);
    let working_residuals: Vec<f64> = (0..n)
        .map(|i| (y[i] - mu[i]) / link.mu_eta_at(i, eta[i]))
        .collect();
    let dispersion = if family.fixed_dispersion() {
        1.0
    } else if df_residual > 0 {
        (0..n)
            .filter(|&i| ww[i] > 0.0)
            .map(|i| ww[i] * working_residuals[i].powi(2))
            .sum::<f64>()
            / df_residual as f64
    } else {
        f64::NAN
    };
    let aliased: Vec<bool> = beta.iter().map(|b| b.is_nan()).collect();
    let var: Vec<f64> = cov.iter().map(|c| c * dispersion).collect();
    let se: Vec<f64> = (0..p)
        .map(|j| {
            if aliased[j] {
                f64::NAN
            } else {
                var[j * p + j].sqrt()
            }
        })
        .collect();
    let aic = family.aic(y, &mu, &pw, dev) + 2.0 * rank as f64;
    let loglik_df = rank + (!family.fixed_dispersion()) as usize;
    Ok(GlmFit {
        names: design.names(),
        coef: beta,
        se,
        var,
        cov_unscaled: cov,
        aliased,
        rank,
        deviance: dev,
        null_deviance: f64::NAN,
        aic,
        loglik: loglik_df as f64 - aic / 2.0,
        loglik_df,
        df_residual,
        df_null: 0,
        dispersion,
        iterations,
        converged,
        boundary,
        fitted: mu,
        linear_predictors: eta,
        working_weights: ww,
        working_residuals,
        warnings,
        family,
        link,
        intercept: design.cols.first() == Some(&None),
        n_ok,
        theta: None,
        se_theta: None,
        twologlik: None,
    })
}

/// Kind of sandwich variance, as the sandwich package computes them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Robust<'a> {
    /// `vcovHC(type = "HC0")`: `B (Σ r_i² x_i x_i') B`, `B = (X'WX)⁻¹`, `r` the working
    /// residual times the working weight.
    Hc0,
    /// `vcovHC(type = "HC1")`: HC0 times `n / (n - k)`.
    Hc1,
    /// `vcovCL(cluster, type = "HC1", cadjust = TRUE)`: `G/(G-1) (n-1)/(n-k)
    /// B (Σ_g U_g U_g') B` with `U_g` the cluster sums of `r_i x_i` (codes per row).
    Cluster(&'a [u32]),
}

/// Predictions with standard errors on the link and response scales.
#[derive(Debug, Clone, Default)]
pub struct GlmPrediction {
    pub link: Vec<f64>,
    pub link_se: Vec<f64>,
    pub response: Vec<f64>,
    pub response_se: Vec<f64>,
}

/// Residual types of `residuals.glm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GlmResidual {
    #[default]
    Deviance,
    Pearson,
    Working,
    Response,
}

crate::option_enum!(GlmResidual, "type", "deviance" => GlmResidual::Deviance, "pearson" => GlmResidual::Pearson, "working" => GlmResidual::Working, "response" => GlmResidual::Response);

impl GlmResidual {
    pub fn parse(s: &str) -> Result<Self> {
        <Self as crate::options::OptionEnum>::parse(s)
    }
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

    /// Sandwich variance (row-major p x p; zero rows/columns for aliased terms).
    /// `data` must be the data the model was fitted to.
    pub fn robust_var(&self, data: &GlmData, kind: Robust) -> Result<Vec<f64>> {
        let design = self.design(data)?;
        let (n, p) = (self.fitted.len(), self.coef.len());
        let r: Vec<f64> = (0..n)
            .map(|i| self.working_residuals[i] * self.working_weights[i])
            .collect();
        let mut meat = vec![0.0; p * p];
        let mut groups = 0usize;
        match kind {
            Robust::Hc0 | Robust::Hc1 => {
                for i in 0..n {
                    for a in 0..p {
                        let ua = r[i] * design.get(i, a);
                        for b in 0..p {
                            meat[a * p + b] += ua * r[i] * design.get(i, b);
                        }
                    }
                }
            }
            Robust::Cluster(cl) => {
                check_len("cluster", cl.len(), "y", n)?;
                let mut labels: Vec<u32> = cl.to_vec();
                labels.sort_unstable();
                labels.dedup();
                groups = labels.len();
                let mut u = vec![0.0; groups * p];
                for i in 0..n {
                    let g = labels.binary_search(&cl[i]).unwrap();
                    for a in 0..p {
                        u[g * p + a] += r[i] * design.get(i, a);
                    }
                }
                for g in 0..groups {
                    for a in 0..p {
                        for b in 0..p {
                            meat[a * p + b] += u[g * p + a] * u[g * p + b];
                        }
                    }
                }
            }
        }
        let bm = self.cov_unscaled.as_slice();
        let mut out = vec![0.0; p * p];
        for a in 0..p {
            for b in 0..p {
                let mut v = 0.0;
                for c in 0..p {
                    for d in 0..p {
                        v += bm[a * p + c] * meat[c * p + d] * bm[d * p + b];
                    }
                }
                out[a * p + b] = v;
            }
        }
        let (nf, k) = (n as f64, self.rank as f64);
        let adj = match kind {
            Robust::Hc0 => 1.0,
            Robust::Hc1 => nf / (nf - k),
            Robust::Cluster(_) => {
                let g = groups as f64;
                g / (g - 1.0) * (nf - 1.0) / (nf - k)
            }
        };
        out.iter_mut().for_each(|v| *v *= adj);
        Ok(out)
    }

    /// Predictions for new covariates (columns as in the fit, without the intercept),
    /// with standard errors from `var` (`predict.glm(se.fit = TRUE)`).
    pub fn predict(&self, x: &Covariates, offset: Option<&[f64]>) -> Result<GlmPrediction> {
        let p = self.coef.len();
        if x.p() + self.intercept as usize != p {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: format!(
                    "has {} columns; the model has {}",
                    x.p(),
                    p - self.intercept as usize
                ),
            });
        }
        if let Some(o) = offset {
            check_offset(o, x.n(), "covariates")?;
        }
        let cols: Vec<Option<usize>> = (0..p)
            .map(|j| {
                if self.intercept {
                    j.checked_sub(1)
                } else {
                    Some(j)
                }
            })
            .collect();
        let get = |i: usize, j: usize| cols[j].map_or(1.0, |c| x.column(c)[i]);
        let mut out = GlmPrediction::default();
        for i in 0..x.n() {
            let eta: f64 = (0..p)
                .filter(|&j| !self.aliased[j])
                .map(|j| get(i, j) * self.coef[j])
                .sum::<f64>()
                + offset.map_or(0.0, |o| o[i]);
            let mut v = 0.0;
            for a in 0..p {
                for b in 0..p {
                    v += get(i, a) * self.var[a * p + b] * get(i, b);
                }
            }
            let se = v.max(0.0).sqrt();
            out.link.push(eta);
            out.link_se.push(se);
            out.response.push(self.link.inverse(eta));
            out.response_se.push(se * self.link.mu_eta(eta).abs());
        }
        Ok(out)
    }

    /// Wald statistics and two-sided p-values of the coefficients for variance `var`
    /// (the model's or a sandwich): z tests, or t tests on the residual degrees of
    /// freedom when the dispersion is estimated (as `summary.glm`).
    pub fn wald(&self, var: &[f64]) -> (Vec<f64>, Vec<f64>) {
        use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
        let p = self.coef.len();
        let t_dist = (!self.family.fixed_dispersion() && self.df_residual > 0)
            .then(|| StudentsT::new(0.0, 1.0, self.df_residual as f64).ok())
            .flatten();
        let stat: Vec<f64> = (0..p)
            .map(|j| self.coef[j] / var[j * p + j].sqrt())
            .collect();
        let pv = stat
            .iter()
            .map(|&z| match &t_dist {
                Some(t) => 2.0 * t.sf(z.abs()),
                None => 2.0 * Normal::standard().sf(z.abs()),
            })
            .collect();
        (stat, pv)
    }

    /// Residuals of the fitted data (`y` and prior weights as in the fit).
    pub fn residuals(&self, data: &GlmData, kind: GlmResidual) -> Result<Vec<f64>> {
        self.design(data)?;
        let (y, mu) = (data.y, &self.fitted);
        Ok((0..y.len())
            .map(|i| match kind {
                GlmResidual::Response => y[i] - mu[i],
                GlmResidual::Working => self.working_residuals[i],
                GlmResidual::Pearson => {
                    (y[i] - mu[i]) * data.w(i).sqrt() / self.family.variance(mu[i]).sqrt()
                }
                GlmResidual::Deviance => {
                    let d = self
                        .family
                        .deviance_residual(y[i], mu[i], data.w(i))
                        .max(0.0)
                        .sqrt();
                    if y[i] > mu[i] {
                        d
                    } else {
                        -d
                    }
                }
            })
            .collect())
    }
}

/// Negative binomial log-likelihood (MASS's `loglik` in glm.nb).
fn nb_loglik(th: f64, mu: &[f64], y: &[f64], w: &[f64]) -> f64 {
    use statrs::function::gamma::ln_gamma;
    (0..y.len())
        .map(|i| {
            let (yi, m) = (y[i], mu[i]);
            w[i] * (ln_gamma(th + yi) - ln_gamma(th) - ln_gamma(yi + 1.0)
                + th * th.ln()
                + yi * (m + (yi == 0.0) as u8 as f64).ln()
                - (th + yi) * (th + m).ln())
        })
        .sum()
}

/// `MASS::theta.ml`: Newton–Raphson for `theta` at fixed means; returns the estimate
/// and its standard error `1/sqrt(information)`.
fn theta_ml(y: &[f64], mu: &[f64], w: &[f64], limit: usize) -> Result<(f64, f64)> {
    use statrs::function::gamma::digamma;
    let n: f64 = w.iter().sum();
    let score = |th: f64| -> f64 {
        (0..y.len())
            .map(|i| {
                w[i] * (digamma(th + y[i]) - digamma(th) + th.ln() + 1.0
                    - (th + mu[i]).ln()
                    - (y[i] + th) / (mu[i] + th))
            })
            .sum()
    };
    let info = |th: f64| -> f64 {
        (0..y.len())
            .map(|i| {
                w[i] * (-trigamma(th + y[i]) + trigamma(th) - 1.0 / th + 2.0 / (mu[i] + th)
                    - (y[i] + th) / (mu[i] + th).powi(2))
            })
            .sum()
    };
    let eps = f64::EPSILON.powf(0.25);
    let mut t0 = n
        / (0..y.len())
            .map(|i| w[i] * (y[i] / mu[i] - 1.0).powi(2))
            .sum::<f64>();
    let mut it = 0;
    let mut del: f64 = 1.0;
    let mut i = f64::NAN;
    loop {
        it += 1;
        if it >= limit || del.abs() <= eps {
            break;
        }
        t0 = t0.abs();
        i = info(t0);
        del = score(t0) / i;
        t0 += del;
    }
    if !t0.is_finite() {
        return Err(Error::Data {
            arg: "y",
            reason: "theta.ml did not converge: the counts show no overdispersion to estimate"
                .into(),
        });
    }
    Ok((t0.max(0.0), (1.0 / i).sqrt()))
}

/// The trigamma function ψ'(x) for x > 0: recurrence up to 20, then the asymptotic
/// series (error below 1e-16 relative).
fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 20.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let t = 1.0 / x;
    let t2 = t * t;
    acc + t
        + t2 / 2.0
        + t * t2
            * (1.0 / 6.0
                - t2 * (1.0 / 30.0 - t2 * (1.0 / 42.0 - t2 * (1.0 / 30.0 - t2 * 5.0 / 66.0))))
}
