//! Case–cohort analysis against survival::cch (fixtures from
//! tests/reference/generate_case_cohort.R: the nwtco example of cch's help page),
//! through the entry point the bindings use: coefficients at 1e-8, variances at 1e-6
//! (the tolerances), for Prentice, SelfPrentice, LinYing (and its robust
//! variance) and the exposure-stratified I.Borgan and II.Borgan, and with delayed
//! entry (Surv(entry, time, status)); and cch's checks of
//! bad input as errors naming the argument.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, field as get, vec_of, record};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

const TERMS: [&str; 5] = ["stageII", "stageIII", "stageIV", "histolUH", "age"];

fn args(method: &str) -> Args<'static> {
    let d = Table::read("data_cch_nwtco.csv");
    let mut x = Args::new();
    for t in TERMS {
        x = x.with(t, nums(d.num(t)));
    }
    let inst: Vec<u32> = d.num("instit").iter().map(|&v| v as u32 - 1).collect();
    let id: Vec<u32> = (0..d.nrow as u32).collect();
    let mut a = Args::new()
        .with("time", nums(d.num("edrel")))
        .with("event", nums(d.num("rel")))
        .with("subcohort", nums(d.num("subcohort")))
        .with("covariates", Arg::Record(x))
        .with("id", Arg::Codes { codes: Cow::Owned(id), levels: Vec::new() })
        .with("method", Arg::Str(method.into()));
    if method.ends_with("Borgan") {
        // table(nwtco$instit)
        a = a
            .with("stratum", Arg::Codes { codes: Cow::Owned(inst), levels: vec!["1".into(), "2".into()] })
            .with("cohort_size", nums(vec![3622.0, 406.0]));
    } else {
        a = a.with("cohort_size", Arg::Num(4028.0));
    }
    a
}

/// `a` with `k` set to `v` (replacing an earlier value).
fn set(mut a: Args<'static>, k: &str, v: Arg<'static>) -> Args<'static> {
    a.items.retain(|(n, _)| n != k);
    a.with(k, v)
}

fn matrix(r: &Record, k: &str) -> Vec<f64> {
    let Value::Matrix(m) = get(r, k) else { panic!("{k} not a matrix") };
    // column-major; fixtures list (i, j) with j fastest = row-major
    let p = m.nrow;
    (0..p).flat_map(|i| (0..p).map(move |j| (i, j))).map(|(i, j)| m.data[j * p + i]).collect()
}

#[test]
fn case_cohort_matches_cch_on_nwtco() {
    for (case, method, robust) in [
        ("Prentice", "Prentice", false),
        ("SelfPrentice", "SelfPrentice", false),
        ("LinYing", "LinYing", false),
        ("LinYing_robust", "LinYing", true),
        ("I.Borgan", "I.Borgan", false),
        ("II.Borgan", "II.Borgan", false),
        ("Prentice_entry", "Prentice", false),
        ("LinYing_entry", "LinYing", false),
        ("II.Borgan_entry", "II.Borgan", false),
    ] {
        let mut a = args(method).with("robust", Arg::Bool(robust));
        if case.ends_with("_entry") {
            a = a.with("entry", nums(Table::read("data_cch_nwtco.csv").num("entry")));
        }
        let r = record(api::call("case_cohort", &a).unwrap_or_else(|e| panic!("{case}: {e}")));
        let coef = Table::read(&format!("cch_{case}_coef.csv"));
        let var = Table::read(&format!("cch_{case}_var.csv"));
        let fit = Table::read(&format!("cch_{case}_fit.csv"));
        assert_eq!(coef.str("term"), TERMS.map(String::from), "{case} terms");
        assert_close_tol(&format!("{case} coef"), &vec_of(get(&r, "coef")), &coef.num("coef"), 1e-8);
        assert_close_tol(&format!("{case} se"), &vec_of(get(&r, "se")), &coef.num("se"), 1e-6);
        assert_close_tol(&format!("{case} var"), &matrix(&r, "var"), &var.num("var"), 1e-6);
        assert_close_tol(&format!("{case} naive_var"), &matrix(&r, "naive_var"), &var.num("naive_var"), 1e-6);
        match get(&r, "loglik") {
            Value::Null => assert!(fit.num("loglik0")[0].is_nan(), "{case}: loglik missing"),
            v => assert_close_tol(
                &format!("{case} loglik"),
                &vec_of(v),
                &[fit.num("loglik0")[0], fit.num("loglik1")[0]],
                1e-8,
            ),
        }
        assert_eq!(vec_of(get(&r, "n")), fit.num("n"), "{case} n");
        let cohort: f64 = vec_of(get(&r, "cohort_size")).iter().sum();
        assert_eq!(cohort, fit.num("cohort")[0], "{case} cohort");
    }
}

#[test]
fn case_cohort_accepts_cchs_spellings() {
    // cch matches "SelfPren" (its help page's spelling) by partial matching.
    let a = record(api::call("case_cohort", &args("SelfPren")).unwrap());
    let b = record(api::call("case_cohort", &args("SelfPrentice")).unwrap());
    assert_eq!(vec_of(get(&a, "coef")), vec_of(get(&b, "coef")));
    assert_eq!(get(&a, "method"), &Value::Str("SelfPrentice".into()));
    let e = api::call("case_cohort", &args("prentice")).err().unwrap().to_string();
    assert!(e.contains("`method`") && e.contains("\"LinYing\"") && e.contains("\"II.Borgan\""), "{e}");
}

fn err(a: &Args) -> String {
    api::call("case_cohort", a).err().expect("an error").to_string()
}

#[test]
fn case_cohort_bad_input_names_the_argument() {
    let d = Table::read("data_cch_nwtco.csv");
    // subcohort not 0/1
    let mut s = d.num("subcohort");
    s[3] = 2.0;
    let e = err(&set(args("Prentice"), "subcohort", nums(s)));
    assert!(e.contains("`subcohort`") && e.contains("row 3") && e.contains("0/1"), "{e}");
    // cohort smaller than the records
    let e = err(&set(args("Prentice"), "cohort_size", Arg::Num(1000.0)));
    assert!(e.contains("`cohort_size`") && e.contains("1154"), "{e}");
    // a censored record outside the subcohort (cch stops)
    let mut s = d.num("subcohort");
    let row = d.num("rel").iter().position(|&r| r == 0.0).unwrap();
    s[row] = 0.0;
    let e = err(&set(args("LinYing"), "subcohort", nums(s)));
    assert!(e.contains("`subcohort`") && e.contains(&format!("row {row}")) && e.contains("censored"), "{e}");
    // duplicated id
    let mut id: Vec<u32> = (0..d.nrow as u32).collect();
    id[10] = 4;
    let e = err(&set(args("Prentice"), "id", Arg::Codes { codes: Cow::Owned(id), levels: Vec::new() }));
    assert!(e.contains("`id`") && e.contains("row 10"), "{e}");
    // stratified methods need stratum and one cohort size per stratum
    let a = set(args("I.Borgan"), "cohort_size", Arg::Num(4028.0));
    let e = err(&a);
    assert!(e.contains("`cohort_size`") && e.contains("2 strata"), "{e}");
    let a = set(args("LinYing"), "method", Arg::Str("II.Borgan".into()));
    let e = err(&a);
    assert!(e.contains("`stratum`") && e.contains("required"), "{e}");
    // stratum too small for its cohort size
    let e = err(&set(args("I.Borgan"), "cohort_size", nums(vec![3622.0, 100.0])));
    assert!(e.contains("`cohort_size`") && e.contains("\"2\""), "{e}");
    // unstratified with a vector of cohort sizes
    let e = err(&set(args("Prentice"), "cohort_size", nums(vec![3622.0, 406.0])));
    assert!(e.contains("`cohort_size`") && e.contains("one number"), "{e}");
    // negative time
    let mut t = d.num("edrel");
    t[5] = -1.0;
    let e = err(&set(args("Prentice"), "time", nums(t)));
    assert!(e.contains("`time`") && e.contains("row 5"), "{e}");
}

#[test]
fn case_cohort_warns_as_cch() {
    let r = record(api::call("case_cohort", &set(args("Prentice"), "robust", Arg::Bool(true))).unwrap());
    let Value::Strs(w) = get(&r, "warnings") else { panic!() };
    assert!(w.iter().any(|s| s.contains("robust") && s.contains("Prentice")), "{w:?}");
    let r = record(api::call("case_cohort", &set(args("I.Borgan"), "cohort_size_names", Arg::Strs(vec!["a".into(), "b".into()]))).unwrap());
    let Value::Strs(w) = get(&r, "warnings") else { panic!() };
    assert!(w.iter().any(|s| s.contains("do not agree")), "{w:?}");
    // names in another order are matched to the levels
    let a = record(api::call("case_cohort", &args("I.Borgan")).unwrap());
    let b = set(args("I.Borgan"), "cohort_size", nums(vec![406.0, 3622.0]))
        .with("cohort_size_names", Arg::Strs(vec!["2".into(), "1".into()]));
    let b = record(api::call("case_cohort", &b).unwrap());
    assert_eq!(vec_of(get(&a, "coef")), vec_of(get(&b, "coef")));
}
