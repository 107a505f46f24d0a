//! Formula-layer defects of issue 21 that the core holds (so that Rust, Python and R
//! answer the same): duplicated names in a Lexis split's `breaks` (and `time_scales`)
//! are an error naming the argument and the name, not applied twice; errors about the
//! iteration settings name them as the caller wrote them (R's `control$iter.max`).
use std::borrow::Cow;

use hrrstats::api;
use hrrstats::protocol::{Arg, Args};
use hrrstats::{LexisData, LexisSplit};

fn nums(v: Vec<f64>) -> Arg<'static> {
    Arg::Nums(Cow::Owned(v))
}

#[test]
fn duplicated_breaks_are_an_error_naming_breaks_and_the_scale() {
    let entry = [2000.0, 2001.0, 2002.0];
    let age = [50.0, 60.0, 70.0];
    let d = LexisData::new(
        vec![("per".into(), &entry[..]), ("age".into(), &age[..])],
        &[2005.0, 2006.0, 2010.0],
        &[0.0, 1.0, 0.0],
    )
    .unwrap();
    let b1 = [40.0, 60.0, 80.0];
    let b2 = [40.0, 55.0, 80.0];
    let e = LexisSplit::new(&d, &[("age", &b1[..]), ("per", &b1[..]), ("age", &b2[..])], true)
        .err()
        .expect("an error");
    assert_eq!(e.arg(), "breaks");
    assert!(e.to_string().contains("`age` is given twice"), "{e}");

    // through the entry point the bindings use (R passes its named list as it is)
    let args = Args::new()
        .with("time_scales", Arg::Record(Args::new().with("age", nums(age.to_vec()))))
        .with("exit", nums(vec![55.0, 65.0, 75.0]))
        .with("status", nums(vec![0.0, 1.0, 0.0]))
        .with(
            "breaks",
            Arg::Record(
                Args::new()
                    .with("age", nums(b1.to_vec()))
                    .with("age", nums(b2.to_vec())),
            ),
        );
    for method in ["lexis_split", "person_time_table"] {
        let e = api::call(method, &args).err().expect("an error");
        assert_eq!(e.arg(), "breaks", "{method}");
        assert!(e.to_string().contains("`age` is given twice"), "{method}: {e}");
    }
}

#[test]
fn duplicated_time_scales_are_an_error() {
    let a = [50.0, 60.0];
    let e = LexisData::new(
        vec![("age".into(), &a[..]), ("age".into(), &a[..])],
        &[55.0, 65.0],
        &[0.0, 1.0],
    )
    .err()
    .expect("an error");
    assert_eq!(e.arg(), "time_scales");
    assert!(e.to_string().contains("`age` is given twice"), "{e}");
}

#[test]
fn iteration_settings_are_named_as_the_caller_wrote_them() {
    // R's cox_ph(control = list(iter.max =, eps =)) passes labels for max_iter and eps
    let labels = || {
        Arg::Record(
            Args::new()
                .with("max_iter", Arg::Str("control$iter.max".into()))
                .with("eps", Arg::Str("control$eps".into())),
        )
    };
    let base = || {
        Args::new()
            .with("time", nums(vec![1.0, 2.0, 3.0, 4.0]))
            .with("status", nums(vec![1.0, 0.0, 1.0, 1.0]))
            .with("covariates", Arg::Record(Args::new().with("x", nums(vec![0.0, 1.0, 0.0, 1.0]))))
            .with("labels", labels())
    };
    let e = api::call("cox_ph", &base().with("max_iter", Arg::Num(-1.0))).err().expect("an error");
    assert_eq!(e.arg(), "control$iter.max");
    assert!(e.to_string().starts_with("argument `control$iter.max`: must be a whole number"), "{e}");
    let e = api::call("cox_ph", &base().with("eps", Arg::Num(-1.0))).err().expect("an error");
    assert!(e.to_string().starts_with("argument `control$eps`: must be positive"), "{e}");
    // `init` is the user's own name; its length is counted in coefficients
    let init = Arg::Nums(Cow::Owned(vec![0.0, 0.0]));
    let e = api::call("cox_ph", &base().with("init", init)).err().expect("an error");
    assert_eq!(e.to_string(), "argument `init`: has 2 values for 1 coefficients");
}
