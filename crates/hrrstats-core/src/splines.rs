//! Restricted (natural) cubic spline bases, as used by the Royston–Parmar models
//! (Royston & Parmar 2002; Stata's `rcsgen`, rstpm2's `nsx`) and shared by any model with
//! a smooth term (e.g. age–period–cohort).
//!
//! With boundary knots `k_min < k_max` and interior knots `k_1 < ... < k_m`, the basis is
//! `v_0(x) = x` and, for each interior knot,
//!
//! `v_j(x) = (x − k_j)_+³ − λ_j (x − k_min)_+³ − (1 − λ_j)(x − k_max)_+³`,
//! `λ_j = (k_max − k_j)/(k_max − k_min)`,
//!
//! a cubic spline linear beyond the boundary knots: with a constant, the same function
//! space as `splines::ns(x, knots, Boundary.knots)` (the basis differs, the fitted
//! functions do not). For conditioning, `x` is first mapped to `(x − k_min)/(k_max − k_min)`
//! and the columns are orthogonalised (Gram–Schmidt with a constant, over the values the
//! basis is built on: Stata's `orthog`), a linear map kept for later evaluations.

use crate::error::{Error, Result};

/// A restricted cubic spline basis with `df = interior knots + 1` columns.
#[derive(Debug, Clone)]
pub struct Rcs {
    /// Boundary knots (on the scale of `x`).
    pub boundary: [f64; 2],
    /// Interior knots (on the scale of `x`), increasing.
    pub interior: Vec<f64>,
    /// `(df + 1)²` row-major: the orthogonalised column `j` is `Σ_k u_k t[k][j + 1]`,
    /// `u = (1, v_0, ..., v_{df−1})` of the scaled `x` (identity when not orthogonalised).
    transform: Vec<f64>,
}

/// Type-7 quantile (R's default) of sorted values.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Default knots for `df` columns (rstpm2/stpm2): boundary knots at the extremes of `x`,
/// `df − 1` interior knots at its centiles `100 j / df` (type-7 quantiles).
pub fn default_knots(x: &[f64], df: usize) -> (Vec<f64>, [f64; 2]) {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let interior = (1..df).map(|j| quantile_sorted(&s, j as f64 / df as f64)).collect();
    (interior, [s[0], s[s.len() - 1]])
}

/// Type-7 quantile of sorted values in R's own arithmetic (`quantile.default`:
/// `(1 − h) x[lo] + h x[hi]`, the index `1 + (n − 1) p`), for knots that must equal R's
/// to the last bit.
pub fn quantile_type7(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    let index = (n - 1) as f64 * p;
    let lo = index.floor();
    let (xlo, xhi) = (sorted[lo as usize], sorted[(index.ceil() as usize).min(n - 1)]);
    let h = index - lo;
    if h > 0.0 && xhi != xlo {
        (1.0 - h) * xlo + h * xhi
    } else {
        xlo
    }
}

/// The truncated-power basis of the splines of `degree` with these interior and
/// boundary knots, without the constant: `s, ..., s^degree, (s − k_j)_+^degree` of
/// `s = (x − b_0)/(b_1 − b_0)`; the same space as `splines::bs(x, knots, Boundary.knots,
/// degree)` (zero at the left boundary knot, polynomial beyond the boundaries).
/// Column-major: `degree + interior.len()` columns of `x.len()` rows.
pub fn truncated_power_basis(x: &[f64], interior: &[f64], boundary: [f64; 2], degree: usize) -> Vec<Vec<f64>> {
    let r = boundary[1] - boundary[0];
    let ks: Vec<f64> = interior.iter().map(|k| (k - boundary[0]) / r).collect();
    let mut cols = vec![Vec::with_capacity(x.len()); degree + ks.len()];
    for &v in x {
        let s = (v - boundary[0]) / r;
        let mut pw = 1.0;
        for col in cols.iter_mut().take(degree) {
            pw *= s;
            col.push(pw);
        }
        for (j, k) in ks.iter().enumerate() {
            let t = (s - k).max(0.0);
            cols[degree + j].push(t.powi(degree as i32));
        }
    }
    cols
}

impl Rcs {
    /// The basis with these knots (checked: finite, interior strictly inside the
    /// boundary, increasing); `arg` names the knots in errors.
    pub fn new(interior: Vec<f64>, boundary: [f64; 2], arg: &'static str) -> Result<Rcs> {
        if !(boundary[0].is_finite() && boundary[1].is_finite() && boundary[0] < boundary[1]) {
            return Err(Error::InvalidArgument {
                arg,
                reason: format!(
                    "the boundary knots must be finite and increasing, got {} and {} (are \
                     there at least two distinct event times?)",
                    boundary[0], boundary[1]
                ),
            });
        }
        for (j, &k) in interior.iter().enumerate() {
            if !(k > boundary[0] && k < boundary[1]) || (j > 0 && k <= interior[j - 1]) {
                return Err(Error::InvalidArgument {
                    arg,
                    reason: format!(
                        "interior knots must increase strictly between the boundary knots \
                         ({}, {}); knot {} is {k}",
                        boundary[0],
                        boundary[1],
                        j + 1
                    ),
                });
            }
        }
        let d = interior.len() + 2;
        let mut transform = vec![0.0; d * d];
        for j in 0..d {
            transform[j * d + j] = 1.0;
        }
        Ok(Rcs { boundary, interior, transform })
    }

    /// Number of columns.
    pub fn df(&self) -> usize {
        self.interior.len() + 1
    }

    /// The unorthogonalised values `u = (1, v_0, ...)` and derivatives in `x` at `x`.
    fn raw(&self, x: f64, u: &mut [f64], du: &mut [f64]) {
        let [k0, k1] = self.boundary;
        let r = k1 - k0;
        let s = (x - k0) / r;
        u[0] = 1.0;
        du[0] = 0.0;
        u[1] = s;
        du[1] = 1.0 / r;
        let c = |v: f64| if v > 0.0 { (v * v * v, 3.0 * v * v) } else { (0.0, 0.0) };
        let (p0, d0) = c(s);
        let (p1, d1) = c(s - 1.0);
        for (j, &k) in self.interior.iter().enumerate() {
            let kj = (k - k0) / r;
            let lam = 1.0 - kj;
            let (pj, dj) = c(s - kj);
            u[j + 2] = pj - lam * p0 - (1.0 - lam) * p1;
            du[j + 2] = (dj - lam * d0 - (1.0 - lam) * d1) / r;
        }
    }

    /// The basis (`df` values) and its derivative in `x` at `x`, written to `b`, `db`.
    pub fn eval(&self, x: f64, b: &mut [f64], db: &mut [f64]) {
        let d = self.df() + 1;
        let mut u = [0.0; 32];
        let mut du = [0.0; 32];
        self.raw(x, &mut u[..d], &mut du[..d]);
        for j in 1..d {
            let (mut v, mut dv) = (0.0, 0.0);
            for k in 0..=j {
                let t = self.transform[k * d + j];
                v += u[k] * t;
                dv += du[k] * t;
            }
            b[j - 1] = v;
            db[j - 1] = dv;
        }
    }

    /// Orthogonalise the columns over the values `x` (with a constant, in order: the
    /// constant, then each column in turn), as Stata's `orthog`.
    pub fn orthogonalise(&mut self, x: &[f64]) {
        let d = self.df() + 1;
        // Gram matrix of u over x
        let mut g = vec![0.0; d * d];
        let (mut u, mut du) = (vec![0.0; d], vec![0.0; d]);
        for &v in x {
            self.raw(v, &mut u, &mut du);
            for a in 0..d {
                for b in a..d {
                    g[a * d + b] += u[a] * u[b];
                }
            }
        }
        let n = x.len() as f64;
        for a in 0..d {
            for b in a..d {
                g[a * d + b] /= n;
                g[b * d + a] = g[a * d + b];
            }
        }
        // Cholesky G = R'R (R upper), then transform = R⁻¹ (upper triangular)
        let mut r = vec![0.0; d * d];
        for j in 0..d {
            let mut s = g[j * d + j];
            for k in 0..j {
                s -= r[k * d + j] * r[k * d + j];
            }
            if s <= 1e-14 * g[j * d + j].max(1e-300) {
                return; // (numerically) dependent columns: keep the identity
            }
            r[j * d + j] = s.sqrt();
            for i in j + 1..d {
                let mut s = g[j * d + i];
                for k in 0..j {
                    s -= r[k * d + j] * r[k * d + i];
                }
                r[j * d + i] = s / r[j * d + j];
            }
        }
        let mut inv = vec![0.0; d * d];
        for j in 0..d {
            inv[j * d + j] = 1.0 / r[j * d + j];
            for i in (0..j).rev() {
                let mut s = 0.0;
                for k in i + 1..=j {
                    s += r[i * d + k] * inv[k * d + j];
                }
                inv[i * d + j] = -s / r[i * d + i];
            }
        }
        self.transform = inv;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basis_is_natural_and_derivative_matches() {
        let mut s = Rcs::new(vec![0.5, 1.0, 2.0], [0.0, 3.0], "knots").unwrap();
        s.orthogonalise(&[0.1, 0.3, 0.7, 1.2, 1.9, 2.2, 2.8, 3.0]);
        let df = s.df();
        let (mut b, mut db) = (vec![0.0; df], vec![0.0; df]);
        let (mut b1, mut b2) = (vec![0.0; df], vec![0.0; df]);
        for &x in &[-1.0, 0.2, 0.9, 1.5, 2.5, 4.0] {
            s.eval(x, &mut b, &mut db);
            let h = 1e-6;
            s.eval(x + h, &mut b1, &mut db.clone());
            s.eval(x - h, &mut b2, &mut db.clone());
            s.eval(x, &mut b, &mut db);
            for j in 0..df {
                assert!(((b1[j] - b2[j]) / (2.0 * h) - db[j]).abs() < 1e-6);
            }
        }
        // linear beyond the boundary: second differences vanish
        let f = |x: f64| {
            let (mut b, mut db) = (vec![0.0; df], vec![0.0; df]);
            s.eval(x, &mut b, &mut db);
            b
        };
        let (a, m, c) = (f(4.0), f(5.0), f(6.0));
        for j in 0..df {
            assert!((a[j] - 2.0 * m[j] + c[j]).abs() < 1e-9);
        }
    }

    #[test]
    fn quantile_type7_is_rs() {
        // R: quantile(c(1, 2, 4, 8), c(0, 0.1, 0.5, 0.9, 1)) = 1, 1.3, 3, 6.8, 8
        let s = [1.0, 2.0, 4.0, 8.0];
        let q: Vec<f64> = [0.0, 0.1, 0.5, 0.9, 1.0].iter().map(|&p| quantile_type7(&s, p)).collect();
        for (a, b) in q.iter().zip([1.0, 1.3, 3.0, 6.8, 8.0]) {
            assert!((a - b).abs() < 1e-14, "{a} vs {b}");
        }
    }

    #[test]
    fn truncated_power_basis_is_a_spline_of_its_degree() {
        let x = [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0];
        let b = truncated_power_basis(&x, &[1.0, 2.0], [0.0, 4.0], 3);
        assert_eq!(b.len(), 5);
        // zero at the left boundary knot; (s - 1/4)_+^3 vanishes left of its knot
        assert!(b.iter().all(|c| c[1] == 0.0));
        assert_eq!(b[3][3], 0.0);
        assert!((b[3][4] - 0.25f64.powi(3)).abs() < 1e-15);
        let l = truncated_power_basis(&x, &[2.0], [0.0, 4.0], 1);
        assert_eq!(l.len(), 2);
        assert!((l[1][6] - 0.5).abs() < 1e-15 && l[1][4] == 0.0);
    }

    #[test]
    fn default_knots_are_centiles() {
        let (i, b) = default_knots(&[1.0, 2.0, 3.0, 4.0, 5.0], 4);
        assert_eq!(b, [1.0, 5.0]);
        assert_eq!(i, vec![2.0, 3.0, 4.0]);
    }
}
