//! The IRLS iterations of `glm.fit` and the alternation of `MASS::glm.nb`: the model
//! matrix (parallel weighted cross-products), the weighted least-squares solve, the
//! iteration with step halving, and `theta.ml` for the negative binomial.

use std::sync::Arc;

use rayon::prelude::*;

use super::{Family, GlmData, GlmFit, GlmStop, Link, CHUNK};
use crate::data::Covariates;
use crate::error::{Error, Result};
use crate::linalg::{chinv2, cholesky2, chsolve2};

/// The model matrix: an optional intercept and the covariate columns (`None` = the
/// intercept column of ones).
pub(super) struct Design<'a, 'b> {
    pub(super) x: &'b Covariates<'a>,
    pub(super) cols: Vec<Option<usize>>,
}

impl<'a, 'b> Design<'a, 'b> {
    pub(super) fn new(data: &'b GlmData<'a>, intercept: bool) -> Self {
        let mut cols = Vec::new();
        if intercept {
            cols.push(None);
        }
        cols.extend((0..data.x.p()).map(Some));
        Design { x: &data.x, cols }
    }
    pub(super) fn p(&self) -> usize {
        self.cols.len()
    }
    #[inline]
    pub(super) fn get(&self, i: usize, j: usize) -> f64 {
        match self.cols[j] {
            None => 1.0,
            Some(c) => self.x.column(c)[i],
        }
    }
    pub(super) fn names(&self) -> Vec<String> {
        self.cols
            .iter()
            .map(|c| c.map_or_else(|| "(Intercept)".to_string(), |c| self.x.names()[c].clone()))
            .collect()
    }
    /// Rows `r` of column `j` (`None` for the intercept column of ones).
    pub(super) fn col(&self, j: usize, r: std::ops::Range<usize>) -> Option<&'a [f64]> {
        self.cols[j].map(|c| &self.x.column(c)[r])
    }

    /// `X β + offset` for every row, column by column (aliased coefficients count as 0).
    pub(super) fn eta(&self, beta: &[f64], offset: Option<&[f64]>, n: usize) -> Vec<f64> {
        let mut eta = vec![0.0; n];
        self.eta_into(beta, offset, &mut eta);
        eta
    }

    /// [`Design::eta`] into a buffer of the rows' length (reused across iterations).
    pub(super) fn eta_into(&self, beta: &[f64], offset: Option<&[f64]>, eta: &mut [f64]) {
        match offset {
            Some(o) => eta.copy_from_slice(o),
            None => eta.iter_mut().for_each(|v| *v = 0.0),
        }
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
    }

    /// `X'WX` (full p x p) and `X'Wz` over the rows: per chunk of rows, the weighted
    /// columns once, then every entry as a contiguous dot product; chunks in parallel.
    pub(super) fn cross(&self, w: &[f64], z: &[f64]) -> (Vec<f64>, Vec<f64>) {
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
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
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
pub(super) fn wls(design: &Design, w: &[f64], z: &[f64]) -> Result<(Vec<f64>, Vec<f64>, usize)> {
    let p = design.p();
    let (xtx, xtz) = design.cross(w, z);
    // A covariate so large that its weighted sum of squares overflows would come out
    // aliased (NaN): name it instead.
    for j in 0..p {
        if let Some(c) = design.cols[j] {
            if !xtx[j * p + j].is_finite() {
                return Err(Error::covariate_too_large(&design.x.names()[c], design.x.column(c)));
            }
        }
    }
    Ok(solve_normal(&xtx, &xtz, p))
}

/// The solve of [`wls`] from the normal equations `X'WX β = X'Wz` (row-major `xtx`).
pub(super) fn solve_normal(xtx: &[f64], xtz: &[f64], p: usize) -> (Vec<f64>, Vec<f64>, usize) {
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
    let mut beta = solve(xtz);
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

/// The working response `z = η - offset + (y - μ)/μ'(η)` and weights
/// `W = w μ'(η)² / V(μ)` at (η, μ); `W = 0` (and `z` untouched) where the prior weight
/// or `μ'(η)` is 0.
#[allow(clippy::too_many_arguments)]
pub(super) fn working(
    data: &GlmData,
    family: Family,
    link: &dyn Link,
    pw: &[f64],
    eta: &[f64],
    mu: &[f64],
    z: &mut [f64],
    ww: &mut [f64],
) {
    for i in 0..eta.len() {
        let me = link.mu_eta_at(i, eta[i]);
        if pw[i] > 0.0 && me != 0.0 {
            z[i] = eta[i] - data.off(i) + (data.y[i] - mu[i]) / me;
            ww[i] = pw[i] * me * me / family.variance(mu[i]);
        } else {
            // (z is reused across iterations: a row out of the fit holds 0, as a fresh one)
            z[i] = 0.0;
            ww[i] = 0.0;
        }
    }
}

pub(super) fn irls(
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
    // the working response, reused by every iteration
    let mut z = vec![0.0; n];
    let mut dev = devold;
    for iter in 1..=max_iter {
        iterations = iter;
        crate::interrupt::check()?;
        working(data, family, link.as_ref(), &pw, &eta, &mu, &mut z, &mut ww);
        let (b, c, r) = wls(design, &ww, &z)?;
        beta = b;
        cov = c;
        rank = r;
        let update = |beta: &[f64], eta: &mut Vec<f64>, mu: &mut Vec<f64>| {
            design.eta_into(beta, data.offset, eta);
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
    let extreme = extreme_fits(family, &mu) > 0;
    let warnings = fit_warnings(family, family.response_warnings(y, &pw), converged, extreme, boundary);
    let n_ok = pw.iter().filter(|&&w| w > 0.0).count();
    let working_residuals: Vec<f64> = (0..n)
        .map(|i| (y[i] - mu[i]) / link.mu_eta_at(i, eta[i]))
        .collect();
    let pearson = (0..n)
        .filter(|&i| ww[i] > 0.0)
        .map(|i| ww[i] * working_residuals[i].powi(2))
        .sum::<f64>();
    let minus2ll = family.aic(y, &mu, &pw, dev);
    Ok(Solution { names: design.names(), beta, cov, rank, deviance: dev, pearson, minus2ll, n_ok, iterations, converged, boundary, warnings }
        .fit(family, link, design.cols.first() == Some(&None), [mu, eta, ww, working_residuals]))
}

/// Rows whose fitted value glm.fit warns about: probabilities numerically 0 or 1
/// (binomial), rates numerically 0 (Poisson).
pub(super) fn extreme_fits(family: Family, mu: &[f64]) -> usize {
    let eps10 = 10.0 * f64::EPSILON;
    match family {
        Family::Binomial => mu.iter().filter(|&&m| m > 1.0 - eps10 || m < eps10).count(),
        Family::Poisson => mu.iter().filter(|&&m| m < eps10).count(),
        _ => 0,
    }
}

/// glm.fit's warnings after the response's own (`response`), in its order.
pub(super) fn fit_warnings(family: Family, response: Vec<String>, converged: bool, extreme: bool, boundary: bool) -> Vec<String> {
    let mut warnings = response;
    if !converged {
        warnings.push("glm.fit: algorithm did not converge".to_string());
    }
    match family {
        Family::Binomial if extreme => {
            warnings.push("glm.fit: fitted probabilities numerically 0 or 1 occurred".to_string())
        }
        Family::Poisson if extreme => warnings.push("glm.fit: fitted rates numerically 0 occurred".to_string()),
        _ => {}
    }
    if boundary {
        warnings.push("glm.fit: algorithm stopped at boundary value".to_string());
    }
    warnings
}

/// Where an IRLS ended: the last solve and the sums of the fit at its coefficients.
pub(super) struct Solution {
    pub(super) names: Vec<String>,
    /// Coefficients (NaN: aliased) and `(X'WX)⁻¹` of the last solve, its rank.
    pub(super) beta: Vec<f64>,
    pub(super) cov: Vec<f64>,
    pub(super) rank: usize,
    pub(super) deviance: f64,
    /// `Σ_{W>0} W r²` (`r` the working residuals, `W` the last solve's weights).
    pub(super) pearson: f64,
    /// The family's `-2 log L` (R's `aic()` before `+ 2 rank`).
    pub(super) minus2ll: f64,
    pub(super) n_ok: usize,
    pub(super) iterations: usize,
    pub(super) converged: bool,
    pub(super) boundary: bool,
    pub(super) warnings: Vec<String>,
}

impl Solution {
    /// The fit: dispersion (Pearson, for an estimated one), variance, AIC and
    /// log-likelihood; `rows`: fitted values, linear predictors, working weights and
    /// residuals (empty when the rows are elsewhere).
    pub(super) fn fit(self, family: Family, link: Arc<dyn Link>, intercept: bool, rows: [Vec<f64>; 4]) -> GlmFit {
        let p = self.beta.len();
        let df_residual = self.n_ok.saturating_sub(self.rank);
        let dispersion = if family.fixed_dispersion() {
            1.0
        } else if df_residual > 0 {
            self.pearson / df_residual as f64
        } else {
            f64::NAN
        };
        let aliased: Vec<bool> = self.beta.iter().map(|b| b.is_nan()).collect();
        let var: Vec<f64> = self.cov.iter().map(|c| c * dispersion).collect();
        let se: Vec<f64> = (0..p)
            .map(|j| if aliased[j] { f64::NAN } else { var[j * p + j].sqrt() })
            .collect();
        let aic = self.minus2ll + 2.0 * self.rank as f64;
        let loglik_df = self.rank + (!family.fixed_dispersion()) as usize;
        let [fitted, linear_predictors, working_weights, working_residuals] = rows;
        GlmFit {
            names: self.names,
            coef: self.beta,
            se,
            var,
            cov_unscaled: self.cov,
            aliased,
            rank: self.rank,
            deviance: self.deviance,
            null_deviance: f64::NAN,
            aic,
            loglik: loglik_df as f64 - aic / 2.0,
            loglik_df,
            df_residual,
            df_null: 0,
            dispersion,
            iterations: self.iterations,
            converged: self.converged,
            stop: if self.converged { GlmStop::Converged } else { GlmStop::MaxIterations },
            alternations: None,
            boundary: self.boundary,
            fitted,
            linear_predictors,
            working_weights,
            working_residuals,
            warnings: self.warnings,
            family,
            link,
            intercept,
            n_ok: self.n_ok,
            theta: None,
            se_theta: None,
            twologlik: None,
        }
    }
}

/// Negative binomial log-likelihood (MASS's `loglik` in glm.nb).
pub(super) fn nb_loglik(th: f64, mu: &[f64], y: &[f64], w: &[f64]) -> f64 {
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

/// The result of [`theta_ml`].
pub(super) struct ThetaMl {
    pub(super) theta: f64,
    /// `1/sqrt(information)`.
    pub(super) se: f64,
    /// The iteration limit was reached (MASS: "iteration limit reached").
    pub(super) at_limit: bool,
    /// A negative estimate was truncated at 0 (MASS: "estimate truncated at zero").
    pub(super) truncated: bool,
    /// theta ran off to infinity (the counts show no overdispersion): `theta` is the
    /// last finite estimate.
    pub(super) diverged: bool,
}

/// MASS's `theta.ml`: Newton on the profile score of theta, from the moment estimate,
/// until the step is below `eps^0.25` or `limit` iterations. A theta that runs off to
/// infinity (counts with no overdispersion: the score stays positive) stops at the
/// last finite estimate, flagged, instead of iterating on NaN until the limit (for ever
/// when the limit is raised).
pub(super) fn theta_ml(y: &[f64], mu: &[f64], w: &[f64], limit: usize) -> Result<ThetaMl> {
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
    let mut at_limit = false;
    let mut diverged = !t0.is_finite();
    let mut last = t0;
    // Beyond `huge` the negative binomial is the Poisson to double precision: theta is
    // infinite (no overdispersion), whatever the score's rounding says.
    let mu_max = mu.iter().fold(1.0f64, |m, &v| m.max(v));
    let huge = mu_max / f64::EPSILON;
    loop {
        it += 1;
        crate::interrupt::check()?;
        if it >= limit {
            at_limit = true;
            break;
        }
        if del.abs() <= eps || diverged || t0 > huge {
            break;
        }
        t0 = t0.abs();
        last = t0;
        let i_new = info(t0);
        del = score(t0) / i_new;
        if !(t0 + del).is_finite() || del.is_nan() || !i_new.is_finite() {
            diverged = true;
            break;
        }
        i = i_new;
        t0 += del;
    }
    if diverged {
        t0 = if last.is_finite() { last } else { f64::MAX };
        at_limit = false;
    }
    // The extra variance mu^2/theta below sqrt(eps) mu for every mean: flagged as
    // infinite (MASS reports such a theta with, at most, "iteration limit reached").
    diverged |= t0 > mu_max / f64::EPSILON.sqrt();
    Ok(ThetaMl {
        theta: t0.max(0.0),
        se: (1.0 / i).sqrt(),
        at_limit,
        truncated: t0 < 0.0,
        diverged,
    })
}

/// The trigamma function ψ'(x) for x > 0: recurrence up to 20, then the asymptotic
/// series (error below 1e-16 relative).
pub(super) fn trigamma(mut x: f64) -> f64 {
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
