//! Nested case–control sampling: incidence-density (risk-set) sampling of controls, as
//! `Epi::ccwc`.
//!
//! Each row is at risk on `[entry, exit]` (ccwc: `entry <= t <= exit`) on the chosen
//! time scale. Within each matching group (the combination of the `match` variables),
//! the cases failing at the same time `t` form one set; `controls × (number of cases)`
//! controls are drawn without replacement, uniformly, from the group's rows at risk at
//! `t` that are not among the set's cases (future cases and rows censored at `t`
//! included, as ccwc). A set with fewer eligible rows takes them all ("incomplete");
//! one with none is left out ("could not be matched"); sets are numbered as ccwc
//! numbers them (groups in order of their first case in the data, times in order of
//! first appearance within the group), gaps included.
//!
//! The risk set is swept forward in time within each group: rows enter when `entry <=
//! t` and leave when `exit < t` (two sorted lists), and the current risk set is an array
//! with positions (insert, remove and uniform draw in O(1)), so the whole sampling is
//! O(n log n) for the sorting. Draws come from the core's own generator (xoshiro256**
//! seeded through splitmix64), so a seed gives the same sample in Rust, Python and R.
//!
//! Reference: Borgan Ø, Goldstein L, Langholz B (1995) Ann Stat 23:1749–1778;
//! Carstensen B et al., Epi::ccwc.

use std::collections::HashMap;

use crate::error::{Error, Result};

/// The draws: xoshiro256** seeded by splitmix64 (the data crate's generator).
pub use hrrstats_data::Rng;

/// The sampled sets, one row per member (cases first, then controls in the order drawn).
#[derive(Debug, Clone, Default)]
pub struct NccSample {
    /// ccwc's set number (1-based).
    pub set: Vec<i64>,
    /// Row of the data (0-based).
    pub row: Vec<usize>,
    /// 1 case, 0 control.
    pub fail: Vec<i64>,
    /// The set's failure time.
    pub time: Vec<f64>,
    /// Eligible non-case rows at risk at the set's time (the size of the sampling frame).
    pub n_eligible: Vec<i64>,
    pub n_sets: usize,
    pub n_incomplete: usize,
    pub n_unmatched: usize,
    pub ties: bool,
}

/// The current risk set: members with their positions.
struct RiskSet {
    members: Vec<u32>,
    pos: Vec<u32>,
}

const NONE: u32 = u32::MAX;

impl RiskSet {
    fn insert(&mut self, i: u32) {
        self.pos[i as usize] = self.members.len() as u32;
        self.members.push(i);
    }
    fn remove(&mut self, i: u32) {
        let p = self.pos[i as usize] as usize;
        let last = *self.members.last().expect("member");
        self.members[p] = last;
        self.pos[last as usize] = p as u32;
        self.members.pop();
        self.pos[i as usize] = NONE;
    }
}

/// Draw the sets. `group`: each row's matching group (codes `0..n_groups`), `controls`
/// per case, `seed` of the generator. Inputs are checked by the caller.
pub fn sample(
    entry: Option<&[f64]>,
    exit: &[f64],
    status: &[f64],
    group: Option<(&[u32], usize)>,
    controls: usize,
    seed: u64,
) -> Result<NccSample> {
    let n = exit.len();
    if n >= NONE as usize {
        return Err(Error::InvalidArgument { arg: "exit", reason: format!("{n} rows: more than 2^32 - 1") });
    }
    let zero = vec![0u32; 0];
    let (g, n_groups) = match group {
        Some((c, k)) => (c, k),
        None => (&zero[..], 1),
    };
    let grp = |i: usize| if g.is_empty() { 0 } else { g[i] };
    // The sets (a group's cases failing at one time) in order of first appearance, with
    // ccwc's numbering keys: groups by first case in the data, times by first appearance.
    let mut group_rank: HashMap<u32, usize> = HashMap::new();
    let mut per_group_times: Vec<usize> = Vec::new();
    let mut set_key: Vec<(usize, usize, u32, f64)> = Vec::new(); // (group rank, time rank, group, time)
    let mut set_index: HashMap<(u32, u64), u32> = HashMap::new();
    let mut case_set: Vec<u32> = vec![NONE; n]; // each case's set
    let mut ties = false;
    for i in 0..n {
        if status[i] != 1.0 {
            continue;
        }
        let gi = grp(i);
        // + 0.0: -0.0 and 0.0 are one time
        let t = exit[i] + 0.0;
        let next = set_key.len() as u32;
        let s = *set_index.entry((gi, t.to_bits())).or_insert(next);
        case_set[i] = s;
        if s != next {
            ties = true;
            continue;
        }
        let gr = *group_rank.entry(gi).or_insert_with(|| {
            per_group_times.push(0);
            per_group_times.len() - 1
        });
        let tr = per_group_times[gr];
        per_group_times[gr] += 1;
        set_key.push((gr, tr, gi, t));
    }
    drop(set_index);
    let n_sets = set_key.len();
    // Rows in blocks (a counting sort, rows ascending within a block): `key(i)` of
    // `0..k`, block `b` at `rows[start[b]..start[b + 1]]`.
    let blocks = |k: usize, key: &dyn Fn(usize) -> Option<usize>| -> (Vec<usize>, Vec<u32>) {
        let mut start = vec![0usize; k + 1];
        for i in 0..n {
            if let Some(b) = key(i) {
                start[b + 1] += 1;
            }
        }
        for b in 0..k {
            start[b + 1] += start[b];
        }
        let mut rows = vec![0u32; start[k]];
        let mut next = start.clone();
        for i in 0..n {
            if let Some(b) = key(i) {
                rows[next[b]] = i as u32;
                next[b] += 1;
            }
        }
        (start, rows)
    };
    let (case_start, case_rows) = blocks(n_sets, &|i| (case_set[i] != NONE).then_some(case_set[i] as usize));
    let (group_start, group_rows) = blocks(n_groups, &|i| Some(grp(i) as usize));
    // ccwc's set numbers (1-based) of the sets.
    let mut order: Vec<usize> = (0..n_sets).collect();
    order.sort_by(|&a, &b| (set_key[a].0, set_key[a].1).cmp(&(set_key[b].0, set_key[b].1)));
    let mut set_number = vec![0usize; n_sets];
    for (k, &s) in order.iter().enumerate() {
        set_number[s] = k + 1;
    }
    // Each group's sets, in time order (the sweep's order).
    let mut sets_by_group: Vec<Vec<usize>> = vec![Vec::new(); n_groups];
    for (s, k) in set_key.iter().enumerate() {
        sets_by_group[k.2 as usize].push(s);
    }
    // The controls drawn, set after set, in `picked` (set `s`: `drawn[s]` = its range
    // there and its number of eligible rows; `None` when it could not be matched).
    let mut picked: Vec<u32> = Vec::new();
    let mut drawn: Vec<Option<(usize, usize, usize)>> = vec![None; n_sets];
    let mut risk = RiskSet { members: Vec::new(), pos: vec![NONE; n] };
    let mut is_case = vec![false; n];
    let mut chosen = vec![false; n];
    let mut rng = Rng::new(seed);
    let (mut n_incomplete, mut n_unmatched) = (0usize, 0usize);
    let mut tmp: Vec<u32> = Vec::new();
    let (mut by_entry, mut by_exit): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    for gk in 0..n_groups {
        let sets = &mut sets_by_group[gk];
        if sets.is_empty() {
            continue;
        }
        crate::interrupt::check()?;
        sets.sort_by(|&a, &b| set_key[a].3.total_cmp(&set_key[b].3));
        let rows = &group_rows[group_start[gk]..group_start[gk + 1]];
        by_entry.clear();
        by_entry.extend_from_slice(rows);
        if let Some(e) = entry {
            by_entry.sort_by(|&a, &b| e[a as usize].total_cmp(&e[b as usize]));
        }
        by_exit.clear();
        by_exit.extend_from_slice(rows);
        by_exit.sort_by(|&a, &b| exit[a as usize].total_cmp(&exit[b as usize]));
        let (mut ie, mut ix) = (0usize, 0usize);
        for &s in sets.iter() {
            let t = set_key[s].3;
            while ie < by_entry.len() && entry.is_none_or(|e| e[by_entry[ie] as usize] <= t) {
                risk.insert(by_entry[ie]);
                ie += 1;
            }
            while ix < by_exit.len() && exit[by_exit[ix] as usize] < t {
                risk.remove(by_exit[ix]);
                ix += 1;
            }
            let cases = &case_rows[case_start[s]..case_start[s + 1]];
            for &c in cases {
                is_case[c as usize] = true;
            }
            let eligible = risk.members.len() - cases.len();
            let want = controls * cases.len();
            let first = picked.len();
            if want >= eligible {
                if want > eligible && eligible > 0 {
                    n_incomplete += 1;
                }
                picked.extend(risk.members.iter().copied().filter(|&i| !is_case[i as usize]));
            } else if 2 * want <= eligible {
                while picked.len() - first < want {
                    let i = risk.members[rng.below(risk.members.len())];
                    if !is_case[i as usize] && !chosen[i as usize] {
                        chosen[i as usize] = true;
                        picked.push(i);
                    }
                }
                for &i in &picked[first..] {
                    chosen[i as usize] = false;
                }
            } else {
                tmp.clear();
                tmp.extend(risk.members.iter().copied().filter(|&i| !is_case[i as usize]));
                for k in 0..want {
                    let j = k + rng.below(tmp.len() - k);
                    tmp.swap(k, j);
                }
                picked.extend_from_slice(&tmp[..want]);
            }
            for &c in cases {
                is_case[c as usize] = false;
            }
            if eligible == 0 {
                n_unmatched += cases.len();
                continue;
            }
            drawn[s] = Some((first, picked.len(), eligible));
        }
        // Empty the risk set for the next group.
        for &i in &risk.members {
            risk.pos[i as usize] = NONE;
        }
        risk.members.clear();
    }
    let mut out = NccSample { n_sets, n_incomplete, n_unmatched, ties, ..NccSample::default() };
    for &s in &order {
        let Some((from, to, eligible)) = drawn[s] else { continue };
        let cases = &case_rows[case_start[s]..case_start[s + 1]];
        for (rows, fail) in [(cases, 1i64), (&picked[from..to], 0i64)] {
            for &i in rows {
                out.set.push(set_number[s] as i64);
                out.row.push(i as usize);
                out.fail.push(fail);
                out.time.push(set_key[s].3);
                out.n_eligible.push(eligible as i64);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_uniform_over_the_risk_set() {
        // One case at t = 5 with 7 eligible rows (entry <= 5 <= exit) and 3 that are not.
        let entry = [0.0, 0.0, 1.0, 2.0, 4.0, 5.0, 0.0, 6.0, 0.0, 0.0, 3.0];
        let exit = [5.0, 9.0, 5.0, 7.0, 8.0, 6.0, 10.0, 9.0, 4.0, 4.9, 5.0];
        let status = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let mut counts = [0usize; 11];
        let reps = 20000;
        for seed in 0..reps {
            let s = sample(Some(&entry), &exit, &status, None, 2, seed).unwrap();
            for k in 0..s.row.len() {
                if s.fail[k] == 0 && s.time[k] == 5.0 {
                    counts[s.row[k]] += 1;
                }
            }
        }
        // eligible at 5: rows 1, 2, 3 (a future case), 4, 5, 6, 10; each drawn with
        // probability 2/7.
        for i in [1usize, 2, 3, 4, 5, 6, 10] {
            let p = 2.0 / 7.0;
            let se = (reps as f64 * p * (1.0 - p)).sqrt();
            let z = (counts[i] as f64 - reps as f64 * p) / se;
            assert!(z.abs() < 4.0, "row {i}: {} draws, z = {z}", counts[i]);
        }
        for i in [0usize, 7, 8, 9] {
            assert_eq!(counts[i], 0, "row {i} is not eligible");
        }
    }
}
