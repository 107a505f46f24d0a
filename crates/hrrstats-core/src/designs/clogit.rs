//! Conditional logistic regression by the exact conditional likelihood, as
//! `survival::clogit(method = "exact")` (coxph's `method = "exact"` with every time
//! equal).
//!
//! In matched set `k` with `n_k` members, `d_k` of them cases (set `D_k`), and linear
//! predictor `η_i = x_i'β + offset_i`, the conditional likelihood is
//! `L_k(β) = exp(Σ_{i∈D_k} η_i) / B_k`, `B_k = Σ_{S ⊂ set k, |S| = d_k} exp(Σ_{j∈S} η_j)`.
//! The sum over subsets is the recursion of Gail, Lubin and Rubinstein (1981):
//! `B(s, m) = B(s, m-1) + r_m B(s-1, m-1)`, `r_m = e^{η_m}`, `B(0, ·) = 1`, carried with
//! its gradient and Hessian in β (`G(s, m) = G(s, m-1) + r_m (G(s-1, m-1) + x_m B(s-1,
//! m-1))` and likewise), so a set costs `O(n_k d_k p²)` and memory `O(d_k p²)`. The
//! score is `Σ_{D} x_i - G/B` and the information `H/B - (G/B)(G/B)'`. Within a set the
//! covariates are centred at their mean and `η` at its maximum (neither changes the
//! likelihood), and each level of the recursion keeps its own scale factor, so large
//! sets neither overflow nor underflow. Sets are evaluated in parallel in fixed blocks
//! and summed in order (the result does not depend on the number of threads).
//!
//! Newton–Raphson as survival's `coxexact`: start at `init` (0); the score test at the
//! start; a step to `β + I⁻¹U`; converged when `|1 - l_old / l_new| <= eps` (1e-9)
//! within `max_iter` (20); a worse (or non-finite) trial is halved towards the last
//! point. The information is factorised with survival's generalised Cholesky, so
//! collinear columns are aliased (coefficient NaN, R's NA).
//!
//! References: Gail MH, Lubin JH, Rubinstein LV (1981) Biometrika 68:703–707;
//! Breslow NE, Day NE (1980) *Statistical Methods in Cancer Research I*, IARC.

use rayon::prelude::*;

use crate::data::Covariates;
use crate::error::{Error, Result};
use crate::inference::TestResult;
use crate::linalg::{chinv2, cholesky2, chsolve2, quadratic_form_inverse};

/// Default limit of `d_k × n_k` in one matched set for the exact likelihood.
pub const DEFAULT_EXACT_LIMIT: f64 = 1e7;

/// Matched sets: rows of each set (informative sets only: at least one case and one
/// control) in data order.
pub struct MatchedSets {
    /// Row numbers, set after set.
    rows: Vec<u32>,
    /// Start of each set in `rows` (one more than the number of sets).
    offsets: Vec<usize>,
    /// Cases in each set.
    cases: Vec<usize>,
}

impl MatchedSets {
    /// Group rows by set code (counting sort, O(n)); sets with no case or no control
    /// contribute nothing to the likelihood and are left out. `limit` bounds `d × n`
    /// of one set (the exact likelihood's work per set and iteration).
    pub fn new(case: &[f64], strata: &[u32], n_strata: usize, levels: &[String], limit: f64) -> Result<Self> {
        let mut count = vec![0usize; n_strata + 1];
        let mut ncase = vec![0usize; n_strata];
        for (i, &s) in strata.iter().enumerate() {
            count[s as usize + 1] += 1;
            if case[i] == 1.0 {
                ncase[s as usize] += 1;
            }
        }
        for k in 0..n_strata {
            let (n, d) = (count[k + 1], ncase[k]);
            let d_eff = d.min(n - d);
            if d_eff > 0 && (d as f64) * (n as f64) > limit {
                let label = levels.get(k).cloned().unwrap_or_else(|| (k + 1).to_string());
                return Err(Error::InvalidArgument {
                    arg: "exact_limit",
                    reason: format!(
                        "matched set \"{label}\" has {n} rows and {d} cases: the exact conditional \
                         likelihood needs cases x rows = {:.3e} terms per iteration, over the limit \
                         {limit:.3e}; use method = \"efron\" or \"approximate\", or raise `exact_limit`",
                        d as f64 * n as f64
                    ),
                });
            }
        }
        let mut start = vec![0usize; n_strata + 1];
        for k in 0..n_strata {
            start[k + 1] = start[k] + count[k + 1];
        }
        let mut all = vec![0u32; strata.len()];
        let mut pos = start.clone();
        for (i, &s) in strata.iter().enumerate() {
            all[pos[s as usize]] = i as u32;
            pos[s as usize] += 1;
        }
        let (mut rows, mut offsets, mut cases) = (Vec::new(), vec![0usize], Vec::new());
        for k in 0..n_strata {
            let (n, d) = (count[k + 1], ncase[k]);
            if d == 0 || d == n {
                continue;
            }
            rows.extend_from_slice(&all[start[k]..start[k + 1]]);
            offsets.push(rows.len());
            cases.push(d);
        }
        Ok(MatchedSets { rows, offsets, cases })
    }
    fn len(&self) -> usize {
        self.cases.len()
    }
}

/// Log-likelihood, score and information at one β.
#[derive(Debug, Clone)]
struct Eval {
    loglik: f64,
    u: Vec<f64>,
    imat: Vec<f64>,
}

/// Scratch of one block of sets: the recursion's levels and the centred covariates.
struct Scratch {
    b: Vec<f64>,
    scale: Vec<f64>,
    g: Vec<f64>,
    h: Vec<f64>,
    z: Vec<f64>,
    eta: Vec<f64>,
    case_z: Vec<f64>,
}

fn evaluate(sets: &MatchedSets, x: &Covariates, case: &[f64], offset: Option<&[f64]>, beta: &[f64]) -> Eval {
    let p = beta.len();
    const BLOCK: usize = 256;
    let n_blocks = sets.len().div_ceil(BLOCK);
    let parts: Vec<Eval> = (0..n_blocks)
        .into_par_iter()
        .map(|blk| {
            let mut acc = Eval { loglik: 0.0, u: vec![0.0; p], imat: vec![0.0; p * p] };
            let mut sc = Scratch { b: vec![], scale: vec![], g: vec![], h: vec![], z: vec![], eta: vec![], case_z: vec![] };
            for k in blk * BLOCK..((blk + 1) * BLOCK).min(sets.len()) {
                one_set(sets, k, x, case, offset, beta, &mut sc, &mut acc);
            }
            acc
        })
        .collect();
    let mut out = Eval { loglik: 0.0, u: vec![0.0; p], imat: vec![0.0; p * p] };
    for e in parts {
        out.loglik += e.loglik;
        for (a, b) in out.u.iter_mut().zip(&e.u) {
            *a += b;
        }
        for (a, b) in out.imat.iter_mut().zip(&e.imat) {
            *a += b;
        }
    }
    out
}

/// Add set `k`'s log-likelihood, score and information to `acc`.
#[allow(clippy::too_many_arguments)]
fn one_set(
    sets: &MatchedSets,
    k: usize,
    x: &Covariates,
    case: &[f64],
    offset: Option<&[f64]>,
    beta: &[f64],
    sc: &mut Scratch,
    acc: &mut Eval,
) {
    let p = beta.len();
    let rows = &sets.rows[sets.offsets[k]..sets.offsets[k + 1]];
    let (n, d) = (rows.len(), sets.cases[k]);
    // Centred covariates (row-major n x p) and η relative to its maximum.
    sc.z.clear();
    sc.z.resize(n * p, 0.0);
    for j in 0..p {
        let col = x.column(j);
        let mean = rows.iter().map(|&i| col[i as usize]).sum::<f64>() / n as f64;
        for (m, &i) in rows.iter().enumerate() {
            sc.z[m * p + j] = col[i as usize] - mean;
        }
    }
    sc.eta.clear();
    for (m, &i) in rows.iter().enumerate() {
        let mut e = offset.map_or(0.0, |o| o[i as usize]);
        for j in 0..p {
            e += sc.z[m * p + j] * beta[j];
        }
        sc.eta.push(e);
    }
    let emax = sc.eta.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    // Levels 0..=d of the recursion, each with a log scale.
    sc.b.clear();
    sc.b.resize(d + 1, 0.0);
    sc.scale.clear();
    sc.scale.resize(d + 1, 0.0);
    sc.g.clear();
    sc.g.resize((d + 1) * p, 0.0);
    sc.h.clear();
    sc.h.resize((d + 1) * p * p, 0.0);
    sc.b[0] = 1.0;
    let mut case_eta = 0.0;
    sc.case_z.clear();
    sc.case_z.resize(p, 0.0);
    for m in 0..n {
        let r = (sc.eta[m] - emax).exp();
        let z = &sc.z[m * p..(m + 1) * p];
        if case[rows[m] as usize] == 1.0 {
            case_eta += sc.eta[m] - emax;
            for j in 0..p {
                sc.case_z[j] += z[j];
            }
        }
        for s in (1..=d.min(m + 1)).rev() {
            let (lo, hi) = (s - 1, s);
            if sc.b[hi] == 0.0 {
                sc.scale[hi] = sc.scale[lo];
            }
            let f = r * (sc.scale[lo] - sc.scale[hi]).exp();
            let bl = sc.b[lo];
            // H first: it reads level s-1's G and B, not yet changed at this m.
            // H is symmetric: its upper triangle here, mirrored at the end.
            for a in 0..p {
                let gla = sc.g[lo * p + a];
                for c in a..p {
                    let glc = sc.g[lo * p + c];
                    sc.h[hi * p * p + a * p + c] += f
                        * (sc.h[lo * p * p + a * p + c] + z[a] * glc + gla * z[c] + z[a] * z[c] * bl);
                }
            }
            for a in 0..p {
                sc.g[hi * p + a] += f * (sc.g[lo * p + a] + z[a] * bl);
            }
            sc.b[hi] += f * bl;
            // Keep level s near 1.
            if sc.b[hi] > 1e100 || (sc.b[hi] < 1e-100 && sc.b[hi] > 0.0) {
                let t = sc.b[hi];
                sc.b[hi] = 1.0;
                sc.scale[hi] += t.ln();
                for v in &mut sc.g[hi * p..(hi + 1) * p] {
                    *v /= t;
                }
                for v in &mut sc.h[hi * p * p..(hi + 1) * p * p] {
                    *v /= t;
                }
            }
        }
    }
    for a in 0..p {
        for c in 0..a {
            sc.h[d * p * p + a * p + c] = sc.h[d * p * p + c * p + a];
        }
    }
    let bd = sc.b[d];
    acc.loglik += case_eta - (bd.ln() + sc.scale[d]);
    for a in 0..p {
        let ga = sc.g[d * p + a] / bd;
        acc.u[a] += sc.case_z[a] - ga;
        for c in 0..p {
            let gc = sc.g[d * p + c] / bd;
            acc.imat[a * p + c] += sc.h[d * p * p + a * p + c] / bd - ga * gc;
        }
    }
}

/// The exact fit.
#[derive(Debug, Clone)]
pub struct ClogitExactFit {
    pub coef: Vec<f64>,
    /// Row-major p x p (zero rows and columns for aliased coefficients).
    pub var: Vec<f64>,
    pub loglik: [f64; 2],
    pub score_test: TestResult,
    pub wald_test: TestResult,
    pub lr_test: TestResult,
    pub iterations: usize,
    pub converged: bool,
    pub aliased: Vec<bool>,
    pub warnings: Vec<String>,
}

/// Options of the exact fit (coxph.control's defaults).
#[derive(Debug, Clone)]
pub struct ExactParams {
    pub max_iter: usize,
    pub eps: f64,
    pub toler_chol: f64,
    pub toler_inf: f64,
    pub init: Option<Vec<f64>>,
}

impl Default for ExactParams {
    fn default() -> Self {
        ExactParams {
            max_iter: 20,
            eps: 1e-9,
            toler_chol: f64::EPSILON.powf(0.75),
            toler_inf: 1e-5,
            init: None,
        }
    }
}

/// Fit by the exact conditional likelihood (coxexact's iterations).
pub fn fit_exact(
    sets: &MatchedSets,
    x: &Covariates,
    case: &[f64],
    offset: Option<&[f64]>,
    params: &ExactParams,
) -> Result<ClogitExactFit> {
    let p = x.p();
    let tol = params.toler_chol;
    let mut beta = params.init.clone().unwrap_or_else(|| vec![0.0; p]);
    let e0 = evaluate(sets, x, case, offset, &beta);
    if !e0.loglik.is_finite() {
        return Err(Error::Data {
            arg: "init",
            reason: "the conditional log-likelihood is not finite at the initial values".into(),
        });
    }
    // Covariates whose squares overflow: named, instead of NaN coefficients.
    for j in 0..p {
        if !e0.imat[j * p + j].is_finite() || !e0.u[j].is_finite() {
            return Err(Error::covariate_too_large(&x.names()[j], x.column(j)));
        }
    }
    let loglik0 = e0.loglik;
    let mut m = e0.imat.clone();
    cholesky2(&mut m, p, tol);
    let mut a = e0.u.clone();
    chsolve2(&m, p, &mut a);
    let sctest: f64 = a.iter().zip(&e0.u).map(|(a, u)| a * u).sum();
    let mut loglik1 = loglik0;
    let mut iterations = 0;
    let mut converged = false;
    let (final_beta, mut var, final_u) = if params.max_iter == 0 {
        let mut v = e0.imat.clone();
        cholesky2(&mut v, p, tol);
        chinv2(&mut v, p);
        (beta.clone(), v, e0.u.clone())
    } else {
        let mut newbeta: Vec<f64> = beta.iter().zip(&a).map(|(b, a)| b + a).collect();
        let mut halving = false;
        let mut out = None;
        for iter in 1..=params.max_iter {
            iterations = iter;
            crate::interrupt::check()?;
            let e = evaluate(sets, x, case, offset, &newbeta);
            let mut imat = e.imat.clone();
            cholesky2(&mut imat, p, tol);
            let finite = e.loglik.is_finite() && e.u.iter().all(|v| v.is_finite());
            if finite && (1.0 - loglik1 / e.loglik).abs() <= params.eps {
                loglik1 = e.loglik;
                chinv2(&mut imat, p);
                converged = !halving;
                out = Some((newbeta.clone(), imat, e.u.clone()));
                break;
            }
            if iter == params.max_iter {
                if finite {
                    loglik1 = e.loglik;
                    chinv2(&mut imat, p);
                    out = Some((newbeta.clone(), imat, e.u.clone()));
                }
                break;
            }
            if !finite || e.loglik < loglik1 {
                halving = true;
                for (nb, b) in newbeta.iter_mut().zip(&beta) {
                    *nb = (*nb + b) / 2.0;
                }
            } else {
                halving = false;
                loglik1 = e.loglik;
                let mut u = e.u.clone();
                chsolve2(&imat, p, &mut u);
                beta = newbeta.clone();
                for (nb, s) in newbeta.iter_mut().zip(&u) {
                    *nb += s;
                }
            }
        }
        match out {
            Some(o) => o,
            None => {
                // The last trial was not finite: the last accepted point.
                let e = evaluate(sets, x, case, offset, &beta);
                let mut v = e.imat.clone();
                cholesky2(&mut v, p, tol);
                chinv2(&mut v, p);
                loglik1 = e.loglik;
                (beta.clone(), v, e.u)
            }
        }
    };
    let rank_deficient = {
        let mut m = var.clone();
        (cholesky2(&mut m, p, tol).max(0) as usize) < p
    };
    let aliased: Vec<bool> = (0..p).map(|j| rank_deficient && var[j * p + j] == 0.0).collect();
    let mut warnings = Vec::new();
    if params.max_iter > 0 && !converged {
        warnings.push("Ran out of iterations and did not converge".to_string());
    } else if params.max_iter > 1 {
        // coxph: |U'V| above eps and toler.inf |β| flags a coefficient heading to infinity.
        let inf: Vec<usize> = (0..p)
            .filter(|&j| {
                let v: f64 = (0..p).map(|i| final_u[i] * var[i * p + j]).sum::<f64>().abs();
                v > params.eps && v > params.toler_inf * final_beta[j].abs()
            })
            .map(|j| j + 1)
            .collect();
        if !inf.is_empty() {
            let list: Vec<String> = inf.iter().map(|j| j.to_string()).collect();
            warnings.push(format!(
                "Loglik converged before variable  {} ; beta may be infinite. ",
                list.join(",")
            ));
        }
    }
    let coef: Vec<f64> = (0..p).map(|j| if aliased[j] { f64::NAN } else { final_beta[j] }).collect();
    for j in 0..p {
        if aliased[j] {
            for i in 0..p {
                var[i * p + j] = 0.0;
                var[j * p + i] = 0.0;
            }
        }
    }
    if (0..p).any(|j| !aliased[j] && !(coef[j].is_finite() && var[j * p + j].is_finite())) {
        return Err(Error::Data {
            arg: "covariates",
            reason: "the conditional likelihood could not be maximised (coefficients or their \
                     variances are not finite); check the covariates for separation or rescale them"
                .into(),
        });
    }
    let df = aliased.iter().filter(|&&a| !a).count();
    let keep: Vec<usize> = (0..p).filter(|&j| !aliased[j]).collect();
    let vk: Vec<f64> = keep.iter().flat_map(|&i| keep.iter().map(move |&j| (i, j))).map(|(i, j)| var[i * p + j]).collect();
    let bk: Vec<f64> = keep.iter().map(|&j| final_beta[j]).collect();
    let wald = quadratic_form_inverse(&vk, keep.len(), &bk, tol);
    Ok(ClogitExactFit {
        coef,
        var,
        loglik: [loglik0, loglik1],
        score_test: TestResult::chisq(sctest, df),
        wald_test: TestResult::chisq(wald, df),
        lr_test: TestResult::chisq(2.0 * (loglik1 - loglik0), df),
        iterations,
        converged: converged || params.max_iter == 0,
        aliased,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One 1:2 set and one 2:3 set by brute force over subsets.
    #[test]
    fn exact_likelihood_by_enumeration() {
        let x = [0.3, -1.0, 0.5, 1.2, 0.1, -0.4, 0.8, 2.0];
        let case = [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0];
        let strata = [0u32, 0, 0, 1, 1, 1, 1, 1];
        let names = vec!["x".to_string()];
        let cov = Covariates::from_columns(vec![&x[..]], &names).unwrap();
        let sets = MatchedSets::new(&case, &strata, 2, &[], 1e7).unwrap();
        let beta = 0.7;
        let e = evaluate(&sets, &cov, &case, None, &[beta]);
        // brute force
        let mut ll = 0.0;
        for (lo, hi) in [(0usize, 3usize), (3, 8)] {
            let idx: Vec<usize> = (lo..hi).collect();
            let d = idx.iter().filter(|&&i| case[i] == 1.0).count();
            let mut denom = 0.0;
            for mask in 0u32..(1 << idx.len()) {
                if mask.count_ones() as usize == d {
                    let s: f64 = idx.iter().enumerate().filter(|(b, _)| mask >> b & 1 == 1).map(|(_, &i)| x[i]).sum();
                    denom += (beta * s).exp();
                }
            }
            let num: f64 = idx.iter().filter(|&&i| case[i] == 1.0).map(|&i| beta * x[i]).sum();
            ll += num - denom.ln();
        }
        assert!((e.loglik - ll).abs() < 1e-12, "{} {}", e.loglik, ll);
        // score by central differences
        let h = 1e-6;
        let lp = evaluate(&sets, &cov, &case, None, &[beta + h]).loglik;
        let lm = evaluate(&sets, &cov, &case, None, &[beta - h]).loglik;
        assert!((e.u[0] - (lp - lm) / (2.0 * h)).abs() < 1e-7);
        let up = evaluate(&sets, &cov, &case, None, &[beta + h]).u[0];
        let um = evaluate(&sets, &cov, &case, None, &[beta - h]).u[0];
        assert!((e.imat[0] + (up - um) / (2.0 * h)).abs() < 1e-6);
    }
}
