//! Infinite-coefficient warnings of Cox fits in survival's words: right-censored data are
//! fitted by coxph.fit ("Loglik converged before variable  j ; coefficient may be
//! infinite. ", rule `|(V u)_j| > eps` and `> sqrt(eps) |b_j|`), counting-process data
//! (`entry`: `Surv(start, stop, event)`) by agreg.fit ("... ; beta may be infinite. ",
//! rule `|(V u)_j| > sqrt(eps) (1 + |b_j|)`). Numbers: survival 3.5-3 (the R test runs it
//! live; the Python test holds the same cases).
mod common;
use common::{column, nums_of as nums, warnings};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

const TIME: [f64; 16] = [
    0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762, 1.238, 4.424, 1.055, 1.035,
];
const Z: [f64; 16] = [
    -0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05, -0.24, -0.54, -0.43,
];
const STATUS: [f64; 16] = [1., 0., 1., 1., 0., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 0.];
const ENTRY: [f64; 16] = [
    0.0, 0.355, 0.015, 0.0, 0.218, 0.579, 0.0, 0.162, 0.096, 0.0, 0.696, 0.152, 0.0, 1.327, 0.106, 0.0,
];

fn fit(status: &[f64], entry: Option<&[f64]>) -> Value {
    let x: Vec<f64> = (0..16).map(|i| (i % 2) as f64).collect();
    let mut a = Args::new()
        .with("time", nums(&TIME))
        .with("status", nums(status))
        .with("covariates", Arg::Record(Args::new().with("x", nums(&x)).with("z", nums(&Z))));
    if let Some(e) = entry {
        a = a.with("entry", nums(e));
    }
    api::call("cox_ph", &a).expect("a fit").value
}

fn coef(v: &Value) -> Vec<f64> {
    column(v, &["coef"])
}

/// No events with x = 1: x runs off to minus infinity.
fn separated() -> Vec<f64> {
    (0..16).map(|i| 1.0 - (i % 2) as f64).collect()
}

#[test]
fn counting_process_data_warn_in_agreg_fits_words() {
    // coxph(Surv(entry, time, 1 - x) ~ x + z): agreg.fit's warning, z = -0.12395934077446687
    let v = fit(&separated(), Some(&ENTRY));
    assert_eq!(warnings(&v), vec!["Loglik converged before variable  1 ; beta may be infinite. ".to_string()]);
    let c = coef(&v);
    assert!(c[0] < -15.0, "{c:?}");
    assert!((c[1] - -0.12395934077446687).abs() < 1e-6, "{c:?}");
    // entry 0 for everyone is still counting-process data for coxph (agreg.fit)
    let v = fit(&separated(), Some(&[0.0; 16]));
    assert_eq!(warnings(&v), vec!["Loglik converged before variable  1 ; beta may be infinite. ".to_string()]);
    assert!((coef(&v)[1] - -0.089083000298503009).abs() < 1e-6);
}

#[test]
fn right_censored_data_keep_coxph_fits_words() {
    let v = fit(&separated(), None);
    assert_eq!(
        warnings(&v),
        vec!["Loglik converged before variable  1 ; coefficient may be infinite. ".to_string()]
    );
}

#[test]
fn ordinary_counting_process_data_do_not_warn() {
    // coxph(Surv(entry, time, status) ~ x + z): x = -0.10227636680424078, z = -0.21054040808010277
    let v = fit(&STATUS, Some(&ENTRY));
    assert!(warnings(&v).is_empty(), "{:?}", warnings(&v));
    let c = coef(&v);
    for (ours, r) in c.iter().zip([-0.10227636680424078, -0.21054040808010277]) {
        assert!((ours - r).abs() < 1e-8, "{c:?}");
    }
}
