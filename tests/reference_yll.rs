//! Standard expected years of life lost (years_of_life_lost, GBD's SEYLL) against the
//! computation by hand in plain R (tests/reference/generate_yll.R: the standard's
//! remaining life expectancy at each age of death by linear interpolation, Murray's
//! closed form for discounting and age weights, itself checked against numerical
//! integration); the standard from our own life_table; errors naming the argument.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, column};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args};

const TOL: f64 = 1e-10;

/// The fixture's deaths by sex (male = code 0, female = 1) and a standard (the
/// fixture's when None).
fn base_args(standard: Option<(Vec<f64>, Vec<f64>)>) -> Args<'static> {
    let input = Table::read("yll_input.csv");
    let std = Table::read("yll_standard.csv");
    let (sa, se) = standard.unwrap_or_else(|| (std.num("age"), std.num("ex")));
    let codes: Vec<u32> = input.str("sex").iter().map(|s| u32::from(s != "male")).collect();
    Args::new()
        .with("deaths", nums(input.num("deaths")))
        .with("age", nums(input.num("age")))
        .with("standard_age", nums(sa))
        .with("standard_ex", nums(se))
        .with(
            "by",
            Arg::Record(Args::new().with(
                "sex",
                Arg::Codes {
                    codes: Cow::Owned(codes),
                    levels: vec!["male".into(), "female".into()],
                },
            )),
        )
}

#[test]
fn seyll_matches_by_hand() {
    let cases = Table::read("yll_cases.csv");
    let exp = Table::read("yll_expected.csv");
    let tot = Table::read("yll_total.csv");
    assert_eq!(cases.nrow, 4);
    for i in 0..cases.nrow {
        let name = &cases.str("case")[i];
        let args = base_args(None)
            .with("discount", Arg::Num(cases.num("discount")[i]))
            .with("age_weighting", Arg::Bool(cases.str("age_weighting")[i] == "TRUE"));
        let v = api::call("years_of_life_lost", &args).unwrap_or_else(|e| panic!("{name}: {e}")).value;
        let rows: Vec<usize> = (0..exp.nrow).filter(|&r| &exp.str("case")[r] == name).collect();
        for col in ["age", "deaths", "standard_ex", "years_lost_per_death", "years_lost"] {
            let theirs: Vec<f64> = rows.iter().map(|&r| exp.num(col)[r]).collect();
            assert_close_tol(&format!("{name} {col}"), &column(&v, &["table", col]), &theirs, TOL);
        }
        let sex = column(&v, &["total", "sex"]);
        assert_eq!(sex, vec![0.0, 1.0]);
        let rows: Vec<usize> = (0..tot.nrow).filter(|&r| &tot.str("case")[r] == name).collect();
        assert_eq!(rows.iter().map(|&r| tot.str("sex")[r].as_str()).collect::<Vec<_>>(), ["male", "female"]);
        for col in ["deaths", "years_lost"] {
            let theirs: Vec<f64> = rows.iter().map(|&r| tot.num(col)[r]).collect();
            assert_close_tol(&format!("{name} total {col}"), &column(&v, &["total", col]), &theirs, TOL);
        }
    }
}

#[test]
fn seyll_with_the_standard_from_our_life_table() {
    // the standard is the US 2000 female complete table; build it with life_table
    let input = Table::read("lifetable_input.csv");
    let rows: Vec<usize> = (0..input.nrow).filter(|&r| input.str("case")[r] == "us_female").collect();
    let pick = |c: &str| rows.iter().map(|&r| input.num(c)[r]).collect::<Vec<f64>>();
    let lt = api::call(
        "life_table",
        &Args::new()
            .with("deaths", nums(pick("deaths")))
            .with("population", nums(pick("population")))
            .with("age", nums(pick("age")))
            .with("sex", Arg::Str("female".into())),
    )
    .unwrap()
    .value;
    let (age, ex) = (column(&lt, &["table", "age"]), column(&lt, &["table", "ex"]));
    assert_eq!(age.len(), 110);
    let args = base_args(Some((age, ex)));
    let v = api::call("years_of_life_lost", &args).unwrap().value;
    let exp = Table::read("yll_expected.csv");
    let rows: Vec<usize> = (0..exp.nrow).filter(|&r| exp.str("case")[r] == "plain").collect();
    let theirs: Vec<f64> = rows.iter().map(|&r| exp.num("years_lost")[r]).collect();
    assert_close_tol("years_lost, standard from life_table", &column(&v, &["table", "years_lost"]), &theirs, TOL);
    // a death at an age of the standard loses exactly its e(x); at age 0, e0
    let one = Args::new()
        .with("deaths", nums(vec![2.0]))
        .with("age", nums(vec![0.0]))
        .with("standard_age", nums(vec![0.0, 1.0]))
        .with("standard_ex", nums(vec![80.0, 79.5]));
    let v = api::call("years_of_life_lost", &one).unwrap().value;
    assert_eq!(column(&v, &["table", "years_lost"]), vec![160.0]);
}

#[test]
fn seyll_errors_name_the_argument() {
    let err = |a: Args| api::call("years_of_life_lost", &a).err().expect("an error").to_string();
    // (Args::with appends and the first of a name counts: build each case whole)
    let args = |deaths: Vec<f64>, age: Vec<f64>, sa: Vec<f64>, se: Vec<f64>, discount: f64| {
        Args::new()
            .with("deaths", nums(deaths))
            .with("age", nums(age))
            .with("standard_age", nums(sa))
            .with("standard_ex", nums(se))
            .with("discount", Arg::Num(discount))
    };
    let (sa, se) = (vec![0.0, 20.0, 40.0, 60.0], vec![80.0, 60.0, 40.0, 22.0]);
    let small = || args(vec![1.0, 2.0], vec![10.0, 50.0], sa.clone(), se.clone(), 0.0);
    assert!(api::call("years_of_life_lost", &small()).is_ok());
    let e = err(args(vec![1.0, 2.0], vec![10.0, 70.0], sa.clone(), se.clone(), 0.0));
    assert!(e.contains("argument `age`") && e.contains("outside the standard life table's ages") && e.contains("row 1"), "{e}");
    let e = err(args(vec![1.0, 2.0], vec![10.0, 50.0], vec![0.0, 20.0, 20.0, 60.0], se.clone(), 0.0));
    assert!(e.contains("argument `standard_age`") && e.contains("not increasing"), "{e}");
    let e = err(args(vec![1.0, 2.0], vec![10.0, 50.0], sa.clone(), se.clone(), -0.01));
    assert!(e.contains("argument `discount`"), "{e}");
    let e = err(args(vec![1.0, -2.0], vec![10.0, 50.0], sa.clone(), se.clone(), 0.0));
    assert!(e.contains("argument `deaths`"), "{e}");
    let e = err(args(vec![1.0, 2.0], vec![10.0, 50.0], sa.clone(), vec![80.0, 60.0], 0.0));
    assert!(e.contains("argument `standard_ex`"), "{e}");
    let e = err(args(vec![1.0, 2.0], vec![10.0], sa.clone(), se.clone(), 0.0));
    assert!(e.contains("argument `age`"), "{e}");
}
