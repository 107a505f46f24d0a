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

/// A seeded xorshift generator of uniform numbers in [0, 1) (the partitioned tests'
/// synthetic data: the same rows on every machine).
pub fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A synthetic relative-survival cohort of `n` persons (columns time in days, status,
/// age, year, sex, age group 0..2), censored uniformly up to `censor_max` days.
pub fn relsurv_cohort(n: usize, seed: u64, censor_max: f64) -> Vec<Vec<f64>> {
    let mut u = uniform(seed);
    let (mut time, mut status, mut age, mut year, mut sex, mut group) = (vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let a = 40.0 + 45.0 * u();
        let t = (-(u().ln()) * 2500.0 * (1.0 - (a - 40.0) / 100.0)).ceil();
        let c = (u() * censor_max).ceil();
        time.push(t.min(c));
        status.push((t <= c) as u8 as f64);
        age.push(a);
        year.push(1985.0 + 20.0 * u());
        sex.push((u() < 0.5) as u8 as f64);
        group.push(((a - 40.0) / 15.0).floor().min(2.0));
    }
    vec![time, status, age, year, sex, group]
}

/// Rows `r` of a [`relsurv_cohort`] as arguments, its age groups as the codes `group`.
pub fn relsurv_persons(c: &[Vec<f64>], r: std::ops::Range<usize>, group: &str) -> Args<'static> {
    let g: Vec<u32> = c[5][r.clone()].iter().map(|&v| v as u32).collect();
    Args::new()
        .with("time", nums(&c[0][r.clone()]))
        .with("status", nums(&c[1][r.clone()]))
        .with("age", nums(&c[2][r.clone()]))
        .with("year", nums(&c[3][r.clone()]))
        .with("sex", nums(&c[4][r]))
        .with(group, Arg::Codes { codes: std::borrow::Cow::Owned(g), levels: vec!["40".into(), "55".into(), "70+".into()] })
}
