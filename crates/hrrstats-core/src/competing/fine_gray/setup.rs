//! The data sorted once for a Fine–Gray fit, the censoring weights, and the log
//! pseudo-likelihood, score and information at a given β (see the parent module).

use super::super::CompetingData;
use crate::data::Covariates;
use crate::error::{Error, Result};

/// Sorted data and the censoring weights (independent of β).
pub(super) struct Setup {
    pub(super) n: usize,
    pub(super) p: usize,
    pub(super) ng: usize,
    pub(super) t: Vec<f64>,
    pub(super) eps: Vec<u8>,
    pub(super) grp: Vec<usize>,
    /// Centred covariates, row-major (sorted rows).
    pub(super) z: Vec<f64>,
    pub(super) zmean: Vec<f64>,
    /// `G_{g_i}(t_i-)`.
    pub(super) w: Vec<f64>,
    /// Distinct failure times: time, count, count per censoring group (`k * ng + g`),
    /// first sorted row with `t >= u` (rows before it have `t < u`), and `G_g(u-)` per
    /// group (`k * ng + g`).
    pub(super) u: Vec<f64>,
    pub(super) du: Vec<f64>,
    pub(super) dug: Vec<f64>,
    pub(super) ustart: Vec<usize>,
    pub(super) gu: Vec<f64>,
    /// Distinct times with a censoring: the first row of the time, and per group
    /// (censored, at risk) (`c * ng + g`).
    pub(super) cens_row: Vec<usize>,
    pub(super) cens: Vec<(f64, f64)>,
    /// Per sorted row: the number of distinct failure times at or before its time.
    pub(super) nle: Vec<usize>,
}

/// Per-iteration results.
pub(super) struct Eval {
    pub(super) loglik: f64,
    pub(super) score: Vec<f64>,
    pub(super) info: Vec<f64>,
}

/// Reusable work vectors.
pub(super) struct Work {
    pub(super) e: Vec<f64>,
    pub(super) s0: Vec<f64>,
    pub(super) s1: Vec<f64>,
}

impl Work {
    pub(super) fn new(s: &Setup) -> Self {
        Work {
            e: vec![0.0; s.n],
            s0: vec![0.0; s.u.len()],
            s1: vec![0.0; s.u.len() * s.p],
        }
    }
}

impl Setup {
    pub(super) fn new(d: &CompetingData, x: &Covariates, cause: f64) -> Result<Self> {
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
        // A covariate whose squares overflow would make the information infinite (and
        // the fit fail as "singular"): name it.
        for j in 0..p {
            let ss: f64 = (0..n).map(|r| z[r * p + j] * z[r * p + j]).sum();
            if !zmean[j].is_finite() || !ss.is_finite() {
                return Err(Error::covariate_too_large(&x.names()[j], x.column(j)));
            }
        }
        // Censoring KM per group, ascending distinct times.
        let mut at_risk = vec![0.0f64; ng];
        for &g in &grp {
            at_risk[g] += 1.0;
        }
        let mut gkm = vec![1.0f64; ng]; // G_g(t-) for the current time
        let mut w = vec![0.0; n];
        let (mut u, mut du, mut dug, mut ustart, mut gu, mut cens_row, mut cens) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut c, mut f) = (vec![0.0; ng], vec![0.0; ng]);
        let mut a = 0;
        while a < n {
            let mut b = a;
            while b < n && t[b] == t[a] {
                b += 1;
            }
            for r in a..b {
                w[r] = gkm[grp[r]];
            }
            c.fill(0.0);
            f.fill(0.0);
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
                dug.extend_from_slice(&f);
                ustart.push(a);
                gu.extend_from_slice(&gkm);
            }
            if c.iter().any(|&x| x > 0.0) {
                cens_row.push(a);
                cens.extend((0..ng).map(|g| (c[g], at_risk[g])));
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
            cens_row,
            cens,
        })
    }

    pub(super) fn zrow(&self, r: usize) -> &[f64] {
        &self.z[r * self.p..(r + 1) * self.p]
    }

    /// S0 and S1 at each failure time (into `w.s0`, `w.s1`), after `w.e` is set.
    pub(super) fn risk_sums(&self, wk: &mut Work) {
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
                let gg = self.gu[k * self.ng + g];
                wk.s0[k] += gg * f0[g];
                for j in 0..p {
                    wk.s1[k * p + j] += gg * f1[g * p + j];
                }
            }
        }
    }

    pub(super) fn set_e(&self, b: &[f64], wk: &mut Work) {
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
    pub(super) fn eval(&self, b: &[f64], wk: &mut Work, full: bool) -> Eval {
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
    pub(super) fn suffix_c(&self, wk: &Work) -> Vec<Vec<f64>> {
        let m = self.u.len();
        (0..self.ng)
            .map(|g| {
                let mut c = vec![0.0; m + 1];
                for k in (0..m).rev() {
                    c[k] = c[k + 1] + self.du[k] * self.gu[k * self.ng + g] / wk.s0[k];
                }
                c
            })
            .collect()
    }

    /// Event times and baseline jumps `d_u / S0(u)` on the original covariate scale.
    pub(super) fn baseline(&self, b: &[f64], wk: &mut Work) -> (Vec<f64>, Vec<f64>) {
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
