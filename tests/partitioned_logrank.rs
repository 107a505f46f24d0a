//! The log-rank (G-rho) test over parts (the engine of `hrrstats.dask.logrank_test`):
//! `logrank_partitioned` and `logrank_part_pass` give `logrank_test`'s numbers —
//! strata, rho, delayed entry, tied times — whatever the split of the rows.
use std::borrow::Cow;

mod parts;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};
use parts::*;

fn codes(c: &[u32], k: usize) -> Arg<'static> {
    Arg::Codes { codes: Cow::Owned(c.to_vec()), levels: (0..k).map(|i| format!("g{i}")).collect() }
}

struct Data {
    time: Vec<f64>,
    status: Vec<f64>,
    entry: Vec<f64>,
    group: Vec<u32>,
    stratum: Vec<u32>,
}

fn data(n: usize) -> Data {
    let mut u = uniform(424242);
    let mut d = Data { time: vec![], status: vec![], entry: vec![], group: vec![], stratum: vec![] };
    for _ in 0..n {
        let g = (u() * 3.0) as u32;
        let t = (-(u().ln()) * (30.0 + 15.0 * g as f64)).ceil();
        d.time.push(t);
        d.status.push((u() < 0.7) as u8 as f64);
        d.entry.push((u() * 0.4 * t).floor());
        d.group.push(g);
        d.stratum.push((u() * 2.0) as u32);
    }
    d
}

fn part_args(d: &Data, r: std::ops::Range<usize>, kind: &str) -> Args<'static> {
    let mut a = Args::new()
        .with("time", nums(&d.time[r.clone()]))
        .with("status", nums(&d.status[r.clone()]))
        .with("group", codes(&d.group[r.clone()], 3));
    if kind.contains("strata") {
        a = a.with("strata", codes(&d.stratum[r.clone()], 2));
    }
    if kind.contains("entry") {
        a = a.with("entry", nums(&d.entry[r]));
    }
    a
}

#[test]
fn logrank_over_parts_equals_the_in_memory_test() {
    let n = 3000;
    let d = data(n);
    let cuts = [0, 1, 1200, 1200, 2999, 3000];
    for (kind, rho) in [("plain", 0.0), ("strata", 0.0), ("strata", 1.0), ("entry", 0.5), ("entry strata", 0.0)] {
        let mem = api::call("logrank_test", &part_args(&d, 0..n, kind).with("rho", Arg::Num(rho))).unwrap().value;
        let out = api::call("logrank_partitioned", &Args::new().with("rho", Arg::Num(rho))).unwrap();
        let driver = out.fit.unwrap();
        let parts = |req: &Args<'static>| -> Vec<Args<'static>> {
            cuts.windows(2)
                .filter(|w| w[1] > w[0])
                .map(|w| {
                    let mut a = part_args(&d, w[0]..w[1], kind);
                    for (k, v) in &req.items {
                        a = a.with(k, v.clone());
                    }
                    a
                })
                .collect()
        };
        let passes = run_passes(driver.as_ref(), field(&out.value, "request").clone(), "logrank_part_pass", &parts);
        assert_eq!(passes, 2);
        let res = driver.call("result", &Args::new()).unwrap();
        for k in ["statistic", "df", "p_value"] {
            close(&numv(field(&res, k)), &numv(field(&mem, k)), 1e-10, &format!("{kind} rho {rho}: {k}"));
        }
        let (Value::Table(a), Value::Table(b)) = (field(&res, "table"), field(&mem, "table")) else { panic!() };
        for c in ["observed", "expected", "(O-E)^2/V"] {
            close(&numv(a.get(c).unwrap()), &numv(b.get(c).unwrap()), 1e-10, &format!("{kind}: {c}"));
        }
        close(&numv(field(&res, "variance")), &numv(field(&mem, "variance")), 1e-10, &format!("{kind}: variance"));
    }
}

#[test]
fn bad_parts_name_the_argument() {
    let d = data(20);
    let e = api::call("logrank_part_pass", &part_args(&d, 0..20, "plain").with("pass", Arg::Str("x".into()))).err().unwrap().message(0);
    assert!(e.starts_with("argument `pass`: unknown value"), "{e}");
    let e = api::call("logrank_partitioned", &Args::new().with("rho", Arg::Num(f64::NAN))).err().unwrap().message(0);
    assert!(e.starts_with("argument `rho`"), "{e}");
}
