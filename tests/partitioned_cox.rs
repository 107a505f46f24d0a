//! Cox regression over parts (the engine of `hrrstats.dask.cox_ph`): the driver
//! (`cox_partitioned`) and the per-part sums (`cox_part_pass`) give the in-memory
//! `cox_ph`'s numbers — ties (Efron, Breslow), strata, case weights, delayed entry,
//! offsets — whatever the split of the rows.
use std::borrow::Cow;

mod parts;
use parts::*;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

struct Cohort {
    time: Vec<f64>,
    status: Vec<f64>,
    entry: Vec<f64>,
    age: Vec<f64>,
    treat: Vec<f64>,
    stratum: Vec<u32>,
    w: Vec<f64>,
    off: Vec<f64>,
}

fn cohort(n: usize) -> Cohort {
    let mut u = uniform(987654321);
    let mut c = Cohort { time: vec![], status: vec![], entry: vec![], age: vec![], treat: vec![], stratum: vec![], w: vec![], off: vec![] };
    for _ in 0..n {
        let age = 50.0 + 30.0 * u();
        let treat = (u() < 0.5) as u8 as f64;
        let rate = (0.03 * (age - 65.0) - 0.5 * treat).exp() / 400.0;
        let t = (-(u().ln()) / rate).ceil().min(3650.0); // days: many ties
        let cens = (u() * 3650.0).ceil() + 1.0;
        c.time.push(t.min(cens));
        c.status.push((t <= cens) as u8 as f64);
        c.entry.push((u() * 0.5 * t.min(cens)).floor());
        c.age.push(age);
        c.treat.push(treat);
        c.stratum.push((u() * 3.0) as u32);
        c.w.push(1.0 + (u() * 3.0).floor());
        c.off.push(0.2 * (u() - 0.5));
    }
    c
}

fn sl(v: &[f64], r: &std::ops::Range<usize>) -> Arg<'static> {
    nums(&v[r.clone()])
}

/// The data arguments of rows `r` for a model kind.
fn data_args(c: &Cohort, r: std::ops::Range<usize>, kind: &str) -> Args<'static> {
    let mut a = Args::new()
        .with("time", sl(&c.time, &r))
        .with("status", sl(&c.status, &r))
        .with("covariates", Arg::Record(Args::new().with("age", sl(&c.age, &r)).with("treat", sl(&c.treat, &r))));
    if kind.contains("strata") {
        a = a.with("strata", Arg::Codes { codes: Cow::Owned(c.stratum[r.clone()].to_vec()), levels: vec!["a".into(), "b".into(), "c".into()] });
    }
    if kind.contains("weights") {
        a = a.with("weights", sl(&c.w, &r));
    }
    if kind.contains("entry") {
        a = a.with("entry", sl(&c.entry, &r));
    }
    if kind.contains("offset") {
        a = a.with("offset", sl(&c.off, &r));
    }
    a
}

fn options(kind: &str) -> Args<'static> {
    let a = Args::new().with("ties", Arg::Str(if kind.contains("breslow") { "breslow" } else { "efron" }.into()));
    if kind.contains("init") {
        a.with("init", nums(&[0.01, -0.2]))
    } else {
        a
    }
}

fn fit_over_parts(c: &Cohort, cuts: &[usize], kind: &str) -> (Value, usize) {
    let mut o = options(kind)
        .with("covariate_names", Arg::Strs(vec!["age".into(), "treat".into()]))
        .with("has_entry", Arg::Bool(kind.contains("entry")));
    if kind.contains("strata") {
        o = o.with("strata_levels", Arg::Strs(vec!["a".into(), "b".into(), "c".into()]));
    }
    let out = api::call("cox_partitioned", &o).unwrap();
    let driver = out.fit.unwrap();
    let first = field(&out.value, "request").clone();
    let parts = |req: &Args<'static>| -> Vec<Args<'static>> {
        cuts.windows(2)
            .rev()
            .map(|w| {
                let mut a = data_args(c, w[0]..w[1], kind);
                for (k, v) in &req.items {
                    a = a.with(k, v.clone());
                }
                a
            })
            .collect()
    };
    let passes = run_passes(driver.as_ref(), first, "cox_part_pass", &parts);
    (driver.call("result", &Args::new()).unwrap(), passes)
}

#[test]
fn cox_over_parts_equals_the_in_memory_fit() {
    let n = 4000;
    let c = cohort(n);
    let cuts = [0, 1, 1500, 1501, 2999, 4000];
    for kind in ["efron", "breslow", "efron strata weights", "breslow entry", "efron entry strata offset", "efron weights init"] {
        let mut whole = data_args(&c, 0..n, kind);
        for (k, v) in options(kind).items {
            whole = whole.with(&k, v);
        }
        let mem = api::call("cox_ph", &whole.with("robust", Arg::Bool(false))).unwrap().value;
        let (parts, passes) = fit_over_parts(&c, &cuts, kind);
        for k in ["coef", "se", "loglik", "iterations", "n", "n_event", "rank", "score_vector"] {
            close(&numv(field(&parts, k)), &numv(field(&mem, k)), 1e-10, &format!("{kind}: {k}"));
        }
        for t in ["score_test", "wald_test", "lr_test"] {
            close(&numv(field(field(&parts, t), "statistic")), &numv(field(field(&mem, t), "statistic")), 1e-10, &format!("{kind}: {t}"));
        }
        assert_eq!(field(&parts, "converged"), field(&mem, "converged"), "{kind}");
        assert_eq!(field(&parts, "warnings"), field(&mem, "warnings"), "{kind}");
        let iters = numv(field(&mem, "iterations"))[0] as usize;
        assert_eq!(passes, iters + 2, "{kind}: one pass per evaluation plus the moments");
    }
}

#[test]
fn bad_parts_name_the_argument_and_row() {
    let c = cohort(30);
    let mut time = c.time.clone();
    time[4] = -1.0;
    let mut a = data_args(&c, 0..30, "efron");
    a.items.retain(|(k, _)| k != "time");
    let e = api::call("cox_part_pass", &a.with("time", nums(&time))).err().unwrap().message(0);
    assert!(e.starts_with("argument `time`") && e.contains("row 4"), "{e}");
    let e = api::call("cox_part_pass", &data_args(&c, 0..30, "efron").with("pass", Arg::Str("nope".into()))).err().unwrap().message(0);
    assert!(e.starts_with("argument `pass`: unknown value"), "{e}");
    let out = api::call("cox_partitioned", &Args::new().with("covariate_names", Arg::Strs(vec!["x".into()]))).unwrap();
    let e = out.fit.unwrap().call("result", &Args::new()).err().unwrap().message(0);
    assert!(e.contains("not done"), "{e}");
    let e = api::call("cox_partitioned", &Args::new()).err().unwrap().message(0);
    assert!(e.starts_with("argument `covariates`"), "{e}");
}

/// Robust (sandwich) variances over parts — with each row its own cluster, with
/// clusters (each wholly in one part), by coxph's rule for non-integer case weights —
/// equal the in-memory fit's, with the robust score test; a cluster split over parts is
/// an error.
#[test]
fn robust_variance_over_parts_equals_the_in_memory_fit() {
    let n = 4000;
    let c = cohort(n);
    let cl: Vec<u32> = (0..n as u32).map(|i| i / 4).collect();
    let levels: Vec<String> = (0..n / 4).map(|g| format!("p{g}")).collect();
    let frac: Vec<f64> = c.w.iter().map(|w| w * 0.7).collect();
    let rows = |r: std::ops::Range<usize>, kind: &str| {
        let mut a = data_args(&c, r.clone(), kind);
        if kind.contains("cluster") {
            a = a.with("cluster", Arg::Codes { codes: Cow::Owned(cl[r.clone()].to_vec()), levels: levels.clone() });
        }
        if kind.contains("fractional") {
            a.items.retain(|(k, _)| k != "weights");
            a = a.with("weights", sl(&frac, &r));
        }
        a
    };
    let over_parts = |cuts: &[usize], kind: &str| -> hrrstats::error::Result<Value> {
        let mut o = options(kind)
            .with("covariate_names", Arg::Strs(vec!["age".into(), "treat".into()]))
            .with("has_entry", Arg::Bool(kind.contains("entry")));
        if kind.contains("strata") {
            o = o.with("strata_levels", Arg::Strs(vec!["a".into(), "b".into(), "c".into()]));
        }
        if kind.contains("robust") {
            o = o.with("robust", Arg::Bool(true));
        }
        if kind.contains("cluster") {
            o = o.with("n_clusters", Arg::Num((n / 4) as f64));
        }
        let out = api::call("cox_partitioned", &o)?;
        let driver = out.fit.unwrap();
        let mut req = field(&out.value, "request").clone();
        while req != Value::Null {
            let Arg::Record(q) = arg(&req) else { panic!() };
            let parts: Vec<Arg> = cuts
                .windows(2)
                .map(|w| {
                    let mut a = rows(w[0]..w[1], kind);
                    for (k, v) in &q.items {
                        a = a.with(k, v.clone());
                    }
                    arg(&api::call("cox_part_pass", &a).unwrap_or_else(|e| panic!("{}", e.message(0))).value)
                })
                .collect();
            req = field(&driver.call("step", &Args::new().with("parts", Arg::List(parts)))?, "request").clone();
        }
        driver.call("result", &Args::new())
    };
    let cuts = [0, 4, 1500, 1504, 3000, 4000]; // at multiples of 4: no cluster is split
    for kind in ["efron robust", "breslow entry strata robust", "efron weights cluster", "efron strata offset cluster init", "breslow cluster", "efron fractional weights"] {
        let mut whole = rows(0..n, kind);
        for (k, v) in options(kind).items {
            whole = whole.with(&k, v);
        }
        if kind.contains("robust") {
            whole = whole.with("robust", Arg::Bool(true));
        }
        let mem = api::call("cox_ph", &whole).unwrap().value;
        assert_eq!(field(&mem, "robust"), &Value::Bool(true), "{kind}");
        let parts = over_parts(&cuts, kind).unwrap_or_else(|e| panic!("{kind}: {}", e.message(0)));
        for k in ["coef", "se", "var", "naive_var", "loglik", "n_cluster"] {
            close(&numv(field(&parts, k)), &numv(field(&mem, k)), 1e-10, &format!("{kind}: {k}"));
        }
        for t in ["wald_test", "robust_score_test"] {
            close(&numv(field(field(&parts, t), "statistic")), &numv(field(field(&mem, t), "statistic")), 1e-9, &format!("{kind}: {t}"));
        }
        assert_eq!(field(&parts, "robust"), field(&mem, "robust"), "{kind}");
        assert_eq!(field(&parts, "warnings"), field(&mem, "warnings"), "{kind}");
    }
    // a cut inside a cluster (rows 1500..1504)
    let e = over_parts(&[0, 1502, 4000], "efron cluster").err().expect("an error").message(0);
    assert_eq!(e, "argument `cluster`: the data have 1000 clusters but the partitions 1001: some clusters have rows in more than one partition; shuffle the data by cluster first");
    // robust = false with a cluster: the cluster is ignored, with coxph's warning
    let mut o = options("efron").with("covariate_names", Arg::Strs(vec!["age".into(), "treat".into()]));
    o = o.with("robust", Arg::Bool(false)).with("n_clusters", Arg::Num(1000.0));
    let out = api::call("cox_partitioned", &o).unwrap();
    let driver = out.fit.unwrap();
    run_passes(driver.as_ref(), field(&out.value, "request").clone(), "cox_part_pass", &|q: &Args<'static>| {
        let mut a = data_args(&c, 0..n, "efron");
        for (k, v) in &q.items {
            a = a.with(k, v.clone());
        }
        vec![a]
    });
    let res = driver.call("result", &Args::new()).unwrap();
    assert_eq!(field(&res, "robust"), &Value::Bool(false));
    let w = format!("{:?}", field(&res, "warnings"));
    assert!(w.contains("cluster specified with robust=FALSE, cluster ignored"), "{w}");
}

/// The driver of a fit over parts, its passes run.
fn driver_over_parts(c: &Cohort, cuts: &[usize], kind: &str) -> Box<dyn api::Fitted> {
    let mut o = options(kind)
        .with("covariate_names", Arg::Strs(vec!["age".into(), "treat".into()]))
        .with("has_entry", Arg::Bool(kind.contains("entry")))
        .with("robust", Arg::Bool(kind.contains("robust")));
    if kind.contains("strata") {
        o = o.with("strata_levels", Arg::Strs(vec!["a".into(), "b".into(), "c".into()]));
    }
    let out = api::call("cox_partitioned", &o).unwrap();
    let driver = out.fit.unwrap();
    let parts = |req: &Args<'static>| -> Vec<Args<'static>> {
        cuts.windows(2)
            .map(|w| {
                let mut a = data_args(c, w[0]..w[1], kind);
                for (k, v) in &req.items {
                    a = a.with(k, v.clone());
                }
                a
            })
            .collect()
    };
    run_passes(driver.as_ref(), field(&out.value, "request").clone(), "cox_part_pass", &parts);
    driver
}

/// A matrix value (column-major) as row-major numbers.
fn row_major(v: &Value) -> Vec<f64> {
    match v {
        Value::Matrix(m) => (0..m.nrow).flat_map(|i| (0..m.ncol).map(move |j| m.data[j * m.nrow + i])).collect(),
        other => numv(other),
    }
}

#[test]
fn residuals_and_predictions_over_parts_equal_the_in_memory_fit() {
    let n = 3000;
    let c = cohort(n);
    let cuts = [0, 1, 1200, 1201, 3000];
    for kind in ["efron", "breslow strata weights", "efron entry strata offset", "efron weights robust"] {
        let mut whole = data_args(&c, 0..n, kind);
        for (k, v) in options(kind).items {
            whole = whole.with(&k, v);
        }
        let mem = api::call("cox_ph", &whole.with("robust", Arg::Bool(kind.contains("robust")))).unwrap();
        let (mem_rec, mem_fit) = (mem.value, mem.fit.unwrap());
        let driver = driver_over_parts(&c, &cuts, kind);
        let res = driver.call("result", &Args::new()).unwrap();
        close(&numv(field(&res, "means")), &numv(field(&mem_rec, "means")), 1e-12, &format!("{kind}: means"));
        close(&numv(field(&res, "mean_offset")), &numv(field(&mem_rec, "mean_offset")), 1e-12, &format!("{kind}: mean_offset"));
        // rows' results need one more pass: the risk-set sums at the final coefficients
        assert!(driver.call("rows_args", &Args::new()).is_err());
        let req = driver.call("rows_request", &Args::new()).unwrap();
        let Arg::Record(r) = arg(&req) else { panic!("a request") };
        let each = |extra: &Args<'static>, method: &str| -> Vec<Value> {
            cuts.windows(2)
                .map(|w| {
                    let mut a = data_args(&c, w[0]..w[1], kind);
                    for (k, v) in &extra.items {
                        a = a.with(k, v.clone());
                    }
                    api::call(method, &a).unwrap_or_else(|e| panic!("{}", e.message(0))).value
                })
                .collect()
        };
        let sums: Vec<Arg> = each(&r, "cox_part_pass").iter().map(arg).collect();
        driver.call("step", &Args::new().with("parts", Arg::List(sums))).unwrap();
        assert_eq!(driver.call("rows_request", &Args::new()).unwrap(), Value::Null);
        let Arg::Record(rows) = arg(&driver.call("rows_args", &Args::new()).unwrap()) else { panic!() };
        let at = [10.0, 500.0, 2000.0];
        for what in ["martingale", "deviance", "score", "dfbeta", "dfbetas", "lp", "risk", "expected", "survival"] {
            let mut a = rows.clone().with("type", Arg::Str(what.into()));
            if what == "survival" {
                a = a.with("at_times", nums(&at));
            }
            let got: Vec<f64> = each(&a, "cox_part_pass").iter().flat_map(|v| numv(field(v, "values"))).collect();
            let want = if ["lp", "risk", "expected", "survival"].contains(&what) {
                let mut q = Args::new().with("type", Arg::Str(what.into()));
                if what == "survival" {
                    q = q.with("times", nums(&at));
                }
                row_major(&mem_fit.call("predict", &q).unwrap())
            } else {
                row_major(&mem_fit.call("residuals", &Args::new().with("type", Arg::Str(what.into()))).unwrap())
            };
            assert!(want.len() >= n, "{kind} {what}");
            close(&got, &want, 1e-10, &format!("{kind}: {what}"));
        }
        // Schoenfeld residuals: the event rows, ordered as in memory by stratum, time, row
        for what in ["schoenfeld", "scaledsch"] {
            let a = rows.clone().with("type", Arg::Str(what.into()));
            let mut ev: Vec<(usize, f64, usize, Vec<f64>)> = Vec::new();
            for (w, v) in cuts.windows(2).zip(each(&a, "cox_part_pass")) {
                let (rr, st, t, vals) = (numv(field(&v, "rows")), numv(field(&v, "strata")), numv(field(&v, "time")), numv(field(&v, "values")));
                for q in 0..rr.len() {
                    ev.push((st[q] as usize, t[q], w[0] + rr[q] as usize, vals[q * 2..q * 2 + 2].to_vec()));
                }
            }
            ev.sort_by(|x, y| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)).then(x.2.cmp(&y.2)));
            let m = mem_fit.call("residuals", &Args::new().with("type", Arg::Str(what.into()))).unwrap();
            let want_rows = numv(field(&m, "row"));
            assert_eq!(ev.iter().map(|e| e.2 as f64).collect::<Vec<_>>(), want_rows, "{kind} {what}: rows");
            let got: Vec<f64> = ev.iter().flat_map(|e| e.3.clone()).collect();
            close(&got, &row_major(field(&m, "values")), 1e-10, &format!("{kind}: {what}"));
        }
        // predictions for new covariate rows: from the fit's means and baseline
        let newx = Args::new().with("age", nums(&[55.0, 70.0, 81.5])).with("treat", nums(&[0.0, 1.0, 1.0]));
        for what in ["lp", "risk", "survival"] {
            let mut q = Args::new().with("type", Arg::Str(what.into())).with("covariates", Arg::Record(newx.clone())).with("times", nums(&at));
            if kind.contains("strata") {
                q = q.with("stratum", Arg::Str("b".into()));
            }
            if kind.contains("offset") {
                q = q.with("offset", nums(&[0.1, 0.0, -0.1]));
            }
            close(
                &row_major(&driver.call("predict", &q).unwrap()),
                &row_major(&mem_fit.call("predict", &q).unwrap()),
                1e-10,
                &format!("{kind}: new {what}"),
            );
        }
    }
}

/// The concordance of a fit over parts (`concordance_request`, an "events" pass, a
/// "concordance" pass with the gathered events, then `concordance`).
fn concordance_over_parts(driver: &dyn api::Fitted, c: &Cohort, cuts: &[usize], kind: &str) -> Value {
    let Arg::Record(req) = arg(&driver.call("concordance_request", &Args::new()).unwrap()) else { panic!("a request") };
    let each = |extra: &Args<'static>| -> Vec<Value> {
        cuts.windows(2)
            .map(|w| {
                let mut a = data_args(c, w[0]..w[1], kind);
                for (k, v) in &extra.items {
                    a = a.with(k, v.clone());
                }
                api::call("cox_part_pass", &a).unwrap_or_else(|e| panic!("{}", e.message(0))).value
            })
            .collect()
    };
    let ev = each(&req);
    let mut events = Args::new();
    for k in ["ev_time", "ev_entry", "ev_lp", "ev_weights", "ev_strata"] {
        let Value::Record(r0) = &ev[0] else { panic!() };
        if r0.get(k).is_some() {
            events = events.with(k, nums(&ev.iter().flat_map(|v| numv(field(v, k))).collect::<Vec<f64>>()));
        }
    }
    let mut second = Args::new().with("pass", Arg::Str("concordance".into()));
    for (k, v) in req.items.iter().filter(|(k, _)| k != "pass").chain(&events.items) {
        second = second.with(k, v.clone());
    }
    let parts: Vec<Arg> = each(&second).iter().map(arg).collect();
    driver.call("concordance", &events.with("parts", Arg::List(parts))).unwrap_or_else(|e| panic!("{}", e.message(0)))
}

#[test]
fn concordance_over_parts_equals_the_in_memory_fit() {
    let n = 3000;
    let c = cohort(n);
    for kind in ["efron", "breslow strata weights", "efron entry strata offset weights"] {
        let mut whole = data_args(&c, 0..n, kind);
        for (k, v) in options(kind).items {
            whole = whole.with(&k, v);
        }
        let mem = api::call("cox_ph", &whole.with("robust", Arg::Bool(false))).unwrap().fit.unwrap();
        let want = mem.call("concordance", &Args::new()).unwrap();
        let eight: Vec<usize> = (0..=8).map(|k| k * n / 8).collect();
        for cuts in [&[0, n][..], &[0, 1, 1200, 1201, 3000][..], &eight[..]] {
            let driver = driver_over_parts(&c, cuts, kind);
            let got = concordance_over_parts(driver.as_ref(), &c, cuts, kind);
            let what = format!("{kind} ({} parts)", cuts.len() - 1);
            for k in ["concordance", "std_err", "var", "n"] {
                close(&numv(field(&got, k)), &numv(field(&want, k)), 1e-10, &format!("{what}: {k}"));
            }
            for k in ["concordant", "discordant", "tied_x", "tied_y", "tied_xy"] {
                close(&numv(field(field(&got, "counts"), k)), &numv(field(field(&want, "counts"), k)), 1e-10, &format!("{what}: {k}"));
            }
        }
    }
}

/// The partition functions of the concordance themselves, with ties in the score, in
/// the times and between them, strata, case weights and entry times: the sums of any
/// split equal the whole data's concordance.
#[test]
fn concordance_partition_functions_equal_the_whole_data() {
    use hrrstats::survival::concordance::{concordance, concordance_of_parts, part_concordance, Events, PartConcordance};
    let n = 2000;
    let mut u = uniform(24680);
    let time: Vec<f64> = (0..n).map(|_| (1.0 + 40.0 * u()).floor()).collect();
    let status: Vec<f64> = (0..n).map(|_| (u() < 0.6) as u8 as f64).collect();
    let entry: Vec<f64> = time.iter().map(|&t| (u() * 0.7 * t).floor()).collect();
    let score: Vec<f64> = (0..n).map(|_| (u() * 12.0).floor() / 4.0).collect();
    let w: Vec<f64> = (0..n).map(|_| 0.5 + (u() * 3.0).floor()).collect();
    let strata: Vec<u32> = (0..n).map(|_| (u() * 3.0) as u32).collect();
    for (with_entry, with_w, with_s, reverse) in
        [(false, false, false, true), (false, true, true, false), (true, true, true, true), (true, false, false, false)]
    {
        let entry = with_entry.then_some(&entry[..]);
        let wt = with_w.then_some(&w[..]);
        let st = with_s.then_some(&strata[..]);
        let want = concordance(&time, &status, entry, &score, wt, st, reverse).unwrap();
        for cuts in [vec![0, n], vec![0, 1, 700, 700, 1999, n], (0..=8).map(|k| k * n / 8).collect()] {
            let ev: Vec<usize> = (0..n).filter(|&i| status[i] == 1.0).collect();
            let pick = |v: &[f64]| ev.iter().map(|&i| v[i]).collect::<Vec<f64>>();
            let (et, ee, es, ew) = (pick(&time), pick(&entry.unwrap_or(&time)), pick(&score), pick(&w));
            let est: Vec<u32> = ev.iter().map(|&i| strata[i]).collect();
            let events = Events {
                time: &et,
                entry: entry.map(|_| &ee[..]),
                score: &es,
                weights: wt.map(|_| &ew[..]),
                strata: st.map(|_| &est[..]),
            };
            let mut total = PartConcordance { events: vec![0.0; 3 * ev.len()], ..Default::default() };
            for c in cuts.windows(2) {
                let r = c[0]..c[1];
                let p = part_concordance(
                    &events,
                    &time[r.clone()],
                    &status[r.clone()],
                    entry.map(|e| &e[r.clone()]),
                    &score[r.clone()],
                    wt.map(|v| &v[r.clone()]),
                    st.map(|v| &v[r.clone()]),
                )
                .unwrap();
                total.add(&p).unwrap();
            }
            let got = concordance_of_parts(&events, &total, reverse).unwrap();
            let what = format!("entry {with_entry} weights {with_w} strata {with_s}, {} parts", cuts.len() - 1);
            assert_eq!(got.n, want.n, "{what}");
            close(&[got.concordance, got.var], &[want.concordance, want.var], 1e-10, &what);
            close(&got.counts, &want.counts, 1e-10, &what);
            assert!(want.counts[2] > 0.0 && want.counts[3] > 0.0 && want.counts[4] > 0.0, "{what}: ties of every kind");
        }
    }
    // parts' sums over other events, and events that do not line up, are errors naming them
    let events = Events { time: &[1.0, 2.0], entry: None, score: &[0.5], weights: None, strata: None };
    let e = part_concordance(&events, &time, &status, None, &score, None, None).unwrap_err();
    assert!(e.message(0).contains("argument `events`"), "{}", e.message(0));
    let events = Events { time: &[1.0, 2.0], entry: None, score: &[0.5, 0.1], weights: None, strata: None };
    let e = concordance_of_parts(&events, &PartConcordance { events: vec![0.0; 3], ..Default::default() }, true).unwrap_err();
    assert!(e.message(0).contains("argument `parts`"), "{}", e.message(0));
}

#[test]
fn zph_over_parts_equals_the_in_memory_fit() {
    let n = 3000;
    let c = cohort(n);
    for kind in ["efron", "breslow strata weights", "efron entry strata offset weights"] {
        let mut whole = data_args(&c, 0..n, kind);
        for (k, v) in options(kind).items {
            whole = whole.with(&k, v);
        }
        let mem = api::call("cox_ph", &whole.with("robust", Arg::Bool(false))).unwrap().fit.unwrap();
        let eight: Vec<usize> = (0..=8).map(|k| k * n / 8).collect();
        for cuts in [&[0, n][..], &[0, 1, 1200, 1201, 3000][..], &eight[..]] {
            let driver = driver_over_parts(&c, cuts, kind);
            let Arg::Record(req) = arg(&driver.call("zph_request", &Args::new()).unwrap()) else { panic!("a request") };
            let parts: Vec<Arg> = cuts
                .windows(2)
                .map(|w| {
                    let mut a = data_args(&c, w[0]..w[1], kind);
                    for (k, v) in &req.items {
                        a = a.with(k, v.clone());
                    }
                    arg(&api::call("cox_part_pass", &a).unwrap_or_else(|e| panic!("{}", e.message(0))).value)
                })
                .collect();
            for transform in ["km", "rank", "identity", "log"] {
                let mut q = Args::new().with("transform", Arg::Str(transform.into()));
                if transform == "rank" {
                    q = q.with("terms", Arg::Record(Args::new().with("both", Arg::Strs(vec!["age".into(), "treat".into()]))));
                }
                let want = mem.call("zph", &q).unwrap();
                let got = driver.call("zph", &q.with("parts", Arg::List(parts.clone()))).unwrap_or_else(|e| panic!("{}", e.message(0)));
                let what = format!("{kind} ({} parts) {transform}", cuts.len() - 1);
                let col = |v: &Value, k: &str| -> Value {
                    let Value::Table(t) = v else { panic!("a table") };
                    t.get(k).unwrap_or_else(|| panic!("no column {k}")).clone()
                };
                assert_eq!(col(&got, "term"), col(&want, "term"), "{what}");
                for k in ["chisq", "df", "p"] {
                    close(&numv(&col(&got, k)), &numv(&col(&want, k)), 1e-10, &format!("{what}: {k}"));
                }
            }
        }
    }
}
