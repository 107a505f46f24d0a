//! Property-based tests over every public method of `hrrstats_core::api::call` (issue
//! "No silent wrong answers"): random VALID small inputs give finite answers that agree
//! with a brute-force computation where one is simple; random INVALID inputs give an
//! error naming an argument — never a panic, never a hang (sizes are bounded).
//!
//! Every call goes through `api::call` (the bindings' one entry point) inside
//! `catch_unwind`: a panic fails the property with the input. Cases per property are
//! set by `cases()` (64 by default; `PROPTEST_CASES` overrides); the whole file runs in
//! a few seconds in release mode.
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};
use hrrstats::Error;
use proptest::prelude::*;
use proptest::test_runner::Config;

// ---- helpers --------------------------------------------------------------------------

fn cases() -> Config {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(64);
    // A fixed seed keeps CI deterministic; PROPTEST_RNG_SEED=<n> explores others.
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261204);
    Config {
        cases: n,
        rng_seed: proptest::test_runner::RngSeed::Fixed(seed),
        failure_persistence: None,
        // A failing case that hangs costs HANG per shrinking step.
        max_shrink_iters: 64,
        ..Config::default()
    }
}

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn codes(c: Vec<u32>, k: usize) -> Arg<'static> {
    Arg::Codes {
        codes: Cow::Owned(c),
        levels: (0..k).map(|i| format!("g{i}")).collect(),
    }
}

fn record(items: Vec<(&str, Arg<'static>)>) -> Arg<'static> {
    Arg::Record(Args {
        items: items.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    })
}

/// `a` with the argument `name` set to `v` (replaced where present).
fn set(mut a: Args<'static>, name: &str, v: Arg<'static>) -> Args<'static> {
    a.items.retain(|(k, _)| k != name);
    a.with(name, v)
}

fn s(x: &str) -> Arg<'static> {
    Arg::Str(x.to_string())
}

/// How long one call may take before it counts as a hang (the inputs are tiny).
const HANG: Duration = Duration::from_secs(10);

/// `f` on a thread of its own, with a panic or a hang turned into a test failure
/// naming `what` (a hang fails the property instead of stalling the suite).
fn guarded<T: Send + 'static>(what: impl Fn() -> String, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = catch_unwind(AssertUnwindSafe(f));
        let _ = tx.send(r.map_err(|p| {
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default()
        }));
    });
    match rx.recv_timeout(HANG) {
        Ok(Ok(r)) => r,
        Ok(Err(msg)) => panic!("{} panicked ({msg})", what()),
        Err(_) => panic!("{} did not return within {HANG:?} (a hang)", what()),
    }
}

fn owned(args: &Args) -> Args<'static> {
    Args {
        items: args.items.iter().map(|(k, v)| (k.clone(), own(v))).collect(),
    }
}

/// `api::call` on the watchdog thread (see `guarded`).
fn call(method: &str, args: &Args) -> Result<Value, Error> {
    let (a, m) = (owned(args), method.to_string());
    guarded(|| format!("{method} on {args:?}"), move || api::call(&m, &a).map(|o| o.value))
}

/// The operation `op` of the fit `method` makes from `args` (which must fit).
fn fit_call(method: &str, args: &Args, op: &str, op_args: &Args) -> Result<Value, Error> {
    let (a, m, o, oa) = (owned(args), method.to_string(), op.to_string(), owned(op_args));
    guarded(
        || format!("{method}.{op}({op_args:?}) on {args:?}"),
        move || {
            let fit = api::call(&m, &a).expect("the fit").fit.expect("a fit handle");
            fit.call(&o, &oa)
        },
    )
}

fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    match v {
        Value::Record(r) => r.get(name).unwrap_or_else(|| panic!("no field {name}")),
        Value::Table(t) => t.get(name).unwrap_or_else(|| panic!("no column {name}")),
        other => panic!("not a record or table: {other:?}"),
    }
}

fn fnums(v: &Value) -> Vec<f64> {
    match v {
        Value::Nums(x) => x.clone(),
        Value::Num(x) => vec![*x],
        Value::Int(i) => vec![*i as f64],
        Value::Ints(x) => x.iter().map(|&i| i as f64).collect(),
        Value::Index(x) => x.iter().map(|&i| i as f64).collect(),
        Value::Factor { codes, .. } => codes.iter().map(|&c| c as f64).collect(),
        other => panic!("not numbers: {other:?}"),
    }
}

fn col(v: &Value, path: &[&str]) -> Vec<f64> {
    let mut x = v;
    for p in path {
        x = field(x, p);
    }
    fnums(x)
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

fn all_finite(x: &[f64]) -> bool {
    x.iter().all(|v| v.is_finite())
}

// ---- generators -----------------------------------------------------------------------

/// A small cohort: integer times 1..=12 (ties likely), status 0/1, delayed entry before
/// exit, two groups, a covariate, a competing-risks cause 0/1/2, and the persons'
/// values for a rate table (age in years, calendar year, sex code).
#[derive(Debug, Clone)]
struct Cohort {
    time: Vec<f64>,
    status: Vec<f64>,
    entry: Vec<f64>,
    group: Vec<u32>,
    x: Vec<f64>,
    cause: Vec<f64>,
    age: Vec<f64>,
    year: Vec<f64>,
    sex: Vec<f64>,
}

impl Cohort {
    fn n(&self) -> usize {
        self.time.len()
    }
}

fn cohort(min: usize, max: usize) -> impl Strategy<Value = Cohort> {
    (min..=max)
        .prop_flat_map(|n| {
            (
                prop::collection::vec(1u32..=12, n),
                prop::collection::vec(0u32..=3, n),
                prop::collection::vec(0.0f64..1.0, n),
                prop::collection::vec(0u32..2, n),
                prop::collection::vec(-2.0f64..2.0, n),
                prop::collection::vec(30u32..90, n),
                prop::collection::vec(1980u32..2000, n),
            )
        })
        .prop_map(|(t, st, u, g, x, age, year)| {
            let n = t.len();
            let time: Vec<f64> = t.iter().map(|&v| v as f64).collect();
            Cohort {
                status: st.iter().map(|&v| (v > 0) as u8 as f64).collect(),
                cause: st.iter().map(|&v| v.min(2) as f64).collect(),
                entry: time.iter().zip(&u).map(|(t, u)| (t * u).floor()).collect(),
                time,
                group: g,
                x,
                age: age.iter().map(|&a| a as f64).collect(),
                year: year.iter().map(|&y| y as f64 + 0.5).collect(),
                sex: (0..n).map(|i| (i % 2) as f64).collect(),
            }
        })
}

/// The built-in US table (days; ages in years, calendar years decimal).
fn us_table() -> Arg<'static> {
    record(vec![("name", s("survexp.us"))])
}

/// Diagnosis codes of the comorbidity properties, as written, and their Charlson
/// categories (position in the Quan 2005 list; None: no category).
const COMORB_CODES: [&str; 6] = ["I21", "C50.9", "e11.2", "Z00", "I10", "K70.3"];
const COMORB_CATS: [Option<usize>; 6] = [Some(0), Some(13), Some(10), None, None, Some(8)];

/// Valid arguments of `method` built from a cohort (times in days for the relative
/// survival methods: x 100).
fn valid_args(method: &str, c: &Cohort) -> Args<'static> {
    let a = Args::new();
    match method {
        "kaplan_meier" | "logrank_test" | "cox_ph" | "parametric_survival" | "flexible_parametric" => {
            let a = a
                .with("time", nums(c.time.clone()))
                .with("status", nums(c.status.clone()))
                .with("group", codes(c.group.clone(), 2));
            if method == "cox_ph" || method == "parametric_survival" || method == "flexible_parametric" {
                a.with("covariates", record(vec![("x", nums(c.x.clone()))]))
            } else {
                a
            }
        }
        "cause_specific_events" => a.with("cause", nums(c.cause.clone())),
        "cumulative_incidence" | "fine_gray" => {
            let a = a
                .with("time", nums(c.time.clone()))
                .with("cause", nums(c.cause.clone()))
                .with("group", codes(c.group.clone(), 2));
            if method == "fine_gray" {
                a.with("covariates", record(vec![("x", nums(c.x.clone()))]))
            } else {
                a
            }
        }
        "glm_fit" | "poisson_glm" | "negbin_glm" | "logistic_glm" => {
            let y: Vec<f64> = if method == "logistic_glm" {
                c.status.clone()
            } else {
                c.time.iter().map(|t| (t - 1.0) % 5.0).collect()
            };
            a.with("y", nums(y))
                .with("covariates", record(vec![("x", nums(c.x.clone()))]))
        }
        "logrank_part_pass" => a
            .with("time", nums(c.time.clone()))
            .with("status", nums(c.status.clone()))
            .with("group", codes(c.group.clone(), 2)),
        "logrank_partitioned" => a.with("rho", Arg::Num(0.5)),
        "cox_part_pass" => a
            .with("time", nums(c.time.clone()))
            .with("status", nums(c.status.clone()))
            .with("strata", codes(c.group.clone(), 2))
            .with("covariates", record(vec![("x", nums(c.x.clone()))])),
        "cox_partitioned" => a.with("covariate_names", Arg::Strs(vec!["x".into()])),
        "glm_part_pass" => a
            .with("family", s("poisson"))
            .with("y", nums(c.time.iter().map(|t| (t - 1.0) % 5.0).collect()))
            .with("covariates", record(vec![("x", nums(c.x.clone())), ("g", codes(c.group.clone(), 2))]))
            .with("beta", nums(vec![0.1, 0.2, -0.3])),
        "glm_partitioned" => a.with("family", s("poisson")).with("start", nums(vec![0.0, 0.1])),
        "design_size" => a.with("n", Arg::Num(c.n() as f64)).with("p", Arg::Num(3.0)),
        "design_matrix" => a.with(
            "covariates",
            record(vec![("x", nums(c.x.clone())), ("g", codes(c.group.clone(), 2))]),
        ),
        "lexis_split" | "person_time_table" | "lexis_cut" | "lexis_segments" => {
            let exit: Vec<f64> = c.age.iter().zip(&c.time).map(|(a, t)| a + t).collect();
            let a = a
                .with("time_scales", record(vec![("age", nums(c.age.clone())), ("per", nums(c.year.clone()))]))
                .with("exit", nums(exit))
                .with("status", nums(c.status.clone()));
            match method {
                "lexis_cut" => a
                    .with("cut", nums(c.age.iter().zip(&c.time).map(|(a, t)| a + t / 2.0).collect()))
                    .with("new_state", Arg::Num(2.0)),
                "lexis_segments" => a,
                _ => a.with("breaks", record(vec![("age", nums(vec![40.0, 50.0, 60.0, 70.0, 80.0]))])),
            }
        }
        "rate" | "pooled_rates" | "direct_standardize" => {
            let a = a
                .with("events", nums(c.status.clone()))
                .with("person_time", nums(c.time.clone()));
            match method {
                "direct_standardize" => a.with("standard_weights", nums(c.year.iter().map(|y| y - 1979.0).collect())),
                "pooled_rates" => a.with("by", record(vec![("g", codes(c.group.clone(), 2))])),
                _ => a,
            }
        }
        "rate_ratio" | "rate_difference" | "compare_rates" => a
            .with("events1", nums(c.status.clone()))
            .with("person_time1", nums(c.time.clone()))
            .with("events2", nums(c.cause.iter().map(|k| k + 1.0).collect()))
            .with("person_time2", nums(c.age.clone())),
        "sir" => a
            .with("observed", nums(c.status.clone()))
            .with("person_time", nums(c.time.clone()))
            .with("reference_rate", nums(c.x.iter().map(|x| 0.1 + x.abs()).collect()))
            .with("by", record(vec![("g", codes(c.group.clone(), 2))])),
        "standard_population" => a.with("name", s("who2000")),
        // Age groups 0, 5, 10, ... (one table; by = group would need sorted ages per group).
        "life_table" => a
            .with("deaths", nums(c.time.clone()))
            .with("population", nums(c.age.iter().map(|a| a * 100.0).collect()))
            .with("age", nums((0..c.n()).map(|i| 5.0 * i as f64).collect())),
        "funnel" => a
            .with("observed", nums(c.status.clone()))
            .with("denominator", nums(c.time.clone())),
        // Deaths at ages 30-90 against a standard covering 0-110.
        "years_of_life_lost" => a
            .with("deaths", nums(c.time.clone()))
            .with("age", nums(c.age.clone()))
            .with("standard_age", nums(vec![0.0, 50.0, 110.0]))
            .with("standard_ex", nums(vec![80.0, 32.0, 1.0]))
            .with("by", record(vec![("g", codes(c.group.clone(), 2))])),
        // Calendar years 2000, 2001, ... and a positive response (log-linear).
        "joinpoint" => a
            .with("x", nums((0..c.n()).map(|i| 2000.0 + i as f64).collect()))
            .with("y", nums(c.time.iter().map(|t| t + 0.5).collect()))
            .with("max_joinpoints", Arg::Num(2.0)),
        "icss_group" => a.with("age", nums(c.age.clone())),
        // Counts by age and calendar year (a few knots: small random tables).
        "apc_fit" => a
            .with("events", nums(c.time.clone()))
            .with("person_time", nums(c.age.iter().map(|a| a * 10.0).collect()))
            .with("age", nums(c.age.clone()))
            .with("period", nums(c.year.clone()))
            .with("npar", Arg::Num(3.0)),
        "days_since_1960" => a.with("year", nums(c.year.clone())),
        "cross_factors" => {
            let status = c.status.iter().map(|&s| s as u32).collect();
            let factors = vec![("group", codes(c.group.clone(), 2)), ("status", codes(status, 2))];
            a.with("factors", record(factors))
        }
        "builtin_rate_table" => a.with("name", s("survexp.us")),
        "rate_table" => {
            // A flat table: 2 ages x 2 years x 2 sexes.
            a.with("rate", nums(vec![1e-4; 8]))
                .with("age", nums(vec![0.0, 0.0, 60.0, 60.0, 0.0, 0.0, 60.0, 60.0]))
                .with("year", nums(vec![1970.0, 2000.0, 1970.0, 2000.0, 1970.0, 2000.0, 1970.0, 2000.0]))
                .with("sex", codes(vec![0, 0, 0, 0, 1, 1, 1, 1], 2))
        }
        "example_cohort" | "example_ratetable" => a,
        "conditional_logistic" => a
            .with("case", nums(c.status.clone()))
            .with("covariates", record(vec![("x", nums(c.x.clone()))]))
            .with("strata", codes(c.group.clone(), 2)),
        "nested_case_control" => a
            .with("entry", nums(c.entry.clone()))
            .with("exit", nums(c.time.clone()))
            .with("status", nums(c.status.clone()))
            .with("match", codes(c.group.clone(), 2))
            .with("controls", Arg::Num(2.0))
            .with("seed", Arg::Num(1.0)),
        // Every censored row in the subcohort, every other case too.
        "case_cohort" => a
            .with("time", nums(c.time.clone()))
            .with("event", nums(c.status.clone()))
            .with("subcohort", nums(c.status.iter().enumerate().map(|(i, &s)| if s == 0.0 { 1.0 } else { (i % 2) as f64 }).collect()))
            .with("covariates", record(vec![("x", nums(c.x.clone()))]))
            .with("cohort_size", Arg::Num(10.0 * c.n() as f64))
            .with("method", s("LinYing")),
        "drug_exposure" | "adherence" => a
            .with("id", codes(c.group.clone(), 2))
            .with("date", nums(c.time.iter().map(|t| (t * 30.0).floor()).collect()))
            .with("amount", nums(c.age.clone()))
            .with("grace", Arg::Num(10.0)),
        "comorbidity" => a
            .with("id", codes(c.group.clone(), 2))
            .with("code", Arg::Strs(c.time.iter().map(|&t| COMORB_CODES[t as usize % 6].to_string()).collect()))
            .with("date", nums(c.time.clone()))
            .with("index_date", nums(vec![10.0; c.n()]))
            .with("lookback", Arg::Num(8.0)),
        "interval_partitioned" => a.with("ratetable", us_table()).with("breaks", nums(vec![0.0, 1.0, 2.0, 4.0])),
        "net_survival_partitioned" => a.with("ratetable", us_table()),
        "gee" => a
            .with("y", nums(c.time.iter().map(|t| (t - 1.0) % 5.0).collect()))
            .with("covariates", record(vec![("x", nums(c.x.clone()))]))
            .with("cluster", codes(c.group.clone(), 2))
            .with("family", s("poisson"))
            .with("corstr", s("exchangeable"))
            .with("waves", nums(c.age.clone())),
        "capture_recapture" => {
            // three sources; a row found by neither A nor B is found by C
            let b: Vec<f64> = c.group.iter().map(|&g| g as f64).collect();
            let cc: Vec<f64> = (0..c.n()).map(|i| if c.status[i] + b[i] == 0.0 { 1.0 } else { (c.time[i] as i64 % 2) as f64 }).collect();
            a.with("sources", record(vec![("A", nums(c.status.clone())), ("B", nums(b)), ("C", nums(cc))]))
                .with("counts", nums(c.time.clone()))
        }
        "protect_table" => a
            .with("count", nums(c.time.clone()))
            .with("dims", record(vec![("i", codes((0..c.n() as u32).collect(), c.n()))])),
        "pool" => a
            .with("estimates", record(vec![("x", nums(c.x.clone())), ("t", nums(c.time.clone()))]))
            .with("variances", record(vec![("x", nums(c.age.clone())), ("t", nums(c.year.clone()))])),
        _ => {
            // Relative survival: follow-up in days.
            let time: Vec<f64> = c.time.iter().map(|t| t * 100.0).collect();
            let a = if method == "expected_survival" {
                a
            } else if method == "expected_hazard" {
                a.with("time", nums(time))
            } else {
                a.with("time", nums(time)).with("status", nums(c.status.clone()))
            };
            let a = a
                .with("ratetable", us_table())
                .with("age", nums(c.age.clone()))
                .with("year", nums(c.year.clone()))
                .with("sex", nums(c.sex.clone()));
            match method {
                "expected_survival" => a.with("times", nums(vec![0.0, 100.0, 365.0])),
                "net_survival_test" => a.with("group", codes(c.group.clone(), 2)),
                "excess_hazard_model" => a
                    .with("covariates", record(vec![("x", nums(c.x.clone()))]))
                    .with("breaks", nums(vec![0.0, 1.0, 2.0, 4.0])),
                "interval_net_survival" | "interval_part_pass" => a.with("breaks", nums(vec![0.0, 1.0, 2.0, 4.0])),
                _ => a,
            }
        }
    }
}

/// Every method of `api::call`.
const METHODS: &[&str] = &[
    "kaplan_meier",
    "logrank_test",
    "logrank_partitioned",
    "logrank_part_pass",
    "cumulative_incidence",
    "fine_gray",
    "cause_specific_events",
    "cox_ph",
    "cox_partitioned",
    "cox_part_pass",
    "parametric_survival",
    "flexible_parametric",
    "example_cohort",
    "example_ratetable",
    "lexis_split",
    "lexis_cut",
    "person_time_table",
    "lexis_segments",
    "rate",
    "rate_ratio",
    "rate_difference",
    "compare_rates",
    "direct_standardize",
    "sir",
    "standard_population",
    "pooled_rates",
    "glm_fit",
    "poisson_glm",
    "logistic_glm",
    "negbin_glm",
    "design_matrix",
    "glm_partitioned",
    "glm_part_pass",
    "design_size",
    "rate_table",
    "builtin_rate_table",
    "expected_survival",
    "expected_hazard",
    "days_since_1960",
    "net_survival",
    "net_survival_test",
    "excess_hazard_model",
    "crude_probabilities",
    "interval_net_survival",
    "interval_partitioned",
    "interval_part_pass",
    "net_survival_partitioned",
    "net_survival_part_pass",
    "icss_group",
    "life_table",
    "funnel",
    "pool",
    "conditional_logistic",
    "nested_case_control",
    "case_cohort",
    "drug_exposure",
    "adherence",
    "comorbidity",
    "apc_fit",
    "gee",
    "capture_recapture",
    "joinpoint",
    "protect_table",
    "years_of_life_lost",
    "cross_factors",
];

#[test]
fn every_method_is_covered() {
    let mut listed: Vec<&str> = METHODS.to_vec();
    listed.sort();
    let mut all = api::method_names();
    all.sort();
    assert_eq!(listed, all, "a method was added: give it properties here");
}

// ---- valid inputs: finite answers ------------------------------------------------------

/// Whether the error is one that valid random data may legitimately meet (too few
/// events for a model, non-convergence, separation): it must still name an argument.
fn names_an_argument(e: &Error) -> bool {
    let m = e.to_string();
    m.contains('`') && !e.arg().is_empty()
}

proptest! {
    #![proptest_config(cases())]

    /// Every method answers valid small inputs without a panic, with an `Ok` or an error
    /// naming an argument (a model on data that do not allow it).
    #[test]
    fn valid_inputs_answer(c in cohort(4, 25), m in 0..METHODS.len()) {
        let method = METHODS[m];
        let args = valid_args(method, &c);
        match call(method, &args) {
            Ok(_) => {}
            Err(e) => prop_assert!(names_an_argument(&e), "{method}: {e} on {c:?}"),
        }
    }

    /// Rubin's rules by hand: the pooled estimate is the mean, the total variance
    /// `ubar + (1 + 1/m) b`, Rubin's df `(m - 1) / lambda^2` without `df_complete`.
    #[test]
    fn pool_is_rubins_rules_by_hand(c in cohort(2, 12)) {
        let args = Args::new().with("estimates", nums(c.x.clone())).with("variances", nums(c.age.clone()));
        let v = call("pool", &args).unwrap();
        let m = c.n() as f64;
        let qbar = c.x.iter().sum::<f64>() / m;
        let ubar = c.age.iter().sum::<f64>() / m;
        let b = c.x.iter().map(|x| (x - qbar).powi(2)).sum::<f64>() / (m - 1.0);
        let t = ubar + (1.0 + 1.0 / m) * b;
        let lambda = ((1.0 + 1.0 / m) * b / t).max(1e-4);
        prop_assert!(close(col(&v, &["table", "estimate"])[0], qbar, 1e-12));
        prop_assert!(close(col(&v, &["table", "t"])[0], t, 1e-12));
        prop_assert!(close(col(&v, &["table", "df"])[0], (m - 1.0) / (lambda * lambda), 1e-10));
    }

    /// GEE with the independence working correlation solves the GLM's score equations
    /// (same coefficients as poisson_glm), its model-based variance is the GLM's scaled
    /// by the GEE scale (sum of squared Pearson residuals / n), and an exchangeable GEE
    /// whose clusters are single rows is the independence fit.
    #[test]
    fn gee_independence_is_the_glm(c in cohort(6, 30)) {
        let y: Vec<f64> = c.time.iter().map(|t| (t - 1.0) % 5.0).collect();
        let cov = record(vec![("x", nums(c.x.clone()))]);
        let glm = match call("poisson_glm", &Args::new().with("y", nums(y.clone())).with("covariates", cov.clone())) {
            Ok(v) => v,
            Err(e) => { prop_assert!(names_an_argument(&e), "{e}"); return Ok(()); }
        };
        let gee = |corstr: &str, cl: Vec<u32>, k: usize| call("gee", &Args::new().with("y", nums(y.clone()))
            .with("covariates", cov.clone()).with("cluster", codes(cl, k))
            .with("family", s("poisson")).with("corstr", s(corstr)));
        let ind = match gee("independence", c.group.clone(), 2) {
            Ok(v) => v,
            Err(e) => { prop_assert!(names_an_argument(&e), "{e}"); return Ok(()); }
        };
        let (b0, b1) = (col(&glm, &["coef"]), col(&ind, &["coef"]));
        prop_assume!(b0.iter().all(|b| b.abs() < 10.0));
        for j in 0..2 {
            prop_assert!(close(b1[j], b0[j], 1e-6), "{b1:?} vs {b0:?}");
        }
        let n = c.n();
        let single = gee("exchangeable", (0..n as u32).collect(), n).unwrap();
        let (b2, s1, s2) = (col(&single, &["coef"]), col(&ind, &["naive_se"]), col(&single, &["naive_se"]));
        for j in 0..2 {
            prop_assert!(close(b2[j], b1[j], 1e-9) && close(s2[j], s1[j], 1e-9));
        }
    }

    /// The exact conditional likelihood at the fitted coefficient is the enumeration
    /// over subsets of each matched set (at most 8 rows per set here), and the
    /// approximations agree with it for 1:m sets (one case per set).
    #[test]
    fn conditional_logistic_exact_by_enumeration(c in cohort(4, 16)) {
        let k = (c.n() + 3) / 4; // sets of up to 4 rows
        let set: Vec<u32> = (0..c.n()).map(|i| (i / 4) as u32).collect();
        let args = Args::new().with("case", nums(c.status.clone()))
            .with("covariates", record(vec![("x", nums(c.x.clone()))]))
            .with("strata", codes(set.clone(), k));
        let v = match call("conditional_logistic", &args) {
            Ok(v) => v,
            Err(e) => { prop_assert!(names_an_argument(&e), "{e}"); return Ok(()); }
        };
        let beta = col(&v, &["coef"])[0];
        prop_assume!(beta.is_finite() && beta.abs() < 20.0);
        let mut ll = 0.0;
        for s in 0..k as u32 {
            let idx: Vec<usize> = (0..c.n()).filter(|&i| set[i] == s).collect();
            let d = idx.iter().filter(|&&i| c.status[i] == 1.0).count();
            let mut denom = 0.0;
            for mask in 0u32..(1 << idx.len()) {
                if mask.count_ones() as usize == d {
                    let sum: f64 = idx.iter().enumerate().filter(|(b, _)| mask >> b & 1 == 1).map(|(_, &i)| c.x[i]).sum();
                    denom += (beta * sum).exp();
                }
            }
            let num: f64 = idx.iter().filter(|&&i| c.status[i] == 1.0).map(|&i| beta * c.x[i]).sum();
            ll += num - denom.ln();
        }
        let l1 = col(&v, &["loglik"])[1];
        prop_assert!(close(l1, ll, 1e-9), "loglik {l1} by enumeration {ll}");
    }

    /// Capture-recapture: every fitted model's estimate is at least the number observed,
    /// its profile limits bracket the profile maximum from at or above the number
    /// observed, and aggregated counts give what one row per person gives.
    #[test]
    fn capture_recapture_estimates_are_above_the_observed(c in cohort(3, 25)) {
        let args = valid_args("capture_recapture", &c);
        let v = match call("capture_recapture", &args) {
            Ok(v) => v,
            Err(e) => { prop_assert!(names_an_argument(&e), "{e}"); return Ok(()); }
        };
        let n = col(&v, &["n_observed"])[0];
        prop_assert_eq!(n, c.time.iter().sum::<f64>());
        let nh = col(&v, &["models", "n_hat"]);
        let lo = col(&v, &["models", "lower"]);
        let up = col(&v, &["models", "upper"]);
        for i in 0..nh.len() {
            prop_assert!(nh[i] >= n && lo[i] >= n && lo[i] <= up[i] && lo[i] <= nh[i] + 1e-9 * nh[i], "{} {} {} {}", n, lo[i], nh[i], up[i]);
        }
        // one row per person (counts expanded) gives the same numbers
        let Some(Arg::Record(src)) = args.get("sources") else { unreachable!() };
        let mut cols: Vec<(&str, Vec<f64>)> = Vec::new();
        for (name, a) in &src.items {
            let Arg::Nums(x) = a else { unreachable!() };
            let mut e = Vec::new();
            for (i, &xi) in x.iter().enumerate() {
                e.extend(std::iter::repeat(xi).take(c.time[i] as usize));
            }
            cols.push((name.as_str(), e));
        }
        let per_person = Args::new().with("sources", record(cols.into_iter().map(|(n, e)| (n, nums(e))).collect()));
        let w = call("capture_recapture", &per_person).unwrap();
        prop_assert_eq!(col(&w, &["models", "n_hat"]), nh);
    }

    /// A "case-cohort" sample that is the whole cohort (everyone in the subcohort,
    /// cohort_size = n) has no sampling variance: LinYing (weights 1) is the Cox fit of
    /// the cohort, coefficients and variance; SelfPrentice too, with Breslow's ties (the
    /// case copies at an event time weigh e^-100, so Efron's correction vanishes, as in
    /// cch).
    #[test]
    fn case_cohort_of_the_whole_cohort_is_cox(c in cohort(4, 30)) {
        prop_assume!(c.status.contains(&0.0));
        let x = record(vec![("x", nums(c.x.clone()))]);
        for (method, ties) in [("LinYing", "efron"), ("SelfPrentice", "breslow")] {
            let cox = Args::new().with("time", nums(c.time.clone())).with("status", nums(c.status.clone()))
                .with("entry", nums(vec![0.0; c.n()])).with("covariates", x.clone()).with("ties", s(ties));
            let v = match call("cox_ph", &cox) {
                Ok(v) => v,
                Err(e) => { prop_assert!(names_an_argument(&e), "{e}"); return Ok(()); }
            };
            let (b, var) = (col(&v, &["coef"])[0], col(&v, &["naive_se"])[0].powi(2));
            prop_assume!(b.is_finite() && b.abs() < 5.0 && field(&v, "converged") == &Value::Bool(true));
            let args = Args::new().with("time", nums(c.time.clone())).with("event", nums(c.status.clone()))
                .with("subcohort", nums(vec![1.0; c.n()])).with("covariates", x.clone())
                .with("cohort_size", Arg::Num(c.n() as f64)).with("method", s(method));
            let w = call("case_cohort", &args).unwrap();
            let (bc, vc) = (col(&w, &["coef"])[0], col(&w, &["se"])[0].powi(2));
            prop_assert!(close(bc, b, 1e-7), "{method}: coef {bc} cox {b}");
            prop_assert!(close(vc, var, 1e-7), "{method}: var {vc} cox {var}");
        }
    }

    /// Charlson flags and score (original weights) by hand: a person's category is set by
    /// a code of that category dated in [index_date - lookback, index_date); every id with
    /// a row is listed; the row order does not matter.
    #[test]
    fn comorbidity_flags_and_score_by_hand(c in cohort(3, 25), lookback in 0u32..12, rev in any::<bool>()) {
        let args = valid_args("comorbidity", &c);
        let args = set(args, "lookback", Arg::Num(lookback as f64));
        let v = call("comorbidity", &args).unwrap();
        let ids = col(&v, &["table", "id"]);
        let mut expect: Vec<(f64, [bool; 17])> = Vec::new();
        for g in 0..2u32 {
            if !c.group.contains(&g) { continue; }
            let mut f = [false; 17];
            for i in 0..c.n() {
                if c.group[i] == g && c.time[i] < 10.0 && c.time[i] >= 10.0 - lookback as f64 {
                    if let Some(k) = COMORB_CATS[c.time[i] as usize % 6] { f[k] = true; }
                }
            }
            expect.push((g as f64, f));
        }
        prop_assert_eq!(ids, expect.iter().map(|e| e.0).collect::<Vec<_>>());
        let w = [1., 1., 1., 1., 1., 1., 1., 1., 1., 1., 2., 2., 2., 2., 3., 6., 6.];
        let score = col(&v, &["table", "score"]);
        for (j, (_, f)) in expect.iter().enumerate() {
            prop_assert_eq!(col(&v, &["table", "ami"])[j] == 1.0, f[0]);
            prop_assert_eq!(col(&v, &["table", "canc"])[j] == 1.0, f[13]);
            prop_assert_eq!(col(&v, &["table", "diabwc"])[j] == 1.0, f[10]);
            prop_assert_eq!(col(&v, &["table", "mld"])[j] == 1.0, f[8]);
            let by_hand: f64 = (0..17).filter(|&k| f[k]).map(|k| w[k]).sum();
            prop_assert_eq!(score[j], by_hand);
        }
        if rev {
            let mut r = valid_args("comorbidity", &Cohort {
                time: c.time.iter().rev().cloned().collect(),
                group: c.group.iter().rev().cloned().collect(),
                ..c.clone()
            });
            r = set(r, "lookback", Arg::Num(lookback as f64));
            prop_assert_eq!(call("comorbidity", &r).unwrap(), v);
        }
    }

    /// Risk-set sampling: every case with someone at risk is in a set; each control was
    /// at risk at its set's time (entry <= t <= exit), in the case's matching group and
    /// not one of the set's cases; a set has min(controls x cases, eligible) controls; the
    /// same seed gives the same sample.
    #[test]
    fn nested_case_control_controls_are_at_risk_and_matched(c in cohort(2, 25), seed in 0u32..1000, m in 1usize..4) {
        let args = Args::new().with("entry", nums(c.entry.clone())).with("exit", nums(c.time.clone()))
            .with("status", nums(c.status.clone())).with("match", codes(c.group.clone(), 2))
            .with("controls", Arg::Num(m as f64)).with("seed", Arg::Num(seed as f64));
        let v = call("nested_case_control", &args).unwrap();
        let set = col(&v, &["table", "set"]);
        let id: Vec<usize> = col(&v, &["table", "id"]).iter().map(|&x| x as usize).collect();
        let fail = col(&v, &["table", "fail"]);
        let time = col(&v, &["table", "time"]);
        let nel = col(&v, &["table", "n_eligible"]);
        let mut sets = set.clone();
        sets.dedup();
        for s in sets {
            let rows: Vec<usize> = (0..set.len()).filter(|&j| set[j] == s).collect();
            let t = time[rows[0]];
            let cases: Vec<usize> = rows.iter().filter(|&&j| fail[j] == 1.0).map(|&j| id[j]).collect();
            let g = c.group[cases[0]];
            let eligible: Vec<usize> = (0..c.n()).filter(|&i| c.group[i] == g && c.entry[i] <= t && c.time[i] >= t && !cases.contains(&i)).collect();
            let ctrl: Vec<usize> = rows.iter().filter(|&&j| fail[j] == 0.0).map(|&j| id[j]).collect();
            prop_assert_eq!(nel[rows[0]] as usize, eligible.len());
            prop_assert_eq!(ctrl.len(), (m * cases.len()).min(eligible.len()));
            for k in &ctrl { prop_assert!(eligible.contains(k), "control {k} not eligible at {t}"); }
            for &k in &cases { prop_assert!(c.status[k] == 1.0 && c.time[k] == t && c.group[k] == g); }
        }
        prop_assert_eq!(call("nested_case_control", &args).unwrap(), v);
    }

    /// Drug exposure: per id, episodes are in order, do not overlap and are separated by
    /// more than the grace period; their dispensings and days add up to the input's;
    /// with stockpiling an episode is at least as long as its supply. PDC is in [0, 1] and at
    /// most MPR when every dispensing is in the window.
    #[test]
    fn drug_episodes_partition_the_dispensings(c in cohort(1, 25), grace in 0.0f64..40.0, sp in any::<bool>()) {
        let date: Vec<f64> = c.time.iter().map(|t| (t * 30.0).floor()).collect();
        let args = Args::new().with("id", codes(c.group.clone(), 2)).with("date", nums(date.clone()))
            .with("amount", nums(c.x.iter().map(|x| x.abs() * 20.0 + 1.0).collect()))
            .with("grace", Arg::Num(grace)).with("stockpile", Arg::Bool(sp));
        let v = call("drug_exposure", &args).unwrap();
        let id = col(&v, &["table", "id"]);
        let (st, en) = (col(&v, &["table", "start"]), col(&v, &["table", "end"]));
        let k = col(&v, &["table", "dispensings"]);
        let sup = col(&v, &["table", "supplied"]);
        prop_assert_eq!(k.iter().sum::<f64>() as usize, c.n());
        let total: f64 = c.x.iter().map(|x| x.abs() * 20.0 + 1.0).sum();
        prop_assert!(close(sup.iter().sum::<f64>(), total, 1e-12));
        for j in 0..id.len() {
            prop_assert!(en[j] > st[j]);
            // stockpiled: every supplied day is used (plus the gaps within the episode)
            if sp { prop_assert!(close(en[j] - st[j], sup[j], 1e-12) || en[j] - st[j] > sup[j]); }
            if j > 0 && id[j] == id[j - 1] { prop_assert!(st[j] - en[j - 1] > grace); }
        }
        let w = 1e4;
        let a = args.clone().with("window", Arg::Num(w));
        let pdc = col(&call("adherence", &a).unwrap(), &["table", "pdc"]);
        let mpr = col(&call("adherence", &a.with("measure", s("mpr"))).unwrap(), &["table", "mpr"]);
        for (p, m) in pdc.iter().zip(&mpr) { prop_assert!(*p >= 0.0 && *p <= 1.0 && *p <= m * (1.0 + 1e-12)); }
    }

    /// Kaplan–Meier (with delayed entry) is the product-limit estimate, computed here by hand, with the
    /// Nelson–Aalen cumulative hazard and a finite Greenwood standard error while S > 0.
    #[test]
    fn kaplan_meier_is_the_product_limit(c in cohort(1, 25)) {
        let args = Args::new().with("time", nums(c.time.clone())).with("status", nums(c.status.clone()))
            .with("entry", nums(c.entry.clone()));
        let v = call("kaplan_meier", &args).unwrap();
        let time = col(&v, &["table", "time"]);
        let surv = col(&v, &["table", "survival"]);
        let risk = col(&v, &["table", "n_risk"]);
        let ev = col(&v, &["table", "n_event"]);
        let ch = col(&v, &["table", "cumulative_hazard"]);
        let se = col(&v, &["table", "std_err"]);
        let mut distinct: Vec<f64> = c.time.clone();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        prop_assert_eq!(&time, &distinct);
        let (mut s, mut h) = (1.0, 0.0);
        for (j, &t) in distinct.iter().enumerate() {
            // At risk: entered before t, still followed at t.
            let n = (0..c.n()).filter(|&i| c.entry[i] < t && c.time[i] >= t).count() as f64;
            let d: f64 = (0..c.n()).filter(|&i| c.time[i] == t).map(|i| c.status[i]).sum();
            s *= 1.0 - d / n;
            h += d / n;
            prop_assert_eq!(risk[j], n);
            prop_assert_eq!(ev[j], d);
            prop_assert!(close(surv[j], s, 1e-12), "S({t}) = {} by hand {s}", surv[j]);
            prop_assert!(close(ch[j], h, 1e-12), "H({t}) = {} by hand {h}", ch[j]);
            if s > 0.0 {
                prop_assert!(se[j].is_finite() && se[j] >= 0.0, "std_err {} at S = {s}", se[j]);
            }
        }
    }

    /// The log-rank test's observed and expected events are the hand sums over event
    /// times (O_g = deaths in g, E_g = Σ d n_g / n); the statistic is finite and the p
    /// value a probability when there is something to test.
    #[test]
    fn logrank_observed_and_expected_by_hand(c in cohort(2, 25)) {
        let groups: Vec<u32> = { let mut g = c.group.clone(); g.sort(); g.dedup(); g };
        prop_assume!(groups.len() == 2);
        let args = valid_args("logrank_test", &c);
        let v = match call("logrank_test", &args) {
            Ok(v) => v,
            // No information to compare the groups (e.g. every event while only one group
            // is at risk): an error naming `group`.
            Err(e) => {
                prop_assert!(e.to_string().contains("`group`"), "{e}");
                return Ok(());
            }
        };
        let obs = col(&v, &["table", "observed"]);
        let exp = col(&v, &["table", "expected"]);
        let mut times: Vec<f64> = (0..c.n()).filter(|&i| c.status[i] == 1.0).map(|i| c.time[i]).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        for g in 0..2u32 {
            let o: f64 = (0..c.n()).filter(|&i| c.group[i] == g).map(|i| c.status[i]).sum();
            let e: f64 = times.iter().map(|&t| {
                let n = c.time.iter().filter(|&&x| x >= t).count() as f64;
                let ng = (0..c.n()).filter(|&i| c.time[i] >= t && c.group[i] == g).count() as f64;
                let d: f64 = (0..c.n()).filter(|&i| c.time[i] == t).map(|i| c.status[i]).sum();
                d * ng / n
            }).sum();
            prop_assert!(close(obs[g as usize], o, 1e-12));
            prop_assert!(close(exp[g as usize], e, 1e-10), "E = {} by hand {e}", exp[g as usize]);
        }
        let df = col(&v, &["df"])[0];
        let p = col(&v, &["p_value"])[0];
        let stat = col(&v, &["statistic"])[0];
        if df > 0.0 {
            prop_assert!(stat.is_finite() && stat >= -1e-12, "statistic {stat}");
            prop_assert!((0.0..=1.0).contains(&p), "p {p}");
        } else {
            prop_assert!(p.is_nan(), "df 0 tests nothing: p {p}");
        }
    }

    /// Aalen–Johansen cumulative incidence by hand: CIF_k(t) = Σ_{s<=t} S(s-) d_k(s) / n(s)
    /// (one group).
    #[test]
    fn cumulative_incidence_by_hand(c in cohort(2, 25)) {
        let args = Args::new().with("time", nums(c.time.clone())).with("cause", nums(c.cause.clone()));
        let v = call("cumulative_incidence", &args).unwrap();
        let causes = col(&v, &["causes"]);
        let cause_pos = col(&v, &["table", "cause"]);
        let time = col(&v, &["table", "time"]);
        let est = col(&v, &["table", "estimate"]);
        prop_assert!(all_finite(&est));
        for (r, &t) in time.iter().enumerate() {
            let k = causes[cause_pos[r] as usize];
            let (mut s, mut f) = (1.0, 0.0);
            let mut ts: Vec<f64> = c.time.iter().copied().filter(|&x| x <= t).collect();
            ts.sort_by(f64::total_cmp);
            ts.dedup();
            for &u in &ts {
                let n = c.time.iter().filter(|&&x| x >= u).count() as f64;
                let dk = (0..c.n()).filter(|&i| c.time[i] == u && c.cause[i] == k).count() as f64;
                let d = (0..c.n()).filter(|&i| c.time[i] == u && c.cause[i] != 0.0).count() as f64;
                f += s * dk / n;
                s *= 1.0 - d / n;
            }
            prop_assert!(close(est[r], f, 1e-12), "CIF_{k}({t}) = {} by hand {f}", est[r]);
        }
    }

    /// Cox: the reported log partial likelihoods are the hand values at 0 and at the
    /// estimate (distinct times: Breslow = Efron), and a converged fit without warnings
    /// has a finite coefficient and standard error.
    #[test]
    fn cox_loglik_by_hand(mut c in cohort(3, 20)) {
        // Distinct times.
        for (i, t) in c.time.iter_mut().enumerate() {
            *t += i as f64 / 100.0;
        }
        prop_assume!(c.status.iter().any(|&s| s == 1.0));
        let args = valid_args("cox_ph", &c);
        let v = match call("cox_ph", &args) {
            Ok(v) => v,
            Err(e) => { prop_assert!(names_an_argument(&e), "{e}"); return Ok(()); }
        };
        let ll = col(&v, &["loglik"]);
        let b = col(&v, &["coef"])[0];
        let pl = |b: f64| -> f64 {
            (0..c.n()).filter(|&i| c.status[i] == 1.0).map(|i| {
                let r: f64 = (0..c.n()).filter(|&j| c.time[j] >= c.time[i]).map(|j| (b * c.x[j]).exp()).sum();
                b * c.x[i] - r.ln()
            }).sum()
        };
        prop_assert!(close(ll[0], pl(0.0), 1e-10), "loglik(0) {} by hand {}", ll[0], pl(0.0));
        if b.is_finite() {
            prop_assert!(close(ll[1], pl(b), 1e-8), "loglik(b) {} by hand {}", ll[1], pl(b));
        }
        if let Value::Bool(true) = field(&v, "converged") {
            if matches!(field(&v, "warnings"), Value::Strs(w) if w.is_empty()) {
                let se = col(&v, &["se"])[0];
                prop_assert!(b.is_finite() && se.is_finite(), "coef {b} se {se}");
            }
        }
    }

    /// The Gaussian GLM is least squares: slope cov(x, y) / var(x), intercept
    /// mean(y) - slope mean(x).
    #[test]
    fn gaussian_glm_is_least_squares(c in cohort(3, 25)) {
        let y: Vec<f64> = c.time.clone();
        let n = c.n() as f64;
        let (mx, my) = (c.x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
        let sxx: f64 = c.x.iter().map(|x| (x - mx).powi(2)).sum();
        prop_assume!(sxx > 1e-6);
        let sxy: f64 = c.x.iter().zip(&y).map(|(x, y)| (x - mx) * (y - my)).sum();
        let args = Args::new().with("y", nums(y)).with("covariates", record(vec![("x", nums(c.x.clone()))]));
        let v = call("glm_fit", &args).unwrap();
        let coef = col(&v, &["coef"]);
        let slope = sxy / sxx;
        prop_assert!(close(coef[1], slope, 1e-8), "slope {} by hand {slope}", coef[1]);
        prop_assert!(close(coef[0], my - slope * mx, 1e-8));
        prop_assert!(all_finite(&col(&v, &["se"])) || c.n() <= 2);
    }

    /// A Poisson GLM on one binary covariate: exp(coefficient) is the ratio of the
    /// groups' mean counts.
    #[test]
    fn poisson_glm_binary_is_the_rate_ratio(c in cohort(4, 25)) {
        let y: Vec<f64> = c.time.iter().map(|t| t % 4.0).collect();
        let x: Vec<f64> = c.group.iter().map(|&g| g as f64).collect();
        let mean = |g: f64| {
            let v: Vec<f64> = (0..c.n()).filter(|&i| x[i] == g).map(|i| y[i]).collect();
            (v.iter().sum::<f64>(), v.len() as f64)
        };
        let ((s0, n0), (s1, n1)) = (mean(0.0), mean(1.0));
        prop_assume!(s0 > 0.0 && s1 > 0.0);
        let args = Args::new().with("y", nums(y)).with("covariates", record(vec![("x", nums(x))]));
        let v = call("poisson_glm", &args).unwrap();
        let coef = col(&v, &["coef"]);
        let rr = (s1 / n1) / (s0 / n0);
        prop_assert!(close(coef[1].exp(), rr, 1e-6), "RR {} by hand {rr}", coef[1].exp());
        prop_assert!(close(coef[0].exp(), s0 / n0, 1e-6));
        prop_assert!(all_finite(&col(&v, &["se"])));
    }

    /// Logistic regression on one binary covariate: exp(coefficient) is the odds ratio
    /// of the 2x2 table (all cells non-empty).
    #[test]
    fn logistic_glm_binary_is_the_odds_ratio(c in cohort(8, 25)) {
        let x: Vec<f64> = c.group.iter().map(|&g| g as f64).collect();
        let cell = |g: f64, y: f64| (0..c.n()).filter(|&i| x[i] == g && c.status[i] == y).count() as f64;
        let (a, b, cc, d) = (cell(1.0, 1.0), cell(1.0, 0.0), cell(0.0, 1.0), cell(0.0, 0.0));
        prop_assume!(a > 0.0 && b > 0.0 && cc > 0.0 && d > 0.0);
        let args = Args::new().with("y", nums(c.status.clone())).with("covariates", record(vec![("x", nums(x))]));
        let v = call("logistic_glm", &args).unwrap();
        let coef = col(&v, &["coef"]);
        let or = (a / b) / (cc / d);
        prop_assert!(close(coef[1].exp(), or, 1e-6), "OR {} by hand {or}", coef[1].exp());
    }

    /// Crude rates: events / person-time x per, inside their exact limits.
    #[test]
    fn rate_is_events_over_person_time(
        e in prop::collection::vec(0u32..50, 1..10),
        pt in prop::collection::vec(0.1f64..1000.0, 1..10),
        per in prop_oneof![Just(1.0), Just(1000.0), Just(1e5)],
    ) {
        let n = e.len().min(pt.len());
        let e: Vec<f64> = e[..n].iter().map(|&x| x as f64).collect();
        let pt = pt[..n].to_vec();
        let args = Args::new().with("events", nums(e.clone())).with("person_time", nums(pt.clone())).with("per", Arg::Num(per));
        let v = call("rate", &args).unwrap();
        let (r, lo, hi) = (col(&v, &["rate"]), col(&v, &["lower"]), col(&v, &["upper"]));
        for i in 0..n {
            prop_assert!(close(r[i], e[i] / pt[i] * per, 1e-12));
            prop_assert!(lo[i].is_finite() && hi[i].is_finite(), "limits {} {}", lo[i], hi[i]);
            prop_assert!(lo[i] <= r[i] * (1.0 + 1e-12) && r[i] <= hi[i] * (1.0 + 1e-12));
        }
    }

    /// Rate ratios and differences by hand; pooled rates are sums by group.
    #[test]
    fn rate_comparisons_by_hand(c in cohort(1, 10)) {
        let args = valid_args("rate_ratio", &c);

        let v = call("rate_ratio", &args).unwrap();
        let rr = col(&v, &["rate_ratio"]);
        let d = call("rate_difference", &args).unwrap();
        let rd = col(&d, &["rate_difference"]);
        for i in 0..c.n() {
            let (r1, r2) = (c.status[i] / c.time[i], (c.cause[i] + 1.0) / c.age[i]);
            prop_assert!(close(rr[i], r1 / r2, 1e-10), "RR {} by hand {}", rr[i], r1 / r2);
            prop_assert!(close(rd[i], r1 - r2, 1e-10));
            prop_assert!(col(&d, &["std_err"])[i].is_finite());
        }
        let p = call("pooled_rates", &valid_args("pooled_rates", &c)).unwrap();
        let (g, ev, pt) = (col(&p, &["g"]), col(&p, &["events"]), col(&p, &["person_time"]));
        for (r, &gr) in g.iter().enumerate() {
            let e: f64 = (0..c.n()).filter(|&i| c.group[i] as f64 == gr).map(|i| c.status[i]).sum();
            let t: f64 = (0..c.n()).filter(|&i| c.group[i] as f64 == gr).map(|i| c.time[i]).sum();
            prop_assert!(close(ev[r], e, 1e-12) && close(pt[r], t, 1e-12));
        }
    }

    /// SIR = observed / expected (expected = person-time x reference rate), per stratum
    /// and overall; directly standardised rate = Σ w r / Σ w.
    #[test]
    fn sir_and_direct_standardisation_by_hand(c in cohort(1, 12)) {
        let v = call("sir", &valid_args("sir", &c)).unwrap();
        let (o, e, s) = (col(&v, &["table", "observed"]), col(&v, &["table", "expected"]), col(&v, &["table", "sir"]));
        let last = o.len() - 1;
        let eo: f64 = c.status.iter().sum();
        let ee: f64 = (0..c.n()).map(|i| c.time[i] * (0.1 + c.x[i].abs())).sum();
        prop_assert!(close(o[last], eo, 1e-12) && close(e[last], ee, 1e-10));
        prop_assert!(close(s[last], eo / ee, 1e-10));
        let d = call("direct_standardize", &valid_args("direct_standardize", &c)).unwrap();
        let w: Vec<f64> = c.year.iter().map(|y| y - 1979.0).collect();
        let by_hand = (0..c.n()).map(|i| w[i] * c.status[i] / c.time[i]).sum::<f64>() / w.iter().sum::<f64>();
        let r = col(&d, &["rate"]);
        prop_assert!(close(r[0], by_hand, 1e-10), "rate {} by hand {by_hand}", r[0]);
        prop_assert!(all_finite(&col(&d, &["lower"])) && all_finite(&col(&d, &["upper"])));
    }

    /// Life table by hand: l falls by d, d sums to the radix, e = T/l, T sums L from the
    /// bottom, standard errors finite and positive; funnel limits bracket the target and
    /// a unit is flagged exactly when it lies outside its widest limits.
    #[test]
    fn life_table_and_funnel_by_hand(c in cohort(1, 15)) {
        let v = call("life_table", &valid_args("life_table", &c)).unwrap();
        let (l, d, big_l, t, e) = (col(&v, &["table", "lx"]), col(&v, &["table", "dx"]),
            col(&v, &["table", "Lx"]), col(&v, &["table", "Tx"]), col(&v, &["table", "ex"]));
        let k = l.len();
        prop_assert!(close(d.iter().sum::<f64>(), 1e5, 1e-12));
        for j in 0..k {
            prop_assert!(close(e[j], t[j] / l[j], 1e-12));
            prop_assert!(close(t[j], big_l[j..].iter().sum::<f64>(), 1e-12));
            if j + 1 < k { prop_assert!(close(l[j + 1], l[j] - d[j], 1e-12)); }
        }
        let se = col(&v, &["table", "std_err"]);
        prop_assert!(se.iter().all(|s| s.is_finite() && *s > 0.0));
        match call("funnel", &valid_args("funnel", &c)) {
            Ok(f) => {
                let target = col(&f, &["target"])[0];
                let y = col(&f, &["table", "indicator"]);
                let (lo, hi) = (col(&f, &["table", "lower_99.8"]), col(&f, &["table", "upper_99.8"]));
                let flags = match field(field(&f, "table"), "flag") { Value::Strs(s) => s.clone(), _ => unreachable!() };
                for i in 0..y.len() {
                    prop_assert!(lo[i] <= target + 1e-12 && target <= hi[i] + 1e-12, "limits {} {} target {target}", lo[i], hi[i]);
                    prop_assert_eq!(flags[i].starts_with("high 99.8"), y[i] > hi[i]);
                    prop_assert_eq!(flags[i].starts_with("low 99.8"), y[i] < lo[i]);
                }
            }
            Err(e) => prop_assert!(e.arg() == "target", "{e}"),
        }
    }

    /// SEYLL by hand: each death loses the standard's e at its age (linear between the
    /// standard's ages), the totals are the groups' sums; discounting never adds years.
    #[test]
    fn years_of_life_lost_by_hand(c in cohort(1, 15)) {
        let a = valid_args("years_of_life_lost", &c);
        let v = call("years_of_life_lost", &a).unwrap();
        let (yl, e) = (col(&v, &["table", "years_lost"]), col(&v, &["table", "standard_ex"]));
        let mut tot = [0.0; 2];
        for i in 0..c.n() {
            let x = c.age[i];
            let want = if x <= 50.0 { 80.0 + x / 50.0 * (32.0 - 80.0) } else { 32.0 + (x - 50.0) / 60.0 * (1.0 - 32.0) };
            prop_assert!(close(e[i], want, 1e-12), "{} vs {want}", e[i]);
            prop_assert!(close(yl[i], c.time[i] * want, 1e-12));
            tot[c.group[i] as usize] += yl[i];
        }
        let t = col(&v, &["total", "years_lost"]);
        let g = col(&v, &["total", "g"]);
        for (j, &gj) in g.iter().enumerate() {
            prop_assert!(close(t[j], tot[gj as usize], 1e-12));
        }
        let d = call("years_of_life_lost", &a.with("discount", Arg::Num(0.03))).unwrap();
        for (x, y) in col(&d, &["table", "years_lost"]).iter().zip(&yl) {
            prop_assert!(*x <= *y + 1e-12);
        }
    }

    /// Lexis splitting keeps each person's follow-up inside the breaks (drop = TRUE):
    /// durations sum to the overlap of [entry, exit) with [first, last break], per person
    /// and in the person-time table.
    #[test]
    fn lexis_person_time_by_hand(c in cohort(1, 15)) {
        let args = valid_args("lexis_split", &c);
        let v = call("lexis_split", &args).unwrap();
        let rows = col(&v, &["table", "row"]);
        let dur = col(&v, &["table", "duration"]);
        let mut per_person = vec![0.0; c.n()];
        for (r, &i) in rows.iter().enumerate() {
            per_person[i as usize] += dur[r];
        }
        let overlap = |i: usize| (c.age[i] + c.time[i]).min(80.0) - c.age[i].max(40.0);
        let mut total = 0.0;
        for i in 0..c.n() {
            let o = overlap(i).max(0.0);
            total += o;
            prop_assert!(close(per_person[i], o, 1e-12), "person {i}: {} by hand {o}", per_person[i]);
        }
        let t = call("person_time_table", &valid_args("person_time_table", &c)).unwrap();
        let pt: f64 = col(&t, &["table", "person_time"]).iter().sum();
        prop_assert!(close(pt, total, 1e-10), "table {pt} by hand {total}");
    }

    /// Expected survival under a flat rate table is exp(-rate t).
    #[test]
    fn expected_hazard_is_minus_the_slope_of_log_expected_survival(c in cohort(1, 10), days in 1.0f64..5000.0) {
        let persons = |extra: Args<'static>| extra
            .with("ratetable", us_table())
            .with("age", nums(c.age.clone())).with("year", nums(c.year.clone())).with("sex", nums(c.sex.clone()));
        let h = call("expected_hazard", &persons(Args::new().with("time", nums(vec![days; c.n()])))).unwrap();
        let Value::Nums(h) = h else { panic!("numbers") };
        let dt = 1e-3;
        let v = call("expected_survival", &persons(Args::new().with("times", nums(vec![days, days + dt])))).unwrap();
        let Value::Matrix(m) = &v else { panic!("a matrix") };
        for i in 0..c.n() {
            let slope = (m.data[i].ln() - m.data[m.nrow + i].ln()) / dt;
            // within one cell of the table the slope is the rate; at a cut-point within
            // (t, t + dt] it mixes two rates
            let (a, b) = (h[i], slope);
            prop_assert!(a > 0.0 && a.is_finite());
            prop_assert!(close(a, b, 1e-6) || (b - a).abs() <= 2.0 * a.max(b), "{a} vs {b}");
        }
    }

    #[test]
    fn expected_survival_flat_table(c in cohort(1, 10), rate in 1e-6f64..1e-2) {
        let t = call("rate_table", &Args::new()
            .with("rate", nums(vec![rate; 8]))
            .with("age", nums(vec![0.0, 0.0, 60.0, 60.0, 0.0, 0.0, 60.0, 60.0]))
            .with("year", nums(vec![1970.0, 2000.0, 1970.0, 2000.0, 1970.0, 2000.0, 1970.0, 2000.0]))
            .with("sex", codes(vec![0, 0, 0, 0, 1, 1, 1, 1], 2))
            .with("time_unit", s("days"))).unwrap();
        let table = to_arg(&t);
        let times = vec![0.0, 10.0, 365.0, 1000.0];
        let args = Args::new().with("ratetable", table)
            .with("age", nums(c.age.clone())).with("year", nums(c.year.clone())).with("sex", nums(c.sex.clone()))
            .with("times", nums(times.clone()));
        let v = call("expected_survival", &args).unwrap();
        let Value::Matrix(m) = &v else { panic!("a matrix: {v:?}") };
        prop_assert_eq!((m.nrow, m.ncol), (c.n(), times.len()));
        for j in 0..times.len() {
            for i in 0..c.n() {
                let want = (-rate * times[j]).exp();
                prop_assert!(close(m.data[j * m.nrow + i], want, 1e-10), "{} by hand {want}", m.data[j * m.nrow + i]);
            }
        }
    }

    /// ICSS age groups: 15-44 (and under), 45-54, 55-64, 65-74, 75+.
    #[test]
    fn icss_groups_by_hand(age in prop::collection::vec(0.0f64..110.0, 1..20)) {
        let v = call("icss_group", &Args::new().with("age", nums(age.clone()))).unwrap();
        let codes = col(&v, &["codes"]);
        for (i, &a) in age.iter().enumerate() {
            let want = [45.0, 55.0, 65.0, 75.0].iter().filter(|&&b| a >= b).count() as f64;
            prop_assert_eq!(codes[i], want, "age {}", a);
        }
    }

    /// days_since_1960 of 1 January of a year: the days counted by hand.
    #[test]
    fn days_since_1960_by_hand(year in 1900u32..2100) {
        let v = call("days_since_1960", &Args::new().with("year", nums(vec![year as f64]))).unwrap();
        let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        let y = year as i64;
        let days: i64 = if y >= 1960 {
            (1960..y).map(|k| if leap(k) { 366 } else { 365 }).sum()
        } else {
            -(y..1960).map(|k| if leap(k) { 366 } else { 365 }).sum::<i64>()
        };
        prop_assert_eq!(fnums(&v)[0], days as f64);
    }

    /// Relative survival on valid data: finite net survival while persons are at risk,
    /// finite crude probabilities and a test statistic.
    #[test]
    fn relative_survival_is_finite(c in cohort(4, 20)) {
        let v = call("net_survival", &valid_args("net_survival", &c)).unwrap();
        let (surv, risk) = (col(&v, &["table", "survival"]), col(&v, &["table", "n_risk"]));
        for j in 0..surv.len() {
            if risk[j] > 0.0 {
                prop_assert!(surv[j].is_finite(), "net survival {} at row {j}", surv[j]);
            }
        }
        let cp = call("crude_probabilities", &valid_args("crude_probabilities", &c)).unwrap();
        prop_assert!(all_finite(&col(&cp, &["estimate"])));
        let e = call("expected_survival", &valid_args("expected_survival", &c)).unwrap();
        let Value::Matrix(m) = &e else { panic!() };
        prop_assert!(m.data.iter().all(|s| (0.0..=1.0).contains(s)));
    }
}

proptest! {
    #![proptest_config(cases())]

    /// Relative-survival outputs of a flexible parametric fit with `bhazard` (US table,
    /// times in days): crude probabilities in [0, 1], non-decreasing, adding up to at
    /// most 1; finite life expectancies with a finite non-negative standard error of the
    /// loss; or an error naming an argument.
    #[test]
    fn flexible_relative_outputs_are_coherent(c in cohort(8, 30), bh in 1e-5f64..1e-3, df in 1usize..4) {
        let n = c.n();
        let time: Vec<f64> = c.time.iter().map(|t| t * 100.0).collect();
        let mut args = valid_args("flexible_parametric", &c);
        args.items.retain(|(k, _)| k != "time");
        let args = args
            .with("time", nums(time))
            .with("bhazard", nums(vec![bh; n]))
            .with("df", Arg::Num(df as f64));
        let Ok(out) = api::call("flexible_parametric", &args) else { return Ok(()) };
        let fit = out.fit.expect("a fit handle");
        let persons = Args::new()
            .with("ratetable", us_table())
            .with("age", nums(c.age.clone()))
            .with("year", nums(c.year.clone()))
            .with("sex", nums(c.sex.clone()))
            .with("covariates", record(vec![("x", nums(c.x.clone()))]));
        let times = vec![30.0, 365.0, 3650.0];
        match fit.call("crude_probabilities", &persons.clone().with("times", nums(times.clone()))) {
            Ok(v) => {
                // a fitted excess hazard that is negative somewhere is warned about; the
                // probabilities are then not monotone
                let warned = !matches!(field(&v, "warnings"), Value::Strs(w) if w.is_empty());
                let e = col(&v, &["table", "estimate"]);
                prop_assert!(all_finite(&e), "{e:?}");
                if !warned {
                    prop_assert!(e.iter().all(|p| (-1e-12..=1.0 + 1e-12).contains(p)), "{e:?}");
                    for k in 1..times.len() {
                        prop_assert!(e[k] >= e[k - 1] - 1e-12 && e[3 + k] >= e[3 + k - 1] - 1e-12, "{e:?}");
                    }
                    prop_assert!(e[2] + e[5] <= 1.0 + 1e-9, "{e:?}");
                }
            }
            Err(e) => prop_assert!(names_an_argument(&e), "crude_probabilities: {e}"),
        }
        match fit.call("loss_in_life_expectancy", &persons) {
            Ok(v) => {
                let warned = !matches!(field(&v, "warnings"), Value::Strs(w) if w.is_empty());
                let (ex, ob, se) =
                    (col(&v, &["table", "expected"]), col(&v, &["table", "observed"]), col(&v, &["table", "loss_std_err"]));
                prop_assert!(ex[0].is_finite() && ex[0] > 0.0 && ob[0].is_finite() && se[0].is_finite() && se[0] >= 0.0);
                if !warned {
                    prop_assert!(ob[0] > 0.0 && ob[0] <= ex[0] * (1.0 + 1e-9), "observed {} over expected {}", ob[0], ex[0]);
                }
            }
            Err(e) => prop_assert!(names_an_argument(&e), "loss_in_life_expectancy: {e}"),
        }
    }
}

/// A protocol value (a rate table record) as an argument, as the bindings pass it back.
fn to_arg(v: &Value) -> Arg<'static> {
    match v {
        Value::Null => Arg::Null,
        Value::Bool(b) => Arg::Bool(*b),
        Value::Int(i) => Arg::Num(*i as f64),
        Value::Num(x) => Arg::Num(*x),
        Value::Str(s) => Arg::Str(s.clone()),
        Value::Strs(x) => Arg::Strs(x.clone()),
        Value::Record(r) => Arg::Record(Args {
            items: r.fields.iter().map(|(k, v)| (k.clone(), to_arg(v))).collect(),
        }),
        other => Arg::Nums(Cow::Owned(fnums(other))),
    }
}

// ---- invalid inputs: an error naming the argument ----------------------------------------

/// The numeric data columns of an argument list (top level and one record deep), as
/// (path, length).
fn columns(a: &Args) -> Vec<(Vec<String>, usize)> {
    let mut out = Vec::new();
    for (k, v) in &a.items {
        match v {
            Arg::Nums(x) if !x.is_empty() => out.push((vec![k.clone()], x.len())),
            Arg::Record(r) if k != "ratetable" => {
                for (k2, v2) in &r.items {
                    if let Arg::Nums(x) = v2 {
                        if !x.is_empty() {
                            out.push((vec![k.clone(), k2.clone()], x.len()));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn with_column(a: &Args, path: &[String], f: &dyn Fn(&mut Vec<f64>)) -> Args<'static> {
    let mut b: Args<'static> = Args {
        items: a.items.iter().map(|(k, v)| (k.clone(), own(v))).collect(),
    };
    let mut items = &mut b.items;
    for (depth, p) in path.iter().enumerate() {
        let slot = &mut items.iter_mut().find(|(k, _)| k == p).expect("path").1;
        if depth + 1 == path.len() {
            if let Arg::Nums(x) = slot {
                f(x.to_mut());
            }
            break;
        }
        let Arg::Record(r) = slot else { panic!("record") };
        items = &mut r.items;
    }
    b
}

fn own(a: &Arg) -> Arg<'static> {
    match a {
        Arg::Null => Arg::Null,
        Arg::Bool(b) => Arg::Bool(*b),
        Arg::Num(x) => Arg::Num(*x),
        Arg::Str(s) => Arg::Str(s.clone()),
        Arg::Strs(s) => Arg::Strs(s.clone()),
        Arg::Nums(x) => Arg::Nums(Cow::Owned(x.to_vec())),
        Arg::Codes { codes, levels } => Arg::Codes {
            codes: Cow::Owned(codes.to_vec()),
            levels: levels.clone(),
        },
        Arg::Record(r) => Arg::Record(Args {
            items: r.items.iter().map(|(k, v)| (k.clone(), own(v))).collect(),
        }),
        Arg::List(v) => Arg::List(v.iter().map(own).collect()),
    }
}

/// Where a bad value is accepted by design (documented): (method, column, kind).
/// Negative values are refused only where a column cannot be negative (times, counts,
/// person-time, rates, weights, codes); infinities are checked for a named error only.
fn accepted(method: &str, path: &[String], kind: &str) -> bool {
    let col = path.last().map(String::as_str).unwrap_or("");
    const NONNEG: &[&str] = &[
        "time", "status", "cause", "events", "events1", "events2", "person_time",
        "person_time1", "person_time2", "observed", "reference_rate", "standard_weights",
        "weights", "times", "breaks", "deaths", "population", "denominator", "amount",
        "count",
    ];
    match (method, col, kind) {
        // The design matrix passes numeric columns through (the fit checks them).
        ("design_matrix", _, _) => true,
        // A pass's coefficients: NaN marks an aliased one (skipped), as the driver sends.
        ("glm_part_pass", "beta" | "weights_at", "nan" | "negative") => true,
        // NaN cut: never cut (Epi); NaN age: no ICSS group (NaN code).
        ("lexis_cut", "cut", "nan") | ("icss_group", "age", "nan") => true,
        // A missing calendar year converts to a missing day count (as.Date(NA)).
        ("days_since_1960", "year", "nan") => true,
        // Counts: a Gaussian response may be negative, counts may not.
        ("glm_fit", "y", "negative") => true,
        ("poisson_glm" | "negbin_glm" | "logistic_glm", "y", "negative") => false,
        // Lexis states and competing-risks causes are codes of the user's choosing.
        ("lexis_split" | "lexis_cut" | "person_time_table" | "lexis_segments", "status", "negative") => true,
        ("cumulative_incidence" | "fine_gray" | "cause_specific_events", "cause", "negative") => true,
        (_, c, "negative") => !NONNEG.contains(&c),
        (_, _, "inf" | "-inf") => true,
        _ => false,
    }
}

proptest! {
    #![proptest_config(cases())]

    /// A NaN, an infinity or a negative value in any data column: an error naming that
    /// argument (or, for values a method accepts by design, an answer) — never a panic.
    #[test]
    fn bad_values_name_the_argument(
        c in cohort(3, 12),
        m in 0..METHODS.len(),
        which in any::<prop::sample::Index>(),
        row in any::<prop::sample::Index>(),
        kind in prop_oneof![Just("nan"), Just("inf"), Just("-inf"), Just("negative")],
    ) {
        let method = METHODS[m];
        let args = valid_args(method, &c);
        let cols = columns(&args);
        prop_assume!(!cols.is_empty());
        let (path, len) = &cols[which.index(cols.len())];
        let r = row.index(*len);
        let value = match kind { "nan" => f64::NAN, "inf" => f64::INFINITY, "-inf" => f64::NEG_INFINITY, _ => -1.5 };
        let bad = with_column(&args, path, &|x| x[r] = value);
        match call(method, &bad) {
            Err(e) => {
                let msg = e.to_string();
                prop_assert!(names_an_argument(&e), "{method}, {path:?}[{r}] = {value}: {msg}");
                if kind == "nan" {
                    // The top-level argument (or its column) is named.
                    // (A Lexis entry on the time scales is the user's `entry`.)
                    let alias = if path[0] == "time_scales" { "`entry`" } else { "\u{0}" };
                    prop_assert!(msg.contains(&format!("`{}`", path[0])) || msg.contains(&format!("`{}`", path[path.len() - 1])) || msg.contains(alias),
                        "{method}, {path:?}[{r}] = NaN: {msg}");
                }
            }
            Ok(_) => prop_assert!(accepted(method, path, kind),
                "{method} accepted {path:?}[{r}] = {value}"),
        }
    }

    /// A column one shorter than the others: an error naming an argument.
    #[test]
    fn length_mismatch_names_an_argument(c in cohort(3, 12), m in 0..METHODS.len(), which in any::<prop::sample::Index>()) {
        let method = METHODS[m];
        let args = valid_args(method, &c);
        let cols: Vec<_> = columns(&args).into_iter().filter(|(p, l)| *l == c.n() && !matches!(p[0].as_str(), "times" | "breaks")).collect();
        prop_assume!(cols.len() >= 2);
        let (path, _) = &cols[which.index(cols.len())];
        let bad = with_column(&args, path, &|x| { x.pop(); });
        match call(method, &bad) {
            Err(e) => prop_assert!(names_an_argument(&e) && e.to_string().contains("length"), "{method}, {path:?} short: {e}"),
            Ok(_) => prop_assert!(false, "{method} accepted {path:?} one shorter"),
        }
    }

    /// Every data column empty: an error naming an argument (or an empty answer), never
    /// a panic.
    #[test]
    fn empty_inputs_name_an_argument(c in cohort(3, 5), m in 0..METHODS.len()) {
        let method = METHODS[m];
        let mut bad = valid_args(method, &c);
        for (path, _) in columns(&bad) {
            bad = with_column(&bad, &path, &|x| x.clear());
        }
        for (_, v) in bad.items.iter_mut() {
            if let Arg::Codes { codes, .. } = v { codes.to_mut().clear(); }
        }
        if let Err(e) = call(method, &bad) {
            prop_assert!(names_an_argument(&e), "{method} with empty columns: {e}");
        }
    }

    /// An unknown option string, a string where a column belongs, a number where a
    /// string belongs: an error naming that argument.
    #[test]
    fn unknown_options_name_the_argument(c in cohort(3, 8), m in 0..METHODS.len(), o in 0..OPTIONS.len()) {
        let method = METHODS[m];
        let opt = OPTIONS[o];
        let args = set(valid_args(method, &c), opt, s("no-such-option"));
        // Methods ignore arguments they do not take; those they take must refuse it.
        if let Err(e) = call(method, &args) {
            prop_assert!(names_an_argument(&e), "{method}, {opt} = \"no-such-option\": {e}");
        }
        if let Some((path, _)) = columns(&valid_args(method, &c)).first() {
            if path.len() == 1 {
                let mut bad = valid_args(method, &c);
                bad.items.iter_mut().find(|(k, _)| *k == path[0]).unwrap().1 = s("oops");
                let e = call(method, &bad).expect_err("a string for a column");
                prop_assert!(e.to_string().contains(&format!("`{}`", path[0])), "{method}: {e}");
            }
        }
    }

    /// Huge and tiny magnitudes in any column: an answer or an error naming an argument,
    /// never a panic or a hang.
    #[test]
    fn extreme_magnitudes_never_panic(
        c in cohort(3, 10),
        m in 0..METHODS.len(),
        which in any::<prop::sample::Index>(),
        scale in prop_oneof![Just(1e300), Just(1e-300), Just(1e15)],
    ) {
        let method = METHODS[m];
        let args = valid_args(method, &c);
        let cols = columns(&args);
        prop_assume!(!cols.is_empty());
        let (path, _) = &cols[which.index(cols.len())];
        let bad = with_column(&args, path, &|x| x.iter_mut().for_each(|v| *v *= scale));
        if let Err(e) = call(method, &bad) {
            prop_assert!(names_an_argument(&e), "{method}, {path:?} x {scale}: {e}");
        }
    }
}

/// The option arguments the methods parse (each: one parser, one message).
const OPTIONS: &[&str] = &[
    "conf_type", "variance", "ties", "method", "kind", "family", "link", "age_unit",
    "time_unit", "pp_weight", "robust", "timescale", "name", "standard_weights",
    "sex", "a0", "overdispersion", "measure", "index", "weights",
];

#[test]
fn options_listed_are_refused_by_name() {
    // Each option, where a method takes it, refuses an unknown value naming it.
    let c = Cohort {
        time: vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        status: vec![1.0, 0.0, 1.0, 1.0, 0.0, 1.0],
        entry: vec![0.0; 6],
        group: vec![0, 1, 0, 1, 0, 1],
        x: vec![0.1, -0.3, 0.5, 1.0, -1.0, 0.2],
        cause: vec![1.0, 0.0, 2.0, 1.0, 0.0, 1.0],
        age: vec![50.0, 60.0, 70.0, 55.0, 65.0, 75.0],
        year: vec![1990.5; 6],
        sex: vec![0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
    };
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for &m in METHODS {
        for &o in OPTIONS {
            if let Err(e) = call(m, &set(valid_args(m, &c), o, s("no-such-option"))) {
                let msg = e.to_string();
                if msg.contains(&format!("`{o}`")) {
                    *seen.entry(o).or_default() += 1;
                }
            }
        }
    }
    for o in OPTIONS {
        assert!(seen.contains_key(o), "no method refused {o} = \"no-such-option\" by name");
    }
}


// ---- operations of fits ----------------------------------------------------------------

/// A number, sometimes a bad one.
fn maybe_bad() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => 0.0f64..2000.0,
        1 => Just(f64::NAN),
        1 => Just(-1.0),
        1 => Just(f64::INFINITY),
        1 => Just(1e300),
    ]
}

/// The operations of every fit with random arguments (times, probabilities, types,
/// confidence levels, new data): an answer or an error naming an argument, never a panic.
fn fit_ops(c: &Cohort, xs: &[f64], level: f64, kind: &str) -> Vec<(&'static str, &'static str, Args<'static>)> {
    let times = || nums(xs.to_vec());
    let newdata = || record(vec![("x", nums(xs.to_vec()))]);
    let k = || s(kind);
    let _ = c;
    vec![
        ("kaplan_meier", "quantile", Args::new().with("probs", nums(xs.iter().map(|x| x / 1000.0).collect()))),
        ("kaplan_meier", "survival_at", Args::new().with("times", times())),
        ("cumulative_incidence", "at", Args::new().with("times", times())),
        ("cox_ph", "coef_table", Args::new().with("conf_level", Arg::Num(level))),
        ("cox_ph", "residuals", Args::new().with("type", k())),
        ("cox_ph", "predict", Args::new().with("type", k()).with("covariates", newdata())),
        ("cox_ph", "zph", Args::new().with("transform", k())),
        ("cox_ph", "baseline_hazard", Args::new()),
        ("cox_ph", "anova", Args::new().with("loglik", times()).with("df", times())),
        ("fine_gray", "coef_table", Args::new().with("conf_level", Arg::Num(level))),
        ("fine_gray", "predict", Args::new().with("newdata", newdata())),
        ("fine_gray", "baseline_hazard", Args::new()),
        ("glm_fit", "coef_table", Args::new().with("conf_level", Arg::Num(level))),
        ("glm_fit", "predict", Args::new().with("covariates", newdata())),
        ("glm_fit", "residuals", Args::new().with("type", k())),
        ("net_survival", "at", Args::new().with("times", times())),
        ("net_survival", "age_standardized", Args::new().with("times", times()).with("weights", s(kind))),
        ("interval_net_survival", "at", Args::new().with("times", times())),
        ("interval_net_survival", "age_standardized", Args::new().with("weights", s(kind))),
        ("parametric_survival", "coef_table", Args::new().with("conf_level", Arg::Num(level))),
        ("parametric_survival", "predict", Args::new().with("type", k()).with("times", times())),
        ("parametric_survival", "predict", Args::new().with("covariates", newdata())),
        ("flexible_parametric", "coef_table", Args::new().with("conf_level", Arg::Num(level))),
        ("flexible_parametric", "predict", Args::new().with("type", k()).with("times", times()).with("covariates", newdata())),
        ("flexible_parametric", "standardize", Args::new().with("type", k()).with("times", times()).with("covariates", newdata())),
        ("flexible_parametric", "crude_probabilities", Args::new().with("times", times()).with("covariates", newdata())),
        ("flexible_parametric", "loss_in_life_expectancy", Args::new().with("horizon", times()).with("conf_level", Arg::Num(level))),
        ("kaplan_meier", "no_such_operation", Args::new()),
    ]
}

proptest! {
    #![proptest_config(cases())]

    #[test]
    fn fit_operations_name_bad_arguments(
        c in cohort(6, 15),
        xs in prop::collection::vec(maybe_bad(), 0..6),
        level in prop_oneof![Just(0.95), Just(0.0), Just(1.0), Just(1.5), Just(f64::NAN), 0.01f64..0.99],
        kind in prop_oneof![
            Just("martingale"), Just("deviance"), Just("score"), Just("schoenfeld"), Just("dfbeta"),
            Just("lp"), Just("risk"), Just("expected"), Just("response"), Just("link"), Just("pearson"),
            Just("km"), Just("rank"), Just("identity"), Just("icss1"), Just("quantile"),
            Just("survival"), Just("no-such-kind")],
        which in any::<prop::sample::Index>(),
    ) {
        let ops = fit_ops(&c, &xs, level, kind);
        let (method, op, op_args) = &ops[which.index(ops.len())];
        let args = valid_args(method, &c);
        // Only fits that succeed have operations.
        prop_assume!(call(method, &args).is_ok());
        match fit_call(method, &args, op, op_args) {
            Ok(_) => {
                if op_args.get("conf_level").is_some() {
                    prop_assert!(level > 0.0 && level < 1.0, "{method}.{op} accepted conf_level {level}");
                }
                if *op == "no_such_operation" {
                    prop_assert!(false, "{method} accepted an unknown operation");
                }
                if matches!(*op, "at" | "survival_at" | "quantile") {
                    // (A negative time is before every event: S = 1, as survfit's summary.)
                    prop_assert!(xs.iter().all(|x| !x.is_nan()), "{method}.{op} accepted NaN in {xs:?}");
                }
            }
            Err(e) => prop_assert!(names_an_argument(&e), "{method}.{op}: {e}"),
        }
    }
}

proptest! {
    #![proptest_config(cases())]

    /// apc_fit: the ML parametrisations "ACP" and "APC" split the same fitted rates
    /// differently: age x period x cohort effects multiply to the same rate in every
    /// row, and the drift (first row) does not depend on the parametrisation.
    #[test]
    fn apc_parametrisations_give_the_same_rates(c in cohort(8, 25), factor in any::<bool>()) {
        let mut args = valid_args("apc_fit", &c);
        if factor {
            args = set(args, "model", s("factor"));
        }
        let fits: Vec<_> = ["ACP", "APC"].iter().map(|p| call("apc_fit", &set(args.clone(), "parm", s(p)))).collect();
        prop_assume!(fits.iter().all(|f| f.is_ok()));
        let v: Vec<Value> = fits.into_iter().map(|f| f.unwrap()).collect();
        let rate = |v: &Value, i: usize| {
            let at = |e: &str, x: f64| {
                let vals = col(v, &[e, "value"]);
                let k = vals.iter().position(|&u| u == x).unwrap();
                col(v, &[e, "estimate"])[k]
            };
            at("age", c.age[i]) * at("period", c.year[i]) * at("cohort", c.year[i] - c.age[i])
        };
        for i in 0..c.n() {
            let (a, b) = (rate(&v[0], i), rate(&v[1], i));
            prop_assert!(close(a, b, 1e-6) || (a.abs() < 1e-12 && b.abs() < 1e-12), "row {i}: {a} vs {b}");
        }
        let (d0, d1) = (col(&v[0], &["drift", "estimate"]), col(&v[1], &["drift", "estimate"]));
        prop_assert!(close(d0[0], d1[0], 1e-9), "drift {} vs {}", d0[0], d1[0]);
    }
}

// ---- protect_table's modes: magnitude rules, subtotals, controlled rounding -----------

proptest! {
    #![proptest_config(cases())]

    /// Random contributions (|x| per row, cells by group and time mod 3, units by
    /// status), with the p%-rule and the dominance rule, with subtotals, and rounded:
    /// finite answers or an error naming an argument; a rounding is made of multiples of
    /// the base within the base of each cell, margins included.
    #[test]
    fn protect_table_modes_answer(c in cohort(4, 25), p in 1.0f64..40.0, k in 50.0f64..100.0, base in 2u32..7) {
        let n = c.n();
        let dims = record(vec![
            ("g", codes(c.group.clone(), 2)),
            ("t", codes(c.time.iter().map(|t| *t as u32 % 3).collect(), 3)),
        ]);
        let mag = nums(c.x.iter().map(|x| x.abs()).collect());
        let unit = codes(c.status.iter().map(|s| *s as u32).collect(), 2);
        let hier = record(vec![("t", Arg::Record(Args::new()
            .with("child", Arg::Strs(vec!["l0".into(), "l1".into(), "l2".into()]))
            .with("parent", Arg::Strs(vec!["A".into(), "A".into(), "B".into()]))))]);
        let with_levels = |a: Arg<'static>| match a {
            Arg::Record(mut r) => {
                for (_, v) in r.items.iter_mut() {
                    if let Arg::Codes { levels, .. } = v {
                        *levels = (0..levels.len()).map(|i| format!("l{i}")).collect();
                    }
                }
                Arg::Record(r)
            }
            o => o,
        };
        let variants = vec![
            Args::new().with("magnitude", mag.clone()).with("unit", unit.clone()).with("dims", dims.clone()).with("p", Arg::Num(p)),
            Args::new().with("magnitude", mag.clone()).with("dims", dims.clone())
                .with("dominance_n", Arg::Num(1.0)).with("dominance_k", Arg::Num(k)).with("exact_intervals", Arg::Bool(true)),
            Args::new().with("count", nums(c.time.clone())).with("dims", with_levels(dims.clone())).with("hierarchies", hier.clone()),
            Args::new().with("count", nums(c.time.iter().enumerate().map(|(i, t)| t + i as f64 * 13.0).collect()))
                .with("dims", record(vec![("i", codes((0..n as u32).collect(), n))]))
                .with("method", s("round")).with("base", Arg::Num(base as f64)),
        ];
        for (v, a) in variants.iter().enumerate() {
            match call("protect_table", a) {
                Ok(out) => {
                    let count = col(&out, &["table", "count"]);
                    prop_assert!(count.iter().all(|x| x.is_finite()), "variant {v}");
                    if v == 3 {
                        let r = col(&out, &["table", "rounded"]);
                        let b = base as f64;
                        for (x, y) in count.iter().zip(&r) {
                            prop_assert!((y / b).fract() == 0.0 && (x - y).abs() < b, "{x} -> {y}");
                        }
                        // 1-D: the last row is the total, the sum of the rounded cells
                        let s: f64 = r[..r.len() - 1].iter().sum();
                        prop_assert_eq!(s, r[r.len() - 1]);
                    } else {
                        let (lo, hi) = (col(&out, &["table", "lower"]), col(&out, &["table", "upper"]));
                        for i in 0..count.len() {
                            prop_assert!(lo[i].is_nan() || lo[i] <= count[i] + 1e-9 * (1.0 + count[i]));
                            prop_assert!(hi[i].is_nan() || hi[i] >= count[i] - 1e-9 * (1.0 + count[i]));
                        }
                    }
                }
                Err(e) => prop_assert!(names_an_argument(&e), "variant {v}: {e}"),
            }
        }
    }
}

proptest! {
    #![proptest_config(cases())]

    /// Crossing grouping variables (`cross_factors`, how both bindings combine several
    /// strata): rows share a code exactly when they share every variable's level, and
    /// the codes follow the levels' order with the first variable varying slowest.
    #[test]
    fn crossed_factors_code_the_combinations_in_level_order(
        rows in prop::collection::vec((0u32..3, 0u32..4), 1..40),
    ) {
        let (a, b): (Vec<u32>, Vec<u32>) = rows.iter().copied().unzip();
        let factors = Arg::List(vec![codes(a.clone(), 3), codes(b.clone(), 4)]);
        let args = Args::new().with("factors", factors);
        let out = call("cross_factors", &args).unwrap();
        let Value::Record(r) = out else { panic!("a record") };
        let Some(Value::Index(c)) = r.get("codes") else { panic!("codes") };
        let Some(Value::Strs(levels)) = r.get("levels") else { panic!("levels") };
        let mut used = rows.clone();
        used.sort();
        used.dedup();
        prop_assert_eq!(levels.len(), used.len());
        for (i, pair) in rows.iter().enumerate() {
            let k = used.binary_search(pair).unwrap();
            prop_assert_eq!(c[i], k);
            prop_assert_eq!(&levels[k], &format!("g{}, g{}", pair.0, pair.1));
        }
    }
}
