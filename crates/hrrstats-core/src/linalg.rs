//! Small dense kernels for p x p systems (p = number of covariates).
//!
//! `cholesky2`, `chsolve2` and `chinv2` reproduce the generalised Cholesky routines of
//! R's survival package (Therneau): an LDL' factorisation that sets a pivot to zero
//! when it falls below `toler` times the largest diagonal element, so collinear
//! (aliased) columns get a zero row and column in the inverse and a zero step. Their
//! tolerance rule decides which coefficients survival reports as NA, which is why they
//! are ported here rather than taken from nalgebra, whose Cholesky rejects
//! semi-definite matrices. Matrices are `n x n`, `m[i * n + j]`; the input is read from
//! the upper triangle (`i <= j`).

/// Factorise in place; returns the rank (negative if the matrix is not
/// non-negative definite).
pub(crate) fn cholesky2(m: &mut [f64], n: usize, toler: f64) -> i64 {
    let mut eps: f64 = 0.0;
    for i in 0..n {
        if m[i * n + i] > eps {
            eps = m[i * n + i];
        }
        for j in (i + 1)..n {
            m[j * n + i] = m[i * n + j];
        }
    }
    eps = if eps == 0.0 { toler } else { eps * toler };
    let mut rank = 0i64;
    let mut nonneg = 1i64;
    for i in 0..n {
        let pivot = m[i * n + i];
        if !pivot.is_finite() || pivot < eps {
            m[i * n + i] = 0.0;
            if pivot < -8.0 * eps {
                nonneg = -1;
            }
        } else {
            rank += 1;
            for j in (i + 1)..n {
                let temp = m[j * n + i] / pivot;
                m[j * n + i] = temp;
                m[j * n + j] -= temp * temp * pivot;
                for k in (j + 1)..n {
                    m[k * n + j] -= temp * m[k * n + i];
                }
            }
        }
    }
    rank * nonneg
}

/// Solve with the factor from [`cholesky2`]; `y` is replaced by the solution (zero in
/// singular positions).
pub(crate) fn chsolve2(m: &[f64], n: usize, y: &mut [f64]) {
    for i in 0..n {
        let mut temp = y[i];
        for j in 0..i {
            temp -= y[j] * m[i * n + j];
        }
        y[i] = temp;
    }
    for i in (0..n).rev() {
        if m[i * n + i] == 0.0 {
            y[i] = 0.0;
        } else {
            let mut temp = y[i] / m[i * n + i];
            for j in (i + 1)..n {
                temp -= y[j] * m[j * n + i];
            }
            y[i] = temp;
        }
    }
}

/// Invert from the factor of [`cholesky2`], then symmetrise: the result is the full
/// (generalised) inverse, zero rows and columns for singular positions.
pub(crate) fn chinv2(m: &mut [f64], n: usize) {
    for i in 0..n {
        if m[i * n + i] > 0.0 {
            m[i * n + i] = 1.0 / m[i * n + i];
            for j in (i + 1)..n {
                m[j * n + i] = -m[j * n + i];
                for k in 0..i {
                    m[j * n + k] += m[j * n + i] * m[i * n + k];
                }
            }
        }
    }
    for i in 0..n {
        if m[i * n + i] == 0.0 {
            for j in 0..i {
                m[j * n + i] = 0.0;
            }
            for j in i..n {
                m[i * n + j] = 0.0;
            }
        } else {
            for j in (i + 1)..n {
                let temp = m[j * n + i] * m[j * n + j];
                if j != i {
                    m[i * n + j] = temp;
                }
                for k in i..j {
                    m[i * n + k] += temp * m[j * n + k];
                }
            }
        }
    }
    // The inverse is in the upper triangle; mirror it.
    for i in 0..n {
        for j in 0..i {
            m[i * n + j] = m[j * n + i];
        }
    }
}

/// `b' V⁻ b` with the generalised inverse of [`cholesky2`] (survival's `coxph.wtest`).
pub(crate) fn quadratic_form_inverse(v: &[f64], n: usize, b: &[f64], toler: f64) -> f64 {
    quadratic_form_ranked(v, n, b, toler).0
}

/// `b' V⁻ b` as [`quadratic_form_inverse`] and the rank of `V`; callers that need a
/// full-rank `V` (a test whose variance must be invertible) check the rank.
pub(crate) fn quadratic_form_ranked(v: &[f64], n: usize, b: &[f64], toler: f64) -> (f64, usize) {
    let mut m = v.to_vec();
    let rank = cholesky2(&mut m, n, toler).max(0) as usize;
    let mut y = b.to_vec();
    chsolve2(&m, n, &mut y);
    (y.iter().zip(b).map(|(a, b)| a * b).sum(), rank)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_spd_matrix() {
        let a = [4.0, 2.0, 0.6, 2.0, 3.0, 0.4, 0.6, 0.4, 2.0];
        let mut m = a.to_vec();
        assert_eq!(cholesky2(&mut m, 3, 1e-12), 3);
        chinv2(&mut m, 3);
        for i in 0..3 {
            for j in 0..3 {
                let v: f64 = (0..3).map(|k| a[i * 3 + k] * m[k * 3 + j]).sum();
                assert!(
                    (v - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12,
                    "{i},{j}: {v}"
                );
            }
        }
    }

    #[test]
    fn collinear_column_is_zeroed() {
        // Third column = first + second.
        let a = [2.0, 1.0, 3.0, 1.0, 2.0, 3.0, 3.0, 3.0, 6.0];
        let mut m = a.to_vec();
        assert_eq!(cholesky2(&mut m, 3, 1e-9), 2);
        chinv2(&mut m, 3);
        assert_eq!(m[8], 0.0);
        assert_eq!(m[2], 0.0);
        assert!((m[0] - 2.0 / 3.0).abs() < 1e-12);
    }
}

/// The sandwich `B M B` of `n x n` row-major matrices (`B` symmetric: a variance or an
/// inverse information; `M` the meat).
pub(crate) fn sandwich(bread: &[f64], meat: &[f64], n: usize) -> Vec<f64> {
    let mut t1 = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            t1[i * n + j] = (0..n).map(|k| bread[i * n + k] * meat[k * n + j]).sum();
        }
    }
    let mut out = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            out[i * n + j] = (0..n).map(|k| t1[i * n + k] * bread[k * n + j]).sum();
        }
    }
    out
}
