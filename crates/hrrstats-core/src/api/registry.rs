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

/// `capture_recapture`: `sources` (a record of 0/1 columns, one per source, 2 to 4),
/// optional `counts` (people per row: aggregated data; absent: one row per person),
/// `model` (absent: selected by `criterion`, "aic" or "bic"; else "independence" or
/// pairwise terms "A:B + A:C"), `conf_level`. Returns `models` (model, df, deviance,
/// aic, bic, n_unobserved, n_hat, std_err, lower, upper (profile likelihood),
/// wald_lower, wald_upper), the selected model's `selected`, `n_observed`, `n_hat`,
/// `n_unobserved`, `std_err`, `lower`, `upper`, `wald_lower`, `wald_upper`,
/// `lower_unobserved`, `upper_unobserved`; `chapman` (a record: n_hat, std_err, lower,
/// upper; two sources only); `patterns` (one 0/1 column per source, count); `warnings`.
/// Definitions in [`crate::registry::capture_recapture`].
pub fn capture_recapture(args: &Args) -> Result<Output> {
    use crate::registry::capture_recapture::{self as cr, CaptureTable, Criterion};
    let (cols, names) = args.columns("sources")?;
    let counts = args.opt_nums("counts")?;
    let criterion: Criterion = args.option("criterion")?;
    let conf_level = args.num_or("conf_level", 0.95)?;
    crate::data::check_conf_level(conf_level)?;
    let model = match args.get("model") {
        None => None,
        Some(_) => Some(args.str("model")?.to_string()),
    };
    let table = CaptureTable::new(&cols, &names, counts)?;
    let r = cr::capture_recapture(table, model.as_deref(), criterion, conf_level)?;
    let ms = &r.models;
    let col = |f: fn(&cr::ModelFit) -> f64| ms.iter().map(f).collect::<Vec<f64>>();
    let models = Table::new()
        .with("model", ms.iter().map(|m| m.label.clone()).collect::<Vec<_>>())
        .with("df", Value::Ints(ms.iter().map(|m| m.df as i64).collect()))
        .with("deviance", col(|m| m.deviance))
        .with("aic", col(|m| m.aic))
        .with("bic", col(|m| m.bic))
        .with("n_unobserved", col(|m| m.n_unobserved))
        .with("n_hat", col(|m| m.n_hat))
        .with("std_err", col(|m| m.std_err))
        .with("lower", col(|m| m.lower))
        .with("upper", col(|m| m.upper))
        .with("wald_lower", col(|m| m.wald_lower))
        .with("wald_upper", col(|m| m.wald_upper));
    let k = r.table.k();
    let mut patterns = Table::new();
    for (j, name) in r.table.names.iter().enumerate() {
        patterns.push(name, Value::Ints((1..1usize << k).map(|p| (p >> j & 1) as i64).collect()));
    }
    patterns.push("count", r.table.counts.clone());
    let s = &ms[r.selected];
    let n = r.table.n;
    let mut out = Record::new()
        .with("models", models)
        .with("selected", s.label.clone())
        .with("criterion", match criterion {
            Criterion::Aic => "aic",
            Criterion::Bic => "bic",
        })
        .with("model_given", model.is_some() as u8 as f64)
        .with("conf_level", conf_level)
        .with("n_observed", n)
        .with("n_hat", s.n_hat)
        .with("n_unobserved", s.n_unobserved)
        .with("std_err", s.std_err)
        .with("lower", s.lower)
        .with("upper", s.upper)
        .with("wald_lower", s.wald_lower)
        .with("wald_upper", s.wald_upper)
        .with("lower_unobserved", s.lower - n)
        .with("upper_unobserved", s.upper - n)
        .with("sources", r.table.names.clone())
        .with("patterns", patterns);
    if let Some(c) = r.chapman {
        out.push(
            "chapman",
            Record::new()
                .with("n_hat", c.n_hat)
                .with("std_err", c.std_err)
                .with("lower", c.lower)
                .with("upper", c.upper),
        );
    }
    out.push("warnings", r.warnings);
    Ok(Output::value(out))
}
