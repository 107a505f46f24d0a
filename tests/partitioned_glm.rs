//! GLMs over parts (the engine of `hrrstats.dask`'s GLMs): the driver
//! (`glm_partitioned`) and the per-part sums (`glm_part_pass`) give the in-memory
//! `glm_fit`'s numbers, whatever the split of the rows (parts of unequal size, in any
//! order), through the same entry point the bindings use.
use std::borrow::Cow;

mod parts;
use parts::*;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

/// A simulated cohort: counts with person-time, a binary outcome, a continuous
/// response; covariates age (numeric) and stage (a factor of 3 levels).
struct Data {
    y_pois: Vec<f64>,
    y_bin: Vec<f64>,
    y_gauss: Vec<f64>,
    pt: Vec<f64>,
    age: Vec<f64>,
    stage: Vec<u32>,
    w: Vec<f64>,
}

fn data(n: usize) -> Data {
    let mut u = uniform(12345);
    let mut d = Data { y_pois: vec![], y_bin: vec![], y_gauss: vec![], pt: vec![], age: vec![], stage: vec![], w: vec![] };
    for _ in 0..n {
        let age = 40.0 + 40.0 * u();
        let stage = (u() * 3.0) as u32;
        let pt = 0.5 + 5.0 * u();
        let rate = (-4.0 + 0.03 * age + 0.4 * stage as f64).exp() * pt;
        // a Poisson draw by inversion
        let (mut k, mut p, mut c, v) = (0.0, (-rate).exp(), (-rate).exp(), u());
        while v > c && k < 50.0 {
            k += 1.0;
            p *= rate / k;
            c += p;
        }
        d.y_pois.push(k);
        d.y_bin.push((u() < 1.0 / (1.0 + (2.0 - 0.04 * age).exp())) as u8 as f64);
        d.y_gauss.push(1.0 + 0.1 * age - 0.5 * stage as f64 + (u() - 0.5) * 3.0);
        d.pt.push(pt);
        d.age.push(age);
        d.stage.push(stage);
        d.w.push(if u() < 0.1 { 0.0 } else { 1.0 + (u() * 3.0).floor() });
    }
    d
}

fn covariates(d: &Data, r: std::ops::Range<usize>) -> Arg<'static> {
    Arg::Record(
        Args::new().with("age", nums(&d.age[r.clone()])).with(
            "stage",
            Arg::Codes { codes: Cow::Owned(d.stage[r].to_vec()), levels: vec!["I".into(), "II".into(), "III".into()] },
        ),
    )
}

/// The model's options and, per row range, its columns.
fn model_args(d: &Data, r: std::ops::Range<usize>, model: &str) -> Args<'static> {
    let log_pt: Vec<f64> = d.pt[r.clone()].iter().map(|v| v.ln()).collect();
    let a = Args::new().with("covariates", covariates(d, r.clone()));
    match model {
        "poisson_offset" => a.with("family", Arg::Str("poisson".into())).with("y", nums(&d.y_pois[r])).with("offset", nums(&log_pt)),
        "poisson_robust" => a.with("family", Arg::Str("poisson".into())).with("y", nums(&d.y_pois[r])).with("robust", Arg::Str("HC0".into())),
        "binomial_weights" => a.with("family", Arg::Str("binomial".into())).with("y", nums(&d.y_bin[r.clone()])).with("weights", nums(&d.w[r])),
        "gaussian" => a.with("family", Arg::Str("gaussian".into())).with("y", nums(&d.y_gauss[r.clone()])).with("weights", nums(&d.w[r])),
        "probit_hc1" => a.with("family", Arg::Str("binomial".into())).with("link", Arg::Str("probit".into())).with("y", nums(&d.y_bin[r])).with("robust", Arg::Bool(true)),
        "poisson_no_intercept" => a.with("family", Arg::Str("poisson".into())).with("y", nums(&d.y_pois[r])).with("offset", nums(&log_pt)).with("intercept", Arg::Bool(false)),
        _ => unreachable!(),
    }
}

/// Options only (no columns) for the driver.
fn driver_args(a: &Args<'static>) -> Args<'static> {
    let mut out = Args::new();
    for (k, v) in &a.items {
        if !matches!(k.as_str(), "y" | "covariates" | "weights" | "offset" | "cluster") {
            out = out.with(k, v.clone());
        }
    }
    out.with("has_offset", Arg::Bool(a.get("offset").is_some()))
}

/// Fit over the parts `cuts` (row boundaries), the parts sent to each pass in reverse
/// order; returns the result record and the number of passes.
fn fit_over_parts(d: &Data, n: usize, cuts: &[usize], model: &str) -> (Value, usize) {
    let whole = model_args(d, 0..n, model);
    let out = api::call("glm_partitioned", &driver_args(&whole)).unwrap();
    let driver = out.fit.unwrap();
    let mut req = field(&out.value, "request").clone();
    let mut passes = 0;
    while req != Value::Null {
        passes += 1;
        let mut parts = Vec::new();
        for w in cuts.windows(2).rev() {
            let mut a = model_args(d, w[0]..w[1], model);
            let Value::Record(r) = &req else { panic!() };
            for (k, v) in &r.fields {
                a = a.with(k, arg(v));
            }
            parts.push(arg(&api::call("glm_part_pass", &a).unwrap().value));
        }
        let step = driver.call("step", &Args::new().with("parts", Arg::List(parts))).unwrap();
        req = field(&step, "request").clone();
        assert!(passes < 100);
    }
    (driver.call("result", &Args::new()).unwrap(), passes)
}

#[test]
fn fits_over_parts_equal_the_in_memory_fit() {
    let n = 3000;
    let d = data(n);
    // unequal parts, one of a single row
    let cuts = [0, 1, 700, 701, 1900, 3000];
    for model in ["poisson_offset", "poisson_robust", "binomial_weights", "gaussian", "probit_hc1", "poisson_no_intercept"] {
        let whole = model_args(&d, 0..n, model);
        let mem = api::call("glm_fit", &whole).unwrap().value;
        let (parts, passes) = fit_over_parts(&d, n, &cuts, model);
        for k in ["coef", "se", "naive_se", "var", "deviance", "null_deviance", "aic", "loglik", "dispersion", "rank", "df_residual", "df_null", "iterations", "nobs"] {
            close(&numv(field(&parts, k)), &numv(field(&mem, k)), 1e-10, &format!("{model}: {k}"));
        }
        assert_eq!(field(&parts, "converged"), field(&mem, "converged"), "{model}");
        assert_eq!(field(&parts, "warnings"), field(&mem, "warnings"), "{model}");
        assert_eq!(field(&parts, "names"), field(&mem, "names"), "{model}");
        let Value::Table(tp) = field(&parts, "table") else { panic!() };
        let Value::Table(tm) = field(&mem, "table") else { panic!() };
        for (c, v) in &tm.columns {
            if let Value::Nums(m) = v {
                close(&numv(tp.get(c).unwrap()), m, 1e-9, &format!("{model}: table {c}"));
            }
        }
        let iters = numv(field(&mem, "iterations"))[0] as usize;
        assert!(passes >= iters + 1, "{model}: {passes} passes for {iters} iterations");
    }
}

#[test]
fn separation_warnings_over_parts() {
    // separation: fitted probabilities 0 or 1, as glm warns
    let x: Vec<f64> = (0..40).map(|i| i as f64).collect();
    let y: Vec<f64> = x.iter().map(|&v| (v >= 20.0) as u8 as f64).collect();
    let args = |r: std::ops::Range<usize>| {
        Args::new()
            .with("family", Arg::Str("binomial".into()))
            .with("y", nums(&y[r.clone()]))
            .with("covariates", Arg::Record(Args::new().with("x", nums(&x[r]))))
    };
    let mem = api::call("glm_fit", &args(0..40)).unwrap().value;
    let out = api::call("glm_partitioned", &driver_args(&args(0..40))).unwrap();
    let driver = out.fit.unwrap();
    let mut req = field(&out.value, "request").clone();
    while req != Value::Null {
        let parts: Vec<Arg> = [0..13, 13..40]
            .into_iter()
            .map(|r| {
                let mut a = args(r);
                let Value::Record(q) = &req else { panic!() };
                for (k, v) in &q.fields {
                    a = a.with(k, arg(v));
                }
                arg(&api::call("glm_part_pass", &a).unwrap().value)
            })
            .collect();
        req = field(&driver.call("step", &Args::new().with("parts", Arg::List(parts))).unwrap(), "request").clone();
    }
    let res = driver.call("result", &Args::new()).unwrap();
    assert_eq!(field(&res, "warnings"), field(&mem, "warnings"));
    close(&numv(field(&res, "coef")), &numv(field(&mem, "coef")), 1e-8, "coef");
}

#[test]
fn bad_parts_are_errors_naming_the_argument() {
    let d = data(50);
    // a negative count in a part: the row within the part
    let mut y = d.y_pois.clone();
    y[7] = -1.0;
    let mut b = Args::new();
    for (k, v) in model_args(&d, 0..50, "poisson_offset").items {
        b = b.with(&k, if k == "y" { nums(&y) } else { v });
    }
    let e = api::call("glm_part_pass", &b).err().expect("an error").message(0);
    assert_eq!(e, "argument `y`: negative count (value -1) at row 7", "{e}");
    // no estimated theta over parts
    let e = api::call("glm_partitioned", &Args::new().with("family", Arg::Str("negbin".into()))).err().unwrap().message(0);
    assert!(e.starts_with("argument `theta`"), "{e}");
    // the result before the passes
    let out = api::call("glm_partitioned", &Args::new().with("family", Arg::Str("poisson".into()))).unwrap();
    let e = out.fit.unwrap().call("result", &Args::new()).err().unwrap().message(0);
    assert!(e.contains("not done"), "{e}");
}

/// The cluster-robust variance (vcovCL, HC1) over parts whose clusters lie wholly in one
/// part equals the in-memory fit's; a cluster with rows in two parts is an error.
#[test]
fn cluster_robust_variance_over_parts() {
    let n = 2800;
    let d = data(n);
    let cl: Vec<u32> = (0..n as u32).map(|i| i / 7).collect();
    let levels: Vec<String> = (0..n / 7).map(|g| format!("c{g}")).collect();
    let codes = |r: std::ops::Range<usize>| Arg::Codes { codes: Cow::Owned(cl[r].to_vec()), levels: levels.clone() };
    for model in ["poisson_offset", "binomial_weights", "gaussian"] {
        let whole = model_args(&d, 0..n, model).with("cluster", codes(0..n));
        let mem = api::call("glm_fit", &whole).unwrap().value;
        let fit = |cuts: &[usize]| {
            let out = api::call("glm_partitioned", &driver_args(&whole).with("n_clusters", Arg::Num((n / 7) as f64)))?;
            let driver = out.fit.unwrap();
            let mut req = field(&out.value, "request").clone();
            while req != Value::Null {
                let Arg::Record(q) = arg(&req) else { panic!() };
                let parts: Vec<Arg> = cuts
                    .windows(2)
                    .map(|w| {
                        let mut a = model_args(&d, w[0]..w[1], model).with("cluster", codes(w[0]..w[1]));
                        for (k, v) in &q.items {
                            a = a.with(k, v.clone());
                        }
                        arg(&api::call("glm_part_pass", &a).unwrap().value)
                    })
                    .collect();
                req = field(&driver.call("step", &Args::new().with("parts", Arg::List(parts)))?, "request").clone();
            }
            driver.call("result", &Args::new())
        };
        // parts cut at cluster boundaries (multiples of 7), unequal
        let parts = fit(&[0, 700, 707, 1400, 2800]).unwrap();
        for k in ["coef", "se", "naive_se", "var", "n_cluster", "deviance"] {
            close(&numv(field(&parts, k)), &numv(field(&mem, k)), 1e-10, &format!("{model}: {k}"));
        }
        assert_eq!(field(&parts, "robust"), field(&mem, "robust"), "{model}");
        // a cut inside cluster 100 (rows 700..707)
        let e = fit(&[0, 703, 2800]).err().expect("an error").message(0);
        assert_eq!(
            e,
            "argument `cluster`: the data have 400 clusters but the partitions 401: some clusters have rows in more than one partition; shuffle the data by cluster first",
            "{model}"
        );
    }
    // the codes go to the parts, not to the driver
    let e = api::call("glm_partitioned", &Args::new().with("cluster", codes(0..7))).err().unwrap().message(0);
    assert!(e.starts_with("argument `cluster`: over partitions, give `n_clusters`"), "{e}");
    let e = api::call("glm_partitioned", &Args::new().with("n_clusters", Arg::Num(0.0))).err().unwrap().message(0);
    assert!(e.starts_with("argument `n_clusters`: must be a whole number >= 1"), "{e}");
}
