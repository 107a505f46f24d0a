//! Input checks and error messages (issue "No silent wrong answers", input-check
//! classes), through the entry point the bindings use (`api::call`): a bad input is an
//! error naming the argument as the user wrote it (and the row), worded once in the
//! core so that Rust, Python and R say the same; a row dropped for a reason is announced
//! in the result's `warnings`.
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Matrix, Value};

mod common;
use common::{nums_of as nums, warnings};

fn strs(v: &[&str]) -> Arg<'static> {
    Arg::Strs(v.iter().map(|s| s.to_string()).collect())
}

fn field<'v>(v: &'v Value, name: &str) -> &'v Value {
    match v {
        Value::Record(r) => r.get(name).expect(name),
        _ => panic!("not a record"),
    }
}

/// The error of `method` on `args`: (argument, row, message).
fn error(method: &str, args: &Args) -> (String, Option<usize>, String) {
    let e = api::call(method, args).err().unwrap_or_else(|| panic!("{method}: no error"));
    (e.arg().to_string(), e.row(), e.to_string())
}

// ---- cause-specific models ------------------------------------------------------------

#[test]
fn a_missing_cause_is_never_censored() {
    let cause = [1.0, 2.0, f64::NAN, 1.0, 0.0];
    let a = Args::new().with("cause", nums(&cause));
    let (arg, row, msg) = error("cause_specific_events", &a);
    assert_eq!((arg.as_str(), row), ("cause", Some(2)));
    assert_eq!(msg, "argument `cause`: missing value (NaN) at row 2");
    // with na_action = "drop" the host drops (and counts) the row: it stays missing
    let a = a.with("allow_missing", Arg::Bool(true));
    let out = api::call("cause_specific_events", &a).unwrap().value;
    assert_eq!(field(&out, "causes"), &Value::Nums(vec![1.0, 2.0]));
    let Value::Matrix(Matrix { nrow, ncol, data, .. }) = field(&out, "events") else {
        panic!("events is a matrix")
    };
    assert_eq!((*nrow, *ncol), (5, 2));
    assert!(data[2].is_nan() && data[5 + 2].is_nan(), "{data:?}");
    assert_eq!(&data[..2], &[1.0, 0.0]);
    assert_eq!(&data[5..7], &[0.0, 1.0]);
}

#[test]
fn the_censoring_code_is_not_a_cause() {
    let a = Args::new()
        .with("cause", nums(&[1.0, 2.0, 0.0, 1.0]))
        .with("causes", nums(&[0.0, 1.0]));
    let (arg, _, msg) = error("cause_specific_events", &a);
    assert_eq!(arg, "causes");
    assert_eq!(msg, "argument `causes`: 0 is the censoring code (censor_code = 0), not a cause");
    let a = Args::new()
        .with("cause", nums(&[1.0, 2.0, 9.0]))
        .with("censor_code", Arg::Num(9.0))
        .with("causes", nums(&[3.0]));
    assert_eq!(
        error("cause_specific_events", &a).2,
        "argument `causes`: cause 3 does not occur in `cause`"
    );
}

// ---- relative survival ------------------------------------------------------------------

/// A rate table per year (ages 0-100, calendar years 1990 and 2000, two sexes), as the
/// record a binding keeps.
fn year_table() -> Arg<'static> {
    let (mut age, mut year, mut sex, mut rate) = (vec![], vec![], vec![], vec![]);
    for s in 0..2 {
        for y in [1990.0, 2000.0] {
            for a in 0..=100 {
                age.push(a as f64);
                year.push(y);
                sex.push(s as f64);
                rate.push(0.001 + 0.001 * a as f64);
            }
        }
    }
    Arg::Record(
        Args::new()
            .with("time_unit", Arg::Str("years".into()))
            .with("dims", strs(&["age", "year", "sex"]))
            .with("kinds", strs(&["age", "calendar", "factor"]))
            .with(
                "long",
                Arg::Record(
                    Args::new()
                        .with("age", nums(&age))
                        .with("year", nums(&year))
                        .with("sex", nums(&sex)),
                ),
            )
            .with("levels", Arg::Record(Args::new().with("sex", strs(&["m", "f"]))))
            .with("rate", nums(&rate)),
    )
}

fn survexp_us() -> Arg<'static> {
    Arg::Record(Args::new().with("name", Arg::Str("survexp.us".into())))
}

fn persons(table: Arg<'static>, age: &[f64], year: &[f64], sex: &[f64]) -> Args<'static> {
    Args::new()
        .with("ratetable", table)
        .with("age", nums(age))
        .with("year", nums(year))
        .with("sex", nums(sex))
}

#[test]
fn expected_survival_refuses_persons_net_survival_refuses() {
    // 1930 is before survexp.us's first calendar year (1940)
    let p = persons(survexp_us(), &[50.0, 50.0], &[1990.0, 1930.0], &[0.0, 0.0]);
    let expected = error("expected_survival", &p.clone().with("times", nums(&[365.0])));
    let net = error(
        "net_survival",
        &p.with("time", nums(&[100.0, 200.0])).with("status", nums(&[1.0, 0.0])),
    );
    assert_eq!((expected.0.as_str(), expected.1), ("year", Some(1)));
    assert_eq!(expected, net);
    assert!(expected.2.contains("the rate table does not cover this person"), "{}", expected.2);
}

#[test]
fn follow_up_in_days_against_a_table_per_year_is_an_error_about_units() {
    let (age, year, sex) = ([60.0, 70.0, 65.0], [1995.0, 1996.0, 1995.0], [0.0, 1.0, 0.0]);
    let days = [30.0, 365.0, 3650.0];
    let want = "argument `time`: the age at the end of follow-up (age + time) is over 150 \
                years: follow-up must be in the rate table's time unit (years), not days or \
                months (value 365) at row 1";
    let fu = |m: &str| {
        let a = persons(year_table(), &age, &year, &sex)
            .with("time", nums(&days))
            .with("status", nums(&[1.0, 0.0, 1.0]));
        error(m, &a).2
    };
    for m in ["net_survival", "interval_net_survival", "crude_probabilities"] {
        assert_eq!(fu(m), want, "{m}");
    }
    let a = persons(year_table(), &age, &year, &sex).with("times", nums(&days));
    assert_eq!(error("expected_survival", &a).2, want.replace("`time`", "`times`"));
    // in years the same follow-up is fine (and survival is a probability)
    let ok = persons(year_table(), &age, &year, &sex)
        .with("time", nums(&[0.1, 1.0, 10.0]))
        .with("status", nums(&[1.0, 0.0, 1.0]));
    let out = api::call("net_survival", &ok).unwrap().value;
    let Value::Table(t) = field(&out, "table") else { panic!() };
    let Some(Value::Nums(s)) = t.get("survival") else { panic!() };
    assert!(s.iter().all(|v| v.is_finite() && (0.0..=1.5).contains(v)), "{s:?}");
}

#[test]
fn relative_survival_length_errors_name_the_persons_argument() {
    let a = persons(survexp_us(), &[50.0, 60.0], &[1990.0], &[0.0, 1.0]).with("times", nums(&[1.0]));
    assert_eq!(
        error("expected_survival", &a).2,
        "argument `year` has length 1 but `age` has length 2"
    );
    let a = persons(survexp_us(), &[50.0, 60.0], &[1990.0, 1991.0], &[0.0])
        .with("time", nums(&[10.0, 20.0]))
        .with("status", nums(&[1.0, 0.0]));
    assert_eq!(error("net_survival", &a).2, "argument `sex` has length 1 but `time` has length 2");
    let a = persons(survexp_us(), &[50.0, f64::NAN], &[1990.0, 1991.0], &[0.0, 1.0])
        .with("times", nums(&[1.0]));
    assert_eq!(error("expected_survival", &a).2, "argument `age`: missing value (NaN) at row 1");
}

// ---- Lexis ----------------------------------------------------------------------------

fn lexis(entry: &[f64], exit: &[f64], status: &[f64]) -> Args<'static> {
    Args::new()
        .with("time_scales", Arg::Record(Args::new().with("t", nums(entry))))
        .with("exit", nums(exit))
        .with("status", nums(status))
        .with("breaks", Arg::Record(Args::new().with("t", nums(&[0.0, 2.0, 10.0]))))
}

#[test]
fn an_event_at_zero_length_follow_up_is_dropped_with_a_warning() {
    // row 0: zero-length follow-up ending in an event (dropped, as Epi::Lexis drops it)
    let a = lexis(&[1.0, 0.0, 3.0], &[1.0, 5.0, 3.0], &[1.0, 1.0, 0.0]);
    let want = "2 rows with zero-length follow-up (exit - entry < 1.5e-8) dropped, 1 of them \
                with an event (an exit status other than the entry status), as Epi::Lexis \
                drops them";
    for m in ["lexis_split", "person_time_table"] {
        let out = api::call(m, &a).unwrap().value;
        assert_eq!(warnings(&out), vec![want.to_string()], "{m}");
    }
    let out = api::call("person_time_table", &a).unwrap().value;
    let Value::Table(t) = field(&out, "table") else { panic!() };
    assert_eq!(t.get("events"), Some(&Value::Nums(vec![0.0, 1.0])));
    let cut = lexis(&[1.0, 0.0], &[1.0, 5.0], &[1.0, 0.0])
        .with("cut", nums(&[f64::NAN, 2.0]))
        .with("new_state", nums(&[2.0]));
    assert_eq!(
        warnings(&api::call("lexis_cut", &cut).unwrap().value),
        vec!["1 row with zero-length follow-up (exit = entry) dropped, 1 of them with an event \
              (an exit status other than the entry status), as Epi::Lexis drops them"
            .to_string()]
    );
    // no zero-length rows: no warning
    let out = api::call("lexis_split", &lexis(&[0.0], &[5.0], &[1.0])).unwrap().value;
    assert!(warnings(&out).is_empty());
}

#[test]
fn lexis_diagram_refuses_missing_and_reversed_exits() {
    let two = |entry: &[f64], exit: &[f64]| {
        Args::new()
            .with(
                "time_scales",
                Arg::Record(Args::new().with("t", nums(entry)).with("age", nums(&[50.0, 60.0]))),
            )
            .with("exit", nums(exit))
            .with("status", nums(&[1.0, 0.0]))
    };
    assert_eq!(
        error("lexis_segments", &two(&[0.0, 1.0], &[3.0, f64::NAN])).2,
        "argument `exit`: missing value (NaN) at row 1"
    );
    assert_eq!(
        error("lexis_segments", &two(&[0.0, 1.0], &[3.0, 0.5])).2,
        "argument `exit`: exit is before entry (value 0.5) at row 1"
    );
    let out = api::call("lexis_segments", &two(&[0.0, 1.0], &[3.0, 4.0])).unwrap().value;
    let Value::Table(t) = out else { panic!() };
    assert_eq!(t.get("y1"), Some(&Value::Nums(vec![53.0, 63.0])));
    assert_eq!(t.get("event"), Some(&Value::Nums(vec![1.0, 0.0])));
}

#[test]
fn a_missing_lexis_entry_is_reported_as_entry() {
    let a = lexis(&[0.0, f64::NAN], &[1.0, 5.0], &[1.0, 1.0]);
    let (arg, row, msg) = error("lexis_split", &a);
    assert_eq!((arg.as_str(), row), ("entry", Some(1)));
    assert_eq!(msg, "argument `entry`: missing value (NaN) at row 1");
}

// ---- rates and standardisation --------------------------------------------------------

/// 19 rows for the 18 groups of a named standard (rows 0 and 1 pooled into 0-4).
fn standardize(events: &[f64], person_time: &[f64]) -> Args<'static> {
    let mut age = vec![0.0, 1.0];
    age.extend((1..18).map(|k| 5.0 * k as f64));
    Args::new()
        .with("events", nums(events))
        .with("person_time", nums(person_time))
        .with("standard_weights", Arg::Str("esp2013".into()))
        .with("age", nums(&age))
}

#[test]
fn a_named_standard_checks_the_users_rows_before_pooling() {
    let ones = [1.0; 17];
    let e = |first: [f64; 2]| [&first[..], &ones[..]].concat();
    let t = |first: [f64; 2]| [&first[..], &[100.0; 17][..]].concat();
    assert_eq!(
        error("direct_standardize", &standardize(&e([1.0, -2.0]), &t([100.0, 100.0]))).2,
        "argument `events`: count is negative (value -2) at row 1"
    );
    assert_eq!(
        error("direct_standardize", &standardize(&e([1.0, f64::NAN]), &t([100.0, 100.0]))).2,
        "argument `events`: count is missing or not finite at row 1"
    );
    let (arg, row, _) = error("direct_standardize", &standardize(&e([1.0, 2.0]), &t([100.0, -50.0])));
    assert_eq!((arg.as_str(), row), ("person_time", Some(1)));
}

#[test]
fn rate_per_must_be_finite_and_positive() {
    for p in [f64::INFINITY, f64::NAN, -1.0, 0.0] {
        let a = Args::new()
            .with("events", nums(&[1.0]))
            .with("person_time", nums(&[10.0]))
            .with("per", Arg::Num(p));
        let (arg, _, msg) = error("rate", &a);
        assert_eq!(arg, "per");
        assert!(msg.starts_with("argument `per`: must be a finite positive number"), "{msg}");
    }
}

// ---- one wording ----------------------------------------------------------------------

#[test]
fn a_missing_time_is_worded_once() {
    let time = [1.0, f64::NAN, 3.0];
    let survival = Args::new().with("time", nums(&time)).with("status", nums(&[1.0, 1.0, 0.0]));
    let competing = Args::new().with("time", nums(&time)).with("cause", nums(&[1.0, 2.0, 0.0]));
    let net = persons(survexp_us(), &[50.0; 3], &[1990.0; 3], &[0.0; 3])
        .with("time", nums(&time))
        .with("status", nums(&[1.0, 1.0, 0.0]));
    let want = "argument `time`: missing value (NaN) at row 1";
    assert_eq!(error("kaplan_meier", &survival).2, want);
    assert_eq!(error("cumulative_incidence", &competing).2, want);
    assert_eq!(error("net_survival", &net).2, want);
    assert_eq!(error("interval_net_survival", &net).2, want);
    let times = persons(survexp_us(), &[50.0], &[1990.0], &[0.0]).with("times", nums(&[f64::NAN]));
    assert_eq!(error("expected_survival", &times).2, "argument `times`: missing value (NaN) at row 0");
}

#[test]
fn status_2_is_worded_once() {
    let km = Args::new().with("time", nums(&[1.0, 2.0])).with("status", nums(&[1.0, 2.0]));
    let net = persons(survexp_us(), &[50.0; 2], &[1990.0; 2], &[0.0; 2])
        .with("time", nums(&[1.0, 2.0]))
        .with("status", nums(&[1.0, 2.0]));
    let (k, n) = (error("kaplan_meier", &km).2, error("net_survival", &net).2);
    assert_eq!(k, n);
    assert!(k.contains("status must be 0 (censored) or 1 (event)"), "{k}");
}

/// A fit's coefficient table at another level (Python's `.summary(conf_level=)`, R's
/// `confint(level=)`) checks the level as the fit does (issue 21: it was not checked),
/// for Cox, Fine–Gray and GLM fits.
#[test]
fn a_coef_table_level_is_checked_as_the_fit_checks_it() {
    let n = 12;
    let time: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
    let cause: Vec<f64> = (0..n).map(|i| (i % 3) as f64).collect();
    let status: Vec<f64> = cause.iter().map(|&c| (c > 0.0) as u8 as f64).collect();
    let x: Vec<f64> = (0..n).map(|i| ((i * 5) % 7) as f64).collect();
    let cov = || Arg::Record(Args::new().with("x", nums(&x)));
    let fits = [
        ("cox_ph", Args::new().with("time", nums(&time)).with("status", nums(&status)).with("covariates", cov())),
        ("fine_gray", Args::new().with("time", nums(&time)).with("cause", nums(&cause)).with("covariates", cov())),
        ("poisson_glm", Args::new().with("y", nums(&cause)).with("covariates", cov())),
    ];
    for (method, args) in fits {
        let out = api::call(method, &args).unwrap_or_else(|e| panic!("{method}: {e}"));
        let fit = out.fit.expect("a fit handle");
        assert!(fit.call("coef_table", &Args::new().with("conf_level", Arg::Num(0.9))).is_ok(), "{method}");
        for bad in [2.0, f64::NAN, 0.0] {
            let e = fit.call("coef_table", &Args::new().with("conf_level", Arg::Num(bad))).err().expect("an error");
            assert!(e.to_string().starts_with("argument `conf_level`: must be strictly between 0 and 1"), "{method}: {e}");
        }
    }
}
