//! Life tables (Chiang, Coale–Demeny a(0), Chiang II standard errors), temporary life
//! expectancy and the Arriaga decomposition against the closed forms computed by hand in
//! plain R (tests/reference/generate_lifetable.R; public data: survival::survexp.us
//! year 2000, whose e0 the generator checks against the published US decennial table).
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, column};
use hrrstats::api::{self, Fitted};
use hrrstats::protocol::{Arg, Args, Value};

/// The tolerance: the same closed forms in the same order of operations.
const TOL: f64 = 1e-10;

struct Case {
    name: String,
    groups: Vec<String>,
    args: Args<'static>,
}

fn cases() -> Vec<Case> {
    let c = Table::read("lifetable_cases.csv");
    let input = Table::read("lifetable_input.csv");
    let mut out = Vec::new();
    for i in 0..c.nrow {
        let name = c.str("case")[i].clone();
        let rows: Vec<usize> = (0..input.nrow).filter(|&r| input.str("case")[r] == name).collect();
        let pick = |col: &str| rows.iter().map(|&r| input.num(col)[r]).collect::<Vec<f64>>();
        let gcol: Vec<String> = rows.iter().map(|&r| input.str("group")[r].clone()).collect();
        let mut groups: Vec<String> = Vec::new();
        for g in &gcol {
            if !groups.contains(g) {
                groups.push(g.clone());
            }
        }
        let mut args = Args::new()
            .with("deaths", nums(pick("deaths")))
            .with("population", nums(pick("population")))
            .with("age", nums(pick("age")))
            .with("sex", Arg::Str(c.str("sex")[i].clone()))
            .with("conf_level", Arg::Num(c.num("conf_level")[i]))
            .with("radix", Arg::Num(c.num("radix")[i]));
        let a0 = &c.str("a0")[i];
        args = args.with(
            "a0",
            match a0.parse::<f64>() {
                Ok(v) => Arg::Num(v),
                Err(_) => Arg::Str(a0.clone()),
            },
        );
        if c.str("use_ax")[i] == "TRUE" {
            args = args.with("ax", nums(pick("ax")));
        }
        if groups.len() > 1 {
            let codes: Vec<u32> = gcol.iter().map(|g| groups.iter().position(|x| x == g).unwrap() as u32).collect();
            let by = Args::new().with(
                "region",
                Arg::Codes {
                    codes: Cow::Owned(codes),
                    levels: groups.clone(),
                },
            );
            args = args.with("by", Arg::Record(by));
        }
        out.push(Case { name, groups, args });
    }
    out
}

fn fit(case: &Case) -> (Value, Box<dyn Fitted>) {
    let o = api::call("life_table", &case.args).unwrap_or_else(|e| panic!("{}: {e}", case.name));
    (o.value, o.fit.expect("a fit"))
}

#[test]
fn life_tables_match_chiang_by_hand() {
    let exp = Table::read("lifetable_expected.csv");
    let cs = cases();
    assert_eq!(cs.len(), 6);
    let mut compared = 0;
    for case in &cs {
        let (v, _) = fit(case);
        let group_of: Vec<f64> = if case.groups.len() > 1 {
            column(&v, &["table", "region"])
        } else {
            vec![0.0; column(&v, &["table", "age"]).len()]
        };
        for (g, label) in case.groups.iter().enumerate() {
            let rows: Vec<usize> = (0..exp.nrow)
                .filter(|&r| exp.str("case")[r] == case.name && &exp.str("group")[r] == label)
                .collect();
            let ours_rows: Vec<usize> = (0..group_of.len()).filter(|&j| group_of[j] == g as f64).collect();
            assert_eq!(rows.len(), ours_rows.len(), "{} {label}: rows", case.name);
            for col in ["age", "mx", "ax", "qx", "lx", "dx", "Lx", "Tx", "ex", "std_err", "lower", "upper"] {
                let ours: Vec<f64> = ours_rows.iter().map(|&j| column(&v, &["table", col])[j]).collect();
                let theirs: Vec<f64> = rows.iter().map(|&r| exp.num(col)[r]).collect();
                assert_close_tol(&format!("{} {label} {col}", case.name), &ours, &theirs, TOL);
                compared += ours.len();
            }
        }
    }
    assert!(compared > 3000);
}

#[test]
fn us_2000_life_expectancy_is_the_published_one() {
    // NCHS, US decennial life table 1999-2001: e0 74.1 (males), 79.5 (females).
    for (case, e0) in [("us_male", 74.1), ("us_female", 79.5)] {
        let c = cases().into_iter().find(|c| c.name == case).unwrap();
        let (v, _) = fit(&c);
        let ours = column(&v, &["table", "ex"])[0];
        assert!((ours - e0).abs() < 0.3, "{case}: e0 {ours}, published {e0}");
    }
    // The abridged tables (Coale-Demeny a0 and 4a1) of the same rates agree to 0.2 years.
    let c = cases().into_iter().find(|c| c.name == "us_abridged").unwrap();
    let (v, _) = fit(&c);
    let (ex, g, age) = (column(&v, &["table", "ex"]), column(&v, &["table", "region"]), column(&v, &["table", "age"]));
    for (code, e0) in [(0.0, 74.1), (1.0, 79.5)] {
        let j = (0..ex.len()).find(|&j| g[j] == code && age[j] == 0.0).unwrap();
        assert!((ex[j] - e0).abs() < 0.3, "abridged e0 {} published {e0}", ex[j]);
    }
}

#[test]
fn temporary_life_expectancy_matches_by_hand() {
    let exp = Table::read("lifetable_temporary.csv");
    let cs = cases();
    let mut n = 0;
    for r in 0..exp.nrow {
        let case = cs.iter().find(|c| c.name == exp.str("case")[r]).unwrap();
        let (_, f) = fit(case);
        let g = case.groups.iter().position(|x| *x == exp.str("group")[r]).unwrap();
        let args = Args::new()
            .with("from", Arg::Num(exp.num("from")[r]))
            .with("to", Arg::Num(exp.num("to")[r]));
        let v = f.call("temporary", &args).unwrap();
        let what = format!("temporary row {r}");
        assert_close_tol(&what, &[column(&v, &["temporary_ex"])[g]], &[exp.num("temporary_ex")[r]], TOL);
        assert_close_tol(&what, &[column(&v, &["years_lost"])[g]], &[exp.num("years_lost")[r]], TOL);
        n += 1;
    }
    assert_eq!(n, 12);
}

#[test]
fn arriaga_matches_by_hand_and_sums_to_the_difference() {
    let exp = Table::read("lifetable_arriaga.csv");
    let cs = cases();
    for name in ["us_abridged", "sim"] {
        let rows: Vec<usize> = (0..exp.nrow).filter(|&r| exp.str("case")[r] == name).collect();
        let case = cs.iter().find(|c| c.name == name).unwrap();
        let (_, f) = fit(case);
        let args = Args::new()
            .with("group1", Arg::Str(exp.str("group1")[rows[0]].clone()))
            .with("group2", Arg::Str(format!("region={}", exp.str("group2")[rows[0]])));
        let v = f.call("arriaga", &args).unwrap();
        for col in ["age", "direct", "indirect", "total"] {
            let theirs: Vec<f64> = rows.iter().map(|&r| exp.num(col)[r]).collect();
            assert_close_tol(&format!("{name} arriaga {col}"), &column(&v, &["table", col]), &theirs, TOL);
        }
        let total: f64 = column(&v, &["table", "total"]).iter().sum();
        let diff = column(&v, &["difference"])[0];
        assert!((total - diff).abs() < 1e-9 * diff.abs().max(1.0), "{name}: {total} vs {diff}");
    }
}

#[test]
fn bad_inputs_name_the_argument_and_row() {
    let base = || {
        Args::new()
            .with("deaths", nums(vec![5.0, 1.0, 30.0]))
            .with("population", nums(vec![1000.0, 4000.0, 500.0]))
            .with("age", nums(vec![0.0, 1.0, 5.0]))
    };
    let err = |a: Args| api::call("life_table", &a).err().expect("an error").to_string();
    let set = |name: &str, v: Vec<f64>| {
        let mut a = base();
        a.items.retain(|(k, _)| k != name);
        a.with(name, nums(v))
    };
    assert_eq!(err(set("deaths", vec![5.0, -1.0, 30.0])), "argument `deaths`: negative value (value -1) at row 1");
    assert_eq!(err(set("population", vec![1000.0, f64::NAN, 500.0])), "argument `population`: missing value (NaN) at row 1");
    assert_eq!(err(set("population", vec![1000.0, 0.0, 500.0])), "argument `population`: no population but deaths > 0 (value 0) at row 1");
    assert_eq!(err(set("age", vec![0.0, 5.0, 1.0])), "argument `age`: ages not increasing within a group (sort the rows by age) (value 1) at row 2");
    assert_eq!(err(set("age", vec![0.0, 1.0, 1.0])), "argument `age`: duplicated age within a group (value 1) at row 2");
    assert!(err(set("deaths", vec![5.0, 1.0, 0.0])).starts_with("argument `deaths`: no deaths in the open last age group"));
    assert!(err(set("ax", vec![0.1, 9.0, 1.0])).starts_with("argument `ax`: longer than the age interval (value 9) at row 1"));
}
