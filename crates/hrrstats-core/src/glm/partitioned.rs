//! GLMs on data held in parts (the partitions of a Dask DataFrame, files read one at a
//! time): the IRLS of [`super::Glm::fit`] with every sum over rows taken part by part,
//! so nothing but `p x p` sums ever leaves a part.
//!
//! One *pass* evaluates, on each part, at a coefficient vector `β` (or, on the first
//! pass, at the family's starting means, as `glm.fit`): the deviance and whether `μ`
//! and `η` are in the family's domain, the working weights `W` and response `z` and
//! from them `X'WX` and `X'Wz` for the next solve, plus what the final fit needs (the
//! Pearson sum for the dispersion with the weights of the last solve, the AIC's
//! log-likelihood terms, the null deviance, the sandwich's meat). The parts' sums
//! ([`PartSums`], added by [`PartSums::add`]) go to the driver
//! ([`PartitionedGlm::step`]), which applies glm.fit's rules — solve, step halving
//! while the deviance is not finite or `μ` leaves its domain, stop when
//! `|dev - dev_old| / (|dev| + 0.1) < ε` or after `max_iter` solves — and asks for the
//! next pass. With an offset and an intercept the null deviance comes, as in R, from a
//! second IRLS of the intercept-only model; a robust (HC0/HC1) variance takes one more
//! pass for the meat `Σ r_i² x_i x_i'`, the cluster-robust one (`vcovCL`) a pass for
//! `Σ_g U_g U_g'` with `U_g` the cluster sums of `r_i x_i`, taken within each part: so
//! no cluster may have rows in two parts, which the driver checks (the parts' numbers
//! of clusters must add up to the number of clusters in the data). The estimates equal the in-memory fit's but for
//! the order of summation (about 1e-14 relative).
//!
//! Families with an additive log-likelihood: Poisson, binomial, Gaussian and the
//! negative binomial with a given theta (theta estimation alternates with IRLS over
//! the whole data and is not offered here).

use std::sync::Arc;

use super::irls::{extreme_fits, fit_warnings, solve_normal, working, Design, Solution};
use super::{Family, GlmData, GlmFit, GlmParams, Link, Robust, SandwichType};
use crate::data::{check_len, check_nonneg_finite, Covariates};
use crate::error::{Error, Result};

/// What a pass evaluates.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PassRequest {
    /// Coefficients to evaluate at; `None`: the family's starting means.
    pub beta: Option<Vec<f64>>,
    /// Coefficients at which the working weights of the last solve were taken (`None`:
    /// the starting means); for the dispersion and the meat.
    pub weights_at: Option<Vec<f64>>,
    /// The intercept-only model (null deviance with an offset).
    pub intercept_only: bool,
    /// Sum the null deviance on this pass (once per fit): at `null_mu` with an intercept
    /// (no offset), at `g⁻¹(offset)` without one.
    pub null: bool,
    /// The weighted mean of the response (intercept, no offset).
    pub null_mu: Option<f64>,
    /// Accumulate the sandwich's meat.
    pub meat: bool,
}

/// The sums of one pass over some rows; added over parts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PartSums {
    pub n: usize,
    pub n_ok: usize,
    pub deviance: f64,
    /// Rows whose `μ` or `η` is outside the family's domain.
    pub invalid: usize,
    pub xtwx: Vec<f64>,
    pub xtwz: Vec<f64>,
    /// `Σ_{W>0} W (y - μ)² / μ'(η)²`, `W` the weights of the last solve.
    pub pearson: f64,
    /// The family's `-2 log L` terms (non-Gaussian) or `Σ log w` (Gaussian).
    pub aic_terms: f64,
    pub wsum: f64,
    pub wysum: f64,
    pub null_deviance: f64,
    pub meat: Vec<f64>,
    /// Binomial: some `w y` more than 0.001 from an integer; Poisson: non-integer counts.
    pub nonint: usize,
    pub first_nonint: Option<f64>,
    /// Fitted probabilities numerically 0 or 1 / rates numerically 0.
    pub extreme: usize,
    /// Clusters in the part (the meat pass of a cluster-robust variance).
    pub groups: usize,
}

impl PartSums {
    fn zeros(p: usize) -> PartSums {
        PartSums {
            xtwx: vec![0.0; p * p],
            xtwz: vec![0.0; p],
            meat: vec![0.0; p * p],
            ..Default::default()
        }
    }

    /// The sums of both.
    pub fn add(&mut self, o: &PartSums) -> Result<()> {
        if o.xtwz.len() != self.xtwz.len() || o.meat.len() != self.meat.len() {
            return Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the parts were evaluated with different designs".into(),
            });
        }
        self.n += o.n;
        self.n_ok += o.n_ok;
        self.deviance += o.deviance;
        self.invalid += o.invalid;
        self.pearson += o.pearson;
        self.aic_terms += o.aic_terms;
        self.wsum += o.wsum;
        self.wysum += o.wysum;
        self.null_deviance += o.null_deviance;
        self.nonint += o.nonint;
        self.first_nonint = self.first_nonint.or(o.first_nonint);
        self.extreme += o.extreme;
        self.groups += o.groups;
        let add = |a: &mut [f64], b: &[f64]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        add(&mut self.xtwx, &o.xtwx);
        add(&mut self.xtwz, &o.xtwz);
        add(&mut self.meat, &o.meat);
        Ok(())
    }
}

/// One part's rows: response, covariates, prior weights (a part whose weights are all
/// 0 is allowed), offset.
pub fn part_data<'a>(
    y: &'a [f64],
    x: Covariates<'a>,
    weights: Option<&'a [f64]>,
    offset: Option<&'a [f64]>,
) -> Result<GlmData<'a>> {
    let mut d = GlmData::new(y, x)?;
    if let Some(w) = weights {
        check_len("weights", w.len(), "y", y.len())?;
        check_nonneg_finite("weights", w)?;
        d.weights = Some(w);
    }
    if let Some(o) = offset {
        d = d.with_offset(o)?;
    }
    Ok(d)
}

impl GlmParams {
    fn link_arc(&self) -> Arc<dyn Link> {
        self.link
            .clone()
            .unwrap_or_else(|| Arc::from(self.family.default_link()))
    }

    /// Number of coefficients of a design with `p_x` covariate columns.
    fn n_coef(&self, p_x: usize, intercept_only: bool) -> usize {
        if intercept_only {
            1
        } else {
            p_x + self.intercept as usize
        }
    }

    /// The sums of one pass over one part (`data` of no rows: zeros of `p_x` columns);
    /// `cluster`: the part's cluster codes per row, for the meat of a cluster-robust
    /// variance (each cluster wholly in this part).
    pub fn part_pass(
        &self,
        data: Option<&GlmData>,
        p_x: usize,
        req: &PassRequest,
        cluster: Option<&[u32]>,
    ) -> Result<PartSums> {
        let p = self.n_coef(p_x, req.intercept_only);
        let Some(data) = data else {
            return Ok(PartSums::zeros(p));
        };
        self.check(data)?;
        if data.x.p() != p_x {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: format!("this part has {} columns, the model {p_x}", data.x.p()),
            });
        }
        let design = if req.intercept_only {
            Design {
                x: &data.x,
                cols: vec![None],
            }
        } else {
            Design::new(data, self.intercept)
        };
        for (arg, b) in [("beta", &req.beta), ("weights_at", &req.weights_at)] {
            if let Some(b) = b.as_ref().filter(|b| b.len() != p) {
                return Err(Error::InvalidArgument {
                    arg,
                    reason: format!("has length {}; the model has {p} coefficients", b.len()),
                });
            }
        }
        let (family, link) = (self.family, self.link_arc());
        let n = data.n();
        if let Some(c) = cluster {
            check_len("cluster", c.len(), "y", n)?;
        }
        let y = data.y;
        let pw: Vec<f64> = (0..n).map(|i| data.w(i)).collect();
        let eta_at = |beta: &Option<Vec<f64>>| -> Vec<f64> {
            match beta {
                Some(b) => design.eta(b, data.offset, n),
                None => (0..n)
                    .map(|i| link.link_at(i, family.mustart(y[i], pw[i])))
                    .collect(),
            }
        };
        let eta = eta_at(&req.beta);
        let mu: Vec<f64> = eta.iter().enumerate().map(|(i, &e)| link.inverse_at(i, e)).collect();
        let mut s = PartSums::zeros(p);
        s.n = n;
        s.n_ok = pw.iter().filter(|&&w| w > 0.0).count();
        s.invalid = (0..n)
            .filter(|&i| !family.valid_mu(mu[i]) || !link.valid_eta(eta[i]))
            .count();
        s.deviance = (0..n).map(|i| family.deviance_residual(y[i], mu[i], pw[i])).sum();
        // working weights and response at (η, μ): the next solve's
        let (mut z, mut ww) = (vec![0.0; n], vec![0.0; n]);
        working(data, family, link.as_ref(), &pw, &eta, &mu, &mut z, &mut ww);
        let (xtwx, xtwz) = design.cross(&ww, &z);
        s.xtwx = xtwx;
        s.xtwz = xtwz;
        // the weights of the last solve (at `weights_at`), for the dispersion and the meat
        if req.beta.is_some() && (!family.fixed_dispersion() || req.meat) {
            let eta_w = eta_at(&req.weights_at);
            // cluster sums U_g of r_i x_i (codes of this part: 0..=max)
            let by_cluster = cluster.filter(|_| req.meat);
            let n_codes = by_cluster.map_or(0, |c| c.iter().map(|&g| g as usize + 1).max().unwrap_or(0));
            let mut u = vec![0.0; n_codes * p];
            for i in 0..n {
                let (me_w, mu_w) = (link.mu_eta_at(i, eta_w[i]), link.inverse_at(i, eta_w[i]));
                if !(pw[i] > 0.0 && me_w != 0.0) {
                    continue;
                }
                let w_last = pw[i] * me_w * me_w / family.variance(mu_w);
                let working = (y[i] - mu[i]) / link.mu_eta_at(i, eta[i]);
                s.pearson += w_last * working * working;
                if let Some(c) = by_cluster {
                    let r = working * w_last;
                    let g = c[i] as usize;
                    for a in 0..p {
                        u[g * p + a] += r * design.get(i, a);
                    }
                } else if req.meat {
                    let r = working * w_last;
                    for a in 0..p {
                        let ua = r * design.get(i, a);
                        for b in 0..p {
                            s.meat[a * p + b] += ua * r * design.get(i, b);
                        }
                    }
                }
            }
            if let Some(c) = by_cluster {
                let mut present = vec![false; n_codes];
                c.iter().for_each(|&g| present[g as usize] = true);
                s.groups = present.iter().filter(|&&x| x).count();
                for ug in u.chunks_exact(p) {
                    for a in 0..p {
                        for b in 0..p {
                            s.meat[a * p + b] += ug[a] * ug[b];
                        }
                    }
                }
            }
        }
        s.aic_terms = match family {
            Family::Gaussian => pw.iter().filter(|&&w| w > 0.0).map(|w| w.ln()).sum(),
            _ => family.aic(y, &mu, &pw, s.deviance),
        };
        s.wsum = pw.iter().sum();
        s.wysum = (0..n).map(|i| pw[i] * y[i]).sum();
        s.null_deviance = match (req.null, self.intercept, req.null_mu) {
            (false, _, _) | (true, true, None) => 0.0,
            (true, true, Some(m)) => (0..n).map(|i| family.deviance_residual(y[i], m, pw[i])).sum(),
            (true, false, _) => (0..n)
                .map(|i| family.deviance_residual(y[i], link.inverse_at(i, data.off(i)), pw[i]))
                .sum(),
        };
        s.nonint = match family {
            Family::Binomial => (0..n).any(|i| ((pw[i] * y[i]) - (pw[i] * y[i]).round()).abs() > 1e-3) as usize,
            Family::Poisson => y.iter().filter(|&&v| super::family::non_integer(v)).count(),
            _ => 0,
        };
        if family == Family::Poisson {
            s.first_nonint = y.iter().copied().find(|&v| super::family::non_integer(v));
        }
        s.extreme = extreme_fits(family, &mu);
        Ok(s)
    }

    /// The driver of a fit over parts whose covariates have the columns `names`
    /// (without the intercept), with an offset or not; `robust`: a sandwich variance.
    pub fn partitioned(self, names: Vec<String>, has_offset: bool, robust: Option<SandwichType>) -> Result<PartitionedGlm> {
        if !(self.epsilon > 0.0) {
            return Err(Error::InvalidArgument {
                arg: "epsilon",
                reason: format!("must be positive, got {}", self.epsilon),
            });
        }
        let p = self.n_coef(names.len(), false);
        self.check_start(Some(p))?;
        let mut all = Vec::with_capacity(p);
        if self.intercept {
            all.push("(Intercept)".to_string());
        }
        all.extend(names);
        let main = Irls::new(self.start.clone(), p);
        Ok(PartitionedGlm {
            params: self,
            names: all,
            has_offset,
            robust,
            phase: Phase::Main(main),
            fit: None,
            var: None,
            first: None,
            null_deviance: None,
            clusters: None,
        })
    }
}

/// The state of one IRLS over parts.
#[derive(Debug)]
struct Irls {
    p: usize,
    /// Solves so far.
    iter: usize,
    devold: f64,
    coefold: Option<Vec<f64>>,
    /// Coefficients being evaluated (`None`: the starting means).
    beta: Option<Vec<f64>>,
    /// Coefficients at which the last solve's weights were taken.
    weights_at: Option<Vec<f64>>,
    halvings: usize,
    boundary: bool,
    cov: Vec<f64>,
    rank: usize,
}

impl Irls {
    fn new(start: Option<Vec<f64>>, p: usize) -> Irls {
        Irls {
            p,
            iter: 0,
            devold: f64::NAN,
            coefold: start.clone(),
            beta: start,
            weights_at: None,
            halvings: 0,
            boundary: false,
            cov: vec![0.0; p * p],
            rank: p,
        }
    }

    fn request(&self, intercept_only: bool) -> PassRequest {
        PassRequest {
            beta: self.beta.clone(),
            weights_at: self.weights_at.clone(),
            intercept_only,
            ..Default::default()
        }
    }

    fn solve(&mut self, s: &PartSums, names: &[String]) -> Result<()> {
        let p = self.p;
        if let Some(j) = (0..p).find(|&j| !s.xtwx[j * p + j].is_finite()) {
            return Err(Error::Data {
                arg: "covariates",
                reason: format!("covariate `{}`: values too large to fit; rescale it", names[j]),
            });
        }
        let (beta, cov, rank) = solve_normal(&s.xtwx, &s.xtwz, p);
        self.weights_at = self.beta.take();
        self.beta = Some(beta);
        self.cov = cov;
        self.rank = rank;
        self.iter += 1;
        Ok(())
    }

    /// Take a pass's sums (glm.fit's rules); `Ok(Some(converged))` when the iteration
    /// has ended, at `self.beta`.
    fn take(&mut self, s: &PartSums, eps: f64, max_iter: usize, names: &[String]) -> Result<Option<bool>> {
        if self.iter == 0 {
            if s.invalid > 0 {
                return Err(Error::Data {
                    arg: "start",
                    reason: "cannot find valid starting values: please supply start".into(),
                });
            }
            self.devold = s.deviance;
            self.solve(s, names)?;
            return Ok(None);
        }
        if !s.deviance.is_finite() || s.invalid > 0 {
            let Some(old) = &self.coefold else {
                return Err(Error::Data {
                    arg: "start",
                    reason: "no valid set of coefficients has been found: please supply starting values".into(),
                });
            };
            self.halvings += 1;
            if self.halvings > max_iter {
                return Err(Error::Data {
                    arg: "start",
                    reason: "inner loop: cannot correct step size".into(),
                });
            }
            let beta = self.beta.as_mut().expect("a solve");
            for (b, o) in beta.iter_mut().zip(old) {
                if !b.is_nan() {
                    *b = (*b + o) / 2.0;
                }
            }
            self.boundary = true;
            return Ok(None);
        }
        self.halvings = 0;
        let converged = (s.deviance - self.devold).abs() / (s.deviance.abs() + 0.1) < eps;
        if converged || self.iter >= max_iter {
            return Ok(Some(converged));
        }
        self.devold = s.deviance;
        self.coefold = self
            .beta
            .as_ref()
            .map(|b| b.iter().map(|b| if b.is_nan() { 0.0 } else { *b }).collect());
        self.solve(s, names)?;
        Ok(None)
    }
}

#[derive(Debug)]
enum Phase {
    Main(Irls),
    /// The intercept-only model (null deviance with an offset and an intercept).
    Null(Irls),
    /// The pass that sums the sandwich's meat.
    Meat,
    Done,
}

/// The driver of a GLM fitted over parts: [`PartitionedGlm::request`] says what the
/// next pass evaluates; [`PartitionedGlm::step`] takes its sums over all parts; at the
/// end [`PartitionedGlm::fit`] is the fit (without per-row vectors: fitted values and
/// residuals stay with the parts).
#[derive(Debug)]
pub struct PartitionedGlm {
    params: GlmParams,
    names: Vec<String>,
    has_offset: bool,
    robust: Option<SandwichType>,
    phase: Phase,
    /// The main fit and the coefficients of its last solve's weights.
    fit: Option<(GlmFit, Option<Vec<f64>>)>,
    /// The sandwich variance, when asked for.
    var: Option<Vec<f64>>,
    /// Sums of the first pass (counts, weighted mean).
    first: Option<PartSums>,
    /// The null deviance, once a pass has summed it (intercept without offset, or no
    /// intercept).
    null_deviance: Option<f64>,
    /// The number of clusters in the data, for a cluster-robust variance.
    clusters: Option<usize>,
}

impl PartitionedGlm {
    /// The next pass; `None` when the fit is done.
    pub fn request(&self) -> Option<PassRequest> {
        let mut r = match &self.phase {
            Phase::Main(it) => it.request(false),
            Phase::Null(it) => it.request(true),
            Phase::Meat => {
                let (f, w) = self.fit.as_ref().expect("the main fit");
                PassRequest {
                    beta: Some(f.coef.clone()),
                    weights_at: w.clone(),
                    meat: true,
                    ..Default::default()
                }
            }
            Phase::Done => return None,
        };
        // The null deviance is summed on one pass, the second (the first pass, asked for
        // before the driver exists, gives the weighted mean an intercept model needs).
        if let Some(f) = self.first.as_ref().filter(|_| self.null_deviance.is_none()) {
            if !(self.params.intercept && self.has_offset) {
                r.null = true;
                r.null_mu = self.params.intercept.then(|| f.wysum / f.wsum);
            }
        }
        Some(r)
    }

    /// Ask for the cluster-robust variance (`sandwich::vcovCL(type = "HC1")`) of data
    /// with `n_clusters` clusters, each wholly within one part.
    pub fn with_clusters(mut self, n_clusters: usize) -> PartitionedGlm {
        self.robust = Some(SandwichType::Hc1);
        self.clusters = Some(n_clusters);
        self
    }

    /// The covariate names (without the intercept) the parts must have.
    pub fn covariate_names(&self) -> &[String] {
        &self.names[self.params.intercept as usize..]
    }

    /// The fit, once done, with the variance asked for (`var`: the sandwich with
    /// `robust`, else the model-based one).
    pub fn fit(&self) -> Option<(&GlmFit, Vec<f64>)> {
        if !matches!(self.phase, Phase::Done) {
            return None;
        }
        let (f, _) = self.fit.as_ref()?;
        Some((f, self.var.clone().unwrap_or_else(|| f.var.clone())))
    }

    /// Take the sums of the pass [`PartitionedGlm::request`] asked for, added over
    /// every part. Returns whether the fit is done.
    pub fn step(&mut self, s: &PartSums) -> Result<bool> {
        crate::interrupt::check()?;
        let (eps, max_iter) = (self.params.epsilon, self.params.max_iter);
        let req = self.request();
        if s.xtwz.len() != req.as_ref().map_or(0, |r| if r.intercept_only { 1 } else { self.names.len() }) {
            return Err(Error::InvalidArgument {
                arg: "sums",
                reason: "are not of this model's pass".into(),
            });
        }
        if req.is_some_and(|r| r.null) {
            self.null_deviance = Some(s.null_deviance);
        }
        if self.first.is_none() {
            if s.n == 0 {
                return Err(Error::Empty { arg: "y" });
            }
            if !(s.wsum > 0.0) {
                return Err(Error::Data {
                    arg: "weights",
                    reason: "every weight is 0: there is nothing to fit".into(),
                });
            }
            self.first = Some(s.clone());
        }
        match &mut self.phase {
            Phase::Main(it) => {
                let names = self.names.clone();
                if let Some(converged) = it.take(s, eps, max_iter, &names)? {
                    let fit = self.finish(s, converged);
                    self.fit = Some(fit);
                    match self.null_deviance {
                        Some(null) => self.set_null(null),
                        // with an offset and an intercept: R's intercept-only refit
                        None => self.phase = Phase::Null(Irls::new(None, 1)),
                    }
                }
            }
            Phase::Null(it) => {
                if it.take(s, eps, max_iter, &["(Intercept)".to_string()])?.is_some() {
                    self.set_null(s.deviance);
                }
            }
            Phase::Meat => {
                let (f, _) = self.fit.as_ref().expect("the main fit");
                if let Some(g) = self.clusters {
                    if s.groups != g {
                        return Err(Error::Data {
                            arg: "cluster",
                            reason: format!(
                                "the data have {g} clusters but the partitions {}: some clusters have rows in more than one partition; shuffle the data by cluster first",
                                s.groups
                            ),
                        });
                    }
                    if g < 2 {
                        return Err(Error::Data {
                            arg: "cluster",
                            reason: "a cluster-robust variance needs at least 2 clusters; all rows are in one".into(),
                        });
                    }
                }
                let kind = match (self.clusters, self.robust) {
                    (Some(_), _) => Robust::Cluster(&[]),
                    (None, Some(SandwichType::Hc0)) => Robust::Hc0,
                    _ => Robust::Hc1,
                };
                self.var = Some(f.sandwich(&s.meat, s.n, kind, self.clusters.unwrap_or(0)));
                self.phase = Phase::Done;
            }
            Phase::Done => {}
        }
        Ok(matches!(self.phase, Phase::Done))
    }

    fn set_null(&mut self, null_deviance: f64) {
        if let Some((f, _)) = self.fit.as_mut() {
            f.null_deviance = null_deviance;
            f.df_null = f.n_ok - self.params.intercept as usize;
        }
        self.phase = if self.robust.is_some() { Phase::Meat } else { Phase::Done };
    }

    /// The main fit from the IRLS state and the sums of its last pass.
    fn finish(&self, s: &PartSums, converged: bool) -> (GlmFit, Option<Vec<f64>>) {
        let Phase::Main(it) = &self.phase else { unreachable!("finish is called in the main phase") };
        let family = self.params.family;
        let link = self.params.link_arc();
        let beta = it.beta.clone().expect("a solve");
        let first = self.first.as_ref().expect("the first pass");
        let response = match family {
            Family::Binomial if first.nonint > 0 => vec!["non-integer #successes in a binomial glm!".to_string()],
            Family::Poisson if first.nonint > 0 => {
                let x = first.first_nonint.unwrap_or(f64::NAN);
                vec![match first.nonint {
                    1 => format!("non-integer x = {x:.6}"),
                    k => format!("non-integer x = {x:.6} (and {} more non-integer counts)", k - 1),
                }]
            }
            _ => Vec::new(),
        };
        let warnings = fit_warnings(family, response, converged, s.extreme > 0, it.boundary);
        let minus2ll = match family {
            Family::Gaussian => {
                let n = s.n as f64;
                n * ((2.0 * std::f64::consts::PI * s.deviance / n).ln() + 1.0) + 2.0 - s.aic_terms
            }
            _ => s.aic_terms,
        };
        let solution = Solution {
            names: self.names.clone(),
            beta,
            cov: it.cov.clone(),
            rank: it.rank,
            deviance: s.deviance,
            pearson: s.pearson,
            minus2ll,
            n_ok: s.n_ok,
            iterations: it.iter,
            converged,
            boundary: it.boundary,
            warnings,
        };
        let fit = solution.fit(family, link, self.params.intercept, Default::default());
        (fit, it.weights_at.clone())
    }
}
