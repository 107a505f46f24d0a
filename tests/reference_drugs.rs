//! Drug exposure (issue 17) against the day-by-day coverage-vector definitions of
//! tests/reference/generate_drugs.R, through the entry point the bindings use:
//! episodes exactly, adherence (PDC, MPR) at 1e-12; overlaps, same-day dispensings,
//! gaps at the grace boundary, stockpiling on and off, a single dispensing, unsorted
//! rows, several ids, proportional grace, a window start and two random sets.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

const ADHERENCE_TOL: f64 = 1e-12;

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn col(r: &Record, c: &str) -> Vec<f64> {
    match r.get("table") {
        Some(Value::Table(t)) => match t.get(c) {
            Some(Value::Nums(x)) => x.clone(),
            Some(Value::Ints(x)) => x.iter().map(|&i| i as f64).collect(),
            Some(Value::Factor { codes, levels }) => {
                codes.iter().map(|&k| levels[k as usize].parse().unwrap()).collect()
            }
            other => panic!("column {c}: {other:?}"),
        },
        other => panic!("not a table: {other:?}"),
    }
}

fn rows_of(t: &Table, case: &str) -> Vec<usize> {
    t.str("case").iter().enumerate().filter(|(_, c)| *c == case).map(|(i, _)| i).collect()
}

fn pick(v: &[f64], rows: &[usize]) -> Vec<f64> {
    rows.iter().map(|&i| v[i]).collect()
}

/// The case's arguments: ids factorised in numeric order (levels as text).
fn case_args(case: &str, stockpile: bool) -> (Args<'static>, f64) {
    let cases = Table::read("drugs_cases.csv");
    let ci = rows_of(&cases, case)[0];
    let disp = Table::read("drugs_dispensings.csv");
    let r = rows_of(&disp, case);
    let id = pick(&disp.num("id"), &r);
    let mut levels: Vec<f64> = id.clone();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let codes: Vec<u32> = id.iter().map(|v| levels.iter().position(|l| l == v).unwrap() as u32).collect();
    let ws = pick(&disp.num("window_start"), &r);
    let mut a = Args::new()
        .with("id", Arg::Codes { codes: Cow::Owned(codes), levels: levels.iter().map(|l| l.to_string()).collect() })
        .with("date", nums(pick(&disp.num("date"), &r)))
        .with("amount", nums(pick(&disp.num("amount"), &r)))
        .with("daily_dose", nums(pick(&disp.num("daily_dose"), &r)))
        .with("grace", Arg::Num(cases.num("grace")[ci]))
        .with("grace_fraction", Arg::Num(cases.num("grace_fraction")[ci]))
        .with("end_grace", Arg::Bool(cases.num("end_grace")[ci] == 1.0))
        .with("stockpile", Arg::Bool(stockpile))
        .with("window", Arg::Num(cases.num("window")[ci]));
    if !ws[0].is_nan() {
        a = a.with("window_start", nums(ws));
    }
    (a, cases.num("stockpile")[ci])
}

fn record(out: api::Output) -> Record {
    match out.value {
        Value::Record(r) => r,
        other => panic!("not a record: {other:?}"),
    }
}

const CASES: &[&str] = &[
    "overlap_stockpile", "overlap_no_stockpile", "same_day", "grace_boundary", "grace_zero",
    "single", "unsorted_ids", "proportional_end_grace", "proportional_no_stockpile",
    "window_start", "random_stockpile", "random_no_stockpile",
];

#[test]
fn episodes_equal_the_day_by_day_definition_exactly() {
    let eps = Table::read("drugs_episodes.csv");
    for case in CASES {
        let sp = case_args(case, true).1 == 1.0;
        let (args, _) = case_args(case, sp);
        let r = record(api::call("drug_exposure", &args).unwrap());
        let rows = rows_of(&eps, case);
        for c in ["id", "start", "end", "dispensings", "supplied"] {
            assert_eq!(col(&r, c), pick(&eps.num(c), &rows), "{case}: {c}");
        }
    }
}

#[test]
fn adherence_equals_the_day_by_day_definition() {
    let adh = Table::read("drugs_adherence.csv");
    for case in CASES {
        let sp = case_args(case, true).1 == 1.0;
        let rows = rows_of(&adh, case);
        for m in ["pdc", "mpr"] {
            let args = case_args(case, sp).0.with("measure", Arg::Str(m.into()));
            let r = record(api::call("adherence", &args).unwrap());
            for c in ["id", "window_start", "window_end", "dispensings"] {
                assert_eq!(col(&r, c), pick(&adh.num(c), &rows), "{case}: {c}");
            }
            for c in ["supplied", "covered", m] {
                assert_close_tol(&format!("{case}: {c}"), &col(&r, c), &pick(&adh.num(c), &rows), ADHERENCE_TOL);
            }
        }
    }
}

#[test]
fn pdc_is_at_most_one_and_mpr_is_uncapped() {
    // single: 28 days in a 10-day window
    let (args, _) = case_args("single", true);
    let r = record(api::call("adherence", &args).unwrap());
    assert_eq!(col(&r, "pdc"), vec![1.0]);
    let r = record(api::call("adherence", &args.with("measure", Arg::Str("mpr".into()))).unwrap());
    assert_eq!(col(&r, "mpr"), vec![2.8]);
}

fn err(method: &str, args: &Args) -> String {
    api::call(method, args).err().expect("an error").message(0)
}

#[test]
fn bad_input_names_the_argument_and_row() {
    let base = |date: Vec<f64>, amount: Vec<f64>| {
        Args::new()
            .with("id", Arg::Codes { codes: Cow::Owned(vec![0, 0, 1]), levels: vec!["a".into(), "b".into()] })
            .with("date", nums(date))
            .with("amount", nums(amount))
    };
    let ok_d = vec![0.0, 10.0, 5.0];
    let ok_a = vec![30.0, 30.0, 30.0];
    assert_eq!(err("drug_exposure", &base(vec![0.0, f64::NAN, 5.0], ok_a.clone())),
               "argument `date`: missing value (NaN) at row 1");
    assert_eq!(err("drug_exposure", &base(ok_d.clone(), vec![30.0, 30.0, -1.0])),
               "argument `amount`: negative value (value -1) at row 2");
    assert_eq!(err("adherence", &base(ok_d.clone(), vec![30.0, f64::NAN, 1.0])),
               "argument `amount`: missing value (NaN) at row 1");
    assert_eq!(err("drug_exposure", &base(ok_d.clone(), vec![30.0, 0.0, 1.0])),
               "argument `amount`: zero amount (a dispensing must supply days) (value 0) at row 1");
    assert_eq!(err("drug_exposure", &base(ok_d.clone(), ok_a.clone()).with("daily_dose", nums(vec![1.0, 2.0, 0.0]))),
               "argument `daily_dose`: daily dose is zero (value 0) at row 2");
    assert_eq!(err("drug_exposure", &base(ok_d.clone(), ok_a.clone()).with("daily_dose", nums(vec![1.0, -2.0, 1.0]))),
               "argument `daily_dose`: negative daily dose (value -2) at row 1");
    assert!(err("drug_exposure", &base(ok_d.clone(), ok_a.clone()).with("daily_dose", Arg::Num(0.0)))
        .starts_with("argument `daily_dose`: must be a finite positive number"));
    assert!(err("drug_exposure", &base(ok_d.clone(), ok_a.clone()).with("grace", Arg::Num(-1.0)))
        .starts_with("argument `grace`:"));
    assert!(err("drug_exposure", &base(ok_d.clone(), ok_a.clone()).with("grace_fraction", Arg::Num(f64::NAN)))
        .starts_with("argument `grace_fraction`:"));
    assert!(err("adherence", &base(ok_d.clone(), ok_a.clone()).with("window", Arg::Num(0.0)))
        .starts_with("argument `window`:"));
    assert!(err("adherence", &base(ok_d.clone(), ok_a.clone()).with("measure", Arg::Str("cma9".into())))
        .starts_with("argument `measure`:"));
    assert_eq!(err("adherence", &base(ok_d.clone(), ok_a.clone()).with("window_start", nums(vec![0.0, 1.0, 0.0]))),
               "argument `window_start`: window start differs between rows of the same id (value 1) at row 1");
    assert_eq!(err("drug_exposure", &base(ok_d.clone(), vec![30.0, 30.0])),
               "argument `amount` has length 2 but `date` has length 3");
}

// ---- per (id, drug) --------------------------------------------------------------------

const GROUPED: &[&str] = &["two_drugs", "random_atc", "random_atc_no_stockpile"];

/// A grouped case's arguments: ids in numeric order, drugs (ATC codes) in sorted order.
fn grouped_args(case: &str) -> (Args<'static>, Vec<String>) {
    let cases = Table::read("drugs_grouped_cases.csv");
    let ci = rows_of(&cases, case)[0];
    let disp = Table::read("drugs_grouped_dispensings.csv");
    let r = rows_of(&disp, case);
    let id = pick(&disp.num("id"), &r);
    let mut levels = id.clone();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    let codes: Vec<u32> = id.iter().map(|v| levels.iter().position(|l| l == v).unwrap() as u32).collect();
    let drug: Vec<String> = r.iter().map(|&i| disp.str("drug")[i].clone()).collect();
    let mut dl = drug.clone();
    dl.sort();
    dl.dedup();
    let dcodes: Vec<u32> = drug.iter().map(|d| dl.iter().position(|l| l == d).unwrap() as u32).collect();
    let a = Args::new()
        .with("id", Arg::Codes { codes: Cow::Owned(codes), levels: levels.iter().map(|l| l.to_string()).collect() })
        .with("drug", Arg::Codes { codes: Cow::Owned(dcodes), levels: dl.clone() })
        .with("date", nums(pick(&disp.num("date"), &r)))
        .with("amount", nums(pick(&disp.num("amount"), &r)))
        .with("daily_dose", nums(pick(&disp.num("daily_dose"), &r)))
        .with("grace", Arg::Num(cases.num("grace")[ci]))
        .with("grace_fraction", Arg::Num(cases.num("grace_fraction")[ci]))
        .with("end_grace", Arg::Bool(cases.num("end_grace")[ci] == 1.0))
        .with("stockpile", Arg::Bool(cases.num("stockpile")[ci] == 1.0))
        .with("window", Arg::Num(cases.num("window")[ci]));
    (a, dl)
}

fn drug_col(r: &Record) -> Vec<String> {
    match r.get("table") {
        Some(Value::Table(t)) => match t.get("drug") {
            Some(Value::Factor { codes, levels }) => codes.iter().map(|&k| levels[k as usize].clone()).collect(),
            other => panic!("drug: {other:?}"),
        },
        other => panic!("not a table: {other:?}"),
    }
}

#[test]
fn episodes_per_id_and_drug_equal_the_day_by_day_definition() {
    let eps = Table::read("drugs_grouped_episodes.csv");
    for case in GROUPED {
        let (args, _) = grouped_args(case);
        let r = record(api::call("drug_exposure", &args).unwrap());
        let rows = rows_of(&eps, case);
        let want: Vec<String> = rows.iter().map(|&i| eps.str("drug")[i].clone()).collect();
        assert_eq!(drug_col(&r), want, "{case}: drug");
        for c in ["id", "start", "end", "dispensings", "supplied"] {
            assert_eq!(col(&r, c), pick(&eps.num(c), &rows), "{case}: {c}");
        }
    }
    // without `drug` the two drugs of person 1 pool into one supply (one episode)
    let (args, _) = grouped_args("two_drugs");
    let pooled = Args { items: args.items.into_iter().filter(|(k, _)| k != "drug").collect() };
    let r = record(api::call("drug_exposure", &pooled).unwrap());
    assert_eq!(col(&r, "id"), vec![1.0, 2.0]);
}

#[test]
fn adherence_per_id_and_drug_equals_the_day_by_day_definition() {
    let adh = Table::read("drugs_grouped_adherence.csv");
    for case in GROUPED {
        let rows = rows_of(&adh, case);
        for m in ["pdc", "mpr"] {
            let args = grouped_args(case).0.with("measure", Arg::Str(m.into()));
            let r = record(api::call("adherence", &args).unwrap());
            let want: Vec<String> = rows.iter().map(|&i| adh.str("drug")[i].clone()).collect();
            assert_eq!(drug_col(&r), want, "{case}: drug");
            for c in ["id", "window_start", "window_end", "dispensings"] {
                assert_eq!(col(&r, c), pick(&adh.num(c), &rows), "{case}: {c}");
            }
            for c in ["supplied", "covered", m] {
                assert_close_tol(&format!("{case}: {c}"), &col(&r, c), &pick(&adh.num(c), &rows), ADHERENCE_TOL);
            }
        }
    }
}

#[test]
fn bad_drug_names_the_argument() {
    let (args, _) = grouped_args("two_drugs");
    let short = Args {
        items: args
            .items
            .iter()
            .map(|(k, v)| {
                if k == "drug" {
                    (k.clone(), Arg::Codes { codes: Cow::Owned(vec![0, 1, 0, 1]), levels: vec!["C09AA".into(), "C10AA".into()] })
                } else {
                    (k.clone(), v.clone())
                }
            })
            .collect(),
    };
    assert_eq!(err("drug_exposure", &short), "argument `drug` has length 4 but `date` has length 5");
}
