//! Pohar-Perme net survival and Ederer II relative survival over parts (the
//! partitions of a Dask DataFrame), exact: the same curves and standard errors as
//! [`NetSurvivalParams::fit`] on all the rows.
//!
//! Every sum of the estimators is over persons: at each distinct follow-up time `t_j`
//! of a stratum the deaths' `Σ 1/S*_i(t_j)` and `Σ 1/S*_i(t_j)²`, the exits and deaths,
//! and per integration step `s` of `(t_{j-1}, t_j]` (steps of `precision`) the
//! population-hazard sums `Σ λ_i/S*_i(s)`, `Σ λ_i/S*_i(s+L)`, `Σ 1/S*_i(s)`,
//! `Σ 1/S*_i(s+L)`, `Σ L λ_i` over the persons still at risk at `t_j`. A person's terms
//! depend only on their own rate-table path and on the grid of times, so with the
//! grid of the whole data every part's sums add up to the whole data's. Two passes:
//! [`NetSurvivalParams::part_times`] (each part's distinct times per stratum, merged
//! by the driver), then [`NetSurvivalParams::part_sums`] on the merged times;
//! [`NetSurvivalParams::from_part_sums`] finishes the curves from the added sums
//! (Pohar-Perme's integral of the weighted population hazard, `fint`, is a ratio of
//! sums per step, so it is formed only after the parts' sums are added).

use super::*;

/// One part's (or the added) sums: per stratum, five per integration step (`a`), and
/// per time the deaths' `Σ 1/S` (`dn`) and `Σ 1/S²` (`dn2`), the exits and the deaths;
/// `n` persons per stratum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetPartSums {
    pub a: Vec<Vec<f64>>,
    pub dn: Vec<Vec<f64>>,
    pub dn2: Vec<Vec<f64>>,
    pub exits: Vec<Vec<f64>>,
    pub events: Vec<Vec<f64>>,
    pub n: Vec<f64>,
}

impl NetPartSums {
    pub fn add(&mut self, o: &NetPartSums) -> Result<()> {
        if self.n.is_empty() {
            *self = o.clone();
            return Ok(());
        }
        let same = |a: &[Vec<f64>], b: &[Vec<f64>]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.len() == y.len());
        if o.n.len() != self.n.len()
            || !same(&self.a, &o.a)
            || !same(&self.dn, &o.dn)
            || !same(&self.dn2, &o.dn2)
            || !same(&self.exits, &o.exits)
            || !same(&self.events, &o.events)
        {
            return Err(Error::InvalidArgument {
                arg: "parts",
                reason: "the parts' sums differ in size (different times, strata or precision)".into(),
            });
        }
        let add = |a: &mut [Vec<f64>], b: &[Vec<f64>]| {
            for (x, y) in a.iter_mut().zip(b) {
                x.iter_mut().zip(y).for_each(|(p, q)| *p += q);
            }
        };
        add(&mut self.a, &o.a);
        add(&mut self.dn, &o.dn);
        add(&mut self.dn2, &o.dn2);
        add(&mut self.exits, &o.exits);
        add(&mut self.events, &o.events);
        self.n.iter_mut().zip(&o.n).for_each(|(p, q)| *p += q);
        Ok(())
    }
}

impl NetSurvivalParams {
    /// The options' checks of [`NetSurvivalParams::fit`], and the methods offered
    /// over parts (Pohar-Perme, Ederer II).
    pub fn check_partitioned(&self) -> Result<()> {
        if !(self.precision.is_finite() && self.precision > 0.0) {
            return Err(Error::InvalidArgument { arg: "precision", reason: "must be positive".into() });
        }
        check_conf_level(self.conf_level)?;
        if !matches!(self.conf_type, ConfType::Log | ConfType::LogLog | ConfType::Plain) {
            return Err(Error::InvalidArgument { arg: "conf_type", reason: "use \"log\", \"log-log\" or \"plain\"".into() });
        }
        if !matches!(self.method, NetMethod::PoharPerme | NetMethod::Ederer2) {
            return Err(Error::InvalidArgument {
                arg: "method",
                reason: "over partitions: \"pohar-perme\" or \"ederer2\" (Ederer I and Hakulinen integrate every person over the whole follow-up of the data: use the in-memory function)".into(),
            });
        }
        Ok(())
    }

    fn rows_by_stratum(d: &NetSurvivalData) -> Vec<Vec<usize>> {
        let k = d.strata.map_or(1, |(_, k)| k);
        let mut rows: Vec<Vec<usize>> = vec![Vec::new(); k];
        for i in 0..d.time.len() {
            rows[d.strata.map_or(0, |(s, _)| s[i] as usize)].push(i);
        }
        rows
    }

    /// The first pass over a part: its distinct follow-up times per stratum (sorted)
    /// and its persons per stratum.
    pub fn part_times(&self, d: &NetSurvivalData) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
        self.check_partitioned()?;
        check_steps(d.time.iter().copied().fold(0.0, f64::max), self.precision)?;
        let rows = Self::rows_by_stratum(d);
        let n = rows.iter().map(|r| r.len() as f64).collect();
        let times = rows
            .iter()
            .map(|r| {
                let mut t: Vec<f64> = r.iter().map(|&i| d.time[i]).collect();
                t.sort_by(f64::total_cmp);
                t.dedup();
                t
            })
            .collect();
        Ok((times, n))
    }

    /// The second pass over a part: its sums on `times` (per stratum, the distinct
    /// follow-up times of the whole data: sorted, finite, positive, holding every
    /// person's time).
    pub fn part_sums(&self, table: &RateTable, d: &NetSurvivalData, times: &[Vec<f64>]) -> Result<NetPartSums> {
        self.check_partitioned()?;
        let rows = Self::rows_by_stratum(d);
        if times.len() != rows.len() {
            return Err(Error::InvalidArgument {
                arg: "times",
                reason: format!("has the times of {} strata; the data have {}", times.len(), rows.len()),
            });
        }
        let mut out = NetPartSums::default();
        for (r, t) in rows.iter().zip(times) {
            if let Some(row) = t.iter().position(|v| !(v.is_finite() && *v > 0.0)) {
                return Err(Error::InvalidValue { arg: "times", row, value: t[row], problem: "not a follow-up time" });
            }
            if let Some(row) = t.windows(2).position(|w| w[0] >= w[1]) {
                return Err(Error::InvalidValue { arg: "times", row: row + 1, value: t[row + 1], problem: "times not increasing" });
            }
            check_steps(t.last().copied().unwrap_or(0.0), self.precision)?;
            let m = t.len();
            let (mut exits, mut events) = (vec![0.0; m], vec![0.0; m]);
            for &i in r {
                let j = t.partition_point(|&v| v < d.time[i]);
                if j == m || t[j] != d.time[i] {
                    return Err(Error::InvalidValue {
                        arg: "times",
                        row: i,
                        value: d.time[i],
                        problem: "the follow-up time of this row is not among the times",
                    });
                }
                exits[j] += 1.0;
                events[j] += d.status[i];
            }
            let (a, dn, dn2) = if r.is_empty() {
                (vec![0.0; fine_steps(t, self.precision).len() * 5], vec![0.0; m], vec![0.0; m])
            } else {
                pp_raw(table, d, r, t, self.precision)?
            };
            out.a.push(a);
            out.dn.push(dn);
            out.dn2.push(dn2);
            out.exits.push(exits);
            out.events.push(events);
            out.n.push(r.len() as f64);
        }
        Ok(out)
    }

    /// The curves from the parts' added sums on `times`.
    pub fn from_part_sums(&self, times: &[Vec<f64>], s: &NetPartSums) -> Result<NetSurvivalFit> {
        self.check_partitioned()?;
        if s.n.len() != times.len() || s.a.len() != times.len() {
            return Err(Error::InvalidArgument { arg: "parts", reason: "the sums do not match the times".into() });
        }
        let z = qnorm(1.0 - (1.0 - self.conf_level) / 2.0);
        let curves = times
            .iter()
            .enumerate()
            .map(|(k, t)| {
                if s.n[k] == 0.0 {
                    return Err(Error::Data { arg: "strata", reason: format!("stratum {k} has no rows") });
                }
                let steps = fine_steps(t, self.precision);
                if s.a[k].len() != steps.len() * 5 || s.dn[k].len() != t.len() || s.exits[k].len() != t.len() {
                    return Err(Error::InvalidArgument { arg: "parts", reason: "the sums do not match the times".into() });
                }
                let pp = pp_finish(&s.a[k], s.dn[k].clone(), s.dn2[k].clone(), t, &steps);
                let (n_risk, n_exit) = at_risk(&s.exits[k], &s.events[k]);
                let (haz, var) = self.pp_hazard(&pp, &s.events[k], &n_risk);
                Ok(self.assemble(t.clone(), n_risk, s.events[k].clone(), n_exit, &haz, &var, None, z))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(NetSurvivalFit { method: self.method, curves, conf_type: self.conf_type, conf_level: self.conf_level })
    }
}
