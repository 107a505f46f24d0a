//! Disclosure control of count tables: primary and secondary cell suppression with an
//! LP audit (as tau-argus and sdcTable, Hundepool et al. 2012, *Statistical Disclosure
//! Control*, ch. 4; Fischetti & Salazar-González 2000 for the attacker's LP).
//!
//! A table of non-negative additive values (counts) in one to three dimensions, with its
//! margins (every total: per dimension and their crossings, the grand total) as cells of
//! their own. The attacker knows every published cell and that the table adds up; for a
//! suppressed cell `c` they can compute the interval
//!
//! `[min x_c, max x_c]  subject to  x >= 0, x_published = published values, additivity`,
//!
//! two linear programmes. With whole-number counts the attacker also rounds: the interval
//! is `[ceil(min), floor(max)]`.
//!
//! - Primary suppression: `0 < count < threshold` (and `count == 0` with
//!   `suppress_zeros`), margins included.
//! - Protection (a sliding protection level `P`, default the threshold): every primary
//!   cell's attacker interval must be at least `P` wide, `upper - lower >= P`.
//! - Secondary suppression, greedy by hypercubes (Repsilber's GHMITER, tau-argus'
//!   "hypercube" method): for each primary cell (margins first), the cheapest
//!   hypercube (two levels per dimension, one of them the cell's; a margin level allowed)
//!   whose corners, all suppressed, let the cell move by at least `P` while every
//!   published cell and every equation stays as it is. Its corners alternate in sign
//!   between two inner levels and share it between an inner level and the total; the
//!   cell's range along the cube is `min(+ corners) + min(- corners)` (unbounded without
//!   `-` corners). Cost: the suppressed total (`cost = "value"`) or the number of cells
//!   (`"cells"`) of the corners not yet suppressed.
//! - Audit: the two LPs of every suppressed cell, solved by our own simplex
//!   ([`super::lp`]) on the connected groups of suppressed cells (cells linked by an
//!   equation), each answer checked against its witness. A primary cell found
//!   under-protected (by construction none should be) gets a cube without `-` corners
//!   (unbounded) and the audit runs again: the published table passes the LP audit or
//!   is not returned.
//!
//! Without margins (`margins = false`) the totals are not published: nothing ties the
//! cells together, every suppressed cell's interval is `[0, inf)`, and only primary
//! suppression applies. Publishing totals of such a table later would need the
//! protection with margins.

use crate::error::{Error, Result};
use crate::registry::lp::{Equalities, LpError, Polytope};

/// What secondary suppression minimises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cost {
    /// The total of the suppressed values (information loss; tau-argus' default).
    #[default]
    Value,
    /// The number of suppressed cells.
    Cells,
}
crate::option_enum!(Cost, "cost", "value" => Cost::Value, "cells" => Cost::Cells);

/// Options of [`protect`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub threshold: f64,
    pub protection: f64,
    pub suppress_zeros: bool,
    pub margins: bool,
    pub cost: Cost,
    /// Every suppressed cell's exact interval (two full LPs per cell); otherwise each
    /// primary cell's exact minimum and its maximum only until the protection is
    /// certified (a lower bound of the maximum), and secondary cells are not audited
    /// (their bounds are NaN).
    pub exact: bool,
}

/// Why a cell is suppressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    Published,
    Primary,
    Secondary,
}

/// The protected table on the extended grid (levels `0..L_d` and, with margins, the
/// total `L_d`), row-major with the first dimension slowest.
#[derive(Debug, Clone)]
pub struct Protected {
    /// Extended sizes per dimension (`L_d + 1` with margins, else `L_d`).
    pub ext: Vec<usize>,
    pub value: Vec<f64>,
    pub reason: Vec<Reason>,
    /// The attacker's interval (the value itself for a published cell).
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

impl Protected {
    /// Extended coordinates of cell `c`.
    pub fn coords(&self, c: usize) -> Vec<usize> {
        coords(&self.ext, c)
    }
}

fn coords(ext: &[usize], mut c: usize) -> Vec<usize> {
    let mut out = vec![0; ext.len()];
    for d in (0..ext.len()).rev() {
        out[d] = c % ext[d];
        c /= ext[d];
    }
    out
}

fn strides(ext: &[usize]) -> Vec<usize> {
    let mut s = vec![1; ext.len()];
    for d in (0..ext.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * ext[d + 1];
    }
    s
}

/// The additivity equations of the extended grid: for each dimension and each line
/// along it (the other coordinates fixed, totals included), `sum(inner) - total = 0`.
/// Each as the list of (cell, coefficient).
fn equations(levels: &[usize], ext: &[usize]) -> Vec<Vec<(usize, f64)>> {
    let k = ext.len();
    let st = strides(ext);
    let total: usize = ext.iter().product();
    let mut out = Vec::new();
    for d in 0..k {
        for c in 0..total {
            if coords(ext, c)[d] != 0 {
                continue;
            }
            let mut eq: Vec<(usize, f64)> = (0..levels[d]).map(|i| (c + i * st[d], 1.0)).collect();
            eq.push((c + levels[d] * st[d], -1.0));
            out.push(eq);
        }
    }
    out
}

/// Protect a table. `cells`: per dimension the 0-based level code of each input row
/// (`levels[d]` levels), `count` the row's value (non-negative, finite; checked by the
/// caller). Absent combinations are cells with count 0.
pub fn protect(count: &[f64], cells: &[&[u32]], levels: &[usize], opt: &Options) -> Result<Protected> {
    let k = levels.len();
    let inner_st = {
        let mut s = vec![1usize; k];
        for d in (0..k.saturating_sub(1)).rev() {
            s[d] = s[d + 1] * levels[d + 1];
        }
        s
    };
    let ext: Vec<usize> = levels.iter().map(|&l| l + opt.margins as usize).collect();
    let st = strides(&ext);
    let ntot: usize = ext.iter().product();
    let mut value = vec![0.0; ntot];
    let mut seen = vec![usize::MAX; levels.iter().product()];
    for (r, &v) in count.iter().enumerate() {
        let mut inner = 0;
        let mut e = 0;
        for d in 0..k {
            let code = cells[d][r] as usize;
            inner += code * inner_st[d];
            e += code * st[d];
        }
        if seen[inner] != usize::MAX {
            return Err(Error::InvalidValue {
                arg: "dims",
                row: r,
                value: f64::NAN,
                problem: "the same cell as an earlier row (give each combination of the dimensions once)",
            });
        }
        seen[inner] = r;
        value[e] = v;
    }
    if opt.margins {
        // totals, one dimension at a time (cells with a total in an earlier dimension are
        // summed again along the later ones)
        for d in 0..k {
            for c in 0..ntot {
                let x = coords(&ext, c);
                if x[d] != levels[d] {
                    continue;
                }
                let base = c - x[d] * st[d];
                value[c] = (0..levels[d]).map(|i| value[base + i * st[d]]).sum();
            }
        }
    }
    let whole = value.iter().all(|v| *v == v.floor());
    let mut reason: Vec<Reason> = value
        .iter()
        .map(|&v| {
            if (v > 0.0 && v < opt.threshold) || (opt.suppress_zeros && v == 0.0) {
                Reason::Primary
            } else {
                Reason::Published
            }
        })
        .collect();
    let mut lower = value.clone();
    let mut upper = value.clone();
    let primaries: Vec<usize> = {
        let mut p: Vec<usize> = (0..ntot).filter(|&c| reason[c] == Reason::Primary).collect();
        // margins first (the most totals first), then in grid order
        let n_tot = |c: usize| coords(&ext, c).iter().zip(levels).filter(|(x, l)| *x == *l).count();
        p.sort_by_key(|&c| (std::cmp::Reverse(n_tot(c)), c));
        p
    };
    if !opt.margins {
        for &c in &primaries {
            lower[c] = 0.0;
            upper[c] = f64::INFINITY;
        }
        return Ok(Protected { ext, value, reason, lower, upper });
    }
    let wide_enough = |lo: f64, hi: f64| -> bool {
        if hi == f64::INFINITY {
            return true;
        }
        hi - lo >= opt.protection * (1.0 - 1e-12) - 1e-9 * (1.0 + hi.abs())
    };
    // secondary suppression by hypercubes
    for &p in &primaries {
        crate::interrupt::check()?;
        if let Some(cube) = cheapest_cube(p, &value, &reason, levels, &ext, &st, opt, &wide_enough) {
            for c in cube {
                if reason[c] == Reason::Published {
                    reason[c] = Reason::Secondary;
                }
            }
        }
    }
    // the audit; under-protected primaries (none expected) get an unbounded cube
    let eqs = equations(levels, &ext);
    for _round in 0..=ntot {
        let (lo, hi) = audit(&value, &reason, &eqs, whole, opt)?;
        let mut short = Vec::new();
        for c in 0..ntot {
            if reason[c] != Reason::Published {
                lower[c] = lo[c];
                upper[c] = hi[c];
                if reason[c] == Reason::Primary && !wide_enough(lo[c], hi[c]) {
                    short.push(c);
                }
            }
        }
        if short.is_empty() {
            return Ok(Protected { ext, value, reason, lower, upper });
        }
        for c in short {
            let x = coords(&ext, c);
            // partner: the total where the cell is inner, any inner level where it is a total
            let partner: Vec<usize> = (0..k).map(|d| if x[d] == levels[d] { 0 } else { levels[d] }).collect();
            for corner in 0..(1usize << k) {
                let cell: usize = (0..k)
                    .map(|d| if corner >> d & 1 == 1 { partner[d] } else { x[d] } * st[d])
                    .sum();
                if reason[cell] == Reason::Published {
                    reason[cell] = Reason::Secondary;
                }
            }
        }
    }
    Err(Error::Data {
        arg: "count",
        reason: "the suppression could not be made to pass its audit".into(),
    })
}

/// The corners of the cheapest hypercube through primary cell `p` wide enough to protect
/// it on its own (`None`: none, which happens only without margins).
#[allow(clippy::too_many_arguments)]
fn cheapest_cube(
    p: usize,
    value: &[f64],
    reason: &[Reason],
    levels: &[usize],
    ext: &[usize],
    st: &[usize],
    opt: &Options,
    wide_enough: &dyn Fn(f64, f64) -> bool,
) -> Option<Vec<usize>> {
    let k = levels.len();
    let x = coords(ext, p);
    // partners per dimension: every other extended level
    let partners: Vec<Vec<usize>> = (0..k).map(|d| (0..ext[d]).filter(|&l| l != x[d]).collect()).collect();
    if partners.iter().any(|v| v.is_empty()) {
        return None;
    }
    let ncorner = 1usize << k;
    let mut idx = vec![0usize; k];
    let mut best: Option<((f64, f64), Vec<usize>)> = None;
    let mut corners = vec![0usize; ncorner];
    let mut signs = vec![1i8; ncorner];
    loop {
        // the cube with partners idx
        let mut cost = 0.0;
        let mut tie = 0.0;
        let (mut min_plus, mut min_minus) = (f64::INFINITY, f64::INFINITY);
        for corner in 0..ncorner {
            let mut cell = 0;
            let mut sign = 1i8;
            for d in 0..k {
                let other = corner >> d & 1 == 1;
                let lev = if other { partners[d][idx[d]] } else { x[d] };
                cell += lev * st[d];
                // between two inner levels the sign alternates; with the total it does not
                if other && x[d] != levels[d] && partners[d][idx[d]] != levels[d] {
                    sign = -sign;
                }
            }
            corners[corner] = cell;
            signs[corner] = sign;
            let v = value[cell];
            if sign > 0 {
                min_plus = min_plus.min(v);
            } else {
                min_minus = min_minus.min(v);
            }
            if reason[cell] == Reason::Published {
                let (a, b) = match opt.cost {
                    Cost::Value => (v, 1.0),
                    Cost::Cells => (1.0, v),
                };
                cost += a;
                tie += b;
            }
        }
        let lo = value[p] - min_plus;
        let hi = value[p] + min_minus;
        if wide_enough(lo, hi) && best.as_ref().is_none_or(|(b, _)| (cost, tie) < *b) {
            best = Some(((cost, tie), corners.clone()));
        }
        // next combination
        let mut d = 0;
        loop {
            if d == k {
                return best.map(|(_, c)| c);
            }
            idx[d] += 1;
            if idx[d] < partners[d].len() {
                break;
            }
            idx[d] = 0;
            d += 1;
        }
    }
}

/// The attacker's interval of every suppressed cell (published cells: their value), by
/// the two LPs per cell on each connected group of suppressed cells.
fn audit(
    value: &[f64],
    reason: &[Reason],
    eqs: &[Vec<(usize, f64)>],
    whole: bool,
    opt: &Options,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let n = value.len();
    let mut lo = value.to_vec();
    let mut hi = value.to_vec();
    let sup = |c: usize| reason[c] != Reason::Published;
    // union-find over suppressed cells linked by an equation
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut a: usize) -> usize {
        while parent[a] != a {
            parent[a] = parent[parent[a]];
            a = parent[a];
        }
        a
    }
    let live: Vec<usize> = (0..eqs.len()).filter(|&e| eqs[e].iter().any(|&(c, _)| sup(c))).collect();
    for &e in &live {
        let mut first = None;
        for &(c, _) in &eqs[e] {
            if sup(c) {
                match first {
                    None => first = Some(c),
                    Some(f) => {
                        let (a, b) = (find(&mut parent, f), find(&mut parent, c));
                        parent[a] = b;
                    }
                }
            }
        }
    }
    // groups: cells and equations
    let mut group_of = std::collections::HashMap::<usize, usize>::new();
    let mut groups: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    for c in (0..n).filter(|&c| sup(c)) {
        let r = find(&mut parent, c);
        let g = *group_of.entry(r).or_insert_with(|| {
            groups.push((Vec::new(), Vec::new()));
            groups.len() - 1
        });
        groups[g].0.push(c);
    }
    for &e in &live {
        let c = eqs[e].iter().find(|&&(c, _)| sup(c)).unwrap().0;
        let r = find(&mut parent, c);
        groups[group_of[&r]].1.push(e);
    }
    // a power of two near the largest value: the scaling is exact
    let big = value.iter().fold(0.0f64, |m, v| m.max(*v));
    let scale = if big > 0.0 { 2f64.powi(big.log2().ceil() as i32) } else { 1.0 };
    let trouble = |e: LpError| Error::Data {
        arg: "count",
        reason: match e {
            LpError::Infeasible => "the table's audit found no table with these published cells (a bug: please report)".into(),
            LpError::Numerical(s) => format!("the audit's linear programme ran into numerical trouble ({s}); the table was not protected"),
        },
    };
    let mut var = vec![usize::MAX; n];
    for (done, (cells, es)) in groups.iter().enumerate() {
        crate::interrupt::check()?;
        crate::progress::report(done, groups.len());
        let size = cells.len() as f64 * (cells.len() + es.len()) as f64;
        crate::data::check_cells("count", size, || {
            format!("the audit of {} suppressed cells linked by the table's equations", cells.len())
        })?;
        for (i, &c) in cells.iter().enumerate() {
            var[c] = i;
        }
        let mut rows = Vec::with_capacity(es.len());
        let mut rhs = Vec::with_capacity(es.len());
        for &e in es {
            let mut row = Vec::new();
            let mut b = 0.0;
            for &(c, a) in &eqs[e] {
                if sup(c) {
                    row.push((var[c], a));
                } else {
                    b -= a * value[c] / scale;
                }
            }
            rows.push(row);
            rhs.push(b);
        }
        let mut poly = Polytope::new(Equalities { n: cells.len(), rows: &rows, rhs: &rhs }).map_err(trouble)?;
        for (i, &c) in cells.iter().enumerate() {
            let (l, h) = if opt.exact {
                poly.range(i).map_err(trouble)?
            } else if reason[c] == Reason::Primary {
                // the exact minimum (stopped at 0, the least possible), the maximum
                // until the cell can reach minimum + protection
                let l = poly.optimise(i, -1.0, Some(0.0)).map_err(trouble)?;
                let l_count = if whole { (l * scale - 1e-6).ceil().max(0.0) } else { l * scale };
                let target = (l_count + opt.protection) / scale;
                (l, poly.optimise(i, 1.0, Some(target)).map_err(trouble)?)
            } else {
                (f64::NAN, f64::NAN)
            };
            let (mut l, mut h) = (l * scale, h * scale);
            if whole && !l.is_nan() {
                l = (l - 1e-6).ceil().max(0.0);
                if h.is_finite() {
                    h = (h + 1e-6).floor();
                }
            }
            lo[c] = l;
            hi[c] = h;
        }
    }
    Ok((lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt() -> Options {
        Options { threshold: 5.0, protection: 5.0, suppress_zeros: false, margins: true, cost: Cost::Value, exact: true }
    }

    #[test]
    fn two_by_two_with_one_small_cell() {
        // [[2, 10], [20, 30]]: the 2 needs its whole rectangle (or margins)
        let count = [2.0, 10.0, 20.0, 30.0];
        let r = [0u32, 0, 1, 1];
        let c = [0u32, 1, 0, 1];
        let p = protect(&count, &[&r, &c], &[2, 2], &opt()).unwrap();
        assert_eq!(p.ext, vec![3, 3]);
        assert_eq!(p.reason[0], Reason::Primary);
        let n_sup = p.reason.iter().filter(|r| **r != Reason::Published).count();
        assert!(n_sup >= 4);
        assert!(p.upper[0] - p.lower[0] >= 5.0, "{p:?}");
    }
}
