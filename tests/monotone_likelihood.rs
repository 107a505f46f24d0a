//! Fits that run off to infinity along a direction of monotone likelihood say so (issue
//! "No silent wrong answers"), through the entry point the bindings use (`api::call`).
//! The rule is survival's (coxph.fit / agreg.fit): at the estimate, the Newton step
//! `V u` still left moves coefficient j by more than eps = 1e-9 and by more than
//! toler.inf |β_j| (toler.inf = sqrt(eps)), or β_j's information vanished in the fit
//! although its column is not aliased in the data; the warning is coxph's,
//! "Loglik converged before variable  j ; coefficient may be infinite. ". Flexible
//! parametric fits also apply coxph's `max(lp) > 500` test ("one or more coefficients
//! may be infinite") to the fitted η at the rows' times. survreg itself stops silently on
//! such data; its numbers for the other coefficients are checked here (survival 3.5-3,
//! live in the R tests).
mod common;
use common::{at, cols, column, nums_of as nums, warnings};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};
use std::borrow::Cow;

fn converged(v: &Value) -> bool {
    match at(v, &["converged"]) {
        Value::Bool(b) => *b,
        other => panic!("{other:?}"),
    }
}

const TIME: [f64; 16] = [
    0.755, 1.182, 0.146, 0.14, 0.436, 2.895, 1.23, 0.54, 0.957, 0.147, 1.391, 0.762, 1.238, 4.424,
    1.055, 1.035,
];
const Z: [f64; 16] = [
    -0.89, 0.44, -1.24, -0.22, 0.38, 0.13, 0.8, -0.06, 0.5, 1.09, -0.69, -1.28, 0.05, -0.24, -0.54,
    -0.43,
];
/// Events and a covariate of ordinary data.
const STATUS: [f64; 16] = [
    1., 0., 1., 1., 0., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 0.,
];

fn x01() -> Vec<f64> {
    (0..16).map(|i| (i % 2) as f64).collect()
}

/// No events in the x = 1 group: the coefficient of x runs to infinity.
fn separated() -> Vec<f64> {
    x01().iter().map(|v| 1.0 - v).collect()
}

const INFINITE_X: &str = "Loglik converged before variable  2 ; coefficient may be infinite. ";

#[test]
fn parametric_survival_warns_of_an_infinite_coefficient() {
    // survreg stops silently with x at 10.19 (weibull); z as survreg's.
    let z_anchor = [
        ("weibull", 0.1410925663563308),
        ("exponential", 0.27962341387609535),
        ("lognormal", 0.46150803495681636),
        ("loglogistic", 0.32590301912612446),
    ];
    for (dist, z) in z_anchor {
        let out = api::call(
            "parametric_survival",
            &Args::new()
                .with("time", nums(&TIME))
                .with("status", nums(&separated()))
                .with("covariates", cols(&[("x", &x01()), ("z", &Z)]))
                .with("dist", Arg::Str(dist.into())),
        )
        .unwrap()
        .value;
        assert_eq!(warnings(&out), vec![INFINITE_X], "{dist}");
        assert!(!converged(&out), "{dist}");
        let coef = column(&out, &["coef"]);
        assert!(coef[1] > 5.0, "{dist}: {coef:?}");
        assert!((coef[2] - z).abs() < 1e-6 * z.abs(), "{dist}: {coef:?}");
    }
    // ordinary data: no warning, survreg's coefficients
    let anchor = [
        ("weibull", [0.17172149334926284, 0.67045271403480611, 0.163665838245102]),
        ("exponential", [0.206132613822547, 0.61971902949439284, 0.17457851158589421]),
        ("lognormal", [0.017184321526840407, 0.10137366292238131, 0.070273412480087075]),
        ("loglogistic", [0.070265195829610758, 0.21753433398902144, 0.1370934467648883]),
    ];
    for (dist, b) in anchor {
        let out = api::call(
            "parametric_survival",
            &Args::new()
                .with("time", nums(&TIME))
                .with("status", nums(&STATUS))
                .with("covariates", cols(&[("x", &x01()), ("z", &Z)]))
                .with("dist", Arg::Str(dist.into())),
        )
        .unwrap()
        .value;
        assert!(warnings(&out).is_empty(), "{dist}: {:?}", warnings(&out));
        assert!(converged(&out));
        for (o, a) in column(&out, &["coef"]).iter().zip(b) {
            assert!((o - a).abs() < 1e-6 * a.abs(), "{dist}: {o} vs {a}");
        }
    }
}

#[test]
fn flexible_parametric_warns_of_an_infinite_coefficient() {
    // No events with x = 1: x's information vanishes as its coefficient runs off (it
    // used to be reported as aliased, silently).
    for (df, j) in [(1.0, 3), (2.0, 4), (3.0, 5)] {
        let out = api::call(
            "flexible_parametric",
            &Args::new()
                .with("time", nums(&TIME))
                .with("status", nums(&separated()))
                .with("covariates", cols(&[("x", &x01()), ("z", &Z)]))
                .with("df", Arg::Num(df)),
        )
        .unwrap()
        .value;
        assert_eq!(
            warnings(&out),
            vec![format!("Loglik converged before variable  {j} ; coefficient may be infinite. ")],
            "df {df}"
        );
        assert!(!converged(&out));
        let out = api::call(
            "flexible_parametric",
            &Args::new()
                .with("time", nums(&TIME))
                .with("status", nums(&STATUS))
                .with("covariates", cols(&[("x", &x01()), ("z", &Z)]))
                .with("df", Arg::Num(df)),
        )
        .unwrap()
        .value;
        assert!(warnings(&out).is_empty(), "df {df}: {:?}", warnings(&out));
        assert!(converged(&out));
    }
}

/// Tiny tied data where the excess hazard over `bhazard` is not identifiable (found by a
/// random search as in tests/properties.rs: 1 in 10 such data sets ran off silently).
const RS_TIME: [f64; 16] = [
    1000., 200., 400., 1200., 1100., 200., 1100., 1200., 200., 500., 800., 700., 200., 400.,
    400., 1100.,
];
const RS_STATUS: [f64; 16] = [
    1., 0., 1., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 1., 1., 0.,
];
const RS_X: [f64; 16] = [
    -0.31, -0.12, 1.26, 1.43, -0.79, -0.61, 1.9, -1.16, -1.74, 0.98, -0.89, -1.43, 0.87, 0.04,
    -0.54, 0.13,
];

fn relative(bh: f64, df: f64) -> Value {
    api::call(
        "flexible_parametric",
        &Args::new()
            .with("time", nums(&RS_TIME))
            .with("status", nums(&RS_STATUS))
            .with("covariates", cols(&[("x", &RS_X)]))
            .with("bhazard", nums(&[bh; 16]))
            .with("df", Arg::Num(df)),
    )
    .unwrap()
    .value
}

/// A second such data set (bhazard 8.85e-4, df 1, from the same search): a stationary point with coefficients
/// near ±1800, where the excess hazard is numerically 0 at most rows.
const RS2_TIME: [f64; 17] = [
    700., 1200., 1100., 600., 1000., 800., 600., 500., 900., 1100., 100., 800., 800., 600., 600.,
    500., 400.,
];
const RS2_STATUS: [f64; 17] = [
    0., 1., 1., 1., 1., 1., 1., 1., 1., 0., 0., 1., 1., 1., 1., 0., 1.,
];
const RS2_X: [f64; 17] = [
    -0.8954322319883046,
    -1.4573558383952996,
    -0.6448490055472513,
    0.8201179954272853,
    -1.5897153771736376,
    -1.598527139765027,
    -0.29309031496819093,
    -0.8411300084560631,
    -0.9009158840795268,
    -1.926607245446601,
    -1.2948612999865063,
    1.5556754840407958,
    1.5595919216987193,
    -0.9381448299098989,
    -0.998489193197742,
    -0.7769677133392077,
    -0.8608419160075278,
];
const RS2_BH: f64 = 0.000885072484880526;

const EXCESS_ZERO: &str = "the fitted excess hazard is numerically 0 at some event times";

#[test]
fn flexible_parametric_with_bhazard_says_when_the_excess_hazard_runs_off() {
    // The intercept runs to -1.8e5 (the excess hazard to 0) and the spline's information
    // vanishes: the fit "converged" silently with coefficients above 1e3.
    let out = relative(5.222e-4, 1.0);
    let w = warnings(&out);
    assert!(!converged(&out));
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(w[0], INFINITE_X, "{w:?}");
    assert!(w[1].starts_with(EXCESS_ZERO), "{w:?}");
    // coxph's max(lp) > 500 test: a stationary point far out
    let out = api::call(
        "flexible_parametric",
        &Args::new()
            .with("time", nums(&RS2_TIME))
            .with("status", nums(&RS2_STATUS))
            .with("covariates", cols(&[("x", &RS2_X)]))
            .with("bhazard", nums(&[RS2_BH; 17]))
            .with("df", Arg::Num(1.0)),
    )
    .unwrap()
    .value;
    let w = warnings(&out);
    assert!(!converged(&out));
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w[0].starts_with("one or more coefficients may be infinite"), "{w:?}");
    assert!(w[1].starts_with(EXCESS_ZERO), "{w:?}");
    assert!(column(&out, &["coef"]).iter().any(|c| c.abs() > 100.0));
    // A lower expected hazard: an ordinary fit, no warning.
    for df in [1.0, 2.0, 3.0] {
        let out = relative(1e-4, df);
        assert!(warnings(&out).is_empty(), "df {df}: {:?}", warnings(&out));
        assert!(converged(&out));
        assert!(column(&out, &["coef"]).iter().all(|c| c.abs() < 5.0));
    }
}

#[test]
fn flexible_parametric_needs_distinct_event_times_for_df() {
    let t = [1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 4.0, 5.0];
    let st = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0];
    let call = |df: f64, st: &[f64]| {
        api::call(
            "flexible_parametric",
            &Args::new()
                .with("time", nums(&t))
                .with("status", nums(st))
                .with("df", Arg::Num(df)),
        )
    };
    // four distinct event times (1, 2, 3, 5): df up to 3
    for df in [1.0, 2.0, 3.0] {
        assert!(warnings(&call(df, &st).unwrap().value).is_empty());
    }
    let e = call(4.0, &st).err().expect("an error");
    assert_eq!(e.arg(), "df");
    assert_eq!(
        e.to_string(),
        "argument `df`: too few distinct event times (4) for 4 degrees of freedom of the \
         baseline: a spline with df = 4 needs at least 5 distinct event times and interior \
         knots (at centiles of the log event times) that do not coincide; use fewer degrees \
         of freedom or give the knots"
    );
    let e = call(1.0, &[0., 1., 1., 0., 0., 0., 0., 0., 0., 0.]).err().expect("an error");
    assert_eq!(e.arg(), "status");
    assert!(e.to_string().contains("two or more distinct times"), "{e}");
}

#[test]
fn case_cohort_warns_in_cch_words() {
    // cch's counting-process fits warn in agreg.fit's words ("beta"); Prentice's first
    // fit (fit1) ran out of iterations and warns first. z as cch's.
    let sub = [1., 1., 0., 1., 1., 1., 0., 1., 1., 1., 1., 1., 0., 1., 1., 1.];
    let beta = "Loglik converged before variable  1 ; beta may be infinite. ";
    let ran_out = "Ran out of iterations and did not converge";
    let cases = [
        ("Prentice", 0.61081197208043925, vec![ran_out, beta]),
        ("SelfPrentice", 1.8724757016346001, vec![beta]),
        ("LinYing", -0.089083000298503037, vec![beta]),
    ];
    let call = |method: &str, status: &[f64]| {
        api::call(
            "case_cohort",
            &Args::new()
                .with("time", nums(&TIME))
                .with("event", nums(status))
                .with("subcohort", nums(&sub))
                .with("covariates", cols(&[("x", &x01()), ("Z", &Z)]))
                .with("cohort_size", nums(&[40.0]))
                .with("method", Arg::Str(method.into())),
        )
        .unwrap()
        .value
    };
    for (method, z, w) in cases {
        let out = call(method, &separated());
        assert_eq!(warnings(&out), w, "{method}");
        let coef = column(&out, &["coef"]);
        assert!(coef[0] < -15.0, "{method}: {coef:?}");
        assert!((coef[1] - z).abs() < 1e-6 * z.abs(), "{method}: {coef:?}");
    }
    let ordinary = [
        ("Prentice", [-1.0995128103562111, 0.3421872484921385]),
        ("SelfPrentice", [-1.4980096771601965, 0.77298640658492646]),
        ("LinYing", [-1.0789566570502707, -0.30278474211570228]),
    ];
    for (method, b) in ordinary {
        let out = call(method, &STATUS);
        assert!(warnings(&out).is_empty(), "{method}: {:?}", warnings(&out));
        for (o, a) in column(&out, &["coef"]).iter().zip(b) {
            assert!((o - a).abs() < 1e-6 * a.abs(), "{method}: {o} vs {a}");
        }
    }
}

#[test]
fn conditional_logistic_separation_runs_out_of_iterations_as_clogit() {
    // The case is always the one with xx = 1: clogit warns "Ran out of iterations and
    // did not converge" (every method); ordinary data: no warning, clogit's numbers.
    let set = Arg::Codes {
        codes: Cow::Owned((0..16).map(|i| i / 2).collect()),
        levels: (0..8).map(|i| i.to_string()).collect(),
    };
    let case: Vec<f64> = (0..16).map(|i| ((i + 1) % 2) as f64).collect();
    let call = |xx: &[f64], method: &str| {
        api::call(
            "conditional_logistic",
            &Args::new()
                .with("case", nums(&case))
                .with("covariates", cols(&[("xx", xx), ("Z", &Z)]))
                .with("strata", set.clone())
                .with("method", Arg::Str(method.into())),
        )
        .unwrap()
        .value
    };
    let xx = [1., 0., 0., 1., 1., 1., 0., 0., 1., 0., 0., 1., 1., 0., 1., 1.];
    for method in ["exact", "approximate", "efron"] {
        let out = call(&case, method);
        assert_eq!(warnings(&out), vec!["Ran out of iterations and did not converge"], "{method}");
        assert!(!converged(&out));
        assert!(column(&out, &["coef"])[0] > 15.0);
        let out = call(&xx, method);
        assert!(warnings(&out).is_empty(), "{method}: {:?}", warnings(&out));
        for (o, a) in column(&out, &["coef"]).iter().zip([0.31635000650592582, -0.4150721903016954]) {
            assert!((o - a).abs() < 1e-6 * a.abs(), "{method}: {o} vs {a}");
        }
    }
}

#[test]
fn logistic_separation_warns_as_glm() {
    // Complete separation by Z: glm's two warnings; overlapping data: none.
    let y: Vec<f64> = Z.iter().map(|&z| (z > 0.0) as u8 as f64).collect();
    let out = api::call(
        "logistic_glm",
        &Args::new().with("y", nums(&y)).with("covariates", cols(&[("Z", &Z)])),
    )
    .unwrap()
    .value;
    assert_eq!(
        warnings(&out),
        vec![
            "glm.fit: algorithm did not converge",
            "glm.fit: fitted probabilities numerically 0 or 1 occurred"
        ]
    );
    let out = api::call(
        "logistic_glm",
        &Args::new().with("y", nums(&STATUS)).with("covariates", cols(&[("Z", &Z)])),
    )
    .unwrap()
    .value;
    assert!(warnings(&out).is_empty(), "{:?}", warnings(&out));
}
