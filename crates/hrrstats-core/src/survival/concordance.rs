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
    let (count, imat) = sweep(time, status, entry, score, weights, strata, true);
    finish(count, n, reverse, |npair, somer| {
        (0..n).map(|i| dfbeta_sq(w(i), &imat[i], npair, somer)).sum::<f64>()
    })
}

/// Row `i`'s squared influence `dfbeta_i²` from its weight and its counts (concordant,
/// discordant, tied on x) with `npair` pairs and Somers' `D / N` = `somer`.
fn dfbeta_sq(w: f64, imat: &[f64; 3], npair: f64, somer: f64) -> f64 {
    let d = w * ((imat[0] - imat[1]) / npair - (somer / npair) * (imat[0] + imat[1] + imat[2]));
    d * d
}

/// The concordance from the pair counts (concordant, discordant, tied x, tied y
/// including tied xy, tied xy) of `n` rows and `sum_sq(npair, somer)`, the rows'
/// `Σ dfbeta_i²`.
fn finish(
    mut count: [f64; 5],
    n: usize,
    reverse: bool,
    sum_sq: impl FnOnce(f64, f64) -> f64,
) -> Result<Concordance> {
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
    let var = sum_sq(npair, somer) / 4.0;
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

/// The sweep of survival's `concordance3`/`concordance4` over the rows, stratum by
/// stratum: the pair counts (concordant, discordant, tied x, tied y, tied xy; tied y
/// still including tied xy) and per row its counts (concordant, discordant, tied x)
/// before the weights. With `events_at_risk` false the event rows (`status == 1`) are
/// only the events of the pairs, never the later-time side (nor tied in y): the pairs
/// of these events with the other rows, as a part of the data computes them against the
/// whole data's events ([`part_concordance`]).
fn sweep(
    time: &[f64],
    status: &[f64],
    entry: Option<&[f64]>,
    score: &[f64],
    weights: Option<&[f64]>,
    strata: Option<&[u32]>,
    events_at_risk: bool,
) -> ([f64; 5], Vec<[f64; 3]>) {
    let n = time.len();
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
        let mut by_start: Vec<usize> = if events_at_risk {
            rows.clone()
        } else {
            rows.iter().copied().filter(|&i| status[i] != 1.0).collect()
        };
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
                if events_at_risk {
                    count[3] += w(jj) * dwt;
                    dwt += w(jj);
                    if score[jj] != xsave {
                        dwt2 = 0.0;
                        xsave = score[jj];
                    }
                    count[4] += w(jj) * dwt2;
                    dwt2 += w(jj);
                }
                let s = all.sums(rank(jj));
                for k in 0..3 {
                    count[k] += w(jj) * s[k];
                    imat[jj][k] += s[k];
                }
                deaths.add(rank(jj), w(jj));
                j += 1;
            }
            if events_at_risk {
                for &jj in &order[i..j] {
                    let s = deaths.sums(rank(jj));
                    imat[jj][0] -= s[1];
                    imat[jj][1] -= s[0];
                    imat[jj][2] -= s[2];
                    all.add(rank(jj), w(jj));
                }
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
    (count, imat)
}

// ---- over parts (hrrstats.dask) ----------------------------------------------------------

/// The event rows (`status == 1`) of the whole data, gathered from its parts: their
/// times, entry times, scores, case weights and stratum codes.
pub struct Events<'a> {
    pub time: &'a [f64],
    pub entry: Option<&'a [f64]>,
    pub score: &'a [f64],
    pub weights: Option<&'a [f64]>,
    pub strata: Option<&'a [u32]>,
}

impl Events<'_> {
    fn check(&self) -> Result<()> {
        let e = self.time.len();
        let bad = |name: &str| Error::InvalidArgument {
            arg: "events",
            reason: format!("`{name}` must have one value per event ({e})"),
        };
        if self.score.len() != e {
            return Err(bad("score"));
        }
        if self.entry.is_some_and(|v| v.len() != e) {
            return Err(bad("entry"));
        }
        if self.weights.is_some_and(|v| v.len() != e) {
            return Err(bad("weights"));
        }
        if self.strata.is_some_and(|v| v.len() != e) {
            return Err(bad("strata"));
        }
        crate::data::check_finite("events", self.score)?;
        Ok(())
    }
}

/// A part's sums against the whole data's events, added over parts: the pairs of each
/// event with the part's other rows (concordant, discordant, tied x), per event its
/// counts over them (3 per event, before the event's weight), and over the part's
/// other rows `Σ w² a²`, `Σ w² a b`, `Σ w² b²` with `a = c − d`, `b = c + d + t` each
/// row's counts (the squared influences `Σ w² (a − S b)² / N²` once the whole data's
/// `N` and `S` are known); `n` the part's rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartConcordance {
    pub count: [f64; 3],
    pub events: Vec<f64>,
    pub sq: [f64; 3],
    pub n: usize,
}

impl PartConcordance {
    /// Adds another part's sums (over the same events).
    pub fn add(&mut self, o: &PartConcordance) -> Result<()> {
        if self.events.is_empty() && self.n == 0 {
            self.events = vec![0.0; o.events.len()];
        }
        if o.events.len() != self.events.len() {
            return Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the parts' sums are not over the same events".into(),
            });
        }
        for k in 0..3 {
            self.count[k] += o.count[k];
            self.sq[k] += o.sq[k];
        }
        for (a, b) in self.events.iter_mut().zip(&o.events) {
            *a += b;
        }
        self.n += o.n;
        Ok(())
    }
}

/// A part's sums ([`PartConcordance`]) for its rows (`time`, `status`, `entry`, `score`,
/// `weights`, `strata`) against the whole data's `events` (which include the part's own
/// event rows: only its other rows are compared with them here). The same sweep as
/// [`concordance`], with the events the only events and the part's other rows the only
/// rows at risk.
pub fn part_concordance(
    events: &Events,
    time: &[f64],
    status: &[f64],
    entry: Option<&[f64]>,
    score: &[f64],
    weights: Option<&[f64]>,
    strata: Option<&[u32]>,
) -> Result<PartConcordance> {
    events.check()?;
    if let Some(row) = score.iter().position(|v| !v.is_finite()) {
        return Err(Error::InvalidValue {
            arg: "score",
            row,
            value: score[row],
            problem: "missing value (NaN)",
        });
    }
    let e = events.time.len();
    let rows: Vec<usize> = (0..time.len()).filter(|&i| status[i] != 1.0).collect();
    let cat = |ev: &[f64], part: &dyn Fn(usize) -> f64| -> Vec<f64> {
        ev.iter().copied().chain(rows.iter().map(|&i| part(i))).collect()
    };
    let ones = vec![1.0; e];
    let minf = vec![f64::NEG_INFINITY; e];
    let t = cat(events.time, &|i| time[i]);
    let st = cat(&ones, &|i| status[i]);
    let sc = cat(events.score, &|i| score[i]);
    let en = (entry.is_some() || events.entry.is_some()).then(|| {
        cat(events.entry.unwrap_or(&minf), &|i| entry.map_or(f64::NEG_INFINITY, |v| v[i]))
    });
    let wt = (weights.is_some() || events.weights.is_some()).then(|| {
        cat(events.weights.unwrap_or(&ones), &|i| weights.map_or(1.0, |v| v[i]))
    });
    let ss: Option<Vec<u32>> = (strata.is_some() || events.strata.is_some()).then(|| {
        let ev = events.strata.map_or_else(|| vec![0; e], <[u32]>::to_vec);
        ev.into_iter()
            .chain(rows.iter().map(|&i| strata.map_or(0, |v| v[i])))
            .collect()
    });
    let (count, imat) = sweep(&t, &st, en.as_deref(), &sc, wt.as_deref(), ss.as_deref(), false);
    let mut out = PartConcordance {
        count: [count[0], count[1], count[2]],
        events: imat[..e].iter().flatten().copied().collect(),
        sq: [0.0; 3],
        n: time.len(),
    };
    for (k, &i) in rows.iter().enumerate() {
        let m = &imat[e + k];
        let w2 = weights.map_or(1.0, |v| v[i] * v[i]);
        let (a, b) = (m[0] - m[1], m[0] + m[1] + m[2]);
        out.sq[0] += w2 * a * a;
        out.sq[1] += w2 * a * b;
        out.sq[2] += w2 * b * b;
    }
    Ok(out)
}

/// The concordance of the whole data from its `events` and its parts' sums added
/// ([`PartConcordance::add`]): the pairs among the events (tied in y among them) from
/// the sweep over the events alone, the others from the parts; the variance from the
/// events' counts (theirs plus the parts') and the other rows' squared sums. Equal to
/// [`concordance`] of the whole data but for the order of summation.
pub fn concordance_of_parts(events: &Events, parts: &PartConcordance, reverse: bool) -> Result<Concordance> {
    events.check()?;
    let e = events.time.len();
    if parts.events.len() != 3 * e {
        return Err(Error::InvalidArgument {
            arg: "parts",
            reason: format!("the parts' sums are over {} events, not {e}", parts.events.len() / 3),
        });
    }
    let status = vec![1.0; e];
    let (mut count, mut imat) =
        sweep(events.time, &status, events.entry, events.score, events.weights, events.strata, true);
    for k in 0..3 {
        count[k] += parts.count[k];
    }
    for (m, p) in imat.iter_mut().zip(parts.events.chunks_exact(3)) {
        for k in 0..3 {
            m[k] += p[k];
        }
    }
    let w = |i: usize| events.weights.map_or(1.0, |w| w[i]);
    let sq = parts.sq;
    finish(count, parts.n, reverse, |npair, somer| {
        (0..e).map(|i| dfbeta_sq(w(i), &imat[i], npair, somer)).sum::<f64>()
            + (sq[0] - 2.0 * somer * sq[1] + somer * somer * sq[2]) / (npair * npair)
    })
}
