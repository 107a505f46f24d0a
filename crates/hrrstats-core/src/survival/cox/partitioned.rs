//! Cox regression on data held in parts (the partitions of a Dask DataFrame): the
//! partial likelihood of [`super::CoxPhParams::fit`] with its risk-set sums taken part by
//! part and added per event time, so that no row leaves its part.
//!
//! A first pass gives, per part, the distinct event times of each stratum and the
//! covariates' weighted moments (centre and scale, as the in-memory fit centres and
//! scales). Each Newton evaluation at `β` is then one pass: every part sums, per event
//! time `t_k` of the whole data (its stratum's), over its rows at risk
//! (`entry < t_k <= exit`) `A = Σ w e^η`, `A1 = Σ w e^η x`, `A2 = Σ w e^η x x'`, and
//! over its deaths at `t_k` the same three (`E0, E1, E2`), their number and weight, and
//! `Σ w η`, `Σ w x` over its deaths. Added over parts these give, per event time, what
//! the in-memory sweep accumulates, and the log partial likelihood, score and
//! information follow as in coxfit6/agfit4 (Breslow: `l -= W log A`; Efron with `d`
//! tied deaths: `d` terms with `A - (j/d) E0`, `j = 0..d-1`, each weighted `W/d`).
//! The Newton iterations are the in-memory fit's ([`super::newton_with`]: coxph's
//! rules, step halving, convergence test, warnings), run on a thread of their own that
//! asks for one pass per evaluation. The estimates equal the in-memory fit's but for
//! the order of summation.
//!
//! A part sends `K (2 + 2p + p(p+1))` numbers per pass for `K` distinct event times:
//! times in days keep `K` to a few thousand per stratum.
//!
//! The robust (sandwich) variance, as coxph's (`D'D`, `D` the weighted dfbeta residuals
//! summed within clusters, each row its own cluster without one), takes two more
//! passes: the risk-set sums at the final `β`, from which the driver forms per event
//! time what a row's score residual needs ([`ResidualTerms`]: cumulative hazard,
//! cumulative `Σ x̄ dΛ`, the deaths' centring and Efron's corrections); then a pass in
//! which each part computes its rows' score residuals (agscore3's) at the final `β` and
//! at the initial one (for the robust score test) and returns `Σ_g T_g T_g'` over its
//! clusters (`T_g` the weighted residuals in original units summed over cluster `g`).
//! A cluster must lie wholly in one part: the driver checks that the parts' numbers of
//! clusters add up to the data's.

use std::sync::mpsc::{channel, Receiver, Sender};

use super::sweep::Sums;
use super::{CoxPhFit, CoxPhParams, IterResult};
use crate::data::Covariates;
use crate::error::{Error, Result};

/// One part's rows.
pub struct CoxPart<'a> {
    pub time: &'a [f64],
    pub status: &'a [f64],
    pub entry: Option<&'a [f64]>,
    /// Stratum codes (0-based, the whole data's levels) and their number.
    pub strata: Option<(&'a [u32], usize)>,
    pub weights: Option<&'a [f64]>,
    pub offset: Option<&'a [f64]>,
    pub x: Covariates<'a>,
}

impl CoxPart<'_> {
    fn n_strata(&self) -> usize {
        self.strata.map_or(1, |(_, k)| k)
    }
    fn stratum(&self, i: usize) -> usize {
        self.strata.map_or(0, |(c, _)| c[i] as usize)
    }
    fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
    fn check(&self) -> Result<()> {
        let n = self.time.len();
        crate::data::check_len("status", self.status.len(), "time", n)?;
        crate::data::check_len("covariates", self.x.n(), "time", n)?;
        for (name, v) in [("entry", self.entry), ("weights", self.weights), ("offset", self.offset)] {
            if let Some(v) = v {
                crate::data::check_len(name, v.len(), "time", n)?;
            }
        }
        if let Some((c, _)) = self.strata {
            crate::data::check_len("strata", c.len(), "time", n)?;
        }
        // the in-memory checks of times, status and weights, with the same messages
        let surv = crate::data::SurvivalData::new(self.time, self.status)?;
        let surv = match self.entry {
            Some(e) => surv.with_entry(e)?,
            None => surv,
        };
        if let Some(w) = self.weights {
            surv.with_weights(w)?;
            if let Some(row) = w.iter().position(|&v| v <= 0.0) {
                return Err(Error::InvalidValue {
                    arg: "weights",
                    row,
                    value: w[row],
                    problem: "Cox weights must be positive (as survival::coxph)",
                });
            }
        }
        if let Some(o) = self.offset {
            crate::data::check_offset(o, n, "time")?;
        }
        Ok(())
    }
}

/// The first pass's sums: event times per stratum and the covariates' moments.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Moments {
    pub n: usize,
    pub n_event: usize,
    pub wsum: f64,
    pub sx: Vec<f64>,
    pub sxx: Vec<f64>,
    /// Whether every value of the column is -1, 0 or 1 (not centred or scaled).
    pub zero_one: Vec<bool>,
    /// Distinct event times, sorted, per stratum.
    pub times: Vec<Vec<f64>>,
    /// Some case weight is not a whole number (coxph's rule: robust variance).
    pub fractional: bool,
    /// Unweighted `Σ x` (the means of counting-process data) and `Σ w offset`.
    pub sx1: Vec<f64>,
    pub so: f64,
}

impl Moments {
    pub fn add(&mut self, o: &Moments) -> Result<()> {
        if self.times.is_empty() {
            *self = o.clone();
            return Ok(());
        }
        if o.sx.len() != self.sx.len() || o.times.len() != self.times.len() {
            return Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the parts have different covariates or strata".into(),
            });
        }
        self.n += o.n;
        self.n_event += o.n_event;
        self.wsum += o.wsum;
        self.so += o.so;
        if self.sx1.len() == o.sx1.len() {
            self.sx1.iter_mut().zip(&o.sx1).for_each(|(a, b)| *a += b);
        }
        self.fractional |= o.fractional;
        for j in 0..self.sx.len() {
            self.sx[j] += o.sx[j];
            self.sxx[j] += o.sxx[j];
            self.zero_one[j] &= o.zero_one[j];
        }
        for (a, b) in self.times.iter_mut().zip(&o.times) {
            a.extend_from_slice(b);
            a.sort_by(f64::total_cmp);
            a.dedup();
        }
        Ok(())
    }

    /// Centre and scale of each covariate, as the in-memory fit takes them (0 and 1
    /// for columns coded -1/0/1).
    pub fn centre_scale(&self) -> (Vec<f64>, Vec<f64>) {
        (0..self.sx.len())
            .map(|j| {
                if self.zero_one[j] {
                    return (0.0, 1.0);
                }
                let m = self.sx[j] / self.wsum;
                let var = (self.sxx[j] / self.wsum - m * m).max(0.0);
                (m, if var > 0.0 { 1.0 / var.sqrt() } else { 1.0 })
            })
            .unzip()
    }
}

/// The first pass over a part.
pub fn part_moments(part: &CoxPart) -> Result<Moments> {
    part.check()?;
    let (n, p) = (part.time.len(), part.x.p());
    let mut m = Moments {
        n,
        sx: vec![0.0; p],
        sxx: vec![0.0; p],
        sx1: vec![0.0; p],
        zero_one: vec![true; p],
        times: vec![Vec::new(); part.n_strata()],
        ..Default::default()
    };
    for i in 0..n {
        let w = part.weight(i);
        m.wsum += w;
        m.so += w * part.offset.map_or(0.0, |o| o[i]);
        m.fractional |= w.fract() != 0.0;
        if part.status[i] == 1.0 {
            m.n_event += 1;
            m.times[part.stratum(i)].push(part.time[i]);
        }
    }
    for j in 0..p {
        let col = part.x.column(j);
        m.zero_one[j] = col.iter().all(|&v| v == 0.0 || v == 1.0 || v == -1.0);
        for i in 0..n {
            let w = part.weight(i);
            m.sx[j] += w * col[i];
            m.sx1[j] += col[i];
            m.sxx[j] += w * col[i] * col[i];
        }
    }
    for t in &mut m.times {
        t.sort_by(f64::total_cmp);
        t.dedup();
    }
    Ok(m)
}

/// Event times of the whole data, stacked over strata (`offsets[s]..offsets[s+1]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventTimes {
    pub times: Vec<f64>,
    pub offsets: Vec<usize>,
}

impl EventTimes {
    pub fn from_strata(per: &[Vec<f64>]) -> EventTimes {
        let mut e = EventTimes {
            offsets: vec![0],
            ..Default::default()
        };
        for t in per {
            e.times.extend_from_slice(t);
            e.offsets.push(e.times.len());
        }
        e
    }
    pub(crate) fn k(&self) -> usize {
        self.times.len()
    }

    /// Offsets from 0 to the number of times, non-decreasing; times finite and
    /// increasing within each stratum.
    pub(crate) fn check(&self, n_strata: usize) -> Result<()> {
        let o = &self.offsets;
        if o.len() != n_strata + 1 || o[0] != 0 || o[n_strata] != self.k() || o.windows(2).any(|w| w[0] > w[1]) {
            return Err(Error::InvalidArgument {
                arg: "time_offsets",
                reason: format!(
                    "must run from 0 to the number of times ({}), one per stratum and one more ({} values)",
                    self.k(),
                    n_strata + 1
                ),
            });
        }
        for w in o.windows(2) {
            let t = &self.times[w[0]..w[1]];
            if let Some(row) = t.iter().position(|v| !v.is_finite()) {
                return Err(Error::InvalidValue { arg: "times", row: w[0] + row, value: t[row], problem: "event time not finite" });
            }
            if let Some(row) = t.windows(2).position(|p| p[0] >= p[1]) {
                return Err(Error::InvalidValue { arg: "times", row: w[0] + row + 1, value: t[row + 1], problem: "event times not increasing within a stratum" });
            }
        }
        Ok(())
    }
}

/// The point of the fit at which a pass evaluates: the event times, the covariates'
/// centring and scaling and the coefficients `beta` (scaled coordinates: covariates
/// `(x - centre) * scale`).
#[derive(Debug, Clone, Copy)]
pub struct Point<'a> {
    pub times: &'a EventTimes,
    pub centre: &'a [f64],
    pub scale: &'a [f64],
    pub beta: &'a [f64],
}

/// Where a part's row stands among the event times of a [`Point`].
struct RowAt<'a> {
    stratum: usize,
    /// The event times of its stratum, which start at `lo_s` of the stacked times.
    times: &'a [f64],
    lo_s: usize,
    /// At risk at the stratum's event times `lo..hi` (`entry < t <= exit`).
    lo: usize,
    hi: usize,
    event: bool,
}

impl<'p> Point<'p> {
    /// The part's checks, then `centre`, `scale`, `beta` and the vectors of `more`
    /// must have one value per covariate and the times must fit the part's strata.
    fn check(&self, part: &CoxPart, more: &[(&'static str, &[f64])]) -> Result<()> {
        part.check()?;
        let p = part.x.p();
        for &(name, v) in [("centre", self.centre), ("scale", self.scale), ("beta", self.beta)].iter().chain(more) {
            if v.len() != p {
                return Err(Error::InvalidArgument { arg: name, reason: format!("has length {}; there are {p} covariates", v.len()) });
            }
        }
        self.times.check(part.n_strata())
    }

    /// Row `i` of the part among the event times (an event must be at one of them), with
    /// its covariates in scaled coordinates written to `xs`.
    fn row(&self, part: &CoxPart, i: usize, xs: &mut [f64]) -> Result<RowAt<'p>> {
        let stratum = part.stratum(i);
        let lo_s = self.times.offsets[stratum];
        let times = &self.times.times[lo_s..self.times.offsets[stratum + 1]];
        let hi = times.partition_point(|&v| v <= part.time[i]);
        let lo = part.entry.map_or(0, |e| times.partition_point(|&v| v <= e[i]));
        let event = part.status[i] == 1.0;
        if event && (hi == 0 || times[hi - 1] != part.time[i]) {
            return Err(Error::InvalidValue {
                arg: "times",
                row: i,
                value: part.time[i],
                problem: "the event time of this row is not among the event times",
            });
        }
        for (j, x) in xs.iter_mut().enumerate() {
            *x = (part.x.column(j)[i] - self.centre[j]) * self.scale[j];
        }
        Ok(RowAt { stratum, times, lo_s, lo, hi, event })
    }

}

/// The linear predictor `η = xs'β + offset` of row `i` of a part.
fn eta(part: &CoxPart, i: usize, xs: &[f64], beta: &[f64]) -> f64 {
    xs.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>() + part.offset.map_or(0.0, |o| o[i])
}

/// The error of a risk score that overflows.
fn overflow(i: usize) -> Error {
    Error::Data { arg: "covariates", reason: format!("exp overflow in the risk score at row {i}: rescale the covariates") }
}

/// A [`Point`] that owns its numbers (the driver's).
#[derive(Debug, Clone, Default)]
struct At {
    times: EventTimes,
    centre: Vec<f64>,
    scale: Vec<f64>,
    beta: Vec<f64>,
}

impl At {
    fn point(&self) -> Point<'_> {
        Point { times: &self.times, centre: &self.centre, scale: &self.scale, beta: &self.beta }
    }
}

/// One pass's sums per event time (and over the deaths), added over parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeSums {
    pub p: usize,
    /// At risk: `Σ w e^η`, `Σ w e^η x` (K x p), `Σ w e^η x x'` (K x p(p+1)/2, lower
    /// triangles row by row).
    pub a: Vec<f64>,
    pub a1: Vec<f64>,
    pub a2: Vec<f64>,
    /// The deaths at each time: the same sums, their number and their weight.
    pub e0: Vec<f64>,
    pub e1: Vec<f64>,
    pub e2: Vec<f64>,
    pub deaths: Vec<f64>,
    pub wdeaths: Vec<f64>,
    /// Over all deaths: `Σ w η`, `Σ w x`.
    pub l_ev: f64,
    pub u_ev: Vec<f64>,
}

fn tri(p: usize) -> usize {
    p * (p + 1) / 2
}

impl TimeSums {
    fn zeros(k: usize, p: usize) -> TimeSums {
        let q = tri(p);
        TimeSums {
            p,
            a: vec![0.0; k],
            a1: vec![0.0; k * p],
            a2: vec![0.0; k * q],
            e0: vec![0.0; k],
            e1: vec![0.0; k * p],
            e2: vec![0.0; k * q],
            deaths: vec![0.0; k],
            wdeaths: vec![0.0; k],
            l_ev: 0.0,
            u_ev: vec![0.0; p],
        }
    }

    pub fn add(&mut self, o: &TimeSums) -> Result<()> {
        if o.p != self.p || o.a.len() != self.a.len() {
            return Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the parts were evaluated with different event times or covariates".into(),
            });
        }
        let add = |a: &mut [f64], b: &[f64]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        add(&mut self.a, &o.a);
        add(&mut self.a1, &o.a1);
        add(&mut self.a2, &o.a2);
        add(&mut self.e0, &o.e0);
        add(&mut self.e1, &o.e1);
        add(&mut self.e2, &o.e2);
        add(&mut self.deaths, &o.deaths);
        add(&mut self.wdeaths, &o.wdeaths);
        add(&mut self.u_ev, &o.u_ev);
        self.l_ev += o.l_ev;
        Ok(())
    }

    /// The log partial likelihood, score and information (upper triangle, as the
    /// sweep's) from the sums of every part.
    pub(super) fn likelihood(&self, efron: bool) -> Sums {
        self.likelihood_with(efron, None)
    }

    /// [`TimeSums::likelihood`], and with `g` (the time function at each event time
    /// and the deaths' `Σ w x` per event time, K x p) the blocks of the added covariates
    /// `x g(t)` of the proportional-hazards test, as the in-memory sweep adds them.
    pub(super) fn likelihood_with(&self, efron: bool, g: Option<(&[f64], &[f64])>) -> Sums {
        let (p, q) = (self.p, tri(self.p));
        let mut s = Sums::new(p);
        s.loglik = self.l_ev;
        s.u.copy_from_slice(&self.u_ev);
        let (mut a, mut c) = (vec![0.0; p], vec![0.0; q]);
        let mut cfull = vec![0.0; if g.is_some() { p * p } else { 0 }];
        for k in 0..self.a.len() {
            let d = self.deaths[k];
            if d == 0.0 {
                continue;
            }
            if let Some((g, dx)) = g {
                for i in 0..p {
                    s.ug[i] += g[k] * dx[k * p + i];
                }
            }
            let terms = if efron && d > 1.0 { d as usize } else { 1 };
            let meanwt = self.wdeaths[k] / terms as f64;
            for j in 0..terms {
                let f = if terms == 1 { 0.0 } else { j as f64 / d };
                let den = self.a[k] - f * self.e0[k];
                for i in 0..p {
                    a[i] = self.a1[k * p + i] - f * self.e1[k * p + i];
                }
                for r in 0..q {
                    c[r] = self.a2[k * q + r] - f * self.e2[k * q + r];
                }
                s.loglik -= meanwt * den.ln();
                for i in 0..p {
                    let temp = a[i] / den;
                    s.u[i] -= meanwt * temp;
                    for jj in 0..=i {
                        s.imat[jj * p + i] += meanwt * ((c[tri(i) + jj] - temp * a[jj]) / den);
                    }
                }
                if let Some((g, _)) = g {
                    for i in 0..p {
                        for jj in 0..=i {
                            cfull[i * p + jj] = c[tri(i) + jj];
                        }
                    }
                    s.add_g(g[k], meanwt, den, &a, &cfull);
                }
            }
        }
        s
    }
}

/// One Newton pass over a part at the point `at`.
pub fn part_sums(part: &CoxPart, at: Point) -> Result<TimeSums> {
    at.check(part, &[])?;
    let (n, p, q, k) = (part.time.len(), part.x.p(), tri(part.x.p()), at.times.k());
    // At risk at t_k iff entry < t_k <= exit: a row adds to `net` at the last event time
    // <= its exit and takes off at the last event time <= its entry; suffix sums per
    // stratum then give the risk sets (the in-memory sweep's running sums).
    let mut net = TimeSums::zeros(k, p);
    let mut out = TimeSums::zeros(k, p);
    let mut xs = vec![0.0; p];
    let mut xx = vec![0.0; q];
    for i in 0..n {
        let RowAt { lo_s, lo, hi, event, .. } = at.row(part, i, &mut xs)?;
        if lo >= hi {
            continue; // never at risk at an event time
        }
        let eta = eta(part, i, &xs, at.beta);
        let w = part.weight(i);
        let r = w * eta.exp();
        if !r.is_finite() {
            return Err(overflow(i));
        }
        for a in 0..p {
            for b in 0..=a {
                xx[tri(a) + b] = xs[a] * xs[b];
            }
        }
        let put = |ts: &mut TimeSums, idx: usize, sign: f64| {
            ts.a[idx] += sign * r;
            for j in 0..p {
                ts.a1[idx * p + j] += sign * r * xs[j];
            }
            for m in 0..q {
                ts.a2[idx * q + m] += sign * r * xx[m];
            }
        };
        put(&mut net, lo_s + hi - 1, 1.0);
        if lo > 0 {
            put(&mut net, lo_s + lo - 1, -1.0);
        }
        if event {
            let idx = lo_s + hi - 1;
            out.e0[idx] += r;
            for j in 0..p {
                out.e1[idx * p + j] += r * xs[j];
                out.u_ev[j] += w * xs[j];
            }
            for m in 0..q {
                out.e2[idx * q + m] += r * xx[m];
            }
            out.deaths[idx] += 1.0;
            out.wdeaths[idx] += w;
            out.l_ev += w * eta;
        }
    }
    // suffix sums within each stratum
    for s in 0..part.n_strata() {
        let (lo_s, hi_s) = (at.times.offsets[s], at.times.offsets[s + 1]);
        let (mut a, mut a1, mut a2) = (0.0, vec![0.0; p], vec![0.0; q]);
        for idx in (lo_s..hi_s).rev() {
            a += net.a[idx];
            out.a[idx] = a;
            for j in 0..p {
                a1[j] += net.a1[idx * p + j];
                out.a1[idx * p + j] = a1[j];
            }
            for m in 0..q {
                a2[m] += net.a2[idx * q + m];
                out.a2[idx * q + m] = a2[m];
            }
        }
    }
    Ok(out)
}

/// What a row's score residual needs per event time (scaled coordinates), from the
/// risk-set sums of a pass at `β` added over every part: per stratum, cumulated over its
/// event times up to and including each, the hazard `h` and `xh = Σ x̄ dΛ` (K x p); for
/// the deaths at each time the centring `dm` (`x̄`, or with Efron's ties the mean of the
/// sub-step means) and Efron's `m1 = Σ dΛ_j j/d`, `m2 = Σ x̄_j dΛ_j j/d` (0 otherwise).
/// A row at risk over the times `lo..hi` of its stratum has the residual
/// `-e^η (x (h_hi - h_lo) - (xh_hi - xh_lo)) + δ ((x - dm) + e^η (x m1 - m2))`, as the
/// in-memory sweep (survival's agscore3) accumulates it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResidualTerms {
    pub h: Vec<f64>,
    pub xh: Vec<f64>,
    pub dm: Vec<f64>,
    pub m1: Vec<f64>,
    pub m2: Vec<f64>,
}

impl ResidualTerms {
    /// The terms must have one value (`h`, `m1`) or `p` values (`xh`, `dm`, `m2`) per
    /// event time.
    fn check(&self, k: usize, p: usize) -> Result<()> {
        if self.h.len() != k || self.m1.len() != k || [&self.xh, &self.dm, &self.m2].iter().any(|v| v.len() != k * p) {
            return Err(Error::InvalidArgument { arg: "terms", reason: "do not match the event times and covariates".into() });
        }
        Ok(())
    }

    /// The martingale residual of a row with risk score `sk`:
    /// `δ - e^η (h_hi - h_lo) + δ e^η m1`.
    fn martingale(&self, row: &RowAt, sk: f64) -> f64 {
        let d = if row.event { 1.0 } else { 0.0 };
        if row.lo >= row.hi {
            return d;
        }
        let a = row.lo_s + row.hi - 1;
        let h_lo = if row.lo > 0 { self.h[row.lo_s + row.lo - 1] } else { 0.0 };
        d - sk * (self.h[a] - h_lo) + if row.event { sk * self.m1[a] } else { 0.0 }
    }

    /// The score residual of a row (covariates `xs`, risk score `sk`) into `r`, in
    /// scaled coordinates, unweighted: `-e^η (x (h_hi - h_lo) - (xh_hi - xh_lo)) +
    /// δ ((x - dm) + e^η (x m1 - m2))`.
    fn score(&self, row: &RowAt, xs: &[f64], sk: f64, r: &mut [f64]) {
        let p = xs.len();
        r.fill(0.0);
        if row.lo >= row.hi {
            return;
        }
        let (a, b) = (row.lo_s + row.hi - 1, row.lo_s + row.lo);
        let (h_lo, xh_lo) = if row.lo > 0 { (self.h[b - 1], Some(&self.xh[(b - 1) * p..b * p])) } else { (0.0, None) };
        let dh = self.h[a] - h_lo;
        for j in 0..p {
            let dxh = self.xh[a * p + j] - xh_lo.map_or(0.0, |v| v[j]);
            r[j] = -sk * (xs[j] * dh - dxh);
        }
        if row.event {
            for j in 0..p {
                r[j] += (xs[j] - self.dm[a * p + j]) + sk * (xs[j] * self.m1[a] - self.m2[a * p + j]);
            }
        }
    }
}

impl TimeSums {
    /// The residual terms of this pass (the sums over every part).
    pub(super) fn residual_terms(&self, times: &EventTimes, efron: bool) -> ResidualTerms {
        let (p, k) = (self.p, self.a.len());
        let mut r = ResidualTerms {
            h: vec![0.0; k],
            xh: vec![0.0; k * p],
            dm: vec![0.0; k * p],
            m1: vec![0.0; k],
            m2: vec![0.0; k * p],
        };
        let mut mean = vec![0.0; p];
        for w in times.offsets.windows(2) {
            let (mut ch, mut cxh) = (0.0, vec![0.0; p]);
            for idx in w[0]..w[1] {
                let d = self.deaths[idx];
                if d > 0.0 && (!efron || d < 2.0) {
                    let hazard = self.wdeaths[idx] / self.a[idx];
                    ch += hazard;
                    for j in 0..p {
                        mean[j] = self.a1[idx * p + j] / self.a[idx];
                        cxh[j] += mean[j] * hazard;
                        r.dm[idx * p + j] = mean[j];
                    }
                } else if d > 0.0 {
                    let meanwt = self.wdeaths[idx] / d;
                    for step in 0..d as usize {
                        let downwt = step as f64 / d;
                        let d2 = self.a[idx] - downwt * self.e0[idx];
                        let hazard = meanwt / d2;
                        ch += hazard;
                        r.m1[idx] += hazard * downwt;
                        for j in 0..p {
                            mean[j] = (self.a1[idx * p + j] - downwt * self.e1[idx * p + j]) / d2;
                            cxh[j] += mean[j] * hazard;
                            r.m2[idx * p + j] += mean[j] * hazard * downwt;
                            r.dm[idx * p + j] += mean[j] / d;
                        }
                    }
                }
                r.h[idx] = ch;
                r.xh[idx * p..(idx + 1) * p].copy_from_slice(&cxh);
            }
        }
        r
    }
}

/// A residual pass's sums over some rows: `Σ_g T_g T_g'` at the final `β` (`meat`) and,
/// at the initial `β`, `Σ_g T_g` (`u0`) and `Σ_g T_g T_g'` (`tt0`), p x p row-major;
/// `groups` the clusters (rows, without clusters) they sum over.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResidualSums {
    pub meat: Vec<f64>,
    pub u0: Vec<f64>,
    pub tt0: Vec<f64>,
    pub groups: usize,
}

impl ResidualSums {
    pub fn add(&mut self, o: &ResidualSums) -> Result<()> {
        if self.meat.is_empty() {
            *self = o.clone();
            return Ok(());
        }
        if o.meat.len() != self.meat.len() || o.u0.len() != self.u0.len() {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the parts' residual sums differ in size".into() });
        }
        let add = |a: &mut [f64], b: &[f64]| a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        add(&mut self.meat, &o.meat);
        add(&mut self.u0, &o.u0);
        add(&mut self.tt0, &o.tt0);
        self.groups += o.groups;
        Ok(())
    }
}

/// What a residual pass evaluates: the final coefficients (the point `at`) and the
/// initial ones (scaled coordinates), each with its residual terms.
pub struct ResidualPass<'a> {
    pub at: Point<'a>,
    pub terms: &'a ResidualTerms,
    pub beta0: &'a [f64],
    pub terms0: &'a ResidualTerms,
}

/// One part's residual sums: its rows' weighted score residuals (original units) at
/// the final and the initial `β`, summed within its clusters (`cluster`: codes per row,
/// each cluster wholly in this part; without, each row is its own).
pub fn part_residuals(part: &CoxPart, pass: &ResidualPass, cluster: Option<&[u32]>) -> Result<ResidualSums> {
    let at = pass.at;
    at.check(part, &[("beta0", pass.beta0)])?;
    let (n, p, k) = (part.time.len(), part.x.p(), at.times.k());
    pass.terms.check(k, p)?;
    pass.terms0.check(k, p)?;
    if let Some(c) = cluster {
        crate::data::check_len("cluster", c.len(), "time", n)?;
    }
    let n_codes = cluster.map_or(0, |c| c.iter().map(|&g| g as usize + 1).max().unwrap_or(0));
    let (mut u, mut u0) = (vec![0.0; n_codes * p], vec![0.0; n_codes * p]);
    let mut out = ResidualSums { meat: vec![0.0; p * p], u0: vec![0.0; p], tt0: vec![0.0; p * p], groups: 0 };
    let mut xs = vec![0.0; p];
    let (mut t, mut t0) = (vec![0.0; p], vec![0.0; p]);
    // the weighted residual of row `i` (original units) at `beta` with `terms`
    let residual = |i: usize, row: &RowAt, xs: &[f64], beta: &[f64], terms: &ResidualTerms, t: &mut [f64]| {
        let sk = eta(part, i, xs, beta).exp();
        terms.score(row, xs, sk, t);
        let w = part.weight(i);
        for j in 0..p {
            t[j] *= w / at.scale[j];
        }
        sk
    };
    let outer = |m: &mut [f64], v: &[f64]| {
        for a in 0..p {
            for b in 0..p {
                m[a * p + b] += v[a] * v[b];
            }
        }
    };
    for i in 0..n {
        let row = at.row(part, i, &mut xs)?;
        if !residual(i, &row, &xs, at.beta, pass.terms, &mut t).is_finite() {
            return Err(overflow(i));
        }
        residual(i, &row, &xs, pass.beta0, pass.terms0, &mut t0);
        match cluster {
            Some(c) => {
                let g = c[i] as usize;
                for j in 0..p {
                    u[g * p + j] += t[j];
                    u0[g * p + j] += t0[j];
                }
            }
            None => {
                outer(&mut out.meat, &t);
                outer(&mut out.tt0, &t0);
                for j in 0..p {
                    out.u0[j] += t0[j];
                }
            }
        }
    }
    match cluster {
        Some(c) => {
            let mut present = vec![false; n_codes];
            c.iter().for_each(|&g| present[g as usize] = true);
            out.groups = present.iter().filter(|&&x| x).count();
            for g in (0..n_codes).filter(|&g| present[g]) {
                outer(&mut out.meat, &u[g * p..(g + 1) * p]);
                outer(&mut out.tt0, &u0[g * p..(g + 1) * p]);
                for j in 0..p {
                    out.u0[j] += u0[g * p + j];
                }
            }
        }
        None => out.groups = n,
    }
    Ok(out)
}

/// What the Newton thread says.
enum FromNewton {
    /// Evaluate at these (scaled) coefficients.
    Eval(Vec<f64>),
    Done(Result<IterResult>),
}

/// The driver of a Cox fit over parts: a pass of [`part_moments`] first, then one pass
/// of [`part_sums`] per Newton evaluation ([`CoxOverParts::pending`] says at which
/// coefficients), until the fit ([`CoxOverParts::fit`]).
pub struct CoxOverParts {
    params: CoxPhParams,
    names: Vec<String>,
    counting: bool,
    /// `None`: coxph's rule (robust with a cluster or non-integer case weights).
    robust: Option<bool>,
    /// The number of clusters in the data (a cluster-robust variance).
    clusters: Option<usize>,
    /// The first Newton evaluation (at the initial coefficients): its coefficients and sums.
    first: Option<(Vec<f64>, TimeSums)>,
    state: State,
    /// The covariate means and the offset's case-weighted mean, as the in-memory fit's.
    means: Vec<f64>,
    mean_offset: f64,
    /// After the fit: its event times, centring, scaling and final coefficients (scaled),
    /// and the residual terms at them (from one more pass of risk-set sums), for the
    /// rows' residuals and predictions.
    point: Option<At>,
    final_terms: Option<ResidualTerms>,
}

enum State {
    Moments,
    Newton {
        moments: Moments,
        at: At,
        to_newton: Sender<Sums>,
        from_newton: Receiver<FromNewton>,
    },
    /// The sums at the final coefficients, for the residual terms.
    FinalSums {
        fit: Box<CoxPhFit>,
        rows: usize,
        at: At,
    },
    Residuals {
        fit: Box<CoxPhFit>,
        rows: usize,
        at: At,
        terms: ResidualTerms,
        beta0: Vec<f64>,
        terms0: ResidualTerms,
    },
    Done(Box<CoxPhFit>),
}

/// What the next pass evaluates.
pub enum Pass<'a> {
    Moments,
    Sums(Point<'a>),
    Residuals(ResidualPass<'a>),
}

impl CoxOverParts {
    /// A fit of the covariates `names` (`counting`: with entry times).
    pub fn new(params: CoxPhParams, names: Vec<String>, counting: bool) -> Result<CoxOverParts> {
        params.check(names.len())?;
        if names.is_empty() {
            return Err(Error::InvalidArgument {
                arg: "covariates",
                reason: "a Cox model needs at least one covariate (null models are not supported yet)".into(),
            });
        }
        Ok(CoxOverParts {
            params,
            names,
            counting,
            robust: None,
            clusters: None,
            first: None,
            state: State::Moments,
            means: Vec::new(),
            mean_offset: 0.0,
            point: None,
            final_terms: None,
        })
    }

    /// The variance asked for: `robust` (`None`: coxph's rule, robust with a cluster or
    /// non-integer case weights), `n_clusters` the data's number of clusters (each
    /// wholly in one part) for the cluster-robust one.
    pub fn with_robust(mut self, robust: Option<bool>, n_clusters: Option<usize>) -> CoxOverParts {
        self.robust = robust;
        self.clusters = n_clusters;
        self
    }

    /// The next pass; `None` when done.
    pub fn pending(&self) -> Option<Pass<'_>> {
        match &self.state {
            State::Moments => Some(Pass::Moments),
            State::Newton { at, .. } | State::FinalSums { at, .. } => Some(Pass::Sums(at.point())),
            State::Residuals { at, terms, beta0, terms0, .. } => {
                Some(Pass::Residuals(ResidualPass { at: at.point(), terms, beta0, terms0 }))
            }
            State::Done(_) => None,
        }
    }

    pub fn fit(&self) -> Option<&CoxPhFit> {
        match &self.state {
            State::Done(f) => Some(f),
            _ => None,
        }
    }

    /// The first pass's sums over every part.
    pub fn take_moments(&mut self, m: Moments) -> Result<()> {
        if !matches!(self.state, State::Moments) {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the moments were already given".into() });
        }
        if m.sx.len() != self.names.len() {
            return Err(Error::InvalidArgument { arg: "covariates", reason: "the parts' covariates differ from the model's".into() });
        }
        if m.n_event == 0 {
            return Err(Error::Data { arg: "status", reason: "no events: a Cox model needs at least one".into() });
        }
        let (centre, scale) = m.centre_scale();
        self.means = (0..m.sx.len())
            .map(|j| {
                if m.zero_one[j] {
                    0.0
                } else if self.counting && m.sx1.len() == m.sx.len() {
                    m.sx1[j] / m.n as f64
                } else {
                    m.sx[j] / m.wsum
                }
            })
            .collect();
        self.mean_offset = m.so / m.wsum;
        let times = EventTimes::from_strata(&m.times);
        let beta0: Vec<f64> = match &self.params.init {
            Some(init) => init.iter().zip(&scale).map(|(b, s)| b / s).collect(),
            None => vec![0.0; self.names.len()],
        };
        let (to_newton, newton_rx) = channel::<Sums>();
        let (newton_tx, from_newton) = channel::<FromNewton>();
        let (params, p, counting) = (self.params.clone(), self.names.len(), self.counting);
        std::thread::spawn(move || {
            let tx = newton_tx.clone();
            let r = super::newton_with(p, &params, counting, beta0, |b| {
                tx.send(FromNewton::Eval(b.to_vec())).map_err(|_| Error::Interrupted)?;
                newton_rx.recv().map_err(|_| Error::Interrupted)
            });
            let _ = newton_tx.send(FromNewton::Done(r));
        });
        let first = from_newton.recv().map_err(|_| Error::Interrupted)?;
        let FromNewton::Eval(beta) = first else {
            return Err(Error::Interrupted);
        };
        self.state = State::Newton { moments: m, at: At { times, centre, scale, beta }, to_newton, from_newton };
        Ok(())
    }

    /// After the fit, the pass of the proportional-hazards test: the final point and
    /// the event times of every stratum pooled (sorted, distinct).
    pub fn zph_pass(&self) -> Option<(Point<'_>, Vec<f64>)> {
        self.fit()?;
        let at = self.point.as_ref()?;
        let mut pooled = at.times.times.clone();
        pooled.sort_by(f64::total_cmp);
        pooled.dedup();
        Some((at.point(), pooled))
    }

    /// The proportional-hazards test (`survival::cox.zph`, as [`CoxPhFit::zph`]) from the
    /// parts' sums of the [`part_zph`] pass added: the time function `g` at each event
    /// time (the Kaplan-Meier of all the rows, their ranks, the time or its log, centred
    /// over the events) and the score and information blocks of `x g(t)` from the
    /// risk-set sums at the final coefficients.
    pub fn zph(&self, z: &ZphSums, transform: super::ZphTransform, terms: Option<&[Vec<usize>]>) -> Result<super::ZphTest> {
        use super::ZphTransform;
        let (Some(fit), Some((at, pooled))) = (self.fit(), self.zph_pass()) else {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the fit is not done: run the passes it asks for".into() });
        };
        self.check_sums(&z.sums, at.times)?;
        let (k, p, m) = (at.times.k(), self.names.len(), pooled.len());
        if z.dx.len() != k * p || z.n_risk.len() != m || z.below.len() != m || z.at.len() != m {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the sums are not of this pass".into() });
        }
        // pooled deaths, then the transform at each pooled time
        let pos: Vec<usize> = at.times.times.iter().map(|t| pooled.partition_point(|u| u < t)).collect();
        let mut d = vec![0.0; m];
        for (kk, &j) in pos.iter().enumerate() {
            d[j] += z.sums.deaths[kk];
        }
        let mut surv = 1.0;
        let raw: Vec<f64> = (0..m)
            .map(|j| match transform {
                ZphTransform::Identity => pooled[j],
                ZphTransform::Log => pooled[j].ln(),
                ZphTransform::Rank => z.below[j] + (z.at[j] + 1.0) / 2.0,
                ZphTransform::Km => {
                    let g = 1.0 - surv;
                    if z.n_risk[j] > 0.0 {
                        surv *= 1.0 - d[j] / z.n_risk[j];
                    }
                    g
                }
            })
            .collect();
        let (sum, cnt) = (0..m).fold((0.0, 0.0), |(s, c), j| (s + d[j] * raw[j], c + d[j]));
        let g: Vec<f64> = pos.iter().map(|&j| raw[j] - sum / cnt).collect();
        let all = z.sums.likelihood_with(self.params.ties == super::Ties::Efron, Some((&g, &z.dx)));
        // the kept (not aliased) columns, as the in-memory test
        let keep: Vec<usize> = (0..p).filter(|&j| !fit.aliased[j]).collect();
        let pk = keep.len();
        let mut s = Sums::new(pk);
        for (a, &ja) in keep.iter().enumerate() {
            s.ug[a] = all.ug[ja];
            for (b, &jb) in keep.iter().enumerate() {
                s.imat[a * pk + b] = all.imat[ja * p + jb];
                s.igg[a * pk + b] = all.igg[ja * p + jb];
                s.ixg[a * pk + b] = all.ixg[ja * p + jb];
            }
        }
        Ok(super::zph::zph_test(&s, &keep, p, terms))
    }

    /// The sums `t` must be of a pass over `times` with the model's covariates.
    fn check_sums(&self, t: &TimeSums, times: &EventTimes) -> Result<()> {
        if t.a.len() != times.k() || t.p != self.names.len() {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the sums are not of this pass".into() });
        }
        Ok(())
    }

    /// A Newton pass's sums over every part (or, for a robust variance, the sums at the
    /// final coefficients).
    pub fn take_sums(&mut self, t: &TimeSums) -> Result<()> {
        let efron = self.params.ties == super::Ties::Efron;
        if let State::FinalSums { at, .. } = &self.state {
            self.check_sums(t, &at.times)?;
            let State::FinalSums { fit, rows, at } = std::mem::replace(&mut self.state, State::Moments) else {
                unreachable!("checked above")
            };
            let terms = t.residual_terms(&at.times, efron);
            let (beta0, first) = self.first.take().expect("the first evaluation");
            let terms0 = first.residual_terms(&at.times, efron);
            self.state = State::Residuals { fit, rows, at, terms, beta0, terms0 };
            return Ok(());
        }
        let State::Newton { at, .. } = &self.state else {
            return Err(Error::InvalidArgument { arg: "parts", reason: "no Newton pass is pending".into() });
        };
        self.check_sums(t, &at.times)?;
        let State::Newton { moments, at, to_newton, from_newton } = &mut self.state else {
            unreachable!("checked above")
        };
        if self.first.is_none() {
            self.first = Some((at.beta.clone(), t.clone()));
        }
        to_newton.send(t.likelihood(efron)).map_err(|_| Error::Interrupted)?;
        match from_newton.recv().map_err(|_| Error::Interrupted)? {
            FromNewton::Eval(b) => at.beta = b,
            FromNewton::Done(r) => {
                let it = r?;
                let mut fit = CoxPhFit::assemble(&at.scale, &self.params, &it, moments.n, moments.n_event, &self.names, self.counting);
                fit.means = self.means.clone();
                fit.mean_offset = self.mean_offset;
                let final_beta: Vec<f64> =
                    fit.coef.iter().zip(&at.scale).map(|(b, s)| if b.is_nan() { 0.0 } else { b / s }).collect();
                self.point = Some(At { beta: final_beta, ..at.clone() });
                let robust = self.robust.unwrap_or(self.clusters.is_some() || moments.fractional);
                if !robust && self.clusters.is_some() {
                    fit.warnings.push("cluster specified with robust=FALSE, cluster ignored".to_string());
                }
                self.state = if robust {
                    State::FinalSums { fit: Box::new(fit), rows: moments.n, at: At { beta: it.beta.clone(), ..std::mem::take(at) } }
                } else {
                    State::Done(Box::new(fit))
                };
            }
        }
        Ok(())
    }

    /// After the fit, the pass of risk-set sums at the final coefficients that the rows'
    /// residuals and predictions (and the baseline hazard) need; `None` before the fit is
    /// done and once the pass was taken.
    pub fn final_pending(&self) -> Option<Pass<'_>> {
        if self.fit().is_none() || self.final_terms.is_some() {
            return None;
        }
        Some(Pass::Sums(self.point.as_ref()?.point()))
    }

    /// The final pass's sums over every part: the residual terms at the final
    /// coefficients and the baseline hazard (at the event times).
    pub fn take_final_sums(&mut self, t: &TimeSums) -> Result<()> {
        let efron = self.params.ties == super::Ties::Efron;
        let (Some(at), None, Some(_)) = (&self.point, &self.final_terms, self.fit()) else {
            return Err(Error::InvalidArgument { arg: "parts", reason: "no final pass is pending".into() });
        };
        self.check_sums(t, &at.times)?;
        let terms = t.residual_terms(&at.times, efron);
        let State::Done(fit) = &mut self.state else { unreachable!("checked above") };
        // the hazard's increments are for the risk scores exp((x - centre)'β + offset):
        // at x = 0 with the offset at its mean, and at x = means, as the in-memory fit
        let coef: Vec<f64> = fit.coef.iter().map(|b| if b.is_nan() { 0.0 } else { *b }).collect();
        let cb: f64 = at.centre.iter().zip(&coef).map(|(c, b)| c * b).sum();
        let mb: f64 = self.means.iter().zip(&coef).map(|(m, b)| m * b).sum();
        let (to_zero, to_means) = ((self.mean_offset - cb).exp(), (self.mean_offset - cb + mb).exp());
        fit.baseline = super::BaselineHazard {
            offsets: at.times.offsets.clone(),
            time: at.times.times.clone(),
            cumulative_hazard: terms.h.iter().map(|h| h * to_zero).collect(),
            cumulative_hazard_centered: terms.h.iter().map(|h| h * to_means).collect(),
        };
        self.final_terms = Some(terms);
        Ok(())
    }

    /// What a part's rows' residuals and predictions need (after the final pass).
    pub fn rows_pass(&self) -> Option<RowsPass<'_>> {
        let (at, terms, fit) = (self.point.as_ref()?, self.final_terms.as_ref()?, self.fit()?);
        Some(RowsPass {
            at: at.point(),
            terms,
            means: &self.means,
            mean_offset: self.mean_offset,
            coef: &fit.coef,
            naive_var: &fit.naive_var,
            n_event: fit.n_event,
        })
    }

    /// The residual pass's sums over every part: the robust variance.
    pub fn take_residuals(&mut self, r: &ResidualSums) -> Result<()> {
        let State::Residuals { rows, .. } = &self.state else {
            return Err(Error::InvalidArgument { arg: "parts", reason: "no residual pass is pending".into() });
        };
        let p = self.names.len();
        if r.meat.len() != p * p || r.u0.len() != p || r.tt0.len() != p * p {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the sums are not of this pass".into() });
        }
        let want = self.clusters.unwrap_or(*rows);
        if r.groups != want {
            return Err(Error::Data {
                arg: "cluster",
                reason: format!(
                    "the data have {want} clusters but the partitions {}: some clusters have rows in more than one partition; shuffle the data by cluster first",
                    r.groups
                ),
            });
        }
        let State::Residuals { mut fit, .. } = std::mem::replace(&mut self.state, State::Moments) else {
            unreachable!("checked above")
        };
        fit.robust_from_sums(&r.meat, &r.u0, &r.tt0, want, &self.params);
        self.state = State::Done(fit);
        Ok(())
    }
}

// ---- per-row results of a finished fit (residuals and predictions) ----------------------

/// What a part needs to compute its rows' residuals and predictions from a fit over
/// parts: the point of the final coefficients (event times, centring, scaling and the
/// coefficients in scaled coordinates) with its residual terms (from the risk-set sums at them, added over
/// every part), the covariate means and the offset's mean of `predict(type = "lp")`,
/// the coefficients (original units), the model-based variance and the number of events.
pub struct RowsPass<'a> {
    pub at: Point<'a>,
    pub terms: &'a ResidualTerms,
    pub means: &'a [f64],
    pub mean_offset: f64,
    pub coef: &'a [f64],
    pub naive_var: &'a [f64],
    pub n_event: usize,
}

/// A part's rows' values: `ncol` per row (row-major), and for the Schoenfeld kinds the
/// event rows only (`rows`: their positions in the part, `time`, `strata`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RowsOut {
    pub ncol: usize,
    pub values: Vec<f64>,
    pub rows: Vec<usize>,
    pub time: Vec<f64>,
    pub strata: Vec<u32>,
}

/// The per-row results of a fit over parts for this part's rows, as the in-memory fit
/// gives them: `what` one of the residual kinds of `residuals.coxph` ("martingale",
/// "deviance", "score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch"; dfbeta(s) times
/// the case weight when `weighted`) or of `predict.coxph` for the fitted rows ("lp",
/// "risk", "expected", "survival" at `at_times`). A row at risk over the event times
/// `lo..hi` of its stratum has the martingale residual
/// `δ - e^η (h_hi - h_lo) + δ e^η m1` (Efron's tied deaths get part of the last
/// increment) and the score residual of [`ResidualTerms`]; the Schoenfeld residual of an
/// event is `x - dm`.
pub fn part_rows(part: &CoxPart, pass: &RowsPass, what: &str, at_times: Option<&[f64]>, weighted: bool) -> Result<RowsOut> {
    let pt = pass.at;
    pt.check(part, &[("means", pass.means), ("coef", pass.coef)])?;
    let (n, p, k) = (part.time.len(), part.x.p(), pt.times.k());
    if pass.naive_var.len() != p * p {
        return Err(Error::InvalidArgument { arg: "naive_var", reason: format!("must have {} values", p * p) });
    }
    for (name, v) in [("centre", pt.centre), ("scale", pt.scale), ("beta", pt.beta), ("means", pass.means)] {
        crate::data::check_finite(name, v)?;
    }
    let t = pass.terms;
    t.check(k, p)?;
    let kinds = [
        "martingale", "deviance", "score", "dfbeta", "dfbetas", "schoenfeld", "scaledsch", "lp", "risk", "expected", "survival",
    ];
    if !kinds.contains(&what) {
        return Err(Error::InvalidArgument {
            arg: "type",
            reason: format!(
                "unknown value \"{what}\"; accepted: {}",
                kinds.iter().map(|k| format!("\"{k}\"")).collect::<Vec<_>>().join(", ")
            ),
        });
    }
    let at = match (what, at_times) {
        ("survival", Some(t)) => {
            crate::data::check_times(t)?;
            t
        }
        ("survival", None) => return Err(Error::InvalidArgument { arg: "times", reason: "is required for type \"survival\"".into() }),
        _ => &[][..],
    };
    let coef: Vec<f64> = pass.coef.iter().map(|b| if b.is_nan() { 0.0 } else { *b }).collect();
    let ncol = match what {
        "score" | "dfbeta" | "dfbetas" | "schoenfeld" | "scaledsch" => p,
        "survival" => at.len(),
        _ => 1,
    };
    let mut out = RowsOut { ncol, ..Default::default() };
    let mut xs = vec![0.0; p];
    let mut r = vec![0.0; p];
    for i in 0..n {
        let row = pt.row(part, i, &mut xs)?;
        let event = row.event;
        let sk = eta(part, i, &xs, pt.beta).exp();
        if !sk.is_finite() {
            return Err(overflow(i));
        }
        let martingale = || t.martingale(&row, sk);
        match what {
            "martingale" => out.values.push(martingale()),
            "expected" => out.values.push(if event { 1.0 } else { 0.0 } - martingale()),
            "deviance" => {
                let m = martingale();
                let d = if event { 1.0 } else { 0.0 };
                let tt = if d == 1.0 { (d - m).ln() * d } else { 0.0 };
                out.values.push(m.signum() * (-2.0 * (m + tt)).sqrt());
            }
            "lp" | "risk" => {
                let lp = linear_predictor(part, i, pass.means, pass.mean_offset, &coef);
                out.values.push(if what == "lp" { lp } else { lp.exp() });
            }
            "survival" => {
                for &x in at {
                    let q = row.times.partition_point(|&v| v <= x);
                    let h = if q == 0 { 0.0 } else { t.h[row.lo_s + q - 1] };
                    out.values.push((-h * sk).exp());
                }
            }
            "score" | "dfbeta" | "dfbetas" => {
                // score residual (original units), unweighted
                t.score(&row, &xs, sk, &mut r);
                for j in 0..p {
                    r[j] /= pt.scale[j];
                }
                if what == "score" {
                    out.values.extend_from_slice(&r);
                } else {
                    let w = if weighted { part.weight(i) } else { 1.0 };
                    for j in 0..p {
                        let mut d: f64 = (0..p).map(|l| r[l] * pass.naive_var[l * p + j]).sum::<f64>() * w;
                        if what == "dfbetas" {
                            d /= pass.naive_var[j * p + j].sqrt();
                        }
                        out.values.push(d);
                    }
                }
            }
            _ => {
                // Schoenfeld: event rows only
                if !event {
                    continue;
                }
                let a = row.lo_s + row.hi - 1;
                for j in 0..p {
                    r[j] = (xs[j] - t.dm[a * p + j]) / pt.scale[j];
                }
                out.rows.push(i);
                out.time.push(part.time[i]);
                out.strata.push(row.stratum as u32);
                if what == "scaledsch" {
                    let d = pass.n_event as f64;
                    for j in 0..p {
                        let v: f64 = (0..p).map(|l| r[l] * pass.naive_var[l * p + j]).sum();
                        out.values.push(v * d + coef[j]);
                    }
                } else {
                    out.values.extend_from_slice(&r);
                }
            }
        }
    }
    Ok(out)
}

/// Row `i`'s linear predictor as the in-memory fit's `linear_predictors`:
/// `(x - means)'coef + offset - mean_offset` (`coef` with aliased terms at 0).
fn linear_predictor(part: &CoxPart, i: usize, means: &[f64], mean_offset: f64, coef: &[f64]) -> f64 {
    (0..part.x.p()).map(|j| (part.x.column(j)[i] - means[j]) * coef[j]).sum::<f64>()
        + part.offset.map_or(0.0, |o| o[i] - mean_offset)
}

// ---- concordance of a finished fit ------------------------------------------------------

/// The linear predictor of a fit over parts: the covariate means, the offset's mean and
/// the coefficients (original units; aliased ones NaN), as [`CoxPhFit`] has them.
pub struct LpPass<'a> {
    pub means: &'a [f64],
    pub mean_offset: f64,
    pub coef: &'a [f64],
}

impl LpPass<'_> {
    /// The part's rows' linear predictors (the part checked as in the fit's passes).
    fn lp(&self, part: &CoxPart) -> Result<Vec<f64>> {
        part.check()?;
        let p = part.x.p();
        for (name, v) in [("means", self.means), ("coef", self.coef)] {
            if v.len() != p {
                return Err(Error::InvalidArgument { arg: name, reason: format!("must have {p} values") });
            }
        }
        crate::data::check_finite("means", self.means)?;
        let coef: Vec<f64> = self.coef.iter().map(|b| if b.is_nan() { 0.0 } else { *b }).collect();
        Ok((0..part.time.len()).map(|i| linear_predictor(part, i, self.means, self.mean_offset, &coef)).collect())
    }
}

/// A part's event rows (`status == 1`, in the part's order) for the concordance: time,
/// entry, linear predictor, case weight and stratum; `n` the part's rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartEvents {
    pub time: Vec<f64>,
    pub entry: Option<Vec<f64>>,
    pub lp: Vec<f64>,
    pub weights: Option<Vec<f64>>,
    pub strata: Option<Vec<u32>>,
    pub n: usize,
}

/// The first pass of the concordance of a fit over parts: the part's event rows.
pub fn part_events(part: &CoxPart, pass: &LpPass) -> Result<PartEvents> {
    let lp = pass.lp(part)?;
    let ev: Vec<usize> = (0..part.time.len()).filter(|&i| part.status[i] == 1.0).collect();
    let pick = |v: &[f64]| ev.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    Ok(PartEvents {
        time: pick(part.time),
        entry: part.entry.map(pick),
        lp: pick(&lp),
        weights: part.weights.map(pick),
        strata: part.strata.map(|(c, _)| ev.iter().map(|&i| c[i]).collect()),
        n: part.time.len(),
    })
}

/// The second pass: the part's pairs with the whole data's events (gathered by
/// [`part_events`] over every part, in the parts' order), as
/// [`crate::survival::concordance::part_concordance`] counts them for the linear
/// predictor (a larger one predicting a shorter time).
pub fn part_concordance(
    part: &CoxPart,
    pass: &LpPass,
    events: &crate::survival::concordance::Events,
) -> Result<crate::survival::concordance::PartConcordance> {
    let lp = pass.lp(part)?;
    crate::survival::concordance::part_concordance(
        events,
        part.time,
        part.status,
        part.entry,
        &lp,
        part.weights,
        part.strata.map(|(c, _)| c),
    )
}

// ---- proportional-hazards test of a finished fit -----------------------------------------

/// A part's sums for the proportional-hazards test, added over parts: the risk-set sums
/// at the final coefficients ([`part_sums`]), the deaths' `Σ w x` per event time (K x p,
/// scaled coordinates) and, at the pooled event times, the rows at risk
/// (`entry < t <= exit`), the rows that left before (`exit < t`) and at `t` (unweighted
/// counts: the Kaplan-Meier and the ranks of the time transform).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ZphSums {
    pub sums: TimeSums,
    pub dx: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub below: Vec<f64>,
    pub at: Vec<f64>,
}

impl ZphSums {
    pub fn add(&mut self, o: &ZphSums) -> Result<()> {
        if self.dx.len() != o.dx.len() || self.n_risk.len() != o.n_risk.len() || self.below.len() != o.below.len() || self.at.len() != o.at.len() {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the parts were evaluated with different event times or covariates".into() });
        }
        self.sums.add(&o.sums)?;
        for (a, b) in [(&mut self.dx, &o.dx), (&mut self.n_risk, &o.n_risk), (&mut self.below, &o.below), (&mut self.at, &o.at)] {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
        Ok(())
    }
}

/// The part's sums of the proportional-hazards test at the final point `at`, with the
/// whole data's event times pooled over strata (`pooled`, sorted).
pub fn part_zph(part: &CoxPart, at: Point, pooled: &[f64]) -> Result<ZphSums> {
    let sums = part_sums(part, at)?;
    if let Some(row) = pooled.windows(2).position(|w| !(w[0] < w[1])) {
        return Err(Error::InvalidValue { arg: "pooled_times", row: row + 1, value: pooled[row + 1], problem: "not increasing" });
    }
    let (p, m) = (part.x.p(), pooled.len());
    let mut dx = vec![0.0; at.times.k() * p];
    let (mut risk, mut below, mut at_t) = (vec![0.0; m + 1], vec![0.0; m + 1], vec![0.0; m]);
    let mut xs = vec![0.0; p];
    for i in 0..part.time.len() {
        let row = at.row(part, i, &mut xs)?;
        if row.event {
            let idx = row.lo_s + row.hi - 1;
            for j in 0..p {
                dx[idx * p + j] += part.weight(i) * xs[j];
            }
        }
        let e = part.time[i];
        let hi = pooled.partition_point(|&u| u <= e);
        let lo = part.entry.map_or(0, |s| pooled.partition_point(|&u| u <= s[i]));
        if lo < hi {
            risk[lo] += 1.0;
            risk[hi] -= 1.0;
        }
        below[hi] += 1.0;
        if hi > 0 && pooled[hi - 1] == e {
            at_t[hi - 1] += 1.0;
        }
    }
    let cum = |v: &[f64]| -> Vec<f64> {
        v[..m].iter().scan(0.0, |s, x| {
            *s += x;
            Some(*s)
        }).collect()
    };
    Ok(ZphSums { sums, dx, n_risk: cum(&risk), below: cum(&below), at: at_t })
}
