//! Disclosure control of tables: primary and secondary cell suppression with an LP
//! audit (as tau-argus and sdcTable, Hundepool et al. 2012, *Statistical Disclosure
//! Control*, ch. 4; Fischetti & Salazar-González 2000 for the attacker's LP), and
//! controlled rounding ([`round`]).
//!
//! A table of non-negative additive values (counts, or magnitudes summed from units'
//! contributions) in one to three dimensions, with its margins as cells of their own.
//! Each dimension is a tree ([`Dim`]): its levels are the leaves, every internal node a
//! subtotal of its children and the root the total (flat: every level a child of the
//! total; hierarchical: e.g. municipality within county within region). The table's
//! equations are, for every dimension, every internal node and every combination of the
//! other dimensions' nodes, `sum(children) - node = 0`. The attacker knows every
//! published cell and the equations; for a suppressed cell `c` they can compute
//!
//! `[min x_c, max x_c]  subject to  x >= 0, x_published = published values, equations`,
//!
//! two linear programmes. With whole-number values the attacker also rounds: the
//! interval is `[ceil(min), floor(max)]`.
//!
//! - Primary suppression, count tables: `0 < count < threshold` (and `count == 0` with
//!   `suppress_zeros`), margins included; the protection required is a sliding interval
//!   of width `P` (default the threshold): `upper - lower >= P`.
//! - Primary suppression, magnitude tables (one row per contribution, `x1 >= x2 >= ...`
//!   the cell's largest contributions after summing each unit's, `X` the cell total;
//!   Hundepool et al. 2012, sections 4.2.2-4.2.3): the p%-rule, sensitive when
//!   `X - x1 - x2 < p/100 x1`, with required upper and lower protection levels
//!   `UPL = LPL = p/100 x1 - (X - x1 - x2)`; the (n, k) dominance rule, sensitive when
//!   `x1 + ... + xn > k/100 X`, with `UPL = LPL = 100/k (x1 + ... + xn) - X` (tau-argus
//!   takes the lower level equal to the upper). Protected when `upper >= X + UPL` and
//!   `lower <= max(X - LPL, 0)`. Both rules: the larger levels.
//! - Secondary suppression, greedy by generalised hypercubes (Repsilber's GHMITER,
//!   tau-argus' "hypercube" method): for each primary cell (margins first), the
//!   cheapest move that changes the cell while every published cell and every equation
//!   stays as it is. Per dimension a move is a vector over the nodes that keeps every
//!   subtotal equation: the cell's node +1 with a sibling -1 or every ancestor +1, and an
//!   internal node's +1 carried down one path to a leaf; the table's move is the product
//!   of one per dimension (in a flat dimension: the classic two-level hypercube). The
//!   cell's range along it is `min(+ cells) + min(- cells)` (unbounded without `-`
//!   cells). Cost: the suppressed total (`cost = "value"`) or the number of cells
//!   (`"cells"`) of the move's cells not yet suppressed.
//! - Audit: the two LPs of every suppressed cell, solved by our own simplex
//!   ([`super::lp`]) on the connected groups of suppressed cells (cells linked by an
//!   equation), each answer checked against its witness. A primary cell found
//!   under-protected gets a move without `-` cells (the product of root-to-leaf paths
//!   through it: unbounded) and the audit runs again: the published table passes the LP
//!   audit or is not returned.
//!
//! Without margins (`margins = false`) the totals are not published: nothing ties the
//! cells together, every suppressed cell's interval is `[0, inf)`, and only primary
//! suppression applies.

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

/// Suppression or controlled rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    #[default]
    Suppress,
    Round,
}
crate::option_enum!(Method, "method", "suppress" => Method::Suppress, "round" => Method::Round);

/// One dimension as a tree: leaves `0..leaves` (the levels), internal nodes
/// `leaves..nodes` (subtotals), the root (the total) last. Without margins: leaves only.
#[derive(Debug, Clone)]
pub struct Dim {
    pub leaves: usize,
    /// Parent of each node (`usize::MAX` for the root, and for every node without margins).
    pub parent: Vec<usize>,
    children: Vec<Vec<usize>>,
    /// Internal nodes, children before parents.
    post: Vec<usize>,
}

impl Dim {
    /// A flat dimension: `leaves` levels and, with margins, their total.
    pub fn flat(leaves: usize, margins: bool) -> Dim {
        if !margins {
            return Dim { leaves, parent: vec![usize::MAX; leaves], children: vec![Vec::new(); leaves], post: Vec::new() };
        }
        let mut parent = vec![leaves; leaves + 1];
        parent[leaves] = usize::MAX;
        Dim::tree(leaves, parent).expect("a flat dimension is a tree")
    }

    /// A tree from the parent of every node (leaves first, the root last with
    /// `usize::MAX`). `None` if it is not a tree rooted at the last node whose leaves
    /// are exactly the first `leaves` nodes.
    pub fn tree(leaves: usize, parent: Vec<usize>) -> Option<Dim> {
        let n = parent.len();
        if n <= leaves || parent[n - 1] != usize::MAX {
            return None;
        }
        let mut children = vec![Vec::new(); n];
        for (c, &p) in parent.iter().enumerate().take(n - 1) {
            if p >= n || p < leaves || p == c {
                return None;
            }
            children[p].push(c);
        }
        if (leaves..n).any(|p| children[p].is_empty()) {
            return None;
        }
        // post-order from the root; every node must be reached (no cycles)
        let mut post = Vec::new();
        let mut seen = vec![false; n];
        let mut stack = vec![(n - 1, false)];
        while let Some((v, done)) = stack.pop() {
            if done {
                if v >= leaves {
                    post.push(v);
                }
                continue;
            }
            if seen[v] {
                return None;
            }
            seen[v] = true;
            stack.push((v, true));
            for &c in &children[v] {
                stack.push((c, false));
            }
        }
        if seen.iter().any(|s| !s) {
            return None;
        }
        Some(Dim { leaves, parent, children, post })
    }

    /// Number of nodes (leaves, subtotals, total).
    pub fn nodes(&self) -> usize {
        self.parent.len()
    }

    pub fn is_leaf(&self, v: usize) -> bool {
        v < self.leaves
    }

    /// The root (the total), if the dimension has margins.
    pub fn root(&self) -> Option<usize> {
        (self.nodes() > self.leaves).then(|| self.nodes() - 1)
    }

    fn ancestors(&self, mut v: usize) -> Vec<usize> {
        let mut out = Vec::new();
        while self.parent[v] != usize::MAX {
            v = self.parent[v];
            out.push(v);
        }
        out
    }
}

/// A dimension from labels: the data's `levels` (leaves) and (child, parent) label pairs.
/// A label that is some node's parent is a subtotal; a child never named as a parent is a
/// leaf (added after `levels` if the data have no row with it); a node without a parent
/// hangs under the total. Returns the tree and the labels of every node but the root.
pub fn dim_from_labels(name: &str, levels: &[String], child: &[String], parent: &[String]) -> Result<(Dim, Vec<String>)> {
    use std::collections::HashMap;
    let bad = |reason: String| Error::InvalidArgument { arg: "hierarchies", reason: format!("dimension `{name}`: {reason}") };
    let mut is_parent = std::collections::HashSet::new();
    for p in parent {
        is_parent.insert(p.as_str());
    }
    for l in levels {
        if is_parent.contains(l.as_str()) {
            return Err(bad(format!("`{l}` is a level in the data and a subtotal (a parent) in the hierarchy")));
        }
    }
    let mut labels: Vec<String> = levels.to_vec();
    let mut index: HashMap<String, usize> = labels.iter().enumerate().map(|(i, l)| (l.clone(), i)).collect();
    for c in child {
        if !is_parent.contains(c.as_str()) && !index.contains_key(c) {
            index.insert(c.clone(), labels.len());
            labels.push(c.clone());
        }
    }
    let leaves = labels.len();
    for p in parent.iter().chain(child) {
        if !index.contains_key(p) {
            index.insert(p.clone(), labels.len());
            labels.push(p.clone());
        }
    }
    let root = labels.len();
    let mut par = vec![root; root + 1];
    par[root] = usize::MAX;
    let mut given = vec![false; root];
    for (c, p) in child.iter().zip(parent) {
        let (ci, pi) = (index[c], index[p]);
        if ci == pi {
            return Err(bad(format!("`{c}` is its own parent")));
        }
        if given[ci] && par[ci] != pi {
            return Err(bad(format!("`{c}` has two parents (`{}` and `{p}`)", labels[par[ci]])));
        }
        given[ci] = true;
        par[ci] = pi;
    }
    match Dim::tree(leaves, par) {
        Some(d) => Ok((d, labels)),
        None => Err(bad("the parents form a cycle".into())),
    }
}

/// The primary-suppression rules.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    /// Count tables: `0 < count < threshold` is primary (0: off).
    pub threshold: f64,
    /// Count tables: the sliding protection width.
    pub protection: f64,
    pub suppress_zeros: bool,
    /// Magnitude tables: the p%-rule's p.
    pub p: Option<f64>,
    /// Magnitude tables: the (n, k) dominance rule.
    pub dominance: Option<(usize, f64)>,
}

/// Options of [`protect`].
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub rules: Rules,
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

/// What a primary cell's interval must cover.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Req {
    None,
    /// `upper - lower >= width` (sliding protection).
    Width(f64),
    /// `lower <= max(value - lpl, 0)` and `upper >= value + upl`.
    Levels { lpl: f64, upl: f64 },
}

impl Req {
    fn met(&self, v: f64, lo: f64, hi: f64) -> bool {
        let tol = 1e-9 * (1.0 + v.abs());
        match *self {
            Req::None => true,
            Req::Width(p) => hi == f64::INFINITY || hi - lo >= p * (1.0 - 1e-12) - 1e-9 * (1.0 + hi.abs()),
            Req::Levels { lpl, upl } => (hi == f64::INFINITY || hi >= v + upl - tol) && lo <= (v - lpl).max(0.0) + tol,
        }
    }
}

/// The input rows: per dimension the 0-based leaf of each row, and the row's value (a
/// count, one row per cell; or with `unit`/`magnitude` a contribution, any number of
/// rows per cell).
pub struct Input<'a> {
    pub value: &'a [f64],
    pub cells: &'a [&'a [u32]],
    /// Magnitude table: rows are contributions (summed per cell; `unit`, when given, says
    /// whose, so that one unit's rows count as one contribution).
    pub magnitude: bool,
    pub unit: Option<&'a [u32]>,
}

/// The protected table on the extended grid (every node of every dimension), row-major
/// with the first dimension slowest.
#[derive(Debug, Clone)]
pub struct Protected {
    /// Nodes per dimension.
    pub ext: Vec<usize>,
    pub value: Vec<f64>,
    pub reason: Vec<Reason>,
    /// The attacker's interval (the value itself for a published cell).
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
    /// Magnitude tables: the number of contributing units, and the protection level
    /// required of each primary cell (UPL = LPL; 0 elsewhere).
    pub contributors: Vec<f64>,
    pub required: Vec<f64>,
    /// The input row of each inner cell (usize::MAX: none, or several for magnitudes).
    pub row: Vec<usize>,
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

/// The equations of the extended grid: for each dimension, each internal node and each
/// combination of the other coordinates, `sum(children) - node = 0`. Each as the list of
/// (cell, coefficient).
fn equations(dims: &[Dim], ext: &[usize]) -> Vec<Vec<(usize, f64)>> {
    let st = strides(ext);
    let total: usize = ext.iter().product();
    let mut out = Vec::new();
    for (d, dim) in dims.iter().enumerate() {
        for c in 0..total {
            let x = (c / st[d]) % ext[d];
            if dim.is_leaf(x) {
                continue;
            }
            let base = c - x * st[d];
            let mut eq: Vec<(usize, f64)> = dim.children[x].iter().map(|&ch| (base + ch * st[d], 1.0)).collect();
            eq.push((c, -1.0));
            out.push(eq);
        }
    }
    out
}

/// The table's values on the extended grid from the leaves' values (the subtotals of
/// each dimension in turn).
fn fill_margins(value: &mut [f64], dims: &[Dim], ext: &[usize]) {
    let st = strides(ext);
    let ntot = value.len();
    for (d, dim) in dims.iter().enumerate() {
        for &p in &dim.post {
            for c in 0..ntot {
                if (c / st[d]) % ext[d] != p {
                    continue;
                }
                let base = c - p * st[d];
                value[c] = dim.children[p].iter().map(|&ch| value[base + ch * st[d]]).sum();
            }
        }
    }
}

/// Leaf cell of each input row on the extended grid.
fn row_cells(input: &Input, ext: &[usize]) -> Vec<usize> {
    let st = strides(ext);
    (0..input.value.len())
        .map(|r| (0..ext.len()).map(|d| input.cells[d][r] as usize * st[d]).sum())
        .collect()
}

/// Magnitude tables: per extended cell the number of units and its largest `n`
/// contributions (each unit's contributions to the cell summed), descending.
fn top_contributions(input: &Input, dims: &[Dim], ext: &[usize], n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let st = strides(ext);
    let ntot: usize = ext.iter().product();
    // each dimension's chain of a node (itself, then its ancestors), once per node:
    // node `v` of dimension `d` at `chains[d].1[chains[d].0[v]..chains[d].0[v + 1]]`
    let chains: Vec<(Vec<usize>, Vec<usize>)> = (0..ext.len())
        .map(|d| {
            let (mut start, mut nodes) = (vec![0], Vec::new());
            for v in 0..ext[d] {
                nodes.push(v);
                nodes.extend(dims[d].ancestors(v));
                start.push(nodes.len());
            }
            (start, nodes)
        })
        .collect();
    let chain = |d: usize, r: usize| {
        let (start, nodes) = &chains[d];
        let leaf = input.cells[d][r] as usize;
        &nodes[start[leaf]..start[leaf + 1]]
    };
    // (cell, unit, value) for each row and each cell it adds to
    let mut items: Vec<(usize, u32, f64)> = Vec::new();
    let mut idx = vec![0usize; ext.len()];
    for r in 0..input.value.len() {
        let unit = input.unit.map_or(r as u32, |u| u[r]);
        idx.fill(0);
        loop {
            let cell: usize = (0..ext.len()).map(|d| chain(d, r)[idx[d]] * st[d]).sum();
            items.push((cell, unit, input.value[r]));
            let mut d = 0;
            while d < ext.len() {
                idx[d] += 1;
                if idx[d] < chain(d, r).len() {
                    break;
                }
                idx[d] = 0;
                d += 1;
            }
            if d == ext.len() {
                break;
            }
        }
    }
    items.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut units = vec![0.0; ntot];
    let mut top: Vec<Vec<f64>> = vec![Vec::new(); ntot];
    let mut i = 0;
    while i < items.len() {
        let (cell, unit) = (items[i].0, items[i].1);
        let mut s = 0.0;
        while i < items.len() && items[i].0 == cell && items[i].1 == unit {
            s += items[i].2;
            i += 1;
        }
        units[cell] += 1.0;
        let t = &mut top[cell];
        let pos = t.iter().position(|&x| x < s).unwrap_or(t.len());
        if pos < n {
            t.insert(pos, s);
            t.truncate(n);
        }
    }
    (units, top)
}

/// Protect a table. `dims`: one tree per dimension (flat without margins when the
/// totals are not published). Values are non-negative and finite (checked by the caller).
pub fn protect(input: &Input, dims: &[Dim], opt: &Options) -> Result<Protected> {
    let ext: Vec<usize> = dims.iter().map(|d| d.nodes()).collect();
    let ntot: usize = ext.iter().product();
    let margins = dims.iter().all(|d| d.root().is_some());
    let (mut value, row) = cell_values(input, &ext, ntot)?;
    fill_margins(&mut value, dims, &ext);
    let whole = value.iter().all(|v| *v == v.floor());
    let rules = &opt.rules;
    let mut req = vec![Req::None; ntot];
    let (mut contributors, mut required) = (Vec::new(), Vec::new());
    if input.magnitude {
        let n = rules.dominance.map_or(2, |(n, _)| n.max(2));
        let (units, top) = top_contributions(input, dims, &ext, n);
        required = vec![0.0; ntot];
        for c in 0..ntot {
            let x = value[c];
            if x <= 0.0 {
                continue;
            }
            let t = &top[c];
            let x1 = t.first().copied().unwrap_or(0.0);
            let x2 = t.get(1).copied().unwrap_or(0.0);
            let mut level: f64 = 0.0;
            let mut sensitive = false;
            if let Some(p) = rules.p {
                let rest = (x - x1 - x2).max(0.0);
                if rest < p / 100.0 * x1 {
                    sensitive = true;
                    level = level.max(p / 100.0 * x1 - rest);
                }
            }
            if let Some((n, k)) = rules.dominance {
                let s: f64 = t.iter().take(n).sum();
                if s > k / 100.0 * x {
                    sensitive = true;
                    level = level.max(100.0 / k * s - x);
                }
            }
            if sensitive {
                req[c] = Req::Levels { lpl: level, upl: level };
                required[c] = level;
            }
        }
        contributors = units;
    } else {
        for c in 0..ntot {
            let v = value[c];
            if (v > 0.0 && v < rules.threshold) || (rules.suppress_zeros && v == 0.0) {
                req[c] = Req::Width(rules.protection);
            }
        }
    }
    let mut reason: Vec<Reason> = req.iter().map(|r| if *r == Req::None { Reason::Published } else { Reason::Primary }).collect();
    let mut lower = value.clone();
    let mut upper = value.clone();
    let is_total = |c: usize| -> usize { coords(&ext, c).iter().zip(dims).filter(|(x, d)| !d.is_leaf(**x)).count() };
    let primaries: Vec<usize> = {
        let mut p: Vec<usize> = (0..ntot).filter(|&c| reason[c] == Reason::Primary).collect();
        // margins first (the most totals first), then in grid order
        p.sort_by_key(|&c| (std::cmp::Reverse(is_total(c)), c));
        p
    };
    let done = |value, reason, lower, upper, contributors, required, row| Protected {
        ext: ext.clone(),
        value,
        reason,
        lower,
        upper,
        contributors,
        required,
        row,
    };
    if !margins {
        for &c in &primaries {
            lower[c] = 0.0;
            upper[c] = f64::INFINITY;
        }
        return Ok(done(value, reason, lower, upper, contributors, required, row));
    }
    let st = strides(&ext);
    let moves = Moves::new(dims, &value, &ext, &st);
    // secondary suppression by generalised hypercubes
    for &p in &primaries {
        crate::interrupt::check()?;
        if let Some(cube) = cheapest_move(p, &value, &reason, &req[p], &moves, &ext, &st, opt.cost) {
            for c in cube {
                if reason[c] == Reason::Published {
                    reason[c] = Reason::Secondary;
                }
            }
        }
    }
    // the audit; under-protected primaries get an unbounded move
    let eqs = equations(dims, &ext);
    for _round in 0..=ntot {
        let (lo, hi) = audit(&value, &reason, &req, &eqs, whole, opt.exact)?;
        let mut short = Vec::new();
        for c in 0..ntot {
            if reason[c] != Reason::Published {
                lower[c] = lo[c];
                upper[c] = hi[c];
                if reason[c] == Reason::Primary && !req[c].met(value[c], lo[c], hi[c]) {
                    short.push(c);
                }
            }
        }
        if short.is_empty() {
            return Ok(done(value, reason, lower, upper, contributors, required, row));
        }
        let mut changed = false;
        for c in short {
            let x = coords(&ext, c);
            let paths: Vec<Vec<usize>> = (0..dims.len()).map(|d| moves.root_path(d, x[d])).collect();
            for cell in product_cells(&paths, &st) {
                if reason[cell] == Reason::Published {
                    reason[cell] = Reason::Secondary;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    Err(Error::Data {
        arg: "count",
        reason: "the suppression could not be made to pass its audit".into(),
    })
}

fn product_cells(sets: &[Vec<usize>], st: &[usize]) -> Vec<usize> {
    let mut out = vec![0usize];
    for (d, s) in sets.iter().enumerate() {
        out = out.iter().flat_map(|&b| s.iter().map(move |&v| b + v * st[d])).collect();
    }
    out
}

/// Per dimension and node, the moves that keep the dimension's equations: lists of
/// (node, sign) with the node itself first at +1.
struct Moves {
    per: Vec<Vec<Vec<Vec<(usize, i8)>>>>,
    /// The root-to-leaf path through each node (the greedy descent below it).
    down: Vec<Vec<Vec<usize>>>,
    dims: Vec<Dim>,
}

impl Moves {
    fn new(dims: &[Dim], value: &[f64], ext: &[usize], st: &[usize]) -> Moves {
        let k = dims.len();
        let mut per = Vec::with_capacity(k);
        let mut down_all = Vec::with_capacity(k);
        for (d, dim) in dims.iter().enumerate() {
            // marginal of each node: the other dimensions at their roots
            let base: usize = (0..k).filter(|&e| e != d).map(|e| dims[e].root().unwrap() * st[e]).sum();
            let marg = |v: usize| value[base + v * st[d]];
            // greedy descent to a leaf through the largest child
            let n = ext[d];
            let mut down: Vec<Vec<usize>> = vec![Vec::new(); n];
            for v in 0..n {
                let mut path = vec![v];
                let mut u = v;
                while !dim.is_leaf(u) {
                    u = *dim.children[u].iter().max_by(|a, b| marg(**a).total_cmp(&marg(**b))).unwrap();
                    path.push(u);
                }
                down[v] = path;
            }
            let mut mv = Vec::with_capacity(n);
            for v in 0..n {
                let downs: Vec<Vec<(usize, i8)>> = if dim.is_leaf(v) {
                    vec![vec![(v, 1)]]
                } else {
                    dim.children[v]
                        .iter()
                        .map(|&c| std::iter::once((v, 1)).chain(down[c].iter().map(|&u| (u, 1))).collect())
                        .collect()
                };
                let p = dim.parent[v];
                let ups: Vec<Vec<(usize, i8)>> = if p == usize::MAX {
                    vec![Vec::new()]
                } else {
                    let mut u: Vec<Vec<(usize, i8)>> = dim.children[p]
                        .iter()
                        .filter(|&&s| s != v)
                        .map(|&s| down[s].iter().map(|&w| (w, -1)).collect())
                        .collect();
                    u.push(dim.ancestors(v).into_iter().map(|a| (a, 1)).collect());
                    u
                };
                let mut list = Vec::with_capacity(downs.len() * ups.len());
                for a in &downs {
                    for b in &ups {
                        list.push(a.iter().chain(b.iter()).copied().collect());
                    }
                }
                mv.push(list);
            }
            per.push(mv);
            down_all.push(down);
        }
        Moves { per, down: down_all, dims: dims.to_vec() }
    }

    /// The node, its ancestors and the descent below it: a move without `-` nodes.
    fn root_path(&self, d: usize, v: usize) -> Vec<usize> {
        let mut p = self.down[d][v].clone();
        p.extend(self.dims[d].ancestors(v));
        p
    }
}

/// The cells of the cheapest move through primary cell `p` that meets its requirement
/// on its own (`None`: none).
#[allow(clippy::too_many_arguments)]
fn cheapest_move(
    p: usize,
    value: &[f64],
    reason: &[Reason],
    req: &Req,
    moves: &Moves,
    ext: &[usize],
    st: &[usize],
    cost_kind: Cost,
) -> Option<Vec<usize>> {
    let k = ext.len();
    let x = coords(ext, p);
    let lists: Vec<&Vec<Vec<(usize, i8)>>> = (0..k).map(|d| &moves.per[d][x[d]]).collect();
    if lists.iter().any(|v| v.is_empty()) {
        return None;
    }
    let mut idx = vec![0usize; k];
    let mut best: Option<((f64, f64), Vec<usize>)> = None;
    let mut cells: Vec<(usize, i8)> = Vec::new();
    let mut prev: Vec<(usize, i8)> = Vec::new();
    loop {
        // the product move (two buffers, no allocation per move)
        cells.clear();
        cells.push((0, 1));
        for d in 0..k {
            let m = &lists[d][idx[d]];
            std::mem::swap(&mut cells, &mut prev);
            cells.clear();
            for &(b, s) in &prev {
                for &(v, t) in m {
                    cells.push((b + v * st[d], s * t));
                }
            }
        }
        let (mut cost, mut tie) = (0.0, 0.0);
        let (mut min_plus, mut min_minus) = (f64::INFINITY, f64::INFINITY);
        for &(cell, sign) in &cells {
            let v = value[cell];
            if sign > 0 {
                min_plus = min_plus.min(v);
            } else {
                min_minus = min_minus.min(v);
            }
            if reason[cell] == Reason::Published {
                let (a, b) = match cost_kind {
                    Cost::Value => (v, 1.0),
                    Cost::Cells => (1.0, v),
                };
                cost += a;
                tie += b;
            }
        }
        let lo = value[p] - min_plus;
        let hi = value[p] + min_minus;
        if req.met(value[p], lo, hi) && best.as_ref().is_none_or(|(b, _)| (cost, tie) < *b) {
            best = Some(((cost, tie), cells.iter().map(|c| c.0).collect()));
        }
        let mut d = 0;
        loop {
            if d == k {
                return best.map(|(_, c)| c);
            }
            idx[d] += 1;
            if idx[d] < lists[d].len() {
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
    req: &[Req],
    eqs: &[Vec<(usize, f64)>],
    whole: bool,
    exact: bool,
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
            let (l, h) = if exact {
                poly.range(i).map_err(trouble)?
            } else if reason[c] == Reason::Primary {
                // the exact minimum (stopped at 0, the least possible), the maximum
                // until the cell can reach minimum + protection
                let l = poly.optimise(i, -1.0, Some(0.0)).map_err(trouble)?;
                let l_count = if whole { (l * scale - 1e-6).ceil().max(0.0) } else { l * scale };
                let target = match req[c] {
                    Req::Width(p) => (l_count + p) / scale,
                    Req::Levels { upl, .. } => (value[c] + upl) / scale,
                    Req::None => l_count / scale,
                };
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

/// A table after controlled rounding, on the extended grid.
#[derive(Debug, Clone)]
pub struct Rounded {
    pub ext: Vec<usize>,
    pub value: Vec<f64>,
    pub rounded: Vec<f64>,
    pub row: Vec<usize>,
}

/// Each cell's value (magnitude tables: the sum of its rows) and the input row it comes
/// from (`usize::MAX` for none, or for several contributions), on the table of `ntot`
/// cells (margins left at 0); a count table's cell given twice is an error naming the
/// later row.
fn cell_values(input: &Input, ext: &[usize], ntot: usize) -> Result<(Vec<f64>, Vec<usize>)> {
    let rc = row_cells(input, ext);
    let mut value = vec![0.0; ntot];
    let mut row = vec![usize::MAX; ntot];
    let mut seen = vec![false; ntot];
    for (r, &c) in rc.iter().enumerate() {
        if input.magnitude {
            value[c] += input.value[r];
            row[c] = if seen[c] { usize::MAX } else { r };
        } else {
            if seen[c] {
                return Err(Error::InvalidValue {
                    arg: "dims",
                    row: r,
                    value: f64::NAN,
                    problem: "the same cell as an earlier row (give each combination of the dimensions once)",
                });
            }
            value[c] = input.value[r];
            row[c] = r;
        }
        seen[c] = true;
    }
    Ok((value, row))
}

/// Controlled rounding to base `b` (Cox 1987; Hundepool et al. 2012, section 5.4):
/// every cell, margins included, rounded to one of the two multiples of `b` next to it
/// (a multiple of `b`, zeros included, stays as it is: zero-restricted), with the
/// published table still additive. Write each cell as `b q + r` (`0 <= r < b`); the
/// rounded cell is `b (q + t)` with `t` in {0, 1} (0 where `r = 0`), and the equations
/// become `sum(children t) - t_node = (q_node - sum(children q))`. The fractional
/// `t = r / b` satisfies them, so the polytope is not empty. In one and two flat
/// dimensions the system is a network (a circulation with bounds: rows -> columns),
/// whose integral flow always exists (max-flow); other tables (three dimensions,
/// hierarchies) by the LP whose vertex is accepted only if it is whole (such a rounding
/// need not exist); otherwise an error says so.
pub fn round(input: &Input, dims: &[Dim], base: f64) -> Result<Rounded> {
    let ext: Vec<usize> = dims.iter().map(|d| d.nodes()).collect();
    let ntot: usize = ext.iter().product();
    let (mut value, row) = cell_values(input, &ext, ntot)?;
    fill_margins(&mut value, dims, &ext);
    // q and whether the cell is free (not a multiple of b)
    let tol = 1e-9;
    let q: Vec<f64> = value.iter().map(|&v| (v / base + tol).floor()).collect();
    let free: Vec<bool> = value.iter().zip(&q).map(|(&v, &q)| (v - q * base).abs() > tol * base.max(v.abs())).collect();
    let frac: Vec<f64> = value.iter().zip(&q).map(|(&v, &q)| (v - q * base) / base).collect();
    let margins = dims.iter().all(|d| d.root().is_some());
    let t: Vec<u8> = if !margins {
        // nothing to keep additive: each cell to its nearest multiple
        value.iter().zip(&q).map(|(&v, &q)| (v - q * base >= base / 2.0) as u8).collect()
    } else if dims.len() <= 2 && dims.iter().all(|d| d.post.len() == 1) {
        round_flow(&q, &free, &ext, &frac)?
    } else {
        round_lp(&q, &free, dims, &ext, &value, base)?
    };
    let rounded: Vec<f64> = q.iter().zip(&t).map(|(&q, &t)| if q == 0.0 && t == 0 { 0.0 } else { (q + t as f64) * base }).collect();
    Ok(Rounded { ext, value, rounded, row })
}

/// Controlled rounding of a one- or two-dimensional flat table as an integral
/// circulation: source -> row i (bounds a_i .. a_i + free(i, T)), row i -> column j
/// (0 .. free(i, j)), column j -> sink (c_j .. c_j + free(T, j)), sink -> source
/// (A .. A + free(T, T)), where a_i = q(i, T) - sum_j q(i, j), c_j likewise and A the
/// grand total's. A one-dimensional table is the column of a table with one column.
/// Any integral flow is a controlled rounding; the search tries the cells with the
/// largest remainders first (a heuristic toward the nearest multiples, not an optimum).
fn round_flow(q: &[f64], free: &[bool], ext: &[usize], frac: &[f64]) -> Result<Vec<u8>> {
    let (nr, nc, two) = if ext.len() == 2 { (ext[0] - 1, ext[1] - 1, true) } else { (ext[0] - 1, 1, false) };
    // cell (i, j) of the (nr + 1) x (nc + 1) grid, totals at nr / nc
    let at = |i: usize, j: usize| -> usize {
        if two {
            i * (nc + 1) + j
        } else {
            i // 1-D: the inner cell and its "row margin" are the same cell
        }
    };
    let fr = |i: usize, j: usize| free[at(i, j)] as i64;
    let qq = |i: usize, j: usize| q[at(i, j)] as i64;
    // nodes: 0 source, 1 sink, 2.. rows, then columns
    let row_node = |i: usize| 2 + i;
    let col_node = |j: usize| 2 + nr + j;
    let nn = 2 + nr + nc;
    let mut g = Flow::new(nn + 2);
    let mut lower_edges: Vec<(usize, usize, i64, i64, Option<(usize, usize)>)> = Vec::new();
    let mut sum_a = 0i64;
    for i in 0..nr {
        let a = qq(i, nc) - (0..nc).map(|j| qq(i, j)).sum::<i64>();
        sum_a += a;
        lower_edges.push((0, row_node(i), a, a + fr(i, nc), Some((i, nc))));
    }
    let a_t = qq(nr, nc) - (0..nr).map(|i| qq(i, nc)).sum::<i64>();
    for i in 0..nr {
        // the cells nearest to their upper multiple first: the flow tries them first, so
        // that the cells rounded up tend to be those closest to it
        let mut js: Vec<usize> = (0..nc).collect();
        js.sort_by(|&a, &b| frac[at(i, b)].total_cmp(&frac[at(i, a)]));
        for j in js {
            lower_edges.push((row_node(i), col_node(j), 0, fr(i, j), Some((i, j))));
        }
    }
    for j in 0..nc {
        let c = qq(nr, j) - (0..nr).map(|i| qq(i, j)).sum::<i64>();
        lower_edges.push((col_node(j), 1, c, c + if two { fr(nr, j) } else { fr(nr, nc) }, Some((nr, j))));
    }
    let big = sum_a + a_t;
    lower_edges.push((1, 0, big, big + fr(nr, nc), Some((nr, nc))));
    // circulation with lower bounds -> max flow from a super source
    let (ss, tt) = (nn, nn + 1);
    let mut excess = vec![0i64; nn];
    let mut ids = Vec::with_capacity(lower_edges.len());
    for &(u, v, l, h, _) in &lower_edges {
        if h < l {
            return Err(Error::Data { arg: "count", reason: "controlled rounding: the table does not add up".into() });
        }
        ids.push(g.add(u, v, h - l));
        excess[v] += l;
        excess[u] -= l;
    }
    let mut need = 0;
    for (v, &e) in excess.iter().enumerate() {
        if e > 0 {
            g.add(ss, v, e);
            need += e;
        } else if e < 0 {
            g.add(v, tt, -e);
        }
    }
    if g.max_flow(ss, tt) != need {
        return Err(Error::Data { arg: "count", reason: "controlled rounding found no rounding (a bug: please report)".into() });
    }
    let mut t = vec![0u8; q.len()];
    for (e, &(_, _, l, _, cell)) in ids.iter().zip(&lower_edges) {
        let f = l + g.flow(*e);
        if let Some((i, j)) = cell {
            // the value of t on the edge: inner edges carry t, margin edges carry l + t
            let tv = f - l;
            t[at(i, j)] = tv as u8;
        }
    }
    Ok(t)
}

/// A small max-flow (Dinic) on integer capacities.
struct Flow {
    head: Vec<Vec<usize>>,
    edges: Vec<(usize, i64)>, // (to, residual capacity); edge e ^ 1 is its reverse
}

impl Flow {
    fn new(n: usize) -> Flow {
        Flow { head: vec![Vec::new(); n], edges: Vec::new() }
    }
    fn add(&mut self, u: usize, v: usize, cap: i64) -> usize {
        let e = self.edges.len();
        self.edges.push((v, cap));
        self.edges.push((u, 0));
        self.head[u].push(e);
        self.head[v].push(e + 1);
        e
    }
    fn flow(&self, e: usize) -> i64 {
        self.edges[e ^ 1].1
    }
    fn max_flow(&mut self, s: usize, t: usize) -> i64 {
        let n = self.head.len();
        let mut total = 0;
        loop {
            let mut level = vec![usize::MAX; n];
            level[s] = 0;
            let mut queue = std::collections::VecDeque::from([s]);
            while let Some(u) = queue.pop_front() {
                for &e in &self.head[u] {
                    let (v, c) = self.edges[e];
                    if c > 0 && level[v] == usize::MAX {
                        level[v] = level[u] + 1;
                        queue.push_back(v);
                    }
                }
            }
            if level[t] == usize::MAX {
                return total;
            }
            let mut it = vec![0usize; n];
            loop {
                let f = self.augment(s, t, i64::MAX, &level, &mut it);
                if f == 0 {
                    break;
                }
                total += f;
            }
        }
    }
    fn augment(&mut self, u: usize, t: usize, f: i64, level: &[usize], it: &mut [usize]) -> i64 {
        if u == t {
            return f;
        }
        while it[u] < self.head[u].len() {
            let e = self.head[u][it[u]];
            let (v, c) = self.edges[e];
            if c > 0 && level[v] == level[u] + 1 {
                let d = self.augment(v, t, f.min(c), level, it);
                if d > 0 {
                    self.edges[e].1 -= d;
                    self.edges[e ^ 1].1 += d;
                    return d;
                }
            }
            it[u] += 1;
        }
        0
    }
}

/// Controlled rounding by the LP (three dimensions, hierarchies): variables `t` of the
/// free cells with slacks `t + s = 1`, minimising the distance to the table; accepted
/// if the vertex is whole (tried with a few perturbed objectives).
fn round_lp(q: &[f64], free: &[bool], dims: &[Dim], ext: &[usize], value: &[f64], base: f64) -> Result<Vec<u8>> {
    let ntot = q.len();
    let vars: Vec<usize> = (0..ntot).filter(|&c| free[c]).collect();
    let m = vars.len();
    let mut var = vec![usize::MAX; ntot];
    for (i, &c) in vars.iter().enumerate() {
        var[c] = i;
    }
    let mut rows = Vec::new();
    let mut rhs = Vec::new();
    for eq in equations(dims, ext) {
        let mut row = Vec::new();
        let mut b = 0.0;
        for &(c, a) in &eq {
            if free[c] {
                row.push((var[c], a));
            }
            b -= a * q[c];
        }
        if !row.is_empty() {
            rows.push(row);
            rhs.push(b);
        } else if b.abs() > 1e-9 {
            return Err(Error::Data { arg: "count", reason: "controlled rounding: the table does not add up".into() });
        }
    }
    for i in 0..m {
        rows.push(vec![(i, 1.0), (m + i, 1.0)]);
        rhs.push(1.0);
    }
    let size = rows.len() as f64 * (2 * m + rows.len()) as f64;
    if size > 4e7 {
        return Err(Error::Data {
            arg: "dims",
            reason: format!(
                "controlled rounding of a table with {} cells to round and subtotals or three dimensions is too large for the LP search; use suppression, or round two-dimensional tables",
                m
            ),
        });
    }
    let mut rng = Lcg(0x5dc0_5dc0);
    for attempt in 0..6 {
        crate::interrupt::check()?;
        let mut poly = Polytope::new(Equalities { n: 2 * m, rows: &rows, rhs: &rhs }).map_err(|e| Error::Data {
            arg: "count",
            reason: format!("controlled rounding's linear programme failed ({e:?})"),
        })?;
        let mut cost = vec![0.0; 2 * m];
        for (i, &c) in vars.iter().enumerate() {
            let r = (value[c] - q[c] * base) / base;
            let jitter = if attempt == 0 { 0.0 } else { rng.next() - 0.5 };
            cost[i] = 1.0 - 2.0 * r + jitter;
        }
        let x = poly.minimise(&cost).map_err(|e| Error::Data {
            arg: "count",
            reason: format!("controlled rounding's linear programme failed ({e:?})"),
        })?;
        if x[..m].iter().all(|v| (v - v.round()).abs() < 1e-6) {
            let mut t = vec![0u8; ntot];
            for (i, &c) in vars.iter().enumerate() {
                t[c] = x[i].round() as u8;
            }
            return Ok(t);
        }
    }
    Err(Error::Data {
        arg: "method",
        reason: "no controlled rounding was found for this table (with three dimensions or subtotals one need not exist); use suppression, or round its two-dimensional tables".into(),
    })
}

/// A tiny deterministic generator for the rounding's perturbations.
pub(crate) struct Lcg(pub u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt() -> Options {
        Options {
            rules: Rules { threshold: 5.0, protection: 5.0, suppress_zeros: false, p: None, dominance: None },
            cost: Cost::Value,
            exact: true,
        }
    }

    #[test]
    fn two_by_two_with_one_small_cell() {
        // [[2, 10], [20, 30]]: the 2 needs its whole rectangle (or margins)
        let count = [2.0, 10.0, 20.0, 30.0];
        let r = [0u32, 0, 1, 1];
        let c = [0u32, 1, 0, 1];
        let cells: [&[u32]; 2] = [&r, &c];
        let input = Input { value: &count, cells: &cells, magnitude: false, unit: None };
        let p = protect(&input, &[Dim::flat(2, true), Dim::flat(2, true)], &opt()).unwrap();
        assert_eq!(p.ext, vec![3, 3]);
        assert_eq!(p.reason[0], Reason::Primary);
        let n_sup = p.reason.iter().filter(|r| **r != Reason::Published).count();
        assert!(n_sup >= 4);
        assert!(p.upper[0] - p.lower[0] >= 5.0, "{p:?}");
    }
}
