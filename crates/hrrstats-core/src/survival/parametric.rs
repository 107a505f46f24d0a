//! Parametric survival regression on the accelerated-failure-time scale, as
//! `survival::survreg` (Therneau; Kalbfleisch & Prentice 2002, ch. 2–3).
//!
//! Model: `g(T) = η + σ W`, `η = x'β + offset`, with `g = log` for the Weibull,
//! exponential, log-normal and log-logistic distributions and `g(t) = t` for the
//! Gaussian and logistic ones; `W` is standard (minimum) extreme value, normal or
//! logistic; `σ` is one scale per stratum (fixed at 1 for the exponential, or at a
//! user-given value). With `z = (g(t) − η)/σ`, `f` and `S` the density and survival
//! function of `W`, and weights `w`, the log-likelihood is
//!
//! `ℓ = Σ_events w (log f(z) − log σ − log g'(t)) + Σ_censored w log S(z)
//!      − Σ_entry>0 w log S(z_entry)`,
//!
//! the last term for delayed entry (left truncation: survreg has none; the likelihood is
//! conditional on survival to the entry time). The `− log g'(t)` term puts the
//! log-likelihood on the time scale, as survreg's `loglik`. Maximised by Newton–Raphson
//! over `(β, log σ)` with step halving when the log-likelihood falls, stopping when its
//! relative change is at most `eps` (survreg's rule); `var` is the inverse of the
//! information over `(β, log σ)` at the estimate (generalised inverse: collinear
//! columns get NA, as survreg). The null log-likelihood is that of the intercept-only
//! model with the same scales and offset (survreg's `loglik[1]`).
//!
//! A coefficient running off to infinity (monotone likelihood: a covariate level without
//! events) is where survreg stops silently, at a large finite value once its
//! log-likelihood has converged. We warn as coxph does, "Loglik converged before variable
//! j ; coefficient may be infinite. ", by coxph.fit's rule ([`infinite_coefficients`]),
//! and report the fit as not converged.

use rayon::prelude::*;

use crate::data::{check_len, Covariates, SurvivalData};
use crate::dist::{pnorm, qnorm};
use crate::error::{Error, Result};
use crate::inference::TestResult;
use crate::linalg::{cholesky2, chinv2, chsolve2};

/// The error distribution (and time transformation) of the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dist {
    #[default]
    Weibull,
    Exponential,
    Lognormal,
    Loglogistic,
    Gaussian,
    Logistic,
    /// Gompertz, proportional hazards: `h(t) = exp(x'β) exp(a t)` (flexsurv's
    /// parametrisation: rate `exp(x'β)`, shape `a`).
    Gompertz,
}
crate::option_enum!(Dist, "dist",
    "weibull" => Dist::Weibull, "exponential" => Dist::Exponential,
    "lognormal" => Dist::Lognormal, "loglogistic" => Dist::Loglogistic,
    "gaussian" => Dist::Gaussian, "logistic" => Dist::Logistic,
    "gompertz" => Dist::Gompertz);

/// The standardised error distribution `W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Minimum extreme value: `S(z) = exp(−e^z)`.
    Extreme,
    Normal,
    Logistic,
}

impl Dist {
    pub fn base(self) -> Base {
        match self {
            Dist::Weibull | Dist::Exponential => Base::Extreme,
            Dist::Lognormal | Dist::Gaussian => Base::Normal,
            Dist::Loglogistic | Dist::Logistic => Base::Logistic,
            // not a location-scale model: the Gompertz paths do not use the base
            Dist::Gompertz => Base::Extreme,
        }
    }
    /// Whether the model is for log time (positive times).
    pub fn log_time(self) -> bool {
        !matches!(self, Dist::Gaussian | Dist::Logistic | Dist::Gompertz)
    }
    /// The Gompertz proportional-hazards model (not a location-scale model).
    pub fn is_gompertz(self) -> bool {
        self == Dist::Gompertz
    }
    /// `g(t)`.
    pub fn transform(self, t: f64) -> f64 {
        if self.log_time() {
            t.ln()
        } else {
            t
        }
    }
    /// `g⁻¹(y)`.
    pub fn inverse(self, y: f64) -> f64 {
        if self.log_time() {
            y.exp()
        } else {
            y
        }
    }
    pub fn name(self) -> &'static str {
        crate::options::OptionEnum::name(self)
    }
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// `log(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// `1 / (1 + e^{−z})`.
fn expit(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Base {
    /// `log f(z)` and its first two derivatives.
    pub fn log_density(self, z: f64) -> (f64, f64, f64) {
        match self {
            Base::Extreme => {
                let e = z.exp();
                (z - e, 1.0 - e, -e)
            }
            Base::Normal => (-0.5 * z * z - LN_SQRT_2PI, -z, -1.0),
            Base::Logistic => {
                let p = expit(z);
                (z - 2.0 * softplus(z), 1.0 - 2.0 * p, -2.0 * p * (1.0 - p))
            }
        }
    }

    /// `log S(z)` and its first two derivatives.
    pub fn log_survival(self, z: f64) -> (f64, f64, f64) {
        match self {
            Base::Extreme => {
                let e = z.exp();
                (-e, -e, -e)
            }
            Base::Normal => {
                // S(z) = Φ(−z); λ = φ(z)/S(z). For z ≥ 5 the Mills ratio S/φ by its
                // continued fraction (erfc underflows far out in the tail).
                let (log_s, lambda) = if z < 5.0 {
                    let s = pnorm(-z);
                    let phi = (-0.5 * z * z - LN_SQRT_2PI).exp();
                    (s.ln(), phi / s)
                } else {
                    let mut f = z;
                    for k in (1..=80).rev() {
                        f = z + k as f64 / f;
                    }
                    // Mills ratio R = 1/f
                    (-0.5 * z * z - LN_SQRT_2PI - f.ln(), f)
                };
                (log_s, -lambda, -lambda * (lambda - z))
            }
            Base::Logistic => {
                let p = expit(z);
                (-softplus(z), -p, -p * (1.0 - p))
            }
        }
    }

    /// `S(z)`.
    pub fn survival(self, z: f64) -> f64 {
        match self {
            Base::Extreme => (-z.exp()).exp(),
            Base::Normal => pnorm(-z),
            Base::Logistic => expit(-z),
        }
    }

    /// The `p` quantile of `W` (`F(q) = p`).
    pub fn quantile(self, p: f64) -> f64 {
        match self {
            Base::Extreme => (-(-p).ln_1p()).ln(),
            Base::Normal => qnorm(p),
            Base::Logistic => (p / (1.0 - p)).ln(),
        }
    }
}

/// The Gompertz cumulative hazard per unit rate, `G(a, t) = (e^{at} − 1)/a` (`t` at
/// `a = 0`), and its first two derivatives in the shape `a` (series for small `a t`,
/// where the closed forms cancel).
fn gompertz_g(a: f64, t: f64) -> (f64, f64, f64) {
    let u = a * t;
    if u.abs() < 0.5 {
        // G = t Σ_{k≥1} u^{k−1}/k!, G_a = t² Σ_{k≥2} (k−1) u^{k−2}/k!,
        // G_aa = t³ Σ_{k≥3} (k−1)(k−2) u^{k−3}/k!
        let (mut g, mut ga, mut gaa) = (0.0, 0.0, 0.0);
        let mut fact = 1.0; // k!
        for k in 1..=25 {
            fact *= k as f64;
            let kf = k as f64;
            g += u.powi(k - 1) / fact;
            if k >= 2 {
                ga += (kf - 1.0) * u.powi(k - 2) / fact;
            }
            if k >= 3 {
                gaa += (kf - 1.0) * (kf - 2.0) * u.powi(k - 3) / fact;
            }
        }
        (t * g, t * t * ga, t * t * t * gaa)
    } else {
        let e = u.exp();
        let g = u.exp_m1() / a;
        let ga = (u * e - u.exp_m1()) / (a * a);
        let gaa = t * t * e / a - 2.0 * (u * e - u.exp_m1()) / (a * a * a);
        (g, ga, gaa)
    }
}

/// Options of the fit (defaults as `survreg.control()`).
#[derive(Debug, Clone)]
pub struct ParametricParams {
    pub dist: Dist,
    /// A fixed scale (`None`: estimated, one per stratum; the exponential has 1).
    pub scale: Option<f64>,
    pub max_iter: usize,
    pub eps: f64,
    pub toler_chol: f64,
    /// Initial coefficients (β, without the log scales; or with them).
    pub init: Option<Vec<f64>>,
    pub intercept: bool,
}

impl Default for ParametricParams {
    fn default() -> Self {
        ParametricParams {
            dist: Dist::Weibull,
            scale: None,
            max_iter: 30,
            eps: 1e-9,
            toler_chol: 1e-10,
            init: None,
            intercept: true,
        }
    }
}

/// The model's data: survival outcome, covariate columns (without the intercept),
/// optional offset.
pub struct ParametricData<'a> {
    pub surv: SurvivalData<'a>,
    pub x: Vec<&'a [f64]>,
    pub names: Vec<String>,
    pub offset: Option<&'a [f64]>,
}

/// A fitted parametric survival model.
#[derive(Debug, Clone)]
pub struct ParametricFit {
    pub dist: Dist,
    /// Coefficient names ("(Intercept)" first when there is one).
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    /// Scale per stratum.
    pub scale: Vec<f64>,
    pub fixed_scale: bool,
    /// Variance of (β, log σ_1, ..., log σ_k) (row-major, `n_params²`; only β when the
    /// scale is fixed).
    pub var: Vec<f64>,
    pub n_params: usize,
    pub aliased: Vec<bool>,
    /// (null, final) log-likelihoods.
    pub loglik: [f64; 2],
    pub lr_test: TestResult,
    pub iterations: usize,
    pub converged: bool,
    pub halvings: usize,
    pub n: usize,
    pub n_event: f64,
    pub linear_predictors: Vec<f64>,
    pub warnings: Vec<String>,
    pub intercept: bool,
}

/// Rows in one parallel chunk of the likelihood evaluation.
const CHUNK: usize = 4096;

/// What the likelihood evaluation reads, per row.
struct Prepared<'a> {
    y: Vec<f64>,
    ye: Option<Vec<f64>>,
    status: &'a [f64],
    w: Option<&'a [f64]>,
    strata: Option<&'a [u32]>,
    x: Vec<&'a [f64]>,
    intercept: bool,
    offset: Option<&'a [f64]>,
    base: Base,
    /// Log-scale parameters estimated (else `fixed_log_scale`).
    n_scale: usize,
    fixed_log_scale: f64,
    /// The Gompertz model: the extra parameter is the shape `a`, `y` the time and `ye`
    /// the entry time.
    gompertz: bool,
}

impl Prepared<'_> {
    fn n_beta(&self) -> usize {
        self.x.len() + usize::from(self.intercept)
    }
    fn q(&self) -> usize {
        self.n_beta() + self.n_scale
    }

    fn eta(&self, beta: &[f64], i: usize) -> f64 {
        let mut e = self.offset.map_or(0.0, |o| o[i]);
        let mut j = 0;
        if self.intercept {
            e += beta[0];
            j = 1;
        }
        for (k, col) in self.x.iter().enumerate() {
            e += beta[j + k] * col[i];
        }
        e
    }

    /// Log-likelihood (on the transformed scale), score and information (row-major
    /// `q x q`) at `theta`.
    fn eval(&self, theta: &[f64], need_derivs: bool) -> (f64, Vec<f64>, Vec<f64>) {
        let q = self.q();
        let pb = self.n_beta();
        let n = self.y.len();
        let j0 = usize::from(self.intercept);
        // (log σ, σ) per stratum (for the Gompertz model (a, e^a), e^a unused)
        let scales: Vec<(f64, f64)> = if self.n_scale > 0 {
            theta[pb..].iter().map(|&s| (s, s.exp())).collect()
        } else {
            vec![(self.fixed_log_scale, self.fixed_log_scale.exp())]
        };
        let chunks: Vec<(f64, Vec<f64>, Vec<f64>)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let (lo, hi) = (c * CHUNK, ((c + 1) * CHUNK).min(n));
                let m = hi - lo;
                // the chunk's linear predictors, column by column
                let mut eta: Vec<f64> = match self.offset {
                    Some(o) => o[lo..hi].to_vec(),
                    None => vec![0.0; m],
                };
                if self.intercept {
                    eta.iter_mut().for_each(|e| *e += theta[0]);
                }
                for (k, col) in self.x.iter().enumerate() {
                    let b = theta[j0 + k];
                    for (e, &x) in eta.iter_mut().zip(&col[lo..hi]) {
                        *e += b * x;
                    }
                }
                let mut ll = 0.0;
                let (mut g, mut h) = if need_derivs {
                    (vec![0.0; q], vec![0.0; q * q])
                } else {
                    (Vec::new(), Vec::new())
                };
                // per-row weights of the β derivatives: w ∂ℓ/∂η, w ∂²ℓ/∂η², w ∂²ℓ/∂η∂s
                let (mut we, mut wee, mut wes) = if need_derivs {
                    (vec![0.0; m], vec![0.0; m], vec![0.0; m])
                } else {
                    (Vec::new(), Vec::new(), Vec::new())
                };
                for r in 0..m {
                    let i = lo + r;
                    let w = self.w.map_or(1.0, |w| w[i]);
                    if w == 0.0 {
                        continue;
                    }
                    let eta = eta[r];
                    let k = self.strata.map_or(0, |s| s[i] as usize);
                    let (s, sigma) = scales[k];
                    let z = (self.y[i] - eta) / sigma;
                    let event = self.status[i] == 1.0;
                    let (mut l, mut de, mut dee, mut ds, mut dss, mut des);
                    if self.gompertz {
                        // ℓ = d (η + a t) − e^η (G(a, t) − G(a, t0)); `s` is the shape a
                        let (t, a) = (self.y[i], s);
                        let (mut g, mut ga, mut gaa) = gompertz_g(a, t);
                        if let Some(ye) = &self.ye {
                            if ye[i] > 0.0 {
                                let (g0, ga0, gaa0) = gompertz_g(a, ye[i]);
                                g -= g0;
                                ga -= ga0;
                                gaa -= gaa0;
                            }
                        }
                        let b = eta.exp();
                        let d = if event { 1.0 } else { 0.0 };
                        l = d * (eta + a * t) - b * g;
                        de = d - b * g;
                        dee = -b * g;
                        ds = d * t - b * ga;
                        dss = -b * gaa;
                        des = -b * ga;
                    } else if event {
                        let (f0, f1, f2) = self.base.log_density(z);
                        l = f0 - s;
                        de = -f1 / sigma;
                        dee = f2 / (sigma * sigma);
                        ds = -z * f1 - 1.0;
                        dss = z * f1 + z * z * f2;
                        des = (z * f2 + f1) / sigma;
                    } else {
                        let (m0, m1, m2) = self.base.log_survival(z);
                        l = m0;
                        de = -m1 / sigma;
                        dee = m2 / (sigma * sigma);
                        ds = -z * m1;
                        dss = z * m1 + z * z * m2;
                        des = (z * m2 + m1) / sigma;
                    }
                    if let (Some(ye), false) = (&self.ye, self.gompertz) {
                        if ye[i].is_finite() {
                            let ze = (ye[i] - eta) / sigma;
                            let (m0, m1, m2) = self.base.log_survival(ze);
                            l -= m0;
                            de += m1 / sigma;
                            dee -= m2 / (sigma * sigma);
                            ds += ze * m1;
                            dss -= ze * m1 + ze * ze * m2;
                            des -= (ze * m2 + m1) / sigma;
                        }
                    }
                    ll += w * l;
                    if !need_derivs {
                        continue;
                    }
                    we[r] = w * de;
                    wee[r] = w * dee;
                    wes[r] = w * des;
                    if self.n_scale > 0 {
                        let js = pb + k;
                        g[js] += w * ds;
                        h[js * q + js] -= w * dss;
                    }
                }
                if need_derivs {
                    // X'(we), X' diag(wee) X and the β–scale block, over contiguous columns
                    let col = |a: usize| -> Option<&[f64]> {
                        if self.intercept && a == 0 {
                            None
                        } else {
                            Some(&self.x[a - j0][lo..hi])
                        }
                    };
                    for a in 0..pb {
                        let xa = col(a);
                        g[a] += dot(&we, xa, None);
                        for b in a..pb {
                            h[a * q + b] -= dot(&wee, xa, col(b));
                        }
                        if self.n_scale == 1 {
                            h[a * q + pb] -= dot(&wes, xa, None);
                        } else if self.n_scale > 1 {
                            let st = &self.strata.expect("strata")[lo..hi];
                            for r in 0..m {
                                let x = xa.map_or(1.0, |x| x[r]);
                                h[a * q + pb + st[r] as usize] -= wes[r] * x;
                            }
                        }
                    }
                }
                (ll, g, h)
            })
            .collect();
        let mut ll = 0.0;
        let mut g = vec![0.0; if need_derivs { q } else { 0 }];
        let mut h = vec![0.0; if need_derivs { q * q } else { 0 }];
        for (l, gc, hc) in chunks {
            ll += l;
            for (a, b) in g.iter_mut().zip(&gc) {
                *a += b;
            }
            for (a, b) in h.iter_mut().zip(&hc) {
                *a += b;
            }
        }
        if need_derivs {
            for a in 0..q {
                for b in 0..a {
                    h[a * q + b] = h[b * q + a];
                }
            }
        }
        (ll, g, h)
    }
}

/// `Σ w_i x_i y_i` (`None`: a column of ones), in four running sums (vectorisable).
fn dot(w: &[f64], x: Option<&[f64]>, y: Option<&[f64]>) -> f64 {
    let mut acc = [0.0f64; 4];
    let n = w.len();
    let body = n - n % 4;
    match (x, y) {
        (None, None) => {
            for i in (0..body).step_by(4) {
                for k in 0..4 {
                    acc[k] += w[i + k];
                }
            }
            acc[0] += w[body..].iter().sum::<f64>();
        }
        (Some(x), None) | (None, Some(x)) => {
            let x = &x[..n];
            for i in (0..body).step_by(4) {
                for k in 0..4 {
                    acc[k] += w[i + k] * x[i + k];
                }
            }
            acc[0] += w[body..].iter().zip(&x[body..]).map(|(a, b)| a * b).sum::<f64>();
        }
        (Some(x), Some(y)) => {
            let (x, y) = (&x[..n], &y[..n]);
            for i in (0..body).step_by(4) {
                for k in 0..4 {
                    acc[k] += w[i + k] * x[i + k] * y[i + k];
                }
            }
            acc[0] += (body..n).map(|i| w[i] * x[i] * y[i]).sum::<f64>();
        }
    }
    (acc[0] + acc[1]) + (acc[2] + acc[3])
}

/// Result of one Newton–Raphson maximisation.
struct Newton {
    theta: Vec<f64>,
    loglik: f64,
    /// Score at `theta`.
    score: Vec<f64>,
    info: Vec<f64>,
    iterations: usize,
    halvings: usize,
    converged: bool,
}

/// An evaluation: log-likelihood, score, information.
struct Eval {
    ll: f64,
    g: Vec<f64>,
    info: Vec<f64>,
}

impl crate::newton::Point for Eval {
    fn score(&self) -> &[f64] {
        &self.g
    }
    fn full(&self) -> bool {
        true
    }
}

/// survreg6's rules: the Newton direction by the generalised Cholesky solve
/// (`toler`); a trial that lowers the log-likelihood (or is not finite) is halved, up to
/// 30 times; converged when the relative change of the log-likelihood after a full
/// (unhalved) step is at most `eps`; at most `max_iter` steps.
struct SurvregRule {
    q: usize,
    eps: f64,
    toler: f64,
    max_iter: usize,
}

impl crate::newton::Rule<Eval> for SurvregRule {
    fn full_trials(&self) -> bool {
        true
    }
    fn direction(&mut self, at: &Eval, _n: &crate::newton::Counts) -> Result<Option<Vec<f64>>> {
        let mut m = at.info.clone();
        cholesky2(&mut m, self.q, self.toler);
        let mut step = at.g.clone();
        chsolve2(&m, self.q, &mut step);
        Ok(Some(step))
    }
    fn judge(&mut self, at: &Eval, trial: &Eval, _slope: f64, n: &crate::newton::Counts) -> crate::newton::Verdict {
        use crate::newton::Verdict;
        let worse = !trial.ll.is_finite() || trial.ll < at.ll - 1e-12 * at.ll.abs().max(1.0);
        if worse {
            Verdict::Reject
        } else if n.halvings == 0 && (1.0 - at.ll / trial.ll).abs() <= self.eps {
            Verdict::Converged
        } else {
            Verdict::Accept
        }
    }
    fn shrink(&self, trial: &mut [f64], b: &[f64], step: &mut [f64], _n: &crate::newton::Counts) {
        crate::newton::halve(trial, b, step);
    }
    fn after_reject(&mut self, _b: &[f64], _step: &[f64], n: &crate::newton::Counts) -> Option<crate::newton::Stop> {
        (n.halvings >= 30).then_some(crate::newton::Stop::StepFailed)
    }
    fn after_accept(&mut self, _b: &[f64], _step: &[f64], n: &crate::newton::Counts) -> Option<crate::newton::Stop> {
        (n.steps >= self.max_iter).then_some(crate::newton::Stop::MaxIterations)
    }
}

/// Maximise the log-likelihood from `init` on the shared Newton driver
/// ([`crate::newton`]) with survreg's rules ([`SurvregRule`]).
fn newton(p: &Prepared, init: Vec<f64>, max_iter: usize, eps: f64, toler: f64) -> Result<Newton> {
    let eval = |t: &[f64], _full: bool| -> Result<Eval> {
        let (ll, g, info) = p.eval(t, true);
        Ok(Eval { ll, g, info })
    };
    let at = eval(&init, true)?;
    if !at.ll.is_finite() {
        return Err(Error::Data {
            arg: "init",
            reason: "the log-likelihood is not finite at the initial values".into(),
        });
    }
    let mut rule = SurvregRule { q: p.q(), eps, toler, max_iter };
    let out = crate::newton::maximise(eval, &mut rule, init, at)?;
    let converged = out.stop == crate::newton::Stop::Converged;
    Ok(Newton {
        theta: out.b,
        loglik: out.at.ll,
        score: out.at.g,
        info: out.at.info,
        iterations: out.counts.steps + usize::from(converged),
        halvings: out.counts.total_halvings,
        converged,
    })
}

/// Which design columns are aliased in the data (not in a fit): the generalised Cholesky
/// of their weighted cross-products on the correlation scale (covariates in any unit)
/// gives them a zero pivot. `cols` are the columns, `None` the intercept's ones.
pub(crate) fn design_aliased(cols: &[Option<&[f64]>], n: usize, w: Option<&[f64]>, toler: f64) -> Vec<bool> {
    let q = cols.len();
    let val = |c: &Option<&[f64]>, i: usize| c.map_or(1.0, |c| c[i]);
    let mut g = vec![0.0; q * q];
    for i in 0..n {
        let wi = w.map_or(1.0, |w| w[i]);
        if wi == 0.0 {
            continue;
        }
        for a in 0..q {
            let za = wi * val(&cols[a], i);
            if za == 0.0 {
                continue;
            }
            for b in a..q {
                g[a * q + b] += za * val(&cols[b], i);
            }
        }
    }
    let d: Vec<f64> = (0..q).map(|j| g[j * q + j].sqrt()).collect();
    for a in 0..q {
        for b in a..q {
            let v = if d[a] > 0.0 && d[b] > 0.0 { g[a * q + b] / (d[a] * d[b]) } else { 0.0 };
            g[a * q + b] = v;
            g[b * q + a] = v;
        }
    }
    cholesky2(&mut g, q, toler);
    (0..q).map(|j| g[j * q + j] == 0.0).collect()
}

/// survival's test for a coefficient running off to infinity at a fit that met its
/// convergence test (coxph.fit, agreg.fit: `infs <- abs(u %*% var)`, flagged where
/// `infs > eps & infs > toler.inf * abs(coef)`, eps = 1e-9, toler.inf = sqrt(eps)): the
/// Newton step `V u` still left at the estimate `b` (score `u`, variance `v`, row-major
/// `q × q`, rows of `aliased` parameters skipped) moves `b_j` by more than `1e-9` and
/// `sqrt(1e-9) |b_j|`. A parameter aliased in the fit although its design column is not
/// aliased in the data (`design_aliased`) is also flagged: its information vanished as
/// the fit ran off (exp of the linear predictor under- or overflowed), where the step
/// can no longer be computed. Only the first `check` parameters are tested (the
/// coefficients, not a scale). Returns the 0-based indices.
pub(crate) fn infinite_coefficients(
    b: &[f64],
    u: &[f64],
    v: &[f64],
    aliased: &[bool],
    design_aliased: &[bool],
    check: usize,
) -> Vec<usize> {
    const EPS: f64 = 1e-9;
    let q = b.len();
    (0..check.min(q))
        .filter(|&j| !design_aliased[j])
        .filter(|&j| {
            if aliased[j] {
                return true;
            }
            let step = (0..q).filter(|&k| !aliased[k]).map(|k| v[j * q + k] * u[k]).sum::<f64>().abs();
            !step.is_finite() || (step > EPS && step > EPS.sqrt() * b[j].abs())
        })
        .collect()
}

/// coxph's warning for the parameters `infinite` (0-based).
pub(crate) fn infinite_warning(infinite: &[usize]) -> String {
    let list: Vec<String> = infinite.iter().map(|j| (j + 1).to_string()).collect();
    format!("Loglik converged before variable  {} ; coefficient may be infinite. ", list.join(","))
}

/// Starting values of the intercept and the log scale (the Gompertz shape): the
/// weighted mean and variance of `g(t)` as survreg's `sd$init`; for the Gompertz
/// model the exponential rate (events / person-time) and shape 0.
fn start(prep: &Prepared, data: &ParametricData, n_event: f64) -> (f64, f64) {
    let surv = &data.surv;
    let n = surv.len();
    let off = |i: usize| data.offset.map_or(0.0, |o| o[i]);
    if prep.gompertz {
        let pt: f64 = (0..n)
            .map(|i| surv.weight(i) * (surv.exit()[i] - surv.entry().map_or(0.0, |e| e[i])))
            .sum();
        let mean_offset = (0..n).map(off).sum::<f64>() / n as f64;
        return ((n_event / pt).ln() - mean_offset, 0.0);
    }
    let (mut sw, mut sy) = (0.0, 0.0);
    for i in 0..n {
        let w = surv.weight(i);
        sw += w;
        sy += w * (prep.y[i] - off(i));
    }
    let mean = sy / sw;
    let ss: f64 = (0..n).map(|i| surv.weight(i) * (prep.y[i] - off(i) - mean).powi(2)).sum();
    let var = (ss / sw).max(1e-8 * (1.0 + mean * mean));
    let pi2 = std::f64::consts::PI.powi(2);
    match prep.base {
        Base::Extreme => {
            (mean + 0.572 * (var * 6.0).sqrt() / std::f64::consts::PI, 0.5 * (var * 6.0 / pi2).ln())
        }
        Base::Normal => (mean, 0.5 * var.ln()),
        Base::Logistic => (mean, 0.5 * (var * 3.0 / pi2).ln()),
    }
}

/// Fit the model.
pub fn fit(params: &ParametricParams, data: &ParametricData) -> Result<ParametricFit> {
    let surv = &data.surv;
    let n = surv.len();
    let dist = params.dist;
    for col in &data.x {
        check_len("covariates", col.len(), "time", n)?;
    }
    if !data.x.is_empty() {
        // every value finite (the Cox and GLM designs' check)
        Covariates::from_columns(data.x.clone(), &data.names)?;
    }
    if let Some(o) = data.offset {
        crate::data::check_offset(o, n, "time")?;
    }
    if !params.eps.is_finite() || params.eps <= 0.0 {
        return Err(Error::InvalidArgument {
            arg: "eps",
            reason: format!("must be a positive number, not {}", params.eps),
        });
    }
    let fixed = match (dist, params.scale) {
        (Dist::Gompertz, Some(_)) => {
            return Err(Error::InvalidArgument {
                arg: "scale",
                reason: "the Gompertz model has a shape, not a scale".into(),
            })
        }
        (Dist::Exponential, Some(s)) if s != 1.0 => {
            return Err(Error::InvalidArgument {
                arg: "scale",
                reason: "the exponential distribution has scale 1; use dist = \"weibull\" \
                         with a fixed scale"
                    .into(),
            })
        }
        (Dist::Exponential, _) => Some(1.0),
        (_, Some(s)) if !(s.is_finite() && s > 0.0) => {
            return Err(Error::InvalidArgument {
                arg: "scale",
                reason: format!("a fixed scale must be a positive number, not {s}"),
            })
        }
        (_, s) => s,
    };
    if dist.is_gompertz() && surv.n_strata() > 1 {
        return Err(Error::InvalidArgument {
            arg: "strata",
            reason: "strata (a shape per stratum) are not available for the Gompertz model"
                .into(),
        });
    }
    if fixed.is_some() && surv.n_strata() > 1 {
        return Err(Error::InvalidArgument {
            arg: "strata",
            reason: "strata give a scale per stratum; they cannot be combined with a fixed \
                     scale (or the exponential distribution)"
                .into(),
        });
    }
    // transformed times
    let exit = surv.exit();
    let mut y = Vec::with_capacity(n);
    for (row, &t) in exit.iter().enumerate() {
        if dist.log_time() && t <= 0.0 {
            return Err(Error::InvalidValue {
                arg: "time",
                row,
                value: t,
                problem: "times must be positive for a distribution of log time \
                          (weibull, exponential, lognormal, loglogistic)",
            });
        }
        y.push(dist.transform(t));
    }
    let ye = match surv.entry() {
        None => None,
        Some(e) => {
            if dist.is_gompertz() {
                Some(e.to_vec())
            } else if !dist.log_time() {
                return Err(Error::InvalidArgument {
                    arg: "entry",
                    reason: format!(
                        "delayed entry needs a distribution of positive times (weibull, \
                         exponential, lognormal, loglogistic), not \"{}\"",
                        dist.name()
                    ),
                });
            } else {
                Some(e.iter().map(|&v| if v > 0.0 { v.ln() } else { f64::NEG_INFINITY }).collect())
            }
        }
    };
    let n_event: f64 = (0..n).filter(|&i| surv.status()[i] == 1.0).map(|i| surv.weight(i)).sum();
    if n_event == 0.0 {
        return Err(Error::Data {
            arg: "status",
            reason: "there are no events (with positive weight): the model cannot be estimated"
                .into(),
        });
    }
    let k = surv.n_strata();
    let mut prep = Prepared {
        y,
        ye,
        status: surv.status(),
        w: surv.weights(),
        strata: surv.strata(),
        x: Vec::new(),
        intercept: true,
        offset: data.offset,
        base: dist.base(),
        n_scale: if fixed.is_some() { 0 } else { k },
        fixed_log_scale: fixed.map_or(0.0, f64::ln),
        gompertz: dist.is_gompertz(),
    };

    let (mu0, ls0) = start(&prep, data, n_event);
    let scale_init = vec![ls0; prep.n_scale];

    // the null (intercept-only) model
    let mut init0 = vec![mu0];
    init0.extend(&scale_init);
    let null = newton(&prep, init0, 20.max(params.max_iter), params.eps, params.toler_chol)?;

    prep.x = data.x.clone();
    prep.intercept = params.intercept;
    let pb = prep.n_beta();
    if pb == 0 && prep.n_scale == 0 {
        return Err(Error::InvalidArgument {
            arg: "covariates",
            reason: "the model has no parameters (no intercept, no covariates, fixed scale)"
                .into(),
        });
    }
    let q = prep.q();
    let init = match &params.init {
        Some(v) if v.len() == pb || v.len() == q => {
            let mut t = v.clone();
            if v.len() == pb {
                t.extend(&null.theta[1..]);
            }
            t
        }
        Some(v) => {
            return Err(Error::InvalidArgument {
                arg: "init",
                reason: format!("has {} values; the model has {pb} coefficients", v.len()),
            })
        }
        None => {
            let mut t = vec![0.0; pb];
            if params.intercept {
                t[0] = null.theta[0];
            }
            t.extend(&null.theta[1..]);
            t
        }
    };
    if init.iter().any(|v| !v.is_finite()) {
        return Err(Error::InvalidArgument {
            arg: "init",
            reason: "initial values must be finite".into(),
        });
    }
    let mut warnings = Vec::new();
    let (fitted, null_ll) = if pb == 1 && params.intercept {
        // intercept-only: the null model is the model (survreg's meanonly)
        let fitted = newton(&prep, init, params.max_iter, params.eps, params.toler_chol)?;
        let l = fitted.loglik;
        (fitted, l)
    } else {
        (newton(&prep, init, params.max_iter, params.eps, params.toler_chol)?, null.loglik)
    };
    if !fitted.converged {
        warnings.push("Ran out of iterations and did not converge".to_string());
    }
    // variance: generalised inverse of the information
    let mut v = fitted.info.clone();
    cholesky2(&mut v, q, params.toler_chol);
    chinv2(&mut v, q);
    let mut aliased = vec![false; q];
    for j in 0..q {
        if fitted.info[j * q + j] <= 0.0 || v[j * q + j] == 0.0 {
            aliased[j] = true;
        }
    }
    // A coefficient running off to infinity (monotone likelihood: a covariate level
    // without events, or one that orders the times perfectly): survreg says nothing and
    // stops where its log-likelihood converged; we warn as coxph does (see
    // `infinite_coefficients`).
    let mut converged = fitted.converged;
    if fitted.converged && pb > 0 {
        let mut cols: Vec<Option<&[f64]>> = Vec::with_capacity(pb);
        if params.intercept {
            cols.push(None);
        }
        cols.extend(prep.x.iter().map(|c| Some(*c)));
        let design = design_aliased(&cols, n, surv.weights(), params.toler_chol);
        let infinite = infinite_coefficients(&fitted.theta, &fitted.score, &v, &aliased, &design, pb);
        if !infinite.is_empty() {
            converged = false;
            warnings.push(infinite_warning(&infinite));
        }
    }
    for j in 0..q {
        if aliased[j] {
            for l in 0..q {
                v[j * q + l] = f64::NAN;
                v[l * q + j] = f64::NAN;
            }
        }
    }
    let mut coef: Vec<f64> = fitted.theta[..pb].to_vec();
    for j in 0..pb {
        if aliased[j] {
            coef[j] = f64::NAN;
        }
    }
    let scale: Vec<f64> = if dist.is_gompertz() {
        vec![fitted.theta[pb]]
    } else if prep.n_scale > 0 {
        fitted.theta[pb..].iter().map(|s| s.exp()).collect()
    } else {
        vec![fixed.unwrap_or(1.0); k.max(1)]
    };
    // log-likelihood on the time scale: minus Σ_events w log g'(t)^{-1}
    let logcorrect: f64 = if dist.log_time() {
        (0..n)
            .filter(|&i| surv.status()[i] == 1.0)
            .map(|i| -surv.weight(i) * exit[i].ln())
            .sum()
    } else {
        0.0
    };
    let loglik = [null_ll + logcorrect, fitted.loglik + logcorrect];
    let df_model = (0..pb).filter(|&j| !aliased[j]).count() - usize::from(params.intercept && !aliased[0]);
    let lr_test = TestResult::chisq(2.0 * (loglik[1] - loglik[0]), df_model);
    let beta: Vec<f64> = fitted.theta[..pb].to_vec();
    let linear_predictors: Vec<f64> = (0..n).map(|i| prep.eta(&beta, i)).collect();
    let mut names = Vec::with_capacity(pb);
    if params.intercept {
        names.push("(Intercept)".to_string());
    }
    names.extend(data.names.iter().cloned());
    Ok(ParametricFit {
        dist,
        names,
        coef,
        scale,
        fixed_scale: prep.n_scale == 0,
        var: v,
        n_params: q,
        aliased,
        loglik,
        lr_test,
        iterations: fitted.iterations,
        converged,
        halvings: fitted.halvings,
        n,
        n_event,
        linear_predictors,
        warnings,
        intercept: params.intercept,
    })
}

impl ParametricFit {
    /// Number of coefficients (β).
    pub fn n_beta(&self) -> usize {
        self.coef.len()
    }

    /// `x' V x` over the parameter vector `a` (β part and, if estimated, log scales).
    fn quad(&self, a: &[f64]) -> f64 {
        let q = self.n_params;
        let mut s = 0.0;
        for j in 0..q {
            if a[j] == 0.0 || self.aliased[j] {
                continue;
            }
            for l in 0..q {
                if a[l] == 0.0 || self.aliased[l] {
                    continue;
                }
                s += a[j] * self.var[j * q + l] * a[l];
            }
        }
        s
    }

    /// Linear predictor of a row: `x` (without the intercept), `offset`.
    pub fn eta(&self, x: &[f64], offset: f64) -> f64 {
        let mut e = offset;
        let j0 = usize::from(self.intercept);
        if self.intercept {
            e += self.coef[0];
        }
        for (k, v) in x.iter().enumerate() {
            let b = self.coef[j0 + k];
            if !b.is_nan() {
                e += b * v;
            }
        }
        e
    }

    /// The gradient vector of `η + c σ_k` over the parameters for a row `x`.
    fn gradient(&self, x: &[f64], stratum: usize, c: f64) -> Vec<f64> {
        let mut a = vec![0.0; self.n_params];
        let j0 = usize::from(self.intercept);
        if self.intercept {
            a[0] = 1.0;
        }
        a[j0..j0 + x.len()].copy_from_slice(x);
        if !self.fixed_scale {
            a[self.n_beta() + stratum] = c * self.scale[stratum];
        }
        a
    }

    /// Standard error of the linear predictor of a row.
    pub fn se_eta(&self, x: &[f64]) -> f64 {
        self.quad(&self.gradient(x, 0, 0.0)).sqrt()
    }

    /// The `p` quantile of the time of a row and its standard error (delta method, as
    /// `predict(type = "quantile", se.fit = TRUE)`): `g⁻¹(η + σ w_p)`.
    pub fn quantile(&self, x: &[f64], offset: f64, stratum: usize, p: f64) -> (f64, f64) {
        if self.dist.is_gompertz() {
            return self.gompertz_quantile(x, offset, p);
        }
        let w = self.dist.base().quantile(p);
        let sigma = self.scale[stratum];
        let lin = self.eta(x, offset) + w * sigma;
        let se_lin = self.quad(&self.gradient(x, stratum, w)).sqrt();
        let t = self.dist.inverse(lin);
        let se = if self.dist.log_time() { se_lin * t } else { se_lin };
        (t, se)
    }

    /// The Gompertz `p` quantile, `log(1 + a c)/a` with `c = −log(1 − p) e^{−η}`
    /// (infinite where the defective distribution (`a < 0`) never reaches `p`), and its
    /// delta-method standard error over (β, a).
    fn gompertz_quantile(&self, x: &[f64], offset: f64, p: f64) -> (f64, f64) {
        let a = self.scale[0];
        let eta = self.eta(x, offset);
        let c = -(-p).ln_1p() * (-eta).exp();
        let ac = a * c;
        if ac <= -1.0 {
            return (f64::INFINITY, f64::NAN);
        }
        let (t, dt_da) = if ac.abs() < 1e-6 {
            (c - a * c * c / 2.0 + a * a * c * c * c / 3.0, -c * c / 2.0 + 2.0 * a * c * c * c / 3.0)
        } else {
            let t = ac.ln_1p() / a;
            (t, (ac / (1.0 + ac) - ac.ln_1p()) / (a * a))
        };
        let dt_deta = -c / (1.0 + ac);
        let mut g = vec![0.0; self.n_params];
        let j0 = usize::from(self.intercept);
        if self.intercept {
            g[0] = dt_deta;
        }
        for (k, v) in x.iter().enumerate() {
            g[j0 + k] = dt_deta * v;
        }
        g[self.n_beta()] = dt_da;
        (t, self.quad(&g).sqrt())
    }

    /// `S(t | x)`.
    pub fn survival(&self, x: &[f64], offset: f64, stratum: usize, t: f64) -> f64 {
        if self.dist.is_gompertz() {
            return (-self.eta(x, offset).exp() * gompertz_g(self.scale[0], t.max(0.0)).0).exp();
        }
        if self.dist.log_time() && t <= 0.0 {
            return 1.0;
        }
        let z = (self.dist.transform(t) - self.eta(x, offset)) / self.scale[stratum];
        self.dist.base().survival(z)
    }
}
