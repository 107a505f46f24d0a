//! Registry study designs against their anchors (fixtures from
//! tests/reference/generate_designs.R), through the entry point the bindings use:
//! Rubin's rules against mice::pool / mice::pool.scalar (1e-10), conditional logistic
//! regression against survival::clogit, nested case-control sampling against
//! Epi::ccwc's risk sets.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, field as get, vec_of, record};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

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

// ---- nested case-control sampling ------------------------------------------------------

fn ncc_args(cases: &Table, i: usize, seed: f64) -> Args<'static> {
    let col = |c: &str| cases.str(c)[i].clone();
    let d = Table::read("data_ncc_cohort.csv");
    let mut a = Args::new()
        .with("exit", nums(d.num("exit")))
        .with("status", nums(d.num("status")))
        .with("controls", Arg::Num(cases.num("controls")[i]))
        .with("seed", Arg::Num(seed));
    if !col("entry").is_empty() {
        a = a.with("entry", nums(d.num("entry")));
    }
    if !col("match").is_empty() {
        // the combination of the matching variables as one grouping
        let (s, g) = (d.num("sex"), d.num("agegrp"));
        let combo: Vec<f64> = s.iter().zip(&g).map(|(a, b)| a * 10.0 + b).collect();
        a = a.with("match", grouping(&combo));
    }
    a
}

fn table_of(r: &Record) -> &hrrstats::protocol::Table {
    match get(r, "table") {
        Value::Table(t) => t,
        other => panic!("{other:?}"),
    }
}

#[test]
fn nested_case_control_samples_from_ccwcs_risk_sets() {
    let cases = Table::read("ncc_cases.csv");
    for i in 0..cases.nrow {
        let name = cases.str("case")[i].clone();
        let fx = Table::read(&format!("ncc_{name}_sets.csv"));
        let controls = cases.num("controls")[i] as usize;
        for seed in [1.0, 2.0, 12345.0] {
            let r = record(api::call("nested_case_control", &ncc_args(&cases, i, seed)).unwrap());
            let t = table_of(&r);
            let set = vec_of(t.get("set").unwrap());
            let id = vec_of(t.get("id").unwrap());
            let fail = vec_of(t.get("fail").unwrap());
            let time = vec_of(t.get("time").unwrap());
            let nel = vec_of(t.get("n_eligible").unwrap());
            let mut sets: Vec<f64> = set.clone();
            sets.dedup();
            assert_eq!(sets, fx.num("set"), "{name}: ccwc's set numbers");
            for (k, &s) in sets.iter().enumerate() {
                let rows: Vec<usize> = (0..set.len()).filter(|&j| set[j] == s).collect();
                let mut ours_cases: Vec<f64> = rows.iter().filter(|&&j| fail[j] == 1.0).map(|&j| id[j] + 1.0).collect();
                ours_cases.sort_by(f64::total_cmp);
                assert_eq!(ours_cases, space_nums(&fx.str("cases")[k]), "{name} set {s}: cases");
                assert!(rows.iter().all(|&j| time[j] == fx.num("time")[k]), "{name} set {s}: time");
                assert!(rows.iter().all(|&j| nel[j] == fx.num("n_eligible")[k]), "{name} set {s}: risk set size");
                let eligible = space_nums(&fx.str("eligible")[k]);
                let ctrl: Vec<f64> = rows.iter().filter(|&&j| fail[j] == 0.0).map(|&j| id[j] + 1.0).collect();
                assert_eq!(ctrl.len() as f64, fx.num("n_controls")[k], "{name} set {s}: number of controls");
                assert_eq!(ctrl.len(), (controls * ours_cases.len()).min(eligible.len()));
                let mut distinct = ctrl.clone();
                distinct.sort_by(f64::total_cmp);
                distinct.dedup();
                assert_eq!(distinct.len(), ctrl.len(), "{name} set {s}: a control drawn twice");
                for c in &ctrl {
                    assert!(eligible.contains(c), "{name} set {s}: control {c} not at risk / not matched");
                }
            }
        }
        // the same seed, the same sample; another seed, another sample
        let a = record(api::call("nested_case_control", &ncc_args(&cases, i, 7.0)).unwrap());
        let b = record(api::call("nested_case_control", &ncc_args(&cases, i, 7.0)).unwrap());
        let c = record(api::call("nested_case_control", &ncc_args(&cases, i, 8.0)).unwrap());
        assert_eq!(table_of(&a), table_of(&b));
        assert_ne!(table_of(&a), table_of(&c));
    }
}

#[test]
fn nested_case_control_errors_name_the_argument() {
    let err = |a: Args| api::call("nested_case_control", &a).err().unwrap().to_string();
    let base = || Args::new().with("exit", nums(vec![1.0, 2.0, 3.0])).with("status", nums(vec![1.0, 0.0, 0.0]));
    let e = err(base().with("entry", nums(vec![0.0, 2.5, 0.0])));
    assert!(e.contains("argument `entry`: entry is after exit (value 2.5) at row 1"), "{e}");
    let e = err(base().with("controls", Arg::Num(0.0)));
    assert!(e.contains("argument `controls`"), "{e}");
    let e = err(base().with("seed", Arg::Num(-1.0)));
    assert!(e.contains("argument `seed`"), "{e}");
    let e = err(Args::new().with("exit", nums(vec![1.0, 2.0])).with("status", nums(vec![1.0, 2.0])));
    assert!(e.contains("argument `status`"), "{e}");
    // without a seed one is drawn and returned: giving it back reproduces the sample
    let r = record(api::call("nested_case_control", &base()).unwrap());
    let seed = vec_of(get(&r, "seed"))[0];
    let again = record(api::call("nested_case_control", &base().with("seed", Arg::Num(seed))).unwrap());
    assert_eq!(table_of(&r), table_of(&again));
}
