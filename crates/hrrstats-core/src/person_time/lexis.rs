//! Splitting follow-up on several time scales that advance together (calendar time,
//! age, time since diagnosis, ...), as `Epi::splitLexis` / `popEpi::splitMulti`.
//!
//! Person `i` is followed for `D_i = exit_i - entry_i` on the first scale; scale `s` has
//! value `v_s(t) = v_s(entry) + t` after time `t`. The cut points are the times where
//! any split scale crosses one of its breaks; pieces are `[a, b)` between consecutive
//! cuts (pieces shorter than `sqrt(ε)` are not kept, so a break exactly at an entry or
//! exit adds nothing). A piece's band on a scale is the break at or below the value at
//! the piece's midpoint. With `drop`, a piece whose midpoint lies outside
//! `[first break, last break)` of any split scale is discarded (popEpi's `drop = TRUE`);
//! otherwise it is kept with band NaN. Every piece starts in the entry state; only the
//! piece that ends at the exit carries the exit state (multi-state codes kept).
//! Follow-up of length below `sqrt(ε)` is dropped, as `Epi::Lexis` drops it (with its
//! event).
//!
//! The person-time table is accumulated piece by piece without materialising the
//! split: chunks of persons in fixed groups run in parallel, one table of cells per
//! group, the groups' tables added in group order ([`crate::par`]: the same sums, to the
//! last bit, for any number of threads).

use std::collections::HashMap;

use rayon::prelude::*;

use crate::data::{check_len, non_finite};
use crate::error::{Error, Result};

const PERSONS_PER_CHUNK: usize = 4096;

/// Cohort data on the Lexis diagram.
#[derive(Debug, Clone)]
pub struct LexisData<'a> {
    names: Vec<String>,
    /// Value of each time scale at entry; the first scale is the one entry/exit use.
    at_entry: Vec<&'a [f64]>,
    exit: &'a [f64],
    status: &'a [f64],
    entry_status: Option<&'a [f64]>,
}

impl<'a> LexisData<'a> {
    /// `scales`: (name, value at entry) for each time scale, the first being the scale
    /// `exit` is measured on; `status`: state at exit (0 = no event; any codes);
    /// `entry_status`: state at entry (0 when absent).
    pub fn new(
        scales: Vec<(String, &'a [f64])>,
        exit: &'a [f64],
        status: &'a [f64],
    ) -> Result<Self> {
        if scales.is_empty() {
            return Err(Error::InvalidArgument {
                arg: "time_scales",
                reason: "at least one time scale is needed".into(),
            });
        }
        // lengths are checked against `entry` (the first scale), the first column the user gives
        let n = scales[0].1.len();
        check_len("exit", exit.len(), "entry", n)?;
        if n == 0 {
            return Err(Error::Empty { arg: "exit" });
        }
        check_len("status", status.len(), "entry", n)?;
        for (k, (name, v)) in scales.iter().enumerate() {
            if scales[..k].iter().any(|(m, _)| m == name) {
                return Err(Error::InvalidArgument {
                    arg: "time_scales",
                    reason: format!("the time scale `{name}` is given twice"),
                });
            }
            // the first scale is the one `entry` gives: its errors name `entry`
            let arg = if k == 0 { "entry" } else { "time_scales" };
            if v.len() != n {
                return Err(Error::InvalidArgument {
                    arg,
                    reason: format!("scale `{name}` has length {} but `entry` has length {n}", v.len()),
                });
            }
            for (row, &x) in v.iter().enumerate() {
                let Some(problem) = non_finite(x) else { continue };
                return Err(if k == 0 {
                    Error::InvalidValue { arg, row, value: x, problem }
                } else {
                    Error::InvalidCell { arg, column: name.clone(), row, value: x, problem }
                });
            }
        }
        for (row, (&x, &e)) in exit.iter().zip(scales[0].1).enumerate() {
            if let Some(problem) = non_finite(x) {
                return Err(Error::InvalidValue {
                    arg: "exit",
                    row,
                    value: x,
                    problem,
                });
            }
            if x < e {
                return Err(Error::InvalidValue {
                    arg: "exit",
                    row,
                    value: x,
                    problem: "exit is before entry",
                });
            }
        }
        if let Some(row) = status.iter().position(|s| !s.is_finite()) {
            return Err(Error::InvalidValue {
                arg: "status",
                row,
                value: status[row],
                problem: "missing value (NaN)",
            });
        }
        let (names, at_entry) = scales.into_iter().unzip();
        Ok(LexisData {
            names,
            at_entry,
            exit,
            status,
            entry_status: None,
        })
    }

    pub fn with_entry_status(mut self, entry_status: &'a [f64]) -> Result<Self> {
        check_len("entry_status", entry_status.len(), "entry", self.exit.len())?;
        if let Some(row) = entry_status.iter().position(|s| !s.is_finite()) {
            return Err(Error::InvalidValue {
                arg: "entry_status",
                row,
                value: entry_status[row],
                problem: "missing value (NaN)",
            });
        }
        self.entry_status = Some(entry_status);
        Ok(self)
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }
    fn n(&self) -> usize {
        self.exit.len()
    }
    fn cst(&self, i: usize) -> f64 {
        self.entry_status.map_or(0.0, |s| s[i])
    }
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.exit.len()
    }
    pub fn is_empty(&self) -> bool {
        self.exit.is_empty()
    }
    /// Value of time scale `s` at the entry of row `i`.
    pub fn at_entry(&self, s: usize, i: usize) -> f64 {
        self.at_entry[s][i]
    }
    /// Exit of row `i` on the first time scale.
    pub fn exit(&self, i: usize) -> f64 {
        self.exit[i]
    }
    /// Follow-up of row `i`.
    pub fn duration(&self, i: usize) -> f64 {
        self.exit[i] - self.at_entry[0][i]
    }
    /// State during row `i` (0 when no entry states were given).
    pub fn entry_state(&self, i: usize) -> f64 {
        self.cst(i)
    }
    /// State at the exit of row `i`.
    pub fn exit_state(&self, i: usize) -> f64 {
        self.status[i]
    }

    /// Rows whose follow-up is shorter than `tol` (zero-length: exit = entry), and how
    /// many of them end in an event (an exit state other than the entry state).
    pub fn short_rows(&self, tol: f64) -> (usize, usize) {
        (0..self.n())
            .filter(|&i| self.duration(i) < tol)
            .fold((0, 0), |(r, e), i| {
                (r + 1, e + usize::from(self.status[i] != self.cst(i)))
            })
    }

    /// The warning for rows dropped because their follow-up has zero length (none when
    /// no row is): `Epi::Lexis` drops them too, announcing "NOTE: Dropping n rows with
    /// duration of follow up < tol"; here the count of events dropped with them is
    /// given as well, since such an event is lost from every table.
    pub fn zero_length_warning(&self, tol: f64) -> Option<String> {
        let (rows, events) = self.short_rows(tol);
        let length = if tol > f64::MIN_POSITIVE {
            format!("exit - entry < {tol:.1e}")
        } else {
            "exit = entry".to_string()
        };
        (rows > 0).then(|| {
            format!(
                "{rows} row{} with zero-length follow-up ({length}) dropped, {events} of \
                 them with an event (an exit status other than the entry status), as \
                 Epi::Lexis drops them",
                if rows == 1 { "" } else { "s" }
            )
        })
    }
}

/// Follow-up shorter than this is dropped by the split (as `Epi::Lexis`'s `tol`).
pub const ZERO_LENGTH_TOL: f64 = 1.4901161193847656e-8;

/// Breaks per time scale and the drop rule.
#[derive(Debug, Clone)]
pub struct LexisSplit {
    /// (scale index, sorted breaks).
    breaks: Vec<(usize, Vec<f64>)>,
    drop: bool,
}

impl LexisSplit {
    /// `breaks`: (scale name, breaks) pairs for the scales to split; `drop` as popEpi.
    pub fn new(data: &LexisData, breaks: &[(&str, &[f64])], drop: bool) -> Result<Self> {
        let mut out = Vec::new();
        for (name, b) in breaks {
            let s = data.names.iter().position(|n| n == name).ok_or_else(|| {
                Error::InvalidArgument {
                    arg: "breaks",
                    reason: format!(
                        "no time scale named `{name}` (scales: {})",
                        data.names.join(", ")
                    ),
                }
            })?;
            if out.iter().any(|&(t, _)| t == s) {
                return Err(Error::InvalidArgument {
                    arg: "breaks",
                    reason: format!("the time scale `{name}` is given twice (give each scale's breaks once)"),
                });
            }
            if b.len() < 2 || b.iter().any(|x| !x.is_finite()) || b.windows(2).any(|w| w[1] <= w[0])
            {
                return Err(Error::InvalidArgument {
                    arg: "breaks",
                    reason: format!("breaks of `{name}` must be at least two finite, strictly increasing values"),
                });
            }
            out.push((s, b.to_vec()));
        }
        Ok(LexisSplit { breaks: out, drop })
    }

    /// Call `f(a, b, bands, last)` for every kept piece `[a, b)` of person `i` (times
    /// since entry; `bands[k]` the index of the band of the k-th split scale, its number
    /// of bands when outside the breaks).
    fn pieces_idx(
        &self,
        d: &LexisData,
        i: usize,
        cuts: &mut Vec<f64>,
        bands: &mut Vec<usize>,
        mut f: impl FnMut(f64, f64, &[usize], bool),
    ) {
        let tol = ZERO_LENGTH_TOL;
        let dur = d.exit[i] - d.at_entry[0][i];
        if dur < tol {
            return;
        }
        cuts.clear();
        cuts.push(0.0);
        for (s, b) in &self.breaks {
            let e = d.at_entry[*s][i];
            let first = b.partition_point(|&x| x - e <= 0.0);
            for &bk in &b[first..] {
                let t = bk - e;
                if t >= dur {
                    break;
                }
                cuts.push(t);
            }
        }
        cuts.push(dur);
        if self.breaks.len() > 1 {
            cuts.sort_by(f64::total_cmp);
        }
        let m = cuts.len();
        // The piece ending at the exit is the last one of length >= tol.
        let last = (1..m).rev().find(|&k| cuts[k] - cuts[k - 1] >= tol);
        for k in 1..m {
            let (a, b) = (cuts[k - 1], cuts[k]);
            if b - a < tol {
                continue;
            }
            bands.clear();
            let mut outside = false;
            for (s, br) in &self.breaks {
                let mid = d.at_entry[*s][i] + (a + b) / 2.0;
                let j = br.partition_point(|&x| x <= mid);
                if j == 0 || j == br.len() {
                    outside = true;
                    bands.push(br.len() - 1);
                } else {
                    bands.push(j - 1);
                }
            }
            if outside && self.drop {
                continue;
            }
            f(a, b, bands, Some(k) == last);
        }
    }

    /// As [`Self::pieces_idx`] with the bands as their lower breaks (NaN outside).
    fn pieces(
        &self,
        d: &LexisData,
        i: usize,
        cuts: &mut Vec<f64>,
        idx: &mut Vec<usize>,
        bands: &mut Vec<f64>,
        mut f: impl FnMut(f64, f64, &[f64], bool),
    ) {
        self.pieces_idx(d, i, cuts, idx, |a, b, bi, last| {
            bands.clear();
            bands.extend(bi.iter().zip(&self.breaks).map(|(&j, (_, br))| {
                if j + 1 < br.len() {
                    br[j]
                } else {
                    f64::NAN
                }
            }));
            f(a, b, bands, last)
        });
    }

    /// The split rows, persons in input order, pieces in time order. Interruptible only
    /// through [`LexisSplit::try_split`]: this panics if an interrupt hook installed on
    /// this thread (a binding's, see [`crate::interrupt`]) says stop.
    pub fn split(&self, d: &LexisData) -> SplitRows {
        self.try_split(d)
            .expect("interrupted: use try_split where an interrupt hook is installed")
    }

    /// [`LexisSplit::split`], stopping with [`Error::Interrupted`] when the user asks
    /// (chunks of persons in interruptible blocks, see [`crate::interrupt`]).
    pub fn try_split(&self, d: &LexisData) -> Result<SplitRows> {
        let n = d.n();
        let ns = d.names.len();
        let breaks_total: usize = self.breaks.iter().map(|(_, b)| b.len()).sum();
        let cost = PERSONS_PER_CHUNK * (1 + breaks_total);
        let chunks: Vec<SplitRows> = crate::progress::in_blocks(
            n.div_ceil(PERSONS_PER_CHUNK),
            cost,
            Vec::new(),
            |block| block.into_par_iter().map(|c| {
                let mut out = SplitRows::new(ns, self.breaks.len());
                let (mut cuts, mut idx, mut bands) = (Vec::new(), Vec::new(), Vec::new());
                for i in c * PERSONS_PER_CHUNK..((c + 1) * PERSONS_PER_CHUNK).min(n) {
                    let cst = d.cst(i);
                    self.pieces(d, i, &mut cuts, &mut idx, &mut bands, |a, b, bd, last| {
                        out.row.push(i as u32);
                        for s in 0..ns {
                            out.start[s].push(d.at_entry[s][i] + a);
                        }
                        for (k, &v) in bd.iter().enumerate() {
                            out.band[k].push(v);
                        }
                        out.duration.push(b - a);
                        out.entry_status.push(cst);
                        out.status.push(if last { d.status[i] } else { cst });
                    });
                }
                out
            })
            .collect::<Vec<SplitRows>>(),
            |mut all, mut more| {
                all.append(&mut more);
                all
            },
        )?;
        let mut all = SplitRows::new(ns, self.breaks.len());
        for c in chunks {
            all.append(c);
        }
        all.split_scales = self.breaks.iter().map(|(s, _)| *s).collect();
        Ok(all)
    }

    /// Person-time and transitions per cell (bands of the split scales x by-groups x
    /// entry state), without materialising the split.
    ///
    /// `by`: per-person group codes `0..levels` for each by-variable (codes from
    /// [`crate::factorize`]). Persons are processed in parallel groups of chunks, each
    /// group accumulating into its own table (added in group order, [`crate::par`]): a
    /// dense array when the number of possible cells is moderate (memory independent of
    /// the number of split rows), a hash map of the cells that occur otherwise.
    pub fn person_time_table(
        &self,
        d: &LexisData,
        by: &[(&[u32], usize)],
    ) -> Result<PersonTimeTable> {
        let n = d.n();
        for (k, (codes, levels)) in by.iter().enumerate() {
            check_len("by", codes.len(), "entry", n)?;
            if let Some(row) = codes.iter().position(|&c| c as usize >= *levels) {
                return Err(Error::InvalidCell {
                    arg: "by",
                    column: format!("{}", k),
                    row,
                    value: codes[row] as f64,
                    problem: "group code out of range",
                });
            }
        }
        // States (entry and exit codes), sorted.
        let mut states: Vec<f64> = (0..n).flat_map(|i| [d.cst(i), d.status[i]]).collect();
        states.sort_by(f64::total_cmp);
        states.dedup();
        let ns = states.len();
        let state_idx = |x: f64| {
            states
                .binary_search_by(|s| s.total_cmp(&x))
                .expect("state is listed")
        };
        // Mixed radix: bands of each split scale (plus one "outside" band without drop),
        // by-levels, entry state.
        let mut radix: Vec<usize> = self
            .breaks
            .iter()
            .map(|(_, b)| b.len() - 1 + usize::from(!self.drop))
            .collect();
        radix.extend(by.iter().map(|(_, l)| (*l).max(1)));
        radix.push(ns);
        let ncells = radix
            .iter()
            .try_fold(1u64, |acc, &r| acc.checked_mul(r as u64))
            .ok_or_else(|| Error::InvalidArgument {
                arg: "by",
                reason: "too many combinations of bands and by-levels".into(),
            })?;
        let width = 2 + ns;
        let dense = ncells.saturating_mul(width as u64) <= DENSE_LIMIT;
        let nb = self.breaks.len();
        // Number of cells per combination of bands (the by-levels x states below them).
        let low_span = ncells / radix[..nb].iter().map(|&r| r as u64).product::<u64>();
        // Chunks of persons in fixed groups, each group's cells summed in person order and
        // the groups' cells added in group order (crate::par): the same sums, to the last
        // bit, on every run and for any number of threads. A group's work (pieces) is at
        // least its dense accumulator's size; Ctrl-C and progress between waves of groups.
        let breaks_total: usize = self.breaks.iter().map(|(_, b)| b.len()).sum();
        let cost = PERSONS_PER_CHUNK * (1 + breaks_total);
        let acc_size = if dense { (ncells as usize).saturating_mul(width) } else { 0 };
        let chunks = n.div_ceil(PERSONS_PER_CHUNK);
        let acc = crate::par::fold(
            chunks,
            crate::par::group_len(chunks, cost, acc_size, 1),
            cost,
            || Cells::new(dense, ncells as usize, width),
            |acc, chunks| {
                let (mut cuts, mut bands) = (Vec::new(), Vec::new());
                for i in chunks.start * PERSONS_PER_CHUNK..(chunks.end * PERSONS_PER_CHUNK).min(n) {
                    let cst = d.cst(i);
                    let (ci, xi) = (state_idx(cst), state_idx(d.status[i]));
                    // Cell index of the by-levels and entry state (the low digits).
                    let mut low = 0u64;
                    for (codes, l) in by {
                        low = low * (*l).max(1) as u64 + codes[i] as u64;
                    }
                    low = low * ns as u64 + ci as u64;
                    self.pieces_idx(d, i, &mut cuts, &mut bands, |a, b, bd, last| {
                        let mut cell = 0u64;
                        for (k, &j) in bd.iter().enumerate() {
                            cell = cell * radix[k] as u64 + j as u64;
                        }
                        let v = acc.slot(cell * low_span + low);
                        v[0] += b - a;
                        v[1] += 1.0;
                        if last && xi != ci {
                            v[2 + xi] += 1.0;
                        }
                    });
                }
            },
            Cells::merge,
        )?;
        // Unpack the cells with any piece, in index order.
        let mut t = PersonTimeTable {
            band: vec![Vec::new(); nb],
            by: vec![Vec::new(); by.len()],
            states: states.clone(),
            ..Default::default()
        };
        t.transitions = vec![Vec::new(); ns];
        for (cell, v) in acc.into_sorted() {
            if v[1] == 0.0 {
                continue;
            }
            let mut digits = vec![0usize; radix.len()];
            let mut rest = cell;
            for k in (0..radix.len()).rev() {
                digits[k] = (rest % radix[k] as u64) as usize;
                rest /= radix[k] as u64;
            }
            for (k, (_, br)) in self.breaks.iter().enumerate() {
                t.band[k].push(if digits[k] < br.len() - 1 {
                    br[digits[k]]
                } else {
                    f64::NAN
                });
            }
            for k in 0..by.len() {
                t.by[k].push(digits[nb + k] as u32);
            }
            t.entry_status.push(states[digits[radix.len() - 1]]);
            t.person_time.push(v[0]);
            t.pieces.push(v[1]);
            for s in 0..ns {
                t.transitions[s].push(v[2 + s]);
            }
        }
        // Keep only the states that are entered somewhere.
        let entered: Vec<usize> = (0..ns)
            .filter(|&s| t.transitions[s].iter().any(|&x| x > 0.0))
            .collect();
        t.states = entered.iter().map(|&s| states[s]).collect();
        t.transitions = entered
            .iter()
            .map(|&s| std::mem::take(&mut t.transitions[s]))
            .collect();
        t.split_scales = self.breaks.iter().map(|(s, _)| *s).collect();
        Ok(t)
    }
}

/// Dense accumulators up to this many numbers each (128 MB); a hash map beyond.
const DENSE_LIMIT: u64 = 1 << 24;

/// Per-thread cell accumulators: `width` numbers per cell (person-time, pieces,
/// transitions per state).
struct Cells {
    width: usize,
    data: Vec<f64>,
    /// Sparse mode: cell index -> slot.
    map: Option<HashMap<u64, usize>>,
    keys: Vec<u64>,
}

impl Cells {
    fn new(dense: bool, ncells: usize, width: usize) -> Self {
        if dense {
            Cells {
                width,
                data: vec![0.0; ncells * width],
                map: None,
                keys: Vec::new(),
            }
        } else {
            Cells {
                width,
                data: Vec::new(),
                map: Some(HashMap::new()),
                keys: Vec::new(),
            }
        }
    }
    fn slot(&mut self, cell: u64) -> &mut [f64] {
        let w = self.width;
        let k = match &mut self.map {
            None => cell as usize,
            Some(m) => {
                let next = self.keys.len();
                let k = *m.entry(cell).or_insert(next);
                if k == next {
                    self.keys.push(cell);
                    self.data.resize(self.data.len() + w, 0.0);
                }
                k
            }
        };
        &mut self.data[k * w..(k + 1) * w]
    }
    /// Add `parts` to these cells, one after the other (dense: element by element in
    /// parallel, each element adding the parts in order, [`crate::par::add_parts`]).
    fn merge(&mut self, parts: Vec<Cells>) {
        if self.map.is_none() {
            let data: Vec<&[f64]> = parts.iter().map(|c| &c.data[..]).collect();
            crate::par::add_parts(&mut self.data, &data);
            return;
        }
        let w = self.width;
        for other in parts {
            for (k, &cell) in other.keys.iter().enumerate() {
                for (a, b) in self
                    .slot(cell)
                    .iter_mut()
                    .zip(&other.data[k * w..(k + 1) * w])
                {
                    *a += b;
                }
            }
        }
    }
    fn into_sorted(self) -> Vec<(u64, Vec<f64>)> {
        let w = self.width;
        match self.map {
            None => self
                .data
                .chunks(w)
                .enumerate()
                .filter(|(_, v)| v[1] > 0.0)
                .map(|(k, v)| (k as u64, v.to_vec()))
                .collect(),
            Some(_) => {
                let mut v: Vec<(u64, Vec<f64>)> = self
                    .keys
                    .iter()
                    .enumerate()
                    .map(|(k, &c)| (c, self.data[k * w..(k + 1) * w].to_vec()))
                    .collect();
                v.sort_by_key(|x| x.0);
                v
            }
        }
    }
}

/// Split rows as columns.
#[derive(Debug, Clone, Default)]
pub struct SplitRows {
    /// Input row (0-based) of each piece.
    pub row: Vec<u32>,
    /// Per time scale (in the data's order): its value at the start of the piece.
    pub start: Vec<Vec<f64>>,
    /// Per split scale (in `split_scales` order): the band's lower break (NaN outside).
    pub band: Vec<Vec<f64>>,
    pub split_scales: Vec<usize>,
    pub duration: Vec<f64>,
    /// State during the piece (the entry state) and at its end.
    pub entry_status: Vec<f64>,
    pub status: Vec<f64>,
}

impl SplitRows {
    fn new(ns: usize, nb: usize) -> Self {
        SplitRows {
            start: vec![Vec::new(); ns],
            band: vec![Vec::new(); nb],
            ..Default::default()
        }
    }
    fn append(&mut self, o: SplitRows) {
        self.row.extend(o.row);
        for (a, b) in self.start.iter_mut().zip(o.start) {
            a.extend(b);
        }
        for (a, b) in self.band.iter_mut().zip(o.band) {
            a.extend(b);
        }
        self.duration.extend(o.duration);
        self.entry_status.extend(o.entry_status);
        self.status.extend(o.status);
    }
    pub fn len(&self) -> usize {
        self.row.len()
    }
    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }
}

/// Person-time table: one row per cell (bands of the split scales x by-groups x entry
/// state) with any piece of follow-up, sorted by the bands, then the by-groups, then the
/// state. `transitions[s][c]` counts the pieces in cell `c` that end in `states[s]`
/// (a state other than the cell's entry state); only states entered somewhere are
/// listed.
#[derive(Debug, Clone, Default)]
pub struct PersonTimeTable {
    pub split_scales: Vec<usize>,
    pub band: Vec<Vec<f64>>,
    /// Per by-variable: its code in each cell.
    pub by: Vec<Vec<u32>>,
    pub entry_status: Vec<f64>,
    pub person_time: Vec<f64>,
    /// Number of split pieces in the cell.
    pub pieces: Vec<f64>,
    /// States entered (codes), and per state the count of transitions into it.
    pub states: Vec<f64>,
    pub transitions: Vec<Vec<f64>>,
}
