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

use rayon::prelude::*;

use crate::data::{check_len, check_offset, Covariates};
use crate::error::{Error, Result};
use crate::linalg::{chinv2, cholesky2, chsolve2};
pub use family::{link_by_name, Family, Link};

/// Rows per chunk of the parallel cross-product.
const CHUNK: usize = 8192;

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
                let problem = if v.is_nan() { "missing value (NaN)" } else { "value is not finite" };
                return Err(Error::InvalidValue { arg: "y", row, value: v, problem });
            }
        }
        Ok(GlmData { y, x, weights: None, offset: None })
    }
    pub fn with_weights(mut self, w: &'a [f64]) -> Result<Self> {
        check_len("weights", w.len(), "y", self.y.len())?;
        crate::data::check_nonneg_finite("weights", w)?;
        self.weights = Some(w);
        Ok(self)
    }
    pub fn with_offset(mut self, o: &'a [f64]) -> Result<Self> {
        check_offset(o, self.y.len())?;
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
    link: Option<Box<dyn Link>>,
    intercept: bool,
    epsilon: f64,
    max_iter: usize,
    start: Option<Vec<f64>>,
}

impl Default for GlmParams {
    fn default() -> Self {
        GlmParams { family: Family::Gaussian, link: None, intercept: true, epsilon: 1e-8, max_iter: 25, start: None }
    }
}

impl GlmParams {
    pub fn family(mut self, family: Family) -> Self {
        self.family = family;
        self
    }
    /// A link other than the family's canonical one (any [`Link`]).
    pub fn link(mut self, link: Box<dyn Link>) -> Self {
        self.link = Some(link);
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

    pub fn check(&self, data: &GlmData) -> Result<()> {
        if !(self.epsilon > 0.0) {
            return Err(Error::InvalidArgument { arg: "epsilon", reason: format!("must be positive, got {}", self.epsilon) });
        }
        let p = data.x.p() + self.intercept as usize;
        if let Some(s) = &self.start {
            if s.len() != p {
                return Err(Error::InvalidArgument { arg: "start", reason: format!("has {} values for {p} coefficients", s.len()) });
            }
        }
        match self.family {
            Family::Poisson | Family::NegativeBinomial(_) => {
                if let Some(row) = data.y.iter().position(|&y| y < 0.0) {
                    return Err(Error::InvalidValue { arg: "y", row, value: data.y[row], problem: "negative count" });
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
                return Err(Error::InvalidArgument { arg: "theta", reason: format!("must be positive, got {theta}") });
            }
        }
        Ok(())
    }

    /// Fit by IRLS.
    pub fn fit(&self, data: &GlmData) -> Result<GlmFit> {
        self.check(data)?;
        let default = self.family.default_link();
        let link: &dyn Link = self.link.as_deref().unwrap_or(default.as_ref());
        let design = Design::new(data, self.intercept);
        let mut fit = irls(data, &design, self.family, link, self.start.as_deref(), self.epsilon, self.max_iter)?;
        // Null deviance: with an offset and an intercept R refits the intercept-only
        // model; otherwise the weighted mean (or g⁻¹(offset)).
        fit.null_deviance = if self.intercept && data.offset.is_some() {
            let only = Design { x: &data.x, cols: vec![None] };
            irls(data, &only, self.family, link, None, self.epsilon, self.max_iter)?.deviance
        } else {
            let n = data.n();
            let wsum: f64 = (0..n).map(|i| data.w(i)).sum();
            let ybar = (0..n).map(|i| data.w(i) * data.y[i]).sum::<f64>() / wsum;
            (0..n)
                .map(|i| {
                    let m = if self.intercept { ybar } else { link.inverse(data.off(i)) };
                    self.family.deviance_residual(data.y[i], m, data.w(i))
                })
                .sum()
        };
        fit.df_null = fit.n_ok - self.intercept as usize;
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
        self.cols.iter().map(|c| c.map_or_else(|| "(Intercept)".to_string(), |c| self.x.names()[c].clone())).collect()
    }
    /// `X β` (aliased coefficients count as 0).
    fn xb(&self, beta: &[f64], i: usize) -> f64 {
        (0..self.p()).map(|j| if beta[j].is_nan() { 0.0 } else { self.get(i, j) * beta[j] }).sum()
    }
    /// `X'WX` (full p x p) and `X'Wz` over the rows, accumulated in parallel chunks.
    fn cross(&self, w: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let (p, n) = (self.p(), w.len());
        let parts: Vec<(Vec<f64>, Vec<f64>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut xtx = vec![0.0; p * p];
                let mut xtz = vec![0.0; p];
                let mut row = vec![0.0; p];
                for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    if w[i] == 0.0 {
                        continue;
                    }
                    for (j, r) in row.iter_mut().enumerate() {
                        *r = self.get(i, j);
                    }
                    for a in 0..p {
                        let wa = w[i] * row[a];
                        xtz[a] += wa * z[i];
                        for b in a..p {
                            xtx[a * p + b] += wa * row[b];
                        }
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

/// Weighted least squares `min Σ w (z - xβ)²`: equilibrated normal equations, the
/// generalised Cholesky (aliasing later columns that depend on earlier ones), one step
/// of iterative refinement. Returns β (NaN for aliased), the unscaled covariance
/// `(X'WX)⁻¹` (zero rows/columns for aliased) and the rank.
fn wls(design: &Design, w: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>, usize) {
    let p = design.p();
    let (xtx, xtz) = design.cross(w, z);
    let d: Vec<f64> = (0..p).map(|j| if xtx[j * p + j] > 0.0 { 1.0 / xtx[j * p + j].sqrt() } else { 1.0 }).collect();
    let mut m: Vec<f64> = (0..p * p).map(|k| xtx[k] * d[k / p] * d[k % p]).collect();
    let rank = cholesky2(&mut m, p, 1e-11).max(0) as usize;
    let solve = |rhs: &[f64]| -> Vec<f64> {
        let mut y: Vec<f64> = rhs.iter().zip(&d).map(|(r, d)| r * d).collect();
        chsolve2(&m, p, &mut y);
        y.iter().zip(&d).map(|(y, d)| y * d).collect()
    };
    let mut beta = solve(&xtz);
    // Refinement: residual of the normal equations.
    let resid: Vec<f64> = (0..p).map(|a| xtz[a] - (0..p).map(|b| xtx[a * p + b] * beta[b]).sum::<f64>()).collect();
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
    pub link: String,
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
    link: &dyn Link,
    start: Option<&[f64]>,
    epsilon: f64,
    max_iter: usize,
) -> Result<GlmFit> {
    let n = data.n();
    let p = design.p();
    let y = data.y;
    let pw: Vec<f64> = (0..n).map(|i| data.w(i)).collect();
    let mut eta: Vec<f64> = match start {
        Some(s) => (0..n).map(|i| design.xb(s, i) + data.off(i)).collect(),
        None => (0..n).map(|i| link.link(family.mustart(y[i], pw[i]))).collect(),
    };
    let mut mu: Vec<f64> = eta.iter().map(|&e| link.inverse(e)).collect();
    if !mu.iter().all(|&m| family.valid_mu(m)) || !eta.iter().all(|&e| link.valid_eta(e)) {
        return Err(Error::Data {
            arg: "start",
            reason: "cannot find valid starting values: please supply start".into(),
        });
    }
    let deviance = |mu: &[f64]| -> f64 { (0..n).map(|i| family.deviance_residual(y[i], mu[i], pw[i])).sum() };
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
            let me = link.mu_eta(eta[i]);
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
            for i in 0..n {
                eta[i] = design.xb(beta, i) + data.off(i);
                mu[i] = link.inverse(eta[i]);
            }
        };
        update(&beta, &mut eta, &mut mu);
        dev = deviance(&mu);
        // Step halving while the deviance is not finite or mu/eta are invalid.
        let valid = |eta: &[f64], mu: &[f64]| mu.iter().all(|&m| family.valid_mu(m)) && eta.iter().all(|&e| link.valid_eta(e));
        let mut halvings = 0;
        while !dev.is_finite() || !valid(&eta, &mu) {
            let Some(old) = &coefold else {
                return Err(Error::Data {
                    arg: "start",
                    reason: "no valid set of coefficients has been found: please supply starting values".into(),
                });
            };
            halvings += 1;
            if halvings > max_iter {
                return Err(Error::Data { arg: "start", reason: "inner loop: cannot correct step size".into() });
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
        coefold = Some(beta.iter().map(|b| if b.is_nan() { 0.0 } else { *b }).collect());
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
    let working_residuals: Vec<f64> = (0..n).map(|i| (y[i] - mu[i]) / link.mu_eta(eta[i])).collect();
    let dispersion = if family.fixed_dispersion() {
        1.0
    } else if df_residual > 0 {
        (0..n).filter(|&i| ww[i] > 0.0).map(|i| ww[i] * working_residuals[i].powi(2)).sum::<f64>() / df_residual as f64
    } else {
        f64::NAN
    };
    let aliased: Vec<bool> = beta.iter().map(|b| b.is_nan()).collect();
    let var: Vec<f64> = cov.iter().map(|c| c * dispersion).collect();
    let se: Vec<f64> = (0..p).map(|j| if aliased[j] { f64::NAN } else { var[j * p + j].sqrt() }).collect();
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
        link: link.name().to_string(),
        n_ok,
        theta: None,
        se_theta: None,
        twologlik: None,
    })
}
