//! Joinpoint (segmented-line) regression as the NCI Joinpoint Regression Program
//! (Kim, Fay, Feuer and Midthune 2000, *Statistics in Medicine* 19:335–351; grid search
//! of Lerman 1980; AAPC of Clegg et al. 2009, *Statistics in Medicine* 28:3670–3682).
//!
//! Model with `k` joinpoints `τ_1 < ... < τ_k` for the response `z = ln y` (log-linear,
//! the default) or `z = y` (linear):
//! `E z = β_0 + β_1 x + δ_1 (x - τ_1)_+ + ... + δ_k (x - τ_k)_+`, continuous and piecewise
//! linear in `x` (calendar year), fitted by weighted least squares with weights
//! - `variance = "constant"` (the program's "homoscedastic"): `w = 1`,
//! - `variance = "se"` (given standard errors of `y`): `w = 1/se²` (linear) or, by the
//!   delta method `se(ln y) = se/y`, `w = y²/se²` (log-linear),
//! - `variance = "poisson"`: `Var y ∝ y` (`y` a count, or a rate over a fixed
//!   denominator): `w = 1/y` (linear) or `w = y` (log-linear).
//!
//! Grid search (the program's default "Grid Search" with the grid at the observed `x`):
//! the joinpoints lie on observed `x` values; a set is admissible when at least
//! `min_obs_end` observations lie before the first and after the last joinpoint and at
//! least `min_obs_between` strictly between two joinpoints (the joinpoints themselves
//! excluded, the program's definitions since version 4.5; defaults 2 and 2). Every
//! admissible set is fitted for `k = 0..max_joinpoints` (the sets in one pass over a tree
//! of orthonormalised hinge columns: a set's SSE is the linear fit's minus the squared
//! projections on its hinges, so the sets sharing a prefix share work), and the one with
//! the smallest (weighted) SSE `Q_k` is the `k`-joinpoint model.
//!
//! Selection of `k`:
//! - `"bic"`: `BIC(k) = ln(Q_k/n) + 2(k+1) ln(n)/n` (p = 2k + 2 parameters counting the
//!   joinpoints, the program's Notation page); `"bic3"`: penalty `3k + 2`;
//! - `"permutation"`: the sequential permutation tests of Kim et al. (2000): starting with
//!   `k_a = 0`, `k_b = K` (the maximum), test `H0: k = k_a` against `H1: k = k_b` with the
//!   statistic `Q_{k_a}/Q_{k_b}`, whose null distribution comes from `N` data sets made of
//!   the `k_a` fit plus its permuted (weight-standardised) residuals, each refitted by the
//!   full grid search; `p = (1 + #{T* >= T})/(N + 1)`; reject when `p < α/(K - k_a)` (the
//!   program's significance levels since version 3.0), then `k_a += 1`, else `k_b -= 1`,
//!   until `k_a = k_b`. The permutations are drawn with the core's seeded xoshiro256**
//!   (`hrrstats_data::Rng`), so a seed gives the same p-values in Rust, Python and R.
//!
//! Inference, conditional on the joinpoints (as the program): `MSE = Q_k/(n - p)`,
//! `p = 2k + 2`, `Var β̂ = MSE (X'WX)^{-1}`; segment slope `b_j = β_1 + δ_1 + ... +
//! δ_{j-1}`, `APC_j = 100 (e^{b_j} - 1)` with limits `100 (e^{b_j ± t_{n-p} se_j} - 1)`
//! (linear models: the slope and its limits). `AAPC` over `[a, b]` (Clegg et al.):
//! `μ = Σ w_j b_j / Σ w_j`, `w_j` the length of segment `j` inside `[a, b]`,
//! `AAPC = 100 (e^μ - 1)`, limits from `se(μ) = sqrt(w'Vw)/Σw` with the normal
//! quantile, or, when `[a, b]` lies in one segment, the APC's own (t) limits.
//!
//! The program itself (Windows only, not installable here) is not run;
//! `tests/reference/generate_joinpoint.R` does the exhaustive grid search by hand in
//! plain R (`lm` on hinge terms for every admissible set).

use crate::error::{Error, Result};
use crate::option_enum;
use hrrstats_data::Rng;
use nalgebra::{DMatrix, DVector};
use rayon::prelude::*;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Model selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    #[default]
    Bic,
    Bic3,
    Permutation,
}
option_enum!(Selection, "selection", "bic" => Selection::Bic, "bic3" => Selection::Bic3,
    "permutation" => Selection::Permutation);

/// Variance of the response (the weights).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum JoinpointVariance {
    /// `se` when given, else constant.
    #[default]
    Auto,
    Constant,
    Se,
    Poisson,
}
option_enum!(JoinpointVariance, "variance", "auto" => JoinpointVariance::Auto,
    "constant" => JoinpointVariance::Constant, "se" => JoinpointVariance::Se,
    "poisson" => JoinpointVariance::Poisson);

/// Options of [`joinpoint`].
#[derive(Debug, Clone, PartialEq)]
pub struct JoinpointParams {
    pub log_linear: bool,
    pub variance: JoinpointVariance,
    pub max_joinpoints: usize,
    pub selection: Selection,
    pub n_permutations: usize,
    pub alpha: f64,
    pub min_obs_end: usize,
    pub min_obs_between: usize,
    pub seed: u64,
    pub conf_level: f64,
}

impl Default for JoinpointParams {
    fn default() -> Self {
        JoinpointParams {
            log_linear: true,
            variance: JoinpointVariance::Auto,
            max_joinpoints: 3,
            selection: Selection::Bic,
            n_permutations: 4499,
            alpha: 0.05,
            min_obs_end: 2,
            min_obs_between: 2,
            seed: 1,
            conf_level: 0.95,
        }
    }
}

/// The best fit with `k` joinpoints.
#[derive(Debug, Clone)]
pub struct KModel {
    pub k: usize,
    /// Indices (into the sorted x) of the joinpoints.
    pub index: Vec<usize>,
    pub joinpoints: Vec<f64>,
    /// β_0 (at x = 0), β_1, δ_1..δ_k.
    pub coef: Vec<f64>,
    /// Var of `coef` (conditional on the joinpoints, MSE with n - 2k - 2 df).
    pub cov: Vec<f64>,
    pub sse: f64,
    pub mse: f64,
    pub df: usize,
    pub bic: f64,
    pub bic3: f64,
    /// Fitted values on the response scale (sorted x order).
    pub fitted: Vec<f64>,
    /// Fitted values on the model's scale (ln y or y).
    pub eta: Vec<f64>,
}

/// One permutation test `H0: k = null` vs `H1: k = alt`.
#[derive(Debug, Clone)]
pub struct PermTest {
    pub null: usize,
    pub alt: usize,
    pub statistic: f64,
    pub p_value: f64,
    pub level: f64,
    pub reject: bool,
}

/// A segment of the selected model.
#[derive(Debug, Clone)]
pub struct Segment {
    pub start: f64,
    pub end: f64,
    pub slope: f64,
    pub slope_se: f64,
    pub apc: f64,
    pub lower: f64,
    pub upper: f64,
    pub t: f64,
    pub p: f64,
}

/// A fitted joinpoint model for one series.
#[derive(Debug, Clone)]
pub struct Joinpoint {
    /// Sorted x, y, weights; `order[i]` the input row of sorted position i.
    pub x: Vec<f64>,
    pub y: Vec<f64>,
    pub weights: Vec<f64>,
    pub order: Vec<usize>,
    pub log_linear: bool,
    pub conf_level: f64,
    /// Models for k = 0..=K.
    pub models: Vec<KModel>,
    pub selected: usize,
    pub tests: Vec<PermTest>,
    pub segments: Vec<Segment>,
    /// The maximum number of joinpoints used (after the data's limit).
    pub max_joinpoints: usize,
    pub warnings: Vec<String>,
}

/// An average annual percent change.
#[derive(Debug, Clone, Copy)]
pub struct Aapc {
    pub start: f64,
    pub end: f64,
    pub aapc: f64,
    pub lower: f64,
    pub upper: f64,
    pub mean_slope: f64,
    pub se: f64,
}

fn bad(arg: &'static str, row: usize, value: f64, problem: &'static str) -> Error {
    Error::InvalidValue {
        arg,
        row,
        value,
        problem,
    }
}

fn t_quantile(p: f64, df: f64) -> f64 {
    StudentsT::new(0.0, 1.0, df)
        .map(|d| d.inverse_cdf(p))
        .unwrap_or(f64::NAN)
}

/// Check the options once.
pub fn check_params(p: &JoinpointParams) -> Result<()> {
    if !(p.alpha > 0.0 && p.alpha < 1.0) {
        return Err(Error::InvalidArgument {
            arg: "alpha",
            reason: format!("must be between 0 and 1, got {}", p.alpha),
        });
    }
    if !(p.conf_level > 0.0 && p.conf_level < 1.0) {
        return Err(Error::InvalidArgument {
            arg: "conf_level",
            reason: format!("must be between 0 and 1, got {}", p.conf_level),
        });
    }
    if p.selection == Selection::Permutation && p.n_permutations < 1 {
        return Err(Error::InvalidArgument {
            arg: "n_permutations",
            reason: "must be at least 1".into(),
        });
    }
    if p.max_joinpoints > 10 {
        return Err(Error::InvalidArgument {
            arg: "max_joinpoints",
            reason: format!("at most 10 joinpoints are searched, got {}", p.max_joinpoints),
        });
    }
    Ok(())
}

/// Validate the data of all series (rows are the caller's) and build each series'
/// sorted (x, y, weight, row) arrays. `group[i]` the series of row i.
pub fn prepare(
    x: &[f64],
    y: &[f64],
    se: Option<&[f64]>,
    group: Option<(&[u32], usize)>,
    p: &JoinpointParams,
) -> Result<Vec<(Vec<f64>, Vec<f64>, Vec<f64>, Vec<usize>)>> {
    let n = x.len();
    if n == 0 {
        return Err(Error::Empty { arg: "x" });
    }
    if y.len() != n {
        return Err(Error::LengthMismatch {
            arg: "y",
            len: y.len(),
            expected_arg: "x",
            expected: n,
        });
    }
    if let Some(s) = se {
        if s.len() != n {
            return Err(Error::LengthMismatch {
                arg: "se",
                len: s.len(),
                expected_arg: "x",
                expected: n,
            });
        }
    }
    let variance = match p.variance {
        JoinpointVariance::Auto if se.is_some() => JoinpointVariance::Se,
        JoinpointVariance::Auto => JoinpointVariance::Constant,
        JoinpointVariance::Se if se.is_none() => {
            return Err(Error::InvalidArgument {
                arg: "variance",
                reason: "\"se\" needs the standard errors `se`".into(),
            })
        }
        v => v,
    };
    let mut w = vec![1.0; n];
    for i in 0..n {
        if !x[i].is_finite() {
            return Err(bad("x", i, x[i], "must be finite"));
        }
        if !y[i].is_finite() {
            return Err(bad("y", i, y[i], "must be finite"));
        }
        if p.log_linear && y[i] <= 0.0 {
            return Err(bad("y", i, y[i], "must be positive for a log-linear model (log_linear = false fits y itself)"));
        }
        match variance {
            JoinpointVariance::Se => {
                let s = se.unwrap()[i];
                if !(s.is_finite() && s > 0.0) {
                    return Err(bad("se", i, s, "must be finite and positive"));
                }
                w[i] = if p.log_linear { (y[i] / s).powi(2) } else { 1.0 / (s * s) };
            }
            JoinpointVariance::Poisson => {
                if y[i] <= 0.0 {
                    return Err(bad("y", i, y[i], "must be positive with Poisson variance"));
                }
                w[i] = if p.log_linear { y[i] } else { 1.0 / y[i] };
            }
            _ => {}
        }
    }
    let (codes, ng) = match group {
        Some((c, k)) => (Some(c), k.max(1)),
        None => (None, 1),
    };
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); ng];
    for i in 0..n {
        let g = codes.map_or(0, |c| c[i] as usize);
        rows[g].push(i);
    }
    let mut out = Vec::with_capacity(ng);
    for mut r in rows {
        r.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
        for j in 1..r.len() {
            if x[r[j]] == x[r[j - 1]] {
                return Err(bad("x", r[j].max(r[j - 1]), x[r[j]], "is repeated within a series (one observation per x)"));
            }
        }
        out.push((
            r.iter().map(|&i| x[i]).collect(),
            r.iter().map(|&i| y[i]).collect(),
            r.iter().map(|&i| w[i]).collect(),
            r,
        ));
    }
    Ok(out)
}

/// Largest number of joinpoints the constraints allow with `n` points (and at least one
/// residual degree of freedom).
pub fn admissible_max(n: usize, end: usize, between: usize) -> usize {
    let mut k = 0;
    loop {
        let k1 = k + 1;
        let need = 2 * end + k1 + (k1 - 1) * between;
        if need > n || n < 2 * k1 + 3 {
            return k;
        }
        k = k1;
    }
}

/// The tree of admissible joinpoint sets, in depth-first order, with an orthonormal
/// vector per node: the weighted hinge of its last joinpoint orthogonalised against the
/// intercept, the slope and its ancestors' hinges.
struct Tree {
    n: usize,
    /// Orthonormal basis of the weighted intercept and slope.
    q0: Vec<f64>,
    q1: Vec<f64>,
    /// Node vectors, row-major (node × n).
    q: Vec<f64>,
    parent: Vec<usize>, // usize::MAX for level 1
    level: Vec<u8>,
    last: Vec<u32>,
    /// Per node: 1/norm and the coefficients of its raw weighted hinge on q0, q1 and its
    /// ancestors' vectors (root first), flat from `coef_at[node]` (level + 1 values), so
    /// that a projection is `(h_j'r - Σ a_b (b'r)) / norm` from the hinges' dot products.
    inv_norm: Vec<f64>,
    coef: Vec<f64>,
    coef_at: Vec<usize>,
    /// Raw weighted hinges, row-major (x index × n).
    hinge: Vec<f64>,
}

const NONE: usize = usize::MAX;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(u, v)| u * v).sum()
}

fn orthonormalise(v: &mut [f64], basis: &[&[f64]]) -> bool {
    orthonormalise_coef(v, basis).is_some()
}

/// Gram–Schmidt twice against an orthonormal `basis`: `v` becomes `(v - Σ a_b b)/norm`;
/// returns the total coefficients `a_b` and `norm` (None when `v` lies in the span).
fn orthonormalise_coef(v: &mut [f64], basis: &[&[f64]]) -> Option<(Vec<f64>, f64)> {
    let norm0 = dot(v, v).sqrt();
    let mut coef = vec![0.0; basis.len()];
    for _ in 0..2 {
        for (k, b) in basis.iter().enumerate() {
            let c = dot(v, b);
            coef[k] += c;
            for (vi, bi) in v.iter_mut().zip(b.iter()) {
                *vi -= c * bi;
            }
        }
    }
    let norm = dot(v, v).sqrt();
    if !(norm > 1e-9 * norm0) || norm == 0.0 {
        return None;
    }
    v.iter_mut().for_each(|vi| *vi /= norm);
    Some((coef, norm))
}

impl Tree {
    fn build(x: &[f64], sw: &[f64], kmax: usize, end: usize, between: usize) -> Tree {
        let n = x.len();
        let mut q0 = sw.to_vec();
        orthonormalise(&mut q0, &[]);
        let x0 = x[0];
        let mut q1: Vec<f64> = x.iter().zip(sw).map(|(xi, s)| (xi - x0) * s).collect();
        orthonormalise(&mut q1, &[&q0]);
        let mut hinge = vec![0.0; n * n];
        for j in 0..n {
            for i in 0..n {
                if x[i] > x[j] {
                    hinge[j * n + i] = (x[i] - x[j]) * sw[i];
                }
            }
        }
        let mut t = Tree {
            n,
            q0,
            q1,
            q: Vec::new(),
            parent: Vec::new(),
            level: Vec::new(),
            last: Vec::new(),
            inv_norm: Vec::new(),
            coef: Vec::new(),
            coef_at: Vec::new(),
            hinge,
        };
        if kmax > 0 {
            let mut stack_nodes: Vec<usize> = Vec::new();
            t.grow(x, sw, kmax, end, between, 1, end, &mut stack_nodes);
        }
        t
    }

    /// Add the children of the current path (`path` the node indices) with their first
    /// joinpoint at index >= `from`.
    #[allow(clippy::too_many_arguments)]
    fn grow(
        &mut self,
        x: &[f64],
        sw: &[f64],
        kmax: usize,
        end: usize,
        between: usize,
        level: usize,
        from: usize,
        path: &mut Vec<usize>,
    ) {
        let n = self.n;
        // remaining joinpoints after this one: kmax - level (they need not all be used,
        // but this node must leave room for `end` observations after it)
        if n < end + 1 {
            return;
        }
        let hi = n - 1 - end; // last admissible index
        let mut j = from;
        while j <= hi {
            let _ = (x, sw);
            let mut v: Vec<f64> = self.hinge[j * n..(j + 1) * n].to_vec();
            let ok = {
                let mut basis: Vec<&[f64]> = vec![&self.q0, &self.q1];
                for &a in path.iter() {
                    basis.push(&self.q[a * n..(a + 1) * n]);
                }
                orthonormalise_coef(&mut v, &basis)
            };
            if let Some((coef, norm)) = ok {
                let id = self.parent.len();
                self.q.extend_from_slice(&v);
                self.coef_at.push(self.coef.len());
                self.coef.extend_from_slice(&coef);
                self.inv_norm.push(1.0 / norm);
                self.parent.push(path.last().copied().unwrap_or(NONE));
                self.level.push(level as u8);
                self.last.push(j as u32);
                if level < kmax {
                    path.push(id);
                    self.grow(x, sw, kmax, end, between, level + 1, j + between + 1, path);
                    path.pop();
                }
            }
            j += 1;
        }
    }

    fn nodes(&self) -> usize {
        self.parent.len()
    }

    /// The sets of at most `kmax` joinpoints (the same depth-first order).
    fn restrict(&self, kmax: usize) -> Tree {
        let n = self.n;
        let mut map = vec![NONE; self.nodes()];
        let mut t = Tree {
            n,
            q0: self.q0.clone(),
            q1: self.q1.clone(),
            q: Vec::new(),
            parent: Vec::new(),
            level: Vec::new(),
            last: Vec::new(),
            inv_norm: Vec::new(),
            coef: Vec::new(),
            coef_at: Vec::new(),
            hinge: self.hinge.clone(),
        };
        for i in 0..self.nodes() {
            if self.level[i] as usize <= kmax {
                map[i] = t.parent.len();
                t.q.extend_from_slice(&self.q[i * n..(i + 1) * n]);
                let l = self.level[i] as usize;
                t.coef_at.push(t.coef.len());
                t.coef.extend_from_slice(&self.coef[self.coef_at[i]..self.coef_at[i] + l + 1]);
                t.inv_norm.push(self.inv_norm[i]);
                let p = self.parent[i];
                t.parent.push(if p == NONE { NONE } else { map[p] });
                t.level.push(self.level[i]);
                t.last.push(self.last[i]);
            }
        }
        t
    }

    /// Joinpoint indices of a node.
    fn set(&self, mut node: usize) -> Vec<usize> {
        let mut s = Vec::new();
        while node != NONE {
            s.push(self.last[node] as usize);
            node = self.parent[node];
        }
        s.reverse();
        s
    }

    /// As [`Tree::best`] for a weighted response with residual `r` from the linear fit
    /// (SSE `r0`), the projections computed from the hinges' dot products `g` (one per x
    /// index; scratch) through the nodes' coefficients, depth-first (a node's ancestors
    /// are the latest nodes of the lower levels).
    fn best_fast(&self, r: &[f64], r0: f64, kmax: usize, g: &mut [f64], best: &mut [(f64, usize)]) {
        let n = self.n;
        let d0 = dot(&self.q0, r);
        let d1 = dot(&self.q1, r);
        for (j, gj) in g.iter_mut().enumerate() {
            *gj = dot(&self.hinge[j * n..(j + 1) * n], r);
        }
        for b in best.iter_mut() {
            *b = (f64::INFINITY, NONE);
        }
        best[0] = (r0, NONE);
        let mut cst = [0.0f64; 12];
        let mut cum = [0.0f64; 12];
        for i in 0..self.nodes() {
            let l = self.level[i] as usize;
            let a = &self.coef[self.coef_at[i]..self.coef_at[i] + l + 1];
            let mut v = g[self.last[i] as usize] - a[0] * d0 - a[1] * d1;
            for k in 1..l {
                v -= a[k + 1] * cst[k];
            }
            let c = v * self.inv_norm[i];
            cst[l] = c;
            let acc = cum[l - 1] + c * c;
            cum[l] = acc;
            if l <= kmax {
                let sse = r0 - acc;
                if sse < best[l].0 {
                    best[l] = (sse, i);
                }
            }
        }
    }

    /// Best node per level (1..=kmax) and its SSE, from the projections `c` of the
    /// weighted response on the node vectors and the linear fit's SSE `r0`; `cum` is
    /// scratch of length nodes.
    fn best(&self, c: &[f64], r0: f64, kmax: usize, cum: &mut [f64], best: &mut [(f64, usize)]) {
        for b in best.iter_mut() {
            *b = (f64::INFINITY, NONE);
        }
        best[0] = (r0, NONE);
        for i in 0..self.nodes() {
            let p = self.parent[i];
            let acc = if p == NONE { 0.0 } else { cum[p] } + c[i] * c[i];
            cum[i] = acc;
            let l = self.level[i] as usize;
            if l <= kmax {
                let sse = r0 - acc;
                if sse < best[l].0 {
                    best[l] = (sse, i);
                }
            }
        }
    }
}

/// Weighted least squares of `z` on [1, x - x0, hinges at `index`] by QR.
fn wls(x: &[f64], z: &[f64], w: &[f64], index: &[usize]) -> Result<(Vec<f64>, Vec<f64>, f64, Vec<f64>)> {
    let n = x.len();
    let p = 2 + index.len();
    let x0 = x[0];
    let mut m = DMatrix::<f64>::zeros(n, p);
    let mut rhs = DVector::<f64>::zeros(n);
    for i in 0..n {
        let s = w[i].sqrt();
        m[(i, 0)] = s;
        m[(i, 1)] = s * (x[i] - x0);
        for (j, &t) in index.iter().enumerate() {
            m[(i, 2 + j)] = s * (x[i] - x[t]).max(0.0);
        }
        rhs[i] = s * z[i];
    }
    let qr = m.clone().qr();
    let r = qr.r();
    let qty = qr.q().transpose() * &rhs;
    let rinv = r
        .clone()
        .try_inverse()
        .ok_or_else(|| Error::Data {
            arg: "x",
            reason: "the joinpoint design is singular".into(),
        })?;
    let beta = &rinv * qty.rows(0, p);
    let fitted_w = &m * &beta;
    let sse: f64 = (0..n).map(|i| (rhs[i] - fitted_w[i]).powi(2)).sum();
    let xtx_inv = &rinv * rinv.transpose();
    // back to an intercept at x = 0
    let mut coef: Vec<f64> = beta.iter().copied().collect();
    coef[0] -= coef[1] * x0;
    // cov of (b0 - x0 b1, b1, δ): transform with L = [[1, -x0, 0..], [0, 1, ..], ...]
    let mut l = DMatrix::<f64>::identity(p, p);
    l[(0, 1)] = -x0;
    let cov = &l * xtx_inv * l.transpose();
    let fitted: Vec<f64> = (0..n)
        .map(|i| {
            let mut f = coef[0] + coef[1] * x[i];
            for (j, &t) in index.iter().enumerate() {
                f += coef[2 + j] * (x[i] - x[t]).max(0.0);
            }
            f
        })
        .collect();
    let cov_rm: Vec<f64> = (0..p).flat_map(|i| (0..p).map(move |j| (i, j))).map(|(i, j)| cov[(i, j)]).collect();
    Ok((coef, cov_rm, sse, fitted))
}

/// Linear-fit SSE of a weighted response and its residual vector.
fn linear_residual(tree: &Tree, z: &[f64]) -> (Vec<f64>, f64) {
    let c0 = dot(&tree.q0, z);
    let c1 = dot(&tree.q1, z);
    let r: Vec<f64> = (0..tree.n).map(|i| z[i] - c0 * tree.q0[i] - c1 * tree.q1[i]).collect();
    let s = dot(&r, &r);
    (r, s)
}

/// Fit one series (sorted x, y, weights).
pub fn joinpoint(x: &[f64], y: &[f64], w: &[f64], order: Vec<usize>, p: &JoinpointParams) -> Result<Joinpoint> {
    let n = x.len();
    if n < 3 {
        return Err(Error::Data {
            arg: "x",
            reason: format!("a joinpoint model needs at least 3 points, a series has {n}"),
        });
    }
    let mut warnings = Vec::new();
    let amax = admissible_max(n, p.min_obs_end, p.min_obs_between);
    let kmax = p.max_joinpoints.min(amax);
    if kmax < p.max_joinpoints {
        warnings.push(format!(
            "max_joinpoints reduced from {} to {kmax}: {n} points with min_obs_end = {} and min_obs_between = {} allow at most {kmax}",
            p.max_joinpoints, p.min_obs_end, p.min_obs_between
        ));
    }
    let z: Vec<f64> = if p.log_linear { y.iter().map(|v| v.ln()).collect() } else { y.to_vec() };
    let sw: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
    let tree = Tree::build(x, &sw, kmax, p.min_obs_end, p.min_obs_between);
    let zw: Vec<f64> = z.iter().zip(&sw).map(|(a, b)| a * b).collect();
    let (r0v, r0) = linear_residual(&tree, &zw);
    let c: Vec<f64> = (0..tree.nodes())
        .map(|i| dot(&tree.q[i * n..(i + 1) * n], &r0v))
        .collect();
    let mut cum = vec![0.0; tree.nodes()];
    let mut best = vec![(0.0, NONE); kmax + 1];
    tree.best(&c, r0, kmax, &mut cum, &mut best);
    let nf = n as f64;
    let mut models = Vec::with_capacity(kmax + 1);
    for (k, &(_, node)) in best.iter().enumerate() {
        if k > 0 && node == NONE {
            break;
        }
        let index = if k == 0 { Vec::new() } else { tree.set(node) };
        let (coef, cov, sse, fitted_z) = wls(x, &z, w, &index)?;
        let df = n - 2 * k - 2;
        let mse = sse / df as f64;
        let cov: Vec<f64> = cov.iter().map(|v| v * mse).collect();
        let lnq = (sse / nf).ln();
        models.push(KModel {
            k,
            joinpoints: index.iter().map(|&i| x[i]).collect(),
            index,
            coef,
            cov,
            sse,
            mse,
            df,
            bic: lnq + (2 * k + 2) as f64 * nf.ln() / nf,
            bic3: lnq + (3 * k + 2) as f64 * nf.ln() / nf,
            fitted: if p.log_linear { fitted_z.iter().map(|v| v.exp()).collect() } else { fitted_z.clone() },
            eta: fitted_z,
        });
    }
    let kmax = models.len() - 1;
    let mut tests = Vec::new();
    let selected = match p.selection {
        Selection::Bic | Selection::Bic3 => {
            let crit = |m: &KModel| if p.selection == Selection::Bic { m.bic } else { m.bic3 };
            let mut s = 0;
            for (k, m) in models.iter().enumerate() {
                if crit(m) < crit(&models[s]) {
                    s = k;
                }
            }
            s
        }
        Selection::Permutation => {
            let (mut ka, mut kb) = (0usize, kmax);
            let mut rng = Rng::new(p.seed);
            let mut done = 0; // at most kmax tests: the progress reports' parts
            while ka < kb {
                let t = crate::progress::part(done, kmax, || {
                    permutation_test(&tree, &zw, &sw, &models, ka, kb, p.n_permutations, &mut rng)
                })?;
                done += 1;
                let level = p.alpha / (kmax - ka) as f64;
                let reject = t.1 < level;
                tests.push(PermTest {
                    null: ka,
                    alt: kb,
                    statistic: t.0,
                    p_value: t.1,
                    level,
                    reject,
                });
                if reject {
                    ka += 1;
                } else {
                    kb -= 1;
                }
            }
            ka
        }
    };
    let segments = segments(x, &models[selected], p.log_linear, p.conf_level);
    if segments.iter().any(|s| !(s.slope.is_finite() && s.slope_se.is_finite())) {
        return Err(Error::Data {
            arg: "x",
            reason: "the fitted trend is not finite (x or y too extreme to fit): rescale x, e.g. to years since the first".into(),
        });
    }
    Ok(Joinpoint {
        x: x.to_vec(),
        y: y.to_vec(),
        weights: w.to_vec(),
        order,
        log_linear: p.log_linear,
        conf_level: p.conf_level,
        models,
        selected,
        tests,
        segments,
        max_joinpoints: kmax,
        warnings,
    })
}

/// Slopes of the segments and their covariance (row-major), from a model.
fn slopes(m: &KModel) -> (Vec<f64>, Vec<f64>) {
    let p = 2 + m.k;
    let s = m.k + 1;
    // L (s × p): row j has 1 in column 1 and in columns 2..2+j
    let lrow = |j: usize, c: usize| -> f64 { if c == 1 || (c >= 2 && c < 2 + j) { 1.0 } else { 0.0 } };
    let b: Vec<f64> = (0..s).map(|j| (0..p).map(|c| lrow(j, c) * m.coef[c]).sum()).collect();
    let mut v = vec![0.0; s * s];
    for a in 0..s {
        for bb in 0..s {
            let mut acc = 0.0;
            for c in 0..p {
                for d in 0..p {
                    acc += lrow(a, c) * m.cov[c * p + d] * lrow(bb, d);
                }
            }
            v[a * s + bb] = acc;
        }
    }
    (b, v)
}

fn transform(log_linear: bool, v: f64) -> f64 {
    if log_linear { 100.0 * v.exp_m1() } else { v }
}

fn segments(x: &[f64], m: &KModel, log_linear: bool, conf_level: f64) -> Vec<Segment> {
    let (b, v) = slopes(m);
    let s = b.len();
    let tq = t_quantile(0.5 + conf_level / 2.0, m.df as f64);
    let tdist = StudentsT::new(0.0, 1.0, m.df as f64).ok();
    let mut bounds = vec![x[0]];
    bounds.extend_from_slice(&m.joinpoints);
    bounds.push(x[x.len() - 1]);
    (0..s)
        .map(|j| {
            let se = v[j * s + j].sqrt();
            let t = b[j] / se;
            Segment {
                start: bounds[j],
                end: bounds[j + 1],
                slope: b[j],
                slope_se: se,
                apc: transform(log_linear, b[j]),
                lower: transform(log_linear, b[j] - tq * se),
                upper: transform(log_linear, b[j] + tq * se),
                t,
                p: match &tdist {
                    Some(d) if !t.is_nan() => 2.0 * d.sf(t.abs()),
                    _ => f64::NAN,
                },
            }
        })
        .collect()
}

/// The permutation test of `H0: k = ka` vs `H1: k = kb`: (statistic, p-value).
#[allow(clippy::too_many_arguments)]
fn permutation_test(
    tree: &Tree,
    zw: &[f64],
    sw: &[f64],
    models: &[KModel],
    ka: usize,
    kb: usize,
    nperm: usize,
    rng: &mut Rng,
) -> Result<(f64, f64)> {
    let n = tree.n;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else if a > 0.0 { f64::INFINITY } else { 1.0 };
    // null fit (weighted scale) and its weighted residuals
    let eta = &models[ka].eta;
    let fitw: Vec<f64> = (0..n).map(|i| eta[i] * sw[i]).collect();
    let res: Vec<f64> = (0..n).map(|i| zw[i] - fitw[i]).collect();
    // all permutations drawn up front, sequentially (reproducible)
    let mut perms: Vec<u32> = Vec::with_capacity(nperm * n);
    let mut idx: Vec<u32> = (0..n as u32).collect();
    for _ in 0..nperm {
        for i in (1..n).rev() {
            let j = rng.below(i + 1);
            idx.swap(i, j);
        }
        perms.extend_from_slice(&idx);
    }
    // only the sets of at most kb joinpoints matter here
    let sub = tree.restrict(kb);
    let tree = &sub;
    // the observed statistic the same way as the permuted ones
    let mut g = vec![0.0; n];
    let mut best = vec![(0.0, NONE); kb + 1];
    let (r, r0) = linear_residual(tree, zw);
    tree.best_fast(&r, r0, kb, &mut g, &mut best);
    let stat = ratio(best[ka].0, best[kb].0);
    let _ = models;
    const B: usize = 64;
    let nb = nperm.div_ceil(B);
    let cost = B * (tree.nodes() * 4 + n * n).max(1);
    let count: usize = crate::progress::in_blocks(
        nb,
        cost,
        0usize,
        |range| {
            range
                .into_par_iter()
                .map(|blk| {
                    let lo = blk * B;
                    let hi = (lo + B).min(nperm);
                    let mut g = vec![0.0; n];
                    let mut best = vec![(0.0, NONE); kb + 1];
                    let mut zs = vec![0.0; n];
                    let mut cnt = 0usize;
                    for pi in lo..hi {
                        let perm = &perms[pi * n..(pi + 1) * n];
                        for i in 0..n {
                            zs[i] = fitw[i] + res[perm[i] as usize];
                        }
                        let (r, r0) = linear_residual(tree, &zs);
                        tree.best_fast(&r, r0, kb, &mut g, &mut best);
                        let t = ratio(best[ka].0, best[kb].0);
                        if t >= stat * (1.0 - 1e-12) {
                            cnt += 1;
                        }
                    }
                    cnt
                })
                .sum::<usize>()
        },
        |a, b| a + b,
    )?;
    Ok((stat, (1.0 + count as f64) / (nperm as f64 + 1.0)))
}

impl Joinpoint {
    /// The selected model.
    pub fn model(&self) -> &KModel {
        &self.models[self.selected]
    }

    /// AAPC over `[start, end]` (Clegg et al. 2009).
    pub fn aapc(&self, start: f64, end: f64) -> Result<Aapc> {
        let (lo, hi) = (self.x[0], self.x[self.x.len() - 1]);
        if !(start.is_finite() && start >= lo && start < hi) {
            return Err(Error::InvalidArgument {
                arg: "start",
                reason: format!("must lie in [{lo}, {hi}) (the range of x), got {start}"),
            });
        }
        if !(end.is_finite() && end > start && end <= hi) {
            return Err(Error::InvalidArgument {
                arg: "end",
                reason: format!("must lie in ({start}, {hi}] (after start, within the range of x), got {end}"),
            });
        }
        let m = self.model();
        let (b, v) = slopes(m);
        let s = b.len();
        let mut wts = vec![0.0; s];
        for (j, seg) in self.segments.iter().enumerate() {
            wts[j] = (seg.end.min(end) - seg.start.max(start)).max(0.0);
        }
        let tot: f64 = wts.iter().sum();
        let mu: f64 = wts.iter().zip(&b).map(|(w, b)| w * b).sum::<f64>() / tot;
        let mut var = 0.0;
        for a in 0..s {
            for c in 0..s {
                var += wts[a] * wts[c] * v[a * s + c];
            }
        }
        let se = var.sqrt() / tot;
        let used = wts.iter().filter(|w| **w > 0.0).count();
        let q = if used == 1 {
            t_quantile(0.5 + self.conf_level / 2.0, m.df as f64)
        } else {
            crate::dist::qnorm(0.5 + self.conf_level / 2.0)
        };
        Ok(Aapc {
            start,
            end,
            aapc: transform(self.log_linear, mu),
            lower: transform(self.log_linear, mu - q * se),
            upper: transform(self.log_linear, mu + q * se),
            mean_slope: mu,
            se,
        })
    }
}

/// Fit many series at once, in parallel.
pub fn joinpoint_many(
    series: Vec<(Vec<f64>, Vec<f64>, Vec<f64>, Vec<usize>)>,
    p: &JoinpointParams,
) -> Result<Vec<Joinpoint>> {
    check_params(p)?;
    series
        .into_par_iter()
        .map(|(x, y, w, order)| joinpoint(&x, &y, &w, order, p))
        .collect()
}
