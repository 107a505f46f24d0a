//! Progress of long computations (#19): with a progress hook installed (as the Python and
//! R bindings install one for every call), the long methods report fractions of their
//! work done through the bindings' entry point, monotone and ending at 1 when the call
//! succeeds; nothing is reported without a hook, and the answer is the same either way.
use std::borrow::Cow;
use std::cell::RefCell;
use std::time::Duration;

use hrrstats::api;
use hrrstats::progress;
use hrrstats::protocol::{Arg, Args};

thread_local! {
    static SEEN: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

fn record(f: f64) -> bool {
    SEEN.with(|s| s.borrow_mut().push(f));
    true
}

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn rec(items: Vec<(&str, Arg<'static>)>) -> Arg<'static> {
    Arg::Record(Args {
        items: items.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    })
}

/// `method` on `args` with a hook reporting at every call of `report`: (reports, ok).
fn reports(method: &str, args: &Args) -> (Vec<f64>, bool) {
    SEEN.with(|s| s.borrow_mut().clear());
    progress::install_every(record, Duration::ZERO);
    let out = api::call(method, args);
    progress::finish(out.is_ok());
    (SEEN.with(|s| s.borrow().clone()), out.is_ok())
}

/// n persons aged 40-69 at entry followed 1-17 years, `breaks` bands of age from 30 on.
fn lexis(n: usize, breaks: usize, width: f64) -> Args<'static> {
    let age: Vec<f64> = (0..n).map(|i| 40.0 + (i % 30) as f64).collect();
    let exit: Vec<f64> = age.iter().enumerate().map(|(i, a)| a + 1.0 + (i % 17) as f64).collect();
    Args::new()
        .with("time_scales", rec(vec![("age", nums(age))]))
        .with("exit", nums(exit))
        .with("status", nums((0..n).map(|i| (i % 3 == 0) as u8 as f64).collect()))
        .with("breaks", rec(vec![("age", nums((0..=breaks).map(|k| 30.0 + width * k as f64).collect()))]))
}

/// The reports are fractions, monotone, ending at 1, at least `min` of them (the core
/// reports after each block of persons: a block is at least 32 chunks of 4096 persons).
fn monotone_to_one(method: &str, seen: &[f64], min: usize) {
    assert!(seen.len() >= min, "{method}: {} reports", seen.len());
    assert!(seen.iter().all(|f| (0.0..=1.0).contains(f)), "{method}: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0] <= w[1]), "{method}: not monotone");
    assert_eq!(*seen.last().unwrap(), 1.0, "{method}: does not end at 1");
}

#[test]
fn person_time_table_reports_monotone_fractions_ending_at_one() {
    // 500,000 persons in 0.05-year bands: four blocks
    let (seen, ok) = reports("person_time_table", &lexis(500_000, 2000, 0.05));
    assert!(ok);
    monotone_to_one("person_time_table", &seen, 3);
}

#[test]
fn lexis_split_reports_and_gives_the_same_rows() {
    let a = lexis(20_000, 60, 1.0);
    let (seen, ok) = reports("lexis_split", &a);
    assert!(ok);
    monotone_to_one("lexis_split", &seen, 1);
    progress::uninstall();
    let without = format!("{:?}", api::call("lexis_split", &a).unwrap().value);
    progress::install_every(record, Duration::ZERO);
    let with = format!("{:?}", api::call("lexis_split", &a).unwrap().value);
    progress::finish(true);
    assert_eq!(with, without, "the answer changed");
}

#[test]
fn joinpoint_permutation_tests_report() {
    let x: Vec<f64> = (0..25).map(|i| 1990.0 + i as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&t| {
            let k = t - 1990.0;
            (if k < 12.0 { 100.0 * 1.03f64.powf(k) } else { 100.0 * 1.03f64.powf(12.0) * 0.98f64.powf(k - 12.0) })
                * (1.0 + 0.01 * t.sin())
        })
        .collect();
    let a = Args::new()
        .with("x", nums(x))
        .with("y", nums(y))
        .with("selection", Arg::Str("permutation".into()))
        .with("n_permutations", Arg::Num(999.0))
        .with("max_joinpoints", Arg::Num(2.0))
        .with("seed", Arg::Num(1.0));
    let (seen, ok) = reports("joinpoint", &a);
    assert!(ok);
    monotone_to_one("joinpoint", &seen, 2);
}

#[test]
fn nothing_is_reported_without_a_hook_or_on_failure() {
    progress::uninstall();
    SEEN.with(|s| s.borrow_mut().clear());
    api::call("person_time_table", &lexis(1000, 60, 1.0)).unwrap();
    progress::finish(true);
    assert!(SEEN.with(|s| s.borrow().is_empty()));
    // a failing call reports no final 1
    let mut exit = vec![50.0; 1000];
    exit[500] = f64::NAN;
    let bad = Args::new()
        .with("time_scales", rec(vec![("age", nums(vec![40.0; 1000]))]))
        .with("exit", nums(exit))
        .with("status", nums(vec![0.0; 1000]))
        .with("breaks", rec(vec![("age", nums(vec![30.0, 40.0, 50.0, 60.0]))]));
    let (seen, ok) = reports("person_time_table", &bad);
    assert!(!ok);
    assert!(!seen.contains(&1.0), "{seen:?}");
}

/// n persons aged 40-80 diagnosed in 1980-2000, followed 1-3000 days, survexp.us; two
/// strata of n / 2.
fn net_cohort(n: usize) -> Args<'static> {
    let time: Vec<f64> = (0..n).map(|i| 1.0 + ((i * 7919) % 3000) as f64).collect();
    let status: Vec<f64> = (0..n).map(|i| ((i * 31) % 3 != 0) as u8 as f64).collect();
    Args::new()
        .with("time", nums(time))
        .with("status", nums(status))
        .with("age", nums((0..n).map(|i| 40.0 + (i % 40) as f64).collect()))
        .with("year", nums((0..n).map(|i| 1980.0 + (i % 20) as f64).collect()))
        .with("sex", nums((0..n).map(|i| (i % 2) as f64).collect()))
        .with(
            "strata",
            Arg::Codes { codes: Cow::Owned((0..n as u32).map(|i| i % 2).collect()), levels: vec!["a".into(), "b".into()] },
        )
        .with("ratetable", rec(vec![("name", Arg::Str("survexp.us".into()))]))
}

#[test]
fn net_survival_reports_each_stratum_and_gives_the_same_curves() {
    // Pohar-Perme on a daily grid: persons in groups of 64, a report after each wave of
    // groups; each of the two strata reports within its half
    for method in ["pohar-perme", "ederer1"] {
        let a = net_cohort(20_000).with("method", Arg::Str(method.into()));
        let (seen, ok) = reports("net_survival", &a);
        assert!(ok);
        monotone_to_one(method, &seen, 3);
        assert!(seen.iter().any(|&f| f > 0.0 && f <= 0.5), "{method}: first stratum {seen:?}");
        assert!(seen.iter().any(|&f| f > 0.5 && f < 1.0), "{method}: second stratum {seen:?}");
        progress::uninstall();
        let without = format!("{:?}", api::call("net_survival", &a).unwrap().value);
        progress::install_every(record, Duration::ZERO);
        let with = format!("{:?}", api::call("net_survival", &a).unwrap().value);
        progress::finish(true);
        assert_eq!(with, without, "{method}: the answer changed");
    }
}
