//! Joinpoint regression (NCI's Joinpoint program's grid search, BIC/BIC3 selection, APC
//! and AAPC limits) against the exhaustive grid search done by hand in plain R
//! (tests/reference/generate_joinpoint.R; Epi::testisDK yearly rates, datasets::airmiles,
//! simulated series), at 1e-8; the permutation test's null distribution (type-I error on
//! series without joinpoints) and its seed reproducibility.
mod common;
use std::borrow::Cow;

use common::{assert_close_tol, Table, nums, column, at as get};
use hrrstats::api;
use hrrstats::protocol::{Arg, Args, Value};

const TOL: f64 = 1e-8;

#[test]
fn joinpoint_matches_grid_search_by_hand() {
    let data = Table::read("joinpoint_data.csv");
    let cases = Table::read("joinpoint_cases.csv");
    let models = Table::read("joinpoint_models.csv");
    let segs = Table::read("joinpoint_segments.csv");
    let fitted = Table::read("joinpoint_fitted.csv");
    let aapc = Table::read("joinpoint_aapc.csv");
    assert_eq!(cases.nrow, 8);
    for i in 0..cases.nrow {
        let name = &cases.str("case")[i];
        let rows: Vec<usize> = (0..data.nrow).filter(|&r| data.str("series")[r] == cases.str("series")[i]).collect();
        let pick = |c: &str| rows.iter().map(|&r| data.num(c)[r]).collect::<Vec<f64>>();
        let variance = cases.str("variance")[i].clone();
        let mut args = Args::new()
            .with("x", nums(pick("x")))
            .with("y", nums(pick("y")))
            .with("log_linear", Arg::Bool(cases.str("log_linear")[i] == "TRUE"))
            .with("variance", Arg::Str(variance.clone()))
            .with("max_joinpoints", Arg::Num(cases.num("max_joinpoints")[i]))
            .with("selection", Arg::Str(cases.str("selection")[i].clone()))
            .with("min_obs_end", Arg::Num(cases.num("min_obs_end")[i]))
            .with("min_obs_between", Arg::Num(cases.num("min_obs_between")[i]));
        if variance == "se" {
            args = args.with("se", nums(pick("se")));
        }
        let out = api::call("joinpoint", &args).unwrap_or_else(|e| panic!("{name}: {e}"));
        let v = out.value;
        // the model table: every k's best set, SSE, BIC
        let mr: Vec<usize> = (0..models.nrow).filter(|&r| &models.str("case")[r] == name).collect();
        let m = |c: &str| mr.iter().map(|&r| models.num(c)[r]).collect::<Vec<f64>>();
        assert_eq!(column(&v, &["models", "joinpoints"]), m("k"), "{name} k");
        let locs = match get(&v, &["models", "locations"]) {
            Value::Strs(s) => s.clone(),
            o => panic!("{o:?}"),
        };
        for (j, &r) in mr.iter().enumerate() {
            assert_eq!(locs[j].replace(", ", ";"), models.str("locations")[r], "{name} locations k={j}");
        }
        for c in ["sse", "bic", "bic3"] {
            assert_close_tol(&format!("{name} {c}"), &column(&v, &["models", c]), &m(c), TOL);
        }
        let sel = match get(&v, &["models", "selected"]) {
            Value::Bools(b) => b.clone(),
            o => panic!("{o:?}"),
        };
        let theirs: Vec<bool> = mr.iter().map(|&r| models.str("selected")[r] == "TRUE").collect();
        assert_eq!(sel, theirs, "{name} selected");
        // segments of the selected model
        let sr: Vec<usize> = (0..segs.nrow).filter(|&r| &segs.str("case")[r] == name).collect();
        for c in ["start", "end", "apc", "lower", "upper", "slope", "slope_se"] {
            let theirs: Vec<f64> = sr.iter().map(|&r| segs.num(c)[r]).collect();
            assert_close_tol(&format!("{name} {c}"), &column(&v, &["segments", c]), &theirs, TOL);
        }
        let fr: Vec<usize> = (0..fitted.nrow).filter(|&r| &fitted.str("case")[r] == name).collect();
        let theirs: Vec<f64> = fr.iter().map(|&r| fitted.num("fitted")[r]).collect();
        assert_close_tol(&format!("{name} fitted"), &column(&v, &["fitted", "fitted"]), &theirs, TOL);
        // AAPC
        let ar = (0..aapc.nrow).find(|&r| &aapc.str("case")[r] == name).unwrap();
        let fit = out.fit.expect("a fit");
        let a = api::call_fit(
            fit.as_ref(),
            "aapc",
            &Args::new()
                .with("start", Arg::Num(aapc.num("start")[ar]))
                .with("end", Arg::Num(aapc.num("end")[ar])),
        )
        .unwrap();
        for c in ["aapc", "lower", "upper"] {
            assert_close_tol(&format!("{name} aapc {c}"), &column(&a, &[c]), &[aapc.num(c)[ar]], TOL);
        }
    }
}

/// Series of 25 points without a joinpoint (log-linear trend plus normal noise).
fn null_series(rng: &mut hrrstats::data::Rng, n: usize) -> (Vec<f64>, Vec<f64>) {
    let x: Vec<f64> = (0..n).map(|i| 2000.0 + i as f64).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&xi| {
            // Box-Muller from two uniforms
            let u1 = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            let u2 = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            (3.0 + 0.02 * (xi - 2000.0) + 0.05 * z).exp()
        })
        .collect();
    (x, y)
}

#[test]
fn permutation_test_holds_its_level_without_joinpoints() {
    // The test of 0 against 1 joinpoint at alpha = 0.05 on 200 series simulated without
    // joinpoints: the rejection rate must be within Monte Carlo error of 0.05 (binomial
    // sd 0.0154; the bound 0.05 + 3 sd = 0.096) and not degenerate (> 0).
    let mut rng = hrrstats::data::Rng::new(42);
    let nser = 200;
    let mut rejected = 0;
    for s in 0..nser {
        let (x, y) = null_series(&mut rng, 20);
        let args = Args::new()
            .with("x", nums(x))
            .with("y", nums(y))
            .with("max_joinpoints", Arg::Num(1.0))
            .with("selection", Arg::Str("permutation".into()))
            .with("n_permutations", Arg::Num(199.0))
            .with("seed", Arg::Num(s as f64));
        let v = api::call("joinpoint", &args).unwrap().value;
        let p = column(&v, &["tests", "p_value"]);
        assert_eq!(p.len(), 1);
        if p[0] < 0.05 {
            rejected += 1;
        }
    }
    let rate = rejected as f64 / nser as f64;
    assert!(rate > 0.005 && rate < 0.096, "type-I error {rate}");
}

#[test]
fn permutation_test_finds_a_clear_joinpoint_and_is_seeded() {
    let x: Vec<f64> = (0..30).map(|i| 1990.0 + i as f64).collect();
    let mut rng = hrrstats::data::Rng::new(7);
    let y: Vec<f64> = x
        .iter()
        .map(|&xi| {
            let u = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64 - 0.5;
            (4.0 + 0.04 * (xi - 1990.0) - 0.08 * (xi - 2005.0).max(0.0) + 0.02 * u).exp()
        })
        .collect();
    let call = |seed: f64| {
        let args = Args::new()
            .with("x", nums(x.clone()))
            .with("y", nums(y.clone()))
            .with("selection", Arg::Str("permutation".into()))
            .with("n_permutations", Arg::Num(499.0))
            .with("seed", Arg::Num(seed));
        api::call("joinpoint", &args).unwrap().value
    };
    let a = call(11.0);
    let b = call(11.0);
    assert_eq!(column(&a, &["tests", "p_value"]), column(&b, &["tests", "p_value"]));
    let jp = column(&a, &["joinpoints", "joinpoint"]);
    assert!(jp.contains(&2005.0), "{jp:?}");
    // the first test (0 vs 3) rejects with the smallest attainable p-value
    assert_eq!(column(&a, &["tests", "p_value"])[0], 1.0 / 500.0);
    // each test's statistic (from the fast projections) is the ratio of the models' SSEs
    let sse = column(&a, &["models", "sse"]);
    let (null, alt, stat) = (column(&a, &["tests", "null"]), column(&a, &["tests", "alt"]), column(&a, &["tests", "statistic"]));
    for t in 0..stat.len() {
        let want = sse[null[t] as usize] / sse[alt[t] as usize];
        assert!((stat[t] - want).abs() <= 1e-9 * want, "test {t}: {} vs {want}", stat[t]);
    }
}

#[test]
fn joinpoint_errors_name_the_argument() {
    let x: Vec<f64> = (0..10).map(|i| 2000.0 + i as f64).collect();
    let mut y = vec![1.0; 10];
    y[3] = -1.0;
    let e = api::call("joinpoint", &Args::new().with("x", nums(x.clone())).with("y", nums(y))).err().unwrap();
    assert!(e.to_string().contains("`y`") && e.to_string().contains("row 3"), "{e}");
    let mut x2 = x.clone();
    x2[5] = 2001.0;
    let e = api::call("joinpoint", &Args::new().with("x", nums(x2)).with("y", nums(vec![1.0; 10]))).err().unwrap();
    assert!(e.to_string().contains("`x`") && e.to_string().contains("repeated"), "{e}");
    let e = api::call(
        "joinpoint",
        &Args::new().with("x", nums(x)).with("y", nums(vec![1.0; 10])).with("selection", Arg::Str("aic".into())),
    )
    .err()
    .unwrap();
    assert!(e.to_string().contains("selection"), "{e}");
    // years near the largest double: an error naming `x`, not a panic in the t distribution
    let huge: Vec<f64> = (0..8).map(|i| 2e303 + i as f64 * 1e300).collect();
    let y = vec![11.5, 3.5, 3.5, 1.5, 8.5, 9.5, 1.5, 1.5];
    let e = api::call("joinpoint", &Args::new().with("x", nums(huge)).with("y", nums(y)).with("max_joinpoints", Arg::Num(2.0)))
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("argument `x`: the fitted trend is not finite"), "{e}");
}

#[test]
fn by_groups_and_unsorted_rows_fit_each_series_as_alone() {
    let data = Table::read("joinpoint_data.csv");
    let pick = |s: &str, c: &str| -> Vec<f64> {
        (0..data.nrow).filter(|&r| data.str("series")[r] == s).map(|r| data.num(c)[r]).collect()
    };
    let (x1, y1, x3, y3) = (pick("sim1", "x"), pick("sim1", "y"), pick("sim3", "x"), pick("sim3", "y"));
    // the two series interleaved and reversed: rows need not be sorted or grouped
    let mut rows: Vec<(u32, f64, f64)> = Vec::new();
    for (i, (&x, &y)) in x1.iter().zip(&y1).enumerate() {
        rows.push((0, x, y));
        if let (Some(&a), Some(&b)) = (x3.get(i), y3.get(i)) {
            rows.push((1, a, b));
        }
    }
    for i in x1.len()..x3.len() {
        rows.push((1, x3[i], y3[i]));
    }
    rows.reverse();
    let args = Args::new()
        .with("x", nums(rows.iter().map(|r| r.1).collect()))
        .with("y", nums(rows.iter().map(|r| r.2).collect()))
        .with(
            "by",
            Arg::Record(Args::new().with(
                "series",
                Arg::Codes {
                    codes: Cow::Owned(rows.iter().map(|r| r.0).collect()),
                    levels: vec!["sim1".into(), "sim3".into()],
                },
            )),
        );
    let both = api::call("joinpoint", &args).unwrap().value;
    let groups = match get(&both, &["segments", "series"]) {
        Value::Index(g) => g.clone(),
        o => panic!("{o:?}"),
    };
    let apc = column(&both, &["segments", "apc"]);
    for (g, (x, y)) in [(x1.clone(), y1.clone()), (x3.clone(), y3.clone())].into_iter().enumerate() {
        let alone = api::call("joinpoint", &Args::new().with("x", nums(x)).with("y", nums(y))).unwrap().value;
        let ours: Vec<f64> = apc.iter().zip(&groups).filter(|(_, &k)| k == g).map(|(a, _)| *a).collect();
        assert_close_tol(&format!("group {g}"), &ours, &column(&alone, &["segments", "apc"]), 1e-12);
    }
    // fitted rows point back to the caller's rows
    let row = match get(&both, &["fitted", "row"]) {
        Value::Index(r) => r.clone(),
        o => panic!("{o:?}"),
    };
    let fx = column(&both, &["fitted", "x"]);
    for (k, &r) in row.iter().enumerate() {
        assert_eq!(fx[k], rows[r].1);
    }
}
