//! Inputs that used to kill the process, hang or mislead (issue "No silent wrong
//! answers"), through the same entry point the bindings use (`api::call`): an error
//! naming the argument, or NA for a test that tests nothing, never an abort.
use std::borrow::Cow;

use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn codes(c: Vec<u32>, k: usize) -> Arg<'static> {
    Arg::Codes {
        codes: Cow::Owned(c),
        levels: (0..k).map(|i| i.to_string()).collect(),
    }
}

fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    match v {
        Value::Record(r) => r.get(name).expect(name),
        _ => panic!("not a record"),
    }
}

fn num(v: &Value) -> f64 {
    match v {
        Value::Num(x) => *x,
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn identifier_as_logrank_group_is_an_error_not_an_abort() {
    // 20,000 levels: a 20,000 x 20,000 variance matrix (3.2 GB) is refused up front.
    let n = 20_000;
    let args = Args::new()
        .with("time", nums((0..n).map(|i| 1.0 + i as f64).collect()))
        .with("status", nums(vec![1.0; n]))
        .with("group", codes((0..n as u32).collect(), n));
    let e = api::call("logrank_test", &args).err().expect("an error");
    assert_eq!(e.arg(), "group");
    assert!(e.to_string().contains("has 20000 levels"), "{e}");
}

#[test]
fn identifier_as_cumulative_incidence_group_is_an_error() {
    let n = 10_000;
    let args = Args::new()
        .with("time", nums((0..n).map(|i| 1.0 + i as f64).collect()))
        .with("cause", nums((0..n).map(|i| (i % 3) as f64).collect()))
        .with("group", codes((0..n as u32).collect(), n));
    let e = api::call("cumulative_incidence", &args).err().expect("an error");
    assert_eq!(e.arg(), "group");
    assert!(e.to_string().contains("has 10000 levels"), "{e}");
}

#[test]
fn logrank_without_events_has_no_p_value() {
    // No events: nothing to test (df = 0). survdiff gives NaN; p = 0 would read as
    // overwhelming evidence.
    let args = Args::new()
        .with("time", nums(vec![1.0, 2.0, 3.0, 4.0]))
        .with("status", nums(vec![0.0; 4]))
        .with("group", codes(vec![0, 0, 1, 1], 2));
    let out = api::call("logrank_test", &args).expect("a result");
    assert!(num(field(&out.value, "p_value")).is_nan());
    assert_eq!(field(&out.value, "df"), &Value::Int(0));
}

#[test]
fn tiny_net_survival_precision_is_an_error_not_unbounded_memory() {
    // 10 years in days at a precision of 1e-6 days: 3.65e9 steps. The full path
    // (net_survival, crude_probabilities) is in the conformance cases (robustness.json).
    let e = hrrstats::relsurv::net::check_steps(3650.0, 1e-6).unwrap_err();
    assert_eq!(e.arg(), "precision");
    assert!(e.to_string().contains("integration steps"), "{e}");
    assert!(hrrstats::relsurv::net::check_steps(3650.0, 1.0).is_ok());
}

#[test]
fn underdispersed_negative_binomial_stops() {
    // Counts with less spread than Poisson: theta runs off to infinity. With a huge
    // iteration limit the fit used to iterate on NaN until the limit (for ever).
    let n = 40;
    let y: Vec<f64> = (0..n).map(|i| 3.0 + (i % 2) as f64).collect();
    let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let args = Args::new()
        .with("y", nums(y))
        .with("covariates", Arg::Record(Args::new().with("x", nums(x))))
        .with("max_iter", Arg::Num(1e9));
    let start = std::time::Instant::now();
    let out = api::call("negbin_glm", &args);
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
    if let Err(e) = out {
        assert!(e.to_string().contains("overdispersion") || e.to_string().contains("theta"), "{e}");
    }
}

fn poisson_args(y: Vec<f64>) -> Args<'static> {
    let n = y.len();
    Args::new()
        .with("y", nums(y))
        .with("covariates", Arg::Record(Args::new().with("x", nums((0..n).map(|i| i as f64).collect()))))
}

#[test]
fn glm_inputs_that_cannot_be_fitted_are_errors() {
    let y = vec![1.0, 2.0, 3.0, 4.0];
    let e = api::call("poisson_glm", &poisson_args(y.clone()).with("weights", nums(vec![0.0; 4])))
        .err()
        .expect("all-zero weights");
    assert_eq!(e.arg(), "weights");
    let e = api::call("poisson_glm", &poisson_args(y.clone()).with("start", nums(vec![f64::NAN, 0.0])))
        .err()
        .expect("NaN start");
    assert_eq!(e.arg(), "start");
    let one = codes(vec![0; 4], 1);
    let e = api::call("poisson_glm", &poisson_args(y).with("cluster", one))
        .err()
        .expect("one cluster");
    assert_eq!(e.arg(), "cluster");
    assert!(e.to_string().contains("at least 2 clusters"), "{e}");
}

#[test]
fn kaplan_meier_with_all_weights_zero_is_an_error() {
    let args = Args::new()
        .with("time", nums(vec![1.0, 2.0, 3.0]))
        .with("status", nums(vec![1.0, 0.0, 1.0]))
        .with("weights", nums(vec![0.0; 3]));
    let e = api::call("kaplan_meier", &args).err().expect("an error");
    assert_eq!(e.arg(), "weights");
}

#[test]
fn icss_group_refuses_negative_and_infinite_ages() {
    for bad in [-5.0, f64::INFINITY] {
        let e = api::call("icss_group", &Args::new().with("age", nums(vec![50.0, bad])))
            .err()
            .expect("an error");
        assert_eq!((e.arg(), e.row()), ("age", Some(1)));
    }
    // A missing age has no group (NaN code; R's NA, Python's -1), never "75+".
    let out = api::call("icss_group", &Args::new().with("age", nums(vec![50.0, f64::NAN, 80.0]))).expect("groups");
    let Value::Nums(codes) = field(&out.value, "codes") else { panic!("codes") };
    assert!(codes[0] == 1.0 && codes[1].is_nan() && codes[2] == 4.0, "{codes:?}");
}

#[test]
fn huge_counts_are_refused_and_large_ones_are_fast() {
    let e = api::call("rate", &Args::new().with("events", nums(vec![1e300])).with("person_time", nums(vec![1.0])))
        .err()
        .expect("an error");
    assert_eq!(e.arg(), "events");
    let start = std::time::Instant::now();
    api::call("rate", &Args::new().with("events", nums(vec![1e15])).with("person_time", nums(vec![1e16])))
        .expect("a rate");
    assert!(start.elapsed().as_secs_f64() < 1.0, "{:?}", start.elapsed());
}

#[test]
fn cox_monotone_likelihood_warns_as_coxph() {
    // No events in the x = 1 group: survival 3.5-3's coxph gives x = -21.1798689135727578,
    // z = -0.0890830002985027 and warns that coefficient 1 may be infinite.
    let time = vec![
        0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762, 1.238,
        4.424, 1.055, 1.035,
    ];
    let x: Vec<f64> = (0..16).map(|i| (i % 2) as f64).collect();
    let z = vec![
        -0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05, -0.24,
        -0.54, -0.43,
    ];
    let status: Vec<f64> = x.iter().map(|v| 1.0 - v).collect();
    let args = Args::new()
        .with("time", nums(time))
        .with("status", nums(status))
        .with("covariates", Arg::Record(Args::new().with("x", nums(x)).with("z", nums(z))));
    let out = api::call("cox_ph", &args).expect("a fit");
    let Value::Strs(w) = field(&out.value, "warnings") else { panic!("warnings") };
    assert_eq!(w, &vec!["Loglik converged before variable  1 ; coefficient may be infinite. ".to_string()]);
    let Value::Nums(coef) = field(&out.value, "coef") else { panic!("coef") };
    for (ours, r) in coef.iter().zip([-21.1798689135727578, -0.0890830002985027]) {
        assert!(((ours - r) / r).abs() < 1e-8, "{ours} vs {r}");
    }
}

#[test]
fn errors_name_the_arguments_as_the_caller_does() {
    // Python calls the core's `status` `event`: its errors must say `event`.
    let args = Args::new()
        .with("time", nums(vec![1.0, 2.0, 3.0]))
        .with("status", nums(vec![1.0, 2.0, 0.0]))
        .with("labels", Arg::Record(Args::new().with("status", Arg::Str("event".into()))));
    let e = api::call("kaplan_meier", &args).err().expect("an error");
    assert_eq!((e.arg(), e.row()), ("event", Some(1)));
    assert!(e.to_string().starts_with("argument `event`:"), "{e}");
    let args = Args::new()
        .with("time", nums(vec![1.0, 2.0, 3.0]))
        .with("status", nums(vec![1.0, 0.0]))
        .with("labels", Arg::Record(Args::new().with("status", Arg::Str("event".into()))));
    let e = api::call("kaplan_meier", &args).err().expect("an error");
    assert!(e.to_string().contains("`event` has length 2 but `time` has length 3"), "{e}");
}

/// Exact tests whose mean is beyond the integers doubles hold (expected 1e300, events
/// 1e15) return at once (the two-sided search stopped when its bracket no longer
/// shrinks); found by the property suite.
#[test]
fn exact_tests_with_astronomical_means_return() {
    let t0 = std::time::Instant::now();
    let sir = api::call(
        "sir",
        &Args::new()
            .with("observed", nums(vec![1.0]))
            .with("person_time", nums(vec![1e300]))
            .with("reference_rate", nums(vec![1.0])),
    );
    let out = sir.expect("an answer");
    let p = num(field(field(&out.value, "overall"), "p_value"));
    assert!((0.0..=1.0).contains(&p), "{p}");
    let rr = api::call(
        "rate_ratio",
        &Args::new()
            .with("events1", nums(vec![1e15]))
            .with("person_time1", nums(vec![4.0]))
            .with("events2", nums(vec![1.0]))
            .with("person_time2", nums(vec![50.0])),
    );
    let Value::Table(t) = rr.expect("an answer").value else { panic!("a table") };
    let Some(Value::Nums(lo)) = t.get("lower") else { panic!() };
    let Some(Value::Nums(p)) = t.get("p_value") else { panic!() };
    assert!(lo[0].is_finite() && lo[0] > 1e15 && (0.0..=1.0).contains(&p[0]), "{lo:?} {p:?}");
    assert!(t0.elapsed().as_secs_f64() < 5.0, "took {:?}", t0.elapsed());
}

/// `rate_ratio`'s exact conditional limits stay finite and accurate when one arm has
/// astronomically many events (1e15 vs 1: the upper limit was infinite, 1 - p rounded
/// to 0). Expected: binom.test's limits evaluated in R with the mirrored quantile,
/// `(1 - q)/q * T2/T1` with `q = qbeta(0.025, x2, x1 + 1)` (upper) and `q =
/// qbeta(0.975, x2 + 1, x1)` (lower); R's own poisson.test gives Inf for the upper one.
/// Where poisson.test is finite (1e6 vs 7) the limits agree with it.
#[test]
fn rate_ratio_limits_finite_for_huge_counts() {
    let rr = |x1: f64, t1: f64, x2: f64, t2: f64| {
        let out = api::call(
            "rate_ratio",
            &Args::new()
                .with("events1", nums(vec![x1]))
                .with("person_time1", nums(vec![t1]))
                .with("events2", nums(vec![x2]))
                .with("person_time2", nums(vec![t2])),
        )
        .expect("an answer");
        let Value::Table(t) = out.value else { panic!("a table") };
        let Some(Value::Nums(lo)) = t.get("lower") else { panic!() };
        let Some(Value::Nums(hi)) = t.get("upper") else { panic!() };
        (lo[0], hi[0])
    };
    let close = |a: f64, b: f64, tol: f64| (a / b - 1.0).abs() < tol;
    // R: poisson.test(c(1e6, 7), c(1, 3))$conf.int
    let (lo, hi) = rr(1e6, 1.0, 7.0, 3.0);
    assert!(close(lo, 208005.0192346668, 1e-9) && close(hi, 1065963.3186880883, 1e-9), "{lo} {hi}");
    // R: the formula above (poisson.test's own upper limit is Inf here)
    let (lo, hi) = rr(1e15, 1.0, 1.0, 1.0);
    assert!(hi.is_finite(), "{hi}");
    assert!(close(lo, 179480259204364.53, 1e-6) && close(hi, 39497890205207168.0, 1e-6), "{lo} {hi}");
    let (lo, hi) = rr(1e15, 1e3, 1.0, 2.0);
    assert!(close(lo, 358960518408.72906, 1e-6) && close(hi, 78995780410414.34375, 1e-6), "{lo} {hi}");
    // Mirror image: 1 vs 1e15 events gives the reciprocal limits.
    let (lo2, hi2) = rr(1.0, 1.0, 1e15, 1.0);
    assert!(close(lo2, 1.0 / 39497890205207168.0, 1e-6) && close(hi2, 1.0 / 179480259204364.53, 1e-6), "{lo2} {hi2}");
}

/// A Cox `init` that makes exp(x'init) overflow is refused naming `init`, with coxph's
/// rule and words ("initial values lead to overflow or underflow of the exp function":
/// survival 3.5-3 refuses init = 48 on ages 40..70, accepts 47), not answered with NaN
/// or "aliased" coefficients; a moderate init still fits to the same answer.
#[test]
fn cox_init_overflowing_exp_is_an_error() {
    let n = 40;
    let time: Vec<f64> = (0..n).map(|i| 1.0 + ((i * 7) % 23) as f64).collect();
    let status: Vec<f64> = (0..n).map(|i| (i % 3 != 0) as u8 as f64).collect();
    let age: Vec<f64> = (0..n).map(|i| 40.0 + ((i * 11) % 37) as f64).collect();
    let fit = |init: f64| {
        api::call(
            "cox_ph",
            &Args::new()
                .with("time", nums(time.clone()))
                .with("status", nums(status.clone()))
                .with("covariates", Arg::Record(Args::new().with("age", nums(age.clone()))))
                .with("init", nums(vec![init])),
        )
    };
    for init in [1e300, 1e3, 50.0, -1e308] {
        let e = fit(init).err().expect("an error");
        assert_eq!(e.arg(), "init", "{e}");
        assert!(e.to_string().starts_with("argument `init`: initial values lead to overflow or underflow of the exp function"), "{e}");
    }
    // coxph's boundary: ages 40..70 (16 evenly spaced), init 47 accepted, 48 refused.
    let ages: Vec<f64> = (0..16).map(|i| 40.0 + 30.0 * i as f64 / 15.0).collect();
    let at = |init: f64| {
        api::call(
            "cox_ph",
            &Args::new()
                .with("time", nums((0..16).map(|i| 1.0 + ((i * 5) % 16) as f64).collect()))
                .with("status", nums(vec![1.0; 16]))
                .with("covariates", Arg::Record(Args::new().with("x", nums(ages.clone()))))
                .with("init", nums(vec![init]))
                .with("max_iter", nums(vec![0.0])),
        )
    };
    assert!(at(47.0).is_ok());
    assert_eq!(at(48.0).err().expect("an error").arg(), "init");
    let a = fit(0.1).expect("a fit");
    let b = fit(0.0).expect("a fit");
    let (Value::Nums(ca), Value::Nums(cb)) = (field(&a.value, "coef"), field(&b.value, "coef")) else { panic!() };
    assert!(ca[0].is_finite() && (ca[0] - cb[0]).abs() < 1e-6, "{ca:?} {cb:?}");
}

/// A 500-level string factor on 1e6 rows (499 dummy columns: 4 GB per copy) is refused
/// before any dummy column is allocated, naming `covariates`, the factor and its
/// levels; only the codes (4 MB) exist in this test.
#[test]
fn many_level_factor_design_is_refused_before_allocating() {
    let n = 1_000_000;
    let args = Args::new().with(
        "covariates",
        Arg::Record(Args::new().with("f", codes((0..n as u32).map(|i| i % 500).collect(), 500))),
    );
    let t0 = std::time::Instant::now();
    let e = api::call("design_matrix", &args).err().expect("an error");
    assert_eq!(e.arg(), "covariates");
    assert!(
        e.to_string().starts_with(
            "argument `covariates`: factor `f` has 500 levels: the design has 499 columns x 1000000 rows (4.0 GB), more than"
        ),
        "{e}"
    );
    assert!(t0.elapsed().as_secs_f64() < 2.0, "{:?}", t0.elapsed());
    // A moderate factor (50 levels on 1e5 rows) is built.
    let n = 100_000;
    let ok = Args::new().with(
        "covariates",
        Arg::Record(Args::new().with("f", codes((0..n as u32).map(|i| i % 50).collect(), 50))),
    );
    assert!(api::call("design_matrix", &ok).is_ok());
}

/// A Cox design wider than the p x p limit (5001 columns on 10 rows) is refused by the
/// core naming `covariates` and the number of columns, before the information matrices
/// (5 x p^2 per stratum) are allocated.
#[test]
fn cox_design_too_wide_is_refused() {
    let (n, p) = (10usize, 5001usize);
    let mut cov = Args::new();
    for j in 0..p {
        cov = cov.with(&format!("x{j}"), nums((0..n).map(|i| ((i * 7 + j) % 11) as f64).collect()));
    }
    let args = Args::new()
        .with("time", nums((0..n).map(|i| 1.0 + i as f64).collect()))
        .with("status", nums(vec![1.0; n]))
        .with("covariates", Arg::Record(cov));
    let e = api::call("cox_ph", &args).err().expect("an error");
    assert_eq!(e.arg(), "covariates");
    assert!(e.to_string().contains("the design has 5001 columns x 10 rows"), "{e}");
}

/// The panics found from Python (issue 21: `PanicException`, "internal error ... please
/// report") are answers or errors naming the argument: Fine–Gray with an out-of-range
/// `conf_level`, a Gaussian GLM on a handful of rows (0 residual df: NaN standard
/// errors, as glm's), `direct_standardize` with an astronomically large count.
#[test]
fn inputs_that_used_to_panic_are_answers_or_named_errors() {
    let n = 12;
    let fg = api::call(
        "fine_gray",
        &Args::new()
            .with("time", nums((0..n).map(|i| 1.0 + i as f64).collect()))
            .with("cause", nums((0..n).map(|i| (i % 3) as f64).collect()))
            .with("covariates", Arg::Record(Args::new().with("z", nums((0..n).map(|i| ((i * 5) % 7) as f64).collect()))))
            .with("conf_level", Arg::Num(1.5)),
    );
    let e = fg.err().expect("an error");
    assert_eq!(e.to_string(), "argument `conf_level`: must be strictly between 0 and 1, got 1.5");
    let glm = api::call(
        "glm_fit",
        &Args::new()
            .with("y", nums(vec![1.0, 2.0]))
            .with("covariates", Arg::Record(Args::new().with("x", nums(vec![1.0, 2.0]))))
            .with("family", Arg::Str("gaussian".into())),
    )
    .expect("a fit");
    let Value::Nums(coef) = field(&glm.value, "coef") else { panic!("coef") };
    assert!(coef.iter().all(|c| c.is_finite()), "{coef:?}");
    let e = api::call(
        "direct_standardize",
        &Args::new()
            .with("events", nums(vec![1e300, 1.0]))
            .with("person_time", nums(vec![100.0, 100.0]))
            .with("standard_weights", nums(vec![0.5, 0.5])),
    )
    .err()
    .expect("an error");
    assert_eq!((e.arg(), e.row()), ("events", Some(0)));
    assert!(e.to_string().contains("above 2^53"), "{e}");
}
