//! Interval (life-table) net survival over parts (the engine of
//! `hrrstats.dask.interval_net_survival`): the parts' sums (`interval_part_pass`) added
//! by the driver (`interval_partitioned`) give the in-memory `interval_net_survival`'s
//! table, its age standardisation and its values at times, whatever the split.

mod parts;
use parts::*;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

fn cohort(n: usize) -> Vec<Vec<f64>> {
    relsurv_cohort(n, 4242, 4000.0)
}

fn persons(c: &[Vec<f64>], r: std::ops::Range<usize>) -> Args<'static> {
    relsurv_persons(c, r, "group")
}

fn options(method: &str) -> Args<'static> {
    Args::new()
        .with("ratetable", Arg::Record(Args::new().with("name", Arg::Str("survexp.us".into()))))
        .with("breaks", nums(&[0.0, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0]))
        .with("method", Arg::Str(method.into()))
}

#[test]
fn interval_tables_over_parts_equal_the_in_memory_table() {
    let n = 3000;
    let c = cohort(n);
    for method in ["pohar-perme", "ederer2"] {
        let mut whole = persons(&c, 0..n);
        for (k, v) in options(method).items {
            whole = whole.with(&k, v);
        }
        let out = api::call("interval_net_survival", &whole).unwrap();
        let (mem, mem_fit) = (out.value, out.fit.unwrap());
        let d = api::call("interval_partitioned", &options(method)).unwrap();
        let driver = d.fit.unwrap();
        let passes = run_passes(driver.as_ref(), field(&d.value, "request").clone(), "interval_part_pass", &|q: &Args<'static>| {
            [0..1, 1..1000, 1000..1001, 1001..3000]
                .into_iter()
                .map(|r| {
                    let mut a = persons(&c, r);
                    for (k, v) in options(method).items.into_iter().chain(q.items.clone()) {
                        a = a.with(&k, v);
                    }
                    a
                })
                .collect()
        });
        assert_eq!(passes, 1);
        let par = driver.call("result", &Args::new()).unwrap();
        let (Value::Table(tp), Value::Table(tm)) = (field(&par, "table"), field(&mem, "table")) else { panic!() };
        assert_eq!(tp.columns.len(), tm.columns.len());
        for (name, col) in &tm.columns {
            close(&numv(tp.get(name).unwrap()), &numv(col), 1e-12, &format!("{method}: {name}"));
        }
        close(&numv(field(&par, "n")), &numv(field(&mem, "n")), 0.0, "n");
        for (op, args) in [
            ("age_standardized", Args::new().with("weights", nums(&[0.3, 0.5, 0.2]))),
            ("at", Args::new().with("times", nums(&[0.7, 2.0, 6.0]))),
        ] {
            let (Value::Table(a), Value::Table(b)) = (driver.call(op, &args).unwrap(), mem_fit.call(op, &args).unwrap()) else { panic!() };
            for (name, col) in &b.columns {
                close(&numv(a.get(name).unwrap()), &numv(col), 1e-12, &format!("{method} {op}: {name}"));
            }
        }
    }
    // the options are checked when the driver is made; the result before the pass
    let mut bad = options("pp");
    bad.items.retain(|(k, _)| k != "breaks");
    let e = api::call("interval_partitioned", &bad.with("breaks", nums(&[1.0, 2.0]))).err().unwrap().message(0);
    assert!(e.starts_with("argument `breaks`"), "{e}");
    let d = api::call("interval_partitioned", &options("pp")).unwrap().fit.unwrap();
    let e = d.call("result", &Args::new()).err().unwrap().message(0);
    assert!(e.contains("not done"), "{e}");
}
