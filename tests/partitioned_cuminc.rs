//! Cumulative incidence over parts (the engine of `hrrstats.dask.cumulative_incidence`):
//! each part is reduced to its distinct (group, entry, time, cause) rows with the sum of
//! their weights (and of their squared weights), the parts' rows are merged the same
//! way, and `cumulative_incidence` on the merged table gives the in-memory curves and
//! both variances — cmprsk's delta method and survfit's infinitesimal jackknife (IJ),
//! whose per-row influence is shared by rows with the same group, entry, exit and cause,
//! so that a merged row enters with its rows' `Σ w²` (frequency weights: `Σ 1 = w`).
use std::borrow::Cow;
use std::collections::BTreeMap;

mod parts;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};
use parts::*;

fn codes(c: &[u32], k: usize) -> Arg<'static> {
    Arg::Codes { codes: Cow::Owned(c.to_vec()), levels: (0..k).map(|i| format!("g{i}")).collect() }
}

struct Data {
    time: Vec<f64>,
    cause: Vec<f64>,
    entry: Vec<f64>,
    group: Vec<u32>,
    weight: Vec<f64>,
}

fn data(n: usize) -> Data {
    let mut u = uniform(8675309);
    let mut d = Data { time: vec![], cause: vec![], entry: vec![], group: vec![], weight: vec![] };
    for _ in 0..n {
        let g = (u() * 3.0) as u32;
        let t = (-(u().ln()) * (20.0 + 10.0 * g as f64)).ceil(); // ties
        d.time.push(t);
        let v = u();
        d.cause.push(if v < 0.3 { 0.0 } else if v < 0.7 { 1.0 } else { 2.0 });
        d.entry.push(((u() * 0.5 * t).floor()).min(t - 1.0));
        d.group.push(g);
        d.weight.push(0.5 + (u() * 4.0).floor() * 0.25);
    }
    d
}

/// The rows `r` merged by (group, entry, time, cause): sums of weights and squared weights.
fn merge(d: &Data, rows: &[usize], weighted: bool) -> (Data, Vec<f64>) {
    let mut m: BTreeMap<(u32, u64, u64, u64), (f64, f64)> = BTreeMap::new();
    for &i in rows {
        let w = if weighted { d.weight[i] } else { 1.0 };
        let e = m.entry((d.group[i], d.entry[i].to_bits(), d.time[i].to_bits(), d.cause[i].to_bits())).or_default();
        e.0 += w;
        e.1 += w * w;
    }
    let mut out = Data { time: vec![], cause: vec![], entry: vec![], group: vec![], weight: vec![] };
    let mut w2 = Vec::new();
    for ((g, e, t, c), (w, ww)) in m {
        out.group.push(g);
        out.entry.push(f64::from_bits(e));
        out.time.push(f64::from_bits(t));
        out.cause.push(f64::from_bits(c));
        out.weight.push(w);
        w2.push(ww);
    }
    (out, w2)
}

fn args(d: &Data, entry: bool, variance: &str) -> Args<'static> {
    let mut a = Args::new()
        .with("time", nums(&d.time))
        .with("cause", nums(&d.cause))
        .with("group", codes(&d.group, 3))
        .with("variance", Arg::Str(variance.into()));
    if entry {
        a = a.with("entry", nums(&d.entry));
    }
    a
}

fn table_col(v: &Value, c: &str) -> Vec<f64> {
    let Value::Table(t) = field(v, "table") else { panic!("a table") };
    numv(t.get(c).unwrap())
}

#[test]
fn merged_parts_give_the_in_memory_curves_and_variances() {
    let n = 2500;
    let d = data(n);
    let idx: Vec<usize> = (0..n).collect();
    for entry in [false, true] {
        for variance in ["survfit", "cuminc"] {
            // unweighted: the parts' counts as frequency weights
            let mem = api::call("cumulative_incidence", &args(&d, entry, variance)).unwrap().value;
            let (m1, _) = merge(&d, &idx[..900], false);
            let (m2, _) = merge(&d, &idx[900..], false);
            let mut both: Vec<usize> = Vec::new();
            let mut all = Data { time: vec![], cause: vec![], entry: vec![], group: vec![], weight: vec![] };
            for m in [&m1, &m2] {
                for i in 0..m.time.len() {
                    all.time.push(m.time[i]);
                    all.cause.push(m.cause[i]);
                    all.entry.push(m.entry[i]);
                    all.group.push(m.group[i]);
                    all.weight.push(m.weight[i]);
                    both.push(both.len());
                }
            }
            let (merged, _) = merge_weighted(&all, &both);
            let par = api::call(
                "cumulative_incidence",
                &args(&merged, entry, variance)
                    .with("weights", nums(&merged.weight))
                    .with("frequency_weights", Arg::Bool(true)),
            )
            .unwrap()
            .value;
            for c in ["time", "n_risk", "n_event", "estimate", "variance", "std_err", "lower", "upper"] {
                close(&table_col(&par, c), &table_col(&mem, c), 1e-10, &format!("entry {entry} {variance}: {c}"));
            }
            // case weights: the merged rows with Σw and Σw²
            let mem = api::call("cumulative_incidence", &args(&d, entry, variance).with("weights", nums(&d.weight)))
                .unwrap()
                .value;
            let (m, w2) = merge(&d, &idx, true);
            let par = api::call(
                "cumulative_incidence",
                &args(&m, entry, variance).with("weights", nums(&m.weight)).with("weights_squared", nums(&w2)),
            )
            .unwrap()
            .value;
            for c in ["time", "n_risk", "estimate", "variance", "lower", "upper"] {
                close(&table_col(&par, c), &table_col(&mem, c), 1e-10, &format!("weighted, entry {entry} {variance}: {c}"));
            }
        }
    }
}

/// Merge rows that already carry weights (the parts' tables): sums of their weights.
fn merge_weighted(d: &Data, rows: &[usize]) -> (Data, Vec<f64>) {
    let mut m: BTreeMap<(u32, u64, u64, u64), f64> = BTreeMap::new();
    for &i in rows {
        *m.entry((d.group[i], d.entry[i].to_bits(), d.time[i].to_bits(), d.cause[i].to_bits())).or_default() +=
            d.weight[i];
    }
    let mut out = Data { time: vec![], cause: vec![], entry: vec![], group: vec![], weight: vec![] };
    for ((g, e, t, c), w) in m {
        out.group.push(g);
        out.entry.push(f64::from_bits(e));
        out.time.push(f64::from_bits(t));
        out.cause.push(f64::from_bits(c));
        out.weight.push(w);
    }
    (out, Vec::new())
}

#[test]
fn frequency_weights_give_the_expanded_data_ij_variance() {
    // a row of weight 3 is three rows of weight 1: Σ w² = 3, not 9
    let time = [1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let cause = [1.0, 2.0, 0.0, 1.0, 1.0, 0.0, 2.0];
    let w = [3.0, 1.0, 2.0, 1.0, 4.0, 1.0, 2.0];
    let mut et = Vec::new();
    let mut ec = Vec::new();
    for i in 0..time.len() {
        for _ in 0..w[i] as usize {
            et.push(time[i]);
            ec.push(cause[i]);
        }
    }
    let v = |a: Args<'static>| table_col(&api::call("cumulative_incidence", &a).unwrap().value, "variance");
    let base = |t: &[f64], c: &[f64]| {
        Args::new().with("time", nums(t)).with("cause", nums(c)).with("variance", Arg::Str("survfit".into()))
    };
    let expanded = v(base(&et, &ec));
    let freq = v(base(&time, &cause).with("weights", nums(&w)).with("frequency_weights", Arg::Bool(true)));
    close(&freq, &expanded, 1e-12, "frequency weights");
    // case weights are not copies: Σ w² = 9 for the first row, a larger variance
    let case = v(base(&time, &cause).with("weights", nums(&w)));
    assert!(case.iter().zip(&expanded).any(|(a, b)| a > &(b * 1.01)), "{case:?} vs {expanded:?}");
    // weights_squared must come with weights, finite and non-negative
    let e = api::call("cumulative_incidence", &base(&time, &cause).with("weights_squared", nums(&w)))
        .err()
        .unwrap()
        .message(0);
    assert!(e.starts_with("argument `weights_squared`"), "{e}");
    let mut bad = w;
    bad[2] = -1.0;
    let e = api::call(
        "cumulative_incidence",
        &base(&time, &cause).with("weights", nums(&w)).with("weights_squared", nums(&bad)),
    )
    .err()
    .unwrap()
    .message(0);
    assert!(e.starts_with("argument `weights_squared`") && e.contains("at row 2"), "{e}");
}
