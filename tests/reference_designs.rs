//! Registry study designs against their anchors (fixtures from
//! tests/reference/generate_designs.R), through the entry point the bindings use:
//! Rubin's rules against mice::pool / mice::pool.scalar (1e-10), conditional logistic
//! regression against survival::clogit, nested case-control sampling against
//! Epi::ccwc's risk sets.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn get<'a>(r: &'a Record, k: &str) -> &'a Value {
    r.get(k).unwrap_or_else(|| panic!("no field {k}"))
}

fn vec_of(v: &Value) -> Vec<f64> {
    match v {
        Value::Nums(x) => x.clone(),
        Value::Ints(x) => x.iter().map(|&i| i as f64).collect(),
        Value::Index(x) => x.iter().map(|&i| i as f64).collect(),
        Value::Num(x) => vec![*x],
        Value::Int(x) => vec![*x as f64],
        other => panic!("not numbers: {other:?}"),
    }
}

fn record(out: api::Output) -> Record {
    match out.value {
        Value::Record(r) => r,
        other => panic!("not a record: {other:?}"),
    }
}

fn table_col(r: &Record, col: &str) -> Vec<f64> {
    match get(r, "table") {
        Value::Table(t) => vec_of(t.get(col).unwrap_or_else(|| panic!("no column {col}"))),
        other => panic!("not a table: {other:?}"),
    }
}

fn space_nums(s: &str) -> Vec<f64> {
    s.split(' ').filter(|x| !x.is_empty()).map(|x| x.parse().unwrap()).collect()
}

const POOL_TOL: f64 = 1e-10;

#[test]
fn pool_matches_mice_pool_on_nhanes_fits() {
    for case in ["lm", "glm"] {
        let fits = Table::read(&format!("pool_fits_{case}.csv"));
        let pooled = Table::read(&format!("pool_pooled_{case}.csv"));
        let terms = pooled.str("term").to_vec();
        let (est, var) = (fits.num("estimate"), fits.num("variance"));
        let mut e = Args::new();
        let mut v = Args::new();
        for t in &terms {
            let rows: Vec<usize> = (0..fits.nrow).filter(|&i| &fits.str("term")[i] == t).collect();
            e = e.with(t, nums(rows.iter().map(|&i| est[i]).collect()));
            v = v.with(t, nums(rows.iter().map(|&i| var[i]).collect()));
        }
        let args = Args::new()
            .with("estimates", Arg::Record(e))
            .with("variances", Arg::Record(v))
            .with("df_complete", Arg::Num(pooled.num("dfcom")[0]));
        let r = record(api::call("pool", &args).unwrap());
        for (ours, theirs) in [
            ("estimate", "estimate"), ("se", "std_error"), ("statistic", "statistic"),
            ("df", "df"), ("p", "p_value"), ("lower", "conf_low"), ("upper", "conf_high"),
            ("riv", "riv"), ("lambda", "lambda"), ("fmi", "fmi"), ("ubar", "ubar"),
            ("b", "b"), ("t", "t"), ("m", "m"),
        ] {
            assert_close_tol(&format!("{case} {ours}"), &table_col(&r, ours), &pooled.num(theirs), POOL_TOL);
        }
    }
}

#[test]
fn pool_matches_mice_pool_scalar() {
    let sc = Table::read("pool_scalar.csv");
    for i in 0..sc.nrow {
        let (n, k) = (sc.num("n")[i], sc.num("k")[i]);
        let args = Args::new()
            .with("estimates", nums(space_nums(&sc.str("q")[i])))
            .with("variances", nums(space_nums(&sc.str("u")[i])))
            .with("df_complete", Arg::Num(n - k));
        let r = record(api::call("pool", &args).unwrap());
        for (ours, theirs) in [
            ("estimate", "qbar"), ("ubar", "ubar"), ("b", "b"), ("t", "t"), ("df", "df"),
            ("riv", "r"), ("fmi", "fmi"),
        ] {
            assert_close_tol(&format!("case {} {ours}", i + 1), &table_col(&r, ours), &[sc.num(theirs)[i]], POOL_TOL);
        }
    }
}

#[test]
fn pool_errors_name_the_argument() {
    let call = |a: Args| api::call("pool", &a).err().unwrap().to_string();
    let ok = |u: Vec<f64>| Args::new().with("estimates", nums(vec![1.0, 2.0])).with("variances", nums(u));
    let e = call(Args::new().with("estimates", nums(vec![1.0])).with("variances", nums(vec![1.0])));
    assert!(e.contains("`estimates`") && e.contains("at least 2 imputations"), "{e}");
    let e = call(ok(vec![1.0, -1.0]));
    assert!(e.contains("`variances`") && e.contains("row 1"), "{e}");
    let e = call(Args::new().with("estimates", nums(vec![1.0, f64::NAN])).with("variances", nums(vec![1.0, 1.0])));
    assert!(e.contains("`estimates`") && e.contains("row 1"), "{e}");
    let e = call(ok(vec![1.0, 1.0]).with("df_complete", Arg::Num(0.0)));
    assert!(e.contains("`df_complete`"), "{e}");
    let e = call(Args::new().with("estimates", nums(vec![1.0, 2.0])).with("variances", nums(vec![1.0])));
    assert!(e.contains("`variances` has length 1"), "{e}");
}

// ---- conditional logistic regression ---------------------------------------------------

/// A numeric column as a grouping: codes in order of first appearance.
fn grouping(v: &[f64]) -> Arg<'static> {
    let mut lev: Vec<f64> = Vec::new();
    let codes: Vec<u32> = v
        .iter()
        .map(|x| match lev.iter().position(|l| l == x) {
            Some(k) => k as u32,
            None => {
                lev.push(*x);
                (lev.len() - 1) as u32
            }
        })
        .collect();
    Arg::Codes { codes: Cow::Owned(codes), levels: lev.iter().map(|l| l.to_string()).collect() }
}

fn clogit_args(cases: &Table, i: usize) -> Args<'static> {
    let col = |c: &str| cases.str(c)[i].clone();
    let d = Table::read(&format!("data_clogit_{}.csv", col("data")));
    let mut covs = Args::new();
    for c in col("covariates").split(' ') {
        covs = covs.with(c, nums(d.num(c)));
    }
    let mut a = Args::new()
        .with("case", nums(d.num("case")))
        .with("covariates", Arg::Record(covs))
        .with("strata", grouping(&d.num("set")))
        .with("method", Arg::Str(col("method")));
    if !col("offset").is_empty() {
        a = a.with("offset", nums(d.num(&col("offset"))));
    }
    a
}

fn test_stat(r: &Record, k: &str) -> f64 {
    match get(r, k) {
        Value::Record(t) => vec_of(get(t, "statistic"))[0],
        other => panic!("{other:?}"),
    }
}

#[test]
fn conditional_logistic_matches_clogit() {
    let cases = Table::read("clogit_cases.csv");
    assert!(cases.nrow >= 9);
    for i in 0..cases.nrow {
        let name = cases.str("case")[i].clone();
        let r = record(api::call("conditional_logistic", &clogit_args(&cases, i)).unwrap());
        let coef = Table::read(&format!("clogit_{name}_coef.csv"));
        let var = Table::read(&format!("clogit_{name}_var.csv"));
        let fit = Table::read(&format!("clogit_{name}_fit.csv"));
        assert_close_tol(&format!("{name} coef"), &vec_of(get(&r, "coef")), &coef.num("coef"), 1e-8);
        assert_close_tol(&format!("{name} se"), &vec_of(get(&r, "se")), &coef.num("se"), 1e-8);
        let Value::Matrix(m) = get(&r, "var") else { panic!() };
        let p = m.nrow;
        let ours: Vec<f64> = (0..var.nrow)
            .map(|k| {
                let (a, b) = (var.num("i")[k] as usize - 1, var.num("j")[k] as usize - 1);
                m.data[b * p + a]
            })
            .collect();
        assert_close_tol(&format!("{name} var"), &ours, &var.num("value"), 1e-8);
        assert_close_tol(&format!("{name} loglik"), &vec_of(get(&r, "loglik")), &[fit.num("loglik0")[0], fit.num("loglik1")[0]], 1e-10);
        assert_close_tol(&format!("{name} score"), &[test_stat(&r, "score_test")], &fit.num("score"), 1e-8);
        assert_close_tol(&format!("{name} wald"), &[test_stat(&r, "wald_test")], &fit.num("wald"), 1e-8);
        assert_close_tol(&format!("{name} lr"), &[test_stat(&r, "lr_test")], &fit.num("lr"), 1e-8);
        assert_eq!(vec_of(get(&r, "iterations")), fit.num("iter"), "{name} iterations");
        assert_eq!(vec_of(get(&r, "n_event")), fit.num("nevent"), "{name} events");
    }
}

#[test]
fn conditional_logistic_errors_name_the_argument() {
    let cases = Table::read("clogit_cases.csv");
    let a = clogit_args(&cases, 0);
    let err = |a: Args| api::call("conditional_logistic", &a).err().unwrap().to_string();
    // a huge matched set for the exact method: refused, naming the limit
    let e = err(a.clone().with("exact_limit", Arg::Num(2.0)));
    assert!(e.contains("argument `exact_limit`") && e.contains("method = \"efron\""), "{e}");
    // weights with the exact method
    let n = 248;
    let e = err(a.clone().with("weights", nums(vec![1.0; n])));
    assert!(e.contains("argument `weights`") && e.contains("exact"), "{e}");
    // a case coded 1/2
    let mut b = a.clone();
    b.items.retain(|(k, _)| k != "case");
    let e = err(b.with("case", nums(vec![2.0; n])));
    assert!(e.contains("argument `case`"), "{e}");
}
