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
//! split: persons in parallel chunks, one hash map of cells per chunk, merged.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::data::check_len;
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
    pub fn new(scales: Vec<(String, &'a [f64])>, exit: &'a [f64], status: &'a [f64]) -> Result<Self> {
        if scales.is_empty() {
            return Err(Error::InvalidArgument { arg: "time_scales", reason: "at least one time scale is needed".into() });
        }
        let n = exit.len();
        if n == 0 {
            return Err(Error::Empty { arg: "exit" });
        }
        check_len("status", status.len(), "exit", n)?;
        for (name, v) in &scales {
            check_len("time_scales", v.len(), "exit", n)?;
            if let Some(row) = v.iter().position(|x| !x.is_finite()) {
                return Err(Error::InvalidCell { arg: "time_scales", column: name.clone(), row, value: v[row], problem: "value is not finite" });
            }
        }
        for (row, (&x, &e)) in exit.iter().zip(scales[0].1).enumerate() {
            if !x.is_finite() {
                return Err(Error::InvalidValue { arg: "exit", row, value: x, problem: "value is not finite" });
            }
            if x < e {
                return Err(Error::InvalidValue { arg: "exit", row, value: x, problem: "exit is before entry" });
            }
        }
        if let Some(row) = status.iter().position(|s| !s.is_finite()) {
            return Err(Error::InvalidValue { arg: "status", row, value: status[row], problem: "missing value (NaN)" });
        }
        let (names, at_entry) = scales.into_iter().unzip();
        Ok(LexisData { names, at_entry, exit, status, entry_status: None })
    }

    pub fn with_entry_status(mut self, entry_status: &'a [f64]) -> Result<Self> {
        check_len("entry_status", entry_status.len(), "exit", self.exit.len())?;
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
}

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
            let s = data.names.iter().position(|n| n == name).ok_or_else(|| Error::InvalidArgument {
                arg: "breaks",
                reason: format!("no time scale named `{name}` (scales: {})", data.names.join(", ")),
            })?;
            if b.len() < 2 || b.iter().any(|x| !x.is_finite()) || b.windows(2).any(|w| w[1] <= w[0]) {
                return Err(Error::InvalidArgument {
                    arg: "breaks",
                    reason: format!("breaks of `{name}` must be at least two finite, strictly increasing values"),
                });
            }
            out.push((s, b.to_vec()));
        }
        Ok(LexisSplit { breaks: out, drop })
    }

    /// Call `f(person, a, b, bands, last)` for every kept piece `[a, b)` of person `i`
    /// (times since entry; `bands[k]` for the k-th split scale, NaN outside).
    fn pieces(&self, d: &LexisData, i: usize, cuts: &mut Vec<f64>, bands: &mut Vec<f64>, mut f: impl FnMut(f64, f64, &[f64], bool)) {
        let tol = f64::EPSILON.sqrt();
        let dur = d.exit[i] - d.at_entry[0][i];
        if dur < tol {
            return;
        }
        cuts.clear();
        cuts.push(0.0);
        for (s, b) in &self.breaks {
            let e = d.at_entry[*s][i];
            for &bk in b {
                let t = bk - e;
                if t > 0.0 && t < dur {
                    cuts.push(t);
                }
            }
        }
        cuts.push(dur);
        cuts.sort_by(f64::total_cmp);
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
                    bands.push(f64::NAN);
                } else {
                    bands.push(br[j - 1]);
                }
            }
            if outside && self.drop {
                continue;
            }
            f(a, b, bands, Some(k) == last);
        }
    }

    /// The split rows, persons in input order, pieces in time order.
    pub fn split(&self, d: &LexisData) -> SplitRows {
        let n = d.n();
        let ns = d.names.len();
        let chunks: Vec<SplitRows> = (0..n.div_ceil(PERSONS_PER_CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut out = SplitRows::new(ns, self.breaks.len());
                let (mut cuts, mut bands) = (Vec::new(), Vec::new());
                for i in c * PERSONS_PER_CHUNK..((c + 1) * PERSONS_PER_CHUNK).min(n) {
                    let cst = d.cst(i);
                    self.pieces(d, i, &mut cuts, &mut bands, |a, b, bd, last| {
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
            .collect();
        let mut all = SplitRows::new(ns, self.breaks.len());
        for c in chunks {
            all.append(c);
        }
        all.split_scales = self.breaks.iter().map(|(s, _)| *s).collect();
        all
    }

    /// Person-time and transitions per cell (bands of the split scales x entry state),
    /// without materialising the split.
    pub fn person_time_table(&self, d: &LexisData) -> PersonTimeTable {
        let n = d.n();
        type Cells = HashMap<Vec<u64>, (f64, f64, HashMap<u64, f64>)>;
        let key_of = |bands: &[f64], cst: f64| -> Vec<u64> {
            bands.iter().map(|b| b.to_bits()).chain(std::iter::once(cst.to_bits())).collect()
        };
        let maps: Vec<Cells> = (0..n.div_ceil(PERSONS_PER_CHUNK))
            .into_par_iter()
            .map(|c| {
                let mut cells: Cells = HashMap::new();
                let (mut cuts, mut bands) = (Vec::new(), Vec::new());
                for i in c * PERSONS_PER_CHUNK..((c + 1) * PERSONS_PER_CHUNK).min(n) {
                    let cst = d.cst(i);
                    self.pieces(d, i, &mut cuts, &mut bands, |a, b, bd, last| {
                        let e = cells.entry(key_of(bd, cst)).or_insert_with(|| (0.0, 0.0, HashMap::new()));
                        e.0 += b - a;
                        e.1 += 1.0;
                        let xst = if last { d.status[i] } else { cst };
                        if xst != cst {
                            *e.2.entry(xst.to_bits()).or_insert(0.0) += 1.0;
                        }
                    });
                }
                cells
            })
            .collect();
        let mut total: Cells = HashMap::new();
        for m in maps {
            for (k, (pt, pieces, tr)) in m {
                let e = total.entry(k).or_insert_with(|| (0.0, 0.0, HashMap::new()));
                e.0 += pt;
                e.1 += pieces;
                for (s, c) in tr {
                    *e.2.entry(s).or_insert(0.0) += c;
                }
            }
        }
        let mut keys: Vec<Vec<u64>> = total.keys().cloned().collect();
        let as_f = |k: &Vec<u64>| -> Vec<f64> { k.iter().map(|&b| f64::from_bits(b)).collect() };
        keys.sort_by(|a, b| {
            let (a, b) = (as_f(a), as_f(b));
            a.iter().zip(&b).map(|(x, y)| x.total_cmp(y)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut states: Vec<f64> = total.values().flat_map(|v| v.2.keys().map(|&b| f64::from_bits(b))).collect();
        states.sort_by(f64::total_cmp);
        states.dedup();
        let nb = self.breaks.len();
        let mut t = PersonTimeTable { band: vec![Vec::new(); nb], states: states.clone(), ..Default::default() };
        t.transitions = vec![Vec::new(); states.len()];
        for k in &keys {
            let f = as_f(k);
            let (pt, pieces, tr) = &total[k];
            for j in 0..nb {
                t.band[j].push(f[j]);
            }
            t.entry_status.push(f[nb]);
            t.person_time.push(*pt);
            t.pieces.push(*pieces);
            for (si, s) in states.iter().enumerate() {
                t.transitions[si].push(tr.get(&s.to_bits()).copied().unwrap_or(0.0));
            }
        }
        t.split_scales = self.breaks.iter().map(|(s, _)| *s).collect();
        t
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
        SplitRows { start: vec![Vec::new(); ns], band: vec![Vec::new(); nb], ..Default::default() }
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

/// Person-time table: one row per cell (bands of the split scales x entry state) with
/// any person-time, sorted by the bands then the state.
#[derive(Debug, Clone, Default)]
pub struct PersonTimeTable {
    pub split_scales: Vec<usize>,
    pub band: Vec<Vec<f64>>,
    pub entry_status: Vec<f64>,
    pub person_time: Vec<f64>,
    /// Number of split pieces in the cell.
    pub pieces: Vec<f64>,
    /// States entered (codes), and per state the count of transitions into it.
    pub states: Vec<f64>,
    pub transitions: Vec<Vec<f64>>,
}
