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
        zero_one: vec![true; p],
        times: vec![Vec::new(); part.n_strata()],
        ..Default::default()
    };
    for i in 0..n {
        let w = part.weight(i);
        m.wsum += w;
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
        let (p, q) = (self.p, tri(self.p));
        let mut s = Sums::new(p);
        s.loglik = self.l_ev;
        s.u.copy_from_slice(&self.u_ev);
        let (mut a, mut c) = (vec![0.0; p], vec![0.0; q]);
        for k in 0..self.a.len() {
            let d = self.deaths[k];
            if d == 0.0 {
                continue;
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
            }
        }
        s
    }
}

/// One Newton pass over a part at `beta` (scaled coordinates: covariates
/// `(x - centre) * scale`).
pub fn part_sums(part: &CoxPart, times: &EventTimes, centre: &[f64], scale: &[f64], beta: &[f64]) -> Result<TimeSums> {
    part.check()?;
    let (n, p, q, k) = (part.time.len(), part.x.p(), tri(part.x.p()), times.k());
    for (name, v) in [("centre", centre), ("scale", scale), ("beta", beta)] {
        if v.len() != p {
            return Err(Error::InvalidArgument {
                arg: name,
                reason: format!("has length {}; there are {p} covariates", v.len()),
            });
        }
    }
    times.check(part.n_strata())?;
    // At risk at t_k iff entry < t_k <= exit: a row adds to `net` at the last event time
    // <= its exit and takes off at the last event time <= its entry; suffix sums per
    // stratum then give the risk sets (the in-memory sweep's running sums).
    let mut net = TimeSums::zeros(k, p);
    let mut out = TimeSums::zeros(k, p);
    let mut xs = vec![0.0; p];
    let mut xx = vec![0.0; q];
    for i in 0..n {
        let s = part.stratum(i);
        let (lo_s, hi_s) = (times.offsets[s], times.offsets[s + 1]);
        let t = &times.times[lo_s..hi_s];
        let hi = t.partition_point(|&v| v <= part.time[i]);
        let lo = part.entry.map_or(0, |e| t.partition_point(|&v| v <= e[i]));
        if part.status[i] == 1.0 && (hi == 0 || t[hi - 1] != part.time[i]) {
            return Err(Error::InvalidValue {
                arg: "times",
                row: i,
                value: part.time[i],
                problem: "the event time of this row is not among the event times",
            });
        }
        if lo >= hi {
            continue; // never at risk at an event time
        }
        for j in 0..p {
            xs[j] = (part.x.column(j)[i] - centre[j]) * scale[j];
        }
        let eta: f64 = xs.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>() + part.offset.map_or(0.0, |o| o[i]);
        let w = part.weight(i);
        let r = w * eta.exp();
        if !r.is_finite() {
            return Err(Error::Data {
                arg: "covariates",
                reason: format!("exp overflow in the risk score at row {i}: rescale the covariates"),
            });
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
        if part.status[i] == 1.0 {
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
        let (lo_s, hi_s) = (times.offsets[s], times.offsets[s + 1]);
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
    state: State,
}

enum State {
    Moments,
    Newton {
        moments: Moments,
        times: EventTimes,
        centre: Vec<f64>,
        scale: Vec<f64>,
        beta: Vec<f64>,
        to_newton: Sender<Sums>,
        from_newton: Receiver<FromNewton>,
    },
    Done(Box<CoxPhFit>),
}

/// What the next pass evaluates.
pub enum Pass<'a> {
    Moments,
    Sums {
        times: &'a EventTimes,
        centre: &'a [f64],
        scale: &'a [f64],
        beta: &'a [f64],
    },
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
            state: State::Moments,
        })
    }

    /// The next pass; `None` when done.
    pub fn pending(&self) -> Option<Pass<'_>> {
        match &self.state {
            State::Moments => Some(Pass::Moments),
            State::Newton { times, centre, scale, beta, .. } => Some(Pass::Sums { times, centre, scale, beta }),
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
        self.state = State::Newton { moments: m, times, centre, scale, beta, to_newton, from_newton };
        Ok(())
    }

    /// A Newton pass's sums over every part.
    pub fn take_sums(&mut self, t: &TimeSums) -> Result<()> {
        let efron = self.params.ties == super::Ties::Efron;
        let State::Newton { moments, times, centre, scale, beta, to_newton, from_newton } = &mut self.state else {
            return Err(Error::InvalidArgument { arg: "parts", reason: "no Newton pass is pending".into() });
        };
        if t.a.len() != times.times.len() || t.p != self.names.len() {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the sums are not of this pass".into() });
        }
        to_newton.send(t.likelihood(efron)).map_err(|_| Error::Interrupted)?;
        match from_newton.recv().map_err(|_| Error::Interrupted)? {
            FromNewton::Eval(b) => *beta = b,
            FromNewton::Done(r) => {
                let it = r?;
                let mut fit = CoxPhFit::assemble(scale, &self.params, &it, moments.n, moments.n_event, &self.names);
                fit.means = centre.clone();
                self.state = State::Done(Box::new(fit));
            }
        }
        Ok(())
    }
}
