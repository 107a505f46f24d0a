//! Relative-survival outputs of flexible parametric models: crude probabilities of death
//! from the cancer and from other causes, and the loss in life expectancy, against the
//! same integrals in plain R (fixtures from tests/reference/generate_flexible_relsurv.R:
//! the model fitted by optim on relsurv's rdata with slopop's expected hazards, the
//! integrals by `integrate`, S* checked against survexp; no anchor is installable).
//! Through the entry point the bindings use.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table};
use hrrstats::api::{self, Fitted};
use hrrstats::protocol::{Arg, Args, Value};

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn col(t: &hrrstats::protocol::Table, k: &str) -> Vec<f64> {
    match t.get(k) {
        Some(Value::Nums(x)) => x.clone(),
        other => panic!("column {k}: {other:?}"),
    }
}

/// The table of a relative-survival output (a record: table, warnings); no warnings
/// on these fits.
fn table(v: Value) -> hrrstats::protocol::Table {
    let Value::Record(r) = v else { panic!("a record: {v:?}") };
    assert!(matches!(r.get("warnings"), Some(Value::Strs(w)) if w.is_empty()), "{:?}", r.get("warnings"));
    match r.get("table") {
        Some(Value::Table(t)) => t.clone(),
        other => panic!("no table: {other:?}"),
    }
}

fn strs(t: &hrrstats::protocol::Table, k: &str) -> Vec<String> {
    match t.get(k) {
        Some(Value::Strs(x)) => x.clone(),
        other => panic!("column {k}: {other:?}"),
    }
}

/// A protocol value (a rate table record) as an argument, as the bindings pass it back.
fn to_arg(v: &Value) -> Arg<'static> {
    match v {
        Value::Null => Arg::Null,
        Value::Bool(b) => Arg::Bool(*b),
        Value::Int(i) => Arg::Num(*i as f64),
        Value::Num(x) => Arg::Num(*x),
        Value::Str(s) => Arg::Str(s.clone()),
        Value::Strs(x) => Arg::Strs(x.clone()),
        Value::Nums(x) => Arg::Nums(Cow::Owned(x.clone())),
        Value::Ints(x) => Arg::Nums(Cow::Owned(x.iter().map(|&i| i as f64).collect())),
        Value::Index(x) => Arg::Nums(Cow::Owned(x.iter().map(|&i| i as f64).collect())),
        Value::Record(r) => Arg::Record(Args { items: r.fields.iter().map(|(k, v)| (k.clone(), to_arg(v))).collect() }),
        other => panic!("not an argument: {other:?}"),
    }
}

/// slopop as the bindings build it (rate_table from the long fixture, per day).
fn slopop() -> Arg<'static> {
    let t = Table::read("data_rs_slopop.csv");
    let sex: Vec<u32> = t.num("sex").iter().map(|&s| s as u32 - 1).collect();
    let out = api::call(
        "rate_table",
        &Args::new()
            .with("rate", nums(t.num("rate")))
            .with("age", nums(t.num("age")))
            .with("year", nums(t.num("year")))
            .with("sex", Arg::Codes { codes: Cow::Owned(sex), levels: vec!["male".into(), "female".into()] })
            .with("time_unit", Arg::Str("days".into())),
    )
    .unwrap();
    to_arg(&out.value)
}

const TOL: f64 = 1e-6;

/// The fit of a case and the persons' arguments (the first `persons` rows of the data).
fn case(name: &str) -> (Box<dyn Fitted>, Args<'static>, usize) {
    let cases = Table::read("flexrs_cases.csv");
    let i = cases.str("case").iter().position(|c| c == name).unwrap();
    let d = Table::read("flexrs_data.csv");
    let df = cases.num("df")[i];
    let out = api::call(
        "flexible_parametric",
        &Args::new()
            .with("time", nums(d.num("time")))
            .with("status", nums(d.num("status")))
            .with("covariates", Arg::Record(Args::new().with("age", nums(d.num("age"))).with("female", nums(d.num("female")))))
            .with("bhazard", nums(d.num("bh")))
            .with("df", Arg::Num(df)),
    )
    .unwrap();
    let Value::Record(r) = &out.value else { panic!() };
    let Some(Value::Num(ll)) = r.get("loglik") else { panic!() };
    assert_close_tol(&format!("{name} loglik"), &[*ll], &[cases.num("loglik")[i]], TOL);
    assert!(matches!(r.get("relative"), Some(Value::Bool(true))));
    let np = cases.num("persons")[i] as usize;
    let head = |k: &str| nums(d.num(k)[..np].to_vec());
    let persons = Args::new()
        .with("ratetable", slopop())
        .with("age", head("age"))
        .with("year", head("year_decimal"))
        .with("sex", nums(d.num("female")[..np].to_vec()))
        .with("covariates", Arg::Record(Args::new().with("age", head("age")).with("female", head("female"))));
    (out.fit.unwrap(), persons, np)
}

fn with(a: &Args<'static>, extra: &[(&str, Arg<'static>)]) -> Args<'static> {
    let mut a = a.clone();
    for (k, v) in extra {
        a.items.retain(|(n, _)| n != k);
        a = a.with(k, v.clone());
    }
    a
}

#[test]
fn crude_probabilities_match_integrate() {
    for name in ["rd_h3", "rd_h1"] {
        let (fit, persons, np) = case(name);
        let f = Table::read(&format!("flexrs_{name}_crude.csv"));
        let times = vec![365.241, 1826.205, 3652.41];
        for individual in [false, true] {
            let a = with(&persons, &[("times", nums(times.clone())), ("individual", Arg::Bool(individual))]);
            let t = table(fit.call("crude_probabilities", &a).unwrap());
            let (est, se, time, cause) = (col(&t, "estimate"), col(&t, "std_err"), col(&t, "time"), strs(&t, "cause"));
            let row = if individual { col(&t, "row") } else { vec![0.0; est.len()] };
            assert_eq!(est.len(), if individual { np } else { 1 } * times.len() * 2);
            for k in 0..est.len() {
                let m = (0..f.nrow)
                    .find(|&j| f.num("row")[j] == row[k] && f.num("time")[j] == time[k] && f.str("cause")[j] == cause[k])
                    .unwrap_or_else(|| panic!("{name}: no reference row {} {} {}", row[k], time[k], cause[k]));
                let what = format!("{name} row {} t {} {}", row[k], time[k], cause[k]);
                assert_close_tol(&what, &[est[k]], &[f.num("estimate")[m]], TOL);
                assert_close_tol(&format!("{what} se"), &[se[k]], &[f.num("se")[m]], TOL);
            }
        }
    }
}

#[test]
fn loss_in_life_expectancy_matches_integrate() {
    for name in ["rd_h3", "rd_h1"] {
        let (fit, persons, np) = case(name);
        let f = Table::read(&format!("flexrs_{name}_lel.csv"));
        let t = table(fit.call("loss_in_life_expectancy", &with(&persons, &[("individual", Arg::Bool(true))])).unwrap());
        assert_eq!(col(&t, "row").len(), np);
        for (ours, theirs) in [("horizon", "horizon"), ("expected", "expected"), ("observed", "observed"), ("observed_std_err", "se_observed"), ("loss", "loss"), ("loss_std_err", "se_observed")] {
            assert_close_tol(&format!("{name} {ours}"), &col(&t, ours), &f.num(theirs)[..np], TOL);
        }
        let s = table(fit.call("loss_in_life_expectancy", &persons).unwrap());
        for (ours, theirs) in [("expected", "expected"), ("observed", "observed"), ("observed_std_err", "se_observed"), ("loss", "loss")] {
            assert_close_tol(&format!("{name} standardised {ours}"), &col(&s, ours), &f.num(theirs)[np..], TOL);
        }
    }
}

/// The three probabilities add up to one (crude cancer, crude population, alive); the
/// crude probabilities grow with time; the loss shrinks with an earlier horizon.
#[test]
fn crude_probabilities_and_loss_are_coherent() {
    let (fit, persons, _) = case("rd_h3");
    let times: Vec<f64> = (1..=30).map(|k| k as f64 * 365.241).collect();
    let t = table(fit.call("crude_probabilities", &with(&persons, &[("times", nums(times.clone()))])).unwrap());
    let est = col(&t, "estimate");
    let n = times.len();
    for k in 1..n {
        assert!(est[k] >= est[k - 1] && est[n + k] >= est[n + k - 1], "not increasing at {k}");
    }
    assert!(est[n - 1] + est[2 * n - 1] <= 1.0 + 1e-12);
    let h = |v: f64| {
        let s = table(fit.call("loss_in_life_expectancy", &with(&persons, &[("horizon", Arg::Num(v))])).unwrap());
        col(&s, "loss")[0]
    };
    assert!(h(5.0 * 365.241) < h(20.0 * 365.241));
}

/// Errors name the argument: a fit without bhazard, persons without a rate table,
/// covariates of another length, an age beyond max_age.
#[test]
fn relative_outputs_name_bad_arguments() {
    let d = Table::read("flexrs_data.csv");
    let plain = api::call(
        "flexible_parametric",
        &Args::new().with("time", nums(d.num("time"))).with("status", nums(d.num("status"))).with("df", Arg::Num(2.0)),
    )
    .unwrap()
    .fit
    .unwrap();
    let (fit, persons, _) = case("rd_h3");
    let e = plain.call("loss_in_life_expectancy", &persons).unwrap_err();
    assert!(e.to_string().contains("bhazard"), "{e}");
    let mut no_table = persons.clone();
    no_table.items.retain(|(k, _)| k != "ratetable");
    let e = fit.call("loss_in_life_expectancy", &no_table).unwrap_err();
    assert!(e.to_string().contains("ratetable"), "{e}");
    let short = with(&persons, &[("covariates", Arg::Record(Args::new().with("age", nums(vec![60.0])).with("female", nums(vec![1.0]))))]);
    let e = fit.call("loss_in_life_expectancy", &short).unwrap_err();
    assert!(e.to_string().contains("covariates"), "{e}");
    let e = fit.call("loss_in_life_expectancy", &with(&persons, &[("max_age", Arg::Num(70.0))])).unwrap_err();
    assert!(e.to_string().contains("age"), "{e}");
    let e = fit.call("crude_probabilities", &with(&persons, &[("times", nums(vec![-1.0]))])).unwrap_err();
    assert!(e.to_string().contains("times"), "{e}");
}
