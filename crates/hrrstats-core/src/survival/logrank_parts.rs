//! The log-rank (G-rho) test on data held in parts (the partitions of a Dask
//! DataFrame): [`super::logrank`]'s test from counts added over parts.
//!
//! A first pass gives each part's distinct event times per stratum and its rows per
//! group; a second gives, per event time of the whole data (its stratum's) and group,
//! the part's number at risk (`entry < t <= exit`) and its deaths. Added over parts
//! these are the counts survdiff accumulates, and the test follows with its formulas
//! ([`super::logrank::add_event_time`], the weights `S(t-)^rho` of the pooled
//! Kaplan–Meier from the same counts). The result equals the in-memory test's but for
//! the order of summation. A part sends `2 K G` numbers for `K` event times and `G`
//! groups.

use super::cox::partitioned::EventTimes;
use super::logrank::{add_event_time, check_groups, finish, LogrankTest};
use crate::data::{check_codes, check_len, SurvivalData};
use crate::error::Result;

/// One part's rows.
pub struct LogrankPart<'a> {
    pub time: &'a [f64],
    pub status: &'a [f64],
    pub entry: Option<&'a [f64]>,
    /// Stratum codes (the whole data's levels) and their number.
    pub strata: Option<(&'a [u32], usize)>,
    /// Group codes (the whole data's levels) and their number.
    pub group: (&'a [u32], usize),
}

impl LogrankPart<'_> {
    fn check(&self) -> Result<()> {
        let n = self.time.len();
        let surv = SurvivalData::new(self.time, self.status)?;
        if let Some(e) = self.entry {
            surv.with_entry(e)?;
        }
        check_len("group", self.group.0.len(), "time", n)?;
        check_codes("group", self.group.0, self.group.1)?;
        if let Some((c, k)) = self.strata {
            check_len("strata", c.len(), "time", n)?;
            check_codes("strata", c, k)?;
        }
        Ok(())
    }
    fn n_strata(&self) -> usize {
        self.strata.map_or(1, |(_, k)| k)
    }
    fn stratum(&self, i: usize) -> usize {
        self.strata.map_or(0, |(c, _)| c[i] as usize)
    }
}

/// The first pass: distinct event times per stratum (sorted) and rows per group.
pub fn part_times(part: &LogrankPart) -> Result<(Vec<Vec<f64>>, Vec<usize>)> {
    part.check()?;
    let mut times = vec![Vec::new(); part.n_strata()];
    let mut n = vec![0usize; part.group.1];
    for i in 0..part.time.len() {
        n[part.group.0[i] as usize] += 1;
        if part.status[i] == 1.0 {
            times[part.stratum(i)].push(part.time[i]);
        }
    }
    for t in &mut times {
        t.sort_by(f64::total_cmp);
        t.dedup();
    }
    Ok((times, n))
}

/// The second pass: at risk and deaths per event time and group (`K x G`, row-major).
pub fn part_counts(part: &LogrankPart, times: &EventTimes) -> Result<(Vec<f64>, Vec<f64>)> {
    part.check()?;
    times.check(part.n_strata())?;
    let g = part.group.1;
    let k = times.k();
    let mut net = vec![0.0; k * g];
    let mut dead = vec![0.0; k * g];
    for i in 0..part.time.len() {
        let s = part.stratum(i);
        let lo_s = times.offsets[s];
        let t = &times.times[lo_s..times.offsets[s + 1]];
        let hi = t.partition_point(|&v| v <= part.time[i]);
        let lo = part.entry.map_or(0, |e| t.partition_point(|&v| v <= e[i]));
        let gi = part.group.0[i] as usize;
        if part.status[i] == 1.0 {
            if hi == 0 || t[hi - 1] != part.time[i] {
                return Err(crate::error::Error::InvalidValue {
                    arg: "times",
                    row: i,
                    value: part.time[i],
                    problem: "the event time of this row is not among the event times",
                });
            }
            dead[(lo_s + hi - 1) * g + gi] += 1.0;
        }
        if lo < hi {
            net[(lo_s + hi - 1) * g + gi] += 1.0;
            if lo > 0 {
                net[(lo_s + lo - 1) * g + gi] -= 1.0;
            }
        }
    }
    // at risk: suffix sums within each stratum
    let mut risk = vec![0.0; k * g];
    for s in 0..part.n_strata() {
        let mut acc = vec![0.0; g];
        for idx in (times.offsets[s]..times.offsets[s + 1]).rev() {
            for j in 0..g {
                acc[j] += net[idx * g + j];
                risk[idx * g + j] = acc[j];
            }
        }
    }
    Ok((risk, dead))
}

/// The test from the counts of every part (`n`: rows per group).
pub fn from_counts(times: &EventTimes, risk: &[f64], dead: &[f64], n: Vec<usize>, rho: f64) -> Result<LogrankTest> {
    check_groups(&n)?;
    let g = n.len();
    let ns = times.offsets.len() - 1;
    let (mut obs, mut exp, mut var) = (vec![0.0; ns * g], vec![0.0; ns * g], vec![0.0; g * g]);
    for s in 0..ns {
        let mut km: f64 = 1.0;
        for idx in times.offsets[s]..times.offsets[s + 1] {
            let r = &risk[idx * g..(idx + 1) * g];
            let dd = &dead[idx * g..(idx + 1) * g];
            let (nk, dk) = (r.iter().sum::<f64>(), dd.iter().sum::<f64>());
            let w = if rho != 0.0 { km.powf(rho) } else { 1.0 };
            for j in 0..g {
                obs[s * g + j] += dd[j] * w;
            }
            if dk > 0.0 {
                add_event_time(w, nk, dk, r, &mut exp[s * g..(s + 1) * g], &mut var);
            }
            km *= (nk - dk) / nk;
        }
    }
    finish(n, obs, exp, var, ns, rho)
}
