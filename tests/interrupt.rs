//! Ctrl-C stops long computations (issue "No silent wrong answers": "an interrupt does
//! not stop it"): with an interrupt hook that always says "stop" (as R's
//! `R_CheckUserInterrupt` / Python's `PyErr_CheckSignals` do after Ctrl-C), every long
//! loop returns `Error::Interrupted` through the bindings' entry point, and a hook
//! installed on one thread never stops another (rayon's workers, other callers).
use std::time::Duration;

use hrrstats::api;
use hrrstats::interrupt;
use hrrstats::protocol::{Arg, Args};
use hrrstats::Error;

mod common;
use common::{arg_record as record, codes, nums};

fn stop() -> bool {
    true
}

/// A small deterministic cohort: n persons, follow-up in days.
fn cohort(n: usize) -> Args<'static> {
    let time: Vec<f64> = (0..n).map(|i| 30.0 + ((i * 7919) % 3000) as f64).collect();
    let status: Vec<f64> = (0..n).map(|i| ((i * 31) % 3 != 0) as u8 as f64).collect();
    let x: Vec<f64> = (0..n).map(|i| ((i * 13) % 10) as f64 / 10.0).collect();
    let age: Vec<f64> = (0..n).map(|i| 40.0 + (i % 40) as f64).collect();
    let year: Vec<f64> = (0..n).map(|i| 1980.0 + (i % 20) as f64).collect();
    let sex: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    Args::new()
        .with("time", nums(time))
        .with("status", nums(status.clone()))
        .with("cause", nums(status))
        .with("covariates", record(vec![("x", nums(x))]))
        .with("group", codes((0..n as u32).map(|i| i % 2).collect(), 2))
        .with("age", nums(age))
        .with("year", nums(year))
        .with("sex", nums(sex))
        .with("ratetable", record(vec![("name", Arg::Str("survexp.us".into()))]))
}

/// `method` on `args` with the hook always saying stop: an interrupt, nothing else.
fn interrupted(method: &str, args: &Args) {
    interrupt::install_every(stop, Duration::ZERO);
    let out = api::call(method, args);
    interrupt::uninstall();
    match out {
        Err(e) => {
            assert!(e.is_interrupt(), "{method}: {e}");
            assert_eq!(e.to_string(), "interrupted by the user");
        }
        Ok(_) => panic!("{method}: not interrupted"),
    }
    // Without the hook the same call answers.
    assert!(api::call(method, args).is_ok(), "{method} fails without an interrupt");
}

#[test]
fn fits_stop_on_interrupt() {
    let a = cohort(200);
    for m in [
        "cox_ph",
        "fine_gray",
        "parametric_survival",
        "logrank_test",
        "cumulative_incidence",
    ] {
        interrupted(m, &a);
    }
}

#[test]
fn glms_stop_on_interrupt() {
    let n = 200;
    let y: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64).collect();
    let x: Vec<f64> = (0..n).map(|i| (i % 10) as f64).collect();
    let a = Args::new()
        .with("y", nums(y))
        .with("covariates", record(vec![("x", nums(x))]));
    interrupted("poisson_glm", &a);
    interrupted("negbin_glm", &a);
}

#[test]
fn relative_survival_stops_on_interrupt() {
    let a = cohort(200);
    for m in [
        "net_survival",
        "crude_probabilities",
        "net_survival_test",
        "interval_net_survival",
        "excess_hazard_model",
    ] {
        interrupted(m, &a);
    }
    let e = cohort(300).with("times", nums(vec![365.0, 730.0]));
    interrupted("expected_survival", &e);
}

#[test]
fn person_time_stops_on_interrupt() {
    let n = 100;
    let age: Vec<f64> = (0..n).map(|i| 40.0 + (i % 30) as f64).collect();
    // `exit` on the first time scale (age at exit).
    let exit: Vec<f64> = age.iter().enumerate().map(|(i, a)| a + 1.0 + (i % 7) as f64).collect();
    let a = Args::new()
        .with("time_scales", record(vec![("age", nums(age))]))
        .with("exit", nums(exit))
        .with("status", nums(vec![1.0; n]))
        .with("breaks", record(vec![("age", nums((0..20).map(|k| 30.0 + 5.0 * k as f64).collect()))]));
    interrupted("person_time_table", &a);
    interrupted("lexis_split", &a);
}

#[test]
fn interrupt_is_not_an_argument_error() {
    let e = Error::Interrupted;
    assert!(e.is_interrupt() && e.row().is_none() && e.arg().is_empty());
    let labels = vec![("status".to_string(), "event".to_string())];
    assert!(e.relabel(&labels).is_interrupt());
}

#[test]
fn a_hook_on_another_thread_stops_nothing_here() {
    // A hook on a thread of its own (as a binding's, on the interpreter's thread) is
    // never asked from this one.
    std::thread::spawn(|| interrupt::install_every(stop, Duration::ZERO)).join().unwrap();
    let a = cohort(200);
    assert!(api::call("cox_ph", &a).is_ok());
}

static ASKED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn count_and_go_on() -> bool {
    ASKED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    false
}

/// A Cox evaluation polls inside its row loop, not only between Newton evaluations:
/// with large p one evaluation can take minutes, and Ctrl-C must stop it within about
/// 0.1 s. One evaluation (`max_iter = 0`) on 20,000 rows asks the hook once per 256
/// rows; with strata, the strata are swept in blocks with a check before each.
#[test]
fn cox_polls_inside_an_evaluation() {
    let n = 20_000;
    let mut a = cohort(n).with("max_iter", nums(vec![0.0]));
    ASKED.store(0, std::sync::atomic::Ordering::SeqCst);
    interrupt::install_every(count_and_go_on, Duration::ZERO);
    let out = api::call("cox_ph", &a);
    interrupt::uninstall();
    assert!(out.is_ok());
    let asked = ASKED.load(std::sync::atomic::Ordering::SeqCst);
    assert!(asked >= n / 256 / 2, "asked {asked} times");
    // Stratified: still interrupted.
    a = a.with("strata", codes((0..n as u32).map(|i| i % 3).collect(), 3));
    interrupted("cox_ph", &a);
}
