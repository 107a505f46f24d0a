//! Names and labels the core attaches to Cox, GLM and log-rank results, so that the
//! hosts (Python, R) print and name them without building them twice: the Cox tests'
//! labels (and integer zph degrees of freedom), the coefficient names on the GLM variance
//! matrices, the group and stratum names of the log-rank matrices.
mod common;

use common::*;
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Matrix, Value};

fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::Strs(s) => s.clone(),
        other => panic!("not strings: {other:?}"),
    }
}

fn matrix(v: &Value) -> &Matrix {
    match v {
        Value::Matrix(m) => m,
        other => panic!("not a matrix: {other:?}"),
    }
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn grouping(c: &[u32], levels: &[&str]) -> Arg<'static> {
    Arg::Codes { codes: std::borrow::Cow::Owned(c.to_vec()), levels: names(levels) }
}

const TIME: [f64; 12] = [5.0, 8.0, 3.0, 9.0, 12.0, 4.0, 7.0, 15.0, 2.0, 11.0, 6.0, 10.0];
const STATUS: [f64; 12] = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
const AGE: [f64; 12] = [61.0, 55.0, 70.0, 48.0, 52.0, 66.0, 59.0, 45.0, 73.0, 50.0, 63.0, 57.0];
const TREAT: [f64; 12] = [0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
const SITE: [u32; 12] = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1];

fn cox_args(robust: bool) -> Args<'static> {
    Args::new()
        .with("time", nums_of(&TIME))
        .with("status", nums_of(&STATUS))
        .with("covariates", cols(&[("age", &AGE), ("treat", &TREAT)]))
        .with("strata", grouping(&SITE, &["north", "south"]))
        .with("robust", Arg::Bool(robust))
}

#[test]
fn cox_tests_table_has_print_coxphs_labels_and_the_fits_tests() {
    for robust in [false, true] {
        let rec = record(api::call("cox_ph", &cox_args(robust)).unwrap());
        let t = field(&rec, "tests");
        let mut want = names(&["Likelihood ratio test", "Wald test", "Score (logrank) test"]);
        let mut keys = vec!["lr_test", "wald_test", "score_test"];
        if robust {
            want.push("Robust score test".into());
            keys.push("robust_score_test");
        }
        assert_eq!(strs(at(t, &["test"])), want);
        for (k, key) in keys.iter().enumerate() {
            for c in ["statistic", "df", "p_value"] {
                assert_eq!(column(t, &[c])[k], column(field(&rec, key), &[c])[0], "{key} {c}");
            }
        }
        assert!(matches!(at(t, &["df"]), Value::Ints(_)), "df as integers");
    }
}

#[test]
fn cox_zph_degrees_of_freedom_are_integers() {
    let out = api::call("cox_ph", &cox_args(false)).unwrap();
    let km = Args::new().with("transform", Arg::Str("km".into()));
    let z = out.fit.unwrap().call("zph", &km).unwrap();
    assert_eq!(at(&z, &["df"]), &Value::Ints(vec![1, 1, 2]));
}

#[test]
fn glm_variance_matrices_carry_the_coefficient_names() {
    let y: Vec<f64> = STATUS.to_vec();
    let a = Args::new()
        .with("y", nums(y))
        .with("covariates", cols(&[("age", &AGE), ("treat", &TREAT)]))
        .with("robust", Arg::Bool(true));
    let rec = record(api::call("logistic_glm", &a).unwrap());
    let want = Some(names(&["(Intercept)", "age", "treat"]));
    for k in ["var", "naive_var", "cov_unscaled"] {
        let m = matrix(field(&rec, k));
        assert_eq!(m.row_names, want, "{k}");
        assert_eq!(m.col_names, want, "{k}");
    }
    // the robust variance, not the model-based one, is `var`
    assert_ne!(matrix(field(&rec, "var")).data, matrix(field(&rec, "naive_var")).data);
}

#[test]
fn logrank_matrices_are_named_by_groups_and_strata() {
    let group: Vec<u32> = TREAT.iter().map(|&t| t as u32).collect();
    let base = Args::new()
        .with("time", nums_of(&TIME))
        .with("status", nums_of(&STATUS))
        .with("group", grouping(&group, &["control", "treated"]));
    let rec = record(api::call("logrank_test", &base).unwrap());
    let g = Some(names(&["control", "treated"]));
    let v = matrix(field(&rec, "variance"));
    assert_eq!((v.row_names.clone(), v.col_names.clone()), (g.clone(), g.clone()));
    let o = matrix(field(&rec, "observed_by_stratum"));
    assert_eq!((o.row_names.clone(), o.col_names.clone()), (g.clone(), Some(names(&["all"]))));

    let strat = base.with("strata", grouping(&SITE, &["north", "south"]));
    let rec = record(api::call("logrank_test", &strat).unwrap());
    for k in ["observed_by_stratum", "expected_by_stratum"] {
        let m = matrix(field(&rec, k));
        assert_eq!(m.row_names, g, "{k}");
        assert_eq!(m.col_names, Some(names(&["north", "south"])), "{k}");
    }
}
