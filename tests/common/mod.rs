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

// Reading the core's protocol values (the reference tests call `hrrstats::api` as the
// bindings do).
use hrrstats::protocol::{Arg, Record, Value};

/// A numeric argument owning its values.
pub fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(std::borrow::Cow::Owned(v))
}

/// A record's field, or a panic naming it.
pub fn field<'a>(r: &'a Record, k: &str) -> &'a Value {
    r.get(k).unwrap_or_else(|| panic!("no field {k}"))
}

/// The value at `path` through nested records and tables.
pub fn at<'v>(v: &'v Value, path: &[&str]) -> &'v Value {
    let mut x = v;
    for p in path {
        x = match x {
            Value::Record(r) => r.get(p).unwrap_or_else(|| panic!("no {p}")),
            Value::Table(t) => t.get(p).unwrap_or_else(|| panic!("no {p}")),
            other => panic!("{other:?}"),
        };
    }
    x
}

/// Any numeric value (scalar, vector, codes, matrix data) as f64s.
pub fn vec_of(v: &Value) -> Vec<f64> {
    match v {
        Value::Nums(x) => x.clone(),
        Value::Ints(x) => x.iter().map(|&i| i as f64).collect(),
        Value::Index(x) => x.iter().map(|&i| i as f64).collect(),
        Value::Num(x) => vec![*x],
        Value::Int(x) => vec![*x as f64],
        Value::Matrix(m) => m.data.clone(),
        other => panic!("not numbers: {other:?}"),
    }
}

/// The numbers at `path` (see [`at`]).
pub fn column(v: &Value, path: &[&str]) -> Vec<f64> {
    vec_of(at(v, path))
}

/// A method's output that is a record.
pub fn record(out: hrrstats::api::Output) -> Record {
    match out.value {
        Value::Record(r) => r,
        other => panic!("not a record: {other:?}"),
    }
}

/// A numeric argument copied from a slice.
pub fn nums_of(v: &[f64]) -> Arg<'static> {
    nums(v.to_vec())
}

/// A record argument of named numeric columns (covariates).
pub fn cols(c: &[(&str, &[f64])]) -> Arg<'static> {
    let mut a = hrrstats::protocol::Args::new();
    for (n, v) in c {
        a = a.with(n, nums_of(v));
    }
    Arg::Record(a)
}

/// A grouping argument: codes with the levels "0", "1", ..., "k-1".
pub fn codes(c: Vec<u32>, k: usize) -> Arg<'static> {
    Arg::Codes { codes: std::borrow::Cow::Owned(c), levels: (0..k).map(|i| i.to_string()).collect() }
}

/// A record argument from named arguments.
pub fn arg_record(items: Vec<(&str, Arg<'static>)>) -> Arg<'static> {
    Arg::Record(hrrstats::protocol::Args { items: items.into_iter().map(|(k, v)| (k.to_string(), v)).collect() })
}

/// A result record's `warnings`.
pub fn warnings(v: &Value) -> Vec<String> {
    match at(v, &["warnings"]) {
        Value::Strs(w) => w.clone(),
        other => panic!("warnings not strings: {other:?}"),
    }
}
