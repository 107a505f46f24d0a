//! A small dense simplex for the disclosure-control audit: the range (minimum and
//! maximum) of chosen variables over the polyhedron `{x >= 0 : A x = b}`.
//!
//! Two-phase primal simplex on a dense tableau (Dantzig's rule, Bland's rule after a run
//! of degenerate pivots so that it cannot cycle). Phase 1 with one artificial per row
//! finds a basis; artificials left basic at zero are pivoted out or their rows dropped
//! as redundant (the additivity equations of a table with margins are rank-deficient).
//! Each range then starts phase 2 from the previous optimal basis (warm start): after
//! the first, most need few pivots.
//!
//! Every answer comes with its witness checked against the ORIGINAL equations: the
//! optimal vertex (`A x = b`, `x >= 0` to a tolerance) or, for an unbounded maximum, the
//! ray (`A y = 0`, `y >= 0`, `y_j > 0`). A witness that fails the check is an error, never
//! a silently wrong range: the caller then refuses rather than publish.

/// Tolerances (the caller scales the data to values of order one).
const PIVOT_TOL: f64 = 1e-7;
const COST_TOL: f64 = 1e-9;
const FEAS_TOL: f64 = 1e-7;
const ZERO: f64 = 1e-12;

/// Why a range could not be computed.
#[derive(Debug, Clone, PartialEq)]
pub enum LpError {
    /// No `x >= 0` satisfies the equations.
    Infeasible,
    /// A witness failed its check (numerical trouble) or the pivot budget ran out.
    Numerical(String),
}

/// Equality constraints `sum_k a_ik x_k = b_i` over `n` non-negative variables, each row
/// given sparsely as (variable, coefficient).
pub struct Equalities<'a> {
    pub n: usize,
    pub rows: &'a [Vec<(usize, f64)>],
    pub rhs: &'a [f64],
}

struct Tableau {
    m: usize,
    ncol: usize,
    t: Vec<f64>,
    rhs: Vec<f64>,
    basis: Vec<usize>,
    /// Column `k` is basic in row `row_of[k]` (usize::MAX: non-basic).
    row_of: Vec<usize>,
    nz: Vec<usize>,
}

enum Outcome {
    Optimal,
    Unbounded(usize),
    /// The pivots allowed ran out (the caller refines and continues).
    Budget,
}

impl Tableau {
    fn at(&self, i: usize, k: usize) -> f64 {
        self.t[i * self.ncol + k]
    }

    fn pivot(&mut self, r: usize, k: usize, obj: &mut [f64]) {
        let nc = self.ncol;
        let p = self.t[r * nc + k];
        self.nz.clear();
        for c in 0..nc {
            let v = self.t[r * nc + c] / p;
            let v = if v.abs() < ZERO { 0.0 } else { v };
            self.t[r * nc + c] = v;
            if v != 0.0 {
                self.nz.push(c);
            }
        }
        self.t[r * nc + k] = 1.0;
        self.rhs[r] /= p;
        let rr = self.rhs[r];
        let (before, rest) = self.t.split_at_mut(r * nc);
        let (prow, after) = rest.split_at_mut(nc);
        let update = |row: &mut [f64], rhs: &mut f64, nz: &[usize]| {
            let f = row[k];
            if f == 0.0 {
                return;
            }
            for &c in nz {
                let v = row[c] - f * prow[c];
                row[c] = if v.abs() < ZERO { 0.0 } else { v };
            }
            row[k] = 0.0;
            *rhs -= f * rr;
        };
        for (i, row) in before.chunks_exact_mut(nc).enumerate() {
            update(row, &mut self.rhs[i], &self.nz);
        }
        for (j, row) in after.chunks_exact_mut(nc).enumerate() {
            update(row, &mut self.rhs[r + 1 + j], &self.nz);
        }
        // the objective row
        let f = obj[k];
        if f != 0.0 {
            for &c in &self.nz {
                obj[c] -= f * prow[c];
            }
            obj[k] = 0.0;
        }
        for v in self.rhs.iter_mut() {
            if v.abs() < ZERO {
                *v = 0.0;
            }
        }
        let old = self.basis[r];
        self.row_of[old] = usize::MAX;
        self.basis[r] = k;
        self.row_of[k] = r;
    }

    /// Maximise the objective whose reduced costs are `obj` over columns `< allowed`.
    fn run(&mut self, obj: &mut [f64], allowed: usize, budget: usize, stop: Option<(usize, f64, f64)>) -> Result<Outcome, LpError> {
        let mut degenerate = 0usize;
        for _ in 0..budget {
            let bland = degenerate > 50;
            let mut enter = None;
            let mut best = COST_TOL;
            for k in 0..allowed {
                if self.row_of[k] == usize::MAX && obj[k] > best {
                    enter = Some(k);
                    if bland {
                        break;
                    }
                    best = obj[k];
                }
            }
            // early stop: variable `j` has reached `target` (sign * value >= sign * target)
            if let Some((j, target, sign)) = stop {
                let r = self.row_of[j];
                let value = if r == usize::MAX { 0.0 } else { self.rhs[r] };
                if sign * value >= sign * target {
                    return Ok(Outcome::Optimal);
                }
            }
            let Some(k) = enter else {
                return Ok(Outcome::Optimal);
            };
            // ratio test in two passes (Harris): the smallest ratio with a little slack,
            // then among the rows within it the largest pivot element (stability)
            let mut min_ratio = f64::INFINITY;
            for i in 0..self.m {
                let a = self.at(i, k);
                if a > PIVOT_TOL {
                    min_ratio = min_ratio.min((self.rhs[i].max(0.0) + 1e-12) / a);
                }
            }
            let mut leave: Option<(usize, f64)> = None;
            let mut best_a = 0.0;
            for i in 0..self.m {
                let a = self.at(i, k);
                if a > PIVOT_TOL {
                    let ratio = self.rhs[i].max(0.0) / a;
                    let better = match leave {
                        None => true,
                        Some((l, _)) if bland => self.basis[i] < self.basis[l],
                        Some(_) => a > best_a,
                    };
                    if ratio <= min_ratio && better {
                        best_a = a;
                        leave = Some((i, ratio));
                    }
                }
            }
            let Some((r, ratio)) = leave else {
                return Ok(Outcome::Unbounded(k));
            };
            if ratio <= 1e-12 {
                degenerate += 1;
            } else {
                degenerate = 0;
            }
            self.pivot(r, k, obj);
        }
        Ok(Outcome::Budget)
    }
}

/// A basis of `{x >= 0 : A x = b}` kept between range computations.
pub struct Polytope<'a> {
    eq: Equalities<'a>,
    tab: Tableau,
    /// The scale of the right-hand sides (a power of two).
    scale: f64,
    /// The sign each row was multiplied by (right-hand sides made non-negative).
    flip: Vec<f64>,
}

impl<'a> Polytope<'a> {
    /// Phase 1: a feasible basis, or `Infeasible`.
    pub fn new(eq: Equalities<'a>) -> Result<Polytope<'a>, LpError> {
        let (n, m) = (eq.n, eq.rows.len());
        // a power of two: scaling is exact
        let big = eq.rhs.iter().fold(0.0f64, |s, b| s.max(b.abs()));
        let scale = if big > 0.0 { 2f64.powi(big.log2().ceil() as i32) } else { 1.0 };
        let ncol = n + m;
        let mut t = vec![0.0; m * ncol];
        let mut rhs = vec![0.0; m];
        for (i, row) in eq.rows.iter().enumerate() {
            let s = if eq.rhs[i] < 0.0 { -1.0 } else { 1.0 };
            for &(k, a) in row {
                t[i * ncol + k] += s * a;
            }
            t[i * ncol + n + i] = 1.0;
            rhs[i] = s * eq.rhs[i] / scale;
        }
        let mut row_of = vec![usize::MAX; ncol];
        for i in 0..m {
            row_of[n + i] = i;
        }
        let mut tab = Tableau {
            m,
            ncol,
            t,
            rhs,
            basis: (n..n + m).collect(),
            row_of,
            nz: Vec::with_capacity(ncol),
        };
        // maximise -sum(artificials): reduced cost of a structural column = its column sum
        let mut obj = vec![0.0; ncol];
        for i in 0..m {
            for k in 0..n {
                obj[k] += tab.at(i, k);
            }
        }
        match tab.run(&mut obj, n, 50 * (m + ncol) + 1000, None)? {
            Outcome::Optimal => {}
            Outcome::Unbounded(_) => return Err(LpError::Numerical("phase 1 unbounded".into())),
            Outcome::Budget => return Err(LpError::Numerical("phase 1 did not finish within its pivot budget".into())),
        }
        let infeas: f64 = (0..m).filter(|&i| tab.basis[i] >= n).map(|i| tab.rhs[i]).sum();
        if infeas > FEAS_TOL {
            return Err(LpError::Infeasible);
        }
        // artificials still basic (at zero): pivot them out, or drop their (redundant) rows
        let mut keep = Vec::with_capacity(m);
        for i in 0..m {
            if tab.basis[i] >= n {
                let k = (0..n).find(|&k| tab.row_of[k] == usize::MAX && tab.at(i, k).abs() > 1e-7);
                match k {
                    Some(k) => {
                        let mut dummy = vec![0.0; ncol];
                        tab.pivot(i, k, &mut dummy);
                        keep.push(i);
                    }
                    None => {}
                }
            } else {
                keep.push(i);
            }
        }
        // compact: kept rows; the artificial columns stay (they hold the basis inverse,
        // for the iterative refinement of each vertex) but never enter again
        let m2 = keep.len();
        let mut t2 = vec![0.0; m2 * ncol];
        let mut rhs2 = vec![0.0; m2];
        let mut basis2 = vec![0; m2];
        let mut row_of2 = vec![usize::MAX; ncol];
        for (r, &i) in keep.iter().enumerate() {
            t2[r * ncol..(r + 1) * ncol].copy_from_slice(&tab.t[i * ncol..(i + 1) * ncol]);
            rhs2[r] = tab.rhs[i];
            basis2[r] = tab.basis[i];
            row_of2[tab.basis[i]] = r;
        }
        let flip: Vec<f64> = eq.rhs.iter().map(|&b| if b < 0.0 { -1.0 } else { 1.0 }).collect();
        Ok(Polytope {
            tab: Tableau {
                m: m2,
                ncol,
                t: t2,
                rhs: rhs2,
                basis: basis2,
                row_of: row_of2,
                nz: Vec::with_capacity(ncol),
            },
            eq,
            scale,
            flip,
        })
    }

    /// Iterative refinement of the basic solution: the residual of the original
    /// equations, mapped through the basis inverse kept in the artificial columns.
    fn refine(&mut self) {
        let n = self.eq.n;
        let m = self.eq.rows.len();
        for _ in 0..3 {
            let mut x = vec![0.0; n];
            for (r, &k) in self.tab.basis.iter().enumerate() {
                if k < n {
                    x[k] = self.tab.rhs[r];
                }
            }
            let res: Vec<f64> = (0..m)
                .map(|i| {
                    let s: f64 = self.eq.rows[i].iter().map(|&(k, a)| a * x[k]).sum();
                    self.flip[i] * (self.eq.rhs[i] / self.scale - s)
                })
                .collect();
            if res.iter().all(|r| r.abs() < 1e-15) {
                return;
            }
            for r in 0..self.tab.m {
                let row = &self.tab.t[r * self.tab.ncol + n..(r + 1) * self.tab.ncol];
                let d: f64 = row.iter().zip(&res).map(|(a, b)| a * b).sum();
                self.tab.rhs[r] += d;
            }
        }
    }

    /// The current basic solution in the caller's units.
    fn point(&self) -> Vec<f64> {
        let mut x = vec![0.0; self.eq.n];
        for (r, &k) in self.tab.basis.iter().enumerate() {
            if k < self.eq.n {
                x[k] = self.tab.rhs[r] * self.scale;
            }
        }
        x
    }

    fn check_point(&self, x: &[f64]) -> Result<(), LpError> {
        let tol = FEAS_TOL * self.scale;
        if let Some(v) = x.iter().find(|v| **v < -tol) {
            return Err(LpError::Numerical(format!("vertex has a negative coordinate {v}")));
        }
        for (row, b) in self.eq.rows.iter().zip(self.eq.rhs) {
            let s: f64 = row.iter().map(|&(k, a)| a * x[k]).sum();
            if (s - b).abs() > tol * (1.0 + row.len() as f64) {
                return Err(LpError::Numerical(format!("vertex misses an equation by {}", s - b)));
            }
        }
        Ok(())
    }

    /// The ray along which column `k` enters without bound.
    fn check_ray(&self, k: usize, j: usize) -> Result<(), LpError> {
        let mut y = vec![0.0; self.eq.n];
        y[k] = 1.0;
        for (r, &b) in self.tab.basis.iter().enumerate() {
            if b < self.eq.n {
                y[b] = -self.tab.at(r, k);
            }
        }
        let big = y.iter().fold(1.0f64, |s, v| s.max(v.abs()));
        if y[j] <= 1e-7 * big || y.iter().any(|v| *v < -1e-7 * big) {
            return Err(LpError::Numerical("unbounded direction does not check".into()));
        }
        for row in self.eq.rows {
            let s: f64 = row.iter().map(|&(c, a)| a * y[c]).sum();
            if s.abs() > 1e-7 * big * (1.0 + row.len() as f64) {
                return Err(LpError::Numerical("unbounded direction misses an equation".into()));
            }
        }
        Ok(())
    }

    /// Maximise (`sign = 1`) or minimise (`sign = -1`) variable `j`: the optimum, with
    /// `f64::INFINITY` for an unbounded maximum.
    /// With `stop`, it may stop at any vertex where the variable has reached `stop`
    /// (for a maximum: a certified lower bound of the maximum, not the maximum; a
    /// minimum stopped at 0 is the minimum).
    pub fn optimise(&mut self, j: usize, sign: f64, stop: Option<f64>) -> Result<f64, LpError> {
        let stop = stop.map(|t| (j, t / self.scale - sign * 1e-12 * t.abs() / self.scale, sign));
        let n = self.eq.n;
        let mut obj = vec![0.0; self.tab.ncol];
        match self.tab.row_of[j] {
            usize::MAX => obj[j] = sign,
            r => {
                for k in 0..n {
                    if self.tab.row_of[k] == usize::MAX {
                        obj[k] = -sign * self.tab.at(r, k);
                    }
                }
            }
        }
        let mut outcome = Outcome::Budget;
        for _ in 0..(50 * (self.tab.m + n) / 25 + 40) {
            outcome = self.tab.run(&mut obj, n, 25, stop)?;
            if !matches!(outcome, Outcome::Budget) {
                break;
            }
            self.refine();
        }
        match outcome {
            Outcome::Budget => Err(LpError::Numerical("the simplex did not finish within its pivot budget".into())),
            Outcome::Unbounded(k) => {
                if sign < 0.0 {
                    return Err(LpError::Numerical("minimum of a non-negative variable unbounded".into()));
                }
                self.check_ray(k, j)?;
                Ok(f64::INFINITY)
            }
            Outcome::Optimal => {
                self.refine();
                let x = self.point();
                self.check_point(&x)?;
                Ok(x[j].max(0.0))
            }
        }
    }

    /// Minimise `cost . x` (a bounded minimum): the optimal vertex, checked.
    pub fn minimise(&mut self, cost: &[f64]) -> Result<Vec<f64>, LpError> {
        let n = self.eq.n;
        let mut obj = vec![0.0; self.tab.ncol];
        // maximise -cost: the reduced cost of a non-basic column k is
        // -cost_k + sum_r cost_{basis r} t[r, k]
        for k in 0..n {
            if self.tab.row_of[k] == usize::MAX {
                let mut s = -cost[k];
                for r in 0..self.tab.m {
                    let b = self.tab.basis[r];
                    if b < n {
                        s += cost[b] * self.tab.at(r, k);
                    }
                }
                obj[k] = s;
            }
        }
        let mut outcome = Outcome::Budget;
        for _ in 0..(50 * (self.tab.m + n) / 25 + 40) {
            outcome = self.tab.run(&mut obj, n, 25, None)?;
            if !matches!(outcome, Outcome::Budget) {
                break;
            }
            self.refine();
        }
        match outcome {
            Outcome::Budget => Err(LpError::Numerical("the simplex did not finish within its pivot budget".into())),
            Outcome::Unbounded(_) => Err(LpError::Numerical("the objective is unbounded".into())),
            Outcome::Optimal => {
                self.refine();
                let x = self.point();
                self.check_point(&x)?;
                Ok(x)
            }
        }
    }

    /// (minimum, maximum) of variable `j`.
    pub fn range(&mut self, j: usize) -> Result<(f64, f64), LpError> {
        let hi = self.optimise(j, 1.0, None)?;
        let lo = self.optimise(j, -1.0, None)?;
        Ok((lo, hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_of_a_small_system() {
        // x0 + x1 = 3, x1 + x2 = 5: x0 in [0, 3], x1 in [0, 3], x2 in [2, 5]
        let rows = vec![vec![(0, 1.0), (1, 1.0)], vec![(1, 1.0), (2, 1.0)]];
        let rhs = [3.0, 5.0];
        let mut p = Polytope::new(Equalities { n: 3, rows: &rows, rhs: &rhs }).unwrap();
        assert_eq!(p.range(0).unwrap(), (0.0, 3.0));
        assert_eq!(p.range(1).unwrap(), (0.0, 3.0));
        assert_eq!(p.range(2).unwrap(), (2.0, 5.0));
        // minimise x0 + 2 x2 - x1: x1 = 3, x0 = 0, x2 = 2
        let x = p.minimise(&[1.0, -1.0, 2.0]).unwrap();
        assert_eq!(x, vec![0.0, 3.0, 2.0]);
    }

    #[test]
    fn unbounded_and_redundant_and_infeasible() {
        // x0 - x1 = 1 (twice, redundant): x0 in [1, inf)
        let rows = vec![vec![(0, 1.0), (1, -1.0)], vec![(0, 1.0), (1, -1.0)]];
        let rhs = [1.0, 1.0];
        let mut p = Polytope::new(Equalities { n: 2, rows: &rows, rhs: &rhs }).unwrap();
        assert_eq!(p.range(0).unwrap(), (1.0, f64::INFINITY));
        assert_eq!(p.range(1).unwrap(), (0.0, f64::INFINITY));
        let rows = vec![vec![(0, 1.0), (1, 1.0)]];
        let rhs = [-1.0];
        assert_eq!(Polytope::new(Equalities { n: 2, rows: &rows, rhs: &rhs }).err(), Some(LpError::Infeasible));
    }
}
