//! Registry completeness by capture–recapture: log-linear models on the incomplete
//! `2^k` table of `k = 2..4` sources, and Chapman's estimator for two sources.
//!
//! Each person found by at least one source has a capture pattern `ω ∈ {0,1}^k \ {0}`;
//! the counts `n_ω` of the `2^k - 1` observed patterns are Poisson with
//! `log μ_ω = β₀ + Σ_j β_j ω_j + Σ_{(j,l) ∈ I} β_jl ω_j ω_l` (main effects of every
//! source and the pairwise interactions `I` of the model). The unobserved cell
//! `ω = 0` has `μ₀ = exp(β₀)`, so `N̂ = n + exp(β̂₀)` (`n`: people observed).
//! Fits are the core's Poisson GLM ([`crate::glm`]), as
//! `glm(n ~ ..., family = poisson)` on the observed cells (Fienberg 1972; Bishop,
//! Fienberg & Holland 1975, ch. 6; International Working Group for Disease Monitoring
//! and Forecasting 1995).
//!
//! The model set: every hierarchical model with the `k` main effects and any subset of
//! the `k(k-1)/2` pairwise interactions — for 2 sources independence only (with the
//! interaction the model is saturated, `2^2` parameters for 3 cells: `N` is not
//! identifiable, so it is refused with an error); for 3 sources the 8 models from
//! independence to all three pairwise terms (7 parameters on 7 cells: df 0, still
//! identifiable; the three-source term would saturate the table and is refused); for
//! 4 sources the 64 models from independence to all six pairwise terms. Models whose
//! fit does not exist (zero cells that send `β̂₀` to infinity, aliased columns, no
//! convergence) are left out with a warning.
//!
//! Per model: deviance and residual df, `AIC = -2 log L + 2p` (R's glm AIC),
//! `BIC = -2 log L + p log n` (`n` people observed, as Rcapture), the Wald (delta
//! method) standard error `se(N̂) = √(μ̂₀ + μ̂₀² var(β̂₀))` (Rcapture's `closedp`) with
//! limits `N̂ ± z se`, and Cormack's (1989, 1992) profile-likelihood limits: for a
//! total `N` (`n₀ = N - n` in the empty cell) the model is fitted to the complete
//! table and the multinomial profile log-likelihood is
//! `ℓ(N) = -D(N)/2 + n₀ log n₀ + log Γ(N+1) - N log N - log Γ(n₀+1)` (`D`: deviance of
//! the complete-table fit); the limits solve `ℓ(N) = max ℓ - χ²₁(1-α)/2` on either
//! side of the maximum (a lower limit below `n` is `n`; an upper limit that does not
//! exist is `inf`, with a warning). Rcapture's `closedpCI.t` computes the same profile
//! with Stirling's approximation of the factorial terms when `N > 100` and tolerances
//! of 1e-4; here the log-gamma terms are exact and the roots are solved to ~1e-10.
//!
//! Chapman (1951) for two sources: `N̂ = (n₁+1)(n₂+1)/(m+1) - 1` (`m` found by both),
//! variance (Seber 1970; Wittes 1972) `(n₁+1)(n₂+1)(n₁-m)(n₂-m)/((m+1)²(m+2))`, Wald
//! limits.
//!
//! Model selection: the smallest AIC (or BIC) among the fitted models, the first
//! (simplest) on ties.

use statrs::function::gamma::ln_gamma;

use crate::error::{Error, Result};
use crate::glm::{Family, Glm, GlmData};

/// The observed table: counts of the `2^k - 1` capture patterns.
#[derive(Debug, Clone)]
pub struct CaptureTable {
    /// Source names.
    pub names: Vec<String>,
    /// `counts[p - 1]`: people with pattern `p` (bit `j` of `p`: found by source `j`).
    pub counts: Vec<f64>,
    /// People observed.
    pub n: f64,
}

impl CaptureTable {
    pub fn k(&self) -> usize {
        self.names.len()
    }

    /// From one 0/1 indicator column per source and, optionally, a count per row
    /// (aggregated data; without counts each row is one person). Rows with the same
    /// pattern are added; a row found by no source is an error (that cell is the
    /// unobserved one).
    pub fn new(sources: &[&[f64]], names: &[String], counts: Option<&[f64]>) -> Result<Self> {
        let k = sources.len();
        if !(2..=4).contains(&k) {
            return Err(Error::InvalidArgument {
                arg: "sources",
                reason: format!("needs 2 to 4 source columns, got {k}"),
            });
        }
        let n = sources[0].len();
        if n == 0 {
            return Err(Error::Empty { arg: "sources" });
        }
        for (j, s) in sources.iter().enumerate() {
            if s.len() != n {
                return Err(Error::InvalidArgument {
                    arg: "sources",
                    reason: format!("column `{}` has length {} but `{}` has length {n}", names[j], s.len(), names[0]),
                });
            }
        }
        {
            let mut sorted: Vec<&String> = names.iter().collect();
            sorted.sort();
            if let Some(w) = sorted.windows(2).find(|w| w[0] == w[1]) {
                return Err(Error::InvalidArgument {
                    arg: "sources",
                    reason: format!("source `{}` is named twice", w[0]),
                });
            }
        }
        if let Some(c) = counts {
            crate::data::check_len("counts", c.len(), "sources", n)?;
            crate::data::check_nonneg_finite("counts", c)?;
            if let Some(row) = c.iter().position(|v| v.fract() != 0.0) {
                return Err(Error::InvalidValue {
                    arg: "counts",
                    row,
                    value: c[row],
                    problem: "a count must be a whole number",
                });
            }
        }
        let mut table = vec![0.0; (1 << k) - 1];
        for i in 0..n {
            let mut p = 0usize;
            for (j, s) in sources.iter().enumerate() {
                let v = s[i];
                if v == 1.0 {
                    p |= 1 << j;
                } else if v != 0.0 {
                    return Err(Error::InvalidCell {
                        arg: "sources",
                        column: names[j].clone(),
                        row: i,
                        value: v,
                        problem: if v.is_nan() {
                            "missing value (NaN)"
                        } else {
                            "a capture indicator must be 0 or 1"
                        },
                    });
                }
            }
            if p == 0 {
                return Err(Error::InvalidValue {
                    arg: "sources",
                    row: i,
                    value: 0.0,
                    problem: "found by no source (that is the unobserved cell; every row must be found by at least one source)",
                });
            }
            table[p - 1] += counts.map_or(1.0, |c| c[i]);
        }
        let total: f64 = table.iter().sum();
        if total == 0.0 {
            return Err(Error::Data {
                arg: "counts",
                reason: "no one was observed (every count is 0)".into(),
            });
        }
        Ok(CaptureTable {
            names: names.to_vec(),
            counts: table,
            n: total,
        })
    }
}

/// A hierarchical log-linear model: main effects and pairwise interactions `(j, l)`,
/// `j < l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    pub pairs: Vec<(usize, usize)>,
}

impl Model {
    /// `independence`, or the interaction terms `A:B + A:C` in the order of the pairs.
    pub fn label(&self, names: &[String]) -> String {
        if self.pairs.is_empty() {
            "independence".into()
        } else {
            self.pairs
                .iter()
                .map(|&(j, l)| format!("{}:{}", names[j], names[l]))
                .collect::<Vec<_>>()
                .join(" + ")
        }
    }

    /// Parameters: intercept, main effects, interactions.
    pub fn n_params(&self, k: usize) -> usize {
        1 + k + self.pairs.len()
    }

    /// Every identifiable model for `k` sources (see the module doc), from independence
    /// upwards: by number of interactions, then in the order of the pairs.
    pub fn all(k: usize) -> Vec<Model> {
        let pairs = all_pairs(k);
        let mut out: Vec<Model> = (0u32..(1 << pairs.len()))
            .map(|mask| Model {
                pairs: pairs.iter().enumerate().filter(|(b, _)| mask >> b & 1 == 1).map(|(_, &p)| p).collect(),
            })
            .filter(|m| m.n_params(k) < (1 << k))
            .collect();
        out.sort_by(|a, b| {
            a.pairs.len().cmp(&b.pairs.len()).then_with(|| a.pairs.cmp(&b.pairs))
        });
        out
    }

    /// A model from its description: "independence", or terms such as "A:B + B:C"
    /// (source names joined by `:`, terms by `+`; order free).
    pub fn parse(text: &str, names: &[String]) -> Result<Model> {
        let k = names.len();
        let t = text.trim();
        let bad = |reason: String| Error::InvalidArgument { arg: "model", reason };
        if t.eq_ignore_ascii_case("independence") || t.eq_ignore_ascii_case("indep") {
            return Ok(Model { pairs: vec![] });
        }
        let mut pairs = Vec::new();
        for term in t.split('+') {
            let term = term.trim();
            let parts: Vec<&str> = term.split(':').map(str::trim).collect();
            let mut idx = Vec::with_capacity(parts.len());
            for p in &parts {
                match names.iter().position(|n| n == p) {
                    Some(j) => idx.push(j),
                    None => {
                        return Err(bad(format!(
                            "unknown source `{p}` in term `{term}` (the sources are {}; a model is \"independence\" or pairwise terms such as \"{}:{}\")",
                            names.join(", "),
                            names[0],
                            names[1]
                        )))
                    }
                }
            }
            idx.sort_unstable();
            idx.dedup();
            match idx.len() {
                2 => pairs.push((idx[0], idx[1])),
                1 => {
                    return Err(bad(format!(
                        "term `{term}`: main effects are always in the model; give pairwise interactions such as \"{}:{}\"",
                        names[0], names[1]
                    )))
                }
                _ => {
                    return Err(bad(format!(
                        "term `{term}`: only pairwise interactions are fitted (a term of three or more sources {}; the models are hierarchical with two-source terms)",
                        if idx.len() == k {
                            "with all pairwise terms saturates the table: N is not identifiable"
                        } else {
                            "is not in the model set"
                        }
                    )))
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        let m = Model { pairs };
        if m.n_params(k) >= 1 << k {
            return Err(bad(format!(
                "the model {} is saturated: {} parameters for the {} observed cells and the unobserved one, so N is not identifiable{}",
                m.label(names),
                m.n_params(k),
                (1 << k) - 1,
                if k == 2 { " (with two sources only the independence model, or Chapman's estimator)" } else { "" }
            )));
        }
        Ok(m)
    }

    /// Design columns for the cells `0..2^k` (cell `p`: pattern `p`), with names.
    fn design(&self, k: usize, cells: &[usize]) -> (Vec<Vec<f64>>, Vec<String>) {
        let bit = |p: usize, j: usize| (p >> j & 1) as f64;
        let mut cols = Vec::new();
        let mut names = Vec::new();
        for j in 0..k {
            cols.push(cells.iter().map(|&p| bit(p, j)).collect());
            names.push(format!("s{j}"));
        }
        for &(j, l) in &self.pairs {
            cols.push(cells.iter().map(|&p| bit(p, j) * bit(p, l)).collect());
            names.push(format!("s{j}:s{l}"));
        }
        (cols, names)
    }
}

fn all_pairs(k: usize) -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for j in 0..k {
        for l in j + 1..k {
            v.push((j, l));
        }
    }
    v
}

/// One model's fit and estimates.
#[derive(Debug, Clone)]
pub struct ModelFit {
    pub model: Model,
    pub label: String,
    pub df: usize,
    pub deviance: f64,
    pub aic: f64,
    pub bic: f64,
    /// `μ̂₀ = exp(β̂₀)`.
    pub n_unobserved: f64,
    pub n_hat: f64,
    pub std_err: f64,
    pub wald_lower: f64,
    pub wald_upper: f64,
    /// Profile-likelihood limits of `N`.
    pub lower: f64,
    pub upper: f64,
    /// The maximum of the multinomial profile likelihood (Rcapture's profile
    /// "abundance").
    pub n_profile_max: f64,
}

/// Chapman's two-source estimator.
#[derive(Debug, Clone, Copy)]
pub struct Chapman {
    pub n_hat: f64,
    pub std_err: f64,
    pub lower: f64,
    pub upper: f64,
}

/// Chapman (1951) with the Seber (1970) variance and Wald limits (`z`: the normal
/// quantile).
pub fn chapman(n1: f64, n2: f64, m: f64, z: f64) -> Chapman {
    let n_hat = (n1 + 1.0) * (n2 + 1.0) / (m + 1.0) - 1.0;
    let var = (n1 + 1.0) * (n2 + 1.0) * (n1 - m) * (n2 - m) / ((m + 1.0).powi(2) * (m + 2.0));
    let se = var.sqrt();
    Chapman {
        n_hat,
        std_err: se,
        lower: n_hat - z * se,
        upper: n_hat + z * se,
    }
}

fn poisson_fit(y: &[f64], cols: &[Vec<f64>], names: &[String], start: Option<Vec<f64>>) -> Result<crate::glm::GlmFit> {
    let x = crate::data::Covariates::from_columns(cols.iter().map(|c| &c[..]).collect(), names)?;
    let data = GlmData::new(y, x)?;
    let p = Glm::params().family(Family::Poisson).epsilon(1e-10).max_iter(100);
    match start {
        Some(s) => p.start(s).fit(&data),
        None => p.fit(&data),
    }
}

/// `x log x` with `0 log 0 = 0`.
fn xlogx(x: f64) -> f64 {
    if x > 0.0 {
        x * x.ln()
    } else {
        0.0
    }
}

/// The multinomial profile log-likelihood of `N` (module doc), up to a constant.
struct Profile {
    y: Vec<f64>,
    cols: Vec<Vec<f64>>,
    names: Vec<String>,
    n: f64,
}

impl Profile {
    fn new(table: &CaptureTable, model: &Model) -> Self {
        let k = table.k();
        let cells: Vec<usize> = (0..1usize << k).collect();
        let (cols, names) = model.design(k, &cells);
        let mut y = vec![0.0];
        y.extend_from_slice(&table.counts);
        Profile {
            y,
            cols,
            names,
            n: table.n,
        }
    }
    fn loglik(&mut self, big_n: f64) -> Result<f64> {
        let n0 = (big_n - self.n).max(0.0);
        self.y[0] = n0;
        let fit = poisson_fit(&self.y, &self.cols, &self.names, None)?;
        if !fit.deviance.is_finite() {
            return Err(Error::Data {
                arg: "counts",
                reason: "the profile likelihood could not be computed".into(),
            });
        }
        let ct = xlogx(n0) + ln_gamma(big_n + 1.0) - xlogx(big_n) - ln_gamma(n0 + 1.0);
        Ok(-fit.deviance / 2.0 + ct)
    }
}

/// Brent's root finder on `[a, b]` with `f(a)`, `f(b)` of opposite signs.
fn zeroin(mut f: impl FnMut(f64) -> Result<f64>, mut a: f64, mut b: f64, mut fa: f64, mut fb: f64, tol: f64) -> Result<f64> {
    let mut c = a;
    let mut fc = fa;
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Ok(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b)?;
    }
    Ok(b)
}

/// Golden-section search with parabolic steps (Brent's `fmin`) for the maximum of `f`
/// on `[a, b]`.
fn fmax(mut f: impl FnMut(f64) -> Result<f64>, mut a: f64, mut b: f64, tol: f64) -> Result<(f64, f64)> {
    let c = 0.5 * (3.0 - 5f64.sqrt());
    let mut v = a + c * (b - a);
    let mut w = v;
    let mut x = v;
    let mut d: f64 = 0.0;
    let mut e: f64 = 0.0;
    let mut fx = -f(x)?;
    let mut fv = fx;
    let mut fw = fx;
    for _ in 0..500 {
        let xm = 0.5 * (a + b);
        let tol1 = f64::EPSILON.sqrt() * x.abs() + tol / 3.0;
        let t2 = 2.0 * tol1;
        if (x - xm).abs() <= t2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            } else {
                q = -q;
            }
            let r = e;
            e = d;
            if p.abs() < (0.5 * q * r).abs() && p > q * (a - x) && p < q * (b - x) {
                d = p / q;
                let u = x + d;
                if u - a < t2 || b - u < t2 {
                    d = tol1.copysign(xm - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x < xm { b - x } else { a - x };
            d = c * e;
        }
        let u = if d.abs() >= tol1 { x + d } else { x + tol1.copysign(d) };
        let fu = -f(u)?;
        if fu <= fx {
            if u < x {
                b = x;
            } else {
                a = x;
            }
            v = w;
            fv = fw;
            w = x;
            fw = fx;
            x = u;
            fx = fu;
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                v = w;
                fv = fw;
                w = u;
                fw = fu;
            } else if fu <= fv || v == x || v == w {
                v = u;
                fv = fu;
            }
        }
    }
    Ok((x, -fx))
}

/// An unobserved count above this multiple of the number observed is taken as an
/// estimate that does not exist (zero cells send the maximum likelihood to infinity;
/// IRLS stops at a huge finite value).
const MAX_RATIO: f64 = 1e6;

/// Fit one model (`None` when its estimate does not exist) with Wald and profile
/// limits; `z` is the normal quantile of the limits.
pub fn fit_model(table: &CaptureTable, model: &Model, z: f64) -> Result<Option<ModelFit>> {
    let k = table.k();
    let cells: Vec<usize> = (1..1usize << k).collect();
    let (cols, names) = model.design(k, &cells);
    let fit = match poisson_fit(&table.counts, &cols, &names, None) {
        Ok(f) => f,
        Err(_) => return Ok(None),
    };
    if !fit.converged || fit.boundary || fit.aliased.iter().any(|&a| a) {
        return Ok(None);
    }
    // one more IRLS step from the estimate, so that the variance is the inverse
    // information at the estimate itself (the first fit's is at the weights of its
    // last-but-one iterate, as R's)
    let fit = match poisson_fit(&table.counts, &cols, &names, Some(fit.coef.clone())) {
        Ok(f) if f.converged => f,
        _ => return Ok(None),
    };
    let b0 = fit.coef[0];
    let v00 = fit.var[0];
    let mu0 = b0.exp();
    let n_hat = table.n + mu0;
    if !(n_hat.is_finite() && v00.is_finite()) || mu0 > MAX_RATIO * table.n {
        return Ok(None);
    }
    let p = fit.rank as f64;
    let se = (mu0 + mu0 * mu0 * v00).sqrt();
    // profile likelihood
    let mut prof = Profile::new(table, model);
    let n = table.n;
    let scale = n_hat.max(1.0);
    let tol = 1e-11 * scale;
    let mut hi = n + 3.0 * mu0.max(1.0) + 10.0 * se;
    let (n_max, l_max) = {
        // the maximum lies below the Poisson estimate in theory; search up to a point
        // where the likelihood is already falling
        let mut l_hi = prof.loglik(hi)?;
        let mut mid = prof.loglik(0.5 * (n + hi))?;
        while l_hi >= mid {
            if hi - n > MAX_RATIO * n.max(1.0) {
                // the profile likelihood still rises: its maximum is at infinity
                return Ok(None);
            }
            hi = n + 2.0 * (hi - n);
            mid = l_hi;
            l_hi = prof.loglik(hi)?;
        }
        fmax(|x| prof.loglik(x), n, hi, tol)?
    };
    let target = l_max - z * z / 2.0;
    let l_n = prof.loglik(n)?;
    let lower = if l_n >= target || n_max <= n {
        n
    } else {
        zeroin(|x| Ok(prof.loglik(x)? - target), n, n_max, l_n - target, l_max - target, tol)?
    };
    // upper: expand until the likelihood falls below the target
    let mut up = n_max + (n_max - n).max(1.0) + 4.0 * se;
    let mut l_up = prof.loglik(up)?;
    let mut lo_b = n_max;
    let mut f_lo = l_max - target;
    while l_up >= target && up - n <= MAX_RATIO * n.max(1.0) {
        lo_b = up;
        f_lo = l_up - target;
        up = n + 2.0 * (up - n);
        l_up = prof.loglik(up)?;
    }
    let upper = if l_up >= target {
        f64::INFINITY
    } else {
        zeroin(|x| Ok(prof.loglik(x)? - target), lo_b, up, f_lo, l_up - target, tol)?
    };
    Ok(Some(ModelFit {
        label: model.label(&table.names),
        model: model.clone(),
        df: fit.df_residual,
        deviance: fit.deviance,
        aic: fit.aic,
        bic: fit.aic - 2.0 * p + p * n.ln(),
        n_unobserved: mu0,
        n_hat,
        std_err: se,
        wald_lower: n_hat - z * se,
        wald_upper: n_hat + z * se,
        lower,
        upper,
        n_profile_max: n_max,
    }))
}

/// Criterion of model selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Criterion {
    #[default]
    Aic,
    Bic,
}
crate::option_enum!(Criterion, "criterion", "aic" => Criterion::Aic, "bic" => Criterion::Bic);

/// The result: every fitted model, the selected one, Chapman for two sources.
#[derive(Debug, Clone)]
pub struct CaptureRecapture {
    pub table: CaptureTable,
    pub models: Vec<ModelFit>,
    pub selected: usize,
    pub chapman: Option<Chapman>,
    pub warnings: Vec<String>,
}

/// Fit the model set, select by `criterion` (or take `model`), Chapman for 2 sources.
pub fn capture_recapture(
    table: CaptureTable,
    model: Option<&str>,
    criterion: Criterion,
    conf_level: f64,
) -> Result<CaptureRecapture> {
    crate::data::check_conf_level(conf_level)?;
    let k = table.k();
    let z = crate::dist::qnorm(0.5 + conf_level / 2.0);
    let wanted = model.map(|m| Model::parse(m, &table.names)).transpose()?;
    let mut models = Vec::new();
    let mut warnings = Vec::new();
    let mut left_out = Vec::new();
    for m in Model::all(k) {
        crate::interrupt::check()?;
        match fit_model(&table, &m, z)? {
            Some(f) => models.push(f),
            None => left_out.push(m),
        }
    }
    let label = |m: &Model| m.label(&table.names);
    if !left_out.is_empty() {
        warnings.push(format!(
            "{} model(s) left out: the estimate does not exist (zero cells send the unobserved count to infinity, or the fit did not converge): {}",
            left_out.len(),
            left_out.iter().map(label).collect::<Vec<_>>().join("; ")
        ));
    }
    let selected = match &wanted {
        Some(w) => models.iter().position(|f| &f.model == w).ok_or_else(|| Error::Data {
            arg: "model",
            reason: format!(
                "the model {} cannot be fitted to these counts: the estimate does not exist (zero cells send the unobserved count to infinity)",
                label(w)
            ),
        })?,
        None => {
            if models.is_empty() {
                return Err(Error::Data {
                    arg: "counts",
                    reason: "no model can be fitted: the estimate of the unobserved count does not exist for any model (too many zero cells; with two sources, no one found by both)".into(),
                });
            }
            let crit = |f: &ModelFit| match criterion {
                Criterion::Aic => f.aic,
                Criterion::Bic => f.bic,
            };
            let mut best = 0;
            for (i, f) in models.iter().enumerate() {
                if crit(f) < crit(&models[best]) {
                    best = i;
                }
            }
            best
        }
    };
    if models[selected].upper.is_infinite() {
        warnings.push(format!(
            "the profile likelihood of the model {} does not fall to the confidence limit: the upper limit is infinite",
            models[selected].label
        ));
    }
    let chapman = (k == 2).then(|| {
        let c = &table.counts;
        chapman(c[0] + c[2], c[1] + c[2], c[2], z)
    });
    Ok(CaptureRecapture {
        table,
        models,
        selected,
        chapman,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tab(counts: &[f64], names: &[&str]) -> CaptureTable {
        let k = names.len();
        let pats: Vec<Vec<f64>> = (0..k)
            .map(|j| (1..1usize << k).map(|p| (p >> j & 1) as f64).collect())
            .collect();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        CaptureTable::new(&pats.iter().map(|c| &c[..]).collect::<Vec<_>>(), &names, Some(counts)).unwrap()
    }

    #[test]
    fn two_sources_is_lincoln_petersen_and_chapman() {
        // cells: A only 60, B only 40, both 20
        let r = capture_recapture(tab(&[60.0, 40.0, 20.0], &["A", "B"]), None, Criterion::Aic, 0.95).unwrap();
        assert_eq!(r.models.len(), 1);
        let m = &r.models[0];
        assert!((m.n_unobserved - 60.0 * 40.0 / 20.0).abs() < 1e-8);
        let c = r.chapman.unwrap();
        assert!((c.n_hat - (81.0 * 61.0 / 21.0 - 1.0)).abs() < 1e-12);
        assert!(m.lower < m.n_hat && m.n_hat < m.upper);
    }

    #[test]
    fn model_set_sizes_and_parsing() {
        assert_eq!(Model::all(2).len(), 1);
        assert_eq!(Model::all(3).len(), 8);
        assert_eq!(Model::all(4).len(), 64);
        let names: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        assert_eq!(Model::parse("B:C + A:B", &names).unwrap().pairs, vec![(0, 1), (1, 2)]);
        let e = Model::parse("A:B:C", &names).unwrap_err().message(0);
        assert!(e.contains("not identifiable"), "{e}");
        let n2: Vec<String> = ["A", "B"].iter().map(|s| s.to_string()).collect();
        let e = Model::parse("A:B", &n2).unwrap_err().message(0);
        assert!(e.contains("saturated"), "{e}");
    }
}
