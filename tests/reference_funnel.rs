//! Funnel plots (Spiegelhalter 2005): exact interpolated binomial/Poisson limits,
//! multiplicative (Winsorised phi) and additive (DerSimonian–Laird tau^2) overdispersion,
//! z-scores, flags and empirical-Bayes estimates against the closed forms computed by hand
//! in plain R (tests/reference/generate_funnel.R; simulated hospitals,
//! datasets::UCBAdmissions, MASS::Insurance).
mod common;

use common::{assert_close_tol, Table, nums, at as get, column};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

const TOL: f64 = 1e-10;

fn label(level: f64) -> String {
    format!("{}", (level * 100.0 * 1e6).round() / 1e6)
}

#[test]
fn funnels_match_spiegelhalter_by_hand() {
    let data = Table::read("funnel_data.csv");
    let cases = Table::read("funnel_cases.csv");
    let exp = Table::read("funnel_expected.csv");
    let summary = Table::read("funnel_summary.csv");
    assert_eq!(cases.nrow, 11);
    let mut flagged = 0;
    for i in 0..cases.nrow {
        let name = &cases.str("case")[i];
        let rows: Vec<usize> = (0..data.nrow).filter(|&r| data.str("data")[r] == cases.str("data")[i]).collect();
        let pick = |c: &str| rows.iter().map(|&r| data.num(c)[r]).collect::<Vec<f64>>();
        let levels: Vec<f64> = cases.str("limits")[i].split(';').map(|s| s.parse().unwrap()).collect();
        let mut args = Args::new()
            .with("observed", nums(pick("observed")))
            .with("denominator", nums(pick("denominator")))
            .with("kind", Arg::Str(cases.str("kind")[i].clone()))
            .with("overdispersion", Arg::Str(cases.str("overdispersion")[i].clone()))
            .with("limits", nums(levels.clone()))
            .with("winsorize", Arg::Num(cases.num("winsorize")[i]))
            .with("conf_level", Arg::Num(cases.num("conf_level")[i]));
        let target = cases.num("target")[i];
        if !target.is_nan() {
            args = args.with("target", Arg::Num(target));
        }
        let v = api::call("funnel", &args).unwrap_or_else(|e| panic!("{name}: {e}")).value;
        for field in ["target", "phi", "tau2"] {
            assert_close_tol(&format!("{name} {field}"), &column(&v, &[field]), &[summary.num(field)[i]], TOL);
        }
        let adjusted = matches!(get(&v, &["adjusted"]), Value::Bool(true));
        assert_eq!(adjusted, summary.str("adjusted")[i] == "TRUE", "{name} adjusted");
        for &level in &levels {
            let er: Vec<usize> = (0..exp.nrow)
                .filter(|&r| &exp.str("case")[r] == name && exp.num("level")[r] == level)
                .collect();
            assert_eq!(er.len(), rows.len());
            let theirs = |c: &str| er.iter().map(|&r| exp.num(c)[r]).collect::<Vec<f64>>();
            let what = format!("{name} {level}");
            for c in ["indicator", "z", "z_unadjusted"] {
                assert_close_tol(&format!("{what} {c}"), &column(&v, &["table", c]), &theirs(c), TOL);
            }
            let lab = label(level);
            assert_close_tol(&format!("{what} lower"), &column(&v, &["table", &format!("lower_{lab}")]), &theirs("lower"), TOL);
            assert_close_tol(&format!("{what} upper"), &column(&v, &["table", &format!("upper_{lab}")]), &theirs("upper"), TOL);
            let flags = match get(&v, &["table", "flag"]) {
                Value::Strs(s) => s.clone(),
                other => panic!("{other:?}"),
            };
            let theirs_flags: Vec<String> = er.iter().map(|&r| exp.str("flag")[r].clone()).collect();
            assert_eq!(flags, theirs_flags, "{what} flags");
            flagged += flags.iter().filter(|f| !f.is_empty()).count();
            if cases.str("overdispersion")[i] == "additive" {
                for (ours, c) in [("shrunk", "shrunk"), ("shrunk_lower", "shrunk_lower"), ("shrunk_upper", "shrunk_upper")] {
                    assert_close_tol(&format!("{what} {c}"), &column(&v, &["table", ours]), &theirs(c), TOL);
                }
            }
        }
        // The drawn funnel agrees with the limits at the units' own denominators where
        // the grid is exact: its first level's upper limit never falls below the target.
        let t = column(&v, &["target"])[0];
        let curve = column(&v, &["curve", &format!("upper_{}", label(levels[0]))]);
        assert!(curve.iter().all(|&u| u >= t * 0.999 && u.is_finite()), "{name} curve");
    }
    assert!(flagged > 50);
}

#[test]
fn bad_inputs_name_the_argument_and_row() {
    let call = |o: Vec<f64>, d: Vec<f64>, kind: &str| {
        let a = Args::new()
            .with("observed", nums(o))
            .with("denominator", nums(d))
            .with("kind", Arg::Str(kind.into()));
        api::call("funnel", &a).err().expect("an error").to_string()
    };
    assert_eq!(call(vec![1.0, -2.0], vec![10.0, 10.0], "proportion"), "argument `observed`: negative value (value -2) at row 1");
    assert_eq!(call(vec![1.0, f64::NAN], vec![10.0, 10.0], "ratio"), "argument `observed`: missing value (NaN) at row 1");
    assert_eq!(call(vec![1.0, 12.0], vec![10.0, 10.0], "proportion"), "argument `observed`: more observed than the denominator (a proportion above 1) (value 12) at row 1");
    assert_eq!(call(vec![1.0, 2.0], vec![10.0, 0.0], "rate"), "argument `denominator`: zero denominator (value 0) at row 1");
    assert!(call(vec![1.0, 2.0], vec![10.0, 2.5], "proportion").starts_with("argument `denominator`: must be a whole number"));
    assert!(call(vec![1.0, 2.0], vec![10.0, 20.0], "odds").starts_with("argument `kind`: unknown value \"odds\""));
    assert!(call(vec![0.0, 0.0], vec![10.0, 20.0], "proportion").starts_with("argument `target`"));
}
