//! Generalised estimating equations against geepack::geeglm (fixtures from
//! tests/reference/generate_gee.R: ohio, dietox, seizure, respiratory; every working
//! correlation; weights, offsets, waves, a fixed scale), through the entry point the
//! bindings use. Estimates (coefficients, scale, correlation) at 1e-8, variances
//! (robust and model-based) at 1e-6, as issue #15 asks; our fit must report
//! convergence. geepack's own iteration stops short of epsilon = 1e-12 on
//! dietox_exch_log (its error flag is 1: the changes of a scale near 50 stall at
//! rounding level); its iterate agrees with our converged root at 1e-8 all the same.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, field as get, vec_of};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Record, Value};

struct Case {
    name: String,
    family: String,
    link: String,
    corstr: String,
    waves: bool,
    weights: bool,
    offset: bool,
    scale_fix: bool,
    p: usize,
}

fn cases() -> Vec<Case> {
    let t = Table::read("gee_cases.csv");
    let n = t.str("case").len();
    let flag = |c: &str, i: usize| t.num(c)[i] == 1.0;
    (0..n)
        .map(|i| Case {
            name: t.str("case")[i].clone(),
            family: t.str("family")[i].clone(),
            link: t.str("link")[i].clone(),
            corstr: t.str("corstr")[i].clone(),
            waves: flag("waves", i),
            weights: flag("weights", i),
            offset: flag("offset", i),
            scale_fix: flag("scale_fix", i),
            p: t.num("p")[i] as usize,
        })
        .collect()
}

/// The case's arguments, rows in the order `perm` (None: as in the file).
fn args_of(c: &Case, perm: Option<&[usize]>) -> Args<'static> {
    let d = Table::read(&format!("gee_{}_data.csv", c.name));
    let n = d.num("y").len();
    let idx: Vec<usize> = perm.map_or_else(|| (0..n).collect(), |p| p.to_vec());
    let take = |v: Vec<f64>| -> Vec<f64> { idx.iter().map(|&i| v[i]).collect() };
    let (codes, k) = d.codes("id");
    let codes: Vec<u32> = idx.iter().map(|&i| codes[i]).collect();
    let mut cov = Args::new();
    for j in 1..=c.p {
        cov = cov.with(&format!("x{j}"), nums(take(d.num(&format!("x{j}")))));
    }
    let mut a = Args::new()
        .with("y", nums(take(d.num("y"))))
        .with("covariates", Arg::Record(cov))
        .with(
            "cluster",
            Arg::Codes {
                codes: Cow::Owned(codes),
                levels: (0..k).map(|i| i.to_string()).collect(),
            },
        )
        .with("family", Arg::Str(c.family.clone()))
        .with("link", Arg::Str(c.link.clone()))
        .with("corstr", Arg::Str(c.corstr.clone()))
        .with("epsilon", Arg::Num(1e-12))
        .with("max_iter", Arg::Num(500.0));
    if c.waves {
        a = a.with("waves", nums(take(d.num("wave"))));
    }
    if c.weights {
        a = a.with("weights", nums(take(d.num("w"))));
    }
    if c.offset {
        a = a.with("offset", nums(take(d.num("off"))));
    }
    if c.scale_fix {
        // geeglm's scale.fix keeps the scale at its starting value (the mean squared
        // Pearson residual of the glm fit; scale.value is not used): fix ours at the
        // value geepack used.
        let par = Table::read(&format!("gee_{}_par.csv", c.name));
        a = a
            .with("scale_fix", Arg::Bool(true))
            .with("scale_value", Arg::Num(par.num("value")[0]));
    }
    a
}

/// `a` with `name` set to `arg` (replacing an earlier value).
fn set(mut a: Args<'static>, name: &str, arg: Arg<'static>) -> Args<'static> {
    a.items.retain(|(n, _)| n != name);
    a.with(name, arg)
}

fn fit(a: &Args) -> Record {
    match api::call("gee", a).unwrap_or_else(|e| panic!("{e}")).value {
        Value::Record(r) => r,
        other => panic!("not a record: {other:?}"),
    }
}

#[test]
fn gee_matches_geeglm_on_every_case() {
    for c in cases() {
        let r = fit(&args_of(&c, None));
        let coef = Table::read(&format!("gee_{}_coef.csv", c.name));
        let var = Table::read(&format!("gee_{}_var.csv", c.name));
        let par = Table::read(&format!("gee_{}_par.csv", c.name));
        let pv = par.num("value");
        let pn = par.str("name");
        let (est_tol, var_tol) = (1e-8, 1e-6);
        let what = |s: &str| format!("{} {s}", c.name);
        assert_eq!(get(&r, "converged"), &Value::Bool(true), "{}", c.name);
        assert_close_tol(
            &what("coef"),
            &vec_of(get(&r, "coef")),
            &coef.num("coef"),
            est_tol,
        );
        assert_close_tol(
            &what("se"),
            &vec_of(get(&r, "se")),
            &coef.num("se"),
            var_tol,
        );
        assert_close_tol(
            &what("naive_se"),
            &vec_of(get(&r, "naive_se")),
            &coef.num("naive_se"),
            var_tol,
        );
        // var is row-major, the fixture column-major (the matrices are symmetric).
        assert_close_tol(
            &what("var"),
            &vec_of(get(&r, "var")),
            &var.num("var"),
            var_tol,
        );
        assert_close_tol(
            &what("naive_var"),
            &vec_of(get(&r, "naive_var")),
            &var.num("naive_var"),
            var_tol,
        );
        let scale = pv[0];
        assert_close_tol(&what("scale"), &vec_of(get(&r, "scale")), &[scale], est_tol);
        let alpha: Vec<f64> = pv[1..pv.len() - 1].to_vec();
        assert_close_tol(&what("alpha"), &vec_of(get(&r, "alpha")), &alpha, est_tol);
        let names: Vec<String> = pn[1..pn.len() - 1].to_vec();
        assert_eq!(get(&r, "alpha_names"), &Value::Strs(names), "{}", c.name);
    }
}

#[test]
fn gee_groups_clusters_that_are_not_contiguous() {
    // Rows shuffled: the fit groups them by cluster (stably), so the answer is the
    // one geeglm gives on the data sorted by id (waves keep the ar1 order).
    for name in [
        "ohio_excha",
        "dietox_ar1_waves",
        "seizure_exch_w",
        "ohio_ar1_waves",
    ] {
        let c = cases().into_iter().find(|c| c.name == name).unwrap();
        let n = Table::read(&format!("gee_{name}_data.csv")).num("y").len();
        // a fixed scramble: i * 7919 mod n (7919 prime, coprime to every n here)
        let perm: Vec<usize> = (0..n).map(|i| (i * 7919) % n).collect();
        let a = fit(&args_of(&c, None));
        let b = fit(&args_of(&c, Some(&perm)));
        for k in ["coef", "se", "naive_se", "alpha", "scale"] {
            assert_close_tol(
                &format!("{name} {k}"),
                &vec_of(get(&b, k)),
                &vec_of(get(&a, k)),
                1e-9,
            );
        }
        let fa = vec_of(get(&a, "fitted"));
        let fb = vec_of(get(&b, "fitted"));
        let fa_perm: Vec<f64> = perm.iter().map(|&i| fa[i]).collect();
        assert_close_tol(&format!("{name} fitted"), &fb, &fa_perm, 1e-9);
    }
}

#[test]
fn gee_errors_name_the_argument_and_row() {
    let c = cases()
        .into_iter()
        .find(|c| c.name == "ohio_excha")
        .unwrap();
    let mut k = 0;
    let mut err = |a: Args| {
        k += 1;
        match api::call("gee", &a) {
            Err(e) => e.message(0),
            Ok(_) => panic!("case {k} should fail"),
        }
    };
    let base = args_of(&c, None);
    // binomial y outside [0, 1]
    let mut y = Table::read("gee_ohio_excha_data.csv").num("y");
    y[5] = 2.0;
    let m = err(set(base.clone(), "y", nums(y)));
    assert!(
        m.starts_with("argument `y`") && m.contains("at row 5"),
        "{m}"
    );
    // unknown corstr
    let m = err(set(base.clone(), "corstr", Arg::Str("toeplitz".into())));
    assert!(
        m.starts_with("argument `corstr`: unknown value \"toeplitz\""),
        "{m}"
    );
    // cluster of another length
    let m = err(set(
        base.clone(),
        "cluster",
        Arg::Codes {
            codes: Cow::Owned(vec![0, 1]),
            levels: vec!["a".into(), "b".into()],
        },
    ));
    assert!(m.starts_with("argument `cluster` has length 2"), "{m}");
    // waves repeating within a cluster for ar1
    let n = 2148;
    let waves: Vec<f64> = (0..n)
        .map(|i| if i == 6 { 3.0 } else { (i % 4) as f64 })
        .collect();
    let m = err(set(
        set(base.clone(), "corstr", Arg::Str("ar1".into())),
        "waves",
        nums(waves),
    ));
    assert!(
        m.starts_with("argument `waves`") && m.contains("at row 7"),
        "{m}"
    );
    // NaN wave
    let waves: Vec<f64> = (0..n)
        .map(|i| if i == 9 { f64::NAN } else { (i % 4) as f64 })
        .collect();
    let m = err(set(base.clone(), "waves", nums(waves)));
    assert!(
        m.starts_with("argument `waves`") && m.contains("at row 9"),
        "{m}"
    );
    // negbin is not a GEE family
    let m = err(set(base.clone(), "family", Arg::Str("negbin".into())));
    assert!(m.starts_with("argument `family`"), "{m}");
    // Poisson count negative
    let s = cases()
        .into_iter()
        .find(|c| c.name == "seizure_excha")
        .unwrap();
    let mut y = Table::read("gee_seizure_excha_data.csv").num("y");
    y[3] = -1.0;
    let m = err(set(args_of(&s, None), "y", nums(y)));
    assert!(
        m.starts_with("argument `y`: negative count") && m.contains("at row 3"),
        "{m}"
    );
}
