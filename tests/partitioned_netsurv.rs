//! Continuous net survival over parts (the engine of `hrrstats.dask.net_survival`):
//! a pass of each part's follow-up times, merged by the driver (`net_survival_partitioned`),
//! then a pass in which each part sums its persons' Pohar-Perme terms on the merged grid
//! (`net_survival_part_pass`: per integration step the population-hazard sums weighted
//! by 1/S*, per time the deaths' Σ 1/S* and Σ 1/S*²); the added sums give the in-memory
//! `net_survival`'s curves and standard errors (Pohar-Perme and Ederer II), whatever the
//! split of the rows.

mod parts;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};
use parts::*;

fn cohort(n: usize) -> Vec<Vec<f64>> {
    relsurv_cohort(n, 97531, 3000.0)
}

fn persons(c: &[Vec<f64>], r: std::ops::Range<usize>) -> Args<'static> {
    relsurv_persons(c, r, "strata")
}

fn options(method: &str, conf_type: &str) -> Args<'static> {
    Args::new()
        .with("ratetable", Arg::Record(Args::new().with("name", Arg::Str("survexp.us".into()))))
        .with("method", Arg::Str(method.into()))
        .with("conf_type", Arg::Str(conf_type.into()))
}

#[test]
fn net_survival_over_parts_equals_the_in_memory_curves() {
    let n = 2000;
    let c = cohort(n);
    for (method, conf_type) in [("pohar-perme", "log"), ("ederer2", "log-log"), ("pohar-perme", "plain")] {
        let mut whole = persons(&c, 0..n);
        for (k, v) in options(method, conf_type).items {
            whole = whole.with(&k, v);
        }
        let out = api::call("net_survival", &whole).unwrap();
        let (mem, mem_fit) = (out.value, out.fit.unwrap());
        let d = api::call("net_survival_partitioned", &options(method, conf_type)).unwrap();
        let driver = d.fit.unwrap();
        let passes = run_passes(driver.as_ref(), field(&d.value, "request").clone(), "net_survival_part_pass", &|q: &Args<'static>| {
            [0..1, 1..700, 700..2000]
                .into_iter()
                .map(|r| {
                    let mut a = persons(&c, r);
                    for (k, v) in options(method, conf_type).items.into_iter().chain(q.items.clone()) {
                        a = a.with(&k, v);
                    }
                    a
                })
                .collect()
        });
        assert_eq!(passes, 2);
        let par = driver.call("result", &Args::new()).unwrap();
        let (Value::Table(tp), Value::Table(tm)) = (field(&par, "table"), field(&mem, "table")) else { panic!() };
        assert_eq!(tp.columns.len(), tm.columns.len());
        assert!(numv(tm.get("time").unwrap()).len() > 500);
        for (name, col) in &tm.columns {
            close(&numv(tp.get(name).unwrap()), &numv(col), 1e-10, &format!("{method}: {name}"));
        }
        for k in ["n", "events"] {
            close(&numv(field(&par, k)), &numv(field(&mem, k)), 0.0, k);
        }
        for (op, args) in [
            ("age_standardized", Args::new().with("weights", nums(&[0.3, 0.5, 0.2])).with("times", nums(&[365.0, 1000.0]))),
            ("at", Args::new().with("times", nums(&[0.5, 365.0, 2000.0, 1e5]))),
        ] {
            let (Value::Table(a), Value::Table(b)) = (driver.call(op, &args).unwrap(), mem_fit.call(op, &args).unwrap()) else { panic!() };
            for (name, col) in &b.columns {
                close(&numv(a.get(name).unwrap()), &numv(col), 1e-10, &format!("{method} {op}: {name}"));
            }
        }
    }
}

#[test]
fn net_survival_over_parts_errors() {
    // Ederer I and Hakulinen are not offered over parts
    let e = api::call("net_survival_partitioned", &options("ederer1", "log")).err().unwrap().message(0);
    assert!(e.starts_with("argument `method`: over partitions"), "{e}");
    let d = api::call("net_survival_partitioned", &options("pp", "log")).unwrap().fit.unwrap();
    let e = d.call("result", &Args::new()).err().unwrap().message(0);
    assert!(e.contains("not done"), "{e}");
    // a part's bad row is named as in memory
    let mut c = cohort(50);
    c[0][7] = -1.0;
    let mut a = persons(&c, 0..50);
    for (k, v) in options("pp", "log").items {
        a = a.with(&k, v);
    }
    let e = api::call("net_survival_part_pass", &a).err().unwrap().message(0);
    let e_mem = api::call("net_survival", &a).err().unwrap().message(0);
    assert_eq!(e, e_mem);
    assert!(e.contains("row 7"), "{e}");
    // a part whose time is not on the broadcast grid
    let c = cohort(50);
    let mut a = persons(&c, 0..50);
    for (k, v) in options("pp", "log").items {
        a = a.with(&k, v);
    }
    let a = a
        .with("pass", Arg::Str("sums".into()))
        .with("times", nums(&[1.0, 2.0, 3.0]))
        .with("time_offsets", nums(&[0.0, 1.0, 2.0, 3.0]));
    let e = api::call("net_survival_part_pass", &a).err().unwrap().message(0);
    assert!(e.starts_with("argument `times`"), "{e}");
}
