//! Martingale residuals, the baseline hazard and predictions of a Cox fit
//! (`agmart3`, `basehaz`, `predict.coxph`, `survfit.coxph`).

use rayon::prelude::*;

use super::{CoxPhFit, CoxPhParams, IterResult, Prepared, Ties};
use crate::data::{Covariates, CoxData};
use crate::error::{Error, Result};

/// What `predict` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CoxPredictType {
    /// Linear predictor (centred at the covariate means).
    #[default]
    Lp,
    /// `exp(lp)`.
    Risk,
    /// Expected number of events of each fitted row (`status - martingale`).
    Expected,
    /// Survival at given times.
    Survival,
}

crate::option_enum!(CoxPredictType, "type", "lp" => CoxPredictType::Lp, "risk" => CoxPredictType::Risk, "expected" => CoxPredictType::Expected, "survival" => CoxPredictType::Survival);

/// Baseline cumulative hazard of a Cox fit (`basehaz`), stacked over strata: rows
/// `offsets[k]..offsets[k+1]` belong to stratum `k`.
#[derive(Debug, Clone, Default)]
pub struct BaselineHazard {
    pub offsets: Vec<usize>,
    pub time: Vec<f64>,
    /// At covariates 0 (and the offset at its mean): `basehaz(fit, centered = FALSE)`.
    pub cumulative_hazard: Vec<f64>,
    /// At the covariate means: `basehaz(fit, centered = TRUE)`.
    pub cumulative_hazard_centered: Vec<f64>,
}

impl Prepared {
    /// Martingale residuals (by sorted position) and the hazard increments at each
    /// event time of each block, for the risk scores `exp(eta)` (survival's
    /// `agmart3`: Breslow increments `W/Σ w e^η`, or Efron's, where tied deaths get
    /// only part of the increment).
    pub(super) fn martingale(&self, beta: &[f64], efron: bool) -> (Vec<f64>, Vec<Vec<(f64, f64)>>) {
        let eta = self.eta(beta);
        let mut resid = vec![0.0; self.len()];
        let blocks: Vec<(usize, usize)> = (0..self.bounds.len() - 1)
            .map(|b| (self.bounds[b], self.bounds[b + 1]))
            .collect();
        let mut chunks: Vec<&mut [f64]> = Vec::with_capacity(blocks.len());
        let mut rest: &mut [f64] = &mut resid;
        for &(start, end) in &blocks {
            let (head, tail) = rest.split_at_mut(end - start);
            chunks.push(head);
            rest = tail;
        }
        let hazards: Vec<Vec<(f64, f64)>> = chunks
            .into_par_iter()
            .zip(blocks)
            .map(|(out, (start, end))| self.block_martingale(start, end, &eta, efron, out))
            .collect();
        (resid, hazards)
    }

    pub(super) fn block_martingale(
        &self,
        start: usize,
        end: usize,
        eta: &[f64],
        efron: bool,
        out: &mut [f64],
    ) -> Vec<(f64, f64)> {
        // Residuals do not change when every linear predictor of the block is shifted
        // by the same constant: far from 0 (e.g. the last iterate of a fit that did not
        // converge) shift to the middle of their range so that exp() neither overflows
        // nor underflows to 0 (which gave NaN residuals); the hazard increments are
        // shifted back for the baseline.
        let (lo, hi) = eta[start..end]
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &e| {
                (lo.min(e), hi.max(e))
            });
        let shift = if hi > 200.0 || lo < -200.0 {
            (hi + lo) / 2.0
        } else {
            0.0
        };
        let unshift = (-shift).exp();
        let score = |k: usize| (eta[k] - shift).exp();
        let mut hazards = Vec::new();
        let mut atrisk = vec![false; end - start];
        let (mut cumhaz, mut denom) = (0.0, 0.0);
        let (mut person1, mut person2) = (start, start);
        while let Some(k) = self.next_event(person2, end) {
            let dtime = self.exit[k];
            if let (Some(eo), Some(entry)) = (&self.entry_order, &self.entry) {
                while person1 < end && entry[eo[person1] as usize] >= dtime {
                    let q = eo[person1] as usize;
                    if atrisk[q - start] {
                        denom -= score(q) * self.weight[q];
                        out[q - start] -= cumhaz * score(q);
                    }
                    person1 += 1;
                }
            }
            let (mut deaths, mut e_denom, mut wtsum) = (0usize, 0.0, 0.0);
            let mut k = person2;
            while k < end && self.exit[k] >= dtime {
                let sk = score(k);
                if self.event[k] {
                    atrisk[k - start] = true;
                    out[k - start] = 1.0 + cumhaz * sk;
                    deaths += 1;
                    denom += sk * self.weight[k];
                    e_denom += sk * self.weight[k];
                    wtsum += self.weight[k];
                } else if self.entry.as_ref().is_none_or(|e| e[k] < dtime) {
                    denom += sk * self.weight[k];
                    atrisk[k - start] = true;
                    out[k - start] = cumhaz * sk;
                }
                k += 1;
            }
            let hazard = if !efron || deaths == 1 {
                wtsum / denom
            } else {
                let dd = deaths as f64;
                let w = wtsum / dd;
                let (mut hazard, mut e_hazard) = (0.0, 0.0);
                for i in 0..deaths {
                    let temp = i as f64 / dd;
                    hazard += w / (denom - temp * e_denom);
                    e_hazard += w * (1.0 - temp) / (denom - temp * e_denom);
                }
                for q in (person2..k).filter(|&q| self.event[q]) {
                    out[q - start] += (hazard - e_hazard) * score(q);
                }
                hazard
            };
            person2 = k;
            cumhaz += hazard;
            hazards.push((dtime, hazard * unshift));
        }
        let remaining: Box<dyn Iterator<Item = usize>> = match &self.entry_order {
            Some(eo) => Box::new(eo[person1..end].iter().map(|&k| k as usize)),
            None => Box::new(start..end),
        };
        for q in remaining {
            if atrisk[q - start] {
                out[q - start] -= cumhaz * score(q);
            }
        }
        hazards.reverse(); // ascending time
        hazards
    }
}

impl CoxPhFit {
    /// Means, linear predictors, martingale residuals and the baseline hazard.
    pub(super) fn add_predictions(
        &mut self,
        prep: &Prepared,
        params: &CoxPhParams,
        it: &IterResult,
        data: &CoxData,
    ) {
        let (surv, x) = (&data.surv, &data.x);
        let (n, p) = (surv.len(), prep.p);
        let beta: Vec<f64> = self
            .coef
            .iter()
            .map(|b| if b.is_nan() { 0.0 } else { *b })
            .collect();
        self.means = (0..p)
            .map(|j| {
                let col = x.column(j);
                if col.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0) {
                    0.0
                } else if prep.counting {
                    col.iter().sum::<f64>() / n as f64
                } else {
                    let w: f64 = (0..n).map(|i| surv.weight(i)).sum();
                    (0..n).map(|i| surv.weight(i) * col[i]).sum::<f64>() / w
                }
            })
            .collect();
        let offset = data.offset;
        // survfit.coxph centres the offset at its case-weighted mean (equal to the plain
        // mean without weights).
        let wsum: f64 = (0..n).map(|i| surv.weight(i)).sum();
        let mean_offset = offset.map_or(0.0, |o| {
            (0..n).map(|i| surv.weight(i) * o[i]).sum::<f64>() / wsum
        });
        self.mean_offset = mean_offset;
        self.linear_predictors = (0..n)
            .map(|i| {
                (0..p)
                    .map(|j| (x.column(j)[i] - self.means[j]) * beta[j])
                    .sum::<f64>()
                    + offset.map_or(0.0, |o| o[i] - mean_offset)
            })
            .collect();
        let (mart, hazards) = prep.martingale(&it.beta, params.ties == Ties::Efron);
        self.martingale_residuals = vec![0.0; n];
        for (pos, &r) in prep.rows.iter().enumerate() {
            self.martingale_residuals[r as usize] = mart[pos];
        }
        // Increments are for risk scores exp((x - center)'β + offset): rescale to x = 0
        // with the offset at its mean, and to x = means.
        let cb: f64 = (0..p).map(|j| prep.center[j] * beta[j]).sum();
        let mb: f64 = (0..p).map(|j| self.means[j] * beta[j]).sum();
        let to_zero = (mean_offset - cb).exp();
        let to_means = (mean_offset - cb + mb).exp();
        let mut b = BaselineHazard {
            offsets: vec![0],
            ..Default::default()
        };
        let exit = surv.exit();
        for (k, rows) in surv.rows_by_stratum().into_iter().enumerate() {
            let mut times: Vec<f64> = rows.iter().map(|&r| exit[r as usize]).collect();
            times.sort_by(f64::total_cmp);
            times.dedup();
            let inc = &hazards[k];
            let (mut h, mut next) = (0.0, 0usize);
            for t in times {
                while next < inc.len() && inc[next].0 <= t {
                    h += inc[next].1;
                    next += 1;
                }
                b.time.push(t);
                b.cumulative_hazard.push(h * to_zero);
                b.cumulative_hazard_centered.push(h * to_means);
            }
            b.offsets.push(b.time.len());
        }
        self.baseline = b;
    }

    /// Linear predictor `(x - means)'β + offset - mean(offset)` for new covariate
    /// rows (columns in the fit's order): on the scale of the fitted
    /// `linear_predictors` and of the centred baseline hazard (for
    /// [`CoxPhFit::predict_survival`]).
    pub fn predict_lp(&self, x: &Covariates, offset: Option<&[f64]>) -> Result<Vec<f64>> {
        self.new_lp(x, offset, self.mean_offset)
    }

    /// Linear predictor `(x - means)'β + offset` for new covariate rows, the new rows'
    /// offset as it is: `predict(fit, newdata, type = "lp", reference = "sample")`.
    pub fn predict_lp_newdata(&self, x: &Covariates, offset: Option<&[f64]>) -> Result<Vec<f64>> {
        self.new_lp(x, offset, 0.0)
    }

    fn new_lp(&self, x: &Covariates, offset: Option<&[f64]>, mean_offset: f64) -> Result<Vec<f64>> {
        let p = self.coef.len();
        if x.p() != p {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: format!("has {} columns; the model has {p}", x.p()),
            });
        }
        if let Some(o) = offset {
            crate::data::check_offset(o, x.n(), "covariates")?;
        }
        let beta: Vec<f64> = self
            .coef
            .iter()
            .map(|b| if b.is_nan() { 0.0 } else { *b })
            .collect();
        Ok((0..x.n())
            .map(|i| {
                (0..p)
                    .map(|j| (x.column(j)[i] - self.means[j]) * beta[j])
                    .sum::<f64>()
                    + offset.map_or(0.0, |o| o[i] - mean_offset)
            })
            .collect())
    }

    /// Predicted survival `exp(-H₀(t) exp(lp))` of stratum `stratum` at `times` for
    /// linear predictors `lp` from [`CoxPhFit::predict_lp`] (the baseline at the
    /// covariate means, right-continuous, 1 before the first time). Returns
    /// `times.len()` values per `lp`, lp-major.
    pub fn predict_survival(&self, lp: &[f64], stratum: usize, times: &[f64]) -> Result<Vec<f64>> {
        let h = self.cumulative_hazard_at(stratum, times)?;
        Ok(lp
            .iter()
            .flat_map(|&l| h.iter().map(move |&hh| (-hh * l.exp()).exp()))
            .collect())
    }

    /// The centred baseline cumulative hazard of `stratum` at `times` (a right-continuous
    /// step function, 0 before the first event time).
    pub fn cumulative_hazard_at(&self, stratum: usize, times: &[f64]) -> Result<Vec<f64>> {
        let b = &self.baseline;
        if stratum + 1 >= b.offsets.len() {
            return Err(Error::InvalidArgument {
                arg: "stratum",
                reason: format!(
                    "stratum {stratum} does not exist (the fit has {})",
                    b.offsets.len() - 1
                ),
            });
        }
        crate::data::check_times(times)?;
        let r = b.offsets[stratum]..b.offsets[stratum + 1];
        let tt = &b.time[r.clone()];
        Ok(times
            .iter()
            .map(|&t| {
                let i = tt.partition_point(|&x| x <= t);
                if i == 0 {
                    0.0
                } else {
                    b.cumulative_hazard_centered[r.start + i - 1]
                }
            })
            .collect())
    }
}
