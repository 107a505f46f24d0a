//! Bad input gives a typed error naming the argument and the row, never a panic.
use hrrstats::{Error, KaplanMeier, LogrankTest, SurvivalData};

fn km_err(time: &[f64], status: &[f64]) -> Error {
    SurvivalData::new(time, status)
        .and_then(|d| KaplanMeier::params().fit(&d))
        .unwrap_err()
}

#[test]
fn nan_time_names_argument_and_row() {
    let e = km_err(&[1.0, f64::NAN, 3.0], &[1.0, 0.0, 1.0]);
    assert_eq!(e.arg(), "time");
    assert_eq!(e.row(), Some(1));
    assert!(e.to_string().contains("missing value"), "{e}");
    assert!(e.message(1).contains("row 2"), "{}", e.message(1));
}

#[test]
fn negative_and_infinite_times_are_rejected() {
    let e = km_err(&[1.0, 2.0, -3.0], &[1.0, 0.0, 1.0]);
    assert_eq!((e.arg(), e.row()), ("time", Some(2)));
    assert!(e.to_string().contains("negative"), "{e}");
    let e = km_err(&[f64::INFINITY, 2.0], &[1.0, 0.0]);
    assert_eq!((e.arg(), e.row()), ("time", Some(0)));
}

#[test]
fn status_codes_other_than_zero_one_are_rejected() {
    let e = km_err(&[1.0, 2.0, 3.0], &[1.0, 2.0, 0.0]);
    assert_eq!((e.arg(), e.row()), ("status", Some(1)));
    assert!(e.to_string().contains("0 (censored) or 1 (event)"), "{e}");
    let e = km_err(&[1.0, 2.0, 3.0], &[1.0, 2.0, 2.0]);
    assert!(e.to_string().contains("pass status - 1"), "{e}");
    let e = km_err(&[1.0, 2.0], &[f64::NAN, 0.0]);
    assert_eq!((e.arg(), e.row()), ("status", Some(0)));
}

#[test]
fn length_mismatch_and_empty_input() {
    let e = km_err(&[1.0, 2.0, 3.0], &[1.0, 0.0]);
    assert!(
        matches!(
            e,
            Error::LengthMismatch {
                arg: "status",
                len: 2,
                expected: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("length 2") && e.to_string().contains("length 3"),
        "{e}"
    );
    let e = km_err(&[], &[]);
    assert!(matches!(e, Error::Empty { arg: "time" }), "{e:?}");
}

#[test]
fn exit_not_after_entry_is_rejected() {
    let (t, s) = ([2.0, 5.0, 3.0], [1.0, 0.0, 1.0]);
    let e = SurvivalData::new(&t, &s)
        .unwrap()
        .with_entry(&[0.0, 5.0, 1.0])
        .unwrap_err();
    assert_eq!((e.arg(), e.row()), ("entry", Some(1)));
    assert!(e.to_string().contains("greater than entry"), "{e}");
    let e = SurvivalData::new(&t, &s)
        .unwrap()
        .with_entry(&[0.0, 1.0])
        .unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { arg: "entry", .. }));
}

#[test]
fn bad_weights_are_rejected() {
    let (t, s) = ([2.0, 5.0, 3.0], [1.0, 0.0, 1.0]);
    let e = SurvivalData::new(&t, &s)
        .unwrap()
        .with_weights(&[1.0, -1.0, 1.0])
        .unwrap_err();
    assert_eq!((e.arg(), e.row()), ("weights", Some(1)));
    let e = SurvivalData::new(&t, &s)
        .unwrap()
        .with_weights(&[1.0, 1.0, f64::NAN])
        .unwrap_err();
    assert_eq!((e.arg(), e.row()), ("weights", Some(2)));
}

#[test]
fn stratum_with_one_row_is_rejected() {
    let (t, s) = ([2.0, 5.0, 3.0, 4.0], [1.0, 0.0, 1.0, 1.0]);
    let d = SurvivalData::new(&t, &s)
        .unwrap()
        .with_strata(&[0, 0, 1, 0], 2)
        .unwrap();
    let e = KaplanMeier::params().fit(&d).unwrap_err();
    assert_eq!(e.arg(), "strata");
    assert!(e.to_string().contains("1 row"), "{e}");
    let e = SurvivalData::new(&t, &s)
        .unwrap()
        .with_strata(&[0, 0, 3, 0], 2)
        .unwrap_err();
    assert_eq!((e.arg(), e.row()), ("strata", Some(2)));
}

#[test]
fn bad_options_are_rejected() {
    let (t, s) = ([2.0, 5.0, 3.0], [1.0, 0.0, 1.0]);
    let d = SurvivalData::new(&t, &s).unwrap();
    let e = KaplanMeier::params().conf_level(1.5).fit(&d).unwrap_err();
    assert_eq!(e.arg(), "conf_level");
    assert_eq!(
        hrrstats::ConfType::parse("logg").unwrap_err().arg(),
        "conf_type"
    );
    let e = LogrankTest::params().fit(&d, &[0, 0, 0], 1).unwrap_err();
    assert_eq!(e.arg(), "group");
    let e = LogrankTest::params().fit(&d, &[0, 1], 2).unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { arg: "group", .. }));
    let e = LogrankTest::params()
        .rho(f64::NAN)
        .fit(&d, &[0, 1, 1], 2)
        .unwrap_err();
    assert_eq!(e.arg(), "rho");
    let fit = KaplanMeier::params().fit(&d).unwrap();
    assert_eq!(fit.survival_at(3, &[1.0]).unwrap_err().arg(), "stratum");
    assert_eq!(fit.survival_at(0, &[f64::NAN]).unwrap_err().arg(), "times");
    assert_eq!(fit.quantile(1.5).unwrap_err().arg(), "probs");
}

#[test]
fn hand_worked_example() {
    // Times 1,2,2,3+,4 with events at 1, 2, 2, 4: S = 4/5, 4/5*1/2 = 0.4, 0.4, 0.
    let t = [1.0, 2.0, 2.0, 3.0, 4.0];
    let s = [1.0, 1.0, 1.0, 0.0, 1.0];
    let f = KaplanMeier::params()
        .fit(&SurvivalData::new(&t, &s).unwrap())
        .unwrap();
    assert_eq!(f.time, vec![1.0, 2.0, 3.0, 4.0]);
    assert_eq!(f.n_risk, vec![5.0, 4.0, 2.0, 1.0]);
    let expect = [0.8, 0.4, 0.4, 0.0];
    for (a, b) in f.survival.iter().zip(expect) {
        assert!((a - b).abs() < 1e-15, "{a} vs {b}");
    }
    // Median: S first <= 0.5 at t = 2.
    assert_eq!(f.median()[0].estimate, 2.0);
}

mod cox {
    use hrrstats::{Covariates, CoxData, CoxPh, Error, SurvivalData};

    const T: [f64; 8] = [5.0, 8.0, 3.0, 9.0, 4.0, 12.0, 7.0, 2.0];
    const S: [f64; 8] = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0];

    fn names(k: usize) -> Vec<String> {
        (0..k).map(|j| format!("x{j}")).collect()
    }

    #[test]
    fn no_events() {
        let n = names(1);
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let zero = [0.0; 8];
        let d = CoxData::new(
            SurvivalData::new(&T, &zero).unwrap(),
            Covariates::new(&x, 8, &n).unwrap(),
        )
        .unwrap();
        let e = CoxPh::params().fit(&d).unwrap_err();
        assert_eq!(e.arg(), "status");
        assert!(e.to_string().contains("no events"), "{e}");
    }

    #[test]
    fn non_finite_covariate_names_column_and_row() {
        let n = vec!["age".to_string()];
        let mut x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        x[5] = f64::INFINITY;
        let e = Covariates::new(&x, 8, &n).unwrap_err();
        assert!(
            matches!(e, Error::InvalidCell { ref column, row: 5, .. } if column == "age"),
            "{e:?}"
        );
        assert!(
            e.message(1).contains("column `age`") && e.message(1).contains("row 6"),
            "{}",
            e.message(1)
        );
    }

    #[test]
    fn zero_or_negative_weights() {
        let n = names(1);
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let mut w = [1.0; 8];
        w[2] = 0.0;
        let d = CoxData::new(
            SurvivalData::new(&T, &S).unwrap().with_weights(&w).unwrap(),
            Covariates::new(&x, 8, &n).unwrap(),
        )
        .unwrap();
        let e = CoxPh::params().fit(&d).unwrap_err();
        assert_eq!((e.arg(), e.row()), ("weights", Some(2)));
        w[2] = -1.0;
        assert_eq!(
            SurvivalData::new(&T, &S)
                .unwrap()
                .with_weights(&w)
                .unwrap_err()
                .row(),
            Some(2)
        );
    }

    #[test]
    fn covariate_constant_within_every_stratum_is_aliased() {
        // x1 is constant within each stratum: not estimable in a stratified model
        // (coxph reports NA); x0 is fitted.
        let n = names(2);
        let strata = [0u32, 0, 0, 0, 1, 1, 1, 1];
        let x = [
            1.0, 4.0, 2.0, 7.0, 3.0, 1.0, 6.0, 5.0, 10.0, 10.0, 10.0, 10.0, 20.0, 20.0, 20.0, 20.0,
        ];
        let sd = SurvivalData::new(&T, &S)
            .unwrap()
            .with_strata(&strata, 2)
            .unwrap();
        let fit = CoxPh::params()
            .fit(&CoxData::new(sd, Covariates::new(&x, 8, &n).unwrap()).unwrap())
            .unwrap();
        assert_eq!(fit.aliased, vec![false, true]);
        assert!(fit.coef[0].is_finite() && fit.coef[1].is_nan());
        assert_eq!(fit.lr_test.df, 1);
    }

    #[test]
    fn a_stratum_with_one_row_is_allowed_in_cox() {
        let n = names(1);
        let x = [1.0, 4.0, 2.0, 7.0, 3.0, 1.0, 6.0, 5.0];
        let strata = [0u32, 0, 0, 0, 0, 0, 0, 1];
        let sd = SurvivalData::new(&T, &S)
            .unwrap()
            .with_strata(&strata, 2)
            .unwrap();
        let fit = CoxPh::params()
            .fit(&CoxData::new(sd, Covariates::new(&x, 8, &n).unwrap()).unwrap())
            .unwrap();
        assert!(fit.coef[0].is_finite());
    }

    #[test]
    fn wrong_number_of_covariate_rows() {
        let n = names(1);
        let x = [1.0, 2.0, 3.0];
        let e = CoxData::new(
            SurvivalData::new(&T, &S).unwrap(),
            Covariates::new(&x, 3, &n).unwrap(),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                Error::LengthMismatch {
                    arg: "covariates",
                    ..
                }
            ),
            "{e:?}"
        );
    }
}

mod lexis {
    use hrrstats::{LexisData, LexisSplit};

    #[test]
    fn bad_lexis_input_names_argument_and_row() {
        let entry = [2000.0, 2001.0, 2002.0];
        let age = [50.0, 60.0, 70.0];
        let status = [0.0, 1.0, 0.0];
        let e = LexisData::new(
            vec![("per".into(), &entry[..]), ("age".into(), &age[..])],
            &[2005.0, 2000.5, 2010.0],
            &status,
        )
        .unwrap_err();
        assert_eq!((e.arg(), e.row()), ("exit", Some(1)));
        assert!(e.to_string().contains("before entry"), "{e}");
        let bad_age = [50.0, f64::NAN, 70.0];
        let e = LexisData::new(
            vec![("per".into(), &entry[..]), ("age".into(), &bad_age[..])],
            &[2005.0, 2006.0, 2010.0],
            &status,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("column `age`") && e.row() == Some(1),
            "{e}"
        );
        let d = LexisData::new(
            vec![("per".into(), &entry[..]), ("age".into(), &age[..])],
            &[2005.0, 2006.0, 2010.0],
            &status,
        )
        .unwrap();
        let e = LexisSplit::new(&d, &[("tsd", &[0.0, 1.0][..])], true).unwrap_err();
        assert_eq!(e.arg(), "breaks");
        assert!(e.to_string().contains("no time scale named `tsd`"), "{e}");
        let e = LexisSplit::new(&d, &[("age", &[60.0, 50.0][..])], true).unwrap_err();
        assert!(e.to_string().contains("strictly increasing"), "{e}");
    }

    #[test]
    fn bad_cut_and_by_input() {
        let entry = [2000.0, 2001.0, 2002.0];
        let status = [0.0, 1.0, 0.0];
        let exit = [2005.0, 2006.0, 2010.0];
        let d = LexisData::new(vec![("per".into(), &entry[..])], &exit, &status).unwrap();
        let e = hrrstats::cut_lexis(
            &d,
            &[2003.0, f64::INFINITY, f64::NAN],
            "per",
            &[3.0; 3],
            None,
            false,
        )
        .unwrap_err();
        assert_eq!((e.arg(), e.row()), ("cut", Some(1)));
        let e = hrrstats::cut_lexis(&d, &[2003.0; 3], "age", &[3.0; 3], None, false).unwrap_err();
        assert_eq!(e.arg(), "timescale");
        let e = hrrstats::cut_lexis(&d, &[2003.0; 2], "per", &[3.0; 3], None, false).unwrap_err();
        assert_eq!(e.arg(), "cut");
        let sp = LexisSplit::new(&d, &[("per", &[2000.0, 2005.0, 2010.0][..])], true).unwrap();
        let e = sp
            .person_time_table(&d, &[(&[0, 1, 2][..], 2)])
            .unwrap_err();
        assert_eq!((e.arg(), e.row()), ("by", Some(2)));
    }
}

mod rates {
    use hrrstats::{crude_rates, direct_standardize, rate_ratios, sir, standard_population};

    #[test]
    fn bad_rate_input_names_argument_and_row() {
        let e = crude_rates(&[1.0, 2.5], &[10.0, 10.0], None, 0.95).unwrap_err();
        assert_eq!((e.arg(), e.row()), ("events", Some(1)));
        assert!(e.to_string().contains("whole number"), "{e}");
        let e = crude_rates(&[1.0, 2.0], &[10.0, 0.0], None, 0.95).unwrap_err();
        assert_eq!((e.arg(), e.row()), ("person_time", Some(1)));
        let e = crude_rates(&[1.0, -2.0], &[10.0, 1.0], None, 0.95).unwrap_err();
        assert_eq!((e.arg(), e.row()), ("events", Some(1)));
        let e = crude_rates(&[1.0], &[10.0], None, 1.5).unwrap_err();
        assert_eq!(e.arg(), "conf_level");
        let e = rate_ratios(
            &[1.0, 0.0],
            &[1.0, 1.0],
            &[1.0, 0.0],
            &[1.0, 1.0],
            1.0,
            0.95,
        )
        .unwrap_err();
        assert_eq!((e.arg(), e.row()), ("events1", Some(1)));
        assert!(e.to_string().contains("no events in either group"), "{e}");
        let e = direct_standardize(&[1.0, 2.0], &[10.0, 10.0], &[1.0, f64::NAN], None, 0.95)
            .unwrap_err();
        assert_eq!((e.arg(), e.row()), ("standard_weights", Some(1)));
        let e =
            direct_standardize(&[1.0, 2.0], &[10.0, 10.0], &[0.0, 0.0], None, 0.95).unwrap_err();
        assert_eq!(e.arg(), "standard_weights");
        let e = sir(&[1.0, 2.0], &[10.0, 10.0], &[0.0, 0.0], None, 0.95).unwrap_err();
        assert!(e.to_string().contains("expected count is zero"), "{e}");
        let e = sir(
            &[1.0, 2.0],
            &[10.0, 10.0],
            &[0.1, 0.1],
            Some((&[0, 5][..], 2)),
            0.95,
        )
        .unwrap_err();
        assert_eq!((e.arg(), e.row()), ("by", Some(1)));
        assert!(standard_population("martian").is_err());
    }

    #[test]
    fn hand_worked_rates() {
        // 4 events in 2 person-years: rate 2; SIR of 4 observed against 2 expected = 2.
        let r = crude_rates(&[4.0], &[2.0], None, 0.95).unwrap();
        assert_eq!(r.rate, vec![2.0]);
        assert!(r.p_value.is_none());
        let s = sir(&[4.0], &[2.0], &[1.0], None, 0.95).unwrap();
        assert_eq!(
            (s.sir[0], s.lower[0] * 2.0, s.upper[0] * 2.0),
            (2.0, r.lower[0] * 2.0, r.upper[0] * 2.0)
        );
        // Equal rates: ratio 1 and p = 1.
        let rr = rate_ratios(&[5.0], &[10.0], &[5.0], &[10.0], 1.0, 0.95).unwrap();
        assert_eq!((rr.estimate[0], rr.p_value[0]), (1.0, 1.0));
        assert!(
            (rr.lower[0] * rr.upper[0] - 1.0).abs() < 1e-12,
            "limits symmetric on the log scale"
        );
    }
}

/// Checks the hosts used to make themselves, now made once here (issue #13): the same
/// input gives the same message in Rust, Python and R.
mod host_checks {
    use std::borrow::Cow;

    use hrrstats::api;
    use hrrstats::protocol::{Arg, Args};

    fn nums(v: &[f64]) -> Arg<'static> {
        Arg::Nums(Cow::Owned(v.to_vec()))
    }
    fn strs(v: &[&str]) -> Arg<'static> {
        Arg::Strs(v.iter().map(|s| s.to_string()).collect())
    }
    fn args(items: Vec<(&str, Arg<'static>)>) -> Args<'static> {
        Args {
            items: items.into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
        }
    }
    fn err(method: &str, a: &Args) -> String {
        match api::call(method, a) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{method}: no error"),
        }
    }
    const ENTRY: [f64; 6] = [2001.0, 2005.0, 2003.5, 2008.0, 2002.0, 2010.0];
    const EXIT: [f64; 6] = [2009.0, 2010.0, 2006.0, 2015.0, 2004.0, 2012.0];
    const STATUS: [f64; 6] = [1.0, 0.0, 1.0, 0.0, 2.0, 0.0];
    const AGE: [f64; 6] = [35.0, 40.0, 50.0, 72.0, 61.0, 58.0];

    fn lexis(age: &[f64], exit: &[f64], status: &[f64]) -> Vec<(&'static str, Arg<'static>)> {
        vec![
            ("time_scales", Arg::Record(args(vec![("per", nums(&ENTRY)), ("age", nums(age))]))),
            ("exit", nums(exit)),
            ("status", nums(status)),
            ("breaks", Arg::Record(args(vec![("age", nums(&[0.0, 40.0, 60.0, 80.0]))]))),
        ]
    }

    #[test]
    fn lexis_lengths_are_checked_against_entry() {
        for m in ["lexis_split", "person_time_table"] {
            assert_eq!(
                err(m, &args(lexis(&AGE, &EXIT[..5], &STATUS))),
                "argument `exit` has length 5 but `entry` has length 6"
            );
            assert_eq!(
                err(m, &args(lexis(&AGE, &EXIT, &STATUS[..4]))),
                "argument `status` has length 4 but `entry` has length 6"
            );
            assert_eq!(
                err(m, &args(lexis(&AGE[..3], &EXIT, &STATUS))),
                "argument `time_scales`: scale `age` has length 3 but `entry` has length 6"
            );
            let mut a = lexis(&AGE, &EXIT, &STATUS);
            a.push(("entry_status", nums(&[0.0, 0.0])));
            assert_eq!(err(m, &args(a)), "argument `entry_status` has length 2 but `entry` has length 6");
        }
        let mut a = lexis(&AGE, &EXIT, &STATUS);
        a.push((
            "by",
            Arg::Record(args(vec![(
                "g",
                Arg::Codes { codes: Cow::Owned(vec![0, 1, 0]), levels: vec!["a".into(), "b".into()] },
            )])),
        ));
        assert_eq!(
            err("person_time_table", &args(a)),
            "argument `by`: `g` has length 3 but `entry` has length 6"
        );
    }

    #[test]
    fn kaplan_meier_stratum_labels_are_looked_up_here() {
        let a = args(vec![
            ("time", nums(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])),
            ("status", nums(&[1.0, 0.0, 1.0, 1.0, 0.0, 1.0])),
            (
                "strata",
                Arg::Codes { codes: Cow::Owned(vec![0, 1, 0, 1, 0, 1]), levels: vec!["a".into(), "b".into()] },
            ),
        ]);
        let fit = api::call("kaplan_meier", &a).unwrap().fit.unwrap();
        let at = |stratum: &[&str]| {
            fit.call(
                "survival_at",
                &args(vec![("times", nums(&[1.0, 5.0])), ("stratum", strs(stratum)), ("levels", strs(&["a", "b"]))]),
            )
        };
        let e = at(&["zzz"]).unwrap_err();
        assert_eq!(e.arg(), "stratum");
        assert_eq!(e.to_string(), "argument `stratum`: \"zzz\" is not a stratum of the fit (strata: a, b)");
        // the label picks the same curve as its code
        let by_label = format!("{:?}", at(&["b"]).unwrap());
        let by_code = fit
            .call(
                "survival_at",
                &args(vec![
                    ("times", nums(&[1.0, 5.0])),
                    ("strata", Arg::Codes { codes: Cow::Owned(vec![1]), levels: vec!["a".into(), "b".into()] }),
                ]),
            )
            .unwrap();
        assert_eq!(by_label, format!("{by_code:?}"));
        let e = fit
            .call(
                "rmst_difference",
                &args(vec![("tau", Arg::Num(4.0)), ("strata", strs(&["a", "zzz"])), ("levels", strs(&["a", "b"]))]),
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "argument `strata`: \"zzz\" is not a stratum of the fit (strata: a, b)");
    }
}
