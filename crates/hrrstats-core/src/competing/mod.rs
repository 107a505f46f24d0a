//! Competing risks: Aalen–Johansen cumulative incidence with Gray's test
//! ([`cuminc`]) and Fine–Gray subdistribution-hazards regression ([`fine_gray`]).

pub mod cuminc;
pub mod fine_gray;
mod gray;

pub use cuminc::{CifCurve, CifVariance, CumInc, CumIncAt, CumIncFit, CumIncParams, GrayTest};
pub use fine_gray::{FineGray, FineGrayFit, FineGrayParams, FineGrayStop};

use crate::data::{check_codes, check_finite, check_len, check_nonneg_finite, non_finite};
use crate::error::{Error, Result};

/// Competing-risks data: exit times, cause codes (`censor_code` = censored, any other
/// finite code a cause), and optionally delayed entry, case weights, groups to compare
/// and strata for Gray's test.
#[derive(Debug, Clone, Copy)]
pub struct CompetingData<'a> {
    pub(crate) time: &'a [f64],
    pub(crate) cause: &'a [f64],
    pub(crate) censor_code: f64,
    pub(crate) entry: Option<&'a [f64]>,
    pub(crate) weights: Option<&'a [f64]>,
    /// The weights count identical rows (a frequency table): Gray's test is the
    /// expanded data's.
    pub(crate) frequency: bool,
    /// Per row, the sum of the squared case weights of the rows it stands for (a row
    /// of a table that merged identical weighted rows): the infinitesimal jackknife's
    /// `Σ w²`. Absent: `w` for frequency weights (each copy weighs 1), else `w²`.
    pub(crate) weights_squared: Option<&'a [f64]>,
    pub(crate) group: Option<(&'a [u32], usize)>,
    pub(crate) strata: Option<(&'a [u32], usize)>,
}

impl<'a> CompetingData<'a> {
    /// `time` finite and non-negative; `cause` finite codes (`censor_code` = censored).
    pub fn new(time: &'a [f64], cause: &'a [f64], censor_code: f64) -> Result<Self> {
        if time.is_empty() {
            return Err(Error::Empty { arg: "time" });
        }
        check_len("cause", cause.len(), "time", time.len())?;
        check_nonneg_finite("time", time)?;
        check_finite("cause", cause)?;
        check_censor_code(censor_code)?;
        Ok(CompetingData {
            time,
            cause,
            censor_code,
            entry: None,
            weights: None,
            frequency: false,
            weights_squared: None,
            group: None,
            strata: None,
        })
    }

    /// Delayed entry: at risk on `(entry, time]`.
    pub fn with_entry(mut self, entry: &'a [f64]) -> Result<Self> {
        check_len("entry", entry.len(), "time", self.time.len())?;
        for (row, (&e, &t)) in entry.iter().zip(self.time).enumerate() {
            if let Some(problem) = non_finite(e) {
                return Err(Error::InvalidValue {
                    arg: "entry",
                    row,
                    value: e,
                    problem,
                });
            }
            if e >= t {
                return Err(Error::InvalidValue {
                    arg: "entry",
                    row,
                    value: e,
                    problem: "entry is not before the exit time",
                });
            }
        }
        self.entry = Some(entry);
        Ok(self)
    }

    /// Case weights (finite, non-negative).
    pub fn with_weights(mut self, weights: &'a [f64]) -> Result<Self> {
        check_len("weights", weights.len(), "time", self.time.len())?;
        if let Some(row) = weights.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(Error::InvalidValue {
                arg: "weights",
                row,
                value: weights[row],
                problem: "weight is negative, missing or not finite",
            });
        }
        self.weights = Some(weights);
        Ok(self)
    }

    /// Frequency weights: each row stands for `weights[i]` identical rows (whole
    /// numbers), as a table of counts does; the estimates are those of the case
    /// weights and Gray's test is that of the expanded data.
    pub fn with_frequency_weights(self, weights: &'a [f64]) -> Result<Self> {
        let mut d = self.with_weights(weights)?;
        if let Some(row) = weights.iter().position(|w| w.fract() != 0.0) {
            return Err(Error::InvalidValue {
                arg: "weights",
                row,
                value: weights[row],
                problem: "frequency weights must be whole numbers",
            });
        }
        d.frequency = true;
        Ok(d)
    }

    /// Rows that stand for several merged rows with case weights (`weights` their sum):
    /// `weights_squared` the sum of their squared weights, for the infinitesimal
    /// jackknife variance (finite, non-negative; with `weights`).
    pub fn with_weights_squared(mut self, w2: &'a [f64]) -> Result<Self> {
        check_len("weights_squared", w2.len(), "time", self.time.len())?;
        if self.weights.is_none() {
            return Err(Error::InvalidArgument {
                arg: "weights_squared",
                reason: "goes with `weights` (the sums of the merged rows' weights)".into(),
            });
        }
        if let Some(row) = w2.iter().position(|w| !(w.is_finite() && *w >= 0.0)) {
            return Err(Error::InvalidValue {
                arg: "weights_squared",
                row,
                value: w2[row],
                problem: "weight is negative, missing or not finite",
            });
        }
        self.weights_squared = Some(w2);
        Ok(self)
    }

    /// Groups whose cumulative incidence curves are estimated (and compared).
    pub fn with_group(self, codes: &'a [u32], k: usize) -> Result<Self> {
        self.with_group_arg(codes, k, "group")
    }

    /// Groups given as the argument `arg` (Fine–Gray's censoring groups, `cengroup`).
    pub fn with_group_arg(mut self, codes: &'a [u32], k: usize, arg: &'static str) -> Result<Self> {
        check_len(arg, codes.len(), "time", self.time.len())?;
        check_codes(arg, codes, k)?;
        self.group = Some((codes, k));
        Ok(self)
    }

    /// Strata for Gray's test.
    pub fn with_strata(mut self, codes: &'a [u32], k: usize) -> Result<Self> {
        check_len("strata", codes.len(), "time", self.time.len())?;
        check_codes("strata", codes, k)?;
        self.strata = Some((codes, k));
        Ok(self)
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
    fn weight(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }
    /// The row's `Σ w²` in the infinitesimal jackknife: given, or `w` for frequency
    /// weights (the row's copies each weigh 1), else `w²`.
    fn weight_squared(&self, i: usize) -> f64 {
        match self.weights_squared {
            Some(v) => v[i],
            None if self.frequency => self.weight(i),
            None => self.weight(i) * self.weight(i),
        }
    }
    fn group_of(&self, i: usize) -> usize {
        self.group.map_or(0, |(g, _)| g[i] as usize)
    }
    fn n_groups(&self) -> usize {
        self.group.map_or(1, |(_, k)| k)
    }
    /// Outcome of row `i` relative to `cause`: 0 censored, 1 that cause, 2 another cause.
    fn outcome(&self, i: usize, cause: f64) -> u8 {
        if self.cause[i] == self.censor_code {
            0
        } else if self.cause[i] == cause {
            1
        } else {
            2
        }
    }
    /// The causes present (sorted codes other than the censoring code).
    fn causes(&self) -> Vec<f64> {
        let mut c: Vec<f64> = self
            .cause
            .iter()
            .copied()
            .filter(|&c| c != self.censor_code)
            .collect();
        c.sort_by(f64::total_cmp);
        c.dedup();
        c
    }
}

/// `censor_code`: a finite code.
fn check_censor_code(censor_code: f64) -> Result<()> {
    if !censor_code.is_finite() {
        return Err(Error::InvalidArgument {
            arg: "censor_code",
            reason: "must be a finite code".into(),
        });
    }
    Ok(())
}

/// The causes of cause-specific models (one Cox model per cause: that cause's rows are
/// events, every other row censored) and each row's event indicator per cause.
#[derive(Debug, Clone, PartialEq)]
pub struct CauseSpecific {
    /// The causes modelled, in the order given (default: every code other than
    /// `censor_code` present, sorted).
    pub causes: Vec<f64>,
    /// Per cause, per row: 1 (that cause), 0 (censored or another cause), NaN where the
    /// cause is missing (allowed only with `allow_missing`, for rows a binding drops).
    pub events: Vec<Vec<f64>>,
}

/// Check the `cause` column and the requested `causes` of cause-specific models: a
/// missing cause is an error naming the row (with `allow_missing` it stays missing, so
/// that a binding's `na_action = "drop"` drops and counts the row, never censors it); a
/// requested cause that is the censoring code, missing, repeated or absent from the
/// data is an error naming `causes`.
pub fn cause_specific(
    cause: &[f64],
    censor_code: f64,
    causes: Option<&[f64]>,
    allow_missing: bool,
) -> Result<CauseSpecific> {
    if cause.is_empty() {
        return Err(Error::Empty { arg: "cause" });
    }
    check_censor_code(censor_code)?;
    for (row, &c) in cause.iter().enumerate() {
        if c.is_nan() && allow_missing {
            continue;
        }
        if let Some(problem) = non_finite(c) {
            return Err(Error::InvalidValue {
                arg: "cause",
                row,
                value: c,
                problem,
            });
        }
    }
    let present: Vec<f64> = {
        let mut c: Vec<f64> = cause
            .iter()
            .copied()
            .filter(|&c| !c.is_nan() && c != censor_code)
            .collect();
        c.sort_by(f64::total_cmp);
        c.dedup();
        c
    };
    let causes = match causes {
        None => present,
        Some(req) => {
            if req.is_empty() {
                return Err(Error::InvalidArgument {
                    arg: "causes",
                    reason: "give at least one cause".into(),
                });
            }
            for (k, &c) in req.iter().enumerate() {
                let reason = if !c.is_finite() {
                    format!("cause {} is missing or not finite", k + 1)
                } else if c == censor_code {
                    format!(
                        "{c} is the censoring code (censor_code = {censor_code}), not a cause"
                    )
                } else if req[..k].contains(&c) {
                    format!("cause {c} is given twice")
                } else if !present.contains(&c) {
                    format!("cause {c} does not occur in `cause`")
                } else {
                    continue;
                };
                return Err(Error::InvalidArgument {
                    arg: "causes",
                    reason,
                });
            }
            req.to_vec()
        }
    };
    if causes.is_empty() {
        return Err(Error::Data {
            arg: "cause",
            reason: "no events (every row is censored)".into(),
        });
    }
    let events = causes
        .iter()
        .map(|&k| {
            cause
                .iter()
                .map(|&c| if c.is_nan() { f64::NAN } else { f64::from(u8::from(c == k)) })
                .collect()
        })
        .collect();
    Ok(CauseSpecific { causes, events })
}
