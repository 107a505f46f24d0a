//! Flexible parametric (Royston–Parmar) models against the plain-R likelihood maximised
//! with optim (fixtures from tests/reference/generate_flexible.R; no anchor package is
//! installable), and the df = 1 proportional-hazards model against survreg's Weibull.
//! Through the entry point the bindings use.
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

fn num(v: &Value) -> f64 {
    match v {
        Value::Num(x) => *x,
        other => panic!("not a number: {other:?}"),
    }
}

fn col(t: &hrrstats::protocol::Table, k: &str) -> Vec<f64> {
    match t.get(k) {
        Some(Value::Nums(x)) => x.clone(),
        other => panic!("column {k}: {other:?}"),
    }
}

/// The case's arguments from manifest row `i`, and the data table.
fn case_args(cases: &Table, i: usize) -> (Args<'static>, Vec<String>) {
    let c = |k: &str| cases.str(k)[i].clone();
    let d = Table::read(&format!("data_flex_{}.csv", c("data")));
    let cov: Vec<String> = c("covariates").split(' ').map(String::from).collect();
    let mut covs = Args::new();
    for v in &cov {
        covs = covs.with(v, nums(d.num(v)));
    }
    let mut a = Args::new()
        .with("time", nums(d.num("time")))
        .with("status", nums(d.num("status")))
        .with("covariates", Arg::Record(covs))
        .with("df", Arg::Num(c("df").parse().unwrap()))
        .with("scale", Arg::Str(c("scale")));
    for (arg, k) in [("entry", c("entry")), ("weights", c("weights")), ("bhazard", c("bhazard"))] {
        if !k.is_empty() {
            a = a.with(arg, nums(d.num(&k)));
        }
    }
    if !c("tvc").is_empty() {
        a = a.with("tvc", Arg::Record(Args::new().with(&c("tvc"), Arg::Num(c("tvc_df").parse().unwrap()))));
    }
    if !c("knots").is_empty() {
        a = a.with("knots", nums(c("knots").split(' ').map(|v| v.parse().unwrap()).collect()));
    }
    (a, cov)
}

fn pattern_args(p: &Table, cov: &[String], rows: &[usize]) -> Arg<'static> {
    let mut a = Args::new();
    for v in cov {
        let x = p.num(v);
        a = a.with(v, nums(rows.iter().map(|&r| x[r]).collect()));
    }
    Arg::Record(a)
}

const TOL: f64 = 1e-6;

#[test]
fn flexible_parametric_matches_optim_and_survreg() {
    let cases = Table::read("flex_cases.csv");
    let mut checked = 0;
    for i in 0..cases.nrow {
        let name = cases.str("case")[i].clone();
        let (args, cov) = case_args(&cases, i);
        let out = api::call("flexible_parametric", &args).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Value::Record(r) = &out.value else { panic!() };
        let fit = out.fit.as_ref().expect("a fit handle");
        let fref = Table::read(&format!("flex_{name}_fit.csv"));
        let ll = num(get(r, "loglik"));
        assert_close_tol(&format!("{name} loglik"), &[ll], &fref.num("loglik"), TOL);
        let srl = fref.num("survreg_loglik")[0];
        if !srl.is_nan() {
            assert_close_tol(&format!("{name} loglik vs survreg"), &[ll], &[srl], 1e-8);
        }
        assert!(matches!(get(r, "converged"), Value::Bool(true)), "{name}: not converged");
        // predictions at each pattern and time
        let p = Table::read(&format!("flex_{name}_pred.csv"));
        let times: Vec<f64> = p.num("time");
        let pats: Vec<usize> = p.num("pattern").iter().map(|&v| v as usize).collect();
        for (ty, est, se) in [("survival", "surv", "se_surv"), ("hazard", "haz", "se_haz"), ("cumhaz", "cumhaz", "se_cumhaz")] {
            for row in 0..p.nrow {
                let a = Args::new()
                    .with("type", Arg::Str(ty.into()))
                    .with("times", nums(vec![times[row]]))
                    .with("covariates", pattern_args(&p, &cov, &[row]));
                let Value::Table(t) = fit.call("predict", &a).unwrap() else { panic!() };
                let what = format!("{name} {ty} pattern {} t {}", pats[row], times[row]);
                assert_close_tol(&what, &col(&t, "estimate"), &[p.num(est)[row]], TOL);
                assert_close_tol(&format!("{what} se"), &col(&t, "std_err"), &[p.num(se)[row]], TOL);
                if ty == "survival" && p.cols.contains_key("survreg_surv") {
                    assert_close_tol(&format!("{what} vs survreg"), &col(&t, "estimate"), &[p.num("survreg_surv")[row]], 1e-8);
                }
            }
        }
        // hazard ratios, pattern 2 vs pattern 1, at each time
        let first: Vec<usize> = (0..p.nrow).filter(|&r| pats[r] == 1).collect();
        for (k, row) in (0..p.nrow).filter(|&r| pats[r] == 2).enumerate() {
            let a = Args::new()
                .with("type", Arg::Str("hr".into()))
                .with("times", nums(vec![times[row]]))
                .with("covariates", pattern_args(&p, &cov, &[row]))
                .with("reference", pattern_args(&p, &cov, &[first[k]]));
            let Value::Table(t) = fit.call("predict", &a).unwrap() else { panic!() };
            let what = format!("{name} hr t {}", times[row]);
            assert_close_tol(&what, &col(&t, "estimate"), &[p.num("hr")[row]], TOL);
            assert_close_tol(&format!("{what} se"), &col(&t, "std_err"), &[p.num("se_hr")[row]], TOL);
        }
        // RMST
        let rm = Table::read(&format!("flex_{name}_rmst.csv"));
        for row in 0..rm.nrow {
            let k = rm.num("pattern")[row] as usize - 1;
            let prow = (0..p.nrow).find(|&r| pats[r] == k + 1).unwrap();
            let a = Args::new()
                .with("type", Arg::Str("rmst".into()))
                .with("times", nums(vec![rm.num("tau")[row]]))
                .with("covariates", pattern_args(&p, &cov, &[prow]));
            let Value::Table(t) = fit.call("predict", &a).unwrap() else { panic!() };
            let what = format!("{name} rmst pattern {} tau {}", k + 1, rm.num("tau")[row]);
            assert_close_tol(&what, &col(&t, "estimate"), &[rm.num("rmst")[row]], TOL);
            assert_close_tol(&format!("{what} se"), &col(&t, "std_err"), &[rm.num("se_rmst")[row]], TOL);
        }
        // standardisation over the data set
        let std = Table::read(&format!("flex_{name}_std.csv"));
        let Arg::Record(all) = args.get("covariates").unwrap().clone() else { panic!() };
        for row in 0..std.nrow {
            let ty = std.str("type")[row].clone();
            if ty == "survival_diff" {
                // every row with the last covariate at 1 against every row with it at 0
                let set = |v: f64| {
                    let mut r = all.clone();
                    let last = r.items.len() - 1;
                    let Arg::Nums(c) = &r.items[last].1 else { panic!() };
                    r.items[last].1 = nums(vec![v; c.len()]);
                    Arg::Record(r)
                };
                let a = Args::new()
                    .with("type", Arg::Str("survival".into()))
                    .with("times", nums(vec![std.num("time")[row]]))
                    .with("covariates", set(1.0))
                    .with("reference", set(0.0));
                let Value::Table(t) = fit.call("standardize", &a).unwrap() else { panic!() };
                let what = format!("{name} standardized difference t {}", std.num("time")[row]);
                assert_close_tol(&what, &col(&t, "difference"), &[std.num("estimate")[row]], TOL);
                assert_close_tol(&format!("{what} se"), &col(&t, "difference_std_err"), &[std.num("se")[row]], TOL);
                let d = col(&t, "estimate")[0] - col(&t, "reference_estimate")[0];
                assert!((d - col(&t, "difference")[0]).abs() < 1e-15);
                continue;
            }
            let a = Args::new()
                .with("type", Arg::Str(ty.clone()))
                .with("times", nums(vec![std.num("time")[row]]))
                .with("covariates", Arg::Record(all.clone()));
            let Value::Table(t) = fit.call("standardize", &a).unwrap() else { panic!() };
            let what = format!("{name} standardized {ty} t {}", std.num("time")[row]);
            assert_close_tol(&what, &col(&t, "estimate"), &[std.num("estimate")[row]], TOL);
            assert_close_tol(&format!("{what} se"), &col(&t, "std_err"), &[std.num("se")[row]], TOL);
        }
        checked += 1;
    }
    assert_eq!(checked, 18, "every case checked");
}

fn lung_args() -> Args<'static> {
    let d = Table::read("data_flex_lung.csv");
    Args::new()
        .with("time", nums(d.num("time")))
        .with("status", nums(d.num("status")))
        .with("covariates", Arg::Record(Args::new().with("age", nums(d.num("age"))).with("sex", nums(d.num("sex")))))
}

#[test]
fn flexible_parametric_errors_name_the_argument() {
    let err = |a: Args| match api::call("flexible_parametric", &a) {
        Err(e) => e.to_string(),
        Ok(o) => panic!("no error: {:?}", o.value),
    };
    let e = err(lung_args().with("df", Arg::Num(0.0)));
    assert!(e.contains("`df`"), "{e}");
    let e = err(lung_args().with("scale", Arg::Str("logit".into())));
    assert!(e.contains("`scale`") && e.contains("\"hazard\""), "{e}");
    let e = err(lung_args().with("tvc", Arg::Record(Args::new().with("ph", Arg::Num(2.0)))));
    assert!(e.contains("`tvc`") && e.contains("\"ph\""), "{e}");
    let d = Table::read("data_flex_lung.csv");
    let mut bh = d.num("bh");
    bh[4] = -1.0;
    let e = err(lung_args().with("bhazard", nums(bh)));
    assert!(e.contains("`bhazard`") && e.contains("row 4"), "{e}");
    let e = err(lung_args().with("knots", nums(vec![1e6])));
    assert!(e.contains("`knots`"), "{e}");
    let mut t = d.num("time");
    t[2] = 0.0;
    let mut a = lung_args();
    a.items.retain(|(k, _)| k != "time");
    let e = err(a.with("time", nums(t)));
    assert!(e.contains("`time`") && e.contains("row 2"), "{e}");
}

#[test]
fn non_monotone_fit_is_reported() {
    // df = 6 on 30 rows: the fitted spline of log H decreases between event times
    let t = vec![124.68064681551915, 3.877736410256462, 2.813074786523594, 1.502686809322142, 3.0804683269530666,
        94.434783960417, 9.376731006407425, 28.5000518150876, 2.6284024325395663, 80.16197358170147,
        1.7138628680391286, 18.438214193143914, 4.580278808435151, 138.82542607715612, 3.0829416635708258,
        1.8462136296644278, 15.77375589436059, 28.14775689938353, 97.8324191167223, 3.9142649460916776,
        17.363465749808064, 5.06070143221324, 51.53191889087005, 21.895057058534963, 1.7128655757949947,
        11.622881553454167, 34.01599899889136, 15.441680219306336, 32.01345413689168, 5.071510774922716];
    let s = vec![0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0,
        1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
    let a = Args::new().with("time", nums(t.clone())).with("status", nums(s)).with("df", Arg::Num(6.0));
    let out = api::call("flexible_parametric", &a).unwrap();
    let Value::Record(r) = &out.value else { panic!() };
    let Value::Strs(w) = get(r, "warnings") else { panic!() };
    assert!(w.len() == 1 && w[0].starts_with("non-monotone fit: the fitted hazard is not positive at 4 of the 30"), "{w:?}");
    // the hazard is reported as NaN where it is not positive, never negative
    let p = Args::new().with("type", Arg::Str("hazard".into())).with("times", nums(t));
    let Value::Table(tab) = out.fit.as_ref().unwrap().call("predict", &p).unwrap() else { panic!() };
    let h = col(&tab, "estimate");
    assert_eq!(h.iter().filter(|v| v.is_nan()).count(), 4);
    assert!(h.iter().all(|v| v.is_nan() || *v > 0.0));
}
