//! Drug exposure from dispensings: `drug_exposure` (treatment episodes) and `adherence`
//! (PDC, MPR); definitions in [`crate::drugs`].

use super::Output;
use crate::drugs::{DailyDose, Dispensings, EpisodeParams, PairCodes};
use crate::error::{Error, Result};
use crate::protocol::{Arg, Args, Record, Table, Value};

/// The (id, drug) pairs when `drug` is given (then the dispensings are keyed by pair).
fn pairs(args: &Args) -> Result<Option<PairCodes>> {
    let (id, k) = args.codes("id")?;
    match args.opt_codes("drug")? {
        None => Ok(None),
        Some((drug, nd)) => {
            crate::data::check_codes("id", id, k)?;
            PairCodes::new(id, drug, nd, args.nums("date")?.len()).map(Some)
        }
    }
}

fn dispensings<'a>(args: &'a Args, pairs: Option<&'a PairCodes>) -> Result<Dispensings<'a>> {
    let (id, k) = args.codes("id")?;
    let (id, k) = match pairs {
        Some(p) => (&p.codes[..], p.pairs.len()),
        None => (id, k),
    };
    let date = args.nums("date")?;
    let amount = args.nums("amount")?;
    let dose = match args.get("daily_dose") {
        None => DailyDose::None,
        Some(Arg::Num(x)) => DailyDose::Scalar(*x),
        Some(_) => {
            let d = args.nums("daily_dose")?;
            if d.len() == 1 && date.len() != 1 {
                DailyDose::Scalar(d[0])
            } else {
                DailyDose::Column(d)
            }
        }
    };
    Dispensings::new(id, k, date, amount, dose)
}

fn id_column(args: &Args, id: &[u32]) -> Value {
    Value::Factor {
        codes: id.to_vec(),
        levels: args.levels("id"),
    }
}

/// The leading columns of a result: id (and drug), from the dispensings' codes.
fn key_columns(args: &Args, pairs: Option<&PairCodes>, codes: &[u32]) -> Table {
    match pairs {
        None => Table::new().with("id", id_column(args, codes)),
        Some(p) => {
            let (id, drug) = p.split(codes);
            Table::new().with("id", id_column(args, &id)).with(
                "drug",
                Value::Factor {
                    codes: drug,
                    levels: args.levels("drug"),
                },
            )
        }
    }
}

/// Treatment episodes: `id` (codes), `date` (days), `amount` (days of supply, or units
/// with `daily_dose`: a number or a column), `grace` (30 days), `grace_fraction` (0),
/// `stockpile` (true), `end_grace` (false). Returns `table`: id, start, end,
/// dispensings, supplied.
pub fn drug_exposure(args: &Args) -> Result<Output> {
    let p = EpisodeParams {
        grace: args.num_or("grace", 30.0)?,
        grace_fraction: args.num_or("grace_fraction", 0.0)?,
        stockpile: args.flag_or("stockpile", true)?,
        end_grace: args.flag_or("end_grace", false)?,
    };
    let pairs = pairs(args)?;
    let d = dispensings(args, pairs.as_ref())?;
    let e = d.episodes(p)?;
    let t = key_columns(args, pairs.as_ref(), &e.id)
        .with("start", e.start)
        .with("end", e.end)
        .with("dispensings", crate::protocol::ints(&e.dispensings))
        .with("supplied", e.supplied);
    Ok(Output::value(
        Record::new()
            .with("table", t)
            .with("grace", p.grace)
            .with("grace_fraction", p.grace_fraction)
            .with("stockpile", p.stockpile as u8 as f64)
            .with("end_grace", p.end_grace as u8 as f64),
    ))
}

/// The adherence measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Proportion of days covered.
    #[default]
    Pdc,
    /// Medication possession ratio.
    Mpr,
}
crate::option_enum!(Measure, "measure", "pdc" => Measure::Pdc, "mpr" => Measure::Mpr);

/// Adherence per id over `[window_start, window_start + window)`: `id`, `date`,
/// `amount`, `daily_dose` as `drug_exposure`; `window` (days, 365), `window_start`
/// (per row, constant within an id; absent: the id's first dispensing), `measure`
/// ("pdc" or "mpr"), `stockpile` (true). Returns `table`: id, window_start, window_end,
/// dispensings, supplied, covered and the measure (`pdc` or `mpr`).
pub fn adherence(args: &Args) -> Result<Output> {
    let measure: Measure = args.option("measure")?;
    let window = args.num_or("window", 365.0)?;
    let stockpile = args.flag_or("stockpile", true)?;
    let ws = args.opt_nums("window_start")?;
    let pairs = pairs(args)?;
    let d = dispensings(args, pairs.as_ref())?;
    let a = d.adherence(window, ws, stockpile)?;
    let (name, m): (&str, Vec<f64>) = match measure {
        Measure::Pdc => ("pdc", a.covered.iter().map(|c| c / window).collect()),
        Measure::Mpr => ("mpr", a.supplied.iter().map(|s| s / window).collect()),
    };
    if m.iter().any(|v| !v.is_finite()) {
        return Err(Error::Data {
            arg: "window",
            reason: "the measure is not finite".into(),
        });
    }
    let t = key_columns(args, pairs.as_ref(), &a.id)
        .with("window_start", a.window_start)
        .with("window_end", a.window_end)
        .with("dispensings", crate::protocol::ints(&a.dispensings))
        .with("supplied", a.supplied)
        .with("covered", a.covered)
        .with(name, m);
    Ok(Output::value(
        Record::new()
            .with("table", t)
            .with("measure", name)
            .with("window", window)
            .with("stockpile", stockpile as u8 as f64),
    ))
}
