//! Helpers of the tests of fits over parts (`partitioned_*.rs`): results passed back as
//! arguments (as a binding does), fields of records, closeness.
#![allow(dead_code)]
use std::borrow::Cow;

use hrrstats::protocol::{Arg, Args, Value};

pub fn nums(v: &[f64]) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v.to_vec()))
}

/// A result value passed back as an argument (as a binding does).
pub fn arg(v: &Value) -> Arg<'static> {
    match v {
        Value::Null => Arg::Null,
        Value::Bool(b) => Arg::Bool(*b),
        Value::Int(i) => Arg::Num(*i as f64),
        Value::Num(x) => Arg::Num(*x),
        Value::Str(s) => Arg::Str(s.clone()),
        Value::Strs(s) => Arg::Strs(s.clone()),
        Value::Nums(x) => nums(x),
        Value::List(v) => Arg::List(v.iter().map(arg).collect()),
        Value::Record(r) => {
            let mut a = Args::new();
            for (k, v) in &r.fields {
                a = a.with(k, arg(v));
            }
            Arg::Record(a)
        }
        other => panic!("unexpected {other:?}"),
    }
}

pub fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    match v {
        Value::Record(r) => r.get(name).unwrap_or_else(|| panic!("no {name}")),
        _ => panic!("not a record"),
    }
}

pub fn numv(v: &Value) -> Vec<f64> {
    match v {
        Value::Nums(x) => x.clone(),
        Value::Num(x) => vec![*x],
        Value::Int(i) => vec![*i as f64],
        Value::Ints(v) => v.iter().map(|&i| i as f64).collect(),
        Value::Index(v) => v.iter().map(|&i| i as f64).collect(),
        Value::Matrix(m) => m.data.clone(),
        other => panic!("not numbers: {other:?}"),
    }
}

pub fn close(a: &[f64], b: &[f64], tol: f64, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x.is_nan() && y.is_nan()) || (x - y).abs() <= tol * y.abs().max(1.0),
            "{what}: {x} vs {y} ({a:?} vs {b:?})"
        );
    }
}


/// Run a driver's passes to the end: `part_args(request)` gives, for a request record,
/// the arguments of every part's pass (`method`); returns the number of passes.
pub fn run_passes(
    driver: &dyn hrrstats::api::Fitted,
    first: Value,
    method: &str,
    part_args: &dyn Fn(&Args<'static>) -> Vec<Args<'static>>,
) -> usize {
    let mut req = first;
    let mut passes = 0;
    while req != Value::Null {
        passes += 1;
        let Arg::Record(r) = arg(&req) else { panic!("a request record") };
        let parts: Vec<Arg> = part_args(&r)
            .iter()
            .map(|a| arg(&hrrstats::api::call(method, a).unwrap_or_else(|e| panic!("{}", e.message(0))).value))
            .collect();
        let step = driver.call("step", &Args::new().with("parts", Arg::List(parts))).unwrap_or_else(|e| panic!("{}", e.message(0)));
        req = field(&step, "request").clone();
        assert!(passes < 200);
    }
    passes
}
