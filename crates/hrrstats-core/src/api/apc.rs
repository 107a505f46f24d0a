//! Age–period–cohort models through the protocol (see [`crate::trends::apc`]).
//!
//! `apc_fit`: `events`, `person_time`, `age`, `period` (one row per cell of the Lexis
//! diagram at its mean age and period), `model` ("ns", "bs", "ls", "factor"), `npar`
//! (knots per effect: one number, or three for age, period, cohort), `knots_age`,
//! `knots_period`, `knots_cohort` (the knots themselves, replacing `npar` for that
//! effect), `parm`, `ref_c`, `ref_p`, `dr_extr` (an option string, a number `s` for
//! weights `D + s·Y`, or one weight per row), `scale`, `alpha`. Returns `age`, `period`,
//! `cohort` (tables: value, estimate, lower, upper), `drift` (term, estimate, lower,
//! upper: exp of the drift per unit of period), `anova` (model, aic, mod_df, mod_dev,
//! test_df, test_dev, p, dev_df, h0), `ref_p`, `ref_c`, `knots` (age, period, cohort;
//! spline models), `model`, `parm`, `dr_extr`, `warnings`.

use super::Output;
use crate::error::{Error, Result};
use crate::options::OptionEnum;
use crate::protocol::{Arg, Args, Record, Table};
use crate::trends::apc::{apc_fit as fit_apc, ApcEffect, ApcParams, DriftInner, DriftWeights, Npar};

fn effect_table(e: &ApcEffect) -> Table {
    Table::new()
        .with("value", e.value.clone())
        .with("estimate", e.estimate.clone())
        .with("lower", e.lower.clone())
        .with("upper", e.upper.clone())
}

fn npar(args: &Args) -> Result<[Npar; 3]> {
    let counts: [f64; 3] = match args.get("npar") {
        None => [5.0; 3],
        Some(Arg::Num(x)) => [*x; 3],
        Some(Arg::Nums(v)) if v.len() == 1 => [v[0]; 3],
        Some(Arg::Nums(v)) if v.len() == 3 => [v[0], v[1], v[2]],
        Some(Arg::Nums(v)) => {
            return Err(Error::InvalidArgument {
                arg: "npar",
                reason: format!(
                    "must be one number or three (age, period, cohort), got {}",
                    v.len()
                ),
            })
        }
        Some(_) => {
            return Err(Error::InvalidArgument {
                arg: "npar",
                reason: "must be one number or three (age, period, cohort)".into(),
            })
        }
    };
    let mut out = [Npar::Count(5), Npar::Count(5), Npar::Count(5)];
    for (j, name) in ["knots_age", "knots_period", "knots_cohort"].into_iter().enumerate() {
        out[j] = match args.opt_nums(name)? {
            Some(k) => Npar::Knots(k.to_vec()),
            None => {
                let x = counts[j];
                if !(x.is_finite() && x == x.floor() && x >= 1.0) {
                    return Err(Error::InvalidArgument {
                        arg: "npar",
                        reason: format!("must be whole numbers >= 1, got {x}"),
                    });
                }
                Npar::Count(x as usize)
            }
        };
    }
    Ok(out)
}

/// Age–period–cohort model as `Epi::apc.fit`.
pub fn apc_fit(args: &Args) -> Result<Output> {
    let events = args.nums("events")?;
    let person_time = args.nums("person_time")?;
    let age = args.nums("age")?;
    let period = args.nums("period")?;
    let dr_extr = match args.get("dr_extr") {
        None => DriftInner::Option(DriftWeights::Y),
        Some(Arg::Str(_)) => DriftInner::Option(args.option::<DriftWeights>("dr_extr")?),
        Some(Arg::Num(x)) => DriftInner::DPlusY(*x),
        Some(Arg::Nums(v)) if v.len() == 1 => DriftInner::DPlusY(v[0]),
        Some(Arg::Nums(v)) => DriftInner::Given(v.to_vec()),
        Some(_) => {
            return Err(Error::InvalidArgument {
                arg: "dr_extr",
                reason: format!(
                    "must be one of {} , a number or one weight per row",
                    DriftWeights::names()
                        .iter()
                        .map(|n| format!("\"{n}\""))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        }
    };
    let dr_name = match &dr_extr {
        DriftInner::Option(o) => o.name().to_string(),
        DriftInner::DPlusY(_) => "number".to_string(),
        DriftInner::Given(_) => "weights".to_string(),
    };
    let params = ApcParams {
        model: args.option("model")?,
        parm: args.option("parm")?,
        npar: npar(args)?,
        ref_c: args.opt_num("ref_c")?,
        ref_p: args.opt_num("ref_p")?,
        dr_extr,
        scale: args.num_or("scale", 1.0)?,
        alpha: args.num_or("alpha", 0.05)?,
    };
    let f = fit_apc(events, person_time, age, period, &params)?;
    let drift = Table::new()
        .with("term", f.drift_names.clone())
        .with("estimate", f.drift.iter().map(|r| r[0]).collect::<Vec<f64>>())
        .with("lower", f.drift.iter().map(|r| r[1]).collect::<Vec<f64>>())
        .with("upper", f.drift.iter().map(|r| r[2]).collect::<Vec<f64>>());
    let a = &f.anova;
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<String>>();
    let anova = Table::new()
        .with("model", strs(&a.model))
        .with("aic", a.aic.clone())
        .with("mod_df", a.mod_df.clone())
        .with("mod_dev", a.mod_dev.clone())
        .with("test_df", a.test_df.clone())
        .with("test_dev", a.test_dev.clone())
        .with("p", a.p.clone())
        .with("dev_df", a.dev_df.clone())
        .with("h0", strs(&a.h0));
    let knots = f.knots.as_ref().map(|k| {
        Record::new()
            .with("age", k[0].clone())
            .with("period", k[1].clone())
            .with("cohort", k[2].clone())
    });
    let value = Record::new()
        .with("age", effect_table(&f.age))
        .with("period", effect_table(&f.period))
        .with("cohort", effect_table(&f.cohort))
        .with("drift", drift)
        .with("anova", anova)
        .with("ref_p", f.ref_p)
        .with("ref_c", f.ref_c)
        .with("knots", knots)
        .with("model", f.model.name())
        .with("parm", f.parm.name())
        .with("dr_extr", dr_name)
        .with("alpha", params.alpha)
        .with("warnings", f.warnings.clone());
    Ok(Output::value(value))
}
