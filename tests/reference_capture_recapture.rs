//! Capture-recapture (issue 17) against tests/reference/generate_capture_recapture.R
//! (stats::glm fits of the same log-linear models, the profile likelihood over the
//! missing cell solved with optimize/uniroot, Chapman by formula) on the diabetes data
//! of Bruno et al. (1994, 4 sources), the hepatitis A data of Chao et al. (2001, 3
//! sources), its first two sources and the diabetes data over three sources: every
//! model of the set, estimates at 1e-8, profile limits at 1e-6; selection by AIC and
//! BIC; per-person rows equal aggregated counts; bad input names the argument.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

const EST_TOL: f64 = 1e-8;
const PROFILE_TOL: f64 = 1e-6;
const DATASETS: &[(&str, &[&str])] = &[
    ("diabetes", &["c1", "c2", "c3", "c4"]),
    ("hepatitis", &["P", "Q", "E"]),
    ("hepatitis_PQ", &["P", "Q"]),
    ("diabetes_c1c2c3", &["c1", "c2", "c3"]),
];

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

fn record(out: api::Output) -> Record {
    match out.value {
        Value::Record(r) => r,
        other => panic!("not a record: {other:?}"),
    }
}

/// Aggregated arguments: one row per observed pattern (bit j = source j).
fn args_of(dataset: &str, names: &[&str]) -> Args<'static> {
    let t = Table::read("capture_recapture_counts.csv");
    let rows: Vec<usize> = t.str("dataset").iter().enumerate().filter(|(_, d)| *d == dataset).map(|(i, _)| i).collect();
    let pat = t.num("pattern");
    let cnt = t.num("count");
    let mut src = Args::new();
    for (j, n) in names.iter().enumerate() {
        src = src.with(n, nums(rows.iter().map(|&i| ((pat[i] as usize) >> j & 1) as f64).collect()));
    }
    Args::new()
        .with("sources", Arg::Record(src))
        .with("counts", nums(rows.iter().map(|&i| cnt[i]).collect()))
}

fn table_num(r: &Record, table: &str, c: &str) -> Vec<f64> {
    let Some(Value::Table(t)) = r.get(table) else { panic!("no {table}") };
    match t.get(c) {
        Some(Value::Nums(x)) => x.clone(),
        Some(Value::Ints(x)) => x.iter().map(|&i| i as f64).collect(),
        other => panic!("{c}: {other:?}"),
    }
}

fn table_str(r: &Record, table: &str, c: &str) -> Vec<String> {
    let Some(Value::Table(t)) = r.get(table) else { panic!("no {table}") };
    match t.get(c) {
        Some(Value::Strs(x)) => x.clone(),
        other => panic!("{c}: {other:?}"),
    }
}

fn num(r: &Record, name: &str) -> f64 {
    match r.get(name) {
        Some(Value::Num(x)) => *x,
        other => panic!("{name}: {other:?}"),
    }
}

fn string(r: &Record, name: &str) -> String {
    match r.get(name) {
        Some(Value::Str(x)) => x.clone(),
        other => panic!("{name}: {other:?}"),
    }
}

#[test]
fn every_model_matches_glm_and_the_profile_likelihood() {
    let fx = Table::read("capture_recapture_models.csv");
    for (ds, names) in DATASETS {
        let r = record(api::call("capture_recapture", &args_of(ds, names)).unwrap());
        let ours = table_str(&r, "models", "model");
        let rows: Vec<usize> = fx.str("dataset").iter().enumerate().filter(|(_, d)| d == ds).map(|(i, _)| i).collect();
        assert_eq!(ours.len(), rows.len(), "{ds}: number of models");
        let labels = fx.str("model");
        // ours in the fixture's order, by label
        let idx: Vec<usize> = rows
            .iter()
            .map(|&i| ours.iter().position(|m| *m == labels[i]).unwrap_or_else(|| panic!("{ds}: no model {}", labels[i])))
            .collect();
        let pick = |c: &str| -> Vec<f64> {
            let v = table_num(&r, "models", c);
            idx.iter().map(|&i| v[i]).collect()
        };
        let theirs = |c: &str| -> Vec<f64> { rows.iter().map(|&i| fx.num(c)[i]).collect() };
        assert_eq!(pick("df"), theirs("df"), "{ds}: df");
        // the deviance of a model with df 0 is 0 up to rounding (1e-14): absolute at that scale
        for (a, b) in pick("deviance").iter().zip(theirs("deviance")) {
            assert!((a - b).abs() <= EST_TOL * b.abs().max(1.0), "{ds}: deviance ours {a:e}, glm {b:e}");
        }
        for c in ["aic", "bic", "n_unobserved", "n_hat", "std_err", "wald_lower", "wald_upper"] {
            assert_close_tol(&format!("{ds}: {c}"), &pick(c), &theirs(c), EST_TOL);
        }
        for c in ["lower", "upper"] {
            assert_close_tol(&format!("{ds}: {c}"), &pick(c), &theirs(c), PROFILE_TOL);
        }
    }
}

#[test]
fn selection_by_aic_and_bic() {
    let sel = Table::read("capture_recapture_selected.csv");
    let fx = Table::read("capture_recapture_models.csv");
    for (i, ds) in sel.str("dataset").iter().enumerate() {
        let names = DATASETS.iter().find(|d| d.0 == ds).unwrap().1;
        for crit in ["aic", "bic"] {
            let a = args_of(ds, names).with("criterion", Arg::Str(crit.into()));
            let r = record(api::call("capture_recapture", &a).unwrap());
            let want = &sel.str(crit)[i];
            assert_eq!(&string(&r, "selected"), want, "{ds} {crit}");
            let row = (0..fx.str("model").len()).find(|&j| fx.str("dataset")[j] == *ds && fx.str("model")[j] == *want).unwrap();
            assert_close_tol(&format!("{ds} n_hat"), &[num(&r, "n_hat")], &[fx.num("n_hat")[row]], EST_TOL);
            assert_close_tol(&format!("{ds} lower"), &[num(&r, "lower"), num(&r, "upper")],
                             &[fx.num("lower")[row], fx.num("upper")[row]], PROFILE_TOL);
            assert_close_tol(&format!("{ds} lower_unobserved"), &[num(&r, "lower_unobserved") + num(&r, "n_observed")],
                             &[fx.num("lower")[row]], PROFILE_TOL);
        }
    }
    // the bundled diabetes data: BIC picks Rivest's (2011) interaction set of Rcapture's example
    assert_eq!(sel.str("bic")[0], "c1:c3 + c2:c4 + c3:c4");
}

#[test]
fn chapman_for_two_sources() {
    let fx = Table::read("capture_recapture_chapman.csv");
    let r = record(api::call("capture_recapture", &args_of("hepatitis_PQ", &["P", "Q"])).unwrap());
    let Some(Value::Record(c)) = r.get("chapman") else { panic!("no chapman") };
    for k in ["n_hat", "std_err", "lower", "upper"] {
        assert_close_tol(&format!("chapman {k}"), &[num(c, k)], &[fx.num(k)[0]], EST_TOL);
    }
    let r = record(api::call("capture_recapture", &args_of("hepatitis", &["P", "Q", "E"])).unwrap());
    assert!(r.get("chapman").is_none(), "Chapman is for two sources only");
}

#[test]
fn a_given_model_and_per_person_rows() {
    // terms in any order and spacing
    let a = args_of("hepatitis", &["P", "Q", "E"]).with("model", Arg::Str("Q:E+P:Q".into()));
    let r = record(api::call("capture_recapture", &a).unwrap());
    assert_eq!(string(&r, "selected"), "P:Q + Q:E");
    // per-person rows: each pattern repeated count times, shuffled
    let t = Table::read("capture_recapture_counts.csv");
    let mut people: Vec<usize> = Vec::new();
    for (i, d) in t.str("dataset").iter().enumerate() {
        if d == "hepatitis" {
            people.extend(std::iter::repeat(t.num("pattern")[i] as usize).take(t.num("count")[i] as usize));
        }
    }
    people.reverse();
    let mut src = Args::new();
    for (j, n) in ["P", "Q", "E"].iter().enumerate() {
        src = src.with(n, nums(people.iter().map(|&p| (p >> j & 1) as f64).collect()));
    }
    let rp = record(api::call("capture_recapture", &Args::new().with("sources", Arg::Record(src)).with("model", Arg::Str("P:Q + Q:E".into()))).unwrap());
    for k in ["n_hat", "lower", "upper", "std_err"] {
        assert_eq!(num(&rp, k), num(&r, k), "{k}");
    }
}

fn err(a: &Args) -> String {
    api::call("capture_recapture", a).err().expect("an error").message(0)
}

#[test]
fn bad_input_names_the_argument() {
    let two = |a: Vec<f64>, b: Vec<f64>| Args::new().with("sources", Arg::Record(Args::new().with("A", nums(a)).with("B", nums(b))));
    assert_eq!(err(&two(vec![1.0, 0.0, 1.0], vec![1.0, 1.0, 2.0])),
               "argument `sources`, column `B`: a capture indicator must be 0 or 1 (value 2) at row 2");
    assert_eq!(err(&two(vec![1.0, 0.0, 1.0], vec![1.0, 0.0, 0.0])),
               "argument `sources`: found by no source (that is the unobserved cell; every row must be found by at least one source) (value 0) at row 1");
    let m = err(&two(vec![1.0, 0.0, 1.0], vec![1.0, 1.0, 0.0]).with("model", Arg::Str("A:B".into())));
    assert!(m.starts_with("argument `model`: the model A:B is saturated"), "{m}");
    let m = err(&args_of("hepatitis", &["P", "Q", "E"]).with("model", Arg::Str("P:Q:E".into())));
    assert!(m.contains("not identifiable"), "{m}");
    let m = err(&args_of("hepatitis", &["P", "Q", "E"]).with("model", Arg::Str("P:X".into())));
    assert!(m.starts_with("argument `model`: unknown source `X`"), "{m}");
    let one = Args::new().with("sources", Arg::Record(Args::new().with("A", nums(vec![1.0]))));
    assert_eq!(err(&one), "argument `sources`: needs 2 to 4 source columns, got 1");
    let c = two(vec![1.0, 0.0, 1.0], vec![1.0, 1.0, 0.0]);
    assert_eq!(err(&c.clone().with("counts", nums(vec![1.0, -1.0, 2.0]))), "argument `counts`: negative value (value -1) at row 1");
    assert_eq!(err(&c.clone().with("counts", nums(vec![1.0, 1.5, 2.0]))), "argument `counts`: a count must be a whole number (value 1.5) at row 1");
    assert_eq!(err(&c.clone().with("counts", nums(vec![1.0, 1.0]))), "argument `counts` has length 2 but `sources` has length 3");
    let m = err(&c.clone().with("criterion", Arg::Str("aicc".into())));
    assert!(m.starts_with("argument `criterion`"), "{m}");
    let m = err(&c.with("conf_level", Arg::Num(1.5)));
    assert!(m.starts_with("argument `conf_level`"), "{m}");
    // no one found by both of two sources: no estimate (Lincoln-Petersen is infinite)
    let m = err(&two(vec![1.0, 0.0], vec![0.0, 1.0]));
    assert!(m.starts_with("argument `counts`: no model can be fitted"), "{m}");
}
