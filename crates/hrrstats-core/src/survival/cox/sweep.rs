//! The risk-set sweeps of the Cox fit: the data sorted once (stratum blocks, exit time
//! descending; counting-process rows also by entry), and the log partial likelihood,
//! score and information accumulated backwards in time per stratum (agfit4's running
//! sums), with the `x g(t)` blocks of the proportional-hazards test.

use rayon::prelude::*;

use crate::data::{Covariates, SurvivalData};
use crate::error::{Error, Result};
use crate::survival::order::sort_rows_by;

/// Data sorted once for the sweeps: stratum blocks, exit time descending.
#[derive(Debug, Clone, Default)]
pub(super) struct Prepared {
    pub(super) p: usize,
    /// Original row of each sorted position.
    pub(super) rows: Vec<u32>,
    /// Block boundaries (strata) in the sorted arrays.
    pub(super) bounds: Vec<usize>,
    pub(super) exit: Vec<f64>,
    pub(super) entry: Option<Vec<f64>>,
    pub(super) event: Vec<bool>,
    pub(super) weight: Vec<f64>,
    pub(super) offset: Vec<f64>,
    /// Row-major, centred and scaled covariates of the sorted rows.
    pub(super) x: Vec<f64>,
    /// Per block: positions (global, in the sorted arrays) by entry time descending.
    pub(super) entry_order: Option<Vec<u32>>,
    pub(super) scale: Vec<f64>,
    /// Centre subtracted from each covariate before scaling.
    pub(super) center: Vec<f64>,
    /// Counting-process data: agfit4's iteration rules rather than coxfit6's.
    pub(super) counting: bool,
}

impl Prepared {
    pub(super) fn new(data: &SurvivalData, x: &Covariates, offset: Option<&[f64]>) -> Result<Self> {
        let p = x.p();
        // The working copy is n x p, the sweeps' sums p x p: refused before allocating.
        crate::data::check_design("covariates", data.len(), p, "")?;
        let exit = data.exit();
        let status = data.status();
        let mut bounds = vec![0usize];
        let mut order: Vec<u32> = Vec::with_capacity(data.len());
        let mut entry_order: Option<Vec<u32>> =
            data.entry().map(|_| Vec::with_capacity(data.len()));
        for rows in data.rows_by_stratum() {
            // With entry times, rows whose (entry, exit] holds no event time of their
            // stratum never enter a risk set at an event: leave them out (as agreg.fit).
            let rows: Vec<u32> = match data.entry() {
                None => rows,
                Some(entry) => {
                    let mut times: Vec<f64> = rows
                        .iter()
                        .filter(|&&r| status[r as usize] == 1.0)
                        .map(|&r| exit[r as usize])
                        .collect();
                    times.sort_by(f64::total_cmp);
                    times.dedup();
                    rows.into_iter()
                        .filter(|&r| {
                            let r = r as usize;
                            times.partition_point(|&t| t <= exit[r])
                                != times.partition_point(|&t| t <= entry[r])
                        })
                        .collect()
                }
            };
            let start = order.len();
            let mut sorted = sort_rows_by(exit, &rows);
            sorted.reverse();
            order.extend_from_slice(&sorted);
            if let (Some(eo), Some(entry)) = (entry_order.as_mut(), data.entry()) {
                // positions start..start+len sorted by entry, descending
                let block: Vec<u32> = (start..order.len()).map(|i| i as u32).collect();
                let key: Vec<f64> = order[start..].iter().map(|&r| entry[r as usize]).collect();
                let mut by_entry = sort_rows_by(&key, &(0..block.len() as u32).collect::<Vec<_>>());
                by_entry.reverse();
                eo.extend(by_entry.into_iter().map(|i| block[i as usize]));
            }
            bounds.push(order.len());
        }
        let m = order.len();
        let g = |v: &[f64]| -> Vec<f64> { order.iter().map(|&r| v[r as usize]).collect() };
        let weight: Vec<f64> = order.iter().map(|&r| data.weight(r as usize)).collect();
        let wsum: f64 = weight.iter().sum();
        let mut xs = crate::data::try_zeros("covariates", m * p, m, p)?;
        let mut scale = vec![1.0; p];
        let mut centers = vec![0.0; p];
        for j in 0..p {
            let col = x.column(j);
            let zero_one = col.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0);
            let (center, sc) = if zero_one {
                (0.0, 1.0)
            } else {
                let mean = order
                    .iter()
                    .zip(&weight)
                    .map(|(&r, w)| w * col[r as usize])
                    .sum::<f64>()
                    / wsum;
                let mad = order
                    .iter()
                    .zip(&weight)
                    .map(|(&r, w)| w * (col[r as usize] - mean).abs())
                    .sum::<f64>();
                (mean, if mad > 0.0 { wsum / mad } else { 1.0 })
            };
            scale[j] = sc;
            centers[j] = center;
            for (i, &r) in order.iter().enumerate() {
                xs[i * p + j] = (col[r as usize] - center) * sc;
            }
        }
        Ok(Prepared {
            p,
            rows: order.clone(),
            bounds,
            exit: g(exit),
            entry: data.entry().map(g),
            event: order.iter().map(|&r| status[r as usize] == 1.0).collect(),
            weight,
            offset: offset.map_or_else(|| vec![0.0; m], g),
            x: xs,
            entry_order,
            scale,
            center: centers,
            counting: data.entry().is_some(),
        })
    }

    /// An error naming the first covariate whose centring or scaling overflowed (values
    /// near the largest double): its column would otherwise come out aliased or NaN.
    pub(super) fn check_finite(&self, x: &Covariates) -> Result<()> {
        let p = self.p;
        for j in 0..p {
            let ok = self.center[j].is_finite()
                && self.scale[j].is_finite()
                && self.scale[j] > 0.0
                && (0..self.len()).all(|i| self.x[i * p + j].is_finite());
            if !ok {
                return Err(Error::covariate_too_large(&x.names()[j], x.column(j)));
            }
        }
        Ok(())
    }

    pub(super) fn len(&self) -> usize {
        self.exit.len()
    }

    /// The same rows with only the covariate columns `keep` (scaling and centring are
    /// per column, so this equals preparing the data with those columns alone).
    pub(super) fn select_columns(&self, keep: &[usize]) -> Prepared {
        let (p, q) = (self.p, keep.len());
        let mut x = vec![0.0; self.len() * q];
        for i in 0..self.len() {
            for (c, &j) in keep.iter().enumerate() {
                x[i * q + c] = self.x[i * p + j];
            }
        }
        Prepared {
            p: q,
            x,
            scale: keep.iter().map(|&j| self.scale[j]).collect(),
            center: keep.iter().map(|&j| self.center[j]).collect(),
            ..self.clone()
        }
    }

    /// The first event row at or after sorted position `from` (before `end`).
    pub(super) fn next_event(&self, from: usize, end: usize) -> Option<usize> {
        (from..end).find(|&k| self.event[k])
    }

    /// Linear predictor of the sorted rows at (scaled) `beta`.
    pub(super) fn eta(&self, beta: &[f64]) -> Vec<f64> {
        let p = self.p;
        let mut eta = vec![0.0; self.len()];
        eta.par_chunks_mut(1 << 14)
            .enumerate()
            .for_each(|(c, chunk)| {
                let base = c << 14;
                for (k, e) in chunk.iter_mut().enumerate() {
                    let i = base + k;
                    let xi = &self.x[i * p..(i + 1) * p];
                    *e = xi.iter().zip(beta).map(|(a, b)| a * b).sum::<f64>() + self.offset[i];
                }
            });
        eta
    }

    /// Log partial likelihood, score and information (upper triangle) at `beta`.
    pub(super) fn sums(&self, beta: &[f64], efron: bool) -> Result<Sums> {
        self.sums_with(beta, efron, None)
    }

    /// As [`Prepared::sums`], with the `x g(t)` blocks when `g` (per sorted position:
    /// the time function at that row's exit time) is given.
    ///
    /// Interrupts: one stratum is swept on the calling thread, which polls
    /// [`crate::interrupt::check`] inside its row loop (a large-p evaluation can take
    /// minutes); several strata are swept in parallel in blocks of strata, with a
    /// check before each block (rayon's workers never ask the hook).
    pub(super) fn sums_with(&self, beta: &[f64], efron: bool, g: Option<&[f64]>) -> Result<Sums> {
        let eta = self.eta(beta);
        let blocks = self.bounds.len() - 1;
        if blocks == 1 {
            return self.block_sums(0, &eta, efron, g);
        }
        let cost = (self.len() / blocks.max(1)).max(1).saturating_mul(self.p * self.p);
        // The strata's sums are added to the total one after the other, in stratum order,
        // whatever the blocks (their size depends on the number of threads): the same
        // bits for any number of threads.
        let mut total = Sums::new(self.p);
        crate::interrupt::in_blocks(
            blocks,
            cost,
            Ok(()),
            |range| {
                let parts: Vec<Result<Sums>> = range
                    .into_par_iter()
                    .map(|b| self.block_sums(b, &eta, efron, g))
                    .collect();
                for part in parts {
                    total.add(&part?);
                }
                Ok(())
            },
            |acc: Result<()>, part: Result<()>| acc.and(part),
        )??;
        Ok(total)
    }

    /// One stratum's sweep (agfit4): event times from last to first.
    pub(super) fn block_sums(
        &self,
        b: usize,
        eta: &[f64],
        efron: bool,
        g: Option<&[f64]>,
    ) -> Result<Sums> {
        let p = self.p;
        let (start, end) = (self.bounds[b], self.bounds[b + 1]);
        let x = &self.x;
        let mut s = Sums::new(p);
        let (mut a, mut a2) = (vec![0.0; p], vec![0.0; p]);
        let (mut cmat, mut cmat2) = (vec![0.0; p * p], vec![0.0; p * p]);
        let mut dsum = vec![0.0; p]; // Σ w x over the deaths at this time (for `ug`)
        let (mut denom, mut etasum, mut recenter) = (0.0, 0.0, 0.0);
        let mut nrisk: i64 = 0;
        let mut person = start;
        let mut indx1 = start; // into entry_order
        while let Some(k) = self.next_event(person, end) {
            let dtime = self.exit[k];
            if let (Some(eo), Some(entry)) = (&self.entry_order, &self.entry) {
                while indx1 < end {
                    let q = eo[indx1] as usize;
                    if entry[q] < dtime {
                        break;
                    }
                    nrisk -= 1;
                    if nrisk == 0 {
                        etasum = 0.0;
                        denom = 0.0;
                        a.fill(0.0);
                        cmat.fill(0.0);
                    } else {
                        etasum -= eta[q];
                        let risk = (eta[q] - recenter).exp() * self.weight[q];
                        denom -= risk;
                        let xq = &x[q * p..(q + 1) * p];
                        for i in 0..p {
                            a[i] -= risk * xq[i];
                            for j in 0..=i {
                                cmat[i * p + j] -= risk * xq[i] * xq[j];
                            }
                        }
                    }
                    indx1 += 1;
                }
            }
            let (mut denom2, mut meanwt, mut deaths) = (0.0, 0.0, 0usize);
            a2.fill(0.0);
            cmat2.fill(0.0);
            dsum.fill(0.0);
            let gt = g.map_or(0.0, |g| g[k]);
            while person < end && self.exit[person] >= dtime {
                // A no-op on rayon's workers; on the calling thread, Ctrl-C stops a
                // long evaluation within about 0.1 s (rows cost O(p^2) each).
                crate::interrupt::check_every(person, 256)?;
                let q = person;
                nrisk += 1;
                etasum += eta[q];
                let centre = etasum / nrisk as f64;
                if (centre - recenter).abs() > 200.0 {
                    let temp = centre - recenter;
                    recenter = centre;
                    if denom > 0.0 {
                        if temp.abs() > 709.0 {
                            return Err(Error::Data {
                                arg: "covariates",
                                reason: "exp overflow in the risk score: rescale the covariates"
                                    .into(),
                            });
                        }
                        let f = (-temp).exp();
                        denom *= f;
                        a.iter_mut().for_each(|v| *v *= f);
                        cmat.iter_mut().for_each(|v| *v *= f);
                    }
                }
                let w = self.weight[q];
                let risk = (eta[q] - recenter).exp() * w;
                let xq = &x[q * p..(q + 1) * p];
                if self.event[q] {
                    deaths += 1;
                    denom2 += risk;
                    meanwt += w;
                    s.loglik += w * (eta[q] - recenter);
                    for i in 0..p {
                        s.u[i] += w * xq[i];
                        dsum[i] += w * xq[i];
                        a2[i] += risk * xq[i];
                        for j in 0..=i {
                            cmat2[i * p + j] += risk * xq[i] * xq[j];
                        }
                    }
                } else {
                    denom += risk;
                    for i in 0..p {
                        a[i] += risk * xq[i];
                        for j in 0..=i {
                            cmat[i * p + j] += risk * xq[i] * xq[j];
                        }
                    }
                }
                person += 1;
            }
            if g.is_some() {
                for i in 0..p {
                    s.ug[i] += gt * dsum[i];
                }
            }
            if !efron || deaths == 1 {
                denom += denom2;
                s.loglik -= meanwt * denom.ln();
                for i in 0..p {
                    a[i] += a2[i];
                    let temp = a[i] / denom;
                    s.u[i] -= meanwt * temp;
                    for j in 0..=i {
                        cmat[i * p + j] += cmat2[i * p + j];
                        s.imat[j * p + i] += meanwt * ((cmat[i * p + j] - temp * a[j]) / denom);
                    }
                }
                if g.is_some() {
                    s.add_g(gt, meanwt, denom, &a, &cmat);
                }
            } else {
                let dd = deaths as f64;
                meanwt /= dd;
                for _ in 0..deaths {
                    denom += denom2 / dd;
                    s.loglik -= meanwt * denom.ln();
                    for i in 0..p {
                        a[i] += a2[i] / dd;
                        let temp = a[i] / denom;
                        s.u[i] -= meanwt * temp;
                        for j in 0..=i {
                            cmat[i * p + j] += cmat2[i * p + j] / dd;
                            s.imat[j * p + i] += meanwt * ((cmat[i * p + j] - temp * a[j]) / denom);
                        }
                    }
                    if g.is_some() {
                        s.add_g(gt, meanwt, denom, &a, &cmat);
                    }
                }
            }
        }
        Ok(s)
    }
}

/// Log partial likelihood, score vector and information matrix (upper triangle);
/// with a time function `g`, also the score and information blocks of the added
/// covariates `x g(t)` (for `zph`): `ug`, `ixg` (p x p, full), `igg` (upper).
pub(super) struct Sums {
    pub(super) loglik: f64,
    pub(super) u: Vec<f64>,
    pub(super) imat: Vec<f64>,
    pub(super) ug: Vec<f64>,
    pub(super) ixg: Vec<f64>,
    pub(super) igg: Vec<f64>,
}

impl Sums {
    pub(super) fn new(p: usize) -> Self {
        Sums {
            loglik: 0.0,
            u: vec![0.0; p],
            imat: vec![0.0; p * p],
            ug: vec![0.0; p],
            ixg: vec![0.0; p * p],
            igg: vec![0.0; p * p],
        }
    }
    /// One (sub-)step's contribution to the `x g(t)` blocks: score `-g W x̄` and
    /// information `g V`, `g² V`, with `V` the weighted covariance over the risk set.
    pub(super) fn add_g(&mut self, gt: f64, meanwt: f64, denom: f64, a: &[f64], cmat: &[f64]) {
        let p = a.len();
        for i in 0..p {
            self.ug[i] -= gt * meanwt * a[i] / denom;
            for j in 0..=i {
                let v = meanwt * ((cmat[i * p + j] - a[i] / denom * a[j]) / denom);
                self.ixg[i * p + j] += gt * v;
                if i != j {
                    self.ixg[j * p + i] += gt * v;
                }
                self.igg[j * p + i] += gt * gt * v;
            }
        }
    }

    pub(super) fn add(&mut self, o: &Sums) {
        self.loglik += o.loglik;
        for (a, b) in [
            (&mut self.u, &o.u),
            (&mut self.imat, &o.imat),
            (&mut self.ug, &o.ug),
            (&mut self.ixg, &o.ixg),
            (&mut self.igg, &o.igg),
        ] {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
    }
}
