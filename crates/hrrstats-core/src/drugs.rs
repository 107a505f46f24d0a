//! Drug exposure from dispensings: treatment episodes and adherence (PDC, MPR).
//!
//! Each dispensing `i` of a person covers `s_i = amount_i / daily_dose_i` days (without a
//! daily dose the amount is already days), from its date `d_i` in continuous time: the
//! supply interval is `[d_i, d_i + s_i)` (a 30-day supply dispensed on day 0 covers days
//! 0..29 and runs out at time 30). Dispensings of one person on the same date are added
//! (one supply of `sum s_i` days, counted as that many dispensings).
//!
//! Supply, per person in date order, with `E` the time the current supply runs out:
//! - `stockpile = true`: an early refill's leftover is carried over — the new supply
//!   starts when the previous one runs out: `E <- max(d_i, E) + s_i` (each day of
//!   supply is used on the first uncovered day on or after its dispensing date);
//! - `stockpile = false`: overlapping supply is not carried over — days are covered
//!   once (the union of the supply intervals): `E <- max(E, d_i + s_i)`.
//!
//! Episodes: a dispensing continues the current episode when the gap `d_i - E` (before
//! it) is at most the permissible gap `grace + grace_fraction * s_prev` (`s_prev`: the
//! days of the previous dispensing date), else the episode ends and a new one starts
//! at `d_i`. An episode ends at `E` after its last dispensing (the end of supply; with
//! `end_grace`, plus the permissible gap of its last dispensing). `end - start` is the
//! exposed time, ready for `lexis_cut`.
//!
//! Adherence over a window `[w0, w0 + L)` per person (`w0`: the first dispensing, or a
//! given start): PDC = days covered in the window / L (covered as above, so with
//! stockpiling overlaps are shifted, including supply carried over from dispensings
//! before the window; at most 1) and MPR = days supplied by dispensings dated in the
//! window / L (uncapped). In AdhereR's terms (Dima & Dediu 2017; Vollmer et al. 2012),
//! with the window starting at the first dispensing, MPR is CMA2 and PDC with
//! stockpiling is CMA7 (= CMA6 there); PDC without stockpiling is the "union of
//! supply intervals" PDC of Vollmer et al. (no AdhereR CMA).
//!
//! Per drug: with a drug (ATC code or group) per dispensing, everything above is done
//! per (id, drug) — each drug's dispensings make their own supply, episodes and
//! adherence ([`PairCodes`] numbers the pairs in (id, drug) order).
//!
//! Reference: the generator `tests/reference/generate_drugs.R` computes the same from a
//! day-by-day coverage vector. Cost: a counting sort by id and a sort of each id's rows
//! by date, O(n + ids + n log m) (m: dispensings per id), then one pass; no per-row
//! allocation.

use crate::error::{Error, Result};

/// Episode options.
#[derive(Debug, Clone, Copy)]
pub struct EpisodeParams {
    /// Fixed permissible gap (days) between the end of supply and the next dispensing.
    pub grace: f64,
    /// Proportional permissible gap: a fraction of the previous dispensing's days.
    pub grace_fraction: f64,
    /// Carry an early refill's leftover over (see the module doc).
    pub stockpile: bool,
    /// Episode end = end of supply + the permissible gap of its last dispensing.
    pub end_grace: bool,
}

/// Episodes, in (id, start) order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Episodes {
    pub id: Vec<u32>,
    pub start: Vec<f64>,
    pub end: Vec<f64>,
    pub dispensings: Vec<usize>,
    pub supplied: Vec<f64>,
}

/// Adherence per person, in id order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adherence {
    pub id: Vec<u32>,
    pub window_start: Vec<f64>,
    pub window_end: Vec<f64>,
    /// Days supplied by dispensings dated in the window.
    pub supplied: Vec<f64>,
    /// Days of the window covered.
    pub covered: Vec<f64>,
    pub dispensings: Vec<usize>,
}

/// Validated dispensings: codes, dates, days of supply and the (id, date) order.
pub struct Dispensings<'a> {
    id: &'a [u32],
    date: &'a [f64],
    days: Days<'a>,
    order: Vec<u32>,
}

/// Days of supply of a row, computed when needed (no copy of the column).
struct Days<'a> {
    amount: &'a [f64],
    dose: DailyDose<'a>,
}

impl Days<'_> {
    #[inline]
    fn get(&self, i: usize) -> f64 {
        match self.dose {
            DailyDose::None => self.amount[i],
            DailyDose::Scalar(v) => self.amount[i] / v,
            DailyDose::Column(d) => self.amount[i] / d[i],
        }
    }
}

/// How the daily dose is given.
#[derive(Debug, Clone, Copy)]
pub enum DailyDose<'a> {
    /// The amount is already days.
    None,
    Scalar(f64),
    Column(&'a [f64]),
}

fn bad(arg: &'static str, row: usize, value: f64, problem: &'static str) -> Error {
    Error::InvalidValue {
        arg,
        row,
        value,
        problem,
    }
}

impl<'a> Dispensings<'a> {
    /// Check the columns (ids below `n_levels`; finite dates; finite non-negative
    /// positive amounts; finite positive daily doses) and sort.
    pub fn new(
        id: &'a [u32],
        n_levels: usize,
        date: &'a [f64],
        amount: &'a [f64],
        daily_dose: DailyDose<'a>,
    ) -> Result<Self> {
        use crate::data::{check_codes, check_finite, check_len, check_nonneg_finite};
        let n = date.len();
        if n == 0 {
            return Err(Error::Empty { arg: "date" });
        }
        if n > u32::MAX as usize {
            return Err(Error::InvalidArgument {
                arg: "date",
                reason: format!("at most {} dispensings, got {n}", u32::MAX),
            });
        }
        check_len("id", id.len(), "date", n)?;
        check_len("amount", amount.len(), "date", n)?;
        check_codes("id", id, n_levels)?;
        check_finite("date", date)?;
        check_nonneg_finite("amount", amount)?;
        if let Some(row) = amount.iter().position(|&a| a == 0.0) {
            return Err(bad("amount", row, 0.0, "zero amount (a dispensing must supply days)"));
        }
        let dose_ok = |v: f64| -> Option<&'static str> {
            match crate::data::non_finite(v) {
                Some(p) => Some(p),
                None if v < 0.0 => Some("negative daily dose"),
                None if v == 0.0 => Some("daily dose is zero"),
                None => None,
            }
        };
        match daily_dose {
            DailyDose::None => {}
            DailyDose::Scalar(v) => {
                if let Some(p) = dose_ok(v) {
                    return Err(Error::InvalidArgument {
                        arg: "daily_dose",
                        reason: format!("must be a finite positive number ({p}, got {v})"),
                    });
                }
            }
            DailyDose::Column(d) => {
                check_len("daily_dose", d.len(), "date", n)?;
                if let Some(row) = d.iter().position(|&v| dose_ok(v).is_some()) {
                    return Err(bad("daily_dose", row, d[row], dose_ok(d[row]).unwrap()));
                }
            }
        }
        let days = Days { amount, dose: daily_dose };
        if let Some(row) = (0..n).map(|i| days.get(i)).position(|v| !(v.is_finite() && v > 0.0)) {
            return Err(bad("amount", row, amount[row], "days of supply (amount / daily dose) are not finite and positive"));
        }
        // Counting sort by id (codes 0..n_levels: O(n + levels), rows in input order
        // within an id), then each id's rows by date (small sorts: O(n log m)).
        let mut start = vec![0usize; n_levels + 1];
        for &g in id {
            start[g as usize + 1] += 1;
        }
        for k in 0..n_levels {
            start[k + 1] += start[k];
        }
        let mut next = start.clone();
        let mut order = vec![0u32; n];
        for (i, &g) in id.iter().enumerate() {
            order[next[g as usize]] = i as u32;
            next[g as usize] += 1;
        }
        drop(next);
        for k in 0..n_levels {
            let seg = &mut order[start[k]..start[k + 1]];
            if seg.windows(2).any(|w| date[w[0] as usize] > date[w[1] as usize]) {
                seg.sort_unstable_by(|&a, &b| {
                    date[a as usize].total_cmp(&date[b as usize]).then(a.cmp(&b))
                });
            }
        }
        Ok(Dispensings {
            id,
            date,
            days,
            order,
        })
    }

    /// Visit each (id, date) with its summed days, number of rows, and the first row
    /// index of the run: `f(id, date, days, count, first_row, is_first_of_id)`.
    fn for_each_date(&self, mut f: impl FnMut(u32, f64, f64, usize, usize, bool) -> Result<()>) -> Result<()> {
        let o = &self.order;
        let mut k = 0;
        let mut prev_id = None;
        while k < o.len() {
            let r = o[k] as usize;
            let (g, d) = (self.id[r], self.date[r]);
            let mut s = 0.0;
            let mut c = 0;
            while k < o.len() && self.id[o[k] as usize] == g && self.date[o[k] as usize] == d {
                s += self.days.get(o[k] as usize);
                c += 1;
                k += 1;
            }
            f(g, d, s, c, r, prev_id != Some(g))?;
            prev_id = Some(g);
        }
        Ok(())
    }

    /// Treatment episodes (see the module doc).
    pub fn episodes(&self, p: EpisodeParams) -> Result<Episodes> {
        check_params(p.grace, p.grace_fraction)?;
        let mut out = Episodes::default();
        let mut cur: Option<(u32, f64, f64, usize, f64, f64)> = None; // id, start, E, k, supplied, allow
        let flush = |out: &mut Episodes, c: (u32, f64, f64, usize, f64, f64)| {
            out.id.push(c.0);
            out.start.push(c.1);
            out.end.push(if p.end_grace { c.2 + c.5 } else { c.2 });
            out.dispensings.push(c.3);
            out.supplied.push(c.4);
        };
        self.for_each_date(|g, d, s, cnt, _, first| {
            let new = match cur {
                None => true,
                Some(c) => first || d - c.2 > c.5,
            };
            if new {
                if let Some(c) = cur {
                    flush(&mut out, c);
                }
                cur = Some((g, d, d, 0, 0.0, 0.0));
            }
            let c = cur.as_mut().unwrap();
            c.2 = if p.stockpile { d.max(c.2) + s } else { c.2.max(d + s) };
            c.3 += cnt;
            c.4 += s;
            c.5 = p.grace + p.grace_fraction * s;
            Ok(())
        })?;
        if let Some(c) = cur {
            flush(&mut out, c);
        }
        Ok(out)
    }

    /// PDC and MPR ingredients over `[w0, w0 + window)` per id: `window_start` (per
    /// row, constant within an id) or the id's first dispensing.
    pub fn adherence(&self, window: f64, window_start: Option<&[f64]>, stockpile: bool) -> Result<Adherence> {
        if !(window.is_finite() && window > 0.0) {
            return Err(Error::InvalidArgument {
                arg: "window",
                reason: format!("must be a finite positive number of days, got {window}"),
            });
        }
        if let Some(w) = window_start {
            crate::data::check_len("window_start", w.len(), "date", self.date.len())?;
            crate::data::check_finite("window_start", w)?;
            // constant within each id
            let o = &self.order;
            for k in 1..o.len() {
                let (a, b) = (o[k - 1] as usize, o[k] as usize);
                if self.id[a] == self.id[b] && w[a] != w[b] {
                    let row = a.max(b);
                    return Err(bad("window_start", row, w[row], "window start differs between rows of the same id"));
                }
            }
        }
        let mut out = Adherence::default();
        // id, w0, w1, E, supplied, covered, k
        let mut cur: Option<(u32, f64, f64, f64, f64, f64, usize)> = None;
        let flush = |out: &mut Adherence, c: (u32, f64, f64, f64, f64, f64, usize)| {
            out.id.push(c.0);
            out.window_start.push(c.1);
            out.window_end.push(c.2);
            out.supplied.push(c.4);
            out.covered.push(c.5);
            out.dispensings.push(c.6);
        };
        self.for_each_date(|g, d, s, cnt, row, first| {
            if first {
                if let Some(c) = cur {
                    flush(&mut out, c);
                }
                let w0 = window_start.map_or(d, |w| w[row]);
                cur = Some((g, w0, w0 + window, f64::NEG_INFINITY, 0.0, 0.0, 0));
            }
            let c = cur.as_mut().unwrap();
            if d >= c.2 {
                return Ok(());
            }
            let a = d.max(c.3);
            let e = if stockpile { a + s } else { c.3.max(d + s) };
            let lo = a.max(c.1);
            let hi = e.min(c.2);
            if hi > lo {
                c.5 += hi - lo;
            }
            c.3 = e;
            if d >= c.1 {
                c.4 += s;
                c.6 += cnt;
            }
            Ok(())
        })?;
        if let Some(c) = cur {
            flush(&mut out, c);
        }
        Ok(out)
    }
}

/// Dense codes of (id, drug) pairs, numbered in (id, drug) order, so that the episodes
/// and adherence of [`Dispensings`] built on `codes` come out sorted by id, then drug.
/// Cost: a sort of the distinct pairs and a binary search per row, O(n log m).
#[derive(Debug, Clone)]
pub struct PairCodes {
    /// The pair code of each row.
    pub codes: Vec<u32>,
    /// The (id, drug) of each pair code.
    pub pairs: Vec<(u32, u32)>,
}

impl PairCodes {
    /// Pairs of `id` and `drug` (codes below `n_drugs`; both of `n` rows, the number
    /// of dispensings).
    pub fn new(id: &[u32], drug: &[u32], n_drugs: usize, n: usize) -> Result<Self> {
        crate::data::check_len("id", id.len(), "date", n)?;
        crate::data::check_len("drug", drug.len(), "date", n)?;
        crate::data::check_codes("drug", drug, n_drugs)?;
        let mut pairs: Vec<(u32, u32)> = id.iter().copied().zip(drug.iter().copied()).collect();
        pairs.sort_unstable();
        pairs.dedup();
        let codes = id
            .iter()
            .zip(drug)
            .map(|(&i, &d)| pairs.binary_search(&(i, d)).expect("a pair of the rows") as u32)
            .collect();
        Ok(PairCodes { codes, pairs })
    }
    /// The id and drug columns of pair codes.
    pub fn split(&self, codes: &[u32]) -> (Vec<u32>, Vec<u32>) {
        codes.iter().map(|&c| self.pairs[c as usize]).unzip()
    }
}

fn check_params(grace: f64, grace_fraction: f64) -> Result<()> {
    if !(grace.is_finite() && grace >= 0.0) {
        return Err(Error::InvalidArgument {
            arg: "grace",
            reason: format!("must be a finite number of days >= 0, got {grace}"),
        });
    }
    if !(grace_fraction.is_finite() && grace_fraction >= 0.0) {
        return Err(Error::InvalidArgument {
            arg: "grace_fraction",
            reason: format!("must be a finite number >= 0, got {grace_fraction}"),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ep(id: &[u32], date: &[f64], amount: &[f64], p: EpisodeParams) -> Episodes {
        let n = *id.iter().max().unwrap() as usize + 1;
        Dispensings::new(id, n, date, amount, DailyDose::None).unwrap().episodes(p).unwrap()
    }
    const P: EpisodeParams = EpisodeParams {
        grace: 10.0,
        grace_fraction: 0.0,
        stockpile: true,
        end_grace: false,
    };

    #[test]
    fn stockpile_carries_over_and_grace_boundary() {
        // 0: 30 days; 20: 30 days -> E = 60 (stockpiled); 70: gap 10 = grace -> same episode
        let e = ep(&[0, 0, 0, 0], &[0.0, 20.0, 70.0, 111.0], &[30.0, 30.0, 30.0, 1.0], P);
        assert_eq!(e.start, vec![0.0, 111.0]);
        assert_eq!(e.end, vec![100.0, 112.0]);
        assert_eq!(e.dispensings, vec![3, 1]);
        let e = ep(&[0, 0], &[0.0, 20.0], &[30.0, 30.0], EpisodeParams { stockpile: false, ..P });
        assert_eq!(e.end, vec![50.0]);
    }

    #[test]
    fn fractional_days_and_dose_column() {
        let d = Dispensings::new(&[0, 0], 1, &[0.0, 0.0], &[10.0, 5.0], DailyDose::Column(&[4.0, 2.0])).unwrap();
        let e = d.episodes(P).unwrap();
        assert_eq!((e.end[0], e.dispensings[0], e.supplied[0]), (5.0, 2, 5.0));
        let a = d.adherence(10.0, None, true).unwrap();
        assert_eq!((a.covered[0], a.supplied[0]), (5.0, 5.0));
    }

    #[test]
    fn bad_input_names_argument_and_row() {
        let e = Dispensings::new(&[0, 0], 1, &[0.0, 1.0], &[1.0, -1.0], DailyDose::None).err().unwrap();
        assert_eq!(e.message(0), "argument `amount`: negative value (value -1) at row 1");
        let e = Dispensings::new(&[0, 0], 1, &[0.0, 1.0], &[1.0, 1.0], DailyDose::Column(&[1.0, 0.0])).err().unwrap();
        assert_eq!(e.message(0), "argument `daily_dose`: daily dose is zero (value 0) at row 1");
        let e = Dispensings::new(&[0, 0], 1, &[f64::NAN, 1.0], &[1.0, 1.0], DailyDose::None).err().unwrap();
        assert!(e.message(0).starts_with("argument `date`: missing value (NaN) at row 0"));
    }
}
