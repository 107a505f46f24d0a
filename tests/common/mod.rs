//! Helpers shared by the reference tests: a small CSV reader and the comparison rule.
#![allow(dead_code)]
use std::collections::HashMap;
use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/reference/fixtures")
}

/// A CSV file as columns of strings (no quoting: the generator writes none).
pub struct Table {
    pub names: Vec<String>,
    pub cols: HashMap<String, Vec<String>>,
    pub nrow: usize,
}

impl Table {
    pub fn read(name: &str) -> Table {
        let path = fixtures().join(name);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let names: Vec<String> = lines
            .next()
            .expect("header")
            .split(',')
            .map(|s| s.to_string())
            .collect();
        let mut cols: HashMap<String, Vec<String>> =
            names.iter().map(|n| (n.clone(), Vec::new())).collect();
        let mut nrow = 0;
        for line in lines {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), names.len(), "{name}: ragged row {line}");
            for (n, f) in names.iter().zip(fields) {
                cols.get_mut(n).unwrap().push(f.to_string());
            }
            nrow += 1;
        }
        Table { names, cols, nrow }
    }
    pub fn str(&self, col: &str) -> &[String] {
        self.cols
            .get(col)
            .unwrap_or_else(|| panic!("no column {col}"))
    }
    /// A numeric column; "NA" becomes NaN.
    pub fn num(&self, col: &str) -> Vec<f64> {
        self.str(col)
            .iter()
            .map(|s| {
                if s == "NA" {
                    f64::NAN
                } else {
                    s.parse().unwrap_or_else(|_| panic!("{col}: {s}"))
                }
            })
            .collect()
    }
    /// A column of integer codes 1..k as 0-based u32 codes.
    pub fn codes(&self, col: &str) -> (Vec<u32>, usize) {
        let v: Vec<u32> = self.num(col).iter().map(|&x| x as u32 - 1).collect();
        let k = *v.iter().max().unwrap() as usize + 1;
        (v, k)
    }
}

/// Relative tolerance of the reference comparisons (the foundation issue asks 1e-8).
pub const RTOL: f64 = 1e-8;
/// Absolute floor for values that are exactly zero in one implementation.
pub const ATOL: f64 = 1e-14;

/// Assert `ours` equals the anchor's `theirs` (NaN matches NA) element by element.
pub fn assert_close(what: &str, ours: &[f64], theirs: &[f64]) {
    assert_close_tol(what, ours, theirs, RTOL)
}

/// As [`assert_close`] with relative tolerance `rtol` (tighter where an issue asks).
pub fn assert_close_tol(what: &str, ours: &[f64], theirs: &[f64], rtol: f64) {
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{what}: {} values, anchor has {}",
        ours.len(),
        theirs.len()
    );
    for (i, (&a, &b)) in ours.iter().zip(theirs).enumerate() {
        let ok = if b.is_nan() || a.is_nan() {
            a.is_nan() && b.is_nan()
        } else if b.is_infinite() || a.is_infinite() {
            a == b
        } else {
            (a - b).abs() <= rtol * b.abs() + ATOL
        };
        assert!(ok, "{what}[{i}]: ours {a:e}, anchor {b:e}");
    }
}

/// As [`assert_close`], for a vector whose entries may cancel to zero (residuals): the
/// absolute floor is `RTOL * 1e-4` times the largest magnitude in the anchor's vector
/// (1e-12 relative to that scale) rather than `ATOL`, so cancellation noise in an entry that is zero in exact arithmetic
/// (e.g. 1.4e-14 in a column of values near 100) is not mistaken for a difference.
pub fn assert_close_scaled(what: &str, ours: &[f64], theirs: &[f64]) {
    let scale = theirs
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    assert_eq!(
        ours.len(),
        theirs.len(),
        "{what}: {} values, anchor has {}",
        ours.len(),
        theirs.len()
    );
    for (i, (&a, &b)) in ours.iter().zip(theirs).enumerate() {
        let ok = if a.is_nan() || b.is_nan() {
            a.is_nan() && b.is_nan()
        } else {
            (a - b).abs() <= RTOL * (b.abs() + scale * 1e-4)
        };
        assert!(
            ok,
            "{what}[{i}]: ours {a:e}, anchor {b:e} (scale {scale:e})"
        );
    }
}
