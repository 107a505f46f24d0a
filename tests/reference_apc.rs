//! Age–period–cohort models against Epi::apc.fit (Epi 2.47) on Epi's lungDK and a
//! simulated table (tests/reference/generate_apc.R): every parametrisation, natural-spline
//! and factor effects, both drift extractions, given knots and references, B-splines and
//! linear splines — effects with limits, drift and the analysis of deviance at 1e-8.
mod common;

use common::{assert_close, Table, nums, column};

/// Like assert_close, but collecting the first mismatch of each comparison.
fn check(bad: &mut Vec<String>, what: &str, ours: &[f64], theirs: &[f64]) {
    let r = std::panic::catch_unwind(|| assert_close(what, ours, theirs));
    if let Err(e) = r {
        let m = e.downcast_ref::<String>().cloned().unwrap_or_default();
        bad.push(m);
    }
}
use hrrstats::api;
use hrrstats::protocol::{Arg, Args};

/// The arguments of every case in apc_cases.csv, with its name.
fn cases() -> Vec<(String, Args<'static>)> {
    let c = Table::read("apc_cases.csv");
    let input = Table::read("apc_input.csv");
    let knots = Table::read("apc_knots.csv");
    let mut out = Vec::new();
    for i in 0..c.nrow {
        let case = c.str("case")[i].clone();
        let data = &c.str("data")[i];
        let rows: Vec<usize> = (0..input.nrow).filter(|&r| &input.str("data")[r] == data).collect();
        let pick = |col: &str| rows.iter().map(|&r| input.num(col)[r]).collect::<Vec<f64>>();
        let mut args = Args::new()
            .with("events", nums(pick("D")))
            .with("person_time", nums(pick("Y")))
            .with("age", nums(pick("A")))
            .with("period", nums(pick("P")))
            .with("model", Arg::Str(c.str("model")[i].clone()))
            .with("parm", Arg::Str(c.str("parm")[i].clone()))
            .with("scale", Arg::Num(c.num("scale")[i]))
            .with("alpha", Arg::Num(c.num("alpha")[i]));
        let dr = c.str("dr_extr")[i].clone();
        args = if dr == "number" {
            args.with("dr_extr", Arg::Num(c.num("dr_num")[i]))
        } else if dr == "vector" {
            let w: Vec<f64> = pick("Y").iter().zip(pick("D")).map(|(y, d)| y.sqrt() + d).collect();
            args.with("dr_extr", nums(w))
        } else {
            args.with("dr_extr", Arg::Str(dr))
        };
        if c.num("knots")[i] == 1.0 {
            for (e, name) in [("A", "knots_age"), ("P", "knots_period"), ("C", "knots_cohort")] {
                let k: Vec<f64> = (0..knots.nrow)
                    .filter(|&r| knots.str("case")[r] == case && knots.str("effect")[r] == e)
                    .map(|r| knots.num("knot")[r])
                    .collect();
                args = args.with(name, nums(k));
            }
        } else {
            let np = vec![c.num("npar_A")[i], c.num("npar_P")[i], c.num("npar_C")[i]];
            args = args.with("npar", nums(np));
        }
        for r in ["ref_c", "ref_p"] {
            let v = c.num(r)[i];
            if !v.is_nan() {
                args = args.with(r, Arg::Num(v));
            }
        }
        out.push((case, args));
    }
    out
}

fn rows_of(t: &Table, case: &str, extra: Option<(&str, &str)>) -> Vec<usize> {
    (0..t.nrow)
        .filter(|&r| t.str("case")[r] == case && extra.map_or(true, |(c, v)| t.str(c)[r] == v))
        .collect()
}

#[test]
fn apc_fit_matches_epi_apc_fit() {
    let eff = Table::read("apc_effects.csv");
    let drift = Table::read("apc_drift.csv");
    let aov = Table::read("apc_anova.csv");
    let cases = cases();
    assert_eq!(cases.len(), 48);
    let mut bad = Vec::new();
    std::panic::set_hook(Box::new(|_| {}));
    for (case, args) in &cases {
        let out = api::call("apc_fit", args).unwrap_or_else(|e| panic!("{case}: {e}"));
        let v = &out.value;
        for effect in ["age", "period", "cohort"] {
            let rows = rows_of(&eff, case, Some(("effect", effect)));
            for col in ["value", "estimate", "lower", "upper"] {
                let theirs: Vec<f64> = rows.iter().map(|&r| eff.num(col)[r]).collect();
                check(&mut bad, &format!("{case} {effect} {col}"), &column(v, &[effect, col]), &theirs);
            }
        }
        let rows = rows_of(&drift, case, None);
        for col in ["estimate", "lower", "upper"] {
            let theirs: Vec<f64> = rows.iter().map(|&r| drift.num(col)[r]).collect();
            check(&mut bad, &format!("{case} drift {col}"), &column(v, &["drift", col]), &theirs);
        }
        let rows = rows_of(&aov, case, None);
        for col in ["aic", "mod_df", "mod_dev", "test_df", "test_dev", "p", "dev_df"] {
            let theirs: Vec<f64> = rows.iter().map(|&r| aov.num(col)[r]).collect();
            check(&mut bad, &format!("{case} anova {col}"), &column(v, &["anova", col]), &theirs);
        }
    }
    let _ = std::panic::take_hook();
    assert!(bad.is_empty(), "{} mismatches:\n{}", bad.len(), bad.join("\n"));
}

#[test]
fn apc_fit_bad_input_names_the_argument() {
    let with_model = |d: Vec<f64>, y: Vec<f64>, model: &str| {
        Args::new()
            .with("events", nums(d))
            .with("person_time", nums(y))
            .with("age", nums(vec![40.0, 50.0, 60.0, 40.0, 50.0, 60.0]))
            .with("period", nums(vec![1990.0, 1990.0, 1990.0, 2000.0, 2000.0, 2000.0]))
            .with("model", Arg::Str(model.into()))
    };
    let base = |d: Vec<f64>, y: Vec<f64>| with_model(d, y, "factor");
    let ok_d = vec![3.0, 5.0, 9.0, 4.0, 6.0, 12.0];
    let ok_y = vec![100.0; 6];
    assert!(api::call("apc_fit", &base(ok_d.clone(), ok_y.clone())).is_ok());
    let msg = |a: Args| api::call("apc_fit", &a).err().expect("an error").to_string();
    let m = msg(base(vec![3.0, -5.0, 9.0, 4.0, 6.0, 12.0], ok_y.clone()));
    assert!(m.contains("`events`") && m.contains("row 1") && m.contains("negative"), "{m}");
    let m = msg(base(ok_d.clone(), vec![100.0, 100.0, 0.0, 100.0, 100.0, 100.0]));
    assert!(m.contains("`person_time`") && m.contains("row 2") && m.contains("positive"), "{m}");
    let m = msg(base(ok_d.clone(), vec![100.0, f64::NAN, 1.0, 100.0, 100.0, 100.0]));
    assert!(m.contains("`person_time`") && m.contains("missing"), "{m}");
    let m = msg(base(ok_d.clone(), vec![100.0; 5]));
    assert!(m.contains("`person_time`") && m.contains("length"), "{m}");
    let m = msg(base(ok_d.clone(), ok_y.clone()).with("parm", Arg::Str("XYZ".into())));
    assert!(m.contains("`parm`") && m.contains("\"ACP\""), "{m}");
    let m = msg(with_model(ok_d.clone(), ok_y.clone(), "spline"));
    assert!(m.contains("`model`") && m.contains("\"ns\""), "{m}");
    let m = msg(base(ok_d.clone(), ok_y.clone()).with("dr_extr", Arg::Str("Q".into())));
    assert!(m.contains("`dr_extr`") && m.contains("\"weighted\""), "{m}");
    let m = msg(base(ok_d.clone(), ok_y.clone()).with("npar", nums(vec![3.0, 4.0])));
    assert!(m.contains("`npar`"), "{m}");
    let m = msg(base(ok_d.clone(), ok_y.clone()).with("alpha", Arg::Num(1.5)));
    assert!(m.contains("`alpha`"), "{m}");
    let m = msg(base(vec![0.0; 6], ok_y.clone()));
    assert!(m.contains("`events`") && m.contains("no events"), "{m}");
}
