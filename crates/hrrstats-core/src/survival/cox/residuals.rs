//! Residuals of a Cox fit: score, dfbeta(s), Schoenfeld (scaled) and deviance
//! (survival's `agscore3` sweeps and `residuals.coxph`).

use rayon::prelude::*;

use super::{CoxPhFit, Prepared, Ties};
use crate::error::Result;

/// Kinds of residuals (`residuals.coxph`'s `type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoxResidual {
    #[default]
    Martingale,
    Deviance,
    Score,
    Dfbeta,
    Dfbetas,
    Schoenfeld,
    ScaledSchoenfeld,
}

crate::option_enum!(CoxResidual, "type", "martingale" => CoxResidual::Martingale, "deviance" => CoxResidual::Deviance, "score" => CoxResidual::Score, "dfbeta" => CoxResidual::Dfbeta, "dfbetas" => CoxResidual::Dfbetas, "schoenfeld" => CoxResidual::Schoenfeld, "scaledsch" => CoxResidual::ScaledSchoenfeld);

/// Schoenfeld residuals: one row per event.
#[derive(Debug, Clone, Default)]
pub struct Schoenfeld {
    pub p: usize,
    pub stratum: Vec<u32>,
    pub time: Vec<f64>,
    /// Data row (0-based) of each event.
    pub row: Vec<usize>,
    /// Row-major, events x p.
    pub values: Vec<f64>,
}

impl Prepared {
    /// Score residuals (scaled coordinates), row-major by sorted position, at `beta`
    /// (survival's `agscore3`; Efron ties as there).
    ///
    /// `r_i = δ_i (x_i - x̄(t_i)) - e^{η_i} Σ_{t ∈ (entry_i, exit_i]} (x_i - x̄(t)) dΛ(t)`,
    /// with the Efron weighting of tied deaths; cumulated backwards in time per stratum.
    pub(super) fn score_residuals(&self, beta: &[f64], efron: bool) -> Vec<f64> {
        self.residual_sweep(beta, efron, false).0
    }

    /// Score residuals and, with `schoenfeld`, Schoenfeld residuals `x_i - x̄(t_i)`
    /// (Efron: x̄ the mean of the sub-step means) on the event rows (0 elsewhere); both
    /// row-major by sorted position, scaled coordinates.
    pub(super) fn residual_sweep(
        &self,
        beta: &[f64],
        efron: bool,
        schoenfeld: bool,
    ) -> (Vec<f64>, Vec<f64>) {
        let p = self.p;
        let eta = self.eta(beta);
        let mut resid = vec![0.0; self.len() * p];
        let mut sch = vec![0.0; if schoenfeld { self.len() * p } else { 0 }];
        let blocks: Vec<(usize, usize)> = (0..self.bounds.len() - 1)
            .map(|b| (self.bounds[b], self.bounds[b + 1]))
            .collect();
        // Blocks are disjoint ranges of rows: split the outputs accordingly.
        let mut chunks: Vec<(&mut [f64], &mut [f64])> = Vec::with_capacity(blocks.len());
        let (mut rest, mut rest_s): (&mut [f64], &mut [f64]) = (&mut resid, &mut sch);
        for &(start, end) in &blocks {
            let (head, tail) = rest.split_at_mut((end - start) * p);
            let (head_s, tail_s) =
                rest_s.split_at_mut(if schoenfeld { (end - start) * p } else { 0 });
            chunks.push((head, head_s));
            rest = tail;
            rest_s = tail_s;
        }
        chunks
            .into_par_iter()
            .zip(blocks)
            .for_each(|((out, sch), (start, end))| {
                self.block_score_residuals(start, end, &eta, efron, out, sch);
            });
        (resid, sch)
    }

    pub(super) fn block_score_residuals(
        &self,
        start: usize,
        end: usize,
        eta: &[f64],
        efron: bool,
        out: &mut [f64],
        sch: &mut [f64],
    ) {
        let p = self.p;
        let x = &self.x;
        let score = |k: usize| eta[k].exp();
        let (mut cumhaz, mut denom) = (0.0, 0.0);
        let mut a = vec![0.0; p];
        let mut a2 = vec![0.0; p];
        let mut xhaz = vec![0.0; p];
        let mut mean = vec![0.0; p];
        let (mut mh1, mut mh2, mut mh3) = (vec![0.0; p], vec![0.0; p], vec![0.0; p]);
        let r = |k: usize| (k - start) * p;
        let mut i1 = start;
        let mut person = start;
        while person < end {
            let dtime = self.exit[person];
            if let (Some(eo), Some(entry)) = (&self.entry_order, &self.entry) {
                while i1 < end && entry[eo[i1] as usize] >= dtime {
                    let k = eo[i1] as usize;
                    let sk = score(k);
                    let risk = sk * self.weight[k];
                    denom -= risk;
                    for j in 0..p {
                        out[r(k) + j] -= sk * (cumhaz * x[k * p + j] - xhaz[j]);
                        a[j] -= risk * x[k * p + j];
                    }
                    i1 += 1;
                }
            }
            let (mut e_denom, mut meanwt, mut deaths) = (0.0, 0.0, 0usize);
            a2.fill(0.0);
            let group = person;
            while person < end && self.exit[person] == dtime {
                let sk = score(person);
                for j in 0..p {
                    out[r(person) + j] = (x[person * p + j] * cumhaz - xhaz[j]) * sk;
                }
                let risk = sk * self.weight[person];
                denom += risk;
                for j in 0..p {
                    a[j] += risk * x[person * p + j];
                }
                if self.event[person] {
                    deaths += 1;
                    e_denom += risk;
                    meanwt += self.weight[person];
                    for j in 0..p {
                        a2[j] += risk * x[person * p + j];
                    }
                }
                person += 1;
            }
            if deaths == 0 {
                continue;
            }
            if deaths < 2 || !efron {
                let hazard = meanwt / denom;
                cumhaz += hazard;
                for j in 0..p {
                    mean[j] = a[j] / denom;
                    xhaz[j] += mean[j] * hazard;
                }
                for k in (group..person).filter(|&k| self.event[k]) {
                    for j in 0..p {
                        out[r(k) + j] += x[k * p + j] - mean[j];
                    }
                    if !sch.is_empty() {
                        for j in 0..p {
                            sch[r(k) + j] = x[k * p + j] - mean[j];
                        }
                    }
                }
            } else {
                mh1.fill(0.0);
                mh2.fill(0.0);
                mh3.fill(0.0);
                let dd = deaths as f64;
                let meanwt = meanwt / dd;
                for step in 0..deaths {
                    let downwt = step as f64 / dd;
                    let d2 = denom - downwt * e_denom;
                    let hazard = meanwt / d2;
                    cumhaz += hazard;
                    for j in 0..p {
                        mean[j] = (a[j] - downwt * a2[j]) / d2;
                        xhaz[j] += mean[j] * hazard;
                        mh1[j] += hazard * downwt;
                        mh2[j] += mean[j] * hazard * downwt;
                        mh3[j] += mean[j] / dd;
                    }
                }
                for k in (group..person).filter(|&k| self.event[k]) {
                    let sk = score(k);
                    for j in 0..p {
                        let xk = x[k * p + j];
                        out[r(k) + j] += (xk - mh3[j]) + sk * (xk * mh1[j] - mh2[j]);
                    }
                    if !sch.is_empty() {
                        for j in 0..p {
                            sch[r(k) + j] = x[k * p + j] - mh3[j];
                        }
                    }
                }
            }
        }
        // Rows still in the risk set at the start of follow-up.
        let remaining: Box<dyn Iterator<Item = usize>> = match &self.entry_order {
            Some(eo) => Box::new(eo[i1..end].iter().map(|&k| k as usize)),
            None => Box::new(start..end),
        };
        for k in remaining {
            let sk = score(k);
            for j in 0..p {
                out[r(k) + j] -= sk * (x[k * p + j] * cumhaz - xhaz[j]);
            }
        }
    }
}

impl CoxPhFit {
    /// The fit's sorted working data.
    fn prepared(&self) -> &Prepared {
        &self.data.prep
    }

    fn scaled_beta(&self, prep: &Prepared) -> Vec<f64> {
        self.coef
            .iter()
            .zip(&prep.scale)
            .map(|(b, s)| if b.is_nan() { 0.0 } else { b / s })
            .collect()
    }

    /// Score residuals (n x p, row-major, data order; not weighted), as
    /// `residuals(fit, type = "score")`.
    pub fn score_residuals(&self) -> Result<Vec<f64>> {
        let prep = self.prepared();
        let p = prep.p;
        let r = prep.score_residuals(&self.scaled_beta(prep), self.ties == Ties::Efron);
        let mut out = vec![0.0; self.n * p];
        for (pos, &row) in prep.rows.iter().enumerate() {
            for j in 0..p {
                out[row as usize * p + j] = r[pos * p + j] / prep.scale[j];
            }
        }
        Ok(out)
    }

    /// dfbeta residuals: score residuals times the model-based variance, times the
    /// case weight when `weighted` (`residuals(fit, "dfbeta")` weights them); with
    /// `standardized`, divided by the standard errors (`"dfbetas"`).
    pub fn dfbeta(&self, weighted: bool, standardized: bool) -> Result<Vec<f64>> {
        let p = self.coef.len();
        let r = self.score_residuals()?;
        let v = &self.naive_var;
        let mut out = vec![0.0; self.n * p];
        for i in 0..self.n {
            let w = if weighted { self.data.weight(i) } else { 1.0 };
            for j in 0..p {
                let mut d: f64 = (0..p).map(|l| r[i * p + l] * v[l * p + j]).sum::<f64>() * w;
                if standardized {
                    d /= v[j * p + j].sqrt();
                }
                out[i * p + j] = d;
            }
        }
        Ok(out)
    }

    /// Schoenfeld residuals, one row per event ordered by stratum, time and data row
    /// (`residuals(fit, "schoenfeld")`); with `scaled`, `r V d + β` (`"scaledsch"`,
    /// V the model-based variance, d the number of events).
    pub fn schoenfeld_residuals(&self, scaled: bool) -> Result<Schoenfeld> {
        let prep = self.prepared();
        let p = prep.p;
        let (_, sch) = prep.residual_sweep(&self.scaled_beta(prep), self.ties == Ties::Efron, true);
        let strata = self.data.strata.as_deref();
        let mut events: Vec<(u32, f64, u32, usize)> = (0..prep.len())
            .filter(|&pos| prep.event[pos])
            .map(|pos| {
                let row = prep.rows[pos];
                (
                    strata.map_or(0, |s| s[row as usize]),
                    prep.exit[pos],
                    row,
                    pos,
                )
            })
            .collect();
        events.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut out = Schoenfeld {
            p,
            ..Default::default()
        };
        let d = events.len() as f64;
        let beta: Vec<f64> = self
            .coef
            .iter()
            .map(|b| if b.is_nan() { 0.0 } else { *b })
            .collect();
        let mut r = vec![0.0; p];
        for &(st, t, row, pos) in &events {
            out.stratum.push(st);
            out.time.push(t);
            out.row.push(row as usize);
            for (j, v) in r.iter_mut().enumerate() {
                *v = sch[pos * p + j] / prep.scale[j];
            }
            if scaled {
                for j in 0..p {
                    let v: f64 = (0..p).map(|l| r[l] * self.naive_var[l * p + j]).sum();
                    out.values.push(v * d + beta[j]);
                }
            } else {
                out.values.extend_from_slice(&r);
            }
        }
        Ok(out)
    }

    /// Deviance residuals `sign(m) sqrt(-2 (m + δ log(δ - m)))` from the martingale
    /// residuals `m` and the event indicators of the fit's data.
    pub fn deviance_residuals(&self) -> Vec<f64> {
        self.martingale_residuals
            .iter()
            .zip(&self.data.status)
            .map(|(&m, &d)| {
                let t = if d == 1.0 { (d - m).ln() * d } else { 0.0 };
                m.signum() * (-2.0 * (m + t)).sqrt()
            })
            .collect()
    }
}
