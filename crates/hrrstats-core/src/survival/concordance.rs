//! Harrell's concordance for a risk score and a right-censored outcome, with its
//! infinitesimal-jackknife variance, as `survival::concordance` (Therneau & Watson
//! 2017; survival's `concordancefit` with `timewt = "n"`, C routine `concordance3`).
//!
//! Pairs: each event at time `t` against every subject with a longer time or censored at
//! `t` (censored at `t` counts as still at risk), weighted by the product of the case
//! weights; a pair is concordant when the subject with the event has the smaller score
//! (`reverse`: the larger, as for a Cox model's linear predictor), tied on x when the
//! scores are equal; events at the same time are tied on y (and on xy when their scores
//! are equal too). `C = (concordant + tied_x / 2) / (concordant + discordant + tied_x)`.
//! The variance is `Σ_i dfbeta_i² / 4` with `dfbeta_i = w_i ((c_i − d_i)/N −
//! (D/N²)(c_i + d_i + t_i))`, `c_i, d_i, t_i` the weighted counts of concordant,
//! discordant and x-tied pairs row `i` takes part in, `N` the number of pairs and `D`
//! concordant minus discordant (Somers' D times N). O(n log n): rows sorted once per
//! stratum and two Fenwick trees over the score ranks (all subjects at risk, events).
//! With entry times (`(start, stop]` rows, survival's `concordance4`) a row is compared
//! only at event times inside its interval.

use crate::error::{Error, Result};

/// The concordance of a score with survival.
#[derive(Debug, Clone, PartialEq)]
pub struct Concordance {
    pub concordance: f64,
    /// Infinitesimal-jackknife variance (survival's `var`).
    pub var: f64,
    /// concordant, discordant, tied on x, tied on y, tied on x and y (weighted pairs).
    pub counts: [f64; 5],
    pub n: usize,
}

/// A Fenwick tree of weights over ranks `0..m`, with the weight at each rank.
struct Fenwick {
    tree: Vec<f64>,
    at: Vec<f64>,
    total: f64,
}

impl Fenwick {
    fn new(m: usize) -> Self {
        Fenwick {
            tree: vec![0.0; m + 1],
            at: vec![0.0; m],
            total: 0.0,
        }
    }
    fn add(&mut self, r: usize, w: f64) {
        self.at[r] += w;
        self.total += w;
        let mut i = r + 1;
        while i < self.tree.len() {
            self.tree[i] += w;
            i += i & i.wrapping_neg();
        }
    }
    /// Weight at ranks below `r`.
    fn below(&self, r: usize) -> f64 {
        let mut s = 0.0;
        let mut i = r;
        while i > 0 {
            s += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        s
    }
    /// (greater, smaller, tied) than rank `r`, as survival's `walkup`.
    fn sums(&self, r: usize) -> [f64; 3] {
        let below = self.below(r);
        [self.total - below - self.at[r], below, self.at[r]]
    }
}

/// Concordance of `score` with (`time`, `status`), optional case `weights` and
/// `strata` (pairs within strata only); `reverse`: a larger score predicts a shorter
/// time (a Cox model's linear predictor).
pub fn concordance(
    time: &[f64],
    status: &[f64],
    entry: Option<&[f64]>,
    score: &[f64],
    weights: Option<&[f64]>,
    strata: Option<&[u32]>,
    reverse: bool,
) -> Result<Concordance> {
    let n = time.len();
    if let Some(row) = score.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidValue {
            arg: "score",
            row,
            value: score[row],
            problem: "missing value (NaN)",
        });
    }
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    // rows by stratum
    let n_strata = strata.map_or(1, |s| s.iter().map(|&k| k as usize + 1).max().unwrap_or(1));
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); n_strata];
    for i in 0..n {
        groups[strata.map_or(0, |s| s[i] as usize)].push(i);
    }
    let mut count = [0.0f64; 5];
    // influence: concordant, discordant, tied x (per row)
    let mut imat = vec![[0.0f64; 3]; n];
    let mut rank_of = vec![0u32; n];
    for rows in groups.iter().filter(|g| !g.is_empty()) {
        if !rows.iter().any(|&i| status[i] == 1.0) {
            continue;
        }
        // dense ranks of the score
        let mut xs: Vec<f64> = rows.iter().map(|&i| score[i]).collect();
        xs.sort_by(f64::total_cmp);
        xs.dedup();
        for &i in rows {
            rank_of[i] = xs.partition_point(|&v| v < score[i]) as u32;
        }
        let rank = |i: usize| rank_of[i] as usize;
        // time descending, censored before events at a time, score ascending
        let mut order = rows.clone();
        order.sort_by(|&a, &b| {
            time[b]
                .total_cmp(&time[a])
                .then(status[a].total_cmp(&status[b]))
                .then(score[a].total_cmp(&score[b]))
        });
        // (start, stop] rows (survival's concordance4): a row leaves the risk set at
        // the first event time at or before its start, taken in decreasing start order
        let mut by_start = rows.clone();
        if let Some(e) = entry {
            by_start.sort_by(|&a, &b| e[b].total_cmp(&e[a]));
        }
        let mut i2 = 0;
        let m = xs.len();
        let mut all = Fenwick::new(m);
        let mut deaths = Fenwick::new(m);
        let mut i = 0;
        while i < order.len() {
            let ii = order[i];
            if status[ii] != 1.0 {
                let s = deaths.sums(rank(ii));
                imat[ii][0] -= s[1];
                imat[ii][1] -= s[0];
                imat[ii][2] -= s[2];
                all.add(rank(ii), w(ii));
                i += 1;
                continue;
            }
            if let Some(e) = entry {
                while i2 < by_start.len() && e[by_start[i2]] >= time[ii] {
                    let jj = by_start[i2];
                    let s = deaths.sums(rank(jj));
                    imat[jj][0] += s[1];
                    imat[jj][1] += s[0];
                    imat[jj][2] += s[2];
                    all.add(rank(jj), -w(jj));
                    i2 += 1;
                }
            }
            // the events at this time
            let mut j = i;
            let mut dwt = 0.0;
            let mut dwt2 = 0.0;
            let mut xsave = score[ii];
            while j < order.len() && time[order[j]] == time[ii] && status[order[j]] == 1.0 {
                let jj = order[j];
                count[3] += w(jj) * dwt;
                dwt += w(jj);
                if score[jj] != xsave {
                    dwt2 = 0.0;
                    xsave = score[jj];
                }
                count[4] += w(jj) * dwt2;
                dwt2 += w(jj);
                let s = all.sums(rank(jj));
                for k in 0..3 {
                    count[k] += w(jj) * s[k];
                    imat[jj][k] += s[k];
                }
                deaths.add(rank(jj), w(jj));
                j += 1;
            }
            for &jj in &order[i..j] {
                let s = deaths.sums(rank(jj));
                imat[jj][0] -= s[1];
                imat[jj][1] -= s[0];
                imat[jj][2] -= s[2];
                all.add(rank(jj), w(jj));
            }
            i = j;
        }
        for &ii in &by_start[i2..] {
            let s = deaths.sums(rank(ii));
            imat[ii][0] += s[1];
            imat[ii][1] += s[0];
            imat[ii][2] += s[2];
        }
    }
    count[3] -= count[4];
    let npair = count[0] + count[1] + count[2];
    if npair == 0.0 {
        return Err(Error::Data {
            arg: "status",
            reason: "no comparable pairs (no event before another time): the concordance is \
                     not defined"
                .into(),
        });
    }
    let somer = (count[0] - count[1]) / npair;
    let var: f64 = (0..n)
        .map(|i| {
            let d = w(i) * ((imat[i][0] - imat[i][1]) / npair
                - (somer / npair) * (imat[i][0] + imat[i][1] + imat[i][2]));
            d * d
        })
        .sum::<f64>()
        / 4.0;
    let (mut c, mut counts) = ((somer + 1.0) / 2.0, count);
    if reverse {
        c = 1.0 - c;
        counts.swap(0, 1);
    }
    Ok(Concordance {
        concordance: c,
        var,
        counts,
        n,
    })
}
