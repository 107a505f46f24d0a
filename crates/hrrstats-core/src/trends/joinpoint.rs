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
    #[cfg(test)]
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
    /// are the latest nodes of the lower levels). [`Levels::search`] must match it to
    /// rounding and give the same p-values (module tests).
    #[cfg(test)]
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
            let levels = Levels::new(&tree, kb);
            let mut done = 0; // at most kmax tests: the progress reports' parts
            while ka < kb {
                let t = crate::progress::part(done, kmax, || {
                    permutation_test(&levels, &zw, &sw, &models, ka, kb, p.n_permutations, &mut rng)
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

/// The admissible sets of at most `kb` joinpoints laid out level by level for the
/// permutation tests. Under permutation only the response changes: every set's design
/// (the weighted intercept, slope and hinges, i.e. the Gram–Schmidt factor of its Gram
/// matrix) is fixed, so it is factorised once per series. Per permuted response, with
/// `r` the residual of the linear fit (SSE `r0`), the hinges' cross products
/// `g_j = h_j'r` are computed once for every candidate joinpoint (O(n · n_τ)); a set's
/// projection on its own last hinge is then `c = (g_last - Σ_k a_k c_k) / norm` from its
/// stored Gram–Schmidt coefficients `a_k` on its ancestors' vectors and their
/// projections `c_k`, and its SSE `r0 - Σ c²` (the terms on the intercept and slope
/// vanish: `r` is orthogonal to them). The sets of a level are stored by parent, each
/// parent's children contiguous and padded to a multiple of 4 (with sets of no effect),
/// so the inner loop over a parent's children is a few vector operations per 4 sets.
/// The same code computes the observed statistic, so the identity permutation gives it
/// exactly; the SSEs equal the tree walk's ([`Tree::best_fast`]) to rounding (module
/// tests), and so do the p-values.
struct Levels {
    n: usize,
    q0: Vec<f64>,
    q1: Vec<f64>,
    /// The candidate joinpoints (x indices `j_lo..j_lo + m`) and their weighted hinges,
    /// transposed: `ht[i * mp + jj]` is hinge `j_lo + jj` at observation `i` (`mp >= m + 4`
    /// columns, the padding zero).
    mp: usize,
    ht: Vec<f64>,
    /// Level 1, 2, ... (at most `kb`).
    lv: Vec<Level>,
    /// Whether the processor has AVX2 (the widest loop uses it; the same numbers).
    avx2: bool,
}

struct Level {
    /// Per parent `p` of the previous level (level 1: one): its children are slots
    /// `start[p]..start[p + 1]` (a multiple of 4 long), the first at joinpoint `first[p]`
    /// (relative to `j_lo`), the next ones at the following x indices.
    start: Vec<usize>,
    first: Vec<u32>,
    /// Per slot: the Gram–Schmidt coefficients on the ancestors' vectors (`anc[k - 1]`
    /// for the ancestor at level k) and the inverse norm (0 in padding slots).
    anc: Vec<Vec<f64>>,
    inv: Vec<f64>,
    /// Per slot: the position of its parent in the previous level.
    ppos: Vec<u32>,
    /// For the top level as one loop (levels 1 to 3): per chunk of 4 slots (one parent
    /// each) its parent and the joinpoint of its first slot; per slot the coefficients
    /// on the first two ancestors (0 where there are fewer).
    chunk_parent: Vec<u32>,
    chunk_j: Vec<u32>,
    a1: Vec<f64>,
    a2: Vec<f64>,
}

impl Levels {
    fn new(t: &Tree, kb: usize) -> Levels {
        let n = t.n;
        let (mut j_lo, mut j_hi) = (usize::MAX, 0usize);
        for i in 0..t.nodes() {
            if (t.level[i] as usize) <= kb {
                j_lo = j_lo.min(t.last[i] as usize);
                j_hi = j_hi.max(t.last[i] as usize);
            }
        }
        if j_lo == usize::MAX {
            j_lo = 0;
            j_hi = 0;
        }
        let m = j_hi + 1 - j_lo;
        let mp = m + 4;
        // nodes of each level in depth-first order: a parent's children together, in
        // increasing joinpoint order, parents in their level's order
        let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); kb + 1];
        for i in 0..t.nodes() {
            let l = t.level[i] as usize;
            if l <= kb {
                by_level[l].push(i);
            }
        }
        let mut slot_of = vec![NONE; t.nodes()];
        let mut lv: Vec<Level> = Vec::with_capacity(kb);
        for l in 1..=kb {
            let np = if l == 1 { 1 } else { lv[l - 2].inv.len() };
            let mut lev = Level {
                start: vec![0; np + 1],
                first: vec![0; np],
                anc: vec![Vec::new(); l - 1],
                inv: Vec::new(),
                ppos: Vec::new(),
                chunk_parent: Vec::new(),
                chunk_j: Vec::new(),
                a1: Vec::new(),
                a2: Vec::new(),
            };
            let nodes = &by_level[l];
            let mut k = 0;
            for p in 0..np {
                lev.start[p] = lev.inv.len();
                // this parent's children (consecutive in `nodes`)
                let b = k;
                while k < nodes.len() && (l == 1 || slot_of[t.parent[nodes[k]]] == p) {
                    k += 1;
                }
                let kids = &nodes[b..k];
                if let Some(&f) = kids.first() {
                    let j0 = t.last[f] as usize;
                    lev.first[p] = (j0 - j_lo) as u32;
                    let span = t.last[kids[kids.len() - 1]] as usize + 1 - j0;
                    let len = span.div_ceil(4) * 4;
                    let s0 = lev.inv.len();
                    lev.inv.resize(s0 + len, 0.0);
                    lev.ppos.resize(s0 + len, p as u32);
                    for a in lev.anc.iter_mut() {
                        a.resize(s0 + len, 0.0);
                    }
                    // a hinge in the span of its ancestors has no node: its slot stays
                    // empty (inverse norm 0: no effect)
                    for &node in kids {
                        let s = s0 + t.last[node] as usize - j0;
                        slot_of[node] = s;
                        lev.inv[s] = t.inv_norm[node];
                        let c = &t.coef[t.coef_at[node]..t.coef_at[node] + l + 1];
                        for kk in 1..l {
                            lev.anc[kk - 1][s] = c[kk + 1];
                        }
                    }
                }
            }
            lev.start[np] = lev.inv.len();
            debug_assert_eq!(k, nodes.len());
            for p in 0..np {
                for (q, b) in (lev.start[p]..lev.start[p + 1]).step_by(4).enumerate() {
                    let _ = b;
                    lev.chunk_parent.push(p as u32);
                    lev.chunk_j.push(lev.first[p] + 4 * q as u32);
                }
            }
            let slots = lev.inv.len();
            lev.a1 = if l > 1 { lev.anc[0].clone() } else { vec![0.0; slots] };
            lev.a2 = if l > 2 { lev.anc[1].clone() } else { vec![0.0; slots] };
            lv.push(lev);
        }
        let mut ht = vec![0.0; n * mp];
        for i in 0..n {
            for jj in 0..m {
                ht[i * mp + jj] = t.hinge[(j_lo + jj) * n + i];
            }
        }
        Levels {
            n,
            q0: t.q0.clone(),
            q1: t.q1.clone(),
            mp,
            ht,
            lv,
            avx2: has_avx2(),
        }
    }

    /// The smallest SSE per level (`best[0]` the linear fit's) of the weighted response
    /// `z` over the levels `0..=kb`. With `stop = Some((ka, thr))` the walk stops
    /// (returning `true`) as soon as the sets of level `kb` seen so far give
    /// `best[ka] / SSE >= thr` with both positive: the ratio with the smallest SSE is
    /// then at least as large (the permutation counts).
    fn search(&self, z: &[f64], kb: usize, s: &mut Scratch, best: &mut [f64], stop: Option<(usize, f64)>) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            if self.avx2 {
                // SAFETY: the processor has AVX2 (checked when `self` was built).
                return unsafe { search_avx2(self, z, kb, s, best, stop) };
            }
        }
        search_plain(self, z, kb, s, best, stop)
    }
}

/// One parent's children (slots `b..e` of `lev`): `c = (g - Σ_k a_k c_k) inv` over the
/// ancestors (`cst`, level 1 first), `acc = base + c²`, stored in `c_out`/`acc_out` unless
/// they are empty, and the running maxima of `acc` (`mx`, four lanes).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn group_plain(gs: &[f64], lev: &Level, b: usize, e: usize, cst: &[f64], base: f64, c_out: &mut [f64], acc_out: &mut [f64], mx: &mut [f64; 4]) {
    let len = e - b;
    let gs = &gs[..len];
    let inv = &lev.inv[b..e];
    let store = !c_out.is_empty();
    let na = cst.len();
    let a1: &[f64] = if na > 0 { &lev.anc[0][b..e] } else { &[] };
    let a2: &[f64] = if na > 1 { &lev.anc[1][b..e] } else { &[] };
    for i in 0..len {
        let mut v = gs[i];
        if na > 0 {
            v -= a1[i] * cst[0];
        }
        if na > 1 {
            v -= a2[i] * cst[1];
        }
        for k in 2..na {
            v -= lev.anc[k][b + i] * cst[k];
        }
        let c = v * inv[i];
        let acc = base + c * c;
        if store {
            c_out[i] = c;
            acc_out[i] = acc;
        }
        mx[i & 3] = if acc > mx[i & 3] { acc } else { mx[i & 3] };
    }
}

/// [`group_plain`] four slots at a time with AVX2 (the same operations, no fused
/// multiply-adds: the same numbers); more than two ancestors go the plain way.
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
#[allow(clippy::too_many_arguments)]
fn group_avx2(gs: &[f64], lev: &Level, b: usize, e: usize, cst: &[f64], base: f64, c_out: &mut [f64], acc_out: &mut [f64], mx: &mut [f64; 4]) {
    use std::arch::x86_64::*;
    let na = cst.len();
    if na > 2 {
        return group_plain(gs, lev, b, e, cst, base, c_out, acc_out, mx);
    }
    let len = e - b;
    let gs = &gs[..len];
    let inv = &lev.inv[b..e];
    let store = !c_out.is_empty();
    if store {
        assert!(c_out.len() >= len && acc_out.len() >= len);
    }
    let a1: &[f64] = if na > 0 { &lev.anc[0][b..e] } else { gs };
    let a2: &[f64] = if na > 1 { &lev.anc[1][b..e] } else { gs };
    let c1 = _mm256_set1_pd(if na > 0 { cst[0] } else { 0.0 });
    let c2 = _mm256_set1_pd(if na > 1 { cst[1] } else { 0.0 });
    let vb = _mm256_set1_pd(base);
    debug_assert!(len % 4 == 0);
    // SAFETY: len is a multiple of 4 (padded groups) and every slice holds len values.
    unsafe {
        let mut m = _mm256_loadu_pd(mx.as_ptr());
        let mut i = 0;
        while i + 4 <= len {
            let mut v = _mm256_loadu_pd(gs.as_ptr().add(i));
            if na > 0 {
                v = _mm256_sub_pd(v, _mm256_mul_pd(_mm256_loadu_pd(a1.as_ptr().add(i)), c1));
            }
            if na > 1 {
                v = _mm256_sub_pd(v, _mm256_mul_pd(_mm256_loadu_pd(a2.as_ptr().add(i)), c2));
            }
            let c = _mm256_mul_pd(v, _mm256_loadu_pd(inv.as_ptr().add(i)));
            let acc = _mm256_add_pd(vb, _mm256_mul_pd(c, c));
            if store {
                _mm256_storeu_pd(c_out.as_mut_ptr().add(i), c);
                _mm256_storeu_pd(acc_out.as_mut_ptr().add(i), acc);
            }
            // max(acc, m): m where acc is NaN, as the plain path
            m = _mm256_max_pd(acc, m);
            i += 4;
        }
        _mm256_storeu_pd(mx.as_mut_ptr(), m);
    }
}

macro_rules! search_fn {
    ($(#[$attr:meta])* $name:ident, $group:ident, $chunks:expr) => {
        $(#[$attr])*
        fn $name(lv: &Levels, z: &[f64], kb: usize, s: &mut Scratch, best: &mut [f64], stop: Option<(usize, f64)>) -> bool {
            let n = lv.n;
            let mp = lv.mp;
            let (q0, q1) = (&lv.q0[..n], &lv.q1[..n]);
            let z = &z[..n];
            let c0 = dot(q0, z);
            let c1 = dot(q1, z);
            let mut r0 = 0.0;
            let g = &mut s.g[..mp];
            g.fill(0.0);
            for i in 0..n {
                let ri = z[i] - c0 * q0[i] - c1 * q1[i];
                r0 += ri * ri;
                let row = &lv.ht[i * mp..(i + 1) * mp];
                for (gj, h) in g.iter_mut().zip(row) {
                    *gj += h * ri;
                }
            }
            best[0] = r0;
            let g = &s.g[..mp];
            for l in 1..=kb {
                let lev = &lv.lv[l - 1];
                let top = l == kb;
                if top && l <= 3 && $chunks {
                    // the ancestors' projections and Σ c² per parent, then one loop
                    let np = lev.first.len();
                    let kp = &mut s.k[..4 * np];
                    for p in 0..np {
                        let (c1, c2, base) = match l {
                            1 => (0.0, 0.0, 0.0),
                            2 => (s.c[1][p], 0.0, s.acc[1][p]),
                            _ => (s.c[1][lv.lv[1].ppos[p] as usize], s.c[2][p], s.acc[2][p]),
                        };
                        kp[4 * p] = c1;
                        kp[4 * p + 1] = c2;
                        kp[4 * p + 2] = base;
                    }
                    // SAFETY: `$chunks` is true only in the AVX2 path (the processor has it).
                    #[allow(unused_unsafe)]
                    let lmax = unsafe { top_chunks(lev, g, &s.k[..4 * np], r0, best, stop) };
                    match lmax {
                        None => return true,
                        Some(m) => best[l] = if m == f64::NEG_INFINITY { f64::INFINITY } else { r0 - m },
                    }
                    continue;
                }
                let mut mx = [f64::NEG_INFINITY; 4];
                let mut checked = f64::NEG_INFINITY;
                let (lower, upper) = s.c.split_at_mut(l);
                let (acc_lower, acc_upper) = s.acc.split_at_mut(l);
                let (c_out, acc_out): (&mut [f64], &mut [f64]) =
                    if top { (&mut [], &mut []) } else { (&mut upper[0][..], &mut acc_upper[0][..]) };
                for p in 0..lev.first.len() {
                    let (b, e) = (lev.start[p], lev.start[p + 1]);
                    if b == e {
                        continue;
                    }
                    // the ancestors' projections (cst[k - 1]: level k) and their Σ c²
                    let mut cst = [0.0f64; 10];
                    let mut base = 0.0;
                    if l > 1 {
                        let mut q = p;
                        base = acc_lower[l - 1][q];
                        for k in (1..l).rev() {
                            cst[k - 1] = lower[k][q];
                            if k > 1 {
                                q = lv.lv[k - 1].ppos[q] as usize;
                            }
                        }
                    }
                    let j0 = lev.first[p] as usize;
                    let (co, ao): (&mut [f64], &mut [f64]) =
                        if top { (&mut [], &mut []) } else { (&mut c_out[b..e], &mut acc_out[b..e]) };
                    $group(&g[j0..j0 + (e - b)], lev, b, e, &cst[..l - 1], base, co, ao, &mut mx);
                    if top {
                        if let Some((ka, thr)) = stop {
                            if (p & 15) == 15 || p + 1 == lev.first.len() {
                                let lmax = mx[0].max(mx[1]).max(mx[2].max(mx[3]));
                                if lmax > checked {
                                    checked = lmax;
                                    let (a, sse) = (best[ka], r0 - lmax);
                                    if a > 0.0 && sse > 0.0 && a / sse >= thr {
                                        return true;
                                    }
                                }
                            }
                        }
                    }
                }
                let lmax = mx[0].max(mx[1]).max(mx[2].max(mx[3]));
                best[l] = if lmax == f64::NEG_INFINITY { f64::INFINITY } else { r0 - lmax };
            }
            false
        }
    };
}

search_fn!(#[inline(never)] search_plain, group_plain, false);
search_fn!(
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    search_avx2,
    group_avx2,
    true
);

/// The top level (at most 3 joinpoints) as one loop over chunks of 4 slots, each with
/// its parent's projections and Σ c² from `kp` (4 per parent: c_1, c_2, base): the
/// largest `acc` of the level, or `None` when `stop` says the permutation counts (as in
/// the per-parent walk, checked every 32 chunks and at the end).
#[cfg(target_arch = "x86_64")]
#[inline]
#[target_feature(enable = "avx2")]
fn top_chunks(lev: &Level, g: &[f64], kp: &[f64], r0: f64, best: &[f64], stop: Option<(usize, f64)>) -> Option<f64> {
    use std::arch::x86_64::*;
    let nch = lev.chunk_parent.len();
    let slots = lev.inv.len();
    assert!(lev.a1.len() == slots && lev.a2.len() == slots && slots == 4 * nch && lev.chunk_j.len() == nch);
    assert!(lev.chunk_parent.iter().all(|&p| 4 * (p as usize) + 3 <= kp.len()));
    assert!(lev.chunk_j.iter().all(|&j| j as usize + 4 <= g.len()));
    let mut checked = f64::NEG_INFINITY;
    let hmax = |m: __m256d| -> f64 {
        let mut o = [0.0f64; 4];
        // SAFETY: o holds 4 doubles.
        unsafe { _mm256_storeu_pd(o.as_mut_ptr(), m) };
        o[0].max(o[1]).max(o[2].max(o[3]))
    };
    // SAFETY: the indices were checked above: chunk ch covers slots 4ch..4ch+4, its
    // parent's 3 values and 4 hinge cross products lie inside kp and g.
    unsafe {
        let mut m = _mm256_set1_pd(f64::NEG_INFINITY);
        let mut m2 = m;
        let chunk = |ch: usize| -> __m256d {
            let p = *lev.chunk_parent.get_unchecked(ch) as usize;
            let j = *lev.chunk_j.get_unchecked(ch) as usize;
            let i = 4 * ch;
            let k = kp.as_ptr().add(4 * p);
            let c1 = _mm256_broadcast_sd(&*k);
            let c2 = _mm256_broadcast_sd(&*k.add(1));
            let base = _mm256_broadcast_sd(&*k.add(2));
            let v = _mm256_sub_pd(
                _mm256_sub_pd(_mm256_loadu_pd(g.as_ptr().add(j)), _mm256_mul_pd(_mm256_loadu_pd(lev.a1.as_ptr().add(i)), c1)),
                _mm256_mul_pd(_mm256_loadu_pd(lev.a2.as_ptr().add(i)), c2),
            );
            let c = _mm256_mul_pd(v, _mm256_loadu_pd(lev.inv.as_ptr().add(i)));
            _mm256_add_pd(base, _mm256_mul_pd(c, c))
        };
        let mut ch = 0;
        while ch < nch {
            let stop_at = (ch + 32).min(nch);
            // two running maxima: independent chains
            while ch + 2 <= stop_at {
                m = _mm256_max_pd(chunk(ch), m);
                m2 = _mm256_max_pd(chunk(ch + 1), m2);
                ch += 2;
            }
            if ch < stop_at {
                m = _mm256_max_pd(chunk(ch), m);
                ch += 1;
            }
            if let Some((ka, thr)) = stop {
                let lmax = hmax(m).max(hmax(m2));
                if lmax > checked {
                    checked = lmax;
                    let (a, sse) = (best[ka], r0 - lmax);
                    if a > 0.0 && sse > 0.0 && a / sse >= thr {
                        return None;
                    }
                }
            }
        }
        m = _mm256_max_pd(m2, m);
        Some(hmax(m))
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn top_chunks(_: &Level, _: &[f64], _: &[f64], _: f64, _: &[f64], _: Option<(usize, f64)>) -> Option<f64> {
    unreachable!("the chunked loop is the AVX2 path's")
}

fn has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::arch::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Per-thread scratch of [`Levels::search`].
struct Scratch {
    g: Vec<f64>,
    /// Per parent of the top level: its ancestors' projections and Σ c² (4 per parent).
    k: Vec<f64>,
    /// Projections and cumulated squared projections per slot and level (index = level).
    c: Vec<Vec<f64>>,
    acc: Vec<Vec<f64>>,
}

impl Scratch {
    fn new(lv: &Levels) -> Scratch {
        let mut c = vec![Vec::new()];
        let mut acc = vec![Vec::new()];
        for l in &lv.lv {
            c.push(vec![0.0; l.inv.len()]);
            acc.push(vec![0.0; l.inv.len()]);
        }
        let parents = lv.lv.iter().map(|l| l.first.len()).max().unwrap_or(1);
        Scratch {
            g: vec![0.0; lv.mp],
            k: vec![0.0; 4 * parents],
            c,
            acc,
        }
    }
}

/// The statistic `Q_ka / Q_kb` from SSEs, as the tree walk defines it.
fn sse_ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else if a > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

/// Draw `nperm` permutations of `0..n` (Fisher–Yates from the end, Lemire's unbiased
/// draws as [`Rng::below`], the same stream), one after another.
fn draw_permutations(n: usize, nperm: usize, rng: &mut Rng) -> Vec<u32> {
    // Rng::below's rejection threshold per bound, computed once
    let thr: Vec<u64> = (0..=n as u64).map(|k| if k == 0 { 0 } else { k.wrapping_neg() % k }).collect();
    let mut perms: Vec<u32> = Vec::with_capacity(nperm * n);
    let mut idx: Vec<u32> = (0..n as u32).collect();
    for _ in 0..nperm {
        for i in (1..n).rev() {
            let k = (i + 1) as u64;
            let j = loop {
                let m = (rng.next_u64() as u128) * (k as u128);
                if (m as u64) >= thr[i + 1] {
                    break (m >> 64) as usize;
                }
            };
            idx.swap(i, j);
        }
        perms.extend_from_slice(&idx);
    }
    perms
}

/// Count the permutations in `lo..hi` whose statistic reaches `thr`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn count_block(
    lv: &Levels,
    perms: &[u32],
    fitw: &[f64],
    res: &[f64],
    ka: usize,
    kb: usize,
    thr: f64,
    lo: usize,
    hi: usize,
) -> usize {
    let n = lv.n;
    let mut s = Scratch::new(lv);
    let mut best = vec![0.0; kb + 1];
    let mut zs = vec![0.0; n];
    let mut cnt = 0usize;
    for pi in lo..hi {
        let perm = &perms[pi * n..(pi + 1) * n];
        for i in 0..n {
            zs[i] = fitw[i] + res[perm[i] as usize];
        }
        if lv.search(&zs, kb, &mut s, &mut best, Some((ka, thr))) || sse_ratio(best[ka], best[kb]) >= thr {
            cnt += 1;
        }
    }
    cnt
}

/// The permutation test of `H0: k = ka` vs `H1: k = kb`: (statistic, p-value).
/// `levels` holds the sets of at most `kb' >= kb` joinpoints; only levels up to `kb` are
/// walked.
#[allow(clippy::too_many_arguments)]
fn permutation_test(
    levels: &Levels,
    zw: &[f64],
    sw: &[f64],
    models: &[KModel],
    ka: usize,
    kb: usize,
    nperm: usize,
    rng: &mut Rng,
) -> Result<(f64, f64)> {
    let n = levels.n;
    // null fit (weighted scale) and its weighted residuals
    let eta = &models[ka].eta;
    let fitw: Vec<f64> = (0..n).map(|i| eta[i] * sw[i]).collect();
    let res: Vec<f64> = (0..n).map(|i| zw[i] - fitw[i]).collect();
    // all permutations drawn up front, sequentially (reproducible)
    let perms = draw_permutations(n, nperm, rng);
    // only the sets of at most kb joinpoints matter here (levels 1..=kb)
    let lv = levels;
    // the observed statistic the same way as the permuted ones
    let mut s = Scratch::new(lv);
    let mut best = vec![0.0; kb + 1];
    lv.search(zw, kb, &mut s, &mut best, None);
    let stat = sse_ratio(best[ka], best[kb]);
    let thr = stat * (1.0 - 1e-12);
    const B: usize = 64;
    let nb = nperm.div_ceil(B);
    let sets: usize = lv.lv[..kb].iter().map(|l| l.inv.len()).sum();
    let cost = B * (sets * 2 + n * lv.mp).max(1);
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
                    count_block(lv, &perms, &fitw, &res, ka, kb, thr, lo, hi)
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

/// The permutation test as it was before [`Levels`] (a tree walk per permutation): the
/// module tests hold the new one to the same statistics and p-values.
#[cfg(test)]
#[allow(clippy::too_many_arguments)]
fn permutation_test_reference(
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
    let count: usize = crate::interrupt::in_blocks(
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A series with a joinpoint or none, noisy, positive; weights varying.
    fn series(rng: &mut Rng, n: usize, jump: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        let x: Vec<f64> = (0..n).map(|i| 1990.0 + i as f64).collect();
        let tau = x[n / 2];
        let y: Vec<f64> = x
            .iter()
            .map(|&xi| {
                let u = (0..12).map(|_| rng.next_u64() as f64 / u64::MAX as f64).sum::<f64>() - 6.0;
                (3.0 + 0.02 * (xi - x[0]) + jump * (xi - tau).max(0.0) + 0.05 * u).exp()
            })
            .collect();
        let w: Vec<f64> = (0..n).map(|i| 0.5 + (i % 7) as f64 / 3.0).collect();
        (x, y, w)
    }

    fn setup(x: &[f64], y: &[f64], w: &[f64], kmax: usize, end: usize, between: usize) -> (Tree, Vec<f64>, Vec<f64>) {
        let sw: Vec<f64> = w.iter().map(|v| v.sqrt()).collect();
        let zw: Vec<f64> = y.iter().zip(&sw).map(|(a, b)| a.ln() * b).collect();
        (Tree::build(x, &sw, kmax, end, between), zw, sw)
    }

    #[test]
    fn levels_give_the_tree_walks_sses() {
        let mut rng = Rng::new(7);
        for &(n, kmax, end, between) in &[(40, 3, 2, 2), (25, 4, 1, 0), (12, 2, 2, 1), (40, 1, 3, 2), (30, 5, 2, 2)] {
            let (x, y, w) = series(&mut rng, n, -0.04);
            let (tree, zw, _) = setup(&x, &y, &w, kmax, end, between);
            let levels = Levels::new(&tree, kmax);
            let mut s = Scratch::new(&levels);
            for kb in 1..=kmax {
                let sub = tree.restrict(kb);
                for rep in 0..20 {
                    // the observed response, then shuffled ones
                    let mut z = zw.clone();
                    if rep > 0 {
                        for i in (1..n).rev() {
                            z.swap(i, rng.below(i + 1));
                        }
                    }
                    let (r, r0) = linear_residual(&sub, &z);
                    let mut g = vec![0.0; n];
                    let mut old = vec![(0.0, NONE); kb + 1];
                    sub.best_fast(&r, r0, kb, &mut g, &mut old);
                    let mut new = vec![0.0; kb + 1];
                    assert!(!levels.search(&z, kb, &mut s, &mut new, None));
                    for l in 0..=kb {
                        assert!((old[l].0 - new[l]).abs() <= 1e-12 * r0, "n {n} kmax {kmax} kb {kb} level {l}: {} vs {}", old[l].0, new[l]);
                    }
                }
            }
        }
    }

    #[test]
    fn permutation_tests_give_the_tree_walks_p_values() {
        let mut rng = Rng::new(11);
        for &(n, kmax, jump, nperm) in &[(40, 3, -0.04, 999), (40, 3, 0.0, 999), (20, 2, -0.08, 499), (30, 4, 0.0, 299)] {
            let (x, y, w) = series(&mut rng, n, jump);
            let p = JoinpointParams {
                max_joinpoints: kmax,
                ..JoinpointParams::default()
            };
            let fit = joinpoint(&x, &y, &w, (0..n).collect(), &p).unwrap();
            let (tree, zw, sw) = setup(&x, &y, &w, fit.max_joinpoints, p.min_obs_end, p.min_obs_between);
            let kmax = fit.max_joinpoints;
            let levels = Levels::new(&tree, kmax);
            for ka in 0..kmax {
                for kb in ka + 1..=kmax {
                    let mut r1 = Rng::new(3 + ka as u64);
                    let mut r2 = r1.clone();
                    let old = permutation_test_reference(&tree, &zw, &sw, &fit.models, ka, kb, nperm, &mut r1).unwrap();
                    let new = permutation_test(&levels, &zw, &sw, &fit.models, ka, kb, nperm, &mut r2).unwrap();
                    assert!((old.0 - new.0).abs() <= 1e-10 * old.0, "statistic n {n} {ka} vs {kb}");
                    assert_eq!(old.1, new.1, "p-value n {n} {ka} vs {kb}");
                    assert_eq!(r1.next_u64(), r2.next_u64(), "the same draws");
                }
            }
        }
    }

    /// `cargo test --release -p hrrstats-core --lib joinpoint::tests::speed -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn speed_against_the_tree_walk() {
        let mut rng = Rng::new(1);
        let n_series = 8;
        let nperm = 4999;
        let data: Vec<_> = (0..n_series).map(|_| series(&mut rng, 40, -0.04)).collect();
        let p = JoinpointParams::default();
        let mut fits = Vec::new();
        for (x, y, w) in &data {
            fits.push(joinpoint(x, y, w, (0..40).collect(), &p).unwrap());
        }
        let t0 = std::time::Instant::now();
        for _ in 0..24 {
            std::hint::black_box(draw_permutations(40, nperm, &mut rng));
        }
        eprintln!("draws: {:.3} s", t0.elapsed().as_secs_f64());
        let t0 = std::time::Instant::now();
        for (x, y, w) in &data {
            let (tree, _, _) = setup(x, y, w, 3, 2, 2);
            std::hint::black_box(Levels::new(&tree, 3));
        }
        eprintln!("trees: {:.3} s", t0.elapsed().as_secs_f64());
        {
            let (x, y, w) = &data[0];
            let (tree, zw, sw) = setup(x, y, w, 3, 2, 2);
            let levels = Levels::new(&tree, 3);
            let mut plain = Levels::new(&tree, 3);
            plain.avx2 = false;
            let eta = &fits[0].models[0].eta;
            let fitw: Vec<f64> = (0..40).map(|i| eta[i] * sw[i]).collect();
            let res: Vec<f64> = (0..40).map(|i| zw[i] - fitw[i]).collect();
            let perms = draw_permutations(40, nperm, &mut rng);
            let cpu = || -> f64 {
                std::fs::read_to_string("/proc/thread-self/schedstat")
                    .ok()
                    .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()))
                    .unwrap_or(f64::NAN)
                    / 1e9
            };
            for (name, lv) in [("plain", &plain), ("avx2", &levels)] {
                let t0 = std::time::Instant::now();
                let c0 = cpu();
                let mut c = 0;
                for _ in 0..24 {
                    c += count_block(lv, &perms, &fitw, &res, 0, 3, f64::INFINITY, 0, nperm);
                }
                let c1 = cpu();
                eprintln!("{name}: 24 x {nperm} searches (one thread): {:.3} s wall, {:.3} s cpu: {:.2} us per search {c}", t0.elapsed().as_secs_f64(), c1 - c0, (c1 - c0) / (24.0 * nperm as f64) * 1e6);
            }
            let mut zs = vec![0.0; 40];
            let mut s = Scratch::new(&levels);
            let mut best = vec![0.0; 4];
            for kb in 1..=3 {
                let c0 = cpu();
                let mut acc = 0.0;
                for pi in 0..nperm {
                    for i in 0..40 {
                        zs[i] = fitw[i] + res[perms[pi * 40 + i] as usize];
                    }
                    for _ in 0..24 {
                        levels.search(&zs, kb, &mut s, &mut best, None);
                        acc += best[kb];
                    }
                }
                let c1 = cpu();
                eprintln!("levels 1 to {kb}: {:.2} us per search {acc}", (c1 - c0) / (24.0 * nperm as f64) * 1e6);
            }
            eprintln!("slots per level {:?}, chunks {:?}", levels.lv.iter().map(|l| l.inv.len()).collect::<Vec<_>>(), levels.lv.iter().map(|l| l.chunk_parent.len()).collect::<Vec<_>>());
        }
        for (name, new) in [("tree walk", false), ("levels", true), ("tree walk", false), ("levels", true)] {
            let t0 = std::time::Instant::now();
            let mut ps = Vec::new();
            for ((x, y, w), fit) in data.iter().zip(&fits) {
                let (tree, zw, sw) = setup(x, y, w, 3, 2, 2);
                let levels = Levels::new(&tree, 3);
                let mut r = Rng::new(1);
                for (ka, kb) in [(0, 3), (1, 3), (1, 2)] {
                    let t = if new {
                        permutation_test(&levels, &zw, &sw, &fit.models, ka, kb, nperm, &mut r).unwrap()
                    } else {
                        permutation_test_reference(&tree, &zw, &sw, &fit.models, ka, kb, nperm, &mut r).unwrap()
                    };
                    ps.push(t.1);
                }
            }
            eprintln!("{name}: {} series x 3 tests x {nperm} permutations: {:.3} s; p {:?}", n_series, t0.elapsed().as_secs_f64(), &ps[..6]);
        }
    }

    #[test]
    fn the_vector_and_plain_paths_count_alike() {
        let mut rng = Rng::new(5);
        let (x, y, w) = series(&mut rng, 40, -0.02);
        let p = JoinpointParams::default();
        let fit = joinpoint(&x, &y, &w, (0..40).collect(), &p).unwrap();
        let (tree, zw, sw) = setup(&x, &y, &w, 3, 2, 2);
        let levels = Levels::new(&tree, 3);
        let mut plain = Levels::new(&tree, 3);
        plain.avx2 = false;
        let eta = &fit.models[0].eta;
        let fitw: Vec<f64> = (0..40).map(|i| eta[i] * sw[i]).collect();
        let res: Vec<f64> = (0..40).map(|i| zw[i] - fitw[i]).collect();
        let perms = draw_permutations(40, 300, &mut rng);
        // every permutation's statistic without stopping early
        let mut s = Scratch::new(&plain);
        let mut best = vec![0.0; 4];
        let mut zs = vec![0.0; 40];
        for (ka, kb) in [(0, 3), (1, 3), (0, 2), (1, 2), (2, 3)] {
            let mut stats: Vec<f64> = (0..300)
                .map(|pi| {
                    for i in 0..40 {
                        zs[i] = fitw[i] + res[perms[pi * 40 + i] as usize];
                    }
                    plain.search(&zs, kb, &mut s, &mut best, None);
                    sse_ratio(best[ka], best[kb])
                })
                .collect();
            stats.sort_by(f64::total_cmp);
            let exact = |thr: f64| stats.iter().filter(|&&t| t >= thr).count();
            for q in [0, 30, 150, 270, 299] {
                let thr = stats[q];
                let a = count_block(&plain, &perms, &fitw, &res, ka, kb, thr, 0, 300);
                let b = count_block(&levels, &perms, &fitw, &res, ka, kb, thr, 0, 300);
                assert_eq!(a, exact(thr), "{ka} vs {kb}, threshold {thr}: stopping early");
                assert_eq!(a, b, "{ka} vs {kb}, threshold {thr}: AVX2");
            }
        }
    }
}
