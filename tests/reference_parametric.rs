//! Parametric survival regression against survival::survreg (fixtures from
//! tests/reference/generate_parametric.R), through the entry point the bindings use.
//! Delayed entry (survreg has none) against the closed-form log-likelihood maximised
//! with optim.
mod common;
use std::borrow::Cow;

use common::{assert_close, assert_close_tol, Table, nums, field as get, vec_of};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

/// A numeric column as a grouping: codes in sorted level order, labels `prefix` + value.
fn grouping(v: &[f64], prefix: &str) -> Arg<'static> {
    let mut lev = v.to_vec();
    lev.sort_by(f64::total_cmp);
    lev.dedup();
    let codes: Vec<u32> = v.iter().map(|x| lev.iter().position(|l| l == x).unwrap() as u32).collect();
    Arg::Codes { codes: Cow::Owned(codes), levels: lev.iter().map(|l| format!("{prefix}{l}")).collect() }
}

/// The case's arguments from the manifest row `i`.
fn case_args(cases: &Table, i: usize) -> Args<'static> {
    let col = |c: &str| cases.str(c)[i].clone();
    let d = Table::read(&format!("data_survreg_{}.csv", col("data")));
    let mut covs = Args::new();
    for c in col("covariates").split(' ') {
        covs = covs.with(c, nums(d.num(c)));
    }
    let mut a = Args::new()
        .with("time", nums(d.num("time")))
        .with("status", nums(d.num("status")))
        .with("covariates", Arg::Record(covs))
        .with("dist", Arg::Str(col("dist")));
    for (arg, c) in [("entry", col("entry")), ("weights", col("weights")), ("offset", col("offset"))] {
        if !c.is_empty() {
            a = a.with(arg, nums(d.num(&c)));
        }
    }
    let s = col("strata");
    if !s.is_empty() {
        a = a.with("strata", grouping(&d.num(&s), &format!("{s}=")));
    }
    a
}

#[test]
fn parametric_survival_matches_survreg() {
    let cases = Table::read("survreg_cases.csv");
    let mut checked = 0;
    for i in 0..cases.nrow {
        let name = cases.str("case")[i].clone();
        let anchor = cases.str("anchor")[i].clone();
        let args = case_args(&cases, i);
        let out = api::call("parametric_survival", &args).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Value::Record(r) = &out.value else { panic!() };
        let coef_ref = Table::read(&format!("survreg_{name}_coef.csv"));
        let fit_ref = Table::read(&format!("survreg_{name}_fit.csv"));
        let Value::Table(tab) = get(r, "table") else { panic!() };
        let ours_est = vec_of(tab.get("coef").unwrap());
        let scale = vec_of(get(r, "scale"));
        let loglik = vec_of(get(r, "loglik"));
        if anchor == "optim" {
            // the optimiser's answer is good to about 1e-6 (issue tolerance)
            assert_close_tol(&format!("{name} coef"), &ours_est, &coef_ref.num("value"), 1e-6);
            assert_close_tol(&format!("{name} loglik"), &loglik[1..], &fit_ref.num("loglik1"), 1e-9);
            checked += 1;
            continue;
        }
        assert_close(&format!("{name} coef"), &ours_est, &coef_ref.num("value"));
        assert_close(&format!("{name} se"), &vec_of(tab.get("se").unwrap()), &coef_ref.num("se"));
        assert_close(&format!("{name} z"), &vec_of(tab.get("z").unwrap()), &coef_ref.num("z"));
        assert_close_tol(&format!("{name} p"), &vec_of(tab.get("p").unwrap()), &coef_ref.num("p"), 1e-6);
        assert_close(&format!("{name} loglik"), &loglik, &[fit_ref.num("loglik0")[0], fit_ref.num("loglik1")[0]]);
        let k = scale.len();
        let sref: Vec<f64> = (1..=k).map(|j| fit_ref.num(&format!("scale_{j}"))[0]).collect();
        assert_close(&format!("{name} scale"), &scale, &sref);
        let Value::Record(lr) = get(r, "lr_test") else { panic!() };
        assert_close(&format!("{name} chisq"), &vec_of(get(lr, "statistic")), &fit_ref.num("chisq"));
        assert_close(&format!("{name} df"), &vec_of(get(lr, "df")), &fit_ref.num("df"));
        let Value::Matrix(v) = get(r, "var") else { panic!() };
        let vref = Table::read(&format!("survreg_{name}_var.csv"));
        let (vi, vj, vv) = (vref.num("i"), vref.num("j"), vref.num("value"));
        let ours_v: Vec<f64> = (0..vv.len()).map(|t| v.data[(vj[t] as usize - 1) * v.nrow + vi[t] as usize - 1]).collect();
        assert_close(&format!("{name} var"), &ours_v, &vv);

        // predictions for the fitted rows
        let p = Table::read(&format!("survreg_{name}_predict.csv"));
        let rows: Vec<usize> = p.num("row").iter().map(|&r| r as usize - 1).collect();
        let lp = vec_of(get(r, "linear_predictors"));
        assert_close(&format!("{name} lp"), &rows.iter().map(|&i| lp[i]).collect::<Vec<_>>(), &p.num("lp"));
        let pred = |a: Args| -> Value { out.fit.as_ref().unwrap().call("predict", &a).unwrap_or_else(|e| panic!("{name}: {e}")) };
        let Value::Record(lps) = pred(Args::new().with("type", Arg::Str("lp".into())).with("se", Arg::Bool(true))) else { panic!() };
        let se_lp = vec_of(get(&lps, "se_fit"));
        assert_close(&format!("{name} se lp"), &rows.iter().map(|&i| se_lp[i]).collect::<Vec<_>>(), &p.num("se_lp"));
        let Value::Record(q) = pred(Args::new().with("type", Arg::Str("quantile".into())).with("p", nums(vec![0.1, 0.5, 0.9])).with("se", Arg::Bool(true))) else { panic!() };
        let (Value::Matrix(qf), Value::Matrix(qs)) = (get(&q, "fit"), get(&q, "se_fit")) else { panic!() };
        for (j, c) in ["10", "50", "90"].iter().enumerate() {
            let at = |m: &hrrstats::protocol::Matrix| -> Vec<f64> { rows.iter().map(|&i| m.data[j * m.nrow + i]).collect() };
            assert_close(&format!("{name} q{c}"), &at(qf), &p.num(&format!("q{c}")));
            assert_close(&format!("{name} se q{c}"), &at(qs), &p.num(&format!("se_q{c}")));
        }
        let Value::Matrix(s) = pred(Args::new().with("type", Arg::Str("survival".into())).with("times", nums(vec![100.0, 400.0]))) else { panic!() };
        for (j, c) in ["surv_t1", "surv_t2"].iter().enumerate() {
            let ours: Vec<f64> = rows.iter().map(|&i| s.data[j * s.nrow + i]).collect();
            assert_close(&format!("{name} {c}"), &ours, &p.num(c));
        }
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn parametric_survival_bad_input() {
    let base = || Args::new().with("time", nums(vec![1.0, 2.0, 3.0, 4.0])).with("status", nums(vec![1.0, 0.0, 1.0, 1.0]));
    let err = |a: Args| api::call("parametric_survival", &a).err().expect("an error").to_string();
    assert!(err(base().with("dist", Arg::Str("weibul".into()))).contains("argument `dist`: unknown value \"weibul\""));
    let e = err(Args::new().with("time", nums(vec![1.0, 0.0, 3.0])).with("status", nums(vec![1.0, 1.0, 0.0])));
    assert!(e.contains("`time`") && e.contains("row 1"), "{e}");
    let e = err(base().with("dist", Arg::Str("gaussian".into())).with("entry", nums(vec![0.0; 4])));
    assert!(e.contains("argument `entry`"), "{e}");
    let e = err(Args::new().with("time", nums(vec![1.0, 2.0])).with("status", nums(vec![0.0, 0.0])));
    assert!(e.contains("argument `status`") && e.contains("no events"), "{e}");
    let e = err(base().with("dist", Arg::Str("exponential".into())).with("scale", Arg::Num(2.0)));
    assert!(e.contains("argument `scale`"), "{e}");
    let e = err(base().with("covariates", Arg::Record(Args::new().with("x", nums(vec![1.0, f64::NAN, 0.0, 1.0])))));
    assert!(e.contains("`covariates`") && e.contains("row 1"), "{e}");
}

/// Restricted mean survival time from Kaplan–Meier against `print(survfit, rmean = tau)`.
#[test]
fn rmst_matches_survfit() {
    let cases = Table::read("rmst_cases.csv");
    for i in 0..cases.nrow {
        let col = |c: &str| cases.str(c)[i].clone();
        let d = Table::read(&format!("data_survreg_{}.csv", col("data")));
        let mut a = Args::new().with("time", nums(d.num("time"))).with("status", nums(d.num("status")));
        if !col("weights").is_empty() {
            a = a.with("weights", nums(d.num(&col("weights"))));
        }
        if !col("strata").is_empty() {
            a = a.with("strata", grouping(&d.num(&col("strata")), ""));
        }
        let out = api::call("kaplan_meier", &a).unwrap();
        let tau: f64 = col("tau").parse().unwrap();
        let fit = out.fit.as_ref().unwrap();
        let Value::Table(t) = fit.call("rmst", &Args::new().with("tau", Arg::Num(tau))).unwrap() else { panic!() };
        let r = Table::read(&format!("rmst_{}.csv", col("case")));
        let name = col("case");
        assert_close(&format!("{name} rmst"), &vec_of(t.get("rmst").unwrap()), &r.num("rmean"));
        assert_close(&format!("{name} se"), &vec_of(t.get("std_err").unwrap()), &r.num("se"));
        if r.nrow == 2 {
            let Value::Record(dr) = fit.call("rmst_difference", &Args::new().with("tau", Arg::Num(tau))).unwrap() else { panic!() };
            let (m, s) = (r.num("rmean"), r.num("se"));
            assert_close(&format!("{name} difference"), &vec_of(get(&dr, "difference")), &[m[0] - m[1]]);
            assert_close(&format!("{name} se difference"), &vec_of(get(&dr, "std_err")), &[(s[0] * s[0] + s[1] * s[1]).sqrt()]);
        }
    }
    let out = api::call("kaplan_meier", &Args::new().with("time", nums(vec![1.0, 2.0])).with("status", nums(vec![1.0, 0.0]))).unwrap();
    let e = out.fit.as_ref().unwrap().call("rmst", &Args::new().with("tau", Arg::Num(-1.0))).err().unwrap().to_string();
    assert!(e.contains("argument `tau`"), "{e}");
    let e = out.fit.as_ref().unwrap().call("rmst_difference", &Args::new().with("tau", Arg::Num(1.0))).err().unwrap().to_string();
    assert!(e.contains("argument `strata`"), "{e}");
}

/// Harrell's concordance of Cox fits against `survival::concordance(fit)`.
#[test]
fn concordance_matches_survival() {
    let cases = Table::read("concordance_cases.csv");
    for i in 0..cases.nrow {
        let col = |c: &str| cases.str(c)[i].clone();
        let name = col("case");
        let d = Table::read(&format!("data_survreg_{}.csv", col("data")));
        let mut covs = Args::new();
        for c in col("covariates").split(' ') {
            covs = covs.with(c, nums(d.num(c)));
        }
        let mut a = Args::new()
            .with("time", nums(d.num("time")))
            .with("status", nums(d.num("status")))
            .with("covariates", Arg::Record(covs));
        if !col("weights").is_empty() {
            a = a.with("weights", nums(d.num(&col("weights"))));
        }
        if !col("entry").is_empty() {
            a = a.with("entry", nums(d.num(&col("entry"))));
        }
        if !col("strata").is_empty() {
            a = a.with("strata", grouping(&d.num(&col("strata")), ""));
        }
        let out = api::call("cox_ph", &a).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Value::Record(c) = out.fit.as_ref().unwrap().call("concordance", &Args::new()).unwrap() else { panic!() };
        let r = Table::read(&format!("concordance_{name}.csv"));
        assert_close(&format!("{name} concordance"), &vec_of(get(&c, "concordance")), &r.num("concordance"));
        assert_close(&format!("{name} var"), &vec_of(get(&c, "var")), &r.num("var"));
        let Value::Record(k) = get(&c, "counts") else { panic!() };
        for f in ["concordant", "discordant", "tied_x", "tied_y", "tied_xy"] {
            assert_close(&format!("{name} {f}"), &vec_of(get(k, f)), &r.num(f));
        }
    }
}
