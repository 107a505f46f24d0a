//! Timing of the hot loops fixed by the audit of per-row allocations and O(n x groups)
//! loops (competing risks, Cox predictions and residuals, nested case-control sampling,
//! magnitude tables; relative survival, flexible relative-survival integrals and IRLS):
//! `cargo bench --bench hot_loops` (`BENCH=ncc,sdc` for some cases).
//! Prints seconds and a checksum of the results per case (the same before and after a
//! change that must not move the numbers).
use std::borrow::Cow;
use std::time::Instant;

use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

fn uniform(seed: u64) -> impl FnMut() -> f64 {
    let mut s = seed;
    move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as f64) / ((1u64 << 53) as f64)
    }
}
fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}
fn codes(v: Vec<u32>, k: usize) -> Arg<'static> {
    Arg::Codes { codes: Cow::Owned(v), levels: (0..k).map(|i| i.to_string()).collect() }
}
fn sum(v: &Value) -> f64 {
    match v {
        Value::Num(x) => if x.is_finite() { *x } else { 0.0 },
        Value::Int(i) => *i as f64,
        Value::Nums(x) => x.iter().filter(|v| v.is_finite()).sum(),
        Value::Matrix(m) => m.data.iter().filter(|v| v.is_finite()).sum(),
        Value::Record(r) => r.fields.iter().map(|(_, v)| sum(v)).sum(),
        Value::Table(t) => t.columns.iter().map(|(_, v)| sum(v)).sum(),
        Value::List(l) => l.iter().map(sum).sum(),
        Value::Ints(x) => x.iter().map(|&v| v as f64).sum(),
        Value::Index(x) => x.iter().map(|&v| v as f64).sum(),
        _ => 0.0,
    }
}
/// A fingerprint of every number's bits (order-sensitive): equal before and after a
/// change that keeps the results bitwise the same.
fn bits(v: &Value) -> u64 {
    let mix = |h: u64, x: u64| (h.rotate_left(5) ^ x).wrapping_mul(0x100000001b3);
    match v {
        Value::Num(x) => x.to_bits(),
        Value::Int(i) => *i as u64,
        Value::Nums(x) => x.iter().fold(0, |h, v| mix(h, v.to_bits())),
        Value::Matrix(m) => m.data.iter().fold(0, |h, v| mix(h, v.to_bits())),
        Value::Record(r) => r.fields.iter().fold(0, |h, (_, v)| mix(h, bits(v))),
        Value::Table(t) => t.columns.iter().fold(0, |h, (_, v)| mix(h, bits(v))),
        Value::List(l) => l.iter().fold(0, |h, v| mix(h, bits(v))),
        Value::Ints(x) => x.iter().fold(0, |h, &v| mix(h, v as u64)),
        Value::Index(x) => x.iter().fold(0, |h, &v| mix(h, v as u64)),
        _ => 0,
    }
}
fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    eprintln!("{label}: {:.3} s", t.elapsed().as_secs_f64());
    r
}

fn main() {
    let which = std::env::var("BENCH").unwrap_or_default();
    let on = |k: &str| which.is_empty() || which.split(',').any(|w| w == k);
    let mut u = uniform(42);
    // competing risks: time, cause, entry, many groups / strata
    let n = 200_000;
    let (mut t, mut c, mut e, mut g, mut s, mut x1, mut x2) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let tt = (u() * 1000.0).ceil();
        t.push(tt);
        c.push((u() * 3.0).floor());
        e.push((u() * 0.3 * tt).floor());
        g.push((u() * 2000.0) as u32);
        s.push((u() * 5000.0) as u32);
        x1.push(u());
        x2.push((u() < 0.5) as u8 as f64);
    }
    if on("cif_groups") {
        let a = Args::new()
            .with("time", nums(t.clone()))
            .with("cause", nums(c.clone()))
            .with("entry", nums(e.clone()))
            .with("group", codes(g.clone(), 2000))
            .with("variance", Arg::Str("survfit".into()));
        let r = time("cumulative_incidence, 2000 groups, survfit variance, n=2e5", || api::call("cumulative_incidence", &a).unwrap());
        eprintln!("  checksum {:.12e}", sum(&r.value));
    }
    if on("gray_strata") {
        let a = Args::new()
            .with("time", nums(t.clone()))
            .with("cause", nums(c.clone()))
            .with("group", codes(x2.iter().map(|&v| v as u32).collect(), 2))
            .with("strata", codes(s.clone(), 5000));
        let r = time("cumulative_incidence (Gray's test), 5000 strata, n=2e5", || api::call("cumulative_incidence", &a).unwrap());
        eprintln!("  checksum {:.12e}", sum(&r.value));
    }
    if on("fine_gray") {
        let tc: Vec<f64> = t.iter().zip(&x1).map(|(t, x)| t + x).collect(); // distinct times
        let a = Args::new()
            .with("time", nums(tc))
            .with("cause", nums(c.clone()))
            .with("covariates", Arg::Record(Args::new().with("x1", nums(x1.clone())).with("x2", nums(x2.clone()))));
        let r = time("fine_gray, n=2e5, distinct times", || api::call("fine_gray", &a).unwrap());
        eprintln!("  checksum {:.12e}", sum(&r.value));
    }
    let cox_args = || {
        Args::new()
            .with("time", nums(t.iter().zip(&x1).map(|(t, x)| t + x).collect()))
            .with("status", nums(c.iter().map(|&v| (v == 1.0) as u8 as f64).collect()))
            .with("covariates", Arg::Record(Args::new().with("x1", nums(x1.clone())).with("x2", nums(x2.clone()))))
    };
    if on("cox_predict") || on("cox_schoenfeld") {
        let fit = api::call("cox_ph", &cox_args()).unwrap().fit.unwrap();
        if on("cox_predict") {
            let q = Args::new().with("type", Arg::Str("survival".into())).with("times", nums(vec![100.0, 200.0, 300.0, 500.0, 800.0]));
            let r = time("cox predict survival, fitted rows, n=2e5, 5 times", || fit.call("predict", &q).unwrap());
            eprintln!("  checksum {:.12e}", sum(&r));
        }
        if on("cox_schoenfeld") {
            let q = Args::new().with("type", Arg::Str("scaledsch".into()));
            let r = time("cox scaled Schoenfeld residuals, n=2e5", || fit.call("residuals", &q).unwrap());
            eprintln!("  checksum {:.12e}", sum(&r));
        }
    }
    if on("sdc") {
        let m = 1_000_000;
        let mut u = uniform(11);
        let (mut a, mut b, mut unit, mut v) = (vec![], vec![], vec![], vec![]);
        for _ in 0..m {
            a.push((u() * 10.0) as u32);
            b.push((u() * 8.0) as u32);
            unit.push((u() * 50_000.0) as u32);
            v.push((u() * 100.0).floor());
        }
        let dims = Args::new().with("a", codes(a, 10)).with("b", codes(b, 8));
        let args = Args::new()
            .with("magnitude", nums(v))
            .with("unit", codes(unit, 50_000))
            .with("dims", Arg::Record(dims))
            .with("p", Arg::Num(10.0));
        let r = time("protect_table, magnitude, 1e6 contributions, 10 x 8 with margins", || api::call("protect_table", &args).unwrap());
        eprintln!("  checksum {:.12e}", sum(&r.value));
    }
    if on("ncc") {
        let m = 2_000_000;
        let mut u = uniform(7);
        let (mut en, mut ex, mut st) = (vec![], vec![], vec![]);
        for _ in 0..m {
            let a = u() * 50.0;
            en.push(a);
            ex.push(a + u() * 20.0);
            st.push((u() < 0.1) as u8 as f64);
        }
        let a = Args::new()
            .with("entry", nums(en))
            .with("exit", nums(ex))
            .with("status", nums(st))
            .with("controls", Arg::Num(3.0))
            .with("seed", Arg::Num(1.0));
        let r = time("nested_case_control, n=2e6, 2e5 cases, 3 controls", || api::call("nested_case_control", &a).unwrap());
        eprintln!("  checksum {:.12e}", sum(&r.value));
    }

    // relative survival against survexp.us: n persons, ages in years, decimal years,
    // follow-up in days
    let rs = |n: usize, seed: u64| {
        let mut u = uniform(seed);
        let (mut tm, mut status, mut age, mut year, mut sex, mut x1, mut x2) = (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        for i in 0..n {
            tm.push((u() * 3650.0).ceil());
            status.push((u() < 0.6) as u8 as f64);
            age.push(40.0 + u() * 45.0);
            year.push(1975.0 + u() * 20.0);
            sex.push((i % 2) as f64);
            x1.push((u() * 3.0).floor());
            x2.push((u() < 0.5) as u8 as f64);
        }
        (tm, status, age, year, sex, x1, x2)
    };
    let us = || Arg::Record(Args::new().with("name", Arg::Str("survexp.us".into())));
    if on("excess") {
        let (tm, status, age, year, sex, x1, x2) = rs(200_000, 3);
        let a = Args::new()
            .with("time", nums(tm))
            .with("status", nums(status))
            .with("ratetable", us())
            .with("age", nums(age))
            .with("year", nums(year))
            .with("sex", nums(sex))
            .with("covariates", Arg::Record(Args::new().with("x1", nums(x1)).with("x2", nums(x2))))
            .with("breaks", nums(vec![0.0, 1.0, 3.0, 5.0, 10.0]));
        let r = time("excess_hazard_model (glm.poi), n=2e5, 6 patterns, 10 one-year pieces", || api::call("excess_hazard_model", &a).unwrap());
        eprintln!("  checksum {:.12e} bits {:016x}", sum(&r.value), bits(&r.value));
    }
    if on("excess_continuous") {
        // a continuous covariate: every row its own pattern (5e5 groups)
        let (tm, status, age, year, sex, _, x2) = rs(50_000, 4);
        let mut u = uniform(17);
        let xc: Vec<f64> = (0..tm.len()).map(|_| u() - 0.5).collect();
        let a = Args::new()
            .with("time", nums(tm))
            .with("status", nums(status))
            .with("ratetable", us())
            .with("age", nums(age))
            .with("year", nums(year))
            .with("sex", nums(sex))
            .with("covariates", Arg::Record(Args::new().with("xc", nums(xc)).with("x2", nums(x2))))
            .with("breaks", nums(vec![0.0, 1.0, 3.0, 5.0, 10.0]));
        let r = time("excess_hazard_model (glm.poi), n=5e4, continuous covariate (every row a pattern)", || api::call("excess_hazard_model", &a).unwrap());
        eprintln!("  checksum {:.12e} bits {:016x}", sum(&r.value), bits(&r.value));
    }
    if on("expected_survival") {
        let (_, _, age, year, sex, _, _) = rs(200_000, 5);
        let a = Args::new()
            .with("ratetable", us())
            .with("age", nums(age))
            .with("year", nums(year))
            .with("sex", nums(sex))
            .with("times", nums(vec![30.0, 365.0, 730.0, 1826.0, 3652.0]));
        let r = time("expected_survival, n=2e5, 5 times", || api::call("expected_survival", &a).unwrap());
        eprintln!("  checksum {:.12e} bits {:016x}", sum(&r.value), bits(&r.value));
    }
    if on("flex_relative") {
        let (tm, status, age, year, sex, x1, _) = rs(20_000, 9);
        let bh: Vec<f64> = age.iter().map(|a| 1e-5 * (0.08 * (a - 40.0)).exp()).collect();
        let fa = Args::new()
            .with("time", nums(tm))
            .with("status", nums(status))
            .with("covariates", Arg::Record(Args::new().with("x1", nums(x1.clone()))))
            .with("bhazard", nums(bh))
            .with("df", Arg::Num(3.0));
        let fit = api::call("flexible_parametric", &fa).unwrap().fit.unwrap();
        let persons = Args::new()
            .with("ratetable", us())
            .with("age", nums(age))
            .with("year", nums(year))
            .with("sex", nums(sex))
            .with("covariates", Arg::Record(Args::new().with("x1", nums(x1))));
        let q = persons.clone().with("times", nums(vec![365.0, 1826.0, 3652.0]));
        let r = time("flexible crude_probabilities, n=2e4, 3 times", || fit.call("crude_probabilities", &q).unwrap());
        eprintln!("  checksum {:.12e} bits {:016x}", sum(&r), bits(&r));
        let q = persons.with("individual", Arg::Bool(true));
        let r = time("flexible loss_in_life_expectancy, individual, n=2e4, to age 110", || fit.call("loss_in_life_expectancy", &q).unwrap());
        eprintln!("  checksum {:.12e} bits {:016x}", sum(&r), bits(&r));
    }
    if on("irls") {
        let n = 2_000_000;
        let mut u = uniform(13);
        let (mut y, mut a1, mut a2) = (vec![], vec![], vec![]);
        for _ in 0..n {
            let v1 = u();
            let v2 = (u() < 0.3) as u8 as f64;
            let mu = (0.5 + 0.8 * v1 - 0.4 * v2).exp();
            // a Poisson-ish count by inversion
            let (mut k, mut pk, mut c, uu) = (0.0, (-mu).exp(), (-mu).exp(), u());
            while uu > c && k < 50.0 {
                k += 1.0;
                pk *= mu / k;
                c += pk;
            }
            y.push(k);
            a1.push(v1);
            a2.push(v2);
        }
        let a = Args::new()
            .with("y", nums(y))
            .with("covariates", Arg::Record(Args::new().with("x1", nums(a1)).with("x2", nums(a2))));
        let r = time("poisson_glm (IRLS), n=2e6, 2 covariates", || api::call("poisson_glm", &a).unwrap());
        eprintln!("  checksum {:.12e} bits {:016x}", sum(&r.value), bits(&r.value));
    }
}
