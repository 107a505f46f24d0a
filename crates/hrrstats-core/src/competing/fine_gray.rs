//! Fine–Gray proportional subdistribution-hazards regression, as `cmprsk::crr`, in
//! O(n log n) per fit: one sort, then O(n p²) per Newton iteration.
//!
//! With rows sorted by time, `ε_i` = 1 for the cause of interest, 2 for another cause,
//! 0 censored, `G_g(t-)` the Kaplan–Meier estimate of the censoring distribution of
//! censoring group `g` just before `t`, and `w_i = G_{g_i}(t_i-)`, the risk set at a
//! failure time `u` holds every row with `t_j >= u` (weight 1) and every row that failed
//! from another cause before `u` (weight `G_{g_j}(u-) / w_j`). Writing
//! `S_r(u) = Σ_{t_j>=u} e_j Z_j^r + Σ_g G_g(u-) Σ_{t_j<u, ε_j=2, g_j=g} e_j Z_j^r / w_j`
//! (`e_j = exp(Z_j β)`, `r = 0, 1`): the first sum is a suffix sum and the second a
//! prefix sum over the sorted rows (the forward–backward scan of Kawaguchi et al.
//! 2020), so no risk set is ever formed. The log pseudo-likelihood is
//! `Σ_{ε_i=1} Z_i β - Σ_u d_u log S_0(u)` (Breslow ties, as crr), the score
//! `Σ_{ε_i=1} Z_i - Σ_u d_u Z̄(u)` with `Z̄ = S_1/S_0`, and the information
//! `Σ_u d_u (S_2/S_0 - Z̄ Z̄')`, whose first term is accumulated row by row as
//! `Σ_j e_j Z_j Z_j' [A(t_j) + 1(ε_j=2) C_{g_j}(t_j) / w_j]` with the prefix sums
//! `A(t) = Σ_{u<=t} d_u/S_0(u)` and suffix sums `C_g(t) = Σ_{u>t} d_u G_g(u-)/S_0(u)`.
//! Covariates are centred first (the estimates do not change; the sums stay accurate).
//!
//! Newton–Raphson with crr's Armijo backtracking and convergence test
//! (`max |score_j| max(|β_j|, 1) < gtol max(|log L|, 1)`), followed by one more Newton
//! step, so the estimate is the root to rounding error whatever `gtol` stopped at.
//!
//! Variance: crr's sandwich `H⁻¹ (Σ_i r_i r_i') H⁻¹`, with `r_i = η_i + ψ_i` the
//! influence of row `i` on the score: `η_i` its own term (the `dN_i` and `dΛ` parts) and
//! `ψ_i` the term for estimating the censoring distribution, all written with prefix
//! and suffix sums as above (crr's `crrvv` loops over all pairs of rows, O(n²) or more).

use super::CompetingData;
use crate::data::Covariates;
use crate::dist::{pnorm, qnorm};
use crate::error::{Error, Result};
use crate::linalg::{chinv2, cholesky2, chsolve2};

/// Options for [`FineGray::params`].
#[derive(Debug, Clone)]
pub struct FineGrayParams {
    cause: f64,
    gtol: f64,
    max_iter: usize,
    init: Option<Vec<f64>>,
    variance: bool,
}

impl Default for FineGrayParams {
    fn default() -> Self {
        FineGrayParams {
            cause: 1.0,
            gtol: 1e-9,
            max_iter: 50,
            init: None,
            variance: true,
        }
    }
}

/// Fine–Gray regression.
pub struct FineGray;

impl FineGray {
    pub fn params() -> FineGrayParams {
        FineGrayParams::default()
    }
}

/// A fitted Fine–Gray model.
#[derive(Debug, Clone)]
pub struct FineGrayFit {
    pub names: Vec<String>,
    pub coef: Vec<f64>,
    /// Sandwich variance (crr's `var`), `p x p` row-major.
    pub var: Vec<f64>,
    /// Inverse information (crr's `invinf`), `p x p`.
    pub naive_var: Vec<f64>,
    pub se: Vec<f64>,
    pub loglik: f64,
    pub loglik_null: f64,
    /// Score at the estimate.
    pub score: Vec<f64>,
    pub iterations: usize,
    pub converged: bool,
    pub n: usize,
    pub n_events: usize,
    /// Distinct times of the cause of interest and the jumps of the baseline cumulative
    /// subdistribution hazard there (crr's `uftime`, `bfitj`).
    pub event_times: Vec<f64>,
    pub baseline_jumps: Vec<f64>,
}

impl FineGrayParams {
    /// The cause of interest (code in the data's cause column).
    pub fn cause(mut self, c: f64) -> Self {
        self.cause = c;
        self
    }
    /// Convergence tolerance of crr's test (crr's default is 1e-6; ours 1e-9).
    pub fn gtol(mut self, g: f64) -> Self {
        self.gtol = g;
        self
    }
    pub fn max_iter(mut self, m: usize) -> Self {
        self.max_iter = m;
        self
    }
    pub fn init(mut self, b: Vec<f64>) -> Self {
        self.init = Some(b);
        self
    }
    /// Skip the sandwich variance (NaN) when only the estimates are wanted.
    pub fn variance(mut self, v: bool) -> Self {
        self.variance = v;
        self
    }

    /// Fit with censoring groups from the data's `group` (one common censoring
    /// distribution when absent).
    pub fn fit(&self, d: &CompetingData, x: &Covariates) -> Result<FineGrayFit> {
        if d.entry.is_some() {
            return Err(Error::InvalidArgument {
                arg: "entry",
                reason: "Fine–Gray regression with delayed entry is not supported".into(),
            });
        }
        if d.weights.is_some() {
            return Err(Error::InvalidArgument {
                arg: "weights",
                reason: "Fine–Gray regression with case weights is not supported".into(),
            });
        }
        if x.n() != d.len() {
            return Err(Error::LengthMismatch {
                arg: "covariates",
                len: x.n(),
                expected_arg: "time",
                expected: d.len(),
            });
        }
        if self.gtol.is_nan() || self.gtol <= 0.0 {
            return Err(Error::InvalidArgument {
                arg: "gtol",
                reason: "must be positive".into(),
            });
        }
        let p = x.p();
        if let Some(b) = &self.init {
            if b.len() != p || b.iter().any(|v| !v.is_finite()) {
                return Err(Error::InvalidArgument {
                    arg: "init",
                    reason: format!("needs {p} finite values"),
                });
            }
        }
        let s = Setup::new(d, x, self.cause)?;
        let mut b = self.init.clone().unwrap_or_else(|| vec![0.0; p]);
        let mut w = Work::new(&s);
        let mut cur = s.eval(&b, &mut w, true);
        let mut converged = false;
        let mut iterations = 0;
        for it in 0..=self.max_iter {
            iterations = it;
            let test = (0..p)
                .map(|j| cur.score[j].abs() * b[j].abs().max(1.0))
                .fold(0.0, f64::max);
            if test < self.gtol * cur.loglik.abs().max(1.0) {
                converged = true;
                // One more Newton step polishes the root to rounding (quadratic
                // convergence), so the answer does not depend on where the test stopped.
                let mut h = cur.info.clone();
                if cholesky2(&mut h, p, 1e-12) == p as i64 {
                    let mut step = cur.score.clone();
                    chsolve2(&h, p, &mut step);
                    let bn: Vec<f64> = b.iter().zip(&step).map(|(a, s)| a + s).collect();
                    let next = s.eval(&bn, &mut w, true);
                    if next.loglik.is_finite()
                        && next.loglik
                            >= cur.loglik - 64.0 * f64::EPSILON * cur.loglik.abs().max(1.0)
                    {
                        b = bn;
                        cur = next;
                    }
                }
                break;
            }
            if it == self.max_iter {
                break;
            }
            // Newton step on -log L: H δ = score.
            let mut h = cur.info.clone();
            if cholesky2(&mut h, p, 1e-12) < p as i64 {
                return Err(Error::Data {
                    arg: "covariates",
                    reason: "the information matrix is singular (collinear covariates, or a covariate constant among the events?)".into(),
                });
            }
            let mut step = cur.score.clone();
            chsolve2(&h, p, &mut step);
            let slope: f64 = step.iter().zip(&cur.score).map(|(a, b)| a * b).sum();
            let mut ok = false;
            for _ in 0..=20 {
                let bn: Vec<f64> = b.iter().zip(&step).map(|(a, s)| a + s).collect();
                let ln = s.eval(&bn, &mut w, false).loglik;
                // crr: accept when -log L(bn) <= -log L(b) - 1e-4 step'score; near the
                // optimum both sides differ by less than rounding, so allow for it.
                let noise = 64.0 * f64::EPSILON * cur.loglik.abs().max(1.0);
                if ln.is_finite() && -ln <= -cur.loglik - 1e-4 * slope + noise {
                    b = bn;
                    ok = true;
                    break;
                }
                step.iter_mut().for_each(|v| *v *= 0.5);
            }
            if !ok {
                break;
            }
            cur = s.eval(&b, &mut w, true);
        }
        let null = s.eval(&vec![0.0; p], &mut w, false).loglik;
        let mut naive = cur.info.clone();
        if cholesky2(&mut naive, p, 1e-12) < p as i64 {
            return Err(Error::Data {
                arg: "covariates",
                reason: "the information matrix is singular".into(),
            });
        }
        chinv2(&mut naive, p);
        let var = if self.variance {
            s.sandwich(&b, &naive, &mut w)
        } else {
            vec![f64::NAN; p * p]
        };
        let (event_times, baseline_jumps) = s.baseline(&b, &mut w);
        Ok(FineGrayFit {
            names: x.names().to_vec(),
            se: (0..p).map(|j| var[j * p + j].sqrt()).collect(),
            coef: b,
            var,
            naive_var: naive,
            loglik: cur.loglik,
            loglik_null: null,
            score: cur.score,
            iterations,
            converged,
            n: d.len(),
            n_events: s.eps.iter().filter(|&&e| e == 1).count(),
            event_times,
            baseline_jumps,
        })
    }
}

impl FineGrayFit {
    pub fn p(&self) -> usize {
        self.coef.len()
    }
    /// Wald table: (coef, se, z, p, lower, upper) per term at `conf_level`.
    pub fn wald(&self, conf_level: f64) -> Vec<[f64; 6]> {
        let z = qnorm(1.0 - (1.0 - conf_level) / 2.0);
        self.coef
            .iter()
            .zip(&self.se)
            .map(|(&b, &se)| {
                [
                    b,
                    se,
                    b / se,
                    2.0 * pnorm(-(b / se).abs()),
                    b - z * se,
                    b + z * se,
                ]
            })
            .collect()
    }
    /// Predicted cumulative incidence `1 - exp(-exp(x β) Λ0(t))` at the event times for
    /// each covariate row of `x` (row-major, `p` values per row), as `predict.crr`.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<Vec<f64>>> {
        let p = self.p();
        if !x.len().is_multiple_of(p) || x.is_empty() {
            return Err(Error::InvalidArgument {
                arg: "newdata",
                reason: format!("needs rows of {p} covariate values"),
            });
        }
        if let Some(row) = x.iter().position(|v| !v.is_finite()) {
            return Err(Error::InvalidValue {
                arg: "newdata",
                row: row / p,
                value: x[row],
                problem: "covariate is missing or not finite",
            });
        }
        Ok(x.chunks(p)
            .map(|z| {
                let r = z
                    .iter()
                    .zip(&self.coef)
                    .map(|(a, b)| a * b)
                    .sum::<f64>()
                    .exp();
                let mut cum = 0.0;
                self.baseline_jumps
                    .iter()
                    .map(|&j| {
                        cum += j;
                        1.0 - (-r * cum).exp()
                    })
                    .collect()
            })
            .collect())
    }
}

/// Sorted data and the censoring weights (independent of β).
struct Setup {
    n: usize,
    p: usize,
    ng: usize,
    t: Vec<f64>,
    eps: Vec<u8>,
    grp: Vec<usize>,
    /// Centred covariates, row-major (sorted rows).
    z: Vec<f64>,
    zmean: Vec<f64>,
    /// `G_{g_i}(t_i-)`.
    w: Vec<f64>,
    /// Distinct failure times: time, count, count per censoring group, first sorted row
    /// with `t >= u` (rows before it have `t < u`), and `G_g(u-)` per group.
    u: Vec<f64>,
    du: Vec<f64>,
    dug: Vec<Vec<f64>>,
    ustart: Vec<usize>,
    gu: Vec<Vec<f64>>,
    /// Distinct times with a censoring: (first row of the time, per group (censored, at risk)).
    cens: Vec<(usize, Vec<(f64, f64)>)>,
    /// Per sorted row: the number of distinct failure times at or before its time.
    nle: Vec<usize>,
}

/// Per-iteration results.
struct Eval {
    loglik: f64,
    score: Vec<f64>,
    info: Vec<f64>,
}

/// Reusable work vectors.
struct Work {
    e: Vec<f64>,
    s0: Vec<f64>,
    s1: Vec<f64>,
}

impl Work {
    fn new(s: &Setup) -> Self {
        Work {
            e: vec![0.0; s.n],
            s0: vec![0.0; s.u.len()],
            s1: vec![0.0; s.u.len() * s.p],
        }
    }
}

impl Setup {
    fn new(d: &CompetingData, x: &Covariates, cause: f64) -> Result<Self> {
        let n = d.len();
        let p = x.p();
        if cause == d.censor_code {
            return Err(Error::InvalidArgument {
                arg: "cause",
                reason: "the cause of interest is the censoring code".into(),
            });
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| d.time[a].total_cmp(&d.time[b]));
        let t: Vec<f64> = order.iter().map(|&i| d.time[i]).collect();
        let eps: Vec<u8> = order.iter().map(|&i| d.outcome(i, cause)).collect();
        if !eps.contains(&1) {
            return Err(Error::Data {
                arg: "cause",
                reason: format!("no events of the cause of interest ({cause})"),
            });
        }
        let ng = d.n_groups();
        let grp: Vec<usize> = order.iter().map(|&i| d.group_of(i)).collect();
        let zmean: Vec<f64> = (0..p)
            .map(|j| x.column(j).iter().sum::<f64>() / n as f64)
            .collect();
        let mut z = vec![0.0; n * p];
        for (r, &i) in order.iter().enumerate() {
            for j in 0..p {
                z[r * p + j] = x.column(j)[i] - zmean[j];
            }
        }
        // Censoring KM per group, ascending distinct times.
        let mut at_risk = vec![0.0f64; ng];
        for &g in &grp {
            at_risk[g] += 1.0;
        }
        let mut gkm = vec![1.0f64; ng]; // G_g(t-) for the current time
        let mut w = vec![0.0; n];
        let (mut u, mut du, mut dug, mut ustart, mut gu, mut cens) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let mut a = 0;
        while a < n {
            let mut b = a;
            while b < n && t[b] == t[a] {
                b += 1;
            }
            for r in a..b {
                w[r] = gkm[grp[r]];
            }
            let mut c = vec![0.0; ng];
            let mut f = vec![0.0; ng];
            for r in a..b {
                match eps[r] {
                    0 => c[grp[r]] += 1.0,
                    1 => f[grp[r]] += 1.0,
                    _ => {}
                }
            }
            let nf: f64 = f.iter().sum();
            if nf > 0.0 {
                u.push(t[a]);
                du.push(nf);
                dug.push(f);
                ustart.push(a);
                gu.push(gkm.clone());
            }
            if c.iter().any(|&x| x > 0.0) {
                cens.push((a, (0..ng).map(|g| (c[g], at_risk[g])).collect()));
            }
            for g in 0..ng {
                if c[g] > 0.0 {
                    gkm[g] *= 1.0 - c[g] / at_risk[g];
                }
            }
            for r in a..b {
                at_risk[grp[r]] -= 1.0;
            }
            a = b;
        }
        if let Some(r) = (0..n).find(|&r| eps[r] == 2 && w[r] <= 0.0) {
            return Err(Error::InvalidValue {
                arg: "time",
                row: order[r],
                value: t[r],
                problem: "the censoring distribution is zero before this time",
            });
        }
        let mut nle = vec![0; n];
        let mut k = 0;
        for r in 0..n {
            while k < u.len() && u[k] <= t[r] {
                k += 1;
            }
            nle[r] = k;
        }
        Ok(Setup {
            nle,
            n,
            p,
            ng,
            t,
            eps,
            grp,
            z,
            zmean,
            w,
            u,
            du,
            dug,
            ustart,
            gu,
            cens,
        })
    }

    fn zrow(&self, r: usize) -> &[f64] {
        &self.z[r * self.p..(r + 1) * self.p]
    }

    /// S0 and S1 at each failure time (into `w.s0`, `w.s1`), after `w.e` is set.
    fn risk_sums(&self, wk: &mut Work) {
        let (p, m) = (self.p, self.u.len());
        // Suffix part: rows with t >= u.
        let mut b0 = 0.0;
        let mut b1 = vec![0.0; p];
        let mut r = self.n;
        for k in (0..m).rev() {
            while r > self.ustart[k] {
                r -= 1;
                b0 += wk.e[r];
                for (acc, zj) in b1.iter_mut().zip(self.zrow(r)) {
                    *acc += wk.e[r] * zj;
                }
            }
            wk.s0[k] = b0;
            wk.s1[k * p..(k + 1) * p].copy_from_slice(&b1);
        }
        // Prefix part: other-cause failures with t < u, per censoring group.
        let mut f0 = vec![0.0; self.ng];
        let mut f1 = vec![0.0; self.ng * p];
        let mut r = 0;
        for k in 0..m {
            while r < self.ustart[k] {
                if self.eps[r] == 2 {
                    let g = self.grp[r];
                    let v = wk.e[r] / self.w[r];
                    f0[g] += v;
                    for (acc, zj) in f1[g * p..(g + 1) * p].iter_mut().zip(self.zrow(r)) {
                        *acc += v * zj;
                    }
                }
                r += 1;
            }
            for g in 0..self.ng {
                let gg = self.gu[k][g];
                wk.s0[k] += gg * f0[g];
                for j in 0..p {
                    wk.s1[k * p + j] += gg * f1[g * p + j];
                }
            }
        }
    }

    fn set_e(&self, b: &[f64], wk: &mut Work) {
        for r in 0..self.n {
            wk.e[r] = self
                .zrow(r)
                .iter()
                .zip(b)
                .map(|(a, c)| a * c)
                .sum::<f64>()
                .exp();
        }
    }

    /// Log pseudo-likelihood (and, with `full`, score and information) at `b`.
    fn eval(&self, b: &[f64], wk: &mut Work, full: bool) -> Eval {
        let (p, m) = (self.p, self.u.len());
        self.set_e(b, wk);
        self.risk_sums(wk);
        let mut loglik = 0.0;
        let mut score = vec![0.0; p];
        for r in 0..self.n {
            if self.eps[r] == 1 {
                loglik += self.zrow(r).iter().zip(b).map(|(a, c)| a * c).sum::<f64>();
                for (s, zj) in score.iter_mut().zip(self.zrow(r)) {
                    *s += zj;
                }
            }
        }
        for k in 0..m {
            loglik -= self.du[k] * wk.s0[k].ln();
            for j in 0..p {
                score[j] -= self.du[k] * wk.s1[k * p + j] / wk.s0[k];
            }
        }
        if !full {
            return Eval {
                loglik,
                score,
                info: Vec::new(),
            };
        }
        // Information: Σ_j e_j Z_j Z_j' [A(t_j) + 1(ε=2) C_g(t_j)/w_j] - Σ_u d_u Z̄ Z̄'.
        let mut a = vec![0.0; m + 1]; // a[k] = Σ_{k' < k} d/S0
        for k in 0..m {
            a[k + 1] = a[k] + self.du[k] / wk.s0[k];
        }
        let c = self.suffix_c(wk); // c[g][k] = Σ_{k' >= k} d G_g / S0
        let nle = &self.nle;
        let mut info = vec![0.0; p * p];
        for r in 0..self.n {
            let mut coef = a[nle[r]];
            if self.eps[r] == 2 {
                coef += c[self.grp[r]][nle[r]] / self.w[r];
            }
            let v = wk.e[r] * coef;
            if v == 0.0 {
                continue;
            }
            let z = self.zrow(r);
            for i in 0..p {
                for j in 0..=i {
                    info[i * p + j] += v * z[i] * z[j];
                }
            }
        }
        for k in 0..m {
            let s0 = wk.s0[k];
            let zb = &wk.s1[k * p..(k + 1) * p];
            for i in 0..p {
                for j in 0..=i {
                    info[i * p + j] -= self.du[k] * zb[i] * zb[j] / (s0 * s0);
                }
            }
        }
        for i in 0..p {
            for j in 0..i {
                info[j * p + i] = info[i * p + j];
            }
        }
        Eval {
            loglik,
            score,
            info,
        }
    }

    /// `c[g][k] = Σ_{k' >= k} d_{k'} G_g(u_{k'}-) / S0(u_{k'})` (length m + 1).
    fn suffix_c(&self, wk: &Work) -> Vec<Vec<f64>> {
        let m = self.u.len();
        (0..self.ng)
            .map(|g| {
                let mut c = vec![0.0; m + 1];
                for k in (0..m).rev() {
                    c[k] = c[k + 1] + self.du[k] * self.gu[k][g] / wk.s0[k];
                }
                c
            })
            .collect()
    }

    /// crr's sandwich variance `H⁻¹ (Σ r r') H⁻¹` at `b` (`hinv` = H⁻¹).
    fn sandwich(&self, b: &[f64], hinv: &[f64], wk: &mut Work) -> Vec<f64> {
        let (p, m, ng) = (self.p, self.u.len(), self.ng);
        self.set_e(b, wk);
        self.risk_sums(wk);
        let zbar = |k: usize| -> Vec<f64> { (0..p).map(|j| wk.s1[k * p + j] / wk.s0[k]).collect() };
        // Prefix sums over failure times (index k = number of failure times included).
        let mut a0 = vec![0.0; m + 1];
        let mut a1 = vec![0.0; (m + 1) * p];
        for k in 0..m {
            let h = self.du[k] / wk.s0[k];
            a0[k + 1] = a0[k] + h;
            let zb = zbar(k);
            for j in 0..p {
                a1[(k + 1) * p + j] = a1[k * p + j] + h * zb[j];
            }
        }
        // Suffix sums from failure index k on, per group: with all failures (C, for the
        // dΛ part of η) and with the group's own failures (K, for ψ).
        let mut c0 = vec![vec![0.0; m + 1]; ng];
        let mut c1 = vec![vec![0.0; (m + 1) * p]; ng];
        let mut k0 = vec![vec![0.0; m + 1]; ng];
        let mut k1 = vec![vec![0.0; (m + 1) * p]; ng];
        for g in 0..ng {
            for k in (0..m).rev() {
                let zb = zbar(k);
                let hc = self.du[k] * self.gu[k][g] / wk.s0[k];
                let hk = self.dug[k][g] * self.gu[k][g] / wk.s0[k];
                c0[g][k] = c0[g][k + 1] + hc;
                k0[g][k] = k0[g][k + 1] + hk;
                for j in 0..p {
                    c1[g][k * p + j] = c1[g][(k + 1) * p + j] + hc * zb[j];
                    k1[g][k * p + j] = k1[g][(k + 1) * p + j] + hk * zb[j];
                }
            }
        }
        let nle = &self.nle;
        // ψ: q_g(c) at censoring times, and the running Ψ_g.
        let mut psi_run = vec![0.0; ng * p];
        let mut pq_p = vec![0.0; ng * p]; // P_g: Σ_{t<c, ε=2} e Z / w
        let mut pq_q = vec![0.0; ng]; // Q_g: Σ e / w
        let mut next_row = 0; // rows before it are included in P, Q
        let mut ci = 0;
        let mut q_at = vec![0.0; ng * p];
        let mut y_at = vec![1.0; ng];
        let mut v2 = vec![0.0; p * p];
        let mut rrow = vec![0.0; p];
        let mut a = 0;
        while a < self.n {
            let mut bb = a;
            while bb < self.n && self.t[bb] == self.t[a] {
                bb += 1;
            }
            // Censorings at this time: q_g(t) and the update of Ψ_g.
            if ci < self.cens.len() && self.cens[ci].0 == a {
                while next_row < a {
                    if self.eps[next_row] == 2 {
                        let g = self.grp[next_row];
                        let v = wk.e[next_row] / self.w[next_row];
                        pq_q[g] += v;
                        for j in 0..p {
                            pq_p[g * p + j] += v * self.zrow(next_row)[j];
                        }
                    }
                    next_row += 1;
                }
                // Failure times >= t: index = number of failure times < t.
                let kfirst = self.u.partition_point(|&x| x < self.t[a]);
                for g in 0..ng {
                    for j in 0..p {
                        q_at[g * p + j] =
                            pq_p[g * p + j] * k0[g][kfirst] - pq_q[g] * k1[g][kfirst * p + j];
                    }
                    let (nc, y) = self.cens[ci].1[g];
                    if nc > 0.0 {
                        for j in 0..p {
                            psi_run[g * p + j] -= nc * q_at[g * p + j] / (y * y);
                        }
                    }
                }
                for g in 0..ng {
                    y_at[g] = self.cens[ci].1[g].1;
                }
                ci += 1;
            }
            for r in a..bb {
                let g = self.grp[r];
                let z = self.zrow(r);
                let k = nle[r];
                let e = wk.e[r];
                for j in 0..p {
                    let mut v = -e * (z[j] * a0[k] - a1[k * p + j]);
                    if self.eps[r] == 1 {
                        // Z̄ at its own failure time (index k - 1).
                        v += z[j] - wk.s1[(k - 1) * p + j] / wk.s0[k - 1];
                    } else if self.eps[r] == 2 {
                        v -= e / self.w[r] * (z[j] * c0[g][k] - c1[g][k * p + j]);
                    }
                    v += psi_run[g * p + j];
                    if self.eps[r] == 0 {
                        // q_g and the number at risk at this (censoring) time.
                        v += q_at[g * p + j] / y_at[g];
                    }
                    rrow[j] = v;
                }
                for i in 0..p {
                    for j in 0..=i {
                        v2[i * p + j] += rrow[i] * rrow[j];
                    }
                }
            }
            a = bb;
        }
        for i in 0..p {
            for j in 0..i {
                v2[j * p + i] = v2[i * p + j];
            }
        }
        // H⁻¹ V2 H⁻¹.
        let mut t1 = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                t1[i * p + j] = (0..p).map(|k| hinv[i * p + k] * v2[k * p + j]).sum();
            }
        }
        let mut out = vec![0.0; p * p];
        for i in 0..p {
            for j in 0..p {
                out[i * p + j] = (0..p).map(|k| t1[i * p + k] * hinv[k * p + j]).sum();
            }
        }
        out
    }

    /// Event times and baseline jumps `d_u / S0(u)` on the original covariate scale.
    fn baseline(&self, b: &[f64], wk: &mut Work) -> (Vec<f64>, Vec<f64>) {
        self.set_e(b, wk);
        self.risk_sums(wk);
        let shift: f64 = self
            .zmean
            .iter()
            .zip(b)
            .map(|(a, c)| a * c)
            .sum::<f64>()
            .exp();
        let jumps = (0..self.u.len())
            .map(|k| self.du[k] / (wk.s0[k] * shift))
            .collect();
        (self.u.clone(), jumps)
    }
}
