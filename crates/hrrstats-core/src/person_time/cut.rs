//! Splitting follow-up at individual dates (a drug start, an operation): each row's
//! follow-up is cut at its own time on one time scale and the time after the cut is
//! spent in a new state, as `Epi::cutLexis`.
//!
//! For a row with follow-up `[entry, exit)` on the cut's time scale and cut time `c`
//! (NaN = never):
//! - the part before the cut, `[entry, min(c, exit))`, keeps the entry state; it ends in
//!   the new state when `c < exit` (the transition), else in the exit state;
//! - the part after the cut, `[max(c, entry), exit)`, is spent in the new state and ends
//!   in the exit state, except that an exit state listed in `precursor_states` (by
//!   default the states with time at risk, typically 0 = censored), or below the new
//!   state when `progressive`, is replaced by the new state;
//! - parts of zero or negative length are dropped (a cut at or before entry puts the whole
//!   follow-up in the new state; a cut at or after exit changes nothing).
//!
//! The result is again Lexis data (one or two rows per input row) that can be split by
//! time scales or tabulated.

use super::lexis::LexisData;
use crate::data::check_len;
use crate::error::{Error, Result};

/// The rows of a cut: per row its input row, the time scales at entry, exit (first
/// scale), entry state and exit state.
#[derive(Debug, Clone, Default)]
pub struct CutRows {
    pub names: Vec<String>,
    pub row: Vec<u32>,
    pub at_entry: Vec<Vec<f64>>,
    pub exit: Vec<f64>,
    pub entry_status: Vec<f64>,
    pub status: Vec<f64>,
}

impl CutRows {
    pub fn len(&self) -> usize {
        self.row.len()
    }
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }
    /// Duration of each row.
    pub fn duration(&self) -> Vec<f64> {
        self.exit
            .iter()
            .zip(&self.at_entry[0])
            .map(|(x, e)| x - e)
            .collect()
    }
    /// The rows as Lexis data (borrowing), ready to split or tabulate.
    pub fn lexis_data(&self) -> Result<LexisData<'_>> {
        let scales = self
            .names
            .iter()
            .cloned()
            .zip(self.at_entry.iter().map(|v| v.as_slice()))
            .collect();
        LexisData::new(scales, &self.exit, &self.status)?.with_entry_status(&self.entry_status)
    }
}

/// Cut each row of `data` at `cut[i]` on the time scale `timescale` (NaN: no cut),
/// entering `new_state[i]`. `precursor_states`: exit states replaced by the new state
/// after the cut (`None`: the entry states of rows with positive follow-up, as Epi's
/// `transient()`); `progressive`: also replace exit states below the new state.
pub fn cut_lexis(
    data: &LexisData,
    cut: &[f64],
    timescale: &str,
    new_state: &[f64],
    precursor_states: Option<&[f64]>,
    progressive: bool,
) -> Result<CutRows> {
    let n = data.len();
    check_len("cut", cut.len(), "exit", n)?;
    check_len("new_state", new_state.len(), "exit", n)?;
    let names = data.names();
    let s = names
        .iter()
        .position(|x| x == timescale)
        .ok_or_else(|| Error::InvalidArgument {
            arg: "timescale",
            reason: format!(
                "no time scale named `{timescale}` (scales: {})",
                names.join(", ")
            ),
        })?;
    if let Some(row) = cut.iter().position(|c| c.is_infinite()) {
        return Err(Error::InvalidValue {
            arg: "cut",
            row,
            value: cut[row],
            problem: "cut time is infinite (use NaN/NA for no cut)",
        });
    }
    if let Some(row) = new_state.iter().position(|c| !c.is_finite()) {
        return Err(Error::InvalidValue {
            arg: "new_state",
            row,
            value: new_state[row],
            problem: "state is missing or not finite",
        });
    }
    let default_precursors: Vec<f64>;
    let precursors = match precursor_states {
        Some(p) => p,
        None => {
            let mut v: Vec<f64> = (0..n)
                .filter(|&i| data.duration(i) > 0.0)
                .map(|i| data.entry_state(i))
                .collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            default_precursors = v;
            &default_precursors
        }
    };
    let ns = names.len();
    let mut out = CutRows {
        names: names.to_vec(),
        at_entry: vec![Vec::with_capacity(n); ns],
        ..Default::default()
    };
    for i in 0..n {
        let e = data.at_entry(s, i);
        let dur = data.duration(i);
        let x = e + dur;
        let c = if cut[i].is_nan() {
            f64::INFINITY
        } else {
            cut[i]
        };
        let (cst, xst, ns_i) = (data.entry_state(i), data.exit_state(i), new_state[i]);
        // Before the cut.
        let d1 = c.min(x) - e;
        if d1 > 0.0 {
            out.row.push(i as u32);
            for k in 0..ns {
                out.at_entry[k].push(data.at_entry(k, i));
            }
            out.exit.push(if c < x {
                data.at_entry(0, i) + d1
            } else {
                data.exit(i)
            });
            out.entry_status.push(cst);
            out.status.push(if c < x { ns_i } else { xst });
        }
        // After the cut.
        let a = c.max(e) - e;
        if dur - a > 0.0 {
            out.row.push(i as u32);
            for k in 0..ns {
                out.at_entry[k].push(data.at_entry(k, i) + a);
            }
            out.exit.push(data.exit(i));
            out.entry_status.push(ns_i);
            let replace = precursors.contains(&xst) || (progressive && xst < ns_i);
            out.status.push(if replace { ns_i } else { xst });
        }
    }
    Ok(out)
}
