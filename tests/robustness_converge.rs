//! Non-convergence, degenerate fits and differences from the anchors (issue "No silent
//! wrong answers"), through the entry point the bindings use (`api::call`): every
//! iterative fit says whether and why it stopped, warns in the anchors' words, and
//! refuses what it cannot fit with an error naming the argument. Numbers from survival
//! 3.5-3, MASS 7.3-58 and cmprsk 2.2 (tests/reference; checked live in the R tests).
use std::borrow::Cow;

use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

mod common;
use common::{cols, nums_of as nums};

fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    match v {
        Value::Record(r) => r.get(name).unwrap_or_else(|| panic!("no field {name}")),
        _ => panic!("not a record"),
    }
}

fn vals(v: &Value, name: &str) -> Vec<f64> {
    match field(v, name) {
        Value::Nums(x) => x.clone(),
        Value::Num(x) => vec![*x],
        Value::Int(x) => vec![*x as f64],
        other => panic!("{name} not numbers: {other:?}"),
    }
}

fn strs(v: &Value, name: &str) -> Vec<String> {
    match field(v, name) {
        Value::Strs(x) => x.clone(),
        Value::Str(x) => vec![x.clone()],
        other => panic!("{name} not strings: {other:?}"),
    }
}

fn flag(v: &Value, name: &str) -> bool {
    match field(v, name) {
        Value::Bool(b) => *b,
        other => panic!("{name} not a flag: {other:?}"),
    }
}

fn test_p(v: &Value, name: &str) -> f64 {
    match field(v, name) {
        Value::Record(r) => match r.get("p_value") {
            Some(Value::Num(p)) => *p,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}

fn close(ours: &[f64], anchor: &[f64], rtol: f64) {
    assert_eq!(ours.len(), anchor.len());
    for (o, a) in ours.iter().zip(anchor) {
        assert!(
            (o - a).abs() <= rtol * a.abs().max(1e-300),
            "{o} vs {a} ({ours:?})"
        );
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

fn x01() -> Vec<f64> {
    (0..16).map(|i| (i % 2) as f64).collect()
}

/// No events in the x = 1 group (monotone likelihood in x).
fn monotone_cox() -> Args<'static> {
    let x = x01();
    let status: Vec<f64> = x.iter().map(|v| 1.0 - v).collect();
    Args::new()
        .with("time", nums(&TIME))
        .with("status", nums(&status))
        .with("covariates", cols(&[("x", &x), ("z", &Z)]))
}

#[test]
fn every_iterative_fit_reports_convergence() {
    // Cox, GLM, negative binomial, Fine-Gray, excess hazard: converged, iterations and
    // the reason; a fit that stops early warns.
    let cox = api::call("cox_ph", &monotone_cox().with("max_iter", Arg::Num(3.0)))
        .unwrap()
        .value;
    assert!(!flag(&cox, "converged"));
    assert_eq!(strs(&cox, "convergence"), vec!["max_iterations"]);
    assert_eq!(vals(&cox, "iterations"), vec![3.0]);
    assert_eq!(
        strs(&cox, "warnings"),
        vec!["Ran out of iterations and did not converge"]
    );

    let y: Vec<f64> = (0..20).map(|i| (i % 4) as f64).collect();
    let x: Vec<f64> = (0..20).map(|i| i as f64 / 20.0).collect();
    let glm = api::call(
        "poisson_glm",
        &Args::new()
            .with("y", nums(&y))
            .with("covariates", cols(&[("x", &x)]))
            .with("max_iter", Arg::Num(1.0)),
    )
    .unwrap()
    .value;
    assert!(!flag(&glm, "converged"));
    assert_eq!(strs(&glm, "convergence"), vec!["max_iterations"]);
    assert_eq!(
        strs(&glm, "warnings"),
        vec!["glm.fit: algorithm did not converge"]
    );

    let cause: Vec<f64> = (0..16).map(|i| (i % 3) as f64).collect();
    let fg = api::call(
        "fine_gray",
        &Args::new()
            .with("time", nums(&TIME))
            .with("cause", nums(&cause))
            .with("covariates", cols(&[("z", &Z)]))
            .with("max_iter", Arg::Num(1.0)),
    )
    .unwrap()
    .value;
    assert!(!flag(&fg, "converged"));
    assert_eq!(strs(&fg, "convergence"), vec!["max_iterations"]);
    assert_eq!(
        strs(&fg, "warnings"),
        vec!["Ran out of iterations and did not converge"]
    );
    let fg = api::call(
        "fine_gray",
        &Args::new()
            .with("time", nums(&TIME))
            .with("cause", nums(&cause))
            .with("covariates", cols(&[("z", &Z)])),
    )
    .unwrap()
    .value;
    assert!(flag(&fg, "converged"));
    assert_eq!(strs(&fg, "convergence"), vec!["converged"]);
    assert!(strs(&fg, "warnings").is_empty());
}

#[test]
fn fine_gray_separation_is_flagged_not_converged() {
    // Events of the cause only in the x = 0 group: the estimate of x runs to -infinity.
    // crr (maxiter 10) stops at -11.58 with converged = FALSE; iterated on, its own test
    // is met ever further out. coxph's rule detects it; z is as crr's (-0.0890830014).
    let x = x01();
    let cause: Vec<f64> = (0..16)
        .map(|i| {
            if i % 2 == 0 {
                1.0
            } else if i % 4 == 1 {
                2.0
            } else {
                0.0
            }
        })
        .collect();
    let out = api::call(
        "fine_gray",
        &Args::new()
            .with("time", nums(&TIME))
            .with("cause", nums(&cause))
            .with("covariates", cols(&[("x", &x), ("z", &Z)])),
    )
    .unwrap()
    .value;
    assert!(!flag(&out, "converged"));
    assert_eq!(strs(&out, "convergence"), vec!["infinite_coefficient"]);
    assert_eq!(
        strs(&out, "warnings"),
        vec!["Loglik converged before variable  1 ; coefficient may be infinite. "]
    );
    let coef = vals(&out, "coef");
    assert!(coef[0] < -20.0, "{coef:?}");
    close(&coef[1..], &[-0.089083001429947614], 1e-6);
}

#[test]
fn negative_binomial_without_overdispersion_warns_as_mass() {
    // Counts with less spread than Poisson: theta grows without bound. glm.nb warns
    // "iteration limit reached" (from theta.ml) and stops with theta 850623.5 and these
    // coefficients.
    let n = 40;
    let y: Vec<f64> = (0..n).map(|i| 3.0 + (i % 2) as f64).collect();
    let x: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
    let args = Args::new()
        .with("y", nums(&y))
        .with("covariates", cols(&[("x", &x)]));
    let out = api::call("negbin_glm", &args).unwrap().value;
    assert_eq!(
        strs(&out, "warnings"),
        vec!["theta.ml: iteration limit reached"]
    );
    assert_eq!(strs(&out, "convergence"), vec!["theta_iteration_limit"]);
    close(
        &vals(&out, "coef"),
        &[1.242290781836314917, 0.021442137067524659],
        1e-8,
    );
    assert!(vals(&out, "theta")[0] > 1e5);
    // A raised iteration limit: theta runs off to infinity; the fit stops with a
    // warning (it used to iterate for ever, then to fail).
    let start = std::time::Instant::now();
    let out = api::call("negbin_glm", &args.with("max_iter", Arg::Num(1e9)))
        .unwrap()
        .value;
    assert!(start.elapsed().as_secs() < 30);
    assert_eq!(strs(&out, "convergence"), vec!["theta_infinite"]);
    let w = strs(&out, "warnings");
    assert!(
        w.iter().any(|m| m.contains("theta is going to infinity")),
        "{w:?}"
    );
    assert!(vals(&out, "loglik")[0].is_finite());
    close(
        &vals(&out, "coef"),
        &[1.242290781836314917, 0.021442137067524659],
        1e-6,
    );
}

#[test]
fn cox_residuals_of_a_fit_that_did_not_converge_are_finite() {
    // coxph(iter.max = 3): the residuals at the last iterate.
    let out = api::call("cox_ph", &monotone_cox().with("max_iter", Arg::Num(3.0)))
        .unwrap()
        .value;
    close(
        &vals(&out, "martingale_residuals"),
        &[
            0.5415858587460343765,
            -0.0130800365656520770,
            0.8649118699423277157,
            0.0,
            0.7478696298157792022,
            -0.0402044579697134266,
            -0.1136390267310325441,
            -0.0041230316581257840,
            0.4063544681046408202,
            -0.0017228279533548431,
            -1.7529222764062977191,
            -0.0074627802823567096,
            -0.6672773414818520266,
            -0.0415619358763106850,
            0.0914160819288060145,
            -0.0101441936128922831,
        ],
        1e-8,
    );
    close(
        &vals(&out, "deviance_residuals"),
        &[
            0.690501855397264830,
            -0.161740759029083803,
            1.507923093762107092,
            0.0,
            1.122443186472522614,
            -0.283564659186272439,
            -0.109599007214585972,
            -0.090807837306322678,
            0.479830005919822444,
            -0.058699709596468072,
            -1.216765616682562667,
            -0.122170211445807933,
            -0.558722435448280708,
            -0.288312108231030373,
            0.094360410810708520,
            -0.142437309809559959,
        ],
        1e-8,
    );
    // Far from the optimum (init 1000 on a 0/1 covariate, not iterated): exp() of the
    // linear predictor overflows; the residuals used to be NaN. They are those of the
    // saturated fit, as coxph's at init = 30.
    let x = x01();
    let status: Vec<f64> = x.iter().map(|v| 1.0 - v).collect();
    let out = api::call(
        "cox_ph",
        &Args::new()
            .with("time", nums(&TIME))
            .with("status", nums(&status))
            .with("covariates", cols(&[("x", &x)]))
            .with("init", nums(&[1000.0]))
            .with("max_iter", Arg::Num(0.0)),
    )
    .unwrap()
    .value;
    let m = vals(&out, "martingale_residuals");
    close(
        &m,
        &[
            1.0,
            -1.09285714285701618,
            1.0,
            0.0,
            1.0,
            -2.59285714285687563,
            1.0,
            -0.30952380952377606,
            1.0,
            -0.14285714285712758,
            1.0,
            -0.50952380952375365,
            1.0,
            -2.59285714285687563,
            1.0,
            -0.75952380952372434,
        ],
        1e-8,
    );
}

#[test]
fn cox_with_non_integer_weights_is_robust_as_coxph() {
    // coxph(Surv(time, st) ~ x + z, weights = w): robust variance for fractional
    // weights (survival's rule); robust = FALSE gives the model-based one.
    let st = [
        1., 0., 1., 1., 0., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 0.,
    ];
    let w = [
        0.5, 1.25, 2., 1., 0.75, 1.5, 1., 2.5, 0.5, 1., 1.75, 1., 0.25, 1.5, 1., 2.,
    ];
    let args = Args::new()
        .with("time", nums(&TIME))
        .with("status", nums(&st))
        .with("weights", nums(&w))
        .with("covariates", cols(&[("x", &x01()), ("z", &Z)]));
    let out = api::call("cox_ph", &args).unwrap().value;
    assert!(flag(&out, "robust"));
    close(
        &vals(&out, "coef"),
        &[-0.783064090507646138, -0.049695159768009756],
        1e-8,
    );
    close(
        &vals(&out, "se"),
        &[0.63740927764426147, 0.52426863804804635],
        1e-8,
    );
    close(
        &vals(&out, "naive_se"),
        &[0.63330714831818191, 0.53952984057860709],
        1e-8,
    );
    close(
        &[test_p(&out, "robust_score_test")],
        &[0.35029091418567293],
        1e-8,
    );
    let out = api::call("cox_ph", &args.with("robust", Arg::Bool(false)))
        .unwrap()
        .value;
    assert!(!flag(&out, "robust"));
    close(
        &vals(&out, "se"),
        &[0.63330714831818191, 0.53952984057860709],
        1e-8,
    );
}

#[test]
fn glm_warns_about_non_integer_counts_as_glm() {
    // glm(binomial) with w y not an integer; glm(poisson) with non-integer counts (AIC
    // Inf, as R: dpois() of a non-integer is 0).
    let out = api::call(
        "logistic_glm",
        &Args::new()
            .with("y", nums(&[0.3, 0.5, 0.7, 0.2]))
            .with("weights", nums(&[3.0; 4]))
            .with("covariates", cols(&[("x", &[1.0, 2.0, 3.0, 4.0])])),
    )
    .unwrap()
    .value;
    assert_eq!(
        strs(&out, "warnings"),
        vec!["non-integer #successes in a binomial glm!"]
    );
    close(
        &vals(&out, "coef"),
        &[-0.200106436544321920, -0.040932601210044571],
        1e-8,
    );
    close(&vals(&out, "aic"), &[12.126141373127977], 1e-8);
    let out = api::call(
        "poisson_glm",
        &Args::new()
            .with("y", nums(&[0.5, 1.5, 2.5, 3.0, 4.0]))
            .with("covariates", cols(&[("x", &[1.0, 2.0, 3.0, 4.0, 5.0])])),
    )
    .unwrap()
    .value;
    assert_eq!(
        strs(&out, "warnings"),
        vec!["non-integer x = 0.500000 (and 2 more non-integer counts)"]
    );
    close(
        &vals(&out, "coef"),
        &[-0.49865026028429532, 0.39379789579847801],
        1e-8,
    );
    assert_eq!(vals(&out, "aic"), vec![f64::INFINITY]);
    // Integer counts and 0/1 responses: no warning.
    let out = api::call(
        "poisson_glm",
        &Args::new()
            .with("y", nums(&[0.0, 1.0, 2.0, 3.0, 4.0]))
            .with("covariates", cols(&[("x", &[1.0, 2.0, 3.0, 4.0, 5.0])])),
    )
    .unwrap()
    .value;
    assert!(strs(&out, "warnings").is_empty());
}

#[test]
fn huge_covariates_are_named_errors_not_aliased_nans() {
    let big: Vec<f64> = (0..16)
        .map(|i| if i == 3 { 1e300 } else { i as f64 })
        .collect();
    let msg = "argument `covariates`: covariate `x`: values too large to fit (|x| up to 1e300); rescale it";
    let y: Vec<f64> = (0..16).map(|i| (i % 3) as f64).collect();
    let e = api::call(
        "poisson_glm",
        &Args::new()
            .with("y", nums(&y))
            .with("covariates", cols(&[("x", &big)])),
    )
    .err()
    .expect("an error");
    assert_eq!(e.to_string(), msg);
    let e = api::call(
        "fine_gray",
        &Args::new()
            .with("time", nums(&TIME))
            .with("cause", nums(&y))
            .with("covariates", cols(&[("x", &big)])),
    )
    .err()
    .expect("an error");
    assert_eq!(e.to_string(), msg);
    // Cox scales its covariates: 1e300 fits as in coxph (2.1e-299); values near the
    // largest double overflow the scaling and are an error.
    let out = api::call(
        "cox_ph",
        &Args::new()
            .with("time", nums(&TIME))
            .with("status", nums(&[1.0; 16]))
            .with("covariates", cols(&[("x", &big)])),
    )
    .unwrap()
    .value;
    close(&vals(&out, "coef"), &[2.1e-299], 1e-6);
    let huge: Vec<f64> = x01().iter().map(|v| v * 1.7e308).collect();
    let e = api::call(
        "cox_ph",
        &Args::new()
            .with("time", nums(&TIME))
            .with("status", nums(&[1.0; 16]))
            .with("covariates", cols(&[("x", &huge)])),
    )
    .err()
    .expect("an error");
    assert_eq!(
        e.to_string(),
        "argument `covariates`: covariate `x`: values too large to fit (|x| up to 1.7e308); rescale it"
    );
}

#[test]
fn no_events_is_said_not_singular_information() {
    let e = api::call(
        "cox_ph",
        &Args::new()
            .with("time", nums(&TIME))
            .with("status", nums(&[0.0; 16]))
            .with("covariates", cols(&[("z", &Z)])),
    )
    .err()
    .expect("an error");
    assert_eq!(e.arg(), "status");
    assert!(e.to_string().contains("no events"), "{e}");
    let cause: Vec<f64> = (0..16).map(|i| 2.0 * (i % 2) as f64).collect();
    let e = api::call(
        "fine_gray",
        &Args::new()
            .with("time", nums(&TIME))
            .with("cause", nums(&cause))
            .with("covariates", cols(&[("z", &Z)])),
    )
    .err()
    .expect("an error");
    assert_eq!(
        e.to_string(),
        "argument `cause`: no events of the cause of interest (1)"
    );
}

#[test]
fn a_link_the_family_does_not_have_is_named() {
    let args = Args::new()
        .with("y", nums(&[1.0, 2.0, 3.0, 4.0]))
        .with("covariates", cols(&[("x", &[1.0, 2.0, 3.0, 5.0])]));
    let e = api::call(
        "poisson_glm",
        &args.clone().with("link", Arg::Str("logit".into())),
    )
    .err()
    .expect("an error");
    assert_eq!(
        e.to_string(),
        "argument `link`: \"logit\" is not available for family \"poisson\"; accepted: \"log\", \"identity\""
    );
    let e = api::call(
        "glm_fit",
        &args
            .clone()
            .with("family", Arg::Str("gaussian".into()))
            .with("link", Arg::Str("cloglog".into())),
    )
    .err()
    .expect("an error");
    assert_eq!(
        e.to_string(),
        "argument `link`: \"cloglog\" is not available for family \"gaussian\"; accepted: \"identity\", \"log\""
    );
    let e = api::call(
        "negbin_glm",
        &args.clone().with("link", Arg::Str("probit".into())),
    )
    .err()
    .expect("an error");
    assert_eq!(e.arg(), "link");
    // The links each family has still fit.
    api::call(
        "poisson_glm",
        &args.with("link", Arg::Str("identity".into())),
    )
    .expect("identity");
}

#[test]
fn tests_on_zero_degrees_of_freedom() {
    // Cox whose only covariate is aliased: coxph reports p = 1 for its tests.
    let out = api::call(
        "cox_ph",
        &Args::new()
            .with("time", nums(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]))
            .with("status", nums(&[1.0, 0.0, 1.0, 1.0, 0.0, 1.0]))
            .with("covariates", cols(&[("x", &[1.0; 6])])),
    )
    .unwrap()
    .value;
    for t in ["lr_test", "wald_test", "score_test"] {
        assert_eq!(test_p(&out, t), 1.0, "{t}");
    }
    // Log-rank without events: NA with a warning (survdiff: NA, "NaNs produced").
    let out = api::call(
        "logrank_test",
        &Args::new()
            .with("time", nums(&[1.0, 2.0, 3.0, 4.0]))
            .with("status", nums(&[0.0; 4]))
            .with(
                "group",
                Arg::Codes {
                    codes: Cow::Owned(vec![0, 0, 1, 1]),
                    levels: vec!["a".into(), "b".into()],
                },
            ),
    )
    .unwrap()
    .value;
    assert!(vals(&out, "p_value")[0].is_nan());
    let w = strs(&out, "warnings");
    assert!(
        w.len() == 1 && w[0].contains("0 degrees of freedom"),
        "{w:?}"
    );
}

/// A record returned by the core passed back as an argument (as a binding does).
fn as_arg(v: &Value) -> Arg<'static> {
    match v {
        Value::Record(r) => Arg::Record(Args {
            items: r
                .fields
                .iter()
                .map(|(n, x)| (n.clone(), as_arg(x)))
                .collect(),
        }),
        Value::Nums(x) => nums(x),
        Value::Ints(x) => nums(&x.iter().map(|&i| i as f64).collect::<Vec<_>>()),
        Value::Strs(s) => Arg::Strs(s.clone()),
        Value::Str(s) => Arg::Str(s.clone()),
        Value::Bool(b) => Arg::Bool(*b),
        _ => Arg::Null,
    }
}

#[test]
fn excess_hazard_reports_convergence_and_refuses_no_deaths() {
    let rt = api::call(
        "rate_table",
        &Args::new()
            .with("age", nums(&[0.0, 50.0, 0.0, 50.0]))
            .with("year", nums(&[1990.0; 4]))
            .with(
                "sex",
                Arg::Codes {
                    codes: Cow::Owned(vec![0, 0, 1, 1]),
                    levels: vec!["m".into(), "f".into()],
                },
            )
            .with("rate", nums(&[1e-5, 1e-4, 2e-5, 2e-4]))
            .with("time_unit", Arg::Str("days".into())),
    )
    .unwrap()
    .value;
    let persons = |status: &[f64], breaks: &[f64], method: &str| {
        Args::new()
            .with("ratetable", as_arg(&rt))
            .with(
                "time",
                nums(&[100.0, 400.0, 800.0, 900.0, 1500.0, 2000.0, 300.0, 1200.0]),
            )
            .with("status", nums(status))
            .with(
                "age",
                nums(&[60.0, 70.0, 55.0, 65.0, 75.0, 50.0, 62.0, 58.0]),
            )
            .with(
                "year",
                nums(&[
                    1995.0, 1996.5, 1997.0, 1998.2, 1999.0, 2000.0, 1996.0, 1997.5,
                ]),
            )
            .with("sex", nums(&[0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0]))
            .with(
                "covariates",
                cols(&[("x", &[0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0])]),
            )
            .with("breaks", nums(breaks))
            .with("method", Arg::Str(method.into()))
    };
    for method in ["glm.poi", "max.lik"] {
        let ok = api::call(
            "excess_hazard_model",
            &persons(&[1., 0., 1., 1., 0., 1., 1., 0.], &[0.0, 2.0, 10.0], method),
        )
        .unwrap()
        .value;
        assert!(flag(&ok, "converged"), "{method}");
        assert!(vals(&ok, "iterations")[0] >= 1.0);
        assert!(strs(&ok, "warnings").is_empty(), "{method}");
        // No deaths with x = 1: the coefficient of x runs to -infinity.
        let out = api::call(
            "excess_hazard_model",
            &persons(&[1., 0., 1., 0., 0., 1., 0., 1.], &[0.0, 2.0, 10.0], method),
        )
        .unwrap()
        .value;
        assert!(!flag(&out, "converged"), "{method}");
        let w = strs(&out, "warnings");
        assert!(
            w.iter().any(|m| m.contains("coefficient may be infinite")),
            "{method}: {w:?}"
        );
        // No deaths after year 3: that interval's excess hazard is 0.
        let e = api::call(
            "excess_hazard_model",
            &persons(&[1., 0., 1., 0., 0., 0., 1., 0.], &[0.0, 3.0, 10.0], method),
        )
        .err()
        .expect("an interval without deaths");
        assert_eq!(e.arg(), "breaks");
        assert!(
            e.to_string()
                .contains("no deaths in follow-up interval fu[3,10)"),
            "{e}"
        );
        let e = api::call(
            "excess_hazard_model",
            &persons(&[0.0; 8], &[0.0, 2.0, 10.0], method),
        )
        .err()
        .expect("no deaths");
        assert_eq!(e.arg(), "status");
        assert!(e.to_string().contains("no events"), "{e}");
    }
}

#[test]
fn cox_cluster_with_robust_false_is_ignored_as_coxph() {
    // coxph(..., cluster = id, robust = FALSE): model-based variance and a warning.
    let st = [
        1., 0., 1., 1., 0., 1., 1., 1., 0., 1., 1., 0., 1., 1., 1., 0.,
    ];
    let cl = Arg::Codes {
        codes: Cow::Owned((0..16).map(|i| i / 2).collect()),
        levels: (0..8).map(|i| i.to_string()).collect(),
    };
    let args = Args::new()
        .with("time", nums(&TIME))
        .with("status", nums(&st))
        .with("cluster", cl)
        .with("covariates", cols(&[("z", &Z)]));
    let robust = api::call("cox_ph", &args).unwrap().value;
    assert!(flag(&robust, "robust"));
    let out = api::call("cox_ph", &args.with("robust", Arg::Bool(false)))
        .unwrap()
        .value;
    assert!(!flag(&out, "robust"));
    assert_eq!(
        strs(&out, "warnings"),
        vec!["cluster specified with robust=FALSE, cluster ignored"]
    );
    assert_eq!(vals(&out, "se"), vals(&robust, "naive_se"));
}
