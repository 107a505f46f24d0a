//! Generalised estimating equations, as `geepack::geeglm` (geese's estimating
//! equations and sandwich).
//!
//! Mean `g(μ_ij) = x_ij'β + offset_ij`, working covariance of cluster `i`
//! `V_i = φ A_i^½ W_i^-½ R_i(α) W_i^-½ A_i^½` (`A` = the family's variance function,
//! `W` = prior weights). With Pearson residuals `r_ij = (y_ij - μ_ij)/√V(μ_ij)`,
//! `D_ij = μ'(η_ij) x_ij / √V(μ_ij)`, `D̃ = W^½ D`, `r̃ = W^½ r`:
//!
//! * `β`: Fisher scoring `β += (Σ_i D̃_i'R_i⁻¹D̃_i)⁻¹ Σ_i D̃_i'R_i⁻¹ r̃_i`, the step halved
//!   while some `μ` is outside the family's range;
//! * `φ = Σ w r² / Σ w` (geese's scale equation with the identity scale link: no
//!   `N - p` correction, estimated for every family unless `scale_fix`);
//! * `α` from geese's equations `Σ_i Σ_{j<k} w_ij w_ik ∂ρ_jk/∂α (r_ij r_ik / φ - ρ_jk(α)) = 0`:
//!   exchangeable `α = Σ w w r r / (φ Σ w w)`; ar1 `ρ_jk = α^|t_j - t_k|` (one
//!   Fisher-scoring step per iteration, as geese); unstructured one `α_ab` per pair of
//!   waves `a < b`, `α_ab = Σ w w r r / (φ Σ w w)` over the pairs at those waves;
//!
//! one update of each per iteration in geese's order (β, then φ at the new β, then α
//! at the new φ), until the largest absolute change of β and α, and the change of φ
//! relative to max(1, φ), is at most `epsilon` (geese: the absolute change of φ too). Variances at the final values: model-based ("naive")
//! `φ (Σ D̃'R⁻¹D̃)⁻¹` and robust (sandwich) `B⁻¹ (Σ_i U_i U_i') B⁻¹` with
//! `B = Σ D̃'R⁻¹D̃`, `U_i = D̃_i'R_i⁻¹ r̃_i` (geepack's `vbeta`, `std.err = "san.se"`).
//!
//! Work per iteration is O(n p²): `R_i⁻¹` is never formed; each cluster's columns are
//! whitened by `R_i^-½` in closed form (exchangeable: `(1-α)^-½ (I - (1-s) J/m)` with
//! `s² = (1-α)/(1+(m-1)α)`; ar1: the Markov recursion `e_k = (a_k - ρ_k a_{k-1})/√(1-ρ_k²)`
//! along the cluster's waves; unstructured: the Cholesky factor of the cluster's
//! `m x m` matrix), and clusters are summed in parallel. The ar1 and unstructured `α`
//! equations sum over the pairs within a cluster (O(Σ m_i²), as geese).
//!
//! Clusters need not be contiguous: rows are grouped by cluster stably (geeglm treats
//! each run of equal ids as a cluster, so on data sorted by id the two agree). Waves
//! are ranked as geeglm's `as.factor(waves)` codes (distances between distinct wave
//! values in rank order, not in value); within a cluster, rows are ordered by wave.
//! Without `waves`, a row's wave is its position within its cluster.
//!
//! References: Liang KY, Zeger SL (1986) Biometrika 73:13-22; Yan J, Fine J (2004)
//! Stat Med 23:859-874 (geese); Halekoh U, Højsgaard S, Yan J (2006) J Stat Softw
//! 15(2) (geepack).

use std::sync::Arc;

use rayon::prelude::*;

use super::{Family, GlmData, GlmParams, Link};
use crate::error::{Error, Result};

/// Working correlation structures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CorStr {
    #[default]
    Independence,
    Exchangeable,
    Ar1,
    Unstructured,
}

crate::option_enum!(CorStr, "corstr", "independence" => CorStr::Independence, "exchangeable" => CorStr::Exchangeable, "ar1" => CorStr::Ar1, "unstructured" => CorStr::Unstructured);

/// Most distinct waves for the unstructured correlation (each pair a parameter).
const MAX_UNSTRUCTURED_WAVES: usize = 100;

/// Options of a GEE fit.
#[derive(Debug, Clone)]
pub struct GeeParams {
    pub corstr: CorStr,
    /// Convergence: largest absolute change of β, φ and α (geese's `epsilon`).
    pub epsilon: f64,
    pub max_iter: usize,
    /// `Some(φ)`: the scale fixed at φ (geeglm's `scale.fix = TRUE, scale.value = φ`).
    pub scale_fix: Option<f64>,
}

impl Default for GeeParams {
    fn default() -> Self {
        GeeParams {
            corstr: CorStr::Independence,
            epsilon: 1e-10,
            max_iter: 100,
            scale_fix: None,
        }
    }
}

/// A fitted GEE.
#[derive(Debug, Clone)]
pub struct GeeFit {
    /// Coefficient names (`(Intercept)` first when there is one).
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    /// Robust (sandwich) variance, row-major `p x p`, and its standard errors.
    pub var: Vec<f64>,
    pub se: Vec<f64>,
    /// Model-based variance `φ (Σ D̃'R⁻¹D̃)⁻¹` and its standard errors.
    pub naive_var: Vec<f64>,
    pub naive_se: Vec<f64>,
    /// Correlation parameters (none for independence) and their names.
    pub alpha: Vec<f64>,
    pub alpha_names: Vec<String>,
    pub scale: f64,
    pub n_clusters: usize,
    pub max_cluster_size: usize,
    pub iterations: usize,
    pub converged: bool,
    /// Fitted means and linear predictors, in the rows' input order.
    pub fitted: Vec<f64>,
    pub linear_predictors: Vec<f64>,
    pub warnings: Vec<String>,
    pub family: Family,
    pub link: Arc<dyn Link>,
    pub intercept: bool,
    pub corstr: CorStr,
}

/// The data in cluster order: row-major design (intercept first), response, weights,
/// offsets, wave ranks (1-based), cluster boundaries, and each position's input row.
struct Grouped {
    p: usize,
    x: Vec<f64>,
    y: Vec<f64>,
    w: Vec<f64>,
    off: Vec<f64>,
    wave: Vec<u32>,
    starts: Vec<usize>,
    row: Vec<usize>,
    n_waves: usize,
}

impl Grouped {
    fn build(
        data: &GlmData,
        intercept: bool,
        cluster: &[u32],
        waves: Option<&[f64]>,
        corstr: CorStr,
    ) -> Result<Grouped> {
        let n = data.n();
        crate::data::check_len("cluster", cluster.len(), "y", n)?;
        // Clusters in order of first appearance; rows within a cluster in input order.
        let max_code = cluster.iter().copied().max().unwrap_or(0) as usize;
        let mut slot = vec![u32::MAX; max_code + 1];
        let mut sizes: Vec<usize> = Vec::new();
        for &c in cluster {
            let s = &mut slot[c as usize];
            if *s == u32::MAX {
                *s = sizes.len() as u32;
                sizes.push(0);
            }
            sizes[*s as usize] += 1;
        }
        let mut starts = Vec::with_capacity(sizes.len() + 1);
        starts.push(0);
        for s in &sizes {
            starts.push(starts.last().unwrap() + s);
        }
        let mut next = starts.clone();
        let mut row = vec![0usize; n];
        for (i, &c) in cluster.iter().enumerate() {
            let k = slot[c as usize] as usize;
            row[next[k]] = i;
            next[k] += 1;
        }
        // Wave ranks: geeglm's as.integer(as.factor(waves)).
        let mut wave = vec![0u32; n];
        let n_waves;
        match waves {
            Some(wv) => {
                crate::data::check_len("waves", wv.len(), "y", n)?;
                crate::data::check_finite("waves", wv)?;
                let mut distinct: Vec<f64> = wv.to_vec();
                distinct.sort_by(|a, b| a.partial_cmp(b).expect("finite"));
                distinct.dedup();
                n_waves = distinct.len();
                for (pos, &i) in row.iter().enumerate() {
                    let r = distinct.partition_point(|&d| d < wv[i]);
                    wave[pos] = r as u32 + 1;
                }
            }
            None => {
                for c in 0..sizes.len() {
                    for (k, pos) in (starts[c]..starts[c + 1]).enumerate() {
                        wave[pos] = k as u32 + 1;
                    }
                }
                n_waves = sizes.iter().copied().max().unwrap_or(0);
            }
        }
        // Within a cluster, order by wave (stable); ar1 and unstructured need
        // distinct waves.
        if waves.is_some() {
            for c in 0..sizes.len() {
                let (a, b) = (starts[c], starts[c + 1]);
                let mut idx: Vec<(u32, usize)> = (a..b).map(|pos| (wave[pos], row[pos])).collect();
                idx.sort_by_key(|&(t, r)| (t, r));
                for (k, (t, r)) in idx.iter().enumerate() {
                    wave[a + k] = *t;
                    row[a + k] = *r;
                }
                if matches!(corstr, CorStr::Ar1 | CorStr::Unstructured) {
                    if let Some(k) = (a + 1..b).find(|&k| wave[k] == wave[k - 1]) {
                        let wv = waves.expect("waves");
                        return Err(Error::InvalidValue {
                            arg: "waves",
                            row: row[k],
                            value: wv[row[k]],
                            problem: "repeats a wave of its cluster (ar1 and unstructured need distinct waves within a cluster)",
                        });
                    }
                }
            }
        }
        if corstr == CorStr::Unstructured && n_waves > MAX_UNSTRUCTURED_WAVES {
            return Err(Error::InvalidArgument {
                arg: "waves",
                reason: format!(
                    "{n_waves} distinct waves give {} unstructured correlations; at most {MAX_UNSTRUCTURED_WAVES} waves are allowed",
                    n_waves * (n_waves - 1) / 2
                ),
            });
        }
        let p = data.x.p() + intercept as usize;
        let mut x = vec![0.0; n * p];
        for (pos, &i) in row.iter().enumerate() {
            let xr = &mut x[pos * p..(pos + 1) * p];
            let mut j0 = 0;
            if intercept {
                xr[0] = 1.0;
                j0 = 1;
            }
            for j in 0..data.x.p() {
                xr[j0 + j] = data.x.column(j)[i];
            }
        }
        Ok(Grouped {
            p,
            x,
            y: row.iter().map(|&i| data.y[i]).collect(),
            w: row.iter().map(|&i| data.w(i)).collect(),
            off: row.iter().map(|&i| data.off(i)).collect(),
            wave,
            starts,
            row,
            n_waves,
        })
    }

    fn n_clusters(&self) -> usize {
        self.starts.len() - 1
    }

    fn max_size(&self) -> usize {
        self.starts
            .windows(2)
            .map(|s| s[1] - s[0])
            .max()
            .unwrap_or(0)
    }
}

/// 0-based index of the unstructured pair of waves `a < b` (1-based, of `nw`), in
/// geepack's order (1:2, 1:3, ..., 1:nw, 2:3, ...).
fn pair_index(a: usize, b: usize, nw: usize) -> usize {
    (a - 1) * nw - (a - 1) * a / 2 + (b - a) - 1
}

/// The model: family, link, correlation.
struct Model<'a> {
    g: &'a Grouped,
    family: Family,
    link: &'a dyn Link,
    corstr: CorStr,
}

/// Sums of one pass for β over a range of clusters.
#[derive(Clone)]
struct BetaSums {
    b: Vec<f64>,
    g: Vec<f64>,
    meat: Vec<f64>,
    buf: Vec<f64>,
    u: Vec<f64>,
    bad: bool,
}

/// Sums of one pass for φ and α.
#[derive(Clone)]
struct MomentSums {
    wr2: f64,
    wsum: f64,
    invalid: bool,
    /// exchangeable: pairs Σ wr wr, Σ w w; ar1: Σ ww E rr, Σ ww E ρ, Σ ww E²;
    /// unstructured: per pair Σ ww rr then per pair Σ ww.
    s: Vec<f64>,
}

/// Clusters per block of the parallel sums.
const BLOCK: usize = 512;

/// Fold `body` over the clusters `0..n` in fixed blocks (in parallel), then combine the
/// blocks' results in block order with `join`: the same sums, to the last bit, on every
/// run whatever the number of threads.
fn fold_clusters<T: Send>(
    n: usize,
    init: impl Fn() -> T + Sync,
    body: impl Fn(T, usize) -> T + Sync,
    join: impl Fn(T, T) -> T,
) -> T {
    let parts: Vec<T> = (0..n.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let mut acc = init();
            for ci in b * BLOCK..((b + 1) * BLOCK).min(n) {
                acc = body(acc, ci);
            }
            acc
        })
        .collect();
    parts.into_iter().fold(init(), join)
}

impl Model<'_> {
    fn n_alpha(&self) -> usize {
        match self.corstr {
            CorStr::Independence => 0,
            CorStr::Exchangeable | CorStr::Ar1 => 1,
            CorStr::Unstructured => self.g.n_waves * self.g.n_waves.saturating_sub(1) / 2,
        }
    }

    /// Whiten the `m x (p+1)` row-major block `buf` (rows: the cluster's positions
    /// `a..a+m`) by `R^-½`. False when `R` is not positive definite.
    fn whiten(&self, alpha: &[f64], a: usize, m: usize, buf: &mut [f64]) -> bool {
        let c = self.g.p + 1;
        if m == 1 {
            return true;
        }
        match self.corstr {
            CorStr::Independence => true,
            CorStr::Exchangeable => {
                let al = alpha[0];
                let d = 1.0 + (m as f64 - 1.0) * al;
                if !(al < 1.0 && d > 0.0) {
                    return false;
                }
                let s = ((1.0 - al) / d).sqrt();
                let f = 1.0 / (1.0 - al).sqrt();
                for j in 0..c {
                    let mean = (0..m).map(|k| buf[k * c + j]).sum::<f64>() / m as f64;
                    for k in 0..m {
                        buf[k * c + j] = (buf[k * c + j] - (1.0 - s) * mean) * f;
                    }
                }
                true
            }
            CorStr::Ar1 => {
                let al = alpha[0];
                if !(al.abs() < 1.0) {
                    return false;
                }
                for k in (1..m).rev() {
                    let dt = self.g.wave[a + k] - self.g.wave[a + k - 1];
                    let rho = al.powi(dt as i32);
                    let f = 1.0 / (1.0 - rho * rho).sqrt();
                    for j in 0..c {
                        buf[k * c + j] = (buf[k * c + j] - rho * buf[(k - 1) * c + j]) * f;
                    }
                }
                true
            }
            CorStr::Unstructured => {
                let nw = self.g.n_waves;
                let mut l = vec![0.0; m * m];
                for i in 0..m {
                    for j in 0..=i {
                        let rij = if i == j {
                            1.0
                        } else {
                            let (ta, tb) =
                                (self.g.wave[a + j] as usize, self.g.wave[a + i] as usize);
                            alpha[pair_index(ta, tb, nw)]
                        };
                        let mut s = rij;
                        for k in 0..j {
                            s -= l[i * m + k] * l[j * m + k];
                        }
                        if i == j {
                            if !(s > 0.0) {
                                return false;
                            }
                            l[i * m + i] = s.sqrt();
                        } else {
                            l[i * m + j] = s / l[j * m + j];
                        }
                    }
                }
                for j in 0..c {
                    for i in 0..m {
                        let mut s = buf[i * c + j];
                        for k in 0..i {
                            s -= l[i * m + k] * buf[k * c + j];
                        }
                        buf[i * c + j] = s / l[i * m + i];
                    }
                }
                true
            }
        }
    }

    /// The per-row quantities at `beta` into `cache` (`f = √w μ'(η)/√V(μ)` and
    /// `r̃ = √w (y - μ)/√V(μ)`, two per position) and the sums of the scale and
    /// correlation equations at `beta` (α enters only the ar1 equation's derivative).
    fn rows_pass(&self, beta: &[f64], alpha: &[f64], cache: &mut [f64]) -> MomentSums {
        let p = self.g.p;
        let nc = self.g.n_clusters();
        let mmax = self.g.max_size();
        let ns = match self.corstr {
            CorStr::Independence => 0,
            CorStr::Exchangeable => 2,
            CorStr::Ar1 => 3,
            CorStr::Unstructured => 2 * self.n_alpha(),
        };
        let init = || MomentSums {
            wr2: 0.0,
            wsum: 0.0,
            invalid: false,
            s: vec![0.0; ns],
        };
        let nb = nc.div_ceil(BLOCK);
        let mut slices = Vec::with_capacity(nb);
        let mut rest = cache;
        for b in 0..nb {
            let (lo, hi) = (
                self.g.starts[b * BLOCK],
                self.g.starts[((b + 1) * BLOCK).min(nc)],
            );
            let (head, tail) = rest.split_at_mut(2 * (hi - lo));
            slices.push((b, head));
            rest = tail;
        }
        let parts: Vec<MomentSums> = slices
            .into_par_iter()
            .map(|(b, sl)| {
                let mut acc = init();
                let mut wr = vec![0.0; mmax];
                let base = self.g.starts[b * BLOCK];
                for ci in b * BLOCK..((b + 1) * BLOCK).min(nc) {
                    let (a, e) = (self.g.starts[ci], self.g.starts[ci + 1]);
                    for pos in a..e {
                        let xr = &self.g.x[pos * p..(pos + 1) * p];
                        let eta =
                            xr.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>() + self.g.off[pos];
                        let mu = self.link.inverse(eta);
                        if !self.family.valid_mu(mu) || !self.link.valid_eta(eta) {
                            acc.invalid = true;
                        }
                        let sv = self.family.variance(mu).sqrt();
                        let w = self.g.w[pos];
                        let sw = w.sqrt();
                        let r = (self.g.y[pos] - mu) / sv;
                        sl[2 * (pos - base)] = sw * self.link.mu_eta(eta) / sv;
                        sl[2 * (pos - base) + 1] = sw * r;
                        wr[pos - a] = w * r;
                        acc.wr2 += w * r * r;
                        acc.wsum += w;
                    }
                    self.add_moments(&mut acc, a, e, &wr[..e - a], alpha);
                }
                acc
            })
            .collect();
        parts.into_iter().fold(init(), |mut a, b| {
            a.wr2 += b.wr2;
            a.wsum += b.wsum;
            a.invalid |= b.invalid;
            for (x, y) in a.s.iter_mut().zip(&b.s) {
                *x += y;
            }
            a
        })
    }

    /// One pass over the clusters with the rows of [`Model::rows_pass`] (`cache`) and
    /// `alpha`: `B = Σ D̃'R⁻¹D̃`, `g = Σ D̃'R⁻¹r̃` and (with `meat`) `Σ U U'`.
    fn pass(&self, cache: &[f64], alpha: &[f64], meat: bool) -> Result<BetaSums> {
        let p = self.g.p;
        let c = p + 1;
        let mmax = self.g.max_size();
        let init = || BetaSums {
            b: vec![0.0; p * p],
            g: vec![0.0; p],
            meat: if meat { vec![0.0; p * p] } else { Vec::new() },
            buf: vec![0.0; mmax * c],
            u: vec![0.0; p],
            bad: false,
        };
        let s = fold_clusters(
            self.g.n_clusters(),
            init,
            |mut acc, ci| {
                let (a, e) = (self.g.starts[ci], self.g.starts[ci + 1]);
                let m = e - a;
                let buf = &mut acc.buf[..m * c];
                for k in 0..m {
                    let pos = a + k;
                    let xr = &self.g.x[pos * p..(pos + 1) * p];
                    let f = cache[2 * pos];
                    let row = &mut buf[k * c..(k + 1) * c];
                    for j in 0..p {
                        row[j] = f * xr[j];
                    }
                    row[p] = cache[2 * pos + 1];
                }
                if !self.whiten(alpha, a, m, buf) {
                    acc.bad = true;
                    return acc;
                }
                let mut u = std::mem::take(&mut acc.u);
                u.iter_mut().for_each(|v| *v = 0.0);
                for k in 0..m {
                    let row = &buf[k * c..(k + 1) * c];
                    let r = row[p];
                    for j in 0..p {
                        let dj = row[j];
                        u[j] += dj * r;
                        let bj = &mut acc.b[j * p..(j + 1) * p];
                        for l in j..p {
                            bj[l] += dj * row[l];
                        }
                    }
                }
                for j in 0..p {
                    acc.g[j] += u[j];
                }
                if meat {
                    for j in 0..p {
                        for l in j..p {
                            acc.meat[j * p + l] += u[j] * u[l];
                        }
                    }
                }
                acc.u = u;
                acc
            },
            |mut a, b| {
                a.bad |= b.bad;
                for (x, y) in a.b.iter_mut().zip(&b.b) {
                    *x += y;
                }
                for (x, y) in a.g.iter_mut().zip(&b.g) {
                    *x += y;
                }
                for (x, y) in a.meat.iter_mut().zip(&b.meat) {
                    *x += y;
                }
                a
            },
        );
        let mut s = s;
        for j in 0..p {
            for l in 0..j {
                s.b[j * p + l] = s.b[l * p + j];
                if meat {
                    s.meat[j * p + l] = s.meat[l * p + j];
                }
            }
        }
        if s.bad {
            return Err(Error::Data {
                arg: "corstr",
                reason: format!(
                    "the working correlation ({}, alpha = {:?}) is not positive definite for some cluster",
                    <CorStr as crate::options::OptionEnum>::name(self.corstr),
                    alpha
                ),
            });
        }
        Ok(s)
    }

    /// A cluster's terms of the correlation equations from its rows' `w r` (positions
    /// `a..e`).
    fn add_moments(&self, acc: &mut MomentSums, a: usize, e: usize, wr: &[f64], alpha: &[f64]) {
        let q = self.n_alpha();
        let nw = self.g.n_waves;
        match self.corstr {
            CorStr::Independence => {}
            CorStr::Exchangeable => {
                let (mut swr, mut swr2, mut sw, mut sw2) = (0.0, 0.0, 0.0, 0.0);
                for k in 0..e - a {
                    let w = self.g.w[a + k];
                    swr += wr[k];
                    swr2 += wr[k] * wr[k];
                    sw += w;
                    sw2 += w * w;
                }
                acc.s[0] += (swr * swr - swr2) / 2.0;
                acc.s[1] += (sw * sw - sw2) / 2.0;
            }
            CorStr::Ar1 => {
                let al = alpha[0];
                for j in a..e {
                    for k in j + 1..e {
                        let d = (self.g.wave[k] - self.g.wave[j]) as i32;
                        let ww = self.g.w[j] * self.g.w[k];
                        let ed = if d == 1 {
                            1.0
                        } else {
                            d as f64 * al.powi(d - 1)
                        };
                        acc.s[0] += ed * wr[j - a] * wr[k - a];
                        acc.s[1] += ww * ed * al.powi(d);
                        acc.s[2] += ww * ed * ed;
                    }
                }
            }
            CorStr::Unstructured => {
                for j in a..e {
                    for k in j + 1..e {
                        let idx = pair_index(self.g.wave[j] as usize, self.g.wave[k] as usize, nw);
                        acc.s[idx] += wr[j - a] * wr[k - a];
                        acc.s[q + idx] += self.g.w[j] * self.g.w[k];
                    }
                }
            }
        }
    }

    /// The new α from the sums (geese's update), given the new φ.
    fn alpha_update(&self, alpha: &[f64], s: &MomentSums, phi: f64) -> Result<Vec<f64>> {
        Ok(match self.corstr {
            CorStr::Independence => Vec::new(),
            CorStr::Exchangeable => {
                if s.s[1] > 0.0 {
                    vec![s.s[0] / (phi * s.s[1])]
                } else {
                    alpha.to_vec()
                }
            }
            CorStr::Ar1 => {
                if s.s[2] > 0.0 {
                    vec![alpha[0] + (s.s[0] / phi - s.s[1]) / s.s[2]]
                } else {
                    alpha.to_vec()
                }
            }
            CorStr::Unstructured => {
                let q = alpha.len();
                let nw = self.g.n_waves;
                let mut out = vec![0.0; q];
                for a in 1..nw {
                    for b in a + 1..=nw {
                        let idx = pair_index(a, b, nw);
                        if !(s.s[q + idx] > 0.0) {
                            return Err(Error::Data {
                                arg: "waves",
                                reason: format!(
                                    "no cluster has rows at both waves {a} and {b} (in rank order), so their unstructured correlation cannot be estimated"
                                ),
                            });
                        }
                        out[idx] = s.s[idx] / (phi * s.s[q + idx]);
                    }
                }
                out
            }
        })
    }
}

/// Invert a symmetric positive definite `p x p` matrix; None when singular.
fn invert(b: &[f64], p: usize) -> Option<Vec<f64>> {
    let mut m = b.to_vec();
    let rank = crate::linalg::cholesky2(&mut m, p, 1e-11);
    if rank != p as i64 {
        return None;
    }
    crate::linalg::chinv2(&mut m, p);
    Some(m)
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

impl GeeParams {
    /// Fit: `glm` gives the family, link, intercept and the starting values (its fit,
    /// as geeglm starts from `glm`'s coefficients); `cluster` the cluster of each row
    /// (codes), `waves` the optional wave (time order) of each row.
    pub fn fit(
        &self,
        glm: &GlmParams,
        data: &GlmData,
        cluster: &[u32],
        waves: Option<&[f64]>,
    ) -> Result<GeeFit> {
        if !(self.epsilon > 0.0) {
            return Err(Error::InvalidArgument {
                arg: "epsilon",
                reason: format!("must be positive, got {}", self.epsilon),
            });
        }
        if let Some(phi) = self.scale_fix {
            if !(phi.is_finite() && phi > 0.0) {
                return Err(Error::InvalidArgument {
                    arg: "scale_value",
                    reason: format!("must be a positive number, got {phi}"),
                });
            }
        }
        crate::data::check_len("cluster", cluster.len(), "y", data.n())?;
        let start = glm.fit(data)?;
        if let Some(j) = start.aliased.iter().position(|&a| a) {
            return Err(Error::Data {
                arg: "covariates",
                reason: format!(
                    "the design is rank deficient: `{}` is a linear combination of the other columns (geeglm stops here too)",
                    start.names[j]
                ),
            });
        }
        let g = Grouped::build(data, start.intercept, cluster, waves, self.corstr)?;
        let model = Model {
            g: &g,
            family: start.family,
            link: &*start.link,
            corstr: self.corstr,
        };
        let p = g.p;
        let q = model.n_alpha();
        let mut beta = start.coef.clone();
        let mut alpha = vec![0.0; q];
        // geese's order: a Fisher-scoring step of β at (β, φ, α), then φ and α from the
        // residuals at the new β. The rows' quantities at the new β (one pass with the
        // transcendental functions) serve both the scale and correlation sums and the
        // next step's cross-products.
        let mut cache = vec![0.0; 2 * g.y.len()];
        let ms0 = model.rows_pass(&beta, &alpha, &mut cache);
        if ms0.invalid {
            return Err(Error::Data {
                arg: "y",
                reason: "the starting fit's means are outside the family's range".into(),
            });
        }
        let mut phi = self.scale_fix.unwrap_or(1.0);
        let mut converged = false;
        let mut iterations = 0;
        let mut del = f64::INFINITY;
        while iterations < self.max_iter {
            crate::interrupt::check()?;
            iterations += 1;
            let bs = model.pass(&cache, &alpha, false)?;
            let Some(binv) = invert(&bs.b, p) else {
                return Err(singular());
            };
            let mut step: Vec<f64> = (0..p)
                .map(|j| (0..p).map(|l| binv[j * p + l] * bs.g[l]).sum())
                .collect();
            let mut halvings = 0;
            let (nb, ms) = loop {
                let nb: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + s).collect();
                let ms = model.rows_pass(&nb, &alpha, &mut cache);
                if !ms.invalid || halvings > 60 {
                    break (nb, ms);
                }
                halvings += 1;
                step.iter_mut().for_each(|s| *s *= 0.5);
            };
            if ms.invalid {
                return Err(Error::Data {
                    arg: "y",
                    reason: "the fitted means left the family's range and step halving could not bring them back".into(),
                });
            }
            beta = nb;
            let new_phi = self.scale_fix.unwrap_or(ms.wr2 / ms.wsum);
            let new_alpha = model.alpha_update(&alpha, &ms, new_phi)?;
            let dalpha: Vec<f64> = new_alpha.iter().zip(&alpha).map(|(a, b)| a - b).collect();
            // The scale's change relative to max(1, φ) (geese: absolute; a scale in
            // large units stalls at rounding level above a small epsilon).
            del = max_abs(&step)
                .max((new_phi - phi).abs() / phi.abs().max(1.0))
                .max(max_abs(&dalpha));
            phi = new_phi;
            alpha = new_alpha;
            if !del.is_finite() || !beta.iter().all(|b| b.is_finite()) {
                return Err(Error::Data {
                    arg: "y",
                    reason: "the estimating equations diverged (non-finite estimates)".into(),
                });
            }
            if del <= self.epsilon {
                converged = true;
                break;
            }
        }
        let bs = model.pass(&cache, &alpha, true)?;
        let Some(binv) = invert(&bs.b, p) else {
            return Err(singular());
        };
        let mut var = vec![0.0; p * p];
        let mut tmp = vec![0.0; p * p];
        for j in 0..p {
            for l in 0..p {
                tmp[j * p + l] = (0..p).map(|k| binv[j * p + k] * bs.meat[k * p + l]).sum();
            }
        }
        for j in 0..p {
            for l in 0..p {
                var[j * p + l] = (0..p).map(|k| tmp[j * p + k] * binv[k * p + l]).sum();
            }
        }
        let naive_var: Vec<f64> = binv.iter().map(|v| v * phi).collect();
        let sd = |v: &[f64]| (0..p).map(|j| v[j * p + j].sqrt()).collect::<Vec<f64>>();
        let n = g.y.len();
        let mut fitted = vec![0.0; n];
        let mut lp = vec![0.0; n];
        for pos in 0..n {
            let xr = &g.x[pos * p..(pos + 1) * p];
            let eta = xr.iter().zip(&beta).map(|(x, b)| x * b).sum::<f64>() + g.off[pos];
            lp[g.row[pos]] = eta;
            fitted[g.row[pos]] = start.link.inverse(eta);
        }
        let mut warnings = Vec::new();
        if !converged {
            warnings.push(format!(
                "gee: the estimating equations did not converge in {} iterations (largest last change {del:.3e})",
                self.max_iter
            ));
        }
        let alpha_names = match self.corstr {
            CorStr::Independence => Vec::new(),
            CorStr::Exchangeable | CorStr::Ar1 => vec!["alpha".to_string()],
            CorStr::Unstructured => {
                let nw = g.n_waves;
                let mut v = Vec::with_capacity(q);
                for a in 1..nw {
                    for b in a + 1..=nw {
                        v.push(format!("alpha.{a}:{b}"));
                    }
                }
                v
            }
        };
        Ok(GeeFit {
            names: start.names.clone(),
            se: sd(&var),
            naive_se: sd(&naive_var),
            coef: beta,
            var,
            naive_var,
            alpha,
            alpha_names,
            scale: phi,
            n_clusters: g.n_clusters(),
            max_cluster_size: g.max_size(),
            iterations,
            converged,
            fitted,
            linear_predictors: lp,
            warnings,
            family: start.family,
            link: start.link.clone(),
            intercept: start.intercept,
            corstr: self.corstr,
        })
    }
}

fn singular() -> Error {
    Error::Data {
        arg: "covariates",
        reason: "the GEE information matrix is singular (collinear covariates within the working correlation)".into(),
    }
}

impl GeeFit {
    /// Linear predictor, mean, and their standard errors from the robust variance, for
    /// the rows of `x` (covariates without the intercept) and `offset`.
    pub fn predict(
        &self,
        x: &crate::data::Covariates,
        offset: Option<&[f64]>,
    ) -> Result<super::prediction::GlmPrediction> {
        super::prediction::predict_rows(&self.coef, &self.var, &[], self.intercept, &*self.link, x, offset)
    }
}
