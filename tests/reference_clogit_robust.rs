//! The robust variance of conditional logistic regression against survival::clogit
//! (fixtures from tests/reference/generate_clogit_robust.R, infert): `robust` (each row
//! its own cluster, as clogit(..., robust = TRUE)) and `cluster` (by matched set or any
//! grouping, as a cluster() term), for the approximate and Efron likelihoods, at 1e-6;
//! the exact method refuses them, as clogit.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, field as get, vec_of};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

fn codes(t: &Table, col: &str) -> Arg<'static> {
    let (c, k) = t.codes(col);
    Arg::Codes { codes: Cow::Owned(c), levels: (1..=k).map(|i| i.to_string()).collect() }
}

fn matrix(r: &Record, k: &str) -> Vec<f64> {
    let Value::Matrix(m) = get(r, k) else { panic!("{k} not a matrix") };
    let p = m.nrow;
    (0..p).flat_map(|i| (0..p).map(move |j| (i, j))).map(|(i, j)| m.data[j * p + i]).collect()
}

fn base(method: &str) -> Args<'static> {
    let d = Table::read("data_clogit_robust_infert.csv");
    Args::new()
        .with("case", nums(d.num("case")))
        .with("covariates", Arg::Record(Args::new().with("spontaneous", nums(d.num("spontaneous"))).with("induced", nums(d.num("induced")))))
        .with("strata", codes(&d, "set"))
        .with("method", Arg::Str(method.into()))
}

#[test]
fn clogit_robust_matches_survival_clogit() {
    let d = Table::read("data_clogit_robust_infert.csv");
    for (case, args) in [
        ("approximate_robust", base("approximate").with("robust", Arg::Bool(true))),
        ("efron_cluster_set", base("efron").with("cluster", codes(&d, "set"))),
        ("approximate_cluster_pooled", base("approximate").with("cluster", codes(&d, "pooled"))),
    ] {
        let out = api::call("conditional_logistic", &args).unwrap_or_else(|e| panic!("{case}: {e}"));
        let Value::Record(r) = out.value else { panic!() };
        let coef = Table::read(&format!("clogit_robust_{case}_coef.csv"));
        let var = Table::read(&format!("clogit_robust_{case}_var.csv"));
        let fit = Table::read(&format!("clogit_robust_{case}_fit.csv"));
        assert_close_tol(&format!("{case} coef"), &vec_of(get(&r, "coef")), &coef.num("coef"), 1e-8);
        assert_close_tol(&format!("{case} se"), &vec_of(get(&r, "se")), &coef.num("se"), 1e-6);
        assert_close_tol(&format!("{case} naive_se"), &vec_of(get(&r, "naive_se")), &coef.num("naive_se"), 1e-6);
        assert_close_tol(&format!("{case} var"), &matrix(&r, "var"), &var.num("var"), 1e-6);
        assert_close_tol(&format!("{case} naive_var"), &matrix(&r, "naive_var"), &var.num("naive_var"), 1e-6);
        let Value::Record(w) = get(&r, "wald_test") else { panic!() };
        assert_close_tol(&format!("{case} wald"), &vec_of(get(w, "statistic")), &fit.num("wald"), 1e-6);
        let Value::Record(s) = get(&r, "robust_score_test") else { panic!("{case}: no robust score test") };
        assert_close_tol(&format!("{case} robust score"), &vec_of(get(s, "statistic")), &fit.num("rscore"), 1e-6);
        assert_eq!(vec_of(get(&r, "n_cluster")), fit.num("n_cluster"), "{case} clusters");
        assert_eq!(get(&r, "robust"), &Value::Bool(true));
    }
}

#[test]
fn clogit_robust_is_refused_by_the_exact_method() {
    let d = Table::read("data_clogit_robust_infert.csv");
    let e = api::call("conditional_logistic", &base("exact").with("robust", Arg::Bool(true))).err().unwrap().to_string();
    assert!(e.contains("`robust`") && e.contains("exact"), "{e}");
    let e = api::call("conditional_logistic", &base("exact").with("cluster", codes(&d, "set"))).err().unwrap().to_string();
    assert!(e.contains("`cluster`") && e.contains("exact"), "{e}");
    let mut short = d.num("set");
    short.pop();
    let c: Vec<u32> = short.iter().map(|&v| v as u32 - 1).collect();
    let e = api::call("conditional_logistic", &base("efron").with("cluster", Arg::Codes { codes: Cow::Owned(c), levels: Vec::new() }))
        .err().unwrap().to_string();
    assert!(e.contains("`cluster`"), "{e}");
    // without robust: naive and model-based agree, no robust score test
    let out = api::call("conditional_logistic", &base("efron")).unwrap();
    let Value::Record(r) = out.value else { panic!() };
    assert_eq!(vec_of(get(&r, "se")), vec_of(get(&r, "naive_se")));
    assert_eq!(get(&r, "robust_score_test"), &Value::Null);
}
