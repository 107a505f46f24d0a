//! Registry data to analysis variables through the protocol: `comorbidity` (Charlson
//! and Elixhauser indices from ICD-10 codes, as the R `comorbidity` package and Python
//! `comorbidipy`).

use super::Output;
use crate::error::{Error, Result};
use crate::options::OptionEnum;
use crate::protocol::{Arg, Args, Record, Table, Value};
use crate::registry::comorbidity::{self as cm, Index, Weights, Window};

/// A grouping argument as (codes, levels): a factor (codes) or strings (factorised here
/// in order of first appearance).
fn coded(args: &Args, name: &'static str) -> Result<(Vec<u32>, Vec<String>)> {
    match args.get(name) {
        Some(Arg::Codes { codes, levels }) => Ok((codes.to_vec(), levels.clone())),
        Some(Arg::Strs(_)) | Some(Arg::Str(_)) => {
            let v = args.strs(name)?;
            let mut map = std::collections::HashMap::<&str, u32>::with_capacity(v.len() / 4 + 1);
            let mut levels = Vec::new();
            let codes = v
                .iter()
                .map(|s| {
                    *map.entry(s.as_str()).or_insert_with(|| {
                        levels.push(s.clone());
                        (levels.len() - 1) as u32
                    })
                })
                .collect();
            Ok((codes, levels))
        }
        // absent or of another kind: the protocol's error naming the argument
        Some(_) | None => Err(args.codes(name).err().unwrap_or(Error::InvalidArgument {
            arg: name,
            reason: "must be a grouping variable (codes) or strings".into(),
        })),
    }
}

/// `comorbidity`: `id` and `code` (groupings: codes with levels, or strings), optional
/// `date`, `index_date` (per row or one value) and `lookback` (days; absent: no lower
/// bound), `index` ("charlson", "elixhauser"), `weights` (Charlson: "charlson" (1987,
/// default), "quan" (2011); Elixhauser: "van_walraven" (default), "swiss"). Returns
/// `table`: id (0-based code of the id; the id itself when ids came as strings), one 0/1 column per category, score; and
/// `categories` (name, label), `index`, `weights`.
pub fn comorbidity(args: &Args) -> Result<Output> {
    let id_as_strings = matches!(args.get("id"), Some(Arg::Strs(_)) | Some(Arg::Str(_)));
    let (id, id_levels) = coded(args, "id")?;
    let (code, levels) = coded(args, "code")?;
    let index: Index = args.option("index")?;
    let weights = match args.get("weights") {
        None => index.default_weights(),
        Some(_) => Weights::parse(args.str("weights")?)?,
    };
    let date = args.opt_nums("date")?;
    let index_date = args.opt_nums("index_date")?;
    let lookback = args.opt_num("lookback")?;
    let window = match (date, index_date) {
        (Some(date), Some(index_date)) => Some(Window {
            date,
            index_date,
            lookback: lookback.unwrap_or(f64::INFINITY),
        }),
        (None, None) if lookback.is_none() => None,
        (None, _) => {
            return Err(Error::InvalidArgument {
                arg: "date",
                reason: "is required with `index_date` or `lookback`".into(),
            })
        }
        (Some(_), None) => {
            return Err(Error::InvalidArgument {
                arg: "index_date",
                reason: "is required with `date` (the window is [index_date - lookback, index_date))".into(),
            })
        }
    };
    let res = cm::comorbidity(&id, id_levels.len().max(id.iter().map(|&i| i as usize + 1).max().unwrap_or(0)),
        &code, &levels, window.as_ref(), index, weights)?;
    let cats = index.categories();
    let ids = if id_as_strings {
        Value::Strs(res.ids.iter().map(|&i| id_levels[i].clone()).collect())
    } else {
        Value::Index(res.ids.clone())
    };
    let mut t = Table::new().with("id", ids);
    for (c, cat) in cats.iter().enumerate() {
        t.push(cat.name, Value::Ints(res.masks.iter().map(|m| (m >> c & 1) as i64).collect()));
    }
    t.push("score", res.scores);
    let categories = Table::new()
        .with("name", cats.iter().map(|c| c.name.to_string()).collect::<Vec<_>>())
        .with("label", cats.iter().map(|c| c.label.to_string()).collect::<Vec<_>>());
    Ok(Output::value(
        Record::new()
            .with("table", t)
            .with("categories", categories)
            .with("index", index.name())
            .with("weights", weights.name()),
    ))
}
